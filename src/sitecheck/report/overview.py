"""The supervisor's overview (总览): one page across every portal a 政务公开办 / 大数据局 watches.

Per portal, from its store: the last judged run judged again as of the day (judging writes
nothing), its verdict against the national veto lines (which lines fail), its open findings by
severity and kind, what changed since the run before (new, fixed), the trend of open findings
over its recent runs, the home page's availability over the probes of the 7 days before the run
ended, and the path of its own checklist. Portals are ranked as the 抽查通报 tables list them:
those failing a veto line first (most lines failing first), then by open deductions, then by all
open findings; a portal never audited comes last and says so.

Written as ``overview.html`` (one self-contained page, sortable by any column, the same
escaping and Content-Security-Policy rules as the checklist: everything from a portal's config
or store is text) and ``overview.xlsx`` (one row a portal, a column per finding kind, for the
supervisor's own 通报 table), into ``<reports_dir>/overview/<YYYYmmdd-HHMMSS>/`` with ``latest``
pointing at it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sitecheck.models import FindingKind, FindingState, Severity, TallyLevel
from sitecheck.report.files import atomic_path, atomic_write
from sitecheck.report.labels import KIND_LABELS, OVERVIEW_TEXT, SEVERITY_LABELS

__all__ = ["PortalOverview", "overview_of", "rank", "write_overview"]

# The trend shows this many runs, oldest first: enough to see a direction, short enough to read.
TREND_RUNS = 6


@dataclass(frozen=True, slots=True)
class PortalOverview:
    """One portal's line of the overview (plain values: the writers need nothing else)."""

    name: str
    start_url: str
    office: str
    config: str  # the config file it came from
    audited: bool = False  # a judged run exists
    run_id: int = 0
    checked_at: str = ""  # when the run ended, local time, "YYYY-MM-DD HH:MM"
    complete: bool = True  # the run read everything (else its verdict is not a clean bill)
    failing: tuple[str, ...] = ()  # the veto lines it fails (their indicators)
    warning: tuple[str, ...] = ()  # the veto lines it nears
    open_by_severity: dict[str, int] = field(default_factory=dict)  # Severity value -> count
    open_by_kind: dict[str, int] = field(default_factory=dict)  # FindingKind value -> count
    new: int = 0  # open findings first seen in this run
    fixed: int = 0  # findings of the run before that this run found fixed
    trend: tuple[int, ...] = ()  # open findings of its recent runs, oldest first
    availability: str = ""  # the home page's failed-probe ratio of the week, in words
    availability_level: str = ""  # ok / warn / fail ("" without probes)
    checklist: str = ""  # the run's checklist.html, relative to the overview's folder
    error: str = ""  # why the portal's store could not be read
    rank: int = 0

    @property
    def open(self) -> int:
        return sum(self.open_by_kind.values())

    @property
    def verdict(self) -> str:
        if self.error:
            return "无法读取"
        if not self.audited:
            return "尚未检查"
        if self.failing:
            return "不合格（单项否决）"
        if not self.complete:
            return "检查不完整"
        return "有预警" if self.warning else "未触及否决项"

    @property
    def verdict_level(self) -> str:
        if self.failing or self.error:
            return "fail"
        if not self.audited or not self.complete or self.warning:
            return "warn"
        return "ok"

    @property
    def trend_text(self) -> str:
        return " → ".join(str(n) for n in self.trend)


