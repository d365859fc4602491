"""Running a coroutine on the fastest event loop available.

uvloop (libuv) schedules callbacks and moves socket data with less CPU than asyncio's own
loop; a crawl at raised limits spends about a tenth of its CPU in the loop. Where uvloop is
not installed (it has no Windows build) asyncio's loop does the same job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(coro)
