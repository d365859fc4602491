"""The rectification checklist (整改台账) as offices circulate it: an Excel workbook and a CSV.

The workbook opens on a 汇总 sheet (the cover, the verdict), then 全部问题 (every open problem),
then one sheet per problem type, as the 开普云 monitoring exports do (indicators.md §3), then
已整改 / 已忽略 and the column list. Table sheets print landscape on A4, one page wide, with
wrapped text at column widths chosen so that the page is scaled no smaller than 55 %. Every text that a
crawled site chose (link texts, URLs, column names) is written so that a spreadsheet shows it
and never evaluates it: a link text ``=HYPERLINK(…)`` must not become a live formula in the
office that opens the checklist (CSV / formula injection).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from copy import copy
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from sitecheck.models import FindingKind, Severity
from sitecheck.report.checklist import ChecklistRow, ReportData
from sitecheck.report.files import atomic_path
from sitecheck.report.labels import (
    CATEGORY_LABELS,
    CHECKLIST_HEADERS,
    COLUMN_SHEET_HEADERS,
    COLUMN_STATUS_LABELS,
    COVER_LABELS,
    INCOMPLETE_LABEL,
    KIND_LABELS,
    OTHER_REFERRERS_NOTE,
    RUN_KIND_LABELS,
    SEVERITY_LABELS,
    SHEET_ALL,
    SHEET_COLUMNS,
    SHEET_FIXED,
    SHEET_IGNORED,
    SHEET_SUMMARY,
    STATE_LABELS,
    SUMMARY_LABELS,
    TALLY_STATUS_LABELS,
    VERDICT_LABELS,
)
from sitecheck.report.text import clean_text, clean_url

__all__ = [
    "ALL_SHEET_FIELDS",
    "CSV_FIELDS",
    "SHEET_FIELDS",
    "display_width",
    "neutralise",
    "sheet_title",
    "write_csv",
    "write_xlsx",
]

# Checklist columns of a finding sheet: the 整改台账 columns (who fixes what by when, and the
# blanks the office fills in), then the id an office quotes in `sitecheck ignore`. The HTTP
# status is part of 问题描述 and 最近复查 is the run's time (汇总), so the printed sheet leaves
# them, and 发现时间, to the CSV: every column kept must stay readable on a landscape A4 page.
SHEET_FIELDS: tuple[str, ...] = (
    "number",
    "kind",
    "description",
    "column",
    "url",
    "parent_page",
    "link_text",
    "advice",
    "office",
    "owner",
    "deadline",
    "measures",
    "done",
    "status",
    "note",
    "key",
)
# 全部问题 mixes the problem types, so it also says how serious each is.
ALL_SHEET_FIELDS: tuple[str, ...] = (*SHEET_FIELDS[:2], "severity", *SHEET_FIELDS[2:])
# The CSV holds open, fixed and ignored findings in one table, and every field.
CSV_FIELDS: tuple[str, ...] = (
    "number",
    "kind",
    "description",
    "column",
    "url",
    "parent_page",
    "link_text",
    "http",
    "first_seen",
    "last_checked",
    "advice",
    "office",
    "owner",
    "deadline",
    "measures",
    "done",
    "status",
    "note",
    "severity",
    "key",
)

# Spreadsheets read a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_URL_FIELDS = frozenset({"url", "parent_page"})
_NUMBER_FIELDS = frozenset({"number"})
# Widest a column gets, in characters (a CJK character counts two). Their sum decides the print
# scale of a sheet fitted to one page width: ~260 characters with 17 columns is ~56 % on
# landscape A4 (page_scale); texts wrap within them. The columns an office writes in
# (整改责任人, 整改措施, 完成情况) always get their full width.
MAX_WIDTHS: dict[str, int] = {
    "number": 6,
    "kind": 10,
    "severity": 8,
    "description": 36,
    "column": 11,
    "url": 30,
    "parent_page": 26,
    "link_text": 13,
    "advice": 24,
    "office": 9,
    "owner": 9,
    "deadline": 11,
    "measures": 16,
    "done": 11,
    "status": 8,
    "note": 12,
    "key": 20,
}
_FILL_IN = frozenset({"owner", "measures", "done"})
_COLUMN_WIDTHS: dict[str, int] = {
    "number": 6,
    "name": 20,
    "parent": 16,
    "category": 14,
    "limit_days": 8,
    "items": 8,
    "newest": 11,
    "days_since": 8,
    "status": 12,
    "evidence": 36,
    "office": 10,
    "url": 32,
}
# Landscape A4 less 0.25 in margins left and right, in pixels at 96 dpi (Excel's 100 %).
_PRINTABLE_PX = (11.69 - 0.5) * 96
_MAX_CELL = 32_767  # Excel's limit on the characters of one cell
# Excel refuses more hyperlinks per sheet than this, and addresses longer than the second.
_MAX_HYPERLINKS = 65_530
_MAX_LINK_LENGTH = 2_079
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
_TITLE_FONT = Font(bold=True, size=16)
_LABEL_FONT = Font(bold=True)
_LINK_FONT = Font(color="0563C1", underline="single")
_THIN = Side(style="thin", color="B7B7B7")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_FAIL_FILL = PatternFill("solid", fgColor="F8CBAD")
_WARN_FILL = PatternFill("solid", fgColor="FFE699")
_PASS_FILL = PatternFill("solid", fgColor="C6EFCE")
_STATUS_FILL = {"fail": _FAIL_FILL, "warn": _WARN_FILL, "pass": _PASS_FILL}
_COLUMN_FILL = {"empty": _FAIL_FILL, "stale": _FAIL_FILL, "undated": _FAIL_FILL, "warning": _WARN_FILL}


# -- shared by both formats -----------------------------------------------------------------------


def neutralise(text: str) -> str:
    """The CSV form of a text: a leading apostrophe keeps a spreadsheet from evaluating it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def display_width(text: str) -> int:
    """Columns a text needs in a spreadsheet: CJK (wide and full-width) characters count double."""
    if text.isascii():  # URLs, mostly: no need to look at every character
        return max(len(line) for line in text.split("\n"))
    return max(
        (
            sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
            for line in text.split("\n")
        ),
        default=0,
    )


