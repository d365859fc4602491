"""所在栏目 and 责任科室 of a page: where a problem found on that page belongs.

A dead link is fixed by whoever maintains the page carrying it, so the checklist files it
under that page's column and office. The column model already knows which list pages form
a column and which articles those lists link to; what it does not list is placed by its
address (``/gzdt/202612/t….html`` sits under the column at ``/gzdt/index.html``), the way a
webmaster reads a URL. Pure: built from the run's facts and the column model, writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sitecheck.judge.columns import Column, as_dir
from sitecheck.store import RunFacts
from sitecheck.urls import canonical

HOME_COLUMN = "首页"


@dataclass(frozen=True, slots=True)
class Place:
    column: str  # "" when the page belongs to no column the crawl found
    office: str


class Placement:
    """Maps a page URL to its column and that column's office (else the site default)."""

    def __init__(
        self, facts: RunFacts, columns: Iterable[Column], default_office: str, home_url: str | None = None
    ) -> None:
        self.default_office = default_office
        by_list_page: dict[str, Column] = {}
        self._dirs: list[tuple[str, str, Column]] = []  # (host, directory, column), deepest first
        for column in columns:
            if not column.name:
                continue  # an unnamed column names nothing for the office to look for
            for page in column.pages:
                by_list_page.setdefault(canonical(page), column)
            parts = urlsplit(canonical(column.url))
            directory = parts.path.rsplit("/", 1)[0] + "/"
            # A list page at the site root would claim every page of the site by address;
            # only deeper directories say which column a page belongs to.
            if directory != "/":
                self._dirs.append((parts.netloc, directory, column))
        self._dirs.sort(key=lambda entry: -len(entry[1]))
        self._list_pages = by_list_page
        # Articles a column's list links to belong to that column, wherever they are stored.
        self._items: dict[str, Column] = {}
        listings = facts.listings()  # read once: every list page of the run, parsed
        page_column = {
            row.page_id: by_list_page[canonical(row.url)]
            for row in listings
            if canonical(row.url) in by_list_page
        }
        for page_id, items in facts.items_by_page().items():
            holder = page_column.get(page_id)
            if holder is None:
                continue
            for item in items:
                if item.url:
                    self._items.setdefault(canonical(item.url), holder)
        homes = [facts.run.start_url, facts.run.home_url or "", home_url or ""]
        homes += [row.url for row in listings if row.is_home]
        self._homes = {as_dir(u) for u in homes if u}

    def _office(self, column: Column) -> str:
        return column.office or self.default_office

    def of(self, page_url: str) -> Place:
        """The column and office of the page at ``page_url``."""
        if as_dir(page_url) in self._homes:
            return Place(HOME_COLUMN, self.default_office)
        key = canonical(page_url)
        column = self._list_pages.get(key) or self._items.get(key)
        if column is None:
            parts = urlsplit(key)
            column = next(
                (c for host, d, c in self._dirs if host == parts.netloc and parts.path.startswith(d)), None
            )
        if column is None:
            return Place("", self.default_office)
        return Place(column.name, self._office(column))
