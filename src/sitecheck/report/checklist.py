"""The rectification checklist (整改清单) of one run as one typed record, and how it is built.

:class:`RunSummary` is what every output shows at the top (the run, counts by kind and outcome,
the veto tally); :class:`ReportData` is the whole checklist that the writers (HTML, XLSX, CSV,
JSON, SARIF) render — none of them queries the store or formats a label of its own, so every
format shows the same numbers and words; :func:`build_report` makes one from a summary and
the site's run history.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sitecheck.config import AuditConfig, ColumnOverride, config_from_mapping
from sitecheck.errors import ConfigError
from sitecheck.judge import Judgement, needs_action, open_only
from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.judge.veto import VetoTally
from sitecheck.models import OPEN_STATES, Finding, FindingKind, FindingState, RunRecord, Severity
from sitecheck.report.labels import (
    ADVICE,
    COVER_SCOPE,
    DEFAULT_INSPECTOR,
    DONE_FIXED,
    KIND_LABELS,
    OUTCOME_LABELS,
    SEVERITY_LABELS,
    SITE_CODE_MISSING,
    STATE_LABELS,
)
from sitecheck.store import Store, now_iso
from sitecheck.timefmt import DEFAULT_ZONE, shown


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
    # The 整改台账 columns: who fixes it by when (整改措施 is left for the office to write).
    owner: str = ""  # 整改责任人: the [[columns]] entry's owner, else [checklist] owner
    deadline: str = ""  # 整改时限, YYYY-MM-DD: the check day plus working days by severity
    done: str = ""  # 完成情况: 已整改 once a later check found it fixed, else blank to fill in
    done_at: str = ""  # 完成时间: when that check ran
    home: bool = False  # a problem of the home page: listed first within its severity


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_id: int
    started_at: str
    open_by_kind: dict[str, int]  # kind value -> open findings in that run


@dataclass(frozen=True, slots=True)
class Cover:
    """The checklist's cover (封面信息): who was checked, how far, on what basis, by whom."""

    organisation: str = ""  # 单位名称
    site_name: str = ""  # 网站名称
    site_code: str = ""  # 网站标识码 (SITE_CODE_MISSING when neither config nor page gives one)
    scope: str = ""  # 检查范围: pages, links, columns and the run's time span, in words
    basis: str = ""  # 检查依据
    inspector: str = ""  # 检查人/检查工具


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
    cover: Cover = field(default_factory=Cover)

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


def local_time(iso: str, tz: str = DEFAULT_ZONE) -> str:
    """``2026-11-27T11:30:00+00:00`` → ``2026-11-27 19:30``: timefmt.shown, the one way a
    moment is shown, so the checklist agrees with every other output."""
    return shown(iso, tz)


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``.

    Public holidays and the swapped working weekends (调休) are not known here: a deadline may
    fall on one, and the office reads it as the next working day.
    """
    current, left = start, max(days, 0)
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def report_config(run: RunRecord) -> AuditConfig:
    """The settings the run was audited with (stored with it), for owners, deadlines and cover.

    A run stored by an older version may hold settings this one no longer reads: its checklist
    is still written, with the defaults.
    """
    try:
        return config_from_mapping(json.loads(run.config_json or "{}"), f"第 {run.id} 次检查的设置")
    except (ConfigError, ValueError, TypeError):
        return AuditConfig()


# Link findings are fixed on the page that carries the link: a [[columns]] match_url names the
# column's pages, so it is searched in that page too, not only in the (often external) target.
_LINK_KINDS = frozenset(
    {
        FindingKind.DEAD_LINK,
        FindingKind.DEAD_LINK_HOME,
        FindingKind.UNVERIFIED_LINK,
        FindingKind.UNAVAILABLE_LINK,
    }
)
_HOME_KINDS = frozenset(
    {
        FindingKind.HOME_UNREACHABLE,
        FindingKind.HOME_NOT_UPDATED,
        FindingKind.HOME_FEW_UPDATES,
        FindingKind.DEAD_LINK_HOME,
    }
)


def _matches(override: ColumnOverride, finding: Finding) -> bool:
    """As [[columns]] entries match columns (judge/categories.py): every regex given must be
    found, match_name in the finding's column name, match_url in its URL."""
    urls = [finding.url]
    if finding.kind in _LINK_KINDS and finding.referrers:
        urls.append(finding.referrers[0].page)
    return (not override.match_url or any(re.search(override.match_url, u) for u in urls)) and (
        not override.match_name or re.search(override.match_name, finding.column) is not None
    )


class _Responsibility:
    """整改责任人 and 整改时限 of a finding, from the run's settings."""

    def __init__(self, config: AuditConfig, check_day: date) -> None:
        self.overrides = config.columns
        self.owner = config.checklist.owner
        self.check_day = check_day
        checklist = config.checklist
        self.days = {
            Severity.VETO: checklist.deadline_veto_days,
            Severity.DEDUCTION: checklist.deadline_deduction_days,
            Severity.WARNING: checklist.deadline_warning_days,
        }

    def of(self, finding: Finding) -> tuple[str, str]:
        matching = [o for o in self.overrides if _matches(o, finding)]
        # The first entry that says it: one entry may correct a category, the next name an owner.
        owner = next((o.owner for o in matching if o.owner), self.owner)
        days = next((o.deadline_days for o in matching if o.deadline_days > 0), self.days[finding.severity])
        return owner, add_working_days(self.check_day, days).isoformat()


