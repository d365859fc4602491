"""Column (栏目) list pages: their items, dates, pagination and emptiness.

Pure functions over an already-parsed page. The audit needs, per column, the newest displayed
publish date (栏目不更新) and whether the column has any item at all (空白栏目), so this module
answers: is the page's main content a list of linked, dated items; which items; how many further
list pages there are; and whether the page only shows a 暂无信息-style placeholder.

Blocks are found where links repeat (the parent of the rows that hold links) and scored by how
many of those rows show a date, so a 20-row 通知公告 list beats a 60-link footer, and site chrome
(header/nav/footer by tag, id or class) counts for little. CMS-specific knowledge is limited to
what the DOM does not show: TRS pager scripts, Hanweb's list records shipped as XML inside a
``<script>`` and its dataproxy endpoint. Per-node Python work is kept to links, dated texts and a
few lexbor CSS queries, because this runs on every crawled page.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.extract import bound_markup
from sitecheck.extract.dates import scan_dates, url_date
from sitecheck.extract.links import holds_links, script_urls
from sitecheck.urls import resolve

__all__ = [
    "EMPTY_PLACEHOLDERS",
    "ColumnItem",
    "DataproxyPage",
    "DataproxyRequest",
    "ListingFacts",
    "analyse_listing",
    "dataproxy_requests",
    "detect_cms",
    "pagination_urls",
    "parse_dataproxy_xml",
]

DateSource = Literal["text", "url", "none"]
NameSource = Literal["meta", "breadcrumb", "title", "none"]


@dataclass(frozen=True, slots=True)
class ColumnItem:
    """One entry of a column list."""

    title: str
    url: str | None  # absolute; None for javascript:/#/empty hrefs and unresolvable onclick rows
    date: date | None
    date_source: DateSource  # "text": shown on the page; "url": read from the item URL only


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """What one page says about the column it shows."""

    page_url: str
    name: str
    name_source: NameSource
    items: tuple[ColumnItem, ...]
    newest: date | None  # max item date not after today (pinned 置顶 items are old; typos are future)
    pagination: tuple[str, ...]  # absolute URLs of the further list pages, in page order
    total_pages: int | None
    total_records: int | None
    placeholder: str | None  # the 暂无信息-style text shown in the main content, if any
    cms: str  # trs, hanweb, nfcms, ucap, generic
    is_listing: bool
    breadcrumb: tuple[str, ...]
    column_type_meta: str | None
    # Why part of the page was left out of this analysis (too many links or records), in a
    # short Chinese sentence for the report; "" when all of it was read.
    limited: str = ""

    @property
    def is_empty(self) -> bool:
        """A column list page that lists nothing (空白栏目 candidate)."""
        return self.is_listing and not self.items and (self.total_records or 0) == 0


# Texts CMS templates show when a column has no rows. Longer phrases first, so the reported
# placeholder is the most specific one present.
EMPTY_PLACEHOLDERS: tuple[str, ...] = (
    "网站此栏目正在建设中",
    "本栏目正在建设中",
    "该栏目正在建设中",
    "此栏目正在建设中",
    "栏目正在建设中",
    "该栏目暂无文章",
    "该栏目暂无数据",
    "该栏目暂无信息",
    "该栏目暂无内容",
    "本栏目暂无信息",
    "本栏目暂无内容",
    "暂无相关信息",
    "暂无相关数据",
    "暂无信息",
    "暂无数据",
    "暂无内容",
    "暂无记录",
    "暂无文章",
    "没有找到相关记录",
    "正在建设中",
)

# ---------------------------------------------------------------------------------------------
# Page walk

# Subtrees whose text is never shown as page content.
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option", "textarea"})
_CHROME_TAGS = frozenset({"header", "footer", "nav"})
_CHROME_WORDS = (
    "head|header|top|topbar|toolbar|nav|navs|navbar|menu|menus|mainmenu|foot|footer|bottom|"
    "copyright|banner|daohang|yqlj|friendlink|sitemap"
)
# Site chrome by id/class: whole words (bounded by space, -, _, a digit or a camelCase hump) so
# that "news-list" or "headline" do not qualify, plus words unambiguous anywhere in a name.
_CHROME_HOOK = re.compile(
    rf"(?:^|(?<=[\s_\-]))(?i:{_CHROME_WORDS})(?=$|[\s_\-\dA-Z])"
    rf"|(?<=[a-z])(?:{'|'.join(word.capitalize() for word in _CHROME_WORDS.split('|'))})(?=$|[\s_\-\dA-Z])"
    r"|(?i:header|footer|navbar|copyright|topbar|topnav|mainnav|daohang)"
)
_CRUMB_HOOK = re.compile(
    r"crumb|position|location|currentloc|curpos|dqwz|weizhi|(?:^|[\s_-])pos(?:$|[\s_-])|path",
    re.IGNORECASE,
)
_CRUMB_LABEL = re.compile(r"(?:[您你]?(?:当前|现在)(?:所在|的)?|所在)的?位置\s*[:：]?|当前页\s*[:：]")
# The leading blanks are taken only from the start of a run: "\s*" tried at every position of a
# long run of blanks that no separator follows is quadratic.
_CRUMB_SEP = re.compile(r"(?:(?<!\s)\s++)?(?:->|—>|>>|>|»|›|→|＞|/|\\)\s*+")
# How far above a link its row may start (a > span > div > li covers the usual list markup).
_ROW_DEPTH = 4
# How far above a date text its row may start.
_DATE_DEPTH = 6
_MAX_ROW_LINKS = 3
# Links are counted this far up, so that a row's count includes links nested deeper in it than
# the row search reaches.
_COUNT_DEPTH = 8
# Quick filter before running the date scanner on a text node.
_DATEISH = re.compile(r"\d{1,4}\s?[-/.年月]\s?\d")
_MAX_DATE_CELL = 30


def _is_chrome(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    if node.tag in _CHROME_TAGS:
        return True
    hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
    return _CHROME_HOOK.search(hook) is not None


def _collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass(slots=True)
class _Link:
    node: LexborNode
    order: int
    chrome: bool
    path: tuple[LexborNode, ...]  # the link's ancestors, nearest first, at most _ROW_DEPTH
    text: str
    href: str | None  # as written; None for script pseudo-links
    title: str  # the title attribute


@dataclass(slots=True)
class _Walk:
    links: list[_Link]
    link_counts: dict[int, int]  # element mem_id -> links under it (within _COUNT_DEPTH levels)
    dated: set[int]  # mem_ids of elements with a shown date (not after today) somewhere under them
    prose: int  # characters of running text outside links and site chrome
    placeholder: str | None
    pub_line: bool  # a 发布时间：/发布日期： metadata line, as articles carry under their title
    crumbs: list[LexborNode]
    pager_links: list[LexborNode]
    texts: list[str]  # visible texts, for 共N页/共N条 totals
    ignored_links: int = 0  # links beyond _MAX_LISTING_LINKS, left out of the analysis


_PAGER_WORDS = frozenset({"下一页", "下页", "尾页", "末页", "最后一页", "上一页", "上页", "首页", "第一页"})
_NEXT_WORDS = frozenset({"下一页", "下页"})
_LAST_WORDS = frozenset({"尾页", "末页", "最后一页"})
# Pre-filters (evaluated by lexbor, not Python) for the id/class hooks checked precisely below.
_CHROME_CSS = ", ".join(
    ["header", "footer", "nav"]
    + [
        f"[{attr}*={word} i]"
        for attr in ("class", "id")
        for word in (
            "head",
            "top",
            "nav",
            "menu",
            "foot",
            "bottom",
            "copyright",
            "banner",
            "daohang",
            "yqlj",
            "link",
            "sitemap",
        )
    ]
)
_CRUMB_CSS = ", ".join(
    f"[{attr}*={word} i]"
    for attr in ("class", "id")
    for word in ("crumb", "pos", "loc", "dqwz", "weizhi", "path")
)
_YEAR = re.compile(r"(?:19|20)\d{2}")
# Page and record counts are read from the page. More digits than this is no count (and int()
# refuses strings of over 4,300 digits outright).
_MAX_DIGITS = 18


def _count_value(digits: str) -> int | None:
    """A count written on the page, or None when it is too long to be one."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else None


