"""Words of risky sites: gambling, pornography, banned drugs, 代开发票, game 私服, 代孕 (issue 16).

One small, sourced list (``sitecheck/data/vocabulary/risky_sites.toml``, its format and sources in
the file) that an office extends with its own files (``[integrity] vocabulary_lists``). It is
matched in one pass by an Aho–Corasick automaton (pyahocorasick), like the wording rules:

- Chinese words match as written; words in Latin letters match without regard to case and only as
  whole words (no Latin letter right before or after: ``bet365`` in ``www.bet365.com``, ``porn``
  not in ``pornography``);
- a word that follows a guard word closely (打击六合彩, 淫秽色情, 防范网络赌场) is news about the
  trade, not the trade: no hit.

The API is small and general on purpose: ``find_risky_words(text)`` on any text (an anchor text, a
URL, a page title); 暗链 (judge/hidden_links.py) and the external-link checks use the same list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import ahocorasick  # type: ignore[import-not-found]  # a C extension without type stubs

from sitecheck.config import parse_toml, read_toml
from sitecheck.errors import ConfigError

__all__ = [
    "CATEGORY_LABELS",
    "RiskCategory",
    "RiskyHit",
    "RiskyWord",
    "Vocabulary",
    "default_vocabulary",
    "find_risky_words",
    "load_vocabulary",
    "url_text",
]


class RiskCategory(StrEnum):
    GAMBLING = "gambling"
    PORN = "porn"
    DRUGS = "drugs"
    INVOICE = "invoice"
    PRIVATE_SERVER = "private_server"
    SURROGACY = "surrogacy"


CATEGORY_LABELS = {
    RiskCategory.GAMBLING: "赌博",
    RiskCategory.PORN: "色情",
    RiskCategory.DRUGS: "违禁药品",
    RiskCategory.INVOICE: "代开发票",
    RiskCategory.PRIVATE_SERVER: "游戏私服",
    RiskCategory.SURROGACY: "代孕",
}
# How far before a hit a guard word may end (打击网络六合彩: 网络 stands between).
_GUARD_REACH = 4


@dataclass(frozen=True, slots=True)
class RiskyWord:
    text: str
    category: RiskCategory | None  # None: a local list removes the word from the lists before it
    source: str = ""  # why the word is listed, when its category's source does not say it


@dataclass(frozen=True, slots=True)
class RiskyHit:
    text: str  # as found in the text
    word: str  # the listed word
    category: RiskCategory
    offset: int
    source: str  # the word's source, else its category's

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: tuple[RiskyWord, ...] = ()
    guards: tuple[str, ...] = ()
    category_sources: tuple[tuple[RiskCategory, str], ...] = ()
    files: tuple[str, ...] = ()  # the files read, in order

    def merged(self, other: Vocabulary) -> Vocabulary:
        """These words and ``other``'s; for the same word, ``other``'s entry (removed when it
        gives no category)."""
        words = {w.text.lower(): w for w in self.words} | {w.text.lower(): w for w in other.words}
        sources = dict(self.category_sources) | dict(other.category_sources)
        return Vocabulary(
            tuple(w for w in words.values() if w.category is not None),
            tuple(dict.fromkeys((*self.guards, *other.guards))),
            tuple(sources.items()),
            self.files + other.files,
        )

    def find(self, text: str) -> list[RiskyHit]:
        return _matcher(self).find(text)


class _Matcher:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.sources = dict(vocabulary.category_sources)
        self.automaton: Any = None
        self.guards: Any = None
        if vocabulary.words:
            automaton = ahocorasick.Automaton()
            for word in vocabulary.words:
                if word.category is None:
                    continue
                key = word.text.lower()
                automaton.add_word(key, (len(key), word, _latin(key)))
            automaton.make_automaton()
            self.automaton = automaton
        if vocabulary.guards:
            guards = ahocorasick.Automaton()
            for guard in vocabulary.guards:
                guards.add_word(guard, len(guard))
            guards.make_automaton()
            self.guards = guards

    def find(self, text: str) -> list[RiskyHit]:
        if self.automaton is None or not text:
            return []
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer (İ): no offsets
            lowered = "".join(ch.lower()[:1] for ch in text)
        hits: list[RiskyHit] = []
        for last, (length, word, latin) in self.automaton.iter(lowered):
            start, end = last + 1 - length, last + 1
            if latin and (_letter_at(lowered, start - 1) or _letter_at(lowered, end)):
                continue  # part of a longer word
            if self._guarded(lowered, start):
                continue
            category: RiskCategory = word.category
            source = word.source or self.sources.get(category, "")
            hits.append(RiskyHit(text[start:end], word.text, category, start, source))
        hits.sort(key=lambda hit: (hit.offset, -len(hit.text)))
        kept: list[RiskyHit] = []
        for hit in hits:  # 金沙娱乐城: one hit, not 金沙娱乐 and 娱乐城 besides
            if kept and hit.offset < kept[-1].offset + len(kept[-1].text):
                continue
            kept.append(hit)
        return kept

    def _guarded(self, text: str, start: int) -> bool:
        if self.guards is None or start == 0:
            return False
        window_start = max(0, start - _GUARD_REACH - 4)
        window = text[window_start:start]
        for last, _length in self.guards.iter(window):
            if start - (window_start + last + 1) <= _GUARD_REACH:
                return True
        return False


def _latin(word: str) -> bool:
    return word.isascii()


def _letter_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and "a" <= text[index] <= "z"


@cache
def _matcher(vocabulary: Vocabulary) -> _Matcher:
    return _Matcher(vocabulary)


def url_text(url: str) -> str:
    """A URL as words can be found in it: percent-escapes decoded (``/%E5%8D%9A%E5%BD%A9``)."""
    return unquote(url, errors="replace")


def find_risky_words(text: str, vocabulary: Vocabulary | None = None) -> list[RiskyHit]:
    """Every listed word in ``text`` (the shipped list unless ``vocabulary`` is given), in order."""
    return (vocabulary or default_vocabulary()).find(text)


# -- loading ------------------------------------------------------------------------------------


def parse_vocabulary(text: str, source: str) -> Vocabulary:
    return _vocabulary(parse_toml(text, source), source)


def load_vocabulary(*paths: str | Path, default: bool = True) -> Vocabulary:
    """The shipped list (unless ``default`` is False) merged with the files in ``paths``."""
    vocabulary = default_vocabulary() if default else Vocabulary()
    for path in paths:
        vocabulary = vocabulary.merged(_vocabulary(read_toml(path), str(path)))
    return vocabulary


@cache
def default_vocabulary() -> Vocabulary:
    path = resources.files("sitecheck").joinpath("data/vocabulary/risky_sites.toml")
    return parse_vocabulary(path.read_text(encoding="utf-8"), "sitecheck/data/vocabulary/risky_sites.toml")


def _vocabulary(data: Mapping[str, Any], source: str) -> Vocabulary:
    known = {"word", "guards", "sources"}
    for key in data:
        if key not in known:
            raise ConfigError(key, f"词表中没有这一节（可用的有：{'、'.join(sorted(known))}）", source)
    words: list[RiskyWord] = []
    entries = data.get("word", [])
    if not isinstance(entries, list):
        raise ConfigError("word", "应写成 [[word]] 表（每个词一段）", source)
    for index, entry in enumerate(entries):
        words.append(_word(entry, f"word[{index}]", source))
    guards_table = data.get("guards", {})
    before = guards_table.get("before", []) if isinstance(guards_table, dict) else None
    if not isinstance(before, list) or not all(isinstance(g, str) and g.strip() for g in before):
        raise ConfigError("guards.before", '应为非空字符串的列表，如 before = ["打击", "查处"]', source)
    sources_table = data.get("sources", {})
    if not isinstance(sources_table, dict):
        raise ConfigError("sources", '应为一个表（类别 = "来源"）', source)
    sources: list[tuple[RiskCategory, str]] = []
    for name, text in sources_table.items():
        sources.append((_category(name, f"sources.{name}", source), str(text)))
    return Vocabulary(tuple(words), tuple(before), tuple(sources), (source,))


def _word(entry: Any, where: str, source: str) -> RiskyWord:
    if not isinstance(entry, dict):
        raise ConfigError(where, "应为一个表（text、category、source）", source)
    for key in entry:
        if key not in ("text", "category", "source"):
            raise ConfigError(f"{where}.{key}", "没有这个键（可用的有：text、category、source）", source)
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}.text", "应为非空字符串", source)
    category = entry.get("category", "")
    if not isinstance(category, str):
        raise ConfigError(f"{where}.category", "应为字符串", source)
    note = entry.get("source", "")
    if not isinstance(note, str):
        raise ConfigError(f"{where}.source", "应为字符串", source)
    if not category:  # removes the word from the lists read before
        return RiskyWord(text.strip(), None, note)
    return RiskyWord(text.strip(), _category(category, f"{where}.category", source), note)


def _category(name: str, where: str, source: str) -> RiskCategory:
    try:
        return RiskCategory(name)
    except ValueError:
        choices = "、".join(f"{c.value}（{CATEGORY_LABELS[c]}）" for c in RiskCategory)
        raise ConfigError(where, f"没有这个类别 {name!r}（可用的有：{choices}）", source) from None
