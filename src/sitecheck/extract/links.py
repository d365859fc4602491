"""Every link on a parsed page, with where it was found.

What a record means:

* ``url`` set, ``special`` NONE: a link to request.
* ``url`` None, ``special`` NONE: an http(s) or relative link that cannot be requested at all
  (``http://``, a bad port, a host with spaces): the checker reports it as an invalid URL.
* ``special`` NOT_CHECKABLE: mailto:, tel:, javascript:void(0), data:, same-page ``#anchors``,
  an empty href, unrendered ``{{…}}`` templates and other schemes; recorded, never requested.
* ``special`` PLACEHOLDER: a visible ``href="#"`` link or a ``javascript:alert('建设中')``: an
  entry that leads nowhere; ``in_nav`` tells the rules whether it sits in a navigation block.

``raw`` is the attribute value as written; for values holding several URLs (srcset, scripts,
``<meta http-equiv=refresh>``) it is the URL substring as written, so a webmaster can find it.

Scope decisions:

* ``<template>`` content is inert (never rendered); lexbor keeps it out of the tree, so it is
  skipped for free.
* ``<noscript>`` content is kept: the page is parsed with scripting off, as the inspection
  crawlers and users without JavaScript see it, and its links are real links for them.
* Text that merely looks like a URL (hidden ``<li>http://…</li>`` lists for scripts) is not a link.
* Markup an inline script writes with ``document.write``/``writeln`` string literals is read as
  if it stood in place of the script (see ``written_markup``): template-generated portals write
  menus and whole columns that way. Parts computed at runtime (``'…' + name + '…'``) are unknown:
  a URL they interrupt is dropped, the literal links around them are kept. Markup built by other
  means (jQuery templates, innerHTML, external scripts) is not seen.
* Hanweb records (``<record><![CDATA[…]]></record>`` in a ``<script type="text/xml">``
  datastore) are shown by jpage as markup; every link inside them is read, images included.
* Links from these two sources keep their element's name and have their attribute prefixed with
  where they came from (``document.write:href``, ``record:src``). Their ``raw`` is the value in
  the written markup, JavaScript escapes resolved.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.models import LinkRef, LinkSpecial
from sitecheck.urls import resolve, rooted, scheme_of, scheme_of_stripped, strip_href

__all__ = ["extract_links"]

_MAX_TEXT = 200
_LONG_TEXT = 8 * _MAX_TEXT

# One selector list, evaluated once in C; lexbor reports a node once per matching selector, so
# nodes are deduplicated by identity below.
_SELECTOR = ", ".join(
    (
        "a[href]",
        "area[href]",
        "img[src]",
        "img[srcset]",
        "link[href]",
        "script",  # src, and inline scripts that write markup (document.write, Hanweb records)
        "iframe[src]",
        "frame[src]",
        "embed[src]",
        "object[data]",
        "video[src]",
        "video[poster]",
        "audio[src]",
        "source[src]",
        "source[srcset]",
        "track[src]",
        "input[src]",
        "body[background]",
        "table[background]",
        "td[background]",
        "th[background]",
        "meta[http-equiv]",
        "option[value]",
        "[onclick]",
    )
)

_HTTP = frozenset({"http", "https"})
# Resource hints name an origin, not a resource: nothing to check.
_SKIP_LINK_RELS = frozenset({"dns-prefetch", "preconnect"})

# window.open('…'), location.href='…', location='…', location.assign/replace('…'), in any
# window/top/parent/self/document prefix form. Only the first, literal argument; a literal that is
# continued with "+" is a fragment of a computed URL and is dropped.
_JS_URL_RE = re.compile(
    r"""(?:\bopen\s*\(|\blocation(?:\.href)?\s*=(?!=)|\blocation\.(?:assign|replace)\s*\()"""
    r"""\s*(["'])([^"'\\]*)\1(\s*\+)?"""
)
_JS_ALERT_RE = re.compile(r"""\balert\s*\(\s*(["'])(.*?)\1""", re.DOTALL)
_JS_STRING_RE = re.compile(r"""(["'])(.*?)\1""", re.DOTALL)
# Phrases that say the target does not exist yet, in any message (layer.msg, custom toasts ...).
_UNAVAILABLE_PHRASES = (
    "建设中",
    "正在建设",
    "暂未开通",
    "暂未开放",
    "尚未开通",
    "即将开通",
    "即将上线",
    "敬请期待",
    "开发中",
    "升级中",
    "维护中",
)
# Looser words, trusted only inside alert(): "建设" alone also means construction projects
# (工程建设项目), a common search term on these sites.
_UNAVAILABLE_WORDS = ("建设", "暂无", "未开通", "未开放")
_URLISH_RE = re.compile(r"^(?:https?:)?//|^\.{0,2}/|^[^\s:/?#]+\.[A-Za-z0-9]{2,6}(?:[/?#]|$)|^[^\s:]+[/?]")
_WS_RE = re.compile(r"\s+")

# Navigation containers: tag names, and id/class tokens. Tokens are split on separators and
# digits; "nav", "menu", "daohang", "lanmu", "column" may be glued to other words (topnav, navbar,
# submenu, lanmulist); "dh" (导航 in pinyin initials) and "header" must stand alone ("dhtml",
# "subheader"). "head" is left out on purpose: "news-head" is usually a column's title bar.
_NAV_TAGS = frozenset({"nav", "header"})
_TOKEN_SPLIT_RE = re.compile(r"[\s_\-]+|\d+")
_NAV_AFFIXES = ("nav", "menu", "daohang", "lanmu", "column")
_NAV_EXACT = frozenset({"dh", "header", "topbar"})
_NOT_NAV = frozenset({"navy", "columnist"})
_DROPDOWN_TAGS = frozenset({"ul", "ol", "div", "dl"})


def _collapse(text: str | None) -> str:
    if not text:
        return ""
    if len(text) > _LONG_TEXT:
        # Only the start is kept: collapse a head first (megabytes of text in one link happen).
        head = _WS_RE.sub(" ", text[:_LONG_TEXT]).strip()
        if len(head) > _MAX_TEXT:
            return head[:_MAX_TEXT]
    return _WS_RE.sub(" ", text).strip()[:_MAX_TEXT]


def _attr_text(attrs: dict[str, str | None]) -> str:
    return _collapse(attrs.get("alt") or attrs.get("title"))


def _anchor_text(ex: _Extractor, node: LexborNode, attrs: dict[str, str | None]) -> str:
    if ex.text_left <= 0 and holds_links(node):
        return _attr_text(attrs)  # see _TEXT_BUDGET
    whole = node.text(deep=True)
    ex.text_left -= len(whole)
    text = _collapse(whole)
    if text:
        return text
    img = node.css_first("img[alt], img[title]")
    if img is not None:
        text = _attr_text(img.attributes)
        if text:
            return text
    return _attr_text(attrs)


def _has_visible_content(ex: _Extractor, node: LexborNode) -> bool:
    # The element's own content, not its title: empty "#" anchors are script hooks (share buttons,
    # CSS-background logos) that nobody reads as a menu entry.
    if ex.text_of(node).strip():
        return True
    if ex.text_left <= 0 and holds_links(node):
        return True  # the links it holds are content
    return node.css_first("img, input[type=image], svg") is not None


# Characters of link text taken per page. Links do not nest in HTML, so their texts add up to
# less than the page; but <a> nests inside <svg> and onclick elements wrap links, and then each
# text is the rest of the page (100,000 nested SVG links took minutes). Past this budget only
# links holding no other link have their text taken.
_TEXT_BUDGET = 10_000_000
_LINKISH = "a, [onclick]"


def holds_links(node: LexborNode) -> bool:
    """Whether an element holds a link (``<a>`` or an onclick element) below itself."""
    return any(child.css_first(_LINKISH) is not None for child in node.iter())


def script_urls(code: str) -> list[str]:
    """The literal URLs a script navigates to (window.open, location=…), as written."""
    urls = []
    for m in _JS_URL_RE.finditer(code):
        if m.group(3):
            continue
        candidate = m.group(2).strip()
        if (
            candidate
            and candidate != "#"
            and scheme_of(candidate) in ("", "http", "https")
            and _URLISH_RE.search(candidate)
        ):
            urls.append(candidate)
    return urls


def _written_text(text: str) -> str:
    """Link text of written markup without its computed parts."""
    return _collapse(text.replace(_VAR, " ")) if _VAR in text else text


def _says_unavailable(code: str) -> bool:
    if not code:
        return False
    literals = [m.group(2) for m in _JS_STRING_RE.finditer(code)]
    if any(phrase in text for text in literals for phrase in _UNAVAILABLE_PHRASES):
        return True
    alerts = [m.group(2) for m in _JS_ALERT_RE.finditer(code)]
    return any(word in text for text in alerts for word in _UNAVAILABLE_WORDS)


def _is_nav_token(token: str) -> bool:
    if not token or token in _NOT_NAV:
        return False
    if token in _NAV_EXACT:
        return True
    return any(token.startswith(a) or token.endswith(a) for a in _NAV_AFFIXES)


def _in_nav(node: LexborNode, memo: dict[int, bool]) -> bool:
    """Whether an ancestor of ``node`` below <body> is navigation. ``memo`` keeps the answer for
    every element passed, so that many placeholders deep in a page cost its size, not their
    number × its depth."""
    passed: list[int] = []
    found = False
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html", "-document"):
        known = memo.get(parent.mem_id)
        if known is not None:
            found = known
            break
        passed.append(parent.mem_id)
        tag = parent.tag or ""
        if tag in _NAV_TAGS:
            found = True
            break
        attrs = parent.attributes
        names = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
        if names.strip() and any(_is_nav_token(t) for t in _TOKEN_SPLIT_RE.split(names)):
            found = True
            break
        parent = parent.parent
    for mem in passed:
        memo[mem] = found
    return found


def _is_dropdown_toggle(node: LexborNode) -> bool:
    """``<li><a href="#">政务公开</a><ul>…links…</ul></li>``: the "#" opens a submenu."""
    sibling = node.next
    for _ in range(6):
        if sibling is None:
            return False
        if sibling.tag in _DROPDOWN_TAGS and sibling.css_first("a[href]") is not None:
            return True
        sibling = sibling.next
    return False


def _scripted(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    """``#`` links that do something: event handlers, tab/dropdown toggles, submenu openers."""
    # Event handlers, and data-* attributes (data-toggle, data-cmd, data-rel ...), which on a "#"
    # link are nearly always there for a script to bind to.
    if any(name.startswith(("on", "data-")) for name in attrs):
        return True
    if attrs.get("role") in ("tab", "button"):
        return True
    return _is_dropdown_toggle(node)


def _srcset_urls(value: str) -> list[str]:
    """Candidate URLs of a srcset (HTML "parse a srcset attribute", without descriptor checks)."""
    urls = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while i < n:
                c = value[i]
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                elif c == "," and depth <= 0:
                    break
                i += 1
        if url:
            urls.append(url)
    return urls


_REFRESH_PREFIX_RE = re.compile(r"\s*[\d.]*\s*[;,]?\s*")
_REFRESH_URL_RE = re.compile(r"url\s*=\s*", re.IGNORECASE)


def _refresh_target(content: str) -> str | None:
    """The URL of ``<meta http-equiv=refresh content="5; url=…">`` (HTML spec parsing), if any."""
    m = _REFRESH_PREFIX_RE.match(content)
    rest = content[m.end() :] if m else content
    u = _REFRESH_URL_RE.match(rest)
    if u:
        rest = rest[u.end() :]
    if rest[:1] in ("'", '"'):
        quote, rest = rest[0], rest[1:]
        end = rest.find(quote)
        if end >= 0:
            rest = rest[:end]
    rest = rest.strip()
    return rest or None


# --- markup written by inline scripts ------------------------------------------------------------
#
# document.write('<li><a href="/col/col123/index.html">机构设置<\/a><\/li>') puts markup in the
# page where the script stands; portals built from templates write menus, footers and whole
# columns this way. The script is not run: its string literals are read. A lexer keeps
# comments, other strings and regular expressions from being taken for calls, and the calls'
# arguments are read as "literal + literal + …" chains. Anything else in a chain (a variable, a
# call, a ternary in parentheses) is a computed part, written as _VAR; a URL holding _VAR is
# dropped, since nobody can say where it leads.

_VAR = "\ue000"  # a computed part of written markup (a private-use character no page writes)
# Scripts can be huge (minified libraries pasted inline): characters of one script read, and of
# all inline scripts of a page; document.write calls read per page; characters of written
# markup and of Hanweb records parsed per page.
_SCRIPT_SCAN = 256 * 1024
_PAGE_SCRIPT_SCAN = 2 * 1024 * 1024
_MAX_WRITES = 2_000
_MAX_WRITTEN = 512 * 1024
_MAX_RECORDS = 5_000

# Script types a browser runs; others (text/xml datastores, text/html templates) are data.
_JS_TYPE_RE = re.compile(r"^(?:|module|(?:text|application)/(?:x-)?(?:java|ecma|j|live)script(?:\s*;.*)?)$")
_WRITE_CALL = r"\bdocument\s*\.\s*write(?:ln)?\s*\("
# What the lexer stops at: strings, comments, regular expressions, and the calls themselves.
_JS_SCAN_RE = re.compile(rf"""["'`/]|<!--|(?m:^[ \t]*-->)|{_WRITE_CALL}""")
_GROUP_SCAN_RE = re.compile(r"""[()\[\]{}"'`/]""")
_QUOTED_RES = {q: re.compile(rf"{q}(?:[^{q}\\\r\n]|\\(?:\r\n|[\s\S]))*{q}") for q in ("'", '"')}
_TEMPLATE_PART_RE = re.compile(r"(?:[^`\\$]|\\[\s\S]|\$(?!\{))*")
_REGEX_LITERAL_RE = re.compile(r"/(?:[^/\\\r\n\[]|\\.|\[(?:[^\]\\\r\n]|\\.)*\])+/[A-Za-z]*")
_BLANK_RE = re.compile(r"\s*")
_IDENT_RE = re.compile(r"[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*")
_NUMBER_RE = re.compile(r"\d[\w.]*|\.\d\w*")
_ESCAPE_RE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_LINE_BREAKS = frozenset({"\n", "\r", "\r\n", "\u2028", "\u2029"})
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Operators that make the following operand computed; words after which "/" starts a regex.
_PREFIX_WORDS = frozenset({"new", "typeof", "void", "delete", "await"})
_REGEX_AFTER_WORDS = frozenset(
    {"return", "typeof", "case", "do", "else", "in", "of", "void", "throw", "new", "delete"}
)
_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%<>~^")

_UNESCAPE_RE = re.compile(r"%u([0-9A-Fa-f]{4})|%([0-9A-Fa-f]{2})")


def _js_unescape(text: str) -> str:
    """JavaScript's unescape(): %XX is a Latin-1 character, %uXXXX a UTF-16 unit."""
    return _join_surrogates(_UNESCAPE_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text))


_DECODERS: dict[str, Callable[[str], str]] = {
    "unescape": _js_unescape,
    "decodeURIComponent": unquote,
    "decodeURI": unquote,
}

_RECORD_OPEN_RE = re.compile(r"<record>\s*<!\[CDATA\[", re.IGNORECASE)


class _Broken(Exception):
    """The script cannot be read further (an unterminated string, comment or bracket)."""


def _unescape_one(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape in _LINE_BREAKS:
        return ""  # a line continuation
    if len(escape) > 1 and escape[0] == "u":
        point = int(escape[2:-1] if escape[1] == "{" else escape[1:], 16)
        return chr(point) if point <= 0x10FFFF else ""
    if len(escape) == 3 and escape[0] == "x":
        return chr(int(escape[1:], 16))
    return _SIMPLE_ESCAPES.get(escape, escape)


def _unescape(body: str) -> str:
    """A JavaScript string literal's value: ``<\\/a>`` is ``</a>``, ``\\u4e2d`` is 中."""
    if "\\" not in body:
        return body
    return _join_surrogates(_ESCAPE_RE.sub(_unescape_one, body))


def _join_surrogates(value: str) -> str:
    """Join UTF-16 pairs written as two escapes (an emoji as two ``\\uXXXX``); a lone half
    is replaced."""
    if _SURROGATE_RE.search(value):
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value


def _literal(code: str, i: int, n: int) -> tuple[str, int]:
    """The value of the string literal starting at ``code[i]`` and the index after it; a
    template literal's ``${…}`` parts are _VAR."""
    quote = code[i]
    if quote != "`":
        found = _QUOTED_RES[quote].match(code, i, n)
        if found is None:
            raise _Broken
        return _unescape(found.group()[1:-1]), found.end()
    parts: list[str] = []
    i += 1
    while True:
        part = _TEMPLATE_PART_RE.match(code, i, n)
        end = part.end() if part else i
        parts.append(_unescape(code[i:end]))
        if end >= n:
            raise _Broken
        if code[end] == "`":
            return "".join(parts), end + 1
        parts.append(_VAR)  # "${"
        i = _skip_group(code, end + 2, n)


def _regex_allowed(code: str, i: int) -> bool:
    """Whether a "/" at ``i`` starts a regular expression rather than a division."""
    j = i - 1
    while j >= 0 and code[j].isspace():
        j -= 1
    if j < 0 or code[j] in _REGEX_AFTER:
        return True
    word = _IDENT_RE.match(code[max(0, j - 10) : j + 1][::-1])
    return word is not None and word.group()[::-1] in _REGEX_AFTER_WORDS


def _skip_token(code: str, i: int, n: int) -> int:
    """Past the string, comment or regular expression starting at ``code[i]`` (one of ``"'`/``
    or an HTML-like comment); a lone "/" is a division."""
    c = code[i]
    if c in "'\"`":
        return _literal(code, i, n)[1]
    if c == "/":
        following = code[i + 1 : i + 2]
        if following == "/":
            end = code.find("\n", i, n)
            return n if end < 0 else end
        if following == "*":
            end = code.find("*/", i + 2, n)
            if end < 0:
                raise _Broken
            return end + 2
        if _regex_allowed(code, i):
            found = _REGEX_LITERAL_RE.match(code, i, n)
            if found is not None:
                return found.end()
        return i + 1
    # "<!--" anywhere and "-->" at the start of a line comment out the rest of the line.
    end = code.find("\n", i, n)
    return n if end < 0 else end


def _skip_group(code: str, i: int, n: int) -> int:
    """Past the bracket closing the one opened just before ``i`` (strings, comments skipped)."""
    depth = 1
    while True:
        found = _GROUP_SCAN_RE.search(code, i, n)
        if found is None:
            raise _Broken
        c, i = found.group(), found.start()
        if c in "([{":
            depth += 1
            i += 1
        elif c in ")]}":
            depth -= 1
            i += 1
            if depth == 0:
                return i
        else:
            i = _skip_token(code, i, n)


def _skip_blank(code: str, i: int, n: int) -> int:
    """Past whitespace and comments."""
    while True:
        blank = _BLANK_RE.match(code, i, n)
        i = blank.end() if blank else i
        if code.startswith("//", i) or code.startswith("/*", i):
            i = _skip_token(code, i, n)
        else:
            return i


def _operand(code: str, i: int, n: int) -> tuple[str | None, int]:
    """One operand of a ``+`` chain: the literal's value, _VAR when computed, None when the
    expression is not a chain of operands (then the call is left alone)."""
    computed = False
    while True:
        i = _skip_blank(code, i, n)
        if i >= n:
            raise _Broken
        c = code[i]
        word = _IDENT_RE.match(code, i, n)
        if c in "!~-+":
            computed, i = True, i + 1
        elif word is not None and word.group() in _PREFIX_WORDS:
            computed, i = True, word.end()
        else:
            break
    value: str
    if c in "'\"`":
        value, i = _literal(code, i, n)
    elif c in "([{":
        value, i = _VAR, _skip_group(code, i + 1, n)
    elif word is not None:
        value, i = _VAR, word.end()
        decode = _DECODERS.get(word.group())
        paren = _skip_blank(code, i, n)
        if decode is not None and code.startswith("(", paren):
            # unescape("%3Cscript src='…'%3E"): the 党政机关网站标识 and statistics snippets.
            parts, i = _write_arguments(code, paren + 1, n)
            if parts is None:
                return None, i
            value = "".join(part if part == _VAR else decode(part) for part in parts)
    elif (number := _NUMBER_RE.match(code, i, n)) is not None:
        text = number.group()
        value, i = (text if text.isdecimal() else _VAR), number.end()
    else:
        return None, i
    while True:  # member access, indexing and calls make a computed value of anything
        j = _skip_blank(code, i, n)
        if j < n and code[j] == "." and not code.startswith("...", j):
            member = _IDENT_RE.match(code, _skip_blank(code, j + 1, n), n)
            if member is None:
                return None, j
            value, i = _VAR, member.end()
        elif j < n and code[j] in "([`":
            value = _VAR
            i = _literal(code, j, n)[1] if code[j] == "`" else _skip_group(code, j + 1, n)
        else:
            break
    return (_VAR if computed else value), i


def _write_arguments(code: str, i: int, n: int) -> tuple[list[str] | None, int]:
    """What ``document.write(`` … ``)`` writes, its arguments starting at ``i``: their parts in
    order (None when they are not ``+`` chains of operands) and the index reached."""
    parts: list[str] = []
    while True:
        value, i = _operand(code, i, n)
        if value is None:
            return None, i
        parts.append(value)
        i = _skip_blank(code, i, n)
        if i >= n:
            raise _Broken
        c = code[i]
        if c == "+" and code[i + 1 : i + 2] not in ("+", "="):
            i += 1
        elif c == ",":
            i += 1  # document.write(a, b) writes a, then b
        elif c == ")":
            return parts, i + 1
        else:
            return None, i  # a ternary, ||, a comparison …: not a plain chain


def written_markup(code: str, max_calls: int = _MAX_WRITES) -> tuple[str, int]:
    """The markup an inline script writes with ``document.write``/``writeln`` string literals,
    computed parts as _VAR, and how many calls were read (at most ``max_calls``).

    Never raises: a script that cannot be lexed further keeps what was read before.
    """
    written: list[str] = []
    calls = 0
    n = len(code)
    i = 0
    try:
        while calls < max_calls:
            found = _JS_SCAN_RE.search(code, i)
            if found is None:
                break
            token = found.group()
            if token.startswith("document"):
                calls += 1
                parts, i = _write_arguments(code, found.end(), n)
                if parts is not None:
                    written.extend(parts)
            else:
                i = _skip_token(code, found.start(), n)
    except _Broken:
        pass
    return "".join(written), calls


def hanweb_records(code: str, max_records: int = _MAX_RECORDS) -> list[str]:
    """The markup of the ``<record><![CDATA[…]]></record>`` entries of a Hanweb datastore."""
    records: list[str] = []
    i = 0
    while len(records) < max_records:
        found = _RECORD_OPEN_RE.search(code, i)
        if found is None:
            break
        end = code.find("]]>", found.end())
        if end < 0:
            break
        records.append(code[found.end() : end])
        i = end + 3  # openers inside a record are its text: searching on from here keeps this linear
    return records


# The same menu, footer and column links recur on every page of a site. An absolute URL, an
# absolute path or a relative path ("../../xxgk/", "./images/a.css": how TRS and other CMS
# templates write theirs, joined to the page's directory first) resolves the same on every page
# of one origin, so those resolutions are shared across pages. The rest (a query or fragment
# alone, a scheme-relative URL) depend on the page's own URL and are cached per page. The
# recurring links are a few hundred: 2,048 kept 99.7 % of 32,768's hits on 3,000 pages of
# bench/'s portal, where 32,768 held 1.8 MiB after them in every process that reads pages (and
# would hold 12 MiB on a portal of 50,000). Caching relative paths per directory instead missed
# two times in three on bench/'s portal written with relative links (hrefs=relative): a
# portal's articles lie in hundreds of month folders, each with the same 30 template links.
_ORIGIN_WIDE_RE = re.compile(r"^(?:/|https?://)", re.IGNORECASE)
_ORIGIN_RE = re.compile(r"^[^:/?#]+://[^/?#]*")


@functools.lru_cache(maxsize=2048)
def _resolve_in_origin(origin: str, value: str, encoding: str) -> str | None:
    return resolve(origin + "/", value, encoding)


class _Extractor:
    """State for one page: base URL, encoding, a per-page resolution cache."""

    def __init__(self, base: str, encoding: str) -> None:
        self.base = base
        match = _ORIGIN_RE.match(base)
        self.origin = match.group(0) if match else ""
        # The directory of the page's path ("/a/b/"), "" when it has none.
        path = base[len(self.origin) :].partition("#")[0].partition("?")[0]
        self.directory = path[: path.rfind("/") + 1] if self.origin and path[:1] == "/" else ""
        self.encoding = encoding
        self.cache: dict[str, str | None] = {}
        self.links: list[LinkRef] = []
        self.text_left = _TEXT_BUDGET
        self.nav_memo: dict[int, bool] = {}
        # While links of written markup are read: where it came from ("document.write:",
        # "record:"), the script that holds it, and a memo for the markup's own tree.
        self.via = ""
        self.host: LexborNode | None = None
        self.written_memo: dict[int, bool] = {}
        self.script_left = _PAGE_SCRIPT_SCAN
        self.writes_left = _MAX_WRITES
        self.written_left = _MAX_WRITTEN
        self.records_left = _MAX_RECORDS

    def text_of(self, node: LexborNode) -> str:
        """``node.text(deep=True)``; "" for an element holding links once the page's link texts
        have used up the budget (see _TEXT_BUDGET)."""
        if self.text_left <= 0 and holds_links(node):
            return ""
        text = node.text(deep=True)
        self.text_left -= len(text)
        return text

    def resolve(self, raw: str) -> str | None:
        try:
            return self.cache[raw]
        except KeyError:
            pass
        # The form of the value that resolves the same on every page of the origin, if any.
        shared = None
        if self.origin and _ORIGIN_WIDE_RE.match(raw):
            shared = raw
        elif self.directory and raw[:1] not in "/\\?#" and not scheme_of_stripped(raw):
            # a relative path (an empty value fails the test too: "" is in every string)
            shared = rooted(self.directory, raw)
        if shared is not None:
            url = _resolve_in_origin(self.origin, shared, self.encoding)
        else:
            url = resolve(self.base, raw, self.encoding)
        self.cache[raw] = url
        return url

    def add(
        self,
        raw: str,
        element: str,
        attribute: str,
        text: str = "",
        *,
        navigable: bool,
        frame: bool = False,
        stripped: str | None = None,
    ) -> None:
        """A URL-valued attribute: classify by scheme and record.

        ``stripped`` is ``strip_href(raw)`` when the caller has it already (anchors).
        """
        if self.via and not attribute.startswith(self.via):
            if _VAR in raw:
                return  # a URL computed at runtime: where it leads is unknown
            attribute, text = self.via + attribute, _written_text(text)
        value = strip_href(raw) if stripped is None else stripped
        if not value:
            self.special(raw, element, attribute, text, LinkSpecial.NOT_CHECKABLE, navigable=navigable)
            return
        scheme = scheme_of_stripped(value)
        if scheme == "javascript":
            urls = script_urls(value)
            if urls:
                for u in urls:
                    self.add(u, element, attribute, text, navigable=True, frame=frame)
            elif _says_unavailable(value):
                self.special(raw, element, attribute, text, LinkSpecial.PLACEHOLDER, navigable=navigable)
            else:
                self.special(raw, element, attribute, text, LinkSpecial.NOT_CHECKABLE, navigable=navigable)
            return
        if scheme and scheme not in _HTTP:
            self.special(raw, element, attribute, text, LinkSpecial.NOT_CHECKABLE, navigable=navigable)
            return
        if value.startswith("#"):
            # Same-page anchor: the page itself is already being checked.
            self.special(raw, element, attribute, text, LinkSpecial.NOT_CHECKABLE, navigable=navigable)
            return
        if "{{" in value and "}}" in value:
            # An unrendered client-side template (AngularJS/Vue): the browser fills it in, so the
            # literal is nobody's link. (An unrendered server template such as ${ctx} is kept: that
            # one reaches users as written and is a real broken link.)
            self.special(raw, element, attribute, text, LinkSpecial.NOT_CHECKABLE, navigable=navigable)
            return
        self.links.append(
            LinkRef(
                raw=raw,
                url=self.resolve(value),
                element=element,
                attribute=attribute,
                text=text,
                navigable=navigable,
                frame=frame,
            )
        )

    def special(
        self,
        raw: str,
        element: str,
        attribute: str,
        text: str,
        special: LinkSpecial,
        *,
        navigable: bool,
        in_nav: bool = False,
    ) -> None:
        if self.via and not attribute.startswith(self.via):  # not already marked by add()
            if _VAR in raw:
                return
            attribute, text = self.via + attribute, _written_text(text)
        self.links.append(
            LinkRef(
                raw=raw,
                url=None,
                element=element,
                attribute=attribute,
                text=text,
                navigable=navigable,
                special=special,
                in_nav=in_nav,
            )
        )

    # --- per element -------------------------------------------------------------------------

    def anchor(self, node: LexborNode, tag: str, attrs: dict[str, str | None]) -> None:
        text = _anchor_text(self, node, attrs)
        onclick = attrs.get("onclick") or ""
        click_urls = script_urls(onclick) if onclick else []
        if "href" not in attrs:  # matched for its onclick only
            for u in click_urls:
                self.add(u, tag, "onclick", text, navigable=True)
            if not click_urls and _says_unavailable(onclick):
                self.placeholder(node, onclick, tag, "onclick", text)
            return
        raw = attrs.get("href") or ""
        value = strip_href(raw)
        if raw and not value:
            return  # whitespace-only href: template residue, not a link anyone sees
        scheme = scheme_of_stripped(value)
        href_urls: list[str] = []
        unavailable = False
        if scheme == "javascript":
            href_urls = script_urls(value)
            unavailable = not href_urls and _says_unavailable(value)
        noop = not value or value == "#" or (scheme == "javascript" and not href_urls and not unavailable)
        if noop and click_urls:
            # <a href="#" onclick="window.open('/x')">: the script is the link.
            for u in click_urls:
                self.add(u, tag, "onclick", text, navigable=True)
            return
        if noop and _says_unavailable(onclick):
            self.placeholder(node, onclick, tag, "onclick", text)
            return
        if unavailable:
            self.placeholder(node, raw, tag, "href", text)
            return
        if value == "#" and _has_visible_content(self, node) and not _scripted(node, attrs):
            self.placeholder(node, raw, tag, "href", text)
            return
        self.add(raw, tag, "href", text, navigable=True, stripped=value)
        for u in click_urls:
            self.add(u, tag, "onclick", text, navigable=True)

    def placeholder(self, node: LexborNode, raw: str, tag: str, attribute: str, text: str) -> None:
        if self.via:
            # Written markup sits where its script stands: its navigation may be around either.
            in_nav = _in_nav(node, self.written_memo) or (
                self.host is not None and _in_nav(self.host, self.nav_memo)
            )
        else:
            in_nav = _in_nav(node, self.nav_memo)
        self.special(raw, tag, attribute, text, LinkSpecial.PLACEHOLDER, navigable=True, in_nav=in_nav)

    def option(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        value = strip_href(attrs.get("value") or "")
        if not value or value == "#":
            return
        select = node.parent
        if select is not None and select.tag == "optgroup":
            select = select.parent
        if select is None or select.tag != "select":
            return
        explicit = scheme_of(value) in _HTTP
        if not explicit:
            if "onchange" not in select.attributes or not _URLISH_RE.search(value):
                return  # a form field (value="0", "请选择"), not a link dropdown
            if value.lower().startswith("www."):
                # 友情链接 lists often omit the scheme and let the handler prefix it.
                value = "http://" + value
        self.add(value, "option", "value", _collapse(node.text(deep=True)), navigable=True)

    def inline_script(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        """Links of the markup an inline script writes, and of the Hanweb records it holds."""
        if self.script_left <= 0:
            return
        code = node.text(deep=True)
        if len(code) > _SCRIPT_SCAN:
            code = code[:_SCRIPT_SCAN]
        self.script_left -= len(code)
        if "CDATA[" in code and self.records_left > 0:
            records = hanweb_records(code, self.records_left)
            self.records_left -= len(records)
            if records:
                # Each record in its own block, as jpage shows them: one record's unclosed tags
                # stay out of the next.
                self.written(node, "".join(f"<div>{record}</div>" for record in records), "record:")
        script_type = (attrs.get("type") or "").strip().lower()
        if "write" in code and self.writes_left > 0 and _JS_TYPE_RE.match(script_type):
            markup, calls = written_markup(code, self.writes_left)
            self.writes_left -= calls
            if markup:
                self.written(node, markup, "document.write:")

    def written(self, host: LexborNode, markup: str, via: str) -> None:
        """The links of markup a script puts where it stands, read like the page's own."""
        # Imported here: the package imports this module before it defines bound_markup.
        from sitecheck.extract import bound_markup

        if self.written_left <= 0:
            return
        markup = markup[: self.written_left]
        self.written_left -= len(markup)
        # Written markup is parsed like a page, so it is bounded like one (nesting bombs).
        markup, _cut = bound_markup(markup)
        tree = LexborHTMLParser(markup)
        self.via, self.host, self.written_memo = via, host, {}
        try:
            seen: set[int] = set()
            for node in tree.css(_SELECTOR):
                if node.mem_id not in seen:
                    seen.add(node.mem_id)
                    _dispatch(self, node)
        finally:
            self.via, self.host, self.written_memo = "", None, {}

    def onclick(self, node: LexborNode, tag: str, attrs: dict[str, str | None]) -> None:
        urls = script_urls(attrs.get("onclick") or "")
        if urls:
            text = _collapse(self.text_of(node)) or _attr_text(attrs)
            for u in urls:
                self.add(u, tag, "onclick", text, navigable=True)


def extract_links(tree: LexborHTMLParser, page_url: str, encoding: str) -> tuple[LinkRef, ...]:
    """All links of a parsed page, in document order, resolved against ``<base href>`` if any."""
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base_href = base_node.attributes.get("href") or ""
        resolved = resolve(page_url, base_href, encoding) if strip_href(base_href) else None
        if resolved is not None:
            base = resolved
    ex = _Extractor(base, encoding)
    seen: set[int] = set()
    for node in tree.css(_SELECTOR):
        ident = node.mem_id
        if ident in seen:
            continue
        seen.add(ident)
        _dispatch(ex, node)
    return tuple(ex.links)


def _dispatch(ex: _Extractor, node: LexborNode) -> None:
    tag = node.tag or ""
    attrs = node.attributes
    if tag in ("a", "area"):
        ex.anchor(node, tag, attrs)
        return
    if tag == "img":
        text = _attr_text(attrs)
        if attrs.get("src") is not None:
            ex.add(attrs["src"] or "", tag, "src", text, navigable=False)
        for u in _srcset_urls(attrs.get("srcset") or ""):
            ex.add(u, tag, "srcset", text, navigable=False)
    elif tag == "link":
        rels = set((attrs.get("rel") or "").lower().split())
        if not rels & _SKIP_LINK_RELS:
            ex.add(attrs.get("href") or "", tag, "href", _attr_text(attrs), navigable=False)
    elif tag in ("iframe", "frame"):
        if "src" in attrs:
            ex.add(attrs.get("src") or "", tag, "src", _attr_text(attrs), navigable=True, frame=True)
    elif tag == "script":
        if "src" in attrs:
            ex.add(attrs.get("src") or "", tag, "src", _attr_text(attrs), navigable=False)
        elif not ex.via:  # markup written by written markup is left alone
            ex.inline_script(node, attrs)
    elif tag in ("embed", "track", "audio"):
        if "src" in attrs:
            ex.add(attrs.get("src") or "", tag, "src", _attr_text(attrs), navigable=False)
    elif tag == "input":
        # Only an image button loads its src; other inputs ignore the attribute.
        if "src" in attrs and (attrs.get("type") or "").strip().lower() == "image":
            ex.add(attrs.get("src") or "", tag, "src", _attr_text(attrs), navigable=False)
    elif tag == "video":
        for name in ("src", "poster"):
            if name in attrs:
                ex.add(attrs.get(name) or "", tag, name, _attr_text(attrs), navigable=False)
    elif tag == "source":
        if "src" in attrs:
            ex.add(attrs.get("src") or "", tag, "src", navigable=False)
        for u in _srcset_urls(attrs.get("srcset") or ""):
            ex.add(u, tag, "srcset", navigable=False)
    elif tag == "object":
        if "data" in attrs:
            ex.add(attrs.get("data") or "", tag, "data", _attr_text(attrs), navigable=False)
    elif tag in ("body", "table", "td", "th"):
        if attrs.get("background"):
            ex.add(attrs["background"] or "", tag, "background", navigable=False)
    elif tag == "meta":
        if (attrs.get("http-equiv") or "").strip().lower() == "refresh":
            target = _refresh_target(attrs.get("content") or "")
            if target is not None:
                ex.add(target, tag, "content", navigable=True)
    elif tag == "option":
        ex.option(node, attrs)
    if "onclick" in attrs:
        ex.onclick(node, tag, attrs)
