"""What a link to another site led to: the baseline of 外链变异 (issue 16, part 2).

A link checker sees only status codes, and a domain that was closed and re-registered for
gambling or parked by a registrar answers 200 like any page. So for every link to another site
whose answer is HTML, the crawl keeps a small record of what it showed (models.ExternalView):
the host it finally landed on, its ``<title>``, a SimHash fingerprint of its visible text, the
risky-site vocabulary it carries, and whether it is a parked / domain-for-sale page. A later run
compares its records with the first one the site's store holds for the same URL
(judge/external.py); the record is a fact, the comparison a judgement.

Only the first 64 KiB the link check already reads (fetch.client.PROBE_BODY) are looked at: no
extra request, and enough for a title and the text a parking page consists of.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from sitecheck.charset import decode_html
from sitecheck.extract.vocabulary import Vocabulary, find_risky_words
from sitecheck.models import ExternalView, FetchResult, Outcome

__all__ = ["PARKED_PHRASES", "hamming", "parked_phrase", "risky_words", "simhash", "view_of"]

# Text shorter than this says too little to fingerprint (an empty frame set, a redirect page).
_MIN_FINGERPRINT_CHARS = 40
# The first characters of the visible text are fingerprinted: a page's identity is in its top
# part, and the cost stays bounded (about 1,500 shingles, about a millisecond).
_FINGERPRINT_CHARS = 1500
_SHINGLE = 4
# _BIT[k] translates a byte to 1 if its bit k is set, else to 0.
_BIT = tuple(bytes(byte >> bit & 1 for byte in range(256)) for bit in range(8))
_INVISIBLE = ("script", "style", "noscript", "template")
_SPACE = re.compile(r"\s+")

# What registrars' and parking services' pages say (checked by hand on their public parking pages:
# Sedo, Dan.com, GoDaddy/Afternic, HugeDomains, ParkingCrew, Bodis; 阿里云/万网, 西部数码, 爱名网,
# 易名 for the Chinese ones). Matched case-insensitively in the title and visible text of a short
# page only (see parked_phrase): a news article about domain sales is long.
PARKED_PHRASES: tuple[str, ...] = (
    "this domain may be for sale",
    "this domain is for sale",
    "the domain is for sale",
    "domain is for sale",
    "buy this domain",
    "this domain name is for sale",
    "make an offer on this domain",
    "domain name for sale",
    "this domain has been registered",
    "parked free",
    "parkingcrew",
    "sedoparking",
    "hugedomains.com",
    "afternic.com",
    "dan.com",
    "bodis.com",
    "域名正在出售",
    "该域名出售",
    "此域名出售",
    "本域名出售",
    "域名出售中",
    "域名转让",
    "该域名可以转让",
    "此域名可以出售",
    "域名停放",
    "该域名已过期",
    "域名已到期",
)
# A parking page is short: a phrase on a page with more text than this is a page *about* it.
_PARKED_MAX_CHARS = 3000


def view_of(result: FetchResult, vocabulary: Vocabulary | None = None) -> ExternalView | None:
    """The record of what an external link's HTML answer showed; None for anything else (a
    failure, an image, a file, an answer whose body was not kept). ``vocabulary``: the risky-site
    words to look for (the shipped list and the office's, [integrity] vocabulary_lists)."""
    if result.outcome is not Outcome.OK or not result.body:
        return None
    if "html" not in result.content_type.lower():
        return None
    text_html = decode_html(result.body, result.charset).text
    tree = LexborHTMLParser(text_html)
    title_node = tree.css_first("title")
    title = _SPACE.sub(" ", title_node.text() if title_node is not None else "").strip()[:200]
    tree.strip_tags(list(_INVISIBLE))
    body = tree.body
    text = _SPACE.sub(" ", body.text(separator=" ") if body is not None else "").strip()
    final = result.final_url or result.url
    host = (urlsplit(final).hostname or "").lower().rstrip(".")
    words = risky_words(f"{title}\n{text}", vocabulary)
    title_words = risky_words(title, vocabulary)
    return ExternalView(
        final_host=host,
        title=title,
        fingerprint=simhash(text),
        text_chars=len(text),
        words=words,
        title_words=title_words,
        parked=parked_phrase(title, text),
    )


def risky_words(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, ...]:
    """The risky-site words in ``text`` as "category:word", each once, in order."""
    return tuple(dict.fromkeys(f"{hit.category}:{hit.word}" for hit in find_risky_words(text, vocabulary)))


def parked_phrase(title: str, text: str) -> str:
    """The parking / for-sale phrase a short page shows first, or ""."""
    if len(text) > _PARKED_MAX_CHARS:
        return ""
    haystack = f"{title}\n{text}".lower()
    found = [(haystack.find(phrase), phrase) for phrase in PARKED_PHRASES if phrase in haystack]
    return min(found)[1] if found else ""  # the one the page shows first (its title's, say)


def simhash(text: str) -> int:
    """A 64-bit SimHash of the text's 4-character shingles (0 when there is too little text).

    Shingles of characters, not words: Chinese text has no spaces. Near-identical texts (a
    changed date, a new headline among twenty) differ in a few bits; a different page in about
    half of them. blake2b keeps the value the same across processes and runs (``hash()`` does not).
    """
    text = text[:_FINGERPRINT_CHARS]
    if len(text) < _MIN_FINGERPRINT_CHARS:
        return 0
    shingles = len(text) - _SHINGLE + 1
    digests = b"".join(
        hashlib.blake2b(text[start : start + _SHINGLE].encode("utf-8"), digest_size=8).digest()
        for start in range(shingles)
    )
    # The votes are counted in C: byte i of every digest is one column (a slice), and the
    # shingles with bit k set in it are the 1s of that column translated by _BIT[k].
    fingerprint = 0
    for index in range(8):
        column = digests[index::8]
        for bit in range(8):
            if 2 * column.translate(_BIT[bit]).count(1) > shingles:
                fingerprint |= 1 << (8 * index + bit)
    return fingerprint or 1  # 0 is "no fingerprint"


def hamming(a: int, b: int) -> int:
    """Bits that differ between two fingerprints."""
    return (a ^ b).bit_count()
