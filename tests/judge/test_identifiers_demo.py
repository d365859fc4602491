"""页面标识 end to end on the sample portal (issue 16 §3): the template whose footer lacks the
标识码 and the pages with another city's SiteName are found, with their severity; nothing else
of the identifier kinds is reported (every other template carries the whole footer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.models import FindingKind
from sitecheck.urls import canonical

IDENTIFIER_KINDS = {FindingKind.IDENTIFIER_MISSING.value, FindingKind.IDENTIFIER_MISMATCH.value}


def test_every_identifier_plant_is_found_and_nothing_else(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    found = [f for f in doc["findings"] if f["kind"] in IDENTIFIER_KINDS]
    manifest = demo_server.portal.identifier_manifest
    assert manifest
    expected = [(plant, want) for plant, _ in manifest for want in plant.expect]
    assert len(found) == len(expected), [f["detail"] for f in found]
    for plant, want in expected:
        pages = {canonical(url) for p, urls in manifest if p is plant for url in urls}
        matches = [f for f in found if f["kind"] == want.kind.value and want.shows in f["detail"]]
        assert len(matches) == 1, (plant.id, [f["detail"] for f in found])
        finding = matches[0]
        assert finding["severity"] == want.severity.value
        # The example page and the pages listed with it are the planted ones, and the count is said.
        assert canonical(finding["url"]) in pages
        assert {canonical(r["page"]) for r in finding["referrers"]} <= pages
        assert f"{len(pages)} 个页面" in finding["detail"]
        assert "依据：" in finding["detail"]  # the rule it rests on is named


def test_the_template_finding_names_only_what_it_lacks(
    demo_audit: tuple[AuditResult, dict[str, Any]],
) -> None:
    _, doc = demo_audit
    (missing,) = [f for f in doc["findings"] if f["kind"] == FindingKind.IDENTIFIER_MISSING.value]
    lacking = missing["detail"].split("缺少", 1)[1].split("；", 1)[0]
    assert lacking == "网站标识码"  # its badge, ICP, 公安备案号, 主办单位 and address are there


def test_the_identifier_check_can_be_switched_off(demo_server: DemoServer, tmp_path: Path) -> None:
    config = fast_config(demo_server.base_url, tmp_path / "data").replace("identifiers", enabled=False)
    run_audit(config, json_path=tmp_path / "f.json", handle_signals=False)
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert not {f["kind"] for f in doc["findings"]} & IDENTIFIER_KINDS
