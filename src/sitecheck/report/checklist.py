"""The rectification checklist (整改清单) of one run as one typed record, and how it is built.

:class:`RunSummary` is what every output shows at the top (the run, counts by kind and outcome,
the veto tally); :class:`ReportData` is the whole checklist that the writers (HTML, XLSX, CSV,
JSON, SARIF) render — none of them queries the store or formats a label of its own, so every
format shows the same numbers and words; :func:`build_report` makes one from a summary and
the site's run history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sitecheck.judge import Judgement, needs_action, open_only
from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.judge.veto import VetoTally
from sitecheck.models import OPEN_STATES, Finding, FindingKind, FindingState, RunRecord, Severity
from sitecheck.report.labels import ADVICE, KIND_LABELS, OUTCOME_LABELS, SEVERITY_LABELS, STATE_LABELS
from sitecheck.store import Store, now_iso


# -- what every report shows at the top -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RunSummary:
    run: RunRecord
    as_of: date
    pages: int
    link_occurrences: int
    checked_urls: int
    outcomes: dict[str, int]
    findings: list[Finding]
    columns: list[Column]
    home: HomeFacts | None
    tally: VetoTally
    by_kind: dict[str, int] = field(default_factory=dict)  # open findings only
    by_state: dict[str, int] = field(default_factory=dict)  # new, still_open, reopened, fixed, ignored
    # Why the run did not read everything ("" when complete): every report says so first.
    incomplete: str = ""

    @property
    def open_findings(self) -> list[Finding]:
        return open_only(self.findings)

    @property
    def needs_action(self) -> bool:
        return needs_action(self.findings)

    @property
    def complete(self) -> bool:
        return not self.incomplete

    @property
    def dead_links_home(self) -> int:
        return self.by_kind.get(FindingKind.DEAD_LINK_HOME.value, 0)

    @property
    def dead_links_other(self) -> int:
        return self.by_kind.get(FindingKind.DEAD_LINK.value, 0)


def summarize(store: Store, run_id: int, as_of: date, judgement: Judgement) -> RunSummary:
    run = store.run(run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    outcomes = store.outcome_counts(run_id)
    return RunSummary(
        run=run,
        as_of=as_of,
        pages=store.page_count(run_id),
        link_occurrences=store.link_count(run_id),
        checked_urls=sum(outcomes.values()),
        outcomes=outcomes,
        findings=judgement.findings,
        columns=judgement.columns,
        home=judgement.home,
        tally=judgement.tally,
        by_kind=dict(Counter(f.kind.value for f in open_only(judgement.findings))),
        by_state=dict(Counter(f.state for f in judgement.findings)),
        incomplete=judgement.incomplete,
    )


# -- the checklist's rows -----------------------------------------------------------------------
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


# -- building it --------------------------------------------------------------------------------
_SEVERITY_ORDER = {Severity.VETO: 0, Severity.DEDUCTION: 1, Severity.WARNING: 2}
_STATE_ORDER = {
    FindingState.NEW: 0,
    FindingState.REOPENED: 0,
    FindingState.STILL_OPEN: 0,
    FindingState.IGNORED: 1,
    FindingState.FIXED: 2,
}


def local_time(iso: str) -> str:
    """``2026-11-27T11:30:00+00:00`` → ``2026-11-27 19:30`` in the machine's time zone."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _http(finding: Finding) -> str:
    if finding.outcome is None:
        return ""
    label = OUTCOME_LABELS[finding.outcome]
    return f"HTTP {finding.status}：{label}" if finding.status else label


def _description(finding: Finding) -> str:
    """问题描述: the rule broken, in words; column findings already carry theirs."""
    if finding.outcome is None:
        return finding.detail
    where = "首页上的链接" if finding.kind is FindingKind.DEAD_LINK_HOME else "页面上的链接"
    if finding.outcome.is_unverified:
        text = f"链接可用性（待人工核实）：{where}无法自动核实，{OUTCOME_LABELS[finding.outcome]}"
    else:
        text = f"链接可用性：{where}打不开（{OUTCOME_LABELS[finding.outcome]}）"
    return f"{text}；技术细节：{finding.detail}" if finding.detail else text


def _row(number: int, finding: Finding, checked: str) -> ChecklistRow:
    first = finding.referrers[0] if finding.referrers else None
    description = (
        finding.detail if finding.outcome is None else f"{KIND_LABELS[finding.kind]}：{_http(finding)}"
    )
    if finding.outcome is not None and finding.detail and finding.detail not in description:
        description = f"{description}（{finding.detail}）"
    return ChecklistRow(
        number=number,
        key=finding.key,
        kind=finding.kind,
        kind_label=KIND_LABELS[finding.kind],
        severity=finding.severity,
        severity_label=SEVERITY_LABELS[finding.severity],
        description=description,
        column=finding.column,
        url=finding.url,
        parent_page=first.page if first else "",
        link_text=first.text if first else "",
        element=first.element if first else "",
        other_referrers=max(len(finding.referrers) - 1, 0),
        http=_http(finding),
        first_seen=local_time(finding.first_seen),
        last_checked=checked,
        advice=ADVICE[finding.kind],
        office=finding.office,
        status=finding.state,
        status_label=STATE_LABELS.get(finding.state, finding.state),
        note=finding.note,
    )


def build_report(store: Store, summary: RunSummary) -> ReportData:
    run = summary.run
    checked = local_time(run.finished_at or run.started_at)
    ordered = sorted(
        summary.findings,
        key=lambda f: (
            _STATE_ORDER.get(f.state, 0),
            _SEVERITY_ORDER[f.severity],
            f.office,
            f.column,
            f.kind.value,
        ),
    )
    rows = [_row(number, finding, checked) for number, finding in enumerate(ordered, start=1)]
    trend = [
        TrendPoint(run_id=r.id, started_at=local_time(r.started_at), open_by_kind=counts)
        for r, counts in store.open_counts_by_run(run.start_url, until=run.id)
    ]
    return ReportData(
        site=run.site,
        start_url=run.start_url,
        run_id=run.id,
        run_kind=run.kind,
        run_started=local_time(run.started_at),
        run_finished=local_time(run.finished_at or ""),
        as_of=summary.as_of.isoformat(),
        generated_at=local_time(now_iso()),
        pages=summary.pages,
        link_occurrences=summary.link_occurrences,
        checked_urls=summary.checked_urls,
        tally=summary.tally,
        rows=rows,
        columns=summary.columns,
        trend=trend,
        availability=_availability(store, run.start_url, run.finished_at),
        incomplete=summary.incomplete,
    )


def _availability(store: Store, start_url: str, until: str | None) -> dict[str, float] | None:
    """Home-page probes of the 7 days before the run ended (``sitecheck serve`` stores them)."""
    from sitecheck.judge.availability import report_availability

    return report_availability(store, start_url, until)
