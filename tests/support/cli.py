"""Running the command line as a user does (a real subprocess) and comparing what it found."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

# Our own loopback portal: no politeness delays, short timeouts; FAST also without reports or progress.
LIMITS = ["--concurrency", "8", "--per-host", "4", "--interval", "0", "--timeout", "1", "--retries", "1"]
FAST = [*LIMITS, "--quiet", "--no-reports"]


def sitecheck(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitecheck", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
        check=False,
    )


def start(*args: str) -> subprocess.Popen[str]:
    """``sitecheck ARGS`` in the background (to be killed or signalled)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sitecheck", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pages_stored(data_dir: Path) -> int:
    db_path = data_dir / "sitecheck.sqlite3"
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(db_path, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM pages").fetchone()[0])
    except sqlite3.Error:
        return 0


def findings_of(doc: dict[str, Any]) -> set[tuple[str, str, str | None, frozenset[str]]]:
    """A findings.json's findings, as what was found where (ids and times left out)."""
    return {
        (f["kind"], f["url"], f["outcome"], frozenset(r["page"] for r in f["referrers"]))
        for f in doc["findings"]
    }


def assert_same_crawl(resumed_json: Path, full_json: Path) -> dict[str, Any]:
    """A resumed crawl ends with the same pages, links and findings as an uninterrupted one."""
    resumed_doc = json.loads(resumed_json.read_text("utf-8"))
    full_doc: dict[str, Any] = json.loads(full_json.read_text("utf-8"))
    assert resumed_doc["summary"]["pages"] == full_doc["summary"]["pages"]
    assert resumed_doc["summary"]["link_occurrences"] == full_doc["summary"]["link_occurrences"]
    assert findings_of(resumed_doc) == findings_of(full_doc)
    return full_doc
