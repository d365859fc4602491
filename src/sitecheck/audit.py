"""One audit, end to end: crawl -> judge -> reports. The only place that knows every stage."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sitecheck import __version__
from sitecheck.config import AuditConfig, annual_report_due, config_from_mapping
from sitecheck.crawl.engine import Crawler, CrawlStats, ProgressCallback
from sitecheck.crawl.pool import WorkerPool, auto_workers, engine_reads_too
from sitecheck.crawl.reader import LocalReader, Reader
from sitecheck.errors import AuditError
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.fetch.robots import RobotsPolicy
from sitecheck.fetch.tls import HostProbes, trust_context
from sitecheck.judge import JudgeContext, Judgement, judge, save
from sitecheck.judge.categories import load_column_rules
from sitecheck.judge.columns import column_key
from sitecheck.loop import run as run_loop
from sitecheck.models import (
    JUDGED_RUNS,
    OPEN_STATES,
    RESUMABLE_RUNS,
    Finding,
    FindingKind,
    RunKind,
    RunRecord,
    RunStatus,
)
from sitecheck.report import write_reports
from sitecheck.report.checklist import RunSummary, summarize
from sitecheck.report.jsonfile import write_json
from sitecheck.report.labels import OUTCOME_LABELS
from sitecheck.sitelock import SiteLock
from sitecheck.store import Store
from sitecheck.urls import canonical

COLUMN_KINDS = frozenset(
    {
        FindingKind.EMPTY_COLUMN,
        FindingKind.STALE_COLUMN,
        FindingKind.UNDATED_COLUMN,
        FindingKind.STALE_COLUMN_WARNING,
        FindingKind.TO_VERIFY,
    }
)


@dataclass(frozen=True, slots=True)
class AuditResult:
    run_id: int
    stats: CrawlStats
    summary: RunSummary | None  # None when the crawl was interrupted
    report_dir: Path | None = None

    @property
    def findings(self) -> list[Finding]:
        return self.summary.findings if self.summary else []

    @property
    def needs_action(self) -> bool:
        return self.summary is not None and self.summary.needs_action

    @property
    def incomplete(self) -> str:
        """Why the run did not read everything ("" when it did, or when it was interrupted)."""
        return self.summary.incomplete if self.summary else ""


class Audit:
    """The one conductor of an audit: ``begin → crawl → judge → save → report``.

    The CLI and the service use the same five public steps; each step is usable on its own
    (``sitecheck judge`` is ``judge`` alone, ``sitecheck columns`` too, and neither writes).
    """

    def __init__(self, config: AuditConfig, store: Store, *, as_of: date | None = None) -> None:
        self.config = config
        self.store = store
        self.as_of = as_of  # the judging date (None: today); a new run is also read "as of" it

    def begin(self, kind: RunKind = RunKind.FULL, *, resume: bool = False) -> RunRecord:
        """The run to crawl: a new one, the one ``resume`` continues, or a new recheck copy."""
        if kind is RunKind.RECHECK:
            run_id = prepare_recheck(self.store, self.config, self.as_of or date.today())
        else:
            previous = _run_to_resume(self.store, self.config.site.start_url) if resume else None
            if previous is not None:
                return previous
            config_json = json.dumps(dataclasses.asdict(self.config), ensure_ascii=False, sort_keys=True)
            run_id = self.store.create_run(
                self.config.site_name,
                self.config.site.start_url,
                config_json,
                __version__,
                self.as_of or date.today(),
            )
        run = self.store.run(run_id)
        assert run is not None
        return run

    async def crawl(
        self,
        run: RunRecord,
        *,
        progress: ProgressCallback | None = None,
        stop: asyncio.Event | None = None,
    ) -> CrawlStats:
        """Read what the run still has to read; setting ``stop`` ends it gracefully."""
        config = self.config
        # A resumed run reads as it began: year-less dates are placed against the same day.
        observed_on = date.fromisoformat(run.observed_on) if run.observed_on else date.today()
        limiter = HostLimiter(config.politeness.per_host_concurrency, config.politeness.min_interval)
        async with build_client(config, crawl=True) as client, AsyncExitStack() as cleanup:
            fetcher = Fetcher(client, FetchPolicy.from_config(config), limiter)
            robots = RobotsPolicy(
                fetcher, config.politeness.user_agent, enabled=config.politeness.respect_robots
            )
            reader: Reader = LocalReader(fetcher, config, observed_on)
            workers = auto_workers(config)
            pool: WorkerPool | None = None
            if workers:
                pool = WorkerPool(
                    config, observed_on, workers, limiter, here=reader if engine_reads_too(config) else None
                )
                cleanup.push_async_callback(pool.close)
                await pool.start()
                reader = pool
            crawler = Crawler(
                config,
                self.store,
                fetcher,
                robots,
                reader,
                progress=progress,
                observed_on=observed_on,
                # A recheck re-reads pages of an earlier run; new pages it finds are not crawled.
                follow_new_pages=run.kind != RunKind.RECHECK,
                stop=stop,
            )
            # Certificates and transport of the portal's https hosts: the start host's probe runs
            # beside the crawl, the other hosts' when it is done; facts stored after the crawl.
            # Certificates are checked even under --insecure: that switch is for reading the site.
            probes = None
            if config.transport.tls:
                probes = HostProbes(trust_context(True, config.fetch.ca_bundle), client, config.fetch.timeout)
                probes.begin(config.site.start_url)
            try:
                stats = await crawler.run(run.id)
                if pool is not None:
                    stats.workers, stats.read_by_engine = pool.count, pool.read_here
                if probes is not None and stats.finished:
                    found = await probes.finish(config.site.start_url, self.store.https_page_urls(run.id))
                    self.store.writer(run.id).transport(found)
            finally:
                if probes is not None:
                    probes.cancel()
            return stats

    def judge(self, run: RunRecord) -> Judgement:
        """The run's findings, states and verdict from its stored facts; writes nothing."""
        return judge_run(self.store, self.config, run.id, self.as_of or date.today())

    def save(self, run: RunRecord, judgement: Judgement) -> None:
        """Store the judgement and the run's final state (finished or incomplete) together."""
        save(self.store, run.id, judgement)

    def report(
        self,
        run: RunRecord,
        judgement: Judgement,
        *,
        json_path: str | Path | None = None,
        reports: bool = True,
    ) -> tuple[RunSummary, Path | None]:
        """Write the requested outputs of a judged run; returns its summary and report folder."""
        summary = summarize(self.store, run.id, self.as_of or date.today(), judgement)
        if json_path is not None:
            write_json(summary, json_path)
        folder = (
            write_reports(self.store, summary, self.config.reports_dir, self.config.site.slug, self.config)
            if reports
            else None
        )
        return summary, folder


