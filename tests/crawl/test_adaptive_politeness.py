"""Adaptive politeness in a real crawl of a loopback server that counts requests in flight.

The server notes, as each request arrives, how many are being answered at that moment: the
concurrency the portal sees. A quick server sees it rise above the gentle start (2 per host);
one that starts answering 503, or slowly, sees it fall right after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sitecheck.audit import run_audit
from sitecheck.config import AuditConfig

PAGES = 160
LATENCY = 0.1  # every page takes this long: requests overlap, so the server sees concurrency


@dataclass
class Portal:
    base_url: str = ""
    switch_after: int = 10**9  # page requests answered normally before the server changes
    struggle_for: int = 10**9  # page requests answered changed, then it recovers
    then_status: int = 200
    then_delay: float = LATENCY
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    pages_seen: int = 0
    arrivals: list[tuple[float, int, bool]] = field(default_factory=list)  # time, in flight, after switch
    switched_at: float = 0.0


def _serve(portal: Portal) -> Iterator[Portal]:
    links = "".join(f'<li><a href="/p{i}.html">第{i}页</a></li>' for i in range(PAGES))
    home = f"<html><head><title>首页</title></head><body><ul>{links}</ul></body></html>".encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if not path.startswith("/p"):
                body, status, delay = (home, 200, 0.0) if path == "/" else (b"", 404, 0.0)
                self._answer(status, body, delay)
                return
            with portal.lock:
                portal.pages_seen += 1
                after = 0 < portal.pages_seen - portal.switch_after <= portal.struggle_for
                if after and not portal.switched_at:
                    portal.switched_at = time.monotonic()
                portal.in_flight += 1
                portal.arrivals.append((time.monotonic(), portal.in_flight, after))
            try:
                status, delay = (portal.then_status, portal.then_delay) if after else (200, LATENCY)
                page = f"<html><head><title>{path}</title></head><body>{'正文' * 200}</body></html>"
                self._answer(status, page.encode(), delay)
            finally:
                with portal.lock:
                    portal.in_flight -= 1

        def _answer(self, status: int, body: bytes, delay: float) -> None:
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    portal.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def portal() -> Iterator[Portal]:
    yield from _serve(Portal())


def _config(portal: Portal, data_dir: Path) -> AuditConfig:
    config = AuditConfig(data_dir=str(data_dir)).replace("site", start_url=portal.base_url, use_sitemap=False)
    # The gentle start (2 per host); a short interval start and floor so the test takes seconds.
    config = config.replace("politeness", min_interval=0.05, min_interval_floor=0.005, respect_robots=False)
    return config.replace("fetch", timeout=5.0, retries=0, workers=0)


def test_a_quick_server_sees_more_than_the_gentle_start(portal: Portal, tmp_path: Path) -> None:
    result = run_audit(_config(portal, tmp_path / "data"), handle_signals=False)
    assert result.stats.pages == PAGES + 1
    assert max(count for _, count, _ in portal.arrivals) > 2


def test_fixed_mode_keeps_the_gentle_start(portal: Portal, tmp_path: Path) -> None:
    config = _config(portal, tmp_path / "data").replace("politeness", adaptive=False)
    run_audit(config, handle_signals=False)
    assert max(count for _, count, _ in portal.arrivals) <= 2


@pytest.mark.parametrize(("status", "delay"), [(503, LATENCY), (200, 6 * LATENCY)], ids=["503", "slow"])
def test_the_concurrency_drops_when_the_server_struggles(
    portal: Portal, tmp_path: Path, status: int, delay: float
) -> None:
    portal.switch_after, portal.then_status, portal.then_delay = 80, status, delay
    # Answers of 503 slow the host down to one request a minute at most (the interval doubles on
    # each), slow answers to one at a time: the portal recovers after a while so the test ends.
    portal.struggle_for = 12 if status == 503 else 30
    run_audit(_config(portal, tmp_path / "data"), handle_signals=False)
    before = max(count for _, count, after in portal.arrivals if not after)
    assert before > 2
    # Requests already in flight when the server changed finish at their own pace; those that
    # arrive once they have (and the first struggling answers are back) see the lowered rate.
    settle = portal.switched_at + 2 * delay + LATENCY
    later = [count for at, count, after in portal.arrivals if after and at > settle]
    assert later, "the crawl ended before the server was seen struggling"
    assert max(later) < before
