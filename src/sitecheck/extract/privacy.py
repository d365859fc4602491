"""Personal data in a text: 居民身份证号, 手机号, 银行卡号 (issue 15, part 1).

Pure functions of a string (a page's body text, a table cell, an attachment's text). One regex
finds every run of digits that could be a number of interest; each run is then validated and
its surroundings read:

- 身份证号 (18): the ISO 7064 MOD 11-2 check digit (``stdnum.cn.ric``), a birth date that is a
  real day, not after the day of the check and less than 120 years back, and a region code of
  stdnum's table (``cn/loc.dat``) in use at some time between the later of the birth year and
  1984 (the first numbers) and the day of the check. ``ric.validate`` itself is not used: it
  wants the code in use in the birth year, which rejects everyone born before their district
  was coded (330106 西湖区 from 1983), and it raises KeyError for an unknown county of a known
  province. 15-digit numbers (issued 1984-1999, no check digit, not accepted by stdnum): read
  as the 18-digit number they became (19 inserted before the year), so region and date.
- 手机号: ``1[3-9]`` and 9 digits. 银行卡号: 16-19 digits (or groups of 4) passing the Luhn
  check with a card word (银行卡, 卡号, 账号, 开户行 …) within 20 characters.
- Not hits: masked numbers (``3301**********1234``, ``138****1234``), digit runs that are part
  of a longer run of digits and letters (统一社会信用代码, 索引号 ``…/2021-00012``), numbers right
  after a document-number word (索引号, 文号, 编号, 订单号, 流水号 …), numbers inside a URL or a file
  name, and an 18-digit number that is also a valid 统一社会信用代码 with a valid region.
- Kept, at a lower level: mobiles in an office-contact line (联系电话/办公电话/传真 … next to an
  office name: inspectors still flag officials' mobiles, B6 永安 2022Q4), 15-digit IDs (no check
  digit), account numbers outside the card number ranges or next to a unit's account words.

A record never holds the number: only its masked form (first 4 and last 4 digits at most, 3 and 4
for a mobile), its offset and a context snippet in which every long digit run is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric, uscc

__all__ = [
    "KIND_LABELS",
    "LeakLevel",
    "PersonalHit",
    "PersonalKind",
    "RosterLeak",
    "find_personal_data",
    "find_roster_leaks",
    "mask_digits",
    "mask_number",
    "region_in_use",
    "snippet",
    "uscc_like",
]


class PersonalKind(StrEnum):
    ID_CARD = "id_card"  # 居民身份证号
    MOBILE = "mobile"  # 手机号
    BANK_CARD = "bank_card"  # 银行卡号


class LeakLevel(StrEnum):
    """How sure the hit is a private person's number (a severity hint for the judge)."""

    HIGH = "high"  # a checked number with nothing to say it is not a person's
    MEDIUM = "medium"  # 15-digit ID (no check digit); a mobile after 联系电话 with no office named
    LOW = "low"  # an office's contact mobile; an account number that looks like a unit's


KIND_LABELS = {
    PersonalKind.ID_CARD: "身份证号",
    PersonalKind.MOBILE: "手机号",
    PersonalKind.BANK_CARD: "银行卡号",
}


@dataclass(frozen=True, slots=True)
class PersonalHit:
    """One number of personal data found in a text. Holds no raw number."""

    kind: PersonalKind
    masked: str  # "3301**********1234", "138****5678", "6222***********1234"
    offset: int  # character offset of the number in the text searched
    length: int  # its length there, separators included
    context: str  # up to 20 characters either side, whitespace collapsed, numbers masked
    level: LeakLevel
    reasons: tuple[str, ...]  # why it is reported, and at that level, in short Chinese phrases


@dataclass(frozen=True, slots=True)
class RosterLeak:
    """A 名单 published with personal data: a table column of hits beside a 姓名 column."""

    kind: PersonalKind  # the kind most hits in the column are
    column: int  # index of the column holding the numbers
    header: str  # its header text
    name_column: int  # index of the nearest 姓名 column
    header_row: int  # index of the header row in the rows given
    hits: int  # data rows whose cell in the column holds a hit
    level: LeakLevel
    examples: tuple[str, ...]  # up to 3 masked values


# -- the scan -------------------------------------------------------------------------------------

