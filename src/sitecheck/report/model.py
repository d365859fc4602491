"""The rectification checklist (整改清单) as one typed record, shared by every report writer.

Writers (HTML, XLSX, CSV, JSON, SARIF) render :class:`ReportData`; none of them queries the
store or formats a label of its own, so every format shows the same numbers and words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sitecheck.judge.columns import Column
from sitecheck.judge.veto import VetoTally
from sitecheck.models import OPEN_STATES, FindingKind, FindingState, Severity


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    number: int  # 序号 (within the report)
    key: str  # stable finding id
    kind: FindingKind
    kind_label: str  # 问题类型
    severity: Severity
    severity_label: str
    description: str  # 问题描述, naming the rule and its threshold
    column: str  # 所在栏目
    url: str  # 页面 URL: the broken link, the column, the home page
    parent_page: str  # 父页面: where the link sits (first referrer)
    link_text: str  # the link's text on that page
    element: str  # a, img, option, record, …
    other_referrers: int  # further pages with the same link
    http: str  # HTTP status or error, as words
    first_seen: str  # 发现时间, "YYYY-MM-DD HH:MM"
    last_checked: str  # 最近复查
    advice: str  # 整改建议
    office: str  # 责任科室
    status: FindingState
    status_label: str  # 整改状态
    note: str = ""  # the reason a finding is ignored; when it was fixed


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_id: int
    started_at: str
    open_by_kind: dict[str, int]  # kind value -> open findings in that run


@dataclass(frozen=True, slots=True)
class ReportData:
    site: str
    start_url: str
    run_id: int
    run_kind: str  # full, recheck
    run_started: str
    run_finished: str
    as_of: str
    generated_at: str
    pages: int
    link_occurrences: int
    checked_urls: int
    tally: VetoTally
    rows: list[ChecklistRow]  # open first, then ignored, then fixed
    columns: list[Column]
    trend: list[TrendPoint] = field(default_factory=list)
    availability: dict[str, float] | None = None  # home-page probes (ratio, latency), when any
    # Why the run did not read everything ("" when complete): shown before the verdict, which
    # is then not a clean bill of health.
    incomplete: str = ""

    @property
    def open_rows(self) -> list[ChecklistRow]:
        return [r for r in self.rows if r.status in OPEN_STATES]

    @property
    def fixed_rows(self) -> list[ChecklistRow]:
        return [r for r in self.rows if r.status == FindingState.FIXED]

    @property
    def ignored_rows(self) -> list[ChecklistRow]:
        return [r for r in self.rows if r.status == FindingState.IGNORED]

    def count_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(FindingState, 0)
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def open_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.open_rows:
            counts[row.kind_label] = counts.get(row.kind_label, 0) + 1
        return counts

    def open_by_severity(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.open_rows:
            counts[row.severity_label] = counts.get(row.severity_label, 0) + 1
        return counts