# onclick on containers and controls is behaviour, not a link to an item.
_NOT_LINK_TAGS = frozenset(
    {
        "input",
        "button",
        "img",
        "span",
        "i",
        "body",
        "html",
        "li",
        "ul",
        "ol",
        "div",
        "table",
        "tbody",
        "tr",
        "form",
    }
)


@functools.lru_cache(maxsize=16)
def _placeholder_pattern(placeholders: tuple[str, ...]) -> re.Pattern[str]:
    if not placeholders:
        return re.compile(r"(?!)")
    return re.compile("|".join(re.escape(p) for p in placeholders))


def _walk(root: LexborNode, today: date, placeholders: tuple[str, ...]) -> _Walk:
    chrome_nodes = [node for node in root.css(_CHROME_CSS) if _is_chrome(node, node.attributes)]
    chrome_roots = {node.mem_id for node in chrome_nodes}
    # Nested chrome blocks hold nothing their outermost one does not: querying each of them
    # is quadratic when a page nests thousands.
    outer_chrome = list(_outermost(chrome_nodes, chrome_roots))
    chrome_links: set[int] = set()
    for node in outer_chrome:
        chrome_links.update(a.mem_id for a in node.css(_LINK_CSS))
    placeholder_re = _placeholder_pattern(placeholders)
    # Placeholders count outside site chrome only; the root itself never makes a text chrome.
    chrome_above = chrome_roots - {root.mem_id}
    chrome_memo: dict[int, bool] = {}
    hooked: list[LexborNode] = []
    crumbs: list[LexborNode] = []  # stronger evidence: a 当前位置 label or TRS CurrChnlCls links
    for node in root.css(_CRUMB_CSS):
        attrs = node.attributes
        hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
        style = (attrs.get("style") or "").replace(" ", "").lower()
        if _CRUMB_HOOK.search(hook) and "display:none" not in style:
            hooked.append(node)

    links: list[_Link] = []
    link_counts: dict[int, int] = {}
    pager_links: list[LexborNode] = []
    root_id = root.mem_id
    seen_links: set[int] = set()
    text_left = _TEXT_BUDGET
    candidates = root.css(_LINK_CSS)
    # Per-link work is most of this module's cost (about 50 µs a link with its row): a page
    # with tens of thousands of links is read up to a bound, and says so.
    ignored = max(len(candidates) - _MAX_LISTING_LINKS, 0)
    for node in candidates[:_MAX_LISTING_LINKS]:
        if node.mem_id in seen_links:
            continue
        seen_links.add(node.mem_id)
        tag = node.tag
        if tag in _NOT_LINK_TAGS:
            # onclick on containers and controls is behaviour, not a link to an item.
            continue
        path: list[LexborNode] = []
        parent = node.parent
        # The HTML parser never nests <a> in <a>; only an onclick element can sit in a link.
        check_nesting = tag != "a"
        inside_link = False
        while parent is not None and len(path) < _COUNT_DEPTH and parent.mem_id != root_id:
            if check_nesting and parent.tag == "a":
                inside_link = True
                break
            path.append(parent)
            parent = parent.parent
        if inside_link:
            continue
        for ancestor in path:
            key = ancestor.mem_id
            link_counts[key] = link_counts.get(key, 0) + 1
        del path[_ROW_DEPTH:]
        attrs = node.attributes
        if text_left <= 0 and holds_links(node):
            text = ""  # see _TEXT_BUDGET
        else:
            whole = node.text()
            text_left -= len(whole)
            text = _collapse(whole)
        if tag == "a" and len(text) <= 8 and _is_pager_word(text.strip(" <>«»[]【】").replace(" ", "")):
            pager_links.append(node)
            if "CurrChnlCls" in (attrs.get("class") or "") and path:
                crumbs.append(path[0])
        links.append(
            _Link(
                node=node,
                order=len(links),
                chrome=node.mem_id in chrome_links,
                path=tuple(path),
                text=text,
                href=_href(node),
                title=_collapse(attrs.get("title") or ""),
            )
        )

    dated: set[int] = set()
    texts: list[str] = []
    placeholder: str | None = None
    pub_line = False
    limit = today + timedelta(days=1)
    for node in root.traverse(include_text=True, skip_empty=True):
        if node.tag != "-text":
            continue
        raw = node.text_content
        if not raw:
            continue
        parent = node.parent
        if parent is None or parent.tag in _SKIP_TAGS:
            continue
        text = raw.strip()
        texts.append(text)
        if _DATEISH.search(text):
            value = _cell_date(text, today)
            if value is not None and value <= limit:
                up: LexborNode | None = parent
                for _ in range(_DATE_DEPTH):
                    if up is None:
                        break
                    dated.add(up.mem_id)
                    up = up.parent
        # Rare texts: only these pay for a walk up the tree.
        if (
            placeholder is None
            and len(text) <= 40
            and placeholder_re.search(text) is not None
            and not _under(parent, chrome_above, chrome_memo)
        ):
            placeholder = next(p for p in placeholders if p in text)
        if not pub_line and ("发布" in text or "发文" in text) and _PUB_LINE.search(text) is not None:
            pub_line = True
        if "位置" in text and _CRUMB_LABEL.search(text) is not None:
            crumbs.append(parent)
            if parent.parent is not None:
                crumbs.append(parent.parent)
    prose = _prose(root)
    for node in outer_chrome:
        prose -= _prose(node)
    for link in links:
        if not link.chrome and (text_left > 0 or not holds_links(link.node)):
            pieces = link.node.text(separator="\x01")
            text_left -= len(pieces)
            prose -= _long_len(pieces.split("\x01"))
    return _Walk(
        links,
        link_counts,
        dated,
        max(prose, 0),
        placeholder,
        pub_line,
        crumbs + hooked,
        pager_links,
        texts,
        ignored,
    )


_LINK_CSS = "a, [onclick]"
# Links read per page for its column list: a column page shows tens or hundreds of items, a
# big home page a few thousand links.
_MAX_LISTING_LINKS = 3000


# Characters of link text taken per page. Links do not nest in HTML, so their texts add up to
# less than the page; but <a> nests inside <svg> and onclick elements wrap links, and then each
# text is the rest of the page. Past this budget, links holding other links are read as empty.
_TEXT_BUDGET = 10_000_000


_PUB_LINE = re.compile(r"(?:发布|发文)(?:时间|日期)\s*[:：]")
_PROSE_MIN = 15
_HIDDEN_CSS = "script, style, noscript, template, select, textarea"


def _long_len(pieces: Iterable[str]) -> int:
    total = 0
    for piece in pieces:
        size = len(piece.strip())
        if size >= _PROSE_MIN:
            total += size
    return total


