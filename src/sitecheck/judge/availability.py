"""Home-page availability over a rolling window, as the national monitors count it.

国办秘函〔2019〕19号 (and the 2015 普查评分表): the home page is probed at least 20 times a day
for a week; a probe fails when the page has not opened after 15 seconds; failures reaching 5%
of the probes fail the portal outright (站点无法访问, a veto). Vendors warn from 3%
(reference/indicators.md §1.2). Pure computation over stored probes: no network, no scheduler,
so the report builder can use it too.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sitecheck.models import UNVERIFIED_OUTCOMES, Outcome, ProbeRow
from sitecheck.store import Store

WINDOW_DAYS = 7
VETO_RATIO = 0.05  # national line: ≥ 5% failed probes in the week is a veto
WARN_RATIO = 0.03  # default early warning (开普云 warns at 3%)
MIN_PROBES_PER_DAY = 20  # national sample: at least 20 probes a day …
MIN_DAYS = WINDOW_DAYS  # … for a week


def probe_failed(outcome: Outcome) -> bool | None:
    """True: counts as a failure; False: the page opened; None: not counted.

    An anti-bot challenge or a 429 says our monitor was turned away, not that the public cannot
    open the page: such probes are kept but left out of the ratio (like "could not verify").
    """
    if outcome is Outcome.OK:
        return False
    if outcome in UNVERIFIED_OUTCOMES:
        return None
    return True


@dataclass(frozen=True, slots=True)
class DayStat:
    day: str  # YYYY-MM-DD (UTC)
    probes: int
    failures: int
    latency_ms_median: float | None  # of the probes that opened


@dataclass(frozen=True, slots=True)
class Availability:
    """The failure ratio of a site's home page over the window, and its latency."""

    since: str
    until: str
    days: float
    probes: int  # counted probes (opened or failed)
    failures: int
    unverified: int  # turned away by a WAF/rate limit; not counted
    latency_ms_median: float | None
    latency_ms_p95: float | None
    daily: tuple[DayStat, ...]
    warn_ratio: float = WARN_RATIO
    veto_ratio: float = VETO_RATIO
    last_failure: str | None = None

    @property
    def ratio(self) -> float:
        return self.failures / self.probes if self.probes else 0.0

    @property
    def probes_per_day(self) -> float:
        """Counted probes per day over the span actually covered."""
        return self.probes / self.days if self.days > 0 else float(self.probes)

    @property
    def sample_ok(self) -> bool:
        """Whether the sample is the national one: a week of at least 20 counted probes a day.

        The first probe may fall up to one probe interval (a day / 20) after the window opens,
        so a week is reached at 7 days less that interval.
        """
        return self.days >= MIN_DAYS - 1 / MIN_PROBES_PER_DAY and self.probes_per_day >= MIN_PROBES_PER_DAY

    @property
    def sample_text(self) -> str:
        """How many probes over how long, and why that is too few when it is; "" when it is not."""
        if self.sample_ok:
            return ""
        return (
            f"样本不足：{self.days:g} 天内共探测 {self.probes} 次（平均每天 {self.probes_per_day:.1f} 次），"
            f"国家规则按连续 {MIN_DAYS} 天、每天不少于 {MIN_PROBES_PER_DAY} 次探测计算失败比例"
        )

    @property
    def level(self) -> str:
        """``fail`` at or above the veto line on a full sample, ``warn`` at or above the early
        warning (or above the veto line on too small a sample: one failure in 7 probes is a
        reason to look, not a verdict), else ``ok``."""
        if self.probes and self.ratio >= self.veto_ratio:
            return "fail" if self.sample_ok else "warn"
        if self.probes and self.ratio >= self.warn_ratio:
            return "warn"
        return "ok"

    @property
    def verdict(self) -> str:
        """The verdict in one Chinese sentence, with the sample it rests on."""
        share = f"比例 {self.ratio:.1%}"
        counted = f"首页打不开 {self.failures} 次 / 共探测 {self.probes} 次（{self.days:g} 天），{share}"
        line = f"否决线 {self.veto_ratio:.0%}"
        if self.level == "fail":
            return f"{counted}：已达到{line}（单项否决）"
        if self.probes and self.ratio >= self.veto_ratio:
            return f"{counted}：预警（{self.sample_text}，暂不判定达到{line}）"
        said = f"预警（预警线 {self.warn_ratio:.0%}，{line}）" if self.level == "warn" else f"低于{line}"
        return f"{counted}：{said}" + (f"；{self.sample_text}" if self.sample_text else "")

    @property
    def latency_trend(self) -> float | None:
        """Last day's median latency minus the window's (ms); positive means slowing down."""
        days = [d for d in self.daily if d.latency_ms_median is not None]
        if len(days) < 2 or self.latency_ms_median is None or days[-1].latency_ms_median is None:
            return None
        return days[-1].latency_ms_median - self.latency_ms_median

    def as_report(self) -> dict[str, float]:
        """The numbers the checklist shows (``ReportData.availability``)."""
        data = {
            "ratio": self.ratio,
            "failures": float(self.failures),
            "probes": float(self.probes),
            "unverified": float(self.unverified),
            "days": self.days,
            "warn_ratio": self.warn_ratio,
            "veto_ratio": self.veto_ratio,
            # 1.0 when the sample is the national week of ≥ 20 probes a day; below it a ratio
            # over the veto line is a warning (样本不足), never "reached the line".
            "sample_ok": 1.0 if self.sample_ok else 0.0,
            "probes_per_day": round(self.probes_per_day, 1),
        }
        if self.latency_ms_median is not None:
            data["latency_ms_median"] = self.latency_ms_median
        if self.latency_ms_p95 is not None:
            data["latency_ms_p95"] = self.latency_ms_p95
        if self.latency_trend is not None:
            data["latency_ms_trend"] = self.latency_trend
        return data


