"""The engine: the one module that wires frontier, fetch, extract and store together.

Breadth-first over the ``targets`` table (ids grow in discovery order, so dispatching by id
is breadth-first). A dispatcher keeps a small buffer of pending targets grouped by host and
starts a task whenever the global limit and that host's limit allow, so one slow host never
blocks the others. Each finished target is stored in one transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import html
import json
import multiprocessing
import re
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from sitecheck import __version__
from sitecheck.analyse import PageInput, analyse_page
from sitecheck.config import AuditConfig
from sitecheck.extract.columns import ColumnItem, ListingFacts, dataproxy_requests, parse_dataproxy_xml
from sitecheck.fetch import Fetcher, host_of
from sitecheck.models import FetchResult, LinkRef, LinkSpecial, Outcome, PageFacts
from sitecheck.robots import RobotsPolicy
from sitecheck.store import Store, Target
from sitecheck.urls import Scope, canonical, is_resource, trap_reason

# Target kinds: how a URL is checked. PAGE is fetched and parsed; RESOURCE (images,
# attachments) gets HEAD first; EXTERNAL (other sites, pages beyond the limits) a GET that
# is not parsed; EXCLUDED and INVALID are recorded without a request.
PAGE, RESOURCE, EXTERNAL, EXCLUDED, INVALID = "page", "resource", "external", "excluded", "invalid"


@dataclass(slots=True)
class _PageAnalysis:
    final_url: str
    result: FetchResult
    facts: PageFacts
    listing: ListingFacts | None
    more_items: list[ColumnItem] = field(default_factory=list)  # Hanweb records beyond the page

    def record_links(self) -> list[LinkRef]:
        """Hanweb lists carry their item links in XML records a link extractor cannot see."""
        if self.listing is None or self.listing.cms != "hanweb":
            return []
        return [
            LinkRef(raw=item.url, url=item.url, element="record", attribute="href", text=item.title)
            for item in (*self.listing.items, *self.more_items)
            if item.url
        ]


# The same menu and footer links recur on every page: canonicalise each spelling once.
_canonical = functools.lru_cache(maxsize=16384)(canonical)

_BUFFER_LOW = 200
_BUFFER_FILL = 1000
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
        self.fetcher = fetcher
        self.robots = robots
        self.progress = progress
        self.scope = Scope(
            config.site.start_url,
            extra_hosts=config.site.extra_hosts,
            include=config.scope.include,
            exclude=config.scope.exclude,
        )
        self.stats = CrawlStats()
        self._stop = asyncio.Event()
        self._page_targets = 0
        self._home_id = 0
        self._pool: ProcessPoolExecutor | None = None

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
        workers = self.config.fetch.parse_workers
        # forkserver: workers start from a clean process, not a copy of one with threads running.
        context = multiprocessing.get_context(
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context) if workers else None
        try:
            await self._dispatch(run_id)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
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
        if self.store.target_done(target.id):
            return  # settled while it waited: the landing URL of a redirect (see _page_id)
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
            result = await self.fetcher.page(target.url)
            analysis = await self._analyse(target, result)
            if analysis is not None:
                await self._more_records(analysis)
            self._save_page(run_id, target, result, analysis)
        else:
            result = await self.fetcher.probe(target.url, head_first=target.kind == RESOURCE)
            self._save(run_id, target, result)

    def _save(self, run_id: int, target: Target, result: FetchResult) -> None:
        self.store.begin()
        try:
            self.store.save_check(run_id, target.id, result)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        self._count(result)

    def _count(self, result: FetchResult) -> None:
        self.stats.checked += 1
        self.stats.queued -= 1
        if result.outcome.is_dead:
            self.stats.dead += 1
        elif result.outcome.is_unverified:
            self.stats.unverified += 1

    async def _analyse(self, target: Target, result: FetchResult) -> _PageAnalysis | None:
        """Parse an in-scope HTML page: links, soft-404 screening, and its column facts."""
        final_url = result.final_url or target.url
        if result.outcome is not Outcome.OK or result.body is None or not self.scope.in_scope(final_url):
            return None
        page = PageInput(
            body=result.body,
            url=final_url,
            charset=result.charset,
            is_home=target.id == self._home_id,
            observed_on=self.observed_on,
            soft404_phrases=self.config.soft404.phrases,
            short_page_chars=self.config.soft404.short_page_chars,
            keep_html=self._pool is None,
        )
        if self._pool is None:
            output = analyse_page(page)
        else:
            output = await asyncio.get_running_loop().run_in_executor(self._pool, analyse_page, page)
        if output.soft404 is not None:
            result = dataclasses.replace(
                result, outcome=Outcome.SOFT_404, error=f"page says {output.soft404!r}"
            )
        return _PageAnalysis(final_url, result, output.facts, output.listing)

    async def _more_records(self, analysis: _PageAnalysis) -> None:
        """Read a Hanweb column's records beyond those embedded in its page (dataproxy.jsp POSTs)."""
        listing = analysis.listing
        if listing is None or listing.cms != "hanweb" or not listing.is_listing:
            return
        total = listing.total_records
        if total is None or total <= len(listing.items):
            return
        for request in dataproxy_requests(analysis.facts.html, analysis.final_url, total_records=total):
            answer = await self.fetcher.post_form(request.url, request.body)
            if answer.outcome is not Outcome.OK or answer.body is None:
                break  # what is embedded still judges the column; the endpoint is not a page link
            page = parse_dataproxy_xml(
                answer.body.decode("utf-8", errors="replace"), analysis.final_url, self.observed_on
            )
            analysis.more_items.extend(page.items)
            if not page.items:
                break

    def _save_page(
        self, run_id: int, target: Target, result: FetchResult, analysis: _PageAnalysis | None
    ) -> None:
        if analysis is None:
            self._save(run_id, target, result)
            return
        result = analysis.result
        is_home = target.id == self._home_id
        if is_home:
            self.store.set_home_url(run_id, analysis.final_url)
        self.store.begin()
        try:
            self.store.save_check(run_id, target.id, result)
            page_id = self._page_id(run_id, target, analysis)
            if page_id is not None:
                self._save_document(run_id, page_id, target.depth, analysis, is_home=is_home)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        self.stats.pages += 1
        self._count(result)

    def _page_id(self, run_id: int, target: Target, analysis: _PageAnalysis) -> int | None:
        """The target a parsed document is stored under, or None when it is stored already.

        A redirected page (``/zwdt/`` → ``/gzdt/``) is one document with two URLs: it is kept
        once, under the URL it landed on, so its links and its column are not counted twice.
        """
        final_key = canonical(analysis.final_url)
        if final_key == canonical(target.url):
            return target.id
        final_id, created = self.store.add_target(run_id, final_key, analysis.final_url, PAGE, target.depth)
        if not created and self.store.target_done(final_id):
            return None
        if created:
            self._page_targets += 1
        else:
            self.stats.queued -= 1  # it was pending: answered here, it will not be fetched again
        self.store.save_check(run_id, final_id, dataclasses.replace(analysis.result, url=analysis.final_url))
        return final_id

    def _save_document(
        self, run_id: int, page_id: int, depth: int, analysis: _PageAnalysis, *, is_home: bool
    ) -> None:
        facts = analysis.facts
        result = analysis.result
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