def _prose(node: LexborNode) -> int:
    """Characters of running text (text runs of 15+ characters) under ``node``.

    Whole-subtree text in one C call, minus script/style runs, instead of a Python walk over
    every text node: this runs on every crawled page.
    """
    total = _long_len(node.text(separator="\x01").split("\x01"))
    for hidden in node.css(_HIDDEN_CSS):
        total -= _long_len(hidden.text(separator="\x01").split("\x01"))
    return total


def _outermost(nodes: list[LexborNode], ids: set[int]) -> Iterator[LexborNode]:
    memo: dict[int, bool] = {}
    for node in nodes:
        if not _under(node.parent, ids, memo):
            yield node


def _under(node: LexborNode | None, marked: set[int], memo: dict[int, bool], stop: int | None = None) -> bool:
    """Whether ``node`` or one of its ancestors is in ``marked``; the walk ends at ``stop``.

    ``memo`` keeps the answer for every element passed, so that walks from many nodes of one
    page together cost the size of the tree rather than nodes × depth: on a page nested
    thousands of levels deep, a plain walk to the root per node took seconds.
    """
    start = node
    for _ in range(_SHORT_WALK):  # most walks end within a few steps: no bookkeeping for those
        if node is None:
            return False
        mem = node.mem_id
        if mem in marked:
            return True
        if mem == stop:
            return False
        node = node.parent
    node = start
    passed: list[int] = []
    found = False
    while node is not None:
        mem = node.mem_id
        known = memo.get(mem)
        if known is not None:
            found = known
            break
        if mem in marked:
            found = True
            break
        if mem == stop:
            break
        passed.append(mem)
        node = node.parent
    for mem in passed:
        memo[mem] = found
    return found


_SHORT_WALK = 8


def _cell_date(text: str, today: date) -> date | None:
    """The date of a list row's date cell: short texts, or a date at either end of a title line.

    A date in the middle of a long title ("关于2020年12月31日前报送…的通知") is not the row's date.
    """
    found = scan_dates(text, today=today)
    if not found:
        return None
    if len(text) <= _MAX_DATE_CELL:
        return max(value for _, _, value in found)
    start, _, value = found[0]
    if not text[:start].strip(" \t\r\n\xa0[(【"):
        return value
    _, end, value = found[-1]
    if not text[end:].strip(" \t\r\n\xa0])】"):
        return value
    return None


# ---------------------------------------------------------------------------------------------
# Blocks and rows


@dataclass(slots=True)
class _Row:
    node: LexborNode
    links: list[_Link]


@dataclass(slots=True)
class _Block:
    node: LexborNode
    rows: dict[int, _Row]
    chrome: bool


def _blocks(links: list[_Link]) -> dict[int, _Block]:
    blocks: dict[int, _Block] = {}
    for link in links:
        child = link.node
        for parent in link.path:
            key = parent.mem_id
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = _Block(parent, {}, link.chrome)
            row = block.rows.get(child.mem_id)
            if row is None:
                block.rows[child.mem_id] = _Row(child, [link])
            else:
                row.links.append(link)
            child = parent
    return blocks


@dataclass(slots=True)
class _Scored:
    block: _Block
    rows: list[_Row]  # item-like rows (one entry each)
    dated: int  # rows with a date in their text
    dated_links: set[int]  # main-link mem_ids of those rows
    doc_links: set[int]  # main-link mem_ids of undated rows whose URL looks like a document
    url_dated: int
    score: float


# Possessive runs, and the hex name tried only where a hex run starts: hrefs come from the page,
# and the backtracking forms are quadratic over a long run of digits or hex letters.
_DOCLIKE = re.compile(
    r"(?:/t\d{8}_\d+|/art_\d++_\d+|content_\d+|post_\d+|/\d{4,}+[^/]*\.s?html?$"
    r"|(?<![0-9a-f])[0-9a-f]{16,}+\.s?html?$)"
)
# "More" links under a list head lead to the column, they are not items of it.
_MORE = re.compile(
    r"^(?:更多|查看更多|更多信息|更多内容|more|>>|»|＞＞|\+)\s*(?:>>|»|＞＞|\+)?$", re.IGNORECASE
)


def _is_more(link: _Link) -> bool:
    return bool(link.text) and len(link.text) <= 8 and _MORE.match(link.text.replace(" ", "")) is not None


def _score(
    block: _Block, walk: _Walk, nav_urls: frozenset[str], base: _Base, doclike: dict[int, bool]
) -> _Scored | None:
    counts = walk.link_counts
    rows = [row for row in block.rows.values() if counts.get(row.node.mem_id, 1) <= _MAX_ROW_LINKS]
    if not rows or (
        len(rows) == 1 and rows[0].node.mem_id not in walk.dated and _date_sibling(rows[0].node, walk) is None
    ):
        return None
    kept: list[_Row] = []
    dated = 0
    dated_links: set[int] = set()
    doc_links: set[int] = set()
    url_dated = 0
    score = 0.0
    in_nav = 0
    for row in rows:
        main = _main_link(row)
        if _is_more(main):
            continue
        kept.append(row)
        title_len = len(main.text) or len(main.title)
        weight = 1.0 if title_len >= 6 else 0.3
        href = main.href
        if href and nav_urls and base.resolve(href) in nav_urls:
            in_nav += 1
        if row.node.mem_id in walk.dated or _date_sibling(row.node, walk) is not None:
            dated += 1
            dated_links.add(main.node.mem_id)
            weight += 2.0
        elif href:
            is_doc = doclike.get(main.order)
            if is_doc is None:
                is_doc = doclike[main.order] = bool(_DOCLIKE.search(href)) or url_date(href) is not None
            if is_doc:
                url_dated += 1
                doc_links.add(main.node.mem_id)
                weight += 0.5
        score += weight
    if not kept:
        return None
    if in_nav * 5 >= len(kept) * 3:
        # Mostly links the caller knows as site navigation: never the column list.
        return None
    if block.chrome:
        score *= 0.2
    return _Scored(block, kept, dated, dated_links, doc_links, url_dated, score)


def _main_link(row: _Row) -> _Link:
    if len(row.links) == 1:
        return row.links[0]
    return max(row.links, key=lambda link: len(link.text) or len(link.title))


def _date_sibling(node: LexborNode, walk: _Walk) -> LexborNode | None:
    """The element right after a row when it only shows the row's date (``<dt>`` title then
    ``<dd>`` date): the date belongs to the row although it sits outside it."""
    sibling = node.next
    while sibling is not None and sibling.tag in {"-text", "-comment"}:
        sibling = sibling.next
    if (
        sibling is None
        or sibling.mem_id not in walk.dated
        or sibling.mem_id in walk.link_counts
        or sibling.tag in {"a", None}
        or len(sibling.text(strip=True)) > _MAX_DATE_CELL
    ):
        return None
    return sibling


_NOT_A_LINK = re.compile(r"^(?:javascript:|#|mailto:|tel:|about:|data:)", re.IGNORECASE)


def _href(node: LexborNode) -> str | None:
    """The navigable URL of a link element, as written; None for script pseudo-links.

    A script link's URL is read by the rule the link extractor uses, so that an item and the
    same link on the page lead to the same URL.
    """
    attrs = node.attributes
    href = (attrs.get("href") or "").strip()
    if href and not _NOT_A_LINK.match(href):
        return href
    if not href or href.lower().startswith("javascript") or href == "#":
        found = script_urls(attrs.get("onclick") or "") or script_urls(href)
        if found:
            return found[0]
    return None


