"""政府信息公开工作年度报告 (issue 15, part 3): reading a report page, and judging the last due one."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import audit_portal
from sitecheck.audit import AuditResult, rejudge
from sitecheck.config import config_from_mapping
from sitecheck.demo import DemoServer
from sitecheck.demo.annual_plants import LATE_REPORT_EXPECT
from sitecheck.extract.annual_report import ApplicationTable, read_annual_report, read_application_table
from sitecheck.judge.annual import last_due_year
from sitecheck.urls import canonical

SIX = (
    "一、总体情况\n文字\n二、主动公开政府信息情况\n（一）规章\n三、收到和处理政府信息公开申请情况\n"
    "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n"
)


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("某市发展和改革委员会2025年政府信息公开工作年度报告_政府信息公开年报_某市发展和改革委员会", 2025),
        ("2024年度政府信息公开工作年报", 2024),
        ("XX区人民政府2023年度政府信息公开工作年度报告", 2023),
    ],
)
def test_a_report_page_is_read_with_its_year(title: str, year: int) -> None:
    report = read_annual_report(title, SIX)
    assert report is not None and report.year == year
    assert report.sections == (1, 2, 3, 4, 5, 6) and not report.missing


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2025年度政府信息公开工作年度报告编制工作的通知",
        "某市人民政府2024年政府信息公开工作年度报告的解读",
        "政府信息公开年报_某市发展和改革委员会",  # the column's list page: no year
        "2025年工作总结",
    ],
)
def test_other_pages_are_not_reports(title: str) -> None:
    assert read_annual_report(title, SIX) is None


def test_sections_worded_otherwise_are_still_seen() -> None:
    """Real reports' wordings (the 2019 format's 四, a shorter 五, 六 without 的): a section
    missed for its wording would be a false "incomplete"."""
    text = (
        "一、总体情况\n二、行政机关主动公开政府信息情况\n三、行政机关收到和处理政府信息公开申请情况\n"
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n五、存在问题及改进情况\n六、其他需要报告事项\n"
    )
    report = read_annual_report("2025年度政府信息公开工作年度报告", text)
    assert report is not None and report.missing == ()
    other = "五、政府信息公开工作存在的主要问题及改进措施\n"
    fifth = read_annual_report("2025年度政府信息公开工作年度报告", other)
    assert fifth is not None and fifth.sections == (5,)


def test_a_page_that_only_links_to_the_file_shows_no_sections() -> None:
    report = read_annual_report("2025年度政府信息公开工作年度报告", "全文详见附件：2025年度报告.pdf")
    assert report is not None and not report.carries_text


def test_a_missing_section_is_seen() -> None:
    text = SIX.replace("五、存在的主要问题及改进情况\n", "")
    report = read_annual_report("2025年度政府信息公开工作年度报告", text)
    assert report is not None and report.carries_text and report.missing == (5,)


@pytest.mark.parametrize(
    ("as_of", "due", "year"),
    [
        (date(2026, 12, 5), (1, 31), 2025),
        (date(2026, 1, 31), (1, 31), 2024),  # due that day: last year's is not late yet
        (date(2026, 2, 1), (1, 31), 2025),
        (date(2026, 3, 15), (3, 31), 2024),  # 本级政府: 31 March
    ],
)
def test_the_last_due_report(as_of: date, due: tuple[int, int], year: int) -> None:
    assert last_due_year(as_of, due) == year


# The sample portal's newest report is the late one due by its day (newest_report_day): served as
# of a fixed day and judged on it, so the suite does not depend on the day it runs; the spring
# test below serves it as of a day when the usual 200 days would date it before the deadline.
REPORT_DAY = date(2026, 12, 5)
SPRING_DAY = date(2027, 4, 15)


@pytest.mark.parametrize(
    "today",
    [date(2027, 1, 31), date(2027, 2, 1), date(2027, 2, 10), SPRING_DAY, date(2027, 8, 19), REPORT_DAY],
)
def test_the_sample_portals_newest_report_is_the_due_one_late_on_any_day(today: date) -> None:
    from sitecheck.demo.portal import newest_report_day

    published = newest_report_day(today)
    due_year = last_due_year(today, (1, 31))
    assert date(due_year + 1, 1, 31) < published <= today


def test_in_spring_the_sample_portal_still_shows_its_late_report(tmp_path: Path) -> None:
    with DemoServer(pages=150, slow_seconds=4.0, today=SPRING_DAY) as server:
        _, doc = audit_portal(server, tmp_path, SPRING_DAY)
    found = sorted(f["detail"].split("：")[0] for f in doc["findings"] if f["kind"] == "annual_report")
    assert len(found) == 3 and all(any(word in k for k in found) for word in ("逾期", "表三", "内容不全")), (
        found
    )


@pytest.fixture(scope="module")
def report_server() -> Any:
    with DemoServer(pages=150, slow_seconds=4.0, today=REPORT_DAY) as server:
        yield server


@pytest.fixture(scope="module")
def report_audit(
    report_server: DemoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[AuditResult, dict[str, Any]]:
    return audit_portal(report_server, tmp_path_factory.mktemp("annual-demo"), REPORT_DAY)


def test_the_sample_portals_newest_report_is_late_incomplete_and_wrong(
    report_server: DemoServer, report_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    """Its newest report comes out 200 days before the day judged, late; it lacks section 五 and its
    表三 总计 of 自然人 is one too many. Older reports are complete and add up: not judged."""
    result, doc = report_audit
    found = {f["detail"].split("：")[0]: f for f in doc["findings"] if f["kind"] == "annual_report"}
    assert len(found) == 3, list(found)
    late, table, incomplete = (
        next(f for k, f in found.items() if word in k) for word in ("逾期", "表三", "内容不全")
    )
    assert all(f["severity"] == "deduction" for f in found.values())
    assert len({f["url"] for f in found.values()}) == 1 and "/ndbg/" in late["url"]
    assert "缺少“五、存在的主要问题及改进情况”" in incomplete["detail"]
    assert "自然人列" in table["detail"] and "商业企业列" not in table["detail"]
    # Judged again with a deadline after its publication (30 June): the facts are the same, the
    # lateness follows the setting, the contents do not.
    data_dir = json.loads(result.summary.run.config_json)["data_dir"] if result.summary else ""
    as_of = date.fromisoformat(doc["run"]["as_of"])
    config = config_from_mapping({"data_dir": data_dir, "content": {"annual_report_due": "06-30"}})
    again = rejudge(data_dir, result.run_id, as_of, None, config)
    details = sorted(f.detail for f in again.findings if f.kind == "annual_report")
    assert len(details) == 2 and "表三" in details[0] + details[1] and not any("逾期" in d for d in details)


def test_the_sample_portals_complete_reports_say_nothing_and_their_file_is_read(
    report_server: DemoServer, report_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    """Beside the late one, the 年报 column lists two units' reports of the same year, on time
    and whole: one on its page, one as a PDF behind a short page (read with attachments off).
    Every 年报 finding is the late report's (annual_plants.LATE_REPORT_EXPECT), none is theirs;
    the PDF's six sections and 表三 were read from the file."""
    result, doc = report_audit
    found = [f for f in doc["findings"] if f["kind"] == "annual_report"]
    assert len(found) == len(LATE_REPORT_EXPECT)
    for want in LATE_REPORT_EXPECT:
        assert sum(want in f["detail"] for f in found) == 1, want
    plants = report_server.portal.annual_manifest
    assert {plant.id for plant, _ in plants} == {"complete-html", "complete-pdf"}
    flagged = {canonical(f["url"]) for f in found}
    pdf_urls = {canonical(url) for url in report_server.portal.annual_file_urls()}
    assert len(pdf_urls) == 1
    assert not flagged & ({canonical(url) for _, url in plants} | pdf_urls)
    data_dir = json.loads(result.summary.run.config_json)["data_dir"] if result.summary else ""
    with sqlite3.connect(Path(data_dir) / "sitecheck.sqlite3") as db:
        stored = db.execute(
            "SELECT t.url, h.kind, h.value, h.note FROM text_hits h JOIN targets t ON t.id=h.page_id"
            " WHERE h.check_name='annual_report' AND h.run_id=?",
            (result.run_id,),
        ).fetchall()
    in_file = {(kind, note) for url, kind, _, note in stored if canonical(url) in pdf_urls}
    assert ("annual_report", "1,2,3,4,5,6") in in_file
    assert any(kind == "application_table" for kind, _ in in_file)
    years = {value for _, kind, value, _ in stored if kind == "annual_report"}
    by_plant = {canonical(url): note for url, kind, _, note in stored if kind == "annual_report"}
    for plant, url in plants:  # the page of the PDF one shows no section: the file does
        assert by_plant[canonical(url)] == ("" if plant.pdf else "1,2,3,4,5,6"), plant.id
    assert years


