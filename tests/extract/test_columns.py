"""Column list pages: items, dates, pagination, emptiness (sitecheck.extract.listing)."""

from __future__ import annotations

from datetime import date

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import CORPUS
from sitecheck.extract.listing import (
    EMPTY_PLACEHOLDERS,
    analyse_listing,
    dataproxy_requests,
    detect_cms,
    pagination_urls,
    parse_dataproxy_xml,
)
from sitecheck.extract.page import PageInput, analyse_page
from sitecheck.models import ColumnItem, ListingFacts

TODAY = date(2026, 1, 10)

NFCMS_LIST = "blue124qq__stw_gd_cn__zwgkn__tzgg__index.html"  # 13
TRS_LIST = "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__list.jsp.html"  # 16
XXGK_HOME = "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__index.jsp.html"  # 17
DATAPROXY_XML = "nikan1996__PyScraper__PyScraper__tests__mock_datas__dataproxy.xml"  # 11


def _read(name: str) -> str:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"real-page corpus not available at {CORPUS}")
    return path.read_text("utf-8")


def facts(
    html: str,
    page_url: str,
    today: date = TODAY,
    *,
    max_pages: int = 200,
    nav_urls: frozenset[str] = frozenset(),
    placeholders: tuple[str, ...] = EMPTY_PLACEHOLDERS,
) -> ListingFacts:
    return analyse_listing(
        LexborHTMLParser(html),
        page_url,
        html,
        today=today,
        max_pages=max_pages,
        nav_urls=nav_urls,
        placeholders=placeholders,
    )


def corpus_facts(name: str, page_url: str, today: date = TODAY, *, max_pages: int = 200) -> ListingFacts:
    return facts(_read(name), page_url, today, max_pages=max_pages)


# ---------------------------------------------------------------------------------------------
# Real pages


def test_nfcms_notice_list_13() -> None:
    result = corpus_facts(NFCMS_LIST, "http://gdjyj.gd.gov.cn/zwgkn/tzgg/index.html")
    assert result.is_listing
    assert result.cms == "nfcms"
    assert (result.name, result.name_source) == ("通知公告", "meta")
    assert result.column_type_meta == "通知公告"
    assert result.breadcrumb == ("首页", "政务公开", "通知公告")
    assert len(result.items) == 20
    assert result.items[0] == ColumnItem(
        "2019年政府网站年度工作报表",
        "http://gdjyj.gd.gov.cn/zwgkn/tzgg/content/post_2865270.html",
        date(2020, 1, 15),
        "text",
    )
    assert result.items[1].date == date(2020, 12, 1)
    # The mirror turned most item links into javascript:; they are listed without a URL.
    assert result.items[3] == ColumnItem(
        "广东省属监狱单位2020年考试录用公务员第一批拟录用名单公示", None, date(2020, 11, 17), "text"
    )
    assert result.items[-1].title == "因不良行为记录被拒绝投标名单表"
    assert result.items[-1].date == date(2020, 6, 28)
    assert [item.date_source for item in result.items] == ["text"] * 20
    # The first (pinned, older) item is not the newest.
    assert result.newest == date(2020, 12, 1)
    # Pager: 第一页/1 point at "" (this page) and 2…5/下一页/最后一页 at javascript:; in this
    # mirror, so there is no further URL to follow and no stated page count.
    assert result.pagination == ()
    assert result.total_pages is None
    assert result.placeholder is None
    assert not result.is_empty


def test_trs_list_with_count_page_script_16() -> None:
    url = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html"
    result = corpus_facts(TRS_LIST, url)
    assert result.is_listing
    assert result.cms == "trs"
    assert result.items == (
        ColumnItem(
            "邯郸市教育局关于印发《邯郸市学校安全工作目标管理考核办法》的通知",
            "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html",
            date(2020, 8, 5),
            "text",
        ),
    )
    assert result.newest == date(2020, 8, 5)
    assert result.pagination == tuple(
        f"http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_{i}.html" for i in range(1, 56)
    )
    assert result.total_pages == 56
    assert result.total_records == 6348  # var countnum= 6348
    # ColumnName meta comes first (the template puts the platform name there); the
    # breadcrumb names the column itself.
    assert (result.name, result.name_source) == ("邯郸市政府信息公开", "meta")
    assert result.breadcrumb == ("首页", "政府文件", "近期信息公开")
    assert result.column_type_meta == "信息公开，政策文件"


def test_trs_list_pages_resolve_against_the_given_url_and_cap_16() -> None:
    result = corpus_facts(TRS_LIST, "https://mirror.example.org/a/b/", max_pages=10)
    assert result.pagination == tuple(f"https://mirror.example.org/a/b/index_{i}.html" for i in range(1, 11))
    assert result.total_pages == 56


