"""Per-host politeness: concurrency slots, a minimum interval between requests, and pauses.

Every request to a host goes through :meth:`HostLimiter.slot`. A 429/503 ``Retry-After`` or a
robots.txt ``Crawl-delay`` slows the whole host down, not just one URL (as lychee does).

The clock and the sleep are injectable (``time.monotonic`` and ``asyncio.sleep`` by default), so
tests can check the waits the limiter asks for without waiting them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(slots=True)
class _HostState:
    active: int = 0
    next_start: float = 0.0  # monotonic time before which no new request may start
    paused_until: float = 0.0
    interval: float = 0.0
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


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
    ) -> None:
        self.per_host = per_host
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(interval=self.min_interval)
        return state

    def has_capacity(self, host: str) -> bool:
        """Whether a request to ``host`` could start soon (used to avoid head-of-line blocking)."""
        state = self._hosts.get(host)
        return state is None or state.active < self.per_host

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
        state.interval = max(state.interval, interval)

    def pause(self, host: str, seconds: float) -> None:
        """No new request to ``host`` for ``seconds`` (Retry-After)."""
        state = self._state(host)
        state.paused_until = max(state.paused_until, self.clock() + seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        state = self._state(host)
        while state.active >= self.per_host:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            state.waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in state.waiters:
                    state.waiters.remove(waiter)
        state.active += 1
        clock = self.clock
        try:
            while True:
                now = clock()
                start_at = max(state.next_start, state.paused_until)
                if start_at <= now:
                    break
                await self.sleep(start_at - now)
            state.next_start = clock() + state.interval
            yield
        finally:
            state.active -= 1
            while state.waiters:
                waiter = state.waiters.pop(0)
                if not waiter.done():
                    waiter.set_result(None)
                    break
