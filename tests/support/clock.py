"""A virtual monotonic clock for HostLimiter and Fetcher: waits are recorded, not waited.

Sleeping moves the clock forward by exactly the time asked for, so a test asserts the sequence
of waits (``sleeps``) instead of measuring wall-clock time. Values that are sums of powers of
two (0.25, 0.5, 1) keep the arithmetic exact.
"""

from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []  # every wait asked for, in order

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is
