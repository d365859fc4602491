"""暗链 hidden by the site's own style sheet file (issue 16 §1: "the page's own CSS"): the crawl
reads each of the portal's style sheet files once a run and applies its rules to every page that
links it; a file that cannot be read hides nothing (the link stays unjudged, never a guess)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit

CSS = {"Content-Type": "text/css; charset=utf-8"}


def _page(title: str, word: str) -> Reply:
    body = (
        f'<html><head><title>{title}</title><link rel="stylesheet" href="/css/site.css"></head><body>'
        f'<p>正文</p><div class="gg"><a href="http://127.0.0.2:9/{title}">{word}</a></div></body></html>'
    )
    return Reply(200, body.encode())


def _site(css: Reply) -> dict[str, list[Reply]]:
    home = '<html><head><title>首页</title></head><body><a href="/a.html">甲</a><a href="/b.html">乙</a></body></html>'
    return {
        "/": [Reply(200, home.encode())],
        "/a.html": [_page("a", "澳门葡京娱乐城")],
        "/b.html": [_page("b", "皇冠体育在线")],
        "/css/site.css": [css],
    }


def _hidden(tmp_path: Path, css: Reply) -> tuple[ScriptedServer, list[dict[str, str]]]:
    json_path = tmp_path / "f.json"
    with ScriptedServer(_site(css)) as server:
        run_audit(fast_config(server.base_url + "/", tmp_path / "d"), json_path=json_path, handle_signals=False)
    doc = json.loads(json_path.read_text("utf-8"))
    return server, [f for f in doc["findings"] if f["kind"] == "hidden_link"]


def test_a_rule_of_the_sites_style_sheet_hides_links_on_every_page(tmp_path: Path) -> None:
    server, found = _hidden(tmp_path, Reply(200, b".nav{color:#fff}\n.gg{display:none}\n", CSS))
    assert sorted(f["url"].rsplit("/", 1)[1] for f in found) == ["a.html", "b.html"]
    assert all(f["severity"] == "veto" and "外部样式表 /css/site.css 规则 `.gg`" in f["detail"] for f in found)
    assert server.count("/css/site.css", "GET") == 1  # read once for the run, not once a page


def test_a_style_sheet_that_cannot_be_read_hides_nothing(tmp_path: Path) -> None:
    _, found = _hidden(tmp_path, Reply(404, b"<h1>404</h1>"))
    assert found == []
