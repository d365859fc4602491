"""Parse a fetched page once and pull out what later stages need (title, encoding, links).

The parsed tree is handed back so that other analyses (columns, dates) reuse it instead of parsing
the page again. Markup that would take the parser too long is cut first (``bound_markup``), and
the cut is reported, never silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.charset import decode_html
from sitecheck.extract.links import extract_links
from sitecheck.models import PageFacts

__all__ = [
    "INVISIBLE_TAGS",
    "ParsedPage",
    "bound_markup",
    "extract_links",
    "page_title",
    "parse_page",
    "read_page",
    "visible_text",
]

# Elements whose content no visitor reads as text (scripts are no running text).
INVISIBLE_TAGS = ["script", "style", "noscript", "template"]

_WS_RE = re.compile(r"\s+")


def _first_html_title(tree: LexborHTMLParser) -> LexborNode | None:
    """A <title> misplaced in the body still names the page; an inline <svg><title> does not."""
    # Element -> inside an <svg>, kept across titles: many titles deep in a tree then cost its
    # size, not titles × depth.
    in_svg: dict[int, bool] = {}
    for node in tree.css("title"):
        passed: list[int] = []
        parent = node.parent
        found = False
        while parent is not None:
            known = in_svg.get(parent.mem_id)
            if known is not None:
                found = known
                break
            passed.append(parent.mem_id)
            if parent.tag == "svg":
                found = True
                break
            parent = parent.parent
        for mem in passed:
            in_svg[mem] = found
        if not found:
            return node
    return None


def page_title(tree: LexborHTMLParser) -> str:
    """``<title>`` with whitespace collapsed; else ``<meta name="ArticleTitle">``; else ""."""
    node = tree.css_first("head > title") or _first_html_title(tree)
    if node is not None:
        title = _WS_RE.sub(" ", node.text(deep=True)).strip()
        if title:
            return title
    meta = tree.css_first('meta[name="ArticleTitle" i]')
    if meta is not None:
        return _WS_RE.sub(" ", meta.attributes.get("content") or "").strip()
    return ""


@dataclass(frozen=True, slots=True)
class ParsedPage:
    facts: PageFacts  # facts.html is the text parsed: the whole page unless it was cut
    tree: LexborHTMLParser
    # Why only part of the page was parsed, as a short Chinese sentence for the report ("页面嵌套
    # 过深（超过 512 层），只解析了前 … 个字符"); "" when all of it was.
    limited: str


def visible_text(tree: LexborHTMLParser) -> str:
    """What a visitor can read of the page, its text nodes one a line (hidden elements included:
    they are published too); "" for a page without a body.

    Removes the invisible elements from ``tree``: call it after the analyses that read scripts.
    One page's analyses share it (the footer's identifiers, the text checks): each walk of a
    big page's text costs about as much as a lexbor query."""
    body = tree.body
    if body is None:
        return ""
    tree.strip_tags(INVISIBLE_TAGS)
    return body.text(deep=True, separator="\n")


def read_page(body: bytes, url: str, http_charset: str | None) -> ParsedPage:
    """Decode ``body`` (fetched from ``url``), parse it (bounded), and collect the page's facts."""
    decoded = decode_html(body, http_charset)
    text, reason = bound_markup(decoded.text)
    limited = ""
    if reason:
        limited = f"页面{reason}，只解析了前 {len(text)} 个字符（共 {len(decoded.text)} 个）"
    # lexbor parses UTF-8: a body that is exactly the text in UTF-8 is given as it is (the parser
    # encoded the text again otherwise, 15 µs of a page's 70).
    whole_utf8 = decoded.exact and decoded.encoding == "utf-8" and not reason
    tree = LexborHTMLParser(body if whole_utf8 else text)
    facts = PageFacts(
        url=url,
        title=page_title(tree),
        encoding=decoded.encoding,
        encoding_source=decoded.source,
        links=extract_links(tree, url, decoded.encoding),
        html=text,
    )
    return ParsedPage(facts, tree, limited)


def parse_page(body: bytes, url: str, http_charset: str | None) -> tuple[PageFacts, LexborHTMLParser]:
    """``read_page`` without the note on what was left out."""
    page = read_page(body, url, http_charset)
    return page.facts, page.tree


# ---------------------------------------------------------------------------------------------
# Bounded parsing
#
# lexbor follows the HTML tree-construction algorithm, whose cost is not linear on hostile
# markup, and selectolax cannot stop a parse once started:
# - every block start tag looks through the stack of open elements: 100,000 nested <div> took
#   14 s to parse, 200,000 took 110 s;
# - formatting elements (<font>, <b>, …) left open are re-opened in each following paragraph:
#   4,000 unclosed <font> with distinct attributes, one per <p>, made 8 million elements
#   (6 s, 3 GB);
# - every <option> of a <select> looks through the options before it (20,000: 2 s).
# So markup is measured before it is parsed and cut where parsing it would cost too much. A
# count of "<" (C speed) clears most pages: with at most _FAST_TAGS tags none of the above
# can exceed its bound below. Bigger pages get a look at their formatting tags (C speed too);
# the biggest, or those with many distinct formatting tags, a scan that follows the tree
# builder closely enough to count what it will do (~1.5 µs a tag).

