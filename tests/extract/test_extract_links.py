"""Link extraction with provenance, on real government pages and on synthetic hard cases."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import CORPUS
from sitecheck.extract import parse_page
from sitecheck.extract.links import extract_links
from sitecheck.models import LinkRef, LinkSpecial
from sitecheck.urls import resolve

NONE, NOT_CHECKABLE, PLACEHOLDER = LinkSpecial.NONE, LinkSpecial.NOT_CHECKABLE, LinkSpecial.PLACEHOLDER
PAGE = "http://www.example.gov.cn/zwgk/tzgg/index.html"


def corpus_page(name: str, url: str) -> tuple[tuple[LinkRef, ...], LexborHTMLParser, str]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"real-page corpus not found at {CORPUS} (shared test data absent)")
    facts, tree = parse_page(path.read_bytes(), url, None)
    assert facts.url == url
    return facts.links, tree, facts.title


def links_of(html: str, url: str = PAGE) -> tuple[LinkRef, ...]:
    return extract_links(LexborHTMLParser(html), url, "utf-8")


def one(links: tuple[LinkRef, ...], **match: object) -> LinkRef:
    found = [link for link in links if all(getattr(link, k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


# --- real pages ------------------------------------------------------------------------------


def test_nfra_spa_page() -> None:
    url = "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1211987&itemId=4115&generaltype=9"
    path = CORPUS / "Yuhamixli__nfra.gov.cn__tests__page_source_debug.html"
    if not path.exists():
        pytest.skip(f"real-page corpus not found at {CORPUS}")
    facts, _tree = parse_page(path.read_bytes(), url, None)
    assert (facts.encoding, facts.encoding_source) == ("utf-8", "meta")  # not the body's gb2312 meta
    assert facts.title == "国家金融监督管理总局"
    # Rendered AngularJS links resolve; the unrendered ones sit in ng-href/comments, not in href.
    assert not [link for link in facts.links if "{{" in link.raw or (link.url and "%7B%7B" in link.url)]
    details = [link for link in facts.links if link.url and "ItemDetail.html?docId=" in link.url]
    assert details and all(link.url and link.url.startswith("https://www.nfra.gov.cn/") for link in details)
    assert not [link for link in facts.links if link.url and link.url.startswith("data:")]
    data_imgs = [link for link in facts.links if link.raw.startswith("data:image/png")]
    assert len(data_imgs) == 2 and all(link.special is NOT_CHECKABLE for link in data_imgs)


def test_ccgp_hebei_article_attachment_and_header_iframe() -> None:
    url = "http://www.ccgp-hebei.gov.cn/cd/cd_wc/cggg/zhbggAAAA/202110/t20211011_1485252.html"
    links, _tree, title = corpus_page("Hbjiance__http-www.ccgp-hebei.gov.cn-__中标公告详细页面.html", url)
    assert title == "中标公告详细页面"
    docx = one(
        links, url="http://www.ccgp-hebei.gov.cn/BidWinAnncFiles/4b211afc-3a82-4fce-8ffb-11126a95def1.docx"
    )
    assert (docx.element, docx.attribute, docx.text) == (
        "a",
        "href",
        "2021年村级信息资源共享支中心电脑采购项目",
    )
    assert docx.special is NONE and docx.navigable
    # The CMS wrote "undefined.undefined" for a missing second attachment: a real dead link to check.
    one(links, url="http://www.ccgp-hebei.gov.cn/BidWinAnncFiles/undefined.undefined", text="")
    frame = one(links, element="iframe")
    assert frame.frame and frame.navigable and frame.attribute == "src"
    assert frame.raw == "./中标公告详细页面_files/index_651.html"
    assert frame.url == (
        "http://www.ccgp-hebei.gov.cn/cd/cd_wc/cggg/zhbggAAAA/202110/"
        "%E4%B8%AD%E6%A0%87%E5%85%AC%E5%91%8A%E8%AF%A6%E7%BB%86%E9%A1%B5%E9%9D%A2_files/index_651.html"
    )
    assert sum(1 for link in links if link.frame) == 1


def test_ccgp_hebei_iframe_fragment_resolves_against_its_own_url() -> None:
    url = "http://www.ccgp-hebei.gov.cn/cd/cd_wc/index_651.html"
    links, _tree, title = corpus_page("Hbjiance__http-www.ccgp-hebei.gov.cn-__index_651.html", url)
    assert title == ""  # a fragment: no <title>
    hrefs = [(link.element, link.raw, link.url, link.text) for link in links if link.element == "a"]
    assert hrefs == [
        ("a", "../../csqh/", "http://www.ccgp-hebei.gov.cn/csqh/", "切换城市"),
        ("a", "./", "http://www.ccgp-hebei.gov.cn/cd/cd_wc/", "围场县"),
        ("a", "./cggg/", "http://www.ccgp-hebei.gov.cn/cd/cd_wc/cggg/", "采购公告"),
        ("a", "./zytz/", "http://www.ccgp-hebei.gov.cn/cd/cd_wc/zytz/", "重要通知"),
        ("a", "./zcfg/", "http://www.ccgp-hebei.gov.cn/cd/cd_wc/zcfg/", "政策法规"),
        ("a", "./bszn/", "http://www.ccgp-hebei.gov.cn/cd/cd_wc/bszn/", "办事指南"),
        ("a", "./jdjc/", "http://www.ccgp-hebei.gov.cn/cd/cd_wc/jdjc/", "监督检查"),
        (
            "a",
            "http://www.gov.cn/pushinfo/v150203/index.htm",
            "http://www.gov.cn/pushinfo/v150203/index.htm",
            "国务要闻",
        ),
        (
            "a",
            "http://www.ccgp-hebei.gov.cn/province/xlwm/",
            "http://www.ccgp-hebei.gov.cn/province/xlwm/",
            "联系我们",
        ),
    ]
    css = one(links, element="link")
    assert (css.url, css.navigable) == ("http://www.ccgp-hebei.gov.cn/img/css.css", False)
    imgs = {link.url for link in links if link.element == "img"}
    assert imgs == {"http://www.ccgp-hebei.gov.cn/img/4.jpg"}


def test_nfcms_list_page_items_and_mirror_placeholders() -> None:
    url = "http://gdjyj.gd.gov.cn/zwgkn/tzgg/index.html"
    links, tree, title = corpus_page("blue124qq__stw_gd_cn__zwgkn__tzgg__index.html", url)
    assert title == "通知公告 - 广东省监狱管理局"
    item_texts = [node.text(strip=True) for node in tree.css("ul.newList li a")]
    assert len(item_texts) == 20
    items = [link for link in links if link.element == "a" and link.text in item_texts]
    assert len(items) == 20
    assert [(link.url, link.special) for link in items[:3]] == [
        ("http://gdjyj.gd.gov.cn/zwgkn/tzgg/content/post_2865270.html", NONE),
        ("http://gdjyj.gd.gov.cn/zwgkn/tzgg/content/post_3140358.html", NONE),
        ("http://gdjyj.gd.gov.cn/zwgkn/tzgg/content/post_3132693.html", NONE),
    ]
    assert items[0].text == "2019年政府网站年度工作报表"
    # The mirror replaced every un-mirrored link with javascript:; - recorded, never requested.
    assert all(
        (link.raw, link.url, link.special) == ("javascript:;", None, NOT_CHECKABLE) for link in items[3:]
    )
    # Pager hrefs emptied by the mirror: an empty href is not checkable either.
    first = one(links, text="第一页")
    assert (first.raw, first.url, first.special) == ("", None, NOT_CHECKABLE)
    # The mobile-version icon links to "#": a visible entry that leads nowhere, outside navigation.
    icon = one(links, special=PLACEHOLDER)
    assert (icon.raw, icon.in_nav) == ("#", False)
    # Commented-out and script-built anchors are not links.
    assert not [link for link in links if "voice.gd.gov.cn" in link.raw or "pub_point" in link.raw]
    # <base target="_blank"> has no href: links resolve against the page itself.
    one(links, raw="../../index5.html", text="首页")
    assert one(links, raw="../../newscenter/index.html").url == "http://gdjyj.gd.gov.cn/newscenter/index.html"


def test_ccgp_detail_logo_links_and_nav() -> None:
    url = "http://www.ccgp.gov.cn/cggg/dfgg/cjgg/202106/t20210610_16407137.htm"
    links, _tree, title = corpus_page("yuntaozhu__www.ccgp.gov.cn__index.html", url)
    assert title.startswith("芷江侗族自治县公路建设养护中心") and title.endswith("十标成交公告")
    # The (edited) logo links are empty <a href="#"> with CSS backgrounds: no entry a reader sees.
    logos = [link for link in links if link.raw == "#"]
    assert [(link.special, link.url, link.text) for link in logos] == [(NOT_CHECKABLE, None, "")] * 4
    assert not [link for link in links if link.special is PLACEHOLDER]
    nav = [link.url for link in links if link.raw.startswith("//www.ccgp.gov.cn/") and link.element == "a"]
    assert nav[:6] == [
        "http://www.ccgp.gov.cn/",
        "http://www.ccgp.gov.cn/zcfg/",
        "http://www.ccgp.gov.cn/gpsr/",
        "http://www.ccgp.gov.cn/jdjc/",
        "http://www.ccgp.gov.cn/xxgg/",
        "http://www.ccgp.gov.cn/wtogpa/",
    ]
    crumbs = [(link.raw, link.url) for link in links if link.raw.startswith("..")]
    assert crumbs == [
        ("../../../../", "http://www.ccgp.gov.cn/"),
        ("../../../", "http://www.ccgp.gov.cn/cggg/"),
        ("../../", "http://www.ccgp.gov.cn/cggg/dfgg/"),
        ("../", "http://www.ccgp.gov.cn/cggg/dfgg/cjgg/"),
    ]
    jiucuo = one(
        links,
        url=(
            "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=bm14000002&url=http%3A%2F%2Fwww.ccgp.gov.cn%2F"
        ),
    )
    assert jiucuo.raw.endswith("&url=http%3A%2F%2Fwww.ccgp.gov.cn%2F")  # &amp; decoded by the parser


def test_shanxi_hidden_bare_urls_are_not_links() -> None:
    url = "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"
    links, tree, _title = corpus_page(
        "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html", url
    )
    hidden = [node.text(strip=True) for node in tree.css('li[style="display:none;"]')]
    assert "http://fgw.shanxi.gov.cn" in hidden and len(hidden) > 20
    fgw = [link for link in links if link.url == "http://fgw.shanxi.gov.cn/"]
    assert [(link.element, link.attribute, link.text) for link in fgw] == [
        ("a", "href", "省发展和改革委员会")
    ]
    assert {link.element for link in links} <= {"a", "img", "link", "script"}


def test_yichun_article_chrome_extension_urls_not_checkable() -> None:
    url = "https://www.yichun.gov.cn/ycsrmzf/tjgb/202305/36796cdc82d04268913f2884cf2fe579.shtml"
    links, _tree, title = corpus_page(
        "SimonXinw__job__统计局__宜春市__2022__宜春市2022年国民经济和社会发展统计公报 _ 中国宜春.html", url
    )
    assert title == "宜春市2022年国民经济和社会发展统计公报 | 中国宜春"
    ext = [link for link in links if link.raw.startswith("chrome-extension:")]
    assert [(link.element, link.special, link.url) for link in ext] == [("script", NOT_CHECKABLE, None)] * 2
    assert not [link for link in links if link.url and "chrome-extension" in link.url]
    top = one(links, text="返回顶部")
    assert (top.raw, top.special) == ("javascript:scrollTo(0,0);", NOT_CHECKABLE)


def test_handan_friend_link_dropdowns() -> None:
    url = "http://hdzfxxgk.hd.gov.cn/"
    links, _tree, _title = corpus_page(
        "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__index.jsp.html", url
    )
    options = [link for link in links if link.element == "option"]
    assert len(options) == 150
    mfa = options[0]
    assert (mfa.url, mfa.text, mfa.attribute, mfa.navigable) == (
        "http://www.fmprc.gov.cn/web/",
        "外交部",
        "value",
        True,
    )
    assert one(links, text="国防部").url == "http://www.mod.gov.cn/"
    # The "国家部委网站链接" caption option has no value: not a link.
    assert not [link for link in options if "网站链接" in link.text]


def test_every_corpus_page_extracts_without_error() -> None:
    pages = sorted(CORPUS.glob("*.html")) if CORPUS.exists() else []
    if not pages:
        pytest.skip(f"real-page corpus not found at {CORPUS}")
    for path in pages:
        facts, _tree = parse_page(path.read_bytes(), "http://www.example.gov.cn/a/b/page.html", None)
        for link in facts.links:
            assert len(link.text) <= 200
            if link.special is not NONE:
                assert link.url is None
            if link.url is not None:
                assert link.url.startswith(("http://", "https://")) and "#" not in link.url


# --- synthetic cases ---------------------------------------------------------------------------


def test_gbk_page_query_encoding_and_utf8_path() -> None:
    html = (
        '<html><head><meta charset="gbk"><title> 搜索\n  结果 </title></head><body>'
        '<a href="/search.jsp?kw=公告">搜公告</a><a href="/新闻/index.html">新闻</a></body></html>'
    )
    facts, _tree = parse_page(html.encode("gbk"), "http://www.example.gov.cn/", None)
    assert (facts.title, facts.encoding, facts.encoding_source) == ("搜索 结果", "gb18030", "meta")
    assert [link.url for link in facts.links] == [
        "http://www.example.gov.cn/search.jsp?kw=%B9%AB%B8%E6",
        "http://www.example.gov.cn/%E6%96%B0%E9%97%BB/index.html",
    ]
    assert [link.raw for link in facts.links] == ["/search.jsp?kw=公告", "/新闻/index.html"]


def test_base_href() -> None:
    links = links_of(
        '<head><base target="_blank"><base href="http://cdn.example.gov.cn/site/"><base href="/ignored/">'
        '</head><body><a href="a.html">A</a><img src="/logo.png"><a href="#top">top</a></body>'
    )
    assert [link.url for link in links] == [
        "http://cdn.example.gov.cn/site/a.html",
        "http://cdn.example.gov.cn/logo.png",
        None,
    ]


def test_relative_base_href_resolves_against_the_page() -> None:
    links = links_of('<base href="../"><a href="x.html">X</a>')
    assert links[0].url == "http://www.example.gov.cn/zwgk/x.html"


def test_srcset_every_candidate() -> None:
    links = links_of(
        '<img src="a.jpg" srcset="a-1x.jpg 1x, /img/a-2x.jpg 2x,b,c.jpg 640w" alt=" 图 片 ">'
        '<picture><source srcset="p.webp" type="image/webp"><source src="v.mp4"></picture>'
    )
    assert [(link.element, link.attribute, link.raw, link.url) for link in links] == [
        ("img", "src", "a.jpg", "http://www.example.gov.cn/zwgk/tzgg/a.jpg"),
        ("img", "srcset", "a-1x.jpg", "http://www.example.gov.cn/zwgk/tzgg/a-1x.jpg"),
        ("img", "srcset", "/img/a-2x.jpg", "http://www.example.gov.cn/img/a-2x.jpg"),
        ("img", "srcset", "b,c.jpg", "http://www.example.gov.cn/zwgk/tzgg/b,c.jpg"),
        ("source", "srcset", "p.webp", "http://www.example.gov.cn/zwgk/tzgg/p.webp"),
        ("source", "src", "v.mp4", "http://www.example.gov.cn/zwgk/tzgg/v.mp4"),
    ]
    assert links[0].text == "图 片" and not links[0].navigable


@pytest.mark.parametrize(
    ("content", "url"),
    [
        ("0; url=/new/index.html", "http://www.example.gov.cn/new/index.html"),
        ("5;URL='http://www.gov.cn/'", "http://www.gov.cn/"),
        ("0,url=../a.html", "http://www.example.gov.cn/zwgk/a.html"),
        ("3; b.html", "http://www.example.gov.cn/zwgk/tzgg/b.html"),
    ],
)
def test_meta_refresh(content: str, url: str) -> None:
    links = links_of(f'<head><meta http-equiv="Refresh" content="{content}"></head>')
    assert [(link.element, link.attribute, link.url, link.navigable) for link in links] == [
        ("meta", "content", url, True)
    ]


def test_meta_refresh_without_url_and_other_meta() -> None:
    assert (
        links_of(
            '<meta http-equiv="refresh" content="300"><meta http-equiv="X-UA-Compatible" content="IE=edge">'
        )
        == ()
    )


def test_select_dropdown_options() -> None:
    links = links_of(
        '<select onchange="window.open(this.options[this.selectedIndex].value)">'
        '<option value="">--国家部委网站--</option><option value="#">请选择</option>'
        '<option value="http://www.gov.cn/"> 中国政府网 </option>'
        '<optgroup label="省级"><option value="www.hebei.gov.cn">河北省</option></optgroup>'
        '<option value="/bmlj/index.html">部门链接</option><option value="0">其他</option></select>'
        '<select name="type"><option value="1">公告</option><option value="https://www.beijing.gov.cn/">北京</option>'
        "</select>"
    )
    assert [(link.url, link.text) for link in links] == [
        ("http://www.gov.cn/", "中国政府网"),
        ("http://www.hebei.gov.cn/", "河北省"),
        ("http://www.example.gov.cn/bmlj/index.html", "部门链接"),
        ("https://www.beijing.gov.cn/", "北京"),  # an absolute URL value is a link in any select
    ]
    assert all((link.element, link.attribute, link.navigable) == ("option", "value", True) for link in links)


def test_window_open_and_onclick() -> None:
    links = links_of(
        """<a href="javascript:window.open('/zwgk/a.html','_blank')">公开</a>
        <a href="#" onclick="window.open('http://www.gov.cn/');return false;">国务院</a>
        <a href="javascript:void(0)" onclick="location.href='b.html'">B</a>
        <a href="javascript:location.href=&quot;/c.html&quot;">C</a>
        <div onclick="window.location = '/d.html'">D</div>
        <tr onclick="top.location.assign('/e.html')"></tr>
        <button onclick="location.replace('./f.html')">F</button>
        <a href="/g.html" onclick="window.open('/h.html')">G</a>
        <a onclick="window.open('/detail.jsp?id=' + id)">computed</a>
        <span onclick="xhr.open('GET', '/api')">api</span>
        <a href="javascript:openWin('/i.html')">custom wrapper</a>"""
    )
    got = [(link.element, link.attribute, link.url, link.text) for link in links]
    assert got == [
        ("a", "href", "http://www.example.gov.cn/zwgk/a.html", "公开"),
        ("a", "onclick", "http://www.gov.cn/", "国务院"),
        ("a", "onclick", "http://www.example.gov.cn/zwgk/tzgg/b.html", "B"),
        ("a", "href", "http://www.example.gov.cn/c.html", "C"),
        ("div", "onclick", "http://www.example.gov.cn/d.html", "D"),
        ("button", "onclick", "http://www.example.gov.cn/zwgk/tzgg/f.html", "F"),
        ("a", "href", "http://www.example.gov.cn/g.html", "G"),
        ("a", "onclick", "http://www.example.gov.cn/h.html", "G"),
        ("a", "href", None, "custom wrapper"),
    ]
    assert links[-1].special is NOT_CHECKABLE
    assert links[0].raw == "/zwgk/a.html" and all(link.navigable for link in links)


def test_tr_onclick_inside_a_table() -> None:
    links = links_of("<table><tr onclick=\"top.location.assign('/e.html')\"><td>行</td></tr></table>")
    assert [(link.element, link.url, link.text) for link in links] == [
        ("tr", "http://www.example.gov.cn/e.html", "行")
    ]


NAV_PAGE = """<html><body>
<div class="header"><a href="#">English</a></div>
<ul class="main-nav"><li><a href="/">首页</a></li><li><a href="#">政务公开</a></li>
 <li><a href="javascript:alert('栏目建设中，敬请期待！')">互动交流</a></li>
 <li class="dropdown"><a href="#">办事服务</a><ul><li><a href="/bs/">在线办事</a></li></ul></li>
 <li><a href="#" onmouseover="showTab(2)">要闻</a></li>
 <li><a href="#" data-toggle="tab">动态</a></li></ul>
