"""Runs: create, find, copy (a recheck), and their state."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sitecheck.errors import StoreError
from sitecheck.models import (
    JUDGED_RUNS,
    RunRecord,
    RunStatus,
)
from sitecheck.store.db import Database, now_iso, sql_states
from sitecheck.store.schema import ID_COLUMNS, ROW_ORDER, RUN_TABLES


class RunStore(Database):

    def create_run(self, site: str, start_url: str, config_json: str, version: str, observed_on: date) -> int:
        run_id = self.insert_id(
            "INSERT INTO runs (site, start_url, started_at, status, config_json, version, observed_on)"
            " VALUES (?, ?, ?, 'running', ?, ?, ?)",
            (site, start_url, now_iso(), config_json, version, observed_on.isoformat()),
        )
        return run_id or 0

    def set_run_status(self, run_id: int, status: RunStatus, reason: str = "") -> None:
        finished = now_iso() if status is not RunStatus.RUNNING else None
        self.write(
            "UPDATE runs SET status=?, finished_at=?, incomplete_reason=? WHERE id=?",
            (status.value, finished, reason, run_id),
        )

    def set_home_url(self, run_id: int, home_url: str) -> None:
        self.write("UPDATE runs SET home_url=? WHERE id=?", (home_url, run_id))

    def run(self, run_id: int) -> RunRecord | None:
        row = self.db.execute(
            "SELECT id, site, start_url, home_url, started_at, finished_at, status, config_json,"
            " observed_on, kind, base_run, incomplete_reason FROM runs WHERE id=?",
            (run_id,),
        ).fetchone()
        return RunRecord(*row) if row else None

    def latest_run(self, start_url: str | None = None) -> RunRecord | None:
        sql = "SELECT id FROM runs WHERE 1=1"
        args: list[object] = []
        if start_url is not None:
            sql += " AND start_url=?"
            args.append(start_url)
        row = self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return self.run(int(row[0])) if row else None

    def previous_run(self, run_id: int) -> RunRecord | None:
        """The last finished run of the same site before ``run_id`` (full or recheck)."""
        row = self.db.execute(
            "SELECT p.id FROM runs p JOIN runs r ON r.start_url=p.start_url"
            f" WHERE r.id=? AND p.id<? AND p.status IN ({sql_states(JUDGED_RUNS)})"
            " ORDER BY p.id DESC LIMIT 1",
            (run_id, run_id),
        ).fetchone()
        return self.run(int(row[0])) if row else None

    def runs(self) -> list[RunRecord]:
        rows = self.db.execute("SELECT id FROM runs ORDER BY id").fetchall()
        return [r for r in (self.run(int(row[0])) for row in rows) if r is not None]

    def copy_run(self, base_run: int, config_json: str, version: str, observed_on: date) -> int:
        """A new ``recheck`` run holding a copy of ``base_run``'s facts (new ids, same shape).

        A recheck then re-fetches only what it must and is judged like any run, so it needs no
        rules of its own.
        """
        base = self.run(base_run)
        if base is None:
            raise StoreError(f"no run {base_run}")
        self.begin()
        try:
            # Inside the write transaction: another writer cannot add targets in between.
            self.lock_ids("targets")
            offset = int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM targets").fetchone()[0])
            run_id = self.insert_id(
                "INSERT INTO runs (site, start_url, home_url, started_at, status, config_json, version,"
                " observed_on, kind, base_run) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, 'recheck', ?)",
                (
                    base.site,
                    base.start_url,
                    base.home_url,
                    now_iso(),
                    config_json,
                    version,
                    observed_on.isoformat(),
                    base_run,
                ),
            )
            if run_id is None:
                raise StoreError(f"no run copied from {base_run}")
            for table, columns in RUN_TABLES.items():
                names = ", ".join(columns)
                exprs = ", ".join(f"{c} + {offset}" if c in ID_COLUMNS else c for c in columns)
                order = ROW_ORDER.get(table, self.seq)
                self.db.execute(
                    f"INSERT INTO {table} (run_id, {names}) SELECT ?, {exprs} FROM {table}"
                    f" WHERE run_id=? ORDER BY {order}",
                    (run_id, base_run),
                )
            self.ids_chosen("targets")
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return run_id

    def reset_targets(self, run_id: int, keys: Iterable[str]) -> int:
        """Forget what was observed at these URLs, so the crawler fetches them again."""
        count = 0
        self.begin()
        try:
            for key in set(keys):
                row = self.db.execute(
                    "SELECT id FROM targets WHERE run_id=? AND key=?", (run_id, key)
                ).fetchone()
                if row is None:
                    continue
                target_id = int(row[0])
                for sql in (
                    "DELETE FROM checks WHERE target_id=?",
                    "DELETE FROM pages WHERE target_id=?",
                    "DELETE FROM links WHERE page_id=?",
                    "DELETE FROM listings WHERE page_id=?",
                    "DELETE FROM items WHERE page_id=?",
                    "DELETE FROM text_hits WHERE page_id=?",
                    "DELETE FROM hidden_links WHERE page_id=?",
                    "DELETE FROM page_identifiers WHERE page_id=?",
                    "UPDATE targets SET state='pending' WHERE id=?",
                ):
                    self.db.execute(sql, (target_id,))
                count += 1
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return count


