"""The demo portal: real HTTP behaviour of every planted defect and healthy trap, determinism, speed.

Most tests share one running server (module fixture). The whole-site consistency check walks the
portal in-process with a deliberately crude extractor, so it does not depend on the crawler under
development: it proves the manifest lists *every* broken link and nothing else.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx2
import pytest
from protego import Protego
from w3lib.url import safe_url_string

from sitecheck.demo import DemoServer, PlantedDefect, Portal
from sitecheck.demo.portal import Behaviour
from sitecheck.models import FindingKind, Outcome

TODAY = dt.date(2025, 6, 1)
SLOW = 1.0


@pytest.fixture(scope="module")
def srv() -> Iterator[DemoServer]:
    with DemoServer(pages=150, seed=7, today=TODAY, slow_seconds=SLOW) as server:
        yield server


@pytest.fixture(scope="module")
def client() -> Iterator[httpx2.Client]:
    # trust_env=False: a proxy from the environment must not see loopback requests.
    with httpx2.Client(trust_env=False, timeout=5.0, follow_redirects=False) as c:
        yield c


def _by_id(srv: DemoServer) -> dict[str, PlantedDefect]:
    return {d.id: d for d in srv.manifest}


def _decode(resp: httpx2.Response) -> str:
    charset = resp.headers["content-type"].partition("charset=")[2] or "utf-8"
    return resp.content.decode(charset)


# --- encodings ----------------------------------------------------------------------------------


def test_home_page_is_utf8_with_gov_markers(srv: DemoServer, client: httpx2.Client) -> None:
    resp = client.get(srv.base_url)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    text = resp.content.decode("utf-8")
    for marker in (
        '<meta name="SiteName" content="某市发展和改革委员会">',
        '<meta name="SiteIDCode" content="3301000001">',
        "网站标识码：3301000001",
        "浙ICP备12345678号",
        "浙公网安备 33010002000001号",
        'alt="党政机关"',
        '<option value="">--友情链接--</option>',
        '<iframe src="/include/sidebar.html"',
        'href="#top"',
        'href="mailto:',
        'href="tel:',
    ):
        assert marker in text
    assert client.get(srv.base_url + "index.html").content == resp.content


def test_gbk_column_is_served_and_decodes_as_gbk(srv: DemoServer, client: httpx2.Client) -> None:
    resp = client.get(srv.base_url + "zcwj/index.html")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=gbk"
    with pytest.raises(UnicodeDecodeError):
        resp.content.decode("utf-8")
    text = resp.content.decode("gbk")
    assert '<meta charset="gb2312">' in text
    assert '<meta name="ColumnName" content="政策文件">' in text
    assert 'createPageHTML(1, 0, "index", "html");' in text
    article = re.search(r'href="\./(\d{6}/t\d{8}_\d+\.html)"', text)
    assert article is not None
    art = client.get(srv.base_url + "zcwj/" + article.group(1))
    assert art.headers["content-type"] == "text/html; charset=gbk"
    assert "发布时间：" in art.content.decode("gbk")


def test_gbk_dead_link_text_decodes(srv: DemoServer, client: httpx2.Client) -> None:
    d = _by_id(srv)["dead-gbk-link"]
    page = client.get(d.referrer)
    assert page.headers["content-type"].endswith("charset=gbk")
    text = page.content.decode("gbk")
    assert f'<a href="{d.raw}" target="_blank">{d.text}</a>' in text
    assert client.get(d.url).status_code == 404


# --- every manifest entry answers as its outcome says -------------------------------------------


def test_manifest_entries_are_complete(srv: DemoServer) -> None:
    ids = [d.id for d in srv.manifest]
    assert len(ids) == len(set(ids)) == 21
    for d in srv.manifest:
        assert d.referrer.startswith(srv.base_url)
        assert d.url.startswith("http://127.0.0.")
        assert d.text
        assert d.raw
        if d.outcome is Outcome.OK:
            assert d.kind is None
        elif d.referrer == srv.base_url:
            assert d.kind in (FindingKind.DEAD_LINK_HOME, FindingKind.UNAVAILABLE_LINK)


def test_manifest_is_json_serialisable(srv: DemoServer) -> None:
    data = json.loads(json.dumps([d.to_json() for d in srv.manifest], ensure_ascii=False))
    assert {row["id"] for row in data} == {d.id for d in srv.manifest}
    rl = next(row for row in data if row["id"] == "rate-limited-once")
    assert rl["kind"] is None and rl["outcome"] == "ok"
    assert set(data[0]) >= {"id", "url", "referrer", "element", "text", "outcome", "kind", "note"}


def test_referrer_pages_hold_the_planted_links(srv: DemoServer, client: httpx2.Client) -> None:
    for d in srv.manifest:
        page = client.get(d.referrer)
        assert page.status_code == 200, d.id
        text = _decode(page)
        assert f'{d.attribute}="{html.escape(d.raw, quote=False)}"' in text, d.id
        assert d.text in text, d.id


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_not_found_entries_are_404(srv: DemoServer, client: httpx2.Client, method: str) -> None:
    dead = [d for d in srv.manifest if d.outcome is Outcome.NOT_FOUND]
    assert len(dead) == 11
    for d in dead:
        assert client.request(method, d.url).status_code == 404, d.id


def test_soft_404s_answer_200_with_not_found_text(srv: DemoServer, client: httpx2.Client) -> None:
    soft = [d for d in srv.manifest if d.outcome is Outcome.SOFT_404]
    assert {d.id for d in soft} == {"soft-404-page", "soft-404-attachment"}
    for d in soft:
        resp = client.get(d.url)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/html")
        assert "对不起，您访问的页面不存在" in resp.text


def test_redirect_loop(srv: DemoServer, client: httpx2.Client) -> None:
    d = _by_id(srv)["redirect-loop"]
    a = client.get(d.url)
    assert a.status_code == 302 and a.headers["location"] == "/redirect/b.html"
    b = client.get(srv.base_url + "redirect/b.html")
    assert b.status_code == 302 and b.headers["location"] == "/redirect/a.html"
    with pytest.raises(httpx2.TooManyRedirects):
        client.get(d.url, follow_redirects=True)


def test_blocked_412_anti_bot_page(srv: DemoServer, client: httpx2.Client) -> None:
    d = _by_id(srv)["blocked-412"]
    assert d.url.startswith(srv.external_base_url)
    resp = client.get(d.url)
    assert resp.status_code == 412
    assert "$_ts=window['$_ts']" in resp.text
    assert re.search(r"<script[^>]+src=", resp.text)
    assert client.head(d.url).status_code == 412


def test_rate_limited_once_then_ok(srv: DemoServer, client: httpx2.Client) -> None:
    d = _by_id(srv)["rate-limited-once"]
    srv.reset()
    first = client.get(d.url)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "1"
    assert client.get(d.url).status_code == 200
    assert client.head(d.url).status_code == 200
    assert srv.hits(urlsplit(d.url).path) == 3


def test_slow_url_times_out_then_answers(srv: DemoServer, client: httpx2.Client) -> None:
    d = _by_id(srv)["timeout"]
    with pytest.raises(httpx2.ReadTimeout):  # slower than 0.3 s ...
        client.get(d.url, timeout=0.3)
    assert client.get(d.url, timeout=SLOW + 3).status_code == 200  # ... but it does answer


def test_connection_refused(srv: DemoServer, client: httpx2.Client) -> None:
    d = _by_id(srv)["connection-refused"]
    assert d.url == srv.refused_url
    with pytest.raises(httpx2.ConnectError):
        client.get(d.url)


def test_robots_disallows_the_search_link_only(srv: DemoServer, client: httpx2.Client) -> None:
    robots = client.get(srv.base_url + "robots.txt")
    assert robots.status_code == 200 and "Disallow: /search/" in robots.text
    rp = Protego.parse(robots.text)
    d = _by_id(srv)["robots-disallowed"]
    assert not rp.can_fetch(d.url, "sitecheck")
    gbk_query = next(c for c in srv.portal.controls if c.id == "gbk-query")
    assert rp.can_fetch(gbk_query.url, "sitecheck")
    assert client.get(d.url).status_code == 200  # the page exists; only robots forbids it


def test_placeholders_sit_in_the_home_nav(srv: DemoServer, client: httpx2.Client) -> None:
    text = client.get(srv.base_url).text
    nav = re.search(r'<div class="nav" id="nav">(.*?)</div>', text, re.S)
    assert nav is not None
    assert '<a href="#">互动交流</a>' in nav.group(1)
    assert "<a href=\"javascript:alert('该栏目正在建设中');\">数据发布</a>" in nav.group(1)
    assert 'href="#top"' not in nav.group(1)
    inner = client.get(srv.base_url + "gzdt/index.html").text
    assert "互动交流" not in inner  # one place only, so one finding each


def test_external_site_is_a_second_loopback_server(srv: DemoServer, client: httpx2.Client) -> None:
    ext = urlsplit(srv.external_base_url)
    assert ext.hostname in ("127.0.0.1", "127.0.0.2")
    assert srv.external_base_url != srv.base_url
    assert client.get(srv.external_base_url + "gov/index.html").status_code == 200
    assert client.get(_by_id(srv)["dead-select-option"].url).status_code == 404
    assert srv.hits("/lsj/index.html", external=True) >= 1


# --- healthy special cases ----------------------------------------------------------------------


def _control(srv: DemoServer, cid: str) -> PlantedDefect:
    return next(c for c in srv.portal.controls if c.id == cid)


def test_head_405_attachment_is_fine_with_get(srv: DemoServer, client: httpx2.Client) -> None:
    url = _control(srv, "head-405-attachment").url
    head = client.head(url)
    assert head.status_code == 405 and head.headers["allow"] == "GET"
    get = client.get(url)
    assert get.status_code == 200
    assert get.headers["content-type"] == "application/pdf"
    assert get.content.startswith(b"%PDF")


def test_chinese_paths_are_served_utf8_percent_encoded(srv: DemoServer, client: httpx2.Client) -> None:
    for cid in ("chinese-path", "chinese-attachment"):
        c = _control(srv, cid)
        assert "%E" in c.url
        assert safe_url_string(urljoin(c.referrer, c.raw)) == c.url
        assert client.get(c.url).status_code == 200, cid
    # the same path percent-encoded as GBK is a different resource
    gbk = srv.base_url + "zt/" + "".join(f"%{b:02X}" for b in "营商环境".encode("gbk")) + "/index.html"
    assert client.get(gbk).status_code == 404


def test_gbk_query_accepted_only_gbk_encoded(srv: DemoServer, client: httpx2.Client) -> None:
    c = _control(srv, "gbk-query")
    assert c.url.endswith("/search.html?kw=%B9%AB%B8%E6")
    # what a browser does on a GBK page: path UTF-8, query in the page encoding
    assert safe_url_string(urljoin(c.referrer, c.raw), encoding="gbk") == c.url
    ok = client.get(c.url)
    assert ok.status_code == 200 and "检索结果" in ok.content.decode("gbk")
    assert client.get(srv.base_url + "search.html?kw=%E5%85%AC%E5%91%8A").status_code == 404
    assert client.get(srv.base_url + "search.html").status_code == 404


def test_other_healthy_traps(srv: DemoServer, client: httpx2.Client) -> None:
    moved = client.get(_control(srv, "moved-301").url)
    assert moved.status_code == 301 and moved.headers["location"] == "/gzdt/index.html"
    assert client.get(moved.url.join(moved.headers["location"])).status_code == 200
    refresh = client.get(srv.base_url + "zfxxgk/index.html").text
    assert '<meta http-equiv="refresh" content="0;url=../ndbg/index.html">' in refresh
    base_page = client.get(srv.base_url + "zwgk/index.html").text
    assert '<base href="/tzgg/">' in base_page
    assert client.get(_control(srv, "base-href").url).status_code == 200
    sidebar = client.get(srv.base_url + "include/sidebar.html")
    assert sidebar.status_code == 200 and "<a href=" in sidebar.text
    sitemap = client.get(srv.base_url + "sitemap.xml")
    assert sitemap.headers["content-type"] == "application/xml"
    assert f"<loc>{srv.base_url}</loc>" in sitemap.text


def test_list_pages_use_trs_pagination(client: httpx2.Client) -> None:
    with DemoServer(pages=400, today=TODAY) as big:
        first = client.get(big.base_url + "gzdt/index.html").text
        m = re.search(r'createPageHTML\((\d+), 0, "index", "html"\);', first)
        assert m is not None and int(m.group(1)) >= 3
        last = int(m.group(1)) - 1
        assert f'<a href="index_{last}.html">尾页</a>' in first
        assert '<a href="index_1.html">下一页</a>' in first
        second = client.get(big.base_url + "gzdt/index_1.html").text
        assert '<a href="index.html">上一页</a>' in second
        assert client.get(big.base_url + f"gzdt/index_{last}.html").status_code == 200
        assert client.get(big.base_url + f"gzdt/index_{last + 1}.html").status_code == 404
        items = re.findall(
            r'<li><a href="\./(\d{6})/t(\d{8})_\d+\.html" title="[^"]+"[^>]*>[^<]+</a>'
            r"<span>(\d{4}-\d{2}-\d{2})</span></li>",
            first,
        )
        assert len(items) == 20
        for month, day, shown in items:
            assert day.startswith(month) and shown.replace("-", "") == day
        dates = [shown for _, _, shown in items]
        assert dates == sorted(dates, reverse=True)
        assert dates[0] <= TODAY.isoformat()


# --- server mechanics ---------------------------------------------------------------------------


def test_head_matches_get_headers(srv: DemoServer, client: httpx2.Client) -> None:
    for path in ("", "zcwj/index.html", "css/style.css", "images/logo.png"):
        get = client.get(srv.base_url + path)
        head = client.head(srv.base_url + path)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == str(len(get.content))
        assert head.headers["content-type"] == get.headers["content-type"]


def test_unknown_path_is_a_real_404_page(srv: DemoServer, client: httpx2.Client) -> None:
    resp = client.get(srv.base_url + "no/such/page.html")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html") and "404" in resp.text


def test_overrides_and_hits(srv: DemoServer, client: httpx2.Client) -> None:
    dead = _by_id(srv)["dead-home-link"]
    path = urlsplit(dead.url).path
    before = srv.hits(path)
    srv.set_override(path, status=200, body="<html><title>已修复</title></html>")
    try:
        resp = client.get(dead.url)
        assert resp.status_code == 200 and "已修复" in resp.text
    finally:
        srv.clear_override(path)
    assert client.get(dead.url).status_code == 404
    assert srv.hits(path) == before + 2

    srv.set_override("/gov/index.html", status=503, headers={"Retry-After": "5"}, external=True)
    try:
        resp = client.get(srv.external_base_url + "gov/index.html")
        assert resp.status_code == 503 and resp.headers["retry-after"] == "5"
    finally:
        srv.clear_override("/gov/index.html", external=True)
    assert client.get(srv.external_base_url + "gov/index.html").status_code == 200


def test_concurrent_keep_alive_requests(srv: DemoServer) -> None:
    urls = sorted(srv.portal.page_urls)[:60]
    failures: list[str] = []

    def worker() -> None:
        with httpx2.Client(trust_env=False, timeout=5.0) as c:
            for url in urls:
                if c.get(url).status_code != 200:
                    failures.append(url)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] or failures == [_by_id(srv)["rate-limited-once"].url]


@pytest.mark.timeout(15)  # stop() waiting out the 30-second answer would hang here
def test_stop_does_not_wait_for_a_slow_request_in_flight() -> None:
    errors: list[BaseException] = []
    with DemoServer(pages=60, today=TODAY, slow_seconds=30) as server:
        url = _by_id(server)["timeout"].url

        def hang() -> None:
            try:
                with httpx2.Client(trust_env=False, timeout=60) as c:
                    c.get(url)
            except httpx2.HTTPError as exc:
                errors.append(exc)

        t = threading.Thread(target=hang)
        t.start()
        deadline = time.monotonic() + 10
        while server.hits(urlsplit(url).path) == 0:
            assert time.monotonic() < deadline, "the slow request never reached the server"
            time.sleep(0.01)
    t.join(10)
    # The server hung up on the waiting client; the client did not give up on its own.
    assert not t.is_alive() and len(errors) == 1, errors
    assert not isinstance(errors[0], httpx2.TimeoutException), errors


def test_command_line_serves_and_prints_the_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitecheck.demo.server", "--pages", "80", "--today", "2025-06-01"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[-1]
        assert url.startswith("http://127.0.0.1:")
        with httpx2.Client(trust_env=False, timeout=5) as c:
            assert c.get(url).status_code == 200
    finally:
        proc.terminate()
        proc.wait(5)


# --- generation ---------------------------------------------------------------------------------


def test_generation_is_deterministic() -> None:
    a = Portal(pages=5000, seed=7, today=TODAY)
    b = Portal(pages=5000, seed=7, today=TODAY)
    assert a.page_urls == b.page_urls
    assert 4500 <= len(a.page_urls) <= 5500
    assert [d.to_json() for d in a.manifest] == [d.to_json() for d in b.manifest]
    sample = sorted(a.page_urls)[::97]
    for url in sample:
        parts = urlsplit(url)
        assert a.get(parts.path, parts.query).body == b.get(parts.path, parts.query).body
    other = Portal(pages=5000, seed=8, today=TODAY)
    assert other.page_urls != a.page_urls


def test_columns_are_dated_backwards_from_today() -> None:
    portal = Portal(pages=300, today=TODAY)
    cols = {c.slug: c for c in portal.columns}
    assert cols["zcwj"].encoding == "gbk"
    age: dict[str, int] = {}
    for c in cols.values():
        if c.newest is None:  # the planted empty and undated columns (tests/test_demo_columns.py)
            continue
        assert c.newest <= TODAY
        assert c.articles >= 3 or c.slug == "xzxk"  # 行政许可: one item (hidden-placeholder)
        age[c.slug] = (TODAY - c.newest).days
    # fresh by the usual limits: news 14 days, notices 180, personnel 365
    assert age["gzdt"] <= 14 and age["tzgg"] <= 180 and age["rsxx"] <= 365
    assert age["ghjh"] == 400  # planted stale: 规划计划 in the column manifest


# --- whole-site consistency (in-process, crude extractor) ---------------------------------------

_TAG = re.compile(r"<(?!base\b)[a-z]+\b[^>]*>")
_ATTR = re.compile(r'\s(href|src|srcset|value|onclick|content)="([^"]*)"')
_JS_URL = re.compile(r"""(?:window\.open|location\.href\s*=)\s*\(?\s*'([^']+)'""")
# The TRS 海云 pager: createPageHTML("page_div", pages, current, "index", "html", records).
_HANYUN_PAGER = re.compile(r'createPageHTML\("[^"]+", (\d+), \d+, "([^"]+)", "([^"]+)", \d+\)')


