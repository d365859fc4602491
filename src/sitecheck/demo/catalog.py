"""The sample portal's vocabulary: site identity, column tables, word pools and static assets.

Pure data (and the two functions that draw titles and sentences from the pools): what the
portal is made of, not how it is generated or served.
"""

from __future__ import annotations

import base64
import random
from enum import StrEnum
from typing import NamedTuple

from sitecheck.demo.attachment_plants import text_pdf
from sitecheck.models import ColumnCategory, FindingKind

SITE_NAME = "某市发展和改革委员会"
SITE_ID_CODE = "3301000001"
ICP = "浙ICP备12345678号"
GONGAN = "浙公网安备 33010002000001号"
PER_PAGE = 20
# Docids of real articles start here; planted dead/soft-404 article URLs use smaller ids so they
# can never collide with a generated article.
FIRST_DOCID = 4_100_000

_DYN = ColumnCategory.DYNAMIC
_NOTICE = ColumnCategory.NOTICE
_PERS = ColumnCategory.PERSONNEL
_OTHER = ColumnCategory.OTHER
_TOPIC = ColumnCategory.TOPIC
_EMPTY = FindingKind.EMPTY_COLUMN
_STALE = FindingKind.STALE_COLUMN
_WARN = FindingKind.STALE_COLUMN_WARNING


class Layout(StrEnum):
    """How a column's page is built (each is a template family seen on real portals)."""

    TRS = "trs"  # TRS WCM list: <ul>/<table> rows, createPageHTML(n, i, …) plus plain pager anchors
    HANYUN = "hanyun"  # TRS 海云 list: rows, <div id="page_div"> filled by createPageHTML("page_div", …)
    CMS = "cms"  # generic CMS list block: heading, rows, a text pager (共N页 首页 上一页 下一页 尾页)
    IFRAME = "iframe"  # column shell (breadcrumb, heading) framing ./content.html, which holds the list
    SINGLE = "single"  # one page of text (领导简介, 机构职能): no list at all
    HANWEB = "hanweb"  # 大汉 JCMS jpage: records in an embedded XML datastore and the dataproxy
    TOPIC = "topic"  # a one-page 专题 listing items of another column


class Column(NamedTuple):
    id: str  # PlantedColumn.id
    slug: str  # directory under the site root
    name: str
    column_type: str  # <meta name="ColumnType">; "" where the template writes none
    category: ColumnCategory
    kind: FindingKind | None
    parent: str  # key of PARENTS; "" for a top-level column
    weight: float  # share of the generated articles; 0: exactly `size` items at every size
    interval: float  # mean days between items
    newest: tuple[int, int]  # the newest item is this many days old (inclusive range)
    note: str
    size: int = 0  # items of a fixed-size column
    gbk: bool = False
    date_fmt: str = "%Y-%m-%d"  # strftime of the list rows; "" for undated rows
    table: bool = False  # rows in a <table>, the date in its own <td>
    name_meta: bool = True  # writes <meta name="ColumnName">
    placeholder: str = ""  # shown in the list area when the column has no items
    dated_urls: bool = True  # TRS ./YYYYMM/tYYYYMMDD_id.html, else ./content/post_id.html
    pinned: str = ""  # title of an old item the list shows first as 【置顶】
    layout: Layout = Layout.TRS
    per_page: int = PER_PAGE
    crumb_img: bool = False  # breadcrumb separated by arrow images instead of "&gt;"
    # Listed by its parent page and the sitemap; False: reachable only through the home page's
    # document.write (links that exist only once a script runs).
    linked: bool = True


