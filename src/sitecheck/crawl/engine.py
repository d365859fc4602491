"""The engine: the one module that wires frontier, fetch, extract and store together.

Breadth-first over the ``targets`` table (ids grow in discovery order, so dispatching by id
is breadth-first). A dispatcher keeps a small buffer of pending targets grouped by host and
starts a task whenever the global limit and that host's limit allow, so one slow host never
blocks the others.

Some targets are started as soon as they are found, ahead of the breadth-first queue (the
early lane), while the queue keeps being read beside them:

* a list's further pages (pager pages): each names a page of articles, so reading them first
  finds the rest of the site, and whatever hangs in it, soonest;
* targets that may keep a request waiting until its timeout: images, attachments and links to
  other sites (nothing to crawl behind them; other sites are where dead hosts and DNS failures
  are), and in-scope URLs of server-side programs (.jsp/.do/.aspx/.php, query strings: the
  search and query endpoints that answer slowly or never, where the pages around them are
  static files).

In breadth-first order alone a query endpoint found early on a list page was requested only
when the thousands of pages queued before it were read, and its timeout then ran after the rest
of the crawl: the crawl now ends when the last such request's timeout does, not that much later.

A request that waits on its own endpoint (past ``SLOW_AFTER``, while its host answers the others
quickly: fetch/politeness.py ``InFlight``) stops counting against its host's slots, and any
request past ``SLOW_AFTER`` against the global limit: a few endpoints or other sites that never
answer then hold sockets, not the crawl (at the gentle defaults they held both slots of the
portal for their whole timeout, three times over with the retries).

A reader (reader.py: in this process, or worker processes) does the fetching and parsing; the
engine keeps the frontier and the store.

Reading never holds the store: a task fetches and analyses its target and leaves the answer
in memory; the dispatcher writes the answers together in one short transaction (a flush), at
most ``_COMMIT_SECONDS`` apart and whenever it runs out of targets to hand out (one COMMIT per
page was a third of the crawl's CPU at raised limits). The write lock is thus held for tens
of milliseconds at most, never across a network wait, so the service's probes, ``sitecheck
ignore`` or another process write beside a crawl without "database is locked". The first
flushes come sooner (``_FIRST_COMMIT_SECONDS``, doubling), so even a process killed every
second makes progress. The targets table is the frontier, so a ``kill -9`` loses at most the
answers not yet flushed: those targets are still pending in the store and ``--resume`` reads
them again. Ctrl-C and SIGTERM flush everything before exiting.

A target whose handling fails (a bug, exhausted memory on one page) is stored as ``failed``
with the reason, counted, and retried by ``--resume``; the run is then incomplete, never
silently short. A write that fails (a full disk) stops the crawl with a StoreError.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import html
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from sitecheck.config import AuditConfig
from sitecheck.crawl.reader import PageAnalysis, PageRead, Reader
from sitecheck.extract.annual_report import report_title_of
from sitecheck.extract.report_file import report_file, report_title
from sitecheck.fetch.client import Fetcher, host_of
from sitecheck.fetch.politeness import FIRST_CHECK, RECHECK, SLOW_EXTRA, Adaptive, InFlight
from sitecheck.fetch.robots import RobotsPolicy
from sitecheck.models import FetchResult, LinkRef, LinkSpecial, Outcome, RunStatus, Target, TargetKind
from sitecheck.store import RunWriter, Store
from sitecheck.urls import canonical, is_dynamic, is_resource, trap_reason

# How a URL is checked (see TargetKind): short names for the engine's hot path.
PAGE, RESOURCE, EXTERNAL = TargetKind.PAGE, TargetKind.RESOURCE, TargetKind.EXTERNAL
NO_SPECIAL = LinkSpecial.NONE
EXCLUDED, INVALID = TargetKind.EXCLUDED, TargetKind.INVALID


# The same menu and footer links recur on every page: canonicalise each spelling once. (A few
# hundred recur; the rest are met once or twice, and most of them take canonical()'s shortcut.)
_canonical = functools.lru_cache(maxsize=4096)(canonical)

_BUFFER_LOW = 200
_BUFFER_FILL = 1000
# A flush's answers are held in memory until they are written, and its transaction's pages
# with them: at 1 s apart (1,300 answers and 50,000 links a flush, 0.3 s to write, on the
# 10,000-page realistic portal of bench/) the process tree peaked at 151 MiB, at 0.25 s (350
# answers, 65–80 ms) at 138 MiB, for the same CPU and wall time.
_COMMIT_SECONDS = 0.25
# Link URLs whose target ids are kept (_link_ids): a site's menus and footers are a few hundred.
_LINK_IDS = 4096
_FIRST_COMMIT_SECONDS = 0.1

log = logging.getLogger(__name__)
_MAX_SITEMAPS = 20
_SITEMAP_MIN_BYTES = 1024 * 1024
_SITEMAP_MAX_BYTES = 20 * 1024 * 1024
_SITEMAP_BYTES_PER_PAGE = 512  # a <url><loc>…</loc><lastmod>…</lastmod></url> entry, generously
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
    failed: int = 0  # targets whose handling failed (kept for --resume)
    workers: int = 0  # worker processes that read targets (fetch.workers)
    read_by_engine: int = 0  # with workers: the targets the engine's own process read
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


@dataclass(slots=True)
class _Answer:
    """What reading one target gave, waiting to be written at the next flush."""

    target: Target
    result: FetchResult | None = None  # a check without a parsed document
    read: PageRead | None = None  # a page target's answer
    failure: str = ""  # handling failed: the target is stored as failed, retried on --resume


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
        stop: asyncio.Event | None = None,
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
        self._stop = stop or asyncio.Event()  # set from outside (signals, the service) to end the crawl
        # Adaptive politeness follows the latencies of the answers, so it runs where they are
        # read: in this process. Worker processes (fetch.workers) keep the fixed settings.
        politeness, limiter = config.politeness, fetcher.limiter
        if politeness.adaptive and getattr(reader, "fetcher", None) is fetcher and limiter.adaptive is None:
            limiter.adapt(Adaptive(politeness.max_per_host, politeness.min_interval_floor))
            limiter.watch(fetcher.client)
        self._page_targets = 0
        self._home_id = 0
        self._settled: set[int] = set()  # pending targets answered by another (redirect landings)
        # The early lane (see the module's doc): found this run, not yet handed out.
        self._early: deque[Target] = deque()
        self._answers: list[_Answer] = []  # read, not yet written
        # The target id of each link URL met lately: a page's forty links are mostly the
        # site's menus and footer, the same URLs on every page (emptied when full, and when a
        # write is rolled back: the targets it added are gone).
        self._link_ids: dict[str, int] = {}
        self._last_flush = 0.0
        self._flushes = 0
        self._fatal: str = ""  # the reader broke (a worker process died): the crawl stops
        self._flush_failed = False  # the store refused a write: nothing more is written
        # The crawl's only way to write, bound to the run being crawled (set by run()).
        self.writer: RunWriter

    # -- public -----------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the crawl to end soon: no new requests; in-flight ones are abandoned."""
        self._stop.set()

    async def run(self, run_id: int) -> CrawlStats:
        """Read every pending target of the run; the run ends ``crawled`` or ``interrupted``.

        A run with an empty frontier (just begun) is seeded first: the start URL, the extra
        seeds and the sitemaps. Judging is the next stage (audit.py): only a judged and saved
        run is ``finished``.
        """
        self.stats = CrawlStats(run_id=run_id)
        self.writer = self.store.writer(run_id)
        fresh = self.writer.count() == 0
        if fresh:
            with self.writer.transaction():
                for seed in (self.config.site.start_url, *self.config.site.extra_seeds):
                    self._add(seed, depth=0, navigable=True, frame=False)
        retried = self.writer.retry_failed()  # a resumed run tries its failed targets again
        if retried:
            log.info("run %d: %d failed targets are read again", run_id, retried)
        self._page_targets = self.writer.count(kind=PAGE)
        self._home_id = self.writer.first_target_id()
        self.stats.queued = self.writer.count(state="pending")
        self.writer.status(RunStatus.RUNNING)
        if fresh and self.config.site.use_sitemap:
            await self._seed_sitemaps()
        self._last_flush = time.monotonic()
        try:
            await self._dispatch()
        finally:
            # What was read completely is kept (unless the store itself failed: then the
            # answers stay pending in the store and --resume reads them again).
            if self._answers and not self._flush_failed:
                self._flush()
        if self._fatal:
            from sitecheck.errors import AuditError

            raise AuditError(self._fatal)
        self.stats.finished = not self._stop.is_set()
        self.stats.interrupted = self._stop.is_set()
        self.writer.status(RunStatus.CRAWLED if self.stats.finished else RunStatus.INTERRUPTED)
        self._report()
        return self.stats

    # -- dispatching --------------------------------------------------------------------
    async def _dispatch(self) -> None:
        per_host = self.config.politeness.per_host_concurrency
        limit = self.config.politeness.concurrency
        limiter = self.fetcher.limiter
        # Adaptive: each host's slots as its answers allow them now.
        slots = limiter.per_host_of if limiter.adaptive is not None else lambda host: per_host
        buffers: dict[str, deque[Target]] = {}  # read from the frontier, in id order
        early: dict[str, deque[Target]] = {}  # the early lane's, handed out first
        inflight: dict[str, int] = {}  # per host: requests counted against its slots
        sent: dict[str, InFlight] = {}  # per host: which of them were released as slow
        tasks: set[asyncio.Task[float | None]] = set()
        # Tasks past SLOW_AFTER no longer count against the global limit (a link to a host that
        # never answers holds a socket, not a share of the crawl), up to SLOW_EXTRA × the limit.
        # Per host they count while the host answers nothing else quickly (InFlight).
        slow_tasks: set[asyncio.Task[float | None]] = set()
        timers: dict[asyncio.Task[float | None], asyncio.TimerHandle] = {}  # each task's next look at it
        slow_cap = limit * SLOW_EXTRA
        loop = asyncio.get_running_loop()
        buffered = 0  # targets in ``buffers`` (the early lane's are not counted: see below)
        early_count = 0
        cursor = 0
        started_early: set[int] = set()  # taken by the early lane, beyond the cursor
        wake = asyncio.Event()
        stop_wait = asyncio.ensure_future(self._stop.wait())

        def release(host: str) -> None:
            # A task's time includes its wait for the host's interval, before it is sent.
            freed = sent[host].release(loop.time(), slots(host) * SLOW_EXTRA, limiter.delay_of(host))
            if freed:
                inflight[host] -= freed
                wake.set()

        def slow(task: asyncio.Task[float | None], host: str, number: int) -> None:
            if task.done():
                return
            if task not in slow_tasks and len(slow_tasks) < slow_cap:
                slow_tasks.add(task)
                wake.set()
            release(host)
            if sent[host].counts(number) or task not in slow_tasks:
                timers[task] = loop.call_later(RECHECK, slow, task, host, number)  # look again
            else:
                timers.pop(task, None)

        def done(task: asyncio.Task[float | None], host: str, number: int) -> None:
            timer = timers.pop(task, None)
            if timer is not None:
                timer.cancel()
            tasks.discard(task)
            slow_tasks.discard(task)
            # The request's own time, not the task's: the first page of a host also waited for
            # its robots.txt, and any page for its reading (a slow start under load made a
            # quick host look slow, and its hanging endpoints held its slots to their timeout).
            took = None if task.cancelled() else task.result()
            if not sent[host].done(number, loop.time(), took):
                inflight[host] -= 1
            release(host)  # its answer may overtake older ones
            wake.set()

        def start(target: Target, host: str) -> None:
            inflight[host] = inflight.get(host, 0) + 1
            number = sent.setdefault(host, InFlight()).sent(loop.time())
            task = asyncio.ensure_future(self._process(target))
            timers[task] = loop.call_later(FIRST_CHECK + limiter.delay_of(host), slow, task, host, number)
            task.add_done_callback(functools.partial(done, host=host, number=number))
            tasks.add(task)

        try:
            while not self._stop.is_set():
                # New targets reach the frontier when answers are written: write them when it
                # is time, or at once when there is nothing left to hand out.
                if self._answers and ((buffered == 0 and early_count == 0) or self._flush_due()):
                    self._flush()
                while self._early:
                    target = self._early.popleft()
                    if target.id > cursor:  # not yet read from the frontier
                        started_early.add(target.id)
                        early.setdefault(host_of(target.url), deque()).append(target)
                        early_count += 1
                # The early lane never holds the frontier back: pages keep being read beside it.
                if buffered < _BUFFER_LOW:
                    fresh = self.writer.pending(cursor, _BUFFER_FILL)
                    if fresh:
                        cursor = fresh[-1].id
                    if started_early:
                        fresh = [t for t in fresh if t.id not in started_early]
                        started_early = {i for i in started_early if i > cursor}
                    for target in fresh:
                        buffers.setdefault(host_of(target.url), deque()).append(target)
                    buffered += len(fresh)
                for lane, is_early in ((early, True), (buffers, False)):
                    for host in list(lane):
                        queue = lane[host]
                        while (
                            queue
                            and len(tasks) - len(slow_tasks) < limit
                            and inflight.get(host, 0) < slots(host)
                        ):
                            start(queue.popleft(), host)
                            if is_early:
                                early_count -= 1
                            else:
                                buffered -= 1
                        if not queue:
                            del lane[host]
                self.stats.active = len(tasks)
                if not tasks and not buffered and not early_count:
                    if self._answers:
                        continue  # written at the top of the loop, then the frontier is read again
                    if not self.writer.pending(cursor, 1):
                        break
                    continue
                self._report()
                wake.clear()
                waiter = asyncio.ensure_future(wake.wait())
                timeout = self._flush_wait() if self._answers else None
                await asyncio.wait({waiter, stop_wait}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
        finally:
            stop_wait.cancel()
            for task in tasks:
                task.cancel()
            if tasks:
                # _process catches everything but cancellation: nothing is left unretrieved.
                await asyncio.gather(*tasks, return_exceptions=True)
        self.stats.queued = 0
        self.stats.active = 0

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.stats)

    # -- one target -----------------------------------------------------------------------
    async def _process(self, target: Target) -> float | None:
        """Read one target and leave the answer for the next flush; never raises but cancellation.

        Returns how long its request took (seconds; None when it failed): how quickly the host
        answers, without the robots.txt it waited for first or the reading of the answer."""
        try:
            answer = await self._read(target)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug, or one page exhausting memory: this target only
            log.debug("reading %s failed", target.url, exc_info=True)  # stored with the target
            answer = _Answer(target, failure=_failure_text(exc))
            if getattr(self.reader, "broken", False):
                # The worker processes are gone: every further read would fail the same way.
                self._fatal = f"抓取进程意外退出，检查已停止（{_failure_text(exc)}）；请用 --resume 继续"
                self.stop()
        self._answers.append(answer)
        result = answer.read.result if answer.read is not None else answer.result
        return result.elapsed_ms / 1000 if result is not None else None

    async def _read(self, target: Target) -> _Answer:
        if target.id in self._settled:
            return _Answer(target)  # the landing URL of a redirect, answered while it waited
        if target.kind == EXCLUDED:
            return _Answer(target, FetchResult(url=target.url, outcome=Outcome.EXCLUDED, error=target.note))
        if not await self.robots.allowed(target.url):
            return _Answer(
                target, FetchResult(url=target.url, outcome=Outcome.ROBOTS_DISALLOWED, error="robots.txt")
            )
        if target.kind == PAGE:
            read = await self.reader.page(target.url, is_home=target.id == self._home_id)
            if read.analysis is None:
                return _Answer(target, read.result)
            return _Answer(target, read=read)
        result = await self.reader.probe(
            target.url, head_first=target.kind == RESOURCE, report=report_title_of(target.note)
        )
        return _Answer(target, result)

    # -- writing --------------------------------------------------------------------------
    def _flush_interval(self) -> float:
        return min(_COMMIT_SECONDS, _FIRST_COMMIT_SECONDS * 2.0 ** min(self._flushes, 8))

    def _flush_due(self) -> bool:
        return time.monotonic() - self._last_flush >= self._flush_interval()

    def _flush_wait(self) -> float:
        return max(0.0, self._flush_interval() - (time.monotonic() - self._last_flush))

    def _flush(self) -> None:
        """Write every answer read since the last flush, in one short transaction.

        A failure of the store (a full disk, a damaged file) raises StoreError and nothing of
        this batch is kept: its targets are still pending in the store for --resume.
        """
        answers, self._answers = self._answers, []
        try:
            with self.writer.transaction():
                for answer in answers:
                    self._write(answer)
        except BaseException:
            self._flush_failed = True
            self._link_ids.clear()
            raise
        self._last_flush = time.monotonic()
        self._flushes += 1

    def _write(self, answer: _Answer) -> None:
        target = answer.target
        if target.id in self._settled:
            return  # a redirect's landing page, stored with the page that redirected to it
        # A target's facts are stored whole or not at all, even inside the batch.
        self.writer.savepoint()
        try:
            if answer.failure:
                self.writer.fail(target.id, answer.failure)
                self.stats.failed += 1
                self.stats.queued -= 1
            elif answer.read is not None and answer.read.analysis is not None:
                self._save_page(target, answer.read.result, answer.read.analysis)
            elif answer.result is not None:
                self._save(target, answer.result)
        except self.writer.errors:
            self.writer.rollback_savepoint()
            self._link_ids.clear()
            raise  # the store failed: the whole batch fails loudly
        except Exception as exc:  # a bug while storing one target: that target only
            log.debug("storing %s failed", target.url, exc_info=True)  # stored with the target
            self.writer.rollback_savepoint()
            self._link_ids.clear()
            self.writer.fail(target.id, _failure_text(exc))
            self.stats.failed += 1
            self.stats.queued -= 1
            return
        self.writer.release_savepoint()

    def _save(self, target: Target, result: FetchResult) -> None:
        self.writer.check(target.id, result)
        # An attachment read whole: its hits (or the fact that it could not be read) are stored
        # under its own target, as a page's are under the page's.
        self.writer.text_hits(target.id, result.text_hits)
        self._count(result)

    def _count(self, result: FetchResult) -> None:
        self.stats.checked += 1
        self.stats.queued -= 1
        if result.outcome.is_dead:
            self.stats.dead += 1
        elif result.outcome.is_unverified:
            self.stats.unverified += 1

    def _save_page(self, target: Target, result: FetchResult, analysis: PageAnalysis) -> None:
        is_home = target.id == self._home_id
        if is_home:
            self.writer.home_url(analysis.final_url)
        self.writer.check(target.id, result)
        page_id = self._page_id(target, result, analysis)
        if page_id is not None:
            self._save_document(page_id, target.depth, result, analysis, is_home=is_home)
        self.stats.pages += 1
        self._count(result)

    def _page_id(self, target: Target, result: FetchResult, analysis: PageAnalysis) -> int | None:
        """The target a parsed document is stored under, or None when it is stored already.

        A redirected page (``/zwdt/`` → ``/gzdt/``) is one document with two URLs: it is kept
        once, under the URL it landed on, so its links and its column are not counted twice.
        """
        if analysis.final_url == target.url:
            return target.id  # not redirected: the common case
        final_key = _canonical(analysis.final_url)
        if final_key == _canonical(target.url):
            return target.id
        final_id, created = self.writer.add_target(final_key, analysis.final_url, PAGE, target.depth)
        if final_id in self._settled or (not created and self.writer.target_done(final_id)):
            return None
        if created:
            self._page_targets += 1
        else:
            self.stats.queued -= 1  # it was pending: answered here, it will not be fetched again
        self._settled.add(final_id)
        self.writer.check(final_id, dataclasses.replace(result, url=analysis.final_url))
        return final_id

    def _save_document(
        self,
        page_id: int,
        depth: int,
        result: FetchResult,
        analysis: PageAnalysis,
        *,
        is_home: bool,
    ) -> None:
        facts = analysis.facts
        self.writer.page(
            page_id,
            facts.title,
            facts.encoding,
            facts.encoding_source,
            len(facts.links),
            result.truncated,
            # The body is cut at the cap: what was read is exactly the cap.
            bytes_read=self.config.fetch.max_body_bytes if result.truncated else None,
            limited=analysis.limited,  # what the page's analysis left out, and why
        )
        listing = analysis.listing
        column = listing is not None and (listing.is_listing or is_home or listing.may_be_column)
        if listing is not None and column:
            # A list's further pages (written by script, as TRS createPageHTML does, or as
            # 下一页/尾页 links) are crawled like links, but are not link occurrences: a page past
            # the end is the pager's guess. They go first (the early lane): each names a page
            # of articles, so reading them first finds the rest of the site, and whatever
            # hangs in it, sooner. Added before the page's links, so a pager link is one too.
            for url in listing.pagination:
                self._add(url, depth + 1, navigable=True, frame=False, early=True)
        rows: list[tuple[int | None, LinkRef]] = []
        if result.outcome is Outcome.OK:
            report = report_title(analysis.text_hits)  # the page is an annual report: its title
            known = self._link_ids
            for ref in (*facts.links, *analysis.record_links()):
                link_url = ref.url
                if link_url is None or ref.special is not NO_SPECIAL:
                    rows.append((self._target_for(ref, depth + 1), ref))
                    continue
                target_id = known.get(link_url)
                if target_id is None:  # a URL met before keeps its first role: no note to work out
                    note = report_file(ref, report)
                    target_id = self._add(link_url, depth + 1, ref.navigable, ref.frame, note=note)
                    if len(known) >= _LINK_IDS:
                        known.clear()
                    known[link_url] = target_id
                rows.append((target_id, ref))
        self.writer.links(page_id, rows)
        self.writer.text_hits(page_id, analysis.text_hits)
        self.writer.hidden_links(page_id, analysis.hidden_links)
        self.writer.identifiers(page_id, analysis.identifiers)
        if listing is not None and column:
            items = (*listing.items, *analysis.more_items)
            self.writer.listing(page_id, listing, items, is_home=is_home, observed_on=self.observed_on)

    def _target_for(self, ref: LinkRef, depth: int, note: str = "") -> int | None:
        if ref.special is not LinkSpecial.NONE:
            return None
        if ref.url is not None:
            return self._add(ref.url, depth, ref.navigable, ref.frame, note=note)
        # It looks like a link but no browser could request it (http://, a bad port).
        raw = ref.raw.strip()
        target_id, created = self.writer.add_target(f"invalid:{raw}", raw, INVALID, depth, "malformed URL")
        self.stats.queued += created
        return target_id

    def _add(
        self, url: str, depth: int, navigable: bool, frame: bool, *, early: bool = False, note: str = ""
    ) -> int:
        """The target of ``url``, added when new. ``note``: an attachment's role (the annual
        report's file, read whole), kept when the URL is checked as a resource; a URL added
        before without it keeps its first role."""
        key = _canonical(url)
        cached = self.writer.cached_target_id(key)
        if cached is not None:  # the common case: navigation and footer links on every page
            return cached
        kind, why = self._kind_for(url, depth, navigable, frame)
        note = note if kind == RESOURCE else why
        target_id, created = self.writer.add_target(key, url, kind, depth, note)
        if created:
            self.stats.queued += 1
            self._page_targets += kind == PAGE
            if kind in (RESOURCE, EXTERNAL) or (kind == PAGE and (early or is_dynamic(url))):
                self._early.append(Target(target_id, url, kind, depth, note))
        return target_id

    def _kind_for(self, url: str, depth: int, navigable: bool, frame: bool) -> tuple[TargetKind, str]:
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
    async def _seed_sitemaps(self) -> None:
        """Add the pages a sitemap names, within the crawl's own limits.

        Only sitemaps on the portal's own hosts are read (a robots.txt line may point anywhere),
        at most ``_MAX_SITEMAPS`` of them, each capped in size by how many pages the crawl may
        read, and no more URLs are taken than ``max_pages``: a sitemap seeds the crawl, it
        never widens it (a 20 MB sitemap once made 277,600 requests under ``--max-pages 100``).
        """
        start = urlsplit(self.config.site.start_url)
        origin = f"{start.scheme}://{start.netloc}"
        await self.robots.allowed(self.config.site.start_url)  # loads robots.txt and its Sitemap lines
        # Sitemap lines of robots.txt only on the portal's own hosts (extra hosts included).
        candidates = list(self.robots.sitemaps(origin, allowed=self._own_document))
        candidates = candidates or [f"{origin}/sitemap.xml"]
        max_pages = self.config.scope.max_pages
        size_limit = min(_SITEMAP_MAX_BYTES, max(_SITEMAP_MIN_BYTES, max_pages * _SITEMAP_BYTES_PER_PAGE))
        seen: set[str] = set()
        urls: list[str] = []
        while candidates and len(seen) < _MAX_SITEMAPS and len(urls) < max_pages:
            sitemap = candidates.pop(0)
            if sitemap in seen or not self._own_document(sitemap):
                continue
            seen.add(sitemap)
            result = await self.fetcher.document(sitemap, limit=size_limit)
            if result.outcome is not Outcome.OK or result.body is None:
                continue
            text = result.body.decode("utf-8", errors="replace")
            locs = [html.unescape(loc) for loc in _LOC_RE.findall(text)]
            if "<sitemapindex" in text[:2000].lower():
                candidates.extend(locs[:_MAX_SITEMAPS])
            else:
                urls.extend(url for url in locs if self.scope.in_scope(url))
        if not urls:
            return
        with self.writer.transaction():
            for url in urls:
                if self._page_targets >= max_pages:
                    break  # beyond the limit a sitemap entry would only be checked: not worth a request
                self._add(url, depth=1, navigable=True, frame=False)

    def _own_document(self, url: str) -> bool:
        """A robots.txt or sitemap reference on one of the portal's own hosts (and ports)."""
        return urlsplit(url).scheme in ("http", "https") and self.scope.host_in_scope(url)


def _failure_text(exc: BaseException) -> str:
    """A short, single-line reason for a stored failure."""
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
