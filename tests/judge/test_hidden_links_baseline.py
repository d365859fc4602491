"""暗链 against the site's baseline (issue 16): a harmless hidden off-site link that was already
linked in an earlier run stays quiet; one that appears hidden since then is 待核实; one added to a
tab of links (a widget) is ordinary work; a risky word is a veto on any run, the first included.

A real loopback server answers the home page differently on each run (ScriptedServer replies in
turn). The off-site hosts are loopback addresses nothing listens on: no traffic leaves the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.models import FindingKind

_OLD = "http://127.0.0.3:9/partner.html"
_NEW = "http://127.0.0.3:9/new-partner.html"
_TAB_NEW = "http://127.0.0.4:9/city.html"
_RISKY = "http://127.0.0.5:9/x.html"


def _home(*hidden: str, tab: str = "", risky: bool = False) -> Reply:
    links = "".join(f'<a href="{url}">合作单位</a>' for url in hidden)
    tabs = (
        '<div class="yqlj"><div class="pane" style="display:block"><a href="http://127.0.0.4:9/">省政府</a></div>'
        f'<div class="pane" style="display:none">{tab}</div></div>'
    )
    bad = f'<a href="{_RISKY}" style="display:none">葡京娱乐</a>' if risky else ""
    body = (
        "<html><head><title>某市人民政府</title></head><body><h1>首页</h1>"
        f'<div style="display:none">{links}</div>{tabs}{bad}</body></html>'
    )
    return Reply(body=body.encode())


def _hidden(path: Path) -> list[dict[str, str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [f for f in doc["findings"] if f["kind"] == FindingKind.HIDDEN_LINK.value]


def test_new_hidden_link_since_the_baseline_is_to_verify(tmp_path: Path) -> None:
    first = _home(_OLD, risky=True)
    second = _home(_OLD, _NEW, tab=f'<a href="{_TAB_NEW}">市政府</a>', risky=True)
    with ScriptedServer({"/": [first, second]}) as site:
        config = fast_config(site.base_url + "/", tmp_path / "data", timeout=0.5, retries=0)
        run_audit(config, json_path=tmp_path / "1.json", handle_signals=False)
        run_audit(config, json_path=tmp_path / "2.json", handle_signals=False)
    one = _hidden(tmp_path / "1.json")
    # First run: no baseline; the lone harmless link is quiet, the risky one is a veto.
    assert [(f["severity"], f["detail"].split("站外链接 ", 1)[1].startswith(_RISKY)) for f in one] == [
        ("veto", True)
    ]
    two = _hidden(tmp_path / "2.json")
    by_link = {f["detail"].split("站外链接 ", 1)[1].split("（", 1)[0]: f for f in two}
    assert set(by_link) == {_NEW, _RISKY}
    assert by_link[_NEW]["severity"] == "warning"
    assert "新出现" in by_link[_NEW]["detail"] and "待核实" in by_link[_NEW]["detail"]
    assert by_link[_RISKY]["state"] == "still_open"