# Fixed ages (newest=(n, n)) are what make a column stale, in its warning band or healthy for
# every `today`; the random ranges stay well inside the healthy side of their limits.
COLUMNS: tuple[Column, ...] = (
    Column(
        id="dynamic-fresh",
        slug="gzdt",
        name="工作动态",
        column_type="动态要闻",
        category=_DYN,
        kind=None,
        parent="xwzx",
        weight=0.26,
        interval=2.0,
        newest=(0, 2),
        note="newest 0-2 days old",
    ),
    Column(
        id="dynamic-warning",
        slug="tpxw",
        name="图片新闻",
        column_type="动态要闻",
        category=_DYN,
        kind=_WARN,
        parent="xwzx",
        weight=0.07,
        interval=3.0,
        newest=(11, 11),
        note="newest 11 days old: inside the 10-14 day warning band",
        date_fmt="%Y/%m/%d",
    ),
    Column(
        id="dynamic-stale",
        slug="bmdt",
        name="部门动态",
        column_type="",
        category=_DYN,
        kind=_STALE,
        parent="xwzx",
        weight=0.06,
        interval=4.0,
        newest=(30, 30),
        note="newest 30 days old; dynamic by its name only (no ColumnType meta)",
        date_fmt="%Y年%m月%d日",
    ),
    Column(
        id="yearless-boundary",
        slug="qxdt",
        name="区县动态",
        column_type="",
        category=_DYN,
        kind=None,
        parent="xwzx",
        weight=0,
        interval=4.0,
        newest=(3, 3),
        note="rows show [MM-DD] only and URLs carry no date; newest 3 days old, the others 1-7 days "
        "apart, so early in January they straddle 1 January; no ColumnName meta",
        size=12,
        date_fmt="[%m-%d]",
        name_meta=False,
        dated_urls=False,
    ),
    Column(
        id="column-type-meta",
        slug="gzjl",
        name="工作交流",
        column_type="动态要闻",
        category=_DYN,
        kind=_STALE,
        parent="xwzx",
        weight=0,
        interval=6.0,
        newest=(25, 25),
        note="newest 25 days old: stale only because ColumnType 动态要闻 makes it dynamic "
        "(by its name it would be 'other' and healthy)",
        size=10,
    ),
    Column(
        id="notice-fresh",
        slug="tzgg",
        name="通知公告",
        column_type="通知公告",
        category=_NOTICE,
        kind=None,
        parent="zwgk",
        weight=0.14,
        interval=6.0,
        newest=(0, 12),
        note="newest 0-12 days old",
    ),
    Column(
        id="notice-stale",
        slug="gsgg",
        name="公示公告",
        column_type="",
        category=_NOTICE,
        kind=_STALE,
        parent="zwgk",
        weight=0.05,
        interval=15.0,
        newest=(200, 200),
        note="newest 200 days old; no ColumnName meta (breadcrumb and title name it)",
        date_fmt="%Y/%m/%d",
        name_meta=False,
    ),
    Column(
        id="policy-fresh-gbk",
        slug="zcwj",
        name="政策文件",
        column_type="政策文件",
        category=_NOTICE,
        kind=None,
        parent="zwgk",
        weight=0.12,
        interval=10.0,
        newest=(0, 25),
        note="GBK-encoded pages; newest 0-25 days old",
        gbk=True,
    ),
    Column(
        id="pinned-old-first",
        slug="zcjd",
        name="政策解读",
        column_type="政策文件",
        category=_NOTICE,
        kind=None,
        parent="zwgk",
        weight=0.07,
        interval=14.0,
        newest=(0, 30),
        note="first row is 【置顶】 and ~3 years old; the newest (0-30 days) is the second row",
        pinned="一图读懂《中华人民共和国政府信息公开条例》",
    ),
    Column(
        id="personnel-fresh",
        slug="rsxx",
        name="人事信息",
        column_type="人事信息",
        category=_PERS,
        kind=None,
        parent="zwgk",
        weight=0.07,
        interval=20.0,
        newest=(0, 40),
        note="newest 0-40 days old",
    ),
    Column(
        id="plan-stale",
        slug="ghjh",
        name="规划计划",
        column_type="规划计划",
        category=_PERS,
        kind=_STALE,
        parent="zwgk",
        weight=0.05,
        interval=40.0,
        newest=(400, 400),
        note="newest 400 days old; rows in a table, dates in <td>",
        table=True,
    ),
    Column(
        id="annual-report",
        slug="ndbg",
        name="政府信息公开年报",
        column_type="信息公开年报",
        category=ColumnCategory.ANNUAL_REPORT,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=365.0,
        newest=(200, 200),
        note="one report a year, newest 200 days old: stale as a notice column, healthy as an annual report",
        date_fmt="%Y年%m月%d日",
    ),
    Column(
        id="empty-placeholder",
        slug="czxx",
        name="财政信息",
        column_type="财政信息",
        category=_OTHER,
        kind=_EMPTY,
        parent="zwgk",
        weight=0,
        interval=0.0,
        newest=(0, 0),
        note="no items; the list area says 暂无信息",
        placeholder="暂无信息",
    ),
    Column(
        id="empty-bare",
        slug="tjxx",
        name="统计信息",
        column_type="",
        category=_OTHER,
        kind=_EMPTY,
        parent="zwgk",
        weight=0,
        interval=0.0,
        newest=(0, 0),
        note="no items and no placeholder: an empty <ul> and a one-page pager",
    ),
    Column(
        id="topic-fresh",
        slug="ztzl",
        name="专题专栏",
        column_type="专题",
        category=_TOPIC,
        kind=None,
        parent="",
        weight=0.05,
        interval=60.0,
        newest=(0, 45),
        note="special-topic column (exempt); also the parent of 党史学习教育专题",
    ),
    Column(
        id="topic-historical",
        slug="ztzl/dsxxjy",
        name="党史学习教育专题",
        column_type="专题",
        category=_TOPIC,
        kind=None,
        parent="ztzl",
        weight=0,
        interval=25.0,
        newest=(900, 900),
        note="historical 专题, newest 900 days old: exempt, no finding",
        size=10,
    ),
    Column(
        id="undated",
        slug="bsfw/bszn",
        name="办事指南",
        column_type="",
        category=_OTHER,
        kind=FindingKind.UNDATED_COLUMN,
        parent="bsfw",
        weight=0,
        interval=30.0,
        newest=(0, 0),
        note="rows show no date, and neither their URLs nor their pages carry one",
        size=8,
        date_fmt="",
        dated_urls=False,
    ),
    # --- columns whose list is not where a plain reading of the page finds it -------------------
    Column(
        id="iframe-empty",
        slug="zdxm",
        name="重点项目",
        column_type="",
        category=_OTHER,
        kind=_EMPTY,
        parent="zwgk",
        weight=0,
        interval=0.0,
        newest=(0, 0),
        note="column page (breadcrumb, heading) whose content area is <iframe src=/zdxm/content.html>; "
        "the framed document's <body> is empty",
        layout=Layout.IFRAME,
    ),
    Column(
        id="iframe-fresh",
        slug="jgxx",
        name="价格信息",
        column_type="",
        category=_OTHER,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=8.0,
        newest=(0, 20),
        note="healthy control: the framed /jgxx/content.html holds the dated list (newest 0-20 days old)",
        size=6,
        layout=Layout.IFRAME,
    ),
    Column(
        id="empty-list-block",
        slug="zfcg",
        name="政府采购",
        column_type="",
        category=_OTHER,
        kind=_EMPTY,
        parent="zwgk",
        weight=0,
        interval=0.0,
        newest=(0, 0),
        note="generic CMS list block: heading, an empty <ul> and a pager saying "
        "共1页 首页 上一页 下一页 尾页; no row, no placeholder, no record count",
        layout=Layout.CMS,
    ),
    Column(
        id="single-empty",
        slug="ldjj",
        name="领导简介",
        column_type="",
        category=_OTHER,
        kind=_EMPTY,
        parent="zwgk",
        weight=0,
        interval=0.0,
        newest=(0, 0),
        note="single-content page: breadcrumb and heading, its content <div> holds only &nbsp; "
        "and whitespace",
        layout=Layout.SINGLE,
    ),
    Column(
        id="single-content",
        slug="jgzn",
        name="机构职能",
        column_type="",
        category=_OTHER,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=0.0,
        newest=(0, 0),
        note="healthy control: single-content page with a few hundred characters of text and no date "
        "(its one piece of content: items 1)",
        layout=Layout.SINGLE,
    ),
    Column(
        id="hidden-placeholder",
        slug="xzxk",
        name="行政许可",
        column_type="",
        category=_OTHER,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=5.0,
        newest=(1, 10),
        note="TRS 海云 list with exactly one fresh item and the template's <div class=no-data "
        'style="display:none">暂无数据</div>, which a script shows only when the list is empty',
        size=1,
        layout=Layout.HANYUN,
    ),
    Column(
        id="month-day-dated-urls",
        slug="xmjs",
        name="项目建设",
        column_type="",
        category=_OTHER,
        kind=_STALE,
        parent="zwgk",
        weight=0,
        interval=20.0,
        newest=(730, 730),
        note="rows show MM-DD only, the item URLs carry the full date (./YYYYMM/tYYYYMMDD_id.html): "
        "newest 730 days old, so stale; placed by MM-DD alone it would look less than a year old",
        size=6,
        date_fmt="%m-%d",
    ),
    Column(
        id="hidden-tab",
        slug="zbgg",
        name="招标公告",
        column_type="",
        category=_NOTICE,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=3.0,
        newest=(0, 3),
        note="healthy; its newest items fill the home page's 招标公告 tab, a pane that is display:none "
        "until the tab is hovered",
        size=8,
    ),
    Column(
        id="document-write-only",
        slug="jgsz",
        name="机构设置",
        column_type="",
        category=_OTHER,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=30.0,
        newest=(5, 40),
        note="healthy; reachable only through the home page's inline document.write('<li><a "
        'href="/jgsz/index.html">…\'): not in the navigation, the parent page or the sitemap',
        size=4,
        linked=False,
    ),
    Column(
        id="crumb-image-separators",
        slug="zcwd",
        name="政策问答",
        column_type="",
        category=_NOTICE,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=10.0,
        newest=(0, 30),
        note="breadcrumb 当前位置：首页<img>政务公开<img>政策问答 with arrow images for separators and the "
        "column as the last <a>; no ColumnName meta",
        size=6,
        name_meta=False,
        crumb_img=True,
    ),
    Column(
        id="hanyun-pager-gbk",
        slug="gfxwj",
        name="规范性文件",
        column_type="政策文件",
        category=_NOTICE,
        kind=None,
        parent="zwgk",
        weight=0,
        interval=7.0,
        newest=(0, 10),
        note="GBK (header and meta); three list pages of 10 linked only by the TRS 海云 pager "
        'createPageHTML("page_div", 3, i, "index", "html", 25); index_2.html lists a deleted '
        "document (the planted dead-hanyun-list-row)",
        size=24,
        gbk=True,
        layout=Layout.HANYUN,
        per_page=10,
    ),
)
COLUMN_INDEX = {c.slug: i for i, c in enumerate(COLUMNS)}
MIN_ARTICLES = 8  # planted defects sit on the 2nd..6th newest article of some columns
NDBG_FIRST_YEAR = 2009  # first reporting year under the 2008 disclosure regulation
PINNED_AGE = 1100  # days: "about three years" old