TABLE = """<table>
<tr><td colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td>自然人</td>
<td colspan="5">法人或其他组织</td><td>总计</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{new}</tr>
<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{carried}</tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>{public}</tr>
<tr><td colspan="2">（七）总计</td>{total}</tr>
<tr><td colspan="3">四、结转下年度继续办理</td>{next}</tr></table>"""


def _cells(*values: int) -> str:
    return "".join(f"<td>{v}</td>" for v in values)


def test_the_application_table_adds_up_or_says_where_not() -> None:
    rows = {
        "new": _cells(10, 2, 0, 0, 0, 1, 13),
        "carried": _cells(1, 0, 0, 0, 0, 0, 1),
        "public": _cells(5, 1, 0, 0, 0, 0, 6),
        "total": _cells(10, 2, 0, 0, 0, 1, 13),
        "next": _cells(1, 0, 0, 0, 0, 0, 1),
    }
    table = read_application_table(LexborHTMLParser(TABLE.format(**rows)))
    assert table is not None and table.mismatches() == ()
    assert ApplicationTable.decoded(table.encoded()) == table
    rows["total"] = _cells(11, 2, 0, 0, 0, 1, 14)
    wrong = read_application_table(LexborHTMLParser(TABLE.format(**rows)))
    assert wrong is not None and wrong.mismatches() == (0, 6)


