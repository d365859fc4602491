"""The sample portal's planted defects and healthy traps as a table, and the manifests built from it.

Each :class:`Plant` row is one link a correct audit must report (or, for a control, must not):
where it sits, the attribute value as the page writes it, what the portal answers at its target
and what the audit must conclude. The portal renders the links of rows hosted on articles from
this table, registers each row's :class:`Answer` as a route, and ``manifest``/``controls`` are
the same rows resolved to absolute URLs, so page, server and expectation cannot drift apart.

Values are ``str.format`` templates over the date and the portal's addresses (see
:func:`format_context`): ``{year}``, ``{last_year}``, ``{old}`` (a date 100 days ago),
``{three_years_ago}``, ``{ext}`` (the external site's root URL), ``{refused}``, ``{host}`` (the
article or Hanweb record holding the link) and ``{newest_tzgg}`` (the newest 通知公告 article).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import urljoin

from sitecheck.demo.catalog import COLUMNS, HANWEB, PARENTS, Layout
from sitecheck.models import ColumnCategory, FindingKind, Outcome

__all__ = [
    "ARTICLE_HOSTS",
    "BLOCKS",
    "PLANTS",
    "Answer",
    "Attachment",
    "Behaviour",
    "Block",
    "ColumnFacts",
    "ListRow",
    "OnArticle",
    "OnHanwebRecord",
    "Plant",
    "PlantedColumn",
    "PlantedDefect",
    "Redirect",
    "RedirectLoop",
    "SimplePage",
    "SoftNotFound",
    "column_manifest",
    "format_context",
    "planted_defect",
]


class Behaviour(StrEnum):
    """How the server must deliver a response beyond sending it."""

    NORMAL = "normal"
    SLOW = "slow"  # answer only after the server's slow_seconds
    RATE_LIMIT_ONCE = "rate_limit_once"  # 429 + Retry-After to the first request, then this
    NO_HEAD = "no_head"  # HEAD is refused with 405, GET works


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
    # How its page is built (catalog.Layout): "iframe" columns list inside a framed document;
    # a "single" column is one page of text, ``items`` 1 when it has its text and 0 when blank,
    # ``newest`` None either way (such a page is judged on being blank, never on a date).
    layout: str = "trs"

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
            "layout": self.layout,
        }


# --- what the portal answers at a planted target ---------------------------------------------


class SoftNotFound(NamedTuple):
    """200 text/html whose page says 页面不存在."""


class Attachment(NamedTuple):
    extension: str  # a key of catalog.ATTACH_BODIES
    behaviour: Behaviour = Behaviour.NORMAL


class SimplePage(NamedTuple):
    title: str
    column: str  # the 当前位置 crumb and ColumnName
    content: str  # HTML of the page's main area
    behaviour: Behaviour = Behaviour.NORMAL


class Redirect(NamedTuple):
    status: int
    location: str


class RedirectLoop(NamedTuple):
    """302 to ``partner``, which 302s straight back."""

    partner: str


Answer = SoftNotFound | Attachment | SimplePage | Redirect | RedirectLoop


# --- the table --------------------------------------------------------------------------------


class OnArticle(NamedTuple):
    """The ``nth`` newest article of a column (0 is the newest)."""

    column: str  # slug
    nth: int


class OnHanwebRecord(NamedTuple):
    """The ``nth`` newest record of a Hanweb column, in its page's datastore and in the dataproxy."""

    column: str  # HanwebColumn.id
    nth: int


class ListRow(NamedTuple):
    """An extra row at the end of list page ``page`` of a column, dated by the context value ``date``.

    The row is an item of the column like any other (the column manifest counts it); only its
    target is planted.
    """

    column: str  # slug
    page: int
    date: str  # a key of format_context

    @property
    def path(self) -> str:
        return f"/{self.column}/" + ("index.html" if self.page == 0 else f"index_{self.page}.html")


class Block(NamedTuple):
    """The box after an article's text that holds the links planted on that article."""

    host: OnArticle
    css_class: str
    heading: str
    heading_tag: str = "h3"


class Plant(NamedTuple):
    """One planted link. ``host`` is an article, a Hanweb record, a list row, or the site path of a
    page whose template writes it."""

    id: str
    host: OnArticle | OnHanwebRecord | ListRow | str
    raw: str  # the attribute value as written in the page
    text: str  # link text (or alt text); "" where the element has none
    outcome: Outcome
    kind: FindingKind | None
    note: str
    control: bool = False  # a healthy trap: listed in ``controls``, never reported
    element: str = "a"
    attribute: str = "href"
    new_window: bool = False  # target="_blank"
    # Where the link leads, when ``raw`` does not say it plainly (script, meta refresh, <base>, a
    # GBK query); a site path, or an absolute URL. A trailing query is kept as written.
    target: str = ""
    answer: Answer | None = None  # None: the portal has no such page (404), or a page of its own answers