# 一级 columns that only list their 二级 columns (no items of their own), except 专题专栏, which
# is itself a column. (name, path)
PARENTS: dict[str, tuple[str, str]] = {
    "xwzx": ("新闻中心", "/xwzx/index.html"),
    "zwgk": ("政务公开", "/zwgk/index.html"),
    "bsfw": ("办事服务", "/bsfw/index.html"),
    "ztzl": ("专题专栏", "/ztzl/index.html"),
}
NAV: tuple[tuple[str, str], ...] = (
    ("/xwzx/index.html", "新闻中心"),
    ("/gzdt/index.html", "工作动态"),
    ("/tzgg/index.html", "通知公告"),
    ("/zcwj/index.html", "政策文件"),
    ("/zcjd/index.html", "政策解读"),
    ("/rsxx/index.html", "人事信息"),
    ("/ghjh/index.html", "规划计划"),
    ("/ztzl/index.html", "专题专栏"),
    ("/zwgk/index.html", "政务公开"),
    ("/zfxxgk/index.html", "信息公开"),
    ("/bsfw/index.html", "办事服务"),
)


class HanwebColumn(NamedTuple):
    """A column published by the 大汉 Hanweb JCMS side of the site (jpage lists, dataproxy)."""

    id: str
    columnid: int
    unitid: int  # id of the <div> holding the embedded datastore, as Hanweb templates do
    name: str
    category: ColumnCategory
    kind: FindingKind | None
    parent: str
    size: int
    newest: int  # days
    note: str