def _note(row: ChecklistRow) -> str:
    parts = [row.note] if row.note else []
    if row.other_referrers:
        parts.append(OTHER_REFERRERS_NOTE.format(count=row.other_referrers))
    return "；".join(parts)


def _done(row: ChecklistRow) -> str:
    return f"{row.done} {row.done_at}".strip()


def _values(row: ChecklistRow) -> dict[str, Any]:
    """A row's cells. URLs keep their address with unsafe characters percent-encoded; the
    other texts go through clean_text again when a cell is written (_put, write_csv)."""
    return {
        "number": row.number,
        "kind": row.kind_label,
        "description": row.description,
        "column": row.column,
        "url": clean_url(row.url),
        "parent_page": clean_url(row.parent_page),
        "link_text": row.link_text,
        "http": row.http,
        "first_seen": row.first_seen,
        "last_checked": row.last_checked,
        "advice": row.advice,
        "office": row.office,
        "owner": row.owner,
        "deadline": row.deadline,
        "measures": "",  # 整改措施: the office's to write
        "done": _done(row),
        "status": row.status_label,
        "note": _note(row),
        "severity": row.severity_label,
        "key": row.key,
    }


# -- CSV --------------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    return neutralise(clean_text(value)) if isinstance(value, str) else value


def write_csv(data: ReportData, path: Path) -> None:
    """All findings (open, ignored, fixed) in one table; UTF-8 with BOM and CRLF, as Excel expects."""
    path = Path(path)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([CHECKLIST_HEADERS[field] for field in CSV_FIELDS])
        for row in data.rows:
            values = _values(row)
            writer.writerow([_csv_cell(values[field]) for field in CSV_FIELDS])


