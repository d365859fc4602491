"""The long-running service: audits, rechecks and home-page probes of one or more portals.

One asyncio loop runs the scheduler, the probes and the notifications; each audit or recheck
runs in a worker thread with its own loop (see :mod:`sitecheck.service.crawljob`), so a crawl's
HTML parsing never delays a probe and never skews its latency.

What survives a restart lives in the fact store, per portal: every probe, the job log (each
fired, skipped, missed, interrupted and resumed job), each job's next run time and the alert
levels last announced. At start the service

1. continues every crawl the last process left unfinished (stopped by SIGTERM, or killed),
2. runs once an audit or recheck whose stored next run passed while it was down, if that is
   within ``schedule.misfire_grace`` (several missed runs coalesce into one); older ones are
   recorded as ``missed``,
3. schedules every job again, keeping stored next run times that are still ahead.

Overlap: APScheduler runs each job with ``max_instances=1`` and the service keeps at most one
crawl per portal (an audit and a recheck of one site never run together); a trigger that fires
while a crawl of the portal is running is skipped and recorded in the job log.

SIGTERM / SIGINT: no new jobs; running crawls are asked to stop (their runs become
``interrupted``: everything fetched is in the store), notifications in flight get a short
grace, then the process exits 0. The next start continues the interrupted runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from sitecheck.errors import StoreError
from sitecheck.judge.availability import Availability, window
from sitecheck.models import RESUMABLE_RUNS, Job, JobLogRow, JobOutcome
from sitecheck.report.labels import KIND_LABELS, OUTCOME_LABELS
from sitecheck.service import JOBS
from sitecheck.service.commands import CAUSE_TEXT, JOB_LABELS, OUTCOME_TEXT
from sitecheck.service.crawljob import CrawlControl, CrawlOutcome, run_crawl
from sitecheck.service.notify import Notification, Notifier, RetryPolicy, message_lines
from sitecheck.service.portals import Portal
from sitecheck.service.probe import ProbeResult, probe_home
from sitecheck.service.retention import prune_reports
from sitecheck.service.schedule import Cadence, Scheduler
from sitecheck.store import Store, now_iso
from sitecheck.timefmt import shown

log = logging.getLogger("sitecheck.service")

_LEVEL_RANK = {"ok": 0, "warn": 1, "fail": 2}
_LEVEL_LABELS = {"ok": "正常", "warn": "预警", "fail": "达到否决线"}
# A failure ratio over fewer probes than this is noise (one failed probe of the first three
# would read as 33%); availability alerts wait until a day's worth of probes, at most 20.
_MIN_PROBES = 20


@dataclass(frozen=True, slots=True)
class _Resume:
    row: JobLogRow
    run_id: int


@dataclass(slots=True)
class _StartPlan:
    """What a portal must do right after the service starts, before its schedule takes over."""

    resumes: list[_Resume] = field(default_factory=list)
    catch_ups: list[tuple[str, str]] = field(default_factory=list)  # (job, the missed fire time)
    kept: dict[str, datetime] = field(default_factory=dict)  # job -> stored next run still ahead


def _log_failure(task: asyncio.Task[None]) -> None:
    """No exception dies unseen in a background task: it is logged with its traceback."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("后台任务出错：%s", exc, exc_info=exc)


