"""Text a crawled page chose cannot disturb any output, and no output is left half-written.

A portal (or a page it links to) can put U+202E RIGHT-TO-LEFT OVERRIDE, isolates, LRM/RLM,
escape sequences and other control characters into link texts, column names and URLs. Every
report (HTML, CSV, XLSX, SARIF, JUnit) and the console must show them neutralised — bidi
controls gone (or percent-encoded in a URL), other controls as U+FFFD — so our own wording after
them is never reversed or repainted. findings.json keeps the raw text, as valid JSON.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import signal
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sitecheck.errors import ReportError
from sitecheck.judge.columns import Column, ColumnCategory, ColumnStatus
from sitecheck.judge.veto import TallyLine, VetoTally
from sitecheck.models import Finding, FindingKind, Outcome, Referrer, RunRecord, Severity
from sitecheck.report import write_reports
from sitecheck.report.checklist import ReportData, RunSummary, build_report
from sitecheck.report.ci import write_junit, write_sarif
from sitecheck.report.console import print_columns, print_findings
from sitecheck.report.files import atomic_write
from sitecheck.report.html import render_html, write_html
from sitecheck.report.jsonfile import check_writable, write_json
from sitecheck.report.labels import OUTCOME_LABELS
from sitecheck.report.tabular import write_csv, write_xlsx
from sitecheck.report.text import BIDI_CONTROLS, clean_line, clean_text, clean_url
from sitecheck.store import Store

RLO = "\u202e"
# A link text as a hostile page could write it: an override that would reverse what follows,
# an isolate, an ANSI colour, a bell, NUL, a C1 control, a line separator and markup.
LINK_TEXT = f"通知{RLO}gnp.exe\u2066公告\u2069\x1b[31m红\x07\x00\x85<script>alert(1)</script>\u2028下一行"
LINK_TEXT_SHOWN = "通知gnp.exe公告\ufffd[31m红\ufffd\ufffd\ufffd<script>alert(1)</script>\n下一行"
COLUMN_NAME = f"工作动态{RLO}态动作工\u200f"
COLUMN_SHOWN = "工作动态态动作工"
OFFICE = "办公室\u202b\x08"
OFFICE_SHOWN = "办公室\ufffd"
DEAD_URL = f"http://www.example.gov.cn/a{RLO}lmth.exe"
DEAD_URL_SHOWN = "http://www.example.gov.cn/a%E2%80%AElmth.exe"
PAGE_URL = "http://www.example.gov.cn/list\x1b.html"
PAGE_URL_SHOWN = "http://www.example.gov.cn/list%1B.html"
SITE = f"某市{RLO}府政民人"

# Anything a terminal, a spreadsheet or a browser would act on rather than show.
UNSAFE = re.compile(f"[{BIDI_CONTROLS}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def assert_clean(text: str, where: str = "") -> None:
    found = UNSAFE.search(text)
    assert found is None, (
        f"{where}: U+{ord(found.group()):04X} in {text[max(found.start() - 30, 0) : found.end() + 30]!r}"
    )


def hostile_findings() -> list[Finding]:
    referrer = Referrer(page=PAGE_URL, element="a", attribute="href", text=LINK_TEXT, raw=DEAD_URL)
    return [
        Finding(
            key="dead_link:00000000000000a1",
            kind=FindingKind.DEAD_LINK,
            severity=Severity.DEDUCTION,
            url=DEAD_URL,
            outcome=Outcome.NOT_FOUND,
            status=404,
            detail=f"HTTP 404{RLO} 技术细节",
            referrers=(referrer,),
            column=COLUMN_NAME,
            office=OFFICE,
        ),
        Finding(
            key="unavailable_link:00000000000000b2",
            kind=FindingKind.UNAVAILABLE_LINK,
            severity=Severity.DEDUCTION,
            url=PAGE_URL,
            detail=f"链接指向“#”{RLO}",
            referrers=(referrer,),
            column=COLUMN_NAME,
        ),
        Finding(
            key="empty_column:00000000000000c3",
            kind=FindingKind.EMPTY_COLUMN,
            severity=Severity.VETO,
            url=PAGE_URL,
            detail=f"空白栏目「{COLUMN_NAME}」没有任何信息",
            column=COLUMN_NAME,
            office=OFFICE,
            state="ignored",
            note=f"忽略原因{RLO}因原略忽",
        ),
    ]


def hostile_column() -> Column:
    return Column(
        url=PAGE_URL,
        name=COLUMN_NAME,
        name_source="meta",
        category=ColumnCategory.DYNAMIC,
        category_source="name",
        limit_days=14,
        warn_days=10,
        office=OFFICE,
        parent=f"政务公开{RLO}",
        level=2,
        pages=(PAGE_URL,),
        item_count=0,
        text_dated=0,
        url_dated=0,
        newest=None,
        total_records=None,
        placeholder=LINK_TEXT,
        cms="trs",
        column_type_meta=None,
        status=ColumnStatus.EMPTY,
        days_since=None,
    )


def hostile_summary(start_url: str = "http://www.example.gov.cn/") -> RunSummary:
    run = RunRecord(
        id=7,
        site=SITE,
        start_url=start_url,
        home_url=start_url,
        started_at="2026-11-27T01:00:00+00:00",
        finished_at="2026-11-27T01:05:00+00:00",
        status="finished",
        config_json="{}",
        observed_on="2026-11-27",
    )
    findings = hostile_findings()
    return RunSummary(
        run=run,
        as_of=date(2026, 11, 27),
        pages=3,
        link_occurrences=9,
        checked_urls=5,
        outcomes={"ok": 3, "not_found": 1},
        findings=findings,
        columns=[hostile_column()],
        home=None,
        tally=VetoTally((TallyLine("空白栏目", 1, 1, 1),)),
        by_kind={"dead_link": 1, "unavailable_link": 1},
        by_state={"new": 2, "ignored": 1},
    )


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture()
def data(store: Store) -> ReportData:
    return build_report(store, hostile_summary())


# -- the helper -------------------------------------------------------------------------------------


def test_clean_text_removes_bidi_and_shows_controls() -> None:
    assert clean_text(LINK_TEXT) == LINK_TEXT_SHOWN
    assert clean_text("a\tb\r\nc") == "a\tb\r\nc"  # cells may hold several lines
    assert clean_line("a\tb\r\nc\u2029d") == "a b  c d"  # a console message stays on its line
    assert clean_text("\ud800") == "\ufffd"
    assert clean_text("普通文字 plain") == "普通文字 plain"
    assert clean_url(DEAD_URL) == DEAD_URL_SHOWN and clean_url(PAGE_URL) == PAGE_URL_SHOWN
    assert clean_url("http://x/通知.pdf?a=1 2") == "http://x/通知.pdf?a=1 2"  # only unsafe characters


# -- HTML -------------------------------------------------------------------------------------------


def test_html_isolates_and_neutralises_crawled_text(data: ReportData) -> None:
    page = render_html(data)
    body = page[page.index("<body>") :]
    assert_clean(page, "checklist.html")
    assert "<script>alert(1)</script>" not in body  # escaped, as before
    tree = HTMLParser(page)
    link_texts = [node.text() for node in tree.css(".link-text bdi")]
    assert LINK_TEXT_SHOWN in link_texts
    for selector in ("td.column", "td.office", "td.description", "#site-name"):
        nodes = tree.css(selector)
        assert nodes, selector
        assert all(node.css_first("bdi") is not None for node in nodes), selector
    groups = [node.css_first("bdi") for node in tree.css("tr.group-row th")]
    assert OFFICE_SHOWN in [g.text() for g in groups if g is not None]  # 责任科室：<bdi>…</bdi>（1）
    assert COLUMN_SHOWN in [n.text() for n in tree.css("td.column bdi")]
    assert "某市府政民人" in _text(tree, "#site-name")
    # A link keeps the exact address (percent-encoded); its shown text is isolated as well.
    hrefs = [a.attributes.get("href") for a in tree.css("a.url")]
    assert DEAD_URL_SHOWN in hrefs
    assert all(a.css_first("bdi") is not None for a in tree.css("a.url"))
    note = [n.text() for n in tree.css("td.note bdi")]
    assert "忽略原因因原略忽" in note


def _text(tree: HTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, selector
    return node.text()


# -- CSV and XLSX -----------------------------------------------------------------------------------


def test_csv_cells_are_neutralised(data: ReportData, tmp_path: Path) -> None:
    path = tmp_path / "findings.csv"
    write_csv(data, path)
    text = path.read_text(encoding="utf-8-sig")
    assert_clean(text.replace("\r\n", "\n"), "findings.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dead = next(r for r in rows if r["问题编号"].startswith("dead_link:"))
    assert dead["链接文字"] == LINK_TEXT_SHOWN
    assert dead["所在栏目"] == COLUMN_SHOWN
    assert dead["责任科室"] == OFFICE_SHOWN
    assert dead["页面URL"] == DEAD_URL_SHOWN and dead["父页面"] == PAGE_URL_SHOWN


def test_xlsx_cells_are_neutralised(data: ReportData, tmp_path: Path) -> None:
    path = tmp_path / "checklist.xlsx"
    write_xlsx(data, path)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            assert RLO.encode() not in archive.read(name), name
    book = openpyxl.load_workbook(path)
    seen: set[str] = set()
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert_clean(value, ws.title)
                    seen.add(value)
    assert {LINK_TEXT_SHOWN, COLUMN_SHOWN, DEAD_URL_SHOWN, PAGE_URL_SHOWN} <= seen
    hyperlinks = {
        cell.hyperlink.target
        for ws in book.worksheets
        for r in ws.iter_rows()
        for cell in r
        if cell.hyperlink
    }
    assert DEAD_URL_SHOWN in hyperlinks


def test_sarif_and_junit_are_neutralised(data: ReportData, tmp_path: Path) -> None:
    write_sarif(data, tmp_path / "findings.sarif")
    write_junit(data, tmp_path / "junit.xml")
    sarif = (tmp_path / "findings.sarif").read_text(encoding="utf-8")
    assert_clean(json.dumps(json.loads(sarif), ensure_ascii=False), "findings.sarif")
    assert_clean((tmp_path / "junit.xml").read_text(encoding="utf-8"), "junit.xml")


# -- console ----------------------------------------------------------------------------------------


def test_console_lines_are_neutralised_and_stay_one_line() -> None:
    summary = hostile_summary()
    lines: list[str] = []
    print_findings(summary, lines.append)
    print_columns(summary, lines.append)
    for line in lines:
        assert_clean(line, "console")
        assert "\n" not in line and "\t" not in line
    dead = next(line for line in lines if DEAD_URL_SHOWN in line)
    # Our wording after the link text is on the same line, after it, in reading order.
    assert (
        dead.index("通知gnp.exe公告")
        < dead.index(OUTCOME_LABELS[Outcome.NOT_FOUND])
        < dead.index(PAGE_URL_SHOWN)
    )
    assert any(COLUMN_SHOWN in line for line in lines)


def test_safe_echo_cleans_every_line() -> None:
    """What crawl, recheck and judge print of findings goes through console.safe_echo."""
    from sitecheck.report.console import safe_echo

    out: list[str] = []
    safe_echo(out.append)(f"「{LINK_TEXT}」页面不存在")
    assert out == [f"「{clean_line(LINK_TEXT)}」页面不存在"]


# -- JSON -------------------------------------------------------------------------------------------


def test_json_keeps_raw_text_and_is_valid(tmp_path: Path) -> None:
    summary = hostile_summary()
    broken = Finding(
        key="dead_link:00000000000000d4",
        kind=FindingKind.DEAD_LINK,
        severity=Severity.DEDUCTION,
        url="http://www.example.gov.cn/x",
        outcome=Outcome.NOT_FOUND,
        referrers=(Referrer("http://www.example.gov.cn/", "a", "href", "半个\ud800字符", "x"),),
    )
    summary = RunSummary(**{**_fields(summary), "findings": [*summary.findings, broken]})
    path = write_json(summary, tmp_path / "findings.json")
    doc = json.loads(path.read_bytes().decode("utf-8"))  # strict UTF-8: no lone surrogate
    texts = [r["text"] for f in doc["findings"] for r in f["referrers"]]
    assert LINK_TEXT in texts  # raw: JSON is data for programs
    assert "半个\ufffd字符" in texts


def _fields(summary: RunSummary) -> dict[str, Any]:
    return {name: getattr(summary, name) for name in RunSummary.__dataclass_fields__}


# -- report folder names ----------------------------------------------------------------------------


def test_a_300_character_host_gets_a_short_report_folder(store: Store, tmp_path: Path) -> None:
    host = "a" * 290 + ".gov.cn"
    summary = hostile_summary(f"http://{host}/")
    folder = write_reports(store, summary, tmp_path / "reports")
    assert (folder / "checklist.html").exists() and (folder / "findings.json").exists()
    site = folder.parent
    assert site.parent == tmp_path / "reports"
    assert len(site.name.encode()) <= 80 and site.name.startswith("aaaa")
    other = write_reports(store, hostile_summary(f"http://{'a' * 289}b.gov.cn/"), tmp_path / "reports")
    assert other.parent != site  # the hash tells two long names apart


def test_slugs_stay_inside_the_reports_folder(store: Store, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for slug in ("..", "../../escape", "某市人民政府门户网站" * 10):
        folder = write_reports(store, hostile_summary(), reports, slug)
        assert folder.resolve().parent.parent == reports.resolve(), slug
        assert len(folder.parent.name.encode()) <= 80, slug


# -- failed writes ----------------------------------------------------------------------------------


def _write_with_small_files(name: str, data: ReportData, summary: RunSummary, path: Path) -> str:
    """Run one writer in a child process whose files may grow to 2 KB only (a write beyond fails
    with EFBIG, as on a full disk); return what it raised as "Type: message".

    A child, because the limit binds every file of its process: pytest's own report file (a CI
    log) would fail too, while the limit is lowered in the test process itself.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: lower the limit, write, report, exit without cleanup
        outcome = "no error"
        try:
            os.close(read_end)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (2048, hard))
            WRITERS[name](data, summary, path)
        except BaseException as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            os.write(write_end, outcome.encode("utf-8"))
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8")


