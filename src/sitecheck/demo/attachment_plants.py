"""Attachments of the sample portal that carry personal data, or cannot be checked (issue 15).

Each :class:`AttachmentPlant` hangs one file on one article (``column``'s ``nth`` newest): a
PDF with a text layer, a DOCX with a number in a table, an XLSX roster, and a scanned PDF (an
image, no text). ``expect`` is what a correct audit with ``[content] attachments = true`` says
about the file: the finding kind, its severity and parts of its detail (the masked number, the
place in the file). The documents are built here, byte for byte, with no tool but zipfile and
openpyxl, so the tests need nothing else to make them.

The numbers are made up (text_plants.id_number): valid by construction, nobody's.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Sequence
from typing import NamedTuple
from xml.sax.saxutils import escape

from sitecheck.demo.text_plants import id_number
from sitecheck.models import FindingKind, Severity

__all__ = [
    "ATTACHMENT_PLANTS",
    "AttachmentPlant",
    "Expected",
    "docx_document",
    "scanned_pdf",
    "text_pdf",
    "xlsx_workbook",
]


class Expected(NamedTuple):
    kind: FindingKind
    severity: Severity
    shows: tuple[str, ...]  # parts of the finding's detail: a masked number, the place


class AttachmentPlant(NamedTuple):
    id: str
    column: str  # the article: the ``nth`` newest of this column
    nth: int
    name: str  # the file name (the link text is 附件：<name>)
    content_type: str
    build: Callable[[], bytes]
    numbers: tuple[str, ...]  # the whole numbers it holds (none may appear in any report)
    expect: tuple[Expected, ...] = ()
    unreadable: str = ""  # the reason it cannot be checked (attachments.UNREADABLE_REASONS)


# -- PDF --------------------------------------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"
    )


def pages_pdf(fonts: Sequence[bytes], contents: Sequence[bytes]) -> bytes:
    """A PDF of A4 pages drawing ``contents`` (content streams) with font F1, the first of
    ``fonts`` (objects 3, 4, …: a font and what it refers to)."""
    first_page = 3 + len(fonts)  # 1 catalog, 2 pages, the fonts, then (page, contents) pairs
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(contents)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
        *fonts,
    ]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (first_page + 2 * i + 1)
        )
        objects.append(_stream(content))
    return _pdf(objects)


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show these lines in Helvetica (ASCII text: digits are what matter)."""
    contents = []
    for lines in pages:
        content = [b"BT /F1 12 Tf 72 770 Td 16 TL"]
        for line in lines:
            text = line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            content.append(b"(%s) Tj T*" % text)
        content.append(b"ET")
        contents.append(b"\n".join(content))
    helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    return pages_pdf([helvetica], contents)


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of scanned pages: each draws an image and holds no text at all."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    pixels = bytes(range(0, 256, 4)) * 64  # a 64 x 64 grey scan
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 ",
        ),
    ]
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /XObject << /Im1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(_stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"))
    return _pdf(objects)


# -- DOCX and XLSX -----------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _run(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx_document(paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    """A Word document: paragraphs, then a table (header row first)."""
    body = "".join(_run(p) for p in paragraphs)
    if table:
        rows = "".join(
            "<w:tr>" + "".join(f"<w:tc>{_run(cell)}</w:tc>" for cell in row) + "</w:tr>" for row in table
        )
        body += f"<w:tbl>{rows}</w:tbl>"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def xlsx_workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An Excel workbook: each sheet's rows from A1 (None leaves a cell empty)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- the plants ------------------------------------------------------------------------------------

_ID_E = id_number("320102", "19880416", "315")
_ID_F = id_number("420106", "19750630", "128")
_ID_G = id_number("510104", "19930227", "046")
_ID_H = id_number("370202", "19810911", "537")
_ID_K = id_number("210102", "19690304", "712")
_MOBILE_P = "13871234567"


def _mask(number: str) -> str:
    return f"{number[:4]}**********{number[-4:]}"


_ROSTER_ROWS: list[list[object]] = [
    ["2026年度困难家庭补助发放名单"],
    [],
    ["序号", "姓名", "身份证号", "补助金额（元）"],
    [1, "陈某某", _ID_F, 1200],
    [2, "林某某", _ID_G, 1200],
    [3, "黄某某", _ID_H, 800],
]

ATTACHMENT_PLANTS: tuple[AttachmentPlant, ...] = (
    AttachmentPlant(
        "pdf-id",
        "tzgg",
        2,
        "行政许可决定书.pdf",
        "application/pdf",
        lambda: text_pdf(
            [
                ["Administrative licence decision No. 2026-118", "Page one has no personal data."],
                ["Applicant: Zhang", f"ID number: {_ID_E}", f"Mobile: {_MOBILE_P}"],
            ]
        ),
        (_ID_E, _MOBILE_P),
        (
            Expected(FindingKind.PERSONAL_DATA, Severity.DEDUCTION, (f"身份证号 {_mask(_ID_E)}", "第 2 页")),
            Expected(FindingKind.PERSONAL_DATA, Severity.DEDUCTION, ("手机号 138****4567", "第 2 页")),
        ),
    ),
    AttachmentPlant(
        "xlsx-roster",
        "tzgg",
        4,
        "困难家庭补助发放名单.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda: xlsx_workbook({"说明": [["本表为公示名单"]], "名单": _ROSTER_ROWS}),
        (_ID_F, _ID_G, _ID_H),
        (
            Expected(
                FindingKind.PERSONAL_DATA, Severity.DEDUCTION, ("名单", "工作表“名单”C 列", _mask(_ID_F))
            ),
        ),
    ),
    AttachmentPlant(
        "docx-table",
        "zcjd",
        2,
        "政府信息公开申请答复书.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda: docx_document(
            ["政府信息公开申请答复书", "你单位提交的申请已收悉，现答复如下。"],
            [["申请人", "证件号码", "申请日期"], ["刘某某", _ID_K, "2026年3月2日"]],
        ),
        (_ID_K,),
        (
            Expected(
                FindingKind.PERSONAL_DATA, Severity.DEDUCTION, (f"身份证号 {_mask(_ID_K)}", "表格 1 第 2 行")
            ),
        ),
    ),
    AttachmentPlant(
        "scanned-pdf",
        "gzdt",
        3,
        "会议纪要（扫描件）.pdf",
        "application/pdf",
        lambda: scanned_pdf(2),
        (),
        (Expected(FindingKind.PAGE_NOT_READ_WHOLE, Severity.WARNING, ("扫描件",)),),
        unreadable="scanned",
    ),
)