_SEP = r"[ \u00a0-]"
_MASKS = "*＊×✱"
# Every candidate, by shape: card numbers in groups of 4, mobiles as 3-4-4, or a plain run of
# 11-19 digits (an ID may end in X). A run touching another digit, a letter or a mask character
# is part of something longer (a code, a masked number) and is not a candidate. The pattern
# starts with the first digit so that the regex engine skips text without digits at C speed
# (10x faster on Chinese prose than a leading lookbehind); each group holds the rest.
_CANDIDATE = re.compile(
    rf"[0-9](?<![0-9A-Za-z{_MASKS}][0-9])"
    r"(?:"
    rf"(?P<card>[0-9]{{3}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?)"
    rf"|(?<=1)(?P<phone>[3-9][0-9]{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}})"
    r"|(?P<run>[0-9]{10,18}[Xx]?)"
    r")"
    rf"(?![0-9A-Za-z{_MASKS}])"
)
_FULLWIDTH = re.compile("[０-９Ｘｘ]")
_TO_ASCII = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_SEPARATORS = re.compile(_SEP)
_SPACES = re.compile(r"\s+")
_LONG_RUN = re.compile(r"[0-9]{11,}[Xx]?")
_RUN_CHARS = frozenset("0123456789Xx０１２３４５６７８９Ｘｘ")

# A document-number word right before the number (separators and 为/是 between at most).
# 身份证编号 / 证件编号 / 卡编号 name a person's number, so 编号 after 证/件/卡 does not count.
_DOC_BEFORE = re.compile(
    r"(?:索引号|(?<![证件卡])编号|文号|字号|订单号|流水号|单号|案号|批号|备案号|登记号|注册号|合同号"
    r"|发票号码?|信用代码|机构代码|序列号|条形码|邮编)[\s:：#№（(为是]{0,3}$"
)
_CARD_WORDS = re.compile(
    r"银行卡|卡号|账号|帐号|账户|帐户|开户行|开户银行|开户网点|借记卡|信用卡|储蓄卡|社保卡|工资卡|存折"
)
# A unit's account (a fee notice's 收款账户), not a person's card.
_UNIT_ACCOUNT = re.compile(
    r"对公|单位账户|单位帐户|基本户|基本账户|专户|财政|国库|收款单位|收款人[:：]?\s*[^\s0-9]{0,16}?(?:局|委|办|中心|公司)"
    r"|户名[:：]?\s*[^\s0-9]{0,20}?(?:局|委员会|办公室|中心|公司|政府|学校|医院|协会|院|所|站|队|银行)"
)
# Mobiles published as an office's contact: labels that are an office's by nature, and labels
# that are when an office is named nearby.
_OFFICE_LABEL = re.compile(
    r"办公电话|值班电话|咨询电话|监督电话|举报电话|投诉电话|服务电话|受理电话|报名电话|服务热线|热线|传真"
)
_CONTACT_LABEL = re.compile(r"联系电话|联系方式|联系人|联系号码|电话")
_NAMED_CONTACT = frozenset({"联系电话", "联系方式", "联系人", "联系号码"})
_OFFICE_NAME = re.compile(
    r"局|委员会|办公室|政府|中心|街道|社区|居委会|村委会|派出所|大队|中队|服务站|管理处|管理所|卫生院|医院|学校"
    r"|公司|科室|窗口|工作组|指挥部|单位|机构"
)
# Other numbers (landlines, extensions) and separators right before a mobile, back to its label.
_NUMBERS_BEFORE = re.compile(r"(?:[0-9][0-9()（）\-－—]*[0-9)）]?[\s,，、;；/或和及]{1,3})+$")
# An office named in brackets right after a number.
_OFFICE_AFTER = re.compile(r"\s*[（(]([^（）()\n]{2,24})[)）]")
# Between two numbers of one list: separators only.
_LIST_GAP = re.compile(r"[\s,，、;；/|或和及]{1,6}")
_URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:/?#@!$&+=%-\\")
_FILE_EXT = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}(?![A-Za-z0-9])")
_CONTEXT = 20  # characters of context either side
_LABEL_BEFORE = 14  # how far back a contact label may stand (characters other than whitespace)
_OFFICE_BEFORE = 40  # how far back the office it belongs to may be named (the same)
_MAX_AGE = 120
_FIRST_NUMBERS = 1984  # the first 居民身份证 numbers were assigned in 1984
# ISO/IEC 7812 major industry identifiers of bank cards: 3 (JCB, Amex), 4-5 (Visa,
# Mastercard), 6 (UnionPay 62), 9 (older Chinese debit cards, 95xxx / 9558…).
_CARD_MII = frozenset("34569")


