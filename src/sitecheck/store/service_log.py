"""What the service did: probes, the job log, schedule state, alert levels, notifications."""

from __future__ import annotations

from sitecheck.models import (
    RESUMABLE_RUNS,
    JobLogRow,
    NotificationRow,
    Outcome,
    ProbeRow,
    RunRecord,
)
from sitecheck.store.db import now_iso, sql_states, upsert
from sitecheck.store.findings import FindingStore


class ServiceLog(FindingStore):

    def add_probe(
        self,
        start_url: str,
        at: str,
        outcome: Outcome,
        status: int | None,
        latency_ms: int,
        error: str,
        final_url: str | None,
    ) -> None:
        self.write(
            "INSERT INTO probes (start_url, at, outcome, status, latency_ms, error, final_url)"
            " VALUES (?,?,?,?,?,?,?)",
            (start_url, at, outcome.value, status, latency_ms, error, final_url),
        )

    def probes(self, start_url: str, since: str, until: str | None = None) -> list[ProbeRow]:
        """Probes of a site from ``since`` (inclusive) to ``until`` (exclusive), oldest first."""
        sql = (
            "SELECT at, outcome, status, latency_ms, error, final_url FROM probes WHERE start_url=? AND at>=?"
        )
        args: list[object] = [start_url, since]
        if until is not None:
            sql += " AND at<?"
            args.append(until)
        rows = self.db.execute(sql + " ORDER BY at, id", args).fetchall()
        return [ProbeRow(r[0], Outcome(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def last_probe(self, start_url: str) -> ProbeRow | None:
        row = self.db.execute(
            "SELECT at, outcome, status, latency_ms, error, final_url FROM probes WHERE start_url=?"
            " ORDER BY at DESC, id DESC LIMIT 1",
            (start_url,),
        ).fetchone()
        return ProbeRow(row[0], Outcome(row[1]), row[2], row[3], row[4], row[5]) if row else None

    def probe_count(self, start_url: str) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM probes WHERE start_url=?", (start_url,)).fetchone()
        return int(row[0])

    def log_job(
        self,
        start_url: str,
        job: str,
        cause: str,
        outcome: str,
        *,
        fired_at: str | None = None,
        started: bool = False,
        run_id: int | None = None,
        detail: str = "",
    ) -> int:
        """Record a job firing (``started``: it runs now) or a decision not to run it."""
        now = now_iso()
        finished = None if outcome == "running" else now
        log_id = self.insert_id(
            "INSERT INTO job_log (start_url, job, cause, fired_at, started_at, finished_at, outcome,"
            " run_id, detail) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                start_url,
                job,
                cause,
                fired_at or now,
                now if started else None,
                finished,
                outcome,
                run_id,
                detail,
            ),
        )
        return log_id or 0

    def update_job(
        self, log_id: int, *, outcome: str | None = None, run_id: int | None = None, detail: str | None = None
    ) -> None:
        """Change a job_log entry; a final outcome (anything but ``running``) stamps finished_at."""
        if run_id is not None:
            self.write("UPDATE job_log SET run_id=? WHERE id=?", (run_id, log_id))
        if detail is not None:
            self.write("UPDATE job_log SET detail=? WHERE id=?", (detail, log_id))
        if outcome is not None:
            finished = None if outcome == "running" else now_iso()
            self.write(
                "UPDATE job_log SET outcome=?, finished_at=COALESCE(finished_at, ?) WHERE id=?",
                (outcome, finished, log_id),
            )

    def job_log(self, start_url: str, job: str | None = None, limit: int = 100) -> list[JobLogRow]:
        """A site's job log, newest first."""
        sql = (
            "SELECT id, start_url, job, cause, fired_at, started_at, finished_at, outcome, run_id, detail"
            " FROM job_log WHERE start_url=?"
        )
        args: list[object] = [start_url]
        if job is not None:
            sql += " AND job=?"
            args.append(job)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [JobLogRow(*row) for row in rows]

    def unfinished_jobs(self, start_url: str) -> list[JobLogRow]:
        """Crawl jobs that were running when the service stopped (or was killed), oldest first."""
        rows = self.db.execute(
            "SELECT id, start_url, job, cause, fired_at, started_at, finished_at, outcome, run_id, detail"
            " FROM job_log WHERE start_url=? AND job IN ('audit', 'recheck')"
            " AND outcome IN ('running', 'interrupted') ORDER BY id",
            (start_url,),
        ).fetchall()
        return [JobLogRow(*row) for row in rows]

    def unfinished_run_since(self, start_url: str, since: str) -> RunRecord | None:
        """The newest running or interrupted run of a site started at or after ``since``."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE start_url=? AND started_at>=?"
            f" AND status IN ({sql_states(RESUMABLE_RUNS)}) ORDER BY id DESC LIMIT 1",
            (start_url, since),
        ).fetchone()
        return self.run(int(row[0])) if row else None

    def set_next_run(self, start_url: str, job: str, next_run_at: str | None, cadence: str = "") -> None:
        self.write(
            upsert(
                "schedule_state",
                ("start_url", "job", "next_run_at", "cadence", "updated_at"),
                ("start_url", "job"),
            ),
            (start_url, job, next_run_at, cadence, now_iso()),
        )

    def next_runs(self, start_url: str) -> dict[str, tuple[str | None, str]]:
        """job -> (the next run time the service had scheduled (UTC ISO), its cadence), as stored."""
        rows = self.db.execute(
            "SELECT job, next_run_at, cadence FROM schedule_state WHERE start_url=?", (start_url,)
        )
        return {str(job): (str(at) if at else None, str(cadence)) for job, at, cadence in rows}

    def alert_level(self, start_url: str, alert: str) -> str | None:
        row = self.db.execute(
            "SELECT level FROM alert_state WHERE start_url=? AND alert=?", (start_url, alert)
        ).fetchone()
        return str(row[0]) if row else None

    def set_alert_level(self, start_url: str, alert: str, level: str) -> None:
        self.write(
            upsert("alert_state", ("start_url", "alert", "level", "changed_at"), ("start_url", "alert")),
            (start_url, alert, level, now_iso()),
        )

    def log_notification(
        self, start_url: str, event: str, channel: str, ok: bool, attempts: int, error: str
    ) -> None:
        self.write(
            "INSERT INTO notifications (start_url, at, event, channel, ok, attempts, error)"
            " VALUES (?,?,?,?,?,?,?)",
            (start_url, now_iso(), event, channel, int(ok), attempts, error),
        )

    def notifications(self, start_url: str, limit: int = 50) -> list[NotificationRow]:
        """A site's notification attempts, newest first."""
        rows = self.db.execute(
            "SELECT id, start_url, at, event, channel, ok, attempts, error FROM notifications"
            " WHERE start_url=? ORDER BY id DESC LIMIT ?",
            (start_url, limit),
        ).fetchall()
        return [NotificationRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]




