"""Real government pages (../shared/corpus/real-pages) served on loopback and crawled end to end.

The sample portal is ours; these pages are not. The crawl must survive their markup
(browser-saved DOMs, SPA output, GBK traps, 383 KB pages) and find what a reader would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from conftest import CORPUS, fast_config
from sitecheck.audit import run_audit

# path on our server -> corpus file (paths shaped like the originals, so URL dates and CMS
# patterns look as they did on the real site)
PAGES = {
    "/zwgkn/tzgg/index.html": "blue124qq__stw_gd_cn__zwgkn__tzgg__index.html",
    "/zfwj/jinqixxgk/index.html": "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__list.jsp.html",
    "/xxgk/index.html": "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__index.jsp.html",
    "/art/2016/11/22/art_1621004_30332664.html": "GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1.html",
    "/zfxxgk/t20190918_693227.shtml": "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html",
    "/gongbao/content_5234.htm": "GeneralNewsExtractor__GeneralNewsExtractor__tests__other__1.html",
    "/cggg/t20211011_1485252.html": "Hbjiance__http-www.ccgp-hebei.gov.cn-__中标公告详细页面.html",
    "/art/2016/11/25/art_1220139_3566167.html": "nikan1996__PyScraper__effective_spiders__test_spiders__wzskjj_generic__1.html",
    "/xzcf/ItemDetail.html": "Yuhamixli__nfra.gov.cn__tests__page_source_debug.html",
    "/cggg/zygg/t20210610_16389476.htm": "yuntaozhu__www.ccgp.gov.cn__index.html",
    "/006940212/201807/t20180706_772710.html": "blue124qq__stw_gd_cn__006940212__201807__t20180706_772710.html",
    "/ycsrmzf/index.shtml": "SimonXinw__job__统计局__2015__万载县2015年国民经济和社会发展统计公报_files__stat.php.html",
}


def _index() -> bytes:
    links = "".join(f'<li><a href="{quote(path)}">{name[:40]}</a></li>' for path, name in PAGES.items())
    return f"<html><head><title>corpus</title></head><body><ul>{links}</ul></body></html>".encode()


@pytest.fixture(scope="module")
def corpus_site() -> Iterator[str]:
    if not CORPUS.is_dir():
        pytest.skip(f"real-page corpus not found at {CORPUS}")
    index = _index()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path == "/":
                self._send(200, index, "text/html; charset=utf-8")
            elif path in PAGES:
                self._send(200, (CORPUS / PAGES[path]).read_bytes(), "text/html")
            else:
                # Everything the real pages link to (their assets, other sites' pages) is absent.
                self._send(404, b"<html><title>404</title></html>", "text/html")

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def corpus_doc(corpus_site: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("corpus")
    config = fast_config(corpus_site, tmp / "data").replace("scope", max_depth=1)
    # Only loopback is ever contacted: links to the real sites' hosts are excluded.
    config = config.replace("scope", exclude=(r"^https?://(?!127\.0\.0\.1[:/])",))
    run_audit(config, json_path=tmp / "f.json", handle_signals=False)
    return json.loads((tmp / "f.json").read_text("utf-8"))


def test_every_real_page_is_crawled(corpus_doc: dict[str, Any]) -> None:
    assert corpus_doc["run"]["status"] == "finished"
    # The index and every real page but the WAF error page, which is no page at all.
    assert corpus_doc["summary"]["pages"] == len(PAGES)
    waf = [f for f in corpus_doc["findings"] if f["url"].endswith("/t20180706_772710.html")]
    assert [(f["kind"], f["outcome"]) for f in waf] == [("dead_link_home", "soft_404")]


def test_real_list_pages_are_columns_and_articles_are_not(
    corpus_doc: dict[str, Any], corpus_site: str
) -> None:
    columns = {urlsplit(c["url"]).path: c for c in corpus_doc["columns"]}
    assert "/zwgkn/tzgg/index.html" in columns
    assert columns["/zwgkn/tzgg/index.html"]["items"] == 20
    assert columns["/zwgkn/tzgg/index.html"]["newest"] == "2020-12-01"
    trs = columns["/zfwj/jinqixxgk/index.html"]
    assert trs["newest"] == "2020-08-05" and trs["total_records"] == 6348
    for path in PAGES:
        if "/art/" in path or "/t20" in path or "content_" in path or "ItemDetail" in path:
            assert path not in columns, path


def test_trs_pager_pages_are_followed_but_not_reported_as_dead_links(corpus_doc: dict[str, Any]) -> None:
    dead = [f["url"] for f in corpus_doc["findings"] if f["kind"] in ("dead_link", "dead_link_home")]
    assert not [u for u in dead if "/zfwj/jinqixxgk/index_" in u]
    # The pages' own missing assets on our server are real dead links with a referrer.
    assert dead