HANWEB: tuple[HanwebColumn, ...] = (
    HanwebColumn(
        id="hanweb-fresh",
        columnid=1229431,
        unitid=5123861,
        name="政务要闻",
        category=_DYN,
        kind=None,
        parent="xwzx",
        size=45,
        newest=1,
        note="Hanweb jpage: 15 records in the page, 30 more only from the dataproxy; newest 1 day old",
    ),
    HanwebColumn(
        id="hanweb-empty",
        columnid=1229437,
        unitid=5123867,
        name="建议提案办理",
        category=_OTHER,
        kind=_EMPTY,
        parent="zwgk",
        size=0,
        newest=0,
        note="Hanweb jpage with an empty recordset and totalrecord 0 (page and dataproxy)",
    ),
)
HANWEB_INDEX = {hw.id: i for i, hw in enumerate(HANWEB)}
HW_WEBID = 2871
HW_PER_PAGE = 15
HW_EMBEDDED = 15  # records shipped inside the column page; the rest only via the dataproxy
HW_HOME = 10  # newest 政务要闻 on the home page; their spacing keeps all ten inside the 14-day window
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
HW_JS = {
    "/module/jslib/jquery/jquery.js": (
        b"/*! jQuery (stub for the sitecheck demo) */\n"
        b"window.jQuery=window.$=function(){return{ready:function(f){f();},jpage:function(){}};};\n"
    ),
    "/module/jslib/jquery/jpage/jquery.page.min.js": b"/* jpage (stub) */\n",
}

