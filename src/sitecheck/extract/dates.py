"""Publication dates in list rows, article pages and URLs.

Everything here is pure and cheap: it runs on every row of every crawled list page. Year-less
forms (``12-31``, ``[01-05]``) get their year from ``today`` so that results never depend on the
wall clock, which keeps runs reproducible and tests exact.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "UrlDate",
    "article_pubdate",
    "date_from_url",
    "find_dates",
    "iter_texts",
    "parse_date",
    "scan_dates",
    "url_date",
]

# Government records start after 1949; anything earlier is an ID or a phone fragment.
MIN_YEAR = 1949
# Plans and validity periods legitimately name future dates, but not decades ahead.
FUTURE_YEARS = 10

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９－／．：［］（）　",
    "0123456789-/.:[]() ",
)

# A year-first numeric date. The look-behind rejects version strings (v2019.1.2, 1.2019.1.1)
# and identifiers glued to letters or digits; the look-ahead rejects a fourth numeric part
# (2019.1.2.3) and longer digit runs.
_YMD = re.compile(
    r"(?<![A-Za-z0-9_.])"
    r"(?P<y>(?:19|20)\d{2})\s?(?P<s>[-/.])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<d>\d{1,2})"
    r"(?![0-9]|[./]\d)"
)
# 2017年12月31日, 2017 年 1 月 5 日; 日 may be missing when a time follows ("2017年12月31 10:20").
_CJK_YMD = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)\d{2})\s?年\s?(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})(?:\s?日|(?![0-9]))"
)
_CN_DIGITS = "〇○零一二三四五六七八九"
# 二〇一九年十二月三十一日 (the formal style of 成文日期).
_CN_YMD = re.compile(
    rf"(?P<y>[{_CN_DIGITS}]{{4}})年(?P<m>[{_CN_DIGITS}十]{{1,2}})月(?P<d>[{_CN_DIGITS}十]{{1,3}})日"
)
# 12月31日 without a year.
_CJK_MD = re.compile(r"(?<![0-9年])(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?日")
# Year-less numeric dates inside brackets: [12-31], [1-5], (01/05), 【12-31】. With a slash both
# parts must be two digits: "(1/5)" is more often a gallery counter than January 5th.
_BRACKET_MD = re.compile(
    r"[\[(【〔]\s?(?:(?P<m>\d{1,2})\s?-\s?(?P<d>\d{1,2})|(?P<m2>\d{2})/(?P<d2>\d{2}))\s?[\])】〕]"
)
# Year-less, unbracketed: only zero-padded pairs standing alone as a token. Loose forms like
# "3-5" (ranges), "1/2" (fractions) and "1/35" (pagers) are far more common than dates.
_BARE_MD = re.compile(r"(?<![\w./:-])(?P<m>0[1-9]|1[0-2])(?P<s>[-/])(?P<d>[0-2]\d|3[01])(?![\w./:-])")
# Publication labels; the date after the first such label wins in parse_date.
_LABEL = re.compile(r"(?:发布|发文|印发|公开|成文|更新|信息)?(?:时间|日期)\s*[:：]")
_PUB_LABEL = re.compile(r"(?:发布|发文|公开)(?:时间|日期)\s*[:：]")


def _cn_number(text: str) -> int:
    """二〇一九 -> 2019 (digit by digit), 三十一 -> 31, 十二 -> 12."""
    values = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    values["○"] = 0
    values["零"] = 0
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = values.get(head, 1) if head else 1
        units = values.get(tail, 0) if tail else 0
        return tens * 10 + units
    number = 0
    for char in text:
        number = number * 10 + values[char]
    return number


def _make(year: int, month: int, day: int, today: date) -> date | None:
    if not MIN_YEAR <= year <= today.year + FUTURE_YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, today: date) -> date | None:
    """The latest date with this month and day that is not after ``today``."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    # Feb 29 only exists in leap years, so walk back until the date is real.
    for year in range(today.year, today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            if day > 29 or month != 2:
                return None
            continue
        if candidate <= today:
            return candidate
    return None


def scan_dates(text: str, *, today: date) -> list[tuple[int, int, date]]:
    """All dates in ``text`` as ``(start, end, date)``, non-overlapping, in text order.

    Offsets index ``text`` itself (full-width normalisation keeps lengths unchanged).
    """
    # List pages repeat the same short date cells row after row, page after page.
    if len(text) <= _CACHE_TEXT:
        return list(_scan_cached(text, today))
    return _scan(text, today)


_CACHE_TEXT = 64


@functools.lru_cache(maxsize=8192)
def _scan_cached(text: str, today: date) -> tuple[tuple[int, int, date], ...]:
    return tuple(_scan(text, today))


def _scan(text: str, today: date) -> list[tuple[int, int, date]]:
    text = text.translate(_FULLWIDTH)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, date]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(match: re.Match[str], value: date | None) -> None:
        # The span is claimed even when the value is impossible (2017-02-30), so its pieces
        # cannot be re-read as a year-less 02-30 or 2-30.
        if free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            if value is not None:
                found.append((match.start(), match.end(), value))

    for m in _YMD.finditer(text):
        add(m, _make(int(m["y"]), int(m["m"]), int(m["d"]), today))
    for m in _CJK_YMD.finditer(text):
        add(m, _make(int(m["y"]), int(m["m"]), int(m["d"]), today))
    if "年" in text:
        for m in _CN_YMD.finditer(text):
            add(m, _make(_cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"]), today))
    for m in _CJK_MD.finditer(text):
        add(m, _infer_year(int(m["m"]), int(m["d"]), today))
    for m in _BRACKET_MD.finditer(text):
        add(m, _infer_year(int(m["m"] or m["m2"]), int(m["d"] or m["d2"]), today))
    for m in _BARE_MD.finditer(text):
        add(m, _infer_year(int(m["m"]), int(m["d"]), today))
    found.sort(key=lambda item: item[0])
    return found


def find_dates(text: str, *, today: date) -> list[date]:
    """Every date written in ``text``, in order of appearance.

    Year-less dates get the latest year that does not put them after ``today``.
    """
    if not text:
        return []
    return [value for _, _, value in scan_dates(text, today=today)]


def parse_date(text: str, *, today: date) -> date | None:
    """The date ``text`` states: the one after a 发布时间-style label if any, else the first."""
    if not text:
        return None
    found = scan_dates(text, today=today)
    if not found:
        return None
    normalised = text.translate(_FULLWIDTH)
    for pattern in (_PUB_LABEL, _LABEL):
        for label in pattern.finditer(normalised):
            for start, _, value in found:
                # A date directly after the label, allowing whitespace and brackets between.
                if start >= label.end() and not normalised[label.end() : start].strip(" \t\r\n\xa0[(【"):
                    return value
    return found[0][2]


# ---------------------------------------------------------------------------------------------
# Dates carried by URLs


@dataclass(frozen=True, slots=True)
class UrlDate:
    """A date read from a URL path; month-precision dates are set to the first of the month."""

    value: date
    precision: Literal["day", "month"]


# TRS documents: t20190918_693227.shtml; also W020190918... attachment names are not dates.
_URL_TRS = re.compile(r"(?:^|/)t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")
# Hanweb /art/2016/11/22/art_..., generic /2016/11/22/ and gov.cn /2018-12/12/.
_URL_Y_M_D = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})/(\d{1,2})/")
# /2019/0918/
_URL_Y_MD = re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/")
_URL_YMD_SEG = re.compile(r"/((?:19|20)\d{2})-?(\d{2})-?(\d{2})(?:/|$)")
_URL_YEAR = re.compile(r"(?:19|20)\d{2}")
_URL_YM_SEG = re.compile(r"/((?:19|20)\d{2})[-/]?(\d{2})(?:/|$)")


