"""What a page says about itself: its CMS, meta tags, breadcrumb and column name, and whether
it is an article rather than a list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.extract.listing.dom import CRUMB_LABEL, CRUMB_SEP, collapse
from sitecheck.extract.listing.walk import PageWalk
from sitecheck.models import ColumnItem, NameSource

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


def meta_map(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        attrs = node.attributes
        key = (attrs.get("name") or "").strip().lower()
        content = collapse(attrs.get("content") or "")
        if key and content and key not in found:
            found[key] = content
    return found


def read_breadcrumb(candidates: list[LexborNode]) -> tuple[str, ...]:
    """Entries of the first candidate that reads as a trail: names joined by separators.

    A separator is text (">", "»", "/"…) or an element that shows no text between two names
    (an arrow ``<img>``, an icon ``<i>``, a ``<span>`` drawn by CSS). A trail written without
    any separator is read while its names are links. Reading stops at the first two names not
    joined, which drops widgets that share the container (字号 / 打印 buttons after the trail
    on gov.cn).
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
        last_linked = False
        for kind, raw, linked in _crumb_pieces(node, budget):
            if kind == "sep":
                if parts:
                    joined = True
                    separators += 1
                continue
            text = raw.replace("\xa0", " ")
            if CRUMB_LABEL.search(text):
                labelled = True
                text = CRUMB_LABEL.sub(" > ", text) if parts else CRUMB_LABEL.sub("", text)
            pieces = CRUMB_SEP.split(text)
            stop = False
            for index, piece in enumerate(pieces):
                if index > 0:
                    joined = True
                    separators += 1
                name = piece.strip(" \t\r\n")
                if not name:
                    continue
                if not joined and parts and not (separators == 0 and linked and last_linked):
                    stop = True
                    break
                parts.append(name)
                joined = False
                last_linked = linked
            if stop:
                break
        if len(parts) >= 2 and (separators or labelled or last_linked) and sum(map(len, parts)) <= 200:
            return tuple(parts)
        if parts and labelled and len(parts) == 1:
            return tuple(parts)
        if budget[0] <= 0:
            break
    return ()


_CRUMB_SKIP = frozenset({"script", "style", "noscript", "template", "select", "option"})


def _crumb_pieces(root: LexborNode, budget: list[int]) -> Iterator[tuple[str, str, bool]]:
    """("text", text, inside a link) and ("sep", "", False) pieces of a breadcrumb, in order.

    Elements without text (images, icons, CSS-drawn arrows) are separators; so is a <br>.
    """
    stack = list(root.iter(include_text=True))
    budget[0] -= len(stack)
    stack.reverse()
    while stack and budget[0] > 0:
        node = stack.pop()
        tag = node.tag
        if tag == "-text":
            value = node.text_content
            if value and not value.isspace():
                yield "text", value, _in_link(node, root)
            continue
        if not tag or tag[0] == "-" or tag in _CRUMB_SKIP:
            continue
        children = list(node.iter(include_text=True))
        if not node.text(strip=True):
            yield "sep", "", False
            continue
        budget[0] -= len(children)
        children.reverse()
        stack.extend(children)


def _in_link(node: LexborNode, root: LexborNode) -> bool:
    parent = node.parent
    for _ in range(4):
        if parent is None or parent.mem_id == root.mem_id:
            return False
        if parent.tag == "a":
            return True
        parent = parent.parent
    return False


# Nodes read in all while looking for the breadcrumb. Candidates can nest (a hostile page nests
# thousands of class="position" blocks) and each is read from its start; a real trail is found
# within a few hundred nodes.
_CRUMB_BUDGET = 20_000


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


_HOME_PATH = re.compile(r"/?(?:(?:index|default|home)\.\w+)?", re.IGNORECASE)


def is_home_page(page_url: str) -> bool:
    """A site root: its lists are the home-page columns, none of them dominant by design."""
    try:
        path = urlsplit(page_url).path
    except ValueError:
        return False
    return _HOME_PATH.fullmatch(path) is not None


def is_article(meta: dict[str, str], walk: PageWalk, items: list[ColumnItem]) -> bool:
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


# What the home page is called in trails and menus: never a column's name.
HOME_WORDS = frozenset({"首页", "网站首页", "主页", "home", "返回首页", "本站首页"})


def column_name(
    tree: LexborHTMLParser, meta: dict[str, str], breadcrumb: tuple[str, ...]
) -> tuple[str, NameSource]:
    if meta.get("columnname"):
        return meta["columnname"], "meta"
    if breadcrumb and breadcrumb[-1].replace(" ", "").lower() not in HOME_WORDS:
        return breadcrumb[-1], "breadcrumb"
    title_node = tree.css_first("title")
    title = collapse(title_node.text()) if title_node is not None else ""
    if title:
        return _name_from_title(title, meta.get("sitename")), "title"
    return "", "none"
