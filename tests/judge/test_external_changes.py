"""外链变异 end to end (issue 16, part 2): the sample portal's friend links are read twice; the
second time two of them lead to a parked page and a gambling page, and exactly those are reported,
with what they showed the first time as evidence."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from sitecheck.audit import run_audit
from sitecheck.demo import DemoServer
from sitecheck.demo.external_plants import CHANGED_EXTERNALS
from sitecheck.models import FindingKind
from sitecheck.urls import canonical

KINDS = {FindingKind.EXTERNAL_CHANGED.value, FindingKind.EXTERNAL_RISKY.value}


def _audit(server: DemoServer, data: Path, json_path: Path) -> dict[str, Any]:
    config = fast_config(server.base_url, data)
    run_audit(config, json_path=json_path, handle_signals=False)
    doc: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], Path, str]:
    """The same portal audited twice into one store: first as it was, then with its friend
    links changed (the same ports, so the links are the same URLs)."""
    tmp = tmp_path_factory.mktemp("external")
    with DemoServer(pages=150, slow_seconds=2.0) as first_server:
        first = _audit(first_server, tmp / "data", tmp / "first.json")
        ext = first_server.external_base_url
        ports = {"port": int(first_server.base_url.rsplit(":", 1)[1].strip("/"))}
        ports["external_port"] = int(ext.rsplit(":", 1)[1].strip("/"))
    with DemoServer(pages=150, slow_seconds=2.0, changed_externals=True, **ports) as server:
        assert server.external_base_url == ext
        second = _audit(server, tmp / "data", tmp / "second.json")
    return first, second, tmp / "data", ext


def test_the_first_run_reports_no_change(two_runs: tuple[dict[str, Any], dict[str, Any], Path, str]) -> None:
    first, _, _, _ = two_runs
    assert [f for f in first["findings"] if f["kind"] in KINDS] == []


def test_every_changed_friend_link_is_found_and_nothing_else(
    two_runs: tuple[dict[str, Any], dict[str, Any], Path, str],
) -> None:
    _, second, _, ext = two_runs
    found = [f for f in second["findings"] if f["kind"] in KINDS]
    expected = [(canonical(ext + path.lstrip("/")), want) for path, c in CHANGED_EXTERNALS.items() for want in c.expect]
    assert len(found) == len(expected), [(f["url"], f["detail"]) for f in found]
    for url, want in expected:
        matches = [f for f in found if canonical(f["url"]) == url and f["kind"] == want.kind.value]
        assert len(matches) == 1, (url, want)
        finding = matches[0]
        assert finding["severity"] == want.severity.value
        assert want.shows in finding["detail"]
        # The evidence: what the link showed the first time, and the pages that carry it.
        assert "首次记录时" in finding["detail"]
        assert finding["referrers"], finding


def test_the_gambling_link_names_the_rule_and_its_words(
    two_runs: tuple[dict[str, Any], dict[str, Any], Path, str],
) -> None:
    _, second, _, _ = two_runs
    risky = [f for f in second["findings"] if f["kind"] == FindingKind.EXTERNAL_RISKY.value]
    assert len(risky) == 1
    detail = risky[0]["detail"]
    assert "赌博类词语" in detail and "“百家乐”" in detail
    assert "规定：" in detail and "单项否决" in detail
    assert "省政务服务网" in detail  # the page's title the first time


def test_the_store_keeps_what_each_link_showed(two_runs: tuple[dict[str, Any], dict[str, Any], Path, str]) -> None:
    """Facts, not judgements: both runs hold a record per external page (title, host, fingerprint)."""
    _, _, data, ext = two_runs
    with sqlite3.connect(data / "sitecheck.sqlite3") as db:
        rows = db.execute(
            "SELECT v.run_id, t.url, v.title, v.final_host, v.fingerprint, v.parked FROM external_views v"
            " JOIN targets t ON t.id = v.target_id ORDER BY v.run_id"
        ).fetchall()
    runs = sorted({row[0] for row in rows})
    assert len(runs) == 2
    parked = ext + "tjj/index.html"
    first = {row[1]: row for row in rows if row[0] == runs[0]}
    second = {row[1]: row for row in rows if row[0] == runs[1]}
    assert first[parked][2] == "市统计局" and first[parked][5] == ""
    assert second[parked][5] == "域名正在出售"
    assert first[parked][3] == second[parked][3] == "127.0.0.2"
    assert all(len(row[4]) == 16 for row in rows if row[4])
