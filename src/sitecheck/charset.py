"""Decode HTML bytes the way a browser would, with repairs for misconfigured Chinese servers.

Order: BOM -> HTTP charset -> ``<meta>`` in the document head -> detection -> UTF-8.

A declaration is trusted when it decodes the page cleanly (the common case, and the cheap one: one
strict ``bytes.decode``). Chinese servers often declare the wrong charset (``charset=GBK`` from an
nginx default on a UTF-8 site, or a template copied from an old GB2312 site), so a declaration that
produces many decoding errors gives way to one that decodes cleanly; ``source`` then says so
(``meta-over-http``, ``detected-over-http``, ``detected-over-meta``).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from sitecheck.models import DecodedPage

__all__ = ["codec_for_label", "decode_html", "decode_text_file", "http_charset"]

# WHATWG Encoding Standard labels (https://encoding.spec.whatwg.org/#names-and-labels), mapped to
# Python codecs. Deviations, all deliberate:
# * the GBK family decodes with gb18030, a superset: Python's strict gb2312 codec rejects characters
#   every GB2312-labelled page contains in practice (browsers do the same);
# * big5 uses big5hkscs, which is what WHATWG "Big5" actually is;
# * latin1/ascii labels mean windows-1252 in browsers;
# * a few non-standard spellings seen on Chinese sites (gb-2312, cp936, euc-cn) are accepted.
_LABELS: dict[str, str] = {}


def _register(codec: str, labels: str) -> None:
    for label in labels.split():
        _LABELS[label] = codec


_register(
    "utf-8",
    "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8 utf_8",
)
_register(
    "gb18030",
    "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030 "
    "gb-2312 gb2312-80 gb-18030 cp936 ms936 windows-936 euc-cn x-euc-cn",
)
_register("big5hkscs", "big5 big5-hkscs cn-big5 csbig5 x-x-big5 big5hkscs")
_register(
    "cp1252",
    "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 "
    "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
)
_register("euc_jp", "cseucpkdfmtjapanese euc-jp x-euc-jp")
_register("iso2022_jp", "csiso2022jp iso-2022-jp")
_register("shift_jis", "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis")
_register(
    "cp949",
    "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 "
    "ksc_5601 windows-949",
)
_register("utf-16-le", "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le")
_register("utf-16-be", "unicodefffe utf-16be")
_register("koi8_r", "cskoi8r koi koi8 koi8-r koi8_r")
_register("koi8_u", "koi8-ru koi8-u")
_register("cp874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874")
for _n in range(1250, 1259):
    _register(f"cp{_n}", f"cp{_n} windows-{_n} x-cp{_n}")
for _n, _extra in (
    (2, "csisolatin2 iso-ir-101 l2 latin2"),
    (3, "csisolatin3 iso-ir-109 l3 latin3"),
    (4, "csisolatin4 iso-ir-110 l4 latin4"),
    (5, "csisolatincyrillic cyrillic iso-ir-144"),
    (
        6,
        "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6-e iso-8859-6-i "
        "iso-ir-127",
    ),
    (7, "csisolatingreek ecma-118 elot_928 greek greek8 iso-ir-126 sun_eu_greek"),
    (8, "csiso88598e csisolatinhebrew hebrew iso-8859-8-e iso-ir-138 visual"),
    (10, "csisolatin6 iso-ir-157 l6 latin6"),
    (13, ""),
    (14, ""),
    (15, "csisolatin9 l9"),
    (16, ""),
):
    _register(f"iso8859_{_n}", f"iso-8859-{_n} iso8859-{_n} iso8859{_n} iso_8859-{_n} {_extra}")
_register("cp1254", "csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 l5 latin5")
_register("mac_roman", "csmacintosh mac macintosh x-mac-roman")
_register("mac_cyrillic", "x-mac-cyrillic x-mac-ukrainian")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Codecs in which a CJK page is plausible; detector answers outside this set are double-checked
# against gb18030 (charset-normalizer sometimes calls short GBK samples cp1252 or similar).
_CJK_CODECS = frozenset({"gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis", "cp949"})

_PRESCAN_BYTES = 4096
_SAMPLE_BYTES = 16384
_HIGH_BYTES = bytes(range(128))  # deleting these leaves the non-ASCII bytes

_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")
_HEAD_END_RE = re.compile(rb"</head|<body", re.IGNORECASE)
_COMMENT_RE = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
_META_RE = re.compile(rb"<meta[\s/][^>]*>?", re.IGNORECASE)
_ATTR_RE = re.compile(
    rb"""([^\s/>"'=]+)(?:\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]*)))?""",
)
_CHARSET_IN_CONTENT_RE = re.compile(rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.I)


def _normalise_label(label: str) -> str:
    return label.strip().strip("\"'").strip().lower()


def codec_for_label(label: str) -> str | None:
    """Map an encoding label (HTTP, ``<meta>`` or detector name) to a Python codec, or None."""
    key = _normalise_label(label)
    codec = _LABELS.get(key)
    if codec is None and "_" in key:
        # charset-normalizer and Python speak of "utf_8", "iso8859_15"...
        codec = _LABELS.get(key.replace("_", "-"))
    return codec


def http_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header value (lower-cased label), or None."""
    for param in content_type.split(";")[1:]:
        name, sep, value = param.partition("=")
        if sep and name.strip().lower() == "charset":
            label = _normalise_label(value)
            return label or None
    return None


def _meta_label(tag: bytes) -> str | None:
    """WHATWG prescan rules for one ``<meta ...>`` tag: ``charset``, or http-equiv + content."""
    attrs: dict[bytes, bytes] = {}
    for m in _ATTR_RE.finditer(tag, 5):
        name = m.group(1).lower()
        if name not in attrs:  # first occurrence wins, as in the parser
            attrs[name] = m.group(2) or m.group(3) or m.group(4) or b""
    if b"charset" in attrs:
        return attrs[b"charset"].decode("ascii", "replace")
    if attrs.get(b"http-equiv", b"").strip().lower() == b"content-type" and b"content" in attrs:
        found = _CHARSET_IN_CONTENT_RE.search(attrs[b"content"])
        if found:
            value = found.group(1) or found.group(2) or found.group(3) or b""
            return value.decode("ascii", "replace")
    return None


def _meta_codec(body: bytes) -> str | None:
    """Encoding declared by a ``<meta>`` in the head.

    Only the head is scanned (first 4 KB, cut at ``</head`` / ``<body``): pages that paste MS-Word
    HTML into the body carry a stray ``charset=gb2312`` meta there, which browsers ignore.
    """
    window = _COMMENT_RE.sub(b"", body[:_PRESCAN_BYTES])
    end = _HEAD_END_RE.search(window)
    if end:
        window = window[: end.start()]
    for m in _META_RE.finditer(window):
        label = _meta_label(m.group(0))
        if label is None:
            continue
        codec = codec_for_label(label)
        if codec is None:
            continue  # unknown label: the prescan keeps looking
        if codec.startswith("utf-16"):
            return "utf-8"  # the bytes being ASCII-readable prove it is not UTF-16 (WHATWG)
        return codec
    return None


def _high_bytes(body: bytes) -> int:
    return len(body.translate(None, _HIGH_BYTES))


def _decode_counting(body: bytes, codec: str) -> tuple[str, int]:
    text = body.decode(codec, errors="replace")
    return text, text.count("\ufffd")


def _many_errors(errors: int, high: int) -> bool:
    # Relative to non-ASCII bytes, not to all characters: markup is ASCII, so a UTF-8 page read as
    # gb18030 shows only ~0.1-1 % bad characters overall but 2-5 % per non-ASCII byte. The floor
    # keeps one character cut by a size cap, or a few stray bytes, from overturning a declaration.
    return errors > max(3, high // 100)


def _clean(errors: int, high: int) -> bool:
    return errors <= max(1, high // 1000)


def _detect(body: bytes) -> tuple[str, bool]:
    """Best guess for non-ASCII bytes that declare nothing usable, and whether it is a strong one."""
    try:
        # Not final: a body cut by the size cap may end inside a character.
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        pass
    else:
        # Non-ASCII text that is valid UTF-8 is UTF-8: other encodings almost never happen to be.
        return "utf-8", True
    # The detector only needs text-bearing bytes; start the sample near the first non-ASCII byte so
    # a long ASCII head of scripts and styles does not dilute it.
    first = _NON_ASCII_RE.search(body)
    start = max(0, first.start() - 256) if first else 0
    best = from_bytes(body[start : start + _SAMPLE_BYTES]).best()
    detected = codec_for_label(best.encoding) if best is not None else None
    if detected in _CJK_CODECS:
        return detected, True
    # A Chinese portal is far more likely GBK than whatever single-byte code page the detector
    # settled on (it says cp1252 and the like for short GBK samples); take gb18030 if it fits.
    if _clean(_decode_counting(body, "gb18030")[1], _high_bytes(body)):
        return "gb18030", False
    return detected or "gb18030", False


def decode_html(body: bytes, http_charset: str | None) -> DecodedPage:
    """Decode an HTML body; ``http_charset`` is the Content-Type charset label, if any."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedPage(body[len(bom) :].decode(codec, errors="replace"), codec, "bom")

    http_codec = codec_for_label(http_charset) if http_charset else None
    if http_codec is not None:
        return _decode_declared(body, http_codec, "http")
    meta_codec = _meta_codec(body)
    if meta_codec is not None:
        return _decode_declared(body, meta_codec, "meta")
    if body.isascii():
        # Nothing to detect: every ASCII-compatible encoding reads these bytes the same way.
        return DecodedPage(body.decode("ascii"), "utf-8", "default", exact=True)
    detected, _strong = _detect(body)
    return DecodedPage(body.decode(detected, errors="replace"), detected, "detected")


def _decode_declared(body: bytes, declared: str, source: str) -> DecodedPage:
    # A latin-1 declaration on a page with non-ASCII bytes is weak evidence: it is the default of
    # Tomcat and of many HTTP stacks, and windows-1252 decodes almost any bytes without an error.
    weak = declared == "cp1252" and not body.isascii()
    if not weak:
        try:
            return DecodedPage(body.decode(declared), declared, source, exact=True)
        except UnicodeDecodeError:
            pass
    text, errors = _decode_counting(body, declared)
    high = _high_bytes(body)
    many = _many_errors(errors, high)
    if not many and not weak:
        return DecodedPage(text, declared, source)
    tried = {declared}
    if source == "http":
        meta = _meta_codec(body)
        if meta is not None and meta not in tried:
            tried.add(meta)
            alt_text, alt_errors = _decode_counting(body, meta)
            if _clean(alt_errors, high):
                return DecodedPage(alt_text, meta, "meta-over-http")
    detected, strong = _detect(body)
    if detected not in tried and (strong or many):
        alt_text, alt_errors = _decode_counting(body, detected)
        if _clean(alt_errors, high):
            return DecodedPage(alt_text, detected, f"detected-over-{source}")
    # Nothing fits better: keep what was declared, as a browser would.
    return DecodedPage(text, declared, source)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text_file(body: bytes, charset: str | None, declared: str | None = None) -> str:
    """A style sheet's or a script's text: its BOM, the charset it declares (a style sheet's
    ``@charset``), the HTTP charset, else UTF-8, else GB18030 (Chinese in GBK files)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace")
    for label in filter(None, (declared, charset)):
        named = codec_for_label(label)
        if named is not None:
            return body.decode(named, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", "replace")