def _home_urls(summary: RunSummary) -> frozenset[str]:
    run = summary.run
    urls = {run.start_url, run.home_url or "", summary.home.url if summary.home else ""}
    return frozenset(u for u in urls if u)


def is_home_problem(finding: Finding, home_urls: frozenset[str]) -> bool:
    """A problem of the home page: its kind says so, or its URL is the home page (a dead menu
    entry there), or it is a link the home page carries (one that could not be verified, say).

    A column's referrers are only the pages that lead to it, the home page's menu among them:
    that does not make a column's problem the home page's.
    """
    if finding.kind in _HOME_KINDS or finding.url in home_urls:
        return True
    return finding.kind in _LINK_KINDS and bool(finding.referrers) and finding.referrers[0].page in home_urls


def _cover(summary: RunSummary, config: AuditConfig, tz: str) -> Cover:
    run = summary.run
    site_code = config.site.site_code or (summary.home.site_code if summary.home else "")
    scope = COVER_SCOPE.format(
        pages=summary.pages,
        links=summary.link_occurrences,
        urls=summary.checked_urls,
        columns=len(summary.columns),
        started=shown(run.started_at, tz),
        finished=shown(run.finished_at or "", tz) or "—",
    )
    return Cover(
        organisation=config.site.organisation or run.site,
        site_name=run.site,
        site_code=site_code or SITE_CODE_MISSING,
        scope=scope,
        basis=config.checklist.basis,
        inspector=config.checklist.inspector or DEFAULT_INSPECTOR,
    )


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


def _row(
    number: int,
    finding: Finding,
    checked: str,
    *,
    tz: str = DEFAULT_ZONE,
    responsibility: _Responsibility | None = None,
    home: bool = False,
) -> ChecklistRow:
    first = finding.referrers[0] if finding.referrers else None
    description = (
        finding.detail if finding.outcome is None else f"{KIND_LABELS[finding.kind]}：{_http(finding)}"
    )
    if finding.outcome is not None and finding.detail and finding.detail not in description:
        description = f"{description}（{finding.detail}）"
    owner, deadline = responsibility.of(finding) if responsibility else ("", "")
    fixed = finding.state == FindingState.FIXED
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
        first_seen=shown(finding.first_seen, tz),
        last_checked=checked,
        advice=ADVICE[finding.kind],
        office=finding.office,
        status=finding.state,
        status_label=STATE_LABELS.get(finding.state, finding.state),
        note=finding.note,
        owner=owner,
        deadline=deadline,
        # Fixed means this run found it so: the run's time is when the fix was confirmed.
        done=DONE_FIXED if fixed else "",
        done_at=checked if fixed else "",
        home=home,
    )


def build_report(store: Store, summary: RunSummary, config: AuditConfig | None = None) -> ReportData:
    """The checklist of a summarised run; ``config`` defaults to the settings stored with the run
    (owners, deadlines, the cover and the time zone come from there)."""
    run = summary.run
    if config is None:
        config = report_config(run)
    tz = config.schedule.timezone
    checked = shown(run.finished_at or run.started_at, tz)
    responsibility = _Responsibility(config, summary.as_of)
    home_urls = _home_urls(summary)
    home = {f.key for f in summary.findings if is_home_problem(f, home_urls)}
    ordered = sorted(
        summary.findings,
        key=lambda f: (
            _STATE_ORDER.get(f.state, 0),
            _SEVERITY_ORDER[f.severity],
            f.key not in home,  # the home page first: the first thing an inspector opens
            f.office,
            f.column,
            f.kind.value,
        ),
    )
    rows = [
        _row(number, finding, checked, tz=tz, responsibility=responsibility, home=finding.key in home)
        for number, finding in enumerate(ordered, start=1)
    ]
    trend = [
        TrendPoint(run_id=r.id, started_at=shown(r.started_at, tz), open_by_kind=counts)
        for r, counts in store.open_counts_by_run(run.start_url, until=run.id)
    ]
    return ReportData(
        site=run.site,
        start_url=run.start_url,
        run_id=run.id,
        run_kind=run.kind,
        run_started=shown(run.started_at, tz),
        run_finished=shown(run.finished_at or "", tz),
        as_of=summary.as_of.isoformat(),
        generated_at=shown(now_iso(), tz),
        pages=summary.pages,
        link_occurrences=summary.link_occurrences,
        checked_urls=summary.checked_urls,
        tally=summary.tally,
        rows=rows,
        columns=summary.columns,
        trend=trend,
        availability=_availability(store, run.start_url, run.finished_at),
        incomplete=summary.incomplete,
        cover=_cover(summary, config, tz),
    )


def _availability(store: Store, start_url: str, until: str | None) -> dict[str, float] | None:
    """Home-page probes of the 7 days before the run ended (``sitecheck serve`` stores them)."""
    from sitecheck.judge.availability import report_availability

    return report_availability(store, start_url, until)
