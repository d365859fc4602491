"""错敏词 and 严重表述错误: known wrong terms and leaders' names and titles in a text (issue 15,
part 2).

One set of patterns holds them all: the wrong forms, the longer correct words a wrong form may
sit in (``unless_in``: no hit inside them), and, when a local list of leaders is given, their
names and the titles they may be given. One pass over the text finds them all: the regex
engine's scan for their first characters for a list of up to ``_FEW_PATTERNS`` (the shipped
one), an Aho–Corasick automaton (pyahocorasick) for a longer local list.

Rules come from TOML files (format in ``sitecheck/data/wording/default.toml``):

- ``[[term]]``: ``wrong``, ``right``, ``category`` (typo 错别字, wording 表述不规范,
  outdated_name 过时机构名称), ``certain`` (false: the hit is 待核实), ``source``, ``note``,
  ``unless_in`` and, for an institution's old name, ``since`` (pages dated before it are right
  to use it).
- ``[[leader]]``: ``name`` and ``titles``, the office's own list (领导姓名与职务). A known name
  next to a title they do not hold (张三副市长, 副市长张三 when 张三 is 市长), or a title followed
  by a name one character off a known name who holds that title (same length, same surname),
  is a hit, always 待核实.

The shipped list holds only forms that are wrong wherever they appear; every hit shows its
context, with any long number in it masked (``privacy.mask_digits``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick  # type: ignore[import-not-found]  # a C extension without type stubs

from sitecheck.config import parse_toml, read_toml
from sitecheck.errors import ConfigError
from sitecheck.extract.privacy import snippet


class WordingCategory(StrEnum):
    TYPO = "typo"  # 错别字
    WORDING = "wording"  # 表述不规范
    OUTDATED_NAME = "outdated_name"  # 过时机构名称 (after 机构改革)
    LEADER_TITLE = "leader_title"  # 领导职务错误
    LEADER_NAME = "leader_name"  # 领导姓名错误


CATEGORY_LABELS = {
    WordingCategory.TYPO: "错别字",
    WordingCategory.WORDING: "表述不规范",
    WordingCategory.OUTDATED_NAME: "过时机构名称",
    WordingCategory.LEADER_TITLE: "领导职务错误",
    WordingCategory.LEADER_NAME: "领导姓名错误",
}
UNVERIFIED_LABEL = "待核实"  # every hit whose rule is not certain
_RULE_CATEGORIES = {WordingCategory.TYPO, WordingCategory.WORDING, WordingCategory.OUTDATED_NAME}


@dataclass(frozen=True, slots=True)
class WordingRule:
    wrong: str
    right: str
    category: WordingCategory
    certain: bool = False
    source: str = ""
    note: str = ""
    unless_in: tuple[str, ...] = ()  # longer correct words containing ``wrong``: no hit inside them
    since: date | None = None  # outdated names: a page dated before this day may use it


@dataclass(frozen=True, slots=True)
class Leader:
    name: str
    titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WordingRules:
    terms: tuple[WordingRule, ...] = ()
    leaders: tuple[Leader, ...] = ()
    sources: tuple[str, ...] = ()  # the files read, in order

    def merged(self, other: WordingRules) -> WordingRules:
        """These rules and ``other``'s; for the same wrong form or name, ``other``'s entry."""
        terms = {t.wrong: t for t in self.terms} | {t.wrong: t for t in other.terms}
        leaders = {le.name: le for le in self.leaders} | {le.name: le for le in other.leaders}
        return WordingRules(tuple(terms.values()), tuple(leaders.values()), self.sources + other.sources)


@dataclass(frozen=True, slots=True)
class WordingHit:
    text: str  # the wrong text as found
    suggestion: str  # what it should read
    category: WordingCategory
    certain: bool  # False: 待核实
    offset: int  # character offset of ``text`` in the text searched
    context: str  # up to 15 characters either side, whitespace collapsed, numbers masked
    source: str = ""  # the rule's source
    note: str = ""


# Titles recognised next to a leader's name, besides those the local list names.
DEFAULT_TITLES = (
    "书记",
    "副书记",
    "省委书记",
    "市委书记",
    "区委书记",
    "县委书记",
    "党组书记",
    "党委书记",
    "党工委书记",
    "纪委书记",
    "常委",
    "委员",
    "省长",
    "副省长",
    "市长",
    "副市长",
    "常务副市长",
    "代市长",
    "区长",
    "副区长",
    "常务副区长",
    "代区长",
    "县长",
    "副县长",
    "常务副县长",
    "代县长",
    "镇长",
    "副镇长",
    "乡长",
    "副乡长",
    "主任",
    "副主任",
    "常务副主任",
    "主席",
    "副主席",
    "秘书长",
    "副秘书长",
    "部长",
    "副部长",
    "厅长",
    "副厅长",
    "局长",
    "副局长",
    "处长",
    "副处长",
    "科长",
    "副科长",
    "院长",
    "副院长",
    "检察长",
    "副检察长",
    "所长",
    "副所长",
    "站长",
    "副站长",
    "队长",
    "副队长",
    "组长",
    "副组长",
)
_CONTEXT = 15
_HAN = re.compile(r"[\u3400-\u9fff]+")
_SPACE = frozenset(" \u00a0\u3000\t")
_FORMER = ("原", "前", "老", "时任", "曾任")  # before a title: a former post, not a wrong one


# A list of this many patterns at most is found by the regex engine's scan for their first
# characters and a startswith at each place it stops: pyahocorasick walks the text a character
# at a time, 17 ns each, four times the cost on the corpus's real pages (0.26 -> 0.07 ms a page
# with the shipped list). A longer local list (hundreds of leaders' names and titles) keeps the
# automaton, whose cost does not grow with the list.
_FEW_PATTERNS = 200


class _Patterns:
    """Every occurrence of a set of strings in a text, overlapping ones too."""

    def __init__(self, values: dict[str, Any]) -> None:
        values = {key: value for key, value in values.items() if key}
        self._size = len(values)
        self._automaton: Any = None
        self._by_first: dict[str, list[tuple[str, Any]]] = {}
        self._first: re.Pattern[str] | None = None
        if not values:
            return
        if len(values) > _FEW_PATTERNS:
            automaton = ahocorasick.Automaton()
            for key, value in values.items():
                automaton.add_word(key, value)
            automaton.make_automaton()
            self._automaton = automaton
            return
        for key in sorted(values, key=len, reverse=True):
            self._by_first.setdefault(key[0], []).append((key, values[key]))
        self._first = re.compile("[" + "".join(re.escape(char) for char in self._by_first) + "]")

    def __len__(self) -> int:
        return self._size

    def iter(self, text: str) -> list[tuple[int, Any]]:
        """(index of its last character, its value) for every occurrence, as pyahocorasick's
        ``iter`` gives them: by where they end, the longer first."""
        if self._automaton is not None:
            return list(self._automaton.iter(text))
        if self._first is None:
            return []
        found: list[tuple[int, int, Any]] = []
        for match in self._first.finditer(text):
            start = match.start()
            for key, value in self._by_first[match.group()]:
                if text.startswith(key, start):
                    found.append((start + len(key) - 1, -len(key), value))
        found.sort(key=lambda occurrence: occurrence[:2])
        return [(last, value) for last, _longer_first, value in found]


class WordingMatcher:
    """The automaton for one set of rules; ``find`` is cheap to call for every page."""

    def __init__(self, rules: WordingRules) -> None:
        self.rules = rules
        roles: dict[str, list[tuple[str, int]]] = {}
        for index, rule in enumerate(rules.terms):
            roles.setdefault(rule.wrong, []).append(("term", index))
            for word in rule.unless_in:
                roles.setdefault(word, []).append(("guard", index))
        self._titles: tuple[str, ...] = ()
        if rules.leaders:
            titles = dict.fromkeys((*DEFAULT_TITLES, *(t for le in rules.leaders for t in le.titles)))
            self._titles = tuple(titles)
            for index, leader in enumerate(rules.leaders):
                roles.setdefault(leader.name, []).append(("name", index))
            for index, title in enumerate(self._titles):
                roles.setdefault(title, []).append(("title", index))
        self._names = {le.name: le for le in rules.leaders}
        self._name_lengths = sorted({len(le.name) for le in rules.leaders})
        self._by_surname: dict[tuple[int, str], list[Leader]] = {}
        for leader in rules.leaders:
            self._by_surname.setdefault((len(leader.name), leader.name[0]), []).append(leader)
        self._patterns = _Patterns({key: (len(key), tuple(value)) for key, value in roles.items()})
        # rule index -> how far before its term a guard word may start
        self._guard_lead = [
            max((len(word) - len(rule.wrong) for word in rule.unless_in), default=0) for rule in rules.terms
        ]

    def find(self, text: str, *, page_date: date | None = None) -> list[WordingHit]:
        """Every hit in ``text``, in order; ``page_date`` (the page's publication date, when
        known) spares the old names a page of that time rightly used."""
        if not self._patterns or not text:
            return []
        terms: list[tuple[int, int, int]] = []  # start, end, rule index
        # rule index -> start -> the furthest end of its guard words starting there
        guards: dict[int, dict[int, int]] = {}
        names: list[tuple[int, int, Leader]] = []
        title_ending: dict[int, str] = {}  # end -> the longest title ending there
        title_starting: dict[int, str] = {}  # start -> the longest title starting there
        for last, (length, roles) in self._patterns.iter(text):
            end = last + 1
            start = end - length
            for role, index in roles:
                if role == "term":
                    terms.append((start, end, index))
                elif role == "guard":
                    reach = guards.setdefault(index, {})
                    if end > reach.get(start, -1):
                        reach[start] = end
                elif role == "name":
                    names.append((start, end, self.rules.leaders[index]))
                else:
                    title = self._titles[index]
                    if len(title) > len(title_ending.get(end, "")):
                        title_ending[end] = title
                    if len(title) > len(title_starting.get(start, "")):
                        title_starting[start] = title
        hits = self._term_hits(text, terms, guards, page_date)
        if names or title_ending:
            hits.extend(self._leader_hits(text, names, title_ending, title_starting))
        hits.sort(key=lambda h: (h.offset, -len(h.text)))
        return _outermost(hits)

    def _term_hits(
        self,
        text: str,
        terms: list[tuple[int, int, int]],
        guards: dict[int, dict[int, int]],
        page_date: date | None,
    ) -> list[WordingHit]:
        hits: list[WordingHit] = []
        for start, end, index in terms:
            rule = self.rules.terms[index]
            if rule.since is not None and page_date is not None and page_date < rule.since:
                continue
            # Inside a longer correct word: one that starts at most as far before the term as
            # the rule's longest guard word is longer (each term asked of every guard span of
            # the page was quadratic: a page repeating 统一但 60,000 times took 55 s).
            reach = guards.get(index)
            if reach and any(
                reach.get(gs, -1) >= end for gs in range(start - self._guard_lead[index], start + 1)
            ):
                continue
            hits.append(
                WordingHit(
                    text=text[start:end],
                    suggestion=rule.right,
                    category=rule.category,
                    certain=rule.certain,
                    offset=start,
                    context=snippet(text, start, end, _CONTEXT),
                    source=rule.source,
                    note=rule.note,
                )
            )
        return hits

    def _leader_hits(
        self,
        text: str,
        names: list[tuple[int, int, Leader]],
        title_ending: dict[int, str],
        title_starting: dict[int, str],
    ) -> list[WordingHit]:
        hits: list[WordingHit] = []
        name_starts: set[int] = set()
        for start, end, leader in names:
            name_starts.add(start)
            after = end + 1 if text[end : end + 1] in _SPACE else end
            title = title_starting.get(end) or title_starting.get(after, "")
            if title and not _holds(title, leader.titles):
                at = end if end in title_starting else after
                hits.append(self._title_hit(text, start, at + len(title), leader, title))
                continue
            before = start - 1 if start and text[start - 1] in _SPACE else start
            title = title_ending.get(start) or title_ending.get(before, "")
            if title:
                title_end = start if start in title_ending else before
                title_start = title_end - len(title)
                if not _former(text, title_start) and not _holds(title, leader.titles):
                    hits.append(self._title_hit(text, title_start, end, leader, title))
        for title_end, title in title_ending.items():
            at = title_end + 1 if text[title_end : title_end + 1] in _SPACE else title_end
            if title_end in name_starts or at in name_starts or _former(text, title_end - len(title)):
                continue
            hit = self._near_name(text, title_end, at, title)
            if hit is not None:
                hits.append(hit)
        return hits

    def _title_hit(self, text: str, start: int, end: int, leader: Leader, title: str) -> WordingHit:
        return WordingHit(
            text=text[start:end],
            suggestion=f"{leader.name}（{'、'.join(leader.titles)}）",
            category=WordingCategory.LEADER_TITLE,
            certain=False,
            offset=start,
            context=snippet(text, start, end, _CONTEXT),
            note=f"本地领导名单中{leader.name}的职务不含“{title}”",
        )

    def _near_name(self, text: str, title_end: int, at: int, title: str) -> WordingHit | None:
        """A title followed by a name one character off a known name holding that title."""
        for length in self._name_lengths:
            candidate = text[at : at + length]
            if len(candidate) < length or candidate in self._names or not _HAN.fullmatch(candidate):
                continue
            for leader in self._by_surname.get((length, candidate[0]), ()):
                differ = sum(a != b for a, b in zip(candidate, leader.name, strict=True))
                if differ == 1 and _holds(title, leader.titles):
                    start = title_end - len(title)
                    return WordingHit(
                        text=text[start : at + length],
                        suggestion=f"{title}{leader.name}",
                        category=WordingCategory.LEADER_NAME,
                        certain=False,
                        offset=start,
                        context=snippet(text, start, at + length, _CONTEXT),
                        note=f"“{candidate}”与本地领导名单中的{leader.name}（{title}）只差一个字",
                    )
        return None


def _holds(title: str, held: Iterable[str]) -> bool:
    """``title`` names one of the posts ``held``: the same, or its short form (书记 for 市委书记),
    but not the full post for a deputy (市长 for 副市长, 书记 for 市委副书记)."""
    for post in held:
        if post == title or (post.endswith(title) and not post[: -len(title)].endswith("副")):
            return True
    return False


def _former(text: str, title_start: int) -> bool:
    return any(text[max(0, title_start - len(word)) : title_start] == word for word in _FORMER)


def _outermost(hits: list[WordingHit]) -> list[WordingHit]:
    """Hits sorted by offset, without those lying inside an earlier, longer hit."""
    kept: list[WordingHit] = []
    reach = -1
    for hit in hits:
        end = hit.offset + len(hit.text)
        if kept and end <= reach:
            continue
        kept.append(hit)
        reach = max(reach, end)
    return kept


# -- rule files -----------------------------------------------------------------------------------

_CATEGORY_NAMES = {
    **{c.value: c for c in _RULE_CATEGORIES},
    "错别字": WordingCategory.TYPO,
    "表述不规范": WordingCategory.WORDING,
    "过时机构名称": WordingCategory.OUTDATED_NAME,
    "机构名称": WordingCategory.OUTDATED_NAME,
}
_TERM_KEYS = frozenset({"wrong", "right", "category", "certain", "source", "note", "unless_in", "since"})
_LEADER_KEYS = frozenset({"name", "titles"})


def parse_wording_rules(text: str, source: str) -> WordingRules:
    """A rule file's text as rules; ConfigError naming the entry and key for a mistake."""
    return _rules(parse_toml(text, source), source)


