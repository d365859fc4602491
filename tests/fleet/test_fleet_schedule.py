"""The fleet's schedule (the stagger, the scheduler's tick on a real PostgreSQL) and its portal
registry (``fleet add`` / ``remove`` validate and key by start URL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from sitecheck.config import AuditConfig
from sitecheck.fleet.app import FleetSettings, build_app, defer_due
from sitecheck.fleet.stagger import DEFAULT_SPREAD, due, offset
from sitecheck.service.portals import Portal
from support.fleet import run_command
from support.postgres import PostgresCluster

SIX_HOURS = 6 * 3600.0


def portal(url: str, **schedule: object) -> Portal:
    config = AuditConfig().replace("site", start_url=url)
    config = config.replace(
        "schedule", **({"audit": "30 1 * * 1", "recheck": "", "probes_per_day": 24} | schedule)
    )
    return Portal(config, "test")


def test_offsets_are_stable_inside_the_window_and_spread() -> None:
    urls = [f"https://www{n}.example.gov.cn/" for n in range(200)]
    offsets = [offset(url, "audit", SIX_HOURS) for url in urls]
    assert offsets == [offset(url, "audit", SIX_HOURS) for url in urls]  # the same on every machine
    assert all(0 <= o < SIX_HOURS for o in offsets)
    # Spread over the window: every hour of it gets some portals, none gets most of them.
    per_hour = [sum(1 for o in offsets if hour * 3600 <= o < (hour + 1) * 3600) for hour in range(6)]
    assert min(per_hour) > 10 and max(per_hour) < 60, per_hour
    assert offset(urls[0], "probe", SIX_HOURS) == 0.0  # probes are spread by their own slots
    assert offset(urls[0], "audit", 0) == 0.0  # --spread 0: at the cron time itself


def test_due_shifts_the_portals_own_cron_in_its_time_zone() -> None:
    site = portal("https://www.example.gov.cn/")
    # Monday 2026-11-30 01:30 in Shanghai is 2026-11-29 17:30 UTC.
    fire = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)
    found = list(due(site, "audit", fire - timedelta(minutes=1), fire, SIX_HOURS))
    assert found == [fire + timedelta(seconds=offset(site.key, "audit", SIX_HOURS))]
    assert list(due(site, "audit", fire, fire + timedelta(minutes=1), SIX_HOURS)) == []  # not twice
    assert list(due(site, "recheck", fire - timedelta(days=7), fire, SIX_HOURS)) == []  # switched off
    midnight = datetime(2026, 11, 30, tzinfo=UTC)
    day = list(due(site, "probe", midnight, midnight + timedelta(days=1), SIX_HOURS))
    assert len(day) == 24  # probes_per_day, each inside its own hour
    assert [when.hour for when in day] == list(range(24))


def test_the_tick_defers_due_jobs_once(postgres: PostgresCluster, tmp_path: Path) -> None:
    db = postgres.fresh_database()
    urls = ["http://127.0.0.1:9/", "http://127.0.0.2:9/"]
    for index, url in enumerate(urls):
        (tmp_path / f"p{index}.toml").write_text(
            f'[site]\nstart_url = "{url}"\n[schedule]\nrecheck = ""\nprobes_per_day = 1\n', encoding="utf-8"
        )
    run_command("fleet", "init", "--db", db)
    run_command("fleet", "add", "--db", db, str(tmp_path / "p0.toml"), str(tmp_path / "p1.toml"))
    fire = int(datetime(2026, 11, 29, 17, 30, tzinfo=UTC).timestamp())  # Monday 01:30 Shanghai

    async def ticks() -> tuple[int, int]:
        app = build_app(FleetSettings(db))
        async with app.open_async():
            return await defer_due(app, FleetSettings(db), fire), await defer_due(
                app, FleetSettings(db), fire
            )

    first, again = asyncio.run(ticks())
    assert (first, again) == (2, 0)  # one audit per portal; a second tick piles nothing up
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT args->>'start_url', scheduled_at, lock FROM procrastinate_jobs"
            " WHERE task_name = 'sitecheck.audit' ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == urls
    for url, scheduled, lock in rows:
        assert lock == f"sitecheck-portal:{url}"
        assert scheduled.timestamp() == pytest.approx(fire + offset(url, "audit", DEFAULT_SPREAD), abs=1)
    assert rows[0][1] != rows[1][1]  # staggered, not both at 01:30


def test_registry_add_update_remove(postgres: PostgresCluster, tmp_path: Path) -> None:
    db = postgres.fresh_database()
    good = tmp_path / "www.toml"
    good.write_text('[site]\nstart_url = "http://127.0.0.1:9/"\nname = "门户"\n', encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[site]\nstart_url = "http://127.0.0.3:9/"\n[schedule]\naudit = "61 * * * *"\n', encoding="utf-8"
    )
    run_command("fleet", "init", "--db", db)
    assert "已登记：门户" in run_command("fleet", "add", "--db", db, str(good))
    assert "已更新" in run_command("fleet", "add", "--db", db, str(good))
    failed = run_command("fleet", "add", "--db", db, str(bad), check=False)
    assert "schedule.audit" in failed  # validated like `sitecheck serve --config`, the key named
    status = run_command("fleet", "status", "--db", db)
    assert "门户：1 个" in status and "尚未检查" in status
    assert "已取消登记：http://127.0.0.1:9/" in run_command("fleet", "remove", "--db", db, str(good))
    assert "门户：0 个" in run_command("fleet", "status", "--db", db)
    assert "没有登记" in run_command("fleet", "remove", "--db", db, "http://127.0.0.1:9/", check=False)
