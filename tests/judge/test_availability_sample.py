"""The 5% availability line is a national rule over a week of at least 20 probes a day: on a
smaller sample a ratio over the line is 预警 (样本不足), said with how many probes over how long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sitecheck.judge.availability import summarize_probes
from sitecheck.models import Outcome, ProbeRow

START = datetime(2026, 11, 20, tzinfo=UTC)


def _probes(count: int, every: timedelta, failures: int, start: datetime = START) -> list[ProbeRow]:
    return [
        ProbeRow(
            (start + every * i).isoformat(timespec="seconds"),
            Outcome.TIMEOUT if i < failures else Outcome.OK,
            None if i < failures else 200,
            15000 if i < failures else 120,
            "",
            None,
        )
        for i in range(count)
    ]


def test_one_failure_in_seven_probes_in_under_a_day_is_a_warning_not_the_veto_line() -> None:
    end = START + timedelta(days=7)
    first = end - timedelta(hours=10)
    found = summarize_probes(_probes(7, timedelta(hours=1), 1, first), end - timedelta(days=7), end)
    assert found.ratio > 0.05
    assert found.level == "warn" and not found.sample_ok
    assert "样本不足" in found.verdict and "共探测 7 次" in found.verdict and "0.42 天" in found.verdict
    assert "已达到" not in found.verdict and "暂不判定" in found.verdict
    assert found.as_report()["sample_ok"] == 0.0


def test_a_week_of_too_few_probes_a_day_is_still_a_small_sample() -> None:
    end = START + timedelta(days=7)
    found = summarize_probes(_probes(7 * 10, timedelta(hours=2.4), 10), START, end)  # 10 a day
    assert found.days == 7 and found.level == "warn" and "平均每天 10.0 次" in found.sample_text


def test_a_full_sample_over_the_line_fails_and_says_so() -> None:
    end = START + timedelta(days=7)
    every = timedelta(days=1) / 24
    # The first probe lands a little after the window opened: still a full week.
    found = summarize_probes(_probes(7 * 24 - 1, every, 10, START + every), START, end)
    assert found.sample_ok and found.level == "fail"
    assert "已达到否决线 5%（单项否决）" in found.verdict and found.sample_text == ""
    assert found.as_report()["sample_ok"] == 1.0


def test_below_the_line_on_a_small_sample_is_fine_but_says_the_sample() -> None:
    end = START + timedelta(days=1)
    found = summarize_probes(_probes(20, timedelta(hours=1), 0), START, end)
    assert found.level == "ok" and "低于否决线" in found.verdict and "样本不足" in found.verdict
