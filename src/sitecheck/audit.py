"""One audit, end to end: crawl -> judge -> reports. The only place that knows every stage."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sitecheck.column_rules import load_column_rules
from sitecheck.config import AuditConfig, config_from_mapping
from sitecheck.crawl import Crawler, CrawlStats, ProgressCallback
from sitecheck.errors import AuditError
from sitecheck.fetch import Fetcher, FetchPolicy, build_client
from sitecheck.hosts import HostLimiter
from sitecheck.labels import OUTCOME_LABELS
from sitecheck.models import Finding
from sitecheck.report.jsonfile import write_json
from sitecheck.report.summary import RunSummary, summarize
from sitecheck.robots import RobotsPolicy
from sitecheck.rules import JudgeContext, judge
from sitecheck.store import Store


@dataclass(frozen=True, slots=True)
class AuditResult:
    run_id: int
    stats: CrawlStats
    summary: RunSummary | None  # None when the crawl was interrupted

    @property
    def findings(self) -> list[Finding]:
        return self.summary.findings if self.summary else []


async def crawl_async(
    config: AuditConfig,
    store: Store,
    *,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    on_crawler: Callable[[Crawler], None] | None = None,
    observed_on: date | None = None,
) -> tuple[int, CrawlStats]:
    limiter = HostLimiter(config.politeness.per_host_concurrency, config.politeness.min_interval)
    async with build_client(config) as client:
        fetcher = Fetcher(client, FetchPolicy.from_config(config), limiter)
        robots = RobotsPolicy(fetcher, config.politeness.user_agent, enabled=config.politeness.respect_robots)
        previous = store.latest_run(config.site.start_url, unfinished=True) if resume else None
        if previous is not None and previous.observed_on:
            observed_on = date.fromisoformat(previous.observed_on)  # a resumed crawl reads as it began
        crawler = Crawler(config, store, fetcher, robots, progress=progress, observed_on=observed_on)
        if on_crawler is not None:
            on_crawler(crawler)
        if previous is not None:
            run_id = previous.id
            stats = await crawler.run(run_id, seed_sitemaps=False)
        else:
            run_id = crawler.start_run()
            stats = await crawler.run(run_id)
    return run_id, stats


def run_audit(
    config: AuditConfig,
    *,
    resume: bool = False,
    as_of: date | None = None,
    json_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
    handle_signals: bool = True,
) -> AuditResult:
    """Crawl, judge and write the requested reports. SIGINT/SIGTERM stop it gracefully."""
    store = Store(config.data_dir)
    try:
        holder: list[Crawler] = []

        async def main() -> tuple[int, CrawlStats]:
            loop = asyncio.get_running_loop()
            installed: list[int] = []

            def attach(crawler: Crawler) -> None:
                holder.append(crawler)
                if handle_signals:
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        try:
                            loop.add_signal_handler(sig, crawler.stop)
                            installed.append(sig)
                        except (NotImplementedError, RuntimeError, ValueError):
                            pass  # not the main thread (tests) or no signals on this platform

            try:
                return await crawl_async(
                    config, store, resume=resume, progress=progress, on_crawler=attach, observed_on=as_of
                )
            finally:
                for sig in installed:
                    loop.remove_signal_handler(sig)

        run_id, stats = asyncio.run(main())
        if stats.interrupted:
            return AuditResult(run_id, stats, None)
        home = store.home_check(run_id)
        when = as_of or date.today()
        judgement = judge(store, JudgeContext(run_id=run_id, as_of=when, rules=load_column_rules(config)))
        summary = summarize(store, run_id, when, judgement)
        if json_path is not None:
            write_json(summary, json_path)
        if home is not None and home[1].is_dead and summary.pages == 0:
            url, outcome, status, error = home
            shown = f"HTTP {status}" if status else (error or OUTCOME_LABELS[outcome])
            raise AuditError(f"首页无法访问 {url}：{OUTCOME_LABELS[outcome]}（{shown}）")
        return AuditResult(run_id, stats, summary)
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
        judgement = judge(store, JudgeContext(run_id=run.id, as_of=as_of, rules=load_column_rules(config)))
        summary = summarize(store, run.id, as_of, judgement)
        if json_path is not None:
            write_json(summary, json_path)
        return summary
    finally:
        store.close()
