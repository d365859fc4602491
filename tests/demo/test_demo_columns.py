"""The demo portal's columns: every planted column case is served exactly as the column manifest says.

The crawler's column audit is tested against this portal, so the manifest must be right: these
tests read the served pages over real HTTP with their own crude parsing (not the crawler's) and
check counts, newest dates, placeholders, the Hanweb dataproxy, the year-less column across
1 January, and that the link manifest is untouched. The expected finding of each column is
recomputed here from the audit rule itself, for several sizes, seeds and dates.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import httpx2
import pytest

from sitecheck.demo import DemoServer, PlantedColumn, Portal
from sitecheck.demo.portal import newest_report_day
from sitecheck.models import ColumnCategory, FindingKind

TODAY = dt.date(2025, 6, 1)
NEW_YEAR = dt.date(2026, 1, 8)  # early January: the year-less column straddles 1 January

DYN, NOTICE, PERS = ColumnCategory.DYNAMIC, ColumnCategory.NOTICE, ColumnCategory.PERSONNEL
OTHER, TOPIC, ANNUAL = ColumnCategory.OTHER, ColumnCategory.TOPIC, ColumnCategory.ANNUAL_REPORT
EMPTY, STALE = FindingKind.EMPTY_COLUMN, FindingKind.STALE_COLUMN
WARN, UNDATED = FindingKind.STALE_COLUMN_WARNING, FindingKind.UNDATED_COLUMN

# id -> (expected finding, category, how list rows show the date)
CASES: dict[str, tuple[FindingKind | None, ColumnCategory, str]] = {
    "dynamic-fresh": (None, DYN, "%Y-%m-%d"),
    "dynamic-warning": (WARN, DYN, "%Y/%m/%d"),
    "dynamic-stale": (STALE, DYN, "%Y年%m月%d日"),
    "yearless-boundary": (None, DYN, "[%m-%d]"),
    "column-type-meta": (STALE, DYN, "%Y-%m-%d"),
    "notice-fresh": (None, NOTICE, "%Y-%m-%d"),
    "notice-stale": (STALE, NOTICE, "%Y/%m/%d"),
    "policy-fresh-gbk": (None, NOTICE, "%Y-%m-%d"),
    "pinned-old-first": (None, NOTICE, "%Y-%m-%d"),
    "personnel-fresh": (None, PERS, "%Y-%m-%d"),
    "plan-stale": (STALE, PERS, "%Y-%m-%d"),
    "annual-report": (None, ANNUAL, "%Y年%m月%d日"),
    "empty-placeholder": (EMPTY, OTHER, ""),
    "empty-bare": (EMPTY, OTHER, ""),
    "topic-fresh": (None, TOPIC, "%Y-%m-%d"),
    "topic-historical": (None, TOPIC, "%Y-%m-%d"),
    "undated": (UNDATED, OTHER, ""),
    "topic-page": (None, TOPIC, "%Y-%m-%d"),
    "hanweb-fresh": (None, DYN, "%Y-%m-%d"),
    "hanweb-empty": (EMPTY, OTHER, ""),
    "iframe-empty": (EMPTY, OTHER, ""),
    "iframe-fresh": (None, OTHER, "%Y-%m-%d"),
    "empty-list-block": (EMPTY, OTHER, ""),
    "single-empty": (EMPTY, OTHER, ""),
    "single-content": (None, OTHER, ""),
    "hidden-placeholder": (None, OTHER, "%Y-%m-%d"),
    "month-day-dated-urls": (STALE, OTHER, "%m-%d"),
    "hidden-tab": (None, NOTICE, "%Y-%m-%d"),
    "document-write-only": (None, OTHER, "%Y-%m-%d"),
    "crumb-image-separators": (None, NOTICE, "%Y-%m-%d"),
    "hanyun-pager-gbk": (None, NOTICE, "%Y-%m-%d"),
}
LAYOUTS = {
    "iframe-empty": "iframe",
    "iframe-fresh": "iframe",
    "empty-list-block": "cms",
    "single-empty": "single",
    "single-content": "single",
    "hidden-placeholder": "hanyun",
    "hanyun-pager-gbk": "hanyun",
    "topic-page": "topic",
    "hanweb-fresh": "hanweb",
    "hanweb-empty": "hanweb",
}
# Days between today and the newest item where the expected finding depends on it.
AGES = {
    "dynamic-warning": 11,
    "dynamic-stale": 30,
    "yearless-boundary": 3,
    "column-type-meta": 25,
    "notice-stale": 200,
    "plan-stale": 400,
    "topic-historical": 900,
    "hanweb-fresh": 1,
    "month-day-dated-urls": 730,
}
NO_NAME_META = {"notice-stale", "yearless-boundary", "crumb-image-separators"}
LIMITS = {DYN: 14, NOTICE: 180, PERS: 365, OTHER: 365, ANNUAL: 400}
MARGINS = {DYN: 4, NOTICE: 30, PERS: 30, OTHER: 30}
PLACEHOLDERS = ("暂无", "建设中", "没有找到")
DATEISH = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\[\d{2}-\d{2}\]|\b\d{2}-\d{2}\b")
LINK_IDS = {
    "dead-internal-page",
    "dead-image",
    "dead-attachment",
    "dead-external",
    "timeout",
    "connection-refused",
    "redirect-loop",
    "soft-404-page",
    "blocked-412",
    "rate-limited-once",
    "dead-home-link",
    "dead-select-option",
    "dead-js-window-open",
    "dead-onclick",
    "dead-gbk-link",
    "placeholder-hash",
    "placeholder-js-alert",
    "robots-disallowed",
    "soft-404-attachment",
    "dead-cdata-image",
    "dead-hanyun-list-row",
}


def expected_kind(
    col: PlantedColumn, today: dt.date, category: ColumnCategory | None = None
) -> FindingKind | None:
    """The audit rule as specified: empty, undated, then days since the newest item.

    A single-content page (领导简介) is judged on being blank only: it carries no date.
    """
    category = category or col.category
    if col.layout == "single":
        return EMPTY if col.items == 0 else None
    if col.items == 0:
        return EMPTY
    if col.newest is None:
        return UNDATED
    if category is TOPIC:
        return None
    age = (today - col.newest).days
    if age > LIMITS[category]:
        return STALE
    margin = MARGINS.get(category)
    if margin is not None and age >= LIMITS[category] - margin:
        return WARN
    return None


def parse_shown(text: str, fmt: str, today: dt.date) -> dt.date:
    """A list row's date; year-less ones take the latest year that does not put them in the future."""
    text = text.strip()
    if "%Y" in fmt:
        return dt.datetime.strptime(text, fmt).date()
    month, day = (int(n) for n in re.findall(r"\d+", text))
    shown = dt.date(today.year, month, day)
    return shown if shown <= today else dt.date(today.year - 1, month, day)


