"""What ``sitecheck fleet status`` prints: the queue by status, the workers and their
heartbeats, the running jobs, recent failures, and per portal its last run. Reads only."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sitecheck.fleet.registry import FleetPortal
from sitecheck.service.commands import JOB_LABELS, RUN_STATUS_TEXT
from sitecheck.store import Store
from sitecheck.timefmt import shown

# procrastinate's job states, as people read them.
JOB_STATUS_TEXT = {
    "todo": "排队中",
    "doing": "进行中",
    "succeeded": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
    "aborting": "正在中止",
    "aborted": "已中止",
}

# The portals' jobs (not the fleet's housekeeping: the tick, stalled-job retries, pruning).
PORTAL_TASKS = ["sitecheck.audit", "sitecheck.recheck", "sitecheck.probe"]


def _job_text(task: str) -> str:
    name = task.removeprefix("sitecheck.")
    return JOB_LABELS.get(name, name)


def _portal_of(args: Any) -> str:
    if isinstance(args, str):
        args = json.loads(args)
    return str(args.get("start_url", "")) if isinstance(args, dict) else ""


def fleet_status(conn: Any, db: str, entries: Sequence[FleetPortal], now: datetime) -> Iterator[str]:
    counts = conn.execute(
        "SELECT status::text, count(*) FROM procrastinate_jobs WHERE task_name = ANY(%s)"
        " GROUP BY status ORDER BY 1",
        (PORTAL_TASKS,),
    ).fetchall()
    yield "任务：" + ("，".join(f"{JOB_STATUS_TEXT.get(status, status)} {n}" for status, n in counts) or "无")
    workers = conn.execute("SELECT id, last_heartbeat FROM procrastinate_workers ORDER BY id").fetchall()
    yield f"工作进程：{len(workers)} 个"
    for worker_id, beat in workers:
        yield f"  工作进程 {worker_id}：上次心跳 {max(0.0, (now - beat).total_seconds()):.0f} 秒前"
    running = conn.execute(
        "SELECT id, task_name, args, worker_id FROM procrastinate_jobs WHERE status = 'doing'"
        " AND task_name = ANY(%s) ORDER BY id",
        (PORTAL_TASKS,),
    ).fetchall()
    yield f"正在进行：{len(running)} 项"
    for job_id, task, args, worker_id in running:
        yield f"  任务 {job_id} {_job_text(task)} {_portal_of(args)}（工作进程 {worker_id}）"
    failed = conn.execute(
        "SELECT id, task_name, args, attempts FROM procrastinate_jobs WHERE status = 'failed'"
        " AND task_name LIKE 'sitecheck.%%' ORDER BY id DESC LIMIT 20",
        (),
    ).fetchall()
    yield f"失败：{len(failed)} 项" + ("（最近 20 项）" if len(failed) == 20 else "")
    for job_id, task, args, attempts in failed:
        yield f"  任务 {job_id} {_job_text(task)} {_portal_of(args)}（尝试 {attempts + 1} 次）"
    yield f"门户：{len(entries)} 个"
    store = Store(db) if entries else None
    try:
        for entry in entries:
            run = store.latest_run(entry.start_url) if store else None
            status = RUN_STATUS_TEXT.get(run.status, run.status) if run else ""
            last = (
                f"第 {run.id} 次检查，{status}，开始于 {shown(run.started_at, entry.timezone)}"
                if run
                else "尚未检查"
            )
            yield f"  {entry.name}  {entry.start_url}：{last}"
    finally:
        if store is not None:
            store.close()
