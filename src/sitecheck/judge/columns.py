"""The column (栏目) model of a run, derived from the stored list-page facts.

A column is a group of list pages: ``index.html``, ``index_1.html`` … (or ``?page=2``) belong
to one column, as do the pages its pager names. Its name comes from ``<meta name="ColumnName">``,
the breadcrumb (当前位置), the text of the menu links that lead to it, then ``<title>``; its
category from the rules (:mod:`sitecheck.judge.categories`); its place in the tree from the
breadcrumb, else from URL nesting. Nothing here is stored: it is recomputed for every judgement.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sitecheck.extract.dates import effective_date
from sitecheck.judge.categories import ColumnRules
from sitecheck.models import ColumnCategory, ColumnStatus, ItemRow, ListingRow
from sitecheck.store import RunFacts
from sitecheck.urls import canonical

_PAGED_FILE = re.compile(r"^(?P<stem>.+?)_(?P<num>\d{1,4})(?P<ext>\.[A-Za-z]+)$")
_PAGE_PARAMS = frozenset(
    {"page", "pageno", "page_no", "pageindex", "pagenum", "curpage", "currentpage", "p", "pn", "cp", "start"}
)
_HOME_CRUMBS = frozenset({"首页", "网站首页", "主页", "home", "首 页"})
# Search results list dated links too, but they are answers to a query, not a column.
_SEARCH = re.compile(r"search|jsearch|query|检索|搜索|查询结果", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Column:
    url: str  # the column's first list page
    name: str
    name_source: str  # meta, breadcrumb, link, title, none
    category: ColumnCategory
    category_source: str
    limit_days: int | None  # None: exempt
    warn_days: int | None
    office: str
    parent: str | None  # name of the parent column (一级 columns have none)
    level: int
    pages: tuple[str, ...]  # list pages seen, first page first
    item_count: int
    text_dated: int
    url_dated: int
    newest: date | None
    total_records: int | None
    placeholder: str | None
    cms: str
    column_type_meta: str | None
    status: ColumnStatus
    days_since: int | None

    @property
    def is_empty(self) -> bool:
        return self.status == ColumnStatus.EMPTY


@dataclass(frozen=True, slots=True)
class HomeFacts:
    url: str
    items: tuple[ItemRow, ...]
    newest: date | None
    days_since: int | None
    recent_items: int  # items dated within the home-page window (14 days)


def column_key(url: str) -> str:
    """The URL of a column's first list page, from any of its pages."""
    parts = urlsplit(canonical(url))
    path = parts.path
    head, _, last = path.rpartition("/")
    match = _PAGED_FILE.match(last)
    if match:
        path = f"{head}/{match['stem']}{match['ext']}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _PAGE_PARAMS]
    )
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _group(rows: list[ListingRow]) -> list[list[ListingRow]]:
    """Union the pages of one column: same key, or named by the other's pager."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Every page of a long column lists the same pager URLs: canonicalise each spelling once.
    canon = functools.lru_cache(maxsize=None)(canonical)
    by_url = {canon(r.url): r for r in rows}
    for row in rows:
        own = canon(row.url)
        union(own, column_key(row.url))
        for page in row.pagination:
            key = canon(page)
            if key in by_url:
                union(own, key)
    groups: dict[str, list[ListingRow]] = {}
    for row in rows:
        groups.setdefault(find(canon(row.url)), []).append(row)
    return list(groups.values())


def _first_page(group: list[ListingRow]) -> ListingRow:
    keyed = [r for r in group if canonical(r.url) == column_key(r.url)]
    return min(keyed or group, key=lambda r: (len(r.url), r.page_id))


def _crumbs(row: ListingRow) -> tuple[str, ...]:
    return tuple(c for c in row.breadcrumb if c.strip().lower() not in _HOME_CRUMBS)


def _name(facts: RunFacts, first: ListingRow) -> tuple[str, str]:
    if first.name_source == "meta" and first.name:
        return first.name, "meta"
    crumbs = _crumbs(first)
    if crumbs:
        return crumbs[-1], "breadcrumb"
    texts = facts.link_texts_to(canonical(first.url))
    if texts:
        return texts[0][0], "link"
    return first.name, first.name_source


def _status(
    newest: date | None, items: int, total: int | None, limit: int | None, warn: int | None, as_of: date
) -> tuple[ColumnStatus, int | None]:
    if items == 0 and not total:
        return ColumnStatus.EMPTY, None
    if newest is None:
        return (ColumnStatus.EXEMPT if limit is None else ColumnStatus.UNDATED), None
    days = (as_of - newest).days
    if limit is None:
        return ColumnStatus.EXEMPT, days
    if days > limit:
        return ColumnStatus.STALE, days
    if warn is not None and days >= warn:
        return ColumnStatus.WARNING, days
    return ColumnStatus.OK, days


def build_columns(facts: RunFacts, rules: ColumnRules, as_of: date) -> list[Column]:
    rows = [
        r
        for r in facts.listings()
        if r.is_listing and not r.is_home and not _SEARCH.search(urlsplit(r.url).path + " " + r.name)
    ]
    groups = _group(rows)
    items_by_page = facts.items_by_page()
    # Items are placed against the day the pages were read (a resumed run keeps its first day).
    observed_on = date.fromisoformat(facts.run.observed_on) if facts.run.observed_on else as_of
    named: list[tuple[list[ListingRow], ListingRow, str, str]] = []
    for group in groups:
        first = _first_page(group)
        name, source = _name(facts, first)
        named.append((group, first, name, source))
    # Parents by URL nesting, for columns without a breadcrumb: the deepest column whose
    # directory contains this one's.
    dirs = {urlsplit(first.url).path.rsplit("/", 1)[0] + "/": name for _, first, name, _ in named}
    columns: list[Column] = []
    for group, first, name, name_source in named:
        crumbs = _crumbs(first)
        if len(crumbs) >= 2:
            parent: str | None = crumbs[-2]
            level = len(crumbs)
        elif crumbs:
            parent, level = None, 1
        else:
            own = urlsplit(first.url).path.rsplit("/", 1)[0] + "/"
            holders = [d for d in dirs if own.startswith(d) and d != own]
            parent = dirs[max(holders, key=len)] if holders else None
            level = 2 if parent else 1
        meta_types = [r.column_type_meta for r in group if r.column_type_meta]
        verdict = rules.classify(
            url=first.url, name=name, column_type=meta_types[0] if meta_types else None, parents=crumbs[:-1]
        )
        dated = [d for r in group if (d := newest_of(items_by_page.get(r.page_id, ()), observed_on))]
        newest = max(dated) if dated else None
        items = sum(r.item_count for r in group)
        totals = [r.total_records for r in group if r.total_records is not None]
        total = max(totals) if totals else None
        status, days = _status(newest, items, total, verdict.limit_days, verdict.warn_days, as_of)
        ordered = sorted(group, key=lambda r: (r is not first, len(r.url), r.url))
        columns.append(
            Column(
                url=first.url,
                name=name,
                name_source=name_source,
                category=verdict.category,
                category_source=verdict.source,
                limit_days=verdict.limit_days,
                warn_days=verdict.warn_days,
                office=verdict.office,
                parent=parent,
                level=level,
                pages=tuple(r.url for r in ordered),
                item_count=items,
                text_dated=sum(r.text_dated for r in group),
                url_dated=sum(r.url_dated for r in group),
                newest=newest,
                total_records=total,
                placeholder=next((r.placeholder for r in group if r.placeholder), None),
                cms=first.cms,
                column_type_meta=meta_types[0] if meta_types else None,
                status=status,
                days_since=days,
            )
        )
    columns.sort(key=lambda c: (c.parent or c.name, c.level, c.url))
    return columns


def newest_of(items: Iterable[ItemRow], observed_on: date) -> date | None:
    """A list page's newest item date: derived when judging, from the items as read.

    Not the first item's (pinned 置顶 items are old); dates after the day the page was read are
    typos or pre-dated posts, not freshness; a month-only URL date counts as that month's end.
    """
    limit = observed_on + timedelta(days=1)
    dates = (effective_date(i.date, i.date_source, i.url, observed_on) for i in items)
    return max((d for d in dates if d is not None and d <= limit), default=None)


def home_facts(facts: RunFacts, window_days: int, as_of: date) -> HomeFacts | None:
    home = next((r for r in facts.listings() if r.is_home), None)
    if home is None:
        return None
    items = tuple(facts.items(home.page_id))
    effective = (effective_date(i.date, i.date_source, i.url, as_of) for i in items)
    dates = [d for d in effective if d is not None and d <= as_of]
    newest = max(dates) if dates else None
    recent = sum(1 for d in dates if (as_of - d).days < window_days)
    return HomeFacts(
        url=home.url,
        items=items,
        newest=newest,
        days_since=(as_of - newest).days if newest else None,
        recent_items=recent,
    )
