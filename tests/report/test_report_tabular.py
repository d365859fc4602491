"""The XLSX, CSV, SARIF and JUnit checklists of a real audit agree with findings.json.

The sample portal is audited twice: between the runs one planted dead link is repaired and the
second run ignores another finding, so every writer sees open, fixed and ignored findings.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import json
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pypdf
import pytest
import xlsxwriter.workbook

from conftest import fast_config
from sitecheck.audit import rejudge, run_audit
from sitecheck.config import IgnoreRule
from sitecheck.demo import DemoServer
from sitecheck.errors import ReportError
from sitecheck.models import FindingKind
from sitecheck.report import tabular
from sitecheck.report.checklist import ChecklistRow, ReportData, build_report
from sitecheck.report.ci import FINGERPRINT, write_junit, write_sarif
from sitecheck.report.jsonfile import document_text, write_json
from sitecheck.report.tabular import display_width, page_scale, sheet_title, write_csv, write_xlsx
from sitecheck.store import Store
from support import calc
from support.sheets import column_width

OPEN_STATES = {"new", "still_open", "reopened"}
SHEET_HEADERS = [
    "序号",
    "问题类型",
    "问题描述",
    "所在栏目",
    "页面URL",
    "父页面",
    "链接文字",
    "整改建议",
    "责任科室",
    "整改责任人",
    "整改时限",
    "整改措施",
    "完成情况/完成时间",
    "整改状态",
    "备注",
    "问题编号",
]
ALL_HEADERS = [*SHEET_HEADERS[:2], "严重程度", *SHEET_HEADERS[2:]]
CSV_HEADERS = [
    "序号",
    "问题类型",
    "问题描述",
    "所在栏目",
    "页面URL",
    "父页面",
    "链接文字",
    "HTTP状态/错误",
    "发现时间",
    "最近复查",
    "整改建议",
    "责任科室",
    "整改责任人",
    "整改时限",
    "整改措施",
    "完成情况/完成时间",
    "整改状态",
    "备注",
    "严重程度",
    "问题编号",
]
GBK_TEXT = "关于印发某市节能审查办法的通知"
IGNORE_REASON = "统计数据查询系统迁移中，已报备"
EVIL = '=HYPERLINK("http://evil","x")'


@dataclass(frozen=True)
class Reports:
    data: ReportData
    doc: dict[str, Any]
    folder: Path

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.doc["findings"])

    def ids(self, states: set[str]) -> set[str]:
        return {f["id"] for f in self.findings if f["state"] in states}

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {f["id"]: f for f in self.findings}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    tmp = tmp_path_factory.mktemp("tabular")
    data_dir = tmp / "data"
    # An own server: repairing a link through an override must not change what other tests see.
    with DemoServer(pages=150, slow_seconds=4.0) as server:
        config = fast_config(server.base_url, data_dir)
        run_audit(config, handle_signals=False)
        repaired = next(d for d in server.manifest if d.id == "dead-internal-page")
        server.set_override(
            urlsplit(repaired.url).path,
            200,
            "<html><head><title>已恢复</title></head><body><p>正文</p></body></html>",
        )
        ignoring = dataclasses.replace(config, ignore=(IgnoreRule(match_url="/slow/", reason=IGNORE_REASON),))
        run_audit(ignoring, handle_signals=False)
    folder = tmp / "out"
    summary = rejudge(str(data_dir), None, date.today(), None)
    write_json(summary, folder / "findings.json")
    store = Store(data_dir)
    try:
        data = build_report(store, summary)
    finally:
        store.close()
    write_xlsx(data, folder / "checklist.xlsx")
    write_csv(data, folder / "findings.csv")
    write_sarif(data, folder / "findings.sarif")
    write_junit(data, folder / "junit.xml")
    doc = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    yield Reports(data, doc, folder)


# -- helpers ----------------------------------------------------------------------------------------


def table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def finding_sheets(book: Any) -> list[Any]:
    """The sheets per problem type, 已整改 and 已忽略: each finding on exactly one of them."""
    return [book[name] for name in book.sheetnames if name not in ("汇总", "全部问题", "栏目")]


def summary_facts(ws: Any) -> dict[str, Any]:
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0] is not None}


def summary_table(ws: Any, title: str) -> list[tuple[Any, ...]]:
    """The rows of a summary section, below its title and header row, up to the first blank row."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 2
    found = []
    for row in rows[start:]:
        if row[0] is None:
            break
        found.append(row)
    return found