def find_personal_data(text: str, *, today: date | None = None) -> list[PersonalHit]:
    """Every 身份证号, 手机号 and 银行卡号 in ``text``, in order; ``today`` is the day of the check
    (a birth date after it is not a birth date)."""
    day = today or date.today()
    if _FULLWIDTH.search(text):
        text = text.translate(_TO_ASCII)  # one character for one: offsets stay those of the text
    hits: list[PersonalHit] = []
    for match in _CANDIDATE.finditer(text):
        start, end = match.span()
        found = _judge(text, start, end, match.lastgroup or "", day)
        if found is None:
            continue
        kind, level, reasons = found
        previous = hits[-1] if hits else None
        if (
            kind is PersonalKind.MOBILE
            and previous is not None
            and previous.kind is PersonalKind.MOBILE
            and _LIST_GAP.fullmatch(text, previous.offset + previous.length, start)
        ):
            level, reasons = previous.level, previous.reasons  # "联系电话：138…、139…": one label
        hits.append(
            PersonalHit(
                kind=kind,
                masked=mask_number(_SEPARATORS.sub("", match.group()), kind),
                offset=start,
                length=end - start,
                context=snippet(text, start, end),
                level=level,
                reasons=reasons,
            )
        )
    return hits


_Judged = tuple[PersonalKind, LeakLevel, tuple[str, ...]]
_ID18 = ("18位身份证号", "校验位正确", "地区码有效", "出生日期合理")
_ID15 = ("15位旧身份证号（无校验位）", "地区码有效", "出生日期合理")