def test_pagination_urls_helper_16() -> None:
    html = _read(TRS_LIST)
    urls = pagination_urls(LexborHTMLParser(html), "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/", html)
    assert len(urls) == 55
    assert urls[0] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_1.html"
    assert urls[-1] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_55.html"


def test_xxgk_home_with_several_dated_lists_17() -> None:
    result = corpus_facts(XXGK_HOME, "http://hdzfxxgk.hd.gov.cn/")
    assert result.is_listing
    assert [(item.title, item.date) for item in result.items] == [
        ("邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知", date(2020, 8, 2)),
        ("邯郸市人民政府关于岳芝国等同志任职的通知", date(2020, 7, 29)),
        ("邯郸市人民政府办公室关于促进建筑业持续健康发展的实施意见", date(2020, 7, 27)),
        ("邯郸市人民政府令第175号", date(2020, 1, 23)),
        ("邯郸市人民政府关于废止邯郸市军人抚恤优待实施办法等两件政府规章的决定", date(2020, 4, 24)),
    ]
    # The first entry is a <p onclick="xq(1)">, with no URL to request.
    assert result.items[0].url is None
    assert result.items[1].url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23692/202007/t20200731_1351817.html"
    assert result.newest == date(2020, 8, 2)
    assert result.pagination == ()


def test_hanweb_dataproxy_xml_11() -> None:
    base = "http://wzkj.wenzhou.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    page = parse_dataproxy_xml(_read(DATAPROXY_XML), base, TODAY)
    assert page.total_records == 3432
    assert page.total_pages == 35
    assert page.items == (
        ColumnItem(
            "舟山市科技局关于对2017年省重点研发计划项目经费使用监督检查的通知",
            "http://wzkj.wenzhou.gov.cn/art/2017/5/24/art_1312722_7744076.html",
            date(2017, 5, 24),
            "text",
        ),
        ColumnItem(
            "关于组织申报科技支撑“五大会战”重大科技项目的通知",
            "http://wzkj.wenzhou.gov.cn/art/2017/5/23/art_1312722_7744075.html",
            date(2017, 5, 23),
            "text",
        ),
        ColumnItem(
            "关于举办2017年舟山群岛新区科技活动周的通知",
            "http://wzkj.wenzhou.gov.cn/art/2017/5/12/art_1312722_7744074.html",
            date(2017, 5, 12),
            "text",
        ),
    )
    assert page.next_url == (
        "http://wzkj.wenzhou.gov.cn/module/web/jpage/dataproxy.jsp?page=35&appid=1&webid=1934&path=/"
        "&columnid=1220132&unitid=3995919&webname=%E6%B8%A9%E5%B7%9E%E5%B8%82%E7%A7%91%E5%AD%A6%E6%8A%80%E6%9C%AF%E5%B1%80"
    )  # resolved like a link on the page: the query is sent UTF-8 percent-encoded


def test_hanweb_xml_through_analyse_listing_11() -> None:
    result = corpus_facts(DATAPROXY_XML, "http://wzkj.wenzhou.gov.cn/module/web/jpage/dataproxy.jsp")
    assert result.is_listing
    assert result.cms == "hanweb"
    assert (result.total_records, result.total_pages) == (3432, 35)
    assert [item.date for item in result.items] == [date(2017, 5, 24), date(2017, 5, 23), date(2017, 5, 12)]
    assert result.newest == date(2017, 5, 24)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        (
            "GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1.html",
            "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html",
            "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor__tests__other__1.html",
            "http://www.gov.cn/gongbao/content/2007/content_721583.htm",
        ),
        (
            "Hbjiance__http-www.ccgp-hebei.gov.cn-__中标公告详细页面.html",
            "http://www.ccgp-hebei.gov.cn/wcx/wcx/cggg/zhbgg/202110/t20211011_1485252.html",
        ),
        (
            "nikan1996__PyScraper__effective_spiders__test_spiders__wzskjj_generic__1.html",
            "http://wzkj.wenzhou.gov.cn/art/2016/11/25/art_1220139_3566167.html",
        ),
        (
            "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__details.jsp.html",
            "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1353001.html",
        ),
        (
            "yuntaozhu__www.ccgp.gov.cn__index.html",
            "http://www.ccgp.gov.cn/cggg/dfgg/cjgg/202106/t20210610_16413839.htm",
        ),
        (
            "blue124qq__stw_gd_cn__zwgkn__tzgg__content__post_2865270.html",
            "http://gdjyj.gd.gov.cn/zwgkn/tzgg/content/post_2865270.html",
        ),
        (
            "SimonXinw__job__统计局__宜春市__2022__宜春市2022年国民经济和社会发展统计公报 _ 中国宜春.html",
            "http://www.yichun.gov.cn/ycsrmzf/tjgb/202305/a1b2c3.shtml",
        ),
        (
            "SimonXinw__job__统计局__万载县__2022__万载县2022年国民经济和社会发展统计公报 _ 万载县人民政府.html",
            "http://www.wanzai.gov.cn/wzxrmzf/tjsj/202308/a1b2c3.shtml",
        ),
        (
            "Yuhamixli__nfra.gov.cn__tests__page_source_debug.html",
            "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1171680",
        ),
        (
            "blue124qq__stw_gd_cn__006940212__201807__t20180706_772710.html",
            "http://www.gd.gov.cn/006940212/201807/t20180706_772710.html",
        ),
        (
            "Hbjiance__http-www.ccgp-hebei.gov.cn-__index_651.html",
            "http://www.ccgp-hebei.gov.cn/wcx/wcx/index_651.html",
        ),
    ],
)
def test_articles_and_fragments_are_not_listings(name: str, url: str) -> None:
    result = corpus_facts(name, url)
    assert not result.is_listing
    assert result.items == ()
    assert result.newest is None
    assert not result.is_empty


