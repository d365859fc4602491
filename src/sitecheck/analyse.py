"""Everything the crawler learns from one HTML page, as a pure function of its bytes.

Parsing, link extraction and column analysis are most of a crawl's CPU after the HTTP client
itself; one pure function of plain values can run wherever the page was fetched (the engine's
process or a worker process, see reader.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from sitecheck.classify import soft_404_phrase, visible_text
from sitecheck.extract import read_page
from sitecheck.extract.listing import analyse_listing
from sitecheck.models import ListingFacts, PageFacts


@dataclass(frozen=True, slots=True)
class PageInput:
    body: bytes
    url: str  # the URL the page was served from (after redirects)
    charset: str | None  # from the Content-Type header
    is_home: bool
    observed_on: date
    soft404_phrases: tuple[str, ...]
    short_page_chars: int


@dataclass(frozen=True, slots=True)
class PageOutput:
    facts: PageFacts
    listing: ListingFacts | None
    soft404: str | None  # the phrase that marks the page as an error page
    # What of the page was left out of its analysis and why, as short Chinese sentences joined
    # by "；" (markup too costly to parse, too many links or records for the column analysis);
    # "" when the whole page was analysed.
    limited: str = ""


# Body text is evidence of an error page only on short pages (classify.soft_404_phrase); a
# document this long is never one of those, so its text need not be collected.
_SHORT_DOCUMENT_BYTES = 64 * 1024


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


def analyse_page(page: PageInput) -> PageOutput:
    parsed = read_page(page.body, page.url, page.charset)
    facts, tree = parsed.facts, parsed.tree
    text = ""
    if len(page.body) <= _SHORT_DOCUMENT_BYTES and _may_be_short(tree, page.short_page_chars):
        text = _short_page_text(facts.html, tree)
    phrase = soft_404_phrase(facts.title, text, page.soft404_phrases, page.short_page_chars)
    listing: ListingFacts | None = None
    # Pages that name themselves articles are not lists; skipping them saves most of the
    # column analysis on a portal, which is mostly articles.
    if phrase is None and (page.is_home or tree.css_first('meta[name="ArticleTitle" i]') is None):
        listing = analyse_listing(tree, page.url, facts.html, today=page.observed_on, encoding=facts.encoding)
    limited = "；".join(filter(None, [parsed.limited, listing.limited if listing else ""]))
    return PageOutput(facts, listing, phrase, limited)


# classify.visible_text strips tags with regexes that are quadratic when a page opens many
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
