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

import dataclasses
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.extract.listing.content import page_content
from sitecheck.extract.listing.dom import collapse, page_base
from sitecheck.extract.listing.hanweb import (
    DataproxyPage,
    DataproxyRequest,
    dataproxy_requests,
    embedded_items,
    parse_dataproxy_xml,
    read_jpage,
)
from sitecheck.extract.listing.meta import (
    HOME_WORDS,
    column_name,
    detect_cms,
    is_article,
    is_home_page,
    meta_map,
    read_breadcrumb,
)
from sitecheck.extract.listing.pagination import (
    pagination_urls,
    read_script_pager,
    read_static_pager,
    stated_totals,
)
from sitecheck.extract.listing.rows import (
    ITEMS_BUDGET,
    ITEMS_CUT,
    find_blocks,
    read_items,
    score_block,
    select_rows,
)
from sitecheck.extract.listing.walk import MAX_LISTING_LINKS, PageWalk, walk_page
from sitecheck.models import ColumnItem, ListingFacts, PageContent

__all__ = [
    "EMPTY_PLACEHOLDERS",
    "DataproxyPage",
    "DataproxyRequest",
    "analyse_listing",
    "dataproxy_requests",
    "detect_cms",
    "pagination_urls",
    "parse_dataproxy_xml",
]


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
    base = page_base(tree, page_url, encoding)
    meta = meta_map(tree)
    cms = detect_cms(html_text)
    body = tree.body
    walk = (
        walk_page(body, today, placeholders)
        if body is not None
        else PageWalk([], {}, set(), 0, None, False, [], [], [])
    )

    jpage = read_jpage(html_text) if cms == "hanweb" else None
    # An embedded datastore decides the list even when its recordset is empty (an empty column).
    hanweb = jpage is not None and (jpage.stores > 0 or jpage.total_records is not None)
    items: list[ColumnItem]
    listish: bool
    records_limited = ""
    total_records: int | None = None
    total_pages: int | None = None
    pagination: tuple[str, ...] = ()
    if jpage is not None and hanweb:
        items, records_limited = embedded_items(html_text, base, today)
        listish = True
        total_records = jpage.total_records
        total_pages = jpage.total_pages
        if total_pages is None and total_records is not None and jpage.per_page:
            total_pages = -(-total_records // jpage.per_page)
    else:
        blocks = find_blocks(walk.links)
        doclike: dict[int, bool] = {}
        scored = [score_block(block, walk, nav_urls, base, doclike) for block in blocks.values()]
        rows, listish = select_rows([s for s in scored if s is not None], home=is_home_page(page_url))
        budget = [ITEMS_BUDGET]
        items = read_items(rows, walk, base, today, budget)
        if budget[0] <= 0:
            records_limited = ITEMS_CUT

    script = read_script_pager(html_text, base, max_pages)
    pager = script or read_static_pager(walk.pager_links, page_url, base, max_pages)
    if pager is not None:
        pagination = pager.urls
        total_pages = total_pages if total_pages is not None else pager.total_pages
        total_records = total_records if total_records is not None else pager.total_records
    total_pages, total_records = stated_totals(walk.texts, total_pages, total_records)

    article = is_article(meta, walk, items)
    dated_items = sum(1 for item in items if item.date_source == "text")
    script_pager = script is not None
    breadcrumb = read_breadcrumb(walk.crumbs)
    content = (
        page_content(body, walk, base, html_text, walk.crumbs, breadcrumb)
        if body is not None and not items and not article
        else PageContent(hidden_placeholder=walk.hidden_placeholder or "")
    )
    site_code = _SITE_CODE.sub("", meta.get("siteidcode", ""))[:40]
    if site_code:
        content = dataclasses.replace(content, site_code=site_code)
    # Nothing but a name, a pager and maybe an empty list container.
    # Images, embedded documents, forms and frames are content too: a page showing an org chart
    # or a 留言 form beside an empty list container is not an empty column.
    little = (
        0 <= content.text_chars <= _LIST_SHELL_CHARS
        and content.content_links == 0
        and content.media == 0
        and not content.frames
    )
    own_pager = _own_pager(walk) if not items and not article else []
    if article:
        is_listing = False
    elif hanweb:
        is_listing = True
    elif not items and (
        walk.placeholder is not None
        or walk.hidden_placeholder is not None
        or total_records == 0
        or total_pages == 0
        or (script_pager and (total_pages or 0) <= 1)
        or (little and bool(content.empty_block) and bool(own_pager or breadcrumb))
        or (little and len(own_pager) >= 2)
    ):
        # A list page that lists nothing: the 空白栏目 case (how sure, the judge decides from
        # the content facts: a hidden placeholder alone is no evidence).
        is_listing = True
    else:
        is_listing = listish and (
            dated_items >= 2
            or (bool(items) and (bool(pagination) or (total_pages or 0) > 1))
            or len(items) >= 8
            or (bool(items) and "columnname" in meta)
            # A short column (one item, or items dated only by their URLs): its page says it
            # is a list (a pager, an empty-list template, a column index address).
            or (
                bool(items)
                and all(item.date_source != "none" for item in items)
                and (script_pager or walk.hidden_placeholder is not None or _is_column_index(page_url))
            )
        )
    if not is_listing:
        items = []

    limit = today + timedelta(days=1)
    shown = [item.date for item in items if item.date is not None and item.date <= limit]
    links_limited = ""
    if walk.ignored_links:
        total_links = MAX_LISTING_LINKS + walk.ignored_links
        links_limited = f"链接过多（{total_links} 个），栏目分析只读取了前 {MAX_LISTING_LINKS} 个"
    name, name_source = column_name(tree, meta, breadcrumb)
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
        content=content,
    )


# A 网站标识码 is ten digits (older ones letters and digits); anything else is not kept.
_SITE_CODE = re.compile(r"[^0-9A-Za-z]")


# Characters of text (outside chrome, breadcrumb, heading and links) a list page with no rows
# may show: its block heading, 共1页, a 当前第1页 line.
_LIST_SHELL_CHARS = 40


# A column's own address: a directory, an index/list/default page, Hanweb's /col/colN/,
# a list.jsp?… query; never an article's (t20200101_1.html, art_1_2.html, content_3.html).
_COLUMN_INDEX = re.compile(
    r"(?:/|/(?:index|list|default|more)[\w-]*\.\w+)$|/col/col\d+/|list\w*\.(?:jsp|do|aspx?|php)$",
    re.IGNORECASE,
)


def _own_pager(walk: PageWalk) -> list[LexborNode]:
    """The pager links of the page's own list: not in site chrome, and not 首页 (every menu's
    and trail's first entry)."""
    chrome = {link.node.mem_id for link in walk.links if link.chrome}
    return [
        node
        for node in walk.pager_links
        if node.mem_id not in chrome and collapse(node.text()).replace(" ", "") not in HOME_WORDS
    ]


def _is_column_index(page_url: str) -> bool:
    try:
        path = urlsplit(page_url).path
    except ValueError:
        return False
    return _COLUMN_INDEX.search(path) is not None
