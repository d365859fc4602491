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


def home_rule(days: int) -> str:
    """The one wording of the 首页不更新 line, used by findings, the veto tally and reports.

    国办秘函〔2019〕19号: 监测时间点前 2 周内首页栏目无更新 → 单项否决. The window is the
    ``days`` days before the check date plus the check date itself: an item dated exactly
    ``days`` days ago is inside it (so "14 天内" counts it), and the line is crossed when the
    newest item is ``days + 1`` days old. Saying both numbers keeps "14 天" and "15 天" from
    reading as two different rules.
    """
    return f"首页栏目 {days} 天内无新增信息（最新信息距检查日满 {days + 1} 天）即单项否决"


def home_condition(days: int) -> str:
    """:func:`home_rule`'s condition on its own, same words, for the veto tally's indicator."""
    return f"首页栏目 {days} 天内无新增信息，即最新信息距检查日满 {days + 1} 天"


def within_window(days_since: int, window_days: int) -> bool:
    """An item ``days_since`` days old is inside the home-page window (see :func:`home_rule`)."""
    return 0 <= days_since <= window_days


def home_updates(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """No new home-page item within the veto window (veto), or too few of them (deduction)."""
    home = context.home
    if home is None:
        return
    veto = context.rules.veto
    rule = home_rule(veto.home_days)
    office = context.rules.default_office

    def finding(kind: FindingKind, severity: Severity, detail: str) -> Finding:
        return Finding(
            key=finding_key(kind, canonical(home.url)),
            kind=kind,
            severity=severity,
            url=home.url,
            detail=detail,
            column=HOME_COLUMN,
            office=office,
        )

    item = home.newest_item
    if home.newest is None or item is None:
        # No dated item read on the home page: the dates may be shown in a way not read, or
        # the lists filled by script. 首页不更新 is a veto; it is never claimed on no evidence.
        yield finding(
            FindingKind.TO_VERIFY,
            Severity.WARNING,
            "疑似首页不更新（待核实）：首页上没有读到带发布日期的信息"
            f"（读到 {len(home.items)} 条信息）；{rule}。"
            "证据不足：首页可能以图片、脚本或其他方式显示日期，请人工打开首页核实最近 "
            f"{veto.home_days} 天内是否有新增信息",
        )
        return
    title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
    source = "页面显示的发布日期" if item.date_source == "text" else "链接地址中的日期"
    evidence = f"首页最新一条「{title}」，{home.newest}（日期取自{source}）"
    days = home.days_since or 0
    since = f"最新信息距检查日 {days} 天"
    if not within_window(days, veto.home_days) and item.date_source != "text":
        yield finding(
            FindingKind.TO_VERIFY,
            Severity.WARNING,
            f"疑似首页不更新（待核实）：{since}；{rule}。依据：{evidence}。"
            "证据不足：首页信息没有显示发布日期，日期只能从链接地址推断，请人工核实",
        )
    elif not within_window(days, veto.home_days):
        yield finding(
            FindingKind.HOME_NOT_UPDATED,
            Severity.VETO,
            f"首页不更新：{since}，已达否决线；{rule}。依据：{evidence}",
        )
    elif days >= veto.home_warn_days:
        yield finding(
            FindingKind.STALE_COLUMN_WARNING,
            Severity.WARNING,
            f"首页即将不更新（预警）：{since}，"
            f"再过 {veto.home_days + 1 - days} 天无新增信息即达否决线；{rule}",
        )
    if home.recent_items < veto.home_min_items:
        yield finding(
            FindingKind.HOME_FEW_UPDATES,
            Severity.DEDUCTION,
            f"首页更新量不足：首页栏目 {veto.home_days} 天内（检查日前 {veto.home_days} 天至检查日）"
            f"新增信息 {home.recent_items} 条，少于 {veto.home_min_items} 条",
        )