# -- XLSX -------------------------------------------------------------------------------------------


def test_workbook_has_one_sheet_per_problem_type(reports: Reports) -> None:
    book = openpyxl.load_workbook(reports.folder / "checklist.xlsx")
    open_kinds = [
        k
        for k in FindingKind
        if any(f["kind"] == k.value for f in reports.findings if f["state"] in OPEN_STATES)
    ]
    label = {f["kind"]: f["kind_label"] for f in reports.findings}
    assert book.sheetnames == [
        "汇总",
        "全部问题",
        *(label[k.value] for k in open_kinds),
        "已整改",
        "已忽略",
        "栏目",
    ]
    for name in book.sheetnames:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\")


def test_finding_sheets_agree_with_json(reports: Reports) -> None:
    book = openpyxl.load_workbook(reports.folder / "checklist.xlsx")
    by_id = reports.by_id()
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for ws in finding_sheets(book):
        assert [c.value for c in ws[1]] == SHEET_HEADERS
        for row in table(ws):
            assert row["问题编号"] not in seen, "a finding is listed twice"
            seen[row["问题编号"]] = (ws.title, row)
    assert set(seen) == set(by_id)

    open_per_kind = Counter(f["kind_label"] for f in reports.findings if f["state"] in OPEN_STATES)
    sheet_per_kind = Counter(title for title, _ in seen.values() if title not in ("已整改", "已忽略"))
    assert sheet_per_kind == open_per_kind
    assert {k for k, (t, _) in seen.items() if t == "已整改"} == reports.ids({"fixed"})
    assert {k for k, (t, _) in seen.items() if t == "已忽略"} == reports.ids({"ignored"})
    assert reports.ids({"fixed"}) and reports.ids({"ignored"})

    for key, (title, row) in seen.items():
        finding = by_id[key]
        first = finding["referrers"][0] if finding["referrers"] else {"page": None, "text": None}
        assert row["问题类型"] == finding["kind_label"]
        assert row["页面URL"] == finding["url"]
        assert row["父页面"] == (first["page"] or None)
        assert row["链接文字"] == (first["text"] or None)
        assert row["所在栏目"] == (finding["column"] or None)
        assert row["整改状态"] == finding["state_label"]
        if title in ("已整改", "已忽略"):
            assert row["备注"].startswith(finding["note"])
        assert row["整改建议"]

    gbk = [row for _, row in seen.values() if row["链接文字"] == GBK_TEXT]
    assert len(gbk) == 1
    assert "3999003" in gbk[0]["页面URL"]
    ignored = next(row for title, row in seen.values() if title == "已忽略")
    assert ignored["备注"] == IGNORE_REASON
    assert "/slow/" in ignored["页面URL"]


def test_summary_sheet_numbers_equal_json_summary(reports: Reports) -> None:
    ws = openpyxl.load_workbook(reports.folder / "checklist.xlsx")["汇总"]
    facts = summary_facts(ws)
    summary, doc = reports.doc["summary"], reports.doc
    assert facts["网站名称"] == doc["run"]["site"]
    assert facts["检查批次"] == doc["run"]["id"]
    assert facts["检查基准日"] == doc["run"]["as_of"]
    assert facts["抓取页面数"] == summary["pages"]
    assert facts["链接总数"] == summary["link_occurrences"]
    assert facts["检测地址数"] == summary["checked_urls"]
    assert facts["未整改问题合计"] == summary["findings"]
    assert ("不合格" in facts["单项否决结论"]) is doc["veto"]["would_fail"]

    veto = summary_table(ws, "单项否决指标（国办秘函〔2019〕19号）")
    expected = [
        (v["indicator"], v["count"], v["unit"], v["limit"], v["warn_at"]) for v in doc["veto"]["indicators"]
    ]
    assert [row[:5] for row in veto] == expected
    status_words = {"pass": "正常", "warn": "预警", "fail": "否决"}
    assert [row[5] for row in veto] == [status_words[v["status"]] for v in doc["veto"]["indicators"]]

    label = {f["kind"]: f["kind_label"] for f in reports.findings}
    by_kind = summary_table(ws, "未整改问题（按问题类型）")
    assert by_kind[-1] == ("合计", summary["findings"], None, None, None, None)
    assert {row[0]: row[1] for row in by_kind[:-1]} == {
        label[k]: n for k, n in summary["findings_by_kind"].items()
    }
    by_severity = summary_table(ws, "未整改问题（按严重程度）")
    severities = Counter(f["severity_label"] for f in reports.findings if f["state"] in OPEN_STATES)
    assert {row[0]: row[1] for row in by_severity[:-1]} == dict(severities)

    changes = {row[0]: row[1] for row in summary_table(ws, "与上次检查相比")}
    state_words = {
        "new": "新发现",
        "still_open": "未整改",
        "reopened": "再次出现",
        "fixed": "已整改",
        "ignored": "已忽略",
    }
    assert changes == {
        word: summary["findings_by_state"].get(state, 0) for state, word in state_words.items()
    }
    assert changes["已整改"] == 1 and changes["已忽略"] == 1


