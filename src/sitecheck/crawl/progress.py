"""Progress of a long crawl: a live line on a terminal, periodic plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from sitecheck.crawl.engine import CrawlStats


def _line(stats: CrawlStats) -> str:
    return (
        f"已检查页面 {stats.pages}，链接 {stats.checked}，待检 {max(stats.queued, 0)}，"
        f"不可用 {stats.dead}，无法核实 {stats.unverified}，"
        f"{stats.pages_per_second:.1f} 页/秒，用时 {stats.elapsed:.0f} 秒"
    )


class Progress:
    """Callable progress sink for :class:`sitecheck.crawl.Crawler`; use as a context manager."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 10.0, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.interval = interval
        self.live: Live | None = None
        self._last = 0.0
        self._tty = self.stream.isatty()

    def __enter__(self) -> Progress:
        if self._tty and not self.quiet:
            console = Console(file=self.stream)
            self.live = Live(Text("正在启动…"), console=console, refresh_per_second=4, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = None

    def __call__(self, stats: CrawlStats) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if self.live is not None:
            if now - self._last >= 0.2 or stats.finished:
                self._last = now
                self.live.update(Text(_line(stats)))
            return
        if now - self._last >= self.interval:
            self._last = now
            print(_line(stats), file=self.stream, flush=True)
