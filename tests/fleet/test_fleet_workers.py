"""The fleet end to end (issue 17): six sample portals on loopback, one PostgreSQL, three worker
processes as three machines. One worker is killed (SIGKILL) in the middle of an audit; another
worker must finish that audit by resuming the stored run, no portal may ever be crawled by two
workers at once (read from the servers' own access logs: each worker names itself in its
User-Agent), and every portal's findings must equal a single-machine audit of it into SQLite.
"""

from __future__ import annotations

import dataclasses
import itertools
import signal
import subprocess
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sitecheck.audit import run_audit
from sitecheck.config import load_config
from sitecheck.demo import DemoServer
from sitecheck.models import JUDGED_RUNS, RESUMABLE_RUNS
from sitecheck.store import Store
from support.fleet import AGENT, PORTAL_TOML, crawls_by_worker, run_command, sitecheck, stop_workers, wait_for
from support.postgres import PostgresCluster

PORTALS = 6
WORKERS = 3


@pytest.mark.timeout(600)
def test_fleet_survives_a_killed_worker(postgres: PostgresCluster, tmp_path: Path) -> None:
    db = postgres.fresh_database()
    servers = [DemoServer(pages=40, slow_seconds=2.0, seed=index).start() for index in range(PORTALS)]
    workers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        configs = []
        for index, server in enumerate(servers):
            path = tmp_path / f"portal{index}.toml"
            path.write_text(PORTAL_TOML.format(url=server.base_url), encoding="utf-8")
            configs.append(path)
        run_command("fleet", "init", "--db", db)
        assert "已存在" in run_command("fleet", "init", "--db", db)  # a second init changes nothing
        added = run_command("fleet", "add", "--db", db, *map(str, configs))
        assert added.count("已登记") == PORTALS

        for number in range(WORKERS):
            name = f"w{number}"
            log = (tmp_path / f"{name}.log").open("wb")
            workers[name] = sitecheck(
                "fleet",
                "worker",
                "--db",
                db,
                "--name",
                name,
                "--heartbeat",
                "0.5",
                "--stalled-after",
                "3",
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        assert run_command("fleet", "defer", "--db", db, "audit").count("已排队") == PORTALS

        # Kill a worker as soon as one has read a good part of some portal (mid-audit).
        victim: tuple[str, int] | None = None

        def someone_crawling() -> bool:
            nonlocal victim
            for index, server in enumerate(servers):
                names = [AGENT.search(r.user_agent) for r in server.requests()]
                counts: dict[str, int] = defaultdict(int)
                for found in names:
                    if found:
                        counts[found.group(1)] += 1
                for name, count in counts.items():
                    if count >= 25:
                        victim = (name, index)
                        return True
            return False

        wait_for(someone_crawling, 120, "a worker crawling a portal")
        assert victim is not None
        victim_name, victim_portal = victim
        workers[victim_name].send_signal(signal.SIGKILL)
        workers[victim_name].wait(30)
        victim_url = servers[victim_portal].base_url
        store = Store(db)
        try:
            killed_run = store.latest_run(victim_url)
            assert killed_run is not None and killed_run.status in RESUMABLE_RUNS  # killed mid-audit

            def all_finished() -> bool:
                runs = [store.latest_run(server.base_url) for server in servers]
                return all(run is not None and run.status in JUDGED_RUNS for run in runs)

            wait_for(all_finished, 300, "every portal's audit to finish")
            fleet_runs = {server.base_url: store.latest_run(server.base_url) for server in servers}
            # The killed audit was resumed (the same run finished), not started again.
            assert fleet_runs[victim_url].id == killed_run.id  # type: ignore[union-attr]
            fleet_findings = {
                url: {(f.kind, f.url) for f in store.findings(run.id)}  # type: ignore[union-attr]
                for url, run in fleet_runs.items()
            }
        finally:
            store.close()

        # No portal crawled by two workers at once; the killed portal read by two workers in turn.
        for server in servers:
            spans = sorted(crawls_by_worker(server).values())
            for (_, end), (start, _) in itertools.pairwise(spans):
                assert end < start, f"{server.base_url} was crawled by two workers at once"
        victim_spans = crawls_by_worker(servers[victim_portal])
        assert victim_name in victim_spans and len(victim_spans) == 2

        status = run_command("fleet", "status", "--db", db)
        assert f"已完成 {PORTALS}" in status and status.count("次检查，已完成") == PORTALS

        # Every portal's findings equal a single-machine audit of it into SQLite.
        def single_machine(index: int) -> set[tuple[object, str]]:
            config = load_config(configs[index])
            config = dataclasses.replace(config, data_dir=str(tmp_path / f"sqlite{index}"))
            result = run_audit(config, handle_signals=False)
            return {(f.kind, f.url) for f in result.findings}

        with ThreadPoolExecutor(PORTALS) as pool:
            reference = list(pool.map(single_machine, range(PORTALS)))
        for index, server in enumerate(servers):
            assert fleet_findings[server.base_url] == reference[index], server.base_url
            assert reference[index]  # the sample portal has planted defects: never an empty comparison
    finally:
        stop_workers(workers.values())
        for server in servers:
            server.stop()
