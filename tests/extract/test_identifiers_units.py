"""Units of the page identifiers (extract/identifiers.py) that the real pages do not pin."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from sitecheck.extract.identifiers import _file_name, read_identifiers


@pytest.mark.parametrize(
    ("src", "name"),
    [
        ("/js/footer.js", "footer.js"),
        ("js/footer.js?v=2#x", "footer.js"),
        ("http://www.example.gov.cn/inc/bottom.js", "bottom.js"),
        ("//cdn.example.com/a/dibu.js?x=/y/z.js", "dibu.js"),
        ("http://www.example.gov.cn", ""),
        ("", ""),
    ],
)
def test_a_script_file_name_is_its_paths_last_segment(src: str, name: str) -> None:
    assert _file_name(src) == name


@pytest.mark.parametrize("attribute", ['class="PageFoot"', 'id="BOTTOM-wrap"', "class=ft", 'class="x db"'])
def test_a_footer_like_element_is_read_wherever_it_is_and_however_it_is_written(attribute: str) -> None:
    # The footer sits before a long block of other text here: only its element names it.
    html = (
        "<html><body><div class='main'><p>正文</p></div>"
        f"<div {attribute}><span>主办单位：某某市人民政府办公室</span>　ICP备案：浙ICP备05018911号-1</div>"
        f"<div class='other'>{'栏目文字，' * 600}</div></body></html>"
    )
    found = read_identifiers(LexborHTMLParser(html), html)
    assert found.icp == "浙ICP备05018911号-1"
    assert found.sponsor == "某某市人民政府办公室"


def test_no_footer_like_element_and_no_footer_words_show_nothing() -> None:
    html = (
        f"<html><body><div class='left'>{'栏目文字，' * 600}</div><div class='soft'>ICP备</div></body></html>"
    )
    found = read_identifiers(LexborHTMLParser(html), html)
    assert (found.icp, found.sponsor, found.id_code) == ("", "", "")


@pytest.mark.parametrize(
    ("line", "contact"),
    [
        ("联系邮箱：webmaster@example.gov.cn", "邮箱"),
        ("联系邮箱：webmaster＠example.gov.cn", ""),  # a full-width ＠ is no address
        ("电话：0571-87051234 地址：杭州市某某路1号", "电话,地址"),
        ("主办单位：某某市人民政府办公室", ""),
    ],
)
def test_the_footers_contacts_are_read_only_where_they_are(line: str, contact: str) -> None:
    html = f"<html><body><p>正文</p><div class='footer'>{line} 版权所有 浙ICP备05018911号</div></body></html>"
    assert read_identifiers(LexborHTMLParser(html), html).contact == contact


@pytest.mark.parametrize(
    ("include", "hint"),
    [
        ('<!--#include virtual="/inc/footer.html" -->', "include:/inc/footer.html"),
        ('<!-- #InClude file="bottom.shtml" -->', "include:bottom.shtml"),  # any case, as servers read it
        ('<jsp:include page="/WEB-INF/dibu.jsp"/>', "include:/WEB-INF/dibu.jsp"),
        ('<!--#include virtual="/inc/header.html" -->', ""),  # not the footer
    ],
)
def test_a_server_side_include_of_the_footer_is_a_hint(include: str, hint: str) -> None:
    html = f"<html><body><p>正文</p>{include}</body></html>"
    assert read_identifiers(LexborHTMLParser(html), html).footer_hint == hint


@pytest.mark.parametrize(
    "text",
    [
        "",
        "正文没有页脚",
        "版权所有：某某市人民政府 浙ICP备05018911号",
        "Copyright © 2024 某某市",
        "COPYRIGHT(C)2024",
        "copyRight 2024",
        "(c) 2024",
        "icp 号 ICP\n\t 备05018911号",  # the first "icp" is not followed by 备
        "ICPICP备",
        "IcP  备",
        "icp",
        "网站标识码3301000001 浙公网安备 33010602009328号",
        "İstanbul ICP备05018911号",  # lower-casing İ lengthens the text: positions would shift
        "İ" * 10 + "版权所有",
        "备备备 icp备",
    ],
)
def test_the_footers_first_record_line_is_found_where_the_pattern_finds_it(text: str) -> None:
    from sitecheck.extract.identifiers import _STRONG_ANCHOR, _first_anchor

    found = _STRONG_ANCHOR.search(text)
    assert _first_anchor(text) == (found.start() if found is not None else -1)
