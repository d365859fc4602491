"""Build the :class:`ReportData` of a run from its summary and the site's run history."""

from __future__ import annotations

from datetime import UTC, datetime

from sitecheck.models import Finding, FindingKind, FindingState, Severity
from sitecheck.report.labels import ADVICE, KIND_LABELS, OUTCOME_LABELS, SEVERITY_LABELS, STATE_LABELS
from sitecheck.report.model import ChecklistRow, ReportData, TrendPoint
from sitecheck.report.summary import RunSummary
from sitecheck.store import Store, now_iso

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