# -- XLSX -------------------------------------------------------------------------------------------


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique in the book."""
    base = name.translate(_SHEET_NAME_FORBIDDEN).strip("'").strip() or "Sheet"
    title = base[:31]
    number = 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f"({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(title)
    return title


def _clean(text: str) -> str:
    # Control characters are not allowed in a sheet's XML (openpyxl refuses them): shown as �.
    return clean_text(text)[:_MAX_CELL]


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=col)
    if value == "":
        value = None  # a blank cell, not an empty string that Excel counts as content
    if isinstance(value, str):
        value = _clean(value)
        cell.value = value
        # Always a string cell: openpyxl would store "=…" as a formula and "#N/A" as an error.
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # Excel's own "text" marker: stays text even after editing
    else:
        cell.value = value
    return cell


put_cell = _put  # for the other sheets written from crawled or configured text (overview.py)


def _as_date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _is_web(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) <= _MAX_LINK_LENGTH


class _Links:
    """Counts a sheet's hyperlinks, so the book stays within what Excel opens."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, cell: Any, url: str) -> bool:
        if not _is_web(url) or self.count >= _MAX_HYPERLINKS:
            return False
        cell.hyperlink = Hyperlink(ref=cell.coordinate, target=url)
        self.count += 1
        return True


class _Styles:
    """Styles table cells by copying the style ids of the first cell styled the same way.

    Assigning font, border and alignment objects makes openpyxl hash each of them for every
    cell, which was most of the time a 20 000-row checklist took; copying a cell's style array
    is how openpyxl copies worksheets itself.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], Any] = {}

    def apply(
        self,
        cell: Any,
        alignment: Alignment,
        *,
        link: bool = False,
        number_format: str = "",
        fill: Any = None,
    ) -> None:
        quote = bool(cell.quotePrefix)
        key = (id(alignment), link, number_format, id(fill))
        cached = self._seen.get(key)
        if cached is not None:
            cell._style = copy(cached)
        else:
            cell.quotePrefix = False  # per cell, never part of the shared style
            cell.border = _BORDER
            cell.alignment = alignment
            if link:
                cell.font = _LINK_FONT
            if number_format:
                cell.number_format = number_format
            if fill is not None:
                cell.fill = fill
            self._seen[key] = copy(cell._style)
        if quote:
            cell.quotePrefix = True


def _header(ws: Any, headers: Sequence[str], row: int = 1) -> None:
    for col, text in enumerate(headers, start=1):
        cell = _put(ws, row, col, text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER


def page_scale(widths: Sequence[float]) -> float:
    """The scale Excel prints columns of these widths at, fitted to one landscape A4 page width.

    A column ``w`` characters wide is ``7w + 5`` pixels in Excel's default font (Calibri 11).
    """
    pixels = sum(7 * w + 5 for w in widths)
    return min(1.0, _PRINTABLE_PX / pixels) if pixels else 1.0


def _finish_table(ws: Any, headers: Sequence[str], widths: Sequence[int], rows: int) -> None:
    """Frozen header, autofilter, widths and print setup: what every table sheet shares."""
    last = get_column_letter(len(headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(rows + 1, 1)}"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _print_setup(ws)
    ws.print_title_rows = "1:1"


def _print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # One page wide, as many tall as the rows need: the widths (MAX_WIDTHS) keep the scale
    # readable, and wrapped rows grow downwards instead of shrinking the page.
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.oddFooter.center.text = "&P / &N"
    ws.oddHeader.center.text = "&A"


def _width(limit: int, header: str, values: Sequence[str], *, full: bool = False) -> int:
    """As wide as the texts need (+4 for the autofilter button by the header), at most ``limit``."""
    if full:
        return limit
    wanted = max([display_width(header) + 4, *(display_width(v) + 2 for v in values)])
    return min(wanted, limit)


def _finding_sheet(ws: Any, rows: Sequence[ChecklistRow], fields: Sequence[str] = SHEET_FIELDS) -> None:
    headers = [CHECKLIST_HEADERS[field] for field in fields]
    _header(ws, headers)
    links, styles = _Links(), _Styles()
    texts: dict[str, list[str]] = {field: [] for field in fields}
    for r, row in enumerate(rows, start=2):
        values = _values(row)
        for c, field in enumerate(fields, start=1):
            value = values[field]
            if field == "deadline" and value:
                value = _as_date(value)  # a date cell: sorts and filters by date
            cell = _put(ws, r, c, value)
            styles.apply(
                cell,
                _TOP if field in _NUMBER_FIELDS else _WRAP,
                link=field in _URL_FIELDS and isinstance(value, str) and links.add(cell, value),
                number_format="yyyy-mm-dd" if isinstance(value, date) else "",
            )
            texts[field].append(str(values[field]))
    widths = [
        _width(MAX_WIDTHS[f], h, texts[f], full=f in _FILL_IN) for f, h in zip(fields, headers, strict=True)
    ]
    _finish_table(ws, headers, widths, len(rows))


_COLUMN_FIELDS = tuple(COLUMN_SHEET_HEADERS)


def _columns_sheet(ws: Any, data: ReportData) -> None:
    headers = [COLUMN_SHEET_HEADERS[field] for field in _COLUMN_FIELDS]
    _header(ws, headers)
    links, styles = _Links(), _Styles()
    texts: dict[str, list[str]] = {field: [] for field in _COLUMN_FIELDS}
    for r, column in enumerate(data.columns, start=2):
        values: dict[str, Any] = {
            "number": r - 1,
            "name": column.name,
            "parent": column.parent or "",
            "category": CATEGORY_LABELS[column.category],
            "limit_days": column.limit_days,
            "items": column.item_count,
            "newest": column.newest,
            "days_since": column.days_since,
            "status": COLUMN_STATUS_LABELS.get(column.status, column.status)
            + ("" if column.confirmed else "（待核实）"),
            "evidence": column.evidence,
            "office": column.office,
            "url": clean_url(column.url),
        }
        fill = _COLUMN_FILL.get(column.status)
        for c, field in enumerate(_COLUMN_FIELDS, start=1):
            value = values[field]
            cell = _put(ws, r, c, value)
            styles.apply(
                cell,
                _WRAP if isinstance(value, str) else _TOP,
                link=field == "url" and links.add(cell, value),
                number_format="yyyy-mm-dd" if isinstance(value, date) else "",
                fill=fill if field == "status" else None,
            )
            texts[field].append("" if value is None else str(value))
    widths = [_width(_COLUMN_WIDTHS[f], h, texts[f]) for f, h in zip(_COLUMN_FIELDS, headers, strict=True)]
    _finish_table(ws, headers, widths, len(data.columns))


def _summary_sheet(ws: Any, data: ReportData, kind_sheets: dict[FindingKind, str]) -> None:
    label = SUMMARY_LABELS
    _put(ws, 1, 1, label["title"]).font = _TITLE_FONT
    verdict = VERDICT_LABELS[data.tally.would_fail]
    cover = data.cover
    facts: list[tuple[str, Any]] = [
        *((COVER_LABELS[name], getattr(cover, name)) for name in COVER_LABELS),
        (label["start_url"], clean_url(data.start_url)),
        (label["run"], data.run_id),
        (label["run_kind"], RUN_KIND_LABELS.get(data.run_kind, data.run_kind)),
        (label["run_started"], data.run_started),
        (label["run_finished"], data.run_finished),
        (label["as_of"], data.as_of),
        (label["generated_at"], data.generated_at),
        (label["pages"], data.pages),
        (label["link_occurrences"], data.link_occurrences),
        (label["checked_urls"], data.checked_urls),
        (label["open_total"], len(data.open_rows)),
        (label["verdict"], verdict),
    ]
    if data.incomplete:
        facts.insert(0, (INCOMPLETE_LABEL, clean_text(data.incomplete)))
    row = 3
    for name, value in facts:
        _put(ws, row, 1, name).font = _LABEL_FONT
        cell = _put(ws, row, 2, value)
        cell.alignment = _LEFT_WRAP
        if name == label["start_url"] and _Links().add(cell, value):
            cell.font = _LINK_FONT
        if name == label["verdict"]:
            cell.fill = _FAIL_FILL if data.tally.would_fail else _PASS_FILL
            cell.font = _LABEL_FONT
        row += 1

    row += 1
    veto_headers = [label[k] for k in ("indicator", "count", "unit", "limit", "warn_at", "veto_status")]
    row = _section(ws, row, label["veto_section"], veto_headers)
    for line in data.tally.lines:
        status = TALLY_STATUS_LABELS[line.status]
        values = [line.indicator, line.count, line.unit, line.limit, line.warn_at, status]
        for col, value in enumerate(values, start=1):
            cell = _put(ws, row, col, value)
            cell.border = _BORDER
        ws.cell(row=row, column=len(values)).fill = _STATUS_FILL[line.status]
        row += 1

    row += 1
    by_kind = data.open_by_kind()
    row = _section(ws, row, label["by_kind_section"], [CHECKLIST_HEADERS["kind"], label["count"]])
    for kind in FindingKind:
        count = by_kind.get(KIND_LABELS[kind], 0)
        if not count:
            continue
        cell = _put(ws, row, 1, KIND_LABELS[kind])
        cell.border = _BORDER
        if kind in kind_sheets:
            # Internal link: one click from the summary to that problem type's sheet.
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{kind_sheets[kind]}'!A1")
            cell.font = _LINK_FONT
        _put(ws, row, 2, count).border = _BORDER
        row += 1
    row = _total(ws, row, sum(by_kind.values()))

    row += 1
    by_severity = data.open_by_severity()
    row = _section(ws, row, label["by_severity_section"], [CHECKLIST_HEADERS["severity"], label["count"]])
    for severity in Severity:
        count = by_severity.get(SEVERITY_LABELS[severity], 0)
        if count:
            _put(ws, row, 1, SEVERITY_LABELS[severity]).border = _BORDER
            _put(ws, row, 2, count).border = _BORDER
            row += 1
    row = _total(ws, row, sum(by_severity.values()))

    row += 1
    row = _section(ws, row, label["changes_section"], [CHECKLIST_HEADERS["status"], label["count"]])
    for status, count in data.count_by_status().items():
        _put(ws, row, 1, STATE_LABELS.get(status, status)).border = _BORDER
        _put(ws, row, 2, count).border = _BORDER
        row += 1

    if data.availability:
        row += 1
        row = _section(ws, row, label["availability_section"], [])
        for key, value in data.availability.items():
            _put(ws, row, 1, key).border = _BORDER
            _put(ws, row, 2, value).border = _BORDER
            row += 1

    _fit_columns(ws, skip_rows=1)
    _print_setup(ws)
    ws.page_setup.orientation = "portrait"


def _fit_columns(ws: Any, skip_rows: int) -> None:
    widths: dict[int, int] = {}
    for cells in ws.iter_rows(min_row=skip_rows + 1):
        for cell in cells:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 10), display_width(str(cell.value)) + 2)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(width, 70)


def _section(ws: Any, row: int, title: str, headers: Sequence[str]) -> int:
    _put(ws, row, 1, title).font = _SECTION_FONT
    row += 1
    if headers:
        _header(ws, headers, row)
        row += 1
    return row


def _total(ws: Any, row: int, total: int) -> int:
    _put(ws, row, 1, SUMMARY_LABELS["total"]).font = _LABEL_FONT
    _put(ws, row, 2, total).font = _LABEL_FONT
    return row + 1


def write_xlsx(data: ReportData, path: Path) -> None:
    """The checklist workbook: 汇总, 全部问题, one sheet per open problem type, 已整改, 已忽略, 栏目."""
    path = Path(path)
    book = Workbook()
    summary = book.active
    taken: set[str] = set()
    summary.title = sheet_title(SHEET_SUMMARY, taken)

    open_by_kind: dict[FindingKind, list[ChecklistRow]] = {}
    for row in data.open_rows:
        open_by_kind.setdefault(row.kind, []).append(row)
    kind_sheets: dict[FindingKind, str] = {}
    if data.open_rows:
        _finding_sheet(book.create_sheet(sheet_title(SHEET_ALL, taken)), data.open_rows, ALL_SHEET_FIELDS)
    for kind in FindingKind:
        if kind in open_by_kind:
            ws = book.create_sheet(sheet_title(KIND_LABELS[kind], taken))
            kind_sheets[kind] = ws.title
            _finding_sheet(ws, open_by_kind[kind])
    for title, rows in ((SHEET_FIXED, data.fixed_rows), (SHEET_IGNORED, data.ignored_rows)):
        if rows:
            _finding_sheet(book.create_sheet(sheet_title(title, taken)), rows)
    _columns_sheet(book.create_sheet(sheet_title(SHEET_COLUMNS, taken)), data)
    _summary_sheet(summary, data, kind_sheets)

    book.properties.title = clean_text(f"{SUMMARY_LABELS['title']} {data.site}", one_line=True)
    book.properties.creator = "sitecheck"
    with atomic_path(path) as tmp:
        book.save(tmp)  # a reader never sees a half-written checklist
