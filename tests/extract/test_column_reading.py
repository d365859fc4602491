"""Column pages read as a person reads them: the cases unseen portals showed (issue 12).

Each page is markup as CMS templates write it (TRS 海云, NFCMS, generic), analysed by the
crawler's own ``analyse_listing``; each test fails on the reading before issue 12.
"""

from __future__ import annotations

from datetime import date

from selectolax.lexbor import LexborHTMLParser

from sitecheck.extract.listing import analyse_listing
from sitecheck.models import ListingFacts

TODAY = date(2026, 12, 4)


def read(html: str, url: str, today: date = TODAY) -> ListingFacts:
    return analyse_listing(LexborHTMLParser(html), url, html, today=today)


def test_home_page_items_in_hidden_tabs_and_onclick_titles_count() -> None:
    html = """<html><body><div class="header"><a href="/">首页</a></div>
    <div class="tabs"><ul class="tab-title"><li class="on">通知公告</li><li>中标公告</li></ul>
    <div class="tab-con"><ul><li><a href="/tzgg/201803/t20180315_1.html">关于开展2018年度统计工作的通知</a><span>03-15</span></li>
    <li><a href="/tzgg/201803/t20180310_2.html">关于做好节能宣传周工作的通知</a><span>03-10</span></li></ul></div>
    <div class="tab-con" style="display:none"><ul>
    <li><a href="/zbgg/201803/t20180320_3.html">某某项目中标结果公告公示</a><span>03-20</span></li>
    <li><a href="/zbgg/201803/t20180318_4.html">某某工程中标候选人公示公告</a><span>03-18</span></li></ul></div></div>
    <ul class="list"><li><span onclick="window.open('/xwdt/201803/t20180322_5.html')">市领导调研重点项目建设情况</span>
    <span>2018-03-22</span></li>
    <li><a href="/xwdt/201803/t20180301_6.html">全市发展改革工作会议召开</a><span>2018-03-01</span></li></ul>
    </body></html>"""
    facts = read(html, "http://fgw.example.gov.cn/")
    got = {item.title: item.date for item in facts.items}
    # Month-day dates take the year their own URL states (t20180315), not the crawl year.
    assert got == {
        "关于开展2018年度统计工作的通知": date(2018, 3, 15),
        "关于做好节能宣传周工作的通知": date(2018, 3, 10),
        "某某项目中标结果公告公示": date(2018, 3, 20),  # in the hidden tab pane
        "某某工程中标候选人公示公告": date(2018, 3, 18),
        "市领导调研重点项目建设情况": date(2018, 3, 22),  # title opened by onclick
        "全市发展改革工作会议召开": date(2018, 3, 1),
    }
    onclick = next(i for i in facts.items if i.title.startswith("市领导"))
    assert onclick.url == "http://fgw.example.gov.cn/xwdt/201803/t20180322_5.html"
    assert facts.newest == date(2018, 3, 22)


def test_a_one_item_list_beside_a_hidden_no_data_template() -> None:
    html = """<html><head><title>通知公告_某某市发改委</title></head><body><div class="header"><a href="/">首页</a></div>
    <div class="position">当前位置：<a href="/">首页</a><img src="/images/arrow.gif"><a href="/zwgk/">政务公开</a>
    <img src="/images/arrow.gif"><a href="./">通知公告</a></div>
    <div class="main"><ul class="list"><li><a href="./202611/t20261120_1.html">关于征集2027年重点项目的通知</a>
    <span>2026-11-20</span></li></ul><div class="no-data" style="display:none">暂无数据</div><div id="page_div"></div>
    </div><div class="footer">主办单位：某某市发改委</div></body></html>"""
    facts = read(html, "http://fgw.example.gov.cn/tzgg/index.html")
    assert facts.is_listing and [i.title for i in facts.items] == ["关于征集2027年重点项目的通知"]
    assert facts.placeholder is None  # hidden: never what the page shows
    assert facts.content.hidden_placeholder == "暂无数据"
    assert facts.breadcrumb == ("首页", "政务公开", "通知公告") and facts.name == "通知公告"


def test_a_list_cut_into_runs_in_their_own_wrappers_is_one_list() -> None:
    runs = []
    for run in range(2):
        lis = "".join(
            f'<li><a href="./202611/t202611{10 + run * 5 + n:02d}_{n}.html">第{run * 5 + n}条关于做好年度重点工作的通知</a>'
            f"<span>2026-11-{10 + run * 5 + n:02d}</span></li>"
            for n in range(5)
        )
        runs.append(f'<div class="list-box"><ul class="list">{lis}</ul></div><div class="line"></div>')
    html = f"<html><body><div class='main'>{''.join(runs)}</div></body></html>"
    facts = read(html, "http://fgw.example.gov.cn/tzgg/index.html")
    assert len(facts.items) == 10


def test_a_row_that_holds_two_dated_links_is_a_list_not_an_item() -> None:
    html = """<html><body><div class="main"><table class="list"><tr>
    <td><a href="/a/202611/t20261120_1.html">关于征集2027年重点项目的通知</a><span>2026-11-20</span></td>
    <td><a href="/a/202611/t20261118_2.html">关于开展节能宣传周活动的通知</a><span>2026-11-18</span></td></tr><tr>
    <td><a href="/a/202611/t20261110_3.html">关于做好冬季安全生产工作的通知</a><span>2026-11-10</span></td>
    <td><a href="/a/202611/t20261101_4.html">关于公布年度考核结果的通知公告</a><span>2026-11-01</span></td></tr></table>
    </div></body></html>"""
    facts = read(html, "http://fgw.example.gov.cn/tzgg/index.html")
    assert {(i.title[:6], i.date) for i in facts.items} == {
        ("关于征集20", date(2026, 11, 20)),
        ("关于开展节能", date(2026, 11, 18)),
        ("关于做好冬季", date(2026, 11, 10)),
        ("关于公布年度", date(2026, 11, 1)),
    }


