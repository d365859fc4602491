"""栏目: empty, stale and undated columns; the home page not updated; the veto tally.

Limits and thresholds come from the column rules in the :class:`JudgeContext`
(indicators.md §1.3, §1.4): a column is stale when its newest item is older than its
category's limit on the reference date; an item without a date counts as not updated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from sitecheck.judge import JudgeContext
from sitecheck.judge.categories import ColumnRules
from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.judge.keys import finding_key
from sitecheck.judge.links import placeholder_entries
from sitecheck.models import (
    OPEN_STATES,
    ColumnCategory,
    ColumnStatus,
    Finding,
    FindingKind,
    Referrer,
    Severity,
)
from sitecheck.store import RunFacts
from sitecheck.urls import canonical


def _where(column: Column, rules: ColumnRules) -> str:
    """「规划计划」（人事/规划计划类）: how a finding names its column."""
    name = f"「{column.name}」" if column.name else "（未命名）"
    return f"栏目{name}（{rules.rule(column.category).label}）"


def _stale_detail(column: Column, rules: ColumnRules) -> str:
    return (
        f"{_where(column, rules)}超过{column.limit_days}天未更新："
        f"最新信息 {column.newest}，距检查日 {column.days_since} 天"
    )


def _column_detail(column: Column, rules: ColumnRules) -> tuple[FindingKind, Severity, str] | None:
    where = _where(column, rules)
    if column.status == ColumnStatus.EMPTY:
        shown = f"，页面显示“{column.placeholder}”" if column.placeholder else ""
        return (
            FindingKind.EMPTY_COLUMN,
            Severity.DEDUCTION,
            f"空白栏目：{where}有标题无内容{shown}",
        )
    if column.status == ColumnStatus.UNDATED:
        return (
            FindingKind.UNDATED_COLUMN,
            Severity.DEDUCTION,
            f"{where}的 {column.item_count} 条信息均未注明发布日期，按检查指标视为不更新",
        )
    if column.status == ColumnStatus.STALE:
        return FindingKind.STALE_COLUMN, Severity.DEDUCTION, _stale_detail(column, rules)
    if column.status == ColumnStatus.WARNING:
        return (
            FindingKind.STALE_COLUMN_WARNING,
            Severity.WARNING,
            f"{where}已 {column.days_since} 天未更新，"
            f"满 {column.limit_days} 天即计为不更新（最新信息 {column.newest}）",
        )
    return None


def column_findings(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    rules = context.rules
    columns = context.columns
    for column in columns:
        detail = _column_detail(column, rules)
        if detail is None:
            continue
        kind, severity, text = detail
        yield Finding(
            key=finding_key(kind, canonical(column.url)),
            kind=kind,
            severity=severity,
            url=column.url,
            detail=text,
            referrers=tuple(facts.referrers_to(canonical(column.url))),
            column=column.name,
            office=column.office,
        )
    yield from _placeholder_columns(facts, context)
    if context.home is not None:
        yield from _home_findings(context.home, context)


def _placeholder_columns(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """A menu entry that only says 建设中 (or leads to "#") is a column with a title and no content."""
    seen: dict[str, list[Referrer]] = {}
    for (text, _raw), refs in placeholder_entries(facts).items():
        if text:
            seen.setdefault(text, []).extend(refs)
    for text, refs in seen.items():
        yield Finding(
            key=finding_key(FindingKind.EMPTY_COLUMN, f"nav:{text}"),
            kind=FindingKind.EMPTY_COLUMN,
            severity=Severity.DEDUCTION,
            url=refs[0].page,
            detail=f"空白栏目：导航栏目「{text}」没有可打开的页面（链接为 {refs[0].raw.strip()}）",
            referrers=tuple(refs),
            column=text,
            office=context.rules.default_office,
        )


def _home_findings(home: HomeFacts, context: JudgeContext) -> Iterator[Finding]:
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


@dataclass(frozen=True, slots=True)
class TallyLine:
    """One veto indicator: how many, against which limit, and the verdict."""

    indicator: str
    count: int
    limit: int
    warn_at: int
    unit: str = "个"
    key: str = ""  # home_unreachable, home_not_updated, stale_columns, should_update, empty_columns

    @property
    def status(self) -> str:
        if self.count >= self.limit:
            return "fail"
        return "warn" if self.count >= self.warn_at else "pass"


@dataclass(frozen=True, slots=True)
class VetoTally:
    lines: tuple[TallyLine, ...]

    @property
    def would_fail(self) -> bool:
        return any(line.status == "fail" for line in self.lines)

    def failing(self, key: str) -> bool:
        return any(line.key == key and line.status == "fail" for line in self.lines)


_NOT_UPDATED = (FindingKind.STALE_COLUMN, FindingKind.UNDATED_COLUMN)
_FAST = (ColumnCategory.DYNAMIC, ColumnCategory.NOTICE)


def _categories(columns: list[Column]) -> dict[str, ColumnCategory]:
    return {canonical(c.url): c.category for c in columns}


def veto_tally(
    findings: list[Finding], columns: list[Column], home: HomeFacts | None, rules: ColumnRules
) -> VetoTally:
    """Count open (not ignored) findings against the national veto lines."""
    veto = rules.veto
    category = _categories(columns)
    kinds = [f.kind for f in findings]
    empty = kinds.count(FindingKind.EMPTY_COLUMN)
    not_updated = [f for f in findings if f.kind in _NOT_UPDATED]
    stale_fast = sum(1 for f in not_updated if category.get(canonical(f.url)) in _FAST)
    home_days = home.days_since if home is not None and home.days_since is not None else None
    lines = [
        TallyLine(
            "站点无法访问（本次检查首页打不开）",
            int(FindingKind.HOME_UNREACHABLE in kinds),
            1,
            1,
            "次",
            "home_unreachable",
        ),
        TallyLine(
            f"首页不更新（{veto.home_days}天内无新增信息）",
            home_days if home_days is not None else (veto.home_days + 1 if home is not None else 0),
            veto.home_days + 1,
            veto.home_warn_days,
            "天",
            "home_not_updated",
        ),
        TallyLine(
            "栏目不更新（动态要闻类超2周、通知公告/政策文件类超6个月）",
            stale_fast,
            veto.stale_columns,
            veto.stale_columns_warn,
            key="stale_columns",
        ),
        TallyLine(
            "应更新但长期未更新的栏目（含空白栏目）",
            empty + len(not_updated),
            veto.should_update,
            veto.should_update_warn,
            key="should_update",
        ),
        TallyLine("空白栏目", empty, veto.empty_columns, veto.empty_columns_warn, key="empty_columns"),
    ]
    return VetoTally(tuple(lines))


def escalate(findings: list[Finding], columns: list[Column], tally: VetoTally) -> list[Finding]:
    """Column findings that together cross a veto line become 单项否决风险 themselves.

    One empty column costs points; the fifth makes the portal fail, and then every one of
    them is what the office must fix first.
    """
    category = _categories(columns)

    def crosses(finding: Finding) -> bool:
        if finding.kind is FindingKind.EMPTY_COLUMN:
            return tally.failing("empty_columns") or tally.failing("should_update")
        if finding.kind in _NOT_UPDATED:
            fast = category.get(canonical(finding.url)) in _FAST
            return tally.failing("should_update") or (fast and tally.failing("stale_columns"))
        return False

    return [
        dataclasses.replace(f, severity=Severity.VETO)
        if f.severity is Severity.DEDUCTION and f.state in OPEN_STATES and crosses(f)
        else f
        for f in findings
    ]
