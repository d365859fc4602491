"""Helpers of the fleet tests: sample-portal configs slow enough to be caught mid-audit, the
``sitecheck`` command as a subprocess (a machine of the fleet), and the servers' access logs
read per worker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from sitecheck.demo import DemoServer

SRC = Path(__file__).resolve().parents[2] / "src"
AGENT = re.compile(r"sitecheck-fleet-worker/(\S+)")

# Politeness slows each audit to several seconds, so a worker can be caught in the middle of one.
PORTAL_TOML = """
[site]
start_url = "{url}"
[politeness]
concurrency = 2
per_host_concurrency = 1
min_interval = 0.03
[fetch]
timeout = 1.0
retries = 1
backoff = 0.05
workers = 0
"""


def sitecheck(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-m", "sitecheck", *args], env=env, **kwargs)  # type: ignore[call-overload]


def run_command(*args: str, check: bool = True) -> str:
    """``sitecheck …`` to its end; its output (stdout, and stderr when it may fail)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "sitecheck", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stderr
        return done.stdout
    assert done.returncode != 0, done.stdout
    return done.stdout + done.stderr


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting: {what}")


def crawls_by_worker(server: DemoServer) -> dict[str, tuple[float, float]]:
    """Per worker name, the first and last moment it requested anything from this portal."""
    spans: dict[str, list[float]] = defaultdict(list)
    for request in server.requests():
        found = AGENT.search(request.user_agent)
        if found and not request.external:
            spans[found.group(1)].append(request.at)
    return {name: (min(times), max(times)) for name, times in spans.items()}


def stop_workers(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every worker still running (they finish their audits), then wait; kill a hung one."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
