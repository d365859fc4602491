"""Running a coroutine on the fastest event loop available.

uvloop (libuv) schedules callbacks and moves socket data with less CPU than asyncio's own
loop; a crawl at raised limits spends about a tenth of its CPU in the loop. Where uvloop is
not installed (it has no Windows build) asyncio's loop does the same job.

While the coroutine runs, the cycle collector runs less often. A crawl allocates millions of
short-lived containers (answers, link records, parsed attributes) that reference counting
frees, and hardly any cycles. In a 10,000-page audit at Python's default thresholds (700, 10,
10) the collector ran about 2,900 times in the main process and its worker (13 of them over the
main process's whole heap): 0.9 s of the run's 27–28 s of CPU. At (5,000, 10, 10) it runs
about 170 times (0.3 s), for 1–2 MiB more at the peak (bench/'s realistic portal, single runs;
paired runs used 0.6–1.0 s less CPU).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


# Allocations (less frees) between two collections of the youngest generation; the older
# generations keep Python's default ratios.
_YOUNG_THRESHOLD = 5000


def run(coro: Coroutine[Any, Any, T]) -> T:
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _YOUNG_THRESHOLD), *thresholds[1:])
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            return runner.run(coro)
    finally:
        gc.set_threshold(*thresholds)  # the caller's process (a test run, a shell) keeps its own
