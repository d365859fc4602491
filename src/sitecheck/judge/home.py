"""The home page: 站点无法访问 (it did not open), 首页不更新 and 首页更新量不足 (its items)."""

from __future__ import annotations

from collections.abc import Iterator

from sitecheck.judge import JudgeContext
from sitecheck.judge.explain import explain, timeout_of
from sitecheck.judge.keys import finding_key
from sitecheck.judge.placement import HOME_COLUMN
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
            detail=explain(outcome, status, error, timeout_of(facts.run.config_json)),
            column=HOME_COLUMN,
            office=context.rules.default_office,
        )


def home_updates(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """No new home-page item within the veto window (veto), or too few of them (deduction)."""
    home = context.home
    if home is None:
        return
    veto = context.rules.veto
    office = context.rules.default_office
    item = home.newest_item
    if home.newest is None or item is None:
        # No dated item read on the home page: the dates may be shown in a way not read, or
        # the lists filled by script. 首页不更新 is a veto; it is never claimed on no evidence.
        yield Finding(
            key=finding_key(FindingKind.TO_VERIFY, canonical(home.url)),
            kind=FindingKind.TO_VERIFY,
            severity=Severity.WARNING,
            url=home.url,
            detail=(
                f"疑似首页不更新（待核实）：首页上没有读到带发布日期的信息（读到 {len(home.items)} 条信息）。"
                "证据不足：首页可能以图片、脚本或其他方式显示日期，请人工打开首页核实最近"
                f"{veto.home_days}天是否有新增信息"
            ),
            column="首页",
            office=office,
        )
        return
    title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
    source = "页面显示的发布日期" if item.date_source == "text" else "链接地址中的日期"
    evidence = f"首页最新一条「{title}」，{home.newest}（日期取自{source}）"
    if (home.days_since or 0) > veto.home_days and item.date_source != "text":
        yield Finding(
            key=finding_key(FindingKind.TO_VERIFY, canonical(home.url)),
            kind=FindingKind.TO_VERIFY,
            severity=Severity.WARNING,
            url=home.url,
            detail=(
                f"疑似首页不更新（待核实）：{veto.home_days}天内首页栏目无新增信息。依据：{evidence}。"
                "证据不足：首页信息没有显示发布日期，日期只能从链接地址推断，请人工核实"
            ),
            column="首页",
            office=office,
        )
    elif (home.days_since or 0) > veto.home_days:
        since = f"最新信息 {home.newest}，距检查日 {home.days_since} 天"
        yield Finding(
            key=finding_key(FindingKind.HOME_NOT_UPDATED, canonical(home.url)),
            kind=FindingKind.HOME_NOT_UPDATED,
            severity=Severity.VETO,
            url=home.url,
            detail=f"首页不更新：{veto.home_days}天内首页栏目无新增信息（{since}）。依据：{evidence}",
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
