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

import contextlib
import csv
import math
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

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
    "Look",
    "Looks",
    "display_width",
    "neutralise",
    "new_workbook",
    "sheet_title",
    "write_cell",
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

# Cell looks, as XlsxWriter format properties; a cell's look is the union of a few of them.
_BORDER: Mapping[str, Any] = {"border": 1, "border_color": "#B7B7B7"}
_HEADER: Mapping[str, Any] = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "pattern": 1}
_SECTION: Mapping[str, Any] = {"bold": True, "font_size": 12, "font_color": "#1F4E78"}
_TITLE: Mapping[str, Any] = {"bold": True, "font_size": 16}
_BOLD: Mapping[str, Any] = {"bold": True}
_LINK: Mapping[str, Any] = {"font_color": "#0563C1", "underline": 1}
_TOP: Mapping[str, Any] = {"valign": "top"}
_WRAP: Mapping[str, Any] = {"valign": "top", "text_wrap": True}
_CENTER: Mapping[str, Any] = {"align": "center", "valign": "vcenter", "text_wrap": True}
_LEFT_WRAP: Mapping[str, Any] = {"align": "left", "valign": "top", "text_wrap": True}
_FAIL_FILL: Mapping[str, Any] = {"bg_color": "#F8CBAD", "pattern": 1}
_WARN_FILL: Mapping[str, Any] = {"bg_color": "#FFE699", "pattern": 1}
_PASS_FILL: Mapping[str, Any] = {"bg_color": "#C6EFCE", "pattern": 1}
_STATUS_FILL = {"fail": _FAIL_FILL, "warn": _WARN_FILL, "pass": _PASS_FILL}
_COLUMN_FILL = {"empty": _FAIL_FILL, "stale": _FAIL_FILL, "undated": _FAIL_FILL, "warning": _WARN_FILL}
_DATE_FORMAT = "yyyy-mm-dd"
_A4 = 9  # Excel's paper size code


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
    other texts go through clean_text again when a cell is written (write_cell, write_csv)."""
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
#
# XlsxWriter in its constant-memory mode: each row goes to a temporary file as soon as the next
# one starts, so a sheet is written in the memory of one row. openpyxl (which reads attachments)
# built an object for each cell first: a checklist of 30 000 dead links (~1 000 000 cells) took
# 16.5 s and 450 MiB with it, 7.8 s and 58 MiB with this (bench/reports.py). The price is that a
# sheet's rows are written in order, top to bottom, and never revisited.


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


def _cell_text(text: str) -> str:
    # ``text`` has been through clean_text (the control characters a sheet's XML cannot hold are
    # shown as �). A cell breaks its lines on LF; a CR would be stored as the escape _x000D_.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:_MAX_CELL]


_VARIANTS: dict[str, Mapping[str, Any]] = {
    "": {},
    "quoted": {"quote_prefix": True},
    "date": {"num_format": _DATE_FORMAT},
    "link": _LINK,
}


class Look:
    """How a cell looks (border, wrap, fill…), in the variants a value needs: as it is, text
    marked as text (quote prefix), a date, a link. Each format is made the first time it is used."""

    __slots__ = ("_book", "_made", "_props")

    def __init__(self, book: Workbook, props: Mapping[str, Any]) -> None:
        self._book, self._props = book, dict(props)
        self._made: dict[str, Format | None] = {}

    def format(self, variant: str = "") -> Format | None:
        try:
            return self._made[variant]
        except KeyError:
            props = {**self._props, **_VARIANTS[variant]}
            made = self._made[variant] = self._book.add_format(props) if props else None
            return made


class Looks:
    """A workbook's looks, one per distinct set of format properties."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._made: dict[tuple[tuple[str, Any], ...], Look] = {}

    def get(self, *parts: Mapping[str, Any]) -> Look:
        """The look ``parts`` make up together (later parts win)."""
        props: dict[str, Any] = {}
        for part in parts:
            props.update(part)
        key = tuple(sorted(props.items()))
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = Look(self._book, props)
        return made


