"""Memory stays flat as the site grows: facts go to the store, not to memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitecheck.demo import DemoServer


def _crawl_peak_rss_kib(base_url: str, tmp_path: Path, name: str) -> tuple[int, dict[str, int]]:
    json_path = tmp_path / f"{name}.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitecheck",
            "crawl",
            base_url,
            "--data-dir",
            str(tmp_path / name),
            "--concurrency",
            "8",
            "--per-host",
            "8",
            "--interval",
            "0",
            "--timeout",
            "1",
            "--retries",
            "0",
            "--quiet",
            "--no-reports",
            "--json",
            str(json_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 1, proc.stderr.read() if proc.stderr else ""
    summary = json.loads(json_path.read_text("utf-8"))["summary"]
    return int(usage.ru_maxrss), summary


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_links(tmp_path: Path) -> None:
    with DemoServer(pages=500, seed=3, slow_seconds=2.0) as small:
        small_rss, small_summary = _crawl_peak_rss_kib(small.base_url, tmp_path, "small")
    with DemoServer(pages=3000, seed=3, slow_seconds=2.0) as large:
        large_rss, large_summary = _crawl_peak_rss_kib(large.base_url, tmp_path, "large")
    assert large_summary["link_occurrences"] > 5 * small_summary["link_occurrences"]
    assert large_summary["pages"] > 5 * small_summary["pages"]
    # Six times the pages and links may cost a few MiB (caches warming up), not six times the memory.
    assert large_rss - small_rss < 12 * 1024, (small_rss, large_rss)
