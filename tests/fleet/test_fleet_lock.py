"""The per-portal procrastinate lock and the graceful SIGTERM, with real worker processes.

Two audits of one portal are queued while the first is being crawled: the second must wait for
the first (the lock), not start beside it; on one machine a second crawl beside the first would
be refused by the machine's site lock and its job would fail, so both jobs succeeding with two
finished runs and disjoint access-log spans shows the queue kept them apart. The worker running
the first audit gets SIGTERM in the middle of it: it finishes the audit, then exits cleanly.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from sitecheck.demo import DemoServer
from sitecheck.models import JUDGED_RUNS
from sitecheck.store import Store
from support.fleet import PORTAL_TOML, crawls_by_worker, run_command, sitecheck, stop_workers, wait_for
from support.postgres import PostgresCluster


@pytest.mark.timeout(300)
def test_one_portal_is_never_crawled_twice_at_once(postgres: PostgresCluster, tmp_path: Path) -> None:
    db = postgres.fresh_database()
    workers: dict[str, subprocess.Popen[bytes]] = {}
    with DemoServer(pages=40, slow_seconds=2.0) as server:
        config = tmp_path / "portal.toml"
        config.write_text(PORTAL_TOML.format(url=server.base_url), encoding="utf-8")
        run_command("fleet", "init", "--db", db)
        run_command("fleet", "add", "--db", db, str(config))
        try:
            for name in ("a", "b"):
                log = (tmp_path / f"{name}.log").open("wb")
                workers[name] = sitecheck(
                    "fleet", "worker", "--db", db, "--name", name, stdout=log, stderr=subprocess.STDOUT
                )
            assert "已排队" in run_command("fleet", "defer", "--db", db, "audit", server.base_url)
            wait_for(lambda: len(server.requests()) >= 25, 120, "the first audit under way")
            first = next(iter(crawls_by_worker(server)))
            # The first job is running, so the queueing lock lets a second one wait behind it.
            assert "已排队" in run_command("fleet", "defer", "--db", db, "audit", server.base_url)
            workers[first].send_signal(signal.SIGTERM)
            assert workers[first].wait(120) == 0  # it finished its audit, then stopped

            store = Store(db)
            try:
                runs = lambda: [r for r in store.runs() if r.start_url == server.base_url]  # noqa: E731
                assert runs()[0].status in JUDGED_RUNS  # SIGTERM let the audit finish
                wait_for(
                    lambda: len(runs()) == 2 and all(r.status in JUDGED_RUNS for r in runs()),
                    120,
                    "the second audit",
                )
            finally:
                store.close()
            status = run_command("fleet", "status", "--db", db)
            assert "任务：已完成 2\n" in status, status
            # The supervisor's one page reads the fleet's portals from the registry.
            shown = run_command("fleet", "overview", "--db", db, "--reports-dir", str(tmp_path / "reports"))
            assert "1. 127.0.0.1" in shown
            assert list((tmp_path / "reports").rglob("overview.html"))
            spans = crawls_by_worker(server)
            assert set(spans) == {"a", "b"}
            (_, end), (start, _) = sorted(spans.values())
            assert end < start, "the portal was crawled by two workers at once"
        finally:
            stop_workers(workers.values())
