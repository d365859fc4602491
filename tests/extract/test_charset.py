"""Decoding HTML like a browser, and repairing the wrong declarations Chinese servers send."""

from __future__ import annotations

import codecs

import pytest

from conftest import CORPUS
from sitecheck.charset import codec_for_label, decode_html, http_charset

NFRA = "Yuhamixli__nfra.gov.cn__tests__page_source_debug.html"

GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>通知公告</title></head><body><ul><li><a href='/a.html'>关于开展2024年度政府网站"
    "自查工作的通知</a></li><li>镕</li></ul></body></html>"
)


def corpus_bytes(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"real-page corpus not found at {CORPUS} (shared test data absent)")
    return path.read_bytes()


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("chinese", "gb18030"),
        ("csGB2312", "gb18030"),
        ("iso-ir-58", "gb18030"),
        ("gb18030", "gb18030"),
        (" 'utf8' ", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),
        ("UTF-8", "utf-8"),
        ("iso-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("ascii", "cp1252"),
        ("us-ascii", "cp1252"),
        ("big5", "big5hkscs"),
        ("utf_8", "utf-8"),
        ("shift_jis", "shift_jis"),
        ("x-made-up", None),
        ("", None),
    ],
)
def test_codec_for_label(label: str, codec: str | None) -> None:
    assert codec_for_label(label) == codec


def test_strict_gb2312_would_fail_but_gb18030_reads_it() -> None:
    body = GBK_PAGE.encode("gbk")  # 镕 is GBK, not GB2312
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert "镕" in decode_html(body, None).text


@pytest.mark.parametrize(
    ("content_type", "label"),
    [
        ("text/html; charset=GBK", "gbk"),
        ('text/html;charset="utf-8"', "utf-8"),
        ("text/html; Charset = gb2312 ; foo=bar", "gb2312"),
        ("text/html", None),
        ("text/html; charset=", None),
        ("", None),
    ],
)
def test_http_charset(content_type: str, label: str | None) -> None:
    assert http_charset(content_type) == label


def test_gbk_with_meta_and_no_http_charset() -> None:
    page = decode_html(GBK_PAGE.encode("gbk"), None)
    assert (page.encoding, page.source) == ("gb18030", "meta")
    assert "关于开展2024年度政府网站自查工作的通知" in page.text


def test_wrong_http_charset_gives_way_to_meta() -> None:
    # Server says UTF-8, the page is GBK and says so in its <meta>.
    page = decode_html(GBK_PAGE.encode("gbk"), "utf-8")
    assert (page.encoding, page.source) == ("gb18030", "meta-over-http")
    assert "\ufffd" not in page.text
    assert "通知公告" in page.text


def test_wrong_http_charset_without_meta_is_detected() -> None:
    html = GBK_PAGE.replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "")
    page = decode_html(html.encode("gbk"), "utf-8")
    assert (page.encoding, page.source) == ("gb18030", "detected-over-http")
    assert "自查工作的通知" in page.text


def test_http_gbk_on_a_utf8_page_is_repaired() -> None:
    html = GBK_PAGE.replace("gb2312", "utf-8")
    page = decode_html(html.encode("utf-8"), "gbk")
    assert (page.encoding, page.source) == ("utf-8", "meta-over-http")
    assert "通知公告" in page.text


def test_meta_gb2312_on_a_utf8_page_is_repaired() -> None:
    # A template copied from an old GB2312 site onto a UTF-8 CMS.
    page = decode_html(GBK_PAGE.encode("utf-8"), None)
    assert (page.encoding, page.source) == ("utf-8", "detected-over-meta")
    assert "通知公告" in page.text


def test_tomcat_latin1_header_on_a_chinese_page() -> None:
    page = decode_html(GBK_PAGE.encode("gbk"), "ISO-8859-1")
    assert (page.encoding, page.source) == ("gb18030", "meta-over-http")


def test_correct_http_charset_wins_without_detection() -> None:
    page = decode_html(GBK_PAGE.encode("gbk"), "gbk")
    assert (page.encoding, page.source) == ("gb18030", "http")


def test_a_few_bad_bytes_do_not_overturn_the_declaration() -> None:
    # A body cut by the size cap in the middle of a character: one error, keep UTF-8.
    body = GBK_PAGE.replace("gb2312", "utf-8").encode("utf-8")[:-30] + "通".encode()[:2]
    page = decode_html(body, "utf-8")
    assert (page.encoding, page.source) == ("utf-8", "http")
    assert page.text.count("\ufffd") == 1


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_wins_over_everything(bom: bytes, codec: str) -> None:
    html = GBK_PAGE  # says gb2312 in its meta
    page = decode_html(bom + html.encode(codec), "gbk")
    assert (page.encoding, page.source) == (codec, "bom")
    assert page.text == html


