"""暗链: off-site links on a page that a visitor cannot see (issue 16, part 1).

A pure function of the parsed page: every ``<a href>`` leading off the page's site (another
registrable domain, see :func:`site_domain`) that the page itself hides, with the rule that hides
it, where that rule is written, and the markup around it. What is hidden counts, not why: the
judge (judge/hidden_links.py) decides which hidden links are findings (off the portal and its
allow-list, and with a second signal), so a run can be judged again without reading the pages.

Hidden means, on the link or an element around it, from inline ``style``, the ``hidden``
attribute, the page's own ``<style>`` rules, or the rules of the site's own style sheet files the
page links (read once a run by the crawl, crawl/reader.py, and given here as text; another site's
files, a CDN's, are not read):

- ``display:none``; ``visibility:hidden`` (the nearest declaration counts: a child may show
  itself again); ``opacity:0``; the ``hidden`` attribute;
- a box of at most 1 px (``width``/``height``) with ``overflow:hidden``; ``clip:rect(0 0 0 0)``;
  a ``<marquee>`` of at most 1 px;
- off-screen: ``position:absolute|fixed`` with ``left`` or ``top`` at −999 px or beyond;
- text that cannot be read (the link shows no image): ``font-size`` of at most 1 px (the nearest
  declaration), ``text-indent`` at −999 px or beyond without a background image, and the link's
  own colour (a link does not inherit one) equal to the background colour written with it (one
  style attribute or rule) or in the inline style of the nearest element around it that sets one.

The page's rules are resolved as a browser would only as far as needed: a rule that hides is
looked for first; only then are the other rules declaring the same property matched, and the
winner is chosen by importance, inline over sheet, specificity and order. Rules inside ``@media
screen`` / ``all`` count as the page's own; rules behind a conditional or print ``@media`` (a
menu folded on narrow screens) and rules for user actions (``:hover``) never hide; a ``:hover``
rule that shows an element marks it as a menu (below).

Markup written by inline scripts counts as if it stood in the page: ``document.write`` literals
(read by links.written_markup) where the script stands, and ``element.innerHTML = '…'`` literals
into the element of that id (``document.getElementById('x')``). A link hidden inside the written
markup, or written into a hidden element, is recorded with ``via`` naming the script.

Menus and tab panes hide links all the time. Each hiding element is looked at for the marks of
such a widget (``widget``): a role (``tabpanel``, ``menu``), an id or class the page's scripts name,
a visible sibling of the same class (the other tabs), an event handler above it, a ``:hover`` rule
that shows it. A widget is not evidence of an intrusion; the judge lets only vocabulary count there.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import tinycss2
from selectolax.lexbor import LexborHTMLParser, LexborNode
from tinycss2.color3 import parse_color

from sitecheck.charset import decode_text_file
from sitecheck.extract import bound_markup
from sitecheck.extract.links import _JS_TYPE_RE, _VAR, _Broken, _operand, _skip_blank, written_markup
from sitecheck.models import HiddenLink
from sitecheck.urls import resolve

__all__ = ["MAX_HIDDEN_PER_PAGE", "find_hidden_links", "site_domain"]

MAX_HIDDEN_PER_PAGE = 100
_SNIPPET = 160
_TEXT = 200
_OFFSCREEN = -999.0  # px: further than any screen is wide
_TINY = 1.0  # px: a box or a font this small shows nothing
# The page's own style text read at most, and its rules matched at most (a pasted framework).
_STYLE_CHARS = 256 * 1024
_MAX_RULES = 400
_SCRIPT_CHARS = 256 * 1024
_PAGE_SCRIPT_CHARS = 1024 * 1024

# Second-level labels under a country code that are not registrable on their own (gov.cn, com.cn):
# a site's domain is then three labels long. A public suffix list would be exact; this covers
# the Chinese and common cases, and an unknown layout only makes a same-site link look off-site,
# which the judge's scope and allow-list still clear.
_SECOND_LEVEL = frozenset({"gov", "com", "net", "org", "edu", "ac", "mil", "co", "ltd", "gouv"})
_RELEVANT = frozenset(
    {
        "display",
        "visibility",
        "opacity",
        "position",
        "left",
        "top",
        "width",
        "height",
        "overflow",
        "overflow-x",
        "overflow-y",
        "clip",
        "font-size",
        "text-indent",
        "color",
        "background",
        "background-color",
        "background-image",
    }
)
# User actions: a rule behind one of them applies only while the visitor acts.
_ACTION_PSEUDO = re.compile(r":(?:hover|focus|focus-within|focus-visible|active|target|checked)\b", re.I)
_OTHER_PSEUDO = re.compile(r"::?[A-Za-z-]+(?:\([^)]*\))?")
_LENGTH = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|%|)$")
_UNITS = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "": 1.0}
_ROLES = frozenset({"tabpanel", "menu", "menubar", "dialog", "tooltip", "listbox", "tree"})
_GENERIC_CLASSES = frozenset(
    {"hide", "hidden", "none", "dn", "d-none", "hid", "hd", "on", "off", "active", "current", "clearfix"}
)
_HANDLERS = ("onmouseover", "onmouseenter", "onclick", "onfocus", "onmousemove", "onmouseout")
_INNER_HTML = re.compile(r"\.\s*innerHTML\s*\+?=(?!=)")
_BY_ID = re.compile(r"""getElementById\(\s*(["'])([^"']{1,100})\1\s*\)\s*$""")
_WS = re.compile(r"\s+")
_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_BRACE = re.compile(r"[{}]")
_URL = re.compile(r"url\([^)]*\)", re.I)
_IMPORTANT = re.compile(r"!\s*important$")
_RELEVANT_RE = re.compile(
    r"display|visibility|opacity|position|left|top|width|height|overflow|clip|font-size|text-indent|color|background",
    re.I,
)


# Properties whose value in a style attribute can hide the links in (or being) the element (see
# _element_rule, _inherited_rule); and "color" on a link itself, which hides it when it equals a
# background around it. A background alone hides nothing, nor a colour around a link (a link
# does not inherit one), nor a value that hides nothing (font-size:16pt, width:1200px): the
# footers, top bars and Word-pasted paragraphs that style themselves make no link a suspect.
_HIDING_NAMES = (
    "display",
    "visibility",
    "opacity",
    "font-size",
    "left",
    "top",
    "width",
    "height",
    "clip",
    "text-indent",
)
# A declaration of one of them, as _declarations reads a style attribute (any case).
_HIDING_DECLARATION = re.compile(rf"(?:^|;)\s*(?:{'|'.join(_HIDING_NAMES)})\s*:", re.I)
_LINK_HIDING_DECLARATION = re.compile(rf"(?:^|;)\s*(?:{'|'.join(_HIDING_NAMES)}|color)\s*:", re.I)
# Characters: Word's style attributes run to a few hundred, and repeat on every paragraph.
_CACHED_STYLE = 1000


def _style_hides(style: str, link: bool) -> bool:
    """Whether a style attribute declares a value that can hide its element's links (or, on a
    ``link``, a colour: the link's own, against a background around it)."""
    if len(style) <= _CACHED_STYLE:
        return _style_hides_cached(style, link)
    return _style_hides_uncached(style, link)


def _style_hides_uncached(style: str, link: bool) -> bool:
    if (_LINK_HIDING_DECLARATION if link else _HIDING_DECLARATION).search(style) is None:
        return False  # the common case, decided without reading the declarations
    decls = _declarations(style)
    if link and "color" in decls:
        return True
    return any(name in decls and _hiding_value(name, decls) for name in _HIDING_NAMES)


# A site's templates repeat their style attributes on every page (and Word's on every paragraph).
_style_hides_cached = functools.lru_cache(maxsize=512)(_style_hides_uncached)


def _may_hide(node: LexborNode) -> bool:
    """Whether ``node``'s own markup can hide the links in it (or itself, a link)."""
    attrs = node.attributes
    return (
        node.tag == "marquee"
        or "hidden" in attrs
        or _style_hides(attrs.get("style") or "", node.tag == "a")
    )


_NETLOC_END = re.compile(r"[/?#\\]")
_PLAIN_NETLOC = re.compile(r"[A-Za-z0-9.-]+(?::\d{1,5})?")


@functools.lru_cache(maxsize=1024)
def _site_domain(host: str) -> str:
    return site_domain(host)


def site_domain(host: str) -> str:
    """The registrable part of a host name (``www.xx.gov.cn`` → ``xx.gov.cn``); an IP address or
    a one-label name is itself."""
    host = host.lower().rstrip(".")
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    labels = host.split(".")
    size = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-size:])


# -- the page's own CSS ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Decl:
    value: str  # lower case, whitespace collapsed
    important: bool


@dataclass(frozen=True, slots=True)
class _Rule:
    selector: str
    specificity: tuple[int, int, int]
    order: int
    decls: dict[str, _Decl]
    hides: frozenset[str]  # the properties whose values here hide
    source: str = ""  # the stylesheet file it comes from ("": the page's own <style>)
    # What an element must be for the selector to select it (_key_of), None when unknown.
    key: _Key | None = None


@dataclass(frozen=True, slots=True)
class _Sheet:
    rules: tuple[_Rule, ...]
    reveals: tuple[str, ...]  # selectors (user actions taken out) of rules that show an element
    # property -> the indices of the rules that hide by it / that declare it at all
    hiding: dict[str, tuple[int, ...]] = field(default_factory=dict)
    declaring: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # (property, hiding rules only) -> those rules bucketed by what their key selector names,
    # built when first asked (the sheet is shared by the pages of a template)
    _buckets: dict[tuple[str, bool], _Buckets] = field(default_factory=dict)

    def rules_for(self, name: str, hiding: bool, names: tuple[str, str, frozenset[str]]) -> list[int]:
        """The indices of the rules that declare ``name`` (``hiding``: that hide by it) and
        may select an element of these lower-case tag, id and classes, in the sheet's order.
        Browsers hash rules by their key selector the same way: a framework's sheet has
        hundreds of rules declaring a colour or a display, and an element matches a few."""
        buckets = self._buckets.get((name, hiding))
        if buckets is None:
            indices = (self.hiding if hiding else self.declaring).get(name, ())
            buckets = self._buckets[(name, hiding)] = _Buckets.of(self.rules, indices)
        tag, ident, classes = names
        found = list(buckets.other)
        if ident:
            found += buckets.by_id.get(ident, ())
        for one in classes:
            found += buckets.by_class.get(one, ())
        found += buckets.by_tag.get(tag, ())
        found.sort()
        return found

    @staticmethod
    def of(rules: list[_Rule], reveals: list[str]) -> _Sheet:
        hiding: dict[str, list[int]] = {}
        declaring: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            for name in rule.decls:
                declaring.setdefault(name, []).append(index)
            for name in rule.hides:
                hiding.setdefault(name, []).append(index)
        return _Sheet(
            tuple(rules),
            tuple(reveals),
            {k: tuple(v) for k, v in hiding.items()},
            {k: tuple(v) for k, v in declaring.items()},
        )


@dataclass(slots=True)
class _Buckets:
    """Rule indices by the one name their key selector demands: an id, else a class, else a
    tag; ``other``: the rules whose key demands none, or that have no key."""

    by_id: dict[str, list[int]] = field(default_factory=dict)
    by_class: dict[str, list[int]] = field(default_factory=dict)
    by_tag: dict[str, list[int]] = field(default_factory=dict)
    other: list[int] = field(default_factory=list)

    @staticmethod
    def of(rules: tuple[_Rule, ...], indices: tuple[int, ...]) -> _Buckets:
        buckets = _Buckets()
        for index in indices:
            key = rules[index].key
            if key is None:
                buckets.other.append(index)
            elif key[1]:
                buckets.by_id.setdefault(min(key[1]), []).append(index)
            elif key[2]:
                buckets.by_class.setdefault(min(key[2]), []).append(index)
            elif key[0] is not None:
                buckets.by_tag.setdefault(key[0], []).append(index)
            else:
                buckets.other.append(index)
        return buckets


def _declarations(text: str) -> dict[str, _Decl]:
    """The relevant declarations of a block or a style attribute. Split by hand, not by
    tinycss2: it is pure Python, and pages paste hundreds of kilobytes of CSS inline (half a
    second a page); url(…) is blanked first, its data: URIs hold semicolons."""
    found: dict[str, _Decl] = {}
    if "url(" in text.lower():
        text = _URL.sub("url()", text)
    for part in text.split(";"):
        name, colon, value = part.partition(":")
        name = name.strip().lower()
        if not colon or name not in _RELEVANT:
            continue
        value = _WS.sub(" ", value).strip().lower()
        important = value.endswith("important") and _IMPORTANT.search(value) is not None
        if important:
            value = _IMPORTANT.sub("", value).strip()
        found[name] = _Decl(value, important)
    return found


def _every_screen(prelude: str) -> bool:
    """Is ``@media …`` true on every screen (``screen``, ``all``, ``only screen``)? A query with
    conditions (``and (max-width: 600px)``) hides only on some screens, ``print`` on none."""
    if prelude[:6].lower() != "@media":
        return False
    for query in prelude[6:].lower().split(","):
        words = query.split()
        if words[:1] == ["only"]:
            words = words[1:]
        if words in (["screen"], ["all"]):
            return True
    return False


def _blocks(text: str, *, nested: bool = False) -> Iterator[tuple[str, str]]:
    """(prelude, body) of every top-level rule of a style sheet, and of the rules inside an
    ``@media`` that holds on every screen (a visitor sees the page under them); other at-rules
    (@font-face, @media print, @media with conditions) are skipped whole. Braces are found by a
    regex, so the loop turns twice a rule."""
    if not nested:
        text = _COMMENT.sub(" ", text)
    depth = 0
    start = 0  # where the current prelude begins
    opened = 0  # where the current top-level block's body begins
    at_rule = False
    for brace in _BRACE.finditer(text):
        if brace.group() == "{":
            if depth == 0:
                prelude = text[start : brace.start()].strip()
                at_rule = prelude.startswith("@")
                opened = brace.end()
                current = prelude
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                if not at_rule:
                    yield current, text[opened : brace.start()]
                elif _every_screen(current):
                    yield from _blocks(text[opened : brace.start()], nested=True)
                start = brace.end()
        else:
            start = brace.end()  # a stray "}"


def _selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(prelude):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


# What the last compound of a selector (the one that names the element itself) demands of
# the element: its tag (None: any), the ids and the classes it must have, all lower case.
_Key = tuple[str | None, frozenset[str], frozenset[str]]
_BRACKETED = re.compile(r"\[[^\]]*\]")
_INNERMOST_ARGUMENTS = re.compile(r"\([^()]*\)")
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")
_PSEUDO = re.compile(r"::?[\w-]+")
_TYPE = re.compile(r"[A-Za-z][\w-]*")
_ID = re.compile(r"#([\w-]+)")
_CLASS = re.compile(r"\.([\w-]+)")


def _key_of(selector: str) -> _Key | None:
    """What an element must be for ``selector`` to select it, as browsers index rules by their
    key selector: an element another tag, or without one of those ids or classes, is not
    selected, and asking lexbor would walk the whole page to say so. Lower case on both sides,
    so that a page without a doctype (quirks mode: ids and classes match in any case) loses
    nothing. None when the selector is not plain enough to read safely (escapes, namespaces,
    quotes left over): then only lexbor decides."""
    text = _BRACKETED.sub("", selector)  # attribute tests: [href], [class~=x]
    while "(" in text:  # arguments: :not(.x), :nth-child(2n+1), nested ones from the inside
        stripped = _INNERMOST_ARGUMENTS.sub("", text)
        if stripped == text:
            return None
        text = stripped
    if any(ch in text for ch in "\\|\"'[](),"):
        return None
    last = _COMBINATOR.split(text.strip())[-1]
    last = _PSEUDO.sub("", last)
    tag = _TYPE.match(last)
    return (
        tag.group(0).lower() if tag else None,
        frozenset(name.lower() for name in _ID.findall(last)),
        frozenset(name.lower() for name in _CLASS.findall(last)),
    )


def _specificity(selector: str) -> tuple[int, int, int]:
    ids = len(re.findall(r"#[\w-]+", selector))
    classes = len(re.findall(r"\.[\w-]+|\[[^\]]*\]|:(?!:)[\w-]+", selector))
    types = len(re.findall(r"(?:^|[\s>+~])[A-Za-z][\w-]*", selector))
    return ids, classes, types


@functools.lru_cache(maxsize=64)
def _page_sheet(stylesheets: tuple[tuple[str, str], ...], text: str) -> _Sheet:
    """The rules of the site's stylesheets the page links (``(name, css)``, in the page's order),
    then of its own ``<style>`` text: they come first in the cascade, as ``<link>`` in the head
    comes before the ``<style>`` a template or an intruder adds. Cached: a template repeats both."""
    if not stylesheets:
        return _sheet(text)
    rules: list[_Rule] = []
    reveals: list[str] = []
    for name, css in (*stylesheets, ("", text)):
        part = _sheet(css, name)
        rules.extend(dataclasses.replace(rule, order=len(rules) + 1) for rule in part.rules)
        reveals.extend(part.reveals)
    return _Sheet.of(rules, reveals)


@functools.lru_cache(maxsize=64)
def _sheet(text: str, source: str = "") -> _Sheet:
    """The rules of a page's ``<style>`` text (or of a stylesheet file, ``source``) that matter
    here (cached: a template repeats it)."""
    rules: list[_Rule] = []
    reveals: list[str] = []
    order = 0
    for prelude, body in _blocks(text):
        if not _RELEVANT_RE.search(body):
            continue
        decls = _declarations(body)
        if not decls:
            continue
        hides = frozenset(name for name in decls if _hiding_value(name, decls))
        for selector in _selectors(prelude):
            order += 1
            if _ACTION_PSEUDO.search(selector):
                if _shows(decls):
                    bare = _OTHER_PSEUDO.sub("", selector).strip()
                    if bare:
                        reveals.append(bare)
                continue
            if "::" in selector:
                continue  # a pseudo-element holds no link
            key = _key_of(selector)
            rules.append(_Rule(selector, _specificity(selector), order, decls, hides, source, key))
    return _Sheet.of(rules, reveals)


def _shows(decls: dict[str, _Decl]) -> bool:
    display = decls.get("display")
    visibility = decls.get("visibility")
    return (display is not None and display.value != "none") or (
        visibility is not None and visibility.value == "visible"
    )


def _length(value: str) -> float | None:
    """A CSS length in px (em and rem as 16 px); None when it is not one (auto, calc, %≠0)."""
    found = _LENGTH.match(value.strip())
    if found is None:
        return None
    number, unit = float(found.group(1)), found.group(2)
    if unit == "%":
        return 0.0 if number == 0 else None
    if unit == "" and number != 0:
        return None  # a unitless length other than 0 is invalid CSS
    return number * _UNITS[unit]


def _tiny(value: str) -> bool:
    size = _length(value)
    return size is not None and size <= _TINY


def _offscreen(value: str) -> bool:
    size = _length(value)
    return size is not None and size <= _OFFSCREEN


def _hiding_value(name: str, decls: dict[str, _Decl]) -> bool:
    """Whether this declaration, with the others of its block, can hide something."""
    value = decls[name].value
    if name == "display":
        return value == "none"
    if name == "visibility":
        return value in ("hidden", "collapse")
    if name == "opacity":
        try:
            return float(value) == 0
        except ValueError:
            return False
    if name in ("left", "top"):
        return _offscreen(value)
    if name in ("width", "height"):
        return _tiny(value)
    if name == "clip":
        return _clipped(value)
    if name == "font-size":
        return _tiny(value)
    if name == "text-indent":
        return _offscreen(value)
    if name == "color":
        return _colour(value) is not None and _colour(value) == _background(decls)
    return False


def _clipped(value: str) -> bool:
    if not value.startswith("rect("):
        return False
    numbers = [_length(part) for part in re.split(r"[\s,]+", value[5:].rstrip(")").strip()) if part]
    return bool(numbers) and all(n is not None and n <= _TINY for n in numbers)


def _colour(value: str) -> tuple[float, float, float] | None:
    colour = parse_color(value)
    if colour is None or colour.alpha == 0:
        return None
    return colour.red, colour.green, colour.blue


def _background(decls: dict[str, _Decl]) -> tuple[float, float, float] | None:
    """The background colour a declaration block sets (``background-color`` or the shorthand)."""
    own = decls.get("background-color")
    if own is not None:
        return _colour(own.value)
    short = decls.get("background")
    if short is None:
        return None
    for token in tinycss2.parse_component_value_list(short.value, skip_comments=True):
        if token.type in ("whitespace", "url"):
            continue
        colour = parse_color(token)
        if colour is not None and colour.alpha != 0:
            return colour.red, colour.green, colour.blue
    return None


# -- the cascade, as far as needed ------------------------------------------------------------------


@dataclass(slots=True)
class _Found:
    """What hides a link: the rule, where it is written, on which element."""

    rule: str
    place: str
    node: LexborNode
    tree: int  # 0: the page; 1, 2, …: markup written by scripts


@dataclass(slots=True)
class _Styles:
    """The cascade of one tree (the page, or markup a script writes) over the page's rules."""

    tree: LexborHTMLParser
    sheet: _Sheet
    _matched: dict[int, frozenset[int]] = field(default_factory=dict)  # rule index -> mem_ids
    _inline: dict[int, dict[str, _Decl]] = field(default_factory=dict)
    _images: dict[int, bool] = field(default_factory=dict)  # link mem_id -> it shows an image
    # (mem_id, the link shows an image) -> what hides the element (_element_rule)
    elements: dict[tuple[int, bool], tuple[str, str] | None] = field(default_factory=dict)
    # (mem_id, property) -> hidden_by's answer: the links of one block share their ancestors.
    _hidden: dict[tuple[int, str], tuple[str, str] | None] = field(default_factory=dict)
    # mem_id -> the element's tag, id and classes, lower case (for the rules' keys)
    _names: dict[int, tuple[str, str, frozenset[str]]] = field(default_factory=dict)

    def matches(self, index: int, node: LexborNode) -> bool:
        key = self.sheet.rules[index].key
        if key is not None and not self._may_match(key, node):
            return False  # most rules of a real page's sheet name other elements
        return node.mem_id in self.matched(index)

    def _names_of(self, node: LexborNode) -> tuple[str, str, frozenset[str]]:
        names = self._names.get(node.mem_id)
        if names is None:
            attrs = node.attributes
            names = self._names[node.mem_id] = (
                (node.tag or "").lower(),
                (attrs.get("id") or "").lower(),
                frozenset((attrs.get("class") or "").lower().split()),
            )
        return names

    def _may_match(self, key: _Key, node: LexborNode) -> bool:
        names = self._names_of(node)
        tag, ids, classes = key
        return (tag is None or tag == names[0]) and all(i == names[1] for i in ids) and classes <= names[2]

    def matched(self, index: int) -> frozenset[int]:
        """The elements rule ``index`` selects (mem_ids)."""
        found = self._matched.get(index)
        if found is None:
            found = frozenset(node.mem_id for node in self._select(index))
        return found

    def _select(self, index: int) -> list[LexborNode]:
        """The elements rule ``index`` selects, noting their mem_ids for :meth:`matched`."""
        if len(self._matched) >= _MAX_RULES:
            return []
        try:
            nodes = self.tree.css(self.sheet.rules[index].selector)
        except Exception:  # a selector lexbor cannot read matches nothing
            nodes = []
        self._matched[index] = frozenset(node.mem_id for node in nodes)
        return nodes

    def suspects(self) -> set[int]:
        """Every link (mem_id) that something could hide: inside (or itself) an element whose
        style attribute declares a value that can hide (_may_hide), with a ``hidden`` attribute
        or a <marquee>, or one a hiding rule of the page's sheet selects. Any other link is
        visible: most links of most pages are decided by this one set (this runs on every page)."""
        # Real pages may carry hundreds of styled elements (Word's spans), most with the same
        # few style attributes: each is read once (_style_hides), which costs less than one
        # lexbor query for the attributes that name a hiding property (a selector list of
        # substrings: 0.9 ms on a real page with 400 styled elements, against 0.2 ms).
        links: set[int] = set()
        hiders = [node for node in self.tree.css("[style], [hidden], marquee") if _may_hide(node)]
        # The nodes a hiding rule selects, from the one lexbor call that matches it (walking
        # every element of the page in Python to find them again cost more than the rest).
        selected: set[int] = set()
        for indices in self.sheet.hiding.values():
            for index in indices:
                if index not in selected:  # a rule may hide by several properties
                    selected.add(index)
                    hiders += self._select(index)
        seen: set[int] = set()
        for node in hiders:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            if node.tag == "a":
                links.add(node.mem_id)
            if _has_elements(node):  # most styled elements are runs of text (Word's spans)
                links.update(link.mem_id for link in node.css("a[href]"))
        return links

    def image(self, anchor: LexborNode) -> bool:
        found = self._images.get(anchor.mem_id)
        if found is None:
            found = self._images[anchor.mem_id] = _has_image(anchor)
        return found

    def inline(self, node: LexborNode) -> dict[str, _Decl]:
        found = self._inline.get(node.mem_id)
        if found is None:
            style = node.attributes.get("style") or ""
            found = _declarations(style) if style.strip() else {}
            self._inline[node.mem_id] = found
        return found

    def hidden_by(self, node: LexborNode, name: str) -> tuple[str, str] | None:
        """The value of ``name`` on ``node`` and where it is written, when that value hides;
        None when it does not (or nothing hides)."""
        key = (node.mem_id, name)
        if key in self._hidden:
            return self._hidden[key]
        found = self._hidden[key] = self._hidden_by(node, name)
        return found

    def _hidden_by(self, node: LexborNode, name: str) -> tuple[str, str] | None:
        inline = self.inline(node)
        candidates = self.sheet.hiding.get(name, ())
        if name not in inline and not candidates:
            return None  # the common case, decided without matching anything
        inline_hides = name in inline and _hiding_value(name, inline)
        if not inline_hides and not any(
            self.matches(i, node) for i in self.sheet.rules_for(name, True, self._names_of(node))
        ):
            return None
        winner = self.declared(node, name)
        if winner is None:
            return None
        decl, place, decls = winner
        return (decl.value, place) if _hiding_value(name, decls) else None

    def declared(self, node: LexborNode, name: str) -> tuple[_Decl, str, dict[str, _Decl]] | None:
        """The winning declaration of ``name`` on ``node``, where it is written, and its block."""
        best: tuple[tuple[bool, bool, tuple[int, int, int], int], _Decl, str, dict[str, _Decl]] | None = None
        inline = self.inline(node)
        if name in inline:
            decl = inline[name]
            best = ((decl.important, True, (0, 0, 0), 0), decl, "行内样式", inline)
        for i in self.sheet.rules_for(name, False, self._names_of(node)):
            rule = self.sheet.rules[i]
            decl = rule.decls[name]
            if not self.matches(i, node):
                continue
            key = (decl.important, False, rule.specificity, rule.order)
            if best is None or key > best[0]:
                where = f"外部样式表 {rule.source} 规则" if rule.source else "页面样式表规则"
                best = (key, decl, f"{where} `{rule.selector}`", rule.decls)
        return None if best is None else (best[1], best[2], best[3])

    def declares(self, node: LexborNode, name: str) -> bool:
        return self.declared(node, name) is not None


def _has_elements(node: LexborNode) -> bool:
    child = node.child
    while child is not None:
        if child.tag and child.tag[0] != "-":
            return True
        child = child.next
    return False


def _chain(node: LexborNode | None) -> Iterator[LexborNode]:
    """``node`` and the elements around it, up to (not including) body and html: a page that
    hides its whole body until a script shows it hides nothing in particular."""
    while node is not None and node.tag not in ("body", "html", "-document", "head"):
        if node.tag is not None and not node.tag.startswith("-"):
            yield node
        node = node.parent


def _has_image(anchor: LexborNode) -> bool:
    """Whether the link shows an image (it stays visible when only its text is hidden)."""
    return anchor.css_first("img") is not None


def _attribute_px(node: LexborNode, name: str) -> float | None:
    raw = (node.attributes.get(name) or "").strip().lower()
    if not raw:
        return None
    return _length(raw if raw.endswith(("px", "%")) else raw + "px")


def _element_rule(styles: _Styles, node: LexborNode, anchor: LexborNode) -> tuple[str, str] | None:
    """What hides ``node`` (and so everything in it), if anything: (rule, where written)."""
    key = (node.mem_id, styles.image(anchor))
    if key in styles.elements:
        return styles.elements[key]
    found = _element_rule_uncached(styles, node, anchor)
    styles.elements[key] = found
    return found


def _element_rule_uncached(styles: _Styles, node: LexborNode, anchor: LexborNode) -> tuple[str, str] | None:
    attrs = node.attributes
    if (
        not styles.sheet.hiding
        and node.tag != "marquee"
        and not styles.inline(node)
        and "hidden" not in attrs
    ):
        return None  # the common case: nothing here can hide it
    if "hidden" in node.attributes:
        shown = styles.declared(node, "display")
        if shown is None or shown[0].value == "none":
            return "hidden 属性", "标签属性"
    for name in ("display", "opacity"):
        found = styles.hidden_by(node, name)
        if found is not None:
            return f"{name}:{found[0]}", found[1]
    for name in ("left", "top"):
        found = styles.hidden_by(node, name)
        if found is not None:
            position = styles.declared(node, "position")
            if position is not None and position[0].value in ("absolute", "fixed"):
                return f"position:{position[0].value}; {name}:{found[0]}", found[1]
    for name in ("width", "height"):
        found = styles.hidden_by(node, name)
        if found is not None:
            overflows = (styles.declared(node, o) for o in ("overflow", "overflow-y", "overflow-x"))
            overflow = next((d for d in overflows if d), None)
            if overflow is not None and overflow[0].value.split()[0] in ("hidden", "clip"):
                return f"{name}:{found[0]}; overflow:hidden", found[1]
    found = styles.hidden_by(node, "clip")
    if found is not None:
        return f"clip:{found[0]}", found[1]
    if node.tag == "marquee":
        for name in ("width", "height"):
            size = _attribute_px(node, name)
            if size is not None and size <= _TINY:
                return f"<marquee {name}={node.attributes.get(name)}>", "标签属性"
            declared = styles.declared(node, name)
            if declared is not None and _tiny(declared[0].value):
                return f"<marquee> {name}:{declared[0].value}", declared[1]
    if not styles.image(anchor):
        found = styles.hidden_by(node, "text-indent")
        if found is not None and not any(
            styles.declares(n, "background-image") or "url(" in _background_text(styles, n)
            for n in (node, anchor)
        ):
            return f"text-indent:{found[0]}", found[1]
        # A link takes its colour from the browser's own style sheet, not from the elements
        # around it: only a colour set on the link itself hides it.
        found = styles.hidden_by(node, "color") if node.mem_id == anchor.mem_id else None
        if found is not None:
            return f"文字颜色与背景色相同（color:{found[0]}）", found[1]
    return None


def _background_text(styles: _Styles, node: LexborNode) -> str:
    declared = styles.declared(node, "background")
    return declared[0].value if declared is not None else ""


def _inherited_rule(
    styles: _Styles, chain: list[LexborNode], anchor: LexborNode
) -> tuple[int, str, str] | None:
    """The innermost element whose inherited property hides the link's text or box: the
    nearest ``visibility``, the nearest ``font-size`` (text only), a text colour equal to the
    nearest background colour (inline styles, text only). (index in chain, rule, where)."""
    found: list[tuple[int, str, str]] = []
    for name in ("visibility", "font-size"):
        if name == "font-size" and styles.image(anchor):
            continue
        for index, node in enumerate(chain):
            hiding = styles.hidden_by(node, name)
            if hiding is None:
                continue
            # A nearer element that declares its own value shows the link again.
            if not any(styles.declares(inner, name) for inner in chain[:index]):
                found.append((index, f"{name}:{hiding[0]}", hiding[1]))
            break
    if not styles.image(anchor) and chain and "color" in styles.inline(chain[0]):
        # The link's own colour (a link does not inherit one) against the nearest background.
        background_at = next((i for i, n in enumerate(chain) if _background(styles.inline(n))), None)
        text = styles.inline(chain[0])["color"].value
        colour = _colour(text)
        background = _background(styles.inline(chain[background_at])) if background_at is not None else None
        if background_at is not None and colour is not None and colour == background:
            found.append((background_at, f"文字颜色与背景色相同（color:{text}）", "行内样式"))
    return min(found, default=None)


def _hiding(
    styles: _Styles, start: LexborNode | None, anchor: LexborNode
) -> tuple[str, str, LexborNode] | None:
    chain = list(_chain(start))
    inherited = _inherited_rule(styles, chain, anchor)
    for index, node in enumerate(chain):
        if inherited is not None and inherited[0] <= index:
            return inherited[1], inherited[2], chain[inherited[0]]
        found = _element_rule(styles, node, anchor)
        if found is not None:
            return found[0], found[1], node
    return None


# -- widgets: menus, tabs, carousels ----------------------------------------------------------------


@dataclass(slots=True)
class _Widgets:
    page: _Styles
    scripts: str  # the page's inline scripts and event handlers, for names they use
    _seen: dict[int, str] = field(default_factory=dict)
    _mentioned: dict[str, bool] = field(default_factory=dict)  # name -> the scripts use it

    def mentions(self, name: str) -> bool:
        """Whether the page's scripts use ``name`` (an id or a class) as a whole word. Asked once
        a name: the hidden parts of a page share their classes (ten sub-menus, one class)."""
        found = self._mentioned.get(name)
        if found is None:
            found = self._mentioned[name] = _uses_word(self.scripts, name)
        return found

    def why(self, node: LexborNode) -> str:
        found = self._seen.get(node.mem_id)
        if found is None:
            found = self._why(node)
            self._seen[node.mem_id] = found
        return found

    def _why(self, node: LexborNode) -> str:
        attrs = node.attributes
        role = (attrs.get("role") or "").strip().lower()
        if role in _ROLES:
            return f"role={role}"
        ident = (attrs.get("id") or "").strip()
        if len(ident) >= 2 and self.mentions(ident):
            return f"页面脚本引用其 id“{ident}”（由脚本切换显示）"
        for token in (attrs.get("class") or "").split():
            if len(token) >= 3 and token.lower() not in _GENERIC_CLASSES and self.mentions(token):
                return f"页面脚本引用其 class“{token}”（由脚本切换显示）"
        sibling = self._shown_sibling(node)
        if sibling:
            return sibling
        for near in (node.parent, node.prev):
            if near is not None and near.tag and any(h in near.attributes for h in _HANDLERS):
                return f"相邻的 <{near.tag}> 有鼠标或点击事件（下拉菜单、选项卡）"
        for selector in self.page.sheet.reveals:
            try:
                if node.css_matches(selector):
                    return f"页面样式在鼠标悬停时显示它（“{selector}”）"
            except Exception:  # a selector lexbor cannot read shows nothing
                continue
        return ""

    def _shown_sibling(self, node: LexborNode) -> str:
        """A visible sibling of the same kind: the other panes of tabs or of a carousel."""
        parent = node.parent
        if parent is None:
            return ""
        classes = _classes(node)
        ident = re.sub(r"\d+", "", node.attributes.get("id") or "")
        if not classes and not ident:
            return ""
        for sibling in parent.iter():
            if sibling.mem_id == node.mem_id or sibling.tag != node.tag:
                continue
            same = bool(classes & _classes(sibling)) or bool(
                ident and re.sub(r"\d+", "", sibling.attributes.get("id") or "") == ident
            )
            if same and _element_rule(self.page, sibling, sibling) is None:
                return f"同级有显示着的同类 <{node.tag}>（选项卡、轮播）"
        return ""


def _uses_word(text: str, name: str) -> bool:
    """Whether ``name`` stands in ``text`` as a whole word: no word character (``\\w``) or "-"
    on either side. Found with str.find and its two neighbours looked at: a pattern per name
    (compiled for each new one, then tried at every position of the scripts, as its lookbehind
    comes first) cost 1.2 ms on gov.cn's home page, with its many menus."""
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if not (start and _word_character(text[start - 1])) and not (
            end < len(text) and _word_character(text[end])
        ):
            return True
        start = text.find(name, start + 1)
    return False


def _word_character(char: str) -> bool:
    return char.isalnum() or char == "_" or char == "-"  # what \w is in a str pattern, and "-"


def _classes(node: LexborNode) -> set[str]:
    """Its class tokens that name a kind of element (not hide, active, on …)."""
    return {c for c in (node.attributes.get("class") or "").split() if c.lower() not in _GENERIC_CLASSES}


# -- the page ------------------------------------------------------------------------------------


def _describe(node: LexborNode) -> str:
    """An element as a webmaster searches for it: ``<div class="ft" id="links">``."""
    parts = [node.tag or "?"]
    for name in ("id", "class", "style"):
        value = node.attributes.get(name)
        if value:
            parts.append(f'{name}="{_WS.sub(" ", value).strip()[:80]}"')
    return "<" + " ".join(parts) + ">"


def _markup(node: LexborNode, limit: int) -> str:
    return _WS.sub(" ", node.html or "")[:limit]


def _snippet(hider: LexborNode, anchor: LexborNode, prefix: str = "") -> str:
    link = _markup(anchor, 4 * _SNIPPET)
    if hider.mem_id == anchor.mem_id:
        text = link
    else:
        outer = _markup(hider, 4 * _SNIPPET)
        text = outer if link and link in outer[: _SNIPPET - len(prefix)] else f"{_describe(hider)} … {link}"
    return _cut(prefix + text, _SNIPPET)


def _cut(markup: str, limit: int) -> str:
    """At most ``limit`` characters of markup, cut after a tag, never inside one."""
    if len(markup) <= limit:
        return markup
    end = markup.rfind(">", 0, limit - 2)
    return (markup[: end + 1] if end > 0 else markup[: limit - 2]) + " …"


def _anchor_text(anchor: LexborNode) -> str:
    text = _WS.sub(" ", anchor.text(deep=True) or "").strip()
    if not text:
        image = anchor.css_first("img")
        if image is not None:
            text = (image.attributes.get("alt") or image.attributes.get("title") or "").strip()
    return (text or (anchor.attributes.get("title") or "").strip())[:_TEXT]


@dataclass(slots=True)
class _Page:
    url: str
    encoding: str
    home: str  # the page's site domain
    sheet: _Sheet
    page: _Styles
    widgets: _Widgets
    found: list[HiddenLink] = field(default_factory=list)
    blocks: dict[tuple[int, int], int] = field(default_factory=dict)
    trees: int = 0

    def off_site(self, href: str) -> str | None:
        return _off_site(self.url, href, self.encoding, self.home)

    def block(self, tree: int, node: LexborNode) -> int:
        return self.blocks.setdefault((tree, node.mem_id), len(self.blocks) + 1)

    def add(self, anchor: LexborNode, url: str, found: _Found, *, via: str = "", host_note: str = "") -> None:
        if len(self.found) >= MAX_HIDDEN_PER_PAGE:
            return
        hider = found.node
        # A link hidden on its own belongs to the block around it: links hidden one by one in a
        # footer are one block.
        block_node = hider.parent if hider.mem_id == anchor.mem_id and hider.parent is not None else hider
        widget = self.widgets.why(hider) if found.tree == 0 and not via else ""
        prefix = f"{via} 写入：" if via else ""
        self.found.append(
            HiddenLink(
                url=url,
                text=_anchor_text(anchor),
                rule=found.rule,
                place=found.place + host_note,
                element=_describe(hider),
                via=via,
                block=self.block(found.tree, block_node),
                widget=widget,
                snippet=_snippet(hider, anchor, prefix),
            )
        )

    def written(self, markup: str, via: str, host: LexborNode | None) -> None:
        """The off-site links of markup a script writes inside ``host`` (None: unknown place)."""
        markup, _cut = bound_markup(markup)
        tree = LexborHTMLParser(markup)
        self.trees += 1
        styles = _Styles(tree, self.sheet)
        for anchor in tree.css("a[href]"):
            url = self.off_site(anchor.attributes.get("href") or "")
            if url is None:
                continue
            inside = _hiding(styles, anchor, anchor)
            if inside is not None:
                self.add(anchor, url, _Found(inside[0], inside[1], inside[2], self.trees), via=via)
                continue
            if host is None:
                continue
            outside = _hiding(self.page, host, anchor)
            if outside is not None:
                note = f"（脚本写入的链接位于被隐藏的 {_describe(outside[2])} 中）"
                found = _Found(outside[0], outside[1], outside[2], 0)
                self.add(anchor, url, found, via=via, host_note=note)


def _off_site(page_url: str, href: str, encoding: str, home: str) -> str | None:
    """The absolute URL of an href that leaves the page's site, else None."""
    raw = href.strip()
    scheme = raw[:8].lower()
    if scheme.startswith("http://"):
        rest = raw[7:]
    elif scheme.startswith("https://"):
        rest = raw[8:]
    elif raw.startswith("//"):
        rest = raw[2:]
    else:
        return None  # relative: the page's own site
    # Most absolute links of a page are its own site's (menus, footers written with the full
    # address): a plain host name says so without resolving the URL (this runs on every link
    # of every page). Anything less plain goes the whole way below.
    netloc = _NETLOC_END.split(rest, 1)[0]
    if _PLAIN_NETLOC.fullmatch(netloc) and _site_domain(netloc.split(":", 1)[0].lower()) == home:
        return None
    # An absolute link resolves the same on every page (a scheme-relative one takes the page's
    # scheme): the friend links and footers every page repeats are resolved once.
    return _absolute_off_site(raw, page_url.split(":", 1)[0] if raw.startswith("//") else "", encoding, home)


@functools.lru_cache(maxsize=4096)
def _absolute_off_site(raw: str, scheme: str, encoding: str, home: str) -> str | None:
    url = resolve(f"{scheme or 'http'}://{home or 'localhost'}/", raw, encoding)
    if url is None or _VAR in url:
        return None
    host = urlsplit(url).hostname or ""
    return url if site_domain(host) != home else None


def _style_text(tree: LexborHTMLParser) -> str:
    parts: list[str] = []
    size = 0
    for node in tree.css("style"):
        text = node.text(deep=True) or ""
        parts.append(text)
        size += len(text)
        if size > _STYLE_CHARS:
            break
    return "\n".join(parts)[:_STYLE_CHARS]


def _inline_scripts(tree: LexborHTMLParser) -> list[tuple[LexborNode, str]]:
    scripts: list[tuple[LexborNode, str]] = []
    left = _PAGE_SCRIPT_CHARS
    for node in tree.css("script"):
        if "src" in node.attributes or left <= 0:
            continue
        kind = (node.attributes.get("type") or "").strip().lower()
        if not _JS_TYPE_RE.match(kind):
            continue
        code = (node.text(deep=True) or "")[: min(_SCRIPT_CHARS, left)]
        left -= len(code)
        scripts.append((node, code))
    return scripts


def _handler_text(tree: LexborHTMLParser) -> str:
    selector = ", ".join(f"[{name}]" for name in _HANDLERS)
    return "\n".join(
        " ".join(node.attributes.get(name) or "" for name in _HANDLERS) for node in tree.css(selector)
    )


def _assigned_markup(code: str) -> Iterator[tuple[str, str | None]]:
    """``x.innerHTML = '…' + '…'`` in a script: the literal markup assigned, and the id of the
    element when the target is ``document.getElementById('id')``."""
    n = len(code)
    for found in _INNER_HTML.finditer(code):
        target = _BY_ID.search(code[max(0, found.start() - 160) : found.start()])
        parts: list[str] = []
        i = found.end()
        try:
            while True:
                value, i = _operand(code, i, n)
                if value is None:
                    break
                parts.append(value)
                i = _skip_blank(code, i, n)
                if i < n and code[i] == "+" and code[i + 1 : i + 2] not in ("+", "="):
                    i += 1
                    continue
                break
        except _Broken:
            pass
        markup = "".join(parts)
        if "<a" in markup.lower():
            yield markup, target.group(2) if target else None


# The site's own style sheet files a page links are read for their hiding rules (crawl/reader.py):
# each once a run, within this size; at most so many a run, and a page's first few.
STYLESHEET_BYTES = 512 * 1024
MAX_STYLESHEETS = 50
MAX_PAGE_STYLESHEETS = 10
_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.IGNORECASE)
_LINK_ATTR = re.compile(rb"""\b(rel|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_CSS_CHARSET = re.compile(rb'^@charset\s+"([A-Za-z0-9_.:-]+)"\s*;')


def stylesheet_hrefs(body: bytes) -> list[str]:
    """The hrefs of a page's ``<link rel="stylesheet">`` elements, in order (from the raw page:
    the crawl reads them before the page is analysed)."""
    if b"<link" not in body and b"<LINK" not in body and b"<Link" not in body:
        return []
    hrefs: list[str] = []
    for tag in _LINK_TAG.finditer(body):
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or b""
            for m in _LINK_ATTR.finditer(tag.group())
        }
        rel = attrs.get(b"rel", b"").lower().split()
        href = attrs.get(b"href", b"").strip()
        if b"stylesheet" in rel and b"alternate" not in rel and href:
            hrefs.append(html.unescape(href.decode("utf-8", "replace")))
    return hrefs


def decode_css(body: bytes, charset: str | None) -> str:
    """A style sheet's text (its ``@charset`` counts, charset.decode_text_file says the rest)."""
    declared = _CSS_CHARSET.match(body)
    return decode_text_file(body, charset, declared.group(1).decode() if declared else None)


