"""Triggers and the scheduler: the only module that imports APScheduler (3.x).

Why APScheduler 3 and its in-memory job store: jobs are re-created from the config at every
start, and what must survive a restart lives in the fact store instead (the next run time of
each job, the job log, the probes). A persistent APScheduler job store would pickle the job
functions and their arguments (whole configs) into SQLAlchemy tables: a second database layer
and a second copy of the configuration that goes stale when the TOML changes. The recording job
store below writes every next-run time to the fact store, which is all a restarted service
needs to keep its schedule and catch up on what it missed.

Cron expressions are the usual 5 fields (minute hour day-of-month month day-of-week) with the
usual meaning: day-of-week 0 or 7 is Sunday, 1 Monday. APScheduler 3 numbers weekdays from
Monday = 0 (its documented historical mistake), so the day-of-week field is translated to
names before it is handed over. As in APScheduler, a restricted day-of-month *and* day-of-week
must both match (classic cron would accept either).
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sitecheck.errors import ConfigError

log = logging.getLogger(__name__)

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 = Sunday
_NAME_NUMBERS = {name: number for number, name in enumerate(_DAY_NAMES)}
_DOW_TERM = re.compile(r"^(\*|[a-z]{3}|\d+)(?:-([a-z]{3}|\d+))?(?:/(\d+))?$")


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a job fires. Exactly one of the three is set.

    ``cron``: a 5-field crontab expression in ``timezone``. ``slot_seconds``: once in every slot
    of that length, at a random moment inside it (probes: 86400 / probes_per_day).
    ``every_seconds``: a fixed interval (tests, and schedules of seconds).
    """

    cron: str = ""
    slot_seconds: float = 0.0
    every_seconds: float = 0.0
    timezone: str = "Asia/Shanghai"

    def describe(self) -> str:
        if self.cron:
            return f'按 "{self.cron}"（分 时 日 月 星期，时区 {self.timezone}）'
        if self.slot_seconds:
            per_day = 86400 / self.slot_seconds
            return f"{per_day:g} 次/天，每 {self.slot_seconds / 60:g} 分钟内随机时刻"
        return f"每 {self.every_seconds:g} 秒"


def zone(name: str, key: str = "schedule.timezone", source: str = "") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"没有这个时区 {name!r}（应如 Asia/Shanghai）", source) from None


