"""Nothing lost, nothing falsely clean (issue 10): runs are complete, or say they are not.

Everything runs for real: the sample portal on 127.0.0.1, the CLI in subprocesses, the service
in a thread, other processes writing to the same store. Kills are real SIGKILLs. The reference
for "nothing lost" is always an uninterrupted crawl of the same portal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import fast_config
from sitecheck.audit import Audit, run_audit
from sitecheck.crawl.reader import LocalReader, PageRead
from sitecheck.demo import DemoServer
from sitecheck.errors import StoreError
from sitecheck.loop import run as run_loop
from sitecheck.models import RunStatus
from sitecheck.service.portals import load_portals
from sitecheck.service.runner import Service
from sitecheck.service.schedule import Cadence
from sitecheck.store import Store
from support.cli import LIMITS, findings_of, sitecheck, start


def stored_findings(data_dir: Path, run_id: int) -> set[tuple[str, str]]:
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        return {
            (str(kind), str(url))
            for kind, url in db.execute(
                "SELECT kind, url FROM findings WHERE run_id=? AND state != 'fixed'", (run_id,)
            )
        }


def run_rows(data_dir: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        return [(int(i), str(s), str(r)) for i, s, r in db.execute("SELECT id, status, incomplete_reason FROM runs")]


def _has_run(data_dir: Path) -> bool:
    """Whether a run is recorded yet (the store may exist before its tables do)."""
    try:
        return (data_dir / "sitecheck.sqlite3").exists() and bool(run_rows(data_dir))
    except sqlite3.OperationalError:
        return False


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoServer]:
    with DemoServer(pages=150, seed=23, slow_seconds=1.5) as server:
        yield server


@pytest.fixture(scope="module")
def baseline(portal: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An uninterrupted crawl: what every crawl below must end with."""
    tmp = tmp_path_factory.mktemp("baseline")
    proc = sitecheck(
        "crawl", portal.base_url, "--data-dir", str(tmp / "data"), "--json", str(tmp / "f.json"),
        "--no-reports", "--quiet", *LIMITS,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    doc: dict[str, Any] = json.loads((tmp / "f.json").read_text("utf-8"))
    assert len(doc["findings"]) >= 15
    return doc


def resume_to_the_baseline(
    portal: DemoServer, data_dir: Path, tmp_path: Path, baseline: dict[str, Any]
) -> dict[str, Any]:
    """``sitecheck crawl --resume`` as a user runs it after a failure: it must end with exactly
    what an uninterrupted crawl found. Returns its findings.json."""
    proc = sitecheck(
        "crawl", portal.base_url, "--data-dir", str(data_dir), "--resume", "--json",
        str(tmp_path / "resumed.json"), "--no-reports", "--quiet", *LIMITS,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    doc: dict[str, Any] = json.loads((tmp_path / "resumed.json").read_text("utf-8"))
    assert findings_of(doc) == findings_of(baseline)
    assert doc["summary"]["pages"] == baseline["summary"]["pages"]
    return doc


# -- several writers, one store --------------------------------------------------------------------
def test_crawl_beside_other_writers_loses_nothing(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path
) -> None:
    """Another process writes to the store all through a crawl: every write of both lands."""
    data_dir = tmp_path / "data"
    Store(data_dir).close()
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def other_writer() -> None:
        store = Store(data_dir)
        try:
            n = 0
            while not stop.is_set():
                store.log_job("http://other.example/", "probe", "schedule", "finished", detail=str(n))
                store.set_ignore("http://other.example/", f"k{n % 7}", "原因")
                n += 1
                written.append(n)
                time.sleep(0.002)
        except BaseException as exc:  # the test fails on any
            errors.append(exc)
        finally:
            store.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        proc = sitecheck(
            "crawl", portal.base_url, "--data-dir", str(data_dir), "--json", str(tmp_path / "f.json"),
            "--no-reports", "--quiet", "--workers", "2", *LIMITS,
        )  # fmt: skip
    finally:
        stop.set()
        thread.join(60)
    assert not errors, errors
    assert proc.returncode == 1, proc.stderr
    assert "locked" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads((tmp_path / "f.json").read_text("utf-8"))
    assert doc["summary"]["pages"] == baseline["summary"]["pages"]
    assert findings_of(doc) == findings_of(baseline)
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        logged = db.execute("SELECT COUNT(*) FROM job_log WHERE start_url='http://other.example/'").fetchone()[0]
    assert logged == len(written) > 50


def test_a_second_crawl_of_the_same_site_refuses_with_one_line(
    portal: DemoServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = start(
        "crawl", portal.base_url, "--data-dir", str(data_dir), "--quiet", "--no-reports",
        "--concurrency", "1", "--per-host", "1", "--interval", "0.02",
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not _has_run(data_dir):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        second = sitecheck("crawl", portal.base_url, "--data-dir", str(data_dir), "--quiet", *LIMITS)
        assert second.returncode == 3, second.stderr
        lines = [line for line in second.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
        assert "正在被另一个检查抓取" in lines[0] and f"进程 {first.pid}" in lines[0]
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
    assert run_rows(data_dir)[0][1] == "interrupted"  # the refused crawl did not touch the run


def test_service_audit_with_probes_every_fraction_of_a_second_and_other_commands(
    portal: DemoServer,
    baseline: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The issue's scenario: serve audits while probes fire, status, ignore and crawl run beside it."""
    data_dir = tmp_path / "data"
    config_path = tmp_path / "portal.toml"
    config_path.write_text(
        f'data_dir = "{data_dir}"\nreports_dir = "{tmp_path / "reports"}"\n'
        f'[site]\nstart_url = "{portal.base_url}"\nname = "示例门户"\nslug = "demo"\n'
        # Raised limits, but slow enough that the other commands meet the service's crawl.
        "[politeness]\nconcurrency = 16\nper_host_concurrency = 4\nmin_interval = 0.005\n"
        '[fetch]\ntimeout = 1.0\nretries = 1\nbackoff = 0.05\nworkers = "auto"\n'
        '[schedule]\naudit = ""\nrecheck = ""\n',
        "utf-8",
    )
    # A first audit, so that `ignore` has a finding to ignore and the service's audit has history.
    first = sitecheck("crawl", "--config", str(config_path), "--quiet", "--no-reports")
    assert first.returncode == 1, first.stderr
    key = next(f for f in baseline["findings"] if f["kind"] == "dead_link")["id"]
    # Count the probes that came back (the real probe, only counted), to compare with the store.
    import sitecheck.service.runner as runner_module

    answered: list[object] = []
    real_probe = runner_module.probe_home

    async def counted_probe(*args: Any, **kwargs: Any) -> Any:
        result = await real_probe(*args, **kwargs)
        answered.append(result)
        return result

    monkeypatch.setattr(runner_module, "probe_home", counted_probe)
    (portal_config,) = load_portals([config_path])
    service = Service(
        [portal_config], cadences={"probe": Cadence(every_seconds=0.2)}, now_jobs=("audit",)
    )
    caplog.set_level(logging.WARNING)
    thread = threading.Thread(target=service.run, kwargs={"handle_signals": False}, daemon=True)
    thread.start()
    others: list[subprocess.CompletedProcess[str]] = []
    busy_refusals = 0
    try:
        deadline = time.monotonic() + 120
        while True:
            rows = run_rows(data_dir)
            if len(rows) >= 2 and rows[1][1] in ("finished", "incomplete"):
                break
            assert time.monotonic() < deadline, rows
            if len(rows) >= 2 and rows[1][1] == "running":
                crawl = sitecheck("crawl", "--config", str(config_path), "--quiet", "--no-reports")
                if crawl.returncode == 1:  # the service's crawl ended just before: a run of its own
                    assert run_rows(data_dir)[1][1] == "finished", crawl.stderr
                    continue
                assert crawl.returncode == 3, crawl.stderr
                assert "正在被另一个检查抓取" in crawl.stderr, crawl.stderr
                busy_refusals += 1
            others.append(sitecheck("status", "--config", str(config_path)))
            others.append(sitecheck("ignore", key, "--reason", "人工核实", "--data-dir", str(data_dir)))
    finally:
        service.request_stop()
        thread.join(60)
    assert not thread.is_alive()
    for proc in others:
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr and "locked" not in proc.stderr, proc.stderr
    assert others and busy_refusals >= 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    run_id, status, reason = run_rows(data_dir)[1]
    assert status == "finished", reason
    expected = {(f["kind"], f["url"]) for f in baseline["findings"]}
    assert stored_findings(data_dir, run_id) == expected
    store = Store(data_dir)
    try:
        probes = store.probe_count(portal.base_url)
    finally:
        store.close()
    assert probes >= 5
    assert probes == len(answered)  # every probe that came back is stored, none lost to a lock


# -- completeness is a fact -------------------------------------------------------------------------
class _FailingReader(LocalReader):
    """Reads like the real reader, but one page's reading fails (as on exhausted memory)."""

    def __init__(self, *args: Any, failing: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failing = failing

    async def page(self, url: str, *, is_home: bool) -> PageRead:
        if url.endswith(self.failing):
            raise MemoryError("simulated: this page exhausted memory")
        return await super().page(url, is_home=is_home)


def test_a_target_whose_reading_fails_makes_the_run_incomplete_and_resume_reads_it(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = fast_config(portal.base_url, tmp_path / "data")
    failing = "/tzgg/index.html"  # not also a redirect's landing page
    import sitecheck.audit as audit_module

    monkeypatch.setattr(
        audit_module, "LocalReader", lambda *a, **k: _FailingReader(*a, failing=failing, **k)
    )
    config = dataclasses.replace(config, reports_dir=str(tmp_path / "reports"))
    result = run_audit(config, handle_signals=False, json_path=tmp_path / "a.json", reports=True)
    assert result.incomplete and "1 个网址未能检查完" in result.incomplete
    # Every report says so, before its verdict.
    assert result.report_dir is not None
    html = (result.report_dir / "checklist.html").read_text("utf-8")
    assert html.index("本次检查不完整") < html.index('id="verdict"')
    workbook = openpyxl.load_workbook(result.report_dir / "checklist.xlsx")
    summary_cells = [str(c.value) for row in workbook.worksheets[0].iter_rows() for c in row if c.value]
    assert any("本次检查不完整" in v for v in summary_cells)
    sarif = json.loads((result.report_dir / "findings.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert json.loads((tmp_path / "a.json").read_text("utf-8"))["run"]["incomplete_reason"] == result.incomplete
    assert "MemoryError" in result.incomplete and failing in result.incomplete
    [(_, status, reason)] = run_rows(tmp_path / "data")
    assert status == "incomplete" and reason == result.incomplete
    doc = json.loads((tmp_path / "a.json").read_text("utf-8"))
    assert doc["summary"]["pages"] < baseline["summary"]["pages"]

    monkeypatch.undo()
    # --resume reads the failed target again in the same run, and judges it again: complete.
    resume_to_the_baseline(portal, tmp_path / "data", tmp_path, baseline)
    assert run_rows(tmp_path / "data") == [(1, "finished", "")]


def test_an_incomplete_run_marks_nothing_fixed(
    portal: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings a run did not see again because it could not read a page stay 未整改."""
    data_dir = tmp_path / "data"
    first = run_audit(fast_config(portal.base_url, data_dir), handle_signals=False)
    assert first.summary is not None and not first.incomplete
    import sitecheck.audit as audit_module

    # The column page fails: the dead links on its pages are not seen in the second run.
    monkeypatch.setattr(
        audit_module, "LocalReader", lambda *a, **k: _FailingReader(*a, failing="/index.html", **k)
    )
    second = run_audit(fast_config(portal.base_url, data_dir), handle_signals=False)
    assert second.summary is not None and second.incomplete
    states = {f.state for f in second.summary.findings}
    assert "fixed" not in states
    kept = [f for f in second.summary.findings if "未能复核" in f.note]
    assert kept and all(f.state == "still_open" for f in kept)


def test_a_kill_between_crawling_and_judging_is_judged_on_resume(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path
) -> None:
    """The state a kill after the last fetch leaves: crawled, not judged. --resume judges it."""
    data_dir = tmp_path / "data"
    first = run_audit(fast_config(portal.base_url, data_dir), handle_signals=False)
    assert first.summary is not None
    store = Store(data_dir)
    try:
        audit = Audit(fast_config(portal.base_url, data_dir), store)
        run = audit.begin()
        run_loop(audit.crawl(run))  # ... and the process dies here, before judging
        run_id = run.id
        record = store.run(run_id)
        assert record is not None and record.status == RunStatus.CRAWLED
        assert store.findings(run_id) == []
    finally:
        store.close()
    doc = resume_to_the_baseline(portal, data_dir, tmp_path, baseline)
    assert doc["run"]["id"] == run_id
    # Compared with the first run: everything is still open, nothing is new.
    assert {f["state"] for f in doc["findings"]} == {"still_open"}


def test_a_full_disk_fails_loudly_and_resume_completes(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's page limit stands in for a full disk: the same error, "database or disk is full"."""
    data_dir = tmp_path / "data"
    original = Store.__init__

    def small(self: Store, path: str | Path) -> None:
        original(self, path)
        pages = int(self.db.execute("PRAGMA page_count").fetchone()[0])
        self.db.execute(f"PRAGMA max_page_count={pages + 40}")

    monkeypatch.setattr(Store, "__init__", small)
    with pytest.raises(StoreError, match="磁盘已满"):
        run_audit(fast_config(portal.base_url, data_dir), handle_signals=False)
    monkeypatch.undo()
    [(run_id, status, _)] = run_rows(data_dir)
    assert status == "running"  # not finished: nothing claims completeness
    doc = resume_to_the_baseline(portal, data_dir, tmp_path, baseline)
    assert doc["run"]["id"] == run_id
    assert not list(tmp_path.glob("**/*.tmp"))


# -- kills at random moments -----------------------------------------------------------------------
def _integrity_ok(data_dir: Path) -> bool:
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        return bool(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume_gives_the_same_result(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    rng = random.Random(20261204)
    kills = 0
    for _ in range(60):
        proc = start(
            "crawl", portal.base_url, "--data-dir", str(data_dir), "--resume", "--json",
            str(tmp_path / "r.json"), "--no-reports", "--quiet", *LIMITS,
        )  # fmt: skip
        if kills < 20:
            try:
                code = proc.wait(timeout=rng.uniform(0.3, 2.5))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(30)
                kills += 1
                assert _integrity_ok(data_dir)
                continue
        else:
            code = proc.wait(timeout=180)
        _, stderr = proc.communicate()
        assert code == 1, stderr
        break
    else:
        pytest.fail("the crawl never completed")
    assert kills >= 10  # most kills landed mid-run
    doc = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert findings_of(doc) == findings_of(baseline)
    assert doc["summary"]["pages"] == baseline["summary"]["pages"]
    assert [row[1] for row in run_rows(data_dir)] == ["finished"]
    assert _integrity_ok(data_dir)


@pytest.mark.slow
def test_a_restart_loop_of_one_second_still_converges(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path
) -> None:
    """Killed every second, each start saves what it read: the first run ends finished."""
    data_dir = tmp_path / "data"
    # Every single request fits in the process's short life (the slow endpoint times out).
    quick = [*LIMITS[:6], "--timeout", "0.4", "--retries", "0"]
    for attempt in range(60):  # noqa: B007 (read after the loop)
        proc = start(
            "crawl", portal.base_url, "--data-dir", str(data_dir), "--resume", "--no-reports", "--quiet", *quick
        )  # fmt: skip
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.communicate(timeout=30)
        if run_rows(data_dir)[0][1] == "finished":
            break
    else:
        pytest.fail(f"a crawl killed every second never completed: {run_rows(data_dir)}")
    assert attempt >= 1  # it was really cut short
    expected = {(f["kind"], f["url"]) for f in baseline["findings"]}
    assert stored_findings(data_dir, 1) == expected
    assert _integrity_ok(data_dir)


# -- read-only commands ---------------------------------------------------------------------------
def _digest(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        digest = hashlib.sha256()
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode("utf-8"))
        return digest.hexdigest()


def test_read_only_commands_leave_the_store_unchanged(portal: DemoServer, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "portal.toml"
    config.write_text(
        f'data_dir = "{data_dir}"\n[site]\nstart_url = "{portal.base_url}"\n'
        "[politeness]\nconcurrency = 16\nper_host_concurrency = 8\nmin_interval = 0.0\n"
        "[fetch]\ntimeout = 1.0\nretries = 1\n",
        "utf-8",
    )
    for _ in range(2):
        proc = sitecheck("crawl", "--config", str(config), "--quiet", "--no-reports")
        assert proc.returncode == 1, proc.stderr
    before = _digest(data_dir)
    commands = [
        ("columns", "--data-dir", str(data_dir), "--as-of", "2030-01-01"),
        ("columns", "1", "--data-dir", str(data_dir)),
        # judge saves its verdict and rewrites the checklist; --dry-run only shows it.
        ("judge", "--dry-run", "--data-dir", str(data_dir), "--as-of", "2030-01-01"),
        ("judge", "1", "--dry-run", "--data-dir", str(data_dir), "--json", str(tmp_path / "j.json")),
        ("report", "1", "--data-dir", str(data_dir), "--reports-dir", str(tmp_path / "reports")),
        ("runs", "--data-dir", str(data_dir)),
        ("diff", "1", "2", "--data-dir", str(data_dir)),
        ("status", "--config", str(config)),
    ]
    for command in commands:
        proc = sitecheck(*command)
        assert proc.returncode in (0, 1), (command, proc.stderr)
        assert _digest(data_dir) == before, command
    # judge --save is the one that writes, explicitly.
    proc = sitecheck("judge", "2", "--data-dir", str(data_dir), "--as-of", "2030-01-01", "--save")
    assert proc.returncode == 1, proc.stderr
    assert _digest(data_dir) != before


def test_recheck_without_arguments_rechecks_the_last_site_with_its_settings(
    portal: DemoServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "portal.toml"
    config.write_text(
        f'data_dir = "{data_dir}"\n[site]\nstart_url = "{portal.base_url}"\n'
        "[politeness]\nconcurrency = 16\nper_host_concurrency = 8\nmin_interval = 0.0\n"
        "[fetch]\ntimeout = 1.0\nretries = 1\n"
        '[[columns]]\nmatch_name = ".*"\nexempt = true\n',  # a correction the recheck must keep
        "utf-8",
    )
    proc = sitecheck("crawl", "--config", str(config), "--quiet", "--no-reports", "--json", str(tmp_path / "a.json"))
    assert proc.returncode == 1, proc.stderr
    kinds = {f["kind"] for f in json.loads((tmp_path / "a.json").read_text("utf-8"))["findings"]}
    assert "stale_column" not in kinds
    old_cwd = Path.cwd()
    os.chdir(tmp_path)  # the default data directory, as a user runs it
    try:
        (tmp_path / ".sitecheck").symlink_to(data_dir)
        plain = sitecheck("recheck", "--quiet", "--no-reports", "--json", str(tmp_path / "b.json"))
        with_url = sitecheck(
            "recheck", portal.base_url, "--quiet", "--no-reports", "--json", str(tmp_path / "c.json")
        )
    finally:
        os.chdir(old_cwd)
    for proc, name in ((plain, "b.json"), (with_url, "c.json")):
        assert proc.returncode == 1, proc.stderr
        doc = json.loads((tmp_path / name).read_text("utf-8"))
        assert "stale_column" not in {f["kind"] for f in doc["findings"]}  # [[columns]] kept
        assert "fixed" not in {f["state"] for f in doc["findings"]}
    rows = run_rows(data_dir)
    assert [status for _, status, _ in rows] == ["finished"] * 3


def test_recheck_with_nothing_to_recheck_says_so_in_chinese(tmp_path: Path) -> None:
    Store(tmp_path / "data").close()
    proc = sitecheck("recheck", "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    assert "没有" in proc.stderr and "sitecheck crawl" in proc.stderr, proc.stderr


def test_a_page_cut_at_the_size_cap_is_reported_with_what_was_read(tmp_path: Path) -> None:
    from scripted_server import Reply, ScriptedServer

    filler = "<p>" + "政务公开" * 800 + "</p>"  # ~9.6 kB of UTF-8 before the last link
    home = f"<html><head><title>首页</title></head><body>{filler}<a href='/gone.html'>x</a></body></html>"
    with ScriptedServer({"/": [Reply(body=home.encode())]}) as portal:
        config = fast_config(portal.base_url + "/", tmp_path / "data", max_body_bytes=4096)
        result = run_audit(config, handle_signals=False)
    assert result.summary is not None
    [finding] = [f for f in result.summary.findings if f.kind.value == "page_not_read_whole"]
    assert finding.url == portal.base_url + "/"
    assert "4,096 字节" in finding.detail
    assert finding.severity.value == "warning"
    # The link past the cut was never seen: the finding is what keeps that from passing silently.
    assert not [f for f in result.summary.findings if f.url.endswith("/gone.html")]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def test_a_worker_process_that_dies_stops_the_crawl_loudly_and_resume_completes(
    portal: DemoServer, baseline: dict[str, Any], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    proc = start(
        "crawl", portal.base_url, "--data-dir", str(data_dir), "--quiet", "--no-reports", "--workers", "2",
        "--concurrency", "4", "--per-host", "2", "--interval", "0.01", "--timeout", "1", "--retries", "1",
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(_children(proc.pid)[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 3, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert "抓取进程意外退出" in lines[0] and "--resume" in lines[0]
    [(_, status, _)] = run_rows(data_dir)
    assert status == "running"  # not finished, not judged: resumable
    resume_to_the_baseline(portal, data_dir, tmp_path, baseline)


def test_a_page_too_deep_to_parse_is_cut_and_reported(tmp_path: Path) -> None:
    """100,000 nested elements: the crawl goes on, and the checklist says the page was cut."""
    from scripted_server import Reply, ScriptedServer

    deep = "<html><head><title>首页</title></head><body>" + "<div>" * 100_000 + "x</body></html>"
    with ScriptedServer({"/": [Reply(body=deep.encode())]}) as portal:
        result = run_audit(fast_config(portal.base_url + "/", tmp_path / "data"), handle_signals=False)
    assert result.summary is not None
    [finding] = [f for f in result.summary.findings if f.kind.value == "page_not_read_whole"]
    assert "只解析了前" in finding.detail