def overview_of(portal: object, as_of: date) -> PortalOverview:
    """The overview line of one portal (a :class:`sitecheck.service.portals.Portal`): its last
    judged run judged again as of ``as_of``, with the portal's current settings. Never writes
    to the store; a store that cannot be read is a line that says why, not a failed overview."""
    from sitecheck.audit import judge_run, last_judged_run
    from sitecheck.errors import SitecheckError
    from sitecheck.report import report_dir
    from sitecheck.report.checklist import build_report, summarize
    from sitecheck.service.portals import Portal
    from sitecheck.store import Store, store_exists

    assert isinstance(portal, Portal)
    config = portal.config
    base = PortalOverview(
        name=config.site_name, start_url=portal.key, office=config.site.office, config=portal.source
    )
    if not store_exists(config.data_dir):
        return base
    try:
        store = Store(config.data_dir)
    except SitecheckError as exc:
        return _replace(base, error=str(exc))
    try:
        run = last_judged_run(store, portal.key)
        if run is None:
            return base
        summary = summarize(store, run.id, as_of, judge_run(store, config, run.id, as_of))
        data = build_report(store, summary, config)
    except SitecheckError as exc:
        return _replace(base, error=str(exc))
    finally:
        store.close()
    open_rows = data.open_rows
    by_severity: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for row in open_rows:
        by_severity[row.severity.value] = by_severity.get(row.severity.value, 0) + 1
        by_kind[row.kind.value] = by_kind.get(row.kind.value, 0) + 1
    ratio, level = _availability(data.availability)
    folder = report_dir(config.reports_dir, summary, config.site.slug)
    return _replace(
        base,
        audited=True,
        run_id=run.id,
        checked_at=data.run_finished or data.run_started,
        complete=not data.incomplete,
        failing=tuple(line.indicator for line in data.tally.lines if line.status is TallyLevel.FAIL),
        warning=tuple(line.indicator for line in data.tally.lines if line.status is TallyLevel.WARN),
        open_by_severity=by_severity,
        open_by_kind=by_kind,
        new=sum(1 for row in open_rows if row.status is FindingState.NEW),
        fixed=sum(1 for row in data.rows if row.status is FindingState.FIXED),
        trend=tuple(sum(point.open_by_kind.values()) for point in data.trend[-TREND_RUNS:]),
        availability=ratio,
        availability_level=level,
        checklist=str(folder / "checklist.html") if (folder / "checklist.html").exists() else "",
    )


def _replace(line: PortalOverview, **changes: object) -> PortalOverview:
    from dataclasses import replace

    return replace(line, **changes)  # type: ignore[arg-type]


def _availability(found: dict[str, float] | None) -> tuple[str, str]:
    if not found or not found.get("probes"):
        return "", ""
    ratio = found["ratio"]
    probes, failures = int(found["probes"]), int(found["failures"])
    text = f"失败 {ratio:.1%}（{failures}/{probes} 次，{found['days']:g} 天）"
    if ratio >= found["veto_ratio"]:
        full = bool(found.get("sample_ok"))
        return text + ("" if full else "，样本不足"), "fail" if full else "warn"
    return text, "warn" if ratio >= found["warn_ratio"] else "ok"


def rank(lines: Sequence[PortalOverview]) -> list[PortalOverview]:
    """Most serious first: veto lines failed, then open deductions, then all open findings;
    portals not audited (or unreadable) last. Ties keep the config's order."""

    def key(line: PortalOverview) -> tuple[int, int, int, int, int]:
        if not line.audited:
            return (1, 0, 0, 0, 0)
        return (
            0,
            -len(line.failing),
            -line.open_by_severity.get(Severity.VETO.value, 0),
            -line.open_by_severity.get(Severity.DEDUCTION.value, 0),
            -line.open,
        )

    ordered = sorted(lines, key=key)
    return [_replace(line, rank=n) for n, line in enumerate(ordered, start=1)]


# -- writing --------------------------------------------------------------------------------------


def write_overview(lines: Sequence[PortalOverview], reports_dir: str | Path, as_of: date) -> Path:
    """overview.html and overview.xlsx of ranked ``lines``; returns their folder (``latest``
    points at it). Checklist paths become relative to that folder."""
    from sitecheck.report import publish_latest

    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    folder = Path(reports_dir) / "overview" / stamp
    folder.mkdir(parents=True, exist_ok=True)
    placed = [
        _replace(line, checklist=_relative(line.checklist, folder)) if line.checklist else line
        for line in lines
    ]
    atomic_write(folder / "overview.html", render_overview(placed, as_of))
    _write_xlsx(placed, folder / "overview.xlsx", as_of)
    publish_latest(folder)
    return folder


def _relative(path: str, folder: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows): the absolute path
        return Path(path).resolve().as_posix()


def _kinds(lines: Sequence[PortalOverview]) -> list[FindingKind]:
    """The finding kinds any portal has open, in the checklist's order of kinds."""
    present = {kind for line in lines for kind in line.open_by_kind}
    return [kind for kind in FindingKind if kind.value in present]