# Articles hosting planted links: the 2nd..6th newest of their columns, so every column keeps
# ordinary articles before and after them (MIN_ARTICLES guarantees enough).
_NEWS_3 = OnArticle("gzdt", 3)
_NOTICE_2 = OnArticle("tzgg", 2)
_READING_2 = OnArticle("zcjd", 2)
_STAFF_1 = OnArticle("rsxx", 1)
_NEWS_5 = OnArticle("gzdt", 5)
_POLICY_1 = OnArticle("zcwj", 1)

BLOCKS: tuple[Block, ...] = (
    Block(_NEWS_3, "related", "相关阅读"),
    Block(_NOTICE_2, "attachments", "附件：", heading_tag="p"),
    Block(_READING_2, "related", "相关链接"),
    Block(_STAFF_1, "related", "办事服务"),
    Block(_NEWS_5, "related", "互动与专题"),
    Block(_POLICY_1, "related", "相关文件"),
)

_NF, _DEAD, _HOME_DEAD = Outcome.NOT_FOUND, FindingKind.DEAD_LINK, FindingKind.DEAD_LINK_HOME

# Rows in page order: the links of one block appear in the block in table order.
PLANTS: tuple[Plant, ...] = (
    Plant(
        "dead-image",
        _NEWS_3,
        "./W0{host.date:%Y%m%d}{host.docid}99.jpg",
        "调研现场",
        _NF,
        _DEAD,
        "img src relative to the article directory",
        element="img",
        attribute="src",
    ),
    Plant(
        "dead-internal-page",
        _NEWS_3,
        "/tzgg/{old:%Y%m}/t{old:%Y%m%d}_3999001.html",
        "关于做好{last_year}年度统计工作的通知",
        _NF,
        _DEAD,
        "deleted article at a TRS-style URL",
        new_window=True,
    ),
    Plant(
        "soft-404-page",
        _NEWS_3,
        "../{old:%Y%m}/t{old:%Y%m%d}_3999002.html",
        "市发展改革委召开全市价格监测工作会议",
        Outcome.SOFT_404,
        _DEAD,
        "200 page titled 对不起，您访问的页面不存在 at an article URL",
        new_window=True,
        answer=SoftNotFound(),
    ),
    Plant(
        "moved-301",
        _NEWS_3,
        "/zwdt/index.html",
        "更多工作动态",
        Outcome.OK,
        None,
        "301 to /gzdt/index.html",
        control=True,
        answer=Redirect(301, "/gzdt/index.html"),
    ),
    Plant(
        "chinese-attachment",
        _NOTICE_2,
        "/attach/{year}/{year}年度重点项目申报汇总表.xls",
        "1.{year}年度重点项目申报汇总表.xls",
        Outcome.OK,
        None,
        "Chinese file name served at the UTF-8 percent-encoded path",
        control=True,
        answer=Attachment("xls"),
    ),
    Plant(
        "soft-404-attachment",
        _NOTICE_2,
        "./P0{host.date:%Y%m%d}{host.docid}2.doc",
        "2.申报书模板.doc",
        Outcome.SOFT_404,
        _DEAD,
        ".doc answering 200 text/html 页面不存在",
        answer=SoftNotFound(),
    ),
    Plant(
        "head-405-attachment",
        _NOTICE_2,
        "./P0{host.date:%Y%m%d}{host.docid}3.pdf",
        "3.实施细则.pdf",
        Outcome.OK,
        None,
        "HEAD answers 405, GET 200 (pdf)",
        control=True,
        answer=Attachment("pdf", Behaviour.NO_HEAD),
    ),
    Plant(
        "dead-attachment",
        _NOTICE_2,
        "/attach/{last_year}/关于开展{last_year}年度网站自查工作的通知.pdf",
        "4.关于开展{last_year}年度网站自查工作的通知.pdf",
        _NF,
        _DEAD,
        "Chinese file name, UTF-8 percent-encoded; 404 for HEAD and GET",
    ),
    Plant(
        "dead-external",
        _READING_2,
        "{ext}xyzg/index.html",
        "信用中国（某市）",
        _NF,
        _DEAD,
        "the external site answers 404",
        new_window=True,
    ),
    Plant(
        "blocked-412",
        _READING_2,
        "{ext}ggzy/index.html",
        "某市公共资源交易中心",
        Outcome.BLOCKED,
        FindingKind.UNVERIFIED_LINK,
        "瑞数-style 412 challenge ($_ts) on the external site: could not verify, not dead",
        new_window=True,
    ),
    Plant(
        "connection-refused",
        _READING_2,
        "{refused}",
        "某市市民卡服务网",
        Outcome.CONNECTION_ERROR,
        _DEAD,
        "a port held bound but not listening",
        new_window=True,
    ),
    Plant(
        "timeout",
        _STAFF_1,
        "/slow/tjsj/index.html",
        "统计数据查询",
        Outcome.TIMEOUT,
        _DEAD,
        "answers only after the server's slow_seconds",
        answer=SimplePage("统计数据查询", "统计数据", "<p>数据加载完成。</p>", Behaviour.SLOW),
    ),
    Plant(
        "redirect-loop",
        _STAFF_1,
        "/redirect/a.html",
        "网上办事大厅",
        Outcome.REDIRECT_ERROR,
        _DEAD,
        "a.html -302-> b.html -302-> a.html",
        answer=RedirectLoop("/redirect/b.html"),
    ),
    Plant(
        "rate-limited-once",
        _STAFF_1,
        "/bsfw/bszn.html",
        "办事指南",
        Outcome.OK,
        None,
        "429 + Retry-After: 1 to the first request, then 200: must NOT be reported",
        # Named after its parent, not 办事指南: that is the name of the (undated) guide column.
        answer=SimplePage("办事指南", "办事服务", "<p>请选择办理事项。</p>", Behaviour.RATE_LIMIT_ONCE),
    ),
    Plant(
        "dead-js-window-open",
        _NEWS_5,
        "javascript:window.open('/hdjl/zxft/index.html')",
        "在线访谈",
        _NF,
        _DEAD,
        "URL inside href=\"javascript:window.open('…')\"",
        target="/hdjl/zxft/index.html",
    ),
    Plant(
        "dead-onclick",
        _NEWS_5,
        "location.href='/hdjl/myzj/index.html'",
        "民意征集",
        _NF,
        _DEAD,
        "URL inside onclick=\"location.href='…'\" (href is javascript:void(0))",
        attribute="onclick",
        target="/hdjl/myzj/index.html",
    ),
    Plant(
        "chinese-path",
        _NEWS_5,
        "/zt/营商环境/index.html",
        "优化营商环境专题",
        Outcome.OK,
        None,
        "served at the UTF-8 percent-encoded path",
        control=True,
        new_window=True,
    ),
    Plant(
        "dead-gbk-link",
        _POLICY_1,
        "../{three_years_ago:%Y%m}/t{three_years_ago:%Y%m%d}_3999003.html",
        "关于印发某市节能审查办法的通知",
        _NF,
        _DEAD,
        "on a GBK page: the Chinese link text must decode correctly",
        new_window=True,
    ),
    Plant(
        "gbk-query",
        _POLICY_1,
        "/search.html?kw=公告",
        "查看更多公告",
        Outcome.OK,
        None,
        "query must be encoded in the page's GBK; the UTF-8 form gets 404",
        control=True,
        target="/search.html?kw=%B9%AB%B8%E6",
    ),
    Plant(
        "dead-cdata-image",
        OnHanwebRecord("hanweb-fresh", 1),
        "/picture/0/{host.date:%y%m%d}0930{host.artid}.jpg",
        "{host.title}",
        _NF,
        _DEAD,
        "thumbnail <img src> inside a Hanweb <record><![CDATA[…]]></record> (page datastore and dataproxy); "
        "url's referrer is the column page",
        element="img",
        attribute="src",
    ),
    Plant(
        "dead-hanyun-list-row",
        ListRow("gfxwj", 2, "three_years_ago"),
        "./{three_years_ago:%Y%m}/t{three_years_ago:%Y%m%d}_3999004.html",
        "某市发展和改革委员会关于废止部分规范性文件的决定",
        _NF,
        _DEAD,
        "a deleted document still listed on the GBK 规范性文件 list's third page, reachable only through "
        'the TRS 海云 createPageHTML("page_div", …) pager',
        new_window=True,
    ),
    # Written by the templates of the pages named as hosts (they take raw and text from here).
    # A menu entry that opens nothing and names a column is reported once, as 空白栏目 (a column
    # with a name and no content, judge/links.split_placeholders); the rows keep the link kind
    # UNAVAILABLE_LINK to say what was planted: a placeholder link.
    Plant(
        "placeholder-hash",
        "/",
        "#",
        "互动交流",
        Outcome.NOT_CHECKABLE,
        FindingKind.UNAVAILABLE_LINK,
        'header nav entry href="#"; url is the page holding it',
        target="/",
    ),
    Plant(
        "placeholder-js-alert",
        "/",
        "javascript:alert('该栏目正在建设中');",
        "数据发布",
        Outcome.NOT_CHECKABLE,
        FindingKind.UNAVAILABLE_LINK,
        "header nav entry javascript:alert(…建设中); url is the page holding it",
        target="/",
    ),
    Plant(
        "dead-home-link",
        "/",
        "/ztzl/bwcxljsm/index.html",
        "“不忘初心、牢记使命”主题教育专题",
        _NF,
        _HOME_DEAD,
        "removed special topic still linked from the home page",
    ),
    Plant(
        "iframe-sidebar",
        "/",
        "/include/sidebar.html",
        "",
        Outcome.OK,
        None,
        "frame document with links",
        control=True,
        element="iframe",
        attribute="src",
    ),
    Plant(
        "dead-select-option",
        "/",
        "{ext}lsj/index.html",
        "市粮食局",
        _NF,
        _HOME_DEAD,
        "友情链接 <select> option: a merged agency's site",
        element="option",
        attribute="value",
    ),
    Plant(
        "robots-disallowed",
        "/tzgg/index.html",
        "/search/index.html?channel=tzgg",
        "高级检索",
        Outcome.ROBOTS_DISALLOWED,
        FindingKind.UNVERIFIED_LINK,
        "robots.txt Disallow: /search/ (the page itself would answer 200)",
    ),
    Plant(
        "meta-refresh",
        "/zfxxgk/index.html",
        "0;url=../ndbg/index.html",
        "",
        Outcome.OK,
        None,
        "meta refresh to the annual reports",
        control=True,
        element="meta",
        attribute="content",
        target="/ndbg/index.html",
    ),
    Plant(
        "base-href",
        "/zwgk/index.html",
        "./{newest_tzgg.rel}",
        "",
        Outcome.OK,
        None,
        'relative to <base href="/tzgg/">, not to the page',
        control=True,
        target="{newest_tzgg.path}",
    ),
)