def test_empty_related_block_on_article_is_not_a_column_19() -> None:
    result = corpus_facts(
        "yuntaozhu__www.ccgp.gov.cn__index.html",
        "http://www.ccgp.gov.cn/cggg/dfgg/cjgg/202106/t20210610_16413839.htm",
    )
    assert not result.is_listing
    assert result.placeholder is None
    assert (result.name, result.name_source) == ("成交公告", "breadcrumb")
    assert result.breadcrumb == ("首页", "政采公告", "地方公告", "成交公告")


def test_article_breadcrumbs() -> None:
    gov = corpus_facts(
        "GeneralNewsExtractor__GeneralNewsExtractor__tests__other__1.html",
        "http://www.gov.cn/gongbao/content/2007/content_721583.htm",
    )
    # The 字号/打印 widgets inside the same container are not trail entries.
    assert gov.breadcrumb == ("首页", "国务院公报", "2007年第23号")
    hanweb = corpus_facts(
        "nikan1996__PyScraper__effective_spiders__test_spiders__wzskjj_generic__1.html",
        "http://wzkj.wenzhou.gov.cn/art/2016/11/25/art_1220139_3566167.html",
    )
    assert hanweb.breadcrumb == ("首页", "政务公开", "科技项目")
    assert hanweb.cms == "hanweb"
    ucap = corpus_facts(
        "SimonXinw__job__统计局__宜春市__2022__宜春市2022年国民经济和社会发展统计公报 _ 中国宜春.html",
        "http://www.yichun.gov.cn/ycsrmzf/tjgb/202305/a1b2c3.shtml",
    )
    assert ucap.breadcrumb[:2] == ("首页", "政务公开")
    assert ucap.breadcrumb[-1] == "统计公报"
    assert ucap.cms == "ucap"


def test_ucap_home_page_dates_take_their_year_from_urls_6() -> None:
    # Headline rows show "10-11" with no year; the /202310/ in each URL states the year.
    result = corpus_facts(
        "SimonXinw__job__统计局__2015__万载县2015年国民经济和社会发展统计公报_files__stat.php.html",
        "http://www.yichun.gov.cn/",
    )
    assert result.is_listing
    assert result.cms == "ucap"
    assert result.items[0] == ColumnItem(
        "严允：加速打造国家级新能源产业重要集聚区",
        "http://www.yichun.gov.cn/ycsrmzf/zwyw/202310/02264b867b4b4b6d91a3844f29b22154.shtml",
        date(2023, 10, 11),
        "text",
    )
    assert len(result.items) == 41
    assert all(item.date is not None and item.date.year == 2023 for item in result.items[:10])
    assert not any(item.title.startswith("更多") or item.title == "查看更多" for item in result.items)


def test_gov_cn_home_page_undated_items_use_url_months_9() -> None:
    result = corpus_facts(
        "Zhouqwq__zhouqwq.github.io__cng__中国政府网_中央人民政府门户网站.html", "https://www.gov.cn/"
    )
    assert result.is_listing
    assert len(result.items) == 38
    assert {item.date_source for item in result.items} == {"url"}
    assert result.items[0] == ColumnItem(
        "中共中央政治局召开会议 中共中央总书记习近平主持会议",
        "https://www.gov.cn/yaowen/liebiao/202309/content_6906622.htm",
        date(2023, 9, 1),
        "url",
    )
    assert result.newest == date(2023, 9, 1)


# ---------------------------------------------------------------------------------------------
# Synthetic pages