def write_cell(ws: Worksheet, row: int, col: int, value: Any, look: Look) -> str:
    """Write one cell (rows and columns count from 0); return the text it shows.

    A string is always a string cell: written as a value, ``=…`` would be a formula and ``#N/A``
    an error. One that starts like a formula also gets Excel's own "text" marker (quote prefix),
    so it stays text even after an office worker edits the cell.
    """
    if value is None or value == "":
        # A blank cell, not an empty string that Excel counts as content; it keeps the borders.
        ws.write_blank(row, col, None, look.format())
        return ""
    if isinstance(value, str):
        text = clean_text(value)
        variant = "quoted" if text.startswith(FORMULA_STARTS) else ""
        text = _cell_text(text)
        ws.write_string(row, col, text, look.format(variant))
        return text
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, look.format())
    elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        ws.write_number(row, col, value, look.format())
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, look.format("date"))
    else:  # a NaN or an infinity is no number a cell can hold (XlsxWriter refuses it): its text
        return write_cell(ws, row, col, str(value), look)
    return str(value)


def _as_date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _is_web(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) <= _MAX_LINK_LENGTH


class _Links:
    """Writes a sheet's hyperlinks, and counts them, so the book stays within what Excel opens."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, ws: Worksheet, row: int, col: int, url: str, look: Look) -> bool:
        """Write ``url`` as a link in its cell; False (nothing written) when Excel could not open it."""
        if not _is_web(url) or self.count >= _MAX_HYPERLINKS:
            return False
        # The address is shown as the cell's text; a text that starts like a formula cannot be
        # an http(s) address, so no quote prefix is needed here.
        ws.write_url(row, col, url, look.format("link"), string=url)
        self.count += 1
        return True


def _header(ws: Worksheet, looks: Looks, headers: Sequence[str], row: int = 0) -> None:
    look = looks.get(_HEADER, _CENTER, _BORDER)
    for col, text in enumerate(headers):
        write_cell(ws, row, col, text, look)


def page_scale(widths: Sequence[float]) -> float:
    """The scale Excel prints columns of these widths at, fitted to one landscape A4 page width.

    A column ``w`` characters wide is ``7w + 5`` pixels in Excel's default font (Calibri 11).
    """
    pixels = sum(7 * w + 5 for w in widths)
    return min(1.0, _PRINTABLE_PX / pixels) if pixels else 1.0


def _finish_table(ws: Worksheet, widths: Sequence[int], rows: int) -> None:
    """Frozen header, autofilter, widths and print setup: what every table sheet shares."""
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, rows, len(widths) - 1)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    _print_setup(ws)
    ws.set_landscape()
    ws.repeat_rows(0)


def _print_setup(ws: Worksheet) -> None:
    ws.set_paper(_A4)
    # One page wide, as many tall as the rows need: the widths (MAX_WIDTHS) keep the scale
    # readable, and wrapped rows grow downwards instead of shrinking the page.
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.25, right=0.25)
    ws.set_footer("&C&P / &N")
    ws.set_header("&C&A")


class _Widths:
    """The widest text of each column, as it is written: as wide as the texts need (+4 for the
    autofilter button by the header, +2 for a cell's margins), at most the column's limit."""

    def __init__(self, headers: Sequence[str], limits: Sequence[int], full: Sequence[bool]) -> None:
        self._limits = list(limits)
        self._wanted = [
            limit if whole else display_width(h) + 4
            for h, limit, whole in zip(headers, limits, full, strict=True)
        ]

    def saw(self, col: int, text: str) -> None:
        wanted = self._wanted[col]
        if wanted >= self._limits[col] or len(text) * 2 + 2 <= wanted:
            return  # cannot widen the column: no need to measure (most cells of a long sheet)
        width = display_width(text) + 2
        if width > wanted:
            self._wanted[col] = width

    def result(self) -> list[int]:
        return [min(wanted, limit) for wanted, limit in zip(self._wanted, self._limits, strict=True)]


def _finding_sheet(
    book: Workbook,
    looks: Looks,
    title: str,
    rows: Sequence[ChecklistRow],
    fields: Sequence[str] = SHEET_FIELDS,
) -> None:
    ws = book.add_worksheet(title)
    headers = [CHECKLIST_HEADERS[field] for field in fields]
    _header(ws, looks, headers)
    links = _Links()
    widths = _Widths(headers, [MAX_WIDTHS[f] for f in fields], [f in _FILL_IN for f in fields])
    column_looks = [looks.get(_TOP if field in _NUMBER_FIELDS else _WRAP, _BORDER) for field in fields]
    for r, row in enumerate(rows, start=1):
        values = _values(row)
        for c, field in enumerate(fields):
            value = values[field]
            if field == "deadline" and value:
                value = _as_date(value)  # a date cell: sorts and filters by date
            look = column_looks[c]
            if field in _URL_FIELDS and isinstance(value, str) and links.write(ws, r, c, value, look):
                widths.saw(c, value)
            else:
                widths.saw(c, write_cell(ws, r, c, value, look))
    _finish_table(ws, widths.result(), len(rows))


_COLUMN_FIELDS = tuple(COLUMN_SHEET_HEADERS)


def _columns_sheet(book: Workbook, looks: Looks, title: str, data: ReportData) -> None:
    ws = book.add_worksheet(title)
    headers = [COLUMN_SHEET_HEADERS[field] for field in _COLUMN_FIELDS]
    _header(ws, looks, headers)
    links = _Links()
    widths = _Widths(headers, [_COLUMN_WIDTHS[f] for f in _COLUMN_FIELDS], [False] * len(headers))
    for r, column in enumerate(data.columns, start=1):
        values: dict[str, Any] = {
            "number": r,
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
        fill = _COLUMN_FILL.get(column.status, {})
        for c, field in enumerate(_COLUMN_FIELDS):
            value = values[field]
            look = looks.get(
                _WRAP if isinstance(value, str) else _TOP, _BORDER, fill if field == "status" else {}
            )
            if field == "url" and links.write(ws, r, c, value, look):
                widths.saw(c, value)
            else:
                widths.saw(c, write_cell(ws, r, c, value, look))
    _finish_table(ws, widths.result(), len(data.columns))


class _Cover:
    """The 汇总 sheet, written top to bottom, remembering each column's widest text."""

    def __init__(self, ws: Worksheet, looks: Looks) -> None:
        self.ws, self.looks, self.row = ws, looks, 0
        self.widths: dict[int, int] = {}

    def put(self, col: int, value: Any, *parts: Mapping[str, Any]) -> None:
        text = write_cell(self.ws, self.row, col, value, self.looks.get(*parts))
        if self.row > 0:  # the title's row is not fitted: it may run across the columns
            self._fit(col, text)

    def link(self, col: int, target: str, text: str, *parts: Mapping[str, Any]) -> None:
        self.ws.write_url(self.row, col, target, self.looks.get(*parts).format("link"), string=text)
        self._fit(col, text)

    def _fit(self, col: int, text: str) -> None:
        self.widths[col] = max(self.widths.get(col, 10), display_width(text) + 2)

    def next(self, rows: int = 1) -> None:
        self.row += rows

    def section(self, title: str, headers: Sequence[str]) -> None:
        self.put(0, title, _SECTION)
        self.next()
        if headers:
            for col, text in enumerate(headers):
                self.put(col, text, _HEADER, _CENTER, _BORDER)
            self.next()

    def total(self, total: int) -> None:
        self.put(0, SUMMARY_LABELS["total"], _BOLD)
        self.put(1, total, _BOLD)
        self.next()

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col, col, min(width, 70))


