"""Column claims carry their evidence, and weak evidence makes them 待核实, never a veto.

Each test writes what a crawl of a few pages would have stored (the pages analysed by the
crawler's own ``analyse_page``, written through ``RunWriter``), judges the run and reads the
findings: no network, no crawl; the HTML is what real CMS templates produce.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sitecheck.config import AuditConfig
from sitecheck.extract.page import PageInput, analyse_page
from sitecheck.judge import JudgeContext, Judgement, judge
from sitecheck.models import FetchResult, Finding, FindingKind, Outcome, RunStatus, TargetKind
from sitecheck.store import Store

HOME = "http://www.example.gov.cn/"
DAY = date(2026, 6, 1)

CHROME_TOP = """<html><head><meta charset="utf-8"><title>{title}_示例市发展和改革委员会</title></head><body>
<div class="header"><ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/jggk/">机构概况</a></li>
<li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="location">当前位置：<a href="/">首页</a><img src="/images/arrow.gif"><a href="/zwgk/">政务公开</a>
<img src="/images/arrow.gif"><a href="./">{title}</a></div>
<div class="left"><div class="left-title">政务公开</div><ul><li><a href="/zwgk/tzgg/">通知公告</a></li>
<li><a href="/zwgk/zcjd/">政策解读</a></li><li><a href="/jggk/ldjj/">领导简介</a></li></ul></div>
<div class="main">"""
CHROME_BOTTOM = """</div><div class="footer">主办单位：示例市发展和改革委员会 地址：示例市人民路1号
电话：0000-88888888 网站标识码：0000000001 京ICP备12345678号</div></body></html>"""


def page(title: str, content: str) -> str:
    return CHROME_TOP.format(title=title) + content + CHROME_BOTTOM


def rows(dates: list[str], *, shown: bool = True) -> str:
    lines = []
    for n, day in enumerate(dates):
        compact = day.replace("-", "")
        when = f"<span>{day}</span>" if shown else ""
        lines.append(
            f'<li><a href="./{compact[:6]}/t{compact}_{n}.html">关于做好第{n}批重点项目申报工作的通知</a>{when}</li>'
        )
    return '<ul class="news-list">' + "".join(lines) + "</ul>"


HOME_PAGE = page("首页", rows(["2026-05-30", "2026-05-28"]))


def crawl(store: Store, pages: dict[str, str]) -> int:
    """A crawled run of the home page and ``pages`` (path -> HTML)."""
    run_id = store.create_run("示例", HOME, "{}", "test", DAY)
    writer = store.writer(run_id)
    with writer.transaction():
        writer.home_url(HOME)
        for depth, (path, html) in enumerate({"": HOME_PAGE, **pages}.items()):
            url = HOME + path
            target, _ = writer.add_target(url, url, TargetKind.PAGE, min(depth, 1))
            writer.check(target, FetchResult(url, Outcome.OK, 200, content_type="text/html"))
            output = analyse_page(PageInput(html.encode(), url, "utf-8", path == "", DAY, (), 0))
            writer.page(target, output.facts.title, "utf-8", "http", 0, False)
            listing = output.listing
            if listing is not None and (listing.is_listing or path == "" or listing.may_be_column):
                writer.listing(target, listing, listing.items, is_home=path == "", observed_on=DAY)
        writer.status(RunStatus.CRAWLED)
    return run_id


def judged(tmp_path: Path, pages: dict[str, str]) -> Judgement:
    store = Store(tmp_path)
    try:
        run_id = crawl(store, pages)
        facts = store.facts(run_id)
        context = JudgeContext(as_of=DAY, scope=AuditConfig().replace("site", start_url=HOME).crawl_scope())
        return judge(facts, context, store.history(facts.run))
    finally:
        store.close()


def column_findings(judgement: Judgement) -> dict[str, Finding]:
    kinds = {FindingKind.EMPTY_COLUMN, FindingKind.STALE_COLUMN, FindingKind.TO_VERIFY}
    return {f.url.removeprefix(HOME): f for f in judgement.findings if f.kind in kinds}


def test_an_empty_list_block_with_its_pager_is_an_empty_column_with_evidence(tmp_path: Path) -> None:
    empty = page(
        "通知公告",
        '<div class="list-title">通知公告</div><ul class="news-list"></ul>'
        '<div class="page"><a href="index.html">首页</a><a href="index.html">上一页</a>'
        '<a href="index.html">下一页</a><a href="index.html">尾页</a></div>',
    )
    found = column_findings(judged(tmp_path, {"zwgk/tzgg/index.html": empty}))
    finding = found["zwgk/tzgg/index.html"]
    assert finding.kind is FindingKind.EMPTY_COLUMN
    assert finding.column == "通知公告"  # the trail's last entry, its separators are images
    assert "依据：列表区块 <ul.news-list> 中没有条目" in finding.detail


def test_a_single_content_page_with_a_heading_and_no_body_is_an_empty_column(tmp_path: Path) -> None:
    bare = page("领导简介", '<h2 class="title">领导简介</h2><div class="content">&nbsp;</div>')
    full = page(
        "机构职能",
        '<h2 class="title">机构职能</h2><div class="content"><p>贯彻落实国家和省关于发展改革工作的方针政策和'
        "法律法规，拟订并组织实施全市国民经济和社会发展战略、中长期规划和年度计划。</p></div>",
    )
    found = column_findings(judged(tmp_path, {"jggk/ldjj/index.html": bare, "jggk/jgzn/index.html": full}))
    assert set(found) == {"jggk/ldjj/index.html"}
    finding = found["jggk/ldjj/index.html"]
    assert finding.kind is FindingKind.EMPTY_COLUMN and finding.column == "领导简介"
    assert "单页栏目只有标题「领导简介」" in finding.detail


def test_a_frame_whose_document_is_empty_makes_its_column_empty(tmp_path: Path) -> None:
    holder = page("办事指南", '<iframe src="/bszn/content.html" width="100%" height="600"></iframe>')
    list_holder = page("政策解读", '<iframe src="/zcjd/list.html" width="100%" height="600"></iframe>')
    framed_list = "<html><body>" + rows(["2026-05-20", "2026-05-10", "2026-04-01"]) + "</body></html>"
    found = column_findings(
        judged(
            tmp_path,
            {
                "bszn/index.html": holder,
                "bszn/content.html": "<html><body><p>暂无信息</p></body></html>",
                "zcjd/index.html": list_holder,
                "zcjd/list.html": framed_list,
            },
        )
    )
    assert set(found) == {"bszn/index.html"}
    finding = found["bszn/index.html"]
    assert finding.kind is FindingKind.EMPTY_COLUMN and finding.column == "办事指南"
    assert "栏目内容框架 http://www.example.gov.cn/bszn/content.html 只显示“暂无信息”" in finding.detail


def test_a_hidden_template_placeholder_is_no_evidence(tmp_path: Path) -> None:
    one_item = page(
        "通知公告", rows(["2026-05-25"]) + '<div class="no-data" style="display:none">暂无数据</div>'
    )
    # The same template when nothing was read from its list: only a person can tell.
    unread = page("政策解读", '<div class="no-data" style="display:none">暂无数据</div>')
    judgement = judged(tmp_path, {"zwgk/tzgg/index.html": one_item, "zwgk/zcjd/index.html": unread})
    found = column_findings(judgement)
    assert "zwgk/tzgg/index.html" not in found  # one fresh item: healthy
    [column] = [c for c in judgement.columns if c.url.endswith("zwgk/tzgg/index.html")]
    assert column.item_count == 1 and column.newest == date(2026, 5, 25)
    finding = found["zwgk/zcjd/index.html"]
    assert finding.kind is FindingKind.TO_VERIFY
    assert finding.detail.startswith("疑似空白栏目（待核实）")
    assert "隐藏的“暂无数据”" in finding.detail and "证据不足" in finding.detail


def test_a_page_filled_by_script_is_only_to_verify(tmp_path: Path) -> None:
    scripted = page(
        "通知公告",
        '<ul class="news-list" id="list"></ul><div class="page"><a href="#">首页</a><a href="#">尾页</a></div>'
        '<script>$.ajax({url: "/api/list?channelId=12&pageNo=1", success: function(d){ render(d.rows); }});'
        "</script>",
    )
    found = column_findings(judged(tmp_path, {"zwgk/tzgg/index.html": scripted}))
    finding = found["zwgk/tzgg/index.html"]
    assert finding.kind is FindingKind.TO_VERIFY and "脚本" in finding.detail


def test_dates_read_only_from_urls_make_a_stale_claim_to_verify(tmp_path: Path) -> None:
    by_url = page("通知公告", rows(["2024-01-05", "2023-12-01", "2023-11-11"], shown=False))
    shown = page("政策解读", rows(["2024-01-05", "2023-12-01", "2023-11-11"]))
    found = column_findings(judged(tmp_path, {"zwgk/tzgg/index.html": by_url, "zwgk/zcjd/index.html": shown}))
    assert found["zwgk/tzgg/index.html"].kind is FindingKind.TO_VERIFY
    assert "日期只能从链接地址推断" in found["zwgk/tzgg/index.html"].detail
    stale = found["zwgk/zcjd/index.html"]
    assert stale.kind is FindingKind.STALE_COLUMN
    assert (
        "依据：最新一条「关于做好第0批重点项目申报工作的通知」，2024-01-05（日期取自页面显示的发布日期）"
        in stale.detail
    )


def test_the_home_page_under_a_second_address_is_no_column(tmp_path: Path) -> None:
    judgement = judged(tmp_path, {"index.html": HOME_PAGE})
    assert not [c for c in judgement.columns if c.name == "首页" or c.url.endswith("index.html")]


def test_a_home_page_without_dated_items_is_not_failed(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        run_id = store.create_run("示例", HOME, "{}", "test", DAY)
        writer = store.writer(run_id)
        undated_home = page(
            "首页", '<ul class="news-list"><li><a href="/a/1.html">一条没有日期的信息标题</a></li></ul>'
        )
        with writer.transaction():
            writer.home_url(HOME)
            target, _ = writer.add_target(HOME, HOME, TargetKind.PAGE, 0)
            writer.check(target, FetchResult(HOME, Outcome.OK, 200, content_type="text/html"))
            output = analyse_page(PageInput(undated_home.encode(), HOME, "utf-8", True, DAY, (), 0))
            writer.page(target, output.facts.title, "utf-8", "http", 0, False)
            assert output.listing is not None
            writer.listing(target, output.listing, output.listing.items, is_home=True, observed_on=DAY)
            writer.status(RunStatus.CRAWLED)
        facts = store.facts(run_id)
        context = JudgeContext(as_of=DAY, scope=AuditConfig().replace("site", start_url=HOME).crawl_scope())
        judgement = judge(facts, context, store.history(facts.run))
    finally:
        store.close()
    kinds = [f.kind for f in judgement.findings]
    assert FindingKind.HOME_NOT_UPDATED not in kinds
    [doubt] = [f for f in judgement.findings if f.kind is FindingKind.TO_VERIFY]
    assert doubt.detail.startswith("疑似首页不更新（待核实）")