def _audit(
    config: AuditConfig,
    kind: RunKind,
    *,
    resume: bool,
    as_of: date | None,
    json_path: str | Path | None,
    progress: ProgressCallback | None,
    handle_signals: bool,
    reports: bool,
) -> AuditResult:
    """One audit or recheck from the command line: the five steps, holding the site's lock.

    SIGINT/SIGTERM stop the crawl gracefully. A start page that was never read as HTML is
    reported in every output and then raised (exit 3): an audit of nothing is no verdict.
    """
    store = Store(config.data_dir)
    try:
        with SiteLock(config.data_dir, config.site.start_url):
            audit = Audit(config, store, as_of=as_of)
            run = audit.begin(kind, resume=resume)
            stats = run_loop(_crawl_with_signals(audit, run, progress, handle_signals))
            if stats.interrupted:
                return AuditResult(run.id, stats, None)
            judgement = audit.judge(run)
            audit.save(run, judgement)
            summary, folder = audit.report(run, judgement, json_path=json_path, reports=reports)
            if judgement.home_problem is not None:
                raise AuditError(judgement.home_problem)
            return AuditResult(run.id, stats, summary, folder)
    finally:
        store.close()


async def _crawl_with_signals(
    audit: Audit, run: RunRecord, progress: ProgressCallback | None, handle_signals: bool
) -> CrawlStats:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed: list[signal.Signals] = []
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (tests) or no signals on this platform
    try:
        return await audit.crawl(run, progress=progress, stop=stop)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _run_to_resume(store: Store, start_url: str) -> RunRecord | None:
    """The site's latest run, if ``--resume`` has something to do in it.

    Unfinished runs are continued; an incomplete one too: its failed targets are read again
    and it is judged again. Only the latest run counts: an older unfinished run was replaced.
    """
    latest = store.latest_run(start_url)
    if latest is None or latest.status not in (*RESUMABLE_RUNS, RunStatus.INCOMPLETE):
        return None
    return latest


def judge_run(store: Store, config: AuditConfig, run_id: int, as_of: date) -> Judgement:
    """Judge a run's stored facts with ``config``'s rules; writes nothing."""
    context = JudgeContext(
        as_of=as_of,
        rules=load_column_rules(config),
        annual_report_due=annual_report_due(config),
        transport=config.transport,
        integrity=config.integrity,
        identifiers=config.identifiers,
        ignores=config.ignore,
        scope=config.crawl_scope(),
        outcome_labels=OUTCOME_LABELS,
    )
    facts = store.facts(run_id)
    return judge(facts, context, store.history(facts.run))