def decode(resp: httpx2.Response) -> str:
    charset = resp.headers["content-type"].partition("charset=")[2] or "utf-8"
    return resp.content.decode(charset)


def list_area(text: str) -> str:
    m = re.search(r'<div class="list"[^>]*>(.*?)</div>|<ul class="list">(.*?)</ul>', text, re.S)
    assert m is not None
    return m.group(1) or m.group(2) or ""


def rows(text: str) -> list[tuple[str, str, str]]:
    """(href, link text, shown date) of each row of a TRS list page (ul or table layout)."""
    out = []
    for row in re.findall(r"<li>(.*?)</li>|<tr><td[^>]*>(.*?)</tr>", list_area(text), re.S):
        body = row[0] or row[1]
        link = re.search(r'<a href="([^"]+)"[^>]*>([^<]*)</a>', body)
        assert link is not None, body
        date = re.search(r"<span>([^<]*)</span>|<td[^>]*>([^<]*)</td>\s*$", body)
        shown = (date.group(1) or date.group(2)) if date else ""
        out.append((link.group(1), link.group(2), shown))
    return out


def records(xml: str) -> list[tuple[str, str]]:
    """(href, shown date) of each <record> of a Hanweb datastore."""
    return re.findall(
        r'<record><!\[CDATA\[<li>(?:<img [^>]*>)?<a href="([^"]+)"[^>]*>[^<]*</a><span>([^<]*)</span></li>\]\]></record>',
        xml,
    )


@pytest.fixture(scope="module")
def srv() -> Iterator[DemoServer]:
    with DemoServer(pages=150, seed=7, today=TODAY, slow_seconds=1.0) as server:
        yield server


@pytest.fixture(scope="module")
def client() -> Iterator[httpx2.Client]:
    # trust_env=False: a proxy from the environment must not see loopback requests.
    with httpx2.Client(trust_env=False, timeout=5.0, follow_redirects=False) as c:
        yield c


def by_id(columns: list[PlantedColumn]) -> dict[str, PlantedColumn]:
    return {c.id: c for c in columns}


# --- the manifest -------------------------------------------------------------------------------


def test_manifest_covers_every_case_exactly_once(srv: DemoServer) -> None:
    cols = srv.column_manifest
    assert cols is srv.portal.column_manifest
    assert len({c.id for c in cols}) == len(cols) == len(CASES)
    assert {c.id for c in cols} == set(CASES)
    assert len({c.url for c in cols}) == len(cols)
    for c in cols:
        kind, category, _ = CASES[c.id]
        assert (c.kind, c.category) == (kind, category), c.id
        assert c.layout == LAYOUTS.get(c.id, "trs"), c.id
        assert c.url.startswith(srv.base_url) and c.name and c.note
    found = Counter(c.kind for c in cols)
    assert found == {None: 18, STALE: 5, EMPTY: 6, WARN: 1, UNDATED: 1}
    # No column is the home page, under either of its addresses, and none is named 首页.
    assert not {srv.base_url, srv.base_url + "index.html"} & {c.url for c in cols}
    assert "首页" not in {c.name for c in cols}
    assert {c.parent for c in cols} == {"新闻中心", "政务公开", "专题专栏", "办事服务", None}


