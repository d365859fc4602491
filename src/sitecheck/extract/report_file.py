"""The file an annual report is published as: which of its six sections it shows, and its 表三.

Many offices publish the 政府信息公开工作年度报告 as a PDF or Word file behind a short page
("全文详见附件"), or link the file straight from the 年报 list. The crawl reads that file (one a
year: cheap, so even when ``[content] attachments`` is off, within ``attachment_max_bytes``) and
records the same facts as for a report page, under the file's own URL:

- ``annual_report``: the year, the title (the page's, or the list link's), the sections found;
- ``application_table``: 表三's four tied rows, when they can be read without doubt — from a
  Word table like an HTML one, from a PDF only through its text laid out as printed, row by row
  (annual_report.application_table_from_lines says when a PDF's numbers are believed);
- ``review_table``: 表四's row of fifteen numbers (行政复议, 行政诉讼 two ways), from a Word table,
  or from a PDF's laid-out text when exactly one line of fifteen numbers follows its header
  (marked as read from a layout: a wrong sum there is 待核实, not a deduction);
- ``report_unreadable``: the file could not be read (a scan, an encrypted or damaged file, one
  over the size cap), with the reason: its sections are then 待核实, never "missing".

The judge (judge/annual.py) weighs a report's page and its file together, by title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sitecheck.extract.annual_report import (
    APPLICATION_TABLE,
    REPORT_FILE_EXTENSIONS,
    REPORT_UNREADABLE,
    REVIEW_TABLE,
    ReviewTable,
    application_table_from_lines,
    application_table_from_rows,
    read_annual_report,
    report_file_note,
    review_table_from_lines,
    review_table_from_rows,
)
from sitecheck.extract.attachments import Extracted, pdf_layout_text
from sitecheck.models import LinkRef, TextCheck, TextHit
from sitecheck.urls import extension_of

# 表三's first row: the pages of a PDF that hold it are laid out again to read the table.
_TABLE_WORDS = "本年新收政府信息公开申请数量"
_REVIEW_WORDS = "结果维持"  # 表四's header: the pages that show it are laid out too
_PAGE = re.compile(r"^第 (\d+) 页$")
_SPACE = re.compile(r"\s+")


def report_title(page_hits: Iterable[TextHit]) -> str:
    """The title of the annual report a page is (from its text hits); "" for any other page."""
    return next(
        (
            hit.context
            for hit in page_hits
            if hit.check is TextCheck.ANNUAL_REPORT and hit.kind == "annual_report"
        ),
        "",
    )


def report_file(ref: LinkRef, page_report: str) -> str:
    """The frontier note of a link that is an annual report's file: a PDF or Word file linked
    from the report's page (``page_report``: its title), or linked by a report's title (a 年报
    list that links the files themselves); "" for any other link."""
    if ref.url is None or not _may_name_a_file(ref.url):
        return ""
    if extension_of(ref.url) not in REPORT_FILE_EXTENSIONS:
        return ""
    if page_report:
        return report_file_note(page_report)
    text = " ".join(ref.text.split())
    return report_file_note(text) if read_annual_report(text, "") is not None else ""


def _may_name_a_file(url: str) -> bool:
    """Whether the URL can have a report file's extension at all: a substring test that spares
    parsing every link of every page (the crawl asks this of ~40 links a page)."""
    lowered = url.lower()
    return "%" in lowered or ".pdf" in lowered or ".doc" in lowered or ".wps" in lowered


def check_report_file(title: str, extracted: Extracted, body: bytes) -> tuple[TextHit, ...]:
    """The annual-report facts of a file that is the report ``title`` names (``body``: its bytes,
    for laying a PDF's table pages out again); () when the title names no report."""
    report = read_annual_report(title, "")
    if report is None:
        return ()
    year = str(report.year)
    if extracted.unreadable:
        return (unreadable_report(title, extracted.unreadable),)
    text = "\n".join(chunk.text for chunk in extracted.chunks)
    read = read_annual_report(title, text)
    sections = ",".join(map(str, read.sections)) if read is not None else ""
    hits = [TextHit(TextCheck.ANNUAL_REPORT, "annual_report", year, "", "", title[:120], sections)]
    table = None
    review: ReviewTable | None = None
    if extracted.kind in ("docx", "doc"):  # Word tables (a .doc's through antiword), as HTML ones
        table = next(
            (t for _, rows in extracted.tables if (t := application_table_from_rows(rows)) is not None), None
        )
        review = next(
            (r for _, rows in extracted.tables if (r := review_table_from_rows(rows)) is not None), None
        )
    elif extracted.kind == "pdf":
        pages = _pages_showing(extracted, _TABLE_WORDS)
        review_pages = _pages_showing(extracted, _REVIEW_WORDS)
        if pages or review_pages:
            # 表三 is long: it usually runs on to the next page, its 三（七）总计 and 四 rows after
            # the break (every real report of tests/corpus/annual-reports does).
            wanted = {p + d for p in pages[:2] for d in (0, 1)} | set(review_pages[:2])
            laid_out = pdf_layout_text(body, sorted(wanted))
            lines = [line for number in sorted(laid_out) for line in laid_out[number].splitlines()]
            table = application_table_from_lines(lines)
            review = review_table_from_lines(
                line
                for number in sorted(laid_out)
                if number in review_pages
                for line in laid_out[number].splitlines()
            )
    if table is not None:  # the four tied rows, as read: the judge does the arithmetic
        hits.append(TextHit(TextCheck.ANNUAL_REPORT, APPLICATION_TABLE, year, "", "", "", table.encoded()))
    if review is not None:
        hits.append(TextHit(TextCheck.ANNUAL_REPORT, REVIEW_TABLE, year, "", "", "", review.encoded()))
    return tuple(hits)


def _pages_showing(extracted: Extracted, words: str) -> list[int]:
    """The numbers of a PDF's pages whose text shows ``words`` (spaces ignored)."""
    return [
        int(match.group(1))
        for chunk in extracted.chunks
        if (match := _PAGE.match(chunk.place)) and words in _SPACE.sub("", chunk.text)
    ]


def unreadable_report(title: str, reason: str) -> TextHit:
    """The fact that the report's file could not be read (attachments.UNREADABLE_REASONS)."""
    report = read_annual_report(title, "")
    year = str(report.year) if report is not None else ""
    return TextHit(TextCheck.ANNUAL_REPORT, REPORT_UNREADABLE, year, "", "", title[:120], reason)
