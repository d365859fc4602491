"""How the fleet scales with worker processes (issue 17): N sample portals of P pages on
loopback, audited at the default politeness by 1, 2, 4 … ``sitecheck fleet worker`` processes
sharing one PostgreSQL. Reported per worker count: wall time from queueing the audits to the
last one finished, and portals per hour.

Politeness, not CPU, bounds one portal (2 requests at a time per host, 0.3 s apart), so many
portals should scale with workers until the machine's CPU is full.

    python bench/fleet.py                                  # 40 portals × 500 pages, 1/2/4 workers
    python bench/fleet.py --portals 8 --pages 100 --workers 1,2,4
    python bench/fleet.py --db postgresql://…/bench        # an existing (empty) database

Without ``--db`` a throwaway PostgreSQL 15 is started from the Debian binaries (as in the
tests). Each worker count gets a fresh database. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg

from sitecheck.demo import DemoServer
from sitecheck.models import JUDGED_RUNS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.postgres import postgres_cluster  # noqa: E402


def sitecheck(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "sitecheck", *args], env=env, **kwargs)  # type: ignore[call-overload]


def latest_run_id(db: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()
    return int(row[0]) if row else 0


def finished(db: str, urls: list[str], after_run: int) -> int:
    """How many of the portals have a judged run newer than ``after_run``."""
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (start_url) start_url, status, id FROM runs ORDER BY start_url, id DESC"
        ).fetchall()
    return sum(1 for url, status, run in rows if url in urls and status in JUDGED_RUNS and run > after_run)


def audit_seconds(db: str, after_run: int) -> list[float]:
    """How long each audit newer than ``after_run`` took, start to judged (from the runs table)."""
    from datetime import datetime

    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT started_at, finished_at FROM runs WHERE id > %s AND finished_at IS NOT NULL", (after_run,)
        ).fetchall()
    return [
        (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() for start, end in rows
    ]


def measure(
    db: str, configs: list[Path], urls: list[str], workers: int, folder: Path
) -> tuple[float, list[float]]:
    for args in (("init",), ("add", *map(str, configs))):
        subprocess.run(
            [sys.executable, "-m", "sitecheck", "fleet", args[0], "--db", db, *args[1:]],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=True,
            capture_output=True,
        )
    processes = []
    try:
        for number in range(workers):
            log = (folder / f"w{number}.log").open("wb")
            processes.append(
                sitecheck(
                    "fleet",
                    "worker",
                    "--db",
                    db,
                    "--name",
                    f"w{number}",
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        time.sleep(2)  # the workers connect and listen
        baseline = latest_run_id(db)
        began = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "sitecheck", "fleet", "defer", "--db", db, "audit"],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=True,
            capture_output=True,
        )
        while finished(db, urls, baseline) < len(urls):
            time.sleep(1)
        return time.monotonic() - began, audit_seconds(db, baseline)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portals", type=int, default=40)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--slow-seconds", type=float, default=5.0, help="the sample portal's slow page")
    parser.add_argument(
        "--db", default="", help="an existing empty PostgreSQL database (default: a throwaway one)"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="sitecheck-fleet-bench-") as tmp:
        folder = Path(tmp)
        cluster = None if args.db else stack.enter_context(postgres_cluster())
        servers = [
            stack.enter_context(DemoServer(pages=args.pages, seed=n, slow_seconds=args.slow_seconds))
            for n in range(args.portals)
        ]
        urls = [server.base_url for server in servers]
        configs = []
        for n, url in enumerate(urls):
            path = folder / f"portal{n}.toml"
            path.write_text(f'[site]\nstart_url = "{url}"\n', encoding="utf-8")
            configs.append(path)
        print(f"{args.portals} portals × {args.pages} pages, default politeness, {os.cpu_count()} CPUs")
        print("| workers | wall time | portals per hour | speed-up | one audit (median) | audits in a row |")
        print("|---:|---:|---:|---:|---:|---:|")
        first = 0.0
        for workers in counts:
            db = args.db if args.db else cluster.fresh_database()  # type: ignore[union-attr]
            for server in servers:
                server.reset()
            wall, audits = measure(db, configs, urls, workers, folder)
            first = first or wall
            # The sum of the audits' own durations is what one worker would need for them in a
            # row (their politeness waits do not overlap then): the baseline when 1 is not run.
            median = sorted(audits)[len(audits) // 2] if audits else 0.0
            print(
                f"| {workers} | {wall:.0f} s | {args.portals / wall * 3600:.0f} | {first / wall:.2f}× "
                f"| {median:.0f} s | {sum(audits):.0f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
