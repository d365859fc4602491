"""Everything the crawler learns from one HTML page, as a pure function of its bytes.

Parsing, link extraction and column analysis are most of a crawl's CPU after the HTTP client
itself; one pure function of plain values can run wherever the page was fetched (the engine's
process or a worker process, see reader.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from sitecheck.extract import read_page, visible_text
from sitecheck.extract.hidden_links import find_hidden_links
from sitecheck.extract.identifiers import read_identifiers
from sitecheck.extract.listing import analyse_listing
from sitecheck.extract.soft404 import page_phrase
from sitecheck.extract.text_checks import TextChecker, check_page
from sitecheck.models import HiddenLink, ListingFacts, PageFacts, PageIdentifiers, TextHit


@dataclass(frozen=True, slots=True)
class PageInput:
    body: bytes
    url: str  # the URL the page was served from (after redirects)
    charset: str | None  # from the Content-Type header
    is_home: bool
    observed_on: date
    soft404_phrases: tuple[str, ...]
    short_page_chars: int
    text_checker: TextChecker | None = None  # personal data, wording: None reads no text
    hidden_links: bool = False  # 暗链: the off-site links the page hides ([integrity] hidden_links)
    identifiers: bool = True  # [identifiers] enabled: read the template and footer identifiers
    # The site's own style sheet files the page links, (name, CSS text), read by the crawl: the
    # rules that may hide a link are as often there as in the page.
    stylesheets: tuple[tuple[str, str], ...] = ()
    # The markup the site's own footer scripts write (document.write literals), read by the
    # crawl: the identifiers a footer shows are often there, not in the page.
    footer_markup: str = ""


@dataclass(frozen=True, slots=True)
class PageOutput:
    facts: PageFacts
    listing: ListingFacts | None
    soft404: str | None  # the phrase that marks the page as an error page
    # What of the page was left out of its analysis and why, as short Chinese sentences joined
    # by "；" (markup too costly to parse, too many links or records for the column analysis);
    # "" when the whole page was analysed.
    limited: str = ""
    text_hits: tuple[TextHit, ...] = ()  # what the text checks saw (masked)
    hidden_links: tuple[HiddenLink, ...] = ()  # off-site links the page hides (暗链 candidates)
    identifiers: PageIdentifiers | None = None  # template and footer identifiers (issue 16)


def analyse_page(page: PageInput) -> PageOutput:
    parsed = read_page(page.body, page.url, page.charset)
    facts, tree = parsed.facts, parsed.tree
    phrase = page_phrase(
        tree, facts.html, facts.title, len(page.body), page.soft404_phrases, page.short_page_chars
    )
    listing: ListingFacts | None = None
    # Pages that name themselves articles are not lists; skipping them saves most of the
    # column analysis on a portal, which is mostly articles.
    if phrase is None and (page.is_home or tree.css_first('meta[name="ArticleTitle" i]') is None):
        listing = analyse_listing(tree, page.url, facts.html, today=page.observed_on, encoding=facts.encoding)
    limited = "；".join(filter(None, [parsed.limited, listing.limited if listing else ""]))
    hidden: tuple[HiddenLink, ...] = ()
    if phrase is None and page.hidden_links:  # before the identifiers and text checks: they strip the scripts
        hidden = find_hidden_links(tree, facts.url, facts.encoding, page.stylesheets)
    found: PageIdentifiers | None = None
    text_hits: tuple[TextHit, ...] = ()
    # Both read the page's visible text, which strips the scripts: after the listing and the
    # hidden links, and read once, when the first of them needs it.
    visible = functools.cache(functools.partial(visible_text, tree))
    if phrase is None and page.identifiers:
        found = read_identifiers(tree, facts.html, page.footer_markup, visible)
    if phrase is None and page.text_checker is not None:
        text_hits = check_page(tree, page.text_checker, page.observed_on, visible)
    return PageOutput(facts, listing, phrase, limited, text_hits, hidden, found)