def test_undeclared_gbk_is_detected() -> None:
    html = GBK_PAGE.replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "")
    page = decode_html(html.encode("gbk"), None)
    assert (page.encoding, page.source) == ("gb18030", "detected")
    assert page.text == html


def test_undeclared_utf8_is_detected() -> None:
    page = decode_html("<p>政府信息公开</p>".encode(), None)
    assert (page.encoding, page.source) == ("utf-8", "detected")


def test_undeclared_utf8_cut_inside_a_character_is_still_utf8() -> None:
    page = decode_html("<p>政府信息公开</p><p>通知".encode()[:-2], None)
    assert (page.encoding, page.source) == ("utf-8", "detected")
    assert page.text == "<p>政府信息公开</p><p>通\ufffd"


def test_pure_ascii_is_utf8_by_default() -> None:
    page = decode_html(b"<html><body><a href='/x'>x</a></body></html>", None)
    assert (page.encoding, page.source) == ("utf-8", "default")


def test_meta_charset_attribute_and_unknown_labels() -> None:
    body = "<head><meta charset=\"x-unknown\"><meta charset='GBK'></head><p>公告</p>".encode("gbk")
    page = decode_html(body, None)
    assert (page.encoding, page.source) == ("gb18030", "meta")


def test_meta_in_a_comment_is_ignored() -> None:
    body = '<head><!-- <meta charset="gbk"> --><meta charset="utf-8"></head><p>公告</p>'.encode()
    assert decode_html(body, None).source == "meta"
    assert decode_html(body, None).encoding == "utf-8"


def test_meta_in_body_is_ignored() -> None:
    html = (
        "<html><head><title>t</title></head><body><div><meta http-equiv=Content-Type "
        'content="text/html; charset=gb2312">政务公开</div></body></html>'
    )
    page = decode_html(html.encode("utf-8"), None)
    assert (page.encoding, page.source) == ("utf-8", "detected")


def test_meta_after_4kb_is_not_prescanned() -> None:
    html = "<head><style>" + "x" * 5000 + "</style><meta charset=gbk></head><p>公告栏目</p>"
    page = decode_html(html.encode("gbk"), None)
    # No usable declaration in the prescan window: the bytes are still recognised as GBK.
    assert (page.encoding, page.source) == ("gb18030", "detected")


def test_real_page_nfra_is_utf8_despite_embedded_gb2312_meta() -> None:
    body = corpus_bytes(NFRA)
    assert b"charset=gb2312" in body  # the pasted MS-Word meta in the body is really there
    page = decode_html(body, None)
    assert (page.encoding, page.source) == ("utf-8", "meta")
    assert "国家金融监督管理总局" in page.text
    assert "\ufffd" not in page.text


def test_real_pages_all_decode_cleanly_as_declared() -> None:
    pages = sorted(p for p in CORPUS.glob("*.html")) if CORPUS.exists() else []
    if not pages:
        pytest.skip(f"real-page corpus not found at {CORPUS}")
    for path in pages:
        page = decode_html(path.read_bytes(), None)
        assert (path.name, page.encoding) == (path.name, "utf-8")
        assert page.source == "meta", path.name


def test_real_page_served_as_gbk_is_repaired() -> None:
    # The same real page behind a server that claims GBK (nginx `charset gbk;` on a UTF-8 site).
    page = decode_html(corpus_bytes(NFRA), "gbk")
    assert (page.encoding, page.source) == ("utf-8", "meta-over-http")


@pytest.mark.parametrize(
    ("body", "charset", "parsed_as_given"),
    [
        (
            "<html><head><meta charset='utf-8'><title>通知</title></head><body>正文</body></html>".encode(),
            None,
            True,
        ),
        (b"<html><body><a href='/a'>plain ASCII</a></body></html>", None, True),
        ("<html><body>正文</body></html>".encode(), "utf-8", True),
        ("<html><body>正文</body></html>".encode() + b"\xff", "utf-8", False),  # repaired: not the text
        ("<html><body>正文</body></html>".encode("gbk"), "gbk", False),  # lexbor reads UTF-8 only
        (b"\xef\xbb\xbf" + "<html><body>正文</body></html>".encode(), None, False),  # a BOM, stripped
        (b"<div>" * 9000 + "正文".encode(), "utf-8", False),  # cut (nested too deep): a part of the body
    ],
)
def test_a_utf8_body_is_parsed_as_it_came_and_any_other_from_its_text(
    body: bytes, charset: str | None, parsed_as_given: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitecheck.extract as extract

    given: list[object] = []
    parser = extract.LexborHTMLParser

    def recording(html: str | bytes) -> object:
        given.append(html)
        return parser(html)

    monkeypatch.setattr(extract, "LexborHTMLParser", recording)
    page = extract.read_page(body, "http://www.example.gov.cn/", charset)
    assert (given[0] is body) is parsed_as_given
    # Either way the tree is the text's: the body is given only when it is exactly that text.
    assert page.tree.html == parser(page.facts.html).html