def load_wording_rules(*paths: str | Path, default: bool = True) -> WordingRules:
    """The shipped list (unless ``default`` is False) and each file of ``paths`` after it; a
    later file's entry replaces an earlier one for the same wrong form or leader."""
    rules = default_wording_rules() if default else WordingRules()
    for path in paths:
        rules = rules.merged(_rules(read_toml(path), str(path)))
    return rules


@cache
def default_wording_rules() -> WordingRules:
    """The shipped list, ``sitecheck/data/wording/default.toml`` (also at
    ``config/wording/default.toml``)."""
    path = resources.files("sitecheck").joinpath("data/wording/default.toml")
    return parse_wording_rules(path.read_text(encoding="utf-8"), "wording/default.toml")


def _rules(data: Mapping[str, Any], source: str) -> WordingRules:
    unknown = set(data) - {"term", "leader"}
    if unknown:
        raise ConfigError(sorted(unknown)[0], "未知的表（应为 [[term]] 或 [[leader]]）", source)
    terms = [_term(entry, f"term[{i}]", source) for i, entry in _entries(data, "term", source)]
    leaders = [_leader(entry, f"leader[{i}]", source) for i, entry in _entries(data, "leader", source)]
    seen: set[str] = set()
    for i, term in enumerate(terms):
        if term.wrong in seen:
            raise ConfigError(f"term[{i}].wrong", f"“{term.wrong}”重复出现", source)
        seen.add(term.wrong)
    return WordingRules(tuple(terms), tuple(leaders), (source,))