# Flags of an article spec.

# --- word pools -------------------------------------------------------------------------------

TOPICS = (
    "重大项目建设",
    "营商环境优化",
    "节能降碳",
    "价格监测",
    "粮食安全",
    "社会信用体系建设",
    "数字经济发展",
    "乡村振兴",
    "区域协调发展",
    "民营经济发展",
    "新型基础设施建设",
    "生态文明建设",
    "安全生产",
    "服务业高质量发展",
    "公共资源交易",
    "以工代赈",
    "成品油价格管理",
    "电力保供",
    "招投标监管",
    "重点领域投资",
)
_DISTRICTS = ("东城区", "西城区", "南湖区", "北山区", "高新区", "经开区", "临江县", "青山县", "白沙镇")
_LEADERS = ("委主要负责同志", "委党组书记、主任", "委分管负责同志", "委党组成员、副主任", "二级巡视员")
_DOC_KINDS = ("管理办法", "实施细则", "实施方案", "工作规则", "行动计划", "若干措施")
_ACTS = ("开展", "做好", "组织申报", "报送", "征集")
_THINGS = ("工作", "项目申报", "专项资金申报", "试点示范", "中期评估", "统计调查")
_UNITS = ("市价格认证中心", "市经济信息中心", "市重点项目服务中心", "市粮食和物资储备中心")
ATTACH_NAMES = ("申报表", "项目汇总表", "实施细则", "工作方案", "评分标准", "名单")
GUIDES = (
    "企业投资项目备案",
    "企业投资项目核准",
    "固定资产投资项目节能审查",
    "政府定价的经营服务性收费标准核定",
    "涉案财物价格认定",
    "招标事项核准",
    "重点项目稽察投诉受理",
    "粮食收购企业备案",
)
GUIDE_PARTS = (
    ("事项名称", "{name}"),
    ("办理依据", "《企业投资项目核准和备案管理条例》等有关规定。"),
    ("受理条件", "申请材料齐全、符合法定形式。"),
    ("申请材料", "申请表、项目情况说明、法律法规规定的其他材料。"),
    ("办理时限", "承诺时限五个工作日。"),
    ("收费标准", "不收费。"),
    ("办理地点", "市民中心二楼发展改革窗口。"),
)
_SENTENCES = (
    "会议指出，{topic}是当前和今后一个时期的重点任务，各地各部门要进一步提高政治站位，压实工作责任。",
    "{district}围绕{topic}，聚焦堵点难点，细化工作举措，确保各项任务落地见效。",
    "今年以来，全市{topic}工作稳步推进，累计完成投资同比增长{pct}%，主要指标好于预期。",
    "下一步，我委将持续深化{topic}，加强统筹协调和跟踪督促，推动形成工作合力。",
    "会上，相关处室汇报了{topic}工作进展情况，并就存在的问题提出了意见建议。",
    "{leader}强调，要坚持问题导向，抓好{topic}各项政策的宣传解读和贯彻落实。",
    "各有关单位要于{month}月{day}日前将有关材料报送我委，逾期不予受理。",
    "本次活动共吸引{num}家企业参与，进一步营造了全社会关心支持{topic}的良好氛围。",
)