ARTICLE_HOSTS: frozenset[OnArticle] = frozenset(b.host for b in BLOCKS)


def format_context(today: dt.date, external_base_url: str, refused_url: str) -> dict[str, object]:
    """The values a row's templates may use, except ``host`` and ``newest_tzgg`` (articles)."""
    return {
        "year": today.year,
        "last_year": today.year - 1,
        "old": today - dt.timedelta(days=100),
        "three_years_ago": dt.date(today.year - 3, 5, 10),
        "ext": external_base_url,
        "refused": refused_url,
    }


def planted_defect(
    plant: Plant, context: Mapping[str, object], host_path: str, site_url: Callable[[str], str]
) -> PlantedDefect:
    """The manifest entry of a row; ``host_path`` is the site path of the page holding the link."""
    raw = plant.raw.format(**context)
    target = plant.target.format(**context) or urljoin(host_path, raw)
    if "://" not in target:
        path, _, query = target.partition("?")
        target = site_url(path) + (f"?{query}" if query else "")
    return PlantedDefect(
        id=plant.id,
        url=target,
        referrer=site_url(host_path),
        element=plant.element,
        text=plant.text.format(**context),
        outcome=plant.outcome,
        kind=plant.kind,
        note=plant.note,
        attribute=plant.attribute,
        raw=raw,
    )


