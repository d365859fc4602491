"""A full audit or a recheck as a service job: run in a worker thread, stoppable from outside.

The crawl gets its own thread and event loop (``asyncio.run``), so HTML parsing never stalls the
service's loop, where the availability probes are timed. :class:`CrawlControl` is the handle the
service keeps: ``stop()`` asks the crawler (on its own loop, thread-safely) to end as
``sitecheck crawl`` does on SIGTERM; what was fetched is already in the store, the run becomes
``interrupted`` and the next start continues it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# run_audit/run_recheck own their event loop and give no handle on the crawler, which a
# service must have to stop a crawl on SIGTERM, so the same public steps are composed here.
from sitecheck.audit import Audit, last_judged_run
from sitecheck.config import AuditConfig
from sitecheck.crawl.engine import CrawlStats
from sitecheck.errors import SitecheckError
from sitecheck.models import OPEN_STATES, FindingKind, FindingState, Job, JobOutcome, RunKind, TallyLevel
from sitecheck.report.checklist import RunSummary
from sitecheck.report.labels import KIND_LABELS
from sitecheck.sitelock import SiteBusyError, SiteLock
from sitecheck.store import Store

log = logging.getLogger(__name__)

_PROGRESS_EVERY = 60.0  # seconds between progress lines in the service log


class CrawlControl:
    """Thread-safe stop handle for one crawl running on another thread's event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._stopped = False

    @property
    def stopped(self) -> bool:
        return self._stopped

    def attach(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        """The crawl's loop and the event that stops it (Audit.crawl's ``stop``)."""
        with self._lock:
            self._loop, self._event = loop, event
            stop_now = self._stopped
        if stop_now:  # stop was asked for before the crawl began
            event.set()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            loop, event = self._loop, self._event
        if loop is not None and event is not None:
            # RuntimeError: the crawl's loop has already closed, nothing left to stop.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)


@dataclass(frozen=True, slots=True)
class CrawlOutcome:
    """How a crawl job ended, with what notifications need from its summary."""

    status: JobOutcome
    run_id: int | None = None
    detail: str = ""
    report_dir: Path | None = None
    pages: int = 0
    open_findings: int = 0
    new_findings: int = 0  # new and reopened
    fixed: int = 0
    new_by_kind: tuple[tuple[str, int], ...] = ()
    new_examples: tuple[str, ...] = ()  # a few new findings, one line each
    veto_level: str = "ok"  # fail (would fail a spot check), warn, ok
    veto_lines: tuple[str, ...] = ()  # the indicators at or past their warning line
    home_unreachable: bool = False
    incomplete: str = ""  # why the run did not read everything: nothing is announced as fixed


def _outcome(run_id: int, result_dir: Path | None, summary: RunSummary) -> CrawlOutcome:
    new = [f for f in summary.findings if f.state in (FindingState.NEW, FindingState.REOPENED)]
    by_kind: dict[str, int] = {}
    for finding in new:
        by_kind[finding.kind.value] = by_kind.get(finding.kind.value, 0) + 1
    examples = tuple(f"[{KIND_LABELS[f.kind]}] {f.url} {f.detail}".rstrip() for f in new[:10])
    lines = [line for line in summary.tally.lines if line.status is not TallyLevel.PASS]
    level = "fail" if summary.tally.would_fail else ("warn" if lines else "ok")
    return CrawlOutcome(
        status=JobOutcome.INCOMPLETE if summary.incomplete else JobOutcome.FINISHED,
        run_id=run_id,
        incomplete=summary.incomplete,
        report_dir=result_dir,
        pages=summary.pages,
        open_findings=sum(1 for f in summary.findings if f.state in OPEN_STATES),
        new_findings=len(new),
        fixed=summary.by_state.get(FindingState.FIXED, 0),
        new_by_kind=tuple(sorted(by_kind.items())),
        new_examples=examples,
        veto_level=level,
        veto_lines=tuple(
            f"{line.indicator}：{line.count} {line.unit}（否决线 {line.limit}）" for line in lines
        ),
        home_unreachable=any(f.kind is FindingKind.HOME_UNREACHABLE for f in summary.open_findings),
    )


def run_crawl(
    config: AuditConfig,
    job: str,
    control: CrawlControl,
    *,
    log_id: int,
    resume_run: int | None = None,
) -> CrawlOutcome:
    """Crawl, judge and write the reports of one audit or recheck (blocking; a worker thread).

    ``resume_run`` continues an interrupted run instead of starting one. The job log entry
    ``log_id`` gets the run id as soon as it is known, so a service killed mid-crawl (even with
    kill -9) knows at its next start which run to continue.
    """
    store = Store(config.data_dir)
    run_id = resume_run
    lock = SiteLock(config.data_dir, config.site.start_url, holder="sitecheck serve")
    try:
        try:
            lock.acquire()
        except SiteBusyError as exc:  # a manual crawl of the same site is running
            return CrawlOutcome(JobOutcome.SKIPPED, detail=str(exc))
        audit = Audit(config, store)
        if run_id is not None:
            run = store.run(run_id)
            if run is None:
                return CrawlOutcome(JobOutcome.FAILED, run_id, detail=f"事实库中没有运行 {run_id}")
        elif job == Job.RECHECK:
            if last_judged_run(store, config.site.start_url) is None:
                return CrawlOutcome(JobOutcome.SKIPPED, detail="还没有已完成的检查可供复查")
            run = audit.begin(RunKind.RECHECK)
        else:
            run = audit.begin(RunKind.FULL)
        run_id = run.id
        store.update_job(log_id, run_id=run_id)
        progress = _Progress(config.site_name)

        async def crawl() -> CrawlStats:
            stop = asyncio.Event()
            control.attach(asyncio.get_running_loop(), stop)
            return await audit.crawl(run, progress=progress, stop=stop)

        stats = asyncio.run(crawl())
        if stats.interrupted:
            return CrawlOutcome(
                JobOutcome.INTERRUPTED,
                run_id,
                detail=f"已保存 {stats.pages} 个页面、{stats.checked} 个链接；下次启动时续跑",
            )
        judgement = audit.judge(run)
        audit.save(run, judgement)
        summary, folder = audit.report(run, judgement)
        if judgement.home_problem is not None:  # the home page was not read as a page
            return CrawlOutcome(
                JobOutcome.FAILED, run_id, detail=judgement.home_problem, home_unreachable=True
            )
        return _outcome(run_id, folder, summary)
    except SitecheckError as exc:
        return CrawlOutcome(JobOutcome.FAILED, run_id, detail=str(exc))
    finally:
        lock.release()
        store.close()


class _Progress:
    """A progress line in the service log every minute."""

    def __init__(self, site: str) -> None:
        self.site = site
        self.last = time.monotonic()

    def __call__(self, stats: CrawlStats) -> None:
        if time.monotonic() - self.last >= _PROGRESS_EVERY:
            self.last = time.monotonic()
            log.info(
                "%s：运行 %d，已读 %d 个页面，已查 %d 个链接，待查 %d 个，不可用 %d 个",
                self.site,
                stats.run_id,
                stats.pages,
                stats.checked,
                stats.queued,
                stats.dead,
            )
