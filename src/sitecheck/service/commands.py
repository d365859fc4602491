"""``sitecheck serve``, ``sitecheck schedule`` and ``sitecheck status``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sitecheck.models import OPEN_STATES
from sitecheck.service import JOBS
from sitecheck.timefmt import shown

# The job names (audit, recheck, probe) are what --now takes; people read these.
JOB_LABELS: dict[str, str] = {"audit": "全面检查", "recheck": "复查", "probe": "首页可用性探测"}
CAUSE_TEXT = {"schedule": "按计划", "resume": "续跑", "catch_up": "补跑", "manual": "手动"}
OUTCOME_TEXT = {
    "running": "进行中",
    "finished": "已完成",
    "incomplete": "不完整",
    "interrupted": "已中断",
    "resumed": "已续跑",
    "failed": "失败",
    "error": "出错",
    "skipped": "已跳过",
    "missed": "已错过",
}

if TYPE_CHECKING:
    from sitecheck.service.portals import Portal

# The service's modules (scheduler, HTTP client, store) load only when one of these commands
# runs: every other sitecheck command starts without them.

_config_option = click.option(
    "--config",
    "configs",
    multiple=True,
    required=True,
    metavar="文件",
    type=click.Path(dir_okay=False),
    help="门户配置文件，或列出多个门户的服务配置文件（[[portals]]）；可多次给出。",
)

_LEVEL_TEXT = {"ok": "正常", "warn": "预警", "fail": "达到否决线"}
# A run's status in the store (finished, crawled, …) as `runs` and `status` show it.
RUN_STATUS_TEXT = {
    "running": "进行中",
    "crawled": "待判定",
    "finished": "已完成",
    "incomplete": "不完整",
    "interrupted": "已中断",
    "failed": "失败",
}
_EVENT_TEXT = {"new_findings": "新发现问题", "veto_risk": "单项否决风险", "home_down": "首页无法访问"}
_CHANNEL_TEXT = {"email": "邮件", "webhook": "网络回调"}
_LOG_LEVELS = {"DEBUG": "调试", "INFO": "信息", "WARNING": "警告", "ERROR": "错误", "CRITICAL": "严重"}


class LogFormatter(logging.Formatter):
    """The service log: the time as every other output shows it (zone and format), the level
    in Chinese. Tracebacks stay as Python prints them: they are for whoever fixes the bug."""

    def __init__(self, tz: str) -> None:
        super().__init__()
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        level = _LOG_LEVELS.get(record.levelname, record.levelname)
        line = f"{shown(moment, self.tz)} {level} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def register(group: click.Group) -> None:
    group.add_command(serve)
    group.add_command(schedule)
    group.add_command(status)
    group.add_command(overview)


def _local(iso: str | None, tz: str) -> str:
    """A stored moment as every command shows it (timefmt.shown); "—" for none."""
    return shown(iso, tz) if iso else "—"


def _cadence_text(portal: Portal, job: str) -> str:
    cadence = portal.cadence(job)
    return cadence.describe() if cadence is not None else "已关闭"


def _store_for(portal: Portal) -> Any:
    """The portal's store, or None when nothing was recorded yet (status must not create one)."""
    from sitecheck.store import Store, store_exists

    if not store_exists(portal.config.data_dir):
        return None
    return Store(portal.config.data_dir)


