"""Every real page of the corpus reads as a person reads it (tests/corpus/README.md).

The expected values were written down from reading each page (its note says how); the pages
come from public sources and were never written for sitecheck. The crawler's own reading path
is used: the bytes as published, decoded by the charset rules, analysed by analyse_page.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS
from sitecheck.extract.page import PageInput, analyse_page
from sitecheck.models import ListingFacts

HERE = Path(__file__).resolve().parents[1] / "corpus"
FALLBACK_DAY = date(2026, 12, 4)


@dataclass(frozen=True)
class Expected:
    path: Path
    entry: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.entry['file']}"


def _entries() -> list[Expected]:
    found: list[Expected] = []
    for toml in sorted((HERE / "real-pages").glob("*/expected.toml")):
        for entry in tomllib.loads(toml.read_text("utf-8")).get("page", []):
            found.append(Expected(toml.parent / entry["file"], entry))
    shared = HERE / "shared-expected.toml"
    if shared.exists():
        for entry in tomllib.loads(shared.read_text("utf-8")).get("page", []):
            found.append(Expected(CORPUS / entry["file"], entry))
    return found


ENTRIES = _entries()


def read(expected: Expected) -> ListingFacts | None:
    if not expected.path.exists():
        pytest.skip(f"corpus page not available: {expected.path}")
    entry = expected.entry
    today = date.fromisoformat(entry["captured"]) if "captured" in entry else FALLBACK_DAY
    output = analyse_page(
        PageInput(
            body=expected.path.read_bytes(),
            url=entry["url"],
            charset=None,
            is_home=entry["kind"] == "home",
            observed_on=today,
            soft404_phrases=(),
            short_page_chars=0,
        )
    )
    return output.listing


def test_the_corpus_is_there() -> None:
    local = [e for e in ENTRIES if e.path.is_relative_to(HERE)]
    assert len(local) >= 25
    for expected in local:
        assert expected.path.exists(), expected.id
        assert expected.entry["kind"] in {"list", "home", "single", "article", "empty"}, expected.id


@pytest.mark.parametrize("expected", ENTRIES, ids=lambda e: e.id)
def test_reads_as_a_person_does(expected: Expected) -> None:
    entry = expected.entry
    kind = entry["kind"]
    listing = read(expected)
    if kind == "article":
        assert listing is None or not listing.is_listing, "an article read as a column list"
        return
    if kind == "single":
        # A single-content column with a body: never an empty column.
        assert listing is None or not (listing.is_empty or listing.content.bare)
        return
    assert listing is not None, "the page was not analysed as a possible column"
    if kind == "empty":
        assert listing.is_empty or listing.content.bare, "an empty column read as having content"
        assert not listing.items
    elif kind == "list":
        assert listing.is_listing, "a column list page not recognised as a list"
        if "items" in entry:
            assert len(listing.items) == entry["items"], [i.title for i in listing.items]
    elif kind == "home":
        assert listing.items, "no dated items read on a home page"
    if kind in {"list", "home"} and "newest" in entry:
        assert listing.newest == date.fromisoformat(entry["newest"])
    if kind in {"list", "empty", "single"} and "name" in entry:
        assert listing.name == entry["name"]
