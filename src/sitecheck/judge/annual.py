"""政府信息公开工作年度报告 (issue 15, part 3): the last report that is due, on time and whole.

条例 第四十九条: the previous year's report is published by 31 January (a department) or 31 March
(the 本级政府's whole-of-government report: ``[content] annual_report_due``). Only the report
that is due last on the day judged is looked at: earlier years are history.

- **Late** (deduction): the report was found, and the list that carries it dates it after the
  deadline. A report whose date is not shown on any list is not claimed late.
- **Incomplete** (deduction): the page shows the report's text (at least three of the six
  sections of 国办公开办函〔2021〕30号 as headings) and one or more sections are missing. A page that
  only links to a file shows no sections: nothing is said about its contents.
- **Not found** (warning, 待核实): earlier reports were found but not this one. Absence is weak
  evidence (the report may be on a 政府信息公开 platform the crawl did not reach); a portal where
  no report at all was found gets no finding, only nothing to show.

- **Wrong totals** (deduction): 表三, read from an HTML or Word table whose four tied rows each
  end in seven numbers (or from a PDF, only where annual_report.application_table_from_lines
  leaves no doubt), breaks the format's identity 一（本年新收）+ 二（上年结转）= 三（办理结果总计）+ 四
  （结转下年度）in some column. A table laid out otherwise, or a picture, is not read: nothing is said.
- **Not readable** (warning, 待核实): the year's report shows its text only in a file (PDF, Word)
  that could not be read (a scan, encrypted, over the size cap): its sections are unknown, not
  missing.

A report's page and the file it is published as (extract/report_file.py) are one report: the
one of them that shows most sections is judged, dated by the list that links either. A 年报
column that lists several publishers' reports (a city portal lists every department's) has each
publisher's report judged on its own (annual_report.publisher_of: the title's words before the
year); "not found" (待核实) is said when no report of the year was found at all, or for a
publisher that has the year before's report in a list where others have this year's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sitecheck.extract.annual_report import (
    APPLICATION_TABLE,
    COLUMN_NAMES,
    FORMAT_SINCE,
    MIN_SECTIONS_SHOWN,
    REPORT_UNREADABLE,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    REVIEW_TABLE,
    SECTIONS,
    ApplicationTable,
    ReviewTable,
    publisher_of,
    section_names,
)
from sitecheck.extract.attachments import UNREADABLE_REASONS
from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.judge.placement import Place, Placement
from sitecheck.models import Finding, FindingKind, Severity, TextCheck
from sitecheck.store import RunFacts
from sitecheck.urls import canonical

BASIS = "《政府信息公开条例》第四十九条；格式依据国办公开办函〔2021〕30号"


def last_due_year(as_of: date, due: tuple[int, int]) -> int:
    """The year whose report is the last one due on ``as_of`` (the deadline day itself counts)."""
    return as_of.year - 1 if as_of > date(as_of.year, *due) else as_of.year - 2


@dataclass(slots=True)
class _Report:
    """What was read of one publisher's report of one year: its page(s) and file(s)."""

    title: str = ""
    urls: list[str] = field(default_factory=list)
    best: tuple[str, tuple[int, ...], bool] = ("", (), False)  # (url, sections, in a file)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file URL, reason)

    def add(self, url: str, sections: tuple[int, ...], attachment: bool, title: str) -> None:
        self.urls.append(url)
        if not self.best[0] or len(sections) > len(self.best[1]):
            self.best = (url, sections, attachment)
            self.title = title