@click.command(options_metavar="[选项]")
@_config_option
@click.option(
    "--now",
    "now_jobs",
    multiple=True,
    type=click.Choice([job.value for job in JOBS]),
    help="启动后立即运行一次该任务（audit、recheck 或 probe；可多次）。",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
    help="日志级别（日志写到标准错误，systemd 下进入 journal）。",
)
def serve(configs: tuple[str, ...], now_jobs: tuple[str, ...], log_level: str) -> None:
    """作为服务长期运行：按计划全面检查、复查和首页可用性探测，并发送通知（SIGTERM 优雅停止）。"""
    from sitecheck.report.jsonfile import check_writable
    from sitecheck.service.portals import load_portals
    from sitecheck.service.runner import Service

    portals = load_portals(configs)
    for portal in portals:
        check_writable(Path(portal.config.reports_dir) / ".sitecheck-write-test")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogFormatter(portals[0].config.schedule.timezone))
    logging.basicConfig(level=getattr(logging, log_level.upper()), handlers=[handler])
    # One line per HTTP request would drown the service's own log (a crawl makes thousands).
    logging.getLogger("httpx2").setLevel(max(logging.WARNING, logging.getLogger().level))
    for portal in portals:
        logging.getLogger("sitecheck.service").info(
            "%s（%s，配置 %s）：全面检查 %s，复查 %s，每天探测首页 %d 次",
            portal.name,
            portal.key,
            portal.source,
            _cadence_text(portal, "audit"),
            _cadence_text(portal, "recheck"),
            portal.config.schedule.probes_per_day,
        )
    Service(portals, now_jobs=now_jobs).run()
    raise SystemExit(0)


@click.command(options_metavar="[选项]")
@_config_option
@click.option(
    "--count",
    type=click.IntRange(min=1, max=100),
    metavar="N",
    default=3,
    show_default=True,
    help="每个任务列出几次（1–100）。",
)
def schedule(configs: tuple[str, ...], count: int) -> None:
    """列出每个门户各任务接下来的运行时间，以及上次运行的结果。"""
    from sitecheck.service.portals import load_portals
    from sitecheck.service.schedule import upcoming

    now = datetime.now(UTC)
    for portal in load_portals(configs):
        tz = portal.config.schedule.timezone
        click.echo(f"{portal.name}  {portal.key}  （{portal.source}；时区 {tz}）")
        store = _store_for(portal)
        try:
            stored = store.next_runs(portal.key) if store is not None else {}
            for job in JOBS:
                cadence = portal.cadence(job)
                label = JOB_LABELS[job]
                if cadence is None:
                    click.echo(f"  {label}：已关闭（配置为空）")
                else:
                    times = upcoming(cadence, portal.job_id(job), now, count)
                    shown = "，".join(_local(t.isoformat(), tz) for t in times)
                    click.echo(f"  {label}：{cadence.describe()}")
                    click.echo(f"    下次：{shown}")
                at = stored.get(job, (None, ""))[0]
                if cadence is not None and at and datetime.fromisoformat(at) <= now and job != "probe":
                    grace = portal.config.schedule.misfire_grace
                    late = (now - datetime.fromisoformat(at)).total_seconds()
                    what = "服务启动时补跑" if late <= grace else "已超过补跑时限，不再补跑"
                    click.echo(f"    服务停止期间错过 {_local(at, tz)} 的运行：{what}")
                if store is not None:
                    rows = [r for r in store.job_log(portal.key, job, limit=20) if r.outcome != "skipped"]
                    if rows:
                        last = rows[0]
                        run = f"，运行 {last.run_id}" if last.run_id else ""
                        click.echo(
                            f"    上次：{_local(last.started_at or last.fired_at, tz)} "
                            f"{OUTCOME_TEXT.get(last.outcome, last.outcome)}{run}"
                            + (f"（{last.detail}）" if last.detail and last.outcome != "finished" else "")
                        )
        finally:
            if store is not None:
                store.close()