@pytest.mark.parametrize(
    ("pages", "seed", "today"),
    [
        (150, 7, TODAY),
        (700, 3, dt.date(2024, 1, 5)),
        (40, 11, dt.date(2024, 2, 29)),
        (150, 7, NEW_YEAR),
        (5000, 7, dt.date(2025, 12, 31)),
    ],
)
def test_expected_findings_follow_from_the_rule(pages: int, seed: int, today: dt.date) -> None:
    portal = Portal(pages=pages, seed=seed, today=today)
    for c in portal.column_manifest:
        assert c.kind == expected_kind(c, today), c.id
        assert (c.items == 0) == (c.kind is EMPTY), c.id
        if c.layout == "single":
            assert c.newest is None and c.items in (0, 1), c.id
        else:
            assert (c.newest is None) == (c.kind in (EMPTY, UNDATED)), c.id
        if c.newest is not None:
            assert c.newest <= today, c.id
        if c.id in AGES:
            assert c.newest is not None and (today - c.newest).days == AGES[c.id], c.id
    cols = by_id(portal.column_manifest)
    # The meta ColumnType decides: by its name alone 工作交流 is 'other' and would pass.
    assert expected_kind(cols["column-type-meta"], today, OTHER) is None
    # A yearly report 200 days old would be stale as a notice column (from February to mid-August
    # the newest, late, is younger: newest_report_day).
    report = cols["annual-report"]
    assert report.newest == newest_report_day(today) <= today
    if (today - report.newest).days > LIMITS[NOTICE]:
        assert expected_kind(report, today, NOTICE) is STALE
    assert expected_kind(report, today) is None
    assert cols["hanweb-fresh"].items == 45
    assert cols["hanyun-pager-gbk"].items == 25 and cols["hidden-placeholder"].items == 1
    # Placed by its MM-DD alone, the month-day column's newest item would look less than a year old.
    month_day = cols["month-day-dated-urls"]
    assert month_day.newest is not None
    assert (today - parse_shown(month_day.newest.strftime("%m-%d"), "%m-%d", today)).days <= LIMITS[OTHER]


def test_manifest_is_json_serialisable(srv: DemoServer) -> None:
    data = json.loads(json.dumps([c.to_json() for c in srv.column_manifest], ensure_ascii=False))
    row = next(r for r in data if r["id"] == "plan-stale")
    assert row["kind"] == "stale_column" and row["category"] == "personnel" and row["parent"] == "政务公开"
    assert dt.date.fromisoformat(row["newest"]) == TODAY - dt.timedelta(days=400)
    assert next(r for r in data if r["id"] == "undated")["newest"] is None
    assert next(r for r in data if r["id"] == "iframe-empty")["layout"] == "iframe"


def test_link_manifest_is_unchanged(srv: DemoServer) -> None:
    assert len(srv.manifest) == 21
    assert {d.id for d in srv.manifest} == LINK_IDS
    assert len(srv.portal.controls) == 8
    assert [d for d in srv.manifest if d.kind is FindingKind.UNAVAILABLE_LINK] == [
        d for d in srv.manifest if d.id.startswith("placeholder-")
    ]


# --- TRS list pages -----------------------------------------------------------------------------


def _trs(srv: DemoServer) -> list[PlantedColumn]:
    """The columns on TRS WCM list pages (rows and createPageHTML(n, i, …) plus plain pager links)."""
    return [c for c in srv.column_manifest if c.layout == "trs"]


def row_dates(shown: list[tuple[str, str, str]], fmt: str, today: dt.date) -> list[dt.date]:
    """The rows' dates: as shown, or, where the row shows no year, the full date its URL carries."""
    out = []
    for href, _, label in shown:
        in_url = re.search(r"/t(\d{8})_\d+\.html$", href)
        if "%Y" not in fmt and in_url:
            real = dt.datetime.strptime(in_url.group(1), "%Y%m%d").date()
            assert label == real.strftime(fmt), (href, label)
            out.append(real)
        else:
            out.append(parse_shown(label, fmt, today))
    return out


def test_trs_columns_show_their_items_and_newest_date(srv: DemoServer, client: httpx2.Client) -> None:
    for c in _trs(srv):
        _, _, fmt = CASES[c.id]
        first = client.get(c.url)
        assert first.status_code == 200, c.id
        text = decode(first)
        pager = re.search(r'createPageHTML\((\d+), 0, "index", "html"\);', text)
        assert pager is not None, c.id
        n_pages = int(pager.group(1))
        shown: list[tuple[str, str, str]] = []
        for k in range(n_pages):
            url = c.url if k == 0 else c.url.replace("index.html", f"index_{k}.html")
            page = client.get(url)
            assert page.status_code == 200, url
            page_text = decode(page)
            shown += rows(page_text)
            if k == n_pages - 1:
                assert f'<a href="index_{n_pages}.html"' not in page_text
        assert len(shown) == c.items, c.id
        if fmt:
            dates = row_dates(shown, fmt, TODAY)
            assert c.newest is not None and max(dates) == c.newest, c.id
            assert c.newest.strftime(fmt) in text, c.id  # the newest item is on the first page
        else:
            assert all(d == "" for _, _, d in shown), c.id
        for href, _, _ in shown[:3]:
            assert client.get(first.url.join(href)).status_code == 200, (c.id, href)


def test_large_portal_columns_span_many_list_pages() -> None:
    portal = Portal(pages=700, seed=3, today=TODAY)
    multi = 0
    for c in portal.column_manifest:
        if c.layout != "trs":
            continue
        _, _, fmt = CASES[c.id]
        path = urlsplit(c.url).path
        first = portal.get(path).body.decode("gbk" if c.id == "policy-fresh-gbk" else "utf-8")
        pager = re.search(r'createPageHTML\((\d+), 0, "index", "html"\);', first)
        assert pager is not None, c.id
        n_pages = int(pager.group(1))
        multi += n_pages > 1
        shown = []
        for k in range(n_pages):
            page = portal.get(path if k == 0 else path.replace("index.html", f"index_{k}.html"))
            assert page.status == 200, (c.id, k)
            shown += rows(page.body.decode("gbk" if c.id == "policy-fresh-gbk" else "utf-8"))
        assert portal.get(path.replace("index.html", f"index_{n_pages}.html")).status == 404
        assert len(shown) == c.items, c.id
        if fmt:
            assert max(row_dates(shown, fmt, TODAY)) == c.newest, c.id
    assert multi >= 8


