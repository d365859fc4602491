"""``sitecheck fleet …``: the fleet's commands (init, add, remove, worker, defer, schedule,
status, overview). Each takes the fleet's database with ``--db`` (or ``SITECHECK_FLEET_DB``)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

import click

from sitecheck.errors import ConfigError, StoreError
from sitecheck.fleet import HEARTBEAT_SECONDS, STALLED_SECONDS

DB_HELP = "舰队数据库（PostgreSQL 网址，如 postgresql://sitecheck@db.example.internal/sitecheck）。"


def _db_option(func: Any) -> Any:
    return click.option("--db", required=True, envvar="SITECHECK_FLEET_DB", metavar="URL", help=DB_HELP)(func)


def _check_url(db: str) -> None:
    from sitecheck.store.db import is_store_url

    if not is_store_url(db):
        raise click.BadParameter("应为 postgresql:// 开头的数据库网址", param_hint="--db")


def _connect(db: str) -> Any:
    import psycopg

    from sitecheck.fleet.app import connect
    from sitecheck.store.postgres import shown_url

    _check_url(db)
    try:
        return connect(db)
    except psycopg.OperationalError as exc:
        raise StoreError(f"无法连接舰队数据库 {shown_url(db)}：{exc}") from None


def _run(coro: Any) -> Any:
    from sitecheck.loop import run

    return run(coro)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Not a line per request (as `sitecheck serve`): the jobs' starts, ends and failures are the log.
    logging.getLogger("httpx2").setLevel(logging.WARNING)


@click.group(options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def fleet() -> None:
    """舰队模式：多台机器上的工作进程共同检查多个网站（PostgreSQL + procrastinate 任务队列）。"""


@fleet.command(options_metavar="[选项]")
@_db_option
def init(db: str) -> None:
    """建立任务队列、事实库和门户登记表（可重复运行）。"""
    from sitecheck.fleet import registry
    from sitecheck.fleet.app import FleetSettings, build_app
    from sitecheck.store import Store

    with _connect(db) as conn:
        queue_exists = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]
        registry.create_table(conn)

    async def apply() -> None:
        app = build_app(FleetSettings(db))
        async with app.open_async():
            await app.schema_manager.apply_schema_async()

    if not queue_exists:
        _run(apply())
    Store(db).close()  # creates or migrates the store's tables
    click.echo(
        "舰队数据库已就绪：任务队列、事实库、门户登记表" + ("（已存在，未改动队列）" if queue_exists else "")
    )


@fleet.command(options_metavar="[选项]")
@_db_option
@click.argument("configs", nargs=-1, required=True, metavar="门户配置.toml…")
def add(db: str, configs: tuple[str, ...]) -> None:
    """登记（或更新）门户：配置文件与 sitecheck crawl --config 相同，以起始网址为键。"""
    from sitecheck.fleet import registry

    entries = [registry.read_portal_file(path) for path in configs]  # all valid, or none added
    with _connect(db) as conn:
        for entry in entries:
            new = registry.add(conn, entry)
            click.echo(f"{'已登记' if new else '已更新'}：{entry.name}  {entry.start_url}")


@fleet.command(options_metavar="[选项]")
@_db_option
@click.argument("keys", nargs=-1, required=True, metavar="起始网址或配置文件…")
def remove(db: str, keys: tuple[str, ...]) -> None:
    """取消登记门户（已保存的检查记录保留在事实库中）。"""
    from sitecheck.fleet import registry

    with _connect(db) as conn:
        for key in keys:
            removed = registry.remove(conn, key)
            if removed is None:
                raise ConfigError("", f"舰队中没有登记 {key}")
            click.echo(f"已取消登记：{removed}")


@fleet.command(options_metavar="[选项]")
@_db_option
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    metavar="N",
    help="本工作进程同时检查的网站数。",
)
@click.option(
    "--name", default="", metavar="名称", help="工作进程名（默认 主机名-进程号；写进抓取时的 User-Agent）。"
)
@click.option(
    "--heartbeat",
    default=HEARTBEAT_SECONDS,
    show_default=True,
    type=click.FloatRange(0.1, 600),
    metavar="秒",
    help="心跳间隔（秒）。",
)
@click.option(
    "--stalled-after",
    default=STALLED_SECONDS,
    show_default=True,
    type=click.FloatRange(0.5, 3600),
    metavar="秒",
    help="工作进程多久无心跳即视为已死，其任务由其他工作进程重试（秒）。",
)
def worker(db: str, concurrency: int, name: str, heartbeat: float, stalled_after: float) -> None:
    """运行一个工作进程：执行检查、复查和首页探测任务（每台机器运行一个或多个）。"""
    from sitecheck.fleet.app import QUEUE, FleetSettings, build_app

    _check_url(db)
    _logging()
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    settings = FleetSettings(db, name, stalled_after)

    async def work() -> None:
        app = build_app(settings)
        async with app.open_async():
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                name=name,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_after,
                # No shutdown_graceful_timeout: on SIGTERM the running audits finish first.
            )

    _run(work())


@fleet.command(options_metavar="[选项]")
@_db_option
@click.argument("job", type=click.Choice(["audit", "recheck", "probe"]))
@click.argument("start_urls", nargs=-1, metavar="[起始网址…]")
def defer(db: str, job: str, start_urls: tuple[str, ...]) -> None:
    """立即排入一项任务（不给网址时为所有登记的门户）。"""
    from sitecheck.fleet import registry
    from sitecheck.fleet.app import FleetSettings, build_app
    from sitecheck.fleet.app import defer as defer_job

    with _connect(db) as conn:
        known = [p.start_url for p in registry.portals(conn)]
    targets = list(start_urls) or known
    unknown = [url for url in targets if url not in known]
    if unknown:
        raise ConfigError("", f"舰队中没有登记 {unknown[0]}（先运行 sitecheck fleet add）")

    async def queue() -> list[tuple[str, int | None]]:
        app = build_app(FleetSettings(db))
        async with app.open_async():
            return [(url, await defer_job(app, job, url)) for url in targets]

    for url, job_id in _run(queue()):
        click.echo(
            f"{url}："
            + (f"已排队（任务 {job_id}）" if job_id is not None else "已有同类任务在排队，未重复排入")
        )


@fleet.command(options_metavar="[选项]")
@_db_option
@click.option(
    "--spread",
    default=6.0,
    show_default=True,
    type=click.FloatRange(0, 24 * 7),
    metavar="小时",
    help="把各门户的检查和复查错开到配置时刻之后的这段时间内（小时）。",
)
def schedule(db: str, spread: float) -> None:
    """运行调度进程：按各门户 [schedule] 定时排入检查、复查和首页探测（全舰队一个即可）。"""
    from sitecheck.fleet.app import SCHEDULE_QUEUE, FleetSettings, build_app

    _check_url(db)
    _logging()
    settings = FleetSettings(db)
    settings.spread_seconds = spread * 3600

    async def run() -> None:
        app = build_app(settings)
        # The tick is a procrastinate periodic task: every minute one (and only one, however many
        # schedulers run) looks which portal jobs fell due and defers them.
        app.periodic_registry.register_task(
            task=app.tasks["sitecheck.tick"], cron="* * * * *", periodic_id="tick", configure_kwargs={}
        )
        async with app.open_async():
            await app.run_worker_async(
                queues=[SCHEDULE_QUEUE], concurrency=1, name=f"scheduler-{os.getpid()}"
            )

    _run(run())


@fleet.command(options_metavar="[选项]")
@_db_option
def status(db: str) -> None:
    """任务队列、工作进程、正在进行的检查、失败的任务，以及每个门户最近一次检查。"""
    from sitecheck.fleet import registry
    from sitecheck.fleet.status import fleet_status

    with _connect(db) as conn:
        entries = registry.portals(conn)
        for line in fleet_status(conn, db, entries, datetime.now(UTC)):
            click.echo(line)


@fleet.command(options_metavar="[选项]")
@_db_option
@click.option(
    "--reports-dir",
    default="reports",
    show_default=True,
    metavar="目录",
    help="总览写在此目录的 overview 子目录下。",
)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按哪一天判定（默认今天）。")
def overview(db: str, reports_dir: str, as_of: str | None) -> None:
    """舰队所有门户一页总览（HTML + XLSX），与 sitecheck overview 相同。"""
    from sitecheck.fleet import registry
    from sitecheck.service.commands import show_overview

    with _connect(db) as conn:
        portals = [entry.portal(db) for entry in registry.portals(conn)]
    show_overview(portals, reports_dir, as_of)


def register(cli: click.Group) -> None:
    cli.add_command(fleet)