def _judge(text: str, start: int, end: int, shape: str, day: date) -> _Judged | None:
    digits = _SEPARATORS.sub("", text[start:end]).upper()
    found: _Judged | None = None
    if shape == "phone" or (len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"):
        found = (PersonalKind.MOBILE, LeakLevel.HIGH, ())
    elif shape == "run" and len(digits) == 18 and _is_id18(digits, day):
        found = (PersonalKind.ID_CARD, LeakLevel.HIGH, _ID18)
    elif shape == "run" and len(digits) == 15 and _is_id15(digits, day):
        found = (PersonalKind.ID_CARD, LeakLevel.MEDIUM, _ID15)
    if found is None and 16 <= len(digits) <= 19 and digits.isdigit():
        found = _bank_card(text, start, end, digits)
    if found is None or _not_personal(text, start, end):
        return None
    if found[0] is PersonalKind.MOBILE:
        level, reason = _mobile_level(text, start, end)
        return PersonalKind.MOBILE, level, ("11位手机号段", *reason)
    return found


def _is_id18(number: str, day: date) -> bool:
    """Cheap tests first (check digit, birth date: all but 1 in 11 random runs fail them), then
    the region and the 统一社会信用代码 look-alike."""
    if not number[:17].isdigit() or ric.calc_check_digit(number) != number[17]:
        return False
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if birth > day or day.year - birth.year >= _MAX_AGE:
        return False
    # The region is where the person was registered when the number was assigned: at birth for
    # those born since, in 1984 or later for the others. (ric.validate wants the code to exist in
    # the birth year, and so rejects 330106 西湖区, coded from 1983, for everyone born before.)
    return region_in_use(number[:6], max(birth.year, _FIRST_NUMBERS), day.year) and not uscc_like(number)


def _is_id15(number: str, day: date) -> bool:
    """A 15-digit number (6 region, YYMMDD, 3 sequence), read as the 18-digit number it became in
    1999 (19 inserted before the year, a check digit added)."""
    body = number[:6] + "19" + number[6:]
    return _is_id18(body + ric.calc_check_digit(body + "0"), day)


def region_in_use(code: str, first_year: int, last_year: int) -> bool:
    """``code`` names a county, city or province of stdnum's table (``cn/loc.dat``, GB/T 2260
    with each code's years of use) at some time from ``first_year`` to ``last_year``."""
    return any(start <= last_year and first_year <= end for start, end in _region_years(code))


@lru_cache(maxsize=8192)
def _region_years(code: str) -> tuple[tuple[int, int], ...]:
    """The years of use of the six-digit ``code``; () when the table does not know it."""
    # stdnum's table (the one stdnum.cn.ric reads) is loaded on the first number that needs it:
    # 5 MiB in every process that reads pages, where most portals never show such a number.
    regions = numdb.get("cn/loc")
    props = {key: value for _part, found in regions.info(code) for key, value in found.items()}
    years: list[tuple[int, int]] = []
    for county in props.get("county", "").split(","):
        if county.startswith("[") and "]" in county:
            first, _, last = county[1 : county.index("]")].partition("-")
            years.append((int(first or 0), int(last or 9999)))
        elif county:
            years.append((0, 9999))
    return tuple(years)


def uscc_like(number: str) -> bool:
    """An 18-character 统一社会信用代码: its check character and, in characters 3-8, a region in
    use since the codes were introduced (2015). A real ID number's digits pass the check 1 time
    in 31; with a region there too it takes one of a few prefixes (211101 and 1990 read as 110119)."""
    return uscc.is_valid(number) and region_in_use(number[2:8], 2015, 9999)


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = ord(char) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _bank_card(text: str, start: int, end: int, digits: str) -> _Judged | None:
    around = text[max(0, start - _CONTEXT) : start] + " " + text[end : end + _CONTEXT]
    word = _CARD_WORDS.search(around)
    if word is None or not _luhn(digits):
        return None
    reasons = [f"{len(digits)}位卡号通过Luhn校验", f"附近有“{word.group()}”"]
    level = LeakLevel.HIGH
    unit = _UNIT_ACCOUNT.search(text[max(0, start - _OFFICE_BEFORE) : start])
    if unit is not None:
        level = LeakLevel.LOW
        reasons.append(f"疑似单位账户（“{unit.group()}”）")
    elif digits[0] not in _CARD_MII:
        level = LeakLevel.LOW
        reasons.append("不在银行卡号段（可能是单位账号）")
    return PersonalKind.BANK_CARD, level, tuple(reasons)


def _not_personal(text: str, start: int, end: int) -> bool:
    """Part of a longer number, a document number, or inside a URL or a file name."""
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    if len(before) == 2 and before[1] in ".-" and before[0].isdigit() and not _country_code(text, start):
        return True  # 2021-330106…, 1.330106…: a piece of a longer code or number
    if len(after) == 2 and after[0] in ".-" and after[1].isdigit():
        return True
    if _DOC_BEFORE.search(text, max(0, start - 16), start):
        return True
    left = start
    while left > 0 and text[left - 1] in _URL_CHARS and start - left < 300:
        left -= 1
    right = end
    while right < len(text) and text[right] in _URL_CHARS and right - end < 300:
        right += 1
    if left == start and right == end:
        return False
    token = text[left:right]
    if "@" in token and "/" not in token:
        return False  # an e-mail address holding the number: still the number (kept)
    return bool(
        "://" in token
        or "www." in token.lower()
        or any(c in token for c in "?=&%_\\")
        or token.startswith("/")
        or _FILE_EXT.match(text, end)
        or ("/" in token and _FILE_EXT.search(token))
    )


def _country_code(text: str, start: int) -> bool:
    return text[max(0, start - 4) : start] in {"+86-", "0086-"} or text[max(0, start - 3) : start] == "86-"


def _mobile_level(text: str, start: int, end: int) -> tuple[LeakLevel, tuple[str, ...]]:
    if text[end : end + 1] == "@":
        return LeakLevel.LOW, ("邮箱地址中的手机号",)
    # "联系电话：0571-87051234、139…": the label stands before the list of numbers, not before
    # this one; the numbers in between are skipped.
    label_end = start
    previous = _NUMBERS_BEFORE.search(text, max(0, start - 80), start)
    if previous is not None:
        label_end = previous.start()
    before = _compact_before(text, label_end, _LABEL_BEFORE)
    label = _last(_OFFICE_LABEL, before)
    if label:
        return LeakLevel.LOW, (f"单位联系电话语境（“{label}”）",)
    label = _last(_CONTACT_LABEL, before)
    if not label:
        return LeakLevel.HIGH, ()
    # The office named before, or right after in brackets: "139…（市发展改革委办公室）".
    office = _last(_OFFICE_NAME, _compact_before(text, label_end, _OFFICE_BEFORE))
    if not office:
        after = _OFFICE_AFTER.match(text, end)
        office = _last(_OFFICE_NAME, after.group(1)) if after else ""
    if office:
        return LeakLevel.LOW, (f"单位联系电话语境（“{label}”，“{office}”）",)
    if label in _NAMED_CONTACT:
        return LeakLevel.MEDIUM, (f"联系电话语境（“{label}”），未见单位名称",)
    return LeakLevel.HIGH, ()


def _compact_before(text: str, start: int, size: int) -> str:
    """The last ``size`` characters other than whitespace before ``start``."""
    return _SPACES.sub("", text[max(0, start - 4 * size) : start])[-size:]


def _last(pattern: re.Pattern[str], text: str) -> str:
    found = ""
    for match in pattern.finditer(text):
        found = match.group()
    return found


# -- masking --------------------------------------------------------------------------------------


def mask_number(digits: str, kind: PersonalKind) -> str:
    """The masked form shown anywhere: 3 and 4 digits of a mobile, 4 and 4 of the others."""
    keep = 3 if kind is PersonalKind.MOBILE else 4
    return _mask(digits, keep)


def _mask(run: str, keep: int) -> str:
    """``run`` with all but its first ``keep`` and last 4 digits masked (separators kept)."""
    count = sum(c.isdigit() or c in "Xxｘ" for c in run)
    shown = 0
    out = []
    for char in run:
        if char.isdigit() or char in "Xxｘ":
            out.append(char if shown < keep or shown >= count - 4 else "*")
            shown += 1
        else:
            out.append(char)
    return "".join(out)


def mask_digits(text: str) -> str:
    """``text`` with every number that could be personal masked: each candidate of the scan
    (mobiles 3 and 4 digits kept, others 4 and 4) and any other run of 11 or more digits. For
    any snippet of crawled text shown in a report or a log."""
    if _FULLWIDTH.search(text):
        text = text.translate(_TO_ASCII)
    parts: list[str] = []
    at = 0
    for match in _CANDIDATE.finditer(text):
        parts.append(text[at : match.start()])
        run = match.group()
        parts.append(_mask(run, 3 if len(_SEPARATORS.sub("", run)) == 11 else 4))
        at = match.end()
    parts.append(text[at:])
    return _LONG_RUN.sub(lambda m: _mask(m.group(), 4), "".join(parts))


def snippet(text: str, start: int, end: int, radius: int = _CONTEXT) -> str:
    """Up to ``radius`` characters either side of ``text[start:end]``, whitespace collapsed,
    numbers masked (``mask_digits``). The window is widened so that no digit run is cut: a cut
    run would escape the masking and could show more than 8 digits."""
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    while left > 0 and text[left - 1] in _RUN_CHARS:
        left -= 1
    while right < len(text) and text[right] in _RUN_CHARS:
        right += 1
    return _SPACES.sub(" ", mask_digits(text[left:right])).strip()


# -- 名单 ------------------------------------------------------------------------------------------

_NAME_HEADER = re.compile(r"^(?:.{0,4}姓名|户主|申请人|户主名|名字)$")
_STAFF_HEADER = re.compile(r"职务|职位|职称|岗位|单位|部门|工作单位")
_NEAR = 3  # columns between the numbers and the 姓名 column at most (姓名 | 性别 | 身份证号)
_HEADER_ROWS = 5  # the header row is among the first rows (a title row may come first)


def find_roster_leaks(
    rows: Sequence[Sequence[str]], *, today: date | None = None, min_hits: int = 2
) -> list[RosterLeak]:
    """名单 leaks in one table: a column with at least ``min_hits`` rows of personal data under a
    header row that has a 姓名 column at most 3 columns away. Mobiles in a table that also names
    each person's 职务/单位 are a staff directory: reported at LOW."""
    day = today or date.today()
    for index, row in enumerate(rows[:_HEADER_ROWS]):
        headers = [_SPACES.sub("", cell) for cell in row]
        names = [i for i, cell in enumerate(headers) if _NAME_HEADER.match(cell)]
        if names:
            return _roster(rows, index, headers, names, day, min_hits)
    return []


def _roster(
    rows: Sequence[Sequence[str]],
    header_row: int,
    headers: list[str],
    names: list[int],
    day: date,
    min_hits: int,
) -> list[RosterLeak]:
    staff = any(_STAFF_HEADER.search(cell) for cell in headers)
    per_column: dict[int, list[PersonalHit]] = {}
    for row in rows[header_row + 1 :]:
        for column, cell in enumerate(row):
            found = find_personal_data(cell, today=day)
            if found:
                per_column.setdefault(column, []).append(found[0])
    leaks: list[RosterLeak] = []
    for column, hits in sorted(per_column.items()):
        near = [n for n in names if n != column and abs(n - column) <= _NEAR]
        if len(hits) < min_hits or not near:
            continue
        kinds = [h.kind for h in hits]
        kind = max(set(kinds), key=kinds.count)
        level = LeakLevel.LOW if kind is PersonalKind.MOBILE and staff else LeakLevel.HIGH
        leaks.append(
            RosterLeak(
                kind=kind,
                column=column,
                header=headers[column] if column < len(headers) else "",
                name_column=min(near, key=lambda n: abs(n - column)),
                header_row=header_row,
                hits=len(hits),
                level=level,
                examples=tuple(h.masked for h in hits[:3]),
            )
        )
    return leaks