<div id="dh1"><a href="javascript:void(0)" onclick="alert('暂未开通')">数据开放</a></div>
<nav><a href=" # "><img src="/i.png" alt="图标"></a></nav>
<div class="content"><a href="#">更多</a><a href="#top">返回顶部</a><a href="#"></a>
 <a href="javascript:alert('请先登录')">登录</a><a href="javascript:;">分享</a></div>
<div class="canvas unavailable"><a href="#">画布</a></div>
<div class="navy-theme"><a href="#">主题</a></div>
<div class="news-head"><span>要闻动态</span><a href="#">查看更多</a></div>
<header><div><a href="#">无障碍</a></div></header>
<ul class="menu"><li><a href="javascript:layer.msg('该栏目正在建设中')">在线访谈</a></li>
 <li><a href="javascript:search('工程建设项目')">项目查询</a></li>
 <li><a href="javascript:alert('暂无内容');">专题专栏</a></li></ul>
</body></html>"""


def test_placeholders_and_in_nav() -> None:
    links = links_of(NAV_PAGE)
    got = [(link.text, link.special, link.in_nav, link.attribute) for link in links if link.url is None]
    assert got == [
        ("English", PLACEHOLDER, True, "href"),  # class="header"
        ("政务公开", PLACEHOLDER, True, "href"),
        ("互动交流", PLACEHOLDER, True, "href"),  # javascript:alert('…建设中…')
        ("办事服务", NOT_CHECKABLE, False, "href"),  # opens a submenu
        ("要闻", NOT_CHECKABLE, False, "href"),  # a tab switched by script
        ("动态", NOT_CHECKABLE, False, "href"),
        ("数据开放", PLACEHOLDER, True, "onclick"),  # id="dh1": 导航
        ("图标", PLACEHOLDER, True, "href"),  # <nav>; an image is visible content
        ("更多", PLACEHOLDER, False, "href"),
        ("返回顶部", NOT_CHECKABLE, False, "href"),  # #top: a same-page anchor, never a placeholder
        ("", NOT_CHECKABLE, False, "href"),  # nothing visible
        ("登录", NOT_CHECKABLE, False, "href"),  # an alert that is not about construction
        ("分享", NOT_CHECKABLE, False, "href"),
        ("画布", PLACEHOLDER, False, "href"),  # "canvas"/"unavailable" are not nav words
        ("主题", PLACEHOLDER, False, "href"),  # nor is "navy"
        ("查看更多", PLACEHOLDER, False, "href"),  # a column's title bar is not navigation
        ("无障碍", PLACEHOLDER, True, "href"),  # <header>
        ("在线访谈", PLACEHOLDER, True, "href"),  # any message saying "正在建设"
        ("项目查询", NOT_CHECKABLE, False, "href"),  # "建设项目" is a search term, not an excuse
        ("专题专栏", PLACEHOLDER, True, "href"),  # "暂无" inside alert()
    ]
    assert one(links, text="互动交流").raw == "javascript:alert('栏目建设中，敬请期待！')"
    assert one(links, text="数据开放").raw == "alert('暂未开通')"


@pytest.mark.parametrize(
    "href",
    [
        "mailto:ban@example.gov.cn",
        "MAILTO:x@y",
        "tel:0311-12345",
        "sms:10086",
        "data:text/html,hi",
        "javascript:void(0)",
        "javascript:;",
        "javascript:",
        "chrome-extension://abc/page.html",
        "about:blank",
        "file:///C:/Users/admin/Desktop/a.doc",
        "",
        "#section-2",
    ],
)
def test_not_checkable(href: str) -> None:
    links = links_of(f'<a href="{href}">链接</a>')
    assert [(link.raw, link.url, link.special) for link in links] == [(href, None, NOT_CHECKABLE)]


def test_whitespace_only_href_is_skipped_and_missing_href_ignored() -> None:
    assert links_of('<a href="   ">x</a><a href="\n">y</a><a name="x">z</a><a>w</a>') == ()


def test_unrendered_client_templates_are_not_checkable_but_server_templates_are_links() -> None:
    links = links_of(
        '<a href="ItemDetail.html?docId={{x.docId}}">{{x.title}}</a><a href="${ctx}/a.html">A</a>'
    )
    assert [(link.url, link.special) for link in links] == [
        (None, NOT_CHECKABLE),
        ("http://www.example.gov.cn/zwgk/tzgg/$%7Bctx%7D/a.html", NONE),
    ]


def test_unrequestable_http_link_is_kept_without_url() -> None:
    links = links_of('<a href="http://">坏链接</a><a href="http://www.example.gov.cn:8o8o/">端口</a>')
    assert [(link.url, link.special) for link in links] == [(None, NONE), (None, NONE)]


def test_element_coverage_and_flags() -> None:
    html = """<html><head>
    <link rel="stylesheet" href="/s.css"><link rel="dns-prefetch" href="//cdn.example.com">
    <link rel="preconnect" href="https://fonts.example.com"><link rel="icon" href="/favicon.ico">
    <script src="/j.js"></script></head>
    <body background="/bg.gif"><table background="t.gif"><tr><td background="c.gif">x</td></tr></table>
    <map><area href="/area.html" alt="区域"></map>
    <iframe src="/frame.html" title="头部"></iframe><frameset><frame src="f.html"></frameset>
    <embed src="/flash.swf"><object data="/doc.pdf"></object>
    <video src="/v.mp4" poster="/p.jpg"><track src="/sub.vtt"></video><audio src="/a.mp3"></audio>
    <input type="image" src="/go.gif" alt="搜索"><input type="text" src="/not.gif">
    <template><a href="/tpl.html">模板</a></template>
    <noscript><a href="/ns.html">无脚本</a></noscript>
    </body></html>"""
    links = links_of(html)
    got = [(link.element, link.attribute, link.url, link.navigable, link.frame) for link in links]
    h = "http://www.example.gov.cn"
    assert got == [
        ("link", "href", f"{h}/s.css", False, False),
        ("link", "href", f"{h}/favicon.ico", False, False),
        ("script", "src", f"{h}/j.js", False, False),
        ("body", "background", f"{h}/bg.gif", False, False),
        ("table", "background", f"{h}/zwgk/tzgg/t.gif", False, False),
        ("td", "background", f"{h}/zwgk/tzgg/c.gif", False, False),
        ("area", "href", f"{h}/area.html", True, False),
        ("iframe", "src", f"{h}/frame.html", True, True),
        ("embed", "src", f"{h}/flash.swf", False, False),
        ("object", "data", f"{h}/doc.pdf", False, False),
        ("video", "src", f"{h}/v.mp4", False, False),
        ("video", "poster", f"{h}/p.jpg", False, False),
        ("track", "src", f"{h}/sub.vtt", False, False),
        ("audio", "src", f"{h}/a.mp3", False, False),
        ("input", "src", f"{h}/go.gif", False, False),
        ("a", "href", f"{h}/ns.html", True, False),
    ]
    assert one(links, element="area").text == "区域"
    assert one(links, element="iframe").text == "头部"
    assert one(links, element="input").text == "搜索"


def test_frameset_page() -> None:
    links = links_of('<frameset cols="20%,*"><frame src="left.html"><frame src="main.html"></frameset>')
    assert [(link.element, link.url, link.frame) for link in links] == [
        ("frame", "http://www.example.gov.cn/zwgk/tzgg/left.html", True),
        ("frame", "http://www.example.gov.cn/zwgk/tzgg/main.html", True),
    ]


def test_link_text() -> None:
    long_title = "长" * 300
    links = links_of(
        f'<a href="/1">  关于\n\t印发&nbsp;通知 </a><a href="/2"><img src="/x.png" alt="图片说明"></a>'
        f'<a href="/3" title="标题属性"></a><a href="/4">{long_title}</a>'
    )
    texts = [link.text for link in links if link.element == "a"]
    assert texts == ["关于 印发 通知", "图片说明", "标题属性", "长" * 200]


def test_title_fallbacks() -> None:
    facts, _ = parse_page(
        '<head><meta name="ArticleTitle" content=" 文章 "></head><svg><title>svg</title></svg>'.encode(),
        PAGE,
        "utf-8",
    )
    assert facts.title == "文章"
    facts, _ = parse_page("<head><title>\n  首页\n</title></head>".encode(), PAGE, None)
    assert facts.title == "首页"


def test_document_order_and_no_duplicates_for_multi_matching_nodes() -> None:
    links = links_of(
        '<img src="/1.png" onclick="window.open(\'/big.png\')"><a href="/2">2</a><img src="/3.png">'
    )
    assert [(link.element, link.attribute, link.raw) for link in links] == [
        ("img", "src", "/1.png"),
        ("img", "onclick", "/big.png"),
        ("a", "href", "/2"),
        ("img", "src", "/3.png"),
    ]


def test_resolution_shared_across_pages_matches_per_page_resolution() -> None:
    # Absolute paths and URLs are resolved once per origin, relative paths joined to the page's
    # directory and then resolved once per origin, and reused on other pages; the result must be
    # what resolving on each page would give: for pages of one directory that differ in their
    # name, query and fragment, and for the same relative paths on pages of other directories.
    hrefs = [
        "/gzdt/index.html", "//cdn.example.org/a.js", "HTTP://Example.GOV.cn/x/../y.html",
        "/搜索?kw=公告", "/\\\\other.example/z", "../up.html", "sub/page.html", "?page=2",
        "http:relative.html", "/a/./b/../c.html#frag", "./", "../../../../x.html",
        "./images/a b.css", "附件/通知 (1).doc?name=公告", "..\\img\\logo.png", "1a:b.html",
        "%E9%99%84.pdf", "t20231015_1.html#p2", "./?kw=公告", "../",
        "a/./b/../c.html", ".././../x.html?q=1#f", "a//../b.html", "%2e%2e/x.html", ".hidden/x",
        "..a/b", "foo/..", "./.", "x?a=../b#c", "../../", "sub/page.html?kw=公告#x",
    ]  # fmt: skip
    html = "".join(f'<a href="{h}">x</a>' for h in hrefs)
    for page in (
        "http://www.example.gov.cn/a/b/index.html",
        "http://www.example.gov.cn/a/b/t2.html?id=3#top",
        "http://www.example.gov.cn/a/b/",
        "http://www.example.gov.cn/a/b",
        "https://www.example.gov.cn/a/",
        "http://www.example.gov.cn:8080/c/d.jsp?x=1",
        "http://www.example.gov.cn:8080/c/e.jsp?x=/y/z",
        "http://www.example.gov.cn/栏目/通知 公告/index.html",
        "http://www.example.gov.cn//x/y.html",
        "http://www.example.gov.cn/a/b/c/d/e.html",
        "http://other.example.gov.cn/",
        "http://other.example.gov.cn",
    ):
        for encoding in ("utf-8", "gb18030"):
            tree = LexborHTMLParser(f"<html><body>{html}</body></html>")
            got = [link.url for link in extract_links(tree, page, encoding)]
            assert got == [resolve(page, h, encoding) for h in hrefs], (page, encoding)


# --- markup written by inline scripts and Hanweb records ---------------------------------------


def _as_markup(written: tuple[LinkRef, ...], via: str) -> list[tuple[object, ...]]:
    """Written links as the same markup in the page would give them (attribute unmarked)."""
    assert all(link.attribute.startswith(via) for link in written), written
    return [link._replace(attribute=link.attribute.removeprefix(via)) for link in written]


def test_document_write_links_are_the_links_of_the_written_markup() -> None:
    markup = (
        "<li><a href=\"/col/col123/index.html\">机构设置</a></li><li><a href='../ldzc/'>领导之窗</a></li>"
        '<img src="/images/logo.png" alt="标志"><iframe src="/wzdt/map.html"></iframe>'
        '<link rel="stylesheet" href="/css/x.css"><a href="javascript:void(0)">更多</a>'
        '<a href="search.jsp?kw=公告&amp;p=1">搜索</a>'
    )
    # The same markup as a script writes it: both quotes, "+" across lines, and JS escapes.
    script = r"""<script type="text/javascript">
    document.write('<li><a href="/col/col123/index.html">\u673a\u6784\u8bbe\u7f6e<\/a><\/li>');
    document.writeln("<li><a href='../ldzc/'>领导之窗<\/a><\/li>" +
        '<img src="/images/logo.png" alt="\u6807\u5fd7">'
        + "<iframe src=\"/wzdt/map.html\"></iframe>");
    window.document.write('<link rel=\'stylesheet\' href=\'/css/x.css\'>', "<a href=\"javascript:void(0)\">更多</a>");
    document.write('<a href="search.jsp?kw=\u516c\u544a&amp;p=1">\u641c\u7d22</a>');
    </script>"""
    for encoding in ("utf-8", "gb18030"):  # queries follow the page's encoding, as in markup
        expected = extract_links(LexborHTMLParser(f"<html><body>{markup}</body></html>"), PAGE, encoding)
        written = extract_links(LexborHTMLParser(f"<html><body>{script}</body></html>"), PAGE, encoding)
        assert _as_markup(written, "document.write:") == list(expected), encoding
    links = links_of(script)
    assert [(link.element, link.attribute) for link in links[:3]] == [
        ("a", "document.write:href"),
        ("a", "document.write:href"),
        ("img", "document.write:src"),
    ]
    assert links[0].text == "机构设置" and links[0].raw == "/col/col123/index.html"
    assert links[3].frame and links[3].url == "http://www.example.gov.cn/wzdt/map.html"
    # Escapes of quotes and backslashes, line continuations and \n inside the written markup.
    escaped = links_of(
        r"""<script>document.write('<a href="/it\'s.html" title="a\\b">x\ny<\/a>' +
        "<a href=\"/q\\d.html\">\
        q</a>");</script>"""
    )
    assert [(link.raw, link.text) for link in escaped] == [("/it's.html", "x y"), ("/q\\d.html", "q")]


def test_document_write_links_resolve_against_base_href_and_keep_document_order() -> None:
    links = links_of(
        '<head><base href="http://cdn.example.gov.cn/site/"></head><body><a href="first.html">1</a>'
        '<script>document.write(\'<a href="written.html">2</a>\')</script><a href="last.html">3</a></body>'
    )
    assert [link.url for link in links] == [
        "http://cdn.example.gov.cn/site/first.html",
        "http://cdn.example.gov.cn/site/written.html",
        "http://cdn.example.gov.cn/site/last.html",
    ]


def test_document_write_computed_parts() -> None:
    links = links_of(
        """<script>
        var id = 5, title = '标题';
        document.write('<a href="/art/' + id + '.html">' + title + '</a>');      // href interrupted
        document.write('<a href="/list.html" title="' + title + '">列表' + n + '</a>');  // href whole
        document.write('<a href="' + base + '/x.html">x</a><a href="/kept.html">留</a>');
        document.write(`<a href="/tpl/${id}.html">t</a><a href="/tpl.html">模板</a>`);
        document.write(flag ? '<a href="/t1.html">1</a>' : '<a href="/t2.html">2</a>');
        document.write('<a href="/g' + (flag ? '1' : '2') + '.html">g</a>' + '<img src="/ok.png">');
        document.write('<a href="/n' + 1 + '.html">数字</a>');
        </script>"""
    )
    assert [(link.raw, link.text) for link in links] == [
        ("/list.html", "列表"),
        ("/kept.html", "留"),
        ("/tpl.html", "模板"),
        ("/ok.png", ""),
        ("/n1.html", "数字"),  # a number literal is constant text
    ]
    assert all("\ue000" not in link.raw + link.text for link in links)


def test_document_write_in_comments_strings_regexes_and_data_scripts_is_not_written() -> None:
    links = links_of(
        """<script>
        // document.write('<a href="/line-comment.html">x</a>');
        /* document.write('<a href="/block-comment.html">x</a>'); */
        <!-- document.write('<a href="/html-comment.html">x</a>');
        var s = "document.write('<a href=/in-string.html>x</a>')";
        var r = /document.write\\('<a href="\\/in-regex.html">'\\)/g, half = a / 2;
        document.write('<a href="/real.html">x</a>');
        </script>
        <script type="text/html" id="tpl">document.write('<a href="/template.html">x</a>')</script>
        <script type="application/json">{"a": "document.write('<a href=/json.html>')"}</script>
        <script type="text/javascript; charset=utf-8">document.write('<a href="/typed.html">x</a>')</script>
        <script src="/js/menu.js">document.write('<a href="/ignored-body.html">x</a>')</script>"""
    )
    assert [(link.element, link.attribute, link.raw) for link in links] == [
        ("a", "document.write:href", "/real.html"),
        ("a", "document.write:href", "/typed.html"),
        ("script", "src", "/js/menu.js"),
    ]


def test_document_write_of_unescape_and_written_scripts() -> None:
    # The 党政机关网站标识 (conac) and statistics snippets write script tags through unescape().
    links = links_of(
        """<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E"""
        """%3Cscript src='http://dcs.conac.cn/js/05/107/0000/41468768/CA0510700004146876800.js' """
        """type='text/javascript'%3E%3C/script%3E"));
        var p = (("https:" == document.location.protocol) ? " https://" : " http://");
        document.write(unescape("%3Cscript src='" + p + "s4.cnzz.com/z_stat.php%3Fid%3D1' %3E%3C/script%3E"));
        document.write(decodeURIComponent('%3Ca%20href%3D%22%2F%E6%96%B0%E9%97%BB%2F%22%3E%E6%96%B0%E9%97%BB%3C%2Fa%3E'));
        </script>"""
    )
    assert [(link.element, link.attribute, link.url, link.navigable) for link in links] == [
        (
            "script",
            "document.write:src",
            "http://dcs.conac.cn/js/05/107/0000/41468768/CA0510700004146876800.js",
            False,
        ),
        ("a", "document.write:href", "http://www.example.gov.cn/%E6%96%B0%E9%97%BB/", True),
    ]


def test_written_placeholder_is_in_navigation_where_its_script_is() -> None:
    links = links_of(
        """<div class="nav"><ul><script>document.write('<li><a href="#">信息公开</a></li>')</script></ul></div>
        <div class="main"><script>document.write('<a href="javascript:alert(\\'栏目建设中\\')">专题</a>')</script></div>"""
    )
    assert [(link.text, link.special, link.in_nav, link.attribute) for link in links] == [
        ("信息公开", PLACEHOLDER, True, "document.write:href"),
        ("专题", PLACEHOLDER, False, "document.write:href"),
    ]


@pytest.mark.parametrize(
    "script",
    [
        'document.write(\'<a href="/x.html">',  # unterminated string
        "document.write('<a href=\"/x.html\">' + f(a, b",  # unterminated call
        "/* document.write('<a href=\"/x.html\">')",  # unterminated comment
        'document.write(`<a href="/x.html">${a + `',  # unterminated template
        "document.write(",
        "document.write()",
        "document.write('<a href=\"/x.html\">' +)",
        "document . write ( )) ( ] } '",
        "document.write(new Date().getFullYear() + '<a href=\"/y.html\">')",
        "\\",
        "document.write('\\u{110000}\\ud800\\x')",
    ],
)
def test_broken_scripts_never_crash(script: str) -> None:
    links = links_of(f"<script>{script}</script><a href='/after.html'>after</a>")
    assert links[-1].raw == "/after.html"
    assert all(link.raw in ("/y.html", "/after.html") for link in links)


def test_script_reading_is_bounded() -> None:
    import time

    from sitecheck.extract import links as links_module

    calls = "document.write('<a href=\"/a.html\">a</a>');\n" * 20_000
    hostile = {
        "calls": f"<script>{calls}</script>",
        "nesting": "<script>document.write('" + "<div>" * 200_000 + "')</script>",
        "scripts": "<script>document.write('<a href=\"/s.html\">s</a>')</script>" * 5_000,
        "records": "<script type='text/xml'>"
        + "<record><![CDATA[<img src='/i.png'>]]></record>" * 50_000
        + "</script>",
        "openers": "<script type='text/xml'>" + "<record><![CDATA[<a href='/r.html'>" * 50_000 + "</script>",
        "brackets": "<script>" + "document.write((" * 50_000 + "</script>",
    }
    for name, html in hostile.items():
        start = time.perf_counter()
        links = links_of(html)
        assert time.perf_counter() - start < 2, name
        assert len(links) <= max(links_module._MAX_WRITES, links_module._MAX_RECORDS), name
    # A page's first calls are read up to the cap.
    assert len(links_of(f"<script>{calls}</script>")) == links_module._MAX_WRITES


def test_hanweb_record_links_of_every_kind() -> None:
    html = """<div id="4532"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1"></a>]]></nextgroup>
    <recordset>
    <record><![CDATA[ <li><a href="/art/2020/3/5/art_1_2.html" title="标题">标题</a><img src="/picture/0/x.jpg"></li> ]]></record>
    <record><![CDATA[<li><img src="/picture/0/y.jpg"><a href="/art/2020/3/4/art_1_1.html">视频</a><iframe src="/video/1.html"></iframe><a href="/module/download/downfile.jsp?filename=a.pdf">附件</a></li>]]></record>
    </recordset></datastore></script></div>"""
    links = links_of(html, "http://kjj.example.gov.cn/col/col1220132/index.html")
    assert [(link.element, link.attribute, link.url, link.text) for link in links] == [
        ("a", "record:href", "http://kjj.example.gov.cn/art/2020/3/5/art_1_2.html", "标题"),
        ("img", "record:src", "http://kjj.example.gov.cn/picture/0/x.jpg", ""),
        ("img", "record:src", "http://kjj.example.gov.cn/picture/0/y.jpg", ""),
        ("a", "record:href", "http://kjj.example.gov.cn/art/2020/3/4/art_1_1.html", "视频"),
        ("iframe", "record:src", "http://kjj.example.gov.cn/video/1.html", ""),
        ("a", "record:href", "http://kjj.example.gov.cn/module/download/downfile.jsp?filename=a.pdf", "附件"),
    ]
    assert links[4].frame and not links[1].navigable
    # The records are the links of the same markup on the page (the nextgroup is jpage's own).
    records = "".join(
        f"<div>{part.split(']]></record>')[0]}</div>" for part in html.split("<record><![CDATA[")[1:]
    )
    as_markup = links_of(
        f"<html><body>{records}</body></html>", "http://kjj.example.gov.cn/col/col1220132/index.html"
    )
    assert _as_markup(links, "record:") == list(as_markup)


def test_written_links_reach_the_crawl() -> None:
    # The crawl's reader analyses a fetched page with analyse_page and the engine queues every
    # link of facts.links that has a URL and no special kind (engine._save_document): written
    # and record links are among them, with nothing else to do.
    import asyncio
    from datetime import date

    from sitecheck.config import AuditConfig
    from sitecheck.crawl.reader import LocalReader
    from sitecheck.models import FetchResult, Outcome

    url = "http://www.example.gov.cn/index.html"
    body = (
        "<html><head><meta charset='gbk'></head><body><div class='nav'><script>"
        'document.write(\'<a href="/zwgk/">政务公开</a><a href="/search.jsp?kw=公告">搜索</a>\')'
        "</script></div><script type='text/xml'><datastore><recordset>"
        "<record><![CDATA[<li><a href='/art/1.html'>文章</a><img src='/pic/1.jpg'></li>]]></record>"
        "</recordset></datastore></script></body></html>"
    ).encode("gbk")

    class Fetcher:
        async def page(self, target: str) -> FetchResult:
            return FetchResult(target, Outcome.OK, 200, final_url=target, content_type="text/html", body=body)

    config = AuditConfig().replace("site", start_url=url)
    read = asyncio.run(LocalReader(Fetcher(), config, date(2026, 1, 10)).page(url, is_home=True))  # type: ignore[arg-type]
    assert read.analysis is not None
    queued = [ref.url for ref in read.analysis.facts.links if ref.url and ref.special is NONE]
    assert queued == [
        "http://www.example.gov.cn/zwgk/",
        "http://www.example.gov.cn/search.jsp?kw=%B9%AB%B8%E6",  # GBK page: GBK query
        "http://www.example.gov.cn/art/1.html",
        "http://www.example.gov.cn/pic/1.jpg",
    ]
    # A Hanweb record's link is a link of its page once: the reader adds only items the
    # page's own markup does not hold (those the dataproxy serves beyond the page).
    everything = [ref.url for ref in (*read.analysis.facts.links, *read.analysis.record_links())]
    assert everything.count("http://www.example.gov.cn/art/1.html") == 1
