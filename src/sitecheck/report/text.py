"""Text that a crawled site chose, made safe to show: the one place every output uses.

Link texts, titles, column names and URLs come from pages sitecheck does not control. Shown
as they are, a U+202E RIGHT-TO-LEFT OVERRIDE in a link text reverses our own wording after it
(「…」页面不存在 reads backwards), an escape sequence repaints the terminal, and most C0
controls are not even allowed in the XML inside an XLSX or a JUnit file. So on the way out:

- :func:`clean_text` removes the bidirectional formatting controls (they are invisible, and
  without them the text reads in its stored order) and shows every other control character as
  U+FFFD ``�``; tab and line breaks stay, or become spaces for a one-line console message;
- :func:`clean_url` percent-encodes the same characters in a URL instead (``%E2%80%AE``), so the
  address shown is still exact and can be pasted into a browser.

HTML additionally isolates every crawled value (``<bdi>``), so that even right-to-left letters
(Arabic, Hebrew) cannot move the punctuation around them. findings.json keeps the raw text: it
is data for programs, and JSON escapes control characters itself.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["BIDI_CONTROLS", "clean_line", "clean_text", "clean_url", "needs_cleaning", "valid_unicode"]

# Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the marks
# LRM, RLM and ALM (U+200E, U+200F, U+061C).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# C0 controls but tab, LF and CR; DEL and the C1 controls; lone surrogates (not encodable);
# the noncharacters U+FFFE and U+FFFF (not allowed in XML).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_SEPARATORS = "\u2028\u2029"  # LINE / PARAGRAPH SEPARATOR: line breaks to a terminal or a cell
_UNSAFE = re.compile(f"[{BIDI_CONTROLS}{_CONTROL}{_SEPARATORS}]")
_UNSAFE_LINE = re.compile(f"[{BIDI_CONTROLS}{_CONTROL}{_SEPARATORS}\t\n\r]")  # also not in a URL
_SURROGATE = re.compile("[\ud800-\udfff]")


def needs_cleaning(text: str) -> bool:
    """Whether ``text`` holds a character :func:`clean_text` would change."""
    return _UNSAFE.search(text) is not None


def _text_replacement(match: re.Match[str], one_line: bool) -> str:
    ch = match.group()
    if ch in BIDI_CONTROLS:
        return ""
    if ch in _SEPARATORS:
        return " " if one_line else "\n"
    if ch in "\t\n\r":
        return " "
    return "\ufffd"


def clean_text(text: str, *, one_line: bool = False) -> str:
    """``text`` with bidi controls removed and other control characters shown as ``�``.

    Tab, LF and CR are kept (a cell may hold several lines); with ``one_line`` they become
    spaces, for a message that must stay on its line.
    """
    pattern = _UNSAFE_LINE if one_line else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: _text_replacement(m, one_line), text)


def clean_line(text: str) -> str:
    """:func:`clean_text` for one line of console output."""
    return clean_text(text, one_line=True)


def _percent(match: re.Match[str]) -> str:
    ch = match.group()
    if "\ud800" <= ch <= "\udfff":
        return "%EF%BF%BD"  # a lone surrogate has no UTF-8 form: U+FFFD's
    return quote(ch, safe="")


def clean_url(url: str) -> str:
    """``url`` with control, bidi and line-break characters percent-encoded (still the same address)."""
    if _UNSAFE_LINE.search(url) is None:
        return url
    return _UNSAFE_LINE.sub(_percent, url)


def valid_unicode(text: str) -> str:
    """``text`` encodable as UTF-8: lone surrogates become U+FFFD (the rest is kept as is)."""
    return _SURROGATE.sub("\ufffd", text)