def run_audit(
    config: AuditConfig,
    *,
    resume: bool = False,
    as_of: date | None = None,
    json_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
    handle_signals: bool = True,
    reports: bool = False,
) -> AuditResult:
    """Crawl (or resume), judge, save and write the requested reports."""
    return _audit(
        config,
        RunKind.FULL,
        resume=resume,
        as_of=as_of,
        json_path=json_path,
        progress=progress,
        handle_signals=handle_signals,
        reports=reports,
    )


def recheck_subjects(store: Store, run_id: int) -> set[str]:
    """Canonical URLs a recheck must read again to re-judge a run's open findings.

    The broken URL itself and every page that links to it (the usual fix is to edit the
    link), the pages holding placeholder menu entries, every list page of a flagged column,
    and the home page for home-page findings.
    """
    run = store.run(run_id)
    keys: set[str] = set()
    column_keys: set[str] = set()
    for finding in store.findings(run_id):
        if finding.state not in OPEN_STATES:
            continue
        keys.add(canonical(finding.url))
        keys.update(canonical(r.page) for r in finding.referrers)
        if finding.kind in COLUMN_KINDS:
            column_keys.add(column_key(finding.url))
    for listing in store.listings(run_id):
        if column_key(listing.url) in column_keys:
            keys.add(canonical(listing.url))
    if run is not None:
        keys.add(canonical(run.start_url))
        if run.home_url:
            keys.add(canonical(run.home_url))
    return keys


def run_recheck(
    config: AuditConfig,
    *,
    as_of: date | None = None,
    json_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
    handle_signals: bool = True,
    reports: bool = False,
) -> AuditResult:
    """Re-verify only what the last run left open, then judge: fixed ones become 已整改."""
    return _audit(
        config,
        RunKind.RECHECK,
        resume=False,
        as_of=as_of,
        json_path=json_path,
        progress=progress,
        handle_signals=handle_signals,
        reports=reports,
    )


def last_judged_run(store: Store, start_url: str | None) -> RunRecord | None:
    """The newest run (of a site, or of any) whose judgement is saved: what a recheck starts from."""
    for run in reversed(store.runs()):
        if (start_url is None or run.start_url == start_url) and run.status in JUDGED_RUNS:
            return run
    return None


def prepare_recheck(store: Store, config: AuditConfig, observed_on: date) -> int:
    """A recheck run: a copy of the last judged run's facts, minus what must be read again."""
    base = last_judged_run(store, config.site.start_url)
    if base is None:
        raise AuditError(f"没有 {config.site.start_url} 已完成的检查记录可供复查；请先运行 sitecheck crawl")
    config_json = json.dumps(dataclasses.asdict(config), ensure_ascii=False, sort_keys=True)
    run_id = store.copy_run(base.id, config_json, __version__, observed_on)
    store.reset_targets(run_id, recheck_subjects(store, base.id))
    return run_id


def stored_config(store: Store, start_url: str | None) -> AuditConfig:
    """The settings of the last judged run (of a site, or of any): what a recheck reuses."""
    base = last_judged_run(store, start_url)
    if base is None:
        where = f" {start_url} " if start_url else ""
        raise AuditError(f"数据目录中没有{where}已完成的检查记录可供复查；请先运行 sitecheck crawl")
    return config_from_mapping(json.loads(base.config_json), f"第 {base.id} 次检查的设置")


def rejudge(
    data_dir: str,
    run_id: int | None,
    as_of: date,
    json_path: str | Path | None,
    config: AuditConfig | None = None,
    *,
    save_judgement: bool = False,
) -> RunSummary:
    """Judge stored facts again: with the run's own settings, or with ``config``'s rules.

    Nothing is written to the store unless ``save_judgement`` (``sitecheck judge --save``).
    """
    store = Store(data_dir)
    try:
        run = store.run(run_id) if run_id is not None else store.latest_run()
        if run is None:
            raise AuditError("数据目录中没有这次运行记录" if run_id else "数据目录中还没有任何运行记录")
        if config is None:
            config = config_from_mapping(json.loads(run.config_json), f"第 {run.id} 次检查的设置")
        judgement = judge_run(store, config, run.id, as_of)
        if save_judgement:
            if run.status not in (*JUDGED_RUNS, RunStatus.CRAWLED):
                raise AuditError(f"第 {run.id} 次检查还没有抓取完；请先用 sitecheck crawl --resume 继续")
            save(store, run.id, judgement)
        summary = summarize(store, run.id, as_of, judgement)
        if json_path is not None:
            write_json(summary, json_path)
        return summary
    finally:
        store.close()
