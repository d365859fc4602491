"""单项否决: the veto tally — the national lines a portal fails a spot check on — and the
escalation of column findings that together cross one of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sitecheck.judge.categories import ColumnRules
from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.judge.home import home_condition
from sitecheck.models import (
    OPEN_STATES,
    ColumnCategory,
    Finding,
    FindingKind,
    Severity,
    TallyLevel,
)
from sitecheck.urls import canonical


@dataclass(frozen=True, slots=True)
class TallyLine:
    """One veto indicator: how many, against which limit, and the verdict."""

    indicator: str
    count: int
    limit: int
    warn_at: int
    unit: str = "个"
    key: str = ""  # home_unreachable, home_not_updated, stale_columns, should_update, empty_columns
    # Why a count at or past the line is not a failure: "待核实" (the evidence is too weak to
    # claim the veto), "已忽略" (the office ignored the finding). "" when the count stands.
    note: str = ""

    @property
    def status(self) -> TallyLevel:
        if self.count >= self.limit:
            return TallyLevel.WARN if self.note else TallyLevel.FAIL
        return TallyLevel.WARN if self.count >= self.warn_at else TallyLevel.PASS


@dataclass(frozen=True, slots=True)
class VetoTally:
    lines: tuple[TallyLine, ...]

    @property
    def would_fail(self) -> bool:
        return any(line.status is TallyLevel.FAIL for line in self.lines)

    def failing(self, key: str) -> bool:
        return any(line.key == key and line.status is TallyLevel.FAIL for line in self.lines)


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
    home_line = _home_line(findings, home, rules)
    lines = [
        TallyLine(
            "站点无法访问（本次检查首页打不开）",
            int(FindingKind.HOME_UNREACHABLE in kinds),
            1,
            1,
            "次",
            "home_unreachable",
        ),
        home_line,
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
        TallyLine(
            "链接色情、赌博等有害信息（暗链）",
            sum(1 for f in findings if f.kind is FindingKind.HIDDEN_LINK and f.severity is Severity.VETO),
            1,
            1,
            key="harmful_links",
        ),
    ]
    return VetoTally(tuple(lines))


def _home_line(findings: list[Finding], home: HomeFacts | None, rules: ColumnRules) -> TallyLine:
    """首页不更新: the newest home-page item's age in days against the line (home_rule's
    ``days + 1``). Past the line it is a failure only with an open 首页不更新 finding behind
    it: dates read from URLs alone, or no date read at all, make it 待核实, as the finding is."""
    veto = rules.veto
    # The count is the newest item's age in days; the indicator says the line in home_rule's words.
    indicator = f"首页不更新（{home_condition(veto.home_days)}）"
    days = home.days_since if home is not None else None
    note = ""
    on_home = {f.kind for f in findings if home is not None and canonical(f.url) == canonical(home.url)}
    past_line = days is None or days > veto.home_days
    if home is not None and past_line and FindingKind.HOME_NOT_UPDATED not in on_home:
        note = "待核实" if FindingKind.TO_VERIFY in on_home else "已忽略"
    if days is None:
        # No dated item: the age is unknown, not 0; shown as at the line, and 待核实.
        days = veto.home_days + 1 if home is not None else 0
    return TallyLine(indicator, days, veto.home_days + 1, veto.home_warn_days, "天", "home_not_updated", note)


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
