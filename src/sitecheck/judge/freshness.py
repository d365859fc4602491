"""栏目: empty, stale and undated columns, and navigation entries that lead nowhere.

Limits and thresholds come from the column rules in the :class:`JudgeContext`
(indicators.md §1.3, §1.4): a column is stale when its newest item is older than its
category's limit on the reference date; an item without a date counts as not updated.
"""

from __future__ import annotations

from collections.abc import Iterator

from sitecheck.judge import JudgeContext
from sitecheck.judge.categories import ColumnRules
from sitecheck.judge.columns import Column
from sitecheck.judge.keys import finding_key
from sitecheck.judge.links import split_placeholders
from sitecheck.models import (
    ColumnStatus,
    Finding,
    FindingKind,
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


def _with_evidence(text: str, column: Column) -> str:
    return f"{text}。依据：{column.evidence}" if column.evidence else text


def _column_detail(column: Column, rules: ColumnRules) -> tuple[FindingKind, Severity, str] | None:
    where = _where(column, rules)
    if column.status == ColumnStatus.EMPTY:
        claim = f"{where}有标题无内容"
        if not column.confirmed:
            return _to_verify("疑似空白栏目", claim, column)
        return FindingKind.EMPTY_COLUMN, Severity.DEDUCTION, _with_evidence(f"空白栏目：{claim}", column)
    if column.status == ColumnStatus.UNDATED:
        return (
            FindingKind.UNDATED_COLUMN,
            Severity.DEDUCTION,
            _with_evidence(
                f"{where}的 {column.item_count} 条信息均未注明发布日期，按检查指标视为不更新", column
            ),
        )
    if column.status == ColumnStatus.STALE:
        if not column.confirmed:
            return _to_verify("疑似栏目不更新", _stale_detail(column, rules), column)
        return (
            FindingKind.STALE_COLUMN,
            Severity.DEDUCTION,
            _with_evidence(_stale_detail(column, rules), column),
        )
    if column.status == ColumnStatus.WARNING:
        return (
            FindingKind.STALE_COLUMN_WARNING,
            Severity.WARNING,
            _with_evidence(
                f"{where}已 {column.days_since} 天未更新，"
                f"满 {column.limit_days} 天即计为不更新（最新信息 {column.newest}）",
                column,
            ),
        )
    return None


def _to_verify(what: str, claim: str, column: Column) -> tuple[FindingKind, Severity, str]:
    """A veto claim on weak evidence: reported for a person to check, never counted as a veto."""
    text = _with_evidence(f"{what}（待核实）：{claim}", column)
    if column.doubt:
        text += f"。证据不足：{column.doubt}，请人工打开页面核实"
    return FindingKind.TO_VERIFY, Severity.WARNING, text


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


def _placeholder_columns(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """A menu entry that only says 建设中 (or leads to "#") is a column with a title and no
    content; :func:`split_placeholders` decides which entries count here and not as links."""
    placement = context.place_of(facts)
    for text, refs in split_placeholders(facts, context)[0].items():
        yield Finding(
            key=finding_key(FindingKind.EMPTY_COLUMN, f"nav:{text}"),
            kind=FindingKind.EMPTY_COLUMN,
            severity=Severity.DEDUCTION,
            url=refs[0].page,
            detail=f"空白栏目：导航栏目「{text}」没有可打开的页面。依据：导航链接为 {refs[0].raw.strip()}",
            referrers=tuple(refs),
            column=text,
            office=placement.default_office,
        )
