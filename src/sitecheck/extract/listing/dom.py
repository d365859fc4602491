"""Node helpers every part of the listing analysis shares: a link's URL (resolved by
``urls.resolve``, script links by the link extractor's rule), site chrome, breadcrumb hooks and
date cells."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.extract.dates import DATE_FIRST, DATE_LAST, scan_dates
from sitecheck.extract.links import script_urls
from sitecheck.urls import resolve

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


CRUMB_HOOK = re.compile(
    r"crumb|position|location|currentloc|curpos|dqwz|weizhi|(?:^|[\s_-])pos(?:$|[\s_-])|path",
    re.IGNORECASE,
)


CRUMB_LABEL = re.compile(r"(?:[您你]?(?:当前|现在)(?:所在|的)?|所在)的?位置\s*[:：]?|当前页\s*[:：]")


# The leading blanks are taken only from the start of a run: "\s*" tried at every position of a
# long run of blanks that no separator follows is quadratic.
CRUMB_SEP = re.compile(r"(?:(?<!\s)\s++)?(?:->|—>|>>|>|»|›|→|＞|/|\\)\s*+")


# Quick filter before running the date scanner on a text node.
DATEISH = re.compile(r"\d{1,4}\s?[-/.年月]\s?\d")


MAX_DATE_CELL = 30


def is_chrome(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    if node.tag in _CHROME_TAGS:
        return True
    hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
    return _CHROME_HOOK.search(hook) is not None


def collapse(text: str) -> str:
    return " ".join(text.split())


# Pre-filters (evaluated by lexbor, not Python) for the id/class hooks checked precisely below.
CHROME_CSS = ", ".join(
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


CRUMB_CSS = ", ".join(
    f"[{attr}*={word} i]"
    for attr in ("class", "id")
    for word in ("crumb", "pos", "loc", "dqwz", "weizhi", "path")
)


YEAR = re.compile(r"(?:19|20)\d{2}")


# Page and record counts are read from the page. More digits than this is no count (and int()
# refuses strings of over 4,300 digits outright).
MAX_DIGITS = 18


def count_value(digits: str) -> int | None:
    """A count written on the page, or None when it is too long to be one."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= MAX_DIGITS else None


def is_under(
    node: LexborNode | None, marked: set[int], memo: dict[int, bool], stop: int | None = None
) -> bool:
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


# What may stand before and after a title line's date, for it still to be the row's date.
_BEFORE_DATE = " \t\r\n\xa0[(【"
_AFTER_DATE = " \t\r\n\xa0])】"


def cell_date(text: str, today: date) -> date | None:
    """The date of a list row's date cell: short texts, or a date at either end of a title line.

    A date in the middle of a long title ("关于2020年12月31日前报送…的通知") is not the row's date.
    """
    long = len(text) > MAX_DATE_CELL
    if (
        long
        and text.lstrip(_BEFORE_DATE).lstrip()[:1] not in DATE_FIRST
        and text.rstrip(_AFTER_DATE).rstrip()[-1:] not in DATE_LAST
    ):
        # Neither end can be a date's: an article's paragraph naming dates in its middle (most
        # long texts with a date in them) is not scanned for nothing.
        return None
    found = scan_dates(text, today=today)
    if not found:
        return None
    if not long:
        return max(value for _, _, value in found)
    start, _, value = found[0]
    if not text[:start].strip(_BEFORE_DATE):
        return value
    _, end, value = found[-1]
    if not text[end:].strip(_AFTER_DATE):
        return value
    return None


_NOT_A_LINK = re.compile(r"^(?:javascript:|#|mailto:|tel:|about:|data:)", re.IGNORECASE)


def link_href(node: LexborNode) -> str | None:
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
class PageBase:
    """What a page's relative URLs resolve against: its base URL and its encoding (a GBK page's
    query strings are sent GBK-encoded)."""

    url: str
    encoding: str

    def resolve(self, href: str) -> str | None:
        return resolve(self.url, href, self.encoding)


def is_date_only(text: str, today: date) -> bool:
    found = scan_dates(text, today=today)
    if not found:
        return False
    rest = text
    for start, end, _ in reversed(found):
        rest = rest[:start] + rest[end:]
    return not _DATE_CELL_REST.sub("", rest)


# What may surround the date in a date-only cell: a label, brackets, a time of day, separators.
_DATE_CELL_REST = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?|发布|时间|日期|更新|[:：\[\]()【】\s\-/|]")


_TEXT_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option"})


def texts_within(root: LexborNode, budget: list[int]) -> Iterator[tuple[LexborNode, str]]:
    """The non-blank text nodes under ``root`` with their texts, in reading order, skipping
    scripts, styles and form controls; listing at most about ``budget[0]`` nodes, which is
    decreased by those listed. Each element's children are listed once, as a parent has them."""
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


def page_base(tree: LexborHTMLParser, page_url: str, encoding: str) -> PageBase:
    node = tree.css_first("base[href]")
    href = (node.attributes.get("href") or "").strip() if node is not None else ""
    resolved = resolve(page_url, href, encoding) if href else None
    return PageBase(resolved or page_url, encoding)
