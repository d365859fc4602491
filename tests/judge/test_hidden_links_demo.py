"""暗链 end to end on the sample portal (issue 16): every planted hidden link is found with its
severity and evidence, no control is, the check can be switched off, a second run compares with
the first (the baseline), and the hostile markup never runs in the HTML checklist."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.demo.integrity_plants import INTEGRITY_PAGES
from sitecheck.models import FindingKind
from sitecheck.urls import canonical

KIND = FindingKind.HIDDEN_LINK.value


def test_every_planted_hidden_link_is_found_and_no_control(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    found = [f for f in doc["findings"] if f["kind"] == KIND]
    expected = [
        (canonical(url), want)
        for plant, url in demo_server.portal.integrity_manifest
        for want in plant.expect
    ]
    assert len(found) == len(expected), [f["detail"] for f in found]
    unmatched = list(found)
    for url, want in expected:
        matches = [
            f
            for f in unmatched
            if canonical(f["url"]) == url
            and want.shows in f["detail"]
            and f["severity"] == want.severity.value
        ]
        assert matches, (url, want)
        unmatched.remove(matches[0])
        detail = matches[0]["detail"]
        assert "隐藏方式：" in detail and "页面片段：" in detail and "规定：" in detail
    assert not unmatched


def test_evidence_names_the_rule_the_place_and_the_words(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    by_url = {f["detail"].split(" ", 1)[1].split("（", 1)[0]: f for f in doc["findings"] if f["kind"] == KIND}
    ext = demo_server.portal.external_base_url
    footer = by_url[ext + "casino/bjl.html"]
    assert "`display:none`" in footer["detail"] and "页面样式表规则 `.ft-yqlj`" in footer["detail"]
    assert "“百家乐”（赌博）" in footer["detail"] and footer["severity"] == "veto"
    written = by_url[ext + "casino/lhc.html"]
    assert "document.write" in written["detail"] and '<span id="tj51"' in written["detail"]
    inner = by_url[ext + "casino/qp.html"]
    assert "innerHTML" in inner["detail"] and "visibility:hidden" in inner["detail"]
    sheet = by_url[ext + "casino/pj.html"]  # hidden by the site's own style sheet file
    assert "外部样式表 /css/style.css 规则 `.hide`" in sheet["detail"] and sheet["severity"] == "veto"
    farm = by_url[ext + "seo/a.html"]
    assert "文字颜色与背景色相同" in farm["detail"] and "待核实" in farm["detail"]
    assert doc["veto"]["would_fail"]
    [line] = [line for line in doc["veto"]["indicators"] if "暗链" in line["indicator"]]
    assert line["count"] == 6


def test_controls_yield_nothing(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    """The on-site tab pane, the hidden tab of friend links, the visible friend link and the lone
    harmless hidden link (first run: no baseline) are not findings; their links were read."""
    _, doc = demo_audit
    controls = {canonical(url) for plant, url in demo_server.portal.integrity_manifest if not plant.expect}
    assert len(controls) == 2
    flagged = {canonical(f["url"]) for f in doc["findings"] if f["kind"] == KIND}
    assert not controls & flagged
    shown = json.dumps([f for f in doc["findings"] if f["kind"] == KIND], ensure_ascii=False)
    for harmless in ("misc/partner.html", "ndrc/index.html", "tzgg/index.html", "zjzwfw/index.html"):
        assert harmless not in shown


def test_the_check_can_be_switched_off(demo_server: DemoServer, tmp_path: Path) -> None:
    config = fast_config(demo_server.base_url, tmp_path / "data").replace("integrity", hidden_links=False)
    run_audit(config, json_path=tmp_path / "f.json", handle_signals=False)
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert KIND not in {f["kind"] for f in doc["findings"]}


def test_allowed_hosts_are_never_findings(demo_server: DemoServer, tmp_path: Path) -> None:
    host = demo_server.portal.external_base_url.split("//", 1)[1].split(":", 1)[0]
    config = fast_config(demo_server.base_url, tmp_path / "data").replace("integrity", allow_hosts=(host,))
    run_audit(config, json_path=tmp_path / "f.json", handle_signals=False)
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert KIND not in {f["kind"] for f in doc["findings"]}


def test_second_run_compares_with_the_baseline(demo_server: DemoServer, tmp_path: Path) -> None:
    """Run twice: the hidden links were there the first time, so nothing becomes "new"; the same
    findings stay open (未整改), the harmless hidden link stays quiet."""
    config = fast_config(demo_server.base_url, tmp_path / "data")
    run_audit(config, json_path=tmp_path / "1.json", handle_signals=False)
    run_audit(config, json_path=tmp_path / "2.json", handle_signals=False)
    first = json.loads((tmp_path / "1.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "2.json").read_text(encoding="utf-8"))
    keys = {f["id"] for f in first["findings"] if f["kind"] == KIND}
    again = [f for f in second["findings"] if f["kind"] == KIND]
    assert {f["id"] for f in again} == keys
    assert {f["state"] for f in again} == {"still_open"}
    assert "新出现" not in json.dumps(again, ensure_ascii=False)


def test_hostile_snippet_is_escaped_in_the_html_checklist(demo_server: DemoServer, tmp_path: Path) -> None:
    config = dataclasses.replace(
        fast_config(demo_server.base_url, tmp_path / "data"), reports_dir=str(tmp_path / "r")
    )
    result = run_audit(config, handle_signals=False, reports=True)
    assert result.report_dir is not None
    html = (result.report_dir / "checklist.html").read_text(encoding="utf-8")
    assert "window.sitecheckHacked" in html  # the evidence is shown …
    assert "<script>window.sitecheckHacked" not in html  # … as text, never as a script
    assert "&lt;script&gt;window.sitecheckHacked" in html
    for other in ("findings.csv", "findings.json"):
        path = result.report_dir / other
        if path.exists():
            assert "window.sitecheckHacked" in path.read_text(encoding="utf-8-sig")


def test_planted_targets_answer(demo_server: DemoServer) -> None:
    """The hidden links lead somewhere: they are about hiding, not dead links."""
    for path in INTEGRITY_PAGES:
        assert demo_server.portal.get_external(path).status == 200