def test_sheets_are_ready_to_filter_print_and_click(reports: Reports) -> None:
    book = openpyxl.load_workbook(reports.folder / "checklist.xlsx")
    for ws in [book["全部问题"], *finding_sheets(book), book["栏目"]]:
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == int(ws.PAPERSIZE_A4)
        assert ws.page_setup.fitToWidth in (1, None)  # one page wide; absent means 1
        assert ws.page_setup.fitToHeight == 0  # as many pages tall as the rows need
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert all(cell.font.bold for cell in ws[1])
        widths = [column_width(ws, c) for c in range(1, ws.max_column + 1)]
        # Fitted to one page wide, the columns print at a readable scale, not 1.3 mm rows.
        assert page_scale(widths) >= 0.55, (ws.title, widths)
    links = 0
    for ws in finding_sheets(book):
        header = [c.value for c in ws[1]]
        url_col, parent_col, desc_col = (header.index(h) + 1 for h in ("页面URL", "父页面", "问题描述"))
        for row in range(2, ws.max_row + 1):
            for col in (url_col, parent_col):
                cell = ws.cell(row=row, column=col)
                if cell.value:
                    assert cell.hyperlink is not None and cell.hyperlink.target == cell.value
                    links += 1
            assert ws.cell(row=row, column=desc_col).alignment.wrap_text
        widths = {h: column_width(ws, i + 1) for i, h in enumerate(header)}
        assert widths["问题描述"] > widths["序号"]
        assert widths["序号"] >= display_width("序号") + 2
    assert links >= len(reports.findings)
    summary = book["汇总"]
    kind_cell = next(c for c in summary["A"] if c.value == "首页不可用链接")
    assert kind_cell.hyperlink is not None and kind_cell.hyperlink.location == "'首页不可用链接'!A1"


def test_columns_sheet_lists_the_columns(reports: Reports) -> None:
    rows = table(openpyxl.load_workbook(reports.folder / "checklist.xlsx")["栏目"])
    columns = reports.doc["columns"]
    assert len(rows) == len(columns) > 0
    status_words = {
        "ok": "正常",
        "empty": "空白栏目",
        "stale": "超期未更新",
        "undated": "无发布日期",
        "warning": "即将超期",
        "exempt": "豁免",
    }
    for row, column in zip(rows, columns, strict=True):
        assert row["栏目名称"] == column["name"]
        assert row["栏目URL"] == column["url"]
        assert row["栏目类别"] == column["category_label"]
        assert row["信息条数"] == column["items"]
        assert row["状态"] == status_words[column["status"]]
        newest = row["最新信息日期"]
        assert (newest.date().isoformat() if newest else None) == column["newest"]
        assert row["距检查日天数"] == column["days_since"]


def test_display_width_counts_cjk_double() -> None:
    assert display_width(GBK_TEXT) == 2 * len(GBK_TEXT)
    assert display_width("HTTP 404：页面不存在") == 8 + 2 * 6  # the full-width colon is wide too
    assert display_width("ab\n中文字") == 6


def test_sheet_titles_are_legal_and_unique() -> None:
    taken: set[str] = set()
    first = sheet_title("a[b]:c*d?e/f\\g", taken)
    assert first == "a_b__c_d_e_f_g"
    long = "栏目" * 20
    one, two = sheet_title(long, taken), sheet_title(long, taken)
    assert len(one) == 31 and len(two) == 31 and one != two
    assert sheet_title("'quoted'", taken) == "quoted"