TRS_PINNED = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>通知公告_某某市人民政府</title>
<meta name="SiteName" content="某某市人民政府">
</head><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/xwzx/">新闻中心</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="./">通知公告</a></div>
<div class="main"><ul class="list">
<li><span class="top">[置顶]</span><a href="./201501/t20150105_1001.html" title="关于网站改版的公告">关于网站改版的公告</a><span>2015-01-05</span></li>
<li><a href="./202512/t20251220_2001.html">关于2026年元旦放假安排的通知</a><span>2025-12-20</span></li>
<li><a href="./202512/t20251201_2002.html">关于开展安全生产大检查的通知</a><span>2025-12-01</span></li>
<li><a href="./202511/t20251115_2003.html">关于征求意见的公告</a><span>2025-11-15</span></li>
<li><a href="./202510/t20251030_2004.html">关于某项目招标的公告</a><span>2025-10-30</span></li>
</ul>
<div class="page"><script>createPageHTML(3, 0, "index", "html");</script></div>
</div>
<div class="footer"><a href="/wzsm/201709/t20170912_1.html">网站声明</a> <a href="/lxwm/201709/t20170912_2.html">联系我们</a></div>
</body></html>"""


def test_trs_list_with_pinned_old_first_item() -> None:
    result = facts(TRS_PINNED, "http://www.example.gov.cn/zwgk/tzgg/index.html")
    assert result.is_listing
    assert result.cms == "trs"
    assert [item.date for item in result.items] == [
        date(2015, 1, 5),
        date(2025, 12, 20),
        date(2025, 12, 1),
        date(2025, 11, 15),
        date(2025, 10, 30),
    ]
    assert result.items[0].url == "http://www.example.gov.cn/zwgk/tzgg/201501/t20150105_1001.html"
    assert result.items[0].title == "关于网站改版的公告"
    assert result.newest == date(2025, 12, 20)
    assert result.pagination == (
        "http://www.example.gov.cn/zwgk/tzgg/index_1.html",
        "http://www.example.gov.cn/zwgk/tzgg/index_2.html",
    )
    assert result.total_pages == 3
    # No ColumnName meta: the breadcrumb names the column.
    assert (result.name, result.name_source) == ("通知公告", "breadcrumb")
    assert result.breadcrumb == ("首页", "政务公开", "通知公告")


def test_name_falls_back_to_title_without_site_name() -> None:
    html = TRS_PINNED.replace('<div class="location">', '<div class="x">').replace("当前位置：", "")
    result = facts(html, "http://www.example.gov.cn/zwgk/tzgg/index.html")
    assert (result.name, result.name_source) == ("通知公告", "title")
    flipped = html.replace(
        "<title>通知公告_某某市人民政府</title>", "<title>某某市人民政府 - 工作动态</title>"
    )
    assert facts(flipped, "http://www.example.gov.cn/zwgk/tzgg/index.html").name == "工作动态"


YEARLESS = """<html><head><meta name="ColumnName" content="工作动态"></head><body>
<div class="list"><ul>
<li><a href="/a/1.html">市政府召开常务会议</a> <span>[01-05]</span></li>
<li><a href="/a/2.html">全市安全生产工作会议召开</a> <span>[12-31]</span></li>
<li><a href="/a/3.html">某某局开展节前安全检查</a> <span>[12-28]</span></li>
<li><a href="/a/4.html">某某区推进重点项目建设</a> <span>[11-30]</span></li>
</ul></div></body></html>"""


def test_yearless_dates_across_a_year_boundary() -> None:
    result = facts(YEARLESS, "http://www.example.gov.cn/xwzx/gzdt/", today=date(2026, 1, 10))
    assert result.is_listing
    assert [item.date for item in result.items] == [
        date(2026, 1, 5),
        date(2025, 12, 31),
        date(2025, 12, 28),
        date(2025, 11, 30),
    ]
    assert result.newest == date(2026, 1, 5)


URL_DATED = """<html><head><meta name="ColumnName" content="政策文件"></head><body>
<div class="con"><ul class="list">
<li><a href="/zcwj/202401/t20240115_77.html">关于印发甲办法的通知</a></li>
<li><a href="/art/2024/3/2/art_12_34.html">关于印发乙方案的通知</a></li>
<li><a href="/zcwj/202305/4f9a0c1e2b3d4c5e6f708192a3b4c5d6.shtml">关于印发丙规划的通知</a></li>
<li><a href="/zcwj/content/post_123456.html">关于印发丁细则的通知</a></li>
</ul>
<div class="page"><a href="index.html">首页</a> <a href="index_1.html">下一页</a> <a href="index_4.html">尾页</a></div>
</div></body></html>"""


def test_undated_items_fall_back_to_url_dates() -> None:
    result = facts(URL_DATED, "http://www.example.gov.cn/zcwj/index.html")
    assert result.is_listing
    assert result.items == (
        ColumnItem(
            "关于印发甲办法的通知",
            "http://www.example.gov.cn/zcwj/202401/t20240115_77.html",
            date(2024, 1, 15),
            "url",
        ),
        ColumnItem(
            "关于印发乙方案的通知",
            "http://www.example.gov.cn/art/2024/3/2/art_12_34.html",
            date(2024, 3, 2),
            "url",
        ),
        ColumnItem(
            "关于印发丙规划的通知",
            "http://www.example.gov.cn/zcwj/202305/4f9a0c1e2b3d4c5e6f708192a3b4c5d6.shtml",
            date(2023, 5, 1),
            "url",
        ),
        ColumnItem(
            "关于印发丁细则的通知", "http://www.example.gov.cn/zcwj/content/post_123456.html", None, "none"
        ),
    )
    assert result.newest == date(2024, 3, 2)
    # Static pager: 下一页 = index_1 and 尾页 = index_4 give the whole 0-based sequence.
    assert result.pagination == tuple(f"http://www.example.gov.cn/zcwj/index_{i}.html" for i in range(1, 5))
    assert result.total_pages == 5


PLACEHOLDER_ONLY = """<html><head><title>人事信息_某某局</title>
<meta name="ColumnName" content="人事信息"><meta name="ColumnType" content="人事信息"></head><body>
<div class="top"><a href="/">首页</a><a href="/xxgk/">信息公开</a><a href="/rsxx/">人事信息</a></div>
<div class="main"><div class="list"><ul></ul><p class="empty">暂无信息</p></div></div>
<div class="footer"><a href="/about.html">关于我们</a></div>
</body></html>"""


def test_placeholder_only_column_is_empty() -> None:
    result = facts(PLACEHOLDER_ONLY, "http://www.example.gov.cn/xxgk/rsxx/index.html")
    assert result.is_listing
    assert result.items == ()
    assert result.placeholder == "暂无信息"
    assert result.is_empty
    assert result.newest is None
    assert result.column_type_meta == "人事信息"


def test_placeholders_are_configurable() -> None:
    html = PLACEHOLDER_ONLY.replace("暂无信息", "空空如也")
    assert facts(html, "http://www.example.gov.cn/xxgk/rsxx/").placeholder is None
    custom = facts(html, "http://www.example.gov.cn/xxgk/rsxx/", placeholders=("空空如也",))
    assert custom.placeholder == "空空如也"
    assert custom.is_empty
    assert "本栏目正在建设中" in EMPTY_PLACEHOLDERS


def test_placeholder_in_article_related_box_is_not_a_column() -> None:
    html = """<html><body><h1>关于某事项的通知</h1><p>发布时间：2025-12-01 来源：办公室</p>
    <div class="content"><p>各单位：现将有关事项通知如下。</p></div>
    <div class="related"><h3>相关文章</h3><ul></ul><p>暂无信息</p></div></body></html>"""
    result = facts(html, "http://www.example.gov.cn/tzgg/202512/t20251201_1.html")
    assert not result.is_listing
    assert result.placeholder == "暂无信息"
    assert not result.is_empty


HANWEB_EMPTY = """<html><head><title>规划计划_某某市科学技术局</title>
<meta name="ColumnName" content="规划计划"></head><body>
<div class="main"><div id="4430"><script type="text/xml"><datastore>
<totalrecord>0</totalrecord><totalpage>0</totalpage>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1934&path=/&columnid=1220140&unitid=4430&webname=某某市科学技术局&permissiontype=0"></a>]]></nextgroup>
<recordset></recordset></datastore></script></div></div>
<a href='http://www.hanweb.com' style='display:none'>Produced By 大汉网络 大汉版通发布系统</a>
</body></html>"""


def test_hanweb_totalrecord_zero_is_an_empty_column() -> None:
    page_url = "http://kjj.example.gov.cn/col/col1220140/index.html"
    result = facts(HANWEB_EMPTY, page_url)
    assert result.cms == "hanweb"
    assert result.is_listing
    assert result.items == ()
    assert result.total_records == 0
    assert result.is_empty
    assert dataproxy_requests(HANWEB_EMPTY, page_url) == ()


def _hanweb_page(records: int, total: int) -> str:
    rows = "\n".join(
        f'<record><![CDATA[<li><a href="/art/2025/12/{1 + i % 28}/art_1220132_{9000 - i}.html" '
        f"title='通知{i}'>通知{i}</a><span>2025-12-{1 + i % 28:02d}</span></li>]]></record>"
        for i in range(records)
    )
    return f"""<html><head><meta name="ColumnName" content="通知公告"></head><body>