def test_dated_news_inside_an_element_named_like_a_menu_is_still_a_list() -> None:
    lis = "".join(
        f'<li><a href="javascript:;" title="第{n}条新闻动态标题文字">第{n}条新闻动态标题文字</a><span>2020-11-0{n}</span></li>'
        for n in range(1, 6)
    )
    html = f'<html><body><div class="sNav"><div class="list news"><ul>{lis}</ul></div></div></body></html>'
    facts = read(html, "http://www.da.gd.gov.cn/", today=date(2020, 12, 9))
    assert facts.newest == date(2020, 11, 5) and len(facts.items) == 5


def test_empty_list_block_with_its_pager() -> None:
    html = """<html><body><div class="header"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
    <div class="GcPos">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/zwgk/">政务公开</a>&nbsp;&gt;&nbsp;
    <a href="./">关于我们</a></div><div class="GcList"><ul class="GsTL5"> </ul>
    <ul class="page"><a class="first" href="">第一页</a><a class="last" href="">最后一页</a></ul></div>
    <div class="aTips" style="display:none;"><div class="text">您访问的链接即将离开本网站</div></div></body></html>"""
    facts = read(html, "http://www.example.gov.cn/gywm/index.html")
    assert facts.is_listing and facts.is_empty and facts.name == "关于我们"
    assert facts.content.empty_block == "ul.GsTL5"
    assert facts.content.text_chars == 0  # the hidden dialog's text is not content


def test_a_single_content_page_with_a_body_is_not_bare_even_inside_a_wrapper_named_like_chrome() -> None:
    body = "贯彻执行国家和省关于发展改革工作的方针政策和法律法规，" * 30
    html = f"""<html><body><div class="header"><a href="/">首页</a></div>
    <div class="main-top"><h2>机构职能</h2><p>{body}</p></div></body></html>"""
    facts = read(html, "http://www.example.gov.cn/jgzn/index.html")
    assert not facts.content.bare and not facts.is_listing


def test_a_bare_single_content_page_and_a_page_whose_content_is_a_frame() -> None:
    top = """<html><body><div class="header"><a href="/">首页</a><a href="/jggk/">机构概况</a></div>
    <div class="location">您现在的位置：<a href="/">首页</a> &gt; <a href="/jggk/">机构概况</a> &gt; {name}</div>"""
    bare = read(
        top.format(name="领导简介") + "<h2>领导简介</h2><div class='article'>&nbsp;</div></body></html>",
        "http://www.example.gov.cn/jggk/ldjj/index.html",
    )
    assert bare.content.bare and bare.may_be_column and bare.content.heading == "领导简介"
    framed = read(
        top.format(name="办事指南") + '<iframe src="content.html"></iframe></body></html>',
        "http://www.example.gov.cn/bszn/index.html",
    )
    assert framed.content.frames == ("http://www.example.gov.cn/bszn/content.html",) and framed.may_be_column


def test_a_page_that_loads_its_list_by_script_says_so() -> None:
    html = """<html><body><ul class="news-list" id="list"></ul><script>
    $.ajax({url: "/api/list?channelId=12&pageNo=1", success: function (d) { render(d.rows); }});
    </script></body></html>"""
    facts = read(html, "http://www.example.gov.cn/tzgg/index.html")
    assert facts.content.scripted
    counter = read(
        "<html><body><div class='content'><p>正文</p></div><script>$.get('/visit/count.do');</script></body></html>",
        "http://www.example.gov.cn/a/index.html",
    )
    assert not counter.content.scripted


def test_the_site_identifier_is_read_from_its_meta() -> None:
    html = '<html><head><meta name="SiteIDCode" content=" 3301000001 "></head><body><p>x</p></body></html>'
    assert read(html, "http://www.example.gov.cn/").content.site_code == "3301000001"


def test_an_image_or_a_form_beside_an_empty_list_container_is_content() -> None:
    shell = """<html><body><div class="location">当前位置：<a href="/">首页</a> &gt; <a href="./">{name}</a></div>
    <div class="main"><ul class="news-list"></ul>{content}</div></body></html>"""
    chart = read(
        shell.format(name="机构设置", content='<img src="/images/jgsz.png" width="800">'),
        "http://www.example.gov.cn/jgsz/index.html",
    )
    form = read(
        shell.format(name="我要留言", content='<form><input name="title"><textarea></textarea></form>'),
        "http://www.example.gov.cn/wyly/index.html",
    )
    for facts in (chart, form):
        assert not facts.is_listing and not facts.content.bare and facts.content.media > 0


def test_a_frame_filled_by_script_is_content_the_crawler_cannot_judge() -> None:
    html = """<html><body><div class="location">当前位置：<a href="/">首页</a> &gt; <a href="./">在线留言</a></div>
    <div class="main"><iframe src="javascript:;" width="980" height="280"></iframe></div></body></html>"""
    facts = read(html, "http://www.example.gov.cn/wyly/index.html")
    assert not facts.content.bare and facts.content.frames == ()
