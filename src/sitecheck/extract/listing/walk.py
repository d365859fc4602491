"""The one pass over a page that collects what the listing decision needs: its links with
their rows, the elements that show a date, running text, placeholders, crumbs and pager links."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from selectolax.lexbor import LexborNode

from sitecheck.extract.links import holds_links, script_urls
from sitecheck.extract.listing.dom import (
    CHROME_CSS,
    CRUMB_CSS,
    CRUMB_HOOK,
    CRUMB_LABEL,
    DATEISH,
    cell_date,
    collapse,
    is_chrome,
    is_under,
    link_href,
)
from sitecheck.extract.listing.pagination import is_pager_word

# Subtrees whose text is never shown as page content.
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option", "textarea"})


# How far above a link its row may start (a > span > div > li covers the usual list markup).
_ROW_DEPTH = 4


# How far above a date text its row may start.
_DATE_DEPTH = 6


# Links are counted this far up, so that a row's count includes links nested deeper in it than
# the row search reaches.
_COUNT_DEPTH = 8


@dataclass(slots=True)
class Link:
    node: LexborNode
    order: int
    chrome: bool
    path: tuple[LexborNode, ...]  # the link's ancestors, nearest first, at most _ROW_DEPTH
    text: str
    href: str | None  # as written; None for script pseudo-links
    title: str  # the title attribute


@dataclass(slots=True)
class PageWalk:
    links: list[Link]
    link_counts: dict[int, int]  # element mem_id -> links under it (within _COUNT_DEPTH levels)
    dated: set[int]  # mem_ids of elements with a shown date (not after today) somewhere under them
    prose: int  # characters of running text outside links and site chrome
    placeholder: str | None
    pub_line: bool  # a 发布时间：/发布日期： metadata line, as articles carry under their title
    crumbs: list[LexborNode]
    pager_links: list[LexborNode]
    texts: list[str]  # visible texts, for 共N页/共N条 totals
    ignored_links: int = 0  # links beyond MAX_LISTING_LINKS, left out of the analysis
    # A placeholder inside an element the page hides (a template's "shown when empty" block).
    hidden_placeholder: str | None = None
    chrome: list[LexborNode] = field(default_factory=list)  # outermost site-chrome elements
    # element mem_id -> date texts under it (within _DATE_DEPTH levels): a "row" holding two
    # dated links is a whole list, not one item.
    date_counts: dict[int, int] = field(default_factory=dict)


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


def walk_page(root: LexborNode, today: date, placeholders: tuple[str, ...]) -> PageWalk:
    chrome_nodes = [node for node in root.css(CHROME_CSS) if is_chrome(node, node.attributes)]
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
    for node in root.css(CRUMB_CSS):
        attrs = node.attributes
        hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
        style = (attrs.get("style") or "").replace(" ", "").lower()
        if CRUMB_HOOK.search(hook) and "display:none" not in style:
            hooked.append(node)

    links: list[Link] = []
    link_counts: dict[int, int] = {}
    pager_links: list[LexborNode] = []
    root_id = root.mem_id
    seen_links: set[int] = set()
    text_left = _TEXT_BUDGET
    candidates = root.css(_LINK_CSS)
    # Per-link work is most of this module's cost (about 50 µs a link with its row): a page
    # with tens of thousands of links is read up to a bound, and says so.
    ignored = max(len(candidates) - MAX_LISTING_LINKS, 0)
    for node in candidates[:MAX_LISTING_LINKS]:
        if node.mem_id in seen_links:
            continue
        seen_links.add(node.mem_id)
        tag = node.tag
        if tag in _NOT_LINK_TAGS and not _opens_item(node):
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
            text = collapse(whole)
        if tag == "a" and len(text) <= 8 and is_pager_word(text.strip(" <>«»[]【】").replace(" ", "")):
            pager_links.append(node)
            if "CurrChnlCls" in (attrs.get("class") or "") and path:
                crumbs.append(path[0])
        links.append(
            Link(
                node=node,
                order=len(links),
                chrome=node.mem_id in chrome_links,
                path=tuple(path),
                text=text,
                href=link_href(node),
                title=collapse(attrs.get("title") or ""),
            )
        )

    dated: set[int] = set()
    date_counts: dict[int, int] = {}
    texts: list[str] = []
    placeholder: str | None = None
    hidden_placeholder: str | None = None
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
        if DATEISH.search(text):
            value = cell_date(text, today)
            if value is not None and value <= limit:
                up: LexborNode | None = parent
                for _ in range(_DATE_DEPTH):
                    if up is None:
                        break
                    dated.add(up.mem_id)
                    date_counts[up.mem_id] = date_counts.get(up.mem_id, 0) + 1
                    up = up.parent
        # Rare texts: only these pay for a walk up the tree.
        if (
            placeholder is None
            and len(text) <= 40
            and placeholder_re.search(text) is not None
            and not is_under(parent, chrome_above, chrome_memo)
        ):
            found = next(p for p in placeholders if p in text)
            # A template's "shown when empty" element, hidden while the list has rows, says
            # nothing about the column: never take it for what the page shows.
            if is_hidden(parent, root_id):
                hidden_placeholder = hidden_placeholder or found
            else:
                placeholder = found
        if not pub_line and ("发布" in text or "发文" in text) and _PUB_LINE.search(text) is not None:
            pub_line = True
        if "位置" in text and CRUMB_LABEL.search(text) is not None:
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
    return PageWalk(
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
        hidden_placeholder,
        outer_chrome,
        date_counts,
    )


_LINK_CSS = "a, [onclick]"


# Links read per page for its column list: a column page shows tens or hundreds of items, a
# big home page a few thousand links.
MAX_LISTING_LINKS = 3000


# Characters of link text taken per page. Links do not nest in HTML, so their texts add up to
# less than the page; but <a> nests inside <svg> and onclick elements wrap links, and then each
# text is the rest of the page. Past this budget, links holding other links are read as empty.
_TEXT_BUDGET = 10_000_000


_PUB_LINE = re.compile(r"(?:发布|发文)(?:时间|日期)\s*[:：]")


_PROSE_MIN = 15


_HIDDEN_CSS = "script, style, noscript, template, select, textarea"


# Inline styles and classes that hide an element until a script shows it.
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDING_CLASS = re.compile(r"(?:^|[\s_-])(?:hide|hidden|d-none|none|invisible)(?:$|[\s_-])", re.IGNORECASE)


def is_hidden(node: LexborNode | None, stop: int | None = None, depth: int = 12) -> bool:
    """Whether ``node`` or a near ancestor is hidden by its inline style, a ``hidden``
    attribute or a hiding class (hide, hidden, d-none): what a visitor does not see."""
    for _ in range(depth):
        if node is None or node.mem_id == stop:
            return False
        attrs = node.attributes
        if attrs:
            if "hidden" in attrs:
                return True
            style = attrs.get("style")
            if style and _HIDING_STYLE.search(style):
                return True
            cls = attrs.get("class")
            if cls and _HIDING_CLASS.search(cls):
                return True
        node = node.parent
    return False


# Item links written as onclick on a title element (<span onclick="window.open('…')">): only
# when the handler names a URL and the element holds no real link and little text.
_ONCLICK_ITEM_TAGS = frozenset({"span", "div", "li", "td", "tr", "i"})


def _opens_item(node: LexborNode) -> bool:
    if node.tag not in _ONCLICK_ITEM_TAGS:
        return False
    code = node.attributes.get("onclick") or ""
    if not code or not script_urls(code):
        return False
    return node.css_first("a") is None and len(node.text(strip=True)) <= 200


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
        if not is_under(node.parent, ids, memo):
            yield node
