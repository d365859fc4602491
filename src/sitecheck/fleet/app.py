"""The fleet's procrastinate app: the tasks a worker runs and how they are queued.

Every job of a portal (audit, recheck, probe) carries the procrastinate ``lock`` named after the
portal: procrastinate never starts a job while another job with the same lock is ``doing``, so
no two workers on any machines crawl one portal at once.

A worker that dies (kill -9, a machine lost) leaves its job ``doing``. Procrastinate's own
recovery brings it back: workers send heartbeats; the periodic task ``retry_stalled`` (the
recipe of procrastinate's documentation, "Retry stalled jobs") asks the job manager for the
jobs of workers whose heartbeat stopped (``get_stalled_jobs``) and retries them. The retried
audit resumes the portal's unfinished run from the stored frontier (``run_audit(resume=True)``).

SIGTERM/SIGINT: procrastinate's graceful shutdown — the worker takes no new job and waits for
the running ones, so an audit in progress finishes and is judged before the worker exits.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
import psycopg

from sitecheck.audit import run_audit, run_recheck
from sitecheck.config import AuditConfig
from sitecheck.fleet import STALLED_SECONDS, registry
from sitecheck.fleet.stagger import DEFAULT_SPREAD, JOBS, due
from sitecheck.models import RESUMABLE_RUNS
from sitecheck.service.probe import probe_home
from sitecheck.store import Store

log = logging.getLogger(__name__)

QUEUE = "sitecheck"  # the portals' audits, rechecks and probes
SCHEDULE_QUEUE = "sitecheck-schedule"  # the scheduler's tick, run by `fleet schedule` itself
TASKS = {job: f"sitecheck.{job}" for job in JOBS}
KEEP_DAYS = 30  # succeeded jobs are deleted after this (failed ones stay for `fleet status`)


def portal_lock(start_url: str) -> str:
    """The procrastinate lock every job of a portal holds while it runs."""
    return f"sitecheck-portal:{start_url}"


def queueing_lock(job: str, start_url: str) -> str:
    """At most one waiting job of a kind per portal: a schedule never piles jobs up."""
    return f"sitecheck-{job}:{start_url}"


def _stall_cron(stalled_seconds: float) -> str:
    """How often the workers look for stalled jobs: every minute (a job row a minute, pruned
    after KEEP_DAYS), or every half of a shorter stall time (cron's seconds field, for tests)."""
    if stalled_seconds >= 60:
        return "* * * * *"
    return f"* * * * * */{max(1, round(stalled_seconds / 2))}"


class FleetSettings:
    """The worker's settings the tasks read (one app per process)."""

    def __init__(self, db: str, worker_name: str = "", stalled_seconds: float = STALLED_SECONDS) -> None:
        self.db = db
        self.worker_name = worker_name
        self.stalled_seconds = stalled_seconds
        self.spread_seconds: float = DEFAULT_SPREAD


def connect(db: str) -> psycopg.Connection[Any]:
    return psycopg.connect(db, autocommit=True, connect_timeout=15)


def portal_config(settings: FleetSettings, start_url: str) -> AuditConfig | None:
    with connect(settings.db) as conn:
        found = registry.portal(conn, start_url)
    if found is None:
        return None
    config = found.config(settings.db)
    if settings.worker_name:
        # Which machine read the page, in the portal's access log (robots.txt rules match the
        # product token before the first "/", which this suffix leaves as it was).
        agent = f"{config.politeness.user_agent} sitecheck-fleet-worker/{settings.worker_name}"
        config = config.replace("politeness", user_agent=agent)
    return config


def _unfinished_run(config: AuditConfig) -> bool:
    """Whether the portal's latest run was left unfinished (a worker died in it)."""
    store = Store(config.data_dir)
    try:
        latest = store.latest_run(config.site.start_url)
    finally:
        store.close()
    return latest is not None and latest.status in RESUMABLE_RUNS


def build_app(settings: FleetSettings) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=settings.db))

    @app.task(name=TASKS["audit"], queue=QUEUE)
    async def audit(start_url: str) -> str:
        config = await asyncio.to_thread(portal_config, settings, start_url)
        if config is None:
            return "removed from the fleet"
        # A run left unfinished (its worker died, the job was retried) is continued from the
        # stored frontier; otherwise this is a new audit.
        resume = await asyncio.to_thread(_unfinished_run, config)
        result = await asyncio.to_thread(run_audit, config, resume=resume, handle_signals=False)
        done = "interrupted" if result.summary is None else f"{len(result.findings)} findings"
        return f"run {result.run_id}{' (resumed)' if resume else ''}: {done}"

    @app.task(name=TASKS["recheck"], queue=QUEUE)
    async def recheck(start_url: str) -> str:
        config = await asyncio.to_thread(portal_config, settings, start_url)
        if config is None:
            return "removed from the fleet"
        result = await asyncio.to_thread(run_recheck, config, handle_signals=False)
        return f"run {result.run_id}: {len(result.findings)} findings"

    @app.task(name=TASKS["probe"], queue=QUEUE)
    async def probe(start_url: str) -> str:
        config = await asyncio.to_thread(portal_config, settings, start_url)
        if config is None:
            return "removed from the fleet"
        result = await probe_home(config)
        await asyncio.to_thread(_store_probe, config, result)
        return result.outcome.value

    @app.periodic(cron=_stall_cron(settings.stalled_seconds), periodic_id="retry-stalled")
    @app.task(
        name="sitecheck.retry_stalled", queue=QUEUE, queueing_lock="sitecheck-retry-stalled", priority=100
    )
    async def retry_stalled(timestamp: int) -> int:
        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_seconds)
        stalled = list(stalled)
        for job in stalled:
            log.warning("job %s (%s) of a dead worker is retried", job.id, job.call_string)
            await app.job_manager.retry_job(job)
        return len(stalled)

    @app.periodic(cron="17 3 * * *", periodic_id="prune")
    @app.task(name="sitecheck.prune", queue=QUEUE, queueing_lock="sitecheck-prune")
    async def prune(timestamp: int) -> None:
        for queue in (QUEUE, SCHEDULE_QUEUE):
            await app.job_manager.delete_old_jobs(nb_hours=KEEP_DAYS * 24, queue=queue)

    @app.task(name="sitecheck.tick", queue=SCHEDULE_QUEUE, queueing_lock="sitecheck-tick")
    async def tick(timestamp: int) -> int:
        return await defer_due(app, settings, timestamp)

    return app


