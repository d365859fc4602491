"""The home page: 站点无法访问 (it did not open), 首页不更新 and 首页更新量不足 (its items)."""

from __future__ import annotations

from collections.abc import Iterator

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import Finding, FindingKind, Severity
from sitecheck.store import RunFacts
from sitecheck.urls import canonical


def home_unreachable(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    home = facts.home_check()
    if home is None:
        return
    url, outcome, status, error = home
    if outcome.is_dead:
        yield Finding(
            key=finding_key(FindingKind.HOME_UNREACHABLE, url),
            kind=FindingKind.HOME_UNREACHABLE,
            severity=Severity.VETO,
            url=url,
            outcome=outcome,
            status=status,
            detail=error,
        )


def home_updates(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """No new home-page item within the veto window (veto), or too few of them (deduction)."""
    home = context.home
    if home is None:
        return
    veto = context.rules.veto
    office = context.rules.default_office
    if home.newest is None or (home.days_since or 0) > veto.home_days:
        since = (
            f"最新信息 {home.newest}，距检查日 {home.days_since} 天"
            if home.newest
            else "首页信息均无发布日期"
        )
        yield Finding(
            key=finding_key(FindingKind.HOME_NOT_UPDATED, canonical(home.url)),
            kind=FindingKind.HOME_NOT_UPDATED,
            severity=Severity.VETO,
            url=home.url,
            detail=f"首页不更新：{veto.home_days}天内首页栏目无新增信息（{since}）",
            column="首页",
            office=office,
        )
    elif (home.days_since or 0) >= veto.home_warn_days:
        yield Finding(
            key=finding_key(FindingKind.STALE_COLUMN_WARNING, canonical(home.url)),
            kind=FindingKind.STALE_COLUMN_WARNING,
            severity=Severity.WARNING,
            url=home.url,
            detail=f"首页已 {home.days_since} 天无新增信息，满 {veto.home_days} 天即单项否决",
            column="首页",
            office=office,
        )
    if home.recent_items < veto.home_min_items:
        yield Finding(
            key=finding_key(FindingKind.HOME_FEW_UPDATES, canonical(home.url)),
            kind=FindingKind.HOME_FEW_UPDATES,
            severity=Severity.DEDUCTION,
            url=home.url,
            detail=(
                f"首页栏目{veto.home_days}天内新增信息 {home.recent_items} 条，少于 {veto.home_min_items} 条"
            ),
            column="首页",
            office=office,
        )
