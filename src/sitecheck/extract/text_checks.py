"""The checks that read what a page says: personal data and wrong wording (issue 15).

The detectors are pure functions of a string (extract/privacy.py, extract/wording.py); this
module gives them a page's visible text and turns their records into :class:`TextHit` facts for
the store. Script, style and template text is left out (a visitor never reads it, and scripts are
full of digit runs); block elements are kept apart by a line break, so numbers in two table
cells never run together into one.

A page's hits are capped per check (``MAX_HITS_PER_CHECK``): a page that publishes a whole roster
is a leak found ten times as surely as a hundred times, and the store stays small. The cap is
said in the last hit's note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from sitecheck.extract import page_title, visible_text
from sitecheck.extract.annual_report import (
    APPLICATION_TABLE,
    REVIEW_TABLE,
    read_annual_report,
    read_application_table,
    read_review_table,
)
from sitecheck.extract.attachments import Extracted, column_letter
from sitecheck.extract.privacy import (
    KIND_LABELS,
    PersonalHit,
    RosterLeak,
    find_personal_data,
    find_roster_leaks,
)
from sitecheck.extract.wording import WordingMatcher, WordingRules
from sitecheck.models import TextCheck, TextHit

MAX_HITS_PER_CHECK = 20
# Text read per page at most: a generated megabyte of numbers is not worth seconds of a crawl.
MAX_TEXT_CHARS = 400_000
# A roster needs a header and a few rows: tables smaller than this are not looked at.
_ROSTER_MIN_ROWS = 3
_MAX_TABLE_ROWS = 2000


@dataclass(frozen=True, slots=True)
class TextChecker:
    """Which text checks run, with the wording rules (built once per process)."""

    privacy: bool = True
    wording: WordingRules | None = None
    annual_report: bool = True  # 政府信息公开工作年度报告: which year, which sections
    _matcher: list[WordingMatcher] = field(default_factory=list, compare=False, repr=False)

    @property
    def enabled(self) -> bool:
        return self.privacy or self.wording is not None or self.annual_report

    def matcher(self) -> WordingMatcher | None:
        if self.wording is None:
            return None
        if not self._matcher:
            self._matcher.append(WordingMatcher(self.wording))
        return self._matcher[0]


def page_text(tree: LexborHTMLParser) -> str:
    """What a visitor can read of the page, up to the text checks' bound (see visible_text).

    Removes the invisible elements from ``tree``: call it after every other analysis."""
    return visible_text(tree)[:MAX_TEXT_CHARS]


def check_page(
    tree: LexborHTMLParser, checker: TextChecker, today: date, visible: Callable[[], str] | None = None
) -> tuple[TextHit, ...]:
    """Every text check's hits on one parsed page (its tree loses its scripts: call it last;
    ``visible``: the page's visible_text, read once for the analyses that share it)."""
    if not checker.enabled:
        return ()
    title = page_title(tree)
    text = page_text(tree) if visible is None else visible()[:MAX_TEXT_CHARS]
    hits: list[TextHit] = []
    report = read_annual_report(title, text) if checker.annual_report else None
    if report is not None:
        # The report's year and the sections it shows: the judge decides what is late or missing.
        sections = ",".join(map(str, report.sections))
        year = str(report.year)
        hits.append(TextHit(TextCheck.ANNUAL_REPORT, "annual_report", year, "", "", title[:120], sections))
        table = read_application_table(tree)
        if table is not None:  # 表三's four tied rows, as read: the judge does the arithmetic
            hits.append(
                TextHit(TextCheck.ANNUAL_REPORT, APPLICATION_TABLE, year, "", "", "", table.encoded())
            )
        review = read_review_table(tree)
        if review is not None:  # 表四's row, as read: the judge adds up its three groups
            hits.append(TextHit(TextCheck.ANNUAL_REPORT, REVIEW_TABLE, year, "", "", "", review.encoded()))
    if checker.privacy:
        hits.extend(_privacy(tree, text, today))
    matcher = checker.matcher()
    if matcher is not None:
        found = [
            TextHit(
                TextCheck.WORDING,
                str(hit.category),
                hit.text,
                hit.suggestion,
                "certain" if hit.certain else "unsure",
                hit.context,
                "；".join(filter(None, [hit.note, hit.source])),
            )
            for hit in matcher.find(text)
        ]
        hits.extend(_capped(found))
    return tuple(hits)