<div id="4425"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1934&path=/&columnid=1220132&unitid=4425&webname=某某市科学技术局&permissiontype=0"></a>]]></nextgroup>
<recordset>{rows}</recordset></datastore></script></div>
<script>$(function(){{$('#4425').jpage({{themeName:'default',showMode:'full',totalRecord:{total},openCookies:false,
dataBefore:'<ul>',dataStore:null,dataAfter:'</ul>',groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp',
perPage:15,barPosition:'bottom',ajaxParam:{{col:1,appid:'1',webid:1934,path:'/',columnid:1220132,unitid:'4425',
webname:'某某市科学技术局',permissiontype:0}}}});}});</script></body></html>"""


def test_hanweb_embedded_records_and_dataproxy_requests() -> None:
    page_url = "http://kjj.example.gov.cn/col/col1220132/index.html"
    html = _hanweb_page(45, 100)
    result = facts(html, page_url)
    assert result.is_listing
    assert len(result.items) == 45
    assert result.items[0] == ColumnItem(
        "通知0", "http://kjj.example.gov.cn/art/2025/12/1/art_1220132_9000.html", date(2025, 12, 1), "text"
    )
    assert result.newest == date(2025, 12, 28)
    assert (result.total_records, result.total_pages) == (100, 7)

    requests = dataproxy_requests(html, page_url)
    assert [(r.start, r.end) for r in requests] == [(46, 90), (91, 100)]
    assert requests[0].url == (
        "http://kjj.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    )
    assert dict(requests[0].form) == {
        "col": "1",
        "appid": "1",
        "webid": "1934",
        "path": "/",
        "columnid": "1220132",
        "unitid": "4425",
        "webname": "某某市科学技术局",
        "sourceContentType": "1",
        "permissiontype": "0",
    }
    assert "columnid=1220132" in requests[0].body


def test_hanweb_dataproxy_from_nextgroup_only() -> None:
    # No init script: the nextgroup link carries the ids and the count is unknown, so only the
    # next batch is requested; its XML answer states totalrecord.
    html = _hanweb_page(3, 0).split("<script>$(function")[0] + "</body></html>"
    requests = dataproxy_requests(html, "http://kjj.example.gov.cn/col/col1220132/index.html")
    assert [(r.start, r.end) for r in requests] == [(4, 48)]
    assert dict(requests[0].form)["columnid"] == "1220132"
    later = dataproxy_requests(html, "http://kjj.example.gov.cn/col/col1220132/index.html", total_records=100)
    assert [(r.start, r.end) for r in later] == [(4, 48), (49, 93), (94, 100)]


HAIYUN = """<html><head><title>行政处罚决定_中国证券监督管理委员会</title></head><body>
<div class="main"><ul id="list">
<li><a href="./c101954/c7430000/content.shtml">行政处罚决定书（甲）</a><span class="date">2025-12-30</span></li>
<li><a href="./c101954/c7420000/content.shtml">行政处罚决定书（乙）</a><span class="date">2025-12-18</span></li>
<li><a href="./c101954/c7410000/content.shtml">行政处罚决定书（丙）</a><span class="date">2025-12-02</span></li>
</ul><div id="page_div"></div>
<script>createPageHTML('page_div', 10, 1, 'xlist', 'shtml', 189);</script></div></body></html>"""


def test_haiyun_six_argument_pager() -> None:
    result = facts(HAIYUN, "http://www.csrc.gov.cn/csrc/c101971/xlist.shtml")
    assert result.is_listing
    assert result.pagination == tuple(
        f"http://www.csrc.gov.cn/csrc/c101971/xlist_{k}.shtml" for k in range(2, 11)
    )
    assert result.total_pages == 10
    assert result.total_records == 189
    assert result.newest == date(2025, 12, 30)
    assert (result.name, result.name_source) == ("行政处罚决定", "title")


def test_gbk_decoded_text() -> None:
    source = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>工作动态-某某县人民政府</title></head><body><table class="list">
<tr><td><a href="/gzdt/show.asp?id=1031">县长主持召开县政府常务会议</a></td><td>2025年12月29日</td></tr>
<tr><td><a href="/gzdt/show.asp?id=1030">全县冬季安全生产工作部署会召开</a></td><td>2025年12月15日</td></tr>
<tr><td><a href="/gzdt/show.asp?id=1029">县政协召开常委会议</a></td><td>2025年11月20日</td></tr>
</table><div>共3条 共1页</div></body></html>"""
    text = source.encode("gbk").decode("gbk")  # what the fetcher hands over after decoding
    result = facts(text, "http://www.example.gov.cn/gzdt/")
    assert result.is_listing
    assert [(item.title, item.date) for item in result.items] == [
        ("县长主持召开县政府常务会议", date(2025, 12, 29)),
        ("全县冬季安全生产工作部署会召开", date(2025, 12, 15)),
        ("县政协召开常委会议", date(2025, 11, 20)),
    ]
    assert (result.total_records, result.total_pages) == (3, 1)
    assert result.cms == "generic"
    assert result.name == "工作动态"