_SEVERITIES = (Severity.VETO, Severity.DEDUCTION, Severity.WARNING)
SEVERITY_COLUMNS = tuple((severity.value, SEVERITY_LABELS[severity]) for severity in _SEVERITIES)


def _top_kinds(line: PortalOverview, most: int = 5) -> list[tuple[str, int]]:
    """The kinds with most open findings (label, count), most first; the rest in one line."""
    counted = sorted(line.open_by_kind.items(), key=lambda item: (-item[1], item[0]))
    shown = [(KIND_LABELS.get(FindingKind(kind), kind), count) for kind, count in counted[:most]]
    rest = sum(count for _, count in counted[most:])
    return shown + ([("其他", rest)] if rest else [])


def render_overview(lines: Sequence[PortalOverview], as_of: date) -> str:
    from sitecheck.report.html import overview_environment, overview_security_policy
    from sitecheck.timefmt import shown

    meta = OVERVIEW_TEXT["meta"].format(
        as_of=as_of.isoformat(),
        portals=len(lines),
        audited=sum(1 for line in lines if line.audited),
        failing=sum(1 for line in lines if line.failing),
        generated_at=shown(datetime.now().astimezone().isoformat(timespec="seconds"), ""),
    )
    return (
        overview_environment()
        .get_template("overview.html.j2")
        .render(
            lines=lines,
            t=OVERVIEW_TEXT,
            meta=meta,
            as_of=as_of.isoformat(),
            csp=overview_security_policy(),
            top_kinds=_top_kinds,
            severities=SEVERITY_COLUMNS,
        )
    )


XLSX_HEADERS = (
    "排名",
    "网站名称",
    "首页地址",
    "责任单位",
    "最近检查",
    "结论",
    "触及的否决项",
    "接近的否决项",
    "未整改",
    "较上次新发现",
    "较上次已整改",
    "近期趋势（未整改数）",
    "首页可用性（近 7 天）",
    "整改清单",
)


def _write_xlsx(lines: Sequence[PortalOverview], path: Path, as_of: date) -> None:
    kinds = _kinds(lines)
    headers = [
        *XLSX_HEADERS[:9],
        *(label for _, label in SEVERITY_COLUMNS),
        *XLSX_HEADERS[9:],
        *(KIND_LABELS.get(kind, kind.value) for kind in kinds),
    ]
    failing = sum(1 for line in lines if line.failing)
    title = f"网站检查总览（{as_of.isoformat()}）：{len(lines)} 个网站，{failing} 个触及单项否决"
    with atomic_path(path) as tmp:
        _write_overview_book(tmp, title, headers, kinds, lines)


def _write_overview_book(
    path: Path,
    title: str,
    headers: Sequence[str],
    kinds: Sequence[FindingKind],
    lines: Sequence[PortalOverview],
) -> None:
    from sitecheck.report.tabular import new_workbook, write_cell

    with new_workbook(path, title) as (book, looks):
        sheet = book.add_worksheet("总览")
        plain = looks.get()
        write_cell(sheet, 0, 0, title, plain)
        header_look = looks.get(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "pattern": 1}
        )
        for col, header in enumerate(headers):
            write_cell(sheet, 1, col, header, header_look)
        for row, line in enumerate(lines, start=2):
            values: list[object] = [
                line.rank,
                line.name,
                line.start_url,
                line.office,
                line.checked_at,
                line.verdict,
                "；".join(line.failing),
                "；".join(line.warning),
                line.open if line.audited else None,
                *(
                    line.open_by_severity.get(value, 0) if line.audited else None
                    for value, _ in SEVERITY_COLUMNS
                ),
                line.new if line.audited else None,
                line.fixed if line.audited else None,
                line.trend_text,
                line.availability,
                line.checklist or line.error,
                *(line.open_by_kind.get(kind.value, 0) if line.audited else None for kind in kinds),
            ]
            for col, value in enumerate(values):
                write_cell(sheet, row, col, value, plain)  # text from configs and stores: never a formula
        widths = [6, 24, 30, 14, 17, 16, 30, 24, 8, 8, 8, 10, 10, 10, 18, 24, 30] + [10] * len(kinds)
        for index, width in enumerate(widths[: len(headers)]):
            sheet.set_column(index, index, width)
        sheet.freeze_panes(2, 2)
        sheet.autofilter(1, 0, len(lines) + 1, len(headers) - 1)