# -- formula injection ------------------------------------------------------------------------------

HOSTILE: dict[str, Any] = {
    "link_text": EVIL,
    "column": "+1+cmd|' /C calc'!A0",
    "office": "-2+3",
    "description": "@SUM(1+1)*cmd|' /C calc'!A0",
    "http": "\t=1+1",
    "advice": "\r=1+1",
    "note": "#N/A",
}


def _same_kind_pair(data: ReportData) -> tuple[ChecklistRow, ChecklistRow]:
    """Two open rows of one problem type, so both land on the same sheet."""
    for row in data.open_rows:
        twins = [r for r in data.open_rows if r.kind_label == row.kind_label]
        if len(twins) >= 2:
            return twins[0], twins[1]
    raise AssertionError("the sample portal has no problem type with two findings")


def hostile_data(data: ReportData) -> ReportData:
    first, second = _same_kind_pair(data)
    rows = [
        # The note holds the hostile text alone (no "另有 N 个页面" appended).
        dataclasses.replace(first, **HOSTILE, other_referrers=0),
        dataclasses.replace(second, url="javascript:alert(1)", parent_page="bad\x07page"),
    ]
    return dataclasses.replace(data, rows=rows)


def test_xlsx_never_evaluates_crawled_text(reports: Reports, tmp_path: Path) -> None:
    path = tmp_path / "evil.xlsx"
    write_xlsx(hostile_data(reports.data), path)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(path)
    ws = book[_same_kind_pair(reports.data)[0].kind_label]
    header = [c.value for c in ws[1]]
    cells = {h: ws.cell(row=2, column=header.index(h) + 1) for h in header}
    field_header = {
        "link_text": "链接文字",
        "column": "所在栏目",
        "office": "责任科室",
        "description": "问题描述",
        "http": "HTTP状态/错误",
        "advice": "整改建议",
        "note": "备注",
    }
    for field, value in HOSTILE.items():
        if field_header[field] not in cells:
            continue  # the HTTP status is in 问题描述 on a sheet; its own column is in the CSV
        cell = cells[field_header[field]]
        assert cell.data_type == "s", field
        assert cell.value == value.replace("\r", "\n"), field  # XML reads a bare CR as LF
        if field != "note":
            assert cell.quotePrefix, field
    second = {h: ws.cell(row=3, column=header.index(h) + 1) for h in header}
    assert second["页面URL"].value == "javascript:alert(1)" and second["页面URL"].hyperlink is None
    # A control character in a URL is percent-encoded: the address stays exact (report/text.py).
    assert second["父页面"].value == "bad%07page" and second["父页面"].hyperlink is None