def test_column_pages_name_their_column(srv: DemoServer, client: httpx2.Client) -> None:
    arrow = '<img src="/images/arrow.gif" alt="" border="0">'
    for c in srv.column_manifest:
        if c.layout in ("hanweb", "topic"):
            continue
        text = decode(client.get(c.url))
        meta = f'<meta name="ColumnName" content="{c.name}">'
        if c.id in NO_NAME_META:
            assert 'name="ColumnName"' not in text, c.id
        else:
            assert meta in text, c.id
        assert f"<title>{c.name}" in text, c.id
        if c.parent is None:
            continue
        crumb = re.search(r'<div class="position">(.*?)</div>', text)
        assert crumb is not None
        if c.id == "crumb-image-separators":
            # Separators are images, not text; the column is the last crumb, a link like the others.
            path = c.url[len(srv.base_url) - 1 :]
            assert crumb.group(1) == (
                f'当前位置：<a href="/">首页</a>{arrow}<a href="/zwgk/index.html">{c.parent}</a>{arrow}'
                f'<a href="{path}">{c.name}</a>'
            )
            assert "&gt;" not in crumb.group(1) and ">" not in re.sub(r"<[^>]+>", "", crumb.group(1))
            continue
        assert crumb.group(1).startswith('当前位置：<a href="/">首页</a> &gt; <a href="/'), c.id
        assert f'>{c.parent}</a> &gt; <span class="CurrChnlCls">{c.name}</span>' in crumb.group(1), c.id
    gif = client.get(srv.base_url + "images/arrow.gif")
    assert gif.status_code == 200 and gif.headers["content-type"] == "image/gif"


def test_every_article_of_every_column_is_served(srv: DemoServer) -> None:
    portal = srv.portal
    article = re.compile(r"/t\d{8}_\d+\.html$|/content/post_\d+\.html$|/art/\d{4}/")
    articles = [u for u in portal.page_urls if article.search(u)]
    assert len(articles) > 150
    for url in articles:
        parts = urlsplit(url)
        assert portal.get(parts.path, parts.query).status == 200, url


def test_empty_columns(srv: DemoServer, client: httpx2.Client) -> None:
    cols = by_id(srv.column_manifest)
    with_text = decode(client.get(cols["empty-placeholder"].url))
    assert '<div class="list"><ul>\n</ul><p class="no-data">暂无信息</p></div>' in with_text
    bare = decode(client.get(cols["empty-bare"].url))
    assert '<div class="list"><ul>\n</ul></div>' in bare
    assert not any(p in list_area(bare) for p in PLACEHOLDERS)
    for text in (with_text, bare):
        assert 'createPageHTML(1, 0, "index", "html");' in text
        assert rows(text) == []


def test_pinned_old_first_row(srv: DemoServer, client: httpx2.Client) -> None:
    col = by_id(srv.column_manifest)["pinned-old-first"]
    shown = rows(decode(client.get(col.url)))
    first, second = shown[0], shown[1]
    assert first[1].startswith("【置顶】")
    pinned = dt.date.fromisoformat(first[2])
    assert (TODAY - pinned).days > 3 * 365 - 30
    assert dt.date.fromisoformat(second[2]) == col.newest
    assert all(not text.startswith("【置顶】") for _, text, _ in shown[1:])


def test_column_type_meta_decides_the_category(srv: DemoServer, client: httpx2.Client) -> None:
    col = by_id(srv.column_manifest)["column-type-meta"]
    text = decode(client.get(col.url))
    assert '<meta name="ColumnType" content="动态要闻">' in text
    assert col.name == "工作交流" and not any(w in col.name for w in ("动态", "要闻", "新闻"))


def test_undated_column_has_no_date_anywhere(srv: DemoServer, client: httpx2.Client) -> None:
    col = by_id(srv.column_manifest)["undated"]
    text = decode(client.get(col.url))
    shown = rows(text)
    assert len(shown) == col.items >= 5
    assert not DATEISH.search(list_area(text))
    for href, title, _ in shown:
        assert re.fullmatch(r"\./content/post_\d+\.html", href)
        assert title.endswith("办事指南")
        page = decode(client.get(urlsplit(col.url)._replace(path="/bsfw/bszn/" + href[2:]).geturl()))
        assert "PubDate" not in page and "发布时间" not in page
        body = page[page.index('<div class="article">') : page.index('<div class="footer">')]
        assert not DATEISH.search(body), href


def test_annual_report_and_historical_topic(srv: DemoServer, client: httpx2.Client) -> None:
    cols = by_id(srv.column_manifest)
    report = decode(client.get(cols["annual-report"].url))
    assert "政府信息公开工作年度报告" in report
    assert newest_report_day(TODAY).strftime("%Y年%m月%d日") in report
    topic = decode(client.get(cols["topic-historical"].url))
    assert '<meta name="ColumnType" content="专题">' in topic
    assert ">专题专栏</a> &gt; <span" in topic
    # reached from the home page and from the 专题专栏 column
    assert 'href="/ztzl/dsxxjy/index.html"' in decode(client.get(srv.base_url))
    assert 'href="/ztzl/dsxxjy/index.html"' in decode(client.get(cols["topic-fresh"].url))


# --- the year-less column across 1 January ------------------------------------------------------