def test_a_table_laid_out_otherwise_is_not_read() -> None:
    """A table without the four rows' seven numbers (a picture, a summary) says nothing."""
    summary = "<table><tr><td>本年新收政府信息公开申请数量</td><td>13</td></tr></table>"
    assert read_application_table(LexborHTMLParser(summary)) is None


def test_a_real_report_list() -> None:
    """广东侨网's 公开年报 list (NFCMS, real page): the list is no report, its nine rows are the
    reports of 2009–2017, by their real titles."""
    from pathlib import Path

    from sitecheck.charset import decode_html
    from sitecheck.extract import page_title

    path = Path(__file__).resolve().parents[1] / "corpus" / "real-pages" / "nfcms" / "gdqw-gknb-index.html"
    tree = LexborHTMLParser(decode_html(path.read_bytes(), None).text)
    assert read_annual_report(page_title(tree), "") is None
    rows = [a.text(deep=True).strip() for a in tree.css("a")]
    years = sorted(r.year for text in rows if (r := read_annual_report(text, "")) is not None)
    assert years == list(range(2009, 2018))


def test_a_pdf_table_is_read_only_when_its_rows_leave_no_doubt() -> None:
    """表三 from a PDF's laid-out text: each row's whole label and seven numbers on one line,
    once; a wrapped label, a missing cell or a row seen twice and nothing is read."""
    from sitecheck.extract.annual_report import application_table_from_lines

    lines = [
        "一、本年新收政府信息公开申请数量    10  2  0  0  0  1  13",
        "二、上年结转政府信息公开申请数量    1   0  0  0  0  0  1",
        "（一）予以公开                      5   1  0  0  0  0  6",
        "（七）总计                          10  2  0  0  0  1  13",
        "四、结转下年度继续办理              1   0  0  0  0  0  1",
    ]
    table = application_table_from_lines(lines)
    assert table is not None and table.mismatches() == ()
    wrapped = ["一、本年新收政府信息公开申", "请数量    10  2  0  0  0  1  13", *lines[1:]]
    assert application_table_from_lines(wrapped) is None
    gap = [lines[0].replace("  1  13", "  13"), *lines[1:]]  # an empty cell: six numbers
    assert application_table_from_lines(gap) is None
    assert application_table_from_lines([*lines, lines[3]]) is None  # 总计 twice


