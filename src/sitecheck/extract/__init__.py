"""Parse a fetched page once and pull out what later stages need (title, encoding, links).

The parsed tree is handed back so that other analyses (columns, dates) reuse it instead of parsing
the page again.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitecheck.charset import decode_html
from sitecheck.extract.links import extract_links
from sitecheck.models import PageFacts

__all__ = ["extract_links", "page_title", "parse_page"]

_WS_RE = re.compile(r"\s+")


def _first_html_title(tree: LexborHTMLParser) -> LexborNode | None:
    """A <title> misplaced in the body still names the page; an inline <svg><title> does not."""
    for node in tree.css("title"):
        parent = node.parent
        while parent is not None and parent.tag != "svg":
            parent = parent.parent
        if parent is None:
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


def parse_page(body: bytes, url: str, http_charset: str | None) -> tuple[PageFacts, LexborHTMLParser]:
    """Decode ``body`` (fetched from ``url``), parse it, and collect the page's facts."""
    decoded = decode_html(body, http_charset)
    tree = LexborHTMLParser(decoded.text)
    facts = PageFacts(
        url=url,
        title=page_title(tree),
        encoding=decoded.encoding,
        encoding_source=decoded.source,
        links=extract_links(tree, url, decoded.encoding),
        html=decoded.text,
    )
    return facts, tree
