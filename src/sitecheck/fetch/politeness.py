"""Per-host politeness: concurrency slots, a minimum interval between requests, and pauses.

Every request to a host goes through :meth:`HostLimiter.slot`. A 429/503 ``Retry-After`` or a
robots.txt ``Crawl-delay`` slows the whole host down, not just one URL (as lychee does).

Fixed or adaptive. Fixed (``[politeness] adaptive = false``): every host gets
``per_host`` slots and ``min_interval`` between request starts, for the whole crawl. Adaptive
(the default; switched on with :meth:`HostLimiter.adapt`): those values are the *start* and
each host's rate then follows the server, after Scrapy's AutoThrottle:

* every quick answer moves the host's interval halfway towards ``latency / slots`` (the
  interval that keeps ``slots`` requests in flight), never below ``min_interval_floor``; an
  answer of 400 or more never shortens it;
* a run of quick answers (``_RAISE_AFTER`` per slot) adds a slot, up to ``max_per_host``;
* a 429/502/503/504 or a connection that fails (refused, reset, a connect timeout) halves the
  slots and doubles the interval at once, below the start if need be: the server itself says
  it is overloaded;
* recent answers far slower than the host's quickest (the median of the last ``_WINDOW``
  answers against the lowest such median, ``_SPIKE`` × plus ``_GRAIN``) halve the slots and
  double the interval too, but never below the start (a spike no further than the latency
  itself): the start is the rate the configuration calls safe, and a latency measured on a
  busy crawler (its event loop parsing a page) is not only the server's;
* a request that times out waiting for its answer is a slow answer (as long as it waited),
  not a failure: one URL that hangs (a dead search page, a slow endpoint) does not move the
  median of five, a server that stops answering does.

Answers to requests sent before a back-off do not count again: they were sent at the old rate
(one decrease per window, as TCP's congestion control does).

Fixed or adaptive, a request still unanswered after ``SLOW_AFTER`` while the host answers its
other requests quickly waits on one slow endpoint (:class:`InFlight`): it no longer takes one
of the host's slots, and how it ends does not move the adaptive rate.

The latency is the time to the response headers (httpx event hooks installed by
:meth:`HostLimiter.watch`), not the body transfer: a large attachment is not a slow server.

The clock and the sleep are injectable (``time.monotonic`` and ``asyncio.sleep`` by default), so
tests can check the waits the limiter asks for without waiting them.
"""

from __future__ import annotations

import asyncio
import contextvars
import statistics
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx2

# A run of this many quick answers per slot in use adds one slot (additive increase).
_RAISE_AFTER = 4
# Answers whose median latency stays under _QUICK × the host's quickest (+ _GRAIN) are quick;
# above _SPIKE × (+ _GRAIN) the server is struggling and the host backs off.
_QUICK = 1.5
_SPIKE = 2.0
# Latencies this close to each other are one: the crawler's own event loop (parsing a page)
# delays an answer by a few milliseconds, which is no sign of a loaded server.
_GRAIN = 0.005
# The latency of the last few answers is their median, so one slow page (a big search result)
# is not a spike.
_WINDOW = 5
# An adaptive interval never grows beyond this (Scrapy's AUTOTHROTTLE_MAX_DELAY).
_MAX_INTERVAL = 60.0
# A back-off spaces requests at least this far apart, even from an explicit interval of 0:
# doubling nothing would leave only the slots to slow down with.
_MIN_BACK_OFF = 0.1
# Answers that say the server is overloaded (429 Too Many Requests, 502/503/504 from a gateway
# whose backend does not keep up). A 500 or 404 is one broken page, not load.
_OVERLOAD = frozenset({429, 502, 503, 504})
# Failures of the connection itself: a server that refuses or drops connections, or does not
# accept one in time, is slowed for at once.
_FAILURES = (httpx2.ConnectTimeout, httpx2.NetworkError, httpx2.RemoteProtocolError)
# Waiting too long for an answer: a slow answer, counted in the window (see the module's doc).
# Our own pool's timeout (no free connection) says nothing about the server.
_SLOW = (TimeoutError, httpx2.ReadTimeout, httpx2.WriteTimeout)


# A request still unanswered after this many seconds, to a host that answers its other requests
# quickly (its last answers came within _QUICK_HOST, or one sent after it did), is waiting on one
# slow endpoint (a search page, a query that never returns), not on a busy server: it stops
# counting against the host's slots, so that it no longer holds the rest of the site back for
# its whole timeout (three times over with the retries).
SLOW_AFTER = 1.0
_QUICK_HOST = 0.25
# A request past SLOW_AFTER whose host answered nothing quickly yet is asked about again this
# often (the first look comes a hair after SLOW_AFTER: a timer firing on the boundary itself
# may see a wait a rounding error short of it).
RECHECK = 0.25
FIRST_CHECK = SLOW_AFTER + 0.01
# Requests past SLOW_AFTER are left out of the crawl's global limit too (a link to a host that
# never answers holds a socket, not a share of the crawl), and out of a host's slots at most
# this many per slot: the connection pools are sized for them.
SLOW_EXTRA = 4