def test_a_publisher_whose_report_of_the_year_is_not_listed(tmp_path: Path) -> None:
    """A 年报 list with every unit's reports: 甲局 has 2025 and 2024, 乙局 only 2024 (its 2025 one
    is what is missing: 待核实), 丙局 stopped in 2019 (abolished units are not asked for one)."""
    from conftest import fast_config
    from scripted_server import Reply, ScriptedServer
    from sitecheck.audit import run_audit

    reports = {
        "/nb/a25.html": "某市甲局2025年政府信息公开工作年度报告",
        "/nb/a24.html": "某市甲局2024年政府信息公开工作年度报告",
        "/nb/b24.html": "某市乙局2024年政府信息公开工作年度报告",
        "/nb/c19.html": "某市丙局2019年政府信息公开工作年度报告",
    }
    body = "<br>".join(SIX.splitlines())
    site = {
        path: [
            Reply(
                200,
                f"<html><head><title>{t}</title></head><body><h1>{t}</h1><p>{body}</p></body></html>".encode(),
            )
        ]
        for path, t in reports.items()
    }
    items = "".join(f'<li><a href="{p}">{t}</a><span>2025-01-20</span></li>' for p, t in reports.items())
    site["/"] = [
        Reply(200, f"<html><head><title>年报</title></head><body><ul>{items}</ul></body></html>".encode())
    ]
    json_path = tmp_path / "f.json"
    with ScriptedServer(site) as server:
        run_audit(
            fast_config(server.base_url + "/", tmp_path / "d"),
            as_of=date(2026, 6, 1),
            json_path=json_path,
            handle_signals=False,
        )
    found = [f for f in json.loads(json_path.read_text("utf-8"))["findings"] if f["kind"] == "annual_report"]
    assert [(f["severity"], f["url"].rsplit("/", 1)[1]) for f in found] == [("warning", "b24.html")], found
    assert "未发现某市乙局2025年度" in found[0]["detail"] and "待核实" in found[0]["detail"]


REVIEW_HTML = (
    "<table><tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
    "<tr><td rowspan='2'>结果维持</td><td rowspan='2'>结果纠正</td><td rowspan='2'>其他结果</td>"
    "<td rowspan='2'>尚未审结</td><td rowspan='2'>总计</td><td colspan='5'>未经复议直接起诉</td>"
    "<td colspan='5'>复议后起诉</td></tr>"
    "<tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + "</tr>"
    "<tr>{cells}</tr></table>"
)


def _review_row(values: list[int]) -> str:
    return REVIEW_HTML.format(cells="".join(f"<td> {v} </td>" for v in values))


def test_table_four_is_read_and_added_up() -> None:
    from sitecheck.extract.annual_report import ReviewTable, read_review_table

    good = [3, 1, 0, 1, 5, 2, 0, 0, 0, 2, 1, 0, 0, 0, 1]
    table = read_review_table(LexborHTMLParser(_review_row(good)))
    assert table == ReviewTable(tuple(good)) and table.mismatches() == ()
    wrong = good.copy()
    wrong[4] = 4  # 行政复议 总计 one short
    assert read_review_table(LexborHTMLParser(_review_row(wrong))).mismatches() == (0,)
    # Fourteen numbers (a cell left empty): not 表四 as printed, nothing read.
    assert read_review_table(LexborHTMLParser(_review_row(good[:14]))) is None