def _links(text: str) -> list[tuple[str, str]]:
    """(attribute, URL as written) of everything a browser could request from this page."""
    out = []
    attrs = [m for tag in _TAG.findall(text) for m in _ATTR.findall(tag)]
    for attr, raw in attrs:
        raw = html.unescape(raw)
        if attr == "srcset":
            out += [(attr, part.split()[0]) for part in raw.split(",") if part.strip()]
        elif attr == "onclick" or raw.startswith("javascript:"):
            out += [(attr, u) for u in _JS_URL.findall(raw)]
        elif attr == "content":
            if raw.lower().startswith("0;url="):
                out.append((attr, raw[6:]))
        elif raw and not raw.startswith(("#", "mailto:", "tel:")):
            out.append((attr, raw))
    for pages, name, ext in _HANYUN_PAGER.findall(text):
        out += [("script", f"{name}_{k}.{ext}") for k in range(1, int(pages))]
    return out


def _outcome(portal: Portal, url: str, robots: Protego) -> tuple[Outcome, str, str, bytes]:
    """(outcome, final URL, content type, body), judged the way the crawler is meant to."""
    seen: set[str] = set()
    while True:
        if url.startswith(portal.refused_url):
            return Outcome.CONNECTION_ERROR, url, "", b""
        if url.startswith(portal.base_url) and not robots.can_fetch(url, "sitecheck"):
            return Outcome.ROBOTS_DISALLOWED, url, "", b""
        parts = urlsplit(url)
        if url.startswith(portal.base_url):
            resp = portal.get(parts.path, parts.query)
        elif url.startswith(portal.external_base_url):
            resp = portal.get_external(parts.path, parts.query)
        else:
            raise AssertionError(f"link leaves loopback: {url}")
        if resp.behaviour is Behaviour.SLOW:
            return Outcome.TIMEOUT, url, "", b""
        if resp.status in (301, 302):
            seen.add(url)
            url = urljoin(url, dict(resp.headers)["Location"])
            if url in seen:
                return Outcome.REDIRECT_ERROR, url, "", b""
            continue
        if resp.status == 404:
            return Outcome.NOT_FOUND, url, "", b""
        if resp.status == 412:
            return Outcome.BLOCKED, url, "", b""
        assert resp.status == 200, (url, resp.status)
        if resp.content_type.startswith("text/html") and "页面不存在".encode() in resp.body:
            return Outcome.SOFT_404, url, "", b""
        return Outcome.OK, url, resp.content_type, resp.body


