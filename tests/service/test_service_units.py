"""The service's parts on their own: cron translation, probe slots, the availability ratio,
config errors, report retention, notification retries. No scheduler running, no timing claims."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sitecheck.cli import cli
from sitecheck.config import NotifySection
from sitecheck.errors import ConfigError
from sitecheck.judge.availability import summarize_probes, window
from sitecheck.models import Outcome, ProbeRow
from sitecheck.service.notify import Notification, Notifier, RetryPolicy
from sitecheck.service.portals import load_portals
from sitecheck.service.retention import prune_reports
from sitecheck.service.schedule import Cadence, SlotTrigger, cron_trigger, crontab_weekdays, upcoming
from sitecheck.store import Store

SHANGHAI = "Asia/Shanghai"


# -- cron ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"),
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "fri,sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("sat,SUN", "sat,sun"),
        ("mon-wed", "mon,tue,wed"),
    ],
)
def test_crontab_weekdays_use_crontab_numbering(field: str, expected: str) -> None:
    # APScheduler 3 counts Monday as 0; a crontab's 1 is Monday and 0/7 Sunday.
    assert crontab_weekdays(field) == expected


def test_cron_trigger_fires_on_the_crontab_day() -> None:
    trigger = cron_trigger("30 1 * * 1", SHANGHAI)
    wednesday = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fire = trigger.get_next_fire_time(None, wednesday)
    local = fire.astimezone(trigger.timezone)
    assert (local.weekday(), local.hour, local.minute) == (0, 1, 30)  # Monday 01:30 in Shanghai
    weekdays = cron_trigger("0 9 * * 1-5", SHANGHAI)
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert weekdays.get_next_fire_time(None, saturday).astimezone(weekdays.timezone).weekday() == 0


def _portal_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "portal.toml"
    path.write_text(f'[site]\nstart_url = "http://127.0.0.1:9/"\n{extra}', "utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[schedule]\naudit = "61 1 * * 1"\n', "schedule.audit: cron 表达式 '61 1 * * 1' 无效"),
        ('[schedule]\nrecheck = "0 9 * *"\n', "schedule.recheck: cron 表达式 '0 9 * *' 无效：应为 5 段"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone: 没有这个时区"),
        ("[schedule]\navailability_warn = 0.06\n", "schedule.availability_warn: 应大于 0 且小于 5% 否决线"),
        ('[notify]\nevents = ["oops"]\n', "notify.events[0]: 没有这种通知事件 'oops'"),
        (
            '[notify]\nemail_to = ["a@b.cn"]\n',
            "notify.smtp_host: 设置了 notify.email_to 时必须给出发信服务器",
        ),
        ('[notify]\nwebhook_url = "ftp://x"\n', "notify.webhook_url: 不是 http(s) 网址"),
        ("[schedule]\nprobes_per_day = 0\n", "schedule.probes_per_day: 应不小于 1"),
    ],
)
def test_bad_service_settings_name_the_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_portals([_portal_file(tmp_path, extra)])
    assert message in str(caught.value)


def test_service_file_lists_portals_and_rejects_duplicates(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[site]\nstart_url = "http://127.0.0.1:9/"\n', "utf-8")
    (tmp_path / "b.toml").write_text(
        '[site]\nstart_url = "http://127.0.0.2:9/"\n[schedule]\naudit = ""\n', "utf-8"
    )
    service = tmp_path / "service.toml"
    service.write_text('[[portals]]\nconfig = "a.toml"\n[[portals]]\nconfig = "b.toml"\n', "utf-8")
    portals = load_portals([service])
    assert [p.key for p in portals] == ["http://127.0.0.1:9/", "http://127.0.0.2:9/"]
    assert portals[1].cadence("audit") is None  # an empty cron switches the job off
    with pytest.raises(ConfigError, match=r"已在 .* 中监测"):
        load_portals([service, tmp_path / "a.toml"])
    service.write_text('[[portals]]\npath = "a.toml"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"portals\[0\]"):
        load_portals([service])


def test_cli_reports_a_bad_cron_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sitecheck.cli import main

    config = _portal_file(tmp_path, '[schedule]\naudit = "every monday"\n')
    for command in ("schedule", "status", "serve"):
        assert main([command, "--config", str(config)]) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and "schedule.audit: cron 表达式 'every monday' 无效" in lines[0]


# -- probe slots -------------------------------------------------------------------------------
def test_slot_trigger_probes_exactly_n_times_a_day_at_varied_moments() -> None:
    slot = 86400 / 24
    trigger = SlotTrigger(slot, "probe@http://example.gov.cn/")
    start = datetime(2026, 11, 2, tzinfo=UTC)  # a slot boundary (midnight UTC)
    times: list[datetime] = []
    previous = None
    while True:
        fire = trigger.get_next_fire_time(previous, start)
        if fire >= start + timedelta(days=7):
            break
        times.append(fire)
        previous = fire
    assert len(times) == 24 * 7  # national minimum is 20 a day for a week
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.2 * slot
    assert len({round(t.timestamp()) % int(slot) for t in times}) > 100  # not the same minute each hour
    # The same job gets the same times (the service and `sitecheck schedule` agree).
    again = upcoming(Cadence(slot_seconds=slot), "probe@http://example.gov.cn/", start, 5)
    assert again == times[:5]


# -- availability ----------------------------------------------------------------------------------
def _rows(outcomes: list[Outcome], start: datetime) -> list[ProbeRow]:
    return [
        ProbeRow(
            (start + timedelta(hours=i)).isoformat(timespec="seconds"),
            outcome,
            200 if outcome is Outcome.OK else None,
            100 + i,
            "",
            None,
        )
        for i, outcome in enumerate(outcomes)
    ]


def test_availability_ratio_against_the_veto_line() -> None:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    end = start + timedelta(days=7)
    ok = [Outcome.OK] * 96
    warn = summarize_probes(_rows([*ok, *[Outcome.TIMEOUT] * 4], start), start, end)
    assert (warn.probes, warn.failures, warn.level) == (100, 4, "warn")
    assert warn.ratio == pytest.approx(0.04)
    # Over the veto line on fewer than a week of probes: a warning until the sample is the
    # national one (a week of at least 20 a day).
    assert summarize_probes(_rows([*ok[:95], *[Outcome.TIMEOUT] * 5], start), start, end).level == "warn"
    week = [*[Outcome.OK] * 159, Outcome.SERVER_ERROR, *[Outcome.CONNECTION_ERROR] * 8]  # 168 hourly
    fail = summarize_probes(_rows(week, start), start, end)
    assert (fail.failures, fail.level) == (9, "fail")
    # A WAF turning the monitor away is not the public failing to open the page.
    blocked = summarize_probes(_rows([*ok, *[Outcome.BLOCKED] * 10], start), start, end)
    assert (blocked.probes, blocked.failures, blocked.unverified, blocked.level) == (96, 0, 10, "ok")
    report = warn.as_report()
    assert report["ratio"] == pytest.approx(0.04)
    assert report["veto_ratio"] == 0.05 and report["warn_ratio"] == 0.03
    assert report["latency_ms_median"] > 0 and report["days"] > 0
    assert [d.probes for d in warn.daily] == [24, 24, 24, 24, 4]


def test_availability_window_reads_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        now = datetime.now(UTC)
        for hours, outcome in (
            (24 * 8, Outcome.TIMEOUT),
            (5, Outcome.OK),
            (3, Outcome.TIMEOUT),
            (1, Outcome.OK),
        ):
            at = (now - timedelta(hours=hours)).isoformat(timespec="seconds")
            store.add_probe(
                "http://a/", at, outcome, None, 15000 if outcome is Outcome.TIMEOUT else 80, "", None
            )
        store.add_probe(
            "http://b/", now.isoformat(timespec="seconds"), Outcome.TIMEOUT, None, 15000, "", None
        )
        found = window(store, "http://a/")
        assert found is not None
        assert (found.probes, found.failures) == (3, 1)  # the 8-day-old probe is outside the window
        assert window(store, "http://c/") is None
    finally:
        store.close()


# -- retention -------------------------------------------------------------------------------------
def test_retention_keeps_the_newest_runs_and_latest(tmp_path: Path) -> None:
    site = tmp_path / "reports" / "www.example.gov.cn"
    for run in (1, 2, 3, 9, 10):
        (site / f"20261101-01300{run % 10}-run{run}").mkdir(parents=True)
    (site / "notes").mkdir()
    (site / "latest").symlink_to("20261101-013001-run1", target_is_directory=True)
    deleted = prune_reports(site, keep=2)
    assert sorted(p.name for p in deleted) == ["20261101-013002-run2", "20261101-013003-run3"]
    left = sorted(p.name for p in site.iterdir())
    assert left == [
        "20261101-013000-run10",
        "20261101-013001-run1",
        "20261101-013009-run9",
        "latest",
        "notes",
    ]


# -- notifications ---------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server: Any = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.bodies.append(json.loads(body))
        status = 500 if len(server.bodies) <= server.fail_first else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def flaky_webhook() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.bodies = []
    server.fail_first = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_notifications_are_retried_and_failures_are_values(flaky_webhook: Any) -> None:
    settings = NotifySection(
        email_to=("webmaster@example.gov.cn",),
        email_from="sitecheck@example.gov.cn",
        smtp_host="127.0.0.1",
        smtp_port=_closed_port(),  # nobody listens: every attempt is refused
        webhook_url=f"http://127.0.0.1:{flaky_webhook.server_address[1]}/hook",
    )
    notifier = Notifier(settings, RetryPolicy(attempts=3, first_delay=0.01, factor=2, timeout=2))
    message = Notification(
        "home_down", "示例", "http://a/", "首页无法访问", ("line",), "2026-11-27T00:00:00+00:00"
    )
    deliveries = {d.channel: d for d in asyncio.run(notifier.send(message))}
    assert deliveries["webhook"].ok and deliveries["webhook"].attempts == 2  # the first POST got a 500
    assert flaky_webhook.bodies[-1]["event"] == "home_down"
    assert flaky_webhook.bodies[-1]["schema"] == "sitecheck/notification"
    email = deliveries["email"]
    assert not email.ok and email.attempts == 3 and "连接被拒绝" in email.error


def test_schedule_command_lists_the_next_runs(tmp_path: Path) -> None:
    config = _portal_file(tmp_path, f'data_dir = "{tmp_path / "data"}"\n')
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[site]\nstart_url = "http://127.0.0.1:9/"\n'
        '[schedule]\naudit = "30 1 * * 1"\nrecheck = ""\n',
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["schedule", "--config", str(config), "--count", "2"])
    assert result.exit_code == 0, result.output
    assert '按 "30 1 * * 1"（分 时 日 月 星期，时区 Asia/Shanghai）' in result.output
    mondays = result.output.split("下次：")[1].splitlines()[0].split("，")
    assert len(set(mondays)) == 2 and all(m.endswith(" 01:30") for m in mondays)
    assert "  复查：已关闭" in result.output
    assert "24 次/天" in result.output
    status = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "近 7 天无探测记录" in status.output
    assert not (tmp_path / "data").exists()  # looking does not create a store
