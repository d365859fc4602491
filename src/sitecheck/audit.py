"""One audit, end to end: crawl -> judge -> reports. The only place that knows every stage."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sitecheck import __version__
from sitecheck.column_rules import load_column_rules
from sitecheck.columns import column_key
from sitecheck.config import AuditConfig, config_from_mapping
from sitecheck.crawl import Crawler, CrawlStats, ProgressCallback
from sitecheck.errors import AuditError
from sitecheck.fetch import Fetcher, FetchPolicy, build_client
from sitecheck.hosts import HostLimiter
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
from sitecheck.reader import LocalReader, Reader
from sitecheck.report import write_reports
from sitecheck.report.jsonfile import write_json
from sitecheck.report.summary import RunSummary, summarize
from sitecheck.robots import RobotsPolicy
from sitecheck.rules import JudgeContext, Judgement, judge, save
from sitecheck.rules.completeness import home_problem
from sitecheck.sitelock import SiteLock
from sitecheck.store import Store
from sitecheck.urls import canonical
from sitecheck.workers import WorkerPool, auto_workers

COLUMN_KINDS = frozenset(
    {
        FindingKind.EMPTY_COLUMN,
        FindingKind.STALE_COLUMN,
        FindingKind.UNDATED_COLUMN,
        FindingKind.STALE_COLUMN_WARNING,
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


async def crawl_async(
    config: AuditConfig,
    store: Store,
    *,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    on_crawler: Callable[[Crawler], None] | None = None,
    observed_on: date | None = None,
    continue_run: int | None = None,
) -> tuple[int, CrawlStats]:
    """Crawl a new run, resume an interrupted one, or finish a prepared recheck run."""
    limiter = HostLimiter(config.politeness.per_host_concurrency, config.politeness.min_interval)
    async with build_client(config) as client, AsyncExitStack() as cleanup:
        fetcher = Fetcher(client, FetchPolicy.from_config(config), limiter)
        robots = RobotsPolicy(fetcher, config.politeness.user_agent, enabled=config.politeness.respect_robots)
        previous = _run_to_resume(store, config.site.start_url) if resume else None
        if continue_run is not None:
            previous = store.run(continue_run)
        if previous is not None and previous.observed_on:
            observed_on = date.fromisoformat(previous.observed_on)  # a resumed crawl reads as it began
        observed_on = observed_on or date.today()
        recheck = previous is not None and previous.kind == RunKind.RECHECK
        reader: Reader = LocalReader(fetcher, config, observed_on)
        workers = auto_workers(config)
        if workers:
            pool = WorkerPool(config, observed_on, workers, limiter)
            cleanup.push_async_callback(pool.close)
            await pool.start()
            reader = pool
        crawler = Crawler(
            config,
            store,
            fetcher,
            robots,
            reader,
            progress=progress,
            observed_on=observed_on,
            follow_new_pages=not recheck,
        )
        if on_crawler is not None:
            on_crawler(crawler)
        if previous is not None:
            run_id = previous.id
            stats = await crawler.run(run_id, seed_sitemaps=False)
        else:
            run_id = crawler.start_run()
            stats = await crawler.run(run_id)
    return run_id, stats


def _crawl(
    config: AuditConfig,
    store: Store,
    *,
    resume: bool,
    as_of: date | None,
    progress: ProgressCallback | None,
    handle_signals: bool,
    continue_run: int | None = None,
) -> tuple[int, CrawlStats]:
    """Run the crawl on an event loop; SIGINT/SIGTERM stop it gracefully."""

    async def main() -> tuple[int, CrawlStats]:
        loop = asyncio.get_running_loop()
        installed: list[int] = []

        def attach(crawler: Crawler) -> None:
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    try:
                        loop.add_signal_handler(sig, crawler.stop)
                        installed.append(sig)
                    except (NotImplementedError, RuntimeError, ValueError):
                        pass  # not the main thread (tests) or no signals on this platform

        try:
            return await crawl_async(
                config,
                store,
                resume=resume,
                progress=progress,
                on_crawler=attach,
                observed_on=as_of,
                continue_run=continue_run,
            )
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    return run_loop(main())


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
        run_id=run_id,
        as_of=as_of,
        rules=load_column_rules(config),
        ignores=config.ignore,
        scope=config.crawl_scope(),
    )
    return judge(store, context)


def finish_run(
    store: Store,
    config: AuditConfig,
    run_id: int,
    stats: CrawlStats,
    *,
    as_of: date | None,
    json_path: str | Path | None,
    reports: bool,
) -> AuditResult:
    """Judge a crawled run, save the judgement with the run's final state, write its reports.

    The findings and the state (finished, or incomplete with the reason) are saved in one
    transaction, so a kill before it leaves a run that ``--resume`` judges, never a run marked
    finished without findings. A start page that was never read as HTML is reported in every
    output and then raised (exit 3): an audit of nothing is not a clean verdict.
    """
    if stats.interrupted:
        return AuditResult(run_id, stats, None)
    when = as_of or date.today()
    judgement = judge_run(store, config, run_id, when)
    save(store, run_id, judgement)
    summary = summarize(store, run_id, when, judgement)
    if json_path is not None:
        write_json(summary, json_path)
    folder = write_reports(store, summary, config.reports_dir, config.site.slug) if reports else None
    problem = home_problem(store, run_id, config.crawl_scope())
    if problem is not None:
        raise AuditError(problem)
    return AuditResult(run_id, stats, summary, folder)


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
    """Crawl, judge and write the requested reports."""
    store = Store(config.data_dir)
    try:
        with SiteLock(config.data_dir, config.site.start_url):
            run_id, stats = _crawl(
                config, store, resume=resume, as_of=as_of, progress=progress, handle_signals=handle_signals
            )
            return finish_run(store, config, run_id, stats, as_of=as_of, json_path=json_path, reports=reports)
    finally:
        store.close()


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
    store = Store(config.data_dir)
    try:
        with SiteLock(config.data_dir, config.site.start_url):
            run_id = prepare_recheck(store, config, as_of or date.today())
            run_id, stats = _crawl(
                config,
                store,
                resume=False,
                as_of=as_of,
                progress=progress,
                handle_signals=handle_signals,
                continue_run=run_id,
            )
            return finish_run(store, config, run_id, stats, as_of=as_of, json_path=json_path, reports=reports)
    finally:
        store.close()


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
