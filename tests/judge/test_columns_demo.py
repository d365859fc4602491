"""Column audit end to end on the sample portal: every planted column problem, and nothing else."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from sitecheck.audit import AuditResult, rejudge, run_audit
from sitecheck.demo import DemoServer, PlantedColumn
from sitecheck.models import FindingKind
from sitecheck.urls import canonical

COLUMN_KINDS = {
    FindingKind.EMPTY_COLUMN,
    FindingKind.STALE_COLUMN,
    FindingKind.UNDATED_COLUMN,
    FindingKind.STALE_COLUMN_WARNING,
}
HOME_KINDS = {FindingKind.HOME_NOT_UPDATED, FindingKind.HOME_FEW_UPDATES}


def _columns(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {canonical(c["url"]): c for c in doc["columns"]}


def _listed(manifest: list[PlantedColumn]) -> list[PlantedColumn]:
    """The columns an audit lists: a single-content page with its text (机构职能) has no list
    and no date to watch, so it is only listed when it is blank."""
    return [c for c in manifest if not (c.layout == "single" and c.kind is None)]


def test_every_planted_column_problem_is_found_and_no_healthy_column_is_flagged(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    expected = {canonical(c.url): c.kind.value for c in demo_server.column_manifest if c.kind is not None}
    found = {
        canonical(f["url"]): f["kind"]
        for f in doc["findings"]
        if f["kind"] in COLUMN_KINDS and not f["detail"].startswith("空白栏目：导航")
    }
    assert found == expected


def test_menu_entries_to_unbuilt_columns_are_empty_columns(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    menu = {
        f["column"]
        for f in doc["findings"]
        if f["kind"] == "empty_column" and f["detail"].startswith("空白栏目：导航")
    }
    placeholders = {d.text for d in demo_server.manifest if d.kind == FindingKind.UNAVAILABLE_LINK}
    assert menu == placeholders


def test_columns_are_found_named_and_classified(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    columns = _columns(doc)
    for planted in _listed(demo_server.column_manifest):
        column = columns.get(canonical(planted.url))
        assert column is not None, f"column not found: {planted.id} {planted.url}"
        assert column["name"] == planted.name, planted.id
        assert column["category"] == planted.category.value, planted.id
        assert column["newest"] == (planted.newest.isoformat() if planted.newest else None), planted.id
        assert column["items"] == planted.items, planted.id
        if planted.parent:
            assert column["parent"] == planted.parent, planted.id
    # 专题专栏 holds a historical topic: a parent, not a leaf.
    parents = {c.parent for c in demo_server.column_manifest if c.parent}
    for url, column in columns.items():
        assert column["is_leaf"] == (column["name"] not in parents), url


def test_no_column_is_invented(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    planted = {canonical(c.url) for c in _listed(demo_server.column_manifest)}
    assert set(_columns(doc)) == planted
    assert not [c for c in doc["columns"] if c["name"] in {"首页", "网站首页"}]


def test_home_page_is_updated_and_tally_passes(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    assert not [f for f in doc["findings"] if f["kind"] in HOME_KINDS]
    assert doc["home"]["recent_items"] == demo_server.portal.home_items_14d
    tally = {line["indicator"]: line for line in doc["veto"]["indicators"]}
    empty = next(line for name, line in tally.items() if name.startswith("空白栏目"))
    expected_empty = sum(1 for c in demo_server.column_manifest if c.kind == FindingKind.EMPTY_COLUMN) + 2
    assert empty["count"] == expected_empty


def test_rejudging_later_without_recrawling_finds_the_portal_stale(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]], tmp_path: Path
) -> None:
    result, doc = demo_audit
    hits = demo_server.total_hits()
    data_dir = json.loads(result.summary.run.config_json)["data_dir"] if result.summary else ""
    later = date.fromisoformat(doc["run"]["as_of"]) + timedelta(days=60)
    summary = rejudge(data_dir, result.run_id, later, tmp_path / "later.json")
    assert demo_server.total_hits() == hits
    kinds = {f.kind for f in summary.findings}
    assert FindingKind.HOME_NOT_UPDATED in kinds
    assert summary.tally.would_fail
    # The same facts judged on the original day give the original findings again.
    again = rejudge(data_dir, result.run_id, date.fromisoformat(doc["run"]["as_of"]), None)
    assert sorted(f.key for f in again.findings) == sorted(f["id"] for f in doc["findings"])


@pytest.fixture(scope="module")
def january_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoServer, dict[str, Any]]:
    day = date(2026, 1, 8)
    tmp = tmp_path_factory.mktemp("january")
    with DemoServer(pages=150, today=day, slow_seconds=2.0) as server:
        run_audit(
            fast_config(server.base_url, tmp / "data"),
            as_of=day,
            json_path=tmp / "f.json",
            handle_signals=False,
        )
        return server, json.loads((tmp / "f.json").read_text("utf-8"))


def test_year_less_dates_across_new_year(january_audit: tuple[DemoServer, dict[str, Any]]) -> None:
    server, doc = january_audit
    columns = _columns(doc)
    for planted in _listed(server.column_manifest):
        column = columns[canonical(planted.url)]
        assert column["newest"] == (planted.newest.isoformat() if planted.newest else None), planted.id
    expected = {canonical(c.url): c.kind.value for c in server.column_manifest if c.kind is not None}
    found = {
        canonical(f["url"]): f["kind"]
        for f in doc["findings"]
        if f["kind"] in COLUMN_KINDS and not f["detail"].startswith("空白栏目：导航")
    }
    assert found == expected
