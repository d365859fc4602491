"""Dates in list rows, article pages and URLs (sitecheck.extract.dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from sitecheck.extract.dates import (
    UrlDate,
    article_pubdate,
    date_from_url,
    find_dates,
    parse_date,
    scan_dates,
    url_date,
)

TODAY = date(2026, 1, 10)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-pages"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-12-31", date(2017, 12, 31)),
        ("2017/12/31", date(2017, 12, 31)),
        ("2017.12.31", date(2017, 12, 31)),
        ("2017年12月31日", date(2017, 12, 31)),
        ("2017年1月5日", date(2017, 1, 5)),
        ("2017 年 1 月 5 日", date(2017, 1, 5)),
        ("2017-12-31 10:20", date(2017, 12, 31)),
        ("2017-12-31 10:20:30", date(2017, 12, 31)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),
        ("2019-9-8", date(2019, 9, 8)),
        ("(2017/12/31)", date(2017, 12, 31)),
        ("2021年06月10日 17:35", date(2021, 6, 10)),
        ("２０２０－０８－０２", date(2020, 8, 2)),  # full-width digits from CJK input methods
        ("二〇一九年十二月三十一日", date(2019, 12, 31)),
        ("发布时间：2020-01-02", date(2020, 1, 2)),
        ("时间  :  2020-12-01 17:44:12", date(2020, 12, 1)),
        ("更新时间：2021年6月1日", date(2021, 6, 1)),
        # Year-less forms take the latest year that is not in the future.
        ("[12-31]", date(2025, 12, 31)),
        ("[01-05]", date(2026, 1, 5)),
        ("[1-5]", date(2026, 1, 5)),
        ("(01/05)", date(2026, 1, 5)),
        ("12-31", date(2025, 12, 31)),
        ("12/31", date(2025, 12, 31)),
        ("01-10", date(2026, 1, 10)),
        ("01-11", date(2025, 1, 11)),
        ("12月31日", date(2025, 12, 31)),
        ("【12-31】", date(2025, 12, 31)),
        ("[02-29]", date(2024, 2, 29)),  # the last Feb 29 before today
    ],
)
def test_parse_date_forms(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "020-83844395",  # phone numbers
        "电话：0513-59001968",
        "400-810-1996",
        "2017-2018学年",
        "〔2019〕19号",  # 文号
        "粤ICP备19160819号-1",
        "t20190918_693227",  # a TRS document id is a URL matter
        "v2019.1.2",  # version strings
        "2019.1.2.3",
        "1.2.3",
        "2017-02-30",  # impossible
        "2017-13-01",
        "1/35",  # a pager, not January 35th
        "共 1/35 页",
        "3-5人",
        "版本 10.12",
        "图片 (1/5)",  # a gallery counter
        "(1.5)",
        "13:45",
        "",
    ],
)
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert parse_date(text, today=TODAY) is None
    assert find_dates(text, today=TODAY) == []


def test_impossible_date_does_not_leave_a_yearless_fragment() -> None:
    # "02-30" inside the rejected 2017-02-30 must not come back as a year-less Feb 30 or 2-30.
    assert find_dates("截止 2017-02-30 前", today=TODAY) == []


def test_find_dates_in_order() -> None:
    text = "成文日期：2020-07-01 发布日期：2020年8月2日 [12-31] 有效期至2030-12-31"
    assert find_dates(text, today=TODAY) == [
        date(2020, 7, 1),
        date(2020, 8, 2),
        date(2025, 12, 31),
        date(2030, 12, 31),
    ]


def test_scan_dates_reports_offsets() -> None:
    text = "关于放假的通知 2020-01-02"
    assert scan_dates(text, today=TODAY) == [(8, 18, date(2020, 1, 2))]


def test_parse_date_prefers_the_publication_label() -> None:
    assert parse_date("成文日期：2020-07-01 发布日期：2020-08-02", today=TODAY) == date(2020, 8, 2)
    assert parse_date("来源：本网 时间：2020-08-02", today=TODAY) == date(2020, 8, 2)


def test_yearless_year_follows_today() -> None:
    assert parse_date("[12-31]", today=date(2025, 12, 31)) == date(2025, 12, 31)
    assert parse_date("[12-31]", today=date(2025, 12, 30)) == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml", UrlDate(date(2019, 9, 18), "day")),
        ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", UrlDate(date(2016, 11, 22), "day")),
        ("/ycsrmzf/zwyw/202310/34e1d41233c34c52a652e278c5529a33.shtml", UrlDate(date(2023, 10, 1), "month")),
        ("http://x.gov.cn/a/2019-09/abc.html", UrlDate(date(2019, 9, 1), "month")),
        ("http://x.gov.cn/a/20190918/abc.html", UrlDate(date(2019, 9, 18), "day")),
        ("http://x.gov.cn/a/2019/0918/abc.html", UrlDate(date(2019, 9, 18), "day")),
        ("http://x.gov.cn/a/2019/09/abc.html", UrlDate(date(2019, 9, 1), "month")),
        ("http://x.gov.cn/u/cms/W020190918123456789012.pdf", None),
        ("http://www.gov.cn/xinwen/2018-12/12/content_5347979.htm", UrlDate(date(2018, 12, 12), "day")),
        ("http://x.gov.cn/zwgkn/tzgg/content/post_2865270.html", None),
        ("http://x.gov.cn/col/col1220132/index.html", None),
        ("http://x.gov.cn/a/201913/abc.html", None),  # month 13
        ("http://2019.example.gov.cn/12/", None),  # the host is not a date
        ("", None),
    ],
)
def test_url_date(url: str, expected: UrlDate | None) -> None:
    assert url_date(url) == expected
    assert date_from_url(url) == (expected.value if expected else None)


def _html(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def test_article_pubdate_ignores_generation_stamps() -> None:
    tree = _html(
        '<html><head><meta name="Maketime" content="2019-03-22 12:28:37">'
        '<meta name="others" content="页面生成时间 2023-10-23 11:23:36">'
        '<meta name="lastmodifiedtime" content="2023-10-23-11:23:36"></head>'
        "<body><p>页面生成时间：2023-10-23</p><p>正文</p></body></html>"
    )
    assert article_pubdate(tree, today=TODAY) is None


def test_article_pubdate_meta_any_case_wins() -> None:
    tree = _html(
        '<html><head><meta name="pubdate" content="2020年08月02日"></head>'
        "<body><p>发布时间：2021-01-01</p></body></html>"
    )
    assert article_pubdate(tree, today=TODAY) == date(2020, 8, 2)


def test_article_pubdate_label_and_value_in_separate_elements() -> None:
    tree = _html(
        "<html><body><h1>某某中标公告</h1><table><tr><td>发布时间：<span>2021-10-11</span></td></tr></table>"
        "<p>本项目招标公告日期：2021年05月26日</p></body></html>"
    )
    assert article_pubdate(tree, today=TODAY) == date(2021, 10, 11)


def test_article_pubdate_title_adjacent_line() -> None:
    tree = _html(
        "<html><body><h2>关于某项目的成交公告</h2><p>2021年06月10日 17:35 来源：财政部</p>"
        "<div><p>本项目招标公告日期：2021年05月26日</p></div></body></html>"
    )
    assert article_pubdate(tree, today=TODAY) == date(2021, 6, 10)


def _corpus(name: str) -> LexborHTMLParser:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"real-page corpus not available at {CORPUS}")
    return LexborHTMLParser(path.read_text("utf-8"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # PubDate 2016-11-22 09:53, not Maketime 2019-03-22.
        ("GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1.html", date(2016, 11, 22)),
        ("GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html", date(2019, 9, 18)),
        # firstpublishedtime 2007-08-20-23:59:59, not 页面生成时间 2023-10-23 in "others".
        ("GeneralNewsExtractor__GeneralNewsExtractor__tests__other__1.html", date(2007, 8, 20)),
        ("Hbjiance__http-www.ccgp-hebei.gov.cn-__中标公告详细页面.html", date(2021, 10, 11)),
        # Lower-case pubDate 2016-11-25, not Maketime 2017-08-18.
        ("nikan1996__PyScraper__effective_spiders__test_spiders__wzskjj_generic__1.html", date(2016, 11, 25)),
        ("blue124qq__stw_gd_cn__zwgkn__tzgg__content__post_2865270.html", date(2020, 1, 15)),
        # PubDate written 2020年08月02日.
        ("kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__details.jsp.html", date(2020, 8, 2)),
        # No meta: <span id="pubTime">2021年06月10日 17:35</span>; the body's 2021-05-26 is another date.
        ("yuntaozhu__www.ccgp.gov.cn__index.html", date(2021, 6, 10)),
        # PubDate (2023-05-16), which differs from the 发文日期 2023-04-18 in the metadata table.
        (
            "SimonXinw__job__统计局__宜春市__2022__宜春市2022年国民经济和社会发展统计公报 _ 中国宜春.html",
            date(2023, 5, 16),
        ),
        ("Yuhamixli__nfra.gov.cn__tests__page_source_debug.html", date(2024, 7, 12)),
    ],
)
def test_article_pubdate_corpus(name: str, expected: date) -> None:
    assert article_pubdate(_corpus(name), today=TODAY) == expected


def test_article_pubdate_none_on_waf_error_page() -> None:
    tree = _corpus("blue124qq__stw_gd_cn__006940212__201807__t20180706_772710.html")
    assert article_pubdate(tree, today=TODAY) is None