def _service_running(data_dir: str) -> bool:
    """Whether a ``sitecheck serve`` holds the data directory's lock right now."""
    import fcntl

    path = Path(data_dir, "service.lock")
    if not path.exists():
        return False
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def _status_of(portal: Portal) -> dict[str, Any]:
    from sitecheck.judge.availability import window

    schedule_ = portal.config.schedule
    data: dict[str, Any] = {
        "site": portal.name,
        "start_url": portal.key,
        "config": portal.source,
        "service_running": _service_running(portal.config.data_dir),
        "availability": None,
        "last_probe": None,
        "last_run": None,
        "running": [],
        "recent_jobs": [],
        "recent_notifications": [],
    }
    store = _store_for(portal)
    if store is None:
        return data
    try:
        found = window(store, portal.key, warn_ratio=schedule_.availability_warn)
        if found is not None:
            data["availability"] = asdict(found) | {
                "ratio": found.ratio,
                "level": found.level,
                "latency_ms_trend": found.latency_trend,
                "expected_probes": round(schedule_.probes_per_day * min(found.days, 7)),
                # Whether the verdict rests on the national sample (a week, ≥20 probes a day).
                "sample_ok": found.sample_ok,
                "sample_text": found.sample_text,
            }
        last = store.last_probe(portal.key)
        if last is not None:
            data["last_probe"] = asdict(last) | {"outcome": last.outcome.value}
        run = store.latest_run(portal.key)
        if run is not None:
            states = store.finding_states(run.id)
            data["last_run"] = {
                "id": run.id,
                "kind": run.kind,
                "status": run.status,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "open": sum(states.get(s, 0) for s in OPEN_STATES),
                "states": states,
            }
        jobs = store.job_log(portal.key, limit=200)
        data["running"] = [asdict(r) for r in jobs if r.outcome == "running"]
        data["recent_jobs"] = [asdict(r) for r in jobs[:10]]
        data["recent_notifications"] = [asdict(n) for n in store.notifications(portal.key, limit=5)]
    finally:
        store.close()
    return data


@click.command(options_metavar="[选项]")
@_config_option
@click.option("--json", "as_json", is_flag=True, default=False, help="以 JSON 输出（供监控系统读取）。")
def status(configs: tuple[str, ...], as_json: bool) -> None:
    """每个门户的首页可用性（近 7 天失败率对照 5% 否决线）、响应时间趋势、最近的检查与任务。"""
    from sitecheck.service.portals import load_portals

    portals = load_portals(configs)
    report = [_status_of(portal) for portal in portals]
    if as_json:
        click.echo(
            json.dumps({"schema": "sitecheck/status", "portals": report}, ensure_ascii=False, indent=2)
        )
        return
    for portal, data in zip(portals, report, strict=True):
        tz = portal.config.schedule.timezone
        click.echo(f"{data['site']}  {data['start_url']}")
        _echo_availability(data, tz)
        run = data["last_run"]
        if run is None:
            click.echo("  检查：尚无记录")
        else:
            kind = "复查" if run["kind"] == "recheck" else "检查"
            click.echo(
                f"  最近{kind}：运行 {run['id']}，{_local(run['started_at'], tz)}，"
                f"{RUN_STATUS_TEXT.get(run['status'], run['status'])}，"
                f"未整改 {run['open']} 个"
            )
        click.echo(f"  服务：{'运行中' if data['service_running'] else '未运行'}")
        for job in data["running"]:
            note = "" if data["service_running"] else "，服务已停止，下次启动时续跑"
            label = JOB_LABELS.get(job["job"], job["job"])
            click.echo(f"  未完成：{label}（{_local(job['started_at'], tz)} 开始{note}）")
        for job in data["recent_jobs"][:5]:
            run_text = f"，运行 {job['run_id']}" if job["run_id"] else ""
            detail = f"：{job['detail']}" if job["detail"] else ""
            click.echo(
                f"  · {_local(job['fired_at'], tz)} {JOB_LABELS.get(job['job'], job['job'])}"
                f"（{CAUSE_TEXT.get(job['cause'], job['cause'])}）"
                f"{OUTCOME_TEXT.get(job['outcome'], job['outcome'])}{run_text}{detail}"
            )
        for note in data["recent_notifications"][:3]:
            result = "已送达" if note["ok"] else f"未送达（{note['error']}）"
            event = _EVENT_TEXT.get(note["event"], note["event"])
            channel = _CHANNEL_TEXT.get(note["channel"], note["channel"])
            click.echo(f"  通知 {_local(note['at'], tz)} {event} → {channel} {result}")