def url_date(url: str, *, today: date | None = None) -> UrlDate | None:
    """The publication date encoded in a URL path, with its precision."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if not path or _URL_YEAR.search(path) is None:
        return None
    latest = today.year + FUTURE_YEARS if today is not None else 9999

    def ok(year: str, month: str, day: str) -> date | None:
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            return None
        return value if MIN_YEAR <= value.year <= latest else None

    m = _URL_TRS.search(path)
    if m and (value := ok(m[1], m[2], m[3])):
        return UrlDate(value, "day")
    for pattern in (_URL_Y_M_D, _URL_Y_MD):
        m = pattern.search(path)
        if m and (value := ok(m[1], m[2], m[3])):
            return UrlDate(value, "day")
    for m in _URL_YMD_SEG.finditer(path):
        if value := ok(m[1], m[2], m[3]):
            return UrlDate(value, "day")
    for m in _URL_YM_SEG.finditer(path):
        if value := ok(m[1], m[2], "1"):
            return UrlDate(value, "month")
    return None


def effective_date(value: date | None, source: str, url: str | None, observed_on: date) -> date | None:
    """The date an item counts with when judging freshness.

    A month-only URL date (``/202310/``) says the item appeared some day that month: it is
    given the benefit of the doubt (the month's last day, never after the day of observation),
    so a site is not called stale for the imprecision of its URLs.
    """
    if value is None or source != "url" or url is None:
        return value
    found = url_date(url)
    if found is None or found.precision != "month":
        return value
    following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
    return min(following - timedelta(days=1), observed_on)


def date_from_url(url: str) -> date | None:
    """The date in a URL (``t20190918_``, ``/art/2016/11/22/``, ``/202305/`` -> 2023-05-01)."""
    found = url_date(url)
    return found.value if found else None


# ---------------------------------------------------------------------------------------------
# Article pages

# Page (re)generation stamps say when the CMS last rebuilt the file, not when the content was
# published (gov.cn regenerated its 2007 公报 in 2023), so they are never read here.
_META_PUBDATE = ("pubdate", "publishdate", "publish_date", "article:published_time")
_META_FIRST = ("firstpublishedtime",)
_PUBTIME_HOOK = re.compile(r"pub_?time|pub_?date|publish|fbsj|fbrq|release_?time", re.IGNORECASE)
_PUBTIME_CSS = ", ".join(
    f"[{attr}*={word} i]" for attr in ("id", "class") for word in ("pub", "fbsj", "fbrq", "release")
)
_TEXT_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option"})
# Text that may precede a label on a metadata line: whitespace, brackets, bullets, separators.
_LINE_START = re.compile(r"[\s\[\]【】()|/·•:：-]+")
_GENERATED = re.compile(r"(?:生成|修改|更新|留言|回复|打印)(?:时间|日期)\s*[:：]?\s*$")


def _meta(tree: LexborHTMLParser, names: tuple[str, ...]) -> list[str]:
    values: list[str] = []
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip().lower()
        if key in names:
            content = (attrs.get("content") or "").strip()
            if content:
                values.append(content)
    return values


def iter_texts(root: LexborNode) -> Iterator[tuple[LexborNode, str]]:
    """Text nodes under ``root`` in reading order with their text, skipping script/style/head.

    An explicit stack instead of ``traverse`` so that whole skipped subtrees are never entered.
    """
    stack: list[LexborNode] = list(root.iter(include_text=True))
    stack.reverse()
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == "-text":
            value = node.text_content
            if value and not value.isspace():
                yield node, value
        elif tag and tag[0] != "-" and tag not in _TEXT_SKIP:
            children = list(node.iter(include_text=True))
            children.reverse()
            stack.extend(children)


def _labelled_body_date(texts: list[str], today: date, pattern: re.Pattern[str]) -> date | None:
    """The date right after a label such as 发布时间：, looking into the next text node when the
    label and the value sit in separate elements (``发布时间：<span>2021-10-11</span>``).

    The label must start a metadata line (at most a few characters before it): inside a
    sentence ("本项目招标公告日期：…") it dates something else.
    """
    for index, text in enumerate(texts):
        normalised = text.translate(_FULLWIDTH)
        for label in pattern.finditer(normalised):
            head = normalised[: label.start()]
            if _GENERATED.search(normalised[: label.end()]) or len(_LINE_START.sub("", head)) > 4:
                continue
            window = normalised[label.end() : label.end() + 40]
            if not window.strip() and index + 1 < len(texts):
                window = texts[index + 1][:40]
            value = _leading_date(window, today)
            if value is not None:
                return value
    return None


def _leading_date(window: str, today: date) -> date | None:
    found = scan_dates(window, today=today)
    if not found:
        return None
    start, _, value = found[0]
    if window.translate(_FULLWIDTH)[:start].strip(" \t\r\n\xa0[(【"):
        return None
    return value


def article_pubdate(tree: LexborHTMLParser, *, today: date | None = None) -> date | None:
    """Publication date of an article page.

    Order: ``<meta name="PubDate">`` (any case), ``firstpublishedtime``, a 发布时间/发布日期
    line in the body, an element whose id/class names the publish time (``#pubTime``), the date
    line right under the article title (ArticleTitle or the first h1/h2), then any 时间：/日期：
    metadata line. ``Maketime``, ``页面生成时间``, ``lastmodifiedtime`` and ``others`` are
    page-generation stamps and are ignored. ``today`` only matters for year-less dates.
    """
    ref = today or date.today()
    for names in (_META_PUBDATE, _META_FIRST):
        for content in _meta(tree, names):
            value = parse_date(content, today=ref)
            if value is not None:
                return value
    body = tree.body
    if body is None:
        return None
    texts = [text for _, text in iter_texts(body)]
    value = _labelled_body_date(texts, ref, _PUB_LABEL)
    if value is not None:
        return value
    for node in body.css(_PUBTIME_CSS):
        attrs = node.attributes
        hook = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
        if _PUBTIME_HOOK.search(hook):
            value = parse_date(node.text(separator=" "), today=ref)
            if value is not None:
                return value
    return _date_after_title(tree, texts, ref) or _labelled_body_date(texts, ref, _LABEL)


def _date_after_title(tree: LexborHTMLParser, texts: list[str], today: date) -> date | None:
    titles = [t.strip() for t in _meta(tree, ("articletitle",))]
    heading = tree.css_first("h1") or tree.css_first("h2")
    if heading is not None:
        titles.append(heading.text(strip=True))
    titles = [t for t in titles if len(t) >= 4]
    for index, text in enumerate(texts):
        stripped = text.strip()
        # The title's own text node (possibly truncated with "…"), not a short word it contains.
        if any(t in stripped or (len(stripped) >= 8 and stripped.rstrip(".…") in t) for t in titles):
            # Only the few text nodes under the title: further down the body quotes other dates.
            for following in texts[index + 1 : index + 6]:
                value = _leading_date(following.strip(), today) or _short_line_date(following, today)
                if value is not None:
                    return value
            break
    return None


def _short_line_date(text: str, today: date) -> date | None:
    """A date from a short metadata line ("2021年06月10日 17:35 来源：…"), never from prose."""
    stripped = text.strip()
    if len(stripped) > 60:
        return None
    return parse_date(stripped, today=today)