def annual_report(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    rows = facts.text_hits(TextCheck.ANNUAL_REPORT)
    if not rows:
        return
    due = context.annual_report_due
    year = last_due_year(context.as_of, due)
    deadline = date(year + 1, *due)
    placement = context.place_of(facts)
    # By year, then by publisher (a 年报 column may list every department's report): a report's
    # page and the file it is published as share its title, so they are weighed together.
    reports: dict[int, dict[str, _Report]] = {}
    tables: dict[str, ApplicationTable] = {}  # by the report page's (or file's) URL
    reviews: dict[str, ReviewTable] = {}  # 表四, the same way
    for row in rows:
        hit = row.hit
        if hit.kind == APPLICATION_TABLE:
            table = ApplicationTable.decoded(hit.note)
            if table is not None:
                tables[row.url] = table
            continue
        if hit.kind == REVIEW_TABLE:
            review = ReviewTable.decoded(hit.note)
            if review is not None:
                reviews[row.url] = review
            continue
        if not hit.value.isdigit():
            continue
        report = reports.setdefault(int(hit.value), {}).setdefault(publisher_of(hit.context), _Report())
        if hit.kind == REPORT_UNREADABLE:
            report.unreadable.append((row.url, hit.note))
            report.title = report.title or hit.context
            continue
        sections = tuple(int(n) for n in hit.note.split(",") if n)
        report.add(row.url, sections, row.attachment, hit.context)
    if not reports:
        return
    if not reports.get(year):
        newest = max(reports)
        if newest > year:
            return  # a later report stands: this year's is then unlikely missing (and not due last)
        report = next(iter(reports[newest].values()))
        url = report.best[0] or report.unreadable[0][0]
        yield _finding(
            f"missing:{year}",
            Severity.WARNING,
            url,
            placement.of(url),
            f"未发现{year}年度政府信息公开工作年度报告（应于 {deadline:%Y-%m-%d} 前发布）"
            f"（待核实：本次检查找到的最近一份是{newest}年度「{report.title}」，报告也可能发布在未检查到的平台上）",
        )
        return
    published = _dates(facts)
    for publisher, report in sorted(reports[year].items()):
        yield from _judge_report(year, deadline, publisher, report, tables, published, placement)
        yield from _judge_review(year, publisher, report, reviews, placement)
    # A publisher that published the year before, in a list where others have this year's: its
    # report is the one not there (a department whose reports stopped years ago, merged or
    # abolished in 机构改革, is not asked for one).
    for publisher, before in sorted(reports.get(year - 1, {}).items()):
        if publisher in reports[year]:
            continue
        url = before.best[0] or before.unreadable[0][0]
        who = publisher or "本网站"
        yield _finding(
            f"missing:{year}:{publisher}",
            Severity.WARNING,
            url,
            placement.of(url),
            f"未发现{who}{year}年度政府信息公开工作年度报告（应于 {deadline:%Y-%m-%d} 前发布）"
            f"（待核实：同一栏目已有其他单位的{year}年度报告，而本次检查只找到其{year - 1}年度"
            f"「{before.title}」；报告也可能发布在未检查到的位置）",
        )


def _judge_report(
    year: int,
    deadline: date,
    publisher: str,
    report: _Report,
    tables: dict[str, ApplicationTable],
    published: dict[str, date],
    placement: Placement,
) -> Iterator[Finding]:
    """One publisher's report of the year judged: late, 表三, sections (or 待核实 when its only
    text is a file that could not be read)."""
    suffix = f":{publisher}" if publisher else ""  # the portal's own report keeps the plain key
    url, sections, in_file = report.best
    url = url or report.unreadable[0][0]
    place = placement.of(url)
    title = report.title
    listed = [*report.urls, *(u for u, _ in report.unreadable)]
    when = min((d for u in listed if (d := published.get(canonical(u))) is not None), default=None)
    if when is not None and when > deadline:
        yield _finding(
            f"late:{year}{suffix}",
            Severity.DEDUCTION,
            url,
            place,
            f"{year}年度政府信息公开工作年度报告发布逾期：列表显示发布日期 {when:%Y-%m-%d}，"
            f"应于 {deadline:%Y-%m-%d} 前发布（逾期 {(when - deadline).days} 天）。依据：「{title}」",
        )
    table = tables.get(url)
    wrong = table.mismatches() if table is not None else ()
    parts = table.part_mismatches() if table is not None else ()
    if table is not None and (wrong or parts):
        claims = []
        if wrong:
            sums = "；".join(
                f"{COLUMN_NAMES[i]}列 {table.new[i]}+{table.carried[i]}≠{table.total[i]}+{table.next[i]}"
                for i in wrong
            )
            claims.append(f"“本年新收”加“上年结转”应等于“办理结果总计”加“结转下年度继续办理”，但{sums}")
        if parts:
            sums = "；".join(
                f"{COLUMN_NAMES[i]}列 各项之和 {table.parts[i]}≠总计 {table.total[i]}" for i in parts
            )
            claims.append(f"“（七）总计”应等于（一）予以公开至（六）其他处理各项之和，但{sums}")
        yield _finding(
            f"table:{year}{suffix}",
            Severity.DEDUCTION,
            url,
            place,
            f"{year}年度政府信息公开工作年度报告表三数据不一致：" + "；".join(claims),
        )
    missing = tuple(n for n, _, _ in SECTIONS if n not in sections)
    where = "附件" if in_file else "页面"
    if year >= FORMAT_SINCE and len(sections) >= MIN_SECTIONS_SHOWN and missing:
        yield _finding(
            f"sections:{year}{suffix}",
            Severity.DEDUCTION,
            url,
            place,
            f"{year}年度政府信息公开工作年度报告内容不全：缺少“{section_names(missing)}”"
            f"（{where}中找到 {len(sections)} 个部分：{section_names(sections)}）",
        )
    elif year >= FORMAT_SINCE and len(sections) < MIN_SECTIONS_SHOWN and report.unreadable:
        # The report's text is only in a file that could not be read: its contents are not
        # known, which is not the same as missing.
        file_url, reason = report.unreadable[0]
        why = UNREADABLE_REASONS.get(reason, reason)
        yield _finding(
            f"unread:{year}{suffix}",
            Severity.WARNING,
            file_url,
            placement.of(file_url),
            f"{year}年度政府信息公开工作年度报告的附件无法读取（{why}），未能核对是否包含国办公开办函〔2021〕30号"
            f"规定的六个部分（待核实：请人工查看）。依据：「{title}」",
        )


def _judge_review(
    year: int, publisher: str, report: _Report, reviews: dict[str, ReviewTable], placement: Placement
) -> Iterator[Finding]:
    """表四 of the year's report: each group's 总计 the sum of its four results. Read from a
    Word or HTML table, a wrong sum is a deduction; read from a PDF's layout, 待核实."""
    url = next((u for u in (report.best[0], *report.urls) if u in reviews), "")
    if not url:
        return
    review = reviews[url]
    wrong = review.mismatches()
    if not wrong:
        return
    sums = "；".join(
        f"{REVIEW_GROUPS[g]} "
        + "+".join(f"{REVIEW_PARTS[k]}{review.values[g * 5 + k]}" for k in range(4))
        + f"≠总计{review.values[g * 5 + 4]}"
        for g in wrong
    )
    suffix = f":{publisher}" if publisher else ""
    where = "（数字由 PDF 版面读出，请对照原件核实）" if review.from_layout else ""
    yield _finding(
        f"review:{year}{suffix}",
        Severity.WARNING if review.from_layout else Severity.DEDUCTION,
        url,
        placement.of(url),
        f"{year}年度政府信息公开工作年度报告表四（政府信息公开行政复议、行政诉讼情况）数据不一致："
        f"“总计”应等于结果维持、结果纠正、其他结果、尚未审结之和，但{sums}{where}。依据：「{report.title}」",
    )


def _finding(subject: str, severity: Severity, url: str, place: Place, claim: str) -> Finding:
    return Finding(
        key=finding_key(FindingKind.ANNUAL_REPORT, subject),
        kind=FindingKind.ANNUAL_REPORT,
        severity=severity,
        url=url,
        detail=f"{claim}。规定：{BASIS}",
        column=place.column,
        office=place.office,
    )


def _dates(facts: RunFacts) -> dict[str, date]:
    """The earliest date any list shows for each linked page (its publication date as listed)."""
    dates: dict[str, date] = {}
    for items in facts.items_by_page().values():
        for item in items:
            if item.url and item.date is not None:
                key = canonical(item.url)
                if key not in dates or item.date < dates[key]:
                    dates[key] = item.date
    return dates
