"""Publication dates in list rows and URLs.

Everything here is pure and cheap: it runs on every row of every crawled list page. Year-less
forms (``12-31``, ``[01-05]``) get their year from ``today`` so that results never depend on the
wall clock, which keeps runs reproducible and tests exact.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from urllib.parse import urlsplit

__all__ = [
    "DATE_FIRST",
    "DATE_LAST",
    "UrlDate",
    "effective_date",
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
# What a date scan_dates finds can begin and end with, other than the brackets and spaces that
# may also stand around a list row's date (cell_date strips those first): a long text whose
# ends show neither has no date at its start or its end, and cell_date skips the scan.
DATE_FIRST = frozenset("0123456789０１２３４５６７８９" + _CN_DIGITS + "〔［（")
DATE_LAST = frozenset("0123456789０１２３４５６７８９日〕］）")
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
    # The characters a date already claimed, one byte each: a new match is free when none of
    # its characters is (asking every claimed span instead was quadratic: a 400,000-character
    # text with 20,000 dates took 8 s).
    taken = bytearray(len(text))
    found: list[tuple[int, int, date]] = []

    def add(match: re.Match[str], value: date | None) -> None:
        # The span is claimed even when the value is impossible (2017-02-30), so its pieces
        # cannot be re-read as a year-less 02-30 or 2-30.
        start, end = match.span()
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            if value is not None:
                found.append((start, end, value))

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
