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
from sitecheck.labels import OUTCOME_LABELS
from sitecheck.loop import run as run_loop
from sitecheck.models import Finding, FindingKind, Outcome
from sitecheck.reader import LocalReader, Reader
from sitecheck.report import write_reports
from sitecheck.report.jsonfile import write_json
from sitecheck.report.summary import RunSummary, summarize
from sitecheck.robots import RobotsPolicy
from sitecheck.rules import OPEN_STATES, JudgeContext, judge
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
        previous = store.latest_run(config.site.start_url, unfinished=True) if resume else None
        if continue_run is not None:
            previous = store.run(continue_run)
        if previous is not None and previous.observed_on:
            observed_on = date.fromisoformat(previous.observed_on)  # a resumed crawl reads as it began
        observed_on = observed_on or date.today()
        recheck = previous is not None and previous.kind == "recheck"
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


def _finish(
    store: Store,
    config: AuditConfig,
    run_id: int,
    stats: CrawlStats,
    *,
    as_of: date | None,
    json_path: str | Path | None,
    reports: bool,
) -> AuditResult:
    """Judge a finished crawl, write its reports, and stop on an unreachable home page."""
    if stats.interrupted:
        return AuditResult(run_id, stats, None)
    home = store.home_check(run_id)
    when = as_of or date.today()
    context = JudgeContext(run_id=run_id, as_of=when, rules=load_column_rules(config), ignores=config.ignore)
    summary = summarize(store, run_id, when, judge(store, context))
    if json_path is not None:
        write_json(summary, json_path)
    folder = write_reports(store, summary, config.reports_dir, config.site.slug) if reports else None
    if home is not None and summary.pages == 0:
        _explain_unreadable_home(*home)
    return AuditResult(run_id, stats, summary, folder)


def _explain_unreadable_home(url: str, outcome: Outcome, status: int | None, error: str) -> None:
    """Nothing could be audited: say why in one line, and what the user can do."""
    shown = f"HTTP {status}" if status else (error or OUTCOME_LABELS[outcome])
    hints = {
        Outcome.TLS_ERROR: "；若证书确有问题请先整改，临时检查可加 --insecure",
        Outcome.BLOCKED: "；请在网站防护（如瑞数、WAF）中放行本机 IP 后再检查",
        Outcome.RATE_LIMITED: "；请稍后再试，或调低 --per-host 与调大 --interval",
        Outcome.ROBOTS_DISALLOWED: "；检查本单位自己的网站时可加 --no-robots",
    }
    if outcome.is_dead:
        raise AuditError(f"首页无法访问 {url}：{OUTCOME_LABELS[outcome]}（{shown}）{hints.get(outcome, '')}")
    if outcome.is_unverified:
        raise AuditError(f"首页无法检查 {url}：{OUTCOME_LABELS[outcome]}（{shown}）{hints.get(outcome, '')}")


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
        run_id, stats = _crawl(
            config, store, resume=resume, as_of=as_of, progress=progress, handle_signals=handle_signals
        )
        return _finish(store, config, run_id, stats, as_of=as_of, json_path=json_path, reports=reports)
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
        base = store.latest_run(config.site.start_url)
        if base is None or base.status != "finished":
            raise AuditError(
                f"没有 {config.site.start_url} 已完成的检查记录可供复查；请先运行 sitecheck crawl"
            )
        config_json = json.dumps(dataclasses.asdict(config), ensure_ascii=False, sort_keys=True)
        run_id = store.copy_run(base.id, config_json, __version__, as_of or date.today())
        store.reset_targets(run_id, recheck_subjects(store, base.id))
        run_id, stats = _crawl(
            config,
            store,
            resume=False,
            as_of=as_of,
            progress=progress,
            handle_signals=handle_signals,
            continue_run=run_id,
        )
        return _finish(store, config, run_id, stats, as_of=as_of, json_path=json_path, reports=reports)
    finally:
        store.close()


def rejudge(
    data_dir: str,
    run_id: int | None,
    as_of: date,
    json_path: str | Path | None,
    config: AuditConfig | None = None,
) -> RunSummary:
    """Judge stored facts again: with the run's own settings, or with ``config``'s rules."""
    store = Store(data_dir)
    try:
        run = store.run(run_id) if run_id is not None else store.latest_run()
        if run is None:
            raise AuditError("数据目录中没有这次运行记录" if run_id else "数据目录中还没有任何运行记录")
        if config is None:
            config = config_from_mapping(json.loads(run.config_json), f"run {run.id} settings")
        context = JudgeContext(
            run_id=run.id, as_of=as_of, rules=load_column_rules(config), ignores=config.ignore
        )
        judgement = judge(store, context)
        summary = summarize(store, run.id, as_of, judgement)
        if json_path is not None:
            write_json(summary, json_path)
        return summary
    finally:
        store.close()
