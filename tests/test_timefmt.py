"""Moments are shown one way: local time in the configured zone, minutes, one format."""

from __future__ import annotations

from datetime import UTC, datetime

from sitecheck.timefmt import shown


def test_a_stored_utc_moment_reads_in_shanghai_time() -> None:
    assert shown("2026-12-04T09:48:01+00:00") == "2026-12-04 17:48"
    assert shown(datetime(2026, 12, 4, 18, 4, 42, tzinfo=UTC)) == "2026-12-05 02:04"
    assert shown("2026-12-04T09:48:01") == "2026-12-04 17:48"  # naive: stored as UTC


def test_another_zone_and_bad_values() -> None:
    assert shown("2026-12-04T09:48:00+00:00", "Europe/Berlin") == "2026-12-04 10:48"
    assert shown("2026-12-04T09:48:00+00:00", "No/Such_Zone") == "2026-12-04 17:48"
    assert shown(None) == "" and shown("") == "" and shown("昨天") == "昨天"