@pytest.mark.parametrize(
    ("pages", "seed", "today"),
    [
        (150, 7, TODAY),
        (700, 3, dt.date(2024, 1, 5)),
        (40, 11, dt.date(2024, 2, 29)),
        (150, 7, dt.date(2026, 1, 8)),
    ],
)
def test_manifest_lists_every_broken_link_and_pages_are_all_reachable(
    pages: int, seed: int, today: dt.date
) -> None:
    portal = Portal(pages=pages, seed=seed, today=today)
    robots = Protego.parse(portal.get("/robots.txt").body.decode())
    home = portal.base_url
    queue, reached = deque([home]), {home}
    problems: dict[tuple[str, str], Outcome] = {}
    checked: dict[str, tuple[Outcome, str, str, bytes]] = {home: _outcome(portal, home, robots)}
    while queue:
        page = queue.popleft()
        _, _, ctype, body = checked[page]
        charset = ctype.partition("charset=")[2] or "utf-8"
        text = body.decode(charset)
        m = re.search(r'<base href="([^"]+)">', text)
        base = urljoin(page, m.group(1)) if m else page
        for _attr, raw in _links(text):
            url = safe_url_string(urljoin(base, raw), encoding=charset)
            if url not in checked:
                checked[url] = _outcome(portal, url, robots)
            result, final, rtype, _ = checked[url]
            if result is not Outcome.OK:
                # /index.html is the home page under its navigation alias: the same page.
                problems[(url, home if page == home + "index.html" else page)] = result
            elif rtype.startswith("text/html") and final.startswith(home) and final not in reached:
                reached.add(final)
                checked[final] = checked[url]
                queue.append(final)

    expected = {
        (d.url, d.referrer): d.outcome
        for d in portal.manifest
        if d.outcome not in (Outcome.OK, Outcome.NOT_CHECKABLE)
    }
    assert problems == expected
    assert reached == portal.page_urls
    assert portal.count_link_occurrences() > 10 * len(reached)