# n tags re-open at most n²/8 formatting elements (n/2 of them, one per other tag).
_FAST_TAGS = 1200
# Below this many tags, nesting and option lists cost lexbor under ~0.1 s whatever the markup
# (n nested blocks cost about 1.3 ns × n²): only re-opened formatting elements need a look.
_NESTING_SCAN_TAGS = 8000
# Tags parsed at most: ~50,000 links, most of a second of link extraction on their own.
_MAX_TAGS = 100_000
# Open elements at most. Browsers stop nesting at a similar depth (Blink at 512); real pages
# stay under 100.
_MAX_DEPTH = 512
# Elements lexbor may create by re-opening formatting elements (~0.3 µs and ~370 bytes each).
_MAX_REOPENED = 150_000
# Σ over the options of a <select> of the options before each (~10 ns a step in lexbor).
_MAX_OPTION_STEPS = 10_000_000

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)")
# The first-letter lookahead lets the regex engine reject most tags at once (5× faster than the
# same pattern compiled IGNORECASE).
_FORMATTING_START = re.compile(
    r"<(?=[bBcCeEfFiInNsStTuU])(?i:b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u)(?=[\s/>])[^<>]*"
)
_CHUNK = 1 << 16  # characters per regex call: a huge page is scanned piecewise, up to the cut


def bound_markup(text: str) -> tuple[str, str]:
    """``text``, cut where parsing it would cost too much, and why ("" when it is whole).

    The reason is a short Chinese phrase ("嵌套过深（超过 512 层）") for the caller's sentence
    about what was left out.
    """
    tags = text.count("<")
    if tags <= _FAST_TAGS:
        return text, ""
    if tags <= _NESTING_SCAN_TAGS and _reopening_bound(text, tags) <= _MAX_REOPENED:
        return text, ""
    cut, reason = _TreeCount().scan(text)
    return (text[:cut], reason) if reason else (text, "")


def _reopening_bound(text: str, tags: int) -> int:
    """At most how many elements the parser can create by re-opening formatting elements.

    Its list of formatting elements to re-open holds at most three entries per distinct start
    tag ("Noah's Ark"), and re-opening happens at most once per token.
    """
    starts = _FORMATTING_START.findall(text)
    if not starts:
        return 0
    distinct = len({start.lower() for start in starts})
    return min(len(starts), 3 * distinct) * tags


_VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "image",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_RAW_TEXT = frozenset(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"])
_FORMATTING = frozenset(
    ["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"]
)
# Start tags that close an open <p> (in button scope).
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dd",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "li",
        "listing",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "search",
        "section",
        "summary",
        "table",
        "ul",
    ]
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_TABLE_PARTS = frozenset(["td", "th", "tr", "tbody", "thead", "tfoot"])
_CELLS = frozenset({"td", "th"})
# Where a search for an element "in scope" stops (button only matters for <p>).
_BOUNDARIES = frozenset(
    ["applet", "button", "caption", "html", "marquee", "object", "table", "td", "th", "template"]
)
# Elements whose content starts a new run of formatting elements (a marker in the list).
_MARKERS = frozenset(["applet", "caption", "marquee", "object", "template", "td", "th"])
# The parser's "special" elements. An end tag of another element is ignored when one of them
# is open above it; an <li> only closes an <li> with none but address/div/p above it.
_SPECIAL = frozenset(
    [
        "address",
        "applet",
        "area",
        "article",
        "aside",
        "blockquote",
        "body",
        "button",
        "caption",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "dir",
        "div",
        "dl",
        "dt",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "iframe",
        "img",
        "input",
        "li",
        "listing",
        "main",
        "marquee",
        "menu",
        "nav",
        "noembed",
        "noframes",
        "object",
        "ol",
        "p",
        "pre",
        "section",
        "select",
        "summary",
        "table",
        "tbody",
        "td",
        "template",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_LIST_ITEM_TRANSPARENT = frozenset({"address", "div", "p"})
_NOT_PUSHED = frozenset({"html", "head", "body"})


class _Entry:
    """A formatting element in the parser's list of active formatting elements."""

    __slots__ = ("alive", "in_stack", "index", "key", "name")

    def __init__(self, name: str, key: str, index: int) -> None:
        self.name = name
        self.key = key
        self.index = index  # its position in the stack while in_stack
        self.in_stack = True
        self.alive = True  # False once removed from the list


class _TreeCount:
    """A rough HTML tree builder that only counts: open elements, formatting elements
    re-opened and option steps, tag by tag, to find where a document becomes too costly.

    It follows the parser where the costs arise (nesting; the implied ends of p, li, dd, dt,
    cells and rows; scope; the list of active formatting elements with its markers and its
    three-copies rule) and, where it simplifies (misnested formatting tags, content a <select>
    ignores), keeps elements open: it may overcount open elements, not undercount them.
    """

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.where: dict[str, list[int]] = {}  # name -> stack indices where it is open
        self.special: list[int] = []  # stack indices of special elements
        self.item_stops: list[int] = []  # … of special elements other than address/div/p
        self.bounds: list[int] = []  # … of scope boundaries
        self.tables: list[int] = []
        self.entry_at: dict[int, _Entry] = {}  # stack index -> its formatting entry
        self.active: list[_Entry | None] = []  # the list of active formatting elements; None: a marker
        self.twins: dict[str, list[_Entry]] = {}  # start tag -> its live entries
        self.named: dict[str, list[_Entry]] = {}  # element name -> its live entries
        self.dead = 0
        self.reopened = 0
        self.options = 0
        self.option_steps = 0

    def scan(self, text: str) -> tuple[int, str]:
        """Where to cut ``text`` and why; (len(text), "") when it can be parsed whole."""
        tags = 0
        raw: str | None = None
        start = 0
        size = len(text)
        while start < size:
            end = text.find("<", start + _CHUNK) if size - start > _CHUNK else -1
            end = size if end < 0 else end
            # findall (tuples, no match objects) is the fast way through; a cut, once, looks up
            # where its tag starts.
            for nth, (slash, name, attrs) in enumerate(_TAG.findall(text, start, end)):
                tags += 1
                reason = ""
                name = name.lower()
                if tags > _MAX_TAGS:
                    reason = f"标签过多（超过 {_MAX_TAGS} 个）"
                elif raw is not None:
                    if slash and name == raw:
                        raw = None
                elif slash:
                    self.end_tag(name)
                elif name in _VOID:
                    self.reopen()
                elif name in _RAW_TEXT:
                    raw = name
                elif name == "plaintext":
                    return size, ""  # the rest of the document is text
                else:
                    self.start_tag(name, attrs)
                    if len(self.stack) > _MAX_DEPTH:
                        reason = f"嵌套过深（超过 {_MAX_DEPTH} 层）"
                    elif self.reopened > _MAX_REOPENED:
                        reason = "未闭合的格式标签过多"
                    elif self.option_steps > _MAX_OPTION_STEPS:
                        reason = "下拉框选项过多"
                if reason:
                    found = next(islice(_TAG.finditer(text, start, end), nth, None))
                    return found.start(), reason
            start = end
        return size, ""

    # -- the stack of open elements ------------------------------------------------------------

    def push(self, name: str) -> int:
        index = len(self.stack)
        self.stack.append(name)
        self.where.setdefault(name, []).append(index)
        if name in _SPECIAL:
            self.special.append(index)
            if name not in _LIST_ITEM_TRANSPARENT:
                self.item_stops.append(index)
        if name in _BOUNDARIES:
            self.bounds.append(index)
        if name == "table":
            self.tables.append(index)
        if name in _MARKERS:
            self.active.append(None)
        return index

    def pop_to(self, index: int) -> None:
        """Pop the element at ``index`` and every element opened after it."""
        stack = self.stack
        while len(stack) > index:
            top = len(stack) - 1
            name = stack.pop()
            self.where[name].pop()
            for indices in (self.special, self.item_stops, self.bounds, self.tables):
                if indices and indices[-1] == top:
                    indices.pop()
            entry = self.entry_at.pop(top, None)
            if entry is not None:
                entry.in_stack = False  # to be re-opened, unless its end tag comes first
            if name in _MARKERS:
                self.clear_to_marker()

    def last(self, name: str) -> int:
        indices = self.where.get(name)
        return indices[-1] if indices else -1

    def in_scope(self, index: int) -> bool:
        return index >= 0 and (not self.bounds or self.bounds[-1] <= index)

    # -- tags ----------------------------------------------------------------------------------

    def start_tag(self, name: str, attrs: str) -> None:
        stack = self.stack
        if name in _CLOSES_P:
            p = self.last("p")
            if self.in_scope(p):
                self.pop_to(p)
            if name in _HEADINGS:
                if stack and stack[-1] in _HEADINGS:
                    self.pop_to(len(stack) - 1)
            elif name in ("li", "dd", "dt"):
                item = self.last("li") if name == "li" else max(self.last("dd"), self.last("dt"))
                if item >= 0 and (not self.item_stops or self.item_stops[-1] <= item):
                    self.pop_to(item)
            elif name == "table" and self.bounds and stack[self.bounds[-1]] == "table":
                self.pop_to(self.bounds[-1])  # a table straight inside a table ends it
        elif name in _TABLE_PARTS:
            if self.bounds and stack[self.bounds[-1]] in _CELLS:
                self.pop_to(self.bounds[-1])  # a new cell, row or section ends the open cell
            table = self.tables[-1] if self.tables else -1
            if name == "tr":
                row = self.last("tr")
                if row > table:
                    self.pop_to(row)
            elif name not in _CELLS and table >= 0:
                self.pop_to(table + 1)
        elif name in ("option", "optgroup"):
            if stack and stack[-1] == "option":
                self.pop_to(len(stack) - 1)
            if name == "optgroup" and stack and stack[-1] == "optgroup":
                self.pop_to(len(stack) - 1)
            if name == "option" and self.where.get("select"):
                self.options += 1
                self.option_steps += self.options
        elif name == "select":
            select = self.last("select")
            if select >= 0:
                self.pop_to(select)
            self.options = 0
        elif name == "button":
            button = self.last("button")
            if self.in_scope(button):
                self.pop_to(button)
        elif name in _NOT_PUSHED:
            return
        if name not in _CLOSES_P and name not in _TABLE_PARTS:
            self.reopen()  # content after a closed block re-opens its formatting elements
        if name in _FORMATTING and not (name == "a" and self.foreign()):
            if name in ("a", "nobr"):
                self.end_formatting(name)  # a second <a> ends the first
            index = self.push(name)
            self.add_entry(_Entry(name, name + attrs.strip().lower(), index))
        else:
            self.push(name)

    def foreign(self) -> bool:
        """Inside <svg> or <math>, where <a> is not HTML's and nests like any element (HTML
        tags that leave foreign content are counted in place: more open elements, not fewer)."""
        return bool(self.where.get("svg") or self.where.get("math"))

    def end_tag(self, name: str) -> None:
        if name in _FORMATTING:
            self.end_formatting(name)
            return
        index = self.last(name)
        if index < 0:
            return
        if name in _TABLE_PARTS or name == "table":
            table = self.tables[-1] if self.tables else -1
            if name == "table" or index > table:  # table scope
                self.pop_to(index)
        elif name in _SPECIAL:
            if self.in_scope(index) or name in _BOUNDARIES:
                self.pop_to(index)
        elif not self.special or self.special[-1] < index:
            # Any other end tag closes its element unless a special one is open inside it.
            self.pop_to(index)

    def end_formatting(self, name: str) -> None:
        """The adoption agency's simple case: close the element and drop its entry. When a
        special element is open inside it, the parser moves elements around; the count then
        keeps the element open."""
        entries = self.named.get(name)
        while entries and not entries[-1].alive:
            entries.pop()
        entry = entries[-1] if entries else None
        if entry is not None and not entry.in_stack:
            self.drop(entry)  # in the list but no longer open: only forgotten
            return
        index = entry.index if entry is not None else self.last(name)
        if index < 0 or not self.in_scope(index) or (self.special and self.special[-1] > index):
            return
        self.pop_to(index)
        if entry is not None:
            self.drop(entry)

    # -- formatting elements -------------------------------------------------------------------

    def add_entry(self, entry: _Entry) -> None:
        twins = self.twins.setdefault(entry.key, [])
        if len(twins) >= 3:
            self.drop(twins[0])  # Noah's Ark: three copies of one start tag at most
        twins.append(entry)
        self.named.setdefault(entry.name, []).append(entry)
        self.active.append(entry)
        self.entry_at[entry.index] = entry

    def drop(self, entry: _Entry) -> None:
        entry.alive = False
        twins = self.twins.get(entry.key)
        if twins is not None:
            for i, twin in enumerate(twins):
                if twin is entry:
                    del twins[i]
                    break
        self.dead += 1  # dropped entries stay in the list until they are half of it

    def clear_to_marker(self) -> None:
        active = self.active
        while active:
            entry = active.pop()
            if entry is None:
                return
            if entry.alive:
                self.drop(entry)

    def reopen(self) -> None:
        """Re-open the formatting elements that closed blocks took off the stack (one new
        element each), as the parser does before inserting content."""
        if self.dead * 2 > len(self.active) > 64:
            self.active = [e for e in self.active if e is None or e.alive]
            self.dead = 0
        active = self.active
        while active and active[-1] is not None and not active[-1].alive:
            active.pop()
            self.dead = max(self.dead - 1, 0)
        first = len(active)
        while first > 0:
            entry = active[first - 1]
            if entry is None or (entry.alive and entry.in_stack):
                break
            first -= 1
        for entry in active[first:]:
            if entry is not None and entry.alive:
                self.reopened += 1
                entry.index = self.push(entry.name)
                entry.in_stack = True
                self.entry_at[entry.index] = entry