@dataclass(frozen=True, slots=True)
class _Base:
    """What a page's relative URLs resolve against: its base URL and its encoding (a GBK page's
    query strings are sent GBK-encoded)."""

    url: str
    encoding: str

    def resolve(self, href: str) -> str | None:
        return resolve(self.url, href, self.encoding)


# ---------------------------------------------------------------------------------------------
# Items


def _row_item(
    row: LexborNode,
    main: LexborNode | None,
    base: _Base,
    today: date,
    budget: list[int],
    date_node: LexborNode | None = None,
) -> ColumnItem | None:
    """Title, URL and date of one list row, read from the row itself (and ``date_node``, the
    sibling that shows its date, if any), visiting at most ``budget[0]`` nodes (decreased)."""
    limit = today + timedelta(days=1)
    main_id = main.mem_id if main is not None else None
    main_ids = {main_id} if main_id is not None else set()
    main_memo: dict[int, bool] = {}  # elements of the row known to be in (or out of) the main link
    title_parts: list[str] = []
    inside: list[tuple[date, bool]] = []  # (date, written without a year)
    outside: list[tuple[date, bool]] = []
    for text_node, raw in _texts_within(row, budget):
        text = raw.strip()
        in_main = main_id is None or _under(text_node.parent, main_ids, main_memo, row.mem_id)
        value = _cell_date(text, today) if _DATEISH.search(text) else None
        date_only = value is not None and len(text) <= _MAX_DATE_CELL and _is_date_only(text, today)
        if in_main and not date_only:
            title_parts.append(text)
        if value is not None:
            (inside if in_main else outside).append((value, _YEAR.search(text) is None))
    title = _collapse(" ".join(title_parts))
    if main is not None:
        attr_title = _collapse(main.attributes.get("title") or "")
        if len(attr_title) > len(title) or (not title and attr_title):
            title = attr_title
    if not title:
        return None
    href = _href(main) if main is not None else None
    url = base.resolve(href) if href else None
    from_url = url_date(url, today=today) if url else None
    # A date in the link text is usually part of the title; prefer one shown beside the link.
    if date_node is not None and not outside:
        for _, raw in _texts_within(date_node, budget):
            text = raw.strip()
            value = _cell_date(text, today) if _DATEISH.search(text) else None
            if value is not None:
                outside.append((value, _YEAR.search(text) is None))
    candidates = outside or inside
    shown = [c for c in candidates if c[0] <= limit]
    chosen = max(shown) if shown else (min(candidates) if candidates else None)
    if chosen is not None:
        value, yearless = chosen
        if yearless and from_url is not None and from_url.value.month == value.month:
            # The year of "10-11" was guessed from today; the URL's /202310/ states it.
            with contextlib.suppress(ValueError):  # Feb 29 in a year without one
                value = value.replace(year=from_url.value.year)
        return ColumnItem(title, url, value, "text")
    if from_url is not None:
        return ColumnItem(title, url, from_url.value, "url")
    return ColumnItem(title, url, None, "none")


def _is_date_only(text: str, today: date) -> bool:
    found = scan_dates(text, today=today)
    if not found:
        return False
    rest = text
    for start, end, _ in reversed(found):
        rest = rest[:start] + rest[end:]
    return not _DATE_CELL_REST.sub("", rest)


# What may surround the date in a date-only cell: a label, brackets, a time of day, separators.
_DATE_CELL_REST = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?|发布|时间|日期|更新|[:：\[\]()【】\s\-/|]")


def _items(
    rows: Iterable[_Row], walk: _Walk, base: _Base, today: date, budget: list[int]
) -> list[ColumnItem]:
    items: list[ColumnItem] = []
    seen: set[tuple[str, str | None]] = set()
    for row in rows:
        if budget[0] <= 0:
            break
        item = _row_item(row.node, _main_link(row).node, base, today, budget, _date_sibling(row.node, walk))
        # Responsive templates repeat each list for mobile; one entry per title and URL.
        if item is not None and (item.title, item.url) not in seen:
            seen.add((item.title, item.url))
            items.append(item)
    return items


# Nodes read in all for a page's items. Rows of one list are disjoint, so a list reads each of
# its nodes once; rows nested in rows (one dated row inside another, a thousand deep) would read
# the nodes below them once per row.
_ITEMS_BUDGET = 300_000
_ITEMS_CUT = "列表条目嵌套过深，只读取了部分条目"


# ---------------------------------------------------------------------------------------------
# CMS and metadata


# Plain substring tests: a case-insensitive regex over a 400 KB page costs 10 ms, these 0.2 ms.
_HANWEB_MARKS = (
    "<datastore",
    "/module/web/jpage/",
    "/module/jpage/",
    "hanweb",
    "Hanweb",
    "jcms_files",
    "大汉版通",
)
_UCAP_MARKS = ("<ucaptitle", "<ucapcontent", "<UCAPTITLE", "websiteCode")
_TRS_MARKS = ("createPageHTML", "CurrChnlCls", "TRS_Editor", "trs_", "TRS_", "var countPage")
_TRS_DOC = re.compile(r"/t\d{8}_\d+\.s?html?")


def detect_cms(html_text: str) -> str:
    """The CMS family that produced a page, from markers in its source."""
    if "NFCMS_" in html_text:
        return "nfcms"
    if any(mark in html_text for mark in _HANWEB_MARKS):
        return "hanweb"
    if any(mark in html_text for mark in _UCAP_MARKS):
        return "ucap"
    if any(mark in html_text for mark in _TRS_MARKS) or _TRS_DOC.search(html_text):
        return "trs"
    return "generic"


