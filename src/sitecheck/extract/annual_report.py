"""政府信息公开工作年度报告: is a page one, of which year, and which of its sections it shows.

条例 第四十九条: a department publishes the previous year's report by 31 January, the 本级政府's
whole-of-government report by 31 March. Its format (国办公开办函〔2021〕30号, from the 2021 reports
on) has six sections:

  一、总体情况
  二、主动公开政府信息情况
  三、收到和处理政府信息公开申请情况
  四、政府信息公开行政复议、行政诉讼情况
  五、存在的主要问题及改进情况
  六、其他需要报告的事项

A page is a report when its title names one with its year ("某市发展和改革委员会2025年政府信息
公开工作年度报告", "2025年度政府信息公开工作年报"). Its sections are looked for as headings in the
page's text, by their words (numbering and spacing vary). Many reports are published as a PDF
behind a short page ("详见附件"): a page that shows fewer than ``MIN_SECTIONS_SHOWN`` of the
six does not carry the report's text, and nothing is said about its contents. The crawl then
reads the report's file itself (``REPORT_FILE_EXTENSIONS`` linked from a report page, or linked
from a list by a report's title): extract/report_file.py.

Reports of several publishers stand side by side in one 年报 column (a city portal lists every
department's): :func:`publisher_of` tells them apart by the words before the year in the title.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from selectolax.lexbor import LexborHTMLParser

# The six sections: their names in the format, and the pattern of a heading that names each and
# no other (spaces and punctuation removed). Real reports word them in their own ways — "行政机关
# 主动公开政府信息情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况" (the 2019 format's words),
# "存在问题及改进情况", "政府信息公开工作存在的主要问题及改进情况", "其他需要报告事项" — and a section
# missed for its wording would be a false "incomplete": the patterns take every such variant.
SECTIONS: tuple[tuple[int, str, re.Pattern[str]], ...] = (
    (1, "总体情况", re.compile(r"总体情况")),
    (2, "主动公开政府信息情况", re.compile(r"主动公开政府信息")),
    (3, "收到和处理政府信息公开申请情况", re.compile(r"收到和?处理政府信息公开申请|依申请公开")),
    (4, "政府信息公开行政复议、行政诉讼情况", re.compile(r"行政复议.{0,8}行政诉讼")),
    (5, "存在的主要问题及改进情况", re.compile(r"存在.{0,6}问题.{0,8}改进|问题.{0,4}改进(?:情况|措施)")),
    (6, "其他需要报告的事项", re.compile(r"其他需要报告的?事项")),
)
# From this report year on the six sections are the national format (30号 took effect with
# the 2021 reports).
FORMAT_SINCE = 2021
# A page showing fewer section headings than this does not carry the report's text.
MIN_SECTIONS_SHOWN = 3

_TITLE = re.compile(r"(?<!\d)(20\d{2})\s*年度?[^。；\n]{0,20}?政府信息公开(?:工作)?(?:年度报告|年报)")
# A notice about reports, not a report: 关于做好2025年度政府信息公开工作年度报告编制工作的通知.
_NOT_BEFORE = re.compile(r"关于|印发|报送|做好|编制")
_NOT_AFTER = re.compile(r"的?(?:通知|格式|编制|工作|说明|解读|填报)")
_T = TypeVar("_T")
_SQUEEZE = re.compile(r"[\s、，,。.:：（）()\u3000]+")
# Where a site's or column's name ends before the publisher's in a title.
_PREFIX_END = re.compile(r"[-_|｜—–>＞»·]+")


@dataclass(frozen=True, slots=True)
class AnnualReport:
    year: int  # the year the report covers
    sections: tuple[int, ...]  # the section numbers (1–6) shown as headings on the page

    @property
    def carries_text(self) -> bool:
        """The page shows the report itself, not only a link to a file."""
        return len(self.sections) >= MIN_SECTIONS_SHOWN

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(n for n, _, _ in SECTIONS if n not in self.sections)


def publisher_of(title: str) -> str:
    """Who publishes the report a title names: its words before the year, after any site or
    column prefix ("某市人民政府-某市发展和改革委员会2025年…" → "某市发展和改革委员会"); "" when the
    title names none (the portal's own report) or is no report's."""
    match = _TITLE.search(title)
    if match is None:
        return ""
    head = _PREFIX_END.split(title[: match.start()])[-1]
    return _SQUEEZE.sub("", head)


def read_annual_report(title: str, text: str) -> AnnualReport | None:
    """The report a page is, from its title and visible text; None for any other page."""
    match = _TITLE.search(title)
    if match is None or _NOT_BEFORE.search(title[: match.start()]) or _NOT_AFTER.match(title, match.end()):
        return None  # no report named, or a notice about reports
    lines = {_SQUEEZE.sub("", line) for line in text.splitlines() if 0 < len(line.strip()) <= 60}
    shown = tuple(number for number, _, pattern in SECTIONS if any(pattern.search(line) for line in lines))
    return AnnualReport(int(match.group(1)), shown)


def section_names(numbers: tuple[int, ...]) -> str:
    """ "五、存在的主要问题及改进情况" style names of the given sections, joined by "；"."""
    numerals = "一二三四五六"
    names = {n: name for n, name, _ in SECTIONS}
    return "；".join(f"{numerals[n - 1]}、{names[n]}" for n in numbers)


# 表三 (收到和处理政府信息公开申请情况): its rows that the format's arithmetic ties together, by the
# words of their label. Each row has seven numbers: 自然人, five kinds of 法人或其他组织, 总计.
APPLICATION_ROWS: tuple[tuple[str, str], ...] = (
    ("new", "本年新收政府信息公开申请数量"),
    ("carried", "上年结转政府信息公开申请数量"),
    ("total", "总计"),
    ("next", "结转下年度继续办理"),
)
APPLICATION_COLUMNS = 7
# 三、本年度办理结果 has this many rows of numbers above （七）总计 in the 2021 format: （一）予以公开,
# （二）部分公开, （三）不予公开's 8 reasons, （四）无法提供's 3, （五）不予处理's 5, （六）其他处理's 3.
RESULT_ROWS = 21
APPLICATION_TABLE = "application_table"  # the kind of the text hit that carries the four rows
_NUMBER = re.compile(r"^\s*(\d{1,7})\s*$")
_FIRST_ROW = APPLICATION_ROWS[0][1]  # the words that show a table is 表三


@dataclass(frozen=True, slots=True)
class ApplicationTable:
    """The four rows of 表三 the format ties together: 一 + 二 = 三（七）总计 + 四, column by column."""

    new: tuple[int, ...]  # 一、本年新收
    carried: tuple[int, ...]  # 二、上年结转
    total: tuple[int, ...]  # 三、本年度办理结果（七）总计
    next: tuple[int, ...]  # 四、结转下年度继续办理
    # The column sums of 三's result rows (（一）予以公开 … （六）其他处理's items, RESULT_ROWS of them)
    # when every one was read; () when not: then nothing is said about （七）总计's parts.
    parts: tuple[int, ...] = ()

    def part_mismatches(self) -> tuple[int, ...]:
        """The columns (0-based) where 三's result rows do not add up to （七）总计."""
        if not self.parts:
            return ()
        return tuple(i for i in range(APPLICATION_COLUMNS) if self.parts[i] != self.total[i])

    def mismatches(self) -> tuple[int, ...]:
        """The columns (0-based) where 一 + 二 differs from 三 + 四."""
        return tuple(
            i
            for i in range(APPLICATION_COLUMNS)
            if self.new[i] + self.carried[i] != self.total[i] + self.next[i]
        )

    def encoded(self) -> str:
        rows = (self.new, self.carried, self.total, self.next) + ((self.parts,) if self.parts else ())
        return "|".join(",".join(map(str, row)) for row in rows)

    @classmethod
    def decoded(cls, text: str) -> ApplicationTable | None:
        try:
            rows = [tuple(int(n) for n in part.split(",")) for part in text.split("|")]
        except ValueError:
            return None
        if len(rows) not in (4, 5) or any(len(row) != APPLICATION_COLUMNS for row in rows):
            return None
        return cls(*rows)


def read_application_table(tree: LexborHTMLParser) -> ApplicationTable | None:
    """表三 of a report page, when it is an HTML table whose four tied rows each end in seven
    numbers; None otherwise (a picture, a PDF, a table laid out differently: nothing is claimed)."""
    return _first_table(tree, lambda text: _FIRST_ROW in _SQUEEZE.sub("", text), application_table_from_rows)


def _first_table(
    tree: LexborHTMLParser, shows: Callable[[str], bool], read: Callable[[Iterable[Sequence[str]]], _T | None]
) -> _T | None:
    """What ``read`` makes of the rows of the first HTML table whose text ``shows`` it is the one."""
    for table in tree.css("table"):
        if not shows(table.text(deep=True, separator="")):
            continue
        rows = (
            [(cell.text(deep=True, separator="") or "") for cell in row.css("td, th")]
            for row in table.css("tr")
        )
        found = read(rows)
        if found is not None:
            return found
    return None


def application_table_from_rows(rows: Iterable[Sequence[str]]) -> ApplicationTable | None:
    """表三 from a table's rows of cell texts (an HTML or a Word table): the four tied rows, each
    the first row whose label names it and whose last seven cells are numbers."""
    found: dict[str, tuple[int, ...]] = {}
    results: list[tuple[int, ...]] = []  # 三's rows, between 二 and （七）总计
    for cells in rows:
        numbers: list[int] = []
        for cell in reversed(cells):
            match = _NUMBER.match(cell)
            if match is None:
                break
            numbers.append(int(match.group(1)))
        if len(numbers) < APPLICATION_COLUMNS:
            continue
        row = tuple(reversed(numbers[:APPLICATION_COLUMNS]))
        label = _SQUEEZE.sub("", "".join(cells[: len(cells) - len(numbers)]))
        name = next((name for name, words in APPLICATION_ROWS if words in label and name not in found), None)
        if name is not None:
            found[name] = row
        elif "carried" in found and "total" not in found:
            results.append(row)
    if len(found) == len(APPLICATION_ROWS):
        new, carried, total, after = (found[name] for name, _ in APPLICATION_ROWS)
        return ApplicationTable(new, carried, total, after, _parts(results))
    return None


def _parts(results: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The column sums of 三's result rows, only when all of them were read (RESULT_ROWS, each
    row's 总计 the sum of its six: numbers out of their columns would not be); else ()."""
    if len(results) != RESULT_ROWS or any(sum(row[:-1]) != row[-1] for row in results):
        return ()
    return tuple(sum(row[i] for row in results) for i in range(APPLICATION_COLUMNS))


# A line of a PDF page's text laid out as printed: a label, then seven numbers and nothing else.
_LINE_ROW = re.compile(r"^\s*(?P<label>\S.*?)\s+(?P<numbers>\d{1,7}(?:\s+\d{1,7}){6})\s*$")
_NUMBERS_ONLY = re.compile(r"^\s*(?P<numbers>\d{1,7}(?:\s+\d{1,7}){6})\s*$")  # a row whose label wrapped


def application_table_from_lines(lines: Iterable[str]) -> ApplicationTable | None:
    """表三 from a PDF's text laid out as printed (pypdf's layout mode: a row's cells on one line,
    left to right), only where the reading leaves no doubt; None otherwise.

    A PDF has no table, only text placed on a page, so a row is believed only when its whole
    label and exactly seven numbers share one line, each of the four rows is found exactly once,
    and every row's 总计 (its last number) is the sum of the six before it: numbers that were not
    tied to their columns would not add up. A wrapped label, an empty cell, a number out of place:
    nothing is read, and nothing is said about the arithmetic."""
    found: dict[str, list[tuple[int, ...]]] = {}
    results: list[tuple[int, ...]] = []  # 三's rows between 二 and （七）总计 (a label may wrap)
    for line in lines:
        match = _LINE_ROW.match(line) or _NUMBERS_ONLY.match(line)
        if match is None:
            continue
        label = _SQUEEZE.sub("", match.groupdict().get("label") or "")
        numbers = tuple(int(n) for n in match.group("numbers").split())
        name = next((name for name, words in APPLICATION_ROWS if label and words in label), None)
        if name is not None:
            found.setdefault(name, []).append(numbers)
        elif "carried" in found and "total" not in found:
            results.append(numbers)
    if any(len(found.get(name, ())) != 1 for name, _ in APPLICATION_ROWS):
        return None
    new, carried, total, after = (found[name][0] for name, _ in APPLICATION_ROWS)
    if any(sum(row[:-1]) != row[-1] for row in (new, carried, total, after)):
        return None
    return ApplicationTable(new, carried, total, after, _parts(results))


COLUMN_NAMES = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


# 表四 (政府信息公开行政复议、行政诉讼情况): one row of fifteen numbers, three groups of five —
# 行政复议, 行政诉讼 未经复议直接起诉, 行政诉讼 复议后起诉 — each 结果维持, 结果纠正, 其他结果, 尚未审结
# and their 总计 (国办公开办函〔2021〕30号). A 总计 that is not the sum of its four is a wrong report.
REVIEW_TABLE = "review_table"  # the kind of the text hit that carries the row
REVIEW_GROUPS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
REVIEW_PARTS = ("结果维持", "结果纠正", "其他结果", "尚未审结")
_REVIEW_VALUES = 15
_REVIEW_WORDS = ("行政复议", "行政诉讼", "结果维持")  # what 表四's header shows
_REVIEW_LINE = re.compile(r"^\s*\d{1,7}(?:\s+\d{1,7}){14}\s*$")


@dataclass(frozen=True, slots=True)
class ReviewTable:
    """表四's row as read; ``from_layout``: read from a PDF's text as laid out (待核实 when wrong)."""

    values: tuple[int, ...]
    from_layout: bool = False

    def mismatches(self) -> tuple[int, ...]:
        """The groups (0-based, REVIEW_GROUPS) whose 总计 is not the sum of its four parts."""
        return tuple(
            g
            for g in range(len(REVIEW_GROUPS))
            if sum(self.values[g * 5 : g * 5 + 4]) != self.values[g * 5 + 4]
        )

    def encoded(self) -> str:
        return ("pdf:" if self.from_layout else "") + ",".join(map(str, self.values))

    @classmethod
    def decoded(cls, text: str) -> ReviewTable | None:
        layout = text.startswith("pdf:")
        try:
            values = tuple(int(n) for n in text.removeprefix("pdf:").split(","))
        except ValueError:
            return None
        return cls(values, layout) if len(values) == _REVIEW_VALUES else None


def _is_review_table(text: str) -> bool:
    squeezed = _SQUEEZE.sub("", text)
    return all(word in squeezed for word in _REVIEW_WORDS)


def read_review_table(tree: LexborHTMLParser) -> ReviewTable | None:
    """表四 of a report page, when it is an HTML table with one row of exactly fifteen numbers."""
    return _first_table(tree, _is_review_table, review_table_from_rows)


def review_table_from_rows(rows: Iterable[Sequence[str]]) -> ReviewTable | None:
    """表四 from a table's rows of cell texts (HTML or Word): the one row whose non-empty cells
    are exactly fifteen numbers; None when there is none or more than one (a table laid out
    otherwise says nothing)."""
    found: list[tuple[int, ...]] = []
    for cells in rows:
        texts = [cell.strip() for cell in cells if cell.strip()]
        if len(texts) == _REVIEW_VALUES and all(_NUMBER.match(t) for t in texts):
            found.append(tuple(int(t) for t in texts))
    return ReviewTable(found[0]) if len(found) == 1 else None


def review_table_from_lines(lines: Iterable[str]) -> ReviewTable | None:
    """表四 from a PDF's text laid out as printed: after a line naming 行政复议 or 行政诉讼, the
    one line that is exactly fifteen numbers (left to right as printed); None otherwise."""
    seen_header = False
    found: list[tuple[int, ...]] = []
    for line in lines:
        squeezed = _SQUEEZE.sub("", line)
        if "行政复议" in squeezed or "行政诉讼" in squeezed:
            seen_header = True
        elif seen_header and _REVIEW_LINE.match(line):
            found.append(tuple(int(n) for n in line.split()))
    return ReviewTable(found[0], from_layout=True) if len(found) == 1 else None


# -- the report's own file ------------------------------------------------------------------------

# Files a report is published as (its text read for the sections even when ``[content]
# attachments`` is off: one file a year). Spreadsheets are tables to a report, never the report.
REPORT_FILE_EXTENSIONS = frozenset({"pdf", "docx", "doc", "wps"})
# TextHit kinds of a report's file that could not be read (the reason in ``note``).
REPORT_UNREADABLE = "report_unreadable"
# Target.note of a file the crawl reads as an annual report: this prefix, then the report's title.
_FILE_NOTE = "annual-report-file:"


def report_file_note(title: str) -> str:
    """The frontier's note for a linked file that is the report ``title`` names."""
    return f"{_FILE_NOTE}{title[:200]}"


def report_title_of(note: str) -> str:
    """The report title a target's note names; "" for any other target."""
    return note[len(_FILE_NOTE) :] if note.startswith(_FILE_NOTE) else ""
