"""The further pages of a list: TRS ``createPageHTML``/``countPage`` pager scripts and
rendered pagers (下一页 / 尾页 / numbered links).

The ``createPageHTML`` calls seen on portals (the arguments a template engine fills in):

* classic TRS WCM: ``createPageHTML(46, 0, "index", "html")``: page count, current page
  counted from 0, file stem, extension; page i (i >= 1) is ``index_i.html``;
* with a style and the record count (湖北, 景德镇): ``createPageHTML(7, 0, "index", "shtml",
  "black2", 136)``, numbered the same way;
* TRS 海云 (csrc.gov.cn, hunan.gov.cn …): ``createPageHTML('page_div', 10, 1, 'xlist', 'shtml',
  189)``: the pager's element id first and the record count last; its scripts count pages from
  1 and page k (k >= 2) is ``xlist_k.shtml``, the last ``xlist_10.shtml``. A current page of 0
  (``createPageHTML("page_div", 3, 0, "index", "html", 50)``) can only be counted from 0: then
  the pages are ``index_1.html`` and ``index_2.html``, as in the classic form.

Which count a call uses is read from the call itself where it can be (see ``_counts_from_one``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.extract.listing.dom import MAX_DIGITS, PageBase, collapse, count_value, link_href, page_base

_PAGER_WORDS = frozenset({"下一页", "下页", "尾页", "末页", "最后一页", "上一页", "上页", "首页", "第一页"})


_NEXT_WORDS = frozenset({"下一页", "下页"})


_LAST_WORDS = frozenset({"尾页", "末页", "最后一页"})


# The forms listed in the module's docstring. The function's own definition has identifiers, not
# numbers, so it never matches.
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?P<box>['\"][^'\"]*['\"]\s*,\s*)?(?P<count>\d+)\s*,\s*(?P<current>\d+)\s*,"
    r"\s*['\"](?P<base>[^'\"]+)['\"]\s*,\s*['\"](?P<ext>s?html?|jsp|php)['\"]"
    r"(?:\s*,\s*['\"][^'\"]*['\"])?(?:\s*,\s*(?P<total>\d+))?"
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


def read_script_pager(html_text: str, base: PageBase, max_pages: int) -> _Pager | None:
    match = _CREATE_PAGE.search(html_text)
    if match and _DOC_PAGER.match(match["base"]):
        # An article split over pages (createPageHTML(2,0,"t20190918_693227","shtml")): its
        # pages continue the document, they are not list pages.
        return None
    if match:
        count = count_value(match["count"])
        if count is None:
            return None  # a number no page count can be: nothing to follow
        current = count_value(match["current"])
        name, ext = match["base"], match["ext"]
        total = count_value(match["total"]) if match["total"] else None
        if _counts_from_one(bool(match["box"]), name, ext, current, base):
            # Page k (k >= 2) is {base}_{k}.
            urls = _page_urls(name, ext, range(1, count + 1), 1, current, base, max_pages)
        else:
            # Page i (i >= 1) is {base}_{i}.
            urls = _page_urls(name, ext, range(count), 0, current, base, max_pages)
        return _Pager(urls, count, total)
    match = _COUNT_PAGE.search(html_text)
    if match:
        count = count_value(match.group(1))
        if count is None:
            return None
        window = html_text[match.start() : match.start() + 4000]
        current_match = _CURRENT_PAGE.search(html_text, max(0, match.start() - 400), match.start() + 4000)
        current = count_value(current_match.group(1)) if current_match else 0
        base_match = _PAGE_BASE.search(window)
        name = base_match.group(1) if base_match else "index"
        if _DOC_PAGER.match(name):
            return None
        ext_match = _PAGE_EXT.search(window)
        ext = (ext_match.group(1) or ext_match.group(2)) if ext_match else "html"
        urls = _page_urls(name, ext, range(count), 0, current, base, max_pages)
        num = _COUNT_NUM.search(html_text, max(0, match.start() - 400), match.start() + 400)
        return _Pager(urls, count, count_value(num.group(1)) if num else None)
    return None


def _counts_from_one(box: bool, name: str, ext: str, current: int | None, base: PageBase) -> bool:
    """Whether a ``createPageHTML`` call counts its pages from 1 (海云) rather than from 0.

    The two numberings name every page but the first and the last alike (the current page of
    ``index_2.html`` is 2 in both), so the call is read where they differ: a current page of 0
    exists only when counting from 0; the bare ``index.html`` calls itself page 1 only when
    counting from 1, and ``index_1.html`` only when counting from 0. Elsewhere the form
    decides: the 海云 form (element id first) counts from 1, the classic ones from 0.
    """
    if current == 0:
        return False
    if current == 1:
        own = unquote(urlsplit(base.url).path.rsplit("/", 1)[-1]).lower()
        if own == f"{name}.{ext}".lower():
            return True
        if own == f"{name}_1.{ext}".lower():
            return False
    return box


def _page_urls(
    name: str, ext: str, pages: range, first: int, current: int | None, base: PageBase, max_pages: int
) -> tuple[str, ...]:
    """URLs of the list pages ``pages`` except ``current``; page ``first`` is the bare ``name``.

    The count comes from the page and can be any number (createPageHTML(1000000000, …)): only the
    URLs kept are built, so the work is bounded by ``max_pages`` whatever the count says.
    """
    wanted = (k for k in pages if k != current)
    directory = _numbered_directory(name, ext, base)
    if directory is None:
        urls = (base.resolve(f"{name}.{ext}" if k == first else f"{name}_{k}.{ext}") for k in wanted)
    else:
        # Every list page of a column names all the others (chains of 60 pages are common), so
        # the numbered ones are spelt from one resolution rather than resolved one by one.
        bare = f"{name}.{ext}"
        urls = (base.resolve(bare) if k == first else f"{directory}{name}_{k}.{ext}" for k in wanted)
    return tuple(islice(filter(None, urls), max(max_pages, 0)))


def _numbered_directory(name: str, ext: str, base: PageBase) -> str | None:
    """What ``base`` resolves ``{name}_{k}.{ext}`` to with the file name left out, when that is
    the same for every k: when resolving spells the file name as written (its characters need no
    escaping; digits never do). None otherwise."""
    file_name = f"{name}_1.{ext}"
    resolved = base.resolve(file_name)
    if resolved is None or not resolved.endswith("/" + file_name):
        return None
    return resolved[: -len(file_name)]


def _pager_label(node: LexborNode) -> str:
    """下一页 from "下一页>", "[下一页]" or "下一页 »"."""
    return collapse(node.text()).strip(" <>«»[]【】").replace(" ", "")


def read_static_pager(
    pager_links: list[LexborNode], page_url: str, base: PageBase, max_pages: int
) -> _Pager | None:
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
        href = link_href(node)
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
        if dot - start > MAX_DIGITS:
            return None  # no page number is that long
    number = count_value(url[start:dot]) if start < dot else None
    if number is None:
        return None
    return url[:start], number, url[dot:]


def pagination_urls(
    tree: LexborHTMLParser, page_url: str, html_text: str, *, max_pages: int = 200, encoding: str = "utf-8"
) -> tuple[str, ...]:
    """Absolute URLs of the further pages of a list (script pagers first, then static links)."""
    base = page_base(tree, page_url, encoding)
    pager = read_script_pager(html_text, base, max_pages)
    if pager is None and tree.body is not None:
        links = [node for node in tree.body.css("a") if is_pager_word(_pager_label(node))]
        pager = read_static_pager(links, page_url, base, max_pages)
    return pager.urls if pager else ()


def stated_totals(
    texts: list[str], total_pages: int | None, total_records: int | None
) -> tuple[int | None, int | None]:
    """The page and record counts, those still unknown read from what the page says (共N页, 共N条)."""
    joined = "".join(texts)
    if total_pages is None and (found := _TOTAL_PAGES_TEXT.search(joined)):
        total_pages = count_value(found.group(1) or found.group(2))
    if total_records is None and (found := _TOTAL_RECORDS_TEXT.search(joined)):
        total_records = count_value(found.group(1))
    return total_pages, total_records


def is_pager_word(label: str) -> bool:
    return label in _PAGER_WORDS or (label.isdigit() and len(label) <= 4)
