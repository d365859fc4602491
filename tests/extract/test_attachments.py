"""Reading attachments for the personal-data check (issue 15): PDF page by page, scanned PDFs
not checkable, DOCX paragraphs and table rows, XLSX sheets and cells (rosters by column), GBK
text and CSV, legacy formats, and the caps that keep a hostile file from stalling a crawl."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from sitecheck.demo.attachment_plants import docx_document, scanned_pdf, text_pdf, xlsx_workbook
from sitecheck.demo.text_plants import id_number
from sitecheck.extract.attachments import MAX_UNZIPPED, extract_attachment
from sitecheck.extract.text_checks import PARTLY_READ, UNREADABLE, check_attachment
from sitecheck.models import TextHit

TODAY = date(2026, 12, 5)
ID_A = id_number("110101", "19850312", "123")
ID_B = id_number("310104", "19920708", "456")
ID_C = id_number("440305", "19780121", "789")
MOBILE = "13912345678"


def _hits(data: bytes, extension: str, **caps: Any) -> list[TextHit]:
    return list(check_attachment(extract_attachment(data, extension, **caps), TODAY))


def _no_whole_number(hits: list[TextHit], *numbers: str) -> None:
    text = repr(hits)
    for number in numbers:
        assert number not in text


def test_pdf_text_is_read_page_by_page_and_hits_name_their_page() -> None:
    pdf = text_pdf(
        [["Notice of the office, nothing personal."], ["Applicant", f"ID {ID_A}", f"Tel {MOBILE}"]]
    )
    extracted = extract_attachment(pdf, "pdf")
    assert [chunk.place for chunk in extracted.chunks] == ["第 1 页", "第 2 页"]
    assert not extracted.unreadable and not extracted.limited
    hits = _hits(pdf, "pdf")
    assert [(h.kind, h.value, h.place) for h in hits] == [
        ("id_card", f"{ID_A[:4]}**********{ID_A[-4:]}", "第 2 页"),
        ("mobile", "139****5678", "第 2 页"),
    ]
    _no_whole_number(hits, ID_A, MOBILE)


def test_a_scanned_pdf_is_not_checkable_never_clean() -> None:
    extracted = extract_attachment(scanned_pdf(3), "pdf")
    assert extracted.unreadable == "scanned" and not extracted.chunks
    hits = _hits(scanned_pdf(3), "pdf")
    assert [(h.kind, h.value) for h in hits] == [(UNREADABLE, "scanned")]


def test_an_encrypted_pdf_is_not_checkable() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([[f"ID {ID_A}"]]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert extract_attachment(out.getvalue(), "pdf").unreadable == "encrypted"


def test_a_pdf_locked_only_against_editing_is_read() -> None:
    """An empty user password (a permissions lock, common on portals) opens for reading."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([[f"ID {ID_A}"]]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    hits = _hits(out.getvalue(), "pdf")
    assert [(h.kind, h.place) for h in hits] == [("id_card", "第 1 页")]


def test_docx_paragraphs_and_table_rows() -> None:
    docx = docx_document(
        ["政府信息公开申请答复书", f"经办人联系电话：{MOBILE}。"],
        [["申请人", "证件号码"], ["刘某某", ID_B]],
    )
    extracted = extract_attachment(docx, "docx")
    assert [chunk.place for chunk in extracted.chunks] == ["正文", "表格 1 第 1 行", "表格 1 第 2 行"]
    hits = _hits(docx, "docx")
    assert {(h.kind, h.place) for h in hits} == {("mobile", "正文"), ("id_card", "表格 1 第 2 行")}
    _no_whole_number(hits, ID_B, MOBILE)


def test_a_docx_named_doc_is_read_as_what_it_is() -> None:
    docx = docx_document([f"身份证号：{ID_A}"])
    assert [h.kind for h in _hits(docx, "doc")] == ["id_card"]


def test_xlsx_roster_with_sheet_column_and_cells() -> None:
    rows: list[list[object]] = [
        ["补助发放名单"],
        [],
        ["序号", "姓名", "身份证号", "联系电话"],
        [1, "张某某", ID_A, int(MOBILE)],
        [2, "李某某", ID_B, None],
        [3, "王某某", ID_C, None],
    ]
    xlsx = xlsx_workbook({"说明": [["无"]], "名单": rows})
    hits = _hits(xlsx, "xlsx")
    roster = [h for h in hits if h.kind == "roster"]
    assert [(h.place, h.note) for h in roster] == [("工作表“名单”C 列", "id_card")]
    singles = {(h.kind, h.place) for h in hits if h.kind != "roster"}
    assert ("id_card", "工作表“名单”单元格 C4") in singles
    assert ("id_card", "工作表“名单”单元格 C6") in singles
    assert ("mobile", "工作表“名单”单元格 D4") in singles  # a number typed as a number
    _no_whole_number(hits, ID_A, ID_B, ID_C, MOBILE)