def test_yearless_column_across_new_year(client: httpx2.Client) -> None:
    with DemoServer(pages=150, seed=7, today=NEW_YEAR) as server:
        col = by_id(server.column_manifest)["yearless-boundary"]
        assert col.newest == dt.date(2026, 1, 5) and col.kind is None
        text = decode(client.get(col.url))
        area = list_area(text)
        assert not re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", area)  # no year anywhere in the list
        shown = rows(text)
        assert len(shown) == col.items
        assert shown[0][2] == "[01-05]"
        assert any(d.startswith("[12-") for _, _, d in shown)
        for href, _, label in shown:
            assert re.fullmatch(r"\./content/post_\d+\.html", href)  # no date in the URL either
            article = decode(client.get(col.url.replace("index.html", href[2:])))
            m = re.search(r'<meta name="PubDate" content="(\d{4}-\d{2}-\d{2})', article)
            assert m is not None
            real = dt.date.fromisoformat(m.group(1))
            assert parse_shown(label, "[%m-%d]", NEW_YEAR) == real
            assert 3 <= (NEW_YEAR - real).days <= 120
        years = {parse_shown(d, "[%m-%d]", NEW_YEAR).year for _, _, d in shown}
        assert years == {2025, 2026}


# --- Hanweb jpage columns and the dataproxy ---------------------------------------------------


def _form(text: str) -> dict[str, str]:
    """The jpage ajaxParam of a Hanweb column page, as a browser would POST it."""
    m = re.search(r"ajaxParam:\{(.*?)\}", text)
    assert m is not None
    pairs = dict(re.findall(r"(\w+):'?([^,']*)'?", m.group(1)))
    assert set(pairs) == {
        "col",
        "appid",
        "webid",
        "path",
        "columnid",
        "sourceContentType",
        "unitid",
        "webname",
        "permissiontype",
    }
    return pairs