def _store_probe(config: AuditConfig, result: Any) -> None:
    store = Store(config.data_dir)
    try:
        store.add_probe(
            config.site.start_url,
            result.at,
            result.outcome,
            result.status,
            result.latency_ms,
            result.error,
            result.final_url,
        )
    finally:
        store.close()


async def defer(app: procrastinate.App, job: str, start_url: str, **options: Any) -> int | None:
    """Queue one job of a portal; None when one of its kind is already waiting."""
    task = app.tasks[TASKS[job]]
    try:
        return await task.configure(
            lock=portal_lock(start_url), queueing_lock=queueing_lock(job, start_url), **options
        ).defer_async(start_url=start_url)
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


async def defer_due(
    app: procrastinate.App, settings: FleetSettings, timestamp: int, window: float = 60.0
) -> int:
    """The scheduler's tick: defer every portal job whose time fell in the last minute, to
    start at its staggered moment."""
    until = datetime.fromtimestamp(timestamp, tz=UTC)
    after = until - timedelta(seconds=window)
    with connect(settings.db) as conn:
        fleet = registry.portals(conn)
    count = 0
    for entry in fleet:
        portal = entry.portal(settings.db)
        for job in JOBS:
            for when in due(portal, job, after, until, settings.spread_seconds):
                if await defer(app, job, entry.start_url, schedule_at=when) is not None:
                    count += 1
    return count