_ODD_LINKS = (  # the attributes of each row's <a>
    'href="..\\gzdt\\t20251229_1031.html"',  # IE-era backslashes
    'href=" /gzdt/show 1030.html "',  # spaces inside and around
    'href="/gzdt/show.asp?kw=公告&id=1029"',  # a query the page's GBK encoding spells
    'href="javascript:void(0)" onclick="window.open(\'/gzdt/show.asp?kw=通知&id=1028\')"',  # script link
)


def test_item_urls_resolve_exactly_like_the_same_links() -> None:
    """An item URL enters the crawl frontier: it must be the URL the link extractor gives the
    same href on the same page (backslashes, spaces, GBK queries and script links included)."""
    rows = "".join(
        f"<tr><td><a {attrs}>县政府常务会议第{n}次会议召开</a></td><td>2025年12月{10 + n}日</td></tr>"
        for n, attrs in enumerate(_ODD_LINKS)
    )
    source = f"""<html><head><meta charset="gbk"><title>工作动态</title></head>
<body><table class="list">{rows}</table></body></html>"""
    page = PageInput(source.encode("gbk"), "http://www.example.gov.cn/a/list/", None, False, TODAY, (), 200)
    output = analyse_page(page)
    assert output.facts.encoding == "gb18030"
    assert output.listing is not None
    item_urls = [item.url for item in output.listing.items]
    link_urls = [link.url for link in output.facts.links if link.url is not None]
    assert (
        item_urls
        == link_urls
        == [
            "http://www.example.gov.cn/a/gzdt/t20251229_1031.html",
            "http://www.example.gov.cn/gzdt/show%201030.html",
            "http://www.example.gov.cn/gzdt/show.asp?kw=%B9%AB%B8%E6&id=1029",
            "http://www.example.gov.cn/gzdt/show.asp?kw=%CD%A8%D6%AA&id=1028",
        ]
    )


