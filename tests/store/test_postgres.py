"""The store on PostgreSQL: the same schema as SQLite, the same answers from the same calls.

Every test here talks to a real PostgreSQL 15 started on 127.0.0.1 by the suite (conftest.py);
the ones taking ``location`` run on SQLite too, so the two are held to one behaviour.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest

from sitecheck.models import (
    FetchResult,
    Finding,
    FindingKind,
    LinkRef,
    Outcome,
    Referrer,
    Severity,
    TargetKind,
)
from sitecheck.store import Store
from sitecheck.store.pg_schema import PG_BASE_VERSION, PG_MIGRATIONS, PG_ONLY_COLUMNS
from sitecheck.store.schema import MIGRATIONS
from support.postgres import PostgresCluster

URL = "http://www.example.gov.cn/"


def test_every_sqlite_migration_has_its_postgresql_form() -> None:
    # A migration appended to schema.MIGRATIONS needs its PostgreSQL form in
    # pg_schema.PG_MIGRATIONS (a PostgreSQL store refuses to open without it).
    assert PG_BASE_VERSION + len(PG_MIGRATIONS) == len(MIGRATIONS)


def _sqlite_shape(path: Path) -> tuple[dict[str, set[tuple[str, str, bool]]], dict[str, tuple[str, ...]]]:
    db = sqlite3.connect(path)
    try:
        tables: dict[str, set[tuple[str, str, bool]]] = {}
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            tables[name] = {
                (col, "integer" if kind.upper() == "INTEGER" else "text", bool(notnull or pk))
                for _, col, kind, notnull, _, pk in db.execute(f"PRAGMA table_info({name})")
            }
        indexes = {
            name: (table, *(col for _, _, col in db.execute(f"PRAGMA index_info({name})")))
            for name, table in db.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
            )
        }
        return tables, indexes
    finally:
        db.close()


def _postgres_shape(url: str) -> tuple[dict[str, set[tuple[str, str, bool]]], dict[str, tuple[str, ...]]]:
    with psycopg.connect(url) as db:
        tables: dict[str, set[tuple[str, str, bool]]] = {}
        for table, col, kind, nullable in db.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema='public' AND table_name != 'sitecheck_schema'"
        ):
            if col in PG_ONLY_COLUMNS:
                continue
            tables.setdefault(table, set()).add(
                (col, "integer" if kind == "bigint" else kind, nullable == "NO")
            )
        indexes: dict[str, tuple[str, ...]] = {}
        for name, table, columns in db.execute(
            "SELECT i.relname, t.relname, array_agg(a.attname ORDER BY k.n)"
            " FROM pg_index x JOIN pg_class i ON i.oid=x.indexrelid JOIN pg_class t ON t.oid=x.indrelid"
            " JOIN pg_namespace s ON s.oid=t.relnamespace"
            " CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid=t.oid AND a.attnum=k.attnum"
            " WHERE s.nspname='public' AND NOT x.indisprimary AND NOT x.indisunique"
            " GROUP BY i.relname, t.relname"
        ):
            indexes[name] = (table, *columns)
        return tables, indexes


def test_postgresql_has_the_same_tables_columns_and_indexes_as_sqlite(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    Store(tmp_path).close()
    url = postgres.fresh_database()
    Store(url).close()
    sqlite_tables, sqlite_indexes = _sqlite_shape(tmp_path / "sitecheck.sqlite3")
    pg_tables, pg_indexes = _postgres_shape(url)
    assert pg_tables == sqlite_tables
    assert pg_indexes == sqlite_indexes


def test_a_second_open_finds_the_schema_built(postgres: PostgresCluster) -> None:
    url = postgres.fresh_database()
    Store(url).close()
    store = Store(url)  # no second CREATE TABLE: the recorded version says it is there
    try:
        with psycopg.connect(url) as db:
            assert db.execute("SELECT version FROM sitecheck_schema").fetchall() == [(len(MIGRATIONS),)]
    finally:
        store.close()


def _finding(key: str, kind: FindingKind = FindingKind.DEAD_LINK) -> Finding:
    return Finding(
        key=key,
        kind=kind,
        severity=Severity.DEDUCTION,
        url=URL + key,
        outcome=Outcome.NOT_FOUND,
        status=404,
        detail="页面不存在 100%",
        referrers=(Referrer(URL, "a", "href", "链接", key),),
    )


def test_the_store_answers_the_same_on_both_databases(location: str) -> None:
    """Writes and reads through every kind of statement the store has: ids, upserts, ordered
    rows, flags, the service's log."""
    store = Store(location)
    try:
        run_id = store.create_run("示例", URL, "{}", "test", date(2026, 6, 1))
        assert store.latest_run(URL) is not None and store.latest_run(URL).id == run_id  # type: ignore[union-attr]
        writer = store.writer(run_id)
        with writer.transaction():
            home, new = writer.add_target(URL, URL, TargetKind.PAGE, 0)
            assert new
            again, new_again = store.add_target(run_id, URL, URL, TargetKind.PAGE, 0)  # not the cache
            store._ids.clear()
            again, new_again = store.add_target(run_id, URL, URL, TargetKind.PAGE, 0)
            assert (again, new_again) == (home, False)
            dead, _ = writer.add_target(URL + "dead", URL + "dead", TargetKind.RESOURCE, 1)
            writer.check(home, FetchResult(URL, Outcome.OK, 200, content_type="text/html"))
            writer.check(home, FetchResult(URL, Outcome.OK, 200, content_type="text/html; charset=utf-8"))
            writer.check(dead, FetchResult(URL + "dead", Outcome.NOT_FOUND, 404))
            writer.page(home, "首页", "utf-8", "http", 3, True)
            # Written in this order, read back in this order (no key orders them).
            writer.links(
                home,
                [
                    (dead, LinkRef("z", URL + "dead", "a", "href", "最后")),
                    (dead, LinkRef("a", URL + "dead", "a", "href", "最先")),
                    (dead, LinkRef("m", URL + "dead", "img", "src", "")),
                ],
            )
        assert store.outcome_counts(run_id) == {"ok": 1, "not_found": 1}
        assert store.check_for_url(run_id, URL) == (Outcome.OK, 200, "", None)
        assert [r.raw for r in store.referrers_to(run_id, URL + "dead")] == ["z", "a", "m"]
        assert [link.raw for link in store.checked_links(run_id, [Outcome.NOT_FOUND])] == ["z", "a", "m"]
        assert store.link_texts_to(run_id, URL + "dead") == [("最后", 1), ("最先", 1)]
        assert store.limited_pages(run_id) == [(URL, True, None, "")]
        assert store.home_target(run_id) is not None
        assert store.page_count(run_id) == 1 and store.link_count(run_id) == 3

        findings = [_finding("b"), _finding("a"), _finding("c")]
        store.replace_findings(run_id, findings)
        store.replace_findings(run_id, findings)  # judged again: replaced, not doubled
        assert [f.key for f in store.findings(run_id)] == ["b", "a", "c"]
        assert store.findings(run_id)[0] == findings[0]
        assert store.finding_states(run_id) == {"new": 3}

        store.set_ignore(URL, "a", "误报")
        store.set_ignore(URL, "a", "已核实误报")  # replaced
        assert store.ignores(URL) == {"a": "已核实误报"}
        store.set_ignore(URL, "a", None)
        assert store.ignores(URL) == {}

        store.add_probe(URL, "2026-06-01T00:00:00+00:00", Outcome.OK, 200, 12, "", URL)
        assert store.probe_count(URL) == 1 and store.last_probe(URL) is not None
        first = store.log_job(URL, "audit", "schedule", "running", started=True, run_id=run_id)
        second = store.log_job(URL, "probe", "schedule", "finished")
        assert second > first > 0
        store.update_job(first, outcome="finished")
        assert [row.id for row in store.job_log(URL)] == [second, first]
        store.set_next_run(URL, "audit", "2026-06-02T01:30:00+00:00", "weekly")
        store.set_next_run(URL, "audit", "2026-06-09T01:30:00+00:00", "weekly")
        assert store.next_runs(URL) == {"audit": ("2026-06-09T01:30:00+00:00", "weekly")}
        store.set_alert_level(URL, "home", "down")
        store.set_alert_level(URL, "home", "up")
        assert store.alert_level(URL, "home") == "up"
        store.log_notification(URL, "home_down", "email", True, 1, "")
        assert store.notifications(URL)[0].ok is True
    finally:
        store.close()