def test_numbers_in_neighbouring_cells_never_run_together() -> None:
    """Four cells of four digits are not a bank card, and a cell's digits do not join the next."""
    xlsx = xlsx_workbook({"表": [["6222", "0212", "3456", "7890", "卡号"], ["1391234", "5678"]]})
    assert _hits(xlsx, "xlsx") == []


def test_gbk_csv_and_txt() -> None:
    csv_bytes = f"序号,姓名,身份证号\n1,张某某,{ID_A}\n2,李某某,{ID_B}\n3,王某某,{ID_C}\n".encode("gbk")
    hits = _hits(csv_bytes, "csv")
    assert [(h.kind, h.place) for h in hits if h.kind == "roster"] == [("roster", "表格 C 列")]
    assert ("id_card", "单元格 C2") in {(h.kind, h.place) for h in hits}
    txt = f"联系人：王某，手机：{MOBILE}。".encode("gbk")
    assert [(h.kind, h.place, h.value) for h in _hits(txt, "txt")] == [("mobile", "正文", "139****5678")]


def test_legacy_formats_are_not_checkable() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    for extension in ("doc", "xls", "wps", "et"):
        assert extract_attachment(ole, extension).unreadable == "legacy"
    assert extract_attachment(b"not a document at all", "pdf").unreadable == "damaged"
    assert extract_attachment(b"PK\x03\x04 broken zip", "docx").unreadable == "damaged"


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * 1_000_000
            for _ in range(MAX_UNZIPPED // len(chunk) + 1):
                member.write(chunk)
    bomb = out.getvalue()
    assert len(bomb) < 200_000  # a small download that would inflate past the cap
    assert extract_attachment(bomb, "docx").unreadable == "too_large"


def test_a_docx_with_a_dtd_is_refused() -> None:
    """Word never writes one: no entity expansion is ever attempted (billion laughs)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]><d>&a;</d>',
        )
    assert extract_attachment(out.getvalue(), "docx").unreadable == "damaged"


def test_caps_on_characters_and_pages_are_said() -> None:
    pdf = text_pdf([[f"Page {n} text"] for n in range(1, 31)])
    extracted = extract_attachment(pdf, "pdf", max_pages=10)
    assert len(extracted.chunks) == 10 and "共 30 页，只检查了前 10 页" in extracted.limited
    hits = check_attachment(extracted, TODAY)
    assert [(h.kind, h.value) for h in hits] == [(PARTLY_READ, "pdf")]
    assert "只检查了前 10 页" in hits[0].note
    txt = ("无关文字。" * 1000 + MOBILE).encode("utf-8")
    cut = extract_attachment(txt, "txt", max_chars=2000)
    assert "只检查了前 2,000 个字符" in cut.limited
    assert [h.kind for h in check_attachment(cut, TODAY)] == [PARTLY_READ]  # the number was past the cap


def test_a_huge_pdf_stops_at_its_time_budget() -> None:
    """2,000 pages: the reading stops at its CPU budget and says so; it never runs on."""
    pdf = text_pdf([[f"Line {n} of page {p}" for n in range(40)] for p in range(2000)])
    extracted = extract_attachment(pdf, "pdf", seconds=1.0, max_pages=5000, max_chars=100_000_000)
    assert extracted.chunks and "读取超过 1 秒" in extracted.limited
    assert len(extracted.chunks) < 2000  # it stopped before the end


def test_many_hits_in_one_attachment_are_capped() -> None:
    rows: list[list[object]] = [["说明"]] + [[f"电话 13{n:09d}"] for n in range(100, 160)]
    hits = _hits(xlsx_workbook({"表": rows}), "xlsx")
    assert len(hits) == 20
    assert "本附件另有 40 处未列出" in hits[-1].note


def test_scanned_pages_among_text_pages_are_said() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in (text_pdf([[f"ID {ID_A}"]]), scanned_pdf(2)):
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    extracted = extract_attachment(out.getvalue(), "pdf")
    assert not extracted.unreadable and "第 2、3 页无文字层（扫描页），未能检查" in extracted.limited
    hits = check_attachment(extracted, TODAY)
    assert [(h.kind, h.place) for h in hits] == [("id_card", "第 1 页"), (PARTLY_READ, "")]