def _annual_findings_of_a_report_page(tmp_path: Path, title: str, body: str) -> list[dict[str, Any]]:
    """The annual-report findings of a one-report portal: a list linking the report's page."""
    from conftest import fast_config
    from scripted_server import Reply, ScriptedServer
    from sitecheck.audit import run_audit

    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><div>{body}</div></body></html>"
    home = f'<html><head><title>年报</title></head><body><a href="/nb.html">{title}</a></body></html>'
    site = {"/": [Reply(200, home.encode())], "/nb.html": [Reply(200, page.encode())]}
    json_path = tmp_path / "f.json"
    with ScriptedServer(site) as server:
        config = fast_config(server.base_url + "/", tmp_path / "d")
        run_audit(config, as_of=date(2026, 6, 1), json_path=json_path, handle_signals=False)
    return [f for f in json.loads(json_path.read_text("utf-8"))["findings"] if f["kind"] == "annual_report"]


def test_a_wrong_table_four_on_a_report_page_is_a_deduction(tmp_path: Path) -> None:
    wrong = [3, 1, 0, 1, 4, 2, 0, 0, 0, 2, 1, 0, 0, 0, 1]
    body = "<br>".join(SIX.splitlines()) + _review_row(wrong)
    found = _annual_findings_of_a_report_page(tmp_path, "某市甲局2025年政府信息公开工作年度报告", body)
    assert [(f["severity"], f["url"].rsplit("/", 1)[1]) for f in found] == [("deduction", "nb.html")]
    assert "行政复议 结果维持3+结果纠正1+其他结果0+尚未审结1≠总计4" in found[0]["detail"]
    assert "核实" not in found[0]["detail"]


def _table_three(total_first: int) -> str:
    """表三 as the 2021 format prints it: 一, 二, 三's 21 result rows (one each, 自然人), （七）总计, 四."""
    labels = ["（一）予以公开", "（二）部分公开"] + [f"（三）不予公开 {i}." for i in range(1, 9)]
    labels += [f"（四）无法提供 {i}." for i in range(1, 4)] + [f"（五）不予处理 {i}." for i in range(1, 6)]
    labels += [f"（六）其他处理 {i}." for i in range(1, 4)]
    assert len(labels) == 21

    def row(label: str, first: int) -> str:
        return (
            f"<tr><td>{label}</td>"
            + "".join(f"<td>{v}</td>" for v in (first, 0, 0, 0, 0, 0, first))
            + "</tr>"
        )

    body = row("一、本年新收政府信息公开申请数量", total_first) + row("二、上年结转政府信息公开申请数量", 0)
    body += "".join(row(label, 1) for label in labels)
    body += row("（七）总计", total_first) + row("四、结转下年度继续办理", 0)
    return f"<table>{body}</table>"


def test_table_three_total_is_the_sum_of_its_result_rows() -> None:
    good = read_application_table(LexborHTMLParser(_table_three(21)))
    assert good is not None and good.parts == (21, 0, 0, 0, 0, 0, 21) and good.part_mismatches() == ()
    # 一 + 二 = 三 + 四 still holds (22 = 22), but the 21 results do not make 22.
    wrong = read_application_table(LexborHTMLParser(_table_three(22)))
    assert wrong is not None and wrong.mismatches() == () and wrong.part_mismatches() == (0, 6)
    # A row missing (20 read): nothing is said about the parts.
    short = re.sub(r"<tr><td>（六）其他处理 3\.</td>.*?</tr>", "", _table_three(22))
    partial = read_application_table(LexborHTMLParser(short))
    assert partial is not None and partial.parts == ()


def test_a_total_that_is_not_its_parts_is_a_deduction(tmp_path: Path) -> None:
    body = "<br>".join(SIX.splitlines()) + _table_three(22)
    found = _annual_findings_of_a_report_page(tmp_path, "某市丙局2025年政府信息公开工作年度报告", body)
    assert [(f["severity"], f["url"].rsplit("/", 1)[1]) for f in found] == [("deduction", "nb.html")]
    assert "自然人列 各项之和 21≠总计 22" in found[0]["detail"] and "本年新收" not in found[0]["detail"]
