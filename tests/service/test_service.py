"""``sitecheck serve`` against the sample portal, with schedules of seconds.

Everything talks to 127.0.0.1 only: the sample portal, an SMTP server (aiosmtpd) and a webhook
receiver. Waits poll the store with deadlines; no test asserts how long anything takes.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from sitecheck.cli import cli
from sitecheck.demo import DemoServer
from sitecheck.errors import StoreError
from sitecheck.judge.availability import window
from sitecheck.models import JobLogRow
from sitecheck.service.notify import RetryPolicy
from sitecheck.service.portals import load_portals
from sitecheck.service.runner import Service
from sitecheck.service.schedule import Cadence
from sitecheck.store import Store
from support.cli import free_port

FAST_RETRY = RetryPolicy(attempts=3, first_delay=0.05, factor=2, timeout=5)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def portal_server() -> Iterator[DemoServer]:
    with DemoServer(pages=150, seed=5, slow_seconds=1.5) as server:
        yield server


class _Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Sink]]:
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server: Any = self.server
        server.bodies.append(json.loads(body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.bodies = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sitecheck"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def write_config(
    tmp_path: Path, server: DemoServer, *, schedule: str = "", notify: str = "", recheck: str = ""
) -> Path:
    """A portal config for our own loopback portal: no politeness delays, short timeouts."""
    path = tmp_path / "portal.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        f'reports_dir = "{tmp_path / "reports"}"\n'
        f'[site]\nstart_url = "{server.base_url}"\nname = "示例门户"\nslug = "demo"\n'
        "[politeness]\nconcurrency = 16\nper_host_concurrency = 8\nmin_interval = 0.0\n"
        "[fetch]\ntimeout = 1.0\nretries = 1\nbackoff = 0.05\n"
        f'[schedule]\naudit = ""\nrecheck = "{recheck}"\n{schedule}'
        f"{notify}",
        "utf-8",
    )
    return path


@contextmanager
def running(service: Service) -> Iterator[Service]:
    thread = threading.Thread(target=service.run, kwargs={"handle_signals": False}, daemon=True)
    thread.start()
    wait_for(lambda: service.started.is_set() or not thread.is_alive(), "the service to start")
    assert thread.is_alive(), "the service did not start"
    try:
        yield service
    finally:
        service.request_stop()
        thread.join(60)
        assert not thread.is_alive(), "the service did not stop"


@contextmanager
def opened(data_dir: Path) -> Iterator[Store]:
    store = Store(data_dir)
    try:
        yield store
    finally:
        store.close()


def job_log(data_dir: Path, url: str, job: str | None = None) -> list[JobLogRow]:
    with opened(data_dir) as store:
        return list(reversed(store.job_log(url, job)))


def probe_outcomes(data_dir: Path, url: str) -> list[str]:
    with opened(data_dir) as store:
        return [p.outcome.value for p in store.probes(url, "2000-01-01")]


def test_probes_count_a_failing_home_page_and_notify(
    tmp_path: Path, portal_server: DemoServer, smtp: tuple[int, _Sink], webhook: Any
) -> None:
    port, sink = smtp
    config = write_config(
        tmp_path,
        portal_server,
        schedule="probes_per_day = 1\n",  # availability alerts may fire from the first probe
        notify=(
            '[notify]\nemail_to = ["webmaster@example.gov.cn"]\nemail_from = "sitecheck@example.gov.cn"\n'
            f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nwebhook_url = "{webhook.url}"\n'
        ),
    )
    (portal,) = load_portals([config])
    url, data = portal.key, tmp_path / "data"
    service = Service([portal], cadences={"probe": Cadence(slot_seconds=0.2)}, retry=FAST_RETRY)
    with running(service):
        wait_for(lambda: probe_outcomes(data, url).count("ok") >= 3, "three good probes")
        portal_server.set_override("/", 503, "<h1>Service Unavailable</h1>")
        try:
            wait_for(lambda: probe_outcomes(data, url).count("server_error") >= 2, "two failed probes")
            wait_for(
                lambda: any(
                    b["event"] == "home_down" and b["details"]["state"] == "down" for b in webhook.bodies
                ),
                "the outage webhook",
            )
            wait_for(
                lambda: any("首页无法访问" in str(m["Subject"]) for m in sink.messages), "the outage e-mail"
            )
            live = CliRunner().invoke(cli, ["status", "--config", str(config)]).output
            # Seconds of probes are no national sample: over the line, it is 预警 and says why.
            assert "服务：运行中" in live and "：预警" in live and "样本不足" in live
        finally:
            portal_server.clear_override("/")
        wait_for(
            lambda: any(b["event"] == "home_down" and b["details"]["state"] == "up" for b in webhook.bodies),
            "the recovery webhook",
        )
    outage = next(m for m in sink.messages if "首页无法访问" in str(m["Subject"]))
    assert outage["To"] == "webmaster@example.gov.cn"
    assert url in outage.get_content()
    assert any(b["event"] == "veto_risk" and b["details"]["source"] == "availability" for b in webhook.bodies)
    with opened(data) as store:
        found = window(store, url)
        assert found is not None
        assert found.failures >= 2 and found.probes > found.failures
        assert found.ratio == pytest.approx(found.failures / found.probes)
        assert found.latency_ms_median is not None
        sent = store.notifications(url)
        assert {(n.channel, n.ok) for n in sent} >= {("email", True), ("webhook", True)}
    status = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "失败率" in status.output and "否决线 5%" in status.output and "服务：未运行" in status.output
    as_json = json.loads(CliRunner().invoke(cli, ["status", "--config", str(config), "--json"]).output)
    availability = as_json["portals"][0]["availability"]
    assert (availability["failures"], availability["level"]) == (found.failures, found.level)


def test_audit_runs_on_its_trigger_and_a_second_trigger_does_not_overlap(
    tmp_path: Path, portal_server: DemoServer, webhook: Any
) -> None:
    config = write_config(tmp_path, portal_server, notify=f'[notify]\nwebhook_url = "{webhook.url}"\n')
    (portal,) = load_portals([config])
    url, data = portal.key, tmp_path / "data"
    # The audit fires every 0.3 s; one crawl of the sample portal takes longer than that.
    service = Service([portal], cadences={"audit": Cadence(every_seconds=0.3)}, retry=FAST_RETRY)
    with running(service):
        wait_for(
            lambda: any(r.outcome == "finished" for r in job_log(data, url, "audit")),
            "an audit to finish",
            60,
        )
    rows = job_log(data, url, "audit")
    first = next(r for r in rows if r.outcome == "finished")
    assert first.cause == "schedule" and first.run_id == 1
    skipped = [r for r in rows if r.outcome == "skipped" and r.id < first.id + 100]
    assert skipped, rows
    assert all("仍在进行" in r.detail for r in skipped)
    assert any(first.started_at is not None and first.started_at <= r.fired_at for r in skipped)
    # Never two crawls at once: each run started after the one before it ended.
    with opened(data) as store:
        runs = store.runs()
    for earlier, later in itertools.pairwise(runs):
        assert earlier.finished_at is not None and later.started_at >= earlier.finished_at
    started = [r for r in rows if r.started_at is not None]
    assert len(started) == len(runs)
    folder = next((tmp_path / "reports" / "demo").glob("*-run1"))
    for name in ("checklist.html", "checklist.xlsx", "findings.json", "findings.csv"):
        assert (folder / name).is_file(), name
    assert str(folder) in first.detail
    news = [b for b in webhook.bodies if b["event"] == "new_findings"]
    assert news and news[0]["details"]["run_id"] == 1 and news[0]["details"]["new"] > 0
    # The checklist travels with the message, named by absolute paths (a reader is elsewhere).
    attached = [Path(path) for path in news[0]["attachments"]]
    assert [path.name for path in attached] == ["checklist.html", "checklist.xlsx"]
    assert all(path.is_absolute() and path.is_file() for path in attached)
    assert f"整改清单：{folder.resolve() / 'checklist.html'}" in news[0]["text"]


def test_a_restart_keeps_the_schedule_and_history_and_catches_up(
    tmp_path: Path, portal_server: DemoServer
) -> None:
    config = write_config(tmp_path, portal_server, recheck="0 9 * * 1-5", schedule="misfire_grace = 600\n")
    (portal,) = load_portals([config])
    url, data = portal.key, tmp_path / "data"
    cadences = {"probe": Cadence(slot_seconds=0.2), "audit": Cadence(every_seconds=3600)}

    with running(Service([portal], cadences=cadences)):
        wait_for(lambda: len(probe_outcomes(data, url)) >= 3, "three probes")
        with pytest.raises(StoreError, match="already using the data directory"):
            Service([portal]).run(handle_signals=False)  # one service per data directory
    with opened(data) as store:
        planned = store.next_runs(url)
        first_probes = store.probes(url, "2000-01-01")
    audit_next, audit_cadence = planned["audit"]
    assert audit_next is not None and audit_cadence == "每 3600 秒"
    assert datetime.fromisoformat(audit_next) > datetime.now(UTC)

    with running(Service([portal], cadences=cadences)):
        wait_for(lambda: len(probe_outcomes(data, url)) > len(first_probes) + 2, "probes after the restart")
        with opened(data) as store:
            assert store.next_runs(url)["audit"][0] == audit_next  # the interval was not restarted
    with opened(data) as store:
        assert store.probes(url, "2000-01-01")[: len(first_probes)] == first_probes

    # Downtime: the audit's next run passed 5 s ago (within misfire_grace), the recheck's 2 h ago.
    now = datetime.now(UTC)
    with opened(data) as store:
        missed_audit = (now - timedelta(seconds=5)).isoformat(timespec="seconds")
        missed_recheck = (now - timedelta(hours=2)).isoformat(timespec="seconds")
        store.set_next_run(url, "audit", missed_audit, audit_cadence)
        store.set_next_run(url, "recheck", missed_recheck, planned["recheck"][1])
    # --now recheck: after the catch-up, a recheck of what the audit left open.
    with running(Service([portal], cadences=cadences, now_jobs=("recheck",))):
        wait_for(
            lambda: [r.outcome for r in job_log(data, url, "recheck")][-1:] == ["finished"],
            "the caught-up audit and the recheck",
            60,
        )
    audits = job_log(data, url, "audit")
    assert [(r.cause, r.outcome) for r in audits] == [("catch_up", "finished")]
    assert audits[0].fired_at == missed_audit  # when it was due, not when it ran
    missed, recheck = job_log(data, url, "recheck")
    assert (missed.outcome, missed.fired_at) == ("missed", missed_recheck)
    assert "超过补跑时限" in missed.detail
    assert (recheck.cause, recheck.run_id) == ("manual", 2)
    with opened(data) as store:
        assert [(r.id, r.kind, r.status) for r in store.runs()] == [
            (1, "full", "finished"),
            (2, "recheck", "finished"),
        ]
    # The audit's checklist shows the probes made before it.
    html = next((tmp_path / "reports" / "demo").glob("*-run1")).joinpath("checklist.html").read_text("utf-8")
    assert 'id="availability"' in html
    listing = CliRunner().invoke(cli, ["schedule", "--config", str(config)])
    assert listing.exit_code == 0 and "上次：" in listing.output and "已完成，运行 1" in listing.output


# -- SIGTERM / kill -9 mid-crawl, as systemd would do it --------------------------------------------
@pytest.fixture(scope="module")
def slow_server() -> Iterator[DemoServer]:
    with DemoServer(pages=300, seed=9, slow_seconds=1.5) as server:
        yield server


def _serve(config: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitecheck", "serve", "--config", str(config), *extra],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def _query(data: Path, sql: str) -> list[tuple[Any, ...]]:
    db_path = data / "sitecheck.sqlite3"
    if not db_path.exists():
        return []
    try:
        with sqlite3.connect(db_path, timeout=1) as db:
            return list(db.execute(sql))
    except sqlite3.Error:
        return []


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_a_stopped_service_loses_nothing_and_resumes_the_crawl(
    tmp_path: Path, slow_server: DemoServer, how: signal.Signals
) -> None:
    config = write_config(tmp_path, slow_server, schedule="probes_per_day = 1\n")
    # One request at a time, 5 ms apart: slow enough that the signal lands mid-crawl.
    text = config.read_text("utf-8").replace(
        "concurrency = 16\nper_host_concurrency = 8\nmin_interval = 0.0",
        "concurrency = 2\nper_host_concurrency = 1\nmin_interval = 0.005",
    )
    config.write_text(text, "utf-8")
    data, log = tmp_path / "data", tmp_path / "service.log"
    pages = "SELECT COUNT(*) FROM pages"

    proc = _serve(config, log, "--now", "audit")
    try:
        wait_for(lambda: (_query(data, pages) or [(0,)])[0][0] >= 40 or proc.poll() is not None, "40 pages")
        assert proc.poll() is None, log.read_text("utf-8")
        proc.send_signal(how)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == (0 if how is signal.SIGTERM else -9), log.read_text("utf-8")
    stored = _query(data, "SELECT t.url FROM pages p JOIN targets t ON t.id=p.target_id ORDER BY p.target_id")
    assert len(stored) >= 40
    (run,) = _query(data, "SELECT id, status FROM runs")
    job = _query(data, "SELECT cause, outcome, run_id FROM job_log WHERE job='audit'")
    if how is signal.SIGTERM:
        assert run == (1, "interrupted")
        assert job == [("manual", "interrupted", 1)]
    else:
        assert run == (1, "running") and job == [("manual", "running", 1)]
    base = slow_server.base_url.rstrip("/")
    before = {url: slow_server.hits(url.removeprefix(base)) for (url,) in stored[:20]}

    proc = _serve(config, log)  # no --now: the interrupted crawl resumes by itself
    try:
        finished = "SELECT outcome FROM job_log WHERE cause='resume'"
        wait_for(
            lambda: _query(data, finished) == [("finished",)] or proc.poll() is not None, "the resume", 60
        )
        assert proc.poll() is None, log.read_text("utf-8")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text("utf-8")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _query(data, "SELECT id, status FROM runs") == [(1, "finished")]
    assert _query(data, "SELECT cause, outcome, run_id FROM job_log WHERE job='audit' ORDER BY id") == [
        ("manual", "resumed", 1),
        ("resume", "finished", 1),
    ]
    redirected = {row[0] for row in _query(data, "SELECT final_url FROM checks WHERE final_url IS NOT NULL")}
    # Pages stored before the stop are not fetched again.
    for url, hits in before.items():
        if url not in redirected:
            assert slow_server.hits(url.removeprefix(base)) == hits, url
    assert (next((tmp_path / "reports" / "demo").glob("*-run1")) / "checklist.html").is_file()
    assert "Traceback" not in log.read_text("utf-8")


def test_a_service_killed_after_the_crawl_judges_the_run_when_it_starts_again(
    tmp_path: Path, portal_server: DemoServer
) -> None:
    """The state kill -9 leaves between the last fetch and judging: crawled, not judged.

    The job log says the audit was running with that run; the next start continues it, which
    here means judging it: the run ends finished with its findings, nothing is read again.
    """
    from sitecheck.audit import Audit
    from sitecheck.loop import run as run_loop

    config_path = write_config(tmp_path, portal_server, schedule="probes_per_day = 1\n")
    (portal,) = load_portals([config_path])
    store = Store(portal.config.data_dir)
    try:
        audit = Audit(portal.config, store)
        run = audit.begin()
        store.log_job(portal.key, "audit", "manual", "running", started=True, run_id=run.id)
        run_loop(audit.crawl(run))  # ... and the service dies here
        crawled = store.run(run.id)
        assert crawled is not None and crawled.status == "crawled"
    finally:
        store.close()
    hits_before = portal_server.hits("/")
    with running(Service([portal], retry=FAST_RETRY)):
        wait_for(
            lambda: _query(tmp_path / "data", "SELECT status FROM runs") == [("finished",)], "the judgement"
        )
    assert _query(tmp_path / "data", "SELECT COUNT(*) FROM findings WHERE run_id=1")[0][0] > 10
    assert portal_server.hits("/") == hits_before  # judged from the stored facts, not read again