def test_a_recheck_copy_keeps_link_order_and_later_ids_do_not_collide(location: str) -> None:
    store = Store(location)
    try:
        base = store.create_run("示例", URL, "{}", "test", date(2026, 6, 1))
        writer = store.writer(base)
        with writer.transaction():
            home, _ = writer.add_target(URL, URL, TargetKind.PAGE, 0)
            dead, _ = writer.add_target(URL + "dead", URL + "dead", TargetKind.RESOURCE, 1)
            writer.check(home, FetchResult(URL, Outcome.OK, 200))
            writer.links(home, [(dead, LinkRef(raw, URL + "dead", "a", "href")) for raw in "zam"])
        copy = store.copy_run(base, "{}", "test", date(2026, 6, 2))
        assert [r.raw for r in store.referrers_to(copy, URL + "dead")] == ["z", "a", "m"]
        # The copy chose its target ids itself; the next new target still gets a free one.
        with store.transaction():
            new_id, created = store.add_target(copy, URL + "new", URL + "new", TargetKind.PAGE, 1)
        assert created and new_id > store.first_target_id(copy) + 1
    finally:
        store.close()


def test_a_write_waits_for_another_session_s_row_lock_instead_of_failing(postgres: PostgresCluster) -> None:
    url = postgres.fresh_database()
    store = Store(url)
    store.set_alert_level(URL, "home", "up")
    other = psycopg.connect(url, autocommit=True)
    other.execute("BEGIN")
    other.execute("UPDATE alert_state SET level='down'")  # another writer holds the row a moment
    releasing = threading.Event()

    def release() -> None:
        time.sleep(0.5)
        releasing.set()  # before the COMMIT: the waiting write may land the moment it is done
        other.execute("COMMIT")

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        store.set_alert_level(URL, "home", "up")  # waits for the row, then lands
        assert releasing.is_set()
        assert store.alert_level(URL, "home") == "up"
    finally:
        releaser.join(10)  # its COMMIT returns before its connection is closed
        store.close()
        other.close()


def test_an_unreachable_database_is_a_store_error_without_the_password(postgres: PostgresCluster) -> None:
    from sitecheck.errors import StoreError

    url = f"postgresql://sitecheck:secret@127.0.0.1:{postgres.port}/no_such_database"
    with pytest.raises(StoreError, match="无法连接事实库") as raised:
        Store(url)
    assert "secret" not in str(raised.value)
