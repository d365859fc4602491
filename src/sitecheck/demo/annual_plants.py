"""政府信息公开工作年度报告 of the sample portal (issue 15, part 3).

The 年报 column (``ndbg``) lists one report a year by 某市发展和改革委员会 (the site's own); its
newest is the one due by the day served, published late (portal.newest_report_day: usually 200
days before that day, or up to 20 days after the deadline from February to mid-August), without
五、存在的主要问题及改进情况 and with its 表三 总计 of 自然人 one too many (portal.py). Beside it, for the
same year, the column lists the reports of two of the 委's units (a 年报 column lists every
publisher's), both complete and on time (dated in January of the next year, before the 31 January
deadline):

- ``complete-html``: the report on its page, six sections and a 表三 that adds up;
- ``complete-pdf``: a short page ("全文详见附件") and the report as a PDF with its six sections
  and 表三 laid out as a table: the crawl reads the file (``[content] attachments`` off too).

``expect`` lists the parts of the 年报 findings a correct audit makes about each (none for the
two complete ones). The PDF is built here byte for byte: Chinese text in a Type0 font with the
predefined ``UniGB-UTF16-H`` encoding (no font embedded: a reader substitutes one), each piece
of text placed where it is printed, so a table's cells sit in rows and columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sitecheck.demo.attachment_plants import pages_pdf
from sitecheck.extract.annual_report import SECTIONS

__all__ = ["ANNUAL_PLANTS", "AnnualPlant", "cjk_pdf", "report_pdf"]


class AnnualPlant(NamedTuple):
    id: str
    publisher: str  # the words of the title before the year
    pdf: bool  # published as a PDF behind a short page, not on the page itself
    expect: tuple[str, ...] = ()  # parts of the 年报 findings' details (none: no finding)

    def title(self, year: int) -> str:
        return f"{self.publisher}{year}年政府信息公开工作年度报告"

    @property
    def file_name(self) -> str:
        return f"{self.publisher}年度报告.pdf"


ANNUAL_PLANTS: tuple[AnnualPlant, ...] = (
    AnnualPlant("complete-html", "某市价格监测中心", pdf=False),
    AnnualPlant("complete-pdf", "某市粮食和物资储备局", pdf=True),
)
# The late, incomplete and wrongly added report: the column's newest (portal.py).
LATE_REPORT_EXPECT = ("发布逾期", "缺少“五、存在的主要问题及改进情况”", "表三数据不一致")


# -- a PDF with Chinese text -------------------------------------------------------------------------

Placed = tuple[float, float, str]  # (x, y) from the page's lower left corner, in points; the text


def _hex(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def cjk_pdf(pages: Sequence[Sequence[Placed]], size: int = 10) -> bytes:
    """A PDF whose pages show these pieces of Chinese (or any Unicode) text where they are placed."""
    fonts = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H"
        b" /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >>"
        b" /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6"
        b" /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880"
        b" /StemV 93 >> /DW 1000 >>",
    ]
    contents = []
    for placed in pages:
        content = [b"BT /F1 %d Tf" % size]
        for x, y, text in placed:
            content.append(b"1 0 0 1 %.1f %.1f Tm %s Tj" % (x, y, _hex(text)))
        content.append(b"ET")
        contents.append(b"\n".join(content))
    return pages_pdf(fonts, contents)


# 表三's rows as the format prints them (the label, then 自然人, five kinds of 法人或其他组织, 总计).
_TABLE_HEADER = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


def application_rows(
    new: Sequence[int], carried: Sequence[int], public: Sequence[int], onward: Sequence[int]
) -> list[tuple[str, tuple[int, ...]]]:
    """表三's rows from the six applicant columns of 一 (new), 二 (carried), 三（一）(public) and
    四 (onward); 三（七）总计 is 一 + 二 − 四, so the table adds up; each row ends in its sum."""
    done = [n + c - o for n, c, o in zip(new, carried, onward, strict=True)]

    def row(values: Sequence[int]) -> tuple[int, ...]:
        return (*values, sum(values))

    return [
        ("一、本年新收政府信息公开申请数量", row(new)),
        ("二、上年结转政府信息公开申请数量", row(carried)),
        ("（一）予以公开", row(public)),
        ("（七）总计", row(done)),
        ("四、结转下年度继续办理", row(onward)),
    ]


def report_pdf(
    title: str,
    *,
    sections: Sequence[int] = (1, 2, 3, 4, 5, 6),
    table: Sequence[tuple[str, Sequence[int]]] = (),
) -> bytes:
    """An annual report as a two-page PDF: the title and the given sections (each a heading and a
    sentence) on page one, 表三 (rows of ``table``: a label, seven numbers) on page two."""
    names = {number: name for number, name, _ in SECTIONS}
    y = 790.0
    first: list[Placed] = [(60, y, title)]
    for number in sections:
        y -= 40
        first.append((60, y, f"{'一二三四五六'[number - 1]}、{names[number]}"))
        first.append((80, y - 18, "本部分按照国办公开办函〔2021〕30号的格式填写。"))
    second: list[Placed] = [(60, 800, "收到和处理政府信息公开申请情况")]
    if table:
        second += [(230 + 45 * j, 770, name) for j, name in enumerate(_TABLE_HEADER)]
        for k, (label, values) in enumerate(table):
            row_y = 745 - 25 * k
            second.append((40, row_y, label))
            second += [(240 + 45 * j, row_y, str(value)) for j, value in enumerate(values)]
    return cjk_pdf([first, second], size=9)
