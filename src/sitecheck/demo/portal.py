"""A generated municipal department portal with planted defects and a manifest of them.

The portal is pure data: :class:`Portal` answers ``get(path, query)`` (and ``post`` for the one
endpoint that takes a form) with a :class:`Response` and never touches the network, so tests can
use it in-process and :mod:`sitecheck.demo.server` only adds sockets, request counting and the
stateful behaviours (slow, 429-once).

Two manifests say what a correct audit must find: ``manifest`` lists link defects,
``column_manifest`` every column (栏目) with its category and the one column finding expected
of it (空白栏目, 栏目不更新, its early warning, undated), or none. Column ages are fixed offsets
from ``today`` wherever the expected finding depends on them, so the expectation holds for every
``(pages, seed, today)``.

Memory stays small for large portals because only compact article specs are kept; HTML is
rendered on request and the most recent renderings are cached.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

from sitecheck.models import ColumnCategory, FindingKind, Outcome

__all__ = [
    "Behaviour",
    "ColumnInfo",
    "PlantedColumn",
    "PlantedDefect",
    "Portal",
    "Response",
    "normalise_path",
]

SITE_NAME = "某市发展和改革委员会"
SITE_ID_CODE = "3301000001"
ICP = "浙ICP备12345678号"
GONGAN = "浙公网安备 33010002000001号"
PER_PAGE = 20
# Docids of real articles start here; planted dead/soft-404 article URLs use smaller ids so they
# can never collide with a generated article.
_FIRST_DOCID = 4_100_000

# Characters that a browser leaves unescaped in a path (RFC 3986 pchar minus '%'): everything
# else, notably Chinese, is sent as UTF-8 percent escapes.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


class Behaviour(StrEnum):
    """How the server must deliver a response beyond sending it."""

    NORMAL = "normal"
    SLOW = "slow"  # answer only after the server's slow_seconds
    RATE_LIMIT_ONCE = "rate_limit_once"  # 429 + Retry-After to the first request, then this
    NO_HEAD = "no_head"  # HEAD is refused with 405, GET works


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    behaviour: Behaviour = Behaviour.NORMAL


@dataclass(frozen=True, slots=True)
class PlantedDefect:
    """One thing a correct audit must report (or, for ``kind=None``, must not report)."""

    id: str
    url: str  # absolute, percent-encoded as a browser would request it
    referrer: str  # absolute URL of the page holding the link
    element: str
    text: str
    outcome: Outcome
    kind: FindingKind | None
    note: str
    attribute: str = "href"
    raw: str = ""  # the attribute value exactly as written in the page

    def to_json(self) -> dict[str, str | None]:
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        data["kind"] = None if self.kind is None else str(self.kind)
        return data


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    slug: str
    name: str
    column_type: str
    encoding: str  # "utf-8" or "gbk"
    articles: int
    list_pages: int
    newest: dt.date | None
    url: str


@dataclass(frozen=True, slots=True)
class PlantedColumn:
    """One column of the portal and the single column finding a correct audit reports for it.

    ``kind`` is one of empty_column, stale_column, stale_column_warning, undated_column, or
    None for a healthy column (which must not be flagged at all).
    """

    id: str
    url: str  # absolute URL of the column's first list page
    name: str  # what a person reading the page calls it
    category: ColumnCategory
    newest: dt.date | None  # newest item date; None for an empty or undated column
    items: int  # every item over all list pages, including records only the dataproxy serves
    kind: FindingKind | None
    parent: str | None  # name of the 一级 column it sits under
    note: str

    def to_json(self) -> dict[str, str | int | None]:
        return {
            "id": self.id,
            "url": self.url,
            "name": self.name,
            "category": str(self.category),
            "newest": None if self.newest is None else self.newest.isoformat(),
            "items": self.items,
            "kind": None if self.kind is None else str(self.kind),
            "parent": self.parent,
            "note": self.note,
        }


_DYN = ColumnCategory.DYNAMIC
_NOTICE = ColumnCategory.NOTICE
_PERS = ColumnCategory.PERSONNEL
_OTHER = ColumnCategory.OTHER
_TOPIC = ColumnCategory.TOPIC
_EMPTY = FindingKind.EMPTY_COLUMN
_STALE = FindingKind.STALE_COLUMN
_WARN = FindingKind.STALE_COLUMN_WARNING


class _Col(NamedTuple):
    id: str  # PlantedColumn.id
    slug: str  # directory under the site root
    name: str
    column_type: str  # <meta name="ColumnType">; "" where the template writes none
    category: ColumnCategory
    kind: FindingKind | None
    parent: str  # key of _PARENTS; "" for a top-level column
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


# Fixed ages (newest=(n, n)) are what make a column stale, in its warning band or healthy for
# every `today`; the random ranges stay well inside the healthy side of their limits.
_COLUMNS: tuple[_Col, ...] = (
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
    _Col(
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
)
_COL_INDEX = {c.slug: i for i, c in enumerate(_COLUMNS)}
_MIN_ARTICLES = 8  # planted defects sit on the 2nd..6th newest article of some columns
_NDBG_FIRST_YEAR = 2009  # first reporting year under the 2008 disclosure regulation
_PINNED_AGE = 1100  # days: "about three years" old


# 一级 columns that only list their 二级 columns (no items of their own), except 专题专栏, which
# is itself a column. (name, path)
_PARENTS: dict[str, tuple[str, str]] = {
    "xwzx": ("新闻中心", "/xwzx/index.html"),
    "zwgk": ("政务公开", "/zwgk/index.html"),
    "bsfw": ("办事服务", "/bsfw/index.html"),
    "ztzl": ("专题专栏", "/ztzl/index.html"),
}
_NAV: tuple[tuple[str, str], ...] = (
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


class _HwCol(NamedTuple):
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


_HANWEB: tuple[_HwCol, ...] = (
    _HwCol(
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
    _HwCol(
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
_HANWEB_INDEX = {hw.id: i for i, hw in enumerate(_HANWEB)}
_HW_WEBID = 2871
_HW_PER_PAGE = 15
_HW_EMBEDDED = 15  # records shipped inside the column page; the rest only via the dataproxy
_HW_HOME = 10  # newest 政务要闻 on the home page; their spacing keeps all ten inside the 14-day window
_DATAPROXY = "/module/web/jpage/dataproxy.jsp"
_HW_JS = {
    "/module/jslib/jquery/jquery.js": (
        b"/*! jQuery (stub for the sitecheck demo) */\n"
        b"window.jQuery=window.$=function(){return{ready:function(f){f();},jpage:function(){}};};\n"
    ),
    "/module/jslib/jquery/jpage/jquery.page.min.js": b"/* jpage (stub) */\n",
}

# Flags of an article spec.
_IMG = 1
_SRCSET = 2
_ATTACH = 4


class _Article(NamedTuple):
    col: int
    day: int  # date ordinal
    minute: int  # minute of the day
    docid: int
    title: str
    flags: int

    @property
    def date(self) -> dt.date:
        return dt.date.fromordinal(self.day)

    @property
    def path(self) -> str:
        col = _COLUMNS[self.col]
        if not col.dated_urls:
            return f"/{col.slug}/content/post_{self.docid}.html"
        d = self.date
        return f"/{col.slug}/{d:%Y%m}/t{d:%Y%m%d}_{self.docid}.html"

    @property
    def rel(self) -> str:
        """The path relative to the column directory (articles sit one level below it)."""
        return self.path[len(_COLUMNS[self.col].slug) + 2 :]


class _HwItem(NamedTuple):
    day: int  # date ordinal
    minute: int
    artid: int
    title: str

    @property
    def date(self) -> dt.date:
        return dt.date.fromordinal(self.day)

    def path(self, columnid: int) -> str:
        d = self.date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{columnid}_{self.artid}.html"


# --- word pools -------------------------------------------------------------------------------

_TOPICS = (
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
_ATTACH_NAMES = ("申报表", "项目汇总表", "实施细则", "工作方案", "评分标准", "名单")
_GUIDES = (
    "企业投资项目备案",
    "企业投资项目核准",
    "固定资产投资项目节能审查",
    "政府定价的经营服务性收费标准核定",
    "涉案财物价格认定",
    "招标事项核准",
    "重点项目稽察投诉受理",
    "粮食收购企业备案",
)
_GUIDE_PARTS = (
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


def _pick(rng: random.Random, pool: tuple[str, ...]) -> str:
    return pool[rng.randrange(len(pool))]


def _title(rng: random.Random, slug: str, year: int) -> str:
    t, d, ld = _pick(rng, _TOPICS), _pick(rng, _DISTRICTS), _pick(rng, _LEADERS)
    doc = _pick(rng, _DOC_KINDS)
    forms: tuple[str, ...]
    if slug == "bmdt":
        u = _pick(rng, _UNITS)
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
            f"关于{t}{_pick(rng, _THINGS)}结果的公示",
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
            f"关于{_pick(rng, _ACTS)}{year}年度{t}{_pick(rng, _THINGS)}的通知",
            f"关于{year}年{t}{_pick(rng, _THINGS)}结果的公示",
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
            f"{_pick(rng, _UNITS)}{year}年公开招聘工作人员公告",
            f"{_pick(rng, _UNITS)}{year}年公开招聘拟聘用人员名单公示",
            "某市发展和改革委员会干部任前公示",
        )
    elif slug == "ghjh":
        forms = (
            f"某市{t}“十四五”规划",
            f"某市发展和改革委员会{year}年工作要点",
            f"{year}年某市{t}重点工作安排",
        )
    else:  # ztzl
        forms = (f"{t}专题", f"{t}专栏", f"聚焦{t}")
    return forms[rng.randrange(len(forms))]


def _sentences(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        s = _pick(rng, _SENTENCES)
        out.append(
            s.format(
                topic=_pick(rng, _TOPICS),
                district=_pick(rng, _DISTRICTS),
                leader=_pick(rng, _LEADERS),
                pct=rng.randint(3, 19),
                month=rng.randint(1, 12),
                day=rng.randint(1, 28),
                num=rng.randint(20, 400),
            )
        )
    return "".join(out)


# --- static assets ----------------------------------------------------------------------------

_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////////////////////"
    "//////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
_ATTACH_BODIES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
    "doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    "xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    "zip": ("application/zip", b"PK\x05\x06" + b"\x00" * 18),
}
_CSS = b"""body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}
.header{background:#1b5fad;color:#fff}.nav ul{margin:0;padding:0}.nav li{display:inline-block}
.nav a{color:#fff;padding:0 14px}.list li{border-bottom:1px dashed #ddd}.list span{float:right}
.footer{background:#eee;text-align:center;padding:12px}.TRS_Editor p{text-indent:2em}
"""
# The pager as TRS ships it in a shared script; pages call it inline and also carry plain anchors.
_JS = b"""function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  document.write("<span class=\\"pageinfo\\">\\u5171" + _nPageCount + "\\u9875</span>");
  if(nCurrIndex < _nPageCount - 1){
    document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">&gt;</a>");
  }
}
function setTab(name, cursel, n){ for(var i = 1; i <= n; i++){ var m = document.getElementById(name + i);
  if(m){ m.className = (i == cursel ? "on" : ""); } } }
"""


def normalise_path(path: str) -> str:
    """The request path as the server routes it: percent escapes decoded as UTF-8.

    A path whose escapes are not UTF-8 (say GBK-encoded) is returned as sent, so it matches no
    route and gets a 404, as on a real server.
    """
    try:
        return unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return path


def _enc_path(path: str) -> str:
    return quote(path, safe=_PATH_SAFE)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# --- the portal -------------------------------------------------------------------------------


class Portal:
    """A deterministic generated portal: same arguments, same bytes."""

    def __init__(
        self,
        pages: int = 150,
        seed: int = 7,
        today: dt.date | None = None,
        *,
        base_url: str = "http://127.0.0.1:8000/",
        external_base_url: str = "http://127.0.0.2:8001/",
        refused_url: str = "http://127.0.0.1:9/",
        cache_size: int = 1024,
    ) -> None:
        for name, url in (("base_url", base_url), ("external_base_url", external_base_url)):
            if not url.endswith("/") or urlsplit(url).path != "/":
                raise ValueError(f"{name} must be a root URL ending in '/': {url!r}")
        self.pages = pages
        self.seed = seed
        self.today = today or dt.date.today()
        self.base_url = base_url
        self.external_base_url = external_base_url
        self.refused_url = refused_url
        self.site_domain = urlsplit(base_url).netloc

        self._articles: list[_Article] = []
        self._by_col: list[list[int]] = [[] for _ in _COLUMNS]  # article indices, newest first
        self._routes: dict[str, tuple[int, int, int]] = {}
        self._fixed: dict[str, Callable[[str], Response]] = {}
        self._extras: dict[int, str] = {}  # article index -> extra HTML block (planted links)
        self._no_attach: set[int] = set()
        self._fixed_pages: tuple[str, ...] = ()
        self._pos: dict[int, int] = {}  # article index -> position in its column, newest first
        self._pinned: dict[int, int] = {}  # column index -> its pinned article
        self._hanweb: list[list[_HwItem]] = [[] for _ in _HANWEB]  # newest first
        self.manifest: list[PlantedDefect] = []
        self.controls: list[PlantedDefect] = []  # healthy traps: expected outcome ok, no finding
        self.column_manifest: list[PlantedColumn] = []
        # Home-page list items dated today or in the 13 days before: the 14-day 首页不更新 window.
        self.home_items_14d = 0
        self._generate()
        self._render = lru_cache(maxsize=cache_size)(self._render_uncached)
        self._sitemap = lru_cache(maxsize=1)(self._render_sitemap)

    # -- public --------------------------------------------------------------------------------

    @property
    def home_url(self) -> str:
        return self.base_url

    @cached_property
    def page_urls(self) -> frozenset[str]:
        """Absolute URLs of the HTML pages a correct crawl reaches and parses.

        Excludes redirects, the soft 404 page, the slow page and robots-disallowed pages. The
        home page is listed once, as ``base_url`` (every 首页 link points at ``/``).
        """
        urls = {self.base_url}
        urls.update(self.url(p) for p in self._fixed_pages)
        urls.add(self.url("/search.html") + "?kw=%B9%AB%B8%E6")
        for ci, col in enumerate(_COLUMNS):
            for k in range(self._page_count(ci)):
                urls.add(self.url(f"/{col.slug}/{self._list_name(k)}"))
        urls.update(self.url(a.path) for a in self._articles)
        for hi, hw in enumerate(_HANWEB):
            urls.add(self.url(f"/col/col{hw.columnid}/index.html"))
            urls.update(self.url(item.path(hw.columnid)) for item in self._hanweb[hi])
        return frozenset(urls)

    @property
    def parent_pages(self) -> tuple[str, ...]:
        """Absolute URLs of the 一级 pages that only list their 二级 columns.

        They are navigation, not columns: an audit must not report them as empty.
        """
        return tuple(self.url(path) for key, (_, path) in _PARENTS.items() if key != "ztzl")

    @property
    def columns(self) -> tuple[ColumnInfo, ...]:
        out = []
        for ci, col in enumerate(_COLUMNS):
            idx = self._by_col[ci]
            out.append(
                ColumnInfo(
                    slug=col.slug,
                    name=col.name,
                    column_type=col.column_type,
                    encoding="gbk" if col.gbk else "utf-8",
                    articles=len(idx),
                    list_pages=self._page_count(ci),
                    newest=self._articles[idx[0]].date if idx and col.date_fmt else None,
                    url=self.url(f"/{col.slug}/index.html"),
                )
            )
        return tuple(out)

    def url(self, path: str) -> str:
        """Absolute, browser-encoded URL of a site path."""
        return self.base_url + _enc_path(path.lstrip("/"))

    def ext_url(self, path: str) -> str:
        return self.external_base_url + _enc_path(path.lstrip("/"))

    def post(self, path: str, query: str = "", body: bytes = b"") -> Response:
        """Answer a POST with a form body: only the Hanweb dataproxy takes one.

        Pages answer 405 as a static web server does, unknown paths 404.
        """
        path = normalise_path(path)
        if path == _DATAPROXY:
            return self._dataproxy(query, body)
        if self.get(path, query).status == 404:
            return self._not_found()
        return Response(
            405, body=b"<html><body><h1>405 Not Allowed</h1></body></html>", headers=(("Allow", "GET, HEAD"),)
        )

    def get(self, path: str, query: str = "") -> Response:
        """Answer a request for the main site. ``path`` may be percent-encoded or decoded."""
        path = normalise_path(path)
        fixed = self._fixed.get(path)
        if fixed is not None:
            return fixed(query)
        if path.endswith("/") and path != "/":  # like nginx/TRS: a directory serves its index.html
            path += "index.html"
            fixed = self._fixed.get(path)
            if fixed is not None:
                return fixed(query)
        if path in self._routes:
            return self._render(path)
        return self._not_found()

    def get_external(self, path: str, query: str = "") -> Response:
        """Answer a request for the second ("external") site."""
        path = normalise_path(path)
        if path.startswith("/ggzy/"):
            return self._anti_bot()
        if path in _EXT_OK:
            title = _EXT_OK[path]
            body = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            body += f"<body><h1>{title}</h1></body></html>"
            return Response(200, body=body.encode())
        if path.endswith(".js") and path.startswith("/4QbVtADbnLVIc/"):
            return Response(200, "application/javascript", b"/* challenge */")
        return self._not_found()

    def count_link_occurrences(self) -> int:
        """Approximate number of link attributes over all pages (renders every page once)."""
        pattern = re.compile(rb"""\s(?:href|src|srcset|value|onclick)=["'](?!["'])""")
        total = 0
        for url in self.page_urls:
            parts = urlsplit(url)
            total += len(pattern.findall(self.get(parts.path, parts.query).body))
        return total

    # -- generation ----------------------------------------------------------------------------

    def _generate(self) -> None:
        rng = random.Random(self.seed)
        today = self.today.toordinal()
        # home, sidebar, 政务公开 (base href), refresh, Chinese-path, 429, search, 新闻中心, 办事服务
        fixed_html_pages = 9
        # One report a year on the same day, the newest 200 days ago; the first covers 2009.
        last_report = self.today - dt.timedelta(days=_COLUMNS[_COL_INDEX["ndbg"]].newest[0])
        max_reports = max(1, last_report.year - _NDBG_FIRST_YEAR)
        n_reports = min(max_reports, max(3, round(self.pages * 0.04)))
        weighted = [c for c in _COLUMNS if c.weight > 0]
        weight_sum = sum(c.weight for c in weighted)
        fixed_items = [n_reports if c.slug == "ndbg" else c.size for c in _COLUMNS if c.weight == 0]
        fixed_pages = sum(n + max(1, -(-n // PER_PAGE)) for n in fixed_items)
        fixed_pages += sum(1 + hw.size for hw in _HANWEB) + sum(1 for c in _COLUMNS if c.pinned)
        # A column of n articles adds n + ceil(n/20) pages; on average half a list page is partly
        # filled per column.
        budget = self.pages - fixed_html_pages - fixed_pages - len(weighted) / 2
        articles_budget = max(budget, 0) * PER_PAGE / (PER_PAGE + 1)

        specs: list[tuple[int, int, int, bool]] = []  # (day, minute, col, pinned)
        for ci, col in enumerate(_COLUMNS):
            if col.slug == "ndbg":
                for k in range(n_reports):
                    try:
                        pub = last_report.replace(year=last_report.year - k)
                    except ValueError:  # 29 February
                        pub = dt.date(last_report.year - k, 2, 28)
                    specs.append((pub.toordinal(), rng.randint(540, 1050), ci, False))
                continue
            if col.weight > 0:
                n = max(_MIN_ARTICLES, round(articles_budget * col.weight / weight_sum))
            else:
                n = col.size
            if n == 0:
                continue
            mean = min(col.interval, 12 * 365 / n)
            day = today - rng.randint(*col.newest)
            for _ in range(n):
                specs.append((day, rng.randint(510, 1070), ci, False))
                if col.weight > 0:
                    day -= round(rng.expovariate(1 / mean))
                else:
                    # Bounded gaps: a small fixed column keeps its span (the year-less one must
                    # cross 1 January early in January, yet stay well within a year).
                    day -= rng.randint(1, max(1, round(2 * col.interval) - 1))
            if col.pinned:
                specs.append((today - _PINNED_AGE, rng.randint(510, 1070), ci, True))

        specs.sort()
        docid = _FIRST_DOCID
        guides = 0
        for day, minute, ci, pinned in specs:
            docid += rng.randint(1, 37)
            col = _COLUMNS[ci]
            title_rng = random.Random(self.seed * 7919 + docid)
            year = dt.date.fromordinal(day).year
            if col.slug == "ndbg":
                title = f"某市发展和改革委员会{year - 1}年政府信息公开工作年度报告"
            elif pinned:
                title = col.pinned
                self._pinned[ci] = len(self._articles)
            elif not col.date_fmt:
                title = f"{_GUIDES[guides % len(_GUIDES)]}办事指南"
                guides += 1
            else:
                title = _title(title_rng, col.slug, year)
            flags = 0
            if col.slug == "tpxw" or (col.slug == "gzdt" and docid % 4 == 0):
                flags |= _IMG | (_SRCSET if docid % 3 == 0 else 0)
            if col.slug in ("tzgg", "zcwj", "ghjh", "rsxx") and docid % 3 == 0:
                flags |= _ATTACH
            self._articles.append(_Article(ci, day, minute, docid, title, flags))
        order = sorted(
            range(len(self._articles)), key=lambda i: (-self._articles[i].day, -self._articles[i].minute)
        )
        for i in order:
            self._by_col[self._articles[i].col].append(i)

        for ci, col in enumerate(_COLUMNS):
            for k in range(self._page_count(ci)):
                self._routes[f"/{col.slug}/{self._list_name(k)}"] = (_R_LIST, ci, k)
        self._generate_hanweb()

        self._plant()  # before assets: it decides which articles carry no ordinary attachments

        for i, art in enumerate(self._articles):
            self._routes[art.path] = (_R_ARTICLE, i, 0)
            for path, _, _ in self._assets(i):
                self._routes[path] = (_R_ASSET, i, 0)
        for ids in self._by_col:
            for pos, i in enumerate(ids):
                self._pos[i] = pos
        planted = [urlsplit(d.url).path for d in self.manifest if d.url.startswith(self.base_url)]
        clash = [p for p in planted + list(self._fixed) if normalise_path(p) in self._routes]
        if clash:
            raise AssertionError(f"planted paths collide with generated pages: {clash}")
        self._describe_columns()

    def _generate_hanweb(self) -> None:
        today = self.today.toordinal()
        for hi, hw in enumerate(_HANWEB):
            rng = random.Random(self.seed * 1_000_003 + hw.columnid)
            artid = 58_900_000 + rng.randint(0, 90_000)
            items = []
            for k in range(hw.size):
                # Fixed spacing (4 items in 3 days) keeps the ten newest inside the 14-day window.
                day = today - hw.newest - k * 4 // 3
                title = _title(rng, "zwyw", dt.date.fromordinal(day).year)
                items.append(_HwItem(day, rng.randint(480, 1080), artid, title))
                artid -= rng.randint(3, 40)
            self._hanweb[hi] = items
            self._routes[f"/col/col{hw.columnid}/index.html"] = (_R_HW_COL, hi, 0)
            for k, item in enumerate(items):
                self._routes[item.path(hw.columnid)] = (_R_HW_ART, hi, k)

    def _describe_columns(self) -> None:
        out = []
        for ci, col in enumerate(_COLUMNS):
            ids = self._by_col[ci]
            newest = self._articles[ids[0]].date if ids and col.date_fmt else None
            out.append(
                PlantedColumn(
                    id=col.id,
                    url=self.url(f"/{col.slug}/index.html"),
                    name=col.name,
                    category=col.category,
                    newest=newest,
                    items=len(ids),
                    kind=col.kind,
                    parent=_PARENTS[col.parent][0] if col.parent else None,
                    note=col.note,
                )
            )
        zcjd = self._by_col[_COL_INDEX["zcjd"]]
        out.append(
            PlantedColumn(
                id="topic-page",
                url=self.url("/zt/营商环境/index.html"),
                name="优化营商环境",
                category=_TOPIC,
                newest=self._articles[zcjd[0]].date,
                items=min(5, len(zcjd)),
                kind=None,
                parent=None,
                note="a one-page 专题 (ColumnType 专题) at a Chinese path, listing 政策解读 items",
            )
        )
        for hi, hw in enumerate(_HANWEB):
            items = self._hanweb[hi]
            out.append(
                PlantedColumn(
                    id=hw.id,
                    url=self.url(f"/col/col{hw.columnid}/index.html"),
                    name=hw.name,
                    category=hw.category,
                    newest=items[0].date if items else None,
                    items=len(items),
                    kind=hw.kind,
                    parent=_PARENTS[hw.parent][0],
                    note=hw.note,
                )
            )
        self.column_manifest = out
        self.home_items_14d = sum(1 for d in self._home_dates() if 0 <= (self.today - d).days < 14)

    def _page_count(self, ci: int) -> int:
        return max(1, -(-len(self._by_col[ci]) // PER_PAGE))

    @staticmethod
    def _list_name(k: int) -> str:
        return "index.html" if k == 0 else f"index_{k}.html"

    def _host(self, slug: str, nth: int) -> int:
        return self._by_col[_COL_INDEX[slug]][nth]

    def _plant(self) -> None:
        """Place every defect and healthy trap at a fixed spot, and write the manifest."""
        y = self.today.year
        home = self.base_url
        ext = self.external_base_url
        old = dt.date.fromordinal(self.today.toordinal() - 100)
        gone = f"/tzgg/{old:%Y%m}/t{old:%Y%m%d}_3999001.html"
        soft = f"/gzdt/{old:%Y%m}/t{old:%Y%m%d}_3999002.html"
        gbk_dead_day = dt.date(y - 3, 5, 10)

        h1 = self._host("gzdt", 3)
        h2 = self._host("tzgg", 2)
        h3 = self._host("zcjd", 2)
        h4 = self._host("rsxx", 1)
        h5 = self._host("gzdt", 5)
        h6 = self._host("zcwj", 1)
        self._no_attach.update((h1, h2, h3, h4, h5, h6))
        a1, a2, a3, a4, a5, a6 = (self._articles[i] for i in (h1, h2, h3, h4, h5, h6))
        p1, p2, p3, p4, p5, p6 = (self.url(a.path) for a in (a1, a2, a3, a4, a5, a6))
        d1 = a1.date
        dead_img = f"/gzdt/{d1:%Y%m}/W0{d1:%Y%m%d}{a1.docid}99.jpg"
        d2 = a2.date
        doc_soft = f"/tzgg/{d2:%Y%m}/P0{d2:%Y%m%d}{a2.docid}2.doc"
        pdf_405 = f"/tzgg/{d2:%Y%m}/P0{d2:%Y%m%d}{a2.docid}3.pdf"
        xls_ok = f"/attach/{y}/{y}年度重点项目申报汇总表.xls"
        pdf_dead = f"/attach/{y - 1}/关于开展{y - 1}年度网站自查工作的通知.pdf"
        cn_page = "/zt/营商环境/index.html"
        gbk_dead = f"/zcwj/{gbk_dead_day:%Y%m}/t{gbk_dead_day:%Y%m%d}_3999003.html"
        gbk_dead_text = "关于印发某市节能审查办法的通知"

        self._extras[h1] = (
            '<p style="text-align:center"><img src="./'
            + dead_img.rsplit("/", 1)[1]
            + '" alt="调研现场" border="0"></p>'
            '<div class="related"><h3>相关阅读</h3><ul>'
            f'<li><a href="{gone}" target="_blank">关于做好{y - 1}年度统计工作的通知</a></li>'
            f'<li><a href="../{soft.split("/", 2)[2]}" target="_blank">'
            "市发展改革委召开全市价格监测工作会议</a></li>"
            '<li><a href="/zwdt/index.html">更多工作动态</a></li></ul></div>'
        )
        self._extras[h2] = (
            '<div class="attachments"><p>附件：</p><ul>'
            f'<li><a href="{xls_ok}">1.{y}年度重点项目申报汇总表.xls</a></li>'
            f'<li><a href="./{doc_soft.rsplit("/", 1)[1]}">2.申报书模板.doc</a></li>'
            f'<li><a href="./{pdf_405.rsplit("/", 1)[1]}">3.实施细则.pdf</a></li>'
            f'<li><a href="{pdf_dead}">4.关于开展{y - 1}年度网站自查工作的通知.pdf</a></li>'
            "</ul></div>"
        )
        self._extras[h3] = (
            '<div class="related"><h3>相关链接</h3><ul>'
            f'<li><a href="{ext}xyzg/index.html" target="_blank">信用中国（某市）</a></li>'
            f'<li><a href="{ext}ggzy/index.html" target="_blank">某市公共资源交易中心</a></li>'
            f'<li><a href="{self.refused_url}" target="_blank">某市市民卡服务网</a></li>'
            "</ul></div>"
        )
        self._extras[h4] = (
            '<div class="related"><h3>办事服务</h3><ul>'
            '<li><a href="/slow/tjsj/index.html">统计数据查询</a></li>'
            '<li><a href="/redirect/a.html">网上办事大厅</a></li>'
            '<li><a href="/bsfw/bszn.html">办事指南</a></li>'
            "</ul></div>"
        )
        self._extras[h5] = (
            '<div class="related"><h3>互动与专题</h3><ul>'
            "<li><a href=\"javascript:window.open('/hdjl/zxft/index.html')\">在线访谈</a></li>"
            '<li><a href="javascript:void(0)" onclick="location.href=\'/hdjl/myzj/index.html\'">'
            "民意征集</a></li>"
            f'<li><a href="{cn_page}" target="_blank">优化营商环境专题</a></li>'
            "</ul></div>"
        )
        self._extras[h6] = (
            '<div class="related"><h3>相关文件</h3><ul>'
            f'<li><a href="../{gbk_dead.split("/", 2)[2]}" target="_blank">{gbk_dead_text}</a></li>'
            '<li><a href="/search.html?kw=公告">查看更多公告</a></li>'
            "</ul></div>"
        )

        self._fixed_pages = (
            "/include/sidebar.html",
            "/zwgk/index.html",
            "/zfxxgk/index.html",
            cn_page,
            "/bsfw/bszn.html",
            "/xwzx/index.html",
            "/bsfw/index.html",
        )
        f = self._fixed
        f["/"] = f["/index.html"] = lambda q: self._html(self._home())
        f["/include/sidebar.html"] = lambda q: self._html(self._sidebar())
        f["/zwgk/index.html"] = lambda q: self._html(self._base_href_page())
        f["/xwzx/index.html"] = lambda q: self._html(self._parent_page("xwzx"))
        f["/bsfw/index.html"] = lambda q: self._html(self._parent_page("bsfw"))
        f["/zfxxgk/index.html"] = lambda q: self._html(self._refresh_page())
        f[cn_page] = lambda q: self._html(self._topic_page())
        # Named after its parent, not 办事指南: that is the name of the (undated) guide column.
        f["/bsfw/bszn.html"] = lambda q: self._html(
            self._simple_page("办事指南", "办事服务", "<p>请选择办理事项。</p>"),
            behaviour=Behaviour.RATE_LIMIT_ONCE,
        )
        f[_DATAPROXY] = lambda q: self._dataproxy(q, b"")
        for js_path, js in _HW_JS.items():
            f[js_path] = _static("application/javascript", js)
        f["/slow/tjsj/index.html"] = lambda q: self._html(
            self._simple_page("统计数据查询", "统计数据", "<p>数据加载完成。</p>"), behaviour=Behaviour.SLOW
        )
        f["/search.html"] = self._gbk_search
        f["/search/index.html"] = lambda q: self._html(
            self._simple_page("站内搜索", "搜索", "<p>请输入关键词。</p>")
        )
        f["/redirect/a.html"] = lambda q: _redirect(302, "/redirect/b.html")
        f["/redirect/b.html"] = lambda q: _redirect(302, "/redirect/a.html")
        f["/zwdt/index.html"] = lambda q: _redirect(301, "/gzdt/index.html")
        f[soft] = lambda q: self._soft_404()
        f[doc_soft] = lambda q: self._soft_404()
        f[pdf_405] = lambda q: Response(200, *_ATTACH_BODIES["pdf"], behaviour=Behaviour.NO_HEAD)
        f[xls_ok] = lambda q: Response(200, *_ATTACH_BODIES["xls"])
        f["/robots.txt"] = lambda q: Response(
            200,
            "text/plain; charset=utf-8",
            (
                "User-agent: *\nDisallow: /search/\nDisallow: /admin/\n\n"
                f"Sitemap: {self.base_url}sitemap.xml\n"
            ).encode(),
        )
        f["/sitemap.xml"] = lambda q: self._sitemap()
        f["/css/style.css"] = lambda q: Response(200, "text/css", _CSS)
        f["/js/common.js"] = lambda q: Response(200, "application/javascript", _JS)
        for name in ("logo.png", "red.png", "gaba.png", "jiucuo.png", "top.png"):
            f[f"/images/{name}"] = lambda q: Response(200, "image/png", _PNG)
        f["/images/banner.jpg"] = lambda q: Response(200, "image/jpeg", _JPEG)

        tzgg0 = self._articles[self._host("tzgg", 0)].path
        self.manifest = [
            _defect(
                "dead-internal-page",
                self.url(gone),
                p1,
                f"关于做好{y - 1}年度统计工作的通知",
                gone,
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "deleted article at a TRS-style URL",
            ),
            _defect(
                "dead-image",
                self.url(dead_img),
                p1,
                "调研现场",
                "./" + dead_img.rsplit("/", 1)[1],
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "img src relative to the article directory",
                element="img",
                attribute="src",
            ),
            _defect(
                "dead-attachment",
                self.url(pdf_dead),
                p2,
                f"4.关于开展{y - 1}年度网站自查工作的通知.pdf",
                pdf_dead,
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "Chinese file name, UTF-8 percent-encoded; 404 for HEAD and GET",
            ),
            _defect(
                "dead-external",
                ext + "xyzg/index.html",
                p3,
                "信用中国（某市）",
                ext + "xyzg/index.html",
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "the external site answers 404",
            ),
            _defect(
                "timeout",
                self.url("/slow/tjsj/index.html"),
                p4,
                "统计数据查询",
                "/slow/tjsj/index.html",
                Outcome.TIMEOUT,
                FindingKind.DEAD_LINK,
                "answers only after the server's slow_seconds",
            ),
            _defect(
                "connection-refused",
                self.refused_url,
                p3,
                "某市市民卡服务网",
                self.refused_url,
                Outcome.CONNECTION_ERROR,
                FindingKind.DEAD_LINK,
                "a port held bound but not listening",
            ),
            _defect(
                "redirect-loop",
                self.url("/redirect/a.html"),
                p4,
                "网上办事大厅",
                "/redirect/a.html",
                Outcome.REDIRECT_ERROR,
                FindingKind.DEAD_LINK,
                "a.html -302-> b.html -302-> a.html",
            ),
            _defect(
                "soft-404-page",
                self.url(soft),
                p1,
                "市发展改革委召开全市价格监测工作会议",
                "../" + soft.split("/", 2)[2],
                Outcome.SOFT_404,
                FindingKind.DEAD_LINK,
                "200 page titled 对不起，您访问的页面不存在 at an article URL",
            ),
            _defect(
                "blocked-412",
                ext + "ggzy/index.html",
                p3,
                "某市公共资源交易中心",
                ext + "ggzy/index.html",
                Outcome.BLOCKED,
                FindingKind.UNVERIFIED_LINK,
                "瑞数-style 412 challenge ($_ts) on the external site: could not verify, not dead",
            ),
            _defect(
                "rate-limited-once",
                self.url("/bsfw/bszn.html"),
                p4,
                "办事指南",
                "/bsfw/bszn.html",
                Outcome.OK,
                None,
                "429 + Retry-After: 1 to the first request, then 200: must NOT be reported",
            ),
            _defect(
                "dead-home-link",
                self.url("/ztzl/bwcxljsm/index.html"),
                home,
                "“不忘初心、牢记使命”主题教育专题",
                "/ztzl/bwcxljsm/index.html",
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK_HOME,
                "removed special topic still linked from the home page",
            ),
            _defect(
                "dead-select-option",
                ext + "lsj/index.html",
                home,
                "市粮食局",
                ext + "lsj/index.html",
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK_HOME,
                "友情链接 <select> option: a merged agency's site",
                element="option",
                attribute="value",
            ),
            _defect(
                "dead-js-window-open",
                self.url("/hdjl/zxft/index.html"),
                p5,
                "在线访谈",
                "javascript:window.open('/hdjl/zxft/index.html')",
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "URL inside href=\"javascript:window.open('…')\"",
            ),
            _defect(
                "dead-onclick",
                self.url("/hdjl/myzj/index.html"),
                p5,
                "民意征集",
                "location.href='/hdjl/myzj/index.html'",
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "URL inside onclick=\"location.href='…'\" (href is javascript:void(0))",
                attribute="onclick",
            ),
            _defect(
                "dead-gbk-link",
                self.url(gbk_dead),
                p6,
                gbk_dead_text,
                "../" + gbk_dead.split("/", 2)[2],
                Outcome.NOT_FOUND,
                FindingKind.DEAD_LINK,
                "on a GBK page: the Chinese link text must decode correctly",
            ),
            _defect(
                "placeholder-hash",
                home,
                home,
                "互动交流",
                "#",
                Outcome.NOT_CHECKABLE,
                FindingKind.UNAVAILABLE_LINK,
                'header nav entry href="#"; url is the page holding it',
            ),
            _defect(
                "placeholder-js-alert",
                home,
                home,
                "数据发布",
                "javascript:alert('该栏目正在建设中');",
                Outcome.NOT_CHECKABLE,
                FindingKind.UNAVAILABLE_LINK,
                "header nav entry javascript:alert(…建设中); url is the page holding it",
            ),
            _defect(
                "robots-disallowed",
                self.url("/search/index.html") + "?channel=tzgg",
                self.url("/tzgg/index.html"),
                "高级检索",
                "/search/index.html?channel=tzgg",
                Outcome.ROBOTS_DISALLOWED,
                FindingKind.UNVERIFIED_LINK,
                "robots.txt Disallow: /search/ (the page itself would answer 200)",
            ),
            _defect(
                "soft-404-attachment",
                self.url(doc_soft),
                p2,
                "2.申报书模板.doc",
                "./" + doc_soft.rsplit("/", 1)[1],
                Outcome.SOFT_404,
                FindingKind.DEAD_LINK,
                ".doc answering 200 text/html 页面不存在",
            ),
        ]
        self.controls = [
            _defect(
                "head-405-attachment",
                self.url(pdf_405),
                p2,
                "3.实施细则.pdf",
                "./" + pdf_405.rsplit("/", 1)[1],
                Outcome.OK,
                None,
                "HEAD answers 405, GET 200 (pdf)",
            ),
            _defect(
                "chinese-path",
                self.url(cn_page),
                p5,
                "优化营商环境专题",
                cn_page,
                Outcome.OK,
                None,
                "served at the UTF-8 percent-encoded path",
            ),
            _defect(
                "gbk-query",
                self.url("/search.html") + "?kw=%B9%AB%B8%E6",
                p6,
                "查看更多公告",
                "/search.html?kw=公告",
                Outcome.OK,
                None,
                "query must be encoded in the page's GBK; the UTF-8 form gets 404",
            ),
            _defect(
                "moved-301",
                self.url("/zwdt/index.html"),
                p1,
                "更多工作动态",
                "/zwdt/index.html",
                Outcome.OK,
                None,
                "301 to /gzdt/index.html",
            ),
            _defect(
                "chinese-attachment",
                self.url(xls_ok),
                p2,
                f"1.{y}年度重点项目申报汇总表.xls",
                xls_ok,
                Outcome.OK,
                None,
                "Chinese file name served at the UTF-8 percent-encoded path",
            ),
            _defect(
                "iframe-sidebar",
                self.url("/include/sidebar.html"),
                home,
                "",
                "/include/sidebar.html",
                Outcome.OK,
                None,
                "frame document with links",
                element="iframe",
                attribute="src",
            ),
            _defect(
                "meta-refresh",
                self.url("/ndbg/index.html"),
                self.url("/zfxxgk/index.html"),
                "",
                "0;url=../ndbg/index.html",
                Outcome.OK,
                None,
                "meta refresh to the annual reports",
                element="meta",
                attribute="content",
            ),
            _defect(
                "base-href",
                self.url(tzgg0),
                self.url("/zwgk/index.html"),
                "",
                "./" + tzgg0.split("/", 2)[2],
                Outcome.OK,
                None,
                'relative to <base href="/tzgg/">, not to the page',
            ),
        ]

    # -- assets of articles --------------------------------------------------------------------

    def _assets(self, i: int) -> list[tuple[str, str, str]]:
        """(path, href as written, label) of the image(s) and attachments an article carries."""
        a = self._articles[i]
        d = a.date
        base = a.path.rsplit("/", 1)[0] + "/"
        out: list[tuple[str, str, str]] = []
        if a.flags & _IMG:
            name = f"W0{d:%Y%m%d}{a.docid}1.jpg"
            out.append((base + name, "./" + name, ""))
            if a.flags & _SRCSET:
                small = f"W0{d:%Y%m%d}{a.docid}1_600.jpg"
                out.append((base + small, "./" + small, ""))
        if a.flags & _ATTACH and i not in self._no_attach:
            rng = random.Random(self.seed * 104_729 + a.docid)
            for n in range(1, rng.randint(1, 2) + 1):
                ext = ("pdf", "doc", "xls", "zip")[rng.randrange(4)]
                label = f"{_pick(rng, _TOPICS)}{_pick(rng, _ATTACH_NAMES)}.{ext}"
                if rng.random() < 0.5:  # TRS stores uploads next to the article as P0<date><id>.ext
                    name = f"P0{d:%Y%m%d}{a.docid}{n}.{ext}"
                    out.append((base + name, "./" + name, f"附件{n}：{label}"))
                else:  # other templates keep the uploader's (Chinese) file name
                    path = f"/attach/{d.year}/{label}"
                    out.append((path, path, f"附件{n}：{label}"))
        return out

    # -- rendering -----------------------------------------------------------------------------

    def _render_uncached(self, path: str) -> Response:
        kind, a, b = self._routes[path]
        if kind == _R_LIST:
            col = _COLUMNS[a]
            return self._html(self._list_page(a, b), gbk=col.gbk)
        if kind == _R_ARTICLE:
            col = _COLUMNS[self._articles[a].col]
            return self._html(self._article_page(a), gbk=col.gbk)
        if kind == _R_HW_COL:
            return self._html(self._hanweb_list(a))
        if kind == _R_HW_ART:
            return self._html(self._hanweb_article(a, b))
        ext = path.rsplit(".", 1)[-1]
        if ext == "jpg":
            return Response(200, "image/jpeg", _JPEG)
        ctype, body = _ATTACH_BODIES[ext]
        return Response(200, ctype, body)

    def _html(self, text: str, *, gbk: bool = False, behaviour: Behaviour = Behaviour.NORMAL) -> Response:
        if gbk:
            return Response(200, "text/html; charset=gbk", text.encode("gbk"), behaviour=behaviour)
        return Response(200, "text/html; charset=utf-8", text.encode("utf-8"), behaviour=behaviour)

    def _not_found(self) -> Response:
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
            "<body><h1>404 Not Found</h1><p>对不起，您访问的页面不存在！</p>"
            '<p><a href="/">返回首页</a></p></body></html>'
        )
        return Response(404, body=body.encode())

    def _soft_404(self) -> Response:
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>对不起，您访问的页面不存在</title>'
            '</head><body><div class="error"><img src="/images/logo.png" alt="">'
            "<p>对不起，您访问的页面不存在或已被删除！</p>"
            '<p><a href="/">返回首页</a></p></div></body></html>'
        )
        return Response(200, body=body.encode())

    def _anti_bot(self) -> Response:
        body = (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=48711;"
            '$_ts.cd="qhxErrAlDGLqcGlrqGLqrsArqsAqWGAEW9gaWsLlcGgqhqVlqGLlrqLlhGAEEqA0kGVlr";</script>'
            '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" '
            "r='m'></script></head><body></body></html>"
        )
        return Response(
            412,
            body=body.encode(),
            headers=(("Set-Cookie", "FSSBBIl1UgzbN7N80S=pNUvqbIvEXAMPLE; Path=/; HttpOnly"),),
        )

    def _gbk_search(self, query: str) -> Response:
        want = "公告".encode("gbk")
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key == "kw" and unquote_to_bytes(value.replace("+", " ")) == want:
                top = self._by_col[_COL_INDEX["tzgg"]][:5]
                items = "".join(
                    f'<li><a href="{self._articles[i].path}">{_esc(self._articles[i].title)}</a>'
                    f"<span>{self._articles[i].date:%Y-%m-%d}</span></li>"
                    for i in top
                )
                content = f"<p>关键词“公告”的检索结果：</p><ul>{items}</ul>"
                page = self._simple_page("检索结果", "站内检索", content, charset="gb2312")
                return self._html(page, gbk=True)
        return self._not_found()

    # -- page parts ----------------------------------------------------------------------------

    def _head(self, title: str, meta: Iterable[tuple[str, str]], charset: str, extra: str = "") -> str:
        metas = "".join(f'<meta name="{k}" content="{_esc(v)}">\n' for k, v in meta)
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
            f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n{extra}'
            f"<title>{_esc(title)}</title>\n"
            f'<meta name="SiteName" content="{SITE_NAME}">\n'
            f'<meta name="SiteDomain" content="{self.site_domain}">\n'
            f'<meta name="SiteIDCode" content="{SITE_ID_CODE}">\n{metas}'
            '<link rel="stylesheet" type="text/css" href="/css/style.css">\n'
            '<script type="text/javascript" src="/js/common.js"></script>\n</head>\n'
        )

    def _nav(self, home: bool) -> str:
        items = ['<li><a href="/">首页</a></li>']
        items += [f'<li><a href="{path}">{name}</a></li>' for path, name in _NAV]
        if home:
            # The placeholders sit on the home page only, so each is one finding at one place.
            items.append('<li><a href="#">互动交流</a></li>')
            items.append("<li><a href=\"javascript:alert('该栏目正在建设中');\">数据发布</a></li>")
        return (
            '<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" '
            f'alt="{SITE_NAME}"></a></div>\n<div class="nav" id="nav"><ul>{"".join(items)}</ul></div></div>\n'
        )

    def _footer(self, home: bool) -> str:
        ext = self.external_base_url
        contact = ""
        if home:
            contact = (
                '<p>联系电话：<a href="tel:0571-87000000">0571-87000000</a>　'
                '电子邮箱：<a href="mailto:fgw@mail.example.gov.cn">fgw@mail.example.gov.cn</a>　'
                '<a href="javascript:void(0)" '
                'onclick="window.external.addFavorite(location.href,document.title)">加入收藏</a></p>\n'
            )
        return (
            '<div class="footer">\n'
            f"<p>主办单位：{SITE_NAME}　承办单位：{SITE_NAME}办公室　地址：某市人民路1号</p>\n{contact}"
            f"<p>网站标识码：{SITE_ID_CODE}　"
            f'<a href="{ext}beian/index.html" target="_blank">{ICP}</a>　'
            f'<a href="{ext}gaba/index.html?recordcode=33010002000001" target="_blank">'
            f'<img src="/images/gaba.png" alt="">{GONGAN}</a></p>\n'
            f'<p><a href="{ext}conac/sitename?method=show&amp;id=0A1B2C3D4E5F6A7B" target="_blank">'
            '<img src="/images/red.png" alt="党政机关"></a>　'
            f'<a href="{ext}jiucuo/index.html?sitecode={SITE_ID_CODE}" target="_blank">'
            '<img src="/images/jiucuo.png" alt="政府网站找错"></a></p>\n</div>\n'
        )

    def _page(self, head: str, body: str, *, home: bool = False) -> str:
        return f"{head}<body>\n{self._nav(home)}{body}{self._footer(home)}</body>\n</html>\n"

    def _simple_page(self, title: str, column: str, content: str, charset: str = "utf-8") -> str:
        head = self._head(f"{title}_{SITE_NAME}", [("ColumnName", column)], charset)
        body = (
            '<div class="position">当前位置：<a href="/">首页</a> &gt; '
            f'<span class="CurrChnlCls">{column}</span></div>\n'
            f'<div class="main"><h1>{title}</h1>{content}</div>\n'
        )
        return self._page(head, body)

    def _crumbs(self, parent: str) -> str:
        """当前位置 trail up to (not including) the current column."""
        trail = '当前位置：<a href="/">首页</a> &gt; '
        if parent:
            name, path = _PARENTS[parent]
            trail += f'<a href="{path}">{name}</a> &gt; '
        return trail

    def _items(self, ids: Iterable[int], date_fmt: str = "%Y-%m-%d") -> str:
        out = []
        for i in ids:
            a = self._articles[i]
            short = a.title if len(a.title) <= 28 else a.title[:27] + "…"
            out.append(
                f'<li><a href="{a.path}" title="{_esc(a.title)}" target="_blank">{_esc(short)}</a>'
                f"<span>{a.date.strftime(date_fmt)}</span></li>\n"
            )
        return "".join(out)

    def _hw_items(self, hi: int, n: int) -> str:
        cid = _HANWEB[hi].columnid
        return "".join(
            f'<li><a href="{it.path(cid)}" title="{_esc(it.title)}" target="_blank">{_esc(it.title)}</a>'
            f"<span>{it.date:%Y-%m-%d}</span></li>\n"
            for it in self._hanweb[hi][:n]
        )

    def _home_lists(self) -> dict[str, list[int]]:
        """Article indices of each dated home-page block (the home page is rendered from these)."""
        c, by = _COL_INDEX, self._by_col
        # Shown as [MM-DD]: only items of the last ~10 months, so the year stays unambiguous.
        recent = self.today.toordinal() - 300
        rsxx = [i for i in by[c["rsxx"]] if self._articles[i].day >= recent][:5]
        return {"gzdt": by[c["gzdt"]][:8], "tzgg": by[c["tzgg"]][:7], "zcwj": by[c["zcwj"]][:6], "rsxx": rsxx}

    def _home_dates(self) -> list[dt.date]:
        dates = [self._articles[i].date for ids in self._home_lists().values() for i in ids]
        hw = _HANWEB_INDEX["hanweb-fresh"]
        return dates + [it.date for it in self._hanweb[hw][:_HW_HOME]]

    def _home(self) -> str:
        head = self._head(SITE_NAME, [], "utf-8")
        lists = self._home_lists()
        tpxw = []
        for i in self._by_col[_COL_INDEX["tpxw"]][:4]:
            a = self._articles[i]
            img = self._assets(i)[0][0]
            tpxw.append(
                f'<li><a href="{a.path}" target="_blank"><img src="{img}" alt="{_esc(a.title)}">'
                f"<p>{_esc(a.title)}</p></a></li>\n"
            )
        hw = _HANWEB[_HANWEB_INDEX["hanweb-fresh"]]
        friends = "".join(f'<option value="{self.ext_url(p)}">{t}</option>' for p, t in _FRIENDS)
        friends += f'<option value="{self.ext_url("/lsj/index.html")}">市粮食局</option>'
        body = (
            '<a name="top" id="top"></a>\n'
            '<div class="banner"><img src="/images/banner.jpg" alt="奋力推进高质量发展"></div>\n'
            f'<div class="block"><h2><a href="/col/col{hw.columnid}/index.html">{hw.name}</a></h2>'
            f'<ul class="list">\n{self._hw_items(_HANWEB_INDEX["hanweb-fresh"], _HW_HOME)}</ul></div>\n'
            '<div class="block"><div class="tab-hd"><a href="javascript:;" class="on" '
            'onmouseover="setTab(\'one\',1,2)" id="one1">工作动态</a>'
            '<a href="javascript:;" onmouseover="setTab(\'one\',2,2)" id="one2">通知公告</a>'
            '<a href="/gzdt/index.html" class="more">更多&gt;&gt;</a></div>\n'
            f'<ul class="list" id="con_one_1">\n{self._items(lists["gzdt"])}</ul>\n'
            f'<ul class="list" id="con_one_2">\n{self._items(lists["tzgg"])}</ul></div>\n'
            '<div class="block"><h2><a href="/tpxw/index.html">图片新闻</a></h2>'
            f'<ul class="pic">\n{"".join(tpxw)}</ul></div>\n'
            '<div class="block"><h2><a href="/zcwj/index.html">政策文件</a></h2>'
            f'<ul class="list">\n{self._items(lists["zcwj"])}</ul></div>\n'
            '<div class="block"><h2><a href="/rsxx/index.html">人事信息</a></h2>'
            f'<ul class="list">\n{self._items(lists["rsxx"], "[%m-%d]")}</ul></div>\n'
            '<div class="block zt"><h2><a href="/ztzl/index.html">专题专栏</a></h2><ul>'
            '<li><a href="/ztzl/index.html">优化营商环境</a></li>'
            '<li><a href="/ztzl/bwcxljsm/index.html">“不忘初心、牢记使命”主题教育专题</a></li>'
            '<li><a href="/ztzl/dsxxjy/index.html">党史学习教育专题</a></li>'
            "</ul></div>\n"
            '<div class="side"><iframe src="/include/sidebar.html" width="280" height="360" '
            'frameborder="0" scrolling="no" title="办事服务"></iframe></div>\n'
            '<div class="links"><select onchange="window.open(this.options[this.selectedIndex].value)">'
            f'<option value="">--友情链接--</option>{friends}</select></div>\n'
            '<div class="gotop"><a href="#top"><img src="/images/top.png" alt="">返回顶部</a></div>\n'
        )
        return self._page(head, body, home=True)

    def _sidebar(self) -> str:
        links = "".join(
            f'<li><a href="/{_COLUMNS[_COL_INDEX[s]].slug}/index.html" target="_top">{t}</a></li>'
            for s, t in (("ndbg", "政府信息公开年报"), ("ghjh", "规划计划"), ("zcjd", "政策解读"))
        )
        links += "".join(
            f'<li><a href="{self.ext_url(p)}" target="_blank">{t}</a></li>' for p, t in _FRIENDS[:2]
        )
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>办事服务</title>'
            '<link rel="stylesheet" href="/css/style.css"></head>\n'
            f'<body><div class="sidebar"><h3>办事服务</h3><ul>{links}</ul></div></body></html>\n'
        )

    def _children(self, parent: str) -> list[tuple[str, str]]:
        """(path, name) of the columns filed under a 一级 column."""
        out = [(f"/{c.slug}/index.html", c.name) for c in _COLUMNS if c.parent == parent]
        out += [(f"/col/col{hw.columnid}/index.html", hw.name) for hw in _HANWEB if hw.parent == parent]
        return out

    def _column_directory(self, parent: str) -> str:
        name = _PARENTS[parent][0]
        rows = "".join(f'<li><a href="{path}">{n}</a></li>' for path, n in self._children(parent))
        if parent == "bsfw":
            rows += (
                f'<li><a href="{self.ext_url("/zjzwfw/index.html")}" target="_blank">省政务服务网</a></li>'
            )
        return f'<div class="col-nav"><h2>{name}</h2><ul>{rows}</ul></div>\n'

    def _parent_page(self, parent: str) -> str:
        # Navigation only: the 二级 columns, no items of its own, so not a column to audit.
        name = _PARENTS[parent][0]
        head = self._head(f"{name}_{SITE_NAME}", [("ColumnName", name)], "utf-8")
        body = (
            f'<div class="position">{self._crumbs("")}<span class="CurrChnlCls">{name}</span></div>\n'
            f'<div class="main">{self._column_directory(parent)}</div>\n'
        )
        return self._page(head, body)

    def _base_href_page(self) -> str:
        # Links here are relative to <base href>, not to /zwgk/: a crawler that ignores the base
        # element would report the scrolling notice's link as dead. Otherwise this 一级 page only
        # lists its 二级 columns (root-relative links, unaffected by the base).
        head = self._head(
            f"政务公开_{SITE_NAME}",
            [("ColumnName", "政务公开"), ("ColumnType", "信息公开")],
            "utf-8",
            extra='<base href="/tzgg/">\n',
        )
        a = self._articles[self._host("tzgg", 0)]
        body = (
            f'<div class="position">{self._crumbs("")}政务公开</div>\n'
            '<div class="scroll-notice">最新公告：'
            f'<a href="./{a.rel}" target="_blank">{_esc(a.title)}</a></div>\n'
            f'<div class="main">{self._column_directory("zwgk")}</div>\n'
        )
        return self._page(head, body)

    def _refresh_page(self) -> str:
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="0;url=../ndbg/index.html">'
            f"<title>政府信息公开_{SITE_NAME}</title></head>\n"
            "<body><p>页面跳转中，请稍候……</p></body></html>\n"
        )

    def _topic_page(self) -> str:
        head = self._head(
            f"优化营商环境专题_{SITE_NAME}", [("ColumnName", "优化营商环境"), ("ColumnType", "专题")], "utf-8"
        )
        items = self._items(self._by_col[_COL_INDEX["zcjd"]][:5])
        body = (
            '<div class="position">当前位置：<a href="/">首页</a> &gt; 优化营商环境专题</div>\n'
            f'<div class="main"><h1>优化营商环境专题</h1><ul class="list">\n{items}</ul></div>\n'
        )
        return self._page(head, body)

    def _list_order(self, ci: int) -> list[int]:
        """Articles in list order: a pinned one first (as 置顶 works in TRS), then newest first."""
        ids = self._by_col[ci]
        pinned = self._pinned.get(ci)
        if pinned is None:
            return ids
        return [pinned] + [i for i in ids if i != pinned]

    def _list_page(self, ci: int, k: int) -> str:
        col = _COLUMNS[ci]
        n = self._page_count(ci)
        charset = "gb2312" if col.gbk else "utf-8"
        meta = [("ColumnName", col.name)] if col.name_meta else []
        if col.column_type:
            meta.append(("ColumnType", col.column_type))
        head = self._head(f"{col.name}_{SITE_NAME}", meta, charset)
        pinned = self._pinned.get(ci)
        rows = []
        for i in self._list_order(ci)[k * PER_PAGE : (k + 1) * PER_PAGE]:
            a = self._articles[i]
            text = ("【置顶】" if i == pinned else "") + a.title
            link = f'<a href="./{a.rel}" title="{_esc(a.title)}" target="_blank">{_esc(text)}</a>'
            shown = a.date.strftime(col.date_fmt) if col.date_fmt else ""
            if col.table:
                rows.append(f'<tr><td class="bt">{link}</td><td class="rq">{shown}</td></tr>\n')
            else:
                rows.append(f"<li>{link}<span>{shown}</span></li>\n" if shown else f"<li>{link}</li>\n")
        if col.table:
            listing = (
                '<div class="list"><table class="xxgk-list">\n<tr><th>标题</th><th>发布日期</th></tr>\n'
                f"{''.join(rows)}</table></div>\n"
            )
        else:
            empty = f'<p class="no-data">{col.placeholder}</p>' if col.placeholder and not rows else ""
            listing = f'<div class="list"><ul>\n{"".join(rows)}</ul>{empty}</div>\n'
        pager = ['<a href="index.html">首页</a>']
        if k > 0:
            pager.append(f'<a href="{self._list_name(k - 1)}">上一页</a>')
        if k < n - 1:
            pager.append(f'<a href="{self._list_name(k + 1)}">下一页</a>')
        pager.append(f'<a href="{self._list_name(n - 1)}">尾页</a>')
        extra = ""
        if col.slug == "tzgg" and k == 0:
            extra = '<div class="search"><a href="/search/index.html?channel=tzgg">高级检索</a></div>\n'
        elif col.slug == "ztzl" and k == 0:
            sub = [c for c in _COLUMNS if c.parent == "ztzl"]
            links = "".join(f'<li><a href="/{c.slug}/index.html">{c.name}</a></li>' for c in sub)
            extra = f'<div class="sub-cols"><h3>往期专题</h3><ul>{links}</ul></div>\n'
        body = (
            f'<div class="position">{self._crumbs(col.parent)}'
            f'<span class="CurrChnlCls">{col.name}</span></div>\n{extra}{listing}'
            '<div class="page"><script type="text/javascript">'
            f'createPageHTML({n}, {k}, "index", "html");</script>\n{" ".join(pager)}</div>\n'
        )
        return self._page(head, body)

    def _article_page(self, i: int) -> str:
        a = self._articles[i]
        col = _COLUMNS[a.col]
        rng = random.Random(self.seed * 15_485_863 + a.docid)
        charset = "gb2312" if col.gbk else "utf-8"
        pub = f"{a.date:%Y-%m-%d} {a.minute // 60:02d}:{a.minute % 60:02d}"
        meta = [("ColumnName", col.name)]
        if col.column_type:
            meta.append(("ColumnType", col.column_type))
        meta.append(("ArticleTitle", a.title))
        if col.date_fmt:  # the guides carry no date anywhere
            meta.append(("PubDate", pub))
        meta.append(("ContentSource", SITE_NAME))
        head = self._head(f"{a.title}_{col.name}_{SITE_NAME}", meta, charset)
        if col.date_fmt:
            paras = [f"<p>{_sentences(rng, rng.randint(2, 4))}</p>" for _ in range(rng.randint(3, 6))]
            info = f"发布时间：{pub}　来源：{SITE_NAME}　"
        else:
            name = a.title.removesuffix("办事指南")
            paras = [f"<p><b>{k}：</b>{v.format(name=name)}</p>" for k, v in _GUIDE_PARTS]
            info = f"来源：{SITE_NAME}　"
        if col.slug == "zcwj":
            paras.insert(0, f"<p>某发改〔{a.date.year}〕{rng.randint(1, 180)}号</p>")
        assets = self._assets(i)
        if a.flags & _IMG:
            src = assets[0][1]
            srcset = f' srcset="{assets[1][1]} 600w, {src} 1200w"' if a.flags & _SRCSET else ""
            img = f'<img src="{src}"{srcset} alt="{_esc(a.title)}">'
            paras.insert(1, f'<p style="text-align:center">{img}</p>')
        attach = [(h, label) for p, h, label in assets if not p.endswith(".jpg")]
        if attach:
            lis = "".join(f'<li><a href="{h}">{_esc(label)}</a></li>' for h, label in attach)
            paras.append(f'<div class="attachments"><p>附件：</p><ul>{lis}</ul></div>')
        extra = self._extras.get(i, "")
        nav = []
        siblings = self._by_col[a.col]
        pos = self._pos[i]
        if pos > 0:
            p = self._articles[siblings[pos - 1]]
            nav.append(f'<p>上一篇：<a href="../{p.rel}">{_esc(p.title)}</a></p>')
        if pos < len(siblings) - 1:
            q = self._articles[siblings[pos + 1]]
            nav.append(f'<p>下一篇：<a href="../{q.rel}">{_esc(q.title)}</a></p>')
        body = (
            f'<div class="position">{self._crumbs(col.parent)}'
            f'<a href="../index.html" class="CurrChnlCls">{col.name}</a></div>\n'
            f'<div class="article"><h1>{_esc(a.title)}</h1>\n'
            f'<div class="info">{info}'
            '<a href="javascript:window.print()">打印本页</a>　'
            '<a href="javascript:window.close()">关闭窗口</a></div>\n'
            f'<div class="TRS_Editor">{"".join(paras)}</div>\n{extra}'
            f'<div class="prev-next">{"".join(nav)}</div></div>\n'
        )
        return self._page(head, body)

    # -- the Hanweb (大汉 JCMS) part -----------------------------------------------------------

    def _hw_head(self, title: str, meta: list[tuple[str, str]]) -> str:
        return self._head(
            title,
            [*meta, ("Generator", "大汉版通")],
            "utf-8",
            extra='<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n',
        )

    def _hw_nextgroup(self, hw: _HwCol, page: int) -> str:
        # Raw '&' and Chinese, as Hanweb writes it: the link sits in CDATA, never HTML-parsed.
        return (
            f'<a href="{_DATAPROXY}?page={page}&appid=1&webid={_HW_WEBID}&path=/&columnid={hw.columnid}'
            f'&unitid={hw.unitid}&webname={SITE_NAME}&permissiontype=0"></a>'
        )

    def _hw_records(self, hi: int, start: int, end: int) -> str:
        """<record>s for items start..end (1-based, inclusive), as the list page and dataproxy ship them."""
        cid = _HANWEB[hi].columnid
        return "".join(
            f'<record><![CDATA[<li><a href="{it.path(cid)}" title="{_esc(it.title)}" target="_blank">'
            f"{_esc(it.title)}</a><span>{it.date:%Y-%m-%d}</span></li>]]></record>\n"
            for it in self._hanweb[hi][start - 1 : end]
        )

    def _hanweb_list(self, hi: int) -> str:
        hw = _HANWEB[hi]
        total = len(self._hanweb[hi])
        head = self._hw_head(f"{hw.name}_{SITE_NAME}", [("ColumnName", hw.name)])
        # The embedded store states its count only when there is nothing to fetch; otherwise the
        # count is in the jpage call, as on real JCMS templates.
        counts = "" if total else "<totalrecord>0</totalrecord><totalpage>0</totalpage>\n"
        store = (
            f'<div id="{hw.unitid}"><script type="text/xml"><datastore>\n{counts}'
            f"<nextgroup><![CDATA[{self._hw_nextgroup(hw, 1)}]]></nextgroup>\n"
            f"<recordset>\n{self._hw_records(hi, 1, _HW_EMBEDDED)}</recordset>\n"
            "</datastore></script></div>\n"
        )
        init = (
            '<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>\n'
            '<script type="text/javascript">$(document).ready(function(){'
            f"$('#{hw.unitid}').jpage({{themeName:'default',showMode:'full',dataStore:null,"
            f"dataBefore:'<ul class=\"list\">',dataAfter:'</ul>',totalRecord:{total},"
            f"perPage:{_HW_PER_PAGE},groupSize:1,proxyUrl:'{_DATAPROXY}',barPosition:'bottom',"
            f"ajaxParam:{{col:1,appid:1,webid:{_HW_WEBID},path:'/',columnid:{hw.columnid},"
            f"sourceContentType:1,unitid:{hw.unitid},webname:'{SITE_NAME}',permissiontype:0}}}});"
            "});</script>\n"
        )
        body = (
            f'<div class="position">{self._crumbs(hw.parent)}'
            f'<a href="/col/col{hw.columnid}/index.html">{hw.name}</a></div>\n'
            f'<div class="main"><div class="list-hd"><h2>{hw.name}</h2></div>\n{store}{init}</div>\n'
        )
        return self._page(head, body)

    def _hanweb_article(self, hi: int, k: int) -> str:
        hw = _HANWEB[hi]
        items = self._hanweb[hi]
        it = items[k]
        rng = random.Random(self.seed * 15_485_863 + it.artid)
        pub = f"{it.date:%Y-%m-%d} {it.minute // 60:02d}:{it.minute % 60:02d}"
        head = self._hw_head(
            f"{it.title}_{hw.name}_{SITE_NAME}",
            [
                ("ColumnName", hw.name),
                ("ArticleTitle", it.title),
                ("PubDate", pub),
                ("ContentSource", SITE_NAME),
            ],
        )
        paras = "".join(f"<p>{_sentences(rng, rng.randint(2, 4))}</p>" for _ in range(rng.randint(3, 5)))
        # Ordinary links between neighbours: every record stays reachable without running scripts.
        nav = []
        if k > 0:
            p = items[k - 1]
            nav.append(f'<p>上一篇：<a href="{p.path(hw.columnid)}">{_esc(p.title)}</a></p>')
        if k < len(items) - 1:
            q = items[k + 1]
            nav.append(f'<p>下一篇：<a href="{q.path(hw.columnid)}">{_esc(q.title)}</a></p>')
        body = (
            f'<div class="position">{self._crumbs(hw.parent)}'
            f'<a href="/col/col{hw.columnid}/index.html">{hw.name}</a></div>\n'
            f'<div class="article"><h1>{_esc(it.title)}</h1>\n'
            f'<div class="info">发布日期：{pub}　来源：{SITE_NAME}</div>\n'
            f'<div class="zoom">{paras}</div>\n<div class="prev-next">{"".join(nav)}</div></div>\n'
        )
        return self._page(head, body)

    def _dataproxy(self, query: str, body: bytes) -> Response:
        """The JCMS jpage endpoint: records startrecord..endrecord (or page N) of a column.

        Parameters may come in the query, the form body or both. Malformed or missing numbers
        fall back to defaults and an unknown column has no records, as the real servlet answers
        rather than failing: nothing here is a broken link.
        """
        params = dict(parse_qsl(query, keep_blank_values=True))
        for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            params.setdefault(key, value)

        def number(key: str, default: int) -> int:
            value = params.get(key, "").strip()
            return int(value) if value.isdigit() else default

        hi = next((i for i, hw in enumerate(_HANWEB) if hw.columnid == number("columnid", -1)), None)
        total = len(self._hanweb[hi]) if hi is not None else 0
        per_page = max(1, number("perpage", _HW_PER_PAGE))
        if "startrecord" in params:
            start = max(1, number("startrecord", 1))
            end = number("endrecord", start + per_page - 1)
        else:
            page = max(1, number("page", 1))
            start, end = (page - 1) * per_page + 1, page * per_page
        end = min(end, total)
        pages = -(-total // per_page)
        records = self._hw_records(hi, start, end) if hi is not None and start <= end else ""
        nextgroup = ""
        if hi is not None:
            nextgroup = self._hw_nextgroup(_HANWEB[hi], min(max(pages, 1), end // per_page + 1))
        xml = (
            f"<datastore>\n<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}</recordset>\n</datastore>\n"
        )
        return Response(200, "text/xml; charset=utf-8", xml.encode("utf-8"))

    def _render_sitemap(self) -> Response:
        urls = [self.base_url]
        urls += [self.url(path) for key, (_, path) in _PARENTS.items() if key != "ztzl"]
        urls += [self.url(f"/{c.slug}/index.html") for c in _COLUMNS]
        urls += [self.url(self._articles[i].path) for ids in self._by_col for i in ids]
        for hi, hw in enumerate(_HANWEB):
            urls.append(self.url(f"/col/col{hw.columnid}/index.html"))
            urls += [self.url(it.path(hw.columnid)) for it in self._hanweb[hi]]
        rows = "".join(f"<url><loc>{_esc(u)}</loc></url>\n" for u in urls)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
        )
        return Response(200, "application/xml", body.encode())


_R_LIST = 0
_R_ARTICLE = 1
_R_ASSET = 2
_R_HW_COL = 3
_R_HW_ART = 4

# Paths of the external site that answer 200 (everything else there is 404, /ggzy/ is 412).
_FRIENDS: tuple[tuple[str, str], ...] = (
    ("/gov/index.html", "中国政府网"),
    ("/ndrc/index.html", "国家发展和改革委员会"),
    ("/zjfgw/index.html", "省发展和改革委员会"),
    ("/zjzwfw/index.html", "省政务服务网"),
    ("/tjj/index.html", "市统计局"),
)
_EXT_OK: dict[str, str] = dict(_FRIENDS) | {
    "/beian/index.html": "ICP/IP地址/域名信息备案管理系统",
    "/gaba/index.html": "全国互联网安全管理服务平台",
    "/conac/sitename": "党政机关网站标识",
    "/jiucuo/index.html": "政府网站找错",
}


def _defect(
    id: str,
    url: str,
    referrer: str,
    text: str,
    raw: str,
    outcome: Outcome,
    kind: FindingKind | None,
    note: str,
    *,
    element: str = "a",
    attribute: str = "href",
) -> PlantedDefect:
    return PlantedDefect(id, url, referrer, element, text, outcome, kind, note, attribute, raw)


def _static(content_type: str, body: bytes) -> Callable[[str], Response]:
    return lambda q: Response(200, content_type, body)


def _redirect(status: int, location: str) -> Response:
    body = f'<html><body><a href="{location}">Moved</a></body></html>'.encode()
    return Response(status, body=body, headers=(("Location", location),))