def _entries(data: Mapping[str, Any], key: str, source: str) -> Iterable[tuple[int, Mapping[str, Any]]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(key, f"应写成 [[{key}]] 表", source)
    return enumerate(value)


def _term(entry: Mapping[str, Any], where: str, source: str) -> WordingRule:
    _known_keys(entry, _TERM_KEYS, where, source)
    wrong = _text(entry, "wrong", where, source)
    right = _text(entry, "right", where, source)
    if wrong == right:
        raise ConfigError(f"{where}.right", "与 wrong 相同", source)
    category_name = _text(entry, "category", where, source, default="typo")
    category = _CATEGORY_NAMES.get(category_name)
    if category is None:
        choices = "typo、wording、outdated_name"
        raise ConfigError(f"{where}.category", f"没有这个类别 {category_name!r}（可用：{choices}）", source)
    certain = entry.get("certain", False)
    if not isinstance(certain, bool):
        raise ConfigError(f"{where}.certain", "应为 true 或 false", source)
    unless_in = entry.get("unless_in", [])
    longer = isinstance(unless_in, list) and all(
        isinstance(w, str) and wrong in w and w != wrong for w in unless_in
    )
    if not longer:
        raise ConfigError(f"{where}.unless_in", f"应为包含“{wrong}”的更长词语的列表", source)
    return WordingRule(
        wrong=wrong,
        right=right,
        category=category,
        certain=certain,
        source=_text(entry, "source", where, source, default=""),
        note=_text(entry, "note", where, source, default=""),
        unless_in=tuple(unless_in),
        since=_date(entry, where, source),
    )


def _leader(entry: Mapping[str, Any], where: str, source: str) -> Leader:
    _known_keys(entry, _LEADER_KEYS, where, source)
    name = _text(entry, "name", where, source)
    if len(name) < 2 or any(c.isspace() for c in name):
        raise ConfigError(f"{where}.name", f"姓名应至少两个字且不含空格：{name!r}", source)
    titles = entry.get("titles")
    if not (isinstance(titles, list) and titles and all(isinstance(t, str) and t.strip() for t in titles)):
        raise ConfigError(f"{where}.titles", '应为职务名称的列表，如 titles = ["市长"]', source)
    return Leader(name, tuple(t.strip() for t in titles))


def _known_keys(entry: Mapping[str, Any], known: frozenset[str], where: str, source: str) -> None:
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"未知的键（可用：{'、'.join(sorted(known))}）", source)


def _text(entry: Mapping[str, Any], key: str, where: str, source: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if value is None:
        raise ConfigError(f"{where}.{key}", "缺少此项", source)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise ConfigError(f"{where}.{key}", f"应为非空字符串，现为 {value!r}", source)
    return value.strip()


def _date(entry: Mapping[str, Any], where: str, source: str) -> date | None:
    value = entry.get("since")
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}.since", f"应为日期，如 since = 2019-01-01，现为 {value!r}", source)


__all__ = [
    "CATEGORY_LABELS",
    "DEFAULT_TITLES",
    "UNVERIFIED_LABEL",
    "Leader",
    "WordingCategory",
    "WordingHit",
    "WordingMatcher",
    "WordingRule",
    "WordingRules",
    "default_wording_rules",
    "load_wording_rules",
    "parse_wording_rules",
]
