"""A whole audit of the sample portal into PostgreSQL finds what one into SQLite finds."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.sitelock import SiteLock
from sitecheck.store import Store
from support.postgres import PostgresCluster


def _findings(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["kind"], f["url"], f["severity"]) for f in doc["findings"])


def test_an_audit_into_postgresql_finds_what_one_into_sqlite_finds(
    demo_server: DemoServer,
    demo_audit: tuple[AuditResult, dict[str, Any]],
    postgres: PostgresCluster,
    tmp_path: Path,
) -> None:
    sqlite_result, sqlite_doc = demo_audit
    url = postgres.fresh_database()
    config = dataclasses.replace(fast_config(demo_server.base_url, tmp_path), data_dir=url)
    json_path = tmp_path / "findings.json"
    try:
        result = run_audit(config, json_path=json_path, handle_signals=False, reports=False)
    finally:  # the site lock of a PostgreSQL store lives under the temporary directory
        shutil.rmtree(SiteLock(url, demo_server.base_url).path.parent, ignore_errors=True)
    doc = json.loads(json_path.read_text(encoding="utf-8"))

    assert _findings(doc) and _findings(doc) == _findings(sqlite_doc)
    # The facts behind them are the same too: what was read, and what every request answered.
    assert sqlite_result.summary is not None
    sqlite_dir = json.loads(sqlite_result.summary.run.config_json)["data_dir"]
    facts = []
    for where, run_id in ((url, result.run_id), (sqlite_dir, sqlite_result.run_id)):
        store = Store(where)
        try:
            facts.append(
                (
                    store.page_count(run_id),
                    store.link_count(run_id),
                    store.outcome_counts(run_id),
                    sorted(f.key for f in store.findings(run_id)),
                )
            )
        finally:
            store.close()
    assert facts[0] == facts[1]
    assert facts[0][3] == sorted(f["id"] for f in doc["findings"])
    assert not any(Path.cwd().glob("postgresql:*")), "a URL was taken for a directory"