def test_csv_never_evaluates_crawled_text(reports: Reports, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    write_csv(hostile_data(reports.data), path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(iter(csv.DictReader(handle)))
    assert row["链接文字"] == "'" + EVIL
    assert row["所在栏目"] == "'" + HOSTILE["column"]
    assert row["责任科室"] == "'-2+3"
    assert row["问题描述"].startswith("'@")
    assert row["HTTP状态/错误"] == "'\t=1+1"
    assert row["整改建议"] == "'\r=1+1"
    assert row["备注"] == "#N/A"


# -- CSV --------------------------------------------------------------------------------------------


def test_csv_agrees_with_json(reports: Reports) -> None:
    path = reports.folder / "findings.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == CSV_HEADERS
    assert raw.count(b"\r\n") == len(rows) + 1 and raw.count(b"\n") == raw.count(b"\r\n")
    by_id = reports.by_id()
    assert len(rows) == len(by_id)
    assert {r["问题编号"] for r in rows} == set(by_id)
    state_words = {f["state_label"]: f["state"] for f in reports.findings}
    assert Counter((r["问题类型"], state_words[r["整改状态"]]) for r in rows) == Counter(
        (f["kind_label"], f["state"]) for f in reports.findings
    )
    for row in rows:
        finding = by_id[row["问题编号"]]
        first = finding["referrers"][0] if finding["referrers"] else {"page": "", "text": ""}
        assert row["页面URL"] == finding["url"]
        assert row["父页面"] == first["page"]
        assert row["链接文字"] == first["text"]
        assert row["严重程度"] == finding["severity_label"]
        assert int(row["序号"]) >= 1
    assert [r["链接文字"] for r in rows].count(GBK_TEXT) == 1


# -- SARIF ------------------------------------------------------------------------------------------

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_ARTIFACT_LOCATION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"uri": {"type": "string"}, "uriBaseId": {"type": "string"}, "index": {"type": "integer"}},
}
_LOCATION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": -1},
        "physicalLocation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"artifactLocation": _ARTIFACT_LOCATION},
        },
        "logicalLocations": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "kind": {"type": "string"}},
            },
        },
        "message": _MESSAGE,
    },
}
# The part of the SARIF 2.1.0 schema (OASIS sarif-schema-2.1.0.json) for the objects sitecheck
# writes, with the same required keys, enums and closed property sets.
SARIF_SUBSET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "uniqueItems": True,
                                        "items": {
                                            "type": "object",
                                            "additionalProperties": False,
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "name": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "properties": {"type": "object"},
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "language": {"type": "string", "pattern": "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"},
                    "automationDetails": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "invocations": {
                        "type": "array",
                        "items": {"type": "object", "required": ["executionSuccessful"]},
                    },
                    "properties": {"type": "object"},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "kind": {
                                    "enum": [
                                        "notApplicable",
                                        "pass",
                                        "fail",
                                        "review",
                                        "open",
                                        "informational",
                                    ]
                                },
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {"type": "array", "items": _LOCATION},
                                "relatedLocations": {
                                    "type": "array",
                                    "uniqueItems": True,
                                    "items": _LOCATION,
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "baselineState": {"enum": ["new", "unchanged", "updated", "absent"]},
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["kind"],
                                        "properties": {
                                            "kind": {"enum": ["inSource", "external"]},
                                            "status": {"enum": ["accepted", "underReview", "rejected"]},
                                            "justification": {"type": "string"},
                                        },
                                    },
                                },
                                "properties": {"type": "object"},
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_results_track_open_findings(reports: Reports) -> None:
    sarif = json.loads((reports.folder / "findings.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and "sarif" in sarif["$schema"]
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "sitecheck"
    assert [r["id"] for r in rules] == [k.value for k in FindingKind]
    label = {f["kind"]: f["kind_label"] for f in reports.findings}
    for rule in rules:
        text = rule["shortDescription"]["text"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and any(
            ch.isascii() and ch.isalpha() for ch in text
        )
        if rule["id"] in label:
            assert label[rule["id"]] in text

    results = run["results"]
    active = [r for r in results if not r.get("suppressions")]
    by_id = reports.by_id()
    assert {r["partialFingerprints"][FINGERPRINT] for r in active} == reports.ids(OPEN_STATES)
    assert len(active) == len(reports.ids(OPEN_STATES))
    suppressed = [r for r in results if r.get("suppressions")]
    assert {r["partialFingerprints"][FINGERPRINT] for r in suppressed} == reports.ids({"ignored"})
    assert suppressed[0]["suppressions"][0]["justification"] == IGNORE_REASON
    levels = {"veto": "error", "deduction": "warning", "warning": "note"}
    for result in results:
        finding = by_id[result["partialFingerprints"][FINGERPRINT]]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["kind"]
        assert result["level"] == levels[finding["severity"]]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == finding["url"]
        page = finding["referrers"][0]["page"] if finding["referrers"] else ""
        if page and page != finding["url"]:
            assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == page
        assert result["message"]["text"]
    assert any(GBK_TEXT in r["message"]["text"] for r in results)


def test_sarif_matches_the_schema(reports: Reports) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sarif = json.loads((reports.folder / "findings.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, SARIF_SUBSET)
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SARIF_SUBSET)


# -- JUnit ------------------------------------------------------------------------------------------


def test_junit_has_a_case_per_finding(reports: Reports) -> None:
    root = ET.parse(reports.folder / "junit.xml").getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    n_open, n_fixed, n_ignored = (len(reports.ids(s)) for s in (OPEN_STATES, {"fixed"}, {"ignored"}))
    assert int(suite.get("tests", "")) == len(cases) == n_open + n_fixed + n_ignored
    assert (
        int(suite.get("failures", "")) == len([c for c in cases if c.find("failure") is not None]) == n_open
    )
    assert (
        int(suite.get("skipped", "")) == len([c for c in cases if c.find("skipped") is not None]) == n_ignored
    )
    passed = [c for c in cases if c.find("failure") is None and c.find("skipped") is None]
    assert len(passed) == n_fixed
    ids = {c.find("properties/property[@name='finding_id']").get("value") for c in cases}  # type: ignore[union-attr]
    assert ids == set(reports.by_id())
    assert {p.get("value") for p in passed for p in p.findall("properties/property")} == reports.ids(
        {"fixed"}
    )
    assert "政府网站检查" in suite.get("name", "")
    labels = {f["kind_label"] for f in reports.findings}
    assert all(c.get("classname") in labels and c.get("classname", "") in c.get("name", "") for c in cases)
    assert any(GBK_TEXT in c.get("name", "") for c in cases)


def test_junit_survives_control_characters(reports: Reports, tmp_path: Path) -> None:
    data = hostile_data(reports.data)
    data = dataclasses.replace(data, rows=[dataclasses.replace(data.rows[0], link_text="bell\x07 text\x00")])
    write_junit(data, tmp_path / "junit.xml")
    case = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite/testcase")
    assert case is not None and "bell\ufffd text\ufffd" in case.get("name", "")  # shown as �, not dropped


# -- empty runs and failed writes -------------------------------------------------------------------


def test_a_clean_run_still_writes_every_report(reports: Reports, tmp_path: Path) -> None:
    clean = dataclasses.replace(reports.data, rows=[])
    write_xlsx(clean, tmp_path / "c.xlsx")
    write_csv(clean, tmp_path / "c.csv")
    write_sarif(clean, tmp_path / "c.sarif")
    write_junit(clean, tmp_path / "c.xml")
    assert openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames == ["汇总", "栏目"]
    assert (tmp_path / "c.csv").read_bytes().count(b"\r\n") == 1
    assert json.loads((tmp_path / "c.sarif").read_text(encoding="utf-8"))["runs"][0]["results"] == []
    assert ET.parse(tmp_path / "c.xml").getroot().find("testsuite").get("tests") == "0"  # type: ignore[union-attr]


def _shown(value: Any) -> str:
    """A cell's value as a spreadsheet shows it with the checklist's formats."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


@pytest.mark.skipif(calc.soffice() is None, reason=f"LibreOffice is not installed ({calc.INSTALL_HINT})")
def test_an_office_suite_opens_the_workbook_and_prints_it_as_set(reports: Reports, tmp_path: Path) -> None:
    """LibreOffice Calc shows every cell as openpyxl reads it, and prints each table sheet on
    landscape A4 pages with every column on the page (one page wide), the 汇总 sheet portrait."""
    path = reports.folder / "checklist.xlsx"
    book = openpyxl.load_workbook(path)
    shown = calc.sheets_as_shown(path, tmp_path / "csv")
    assert sorted(shown) == sorted(book.sheetnames)
    for ws in book.worksheets:
        expected = [[_shown(v) for v in row] for row in ws.iter_rows(values_only=True)]
        rows = [row + [""] * (ws.max_column - len(row)) for row in shown[ws.title]]
        # Calc leaves trailing empty rows and cells out; openpyxl pads to the sheet's extent.
        assert [r for r in rows if any(r)] == [r for r in expected if any(r)], ws.title

    pdf = pypdf.PdfReader(calc.printed(path, tmp_path / "pdf"))
    first_pages: dict[str, Any] = {}
    for page in pdf.pages:
        title = page.extract_text().split("\n", 1)[0].strip()  # the page header: the sheet's name
        first_pages.setdefault(title, page)
        box = page.mediabox
        portrait = title == "汇总"
        assert (float(box.width) < float(box.height)) is portrait, title
        assert sorted((round(float(box.width)), round(float(box.height)))) == [595, 842], title  # A4
    assert list(first_pages) == book.sheetnames
    for ws in book.worksheets[1:]:
        text = first_pages[ws.title].extract_text()
        last_header = ws.cell(row=1, column=ws.max_column).value
        assert last_header in text, (ws.title, last_header)  # the last column is on the first page


def test_every_kind_of_value_becomes_a_cell(tmp_path: Path) -> None:
    """What the checklist's sheets hold, written and read back (a pure unit: no network)."""
    path = tmp_path / "cells.xlsx"
    values = [7, 0.25, True, date(2026, 12, 5), "文字", "=1+1", "", None, float("nan"), float("inf")]
    with tabular.new_workbook(path, "标题") as (book, looks):
        ws = book.add_worksheet("表")
        for col, value in enumerate(values):
            tabular.write_cell(ws, 0, col, value, looks.get())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cells.xlsx"]  # its row files are gone
    row = next(openpyxl.load_workbook(path)["表"].iter_rows(values_only=True))
    assert list(row) == [7, 0.25, True, datetime(2026, 12, 5), "文字", "=1+1", None, None, "nan", "inf"]


def test_links_stop_where_excel_stops_and_the_addresses_stay(
    reports: Reports, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel refuses a book with more than 65 530 links on a sheet or an address over 2 079
    characters; past that, the address is written as text."""
    long_url = "http://www.example.gov.cn/" + "a" * 2100
    rows = [*reports.data.rows]
    first = next(i for i, r in enumerate(rows) if r.status in OPEN_STATES)
    rows[first] = dataclasses.replace(rows[first], url=long_url)
    monkeypatch.setattr(tabular, "_MAX_HYPERLINKS", 3)
    path = tmp_path / "links.xlsx"
    write_xlsx(dataclasses.replace(reports.data, rows=rows), path)
    ws = openpyxl.load_workbook(path)["全部问题"]
    header = [c.value for c in ws[1]]
    cells = [
        ws.cell(row=r, column=header.index(h) + 1)
        for r in range(2, ws.max_row + 1)
        for h in ("页面URL", "父页面")
    ]
    linked = [c for c in cells if c.hyperlink is not None]
    assert len(linked) == 3 and len(cells) > 6
    assert all(c.hyperlink.target == c.value for c in linked)
    assert cells[0].value == long_url and cells[0].hyperlink is None


def test_a_failed_write_keeps_the_previous_file(
    reports: Reports, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "checklist.xlsx"
    write_xlsx(reports.data, path)
    before = path.read_bytes()

    class FullDisk(zipfile.ZipFile):
        """The archive file is created, and the disk is full at the first part written into it."""

        def write(self, *args: Any, **kwargs: Any) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        writestr = write  # type: ignore[assignment]

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", FullDisk)
    with pytest.raises(ReportError, match="No space left"):
        write_xlsx(reports.data, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checklist.xlsx"]
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(ReportError):
        write_csv(reports.data, blocked / "findings.csv")


def test_bidi_and_control_characters_from_a_page_are_neutralised(reports: Reports, tmp_path: Path) -> None:
    """U+202E in a link text would reverse the cells' words after it; ESC would reach a terminal."""
    first, _ = _same_kind_pair(reports.data)
    row = dataclasses.replace(first, link_text="通知\u202egnp.exe\x1b[2J", url=first.url + "\u202e")
    data = dataclasses.replace(reports.data, rows=[row])
    write_csv(data, tmp_path / "f.csv")
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = next(iter(csv.DictReader(handle)))
    assert cells["链接文字"] == "通知gnp.exe\ufffd[2J"
    assert cells["页面URL"] == first.url + "%E2%80%AE"  # the exact address, percent-encoded
    write_xlsx(data, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")[first.kind_label]
    values = {ws.cell(row=1, column=c).value: ws.cell(row=2, column=c) for c in range(1, ws.max_column + 1)}
    assert values["链接文字"].value == "通知gnp.exe\ufffd[2J"
    assert values["页面URL"].value == first.url + "%E2%80%AE"
    assert values["页面URL"].hyperlink.target == first.url + "%E2%80%AE"


def test_findings_json_text_is_the_document_a_line_an_item() -> None:
    # findings.json is written a line for each top-level entry and each column or finding (the
    # C encoder writes each line): it must read back as the document, whatever its text holds.
    document = {
        "schema": "sitecheck/findings",
        "run": {"id": 1, "site": "政府网站", "finished_at": None},
        "columns": [],
        "home": None,
        "findings": [
            {"claim": '栏目"通知公告"\n</script><b>', "referrers": [{"page": "http://x/a b", "n": 1}]},
            {"claim": "tab\there\u2028line", "referrers": [], "ok": True, "score": 1.5},
        ],
        "veto": {"indicators": [{"indicator": "空白栏目", "count": 0}]},
    }
    text = document_text(document)
    assert json.loads(text) == document
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert sum(line.startswith('    {"claim"') for line in lines) == 2  # a finding a line
    assert '  "columns": [],' in lines and '  "home": null,' in lines
