"""Office 97–2003 attachments (issue 15, part 1): .xls and WPS .et through xlrd, .doc and WPS .wps
through antiword (Debian), on real files written by LibreOffice (tests/extract/legacy/README.md);
what cannot be read — no antiword on the machine, a damaged or foreign OLE file — is not
checkable, never clean."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sitecheck.extract import legacy_office
from sitecheck.extract.attachments import extract_attachment
from sitecheck.extract.text_checks import UNREADABLE, check_attachment

TODAY = date(2026, 12, 5)
HERE = Path(__file__).resolve().parent / "legacy"
ID_F, ID_G = "320102198804163155", "420106197506301286"
needs_antiword = pytest.mark.skipif(not legacy_office.antiword_available(), reason="antiword not installed")


def _mask(number: str) -> str:
    return f"{number[:4]}**********{number[-4:]}"


@pytest.mark.parametrize("extension", ["xls", "et"])
def test_an_excel_97_roster_is_read_by_sheet_and_cell(extension: str) -> None:
    extracted = extract_attachment((HERE / "roster.xls").read_bytes(), extension)
    assert extracted.kind == "xls" and not extracted.unreadable
    hits = check_attachment(extracted, TODAY)
    assert [(h.kind, h.place) for h in hits if h.kind == "roster"] == [("roster", "工作表“名单”C 列")]
    assert ("id_card", _mask(ID_F), "工作表“名单”单元格 C2") in {(h.kind, h.value, h.place) for h in hits}
    assert ID_F not in repr(hits)


@needs_antiword
@pytest.mark.parametrize("extension", ["doc", "wps"])
def test_a_word_97_document_is_read_with_its_table_rows(extension: str) -> None:
    extracted = extract_attachment((HERE / "reply.doc").read_bytes(), extension)
    assert extracted.kind == "doc" and not extracted.unreadable
    found = {(h.kind, h.value, h.place) for h in check_attachment(extracted, TODAY)}
    assert found == {
        ("id_card", _mask(ID_F), "正文"),
        ("mobile", "138****4567", "正文"),
        ("id_card", _mask(ID_G), "表格 1 第 2 行"),
    }


def test_without_antiword_a_word_97_document_is_not_checkable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy_office.shutil, "which", lambda name: None)
    hits = check_attachment(extract_attachment((HERE / "reply.doc").read_bytes(), "doc"), TODAY)
    assert [(h.kind, h.value) for h in hits] == [(UNREADABLE, "legacy")]


def test_a_damaged_or_foreign_ole_file_is_not_checkable() -> None:
    data = (HERE / "roster.xls").read_bytes()
    cut = data[:1536]  # the header and directory name a workbook, its sectors are gone
    assert extract_attachment(cut, "xls").unreadable in ("legacy", "damaged")
    # A Kingsoft-format .et or .wps: an OLE file whose directory names no Workbook or WordDocument.
    foreign = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "KsoDoc".encode("utf-16-le")
    for extension in ("et", "wps"):
        assert extract_attachment(foreign, extension).unreadable == "legacy"


@needs_antiword
def test_antiword_refuses_what_is_not_word() -> None:
    """An OLE file that names a WordDocument stream but is none: antiword fails, not checkable."""
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le")
    assert extract_attachment(fake, "doc").unreadable == "legacy"


@needs_antiword
def test_an_annual_report_as_doc_gives_its_sections_and_both_tables() -> None:
    """A .doc report's 表三 (8 columns) and 表四 (15 columns): antiword writes tables that wide on
    one line; both are read, and their sums checked by the judge as a Word table's would be."""
    from sitecheck.extract.annual_report import ApplicationTable, ReviewTable
    from sitecheck.extract.report_file import check_report_file

    body = (HERE / "annual-report.doc").read_bytes()
    hits = {hit.kind: hit for hit in check_report_file(REPORT_TITLE, extract_attachment(body, "doc"), body)}
    assert hits["annual_report"].note == "1,2,3,4,5,6"
    table = ApplicationTable.decoded(hits["application_table"].note)
    assert table is not None and table.mismatches() == (0, 6)  # 自然人 and 总计: 10 + 1 ≠ 11 + 1
    review = ReviewTable.decoded(hits["review_table"].note)
    assert review == ReviewTable((3, 1, 0, 1, 4, 2, 0, 0, 0, 2, 1, 0, 0, 0, 1)) and review.mismatches() == (
        0,
    )


REPORT_TITLE = "某市乙局2025年政府信息公开工作年度报告"


def test_a_wide_table_on_one_line_is_read_as_rows() -> None:
    text = "正文\n项目 |甲 |乙 |丙 | |一 |1 |2 |3 | |二 |4 |5 |6 | |四、下一节\n结尾"
    paragraphs, tables = legacy_office.word_tables(text)
    assert tables == [[["项目", "甲", "乙", "丙"], ["一", "1", "2", "3"], ["二", "4", "5", "6"]]]
    assert paragraphs.splitlines() == ["正文", "四、下一节", "结尾"]
    # A sentence with a bar or two is no table.
    assert legacy_office.word_tables("选项 A | B 均可")[1] == []