def _parse(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _absolute(path: Path) -> Path:
    """A report folder as a reader elsewhere can open it: relative paths are the service's own."""
    return path.resolve()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Service:
    """Runs until :meth:`request_stop` (or SIGTERM/SIGINT when it handles signals).

    ``cadences`` replaces the configured schedule of a job for every portal (tests, and
    schedules in seconds); ``now_jobs`` run once right after the start (``serve --now``).
    """

    def __init__(
        self,
        portals: Sequence[Portal],
        *,
        cadences: Mapping[str, Cadence] | None = None,
        retry: RetryPolicy | None = None,
        now_jobs: Sequence[str] = (),
        stop_timeout: float = 60.0,
        notify_grace: float = 10.0,
    ) -> None:
        self.portals = tuple(portals)
        self.cadences = dict(cadences or {})
        self.retry = retry or RetryPolicy()
        self.now_jobs = tuple(now_jobs)
        self.stop_timeout = stop_timeout
        self.notify_grace = notify_grace
        self.started = threading.Event()  # set once the schedule is running (tests wait for it)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._stop_requested = False
        self._stores: dict[Path, Store] = {}
        self._notifiers = {p.key: Notifier(p.config.notify, self.retry) for p in self.portals}
        self._jobs: dict[str, tuple[Portal, str]] = {}
        self._busy: dict[str, str] = {}  # portal key -> the crawl job running for it
        self._controls: dict[str, CrawlControl] = {}
        self._crawl_tasks: set[asyncio.Task[None]] = set()
        self._notify_tasks: set[asyncio.Task[None]] = set()
        self._startup_tasks: set[asyncio.Task[None]] = set()
        self._scheduler: Scheduler | None = None
        self._locks: list[IO[bytes]] = []

    # -- lifecycle ----------------------------------------------------------------------------
    def run(self, *, handle_signals: bool = True) -> None:
        asyncio.run(self.serve(handle_signals=handle_signals))

    def request_stop(self) -> None:
        """Stop gracefully; callable from any thread."""
        self._stop_requested = True
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stopping.set)

    async def serve(self, *, handle_signals: bool = True) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stopping = asyncio.Event()
        if self._stop_requested:
            self._stopping.set()
        installed: list[signal.Signals] = []
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    loop.add_signal_handler(sig, self._on_signal, sig)
                    installed.append(sig)
                except (NotImplementedError, RuntimeError, ValueError):
                    pass  # not the main thread, or no signals on this platform
        try:
            for portal in self.portals:
                self._store(portal)  # open every store first: a bad data_dir fails the start
            self._lock_stores()
            plans = {portal.key: self._plan(portal) for portal in self.portals}
            self._scheduler = Scheduler(self._record_next_run, self._record_skip)
            for portal in self.portals:
                self._schedule(portal, plans[portal.key])
            self._scheduler.start()
            for portal in self.portals:
                self._spawn(self._startup_tasks, self._startup(portal, plans[portal.key]))
            log.info("服务已启动：监测 %d 个网站", len(self.portals))
            self.started.set()
            await self._stopping.wait()
            running = len(self._controls)
            log.info(
                "正在停止：不再开始新任务%s",
                f"；中断 {running} 个进行中的检查，下次启动时续跑" if running else "",
            )
        finally:
            await self._shutdown()
            for sig in installed:
                loop.remove_signal_handler(sig)
            for store in self._stores.values():
                store.close()
            self._stores.clear()
            for handle in self._locks:
                handle.close()  # releases the lock
            self._locks.clear()
            log.info("服务已停止")

    def _on_signal(self, sig: int) -> None:
        log.info("收到停止信号 %s", signal.Signals(sig).name)
        if self._stopping is not None:
            self._stopping.set()

    async def _shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.pause()
        for control in list(self._controls.values()):
            control.stop()
        pending = set(self._crawl_tasks)
        if pending:
            _, still = await asyncio.wait(pending, timeout=self.stop_timeout)
            for task in still:
                log.error("有检查未在 %.0f 秒内停下；下次启动时续跑", self.stop_timeout)
                task.cancel()
        if self._startup_tasks:
            # Startup sequences stop at their next step (the service is stopping).
            await asyncio.wait(set(self._startup_tasks), timeout=5)
        if self._notify_tasks:
            _, late = await asyncio.wait(set(self._notify_tasks), timeout=self.notify_grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)
        if self._scheduler is not None:
            self._scheduler.shutdown()
            await asyncio.sleep(0)  # APScheduler's shutdown runs on the loop's next turn

    def _spawn(self, tasks: set[asyncio.Task[None]], coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        task.add_done_callback(_log_failure)

    def stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    def _lock_stores(self) -> None:
        """One service per data directory: a second one would resume the first one's crawls."""
        for path in self._stores:
            handle = (path / "service.lock").open("ab")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise StoreError(
                    f"another sitecheck serve is already using the data directory {path}"
                ) from None
            self._locks.append(handle)

    def _store(self, portal: Portal) -> Store:
        path = Path(portal.config.data_dir).resolve()
        store = self._stores.get(path)
        if store is None:
            store = self._stores[path] = Store(path)
        return store

    # -- schedule -----------------------------------------------------------------------------
    def cadence(self, portal: Portal, job: str) -> Cadence | None:
        return self.cadences.get(job) or portal.cadence(job)

    def _misfire_grace(self, portal: Portal, job: str, cadence: Cadence) -> float:
        if job == Job.PROBE:  # a probe later than its own slot is pointless: the next one is due
            return cadence.slot_seconds or cadence.every_seconds or 60.0
        return float(portal.config.schedule.misfire_grace)

    def _plan(self, portal: Portal) -> _StartPlan:
        """Read what the last process left (before the schedule overwrites the stored times)."""
        store, key = self._store(portal), portal.key
        plan = _StartPlan()
        resumed: set[int] = set()
        for row in store.unfinished_jobs(key):
            run = store.run(row.run_id) if row.run_id else None
            if run is None:
                run = store.unfinished_run_since(key, row.started_at or row.fired_at)
            # A run killed after its crawl (crawled, not judged) is continued too: it is judged then.
            if run is not None and run.status in RESUMABLE_RUNS and run.id not in resumed:
                resumed.add(run.id)
                plan.resumes.append(_Resume(row, run.id))
            else:
                note = f"run {run.id} is {run.status}" if run is not None else "no crawl had begun"
                store.update_job(
                    row.id, outcome="interrupted", detail=f"service stopped; {note}; nothing to resume"
                )
        now = datetime.now(UTC)
        stored = store.next_runs(key)
        for job in JOBS:
            cadence = self.cadence(portal, job)
            at, stored_cadence = stored.get(job, (None, ""))
            if cadence is None or at is None:
                continue
            when = _parse(at)
            if when > now:
                # Kept across the restart unless the config now says otherwise.
                if stored_cadence == cadence.describe():
                    plan.kept[job] = when
                continue
            if job == Job.PROBE:
                continue  # missed probes are a gap in the record, not something to run late
            late = now - when
            grace = timedelta(seconds=self._misfire_grace(portal, job, cadence))
            if any(r.row.job == job for r in plan.resumes):
                store.log_job(key, job, "schedule", "skipped", fired_at=at, detail="改为续跑被中断的那次检查")
            elif late <= grace:
                plan.catch_ups.append((job, at))
            else:
                store.log_job(
                    key,
                    job,
                    "schedule",
                    "missed",
                    fired_at=at,
                    detail=f"服务停止期间错过，已晚 {late.total_seconds():.0f} 秒，超过补跑时限",
                )
        return plan

    def _schedule(self, portal: Portal, plan: _StartPlan) -> None:
        assert self._scheduler is not None
        for job in JOBS:
            cadence = self.cadence(portal, job)
            if cadence is None:
                continue
            ident = portal.job_id(job)
            self._jobs[ident] = (portal, job)
            self._scheduler.add(
                ident,
                self._job_function(portal, job),
                cadence,
                misfire_grace=self._misfire_grace(portal, job, cadence),
                next_run=plan.kept.get(job),
            )

    def _job_function(self, portal: Portal, job: str) -> Callable[[], Awaitable[None]]:
        # A partial of a coroutine method: APScheduler runs it on the loop (a callable object
        # with an async __call__ would be taken for a plain function and run in a thread).
        return functools.partial(self._scheduled, portal, job)

    async def _scheduled(self, portal: Portal, job: str) -> None:
        if job == Job.PROBE:
            await self.probe(portal)
        else:
            await self.crawl(portal, job, "schedule")

    def _record_next_run(self, ident: str, when: datetime | None) -> None:
        found = self._jobs.get(ident)
        if found is not None:
            portal, job = found
            cadence = self.cadence(portal, job)
            self._store(portal).set_next_run(
                portal.key, job, _iso(when) if when else None, cadence.describe() if cadence else ""
            )

    def _record_skip(self, ident: str, when: datetime, reason: str) -> None:
        found = self._jobs.get(ident)
        if found is None:
            return
        portal, job = found
        if reason == "running":
            detail = f"上一次{JOB_LABELS.get(job, job)}仍在进行"
            outcome = "skipped"
        else:
            detail = "开始太晚（超过补跑时限 misfire_grace）"
            outcome = "missed"
        self._store(portal).log_job(portal.key, job, "schedule", outcome, fired_at=_iso(when), detail=detail)
        log.info(
            "%s：%s%s：%s", portal.name, JOB_LABELS.get(job, job), OUTCOME_TEXT.get(outcome, outcome), detail
        )

    async def _startup(self, portal: Portal, plan: _StartPlan) -> None:
        try:
            for resume in plan.resumes:
                await self.crawl(portal, resume.row.job, "resume", resume=resume)
            for job, missed_at in plan.catch_ups:
                await self.crawl(portal, job, "catch_up", fired_at=missed_at)
            for job in self.now_jobs:  # even when the job's schedule is switched off
                if job == Job.PROBE:
                    await self.probe(portal)
                else:
                    await self.crawl(portal, job, "manual")
        except Exception:
            log.exception("%s：启动时的任务出错", portal.name)

    # -- crawl jobs -----------------------------------------------------------------------------
    async def crawl(
        self,
        portal: Portal,
        job: str,
        cause: str,
        *,
        resume: _Resume | None = None,
        fired_at: str | None = None,
    ) -> None:
        """Run an audit or recheck of ``portal`` now, unless one is running; never raises.

        ``fired_at``: when it was due (a catch-up's missed fire time); default now.
        """
        if self.stopping():
            return
        store, key = self._store(portal), portal.key
        running = self._busy.get(key)
        if running is not None:
            store.log_job(
                key,
                job,
                cause,
                "skipped",
                fired_at=fired_at,
                detail=f"上一次{JOB_LABELS.get(running, running)}仍在进行",
            )
            log.info(
                "%s：跳过%s：上一次%s仍在进行",
                portal.name,
                JOB_LABELS.get(job, job),
                JOB_LABELS.get(running, running),
            )
            return
        self._busy[key] = job
        control = CrawlControl()
        self._controls[key] = control
        task = asyncio.current_task()
        if task is not None:
            self._crawl_tasks.add(task)
        run_id = resume.run_id if resume is not None else None
        detail = f"续跑运行 {run_id}（任务 {resume.row.id}）" if resume is not None else ""
        log_id = store.log_job(
            key, job, cause, "running", fired_at=fired_at, started=True, run_id=run_id, detail=detail
        )
        if resume is not None:
            store.update_job(resume.row.id, outcome="resumed", detail=f"由任务 {log_id} 续跑")
        log.info(
            "%s：%s开始（%s）%s",
            portal.name,
            JOB_LABELS.get(job, job),
            CAUSE_TEXT.get(cause, cause),
            f"：{detail}" if detail else "",
        )
        try:
            outcome = await asyncio.to_thread(
                run_crawl, portal.config, job, control, log_id=log_id, resume_run=run_id
            )
        except Exception as exc:  # a bug must cost one job, not the service
            log.exception("%s：%s出错", portal.name, JOB_LABELS.get(job, job))
            outcome = CrawlOutcome(
                JobOutcome.ERROR, run_id, detail=f"程序错误（{type(exc).__name__}），详见服务日志"
            )
        finally:
            self._busy.pop(key, None)
            self._controls.pop(key, None)
            if task is not None:
                self._crawl_tasks.discard(task)
        try:
            await self._after_crawl(portal, job, log_id, outcome)
        except Exception:
            log.exception("%s：%s结束后的记录出错", portal.name, JOB_LABELS.get(job, job))

    async def _after_crawl(self, portal: Portal, job: str, log_id: int, outcome: CrawlOutcome) -> None:
        store, key = self._store(portal), portal.key
        detail = outcome.detail
        judged = outcome.status in (JobOutcome.FINISHED, JobOutcome.INCOMPLETE)
        if judged:
            detail = (
                f"{outcome.pages} 个页面；未整改 {outcome.open_findings} 个，"
                f"新发现 {outcome.new_findings} 个，已整改 {outcome.fixed} 个；"
                + (f"整改清单 {_absolute(outcome.report_dir)}" if outcome.report_dir else "未写整改清单")
            )
            if outcome.incomplete:
                detail += f"; 检查不完整：{outcome.incomplete}"
        store.update_job(log_id, outcome=outcome.status, run_id=outcome.run_id, detail=detail)
        log.info(
            "%s：%s%s：%s",
            portal.name,
            JOB_LABELS.get(job, job),
            OUTCOME_TEXT.get(outcome.status, outcome.status),
            detail,
        )
        if judged and outcome.report_dir is not None:
            deleted = prune_reports(outcome.report_dir.parent, portal.config.schedule.keep_runs)
            if deleted:
                log.info("%s：删除了 %d 个旧的整改清单目录", portal.name, len(deleted))
        if outcome.home_unreachable:
            self._home_level(portal, down=True, why=outcome.detail or "首页无法访问", at=now_iso())
        if not judged:
            return
        if outcome.new_findings:
            self._notify(portal, self._new_findings_message(portal, job, outcome))
        previous = store.alert_level(key, "veto") or "ok"
        if outcome.veto_level != previous:
            store.set_alert_level(key, "veto", outcome.veto_level)
            self._notify(portal, self._veto_message(portal, job, outcome, previous))

    # -- probes -----------------------------------------------------------------------------------
    async def probe(self, portal: Portal) -> None:
        """Probe the home page once, store it, and raise or clear alerts; never raises."""
        if self.stopping():
            return
        try:
            result = await probe_home(portal.config)
        except asyncio.CancelledError:
            if self.stopping():  # cut short by our own shutdown: not a failure, not recorded
                return
            raise
        except Exception:
            log.exception("%s：首页探测程序出错", portal.name)
            return
        try:
            self._after_probe(portal, result)
        except Exception:
            log.exception("%s：记录首页探测结果出错", portal.name)

    def _after_probe(self, portal: Portal, result: ProbeResult) -> None:
        store, key = self._store(portal), portal.key
        store.add_probe(
            key, result.at, result.outcome, result.status, result.latency_ms, result.error, result.final_url
        )
        failed = result.failed
        if failed is None:
            log.info("%s：首页探测被拦截或限流（%s），不计入", portal.name, OUTCOME_LABELS[result.outcome])
            return
        if failed:
            # The outcome's label says what happened; the library's English error text stays out.
            code = f"（HTTP {result.status}）" if result.status else ""
            log.warning(
                "%s：首页探测失败，用时 %d 毫秒：%s%s",
                portal.name,
                result.latency_ms,
                OUTCOME_LABELS[result.outcome],
                code,
            )
            why = f"{OUTCOME_LABELS[result.outcome]}{code}，用时 {result.latency_ms / 1000:.1f} 秒"
        else:
            why = f"HTTP {result.status}，用时 {result.latency_ms} 毫秒"
        self._home_level(portal, down=failed, why=why, at=result.at)
        schedule = portal.config.schedule
        found = window(store, key, warn_ratio=schedule.availability_warn)
        if found is None or found.probes < min(_MIN_PROBES, schedule.probes_per_day):
            return
        previous = store.alert_level(key, "availability") or "ok"
        if found.level != previous:
            store.set_alert_level(key, "availability", found.level)
            self._notify(portal, self._availability_message(portal, found, previous))

    def _home_level(self, portal: Portal, *, down: bool, why: str, at: str) -> None:
        store, key = self._store(portal), portal.key
        level = "down" if down else "up"
        previous = store.alert_level(key, "home") or "up"
        if level == previous:
            return
        store.set_alert_level(key, "home", level)
        lines: tuple[str, ...]
        if down:
            subject = f"【sitecheck】{portal.name}：首页无法访问"
            lines = (
                f"{portal.key} 无法打开：{why}",
                f"时间：{self._shown(portal, at)}",
                "恢复访问时会再通知。",
            )
        else:
            subject = f"【sitecheck】{portal.name}：首页已恢复访问"
            lines = (f"{portal.key} 已可以打开：{why}", f"时间：{self._shown(portal, at)}")
        details = {"state": level, "reason": why}
        self._notify(portal, Notification("home_down", portal.name, key, subject, lines, at, details))

    # -- notifications ---------------------------------------------------------------------------
    @staticmethod
    def _shown(portal: Portal, at: str) -> str:
        """A moment in a message: the portal's zone, the one format (timefmt.shown)."""
        return shown(at, portal.config.schedule.timezone)

    def _notify(self, portal: Portal, notification: Notification) -> None:
        notifier = self._notifiers[portal.key]
        if not notifier.wants(notification.event):
            return
        self._spawn(self._notify_tasks, self._deliver(portal, notifier, notification))

    async def _deliver(self, portal: Portal, notifier: Notifier, notification: Notification) -> None:
        try:
            deliveries = await notifier.send(notification)
        except asyncio.CancelledError:
            for channel in notifier.channels:
                self._store(portal).log_notification(
                    portal.key, notification.event, channel, False, 0, "服务在送达前停止"
                )
            raise
        for delivery in deliveries:
            self._store(portal).log_notification(
                portal.key,
                notification.event,
                delivery.channel,
                delivery.ok,
                delivery.attempts,
                delivery.error,
            )

    def _new_findings_message(self, portal: Portal, job: str, outcome: CrawlOutcome) -> Notification:
        labels = {kind.value: label for kind, label in KIND_LABELS.items()}
        counts = [f"{labels.get(kind, kind)}：{count}" for kind, count in outcome.new_by_kind]
        footer = [
            f"未整改问题共 {outcome.open_findings} 个，本次已整改 {outcome.fixed} 个。",
            *(f"  {example}" for example in outcome.new_examples),
        ]
        attachments: tuple[Path, ...] = ()
        if outcome.report_dir is not None:
            # Absolute: the reader is not in the service's working directory. The files go along
            # as attachments too (notify.py), for a reader with no access to this machine.
            folder = _absolute(outcome.report_dir)
            footer.append(f"整改清单：{folder / 'checklist.html'}（附件中有 HTML 与 XLSX 版本）")
            attachments = tuple(folder / name for name in ("checklist.html", "checklist.xlsx"))
        header = (
            f"{portal.name}（{portal.key}）{JOB_LABELS[job]}（运行 {outcome.run_id}）"
            f"新发现 {outcome.new_findings} 个问题："
        )
        return Notification(
            "new_findings",
            portal.name,
            portal.key,
            f"【sitecheck】{portal.name}：新发现 {outcome.new_findings} 个问题",
            message_lines(header, counts, footer),
            now_iso(),
            {
                "job": job,
                "run_id": outcome.run_id,
                "new": outcome.new_findings,
                "open": outcome.open_findings,
                "fixed": outcome.fixed,
                "new_by_kind": dict(outcome.new_by_kind),
                "report_dir": str(_absolute(outcome.report_dir)) if outcome.report_dir else None,
            },
            attachments,
        )

    def _veto_message(self, portal: Portal, job: str, outcome: CrawlOutcome, previous: str) -> Notification:
        level = outcome.veto_level
        if level == "ok":
            subject = f"【sitecheck】{portal.name}：单项否决风险已解除"
            header = f"{JOB_LABELS[job]}（运行 {outcome.run_id}）：所有单项否决指标均在预警线以下。"
        else:
            subject = f"【sitecheck】{portal.name}：单项否决风险（{_LEVEL_LABELS[level]}）"
            header = f"{JOB_LABELS[job]}（运行 {outcome.run_id}）：以下单项否决指标达到预警线或否决线："
        return Notification(
            "veto_risk",
            portal.name,
            portal.key,
            subject,
            message_lines(header, outcome.veto_lines),
            now_iso(),
            {"source": "audit", "level": level, "previous": previous, "run_id": outcome.run_id},
        )

    def _availability_message(self, portal: Portal, found: Availability, previous: str) -> Notification:
        ratio = f"{found.ratio:.1%}"
        line = (
            f"近 {found.days:g} 天首页探测 {found.probes} 次，失败 {found.failures} 次，失败率 {ratio}"
            f"（预警线 {found.warn_ratio:.0%}，否决线 {found.veto_ratio:.0%}：国办秘函〔2019〕19号）"
        )
        if found.level == "ok":
            subject = f"【sitecheck】{portal.name}：首页可用性恢复正常（失败率 {ratio}）"
        else:
            subject = f"【sitecheck】{portal.name}：首页可用性{_LEVEL_LABELS[found.level]}（失败率 {ratio}）"
        latency = (
            f"响应时间中位数 {found.latency_ms_median:.0f} 毫秒"
            if found.latency_ms_median is not None
            else ""
        )
        return Notification(
            "veto_risk",
            portal.name,
            portal.key,
            subject,
            tuple(x for x in (line, latency) if x),
            now_iso(),
            {
                "source": "availability",
                "level": found.level,
                "previous": previous,
                "ratio": found.ratio,
                "probes": found.probes,
                "failures": found.failures,
            },
        )
