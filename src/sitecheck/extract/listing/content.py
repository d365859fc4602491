"""What a page shows besides its site chrome: the evidence behind an empty-column claim.

A column is empty (栏目有名称无内容) in more ways than a 暂无信息 placeholder: a list block with
its heading and pager but no rows, a single-content page (领导简介, 机构职能) with a heading and no
body, a content area that is only a frame whose document is empty. This module measures, for a
page that lists nothing, what is there: visible text outside chrome, breadcrumb, heading and
pager; content links; images, embedded documents and forms; frames; an empty list container;
and whether scripts fill the page after loading (then what the crawler saw may be an unfilled
template, and the judge only asks for a check).

It runs only on pages without list items (most pages are articles or lists), so its per-node
walk costs little over a crawl.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from sitecheck.extract.dates import url_date
from sitecheck.extract.listing.dom import PageBase, collapse, is_under
from sitecheck.extract.listing.walk import PageWalk, is_hidden
from sitecheck.models import PageContent

# Never shown as content.
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option"})


# Elements that are content without being text.
_MEDIA_CSS = "img, embed, object, video, audio, canvas, svg, input, textarea, select, table img"




_HEADING_CSS = "h1, h2, h3, [class*=title i], [id*=title i]"


# List containers by their hooks: list, lb (列表), news, xxgk, article, data, info.
_LIST_HOOK = re.compile(r"list|lb|news|xxgk|gkml|article|data|items?", re.IGNORECASE)
_LIST_CSS = "ul, ol, tbody, table, div[class], div[id]"


# A script that fetches content after the page loads (not counters or statistics scripts,
# which rarely mention lists or pages) or a client-side template framework.
_FETCHING = re.compile(
    r"\$\.(?:ajax|get|post|getJSON)\s*\(|\.load\s*\(|\bfetch\s*\(|XMLHttpRequest|axios\.|jsonp|dataproxy",
    re.IGNORECASE,
)
_LISTISH = re.compile(
    r"list|page(?:no|index|size|num)?|column|chnl|channel|catalog|colid|rows|records|total|infos?|content",
    re.IGNORECASE,
)
_TEMPLATE_MARKS = (
    "ng-app",
    "ng-repeat",
    "v-for=",
    "v-if=",
    ":key=",
    "x-for=",
    "{{",
    "th:each",
    "layui-laytpl",
)


def is_scripted(root: LexborNode, html_text: str) -> bool:
    """Whether the page fills itself by script: a client-side template, or an inline script
    that fetches data and talks about lists or pages."""
    if any(mark in html_text for mark in _TEMPLATE_MARKS):
        return True
    for script in root.css("script"):
        if "src" in script.attributes:
            continue
        code = script.text()
        if len(code) > 200_000:
            code = code[:200_000]
        if _FETCHING.search(code) and _LISTISH.search(code):
            return True
    return False


def page_content(
    root: LexborNode,
    walk: PageWalk,
    base: PageBase,
    html_text: str,
    crumb_nodes: list[LexborNode],
    crumbs: tuple[str, ...] = (),
) -> PageContent:
    """Measure what the page shows outside its chrome, breadcrumb, heading and pager.

    Text inside links is not counted as text (menus are links); links count as content when
    they look like content (a title-length text, a document or an attachment), not when they
    are short menu entries such as a side menu of sibling columns. A chrome or breadcrumb
    element holding much text is not set aside: the misread would hide a page's body, and
    hiding a body is the one error that could make a healthy page look empty.
    """
    root_id = root.mem_id
    excluded: set[int] = set()
    # Breadcrumb candidates include the trail's container's container: set aside only those
    # that hold little more than the trail itself (its names, a 当前位置 label, separators).
    trail = sum(len(name) for name in crumbs) + _TRAIL_EXTRA
    # A container holding the trail and a photo, a frame or more links than the trail has is a
    # content area, not the trail.
    trail_nodes = [
        node
        for node in crumb_nodes
        if node.mem_id != root_id
        and len(_TRAIL_NOISE.sub("", node.text())) <= trail
        and not _holds_foreign(node)
        and len(node.css("a")) <= len(crumbs) + 1
    ]
    excluded.update(node.mem_id for node in trail_nodes)
    # The site's menus sit above the trail; a menu below it is the page's own content (a parent
    # column's page is a block of links to its sub-columns, often named "col-nav").
    order = {node.mem_id: n for n, node in enumerate(root.traverse())} if trail_nodes else {}
    anchor = min((order.get(node.mem_id, 0) for node in trail_nodes), default=-1)
    for node in walk.chrome:
        if node.mem_id == root_id or len(node.text(strip=True)) > _MAX_SET_ASIDE:
            continue
        if _is_menu(node) and order.get(node.mem_id, -1) > anchor:
            continue
        excluded.add(node.mem_id)
    # Side menus of sibling columns (with their 机构概况-style title) are navigation too.
    for node in root.css(_SIDE_CSS):
        if _SIDE_HOOK.search(_hook(node)) and len(node.text(strip=True)) <= _MAX_SIDE and _only_menu(node):
            excluded.add(node.mem_id)
    excluded.update(node.mem_id for node in walk.pager_links)
    excluded.update(node.mem_id for node in _hidden_nodes(root))
    memo: dict[int, bool] = {}

    heading_node = _heading(root, excluded, memo, crumbs[-1] if crumbs else "")
    heading = ""
    if heading_node is not None:
        heading = collapse(heading_node.text())
        excluded.add(heading_node.mem_id)
        memo.clear()

    chars = 0
    for node in root.traverse(include_text=True, skip_empty=True):
        if node.tag != "-text":
            continue
        parent = node.parent
        if parent is None or parent.tag in _SKIP:
            continue
        raw = node.text_content
        if not raw or raw.isspace() or _in_link(parent):
            continue
        if is_under(parent, excluded, memo):
            continue
        chars += len("".join(raw.split()))
        if chars > 2000:
            break  # plenty: the exact size no longer matters

    # Every link outside what was set aside is content: a parent column's page is its grid of
    # sub-column links.
    content_links = sum(1 for link in walk.links if not is_under(link.node, excluded, memo))
    media = sum(1 for node in root.css(_MEDIA_CSS) if not _ignorable_media(node, excluded, memo))
    frames: list[str] = []
    for node in root.css("iframe, frame"):
        if is_under(node, excluded, memo):
            continue
        src = (node.attributes.get("src") or "").strip()
        url = base.resolve(src) if src and not src.lower().startswith(("javascript:", "about:")) else None
        if url is None:
            # A frame whose document cannot be read (filled by script, src wiped): content the
            # crawler cannot judge, so the page is not bare.
            media += 1
        elif url not in frames:
            frames.append(url)
    return PageContent(
        text_chars=chars,
        heading=heading,
        frames=tuple(frames[:5]),
        empty_block=_empty_block(root, excluded, memo),
        hidden_placeholder=walk.hidden_placeholder or "",
        scripted=is_scripted(root, html_text),
        media=media,
        content_links=content_links,
    )


# Characters of text a chrome element may hold and still be set aside.
_MAX_SET_ASIDE = 600


# What a breadcrumb's container holds besides the names: 您当前的位置：, separators, blanks.
_TRAIL_EXTRA = 10
# Elements a breadcrumb never holds: a trail's images are arrows between its links, a photo sits
# in its own block (a list item, a paragraph, a div). When in doubt the container is not set
# aside, which can only make a page look fuller, never emptier.
_TRAIL_FOREIGN = "iframe, frame, embed, object, video, form, table"
_PHOTO_BLOCKS = frozenset({"li", "p", "div", "td", "figure", "dd", "dt", "span"})


def _holds_foreign(node: LexborNode) -> bool:
    """Whether a breadcrumb candidate holds what no trail holds: a frame, a form, a table, or a
    photo in a block of its own below the candidate (arrows sit right between the links)."""
    if node.css_first(_TRAIL_FOREIGN) is not None:
        return True
    for image in node.css("img"):
        holder = image.parent
        while holder is not None and holder.tag == "a":
            holder = holder.parent
        if holder is not None and holder.mem_id != node.mem_id and holder.tag in _PHOTO_BLOCKS:
            return True
    return False
_TRAIL_NOISE = re.compile(r"[\s>»›/\\\-—→＞:：|]+")


_HIDING_CSS = "[style*=none i], [style*=hidden i], [hidden], [class*=hide i], [class*=none i]"


def _hidden_nodes(root: LexborNode) -> list[LexborNode]:
    """Elements the page hides (inline display:none, hidden, a hide class): not shown, so
    not content. Their text never makes a page look full (dialogs, templates)."""
    return [node for node in root.css(_HIDING_CSS) if is_hidden(node, root.mem_id, depth=1)]


# Menu entries are short names (领导简介, 机构职能, 政策解读); item titles are longer.
_MENU_TEXT = 12


# Side menus by their hooks: left, side, sidebar, submenu, subnav, leftnav, 栏目导航 (lmdh).
_SIDE_CSS = ", ".join(
    f"[{attr}*={word} i]" for attr in ("class", "id") for word in ("left", "side", "sub", "lmdh", "menu")
)
_SIDE_HOOK = re.compile(
    r"(?:^|[\s_-])(?:left|side|sidebar|submenu|subnav|leftnav|leftmenu|sidenav|lmdh|menu)(?:$|[\s_\-\d])"
    r"|left(?:nav|menu|bar|list)|side(?:nav|menu|bar)|sub(?:nav|menu)",
    re.IGNORECASE,
)


_MENU_HOOK = re.compile(r"nav|menu|daohang", re.IGNORECASE)
_FRAME_HOOK = re.compile(r"head|top|foot|bottom|copyright|banner", re.IGNORECASE)


def _is_menu(node: LexborNode) -> bool:
    """A chrome element that is a menu (nav, menu, daohang), not a header or footer."""
    if node.tag in {"header", "footer"}:
        return False
    hook = _hook(node)
    return node.tag == "nav" or (_MENU_HOOK.search(hook) is not None and _FRAME_HOOK.search(hook) is None)


# Text a side menu may hold: a title and a dozen short entries.
_MAX_SIDE = 300


def _only_menu(node: LexborNode) -> bool:
    """Short link entries (and a title) only: no document, no item title, no dated text."""
    for link in node.css("a"):
        text = collapse(link.text())
        href = link.attributes.get("href") or ""
        if len(text) > _MENU_TEXT or _DOCUMENT.search(href) or url_date(href) is not None:
            return False
    return True


def _hook(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('id') or ''} {attrs.get('class') or ''}"


_DOCUMENT = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|wps|et|ofd|zip|rar|7z|txt|csv)(?:$|[?#])|/t\d{8}_\d+|/art_\d+_\d+|content_\d+|post_\d+",
    re.IGNORECASE,
)


def _heading(
    root: LexborNode, excluded: set[int], memo: dict[int, bool], name_hint: str
) -> LexborNode | None:
    """The page's own heading: the one that reads as the column's name (the breadcrumb's last
    entry), else the first h1-h3, else the first title-like element; outside chrome."""
    first_h: LexborNode | None = None
    first_other: LexborNode | None = None
    hint = name_hint.replace(" ", "")
    for node in root.css(_HEADING_CSS):
        if node.mem_id == root.mem_id or is_under(node, excluded, memo):
            continue
        text = collapse(node.text())
        if not 0 < len(text) <= 40:
            continue
        if hint and text.replace(" ", "") == hint:
            return node
        if node.tag in {"h1", "h2", "h3"}:
            first_h = first_h or node
        else:
            first_other = first_other or node
    return first_h or first_other


def _in_link(node: LexborNode | None) -> bool:
    for _ in range(4):
        if node is None:
            return False
        if node.tag == "a":
            return True
        node = node.parent
    return False


def _ignorable_media(node: LexborNode, excluded: set[int], memo: dict[int, bool]) -> bool:
    if is_under(node, excluded, memo):
        return True
    attrs = node.attributes
    if node.tag == "input" and (attrs.get("type") or "").lower() == "hidden":
        return True
    if node.tag == "img":
        # Spacers, bullets and arrows are layout: tiny by their declared size.
        for key in ("width", "height"):
            value = (attrs.get(key) or "").strip().removesuffix("px")
            if value.isdigit() and int(value) <= 16:
                return True
    return False


def _empty_block(root: LexborNode, excluded: set[int], memo: dict[int, bool]) -> str:
    """A list container left without rows: ``ul.news_list`` (the first one), or ""."""
    for node in root.css(_LIST_CSS):
        attrs = node.attributes
        hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".strip()
        if node.tag in {"div", "table", "tbody"} and not _LIST_HOOK.search(hook):
            continue
        if node.tag in {"ul", "ol"} and not hook and node.parent is not None:
            # A bare <ul> is a list only inside a list-looking wrapper.
            parent_attrs = node.parent.attributes
            parent_hook = f"{parent_attrs.get('id') or ''} {parent_attrs.get('class') or ''}"
            if not _LIST_HOOK.search(parent_hook):
                continue
        if node.text(strip=True) or node.css_first("a, img, iframe, li a, td a") is not None:
            continue
        if is_under(node, excluded, memo) or is_hidden(node, root.mem_id):
            continue
        name = attrs.get("class") or attrs.get("id") or ""
        first = name.split()[0] if name.split() else ""
        return f"{node.tag}.{first}" if first else str(node.tag)
    return ""