def _summary_sheet(
    ws: Worksheet, looks: Looks, data: ReportData, kind_sheets: dict[FindingKind, str]
) -> None:
    label = SUMMARY_LABELS
    sheet = _Cover(ws, looks)
    sheet.put(0, label["title"], _TITLE)
    sheet.next(2)
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
    for name, value in facts:
        sheet.put(0, name, _BOLD)
        if name == label["start_url"] and _is_web(value):
            sheet.link(1, value, value, _LEFT_WRAP)
        elif name == label["verdict"]:
            sheet.put(1, value, _LEFT_WRAP, _BOLD, _FAIL_FILL if data.tally.would_fail else _PASS_FILL)
        else:
            sheet.put(1, value, _LEFT_WRAP)
        sheet.next()

    sheet.next()
    sheet.section(
        label["veto_section"],
        [label[k] for k in ("indicator", "count", "unit", "limit", "warn_at", "veto_status")],
    )
    for line in data.tally.lines:
        status = TALLY_STATUS_LABELS[line.status]
        values = [line.indicator, line.count, line.unit, line.limit, line.warn_at]
        for col, value in enumerate(values):
            sheet.put(col, value, _BORDER)
        sheet.put(len(values), status, _BORDER, _STATUS_FILL[line.status])
        sheet.next()

    sheet.next()
    by_kind = data.open_by_kind()
    sheet.section(label["by_kind_section"], [CHECKLIST_HEADERS["kind"], label["count"]])
    for kind in FindingKind:
        count = by_kind.get(KIND_LABELS[kind], 0)
        if not count:
            continue
        if kind in kind_sheets:
            # Internal link: one click from the summary to that problem type's sheet.
            sheet.link(0, f"internal:'{kind_sheets[kind]}'!A1", KIND_LABELS[kind], _BORDER)
        else:
            sheet.put(0, KIND_LABELS[kind], _BORDER)
        sheet.put(1, count, _BORDER)
        sheet.next()
    sheet.total(sum(by_kind.values()))

    sheet.next()
    by_severity = data.open_by_severity()
    sheet.section(label["by_severity_section"], [CHECKLIST_HEADERS["severity"], label["count"]])
    for severity in Severity:
        count = by_severity.get(SEVERITY_LABELS[severity], 0)
        if count:
            sheet.put(0, SEVERITY_LABELS[severity], _BORDER)
            sheet.put(1, count, _BORDER)
            sheet.next()
    sheet.total(sum(by_severity.values()))

    sheet.next()
    sheet.section(label["changes_section"], [CHECKLIST_HEADERS["status"], label["count"]])
    for status, count in data.count_by_status().items():
        sheet.put(0, STATE_LABELS.get(status, status), _BORDER)
        sheet.put(1, count, _BORDER)
        sheet.next()

    if data.availability:
        sheet.next()
        sheet.section(label["availability_section"], [])
        for key, value in data.availability.items():
            sheet.put(0, key, _BORDER)
            sheet.put(1, value, _BORDER)
            sheet.next()

    sheet.finish()
    _print_setup(ws)
    ws.set_portrait()