class InFlight:
    """The requests in flight to one host, numbered in the order they were sent, and which of
    them were released as slow.

    A server that is slow answers everything slowly, in turn. A request that has waited
    ``SLOW_AFTER`` seconds while the host answers others quickly (its last answers, or one sent
    after it) waits on its own endpoint. It stays open until it is answered or times out, but no
    longer counts: the owner (the limiter's slots, the crawl's dispatcher) lowers its count by
    what :meth:`release` frees, never beyond ``cap`` released at once.
    """

    __slots__ = ("_next", "_recent", "_waiting", "released")

    def __init__(self) -> None:
        self.released = 0  # released as slow and still in flight
        self._next = 0
        self._waiting: dict[int, float] = {}  # counted requests: number -> when sent (in order)
        # The last answers: (number, how long it took).
        self._recent: deque[tuple[int, float]] = deque(maxlen=_WINDOW)

    def sent(self, now: float) -> int:
        self._next += 1
        self._waiting[self._next] = now
        return self._next

    @property
    def last_sent(self) -> int:
        """The number of the request sent last (0: none yet)."""
        return self._next

    def counts(self, number: int) -> bool:
        """Whether a request still in flight counts (it was not released as slow)."""
        return number in self._waiting

    def done(self, number: int, now: float, took: float | None = None) -> bool:
        """A request ended (``took``: how long the host took to answer it, when the owner knows
        better than the time since it was sent); whether it had been released (then its owner
        has counted it out)."""
        sent = self._waiting.pop(number, None)
        if sent is None:
            self.released -= 1
            return True
        self._recent.append((number, now - sent if took is None else took))
        return False

    def release(self, now: float, cap: int, grace: float = 0.0) -> int:
        """Release the requests that are slow while the host answers others quickly, as long as
        fewer than ``cap`` are released; how many were released now. ``grace``: time a request
        may wait before it is sent (the host's interval, for an owner that counts from before)."""
        if not self._recent or now - next(iter(self._waiting.values()), now) < SLOW_AFTER + grace:
            return 0  # (the common case, on every answer: its oldest request is not slow yet)
        quick = _QUICK_HOST + grace
        took = sorted(seconds for _, seconds in self._recent)
        quick_host = took[len(took) // 2] <= quick
        overtaken_below = max((number for number, seconds in self._recent if seconds <= quick), default=0)
        freed = 0
        for number, sent in list(self._waiting.items()):
            if now - sent < SLOW_AFTER + grace or self.released >= cap:
                break  # sent in order: the rest waited less
            if quick_host or number < overtaken_below:
                del self._waiting[number]
                self.released += 1
                freed += 1
        return freed


@dataclass(frozen=True, slots=True)
class Adaptive:
    """Ceilings of the adaptive rate (``[politeness]`` max_per_host, min_interval_floor)."""

    max_per_host: int = 8
    min_interval_floor: float = 0.05


@dataclass(slots=True)
class _HostState:
    per_host: int
    delay: float  # the rate's interval (fixed: min_interval; adaptive: what the answers allow)
    active: int = 0
    next_start: float = 0.0  # monotonic time before which no new request may start
    paused_until: float = 0.0
    crawl_delay: float = 0.0  # robots.txt: the interval never goes below it
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    # What was sent, each request numbered (slow ones stop counting).
    in_flight: InFlight = field(default_factory=InFlight)
    rechecks: dict[int, asyncio.TimerHandle] = field(default_factory=dict)  # request number -> its next look
    backed_off_at: int = 0  # the number of the first request sent after the last back-off
    quickest: float = float("inf")  # the lowest median latency of _WINDOW answers
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=_WINDOW))
    quick_run: int = 0

    @property
    def interval(self) -> float:
        return max(self.delay, self.crawl_delay)

    def back_off(self, longest: float = _MAX_INTERVAL, *, floor: tuple[int, float] | None = None) -> None:
        """Halve the slots, double the interval (up to ``longest``); with ``floor`` (the start's
        slots and interval) never to a rate slower than it."""
        per_host, delay = (
            max(1, self.per_host // 2),
            min(_MAX_INTERVAL, longest, max(self.delay * 2, _MIN_BACK_OFF)),
        )
        if floor is not None:
            per_host = max(per_host, min(self.per_host, floor[0]))
            delay = min(delay, max(self.delay, floor[1]))
        self.per_host, self.delay = per_host, delay
        self.backed_off_at = self.in_flight.last_sent + 1  # requests numbered from here on are new
        self.recent.clear()
        self.quick_run = 0


@dataclass(slots=True)
class _Request:
    """One request in a slot: what the httpx hooks saw of it."""

    host: str
    number: int
    sent: float = 0.0
    latency: float | None = None
    status: int = 0


# The request the running task holds a slot for: the httpx hooks run inside the slot, in the
# same task, so they find it here without the fetcher passing it along.
_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("sitecheck_slot", default=None)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class HostLimiter:
    def __init__(
        self,
        per_host: int,
        min_interval: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        adaptive: Adaptive | None = None,
    ) -> None:
        self.per_host = per_host
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self.adaptive: Adaptive | None = None
        self._ceiling = per_host
        self._floor = min_interval
        self._hosts: dict[str, _HostState] = {}
        if adaptive is not None:
            self.adapt(adaptive)

    def adapt(self, adaptive: Adaptive) -> None:
        """Let each host's rate follow its answers, starting from ``per_host``/``min_interval``.

        An explicit start outside the bounds widens them rather than being overridden: whoever
        wrote ``--per-host 12`` or ``--interval 0`` gets at least that.
        """
        self.adaptive = adaptive
        self._ceiling = max(adaptive.max_per_host, self.per_host)
        self._floor = min(adaptive.min_interval_floor, self.min_interval)

    def watch(self, client: httpx2.AsyncClient) -> None:
        """Time each request to its response headers and see its status, through ``client``'s hooks."""
        hooks = client.event_hooks
        hooks["request"].append(self._on_request)
        hooks["response"].append(self._on_response)
        client.event_hooks = hooks

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(per_host=self.per_host, delay=self.min_interval)
        return state

    def has_capacity(self, host: str) -> bool:
        """Whether a request to ``host`` could start soon (used to avoid head-of-line blocking)."""
        state = self._hosts.get(host)
        return state is None or state.active < state.per_host

    def per_host_of(self, host: str) -> int:
        """How many requests to ``host`` may be in flight now."""
        state = self._hosts.get(host)
        return self.per_host if state is None else state.per_host

    def delay_of(self, host: str) -> float:
        """The time between request starts to ``host`` now (robots.txt Crawl-delay included)."""
        state = self._hosts.get(host)
        return self.min_interval if state is None else state.interval

    def interval_of(self, host: str) -> float:
        """The host's interval when robots.txt raised it above the configured one, else 0."""
        state = self._hosts.get(host)
        return state.interval if state is not None and state.interval > self.min_interval else 0.0

    def paused_for(self, host: str) -> float:
        """Seconds left of a Retry-After pause of ``host`` (0 when it is not paused)."""
        state = self._hosts.get(host)
        if state is None or not state.paused_until:
            return 0.0
        return max(0.0, state.paused_until - self.clock())

    def slow_down(self, host: str, interval: float) -> None:
        """Raise the host's interval (robots.txt Crawl-delay); never lowers it."""
        state = self._state(host)
        state.crawl_delay = max(state.crawl_delay, interval)

    def pause(self, host: str, seconds: float) -> None:
        """No new request to ``host`` for ``seconds`` (Retry-After)."""
        state = self._state(host)
        state.paused_until = max(state.paused_until, self.clock() + seconds)

    # -- the adaptive rate --------------------------------------------------------------
    def record(self, host: str, latency: float, status: int = 200, *, number: int | None = None) -> None:
        """An answer from ``host`` after ``latency`` seconds (to its headers).

        ``number`` is the request's number (:meth:`slot` gives one): answers to requests sent
        before the last back-off are ignored. Without it the answer counts as a new one.
        """
        if self.adaptive is None:
            return
        state = self._state(host)
        if number is not None and number < state.backed_off_at:
            return
        if status in _OVERLOAD:
            state.back_off()
            return
        recent = self._window(state, latency)
        if recent is None:
            return
        # AutoThrottle: halfway towards the interval that keeps per_host requests in flight;
        # an error page never shortens it (it may be answered fast because it is cheap).
        target = (state.delay + latency / state.per_host) / 2
        if status < 400 or target > state.delay:
            state.delay = min(_MAX_INTERVAL, max(self._floor, target))
        if status >= 400 or recent > _QUICK * state.quickest + _GRAIN:
            state.quick_run = 0
            return
        state.quick_run += 1
        if state.quick_run >= _RAISE_AFTER * state.per_host and state.per_host < self._ceiling:
            state.per_host += 1
            state.quick_run = 0

    def _window(self, state: _HostState, latency: float) -> float | None:
        """Add an answer's latency to the host's window: the recent latency to judge by, or
        None when the host just backed off on a spike."""
        state.recent.append(latency)
        if len(state.recent) < _WINDOW:
            return latency  # too few answers since the start or the last back-off to judge
        recent = statistics.median(state.recent)
        if recent > _SPIKE * state.quickest + _GRAIN:
            # The interval grows, but never past the latency itself: a server that stays
            # slower (a section of dynamic pages) is then read one request at a time with a
            # pause as long as its answer, not slower and slower.
            state.back_off(longest=max(state.delay, recent), floor=(self.per_host, self.min_interval))
            return None
        # The baseline is the quickest *median*: one cheap page (a 304, a tiny home page) is
        # not what the host's other pages can be expected to match.
        state.quickest = min(state.quickest, recent)
        return recent

    def record_slow(self, host: str, waited: float, *, number: int | None = None) -> None:
        """A request to ``host`` that timed out after ``waited`` seconds: a slow answer."""
        if self.adaptive is None:
            return
        state = self._state(host)
        if number is not None and number < state.backed_off_at:
            return
        self._window(state, waited)
        state.quick_run = 0

    def record_failure(self, host: str, *, number: int | None = None) -> None:
        """A connection to ``host`` refused, reset or not accepted in time: back off (once per window)."""
        if self.adaptive is None:
            return
        state = self._state(host)
        if number is None or number >= state.backed_off_at:
            state.back_off()

    async def _on_request(self, request: httpx2.Request) -> None:
        current = _current.get()
        if current is not None:
            current.sent = self.clock()

    async def _on_response(self, response: httpx2.Response) -> None:
        current = _current.get()
        if current is not None:
            # A redirect chain: the first hop's latency, the worst hop's overload status.
            if current.latency is None:
                current.latency = self.clock() - current.sent
            if response.status_code in _OVERLOAD or not current.status:
                current.status = response.status_code

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        state = self._state(host)
        while state.active >= state.per_host:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            state.waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in state.waiters:
                    state.waiters.remove(waiter)
        state.active += 1
        clock = self.clock
        request: _Request | None = None
        token: contextvars.Token[_Request | None] | None = None
        number = 0  # the request's number in state.in_flight, once sent
        try:
            while True:
                now = clock()
                start_at = max(state.next_start, state.paused_until)
                if start_at <= now:
                    break
                await self.sleep(start_at - now)
            state.next_start = clock() + state.interval
            number = state.in_flight.sent(clock())
            state.rechecks[number] = asyncio.get_running_loop().call_later(
                FIRST_CHECK, self._watch, state, number
            )
            if self.adaptive is not None:
                request = _Request(host, number, sent=clock())
                token = _current.set(request)
            yield
        # A request released as slow waited on its own endpoint: how it ends says nothing of the
        # server's load, so the adaptive rate does not hear of it.
        except _FAILURES:
            if request is not None and state.in_flight.counts(number):
                self.record_failure(host, number=request.number)
            raise
        except _SLOW:
            if request is not None and state.in_flight.counts(number):
                self.record_slow(host, clock() - request.sent, number=request.number)
            raise
        else:
            if request is not None and state.in_flight.counts(number):
                latency = request.latency if request.latency is not None else clock() - request.sent
                self.record(host, latency, request.status or 200, number=request.number)
        finally:
            if token is not None:
                _current.reset(token)
            recheck = state.rechecks.pop(number, None)
            if recheck is not None:
                recheck.cancel()
            if not (number and state.in_flight.done(number, clock())):
                state.active -= 1  # (a request released as slow was counted out then)
            if number:
                self._release_slow(state)  # its answer may overtake older ones
            self._wake(state)

    def _watch(self, state: _HostState, number: int) -> None:
        """A request past SLOW_AFTER: release what is slow, and look again while it counts."""
        self._release_slow(state)
        if state.in_flight.counts(number):
            state.rechecks[number] = asyncio.get_running_loop().call_later(
                RECHECK, self._watch, state, number
            )
        else:
            state.rechecks.pop(number, None)

    def _release_slow(self, state: _HostState) -> None:
        freed = state.in_flight.release(self.clock(), cap=state.per_host * SLOW_EXTRA)
        if freed:
            state.active -= freed
            self._wake(state)

    @staticmethod
    def _wake(state: _HostState) -> None:
        # More slots than waiters woken: a raised per_host lets several start at once.
        free = state.per_host - state.active
        while state.waiters and free > 0:
            waiter = state.waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                free -= 1