def _meta_map(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        attrs = node.attributes
        key = (attrs.get("name") or "").strip().lower()
        content = _collapse(attrs.get("content") or "")
        if key and content and key not in found:
            found[key] = content
    return found


def _breadcrumb(candidates: list[LexborNode]) -> tuple[str, ...]:
    """Entries of the first candidate that reads as a trail: names joined by separators.

    Reading stops at the first two names not joined by a separator, which drops widgets that
    share the container (字号 / 打印 buttons after the trail on gov.cn).
    """
    seen: set[int] = set()
    budget = [_CRUMB_BUDGET]
    for node in candidates:
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        parts: list[str] = []
        joined = True  # the next name is attached to the trail
        separators = 0
        labelled = False
        for _, raw in _texts_within(node, budget):
            text = raw.replace("\xa0", " ")
            if _CRUMB_LABEL.search(text):
                labelled = True
                text = _CRUMB_LABEL.sub(" > ", text) if parts else _CRUMB_LABEL.sub("", text)
            pieces = _CRUMB_SEP.split(text)
            for index, piece in enumerate(pieces):
                if index > 0:
                    joined = True
                    separators += 1
                name = piece.strip(" \t\r\n")
                if not name:
                    continue
                if not joined and parts:
                    break
                parts.append(name)
                joined = False
            else:
                continue
            break
        if len(parts) >= 2 and (separators or labelled) and sum(map(len, parts)) <= 200:
            return tuple(parts)
        if parts and labelled and len(parts) == 1:
            return tuple(parts)
        if budget[0] <= 0:
            break
    return ()


# Nodes read in all while looking for the breadcrumb. Candidates can nest (a hostile page nests
# thousands of class="position" blocks) and each is read from its start; a real trail is found
# within a few hundred nodes.
_CRUMB_BUDGET = 20_000
_TEXT_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option"})


def _texts_within(root: LexborNode, budget: list[int]) -> Iterator[tuple[LexborNode, str]]:
    """The non-blank text nodes under ``root`` with their texts, in reading order (as
    ``iter_texts``), listing at most about ``budget[0]`` nodes, which is decreased by those
    listed. Each element's children are listed once, as a parent has them."""
    stack = list(root.iter(include_text=True))
    budget[0] -= len(stack)
    stack.reverse()
    while stack and budget[0] > 0:
        node = stack.pop()
        tag = node.tag
        if tag == "-text":
            value = node.text_content
            if value and not value.isspace():
                yield node, value
        elif tag and tag[0] != "-" and tag not in _TEXT_SKIP:
            children = list(node.iter(include_text=True))
            budget[0] -= len(children)
            children.reverse()
            stack.extend(children)


# Strongest first: a bare "-" also occurs inside names ("2019-2020年度报告"), so it only splits
# titles that have no other separator.
_TITLE_SEPS = (" - ", "_", "|", "｜", " — ", "—", "--", "-")


def _name_from_title(title: str, site_name: str | None) -> str:
    sep = next((sep for sep in _TITLE_SEPS if sep in title), None)
    parts = [p.strip() for p in title.split(sep)] if sep else [title.strip()]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if site_name:
        kept = [p for p in parts if site_name not in p and p not in site_name]
        if kept:
            return kept[0]
    return parts[0]


# ---------------------------------------------------------------------------------------------
# Pagination

# createPageHTML(46, 0, "index", "html") and the 海云 form createPageHTML('page_div', 10, 1, 'xlist',
# 'shtml', 189). The function's own definition has identifiers, not numbers, so it never matches.
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?P<box>['\"][^'\"]*['\"]\s*,\s*)?(?P<count>\d+)\s*,\s*(?P<current>\d+)\s*,"
    r"\s*['\"](?P<base>[^'\"]+)['\"]\s*,\s*['\"](?P<ext>s?html?|jsp|php)['\"]\s*(?:,\s*(?P<total>\d+))?"
)
_DOC_PAGER = re.compile(r"t\d{8}_\d+$|content_\d+$|art_\d+_\d+$|post_\d+$")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"var\s+currentPage\s*=\s*(\d+)")
_COUNT_NUM = re.compile(r"var\s+(?:countnum|recordCount|totalRecord)\s*=\s*(\d+)", re.IGNORECASE)
_PAGE_BASE = re.compile(r"['\"](\w+)['\"]\s*\+\s*['\"]_['\"]")
_PAGE_EXT = re.compile(r"\.(s?html?)\b|['\"](s?html?)['\"]")
# Possessive runs, and "N/M页" tried only where a number starts: over a long run of digits the
# plain forms backtrack quadratically, and these run over all of a page's text.
_TOTAL_PAGES_TEXT = re.compile(r"共\s*+(\d++)\s*+页|(?<!\d)\d++\s*+/\s*+(\d++)\s*+页")
_TOTAL_RECORDS_TEXT = re.compile(r"(?:共|共有|总共|总计)\s*+(\d++)\s*+(?:条|篇|项|个记录)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Pager:
    urls: tuple[str, ...]
    total_pages: int | None
    total_records: int | None


def _script_pager(html_text: str, base: _Base, max_pages: int) -> _Pager | None:
    match = _CREATE_PAGE.search(html_text)
    if match and _DOC_PAGER.match(match["base"]):
        # An article split over pages (createPageHTML(2,0,"t20190918_693227","shtml")): its
        # pages continue the document, they are not list pages.
        return None
    if match:
        count = _count_value(match["count"])
        if count is None:
            return None  # a number no page count can be: nothing to follow
        current = _count_value(match["current"])
        name, ext = match["base"], match["ext"]
        total = _count_value(match["total"]) if match["total"] else None
        if match["box"]:
            # 海云: pages are 1-based and page k (k >= 2) is {base}_{k}.
            urls = _page_urls(name, ext, range(1, count + 1), 1, current, base, max_pages)
        else:
            # Classic TRS: page index i is 0-based and page i (i >= 1) is {base}_{i}.
            urls = _page_urls(name, ext, range(count), 0, current, base, max_pages)
        return _Pager(urls, count, total)
    match = _COUNT_PAGE.search(html_text)
    if match:
        count = _count_value(match.group(1))
        if count is None:
            return None
        window = html_text[match.start() : match.start() + 4000]
        current_match = _CURRENT_PAGE.search(html_text, max(0, match.start() - 400), match.start() + 4000)
        current = _count_value(current_match.group(1)) if current_match else 0
        base_match = _PAGE_BASE.search(window)
        name = base_match.group(1) if base_match else "index"
        if _DOC_PAGER.match(name):
            return None
        ext_match = _PAGE_EXT.search(window)
        ext = (ext_match.group(1) or ext_match.group(2)) if ext_match else "html"
        urls = _page_urls(name, ext, range(count), 0, current, base, max_pages)
        num = _COUNT_NUM.search(html_text, max(0, match.start() - 400), match.start() + 400)
        return _Pager(urls, count, _count_value(num.group(1)) if num else None)
    return None


def _page_urls(
    name: str, ext: str, pages: range, first: int, current: int | None, base: _Base, max_pages: int
) -> tuple[str, ...]:
    """URLs of the list pages ``pages`` except ``current``; page ``first`` is the bare ``name``.

    The count comes from the page and can be any number (createPageHTML(1000000000, …)): only the
    URLs kept are built, so the work is bounded by ``max_pages`` whatever the count says.
    """
    wanted = (k for k in pages if k != current)
    urls = (base.resolve(f"{name}.{ext}" if k == first else f"{name}_{k}.{ext}") for k in wanted)
    return tuple(islice(filter(None, urls), max(max_pages, 0)))


def _pager_label(node: LexborNode) -> str:
    """下一页 from "下一页>", "[下一页]" or "下一页 »"."""
    return _collapse(node.text()).strip(" <>«»[]【】").replace(" ", "")


def _static_pager(pager_links: list[LexborNode], page_url: str, base: _Base, max_pages: int) -> _Pager | None:
    """Further pages from a rendered pager (下一页 / 尾页 / numbered links)."""
    anchor = next((node for node in pager_links if _pager_label(node) in _NEXT_WORDS | _LAST_WORDS), None)
    numbered_only = anchor is None
    if anchor is None:
        anchor = next((node for node in pager_links if _pager_label(node).isdigit()), None)
        if anchor is None:
            return None
    # The pager is the nearest ancestor holding several pager links; links outside it (a
    # breadcrumb's 首页) are not pages of this list.
    members = {node.mem_id for node in pager_links}
    container = anchor.parent
    for _ in range(3):
        if container is None or sum(1 for a in container.css("a") if a.mem_id in members) >= 2:
            break
        container = container.parent
    if container is None:
        return None
    if numbered_only:
        # Bare numbers elsewhere (calendars, slide dots) are not pagers: ask for a pager-looking
        # container.
        attrs = container.attributes
        hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
        if not _PAGER_HOOK.search(hook) and "页" not in container.text():
            return None
    scope = [a for a in container.css("a") if a.mem_id in members]
    here = page_url.split("#", 1)[0]
    ordered: dict[str, None] = {}  # insertion-ordered, with O(1) membership
    next_url: str | None = None
    last_url: str | None = None
    for node in scope:
        href = _href(node)
        if not href:
            continue
        url = base.resolve(href)
        if url is None or url == here:
            continue
        label = _pager_label(node)
        if label in _NEXT_WORDS:
            next_url = next_url or url
        elif label in _LAST_WORDS:
            last_url = url
        ordered.setdefault(url)
    if next_url and last_url:
        generated = _fill_sequence(next_url, last_url, max_pages)
        if generated is not None:
            urls, total = generated
            return _Pager(urls, total, None)
    if not ordered:
        return None
    return _Pager(tuple(islice(ordered, max(max_pages, 0))), None, None)


_PAGER_HOOK = re.compile(r"pag|fenye|fy", re.IGNORECASE)


def _fill_sequence(next_url: str, last_url: str, max_pages: int) -> tuple[tuple[str, ...], int] | None:
    """All pages between "next" and "last" when both follow one numbering (index_1 … index_55).

    The total is the last link's number whatever its size (尾页 → index_1000000000 happens on
    hostile or broken sites); only the first ``max_pages`` URLs are built.
    """
    a, b = _numbered(next_url), _numbered(last_url)
    if a is None or b is None or a[0] != b[0] or a[2] != b[2]:
        return None
    head, first, tail = a
    last = b[1]
    if first > last or first not in (1, 2):
        return None
    urls = tuple(f"{head}{n}{tail}" for n in islice(range(first, last + 1), max(max_pages, 0)))
    # index_1 as page 2 means 0-based numbering: pages = last + 1.
    total = last + 1 if first == 1 else last
    return urls, total


def _numbered(url: str) -> tuple[str, int, str] | None:
    """("…/index_", 12, ".html") for "…/index_12.html": a page number right before the extension.

    Read from the right by hand: as a regex (``^(.*?)(\\d+)(\\.\\w+)$``) this backtracks
    quadratically over a long run of digits, and the URLs come from the page.
    """
    dot = url.rfind(".")
    if dot <= 0 or _WORD.fullmatch(url, dot + 1) is None:
        return None
    start = dot
    while start > 0 and url[start - 1].isdecimal():
        start -= 1
        if dot - start > _MAX_DIGITS:
            return None  # no page number is that long
    number = _count_value(url[start:dot]) if start < dot else None
    if number is None:
        return None
    return url[:start], number, url[dot:]


def pagination_urls(
    tree: LexborHTMLParser, page_url: str, html_text: str, *, max_pages: int = 200, encoding: str = "utf-8"
) -> tuple[str, ...]:
    """Absolute URLs of the further pages of a list (script pagers first, then static links)."""
    base = _base_url(tree, page_url, encoding)
    pager = _script_pager(html_text, base, max_pages)
    if pager is None and tree.body is not None:
        links = [node for node in tree.body.css("a") if _is_pager_word(_pager_label(node))]
        pager = _static_pager(links, page_url, base, max_pages)
    return pager.urls if pager else ()


def _is_pager_word(label: str) -> bool:
    return label in _PAGER_WORDS or (label.isdigit() and len(label) <= 4)


def _base_url(tree: LexborHTMLParser, page_url: str, encoding: str) -> _Base:
    node = tree.css_first("base[href]")
    href = (node.attributes.get("href") or "").strip() if node is not None else ""
    resolved = resolve(page_url, href, encoding) if href else None
    return _Base(resolved or page_url, encoding)


# ---------------------------------------------------------------------------------------------
# Hanweb / JCMS jpage


class _Closed:
    """An ``opener(.*?)closer`` pattern, searched only up to the end of the text's last closer.

    A lazy ``.*?`` whose closer never comes scans to the end of the text from every opener: a
    page repeating an opener without its closer (``<datastore>`` × 20,000) took minutes. Every
    opener before the last closer does find one, so stopping there changes no match and keeps
    the search linear.
    """

    __slots__ = ("_last", "_pattern")

    def __init__(self, opener: str, closer: str, flags: int) -> None:
        self._pattern = re.compile(f"{opener}(.*?){closer}", flags | re.DOTALL)
        self._last = re.compile(f"(?s:.*){closer}", flags)

    def _end(self, text: str) -> int:
        last = self._last.match(text)
        return last.end() if last else 0

    def findall(self, text: str) -> list[str]:
        return self._pattern.findall(text, 0, self._end(text))

    def search(self, text: str) -> re.Match[str] | None:
        return self._pattern.search(text, 0, self._end(text))


_DATASTORE = _Closed(r"<datastore>", r"</datastore>", re.IGNORECASE)
_RECORD = _Closed(r"<record>\s*<!\[CDATA\[", r"\]\]>\s*</record>", re.IGNORECASE)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*+(\d++)\s*+</totalrecord>", re.IGNORECASE)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*+(\d++)\s*+</totalpage>", re.IGNORECASE)
_NEXTGROUP = _Closed(r"<nextgroup>\s*<!\[CDATA\[", r"\]\]>", re.IGNORECASE)
_HREF = re.compile(r"href\s*=\s*['\"]([^'\"]+)['\"]", re.IGNORECASE)
_JPAGE_INIT = _Closed(r"\.jpage\(\s*\{", r"\}\s*\)", 0)
_JS_NUMBER = re.compile(r"\b(totalRecord|perPage|groupSize|totalPage)\s*:\s*['\"]?(\d+)")
_JS_PROXY = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_JS_AJAX_PARAM = _Closed(r"\bajaxParam\s*:\s*\{", r"\}", 0)
# Keys are tried only where a word starts (quadratic over a long word otherwise).
_JS_PAIR = re.compile(r"(?<!\w)(\w++)\s*+:\s*+(?:'([^']*+)'|\"([^\"]*+)\"|([\w.\-]++))")
_DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


