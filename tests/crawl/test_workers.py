"""Worker processes (fetch.workers): when they are used, that they are stopped with the crawl,
and that a crawl read by workers is the same crawl (real subprocesses, real loopback server)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.config import AuditConfig, config_from_mapping
from sitecheck.crawl import pool as pool_module
from sitecheck.crawl.pool import WorkerError, WorkerPool, auto_workers, engine_reads_too
from sitecheck.crawl.reader import LocalReader
from sitecheck.demo import DemoServer
from sitecheck.errors import ConfigError
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.models import LinkRef, LinkSpecial, PageFacts
from support.cli import FAST, assert_same_crawl, pages_stored, sitecheck


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def test_auto_uses_workers_only_when_the_limits_are_raised() -> None:
    gentle = AuditConfig()  # 8 in flight, 0.3 s between requests to a host
    assert gentle.fetch.workers == "auto"
    assert auto_workers(gentle) == 0
    raised = gentle.replace("politeness", concurrency=20, per_host_concurrency=20, min_interval=0.0)
    cores = _cores()
    assert auto_workers(raised) == (min(cores - 1, 4) if cores >= 3 else 1 if cores == 2 else 0)
    assert engine_reads_too(raised)  # on 2 cores: one worker, and the engine reads beside it
    spaced = raised.replace("politeness", min_interval=0.01)
    assert auto_workers(spaced) == (min(cores - 1, 4) if cores >= 3 else 0)
    assert not engine_reads_too(spaced)  # the workers keep the interval together, the engine may not add to it
    assert auto_workers(raised.replace("fetch", workers=0)) == 0
    assert auto_workers(gentle.replace("fetch", workers=3)) == 3


def test_the_engine_reads_beside_its_worker_and_the_crawl_is_the_same(tmp_path: Path) -> None:
    # No interval to keep: once the worker has a backlog, the engine's process reads the next
    # targets itself. Both read, and the audit is the one a single process makes.
    with DemoServer(pages=400, seed=5) as server:
        results = {}
        for workers in (1, 0):
            config = fast_config(server.base_url, tmp_path / f"data{workers}", workers=workers)
            config = config.replace("politeness", concurrency=20, per_host_concurrency=20)
            json_path = tmp_path / f"w{workers}.json"
            results[workers] = run_audit(config, json_path=json_path, handle_signals=False, reports=False)
    both, alone = results[1].stats, results[0].stats
    assert both.workers == 1 and alone.workers == 0
    assert 0 < both.read_by_engine < both.pages + both.checked, both  # each process read some
    assert alone.read_by_engine == 0
    assert_same_crawl(tmp_path / "w1.json", tmp_path / "w0.json")


def _reading_config(server: ScriptedServer, concurrency: int) -> AuditConfig:
    config = AuditConfig().replace("site", start_url=server.base_url + "/")
    return config.replace("politeness", concurrency=concurrency, min_interval=0.0).replace("fetch", retries=0)


@contextlib.asynccontextmanager
async def _engine_and_worker(config: AuditConfig, *, start: bool) -> AsyncIterator[WorkerPool]:
    """A pool of one worker beside a reader in this process (the engine's), as audit.py makes it
    on 2 cores; ``start``: with the worker process running (closed at the end)."""
    async with build_client(config) as client:
        fetcher = Fetcher(client, FetchPolicy.from_config(config), HostLimiter(config.politeness.concurrency, 0.0))
        here = LocalReader(fetcher, config, date(2026, 12, 5))
        workers = WorkerPool(config, date(2026, 12, 5), 1, fetcher.limiter, here=here)
        if start:
            await workers.start()
        try:
            yield workers
        finally:
            if start:
                await workers.close()


def test_a_slow_server_does_not_hold_the_engines_reading_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine reads one target at a time here (one slot). A page that takes its server 2 s
    # gives the slot back after HERE_SLOT_SECONDS: the next pages are read by the engine while
    # it waits, not handed to the worker (which, not started here, would refuse them).
    monkeypatch.setattr(pool_module, "HERE_SLOT_SECONDS", 0.2)
    page = b"<html><head><title>ok</title></head><body><p>ok</p></body></html>"
    routes = {"/slow.html": [Reply(body=page, delay=2.0)], "/fast.html": [Reply(body=page)]}
    with ScriptedServer(routes) as server:

        async def read() -> tuple[list[str], int, int]:
            async with _engine_and_worker(_reading_config(server, 3), start=False) as workers:
                assert workers.here_slots == 1
                workers._ready, workers._load = 1, [workers.backlog]  # the worker is busy: the engine may read
                slow = asyncio.ensure_future(workers.page(server.base_url + "/slow.html", is_home=False))
                await asyncio.sleep(0.5)  # past HERE_SLOT_SECONDS, the slow page still waiting
                fast = [await workers.page(server.base_url + "/fast.html", is_home=False) for _ in range(2)]
                done = await slow
                return [read.result.outcome.name for read in (*fast, done)], workers.read_here, workers._here_load

        outcomes, read_here, still_held = asyncio.run(read())
    assert outcomes == ["OK", "OK", "OK"]
    assert read_here == 3  # all three in the engine's process, the fast ones beside the slow one
    assert still_held == 0  # every slot is given back, once only


async def _wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)


def test_the_engine_reads_while_its_worker_starts() -> None:
    # A worker is a new interpreter importing sitecheck: until it says it is ready, the engine
    # reads the first pages itself; then the worker takes what the engine does not.
    with ScriptedServer({"/a.html": [Reply()]}) as server:

        async def read() -> tuple[list[str], list[int]]:
            async with _engine_and_worker(_reading_config(server, 20), start=True) as workers:
                first = await workers.page(server.base_url + "/a.html", is_home=True)
                read_here = [workers.read_here]
                await _wait_for(lambda: workers._ready > 0)  # the worker's ready message
                later = await workers.page(server.base_url + "/a.html", is_home=False)
                read_here.append(workers.read_here)
                return [read.result.outcome.name for read in (first, later)], read_here

        outcomes, read_here = asyncio.run(read())
    assert outcomes == ["OK", "OK"]
    assert read_here == [1, 1]  # the first by the engine, the next (no backlog) by the worker


def test_a_worker_that_dies_before_it_is_ready_stops_the_reading() -> None:
    # The engine reads while its worker starts; a worker that dies instead must not leave the
    # engine reading alone unnoticed: the next request fails, and the crawl stops (engine.py).
    with ScriptedServer({"/a.html": [Reply()]}) as server:

        async def read() -> None:
            async with _engine_and_worker(_reading_config(server, 20), start=True) as workers:
                workers._transports[0].kill()  # while it is still importing sitecheck
                await _wait_for(lambda: workers.broken)
                assert workers.broken and not workers._ready
                with pytest.raises(WorkerError, match="worker process"):
                    await workers.page(server.base_url + "/a.html", is_home=True)

        asyncio.run(read())


def test_workers_setting_is_validated() -> None:
    assert config_from_mapping({"fetch": {"workers": "auto"}}).fetch.workers == "auto"
    assert config_from_mapping({"fetch": {"workers": 2}}).fetch.workers == 2
    for bad in ("many", -1, 1.5):
        with pytest.raises(ConfigError, match=r"fetch\.workers"):
            config_from_mapping({"fetch": {"workers": bad}})


def test_bad_workers_option_is_a_usage_error(tmp_path: Path) -> None:
    proc = sitecheck("crawl", "http://127.0.0.1:9/", "--workers", "lots", "--data-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "--workers" in proc.stderr


@pytest.fixture(scope="module")
def slow_server() -> Iterator[DemoServer]:
    with DemoServer(pages=400, seed=11, slow_seconds=3.0) as server:
        yield server


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_the_crawl_and_a_resumed_crawl_is_the_same(
    slow_server: DemoServer, tmp_path: Path, how: signal.Signals
) -> None:
    data_dir = tmp_path / "data"
    # One request at a time with a pause: slow enough that the signal lands mid-crawl.
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "sitecheck", "crawl", slow_server.base_url,
            "--data-dir", str(data_dir), "--workers", "2",
            "--concurrency", "2", "--per-host", "1", "--interval", "0.005",
            "--timeout", "1", "--retries", "1", "--quiet", "--no-reports",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while pages_stored(data_dir) < 40:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) == 2
    proc.send_signal(how)
    code = proc.wait(timeout=30)
    if how is signal.SIGTERM:
        assert code == 130
    # Killed or stopped, the engine's workers do not outlive it.
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the crawl"
        time.sleep(0.1)

    resumed = sitecheck(
        "crawl", slow_server.base_url, "--data-dir", str(data_dir), "--resume", "--workers", "2",
        "--json", str(tmp_path / "resumed.json"), *FAST,
    )  # fmt: skip
    assert resumed.returncode == 1, resumed.stderr
    full = sitecheck(
        "crawl", slow_server.base_url, "--data-dir", str(tmp_path / "full"), "--workers", "0",
        "--json", str(tmp_path / "full.json"), *FAST,
    )  # fmt: skip
    assert full.returncode == 1, full.stderr
    assert_same_crawl(tmp_path / "resumed.json", tmp_path / "full.json")


def test_page_facts_cross_processes_intact() -> None:
    # Pages come back from worker processes pickled, links as plain tuples (models.py).
    links = (
        LinkRef(
            "/新闻/a.html", "http://x.gov.cn/%E6%96%B0%E9%97%BB/a.html", "a", "href", "新闻", in_nav=True
        ),
        LinkRef("#", None, "a", "href", "互动交流", special=LinkSpecial.PLACEHOLDER),
        LinkRef("/f.htm", "http://x.gov.cn/f.htm", "iframe", "src", frame=True, navigable=True),
    )
    facts = PageFacts("http://x.gov.cn/", "首页", "gb18030", "meta", links, "<html>")
    back = pickle.loads(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == facts and back.html == "<html>"
    assert all(type(link) is LinkRef for link in back.links)
    assert back.links[1].special is LinkSpecial.PLACEHOLDER and back.links[2].frame


def test_a_retry_after_pauses_the_host_in_every_worker(tmp_path: Path) -> None:
    # One worker gets "429, come back in 1 s"; the others must not go on reading that host.
    pages = [f"/p{i}.html" for i in range(60)]
    home = "".join(f'<a href="{p}">{p}</a>' for p in ["/limited.html", *pages])
    routes = {
        "/": [Reply(body=f"<html><head><title>首页</title></head><body>{home}</body></html>".encode())],
        "/limited.html": [Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200)],
        **{p: [Reply(delay=0.1)] for p in pages},
    }
    with ScriptedServer(routes) as server:
        config = fast_config(server.base_url + "/", tmp_path / "data", workers=2, timeout=5.0)
        config = config.replace("politeness", concurrency=8, per_host_concurrency=8)
        result = run_audit(config, handle_signals=False, reports=False)
        assert result.summary is not None
        # Counted in the order the server saw the requests, not timed: the pause itself (the
        # second asked for) is test_fetch's, on a virtual clock.
        paths = [h.path for h in server.hits]
        assert paths.count("/limited.html") == 2
        told = paths.index("/limited.html")
        back = paths.index("/limited.html", told + 1)
        during = paths[told + 1 : back]
        # Only requests already sent when the 429 came back, and those sent before the engine
        # heard of it, reach the host during the pause: at most two per slot of concurrency.
        # Unpaused, the other worker goes on reading (about 30 of the 60 pages).
        assert len(during) <= 2 * 8, during
        assert len(paths) - back - 1 > len(during)  # most of the crawl waited for the pause to end