@contextlib.contextmanager
def new_workbook(path: Path, title: str) -> Iterator[tuple[Workbook, Looks]]:
    """A constant-memory workbook, written to ``path`` when the block ends without an error.

    Its rows wait in a temporary folder beside ``path``, on the disk the reports go to (a /tmp
    in memory would hold them all again), and the folder goes in every case: XlsxWriter leaves
    its row files behind when writing fails. A file that cannot be created is the OSError it was.
    """
    with tempfile.TemporaryDirectory(prefix=".rows-", dir=path.parent, ignore_cleanup_errors=True) as rows:
        book = Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": rows,
                # Every text is written with write_string; these keep XlsxWriter from guessing.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        book.set_properties({"title": clean_text(title, one_line=True), "author": "sitecheck"})
        try:
            yield book, Looks(book)
            book.close()
        except FileCreateError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, OSError):
                raise cause from None
            raise OSError(str(exc)) from None
        finally:
            for ws in book.worksheets():
                ws._opt_close()  # the row files' handles (a no-op once closed): then they can go


def write_xlsx(data: ReportData, path: Path) -> None:
    """The checklist workbook: 汇总, 全部问题, one sheet per open problem type, 已整改, 已忽略, 栏目."""
    path = Path(path)
    title = f"{SUMMARY_LABELS['title']} {data.site}"
    # A reader never sees a half-written checklist.
    with atomic_path(path) as tmp, new_workbook(tmp, title) as (book, looks):
        taken: set[str] = set()
        summary = book.add_worksheet(sheet_title(SHEET_SUMMARY, taken))  # first in the book, written last

        open_by_kind: dict[FindingKind, list[ChecklistRow]] = {}
        for row in data.open_rows:
            open_by_kind.setdefault(row.kind, []).append(row)
        kind_sheets: dict[FindingKind, str] = {}
        if data.open_rows:
            _finding_sheet(book, looks, sheet_title(SHEET_ALL, taken), data.open_rows, ALL_SHEET_FIELDS)
        for kind in FindingKind:
            if kind in open_by_kind:
                kind_sheets[kind] = sheet_title(KIND_LABELS[kind], taken)
                _finding_sheet(book, looks, kind_sheets[kind], open_by_kind[kind])
        for title, rows in ((SHEET_FIXED, data.fixed_rows), (SHEET_IGNORED, data.ignored_rows)):
            if rows:
                _finding_sheet(book, looks, sheet_title(title, taken), rows)
        _columns_sheet(book, looks, sheet_title(SHEET_COLUMNS, taken), data)
        _summary_sheet(summary, looks, data, kind_sheets)
