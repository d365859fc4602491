"""Everything the crawler learns from one HTML page, as a picklable function.

Parsing, link extraction and column analysis are most of a crawl's CPU after the HTTP client
itself. Keeping them in one pure function of picklable values lets the engine run them in a
worker process (``fetch.parse_workers``) while its own loop keeps fetching.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from sitecheck.classify import soft_404_phrase
from sitecheck.extract import parse_page
from sitecheck.extract.columns import ListingFacts, analyse_listing
from sitecheck.models import PageFacts


@dataclass(frozen=True, slots=True)
class PageInput:
    body: bytes
    url: str  # the URL the page was served from (after redirects)
    charset: str | None  # from the Content-Type header
    is_home: bool
    observed_on: date
    soft404_phrases: tuple[str, ...]
    short_page_chars: int
    keep_html: bool  # the engine may need the text again (Hanweb dataproxy requests)


@dataclass(frozen=True, slots=True)
class PageOutput:
    facts: PageFacts
    listing: ListingFacts | None
    soft404: str | None  # the phrase that marks the page as an error page


def analyse_page(page: PageInput) -> PageOutput:
    facts, tree = parse_page(page.body, page.url, page.charset)
    phrase = soft_404_phrase(facts.title, "", page.soft404_phrases, page.short_page_chars)
    listing: ListingFacts | None = None
    # Pages that name themselves articles are not lists; skipping them saves most of the
    # column analysis on a portal, which is mostly articles.
    if phrase is None and (page.is_home or tree.css_first('meta[name="ArticleTitle" i]') is None):
        listing = analyse_listing(tree, page.url, facts.html, today=page.observed_on)
    if not page.keep_html and (listing is None or listing.cms != "hanweb"):
        facts = dataclasses.replace(facts, html="")  # do not ship the text back for nothing
    return PageOutput(facts, listing, phrase)