def _privacy(tree: LexborHTMLParser, text: str, today: date) -> list[TextHit]:
    found = find_personal_data(text, today=today)
    if not found:
        return []
    hits = [_personal(hit) for hit in found]
    if len(found) >= 2:
        hits[:0] = _rosters(tree, today)  # a roster first: it says most about the page
    return _capped(hits)


def _personal(hit: PersonalHit, place: str = "") -> TextHit:
    return TextHit(
        TextCheck.PRIVACY,
        str(hit.kind),
        hit.masked,
        "",
        str(hit.level),
        hit.context,
        "；".join(hit.reasons),
        place,
    )


def _roster(leak: RosterLeak, place: str = "") -> TextHit:
    return TextHit(
        TextCheck.PRIVACY,
        "roster",
        "、".join(leak.examples),
        "",
        str(leak.level),
        f"表格“{leak.header}”列，{leak.hits} 行含{KIND_LABELS[leak.kind]}，旁有姓名列",
        str(leak.kind),
        place,
    )


# Facts about an attachment that was not read (or not all of it): TextHit.kind, with the reason
# in ``value`` (attachments.UNREADABLE_REASONS) or what was left out in ``note``.
UNREADABLE = "unreadable"
PARTLY_READ = "partly_read"


def check_attachment(extracted: Extracted, today: date) -> tuple[TextHit, ...]:
    """The personal-data hits of an attachment's text, each with its place (page, sheet and
    cell, table row), and the facts of what could not be read: a scanned or legacy document is
    one ``unreadable`` hit (never an empty, clean answer), a partly read one adds ``partly_read``."""
    if extracted.unreadable:
        return (TextHit(TextCheck.PRIVACY, UNREADABLE, extracted.unreadable, "", "", "", "", ""),)
    hits: list[TextHit] = []
    for place, rows in extracted.tables:
        if len(rows) < _ROSTER_MIN_ROWS:
            continue
        for leak in find_roster_leaks([list(row) for row in rows], today=today):
            letter = column_letter(leak.column + 1)
            if place.startswith("工作表"):  # a spreadsheet: its column's letter
                where = f"{place}{letter} 列"
            elif place == "表格":  # a CSV file
                where = f"{place} {letter} 列"
            else:  # a Word table: the header names the column
                where = place
            hits.append(_roster(leak, where))
    for chunk in extracted.chunks:
        for hit in find_personal_data(chunk.text, today=today):
            hits.append(_personal(hit, chunk.place_at(hit.offset)))
    kept = _capped(hits, "本附件")
    if extracted.limited:
        kept.append(
            TextHit(TextCheck.PRIVACY, PARTLY_READ, extracted.kind, "", "", "", extracted.limited, "")
        )
    return tuple(kept)


def _rosters(tree: LexborHTMLParser, today: date) -> list[TextHit]:
    """名单: tables whose column of numbers stands beside a 姓名 column."""
    hits: list[TextHit] = []
    for table in tree.css("table"):
        rows: list[list[str]] = []
        for row in table.css("tr")[:_MAX_TABLE_ROWS]:
            rows.append([(cell.text(deep=True, separator=" ") or "").strip() for cell in row.css("td, th")])
        if len(rows) < _ROSTER_MIN_ROWS:
            continue
        hits.extend(_roster(leak) for leak in find_roster_leaks(rows, today=today))
    return hits


def _capped(hits: list[TextHit], where: str = "本页") -> list[TextHit]:
    if len(hits) <= MAX_HITS_PER_CHECK:
        return hits
    kept = hits[:MAX_HITS_PER_CHECK]
    last = kept[-1]
    more = len(hits) - MAX_HITS_PER_CHECK
    kept[-1] = last._replace(note="；".join(filter(None, [last.note, f"{where}另有 {more} 处未列出"])))
    return kept