# The 机构职能 page's text (the healthy single-content column): a few hundred characters.
FUNCTIONS = (
    "贯彻执行国家和省有关国民经济和社会发展的方针政策，拟订并组织实施全市国民经济和社会发展战略、"
    "中长期规划和年度计划，统筹协调经济社会发展。",
    "提出全市总体经济运行调控目标，监测预测预警经济运行态势，提出宏观调控政策建议，协调解决经济运行中的重大问题。",
    "负责全市固定资产投资综合管理，拟订全社会固定资产投资总规模和投资结构的调控目标、政策措施，"
    "按权限审批、核准、审核固定资产投资项目。",
    "推进全市经济体制改革，牵头推进优化营商环境和社会信用体系建设工作，组织拟订综合性产业政策。",
    "负责全市价格管理工作，监测分析价格形势，组织实施价格调控，按权限制定重要商品和服务价格。",
    "完成市委、市政府交办的其他任务。",
)
# Text of the single-content columns (Layout.SINGLE) by slug; one missing here is served blank.
SINGLE_PAGES: dict[str, tuple[str, ...]] = {"jgzn": FUNCTIONS}


def pick(rng: random.Random, pool: tuple[str, ...]) -> str:
    return pool[rng.randrange(len(pool))]


def article_title(rng: random.Random, slug: str, year: int) -> str:
    t, d, ld = pick(rng, TOPICS), pick(rng, _DISTRICTS), pick(rng, _LEADERS)
    doc = pick(rng, _DOC_KINDS)
    forms: tuple[str, ...]
    if slug == "bmdt":
        u = pick(rng, _UNITS)
        forms = (
            f"{u}召开{t}工作部署会",
            f"{u}开展{t}专题学习",
            f"{u}组织{t}业务培训",
            f"{u}赴{d}开展{t}调研",
        )
    elif slug == "qxdt":  # no year in these titles: the list rows show none either
        forms = (
            f"{d}召开{t}工作推进会",
            f"{d}{t}项目集中开工",
            f"{d}开展{t}专项行动",
            f"{d}{t}工作取得新进展",
        )
    elif slug == "gzjl":
        forms = (
            f"{d}来我委交流{t}工作",
            f"我委赴{d}学习考察{t}工作经验",
            f"市发展改革委与{d}开展{t}工作交流",
        )
    elif slug == "gsgg":
        forms = (
            f"关于{year}年度{t}项目拟入选名单的公示",
            f"{year}年{t}专项资金安排情况公示",
            f"关于{t}{pick(rng, _THINGS)}结果的公示",
        )
    elif slug == "ztzl/dsxxjy":
        forms = (
            "我委召开党史学习教育动员部署会",
            f"{ld}为全委党员干部讲专题党课",
            "我委开展“我为群众办实事”实践活动",
            "我委组织党员干部赴红色教育基地开展主题党日活动",
            "我委举办党史学习教育读书班",
            "我委召开党史学习教育专题民主生活会",
        )
    elif slug in ("gzdt", "tpxw", "zwyw"):
        forms = (
            f"{ld}赴{d}调研{t}工作",
            f"市发展改革委召开{t}工作推进会",
            f"{d}{t}项目集中开工",
            f"{ld}主持召开{t}专题会议",
            f"我委组织开展{t}业务培训",
            f"{d}{t}工作取得阶段性成效",
        )
    elif slug == "tzgg":
        forms = (
            f"关于{pick(rng, _ACTS)}{year}年度{t}{pick(rng, _THINGS)}的通知",
            f"关于{year}年{t}{pick(rng, _THINGS)}结果的公示",
            f"关于征求《某市{t}{doc}（征求意见稿）》意见的公告",
        )
    elif slug == "zcwj":
        forms = (
            f"某市发展和改革委员会关于印发《某市{t}{doc}》的通知",
            f"关于进一步加强{t}工作的实施意见",
            f"某市{t}{doc}",
        )
    elif slug == "zcjd":
        forms = (f"《某市{t}{doc}》政策解读", f"图解：某市{t}{doc}", f"一图读懂《某市{t}{doc}》")
    elif slug == "rsxx":
        forms = (
            f"{pick(rng, _UNITS)}{year}年公开招聘工作人员公告",
            f"{pick(rng, _UNITS)}{year}年公开招聘拟聘用人员名单公示",
            "某市发展和改革委员会干部任前公示",
        )
    elif slug == "ghjh":
        forms = (
            f"某市{t}“十四五”规划",
            f"某市发展和改革委员会{year}年工作要点",
            f"{year}年某市{t}重点工作安排",
        )
    elif slug == "jgxx":
        forms = (f"{d}主要农产品价格监测情况", f"{d}居民消费价格运行情况", "本市成品油价格调整情况")
    elif slug == "xmjs":  # no year in these titles: the list rows show none either
        forms = (f"{d}{t}项目建设进展情况", f"{d}重点建设项目推进情况", f"{d}{t}重点项目签约落地")
    elif slug == "zbgg":
        forms = (
            f"{pick(rng, _UNITS)}{t}服务项目招标公告",
            f"{pick(rng, _UNITS)}{year}年度{t}采购项目竞争性磋商公告",
            f"{d}{t}项目招标公告",
        )
    elif slug == "jgsz":
        forms = (
            "某市发展和改革委员会内设机构调整情况",
            f"关于{pick(rng, _UNITS)}机构职能调整的公告",
            "某市发展和改革委员会所属事业单位设置情况",
        )
    elif slug == "zcwd":
        forms = (f"{t}政策问答", f"关于{t}有关问题的解答", f"{t}常见问题解答")
    elif slug == "gfxwj":
        forms = (f"某市{t}{doc}", f"关于印发某市{t}{doc}的通知", f"某市发展和改革委员会关于{t}的若干规定")
    elif slug == "xzxk":
        forms = (f"{year}年{t}行政许可事项目录", f"{t}行政许可结果公开")
    else:  # ztzl
        forms = (f"{t}专题", f"{t}专栏", f"聚焦{t}")
    return forms[rng.randrange(len(forms))]


