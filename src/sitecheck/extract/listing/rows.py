"""Repeated blocks of links, their scoring (dated rows, document URLs, site chrome) and the
rows of the chosen blocks read as column items."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from selectolax.lexbor import LexborNode

from sitecheck.extract.dates import url_date
from sitecheck.extract.listing.dom import (
    DATEISH,
    MAX_DATE_CELL,
    YEAR,
    PageBase,
    cell_date,
    collapse,
    is_date_only,
    is_under,
    link_href,
    texts_within,
)
from sitecheck.extract.listing.walk import Link, PageWalk
from sitecheck.models import ColumnItem

_MAX_ROW_LINKS = 3


@dataclass(slots=True)
class _Row:
    node: LexborNode
    links: list[Link]


@dataclass(slots=True)
class _Block:
    node: LexborNode
    rows: dict[int, _Row]
    chrome: bool


def find_blocks(links: list[Link]) -> dict[int, _Block]:
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
    chrome: bool  # part of the site chrome (header, menu, footer), not content


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


def _is_more(link: Link) -> bool:
    return bool(link.text) and len(link.text) <= 8 and _MORE.match(link.text.replace(" ", "")) is not None


def score_block(
    block: _Block, walk: PageWalk, nav_urls: frozenset[str], base: PageBase, doclike: dict[int, bool]
) -> _Scored | None:
    counts = walk.link_counts
    dates = walk.date_counts
    rows = [
        row
        for row in block.rows.values()
        if counts.get(row.node.mem_id, 1) <= _MAX_ROW_LINKS
        # Two links each with its own date are two rows of a list, not one item.
        and not (counts.get(row.node.mem_id, 1) >= 2 and dates.get(row.node.mem_id, 0) >= 2)
    ]
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
    chrome = block.chrome
    if chrome and dated >= 3 and dated * 2 >= len(kept):
        # Menus and footers do not date their entries: a run of dated rows inside an element
        # named like chrome ("sNav" for a news section, "top-news") is a list after all.
        chrome = False
    if chrome:
        score *= 0.2
    return _Scored(block, kept, dated, dated_links, doc_links, url_dated, score, chrome)


def _main_link(row: _Row) -> Link:
    if len(row.links) == 1:
        return row.links[0]
    return max(row.links, key=lambda link: len(link.text) or len(link.title))


def _date_sibling(node: LexborNode, walk: PageWalk) -> LexborNode | None:
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
        or len(sibling.text(strip=True)) > MAX_DATE_CELL
    ):
        return None
    return sibling


def row_item(
    row: LexborNode,
    main: LexborNode | None,
    base: PageBase,
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
    for text_node, raw in texts_within(row, budget):
        text = raw.strip()
        in_main = main_id is None or is_under(text_node.parent, main_ids, main_memo, row.mem_id)
        value = cell_date(text, today) if DATEISH.search(text) else None
        date_only = value is not None and len(text) <= MAX_DATE_CELL and is_date_only(text, today)
        if in_main and not date_only:
            title_parts.append(text)
        if value is not None:
            (inside if in_main else outside).append((value, YEAR.search(text) is None))
    title = collapse(" ".join(title_parts))
    if main is not None:
        attr_title = collapse(main.attributes.get("title") or "")
        if len(attr_title) > len(title) or (not title and attr_title):
            title = attr_title
    if not title:
        return None
    href = link_href(main) if main is not None else None
    url = base.resolve(href) if href else None
    from_url = url_date(url, today=today) if url else None
    # A date in the link text is usually part of the title; prefer one shown beside the link.
    if date_node is not None and not outside:
        for _, raw in texts_within(date_node, budget):
            text = raw.strip()
            value = cell_date(text, today) if DATEISH.search(text) else None
            if value is not None:
                outside.append((value, YEAR.search(text) is None))
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


def read_items(
    rows: Iterable[_Row], walk: PageWalk, base: PageBase, today: date, budget: list[int]
) -> list[ColumnItem]:
    items: list[ColumnItem] = []
    seen: set[tuple[str, str | None]] = set()
    for row in rows:
        if budget[0] <= 0:
            break
        item = row_item(row.node, _main_link(row).node, base, today, budget, _date_sibling(row.node, walk))
        # Responsive templates repeat each list for mobile; one entry per title and URL. Rows
        # without a URL (script links) cannot be told apart that way: each is an item.
        if item is not None and (item.url is None or (item.title, item.url) not in seen):
            seen.add((item.title, item.url))
            items.append(item)
    return items


# Nodes read in all for a page's items. Rows of one list are disjoint, so a list reads each of
# its nodes once; rows nested in rows (one dated row inside another, a thousand deep) would read
# the nodes below them once per row.
ITEMS_BUDGET = 300_000


ITEMS_CUT = "列表条目嵌套过深，只读取了部分条目"


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


def _same_list(a: LexborNode, b: LexborNode) -> bool:
    if _signature(a) != _signature(b):
        return False
    pa, pb = a.parent, b.parent
    if pa is None or pb is None:
        return False
    if pa.mem_id == pb.mem_id:
        return True
    ga, gb = pa.parent, pb.parent
    return ga is not None and gb is not None and ga.mem_id == gb.mem_id and _signature(pa) == _signature(pb)


def select_rows(scored: list[_Scored], *, home: bool) -> tuple[list[_Row], bool]:
    """Rows of the page's column list, and whether they look like a list at all.

    A dominant block (most of the page's dated rows) is the column list; when dated rows are
    spread over several blocks, or the page is a site's home page, all dated lists count.
    """
    dated = [s for s in scored if s.dated and not s.chrome]
    if dated:
        best = max(dated, key=lambda s: s.score)
        all_dated = set().union(*(s.dated_links for s in dated))
        if not home and best.dated * 2 >= len(all_dated):
            # A long list is often cut into runs (<ul> of 5, a divider, <ul> of 5; or each run
            # in its own wrapper): same-looking dated blocks side by side, or in same-looking
            # wrappers side by side, are one list.
            siblings = [s for s in dated if s is not best and _same_list(best.block.node, s.block.node)]
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
    undated = [s for s in scored if not s.chrome and s.url_dated * 3 >= len(s.rows) * 2]
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