def test_navigation_only_page_is_not_a_listing() -> None:
    html = """<html><head><title>信息公开_某某市</title></head><body><div class="main"><ul>
    <li><a href="/xxgk/zcwj/">政策文件</a></li><li><a href="/xxgk/ghjh/">规划计划</a></li>
    <li><a href="/xxgk/rsxx/">人事信息</a></li><li><a href="/xxgk/czxx/">财政信息</a></li>
    <li><a href="/xxgk/tjxx/">统计信息</a></li></ul></div></body></html>"""
    result = facts(html, "http://www.example.gov.cn/xxgk/index.html")
    assert not result.is_listing
    assert result.items == ()


def test_blocks_of_known_navigation_links_are_ignored() -> None:
    nav = frozenset(
        f"http://www.example.gov.cn/zwgk/tzgg/202512/t2025122{i}_{i}.html" for i in range(1, 5)
    ) | frozenset("http://www.example.gov.cn/zwgk/tzgg/202511/t20251115_2003.html" for _ in range(1))
    result = facts(TRS_PINNED, "http://www.example.gov.cn/zwgk/tzgg/index.html", nav_urls=nav)
    assert result.is_listing  # only 1 of 5 rows is in the navigation set
    every = frozenset(
        f"http://www.example.gov.cn/zwgk/tzgg/{path}"
        for path in (
            "201501/t20150105_1001.html",
            "202512/t20251220_2001.html",
            "202512/t20251201_2002.html",
            "202511/t20251115_2003.html",
            "202510/t20251030_2004.html",
        )
    )
    ignored = facts(TRS_PINNED, "http://www.example.gov.cn/zwgk/tzgg/index.html", nav_urls=every)
    assert ignored.items == ()
    assert not ignored.is_listing


def test_future_dates_do_not_make_a_column_fresh() -> None:
    html = YEARLESS.replace("<span>[01-05]</span>", "<span>2027-01-05</span>")
    result = facts(html, "http://www.example.gov.cn/xwzx/gzdt/")
    assert result.items[0].date == date(2027, 1, 5)
    assert result.newest == date(2025, 12, 31)


def test_article_pager_is_not_list_pagination() -> None:
    html = """<html><body><h1>关于某事的通知</h1><p>发布时间：2019-09-18</p><div class="TRS_Editor">
    <p>正文第一页。</p></div><script>createPageHTML(3,0,"t20190918_693227","shtml");</script></body></html>"""
    result = facts(html, "http://www.example.gov.cn/yw/201909/t20190918_693227.shtml")
    assert not result.is_listing
    assert result.pagination == ()


