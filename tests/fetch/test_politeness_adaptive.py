"""The adaptive rate's decisions (fetch/politeness.py), fed answers directly or through a slot.

No network and no timing: latencies are given, or measured on the virtual clock
(support/clock.py), and the tests assert what the limiter decides.
"""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from sitecheck.fetch.politeness import Adaptive, HostLimiter
from support.clock import FakeClock

HOST = "gov.example:80"


def adaptive(per_host: int = 2, interval: float = 0.3, **bounds: float) -> HostLimiter:
    clock = FakeClock()
    ceilings = Adaptive(**{"max_per_host": 8, "min_interval_floor": 0.05, **bounds})  # type: ignore[arg-type]
    return HostLimiter(per_host, interval, clock=clock, sleep=clock.sleep, adaptive=ceilings)


def quick(limiter: HostLimiter, count: int, latency: float = 0.1, status: int = 200) -> None:
    for _ in range(count):
        limiter.record(HOST, latency, status)


def test_a_run_of_quick_answers_raises_the_rate_up_to_the_ceilings() -> None:
    limiter = adaptive()
    assert (limiter.per_host_of(HOST), limiter.delay_of(HOST)) == (2, 0.3)  # starts gentle
    quick(limiter, 8)
    assert limiter.per_host_of(HOST) == 3
    assert limiter.delay_of(HOST) < 0.3
    quick(limiter, 1000)
    assert limiter.per_host_of(HOST) == 8  # max_per_host
    assert limiter.delay_of(HOST) == 0.05  # min_interval_floor


def test_the_interval_follows_autothrottle() -> None:
    limiter = adaptive(interval=1.0)
    limiter.record(HOST, 0.4)
    assert limiter.delay_of(HOST) == pytest.approx((1.0 + 0.4 / 2) / 2)  # halfway to latency / slots


@pytest.mark.parametrize("status", [429, 503, 502, 504])
def test_an_overloaded_answer_halves_the_rate_at_once(status: int) -> None:
    limiter = adaptive()
    quick(limiter, 1000)
    limiter.record(HOST, 0.1, status)
    assert limiter.per_host_of(HOST) == 4
    assert limiter.delay_of(HOST) == 0.1


def test_a_latency_spike_halves_the_rate() -> None:
    limiter = adaptive()
    quick(limiter, 1000)
    limiter.record(HOST, 0.5)  # one slow page is not a spike
    limiter.record(HOST, 0.5)
    assert limiter.per_host_of(HOST) == 8
    limiter.record(HOST, 0.5)  # most recent answers 5 × the quickest: the server is loaded
    assert limiter.per_host_of(HOST) == 4
    assert limiter.delay_of(HOST) >= 0.1  # at least doubled from the floor


def test_a_failure_halves_the_rate_and_it_never_goes_below_one_slot() -> None:
    limiter = adaptive(per_host=4, interval=0.05)
    for _ in range(10):
        limiter.record_failure(HOST)
    assert limiter.per_host_of(HOST) == 1
    assert limiter.delay_of(HOST) == 51.2  # doubled each time, up to 60 s


def test_answers_sent_before_a_back_off_do_not_count_again() -> None:
    """The requests in flight when the host backed off were sent at the old rate."""
    limiter = adaptive(per_host=8, interval=0.05)

    async def main() -> None:
        slots = [limiter.slot(HOST) for _ in range(4)]
        for slot in slots:
            await slot.__aenter__()
        limiter.record(HOST, 0.1, 503)
        assert limiter.per_host_of(HOST) == 4
        for slot in slots:  # their answers (timed by the slot) come after the back-off
            await slot.__aexit__(TimeoutError, TimeoutError(), None)
        assert limiter.per_host_of(HOST) == 4
        async with limiter.slot(HOST):
            pass
        limiter.record(HOST, 0.1, 503)  # a request sent at the new rate still got a 503
        assert limiter.per_host_of(HOST) == 2

    asyncio.run(main())