def _echo_availability(data: dict[str, Any], tz: str) -> None:
    found = data["availability"]
    if found is None:
        click.echo("  首页可用性：近 7 天无探测记录")
        return
    click.echo(
        f"  首页可用性（近 7 天，已监测 {found['days']:.1f} 天）："
        f"探测 {found['probes']} 次，失败 {found['failures']} 次，"
        f"失败率 {found['ratio']:.2%}（预警线 {found['warn_ratio']:.0%}，否决线 {found['veto_ratio']:.0%}）"
        f"：{_LEVEL_TEXT[found['level']]}"
    )
    if not found["sample_ok"]:
        click.echo(f"    {found['sample_text']}")
    if found["unverified"]:
        click.echo(f"    另有 {found['unverified']} 次被防护拦截或限流，未计入")
    if found["latency_ms_median"] is not None:
        trend = found["latency_ms_trend"]
        trend_text = f"，最近一天比整体{'慢' if trend > 0 else '快'} {abs(trend):.0f} ms" if trend else ""
        click.echo(
            f"    响应时间：中位数 {found['latency_ms_median']:.0f} ms，P95 {found['latency_ms_p95']:.0f} ms"
            f"{trend_text}"
        )
    for day in found["daily"][-7:]:
        median = f"{day['latency_ms_median']:.0f} ms" if day["latency_ms_median"] is not None else "—"
        click.echo(f"    {day['day']}  探测 {day['probes']:>4}  失败 {day['failures']:>3}  中位数 {median}")
    last = data["last_probe"]
    if last is not None:
        from sitecheck.report.labels import OUTCOME_LABELS

        outcome = OUTCOME_LABELS.get(_outcome(last["outcome"]), last["outcome"])
        code = f" HTTP {last['status']}" if last["status"] else ""
        click.echo(f"    最近一次探测：{_local(last['at'], tz)} {outcome}{code}，{last['latency_ms']} ms")


def _outcome(value: str) -> Any:
    from sitecheck.models import Outcome

    try:
        return Outcome(value)
    except ValueError:
        return value


@click.command(options_metavar="[选项]")
@_config_option
@click.option(
    "--reports-dir",
    default="reports",
    show_default=True,
    metavar="目录",
    help="总览写在此目录的 overview 子目录下（每次一个新文件夹，另有一个指向最新一份的链接）。",
)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按哪一天判定（默认今天）。")
def overview(configs: tuple[str, ...], reports_dir: str, as_of: str | None) -> None:
    """所有门户一页总览（HTML + XLSX）：结论、否决项、未整改问题、较上次变化、趋势、首页可用性和排名。"""
    from sitecheck.service.portals import load_portals

    show_overview(load_portals(configs), reports_dir, as_of)


def show_overview(portals: Sequence[Portal], reports_dir: str, as_of: str | None) -> None:
    """Write the overview of ``portals`` as of ``as_of`` (YYYY-MM-DD, default today) and say what
    it found, a line a portal (``sitecheck overview`` and ``sitecheck fleet overview``)."""
    from datetime import date as _date

    from sitecheck.report.overview import overview_of, rank, write_overview

    try:
        day = _date.fromisoformat(as_of) if as_of else _date.today()
    except ValueError:
        raise click.BadParameter(f"{as_of!r} 不是 YYYY-MM-DD 格式的日期", param_hint="--as-of") from None
    lines = rank([overview_of(portal, day) for portal in portals])
    folder = write_overview(lines, reports_dir, day)
    failing = [line for line in lines if line.failing]
    audited = sum(1 for x in lines if x.audited)
    click.echo(f"{len(lines)} 个网站，已检查 {audited} 个，{len(failing)} 个触及单项否决：")
    for line in lines:
        opened = f"，未整改 {line.open} 个" if line.audited else ""
        click.echo(f"  {line.rank}. {line.name}  {line.verdict}{opened}")
    click.echo(f"总览：{folder / 'overview.html'}（另有 overview.xlsx）")
