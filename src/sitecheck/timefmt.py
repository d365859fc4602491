"""One way to show a moment to a user: local time in one zone, one format (issue 13).

The store keeps moments in UTC (ISO 8601, ``2026-12-04T09:48:00+00:00``); everything a user
reads — reports, command output, notifications, the service log — shows them through
:func:`shown` as ``2026-12-04 17:48`` in the configured zone (``[schedule] timezone``,
Asia/Shanghai by default), so the same run reads the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
FORMAT = "%Y-%m-%d %H:%M"


@lru_cache(maxsize=8)
def zone(name: str = DEFAULT_ZONE) -> ZoneInfo:
    """The zone called ``name``; Asia/Shanghai when the name is unknown (checked in config)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def as_moment(value: datetime | str | None) -> datetime | None:
    """A stored moment (ISO text or datetime; naive ones are UTC) as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def shown(value: datetime | str | None, tz: str = DEFAULT_ZONE) -> str:
    """``2026-12-04 17:48`` in zone ``tz``; "" for no moment; unparsable text as it is."""
    moment = as_moment(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    return moment.astimezone(zone(tz)).strftime(FORMAT)