def test_error_pages_never_shorten_the_interval() -> None:
    limiter = adaptive()
    quick(limiter, 50, latency=0.001, status=404)
    assert limiter.delay_of(HOST) == 0.3
    assert limiter.per_host_of(HOST) == 2
    limiter.record(HOST, 2.0, 404)  # but a slow one lengthens it
    assert limiter.delay_of(HOST) > 0.3


def test_an_explicit_start_beyond_the_ceilings_widens_them() -> None:
    limiter = adaptive(per_host=12, interval=0.0)
    quick(limiter, 1000, latency=0.01)
    assert limiter.per_host_of(HOST) == 12
    assert limiter.delay_of(HOST) < 0.01


def test_robots_crawl_delay_stays_a_floor() -> None:
    limiter = adaptive()
    limiter.slow_down(HOST, 2.0)
    quick(limiter, 1000)
    assert limiter.delay_of(HOST) == 2.0


def test_fixed_mode_never_changes() -> None:
    clock = FakeClock()
    limiter = HostLimiter(2, 0.3, clock=clock, sleep=clock.sleep)
    quick(limiter, 1000, latency=0.001)
    for status in (503, 429):
        limiter.record(HOST, 5.0, status)
    limiter.record_failure(HOST)
    assert (limiter.per_host_of(HOST), limiter.delay_of(HOST)) == (2, 0.3)


def test_a_slot_times_its_request_and_sees_its_failure() -> None:
    """Without httpx hooks the slot's own hold time is the latency; a refused connection backs off."""
    limiter = adaptive(per_host=2, interval=0.0)
    clock = limiter.clock
    assert isinstance(clock, FakeClock)

    async def main() -> None:
        for _ in range(7):
            async with limiter.slot(HOST):
                await clock.sleep(0.25)
        assert limiter.per_host_of(HOST) == 2
        async with limiter.slot(HOST):
            await clock.sleep(0.25)
        assert limiter.per_host_of(HOST) == 3  # eight quick answers at two slots
        with pytest.raises(TimeoutError):  # one answer that never came is a slow answer
            async with limiter.slot(HOST):
                await clock.sleep(10.0)
                raise TimeoutError
        assert limiter.per_host_of(HOST) == 3
        with pytest.raises(httpx2.ConnectError):
            async with limiter.slot(HOST):
                raise httpx2.ConnectError("refused")
        assert limiter.per_host_of(HOST) == 1

    asyncio.run(main())


def test_one_hanging_url_does_not_slow_the_host_but_a_hanging_server_does() -> None:
    """Timeouts are slow answers in the window of five: one is an outlier, three are the server."""
    limiter = adaptive()
    quick(limiter, 1000)
    limiter.record_slow(HOST, 10.0)
    quick(limiter, 3)
    assert (limiter.per_host_of(HOST), limiter.delay_of(HOST)) == (8, 0.05)
    for _ in range(3):
        limiter.record_slow(HOST, 10.0)
    assert limiter.per_host_of(HOST) == 4


def test_a_latency_spike_never_slows_below_the_start() -> None:
    """The start is what the configuration calls safe: only the server's own overload goes below it."""
    limiter = adaptive(per_host=20, interval=0.0)
    quick(limiter, 10, latency=0.002)
    for _ in range(20):
        quick(limiter, 5, latency=0.5)  # a crawler busy parsing sees every answer late
    assert limiter.per_host_of(HOST) == 20
    # AutoThrottle's interval keeps the 20 slots busy: no slower than 20 requests per latency.
    assert limiter.delay_of(HOST) <= 0.5 / 20 + 1e-9
    limiter.record(HOST, 0.002, 503)
    assert limiter.per_host_of(HOST) == 10
    assert limiter.delay_of(HOST) == 0.1


def test_a_spike_from_a_raised_rate_comes_back_to_the_start() -> None:
    limiter = adaptive()  # 2 slots, 0.3 s
    quick(limiter, 1000)
    assert (limiter.per_host_of(HOST), limiter.delay_of(HOST)) == (8, 0.05)
    for _ in range(10):
        quick(limiter, 5, latency=5.0)
    assert limiter.per_host_of(HOST) == 2  # the start's slots, not fewer
    assert limiter.delay_of(HOST) == pytest.approx(5.0 / 2)  # AutoThrottle: latency ÷ slots