def test_hanweb_column_page(srv: DemoServer, client: httpx2.Client) -> None:
    col = by_id(srv.column_manifest)["hanweb-fresh"]
    assert re.search(r"/col/col\d+/index\.html$", col.url)
    text = decode(client.get(col.url))
    assert '<meta name="Generator" content="大汉版通">' in text
    for script in re.findall(r'<script type="text/javascript" src="([^"]+)"', text):
        resp = client.get(srv.base_url + script.lstrip("/"))
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/javascript"
    assert 'src="/module/jslib/jquery/jquery.js"' in text
    store = re.search(
        r'<div id="(\d+)"><script type="text/xml"><datastore>(.*?)</datastore></script></div>', text, re.S
    )
    assert store is not None
    assert f"unitid:{store.group(1)}" in text
    assert "totalRecord:45" in text
    embedded = records(store.group(2))
    assert len(embedded) == 15
    assert col.newest is not None and embedded[0][1] == col.newest.isoformat()
    for href, shown in embedded:
        y, m, d = (int(n) for n in re.findall(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/", href)[0])
        assert dt.date(y, m, d).isoformat() == shown
    # No article link outside the script: a crawler that only parses HTML sees none of them here.
    outside = text.replace(store.group(0), "")
    assert "/art/" not in outside
    nextgroup = re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"></a>\]\]></nextgroup>', store.group(2))
    assert nextgroup is not None and nextgroup.group(1).startswith("/module/web/jpage/dataproxy.jsp?page=1&")
    resp = client.get(srv.base_url + nextgroup.group(1).lstrip("/"))
    assert resp.status_code == 200 and resp.headers["content-type"] == "text/xml; charset=utf-8"
    assert len(records(resp.text)) == 15


def test_dataproxy_post_and_get(srv: DemoServer, client: httpx2.Client) -> None:
    col = by_id(srv.column_manifest)["hanweb-fresh"]
    form = _form(decode(client.get(col.url)))
    endpoint = srv.base_url + "module/web/jpage/dataproxy.jsp"
    seen: list[tuple[str, str]] = []
    for start, end in ((16, 30), (31, 45)):
        query = {"startrecord": start, "endrecord": end, "perpage": 15}
        post = client.post(endpoint, params=query, data=form)
        assert post.status_code == 200 and post.headers["content-type"] == "text/xml; charset=utf-8"
        xml = post.text
        assert "<totalrecord>45</totalrecord>" in xml and "<totalpage>3</totalpage>" in xml
        got = records(xml)
        assert len(got) == 15
        get = client.get(endpoint + "?" + urlencode({**query, **form}))
        assert get.status_code == 200 and get.text == xml
        seen += got
    everything = records(
        client.post(endpoint, params={"startrecord": 1, "endrecord": 5000, "perpage": 5000}, data=form).text
    )
    assert len(everything) == 45 == col.items
    assert everything[15:] == seen
    dates = [d for _, d in everything]
    assert dates == sorted(dates, reverse=True)
    assert col.newest is not None and dates[0] == col.newest.isoformat()
    assert len({href for href, _ in everything}) == 45
    for href, _ in everything:
        assert client.get(srv.base_url + href.lstrip("/")).status_code == 200, href
    # past the end: nothing, but still the totals
    tail = client.post(endpoint, params={"startrecord": 46, "endrecord": 60, "perpage": 15}, data=form).text
    assert "<totalrecord>45</totalrecord>" in tail and records(tail) == []
    # the part that overlaps the end
    part = client.post(endpoint, params={"startrecord": 41, "endrecord": 60, "perpage": 15}, data=form).text
    assert records(part) == everything[40:]


def test_hanweb_empty_column(srv: DemoServer, client: httpx2.Client) -> None:
    col = by_id(srv.column_manifest)["hanweb-empty"]
    text = decode(client.get(col.url))
    assert '<meta name="Generator" content="大汉版通">' in text
    assert "<totalrecord>0</totalrecord>" in text and "<recordset>\n</recordset>" in text
    assert "totalRecord:0" in text
    form = _form(text)
    xml = client.post(
        srv.base_url + "module/web/jpage/dataproxy.jsp",
        params={"startrecord": 1, "endrecord": 45, "perpage": 15},
        data=form,
    ).text
    assert "<totalrecord>0</totalrecord>" in xml and records(xml) == []


def test_post_elsewhere_and_hits(srv: DemoServer, client: httpx2.Client) -> None:
    resp = client.post(srv.base_url + "gzdt/index.html", data={"a": "1"})
    assert resp.status_code == 405 and resp.headers["allow"] == "GET, HEAD"
    assert client.post(srv.base_url + "no/such.html", data={"a": "1"}).status_code == 404
    assert client.post(srv.external_base_url + "gov/index.html", data={"a": "1"}).status_code == 405
    before = srv.hits("/module/web/jpage/dataproxy.jsp")
    client.post(srv.base_url + "module/web/jpage/dataproxy.jsp", data={"columnid": "1"})
    assert srv.hits("/module/web/jpage/dataproxy.jsp") == before + 1
    # the connection is still usable after a POST (its body was read)
    assert client.get(srv.base_url).status_code == 200


# --- home page and the column tree --------------------------------------------------------------


def test_home_page_is_fresh(srv: DemoServer, client: httpx2.Client) -> None:
    text = decode(client.get(srv.base_url))
    dates = []
    # Rows titled by a link, or by a span that opens the article from its onclick.
    row = r'<li>(?:<a href="[^"]+"[^>]*>[^<]*</a>|<span [^>]*onclick="[^"]+"[^>]*>[^<]*</span>)<span>([^<]+)</span></li>'
    for shown in re.findall(row, text):
        fmt = "[%m-%d]" if shown.startswith("[") else "%Y-%m-%d"
        dates.append(parse_shown(shown, fmt, TODAY))
    recent = sum(1 for d in dates if 0 <= (TODAY - d).days < 14)  # today and the 13 days before
    assert recent == srv.portal.home_items_14d >= 10


def test_parents_list_their_columns_and_nothing_else(srv: DemoServer, client: httpx2.Client) -> None:
    parents = {"新闻中心": "xwzx/index.html", "政务公开": "zwgk/index.html", "办事服务": "bsfw/index.html"}
    assert set(srv.portal.parent_pages) == {srv.base_url + p for p in parents.values()}
    for name, path in parents.items():
        text = decode(client.get(srv.base_url + path))
        main = text[text.index('<div class="main">') : text.index('<div class="footer">')]
        assert not DATEISH.search(main), name
        children = [c for c in srv.column_manifest if c.parent == name]
        assert children
        for c in children:
            link = f'<a href="/{c.url[len(srv.base_url) :]}">{c.name}</a>'
            # 机构设置 is linked from the home page's document.write only.
            assert (link in main) == (c.id != "document-write-only"), (name, c.id)
    # every parent is in the header navigation of every page
    nav = re.search(
        r'<div class="nav" id="nav">(.*?)</div>', decode(client.get(srv.base_url + "gzdt/index.html"))
    )
    assert nav is not None
    for name, path in parents.items():
        assert f'<a href="/{path}">{name}</a>' in nav.group(1)


def test_every_column_is_reachable_by_ordinary_links() -> None:
    portal = Portal(pages=150, seed=7, today=TODAY)
    pages = portal.page_urls
    for c in portal.column_manifest:
        assert c.url in pages, c.id
    hanweb = [u for u in pages if "/art/" in u]
    assert len(hanweb) == 45


# --- sizes ---------------------------------------------------------------------------------------


def test_sizes_keep_the_same_columns() -> None:
    kinds = {}
    # The fixed-size planted columns (about 120 pages) dominate the smallest portal.
    for pages, low, high in ((150, 150, 300), (5000, 4500, 5500)):
        portal = Portal(pages=pages, seed=7, today=TODAY)
        assert low <= len(portal.page_urls) <= high, (pages, len(portal.page_urls))
        kinds[pages] = [(c.id, c.kind) for c in portal.column_manifest]
        big = by_id(portal.column_manifest)
        if pages == 5000:
            assert big["dynamic-fresh"].items > 1000 and big["plan-stale"].items > 100
    assert kinds[150] == kinds[5000]


def test_command_line_writes_the_column_manifest(tmp_path: Path) -> None:
    out = tmp_path / "columns.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitecheck.demo.server",
            "--pages",
            "60",
            "--today",
            "2025-06-01",
            "--column-manifest",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("demo portal:")
        data = json.loads(out.read_text("utf-8"))
        assert {row["id"] for row in data} == set(CASES)
        assert unquote(next(r["url"] for r in data if r["id"] == "topic-page")).endswith(
            "/zt/营商环境/index.html"
        )
    finally:
        proc.terminate()
        proc.wait(5)


# --- columns whose list is not where a plain reading of the page finds it ---------------------


def _path(srv: DemoServer, url: str) -> str:
    return "/" + url[len(srv.base_url) :]


def _main(text: str) -> str:
    """The page between the header navigation and the footer."""
    return text[text.index('<div class="position">') : text.index('<div class="footer">')]


def test_iframe_columns(srv: DemoServer, client: httpx2.Client) -> None:
    cols = by_id(srv.column_manifest)
    for cid in ("iframe-empty", "iframe-fresh"):
        c = cols[cid]
        text = decode(client.get(c.url))
        main = _main(text)
        framed = c.url.replace("index.html", "content.html")
        assert f"<h2>{c.name}</h2>" in main, cid
        assert f'<iframe src="{_path(srv, framed)}"' in main, cid
        assert "<li>" not in main and not DATEISH.search(main), cid  # the list is in the frame only
        inner = client.get(framed)
        assert inner.status_code == 200 and inner.headers["content-type"] == "text/html; charset=utf-8"
        doc = decode(inner)
        shown = re.findall(r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>([^<]+)</span></li>', doc)
        assert len(shown) == c.items, cid
        if c.kind is EMPTY:
            assert "<body></body>" in doc and "<li>" not in doc
            continue
        assert c.newest is not None and max(dt.date.fromisoformat(d) for _, d in shown) == c.newest
        for href, _ in shown:
            assert client.get(inner.url.join(href)).status_code == 200, href


def test_empty_list_block(srv: DemoServer, client: httpx2.Client) -> None:
    c = by_id(srv.column_manifest)["empty-list-block"]
    main = _main(decode(client.get(c.url)))
    block = re.search(r'<div class="list-box">(.*)</div>', main, re.S)
    assert block is not None
    assert f'<div class="list-title"><h2>{c.name}</h2></div>' in block.group(1)
    assert '<ul class="news-list">\n</ul>' in block.group(1) and "<li" not in block.group(1)
    pager = re.search(r'<div class="pagination">(.*?)</div>', block.group(1))
    assert pager is not None
    words = re.sub(r"<[^>]+>", "", pager.group(1)).split()
    assert words == ["共1页", "首页", "上一页", "下一页", "尾页"]
    assert "条" not in main and not any(p in main for p in PLACEHOLDERS) and not DATEISH.search(main)


def test_single_content_columns(srv: DemoServer, client: httpx2.Client) -> None:
    cols = by_id(srv.column_manifest)
    for cid in ("single-empty", "single-content"):
        c = cols[cid]
        main = _main(decode(client.get(c.url)))
        assert f"<h1>{c.name}</h1>" in main, cid
        body = re.search(r'<div class="TRS_Editor" id="zoom">(.*?)</div>', main, re.S)
        assert body is not None, cid
        text = re.sub(r"<[^>]+>", "", body.group(1)).replace("&nbsp;", "").strip()
        assert "<a " not in main.split("</div>", 1)[1] and not DATEISH.search(main), cid
        if c.kind is EMPTY:
            assert text == "" and "&nbsp;" in body.group(1)
        else:
            assert len(text) >= 200 and c.items == 1


def test_hidden_placeholder_with_one_item(srv: DemoServer, client: httpx2.Client) -> None:
    c = by_id(srv.column_manifest)["hidden-placeholder"]
    text = decode(client.get(c.url))
    assert '</ul><div class="no-data" style="display:none">暂无数据</div></div>' in text
    shown = rows(text)
    assert len(shown) == c.items == 1
    assert c.newest is not None and shown[0][2] == c.newest.isoformat()
    assert 1 <= (TODAY - c.newest).days <= 10
    assert client.get(c.url.replace("index.html", shown[0][0][2:])).status_code == 200


def test_month_day_rows_with_dated_urls(srv: DemoServer, client: httpx2.Client) -> None:
    c = by_id(srv.column_manifest)["month-day-dated-urls"]
    text = decode(client.get(c.url))
    shown = rows(text)
    assert len(shown) == c.items >= 5
    assert all(re.fullmatch(r"\d{2}-\d{2}", d) for _, _, d in shown)
    assert not re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", re.sub(r'href="[^"]+"', "", list_area(text)))
    real = row_dates(shown, "%m-%d", TODAY)  # from ./YYYYMM/tYYYYMMDD_id.html
    assert max(real) == c.newest == TODAY - dt.timedelta(days=730)
    for href, _, _ in shown[:2]:
        article = decode(client.get(c.url.replace("index.html", href[2:])))
        day = re.search(r"/t(\d{4})(\d{2})(\d{2})_", href)
        assert day is not None and f'<meta name="PubDate" content="{"-".join(day.groups())} ' in article


def _home(srv: DemoServer, client: httpx2.Client) -> str:
    return decode(client.get(srv.base_url))


def test_hidden_tab_on_the_home_page(srv: DemoServer, client: httpx2.Client) -> None:
    c = by_id(srv.column_manifest)["hidden-tab"]
    home = _home(srv, client)
    tabs = re.search(r'<div class="tab-hd">(.*?)</div>', home)
    assert tabs is not None
    assert re.sub(r"<[^>]+>", " ", tabs.group(1)).split() == ["通知公告", "招标公告", "更多&gt;&gt;"]
    pane = re.search(r'<ul class="list" id="con_two_2" style="display:none">(.*?)</ul>', home, re.S)
    assert pane is not None
    items = re.findall(
        r'<li><a href="(/zbgg/[^"]+)"[^>]*>[^<]*</a><span>(\d{4}-\d{2}-\d{2})</span></li>', pane.group(1)
    )
    assert len(items) == 6
    assert items[0][1] == (c.newest.isoformat() if c.newest else "")
    assert sum(1 for _, d in items if (TODAY - dt.date.fromisoformat(d)).days < 14) >= 3
    for href, _ in items:
        assert client.get(srv.base_url + href.lstrip("/")).status_code == 200, href
    # The first pane is shown; the script that switches them sits in the shared common.js.
    assert '<ul class="list" id="con_two_1">' in home
    assert "style.display" in client.get(srv.base_url + "js/common.js").text


def test_onclick_item_on_the_home_page(srv: DemoServer, client: httpx2.Client) -> None:
    home = _home(srv, client)
    (item,) = re.findall(
        r"""<li><span class="tit" onclick="window.open\('([^']+)'\)"[^>]*>([^<]+)</span><span>([^<]+)</span></li>""",
        home,
    )
    href, title, shown = item
    newest = by_id(srv.column_manifest)["notice-fresh"].newest
    assert href.startswith("/tzgg/") and shown == (newest.isoformat() if newest else "")
    assert (TODAY - dt.date.fromisoformat(shown)).days < 14
    assert f'href="{href}"' not in home  # no anchor leads there from the home page
    article = client.get(srv.base_url + href.lstrip("/"))
    assert article.status_code == 200 and title.rstrip("…") in decode(article)


def test_column_linked_only_by_document_write(srv: DemoServer, client: httpx2.Client) -> None:
    c = by_id(srv.column_manifest)["document-write-only"]
    path = _path(srv, c.url)
    home = _home(srv, client)
    script = f"""<script type="text/javascript">document.write('<li><a href="{path}">{c.name}<\\/a><\\/li>');</script>"""
    assert script in home
    assert path not in home.replace(script, "")
    slug = path.split("/")[1]
    elsewhere = ["sitemap.xml", "zwgk/index.html", "xwzx/index.html", "bsfw/index.html", "gzdt/index.html"]
    for page in elsewhere:
        assert f"/{slug}/" not in client.get(srv.base_url + page).text, page
    shown = rows(decode(client.get(c.url)))
    assert len(shown) == c.items >= 3
    assert c.newest is not None and max(dt.date.fromisoformat(d) for _, _, d in shown) == c.newest
    for href, _, _ in shown:
        assert client.get(c.url.replace("index.html", href[2:])).status_code == 200, href


def test_cdata_record_with_a_missing_image(srv: DemoServer, client: httpx2.Client) -> None:
    d = next(d for d in srv.manifest if d.id == "dead-cdata-image")
    col = by_id(srv.column_manifest)["hanweb-fresh"]
    assert d.referrer == col.url and (d.element, d.attribute) == ("img", "src")
    text = decode(client.get(col.url))
    record = f'<record><![CDATA[<li><img src="{d.raw}" alt="{d.text}" class="list-pic"><a href="'
    assert record in text
    assert f'src="{d.raw}"' not in re.sub(r"<!\[CDATA\[.*?\]\]>", "", text, flags=re.S)  # only in the CDATA
    assert len(records(text)) == 15  # still an ordinary record of the column
    form = _form(text)
    xml = client.post(
        srv.base_url + "module/web/jpage/dataproxy.jsp", params={"startrecord": 1, "endrecord": 15}, data=form
    ).text
    assert record in xml
    assert client.get(d.url).status_code == 404 and client.head(d.url).status_code == 404


def test_home_page_alias_in_the_navigation(srv: DemoServer, client: httpx2.Client) -> None:
    for page in ("", "index.html", "gzdt/index.html", "zcwd/index.html"):
        text = decode(client.get(srv.base_url + page))
        nav = re.search(r'<div class="nav" id="nav"><ul><li><a href="([^"]+)">首页</a>', text)
        assert nav is not None and nav.group(1) == "/index.html", page
    assert client.get(srv.base_url + "index.html").content == client.get(srv.base_url).content
    # the logo and the breadcrumbs still say "/": the crawl meets the home page under both URLs
    assert '当前位置：<a href="/">首页</a>' in decode(client.get(srv.base_url + "gzdt/index.html"))
    assert srv.base_url + "index.html" in srv.portal.page_urls and srv.base_url in srv.portal.page_urls


def test_hanyun_pager_on_a_gbk_list(srv: DemoServer, client: httpx2.Client) -> None:
    c = by_id(srv.column_manifest)["hanyun-pager-gbk"]
    dead = next(d for d in srv.manifest if d.id == "dead-hanyun-list-row")
    shown: list[tuple[str, str, str]] = []
    for k in range(3):
        url = c.url if k == 0 else c.url.replace("index.html", f"index_{k}.html")
        resp = client.get(url)
        assert resp.status_code == 200 and resp.headers["content-type"] == "text/html; charset=gbk", url
        with pytest.raises(UnicodeDecodeError):
            resp.content.decode("utf-8")
        text = resp.content.decode("gbk")
        assert '<meta charset="gbk">' in text
        assert '<div class="page" id="page_div"></div>' in text
        assert f'createPageHTML("page_div", 3, {k}, "index", "html", {c.items});' in text
        assert not re.search(r'href="index(?:_\d+)?\.html"', text), url  # no plain pager links
        page_rows = rows(text)
        assert len(page_rows) == (10 if k < 2 else 5), url
        shown += page_rows
        if k == 2:
            assert (
                dead.referrer == url
                and f'<a href="{dead.raw}" title="{dead.text}" target="_blank">{dead.text}</a>' in text
            )
    assert client.get(c.url.replace("index.html", "index_3.html")).status_code == 404
    assert len(shown) == c.items == 25
    dates = [dt.date.fromisoformat(d) for _, _, d in shown]
    assert dates == sorted(dates, reverse=True) and dates[0] == c.newest
    assert shown[-1][0] == dead.raw and client.get(dead.url).status_code == 404
    for href, _, _ in shown[:-1]:
        assert client.get(c.url.replace("index.html", href[2:])).status_code == 200, href
    script = client.get(srv.base_url + "js/page.js")
    assert script.status_code == 200
    assert (
        "function createPageHTML(elementId, _nPageCount, _nCurrIndex, _sPageName, _sPageExt," in script.text
    )