WRITERS = {
    "findings.json": lambda data, summary, path: write_json(summary, path),
    "findings.csv": lambda data, summary, path: write_csv(data, path),
    "checklist.xlsx": lambda data, summary, path: write_xlsx(data, path),
    "checklist.html": lambda data, summary, path: write_html(data, path),
    "findings.sarif": lambda data, summary, path: write_sarif(data, path),
    "junit.xml": lambda data, summary, path: write_junit(data, path),
}


@pytest.fixture()
def big(data: ReportData, tmp_path: Path) -> tuple[ReportData, RunSummary, Path]:
    """Reports far larger than 2 KB, and a previous version of each file to keep."""
    out = tmp_path / "out"
    out.mkdir()
    rows = ReportData(
        **{**{f: getattr(data, f) for f in ReportData.__dataclass_fields__}, "rows": data.rows * 30}
    )
    return rows, _with_many(hostile_summary()), out


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_failed_write_leaves_no_temporary_file(name: str, big: tuple[ReportData, RunSummary, Path]) -> None:
    data, summary, out = big
    path = out / name
    path.write_bytes(b"previous")  # 8 bytes: within the limit
    raised = _write_with_small_files(name, data, summary, path)
    kind, _, message = raised.partition(": ")
    assert kind == "ReportError", raised
    assert message.startswith(f"cannot write {path}") and "\n" not in message
    assert "文件超过了允许的大小" in message
    assert sorted(p.name for p in out.iterdir()) == [name]  # no .tmp left beside it
    assert path.read_bytes() == b"previous"  # the previous file is untouched


def _with_many(summary: RunSummary) -> RunSummary:
    return RunSummary(**{**_fields(summary), "findings": summary.findings * 30})


def test_atomic_write_names_a_full_disk_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = open(self, mode, *args, **kwargs)  # noqa: PTH123, SIM115
        handle.write(b"partial")
        handle.close()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "open", full)
    with pytest.raises(ReportError, match="No space left on device（磁盘已满，请清理空间后重试）"):
        atomic_write(tmp_path / "findings.json", "{}")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_check_writable_leaves_nothing_behind(tmp_path: Path) -> None:
    check_writable(tmp_path / "findings.json")
    assert list(tmp_path.iterdir()) == []
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ReportError, match="cannot write"):
        check_writable(blocker / "findings.json")