@dataclass(frozen=True, slots=True)
class DataproxyPage:
    """One ``dataproxy.jsp`` XML response (or the datastore embedded in a column page)."""

    items: tuple[ColumnItem, ...]
    total_records: int | None
    total_pages: int | None
    next_url: str | None  # the nextgroup link, absolute
    limited: str = ""  # why records were left out (see ListingFacts.limited); "" when none were


@dataclass(frozen=True, slots=True)
class DataproxyRequest:
    """A POST a crawler sends to read records ``start``..``end`` of a Hanweb column."""

    url: str  # absolute, with startrecord/endrecord/perpage in the query
    form: tuple[tuple[str, str], ...]  # application/x-www-form-urlencoded body fields
    start: int
    end: int

    @property
    def body(self) -> str:
        return urlencode(self.form)


# Records read per page or dataproxy answer. jpage embeds a few pages' worth (perPage ×
# groupSize, typically 15-60); some sites embed a whole column, rarely more than a few thousand.
_MAX_RECORDS = 5000


def _records_to_items(records: list[str], base: _Base, today: date) -> tuple[list[ColumnItem], str]:
    """The items of Hanweb records, and why some were left out ("" when none were)."""
    if not records:
        return [], ""
    limited = ""
    if len(records) > _MAX_RECORDS:
        limited = f"记录过多（{len(records)} 条），只读取了前 {_MAX_RECORDS} 条"
        records = records[:_MAX_RECORDS]
    # One parse for all records: each CDATA holds an <li> (or <tr>) fragment. The records come
    # from the server like any page, so their markup is bounded like a page's.
    fragment, cut = bound_markup("".join(f"<div data-record>{record}</div>" for record in records))
    if cut:
        limited = "；".join(filter(None, [limited, f"记录{cut}"]))
    doc = LexborHTMLParser(f"<html><body>{fragment}</body></html>")
    items: list[ColumnItem] = []
    budget = [_ITEMS_BUDGET]
    for row in doc.css("div[data-record]"):
        if budget[0] <= 0:
            limited = "；".join(filter(None, [limited, _ITEMS_CUT]))
            break
        anchors = [a for a in row.css("a") if a.text(strip=True) or a.attributes.get("title")]
        main = max(anchors, key=lambda a: len(a.text(strip=True))) if anchors else None
        item = _row_item(row, main, base, today, budget)
        if item is not None:
            items.append(item)
    return items, limited