def _day_number(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise ValueError(f"day of week {number} out of range 0-7")
        return number % 7
    if token in _NAME_NUMBERS:
        return _NAME_NUMBERS[token]
    raise ValueError(f"unknown day of week {token!r}")


def crontab_weekdays(field: str) -> str:
    """Translate a crontab day-of-week field (0/7 = Sunday) into APScheduler day names."""
    field = field.strip().lower()
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for term in field.split(","):
        match = _DOW_TERM.match(term)
        if match is None:
            raise ValueError(f"invalid day-of-week term {term!r}")
        first, last, step = match.groups()
        if first == "*":
            low, high = 0, 6
        else:
            low = _day_number(first)
            # "7" as the end of a range is Sunday at the end of the week (e.g. 5-7 = Fri-Sun).
            high = (7 if last == "7" else _day_number(last)) if last else (6 if step else low)
        if last and high < low:
            raise ValueError(f"day-of-week range {term!r} runs backwards")
        days.update(day % 7 for day in range(low, high + 1, int(step or 1)))
    # APScheduler's own order (Monday first) keeps the expression readable in logs.
    return ",".join(_DAY_NAMES[d] for d in (1, 2, 3, 4, 5, 6, 0) if d in days)


def cron_trigger(expr: str, timezone: str | tzinfo) -> CronTrigger:
    """A CronTrigger for a standard 5-field crontab expression (raises ValueError)."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    fields[4] = crontab_weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)


def _cron_problem(expr: str, exc: ValueError) -> str:
    """Why a cron expression is refused, in Chinese (APScheduler's own words are English)."""
    count = len(expr.split())
    if count != 5:
        return f'应为 5 段（分 时 日 月 星期，以空格分隔，如 "30 1 * * 1"），现为 {count} 段'
    return "某一段超出范围或写法不对（分 0–59，时 0–23，日 1–31，月 1–12，星期 0–7 或 mon–sun）"


def check_cron(expr: str, key: str, timezone: str, source: str = "") -> None:
    """Raise a ConfigError naming ``key`` unless ``expr`` is a valid crontab expression."""
    tz = zone(timezone, source=source)
    try:
        cron_trigger(expr, tz)
    except ValueError as exc:
        # APScheduler's reasons are English; what to write instead is enough to fix it.
        raise ConfigError(key, f"cron 表达式 {expr!r} 无效：{_cron_problem(expr, exc)}", source) from None


class SlotTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler ships no type hints
    """Once per slot of ``slot_seconds``, at a random moment inside the slot.

    Slots are counted from the Unix epoch, so a day of 24 slots gets exactly 24 probes whatever
    the restarts; the moment inside each slot is drawn from a generator seeded by the job and the
    slot, so the service and ``sitecheck schedule`` agree on the times. (APScheduler's own
    ``jitter`` on an IntervalTrigger adds up from one run to the next and would drift to fewer
    probes a day than configured.) The moment stays within the middle 80% of the slot, so two
    probes are never closer than a fifth of a slot.
    """

    def __init__(self, slot_seconds: float, seed: str) -> None:
        self.slot_seconds = slot_seconds
        self.seed = seed

    def fire_time(self, slot: int) -> datetime:
        offset = random.Random(f"{self.seed}:{slot}").uniform(0.1, 0.9) * self.slot_seconds
        return datetime.fromtimestamp(slot * self.slot_seconds + offset, tz=UTC)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        if previous_fire_time is not None:
            return self.fire_time(int(previous_fire_time.timestamp() // self.slot_seconds) + 1)
        slot = int(now.timestamp() // self.slot_seconds)
        when = self.fire_time(slot)
        return when if when >= now else self.fire_time(slot + 1)

    def __str__(self) -> str:
        return f"slot[{self.slot_seconds:g}s]"


def make_trigger(cadence: Cadence, seed: str) -> BaseTrigger:
    if cadence.cron:
        return cron_trigger(cadence.cron, zone(cadence.timezone))
    if cadence.slot_seconds:
        return SlotTrigger(cadence.slot_seconds, seed)
    return IntervalTrigger(seconds=cadence.every_seconds, timezone=UTC)


def upcoming(cadence: Cadence, seed: str, now: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times after ``now`` (what ``sitecheck schedule`` lists)."""
    trigger = make_trigger(cadence, seed)
    if isinstance(trigger, IntervalTrigger):
        # An interval starts when the service does; from here it would fire every N seconds.
        return [now + timedelta(seconds=cadence.every_seconds * (n + 1)) for n in range(count)]
    return list(_take(_fire_times(trigger, now), count))


def _fire_times(trigger: BaseTrigger, now: datetime) -> Iterator[datetime]:
    previous: datetime | None = None
    while True:
        # A CronTrigger looks from min(now, previous): "now" must move along with previous.
        when = trigger.get_next_fire_time(previous, previous + timedelta(microseconds=1) if previous else now)
        if when is None:
            return
        yield when
        previous = when


def _take(items: Iterator[datetime], count: int) -> Iterator[datetime]:
    for index, item in enumerate(items):
        if index >= count:
            return
        yield item


NextRunCallback = Callable[[str, datetime | None], None]
SkipCallback = Callable[[str, datetime, str], None]


class _RecordingJobStore(MemoryJobStore):  # type: ignore[misc]
    """A memory job store that reports every job's next run time (to persist it)."""

    def __init__(self, on_next_run: NextRunCallback) -> None:
        super().__init__()
        self._on_next_run = on_next_run

    def add_job(self, job: Any) -> None:
        super().add_job(job)
        self._report(job)

    def update_job(self, job: Any) -> None:
        super().update_job(job)
        self._report(job)

    def _report(self, job: Any) -> None:
        try:
            self._on_next_run(str(job.id), job.next_run_time)
        except Exception:  # recording is bookkeeping: it must never stop the scheduler
            log.exception("无法记录任务 %s 的下次运行时间", job.id)


class Scheduler:
    """APScheduler's AsyncIOScheduler with one policy for every job.

    ``max_instances=1``: a job never overlaps itself; a trigger that fires while the previous run
    is still going is skipped and reported through ``on_skip`` (reason ``running``).
    ``coalesce=True``: several missed fire times run once. ``misfire_grace_time``: how late a run
    may still start (a busy loop, a suspended machine); later ones are reported as ``missed``.
    """

    def __init__(self, on_next_run: NextRunCallback, on_skip: SkipCallback) -> None:
        self._on_skip = on_skip
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, jobstores={"default": _RecordingJobStore(on_next_run)}
        )
        self._scheduler.add_listener(self._event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        # APScheduler logs every skipped run as a warning; they are recorded in the job log.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

    def add(
        self,
        job_id: str,
        func: Callable[[], Awaitable[None]],
        cadence: Cadence,
        *,
        misfire_grace: float,
        next_run: datetime | None = None,
    ) -> None:
        """Schedule a coroutine function; ``next_run`` keeps a stored next run time across restarts."""
        options: dict[str, Any] = {}
        if next_run is not None:
            options["next_run_time"] = next_run
        self._scheduler.add_job(
            func,
            trigger=make_trigger(cadence, job_id),
            id=job_id,
            name=job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, round(misfire_grace)),
            replace_existing=True,
            **options,
        )

    def start(self) -> None:
        """Start on the running event loop."""
        self._scheduler.start()

    def pause(self) -> None:
        """No more firing (shutdown in progress); running jobs go on."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        return job.next_run_time if job is not None else None

    def _event(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            times = getattr(event, "scheduled_run_times", None) or [datetime.now(UTC)]
            self._on_skip(str(event.job_id), times[-1], "running")
        elif event.code == EVENT_JOB_MISSED:
            self._on_skip(str(event.job_id), event.scheduled_run_time, "missed")