def find_hidden_links(
    tree: LexborHTMLParser,
    page_url: str,
    encoding: str = "utf-8",
    stylesheets: tuple[tuple[str, str], ...] = (),
) -> tuple[HiddenLink, ...]:
    """Every off-site link of the page that a visitor cannot see, in document order (scripts'
    links after the page's own), at most MAX_HIDDEN_PER_PAGE. ``stylesheets``: the site's own
    style sheet files the page links, as (name, CSS text), read by the crawl."""
    home = site_domain(urlsplit(page_url).hostname or "")
    inline = _inline_scripts(tree)  # read once: the widgets' check below reads them all
    scripts = [(node, code) for node, code in inline if "write" in code or "innerHTML" in code]
    sheet = _page_sheet(stylesheets, _style_text(tree))
    styles = _Styles(tree, sheet)
    suspects = styles.suspects()  # the links something could hide; any other is visible
    hidden_anchors: list[tuple[LexborNode, str, tuple[str, str, LexborNode]]] = []
    if suspects:
        for anchor in tree.css("a[href]"):  # in document order
            if anchor.mem_id not in suspects:
                continue
            url = _off_site(page_url, anchor.attributes.get("href") or "", encoding, home)
            if url is None:
                continue
            hidden = _hiding(styles, anchor, anchor)
            if hidden is not None:
                hidden_anchors.append((anchor, url, hidden))
    if not hidden_anchors and not scripts:
        return ()
    script_text = "\n".join(code for _, code in inline) + "\n" + _handler_text(tree)
    page = _Page(page_url, encoding, home, sheet, styles, _Widgets(styles, script_text))
    for anchor, url, hidden in hidden_anchors:
        page.add(anchor, url, _Found(hidden[0], hidden[1], hidden[2], 0))
    for node, code in scripts:
        if "write" in code:
            markup, _calls = written_markup(code)
            if "<a" in markup.lower():
                page.written(markup, "document.write", node.parent)
        if "innerHTML" in code:
            for markup, ident in _assigned_markup(code):
                target = tree.css_first(f'[id="{ident}"]') if ident and '"' not in ident else None
                page.written(markup, "innerHTML", target)
    return tuple(page.found)
