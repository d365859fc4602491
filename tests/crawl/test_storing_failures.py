"""A bug while storing one page (crawl/engine.py, ``_write``): that page's facts are undone, and
nothing else is lost with them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.crawl.engine import Crawler


def _page(*links: str) -> bytes:
    anchors = "".join(f"<a href='{href}'>{href}</a>" for href in links)
    return f"<html><head><title>页</title></head><body>{anchors}</body></html>".encode()


def test_a_link_first_found_on_a_page_that_failed_to_store_is_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /a.html and /b.html both link /x.html; /a.html is stored first and its storing fails
    # after its links have added /x.html, so /x.html's row is undone with the rest of /a.html's
    # facts. When /b.html is stored, its link must add /x.html again: an id remembered from the
    # undone row would point at nothing, and /x.html would never be checked, without a word.
    routes = {
        "/": [Reply(body=_page("/a.html", "/b.html"))],
        "/a.html": [Reply(body=_page("/x.html"))],
        "/b.html": [Reply(body=_page("/x.html"), delay=0.6)],  # written in a later batch
        "/x.html": [Reply(body=_page())],
    }
    original = Crawler._save_document

    def failing(self: Crawler, page_id: int, depth: int, result: Any, analysis: Any, **kwargs: Any) -> None:
        original(self, page_id, depth, result, analysis, **kwargs)
        if result.url.endswith("/a.html"):
            raise RuntimeError("a bug while storing /a.html")

    monkeypatch.setattr(Crawler, "_save_document", failing)
    with ScriptedServer(routes) as portal:
        config = fast_config(portal.base_url + "/", tmp_path / "data", retries=0)
        config = config.replace("politeness", concurrency=2, per_host_concurrency=2, adaptive=False)
        config = config.replace("site", use_sitemap=False)
        result = run_audit(config, handle_signals=False)
        fetched = portal.count("/x.html")
    assert result.incomplete and "/a.html" in result.incomplete  # the run says what it lost
    assert fetched == 1
    db = sqlite3.connect(tmp_path / "data" / "sitecheck.sqlite3")
    try:
        dangling = db.execute(
            "SELECT COUNT(*) FROM links l LEFT JOIN targets t ON t.id = l.target_id"
            " WHERE l.target_id IS NOT NULL AND t.id IS NULL"
        ).fetchone()[0]
        x_state = db.execute("SELECT state FROM targets WHERE url LIKE '%/x.html'").fetchall()
    finally:
        db.close()
    assert dangling == 0
    assert x_state == [("done",)]
