"""The 整改台账 columns an office signs: who fixes each problem by when, the cover, problem ids.

The sample portal is audited twice with a portal config that names an organisation, a default
整改责任人 and two [[columns]] entries (an owner and a shorter deadline for 工作动态, an owner
for the pages under /tzgg/); between the runs one planted dead link is repaired, so the
checklist has open and fixed problems. The reports are built from the settings stored with the
run, as `sitecheck report` and every audit do.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from conftest import fast_config
from sitecheck.audit import rejudge, run_audit
from sitecheck.config import AuditConfig, ColumnOverride
from sitecheck.demo import DemoServer
from sitecheck.demo.catalog import SITE_ID_CODE
from sitecheck.models import Finding, FindingKind, FindingState, Referrer, Severity
from sitecheck.report.checklist import (
    ChecklistRow,
    ReportData,
    RunSummary,
    add_working_days,
    build_report,
    is_home_problem,
)
from sitecheck.report.html import write_html
from sitecheck.report.tabular import MAX_WIDTHS, write_csv, write_xlsx
from sitecheck.store import Store
from support.sheets import column_width

ORGANISATION = "示例市人民政府办公室"
DEFAULT_OWNER = "王主任"
NEWS_OWNER = "赵科长"
NOTICE_OWNER = "钱科员"
NEWS_DAYS = 3
DEFAULT_DAYS = {Severity.VETO: 5, Severity.DEDUCTION: 15, Severity.WARNING: 30}
SHOWN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")  # timefmt.shown: 2026-12-04 17:48
LINK_KINDS = (
    FindingKind.DEAD_LINK,
    FindingKind.DEAD_LINK_HOME,
    FindingKind.UNVERIFIED_LINK,
    FindingKind.UNAVAILABLE_LINK,
)


@dataclass(frozen=True)
class Checklist:
    data: ReportData
    summary: RunSummary
    folder: Path
    data_dir: Path


@pytest.fixture(scope="module")
def checklist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checklist]:
    tmp = tmp_path_factory.mktemp("checklist-columns")
    data_dir = tmp / "data"
    with DemoServer(pages=150, slow_seconds=4.0) as server:
        config = fast_config(server.base_url, data_dir)
        config = config.replace("site", organisation=ORGANISATION)
        config = config.replace("checklist", owner=DEFAULT_OWNER)
        config = dataclasses.replace(
            config,
            columns=(
                ColumnOverride(match_name="^工作动态$", owner=NEWS_OWNER, deadline_days=NEWS_DAYS),
                ColumnOverride(match_url="/tzgg/", owner=NOTICE_OWNER),
            ),
        )
        first = run_audit(config, handle_signals=False)
        repaired = next(
            f
            for f in first.findings
            if f.kind is FindingKind.DEAD_LINK
            and f.url.startswith(server.base_url)
            and f.url.endswith(".html")
            and "/slow/" not in f.url
        )
        server.set_override(
            urlsplit(repaired.url).path,
            200,
            "<html><head><title>已恢复</title></head><body><p>正文</p></body></html>",
        )
        run_audit(config, handle_signals=False)
    summary = rejudge(str(data_dir), None, date.today(), None)
    store = Store(data_dir)
    try:
        data = build_report(store, summary)  # the settings stored with the run
    finally:
        store.close()
    folder = tmp / "out"
    folder.mkdir()
    write_html(data, folder / "checklist.html")
    write_xlsx(data, folder / "checklist.xlsx")
    write_csv(data, folder / "findings.csv")
    yield Checklist(data, summary, folder, data_dir)


# -- what each row says -----------------------------------------------------------------------------


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    return sum(1 for n in range(1, (end - start).days + 1) if (start + timedelta(days=n)).weekday() < 5)


def expected_owner_and_days(row: ChecklistRow) -> tuple[str, int]:
    if row.column == "工作动态":
        return NEWS_OWNER, NEWS_DAYS
    # A link's problem is fixed on the page carrying it: a match_url is searched there too.
    carrying = row.parent_page if row.kind in LINK_KINDS else ""
    if "/tzgg/" in row.url or "/tzgg/" in carrying:
        return NOTICE_OWNER, DEFAULT_DAYS[row.severity]
    return DEFAULT_OWNER, DEFAULT_DAYS[row.severity]


def test_every_problem_has_an_owner_and_a_deadline_in_working_days(checklist: Checklist) -> None:
    check_day = checklist.summary.as_of
    rows = checklist.data.rows
    assert rows
    owners = set()
    for row in rows:
        owner, days = expected_owner_and_days(row)
        assert row.owner == owner, row
        deadline = date.fromisoformat(row.deadline)
        assert deadline.weekday() < 5, row.deadline  # never a Saturday or Sunday
        assert working_days_between(check_day, deadline) == days, (row.deadline, days)
        owners.add(owner)
    # Each path was taken: the default, the column's name, the URL of the page carrying the link.
    assert owners == {DEFAULT_OWNER, NEWS_OWNER, NOTICE_OWNER}
    assert {r.severity for r in rows} == set(Severity)


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 1) == date(2026, 12, 7)  # Monday
    assert add_working_days(friday, 5) == date(2026, 12, 11)
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # from a Saturday
    assert add_working_days(friday, 15) == date(2026, 12, 25)
    assert add_working_days(friday, 0) == friday


def test_fixed_problems_say_so_with_the_recheck_time(checklist: Checklist) -> None:
    fixed = checklist.data.fixed_rows
    assert fixed
    for row in fixed:
        assert row.done == "已整改"
        assert row.done_at == checklist.data.run_finished and SHOWN.match(row.done_at)
    assert all(not r.done and not r.done_at for r in checklist.data.open_rows)


def test_times_are_shown_one_way(checklist: Checklist) -> None:
    data = checklist.data
    for text in (data.run_started, data.run_finished, data.generated_at, *(r.first_seen for r in data.rows)):
        assert SHOWN.match(text), text
    assert all(SHOWN.match(point.started_at) for point in data.trend)
    assert data.run_started in data.cover.scope and data.run_finished in data.cover.scope


def test_home_page_problems_come_first_within_each_severity(checklist: Checklist) -> None:
    rows = checklist.data.open_rows
    homes = [r for r in rows if r.home]
    assert homes and any(not r.home for r in rows)
    assert all(r.home for r in rows if r.kind is FindingKind.DEAD_LINK_HOME)
    for severity in Severity:
        flags = [r.home for r in rows if r.severity is severity]
        assert flags == sorted(flags, reverse=True), severity
    # Numbers follow the order, so 序号 read top to bottom.
    assert [r.number for r in checklist.data.rows] == list(range(1, len(checklist.data.rows) + 1))


def test_what_makes_a_home_page_problem() -> None:
    home = frozenset({"http://www.example.gov.cn/"})

    def finding(kind: FindingKind, url: str, page: str = "") -> Finding:
        referrers = (
            (Referrer(page=page, element="a", attribute="href", text="链接", raw=url),) if page else ()
        )
        return Finding(key="k", kind=kind, severity=Severity.DEDUCTION, url=url, referrers=referrers)

    assert is_home_problem(finding(FindingKind.HOME_NOT_UPDATED, "http://www.example.gov.cn/"), home)
    assert is_home_problem(finding(FindingKind.DEAD_LINK_HOME, "http://x.gov.cn/a"), home)
    assert is_home_problem(
        finding(FindingKind.UNVERIFIED_LINK, "http://x.gov.cn/a", "http://www.example.gov.cn/"), home
    )
    assert is_home_problem(finding(FindingKind.EMPTY_COLUMN, "http://www.example.gov.cn/"), home)
    # A column the home page's menu leads to is not a home-page problem.
    assert not is_home_problem(
        finding(FindingKind.EMPTY_COLUMN, "http://www.example.gov.cn/zfcg/", "http://www.example.gov.cn/"),
        home,
    )
    assert not is_home_problem(
        finding(FindingKind.DEAD_LINK, "http://x.gov.cn/a", "http://www.example.gov.cn/b"), home
    )


# -- the cover --------------------------------------------------------------------------------------


def test_cover_from_the_config_and_the_home_page(checklist: Checklist) -> None:
    cover, summary = checklist.data.cover, checklist.summary
    assert cover.organisation == ORGANISATION
    assert cover.site_name == checklist.data.site
    assert summary.home is not None and summary.home.site_code == SITE_ID_CODE
    assert cover.site_code == SITE_ID_CODE  # the demo home page's <meta name="SiteIDCode">
    assert f"页面 {summary.pages} 个" in cover.scope
    assert f"链接 {summary.link_occurrences} 个" in cover.scope
    assert f"栏目 {len(summary.columns)} 个" in cover.scope
    assert cover.basis == "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
    assert cover.inspector == "sitecheck 自动检查"


def test_cover_fallbacks(checklist: Checklist) -> None:
    store = Store(checklist.data_dir)
    try:
        configured = AuditConfig().replace("site", site_code="4400000099")
        configured = configured.replace("checklist", inspector="网站管理科 李四", basis="自定依据")
        data = build_report(store, checklist.summary, configured)
        assert data.cover.site_code == "4400000099"  # the config before the page
        assert data.cover.inspector == "网站管理科 李四" and data.cover.basis == "自定依据"
        assert data.cover.organisation == data.site  # no [site] organisation: the site's name
        assert {r.owner for r in data.rows} == {""}  # no owner configured: blank
        bare = build_report(store, dataclasses.replace(checklist.summary, home=None), AuditConfig())
        assert bare.cover.site_code == "未提供"
    finally:
        store.close()


# -- the HTML -------------------------------------------------------------------------------------


def test_html_shows_the_cover_the_new_columns_and_the_ids(checklist: Checklist) -> None:
    data = checklist.data
    tree = HTMLParser((checklist.folder / "checklist.html").read_text(encoding="utf-8"))

    def text(selector: str) -> str:
        node = tree.css_first(selector)
        assert node is not None, selector
        return node.text(strip=True)

    assert text("#cover-organisation") == ORGANISATION
    assert text("#cover-site-name") == data.site
    assert text("#cover-site-code") == SITE_ID_CODE
    assert text("#cover-scope") == data.cover.scope
    assert text("#cover-inspector") == "sitecheck 自动检查"
    labels = [text(f"#cover tr:nth-child({n}) th") for n in range(1, 7)]
    assert labels == ["单位名称", "网站名称", "网站标识码", "检查范围", "检查依据", "检查人/检查工具"]
    assert tree.css_first("#verdict") is not None and tree.css_first("#signoff") is not None

    for table in tree.css("table.findings"):
        headers = [th.text(strip=True) for th in table.css("thead th")]
        for title in ("整改责任人", "整改时限", "整改措施", "完成情况/完成时间"):
            assert title in headers, (title, headers)
    rows = tree.css("tr.finding-row")
    assert len(rows) == len(data.rows)
    by_key = {r.key: r for r in data.rows}
    for node in rows:
        key = node.attributes["data-key"] or ""
        code = node.css_first("code.finding-key")
        assert code is not None and code.text() == key  # exactly the id `sitecheck ignore` takes
        row = by_key[key]
        assert node.css_first("td.owner").text(strip=True) == row.owner
        assert node.css_first("td.deadline").text(strip=True) == row.deadline
        assert node.css_first("td.measures").text(strip=True) == ""
        done = node.css_first("td.done").text(strip=True)
        assert done == (f"已整改{row.done_at}" if row.status == FindingState.FIXED else "")
        assert node.attributes["data-home"] == ("true" if row.home else "false")
    # Within a severity section the home page's problems are listed first.
    for section in tree.css("section.severity-section"):
        flags = [n.attributes["data-home"] == "true" for n in section.css("tr.finding-row")]
        assert flags == sorted(flags, reverse=True)
    header_cells = len(tree.css_first("table.findings[data-table=open] thead tr").css("th"))
    assert tree.css_first("tr.group-row th").attributes["colspan"] == str(header_cells)


# -- the XLSX and the CSV ---------------------------------------------------------------------------


def test_xlsx_all_problems_sheet(checklist: Checklist) -> None:
    book = openpyxl.load_workbook(checklist.folder / "checklist.xlsx")
    assert book.sheetnames[:2] == ["汇总", "全部问题"]
    ws = book["全部问题"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["序号", "问题类型", "严重程度"]
    for title in ("整改责任人", "整改时限", "整改措施", "完成情况/完成时间", "问题编号"):
        assert title in header
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    open_rows = checklist.data.open_rows
    assert [r["问题编号"] for r in table] == [r.key for r in open_rows]
    for cells, row in zip(table, open_rows, strict=True):
        assert cells["整改责任人"] == row.owner
        assert cells["整改时限"].date() == date.fromisoformat(row.deadline)  # a date cell
        assert cells["整改措施"] is None and cells["完成情况/完成时间"] is None  # to fill in
        assert cells["严重程度"] == row.severity_label
    deadline_col = header.index("整改时限") + 1
    assert ws.cell(row=2, column=deadline_col).number_format == "yyyy-mm-dd"

    width = {h: column_width(ws, i + 1) for i, h in enumerate(header)}
    assert width["整改措施"] == MAX_WIDTHS["measures"] and width["整改责任人"] == MAX_WIDTHS["owner"]
    assert width["问题描述"] == MAX_WIDTHS["description"] >= 30
    assert width["页面URL"] == MAX_WIDTHS["url"] >= 26
    assert all(8 <= width[h] <= 12 for h in ("整改时限", "完成情况/完成时间", "责任科室", "整改状态"))
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.fitToWidth in (1, None)  # absent means 1
    assert ws.cell(row=2, column=header.index("页面URL") + 1).alignment.wrap_text

    fixed = [
        dict(zip(header[:2] + header[3:], r, strict=True))
        for r in list(book["已整改"].iter_rows(values_only=True))[1:]
    ]
    assert fixed and all(r["完成情况/完成时间"].startswith("已整改 ") for r in fixed)


def test_xlsx_summary_has_the_cover(checklist: Checklist) -> None:
    ws = openpyxl.load_workbook(checklist.folder / "checklist.xlsx")["汇总"]
    facts = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0] is not None}
    cover = checklist.data.cover
    assert facts["单位名称"] == ORGANISATION
    assert facts["网站名称"] == checklist.data.site
    assert facts["网站标识码"] == SITE_ID_CODE
    assert facts["检查范围"] == cover.scope
    assert facts["检查依据"] == cover.basis
    assert facts["检查人/检查工具"] == cover.inspector
    labels = [row[0] for row in ws.iter_rows(min_row=3, max_row=8, values_only=True)]
    assert labels == ["单位名称", "网站名称", "网站标识码", "检查范围", "检查依据", "检查人/检查工具"]


def test_csv_has_the_new_columns(checklist: Checklist) -> None:
    with (checklist.folder / "findings.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_key = {r.key: r for r in checklist.data.rows}
    assert len(rows) == len(by_key)
    for cells in rows:
        row = by_key[cells["问题编号"]]
        assert cells["整改责任人"] == row.owner
        assert cells["整改时限"] == row.deadline
        assert cells["整改措施"] == ""
        assert cells["完成情况/完成时间"] == (
            f"已整改 {row.done_at}" if row.status == FindingState.FIXED else ""
        )
        assert SHOWN.match(cells["发现时间"]) and SHOWN.match(cells["最近复查"])


def test_a_config_edited_after_the_crawl_shows_in_the_next_report(checklist: Checklist, tmp_path: Path) -> None:
    # The loop "edit the config → judge/report": `sitecheck report --config` passes the edited
    # settings to the checklist, not the ones stored with the run.
    from sitecheck.config import AuditConfig
    from sitecheck.report import write_reports

    edited = AuditConfig().replace("checklist", owner="新任责任人王五")
    store = Store(checklist.data_dir)
    try:
        folder = write_reports(store, checklist.summary, tmp_path / "reports", "demo", edited)
    finally:
        store.close()
    html = (folder / "checklist.html").read_text("utf-8")
    assert "新任责任人王五" in html and DEFAULT_OWNER not in html