def parse_dataproxy_xml(text: str, base_url: str, today: date, *, encoding: str = "utf-8") -> DataproxyPage:
    """Items and totals of a Hanweb jpage XML (a dataproxy.jsp response or an embedded datastore).

    ``encoding`` is that of the page the records are shown on, which their links' queries follow.
    """
    base = _Base(base_url, encoding)
    records = _RECORD.findall(text)
    total_records = _TOTAL_RECORD.search(text)
    total_pages = _TOTAL_PAGE.search(text)
    next_url: str | None = None
    nextgroup = _NEXTGROUP.search(text)
    if nextgroup:
        href = _HREF.search(nextgroup.group(1))
        if href:
            next_url = base.resolve(href.group(1).replace("&amp;", "&"))
    items, limited = _records_to_items(records, base, today)
    return DataproxyPage(
        items=tuple(items),
        total_records=_count_value(total_records.group(1)) if total_records else None,
        total_pages=_count_value(total_pages.group(1)) if total_pages else None,
        next_url=next_url,
        limited=limited,
    )


@dataclass(frozen=True, slots=True)
class _Jpage:
    stores: int  # <datastore> blocks in the page
    records: int
    total_records: int | None
    total_pages: int | None
    per_page: int | None
    group_size: int | None
    proxy: str | None
    params: dict[str, str]
    next_href: str | None


def _jpage(html_text: str) -> _Jpage | None:
    stores = _DATASTORE.findall(html_text)
    init = _JPAGE_INIT.search(html_text)
    if not stores and not init:
        return None
    records = sum(len(_RECORD.findall(store)) for store in stores)
    total_records: int | None = None
    total_pages: int | None = None
    next_href: str | None = None
    for store in stores:
        if total_records is None and (found := _TOTAL_RECORD.search(store)):
            total_records = _count_value(found.group(1))
        if total_pages is None and (found := _TOTAL_PAGE.search(store)):
            total_pages = _count_value(found.group(1))
        if (
            next_href is None
            and (group := _NEXTGROUP.search(store))
            and (href := _HREF.search(group.group(1)))
        ):
            next_href = href.group(1).replace("&amp;", "&")
    numbers: dict[str, int] = {}
    proxy: str | None = None
    params: dict[str, str] = {}
    if init:
        body = init.group(1)
        numbers = {
            key: number
            for key, value in _JS_NUMBER.findall(body)
            if (number := _count_value(value)) is not None
        }
        if found_proxy := _JS_PROXY.search(body):
            proxy = found_proxy.group(1)
        if ajax := _JS_AJAX_PARAM.search(body):
            for key, quoted1, quoted2, bare in _JS_PAIR.findall(ajax.group(1)):
                params[key] = quoted1 or quoted2 or bare
    if total_records is None and "totalRecord" in numbers:
        total_records = numbers["totalRecord"]
    if total_pages is None and "totalPage" in numbers:
        total_pages = numbers["totalPage"]
    if next_href:
        query = dict(parse_qsl(urlsplit(next_href).query, keep_blank_values=True))
        for key in ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype"):
            if key in query and key not in params:
                params[key] = query[key]
    return _Jpage(
        stores=len(stores),
        records=records,
        total_records=total_records,
        total_pages=total_pages,
        per_page=numbers.get("perPage"),
        group_size=numbers.get("groupSize"),
        proxy=proxy,
        params=params,
        next_href=next_href,
    )