def sentences(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        s = pick(rng, _SENTENCES)
        out.append(
            s.format(
                topic=pick(rng, TOPICS),
                district=pick(rng, _DISTRICTS),
                leader=pick(rng, _LEADERS),
                pct=rng.randint(3, 19),
                month=rng.randint(1, 12),
                day=rng.randint(1, 28),
                num=rng.randint(20, 400),
            )
        )
    return "".join(out)


# --- static assets ----------------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////////////////////"
    "//////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
ATTACH_BODIES: dict[str, tuple[str, bytes]] = {
    # A real one-page document with a text layer (and nothing personal): read whole when
    # [content] attachments is on, it is checked, not reported as unreadable.
    "pdf": ("application/pdf", text_pdf([["Annex to the notice. Contact the office for details."]])),
    "doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    "xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    "zip": ("application/zip", b"PK\x05\x06" + b"\x00" * 18),
}
CSS = b"""body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}
.header{background:#1b5fad;color:#fff}.nav ul{margin:0;padding:0}.nav li{display:inline-block}
.nav a{color:#fff;padding:0 14px}.list li{border-bottom:1px dashed #ddd}.list span{float:right}
.footer{background:#eee;text-align:center;padding:12px}.TRS_Editor p{text-indent:2em}
.hide{display:none}
"""
# The pager as TRS ships it in a shared script; pages call it inline and also carry plain anchors.
JS = b"""function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  document.write("<span class=\\"pageinfo\\">\\u5171" + _nPageCount + "\\u9875</span>");
  if(nCurrIndex < _nPageCount - 1){
    document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">&gt;</a>");
  }
}
function setTab(name, cursel, n){ for(var i = 1; i <= n; i++){ var m = document.getElementById(name + i);
  var c = document.getElementById("con_" + name + "_" + i);
  if(m){ m.className = (i == cursel ? "on" : ""); }
  if(c){ c.style.display = (i == cursel ? "block" : "none"); } } }
"""
# The TRS 海云 pager: the element to fill comes first and the record count last. Its links exist
# only once this has run.
HANYUN_JS = b"""function createPageHTML(elementId, _nPageCount, _nCurrIndex, _sPageName, _sPageExt,
  _nPageSum){
  var el = document.getElementById(elementId);
  if(!el || _nPageCount == null || _nPageCount < 1){ return; }
  var name = function(i){ return (i == 0 ? _sPageName : _sPageName + "_" + i) + "." + _sPageExt; };
  var h = "<span>\\u5171" + _nPageSum + "\\u6761 \\u5171" + _nPageCount + "\\u9875</span>";
  h += "<a href=\\"" + name(0) + "\\">\\u9996\\u9875</a>";
  if(_nCurrIndex > 0){
    h += "<a href=\\"" + name(_nCurrIndex - 1) + "\\">\\u4e0a\\u4e00\\u9875</a>";
  }
  if(_nCurrIndex < _nPageCount - 1){
    h += "<a href=\\"" + name(_nCurrIndex + 1) + "\\">\\u4e0b\\u4e00\\u9875</a>";
  }
  h += "<a href=\\"" + name(_nPageCount - 1) + "\\">\\u5c3e\\u9875</a>";
  el.innerHTML = h;
}
"""
# Breadcrumb separator of the templates that draw it as an image.
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# Paths of the external site that answer 200 (everything else there is 404, /ggzy/ is 412).
FRIENDS: tuple[tuple[str, str], ...] = (
    ("/gov/index.html", "中国政府网"),
    ("/ndrc/index.html", "国家发展和改革委员会"),
    ("/zjfgw/index.html", "省发展和改革委员会"),
    ("/zjzwfw/index.html", "省政务服务网"),
    ("/tjj/index.html", "市统计局"),
)
EXTERNAL_PAGES: dict[str, str] = dict(FRIENDS) | {
    "/beian/index.html": "ICP/IP地址/域名信息备案管理系统",
    "/gaba/index.html": "全国互联网安全管理服务平台",
    "/conac/sitename": "党政机关网站标识",
    "/jiucuo/index.html": "政府网站找错",
}