def test_trs_empty_list_page() -> None:
    html = """<html><head><meta name="ColumnName" content="规划计划"></head><body>
    <div class="list"><ul></ul></div><script>createPageHTML(1, 0, "index", "html");</script></body></html>"""
    result = facts(html, "http://www.example.gov.cn/ghjh/index.html")
    assert result.is_listing
    assert result.is_empty
    assert result.pagination == ()


@pytest.mark.parametrize(
    ("marker", "cms"),
    [
        ("<script>window.NFCMS_SITE_ID=163;</script>", "nfcms"),
        ("<a href='http://www.hanweb.com'>Produced By 大汉网络</a>", "hanweb"),
        ('<script>var websiteId = "c57263c0", websiteCode = "ycsrmzf";</script>', "ucap"),
        ('<a class="CurrChnlCls" href="../">首页</a>', "trs"),
        ('<a href="./201909/t20190918_693227.shtml">x</a>', "trs"),
        ("<p>plain</p>", "generic"),
    ],
)
def test_detect_cms(marker: str, cms: str) -> None:
    assert detect_cms(f"<html><body>{marker}</body></html>") == cms


def _list_with_pager(pager: str) -> str:
    rows = "".join(
        f'<li><a href="content/post_{100 + i}.html">第{i}条通知公告标题</a><span class="time">2025-12-{10 + i}</span></li>'
        for i in range(5)
    )
    return f'<html><body><div class="rightCon"><ul class="newList">{rows}</ul>{pager}</div></body></html>'


def test_nfcms_style_one_based_pager() -> None:
    pager = """<div class="page"><a class="first" href="index.html">第一页</a><a class="current" href="index.html">1</a>
    <a class="normal" href="index_2.html">2</a><a class="normal" href="index_3.html">3</a>
    <a class="next" href="index_2.html">下一页 &gt;</a><a class="last" href="index_32.html">最后一页</a></div>"""
    result = facts(_list_with_pager(pager), "http://gdjyj.gd.gov.cn/zwgkn/tzgg/index.html")
    assert result.is_listing
    assert result.pagination == tuple(
        f"http://gdjyj.gd.gov.cn/zwgkn/tzgg/index_{k}.html" for k in range(2, 33)
    )
    assert result.total_pages == 32


def test_numbered_only_pager() -> None:
    pager = """<div class="pagination"><span>1</span><a href="list_2.shtml">2</a><a href="list_3.shtml">3</a></div>"""
    result = facts(_list_with_pager(pager), "http://www.example.gov.cn/ycsrmzf/zwyw/list.shtml")
    assert result.pagination == (
        "http://www.example.gov.cn/ycsrmzf/zwyw/list_2.shtml",
        "http://www.example.gov.cn/ycsrmzf/zwyw/list_3.shtml",
    )
    assert result.total_pages is None
    # Bare numbers outside a pager-looking container are not pages.
    dots = """<div class="slides"><a href="/a/1.html">1</a><a href="/a/2.html">2</a></div>"""
    assert facts(_list_with_pager(dots), "http://www.example.gov.cn/x/list.shtml").pagination == ()


def test_article_count_page_variant_is_not_list_pagination_2() -> None:
    # Shanxi's article template has both createPageHTML(1,0,"t20190918_693227","shtml") and a
    # toPage() helper with "var countPage = 1" naming the same document.
    result = corpus_facts(
        "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html",
        "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
    )
    assert (result.pagination, result.total_pages) == ((), None)
    html = _read("GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html")
    assert pagination_urls(LexborHTMLParser(html), "http://www.shanxi.gov.cn/yw/sxyw/", html) == ()


def test_definition_list_with_dates_beside_the_rows() -> None:
    html = """<html><head><meta name="ColumnName" content="部门动态"></head><body><div class="list"><dl>
    <dt><a href="/bmdt/1.html">某某局召开专题会议</a></dt><dd>2025-12-30</dd>
    <dt><a href="/bmdt/2.html">某某局开展业务培训</a></dt><dd>2025-12-12</dd>
    <dt><a href="/bmdt/3.html">某某局走访企业</a></dt><dd>2025-11-28</dd>
    </dl></div></body></html>"""
    result = facts(html, "http://www.example.gov.cn/bmdt/")
    assert result.is_listing
    assert [(item.title, item.date, item.date_source) for item in result.items] == [
        ("某某局召开专题会议", date(2025, 12, 30), "text"),
        ("某某局开展业务培训", date(2025, 12, 12), "text"),
        ("某某局走访企业", date(2025, 11, 28), "text"),
    ]


def test_title_name_keeps_hyphenated_names() -> None:
    html = (
        "<html><head><title>2019-2020年度工作报告_某某市人民政府</title></head><body><p>x</p></body></html>"
    )
    assert facts(html, "http://www.example.gov.cn/ndbg/").name == "2019-2020年度工作报告"