def _percentile(values: Sequence[int], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return float(ordered[index])


def summarize_probes(
    rows: Sequence[ProbeRow],
    since: datetime,
    until: datetime,
    *,
    warn_ratio: float = WARN_RATIO,
    veto_ratio: float = VETO_RATIO,
) -> Availability:
    counted = [(row, failed) for row in rows if (failed := probe_failed(row.outcome)) is not None]
    opened = [row.latency_ms for row, failed in counted if not failed]
    by_day: dict[str, list[tuple[ProbeRow, bool]]] = {}
    for row, failed in counted:
        by_day.setdefault(row.at[:10], []).append((row, failed))
    daily = tuple(
        DayStat(
            day=day,
            probes=len(items),
            failures=sum(1 for _, failed in items if failed),
            latency_ms_median=_median([r.latency_ms for r, failed in items if not failed]),
        )
        for day, items in sorted(by_day.items())
    )
    failures = [row for row, failed in counted if failed]
    first = min((row.at for row in rows), default=None)
    start = max(since, _parse(first)) if first else since
    return Availability(
        since=since.isoformat(timespec="seconds"),
        until=until.isoformat(timespec="seconds"),
        days=round(max(0.0, (until - start).total_seconds()) / 86400, 2),
        probes=len(counted),
        failures=len(failures),
        unverified=len(rows) - len(counted),
        latency_ms_median=_median(opened),
        latency_ms_p95=_percentile(opened, 0.95),
        daily=daily,
        warn_ratio=warn_ratio,
        veto_ratio=veto_ratio,
        last_failure=failures[-1].at if failures else None,
    )


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _parse(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def window(
    store: Store,
    start_url: str,
    until: datetime | None = None,
    *,
    days: int = WINDOW_DAYS,
    warn_ratio: float = WARN_RATIO,
) -> Availability | None:
    """The rolling window ending at ``until`` (default now); None when no probe falls in it."""
    # Stored times are UTC ISO strings, compared as text: the bounds must be UTC too.
    end = (until or datetime.now(UTC)).astimezone(UTC)
    start = end - timedelta(days=days)
    rows = store.probes(
        start_url, start.isoformat(timespec="seconds"), (end + timedelta(seconds=1)).isoformat("T", "seconds")
    )
    if not rows:
        return None
    return summarize_probes(rows, start, end, warn_ratio=warn_ratio)


def report_availability(store: Store, start_url: str, until_iso: str | None) -> dict[str, float] | None:
    """``ReportData.availability`` for a run that ended at ``until_iso`` (None: now)."""
    until = _parse(until_iso) if until_iso else None
    found = window(store, start_url, until)
    return found.as_report() if found is not None else None
