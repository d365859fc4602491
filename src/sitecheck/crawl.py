"""The engine: the one module that wires frontier, fetch, extract and store together.

Breadth-first over the ``targets`` table (ids grow in discovery order, so dispatching by id
is breadth-first). A dispatcher keeps a small buffer of pending targets grouped by host and
starts a task whenever the global limit and that host's limit allow, so one slow host never
blocks the others. A reader (reader.py: in this process, or worker processes) does the
fetching and parsing; the engine keeps the frontier and the store.

Finished targets are committed together, at most ``_COMMIT_SECONDS`` apart (one COMMIT per
page was a third of the crawl's CPU at raised limits, and every COMMIT rewrites the randomly
touched pages of the links index). The targets table is the frontier, so a
``kill -9`` loses at most that last moment of work: those targets are still pending in the
store and ``--resume`` reads them again. Ctrl-C and SIGTERM commit everything before exiting.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import html
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from sitecheck import __version__
from sitecheck.config import AuditConfig
from sitecheck.fetch import Fetcher, host_of
from sitecheck.models import FetchResult, LinkRef, LinkSpecial, Outcome
from sitecheck.reader import PageAnalysis, Reader
from sitecheck.robots import RobotsPolicy
from sitecheck.store import Store, Target
from sitecheck.urls import canonical, is_resource, trap_reason

# Target kinds: how a URL is checked. PAGE is fetched and parsed; RESOURCE (images,
# attachments) gets HEAD first; EXTERNAL (other sites, pages beyond the limits) a GET that
# is not parsed; EXCLUDED and INVALID are recorded without a request.
PAGE, RESOURCE, EXTERNAL, EXCLUDED, INVALID = "page", "resource", "external", "excluded", "invalid"


# The same menu and footer links recur on every page: canonicalise each spelling once.
_canonical = functools.lru_cache(maxsize=16384)(canonical)

_BUFFER_LOW = 200
_BUFFER_FILL = 1000
_COMMIT_SECONDS = 2.0
_LOC_RE = re.compile(r"<loc>\s*(.*?)\s*</loc>", re.IGNORECASE | re.DOTALL)


@dataclass(slots=True)
class CrawlStats:
    """Live counters for the progress display (not facts: those are in the store)."""

    run_id: int = 0
    pages: int = 0
    checked: int = 0
    dead: int = 0
    unverified: int = 0
    queued: int = 0  # targets not yet checked, in-flight ones included
    active: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: bool = False
    interrupted: bool = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[CrawlStats], None]


class Crawler:
    def __init__(
        self,
        config: AuditConfig,
        store: Store,
        fetcher: Fetcher,
        robots: RobotsPolicy,
        reader: Reader,
        *,
        progress: ProgressCallback | None = None,
        observed_on: date | None = None,
        follow_new_pages: bool = True,
    ) -> None:
        # A recheck re-reads a few pages of an earlier run: links it finds there are checked,
        # but new pages are not crawled further.
        self.follow_new_pages = follow_new_pages
        # The day the pages are read: year-less dates ("[12-31]") are placed so as not to be
        # after it. Tests and re-runs pin it with --as-of.
        self.observed_on = observed_on or date.today()
        self.config = config
        self.store = store
        self.fetcher = fetcher  # the engine's own requests: robots.txt, sitemaps
        self.robots = robots
        self.reader = reader
        self.progress = progress
        self.scope = config.crawl_scope()
        self.stats = CrawlStats()
        self._stop = asyncio.Event()
        self._page_targets = 0
        self._home_id = 0
        self._settled: set[int] = set()  # pending targets answered by another (redirect landings)
        self._last_commit = 0.0

    # -- public -----------------------------------------------------------------------
    def start_run(self) -> int:
        config_json = json.dumps(_config_dict(self.config), ensure_ascii=False, sort_keys=True)
        run_id = self.store.create_run(
            self.config.site_name, self.config.site.start_url, config_json, __version__, self.observed_on
        )
        self.store.begin()
        for seed in (self.config.site.start_url, *self.config.site.extra_seeds):
            self._add(run_id, seed, depth=0, navigable=True, frame=False)
        self.store.commit()
        return run_id

    def stop(self) -> None:
        """Ask the crawl to end soon: no new requests; in-flight ones are abandoned."""
        self._stop.set()

    async def run(self, run_id: int, *, seed_sitemaps: bool = True) -> CrawlStats:
        self.stats = CrawlStats(run_id=run_id)
        self._page_targets = self.store.count_targets(run_id, kind=PAGE)
        self._home_id = self.store.first_target_id(run_id)
        self.stats.queued = self.store.count_targets(run_id, state="pending")
        self.store.set_run_status(run_id, "running")
        if seed_sitemaps and self.config.site.use_sitemap:
            await self._seed_sitemaps(run_id)
        self.store.begin()
        self._last_commit = time.monotonic()
        try:
            await self._dispatch(run_id)
        except BaseException:
            self.store.commit()  # what was read completely is kept; the rest stays pending
            raise
        self.store.commit()
        self.stats.finished = not self._stop.is_set()
        self.stats.interrupted = self._stop.is_set()
        self.store.set_run_status(run_id, "finished" if self.stats.finished else "interrupted")
        self._report()
        return self.stats

    # -- dispatching --------------------------------------------------------------------
    async def _dispatch(self, run_id: int) -> None:
        per_host = self.config.politeness.per_host_concurrency
        limit = self.config.politeness.concurrency
        buffers: dict[str, deque[Target]] = {}
        inflight: dict[str, int] = {}
        tasks: set[asyncio.Task[None]] = set()
        buffered = 0
        cursor = 0
        wake = asyncio.Event()
        stop_wait = asyncio.ensure_future(self._stop.wait())

        def done(task: asyncio.Task[None], host: str) -> None:
            tasks.discard(task)
            inflight[host] -= 1
            wake.set()

        try:
            while not self._stop.is_set():
                if buffered < _BUFFER_LOW:
                    fresh = self.store.pending_targets(run_id, cursor, _BUFFER_FILL)
                    for target in fresh:
                        buffers.setdefault(host_of(target.url), deque()).append(target)
                    buffered += len(fresh)
                    if fresh:
                        cursor = fresh[-1].id
                for host in list(buffers):
                    queue = buffers[host]
                    while queue and len(tasks) < limit and inflight.get(host, 0) < per_host:
                        target = queue.popleft()
                        buffered -= 1
                        inflight[host] = inflight.get(host, 0) + 1
                        task = asyncio.ensure_future(self._process(run_id, target))
                        task.add_done_callback(functools.partial(done, host=host))
                        tasks.add(task)
                    if not queue:
                        del buffers[host]
                self.stats.active = len(tasks)
                if not tasks and not buffered:
                    if not self.store.pending_targets(run_id, cursor, 1):
                        break
                    continue
                self._report()
                wake.clear()
                waiter = asyncio.ensure_future(wake.wait())
                await asyncio.wait({waiter, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
        finally:
            stop_wait.cancel()
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            # Finished tasks may still surface exceptions: they are bugs, not site behaviour.
        self.stats.queued = 0
        self.stats.active = 0

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.stats)

    # -- one target -----------------------------------------------------------------------
    async def _process(self, run_id: int, target: Target) -> None:
        if target.id in self._settled:
            return  # the landing URL of a redirect, answered while it waited (see _page_id)
        if target.kind == EXCLUDED:
            self._save(
                run_id, target, FetchResult(url=target.url, outcome=Outcome.EXCLUDED, error=target.note)
            )
            return
        if not await self.robots.allowed(target.url):
            result = FetchResult(url=target.url, outcome=Outcome.ROBOTS_DISALLOWED, error="robots.txt")
            self._save(run_id, target, result)
            return
        if target.kind == PAGE:
            read = await self.reader.page(target.url, is_home=target.id == self._home_id)
            if read.analysis is None:
                self._save(run_id, target, read.result)
            else:
                self._save_page(run_id, target, read.result, read.analysis)
        else:
            result = await self.reader.probe(target.url, head_first=target.kind == RESOURCE)
            self._save(run_id, target, result)

    def _checkpoint(self) -> None:
        """Commit what is stored when the last commit is old enough (see the module's doc)."""
        now = time.monotonic()
        if now - self._last_commit >= _COMMIT_SECONDS:
            self.store.commit()
            self.store.begin()
            self._last_commit = now

    def _save(self, run_id: int, target: Target, result: FetchResult) -> None:
        self.store.save_check(run_id, target.id, result)
        self._count(result)
        self._checkpoint()

    def _count(self, result: FetchResult) -> None:
        self.stats.checked += 1
        self.stats.queued -= 1
        if result.outcome.is_dead:
            self.stats.dead += 1
        elif result.outcome.is_unverified:
            self.stats.unverified += 1

    def _save_page(self, run_id: int, target: Target, result: FetchResult, analysis: PageAnalysis) -> None:
        is_home = target.id == self._home_id
        # A page's facts are stored whole or not at all, even inside a longer transaction.
        self.store.savepoint()
        try:
            if is_home:
                self.store.set_home_url(run_id, analysis.final_url)
            self.store.save_check(run_id, target.id, result)
            page_id = self._page_id(run_id, target, result, analysis)
            if page_id is not None:
                self._save_document(run_id, page_id, target.depth, result, analysis, is_home=is_home)
        except BaseException:
            self.store.rollback_savepoint()
            raise
        self.store.release_savepoint()
        self.stats.pages += 1
        self._count(result)
        self._checkpoint()

    def _page_id(
        self, run_id: int, target: Target, result: FetchResult, analysis: PageAnalysis
    ) -> int | None:
        """The target a parsed document is stored under, or None when it is stored already.

        A redirected page (``/zwdt/`` → ``/gzdt/``) is one document with two URLs: it is kept
        once, under the URL it landed on, so its links and its column are not counted twice.
        """
        final_key = canonical(analysis.final_url)
        if final_key == canonical(target.url):
            return target.id
        final_id, created = self.store.add_target(run_id, final_key, analysis.final_url, PAGE, target.depth)
        if final_id in self._settled or (not created and self.store.target_done(final_id)):
            return None
        if created:
            self._page_targets += 1
        else:
            self.stats.queued -= 1  # it was pending: answered here, it will not be fetched again
        self._settled.add(final_id)
        self.store.save_check(run_id, final_id, dataclasses.replace(result, url=analysis.final_url))
        return final_id

    def _save_document(
        self,
        run_id: int,
        page_id: int,
        depth: int,
        result: FetchResult,
        analysis: PageAnalysis,
        *,
        is_home: bool,
    ) -> None:
        facts = analysis.facts
        self.store.save_page(
            run_id,
            page_id,
            facts.title,
            facts.encoding,
            facts.encoding_source,
            len(facts.links),
            result.truncated,
        )
        rows: list[tuple[int | None, LinkRef]] = []
        if result.outcome is Outcome.OK:
            for ref in (*facts.links, *analysis.record_links()):
                rows.append((self._target_for(run_id, ref, depth + 1), ref))
        self.store.save_links(run_id, page_id, rows)
        listing = analysis.listing
        if listing is not None and (listing.is_listing or is_home):
            items = (*listing.items, *analysis.more_items)
            self.store.save_listing(
                run_id, page_id, listing, items, is_home=is_home, observed_on=self.observed_on
            )
            # Pager pages written by script (TRS createPageHTML) are crawled like links,
            # but are not link occurrences: a page past the end is the pager's guess.
            for url in listing.pagination:
                self._add(run_id, url, depth + 1, navigable=True, frame=False)

    def _target_for(self, run_id: int, ref: LinkRef, depth: int) -> int | None:
        if ref.special is not LinkSpecial.NONE:
            return None
        if ref.url is not None:
            return self._add(run_id, ref.url, depth, ref.navigable, ref.frame)
        # It looks like a link but no browser could request it (http://, a bad port).
        raw = ref.raw.strip()
        target_id, created = self.store.add_target(
            run_id, f"invalid:{raw}", raw, INVALID, depth, "malformed URL"
        )
        self.stats.queued += created
        return target_id

    def _add(self, run_id: int, url: str, depth: int, navigable: bool, frame: bool) -> int:
        key = _canonical(url)
        cached = self.store.cached_target_id(run_id, key)
        if cached is not None:  # the common case: navigation and footer links on every page
            return cached
        kind, note = self._kind_for(url, depth, navigable, frame)
        target_id, created = self.store.add_target(run_id, key, url, kind, depth, note)
        if created:
            self.stats.queued += 1
            self._page_targets += kind == PAGE
        return target_id

    def _kind_for(self, url: str, depth: int, navigable: bool, frame: bool) -> tuple[str, str]:
        if self.scope.excluded(url):
            return EXCLUDED, "matches scope.exclude"
        in_scope = self.scope.in_scope(url)
        if not in_scope:
            return (EXTERNAL if navigable and not is_resource(url) else RESOURCE), ""
        reason = trap_reason(
            url,
            max_url_length=self.config.scope.max_url_length,
            max_segment_repeats=self.config.scope.max_segment_repeats,
        )
        if reason is not None:
            return EXCLUDED, reason
        if not (navigable or frame) or is_resource(url):
            return RESOURCE, ""
        if (
            not self.follow_new_pages
            or depth > self.config.scope.max_depth
            or self._page_targets >= self.config.scope.max_pages
        ):
            # Beyond the crawl limits a page is still checked, just not parsed.
            return EXTERNAL, ""
        return PAGE, ""

    # -- sitemaps -----------------------------------------------------------------------
    async def _seed_sitemaps(self, run_id: int) -> None:
        start = urlsplit(self.config.site.start_url)
        origin = f"{start.scheme}://{start.netloc}"
        await self.robots.allowed(self.config.site.start_url)  # loads robots.txt and its Sitemap lines
        candidates = self.robots.sitemaps(origin) or [f"{origin}/sitemap.xml"]
        seen: set[str] = set()
        urls: list[str] = []
        while candidates and len(seen) < 20:
            sitemap = candidates.pop(0)
            if sitemap in seen:
                continue
            seen.add(sitemap)
            result = await self.fetcher.document(sitemap, limit=20 * 1024 * 1024)
            if result.outcome is not Outcome.OK or result.body is None:
                continue
            text = result.body.decode("utf-8", errors="replace")
            locs = [html.unescape(loc) for loc in _LOC_RE.findall(text)]
            if "<sitemapindex" in text[:2000].lower():
                candidates.extend(locs)
            else:
                urls.extend(locs)
        if not urls:
            return
        self.store.begin()
        for url in urls:
            if self.scope.in_scope(url):
                self._add(run_id, url, depth=1, navigable=True, frame=False)
        self.store.commit()


def _config_dict(config: AuditConfig) -> dict[str, object]:
    return dataclasses.asdict(config)
