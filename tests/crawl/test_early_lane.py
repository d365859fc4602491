"""The early lane (crawl/engine.py): a link that may hang is requested when it is found, not
when the breadth-first queue reaches it, so its timeout runs beside the rest of the crawl."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.urls import is_dynamic

PAGES = 120


def _page(links: list[str]) -> bytes:
    anchors = "".join(f"<li><a href='{href}'>{href}</a></li>" for href in links)
    return f"<html><head><title>页</title></head><body><ul>{anchors}</ul></body></html>".encode()


def _routes(hanging: str, delay: float) -> dict[str, list[Reply]]:
    # The home page names PAGES static pages, then (last in document order, so last in the
    # breadth-first queue) a query endpoint that answers only after the crawl's timeout.
    routes = {"/": [Reply(body=_page([*(f"/a/{n}.html" for n in range(PAGES)), hanging]))]}
    routes |= {f"/a/{n}.html": [Reply(body=_page([]), delay=0.01)] for n in range(PAGES)}
    routes[hanging.split("?")[0]] = [Reply(body=_page([]), delay=delay)]
    return routes


@pytest.mark.parametrize("hanging", ["/search/query.jsp?q=1", "/files/report.pdf"])
def test_a_link_that_may_hang_is_requested_as_soon_as_it_is_found(tmp_path: Path, hanging: str) -> None:
    with ScriptedServer(_routes(hanging, delay=3.0)) as portal:
        config = fast_config(portal.base_url + "/", tmp_path / "data", timeout=1.5, retries=0)
        config = config.replace("politeness", concurrency=2, per_host_concurrency=2, adaptive=False)
        config = config.replace("site", use_sitemap=False)
        run_audit(config, handle_signals=False)
        order = [hit.path for hit in portal.hits if hit.path not in ("/robots.txt", "/")]
        position = order.index(hanging.split("?")[0])
    # Breadth-first alone would ask for it after the 120 pages queued before it; asked first,
    # its timeout runs beside them (how much time that saves is measured in bench/).
    assert position < 10, position


def test_what_counts_as_a_server_side_program() -> None:
    assert is_dynamic("http://gov.cn/search/query.jsp")
    assert is_dynamic("http://gov.cn/col/col123/index.html?uid=7&pageNum=2")
    assert is_dynamic("http://gov.cn/interface/getList.do")
    assert not is_dynamic("http://gov.cn/gzdt/202612/t20261203_1.html")
    assert not is_dynamic("http://gov.cn/zwgk/")