class ColumnFacts(NamedTuple):
    """What generation produced for one column."""

    url: str  # absolute URL of its first list page
    newest: dt.date | None
    items: int


_TOPIC_PAGE = (
    "topic-page",
    "优化营商环境",
    ColumnCategory.TOPIC,
    None,
    "",
    "a one-page 专题 (ColumnType 专题) at a Chinese path, listing 政策解读 items",
    Layout.TOPIC,
)


def column_manifest(facts: Mapping[str, ColumnFacts]) -> list[PlantedColumn]:
    """Every column's expected finding: the column tables joined with ``facts`` by column id."""
    rows = [(c.id, c.name, c.category, c.kind, c.parent, c.note, c.layout) for c in COLUMNS]
    rows.append(_TOPIC_PAGE)
    rows += [(hw.id, hw.name, hw.category, hw.kind, hw.parent, hw.note, Layout.HANWEB) for hw in HANWEB]
    return [
        PlantedColumn(
            id=id_,
            url=facts[id_].url,
            name=name,
            category=category,
            newest=facts[id_].newest,
            items=facts[id_].items,
            kind=kind,
            parent=PARENTS[parent][0] if parent else None,
            note=note,
            layout=str(layout),
        )
        for id_, name, category, kind, parent, note, layout in rows
    ]
