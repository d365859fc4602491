"""What the sample portal's articles say that the text checks must find, or must not (issue 15).

Each :class:`TextPlant` puts a few paragraphs (and maybe a table) into the text of one article;
``expect`` is what a correct audit reports about it: the finding kind and severity, and a part
of the finding that must show (a masked number, the wrong term). Controls expect nothing:
masked numbers, document numbers, a 统一社会信用代码, a typhoon that 登陆 (not a 登陆系统).

The personal numbers are made up here, valid by construction (a region code in use, a real
birth date, the ISO 7064 check digit) so that only a correct validator tells them apart.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from markupsafe import Markup

from sitecheck.models import FindingKind, Severity

__all__ = ["TEXT_PLANTS", "Expected", "TextPlant", "id_number", "render"]


def id_number(region: str, birth: str, sequence: str) -> str:
    """A 居民身份证号 with its ISO 7064 MOD 11-2 check digit."""
    body = f"{region}{birth}{sequence}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    check = (12 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


class Expected(NamedTuple):
    kind: FindingKind
    severity: Severity
    shows: str  # a part of the finding's detail (a masked number, the wrong term)


class TextPlant(NamedTuple):
    id: str
    column: str  # the article: the ``nth`` newest of this column
    nth: int
    paragraphs: tuple[str, ...]
    table: tuple[tuple[str, ...], ...] = ()  # header row first
    expect: tuple[Expected, ...] = ()  # empty: a control, nothing may be reported


_ID_A = id_number("110101", "19850312", "123")
_ID_B = id_number("310104", "19920708", "456")
_ID_C = id_number("440305", "19780121", "789")
_ID_D = id_number("330106", "19660905", "234")

TEXT_PLANTS: tuple[TextPlant, ...] = (
    TextPlant(
        "roster",
        "tzgg",
        1,
        ("经研究，现将拟录用人员名单公示如下：",),
        (
            ("序号", "姓名", "性别", "身份证号", "联系电话"),
            ("1", "张某某", "男", _ID_A, "13912345678"),
            ("2", "李某某", "女", _ID_B, "13687654321"),
            ("3", "王某某", "男", _ID_C, "15800001111"),
        ),
        (Expected(FindingKind.PERSONAL_DATA, Severity.DEDUCTION, "名单"),),
    ),
    TextPlant(
        "masked-roster",
        "tzgg",
        3,
        ("现将补贴发放对象公示如下（个人信息已脱敏）：",),
        (
            ("序号", "姓名", "身份证号", "联系电话"),
            ("1", "赵*", f"{_ID_A[:4]}**********{_ID_A[-4:]}", "139****5678"),
            ("2", "钱*", f"{_ID_B[:4]}**********{_ID_B[-4:]}", "136****4321"),
            ("3", "孙*", f"{_ID_C[:4]}**********{_ID_C[-4:]}", "158****1111"),
        ),
    ),
    TextPlant(
        "id-in-text",
        "zcjd",
        1,
        (f"申请人刘某某（身份证号：{_ID_D}）提出的政府信息公开申请已按期答复。",),
        expect=(
            Expected(FindingKind.PERSONAL_DATA, Severity.DEDUCTION, f"{_ID_D[:4]}**********{_ID_D[-4:]}"),
        ),
    ),
    TextPlant(
        "typos",
        "gzdt",
        1,
        (
            "我市特色农产品在展会上倍受青睐，签约金额再创新高。",
            "企业可登陆系统在线填报，逾期不予受理。",
        ),
        expect=(
            Expected(FindingKind.WRONG_WORDING, Severity.DEDUCTION, "倍受青睐"),
            Expected(FindingKind.WRONG_WORDING, Severity.DEDUCTION, "登陆系统"),
        ),
    ),
    TextPlant(
        "office-contact",
        "gzdt",
        2,
        ("联系人：周科长，联系电话：0571-87051234、13905712345（市发展改革委办公室）。",),
        expect=(Expected(FindingKind.PERSONAL_DATA, Severity.WARNING, "139****2345"),),
    ),
    TextPlant(
        "document-numbers",
        "gzdt",
        4,
        (
            "索引号：113301000025051234/2026-00012；文号：某发改〔2026〕12号。",
            "统一社会信用代码：91330100MA27XYZ12B；受台风“海葵”登陆影响，部分航班取消。",
            "政务服务热线 12345，投诉电话 0571-12345678。",
        ),
    ),
)


def render(plant: TextPlant) -> Markup:
    """The plant as article markup (escaped: it is text, like any other paragraph)."""
    parts = [f"<p>{escape(text)}</p>" for text in plant.paragraphs]
    if plant.table:
        head, *rows = plant.table
        cells = "".join(f"<th>{escape(cell)}</th>" for cell in head)
        body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
        parts.append(
            f'<table class="gs" border="1"><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>'
        )
    return Markup("".join(parts))