def dataproxy_requests(
    html_text: str,
    page_url: str,
    *,
    total_records: int | None = None,
    per_page: int | None = None,
    batch: int | None = None,
    max_requests: int = 200,
) -> tuple[DataproxyRequest, ...]:
    """The POSTs that fetch a Hanweb column's records beyond those embedded in its page.

    ``columnid``/``unitid``/``webid`` come from the jpage init script's ``ajaxParam`` or, failing
    that, from the ``nextgroup`` link. When the record count is unknown (neither ``totalrecord``
    nor ``totalRecord:`` on the page and no ``total_records`` given) only the next batch is
    requested; its XML response carries ``totalrecord`` for a second call.
    """
    info = _jpage(html_text)
    if info is None or not (info.params.get("columnid") or info.next_href):
        return ()
    total = total_records if total_records is not None else info.total_records
    size = per_page or info.per_page or 15
    # jpage fetches groupSize pages per request; matching it keeps requests few and natural.
    step = batch or size * (info.group_size or 3)
    if info.proxy:
        proxy = info.proxy
    elif info.next_href and "dataproxy" in urlsplit(info.next_href).path:
        proxy = urlsplit(info.next_href).path
    else:
        proxy = _DEFAULT_PROXY
    resolved = resolve(page_url, proxy)
    if resolved is None:
        return ()
    endpoint = urlsplit(resolved)
    form: list[tuple[str, str]] = [
        ("col", info.params.get("col", "1")),
        ("appid", info.params.get("appid", "1")),
    ]
    for key in ("webid", "path", "columnid", "unitid", "webname"):
        if key in info.params:
            form.append((key, info.params[key]))
    form.append(("sourceContentType", info.params.get("sourceContentType", "1")))
    form.append(("permissiontype", info.params.get("permissiontype", "0")))
    start = info.records + 1
    requests: list[DataproxyRequest] = []
    while len(requests) < max_requests and (total is None or start <= total):
        end = start + step - 1 if total is None else min(start + step - 1, total)
        query = urlencode([("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(size))])
        url = urlunsplit((endpoint.scheme, endpoint.netloc, endpoint.path, query, ""))
        requests.append(DataproxyRequest(url, tuple(form), start, end))
        if total is None:
            break
        start = end + 1
    return tuple(requests)


# ---------------------------------------------------------------------------------------------
# The listing decision


def _ordered_unique(rows: Iterable[_Row]) -> list[_Row]:
    seen: set[int] = set()
    unique: list[_Row] = []
    for row in sorted(rows, key=lambda r: _main_link(r).order):
        key = _main_link(row).node.mem_id
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def _signature(node: LexborNode) -> tuple[str | None, str]:
    return node.tag, (node.attributes.get("class") or "").strip()


def _select_rows(scored: list[_Scored], *, home: bool) -> tuple[list[_Row], bool]:
    """Rows of the page's column list, and whether they look like a list at all.

    A dominant block (most of the page's dated rows) is the column list; when dated rows are
    spread over several blocks, or the page is a site's home page, all dated lists count.
    """
    dated = [s for s in scored if s.dated and not s.block.chrome]
    if dated:
        best = max(dated, key=lambda s: s.score)
        all_dated = set().union(*(s.dated_links for s in dated))
        if not home and best.dated * 2 >= len(all_dated):
            sig = _signature(best.block.node)
            parent = best.block.node.parent
            siblings = [
                s
                for s in dated
                if s is not best
                and s.block.node.parent is not None
                and parent is not None
                and s.block.node.parent.mem_id == parent.mem_id
                and _signature(s.block.node) == sig
            ]
            rows = [row for s in (best, *siblings) for row in s.rows]
            return _ordered_unique(rows), True
        # Several lists: their dated (or document-linking) rows; headings and 更多 links of
        # each list are rows too, but not items.
        rows = [
            row
            for s in dated
            if s.dated * 2 >= len(s.rows)
            for row in s.rows
            if _main_link(row).node.mem_id in s.dated_links or _main_link(row).node.mem_id in s.doc_links
        ]
        return _ordered_unique(rows), True
    # No dates anywhere: runs of document links can still be (stale) column lists.
    undated = [s for s in scored if not s.block.chrome and s.url_dated * 3 >= len(s.rows) * 2]
    if home:
        rows = [
            row
            for s in undated
            if s.url_dated >= 2
            for row in s.rows
            if _main_link(row).node.mem_id in s.doc_links
        ]
        if rows:
            return _ordered_unique(rows), True
    undated = [s for s in undated if s.url_dated >= 3]
    if undated:
        best = max(undated, key=lambda s: s.score)
        return _ordered_unique(best.rows), True
    return [], False


def analyse_listing(
    tree: LexborHTMLParser,
    page_url: str,
    html_text: str,
    *,
    today: date,
    placeholders: tuple[str, ...] = EMPTY_PLACEHOLDERS,
    max_pages: int = 200,
    nav_urls: frozenset[str] = frozenset(),
    encoding: str = "utf-8",
) -> ListingFacts:
    """Decide whether a page is a column list page and read its items, dates and pagination.

    - A dominant dated block is the column list (items in page order, pinned rows included).
      On a site's home page (path ``/`` or ``/index.*``), or when dated rows are spread over
      several blocks, the dated rows of all lists are the items (the home page is audited as a
      whole).
    - Articles (ArticleTitle/PubDate meta, a 发布时间： line, or running text outweighing the
      dated rows) and navigation-only pages give ``is_listing=False`` and no items, even when
      they hold an empty "相关文章"/"附件" block or a placeholder.
    - A page with no items but a placeholder, a zero record/page count or a TRS pager of at
      most one page is an empty column (``is_listing=True``, see ``ListingFacts.is_empty``).
    - Hanweb jpage pages take their items from the embedded ``<datastore>``; their further
      records are POSTs (``dataproxy_requests``), so ``pagination`` stays empty for them.

    ``nav_urls`` are absolute URLs known to be site navigation (seen on many pages); a block
    made mostly of them is never taken for the column list. ``max_pages`` caps the number of
    further page URLs returned. ``encoding`` is the page's: a GBK page's links send their
    queries GBK-encoded.
    """
    base = _base_url(tree, page_url, encoding)
    meta = _meta_map(tree)
    cms = detect_cms(html_text)
    body = tree.body
    walk = (
        _walk(body, today, placeholders)
        if body is not None
        else _Walk([], {}, set(), 0, None, False, [], [], [])
    )

    jpage = _jpage(html_text) if cms == "hanweb" else None
    # An embedded datastore decides the list even when its recordset is empty (an empty column).
    hanweb = jpage is not None and (jpage.stores > 0 or jpage.total_records is not None)
    items: list[ColumnItem]
    listish: bool
    records_limited = ""
    total_records: int | None = None
    total_pages: int | None = None
    pagination: tuple[str, ...] = ()
    if jpage is not None and hanweb:
        stores = "".join(_DATASTORE.findall(html_text))
        items, records_limited = _records_to_items(_RECORD.findall(stores), base, today)
        listish = True
        total_records = jpage.total_records
        total_pages = jpage.total_pages
        if total_pages is None and total_records is not None and jpage.per_page:
            total_pages = -(-total_records // jpage.per_page)
    else:
        blocks = _blocks(walk.links)
        doclike: dict[int, bool] = {}
        scored = [_score(block, walk, nav_urls, base, doclike) for block in blocks.values()]
        rows, listish = _select_rows([s for s in scored if s is not None], home=_is_home(page_url))
        budget = [_ITEMS_BUDGET]
        items = _items(rows, walk, base, today, budget)
        if budget[0] <= 0:
            records_limited = _ITEMS_CUT

    script = _script_pager(html_text, base, max_pages)
    pager = script or _static_pager(walk.pager_links, page_url, base, max_pages)
    if pager is not None:
        pagination = pager.urls
        total_pages = total_pages if total_pages is not None else pager.total_pages
        total_records = total_records if total_records is not None else pager.total_records
    joined = "".join(walk.texts)
    if total_pages is None and (found := _TOTAL_PAGES_TEXT.search(joined)):
        total_pages = _count_value(found.group(1) or found.group(2))
    if total_records is None and (found := _TOTAL_RECORDS_TEXT.search(joined)):
        total_records = _count_value(found.group(1))

    article = _is_article(meta, walk, items)
    dated_items = sum(1 for item in items if item.date_source == "text")
    script_pager = script is not None
    if article:
        is_listing = False
    elif hanweb:
        is_listing = True
    elif not items and (
        walk.placeholder is not None
        or total_records == 0
        or total_pages == 0
        or (script_pager and (total_pages or 0) <= 1)
    ):
        # A list page that lists nothing: the 空白栏目 case.
        is_listing = True
    else:
        is_listing = listish and (
            dated_items >= 2
            or (bool(items) and (bool(pagination) or (total_pages or 0) > 1))
            or len(items) >= 8
            or (bool(items) and "columnname" in meta)
        )
    if not is_listing:
        items = []

    limit = today + timedelta(days=1)
    shown = [item.date for item in items if item.date is not None and item.date <= limit]
    breadcrumb = _breadcrumb(walk.crumbs)
    links_limited = ""
    if walk.ignored_links:
        total_links = _MAX_LISTING_LINKS + walk.ignored_links
        links_limited = f"链接过多（{total_links} 个），栏目分析只读取了前 {_MAX_LISTING_LINKS} 个"
    name, name_source = _column_name(tree, meta, breadcrumb)
    return ListingFacts(
        page_url=page_url,
        name=name,
        name_source=name_source,
        items=tuple(items),
        newest=max(shown) if shown else None,
        pagination=pagination,
        total_pages=total_pages,
        total_records=total_records,
        placeholder=walk.placeholder,
        cms=cms,
        is_listing=is_listing,
        breadcrumb=breadcrumb,
        column_type_meta=meta.get("columntype") or None,
        limited="；".join(filter(None, [links_limited, records_limited])),
    )


_HOME_PATH = re.compile(r"/?(?:(?:index|default|home)\.\w+)?", re.IGNORECASE)


def _is_home(page_url: str) -> bool:
    """A site root: its lists are the home-page columns, none of them dominant by design."""
    try:
        path = urlsplit(page_url).path
    except ValueError:
        return False
    return _HOME_PATH.fullmatch(path) is not None


def _is_article(meta: dict[str, str], walk: _Walk, items: list[ColumnItem]) -> bool:
    """Article pages announce themselves in meta tags or carry running text."""
    if "articletitle" in meta:
        return True
    dated = sum(1 for item in items if item.date_source == "text")
    if ("pubdate" in meta or "firstpublishedtime" in meta) and dated < 10:
        return True
    if walk.pub_line and dated < 2:
        return True
    # Related-article boxes under a body text are short; a real list has more rows than prose.
    return walk.prose >= 600 and walk.prose >= 60 * max(dated, 1)


def _column_name(
    tree: LexborHTMLParser, meta: dict[str, str], breadcrumb: tuple[str, ...]
) -> tuple[str, NameSource]:
    if meta.get("columnname"):
        return meta["columnname"], "meta"
    if breadcrumb:
        return breadcrumb[-1], "breadcrumb"
    title_node = tree.css_first("title")
    title = _collapse(title_node.text()) if title_node is not None else ""
    if title:
        return _name_from_title(title, meta.get("sitename")), "title"
    return "", "none"
