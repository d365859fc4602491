"""Error pages served as 200 OK (soft 404s): the one place that recognises them.

Titles are strong evidence ("404", "页面不存在"); body text counts only on short pages, because
a real article may well mention a 404 error. Two entry points share that rule: a page the
crawler parses anyway (``page_phrase``) and a short answer that is not parsed, such as a
probed link (``document_phrase``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser

from sitecheck.fetch.client import PROBE_BODY, decode_sample, is_html
from sitecheck.models import FetchResult, Outcome

__all__ = ["document_phrase", "page_phrase", "short_visible_text", "soft_404_phrase", "visible_text"]

_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
# Where a title is looked for in an unparsed answer: the head, well before this.
_TITLE_WINDOW = 65536
_TAG_RE = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_SPACE_RE = re.compile(r"\s+")
_ERROR_TITLE_RE = re.compile(r"^\s*(?:error\s*)?(40[0-9]|41[0-9]|5[0-9][0-9])\b", re.IGNORECASE)
# A number that counts or orders something is no status code: 第 404 页, 共 404 条 (a pager's
# total on a short list page), 404 号文件, 500 强. (页面 after it is "page": 404 页面不存在.)
_ORDINAL_BEFORE = re.compile(r"[第共约计达逾近超]\s*$")
_COUNTED_AFTER = re.compile(
    r"\s*(?:页(?!面)|[期号条个次名篇件项家户份余多届卷章节款例批类种位岁强元万亿年月日天])"
)


def visible_text(html: str) -> str:
    """Rough visible text of a short HTML document (used only for error-page detection)."""
    return _SPACE_RE.sub(" ", _TAG_RE.sub(" ", html)).strip()


def soft_404_phrase(title: str, text: str, phrases: Iterable[str], short_page_chars: int) -> str | None:
    """The phrase that marks a 200 page as an error page, or None.

    ``text`` is the page's visible text; it is evidence only up to ``short_page_chars``.
    """
    title_l = title.strip().lower()
    found = _ERROR_TITLE_RE.match(title_l)
    if found is not None and _is_status(title_l, found.start(1), found.end(1)):
        return title.strip()
    text_l = text.lower() if len(text) <= short_page_chars else ""
    for phrase in (p.lower() for p in phrases):
        if phrase.isdigit():
            # A bare status code counts only as a token of its own ("404 - Not Found",
            # "错误 404"), never inside "第404期", nor as a count ("共 404 条").
            token = re.compile(rf"(?:^|[\s\-_|:：(（])({phrase})(?=$|[\s\-_|:：!！)）.])")
            for where in (title_l, text_l):
                if any(_is_status(where, m.start(1), m.end(1)) for m in token.finditer(where)):
                    return phrase
        elif phrase in title_l or phrase in text_l:
            return phrase
    return None


def _is_status(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` may be a status code, not a count or an ordinal."""
    ordinal = _ORDINAL_BEFORE.search(text, max(0, start - 8), start) is not None  # 第 404
    counted = _COUNTED_AFTER.match(text, end) is not None  # 404 条
    return not (ordinal or counted)


def document_phrase(html: str, phrases: Iterable[str], short_page_chars: int) -> str | None:
    """The error-page phrase of a short, unparsed HTML answer, or None."""
    match = _TITLE_RE.search(html, 0, _TITLE_WINDOW)
    title = _SPACE_RE.sub(" ", match.group(1)).strip() if match else ""
    return soft_404_phrase(title, short_visible_text(html, short_page_chars), phrases, short_page_chars)


def short_visible_text(html: str, limit: int) -> str:
    """``visible_text(html)``, or "" when that text is longer than ``limit`` characters for
    certain (body text is evidence only on short pages: soft_404_phrase reads no longer text).

    The text is read up to the point where it has more than ``limit`` characters besides
    spaces, which a page's head and menus pass within its first tags: the whole page's text was
    a fifth of a millisecond a probed page, for nothing (every link to another site's page, and
    every page beyond the crawl's limits, is screened)."""
    seen = 0
    end = 0
    for tag in _TAG_RE.finditer(html):
        seen += len("".join(html[end : tag.start()].split()))
        if seen > limit:
            return ""
        end = tag.end()
    if seen + len("".join(html[end:].split())) > limit:
        return ""
    return visible_text(html)


# Body text is evidence of an error page only on short pages; a document this long is never
# one of those, so its text need not be collected.
_SHORT_DOCUMENT_BYTES = 64 * 1024


def page_phrase(
    tree: LexborHTMLParser,
    html: str,
    title: str,
    body_bytes: int,
    phrases: Iterable[str],
    short_page_chars: int,
) -> str | None:
    """The error-page phrase of a parsed page (``html`` its text, ``body_bytes`` its size), or None."""
    text = ""
    if body_bytes <= _SHORT_DOCUMENT_BYTES and _may_be_short(tree, short_page_chars):
        text = _short_page_text(html, tree)
    return soft_404_phrase(title, text, phrases, short_page_chars)


def _may_be_short(tree: LexborHTMLParser, short_page_chars: int) -> bool:
    """Whether the page's visible text may be short, judged from lexbor's text (C, fast).

    lexbor's text of the body includes its scripts and styles, which are not visible: their
    length is taken off; the margin covers whitespace, which the two count differently.
    """
    body = tree.body
    if body is None:
        return True
    length = len(body.text(separator=" ", strip=True))
    limit = short_page_chars * 5 // 4
    if length <= limit:
        return True
    hidden = sum(len(node.text(separator=" ", strip=True)) for node in body.css("script, style"))
    return length - hidden <= limit


# visible_text strips tags with regexes that are quadratic when a page opens many
# <script>/<style>/"<" it never closes (64 KB of "<script>" took 2.7 s). A short page with this
# many tags is not a plain error page: its text is taken from the parsed tree instead (linear).
_REGEX_TEXT_TAGS = 1000


def _short_page_text(html: str, tree: LexborHTMLParser) -> str:
    if html.count("<") <= _REGEX_TEXT_TAGS:
        return visible_text(html)
    root = tree.root
    if root is None:
        return ""
    hidden = {node.mem_id for node in root.css("script, style")}
    pieces = (
        node.text_content or ""
        for node in root.traverse(include_text=True, skip_empty=True)
        if node.tag == "-text" and (node.parent is None or node.parent.mem_id not in hidden)
    )
    return " ".join(" ".join(pieces).split())


def screen(result: FetchResult, phrases: Iterable[str], short_page_chars: int) -> FetchResult:
    """A short HTML answer that says it is an error page becomes a soft 404 (unparsed answers:
    links checked without being crawled, pages that were not analysed)."""
    if result.outcome is not Outcome.OK or not result.body or len(result.body) > PROBE_BODY:
        return result
    if not is_html(result.content_type):
        return result
    phrase = document_phrase(decode_sample(result.body, result.content_type), phrases, short_page_chars)
    if phrase is None:
        return result
    return dataclasses.replace(result, outcome=Outcome.SOFT_404, error=f"page says {phrase!r}", body=None)
