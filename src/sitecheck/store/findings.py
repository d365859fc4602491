"""Saved judgements: findings with their states, ignores, and the history later runs compare with."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sitecheck.models import (
    JUDGED_RUNS,
    OPEN_STATES,
    Finding,
    FindingKind,
    FindingState,
    Outcome,
    Referrer,
    RunRecord,
    RunStatus,
    Severity,
)
from sitecheck.store.db import now_iso, sql_states, upsert
from sitecheck.store.facts import FactStore


class FindingStore(FactStore):

    def replace_findings(
        self,
        run_id: int,
        findings: Iterable[Finding],
        status: RunStatus | None = None,
        reason: str = "",
    ) -> None:
        """Save a judgement's findings, and with ``status`` the run's final state, as one write.

        One transaction: a kill between judging and saving leaves the run resumable (it is
        judged again), never a run marked finished without its findings.
        """
        self.begin()
        try:
            self.db.execute("DELETE FROM findings WHERE run_id=?", (run_id,))
            self.db.executemany(
                "INSERT INTO findings (run_id, key, kind, severity, url, outcome, status, detail,"
                " referrers_json, column_name, office, state, first_seen, note)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        run_id,
                        f.key,
                        f.kind.value,
                        f.severity.value,
                        f.url,
                        f.outcome.value if f.outcome else None,
                        f.status,
                        f.detail,
                        json.dumps([_ref_dict(r) for r in f.referrers], ensure_ascii=False),
                        f.column,
                        f.office,
                        f.state,
                        f.first_seen,
                        f.note,
                    )
                    for f in findings
                ),
            )
            if status is not None:
                self.set_run_status(run_id, status, reason)
            self.commit()
        except BaseException as exc:
            self.rollback()
            if isinstance(exc, self.errors):
                raise self.failed(exc) from None
            raise

    def findings(self, run_id: int) -> list[Finding]:
        rows = self.db.execute(
            "SELECT key, kind, severity, url, outcome, status, detail, referrers_json, column_name, office,"
            " state, first_seen, note FROM findings"
            f" WHERE run_id=? ORDER BY {self.seq}",
            (run_id,),
        ).fetchall()
        return [
            Finding(
                key=row[0],
                kind=FindingKind(row[1]),
                severity=Severity(row[2]),
                url=row[3],
                outcome=Outcome(row[4]) if row[4] else None,
                status=row[5],
                detail=row[6],
                referrers=tuple(Referrer(**r) for r in json.loads(row[7])),
                column=row[8],
                office=row[9],
                state=FindingState(row[10]),
                first_seen=row[11],
                note=row[12],
            )
            for row in rows
        ]

    def first_seen(self, start_url: str, keys: Iterable[str]) -> dict[str, str]:
        """When each finding key was first seen for this site, over all its runs."""
        seen: dict[str, str] = {}
        rows = self.db.execute(
            "SELECT f.key, MIN(COALESCE(NULLIF(f.first_seen, ''), r.started_at)) FROM findings f"
            " JOIN runs r ON r.id=f.run_id WHERE r.start_url=? AND f.state!='fixed' GROUP BY f.key",
            (start_url,),
        )
        wanted = set(keys)
        for key, when in rows:
            if key in wanted:
                seen[str(key)] = str(when)
        return seen

    def ever_fixed(self, start_url: str, before_run: int) -> set[str]:
        rows = self.db.execute(
            "SELECT DISTINCT f.key FROM findings f JOIN runs r ON r.id=f.run_id"
            " WHERE r.start_url=? AND r.id<? AND f.state='fixed'",
            (start_url, before_run),
        )
        return {str(row[0]) for row in rows}

    def ignores(self, start_url: str) -> dict[str, str]:
        rows = self.db.execute("SELECT key, reason FROM ignores WHERE start_url=?", (start_url,))
        return {str(k): str(r) for k, r in rows}

    def set_ignore(self, start_url: str, key: str, reason: str | None) -> None:
        """Ignore a finding (with a reason) for this site, or stop ignoring it (reason None)."""
        if reason is None:
            self.write("DELETE FROM ignores WHERE start_url=? AND key=?", (start_url, key))
        else:
            self.write(
                upsert("ignores", ("start_url", "key", "reason", "created_at"), ("start_url", "key")),
                (start_url, key, reason, now_iso()),
            )

    def open_counts_by_run(self, start_url: str, *, until: int) -> list[tuple[RunRecord, dict[str, int]]]:
        """Open findings by kind for each finished run of a site, oldest first (the trend chart)."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.db.execute(
            "SELECT r.id, f.kind, COUNT(*) FROM runs r JOIN findings f ON f.run_id=r.id"
            f" WHERE r.start_url=? AND r.id<=? AND r.status IN ({sql_states(JUDGED_RUNS)})"
            f" AND f.state IN ({sql_states(OPEN_STATES)}) GROUP BY r.id, f.kind",
            (start_url, until),
        )
        for run_id, kind, count in rows:
            counts.setdefault(int(run_id), {})[str(kind)] = int(count)
        run_ids = self.db.execute(
            f"SELECT id FROM runs WHERE start_url=? AND id<=? AND status IN ({sql_states(JUDGED_RUNS)})"
            " ORDER BY id",
            (start_url, until),
        ).fetchall()
        result: list[tuple[RunRecord, dict[str, int]]] = []
        for (run_id,) in run_ids:
            record = self.run(int(run_id))
            if record is not None:
                result.append((record, counts.get(int(run_id), {})))
        return result

    def finding_states(self, run_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT state, COUNT(*) FROM findings WHERE run_id=? GROUP BY state", (run_id,)
        )
        return {str(state): int(count) for state, count in rows}

    def finding_sites(self, key: str) -> list[str]:
        """Start URLs of the sites that ever had this finding."""
        rows = self.db.execute(
            "SELECT DISTINCT r.start_url FROM findings f JOIN runs r ON r.id=f.run_id WHERE f.key=?", (key,)
        )
        return [str(row[0]) for row in rows]


def _ref_dict(ref: Referrer) -> dict[str, str]:
    return {
        "page": ref.page,
        "element": ref.element,
        "attribute": ref.attribute,
        "text": ref.text,
        "raw": ref.raw,
    }


class History:
    """A site's earlier judgements as one run sees them: what its findings' states come from."""

    def __init__(self, store: FindingStore, run: RunRecord) -> None:
        previous = store.previous_run(run.id)
        # The last judged run's findings, by key: open, ignored or fixed there.
        self.previous: dict[str, Finding] = (
            {f.key: f for f in store.findings(previous.id)} if previous else {}
        )
        self.fixed_earlier = store.ever_fixed(run.start_url, run.id)  # keys fixed in any earlier run
        self.ignored = store.ignores(run.start_url)  # key -> reason (sitecheck ignore)
        self._store = store
        self._start_url = run.start_url

    def first_seen(self, keys: Iterable[str]) -> dict[str, str]:
        """When each finding key was first seen for this site, over all its runs."""
        return self._store.first_seen(self._start_url, keys)
