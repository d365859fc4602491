"""TEMPORARY stub until the hidden-links branch (h16-hidden) lands its vocabulary module."""

from __future__ import annotations

from typing import NamedTuple


class RiskyWord(NamedTuple):
    category: str
    word: str


_WORDS = {"博彩": "gambling", "百家乐": "gambling", "六合彩": "gambling", "赌场": "gambling"}


def find_risky_words(text: str) -> list[RiskyWord]:
    lowered = text.lower()
    return [RiskyWord(category, word) for word, category in _WORDS.items() if word in lowered]
