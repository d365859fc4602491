"""End to end: crawl the sample portal over real HTTP and find every planted defect, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.models import FindingKind, Outcome
from sitecheck.store import Store
from sitecheck.urls import canonical

LINK_KINDS = {FindingKind.DEAD_LINK_HOME, FindingKind.DEAD_LINK, FindingKind.UNVERIFIED_LINK}


def _by_url(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Link findings by the URL they are about."""
    return {canonical(f["url"]): f for f in doc["findings"] if f["kind"] in LINK_KINDS}


def test_every_planted_defect_is_found_with_outcome_and_referrer(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    findings = _by_url(doc)
    for defect in demo_server.manifest:
        if defect.kind is None or defect.kind == FindingKind.UNAVAILABLE_LINK:
            continue
        finding = findings.get(canonical(defect.url))
        assert finding is not None, f"missed {defect.id}: {defect.url}"
        assert finding["kind"] == defect.kind, defect.id
        assert finding["outcome"] == defect.outcome, defect.id
        referrers = {(r["page"], r["element"], r["text"]) for r in finding["referrers"]}
        assert (defect.referrer, defect.element, defect.text) in {
            (canonical(p), e, t) for p, e, t in referrers
        } | referrers, f"{defect.id}: {referrers}"


def test_no_false_positives(demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]) -> None:
    _, doc = demo_audit
    expected = {
        canonical(d.url)
        for d in demo_server.manifest
        if d.kind is not None and d.kind != FindingKind.UNAVAILABLE_LINK
    }
    found = set(_by_url(doc))
    assert found - expected == set(), "findings that are not planted defects"
    assert expected - found == set(), "planted defects not found"


def test_placeholder_navigation_entries_are_one_empty_column_each(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    # A menu entry that opens nothing names a column with no content: 空白栏目, counted once
    # (not also as 栏目入口无效).
    _, doc = demo_audit
    expected = {d.text for d in demo_server.manifest if d.kind == FindingKind.UNAVAILABLE_LINK}
    empty = [f["column"] for f in doc["findings"] if f["kind"] == FindingKind.EMPTY_COLUMN and f["column"] in expected]
    assert expected and sorted(empty) == sorted(expected)
    assert not [f for f in doc["findings"] if f["kind"] == FindingKind.UNAVAILABLE_LINK]


def test_home_page_dead_links_are_counted_apart(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    home_defects = [d for d in demo_server.manifest if d.kind == FindingKind.DEAD_LINK_HOME]
    other_defects = [d for d in demo_server.manifest if d.kind == FindingKind.DEAD_LINK]
    assert doc["summary"]["dead_links_home"] == len(home_defects) >= 1
    assert doc["summary"]["dead_links_other"] == len(other_defects)


def test_rate_limited_url_is_retried_and_ends_ok(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    result, doc = demo_audit
    (defect,) = [d for d in demo_server.manifest if d.kind is None]
    assert canonical(defect.url) not in _by_url(doc)
    store = Store(doc_data_dir(result, doc))
    try:
        check = store.check_for_url(result.run_id, canonical(defect.url))
    finally:
        store.close()
    assert check is not None and check[0] is Outcome.OK and check[1] == 200


def doc_data_dir(result: AuditResult, doc: dict[str, Any]) -> str:
    import json

    config = json.loads(result.summary.run.config_json) if result.summary else {}
    return str(config["data_dir"])


def test_gbk_page_link_text_is_decoded(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    gbk = [d for d in demo_server.manifest if "gbk" in d.id]
    assert gbk, "the sample portal plants a dead link on a GBK page"
    for defect in gbk:
        finding = _by_url(doc)[canonical(defect.url)]
        assert any(r["text"] == defect.text for r in finding["referrers"])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in defect.text)


def test_every_page_was_crawled(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    assert doc["summary"]["pages"] >= len(demo_server.portal.page_urls) * 0.95
    assert doc["run"]["status"] == "finished"


def test_worker_processes_find_the_same(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]], tmp_path: Path
) -> None:
    _, doc = demo_audit
    config = fast_config(demo_server.base_url, tmp_path / "data", workers=2)
    result = run_audit(config, json_path=tmp_path / "w.json", handle_signals=False)
    assert result.summary is not None
    other = json.loads((tmp_path / "w.json").read_text("utf-8"))

    def shape(d: dict[str, Any]) -> set[tuple[str, str, str | None]]:
        return {(f["kind"], canonical(f["url"]), f["outcome"]) for f in d["findings"]}

    assert shape(other) == shape(doc)
    assert other["summary"]["pages"] == doc["summary"]["pages"]
    assert [c["newest"] for c in other["columns"]] == [c["newest"] for c in doc["columns"]]
