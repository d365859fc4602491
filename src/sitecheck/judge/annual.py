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

- **Wrong totals** (deduction): 表三, read from an HTML table whose four tied rows each end in
  seven numbers, breaks the format's identity 一（本年新收）+ 二（上年结转）= 三（办理结果总计）+ 四（结转
  下年度）in some column. A table laid out otherwise, or a picture, is not read: nothing is said.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sitecheck.extract.annual_report import (
    APPLICATION_TABLE,
    COLUMN_NAMES,
    FORMAT_SINCE,
    MIN_SECTIONS_SHOWN,
    SECTIONS,
    ApplicationTable,
    section_names,
)
from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.judge.placement import Place
from sitecheck.models import Finding, FindingKind, Severity, TextCheck
from sitecheck.store import RunFacts
from sitecheck.urls import canonical

BASIS = "《政府信息公开条例》第四十九条；格式依据国办公开办函〔2021〕30号"


def last_due_year(as_of: date, due: tuple[int, int]) -> int:
    """The year whose report is the last one due on ``as_of`` (the deadline day itself counts)."""
    return as_of.year - 1 if as_of > date(as_of.year, *due) else as_of.year - 2


def annual_report(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    rows = facts.text_hits(TextCheck.ANNUAL_REPORT)
    if not rows:
        return
    due = context.annual_report_due
    year = last_due_year(context.as_of, due)
    deadline = date(year + 1, *due)
    placement = context.place_of(facts)
    reports: dict[int, list[tuple[str, tuple[int, ...], str]]] = {}
    tables: dict[str, ApplicationTable] = {}  # by the report page's URL
    for row in rows:
        hit = row.hit
        if hit.kind == APPLICATION_TABLE:
            table = ApplicationTable.decoded(hit.note)
            if table is not None:
                tables[row.url] = table
            continue
        sections = tuple(int(n) for n in hit.note.split(",") if n)
        reports.setdefault(int(hit.value), []).append((row.url, sections, hit.context))
    if not reports:
        return
    found = reports.get(year)
    if not found:
        newest = max(reports)
        if newest > year:
            return  # a later report stands: this year's is then unlikely missing (and not due last)
        url, _, title = reports[newest][0]
        yield _finding(
            f"missing:{year}",
            Severity.WARNING,
            url,
            placement.of(url),
            f"未发现{year}年度政府信息公开工作年度报告（应于 {deadline:%Y-%m-%d} 前发布）"
            f"（待核实：本次检查找到的最近一份是{newest}年度「{title}」，报告也可能发布在未检查到的平台上）",
        )
        return
    published = _dates(facts)
    url, sections, title = max(found, key=lambda report: len(report[1]))
    place = placement.of(url)
    when = min((d for u, _, _ in found if (d := published.get(canonical(u))) is not None), default=None)
    if when is not None and when > deadline:
        yield _finding(
            f"late:{year}",
            Severity.DEDUCTION,
            url,
            place,
            f"{year}年度政府信息公开工作年度报告发布逾期：列表显示发布日期 {when:%Y-%m-%d}，"
            f"应于 {deadline:%Y-%m-%d} 前发布（逾期 {(when - deadline).days} 天）。依据：「{title}」",
        )
    table = tables.get(url)
    wrong = table.mismatches() if table is not None else ()
    if table is not None and wrong:
        sums = "；".join(
            f"{COLUMN_NAMES[i]}列 {table.new[i]}+{table.carried[i]}≠{table.total[i]}+{table.next[i]}"
            for i in wrong
        )
        yield _finding(
            f"table:{year}",
            Severity.DEDUCTION,
            url,
            place,
            f"{year}年度政府信息公开工作年度报告表三数据不一致：“本年新收”加“上年结转”应等于“办理结果总计”"
            f"加“结转下年度继续办理”，但{sums}",
        )
    missing = tuple(n for n, _, _ in SECTIONS if n not in sections)
    if year >= FORMAT_SINCE and len(sections) >= MIN_SECTIONS_SHOWN and missing:
        yield _finding(
            f"sections:{year}",
            Severity.DEDUCTION,
            url,
            place,
            f"{year}年度政府信息公开工作年度报告内容不全：缺少“{section_names(missing)}”"
            f"（页面中找到 {len(sections)} 个部分：{section_names(sections)}）",
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
