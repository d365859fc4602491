"""The crawl frontier: every distinct URL of a run, pending until its check is stored."""

from __future__ import annotations

from sitecheck.models import (
    Target,
    TargetKind,
)
from sitecheck.store.runs import RunStore


class FrontierStore(RunStore):

    def cached_target_id(self, run_id: int, key: str) -> int | None:
        return self._ids.get((run_id, key))

    def add_target(
        self, run_id: int, key: str, url: str, kind: TargetKind, depth: int, note: str = ""
    ) -> tuple[int, bool]:
        """Insert a target unless the run already has it; return its id and whether it is new."""
        cache_key = (run_id, key)
        cached = self._ids.get(cache_key)
        if cached is not None:
            self._ids.move_to_end(cache_key)
            return cached, False
        new_id = self.insert_id(
            "INSERT INTO targets (run_id, key, url, kind, depth, note) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id, key) DO NOTHING",
            (run_id, key, url, kind, depth, note),
        )
        created = new_id is not None
        if new_id is not None:
            target_id = new_id
        else:
            target_id = int(
                self.db.execute("SELECT id FROM targets WHERE run_id=? AND key=?", (run_id, key)).fetchone()[
                    0
                ]
            )
        self._ids[cache_key] = target_id
        if len(self._ids) > self._ids_max:
            self._ids.popitem(last=False)
        return target_id, created

    def target_done(self, target_id: int) -> bool:
        row = self.db.execute("SELECT state FROM targets WHERE id=?", (target_id,)).fetchone()
        return bool(row) and row[0] == "done"

    def pending_targets(self, run_id: int, after_id: int, limit: int) -> list[Target]:
        rows = self.db.execute(
            "SELECT id, url, kind, depth, note FROM targets"
            " WHERE run_id=? AND state='pending' AND id>? ORDER BY id LIMIT ?",
            (run_id, after_id, limit),
        ).fetchall()
        return [Target(row[0], row[1], TargetKind(row[2]), row[3], row[4]) for row in rows]

    def count_targets(self, run_id: int, *, kind: str | None = None, state: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM targets WHERE run_id=?"
        args: list[object] = [run_id]
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        if state is not None:
            sql += " AND state=?"
            args.append(state)
        return int(self.db.execute(sql, args).fetchone()[0])

    def fail_target(self, target_id: int, reason: str) -> None:
        """A target whose handling failed (a bug, exhausted memory): not done, retried on resume."""
        self.db.execute(
            "UPDATE targets SET state='failed', failure=? WHERE id=?", (reason[:500], target_id)
        )

    def retry_failed(self, run_id: int) -> int:
        """Make a run's failed targets pending again (``--resume``); how many there were."""
        cursor = self.write(
            "UPDATE targets SET state='pending', failure='' WHERE run_id=? AND state='failed'", (run_id,)
        )
        return int(cursor.rowcount)

    def failures(self, run_id: int, limit: int = 3) -> tuple[int, list[tuple[str, str]]]:
        """How many targets of a run failed or are still unread, and a few of them with the reason."""
        count = int(
            self.db.execute(
                "SELECT COUNT(*) FROM targets WHERE run_id=? AND state!='done'", (run_id,)
            ).fetchone()[0]
        )
        rows = self.db.execute(
            "SELECT url, failure FROM targets WHERE run_id=? AND state!='done' ORDER BY id LIMIT ?",
            (run_id, limit),
        ).fetchall()
        return count, [(str(url), str(failure)) for url, failure in rows]


