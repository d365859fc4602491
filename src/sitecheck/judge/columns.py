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
from sitecheck.extract.listing.pagination import is_pager_word
from sitecheck.judge.categories import ColumnRules
from sitecheck.models import ColumnCategory, ColumnStatus, ItemRow, ListingRow
from sitecheck.store import RunFacts
from sitecheck.urls import canonical

_PAGED_FILE = re.compile(r"^(?P<stem>.+?)_(?P<num>\d{1,4})(?P<ext>\.[A-Za-z]+)$")
_PAGE_PARAMS = frozenset(
    {"page", "pageno", "page_no", "pageindex", "pagenum", "curpage", "currentpage", "p", "pn", "cp", "start"}
)
_HOME_CRUMBS = frozenset({"首页", "网站首页", "主页", "home", "返回首页", "本站首页", "门户首页"})
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
    # Why the column is empty or stale, in words a person checks in seconds (the placeholder
    # seen, the empty list block, the newest item and where its date came from); "" for
    # healthy columns.
    evidence: str = ""
    # Whether that evidence is strong enough for a veto claim; weak evidence (a hidden template
    # placeholder, a page filled by script, dates read only from URLs) makes the claim 待核实.
    confirmed: bool = True
    doubt: str = ""  # why the evidence is weak, when it is
    kind: str = "list"  # list, single (a single-content page), frame (content held in a frame)

    @property
    def is_empty(self) -> bool:
        return self.status == ColumnStatus.EMPTY


@dataclass(frozen=True, slots=True)
class HomeFacts:
    url: str
    items: tuple[ItemRow, ...]
    newest: date | None
    days_since: int | None
    recent_items: int  # items dated within the home-page window (judge.home.within_window)
    newest_item: ItemRow | None = None  # the item the newest date belongs to
    site_code: str = ""  # 网站标识码 the home page declares (<meta name="SiteIDCode">)
    window_days: int = 14  # the window recent_items counts over (veto.home_days)


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
    return tuple(c for c in row.breadcrumb if not _is_home_word(c))


def is_home_word(text: str) -> bool:
    """首页, 网站首页, Home …: a link or crumb that names the home page, not a column."""
    return text.replace(" ", "").replace("\xa0", "").lower() in _HOME_CRUMBS


_is_home_word = is_home_word


def _name(facts: RunFacts, first: ListingRow) -> tuple[str, str]:
    if first.name_source == "meta" and first.name and not _is_home_word(first.name):
        return first.name, "meta"
    crumbs = _crumbs(first)
    if crumbs:
        return crumbs[-1], "breadcrumb"
    if first.content.heading and not _is_home_word(first.content.heading):
        return first.content.heading, "heading"
    # The texts of links to the page, but not the pager's (首页 / 下一页 point at list pages)
    # nor the logo's.
    for text, _ in facts.link_texts_to(canonical(first.url)):
        if not _is_home_word(text) and not is_pager_word(text.replace(" ", "")):
            return text, "link"
    if _is_home_word(first.name):
        return "", "none"
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
    listings = facts.listings()
    home_dirs = _home_dirs(facts, listings)
    by_url = {canonical(r.url): r for r in listings}
    framed = {canonical(url) for r in listings for url in r.content.frames}

    items_by_page = facts.items_by_page()
    home_items = _item_urls(next((r for r in listings if r.is_home), None), items_by_page)

    def candidate(r: ListingRow) -> bool:
        if r.is_home or as_dir(r.url) in home_dirs:
            return False  # the home page, also when reached under a second address
        if home_items and _item_urls(r, items_by_page) == home_items:
            # The home page under an address not recognised as such (another host name, a
            # portal path): it lists exactly the home page's items. The home page is judged by
            # its own rule (首页不更新), never as a column with a category limit.
            return False
        return not _SEARCH.search(urlsplit(r.url).path + " " + r.name)

    # A framed document is part of the page that frames it: an empty one is that page's
    # evidence (below), a list in one is a column named after the page that shows it.
    frame_holders = {canonical(url): r for r in listings for url in r.content.frames}
    rows = [
        r
        for r in listings
        if r.is_listing and candidate(r) and not (canonical(r.url) in framed and not r.item_count)
    ]
    # Pages that are not lists but may still be columns: their content is a frame, or they
    # show a name and nothing under it (single-content columns: 领导简介, 机构职能).
    frame_pages: dict[int, ListingRow] = {}
    singles: list[ListingRow] = []
    for r in listings:
        if r.is_listing or not candidate(r):
            continue
        if r.content.frames and r.content.text_chars <= _FRAME_PAGE_CHARS and r.content.content_links == 0:
            frame_pages[r.page_id] = r
        elif r.content.bare and canonical(r.url) not in framed and _named(r):
            singles.append(r)
    # Items are placed against the day the pages were read (a resumed run keeps its first day).
    observed_on = date.fromisoformat(facts.run.observed_on) if facts.run.observed_on else as_of

    groups = _group(rows)
    shown_in: dict[int, str] = {}  # frame page id -> evidence about its framed document
    for page in frame_pages.values():
        said = _frame_verdict(page, by_url)
        if said is not None:
            shown_in[page.page_id] = said
            groups.append([page])
    # A list shown in a frame is its own column (the framed document): the frame's page adds
    # nothing, so only frame pages whose documents are empty join the columns.
    groups += [[r] for r in singles]

    named: list[tuple[list[ListingRow], ListingRow, str, str]] = []
    for group in groups:
        first = _first_page(group)
        name, source = _name(facts, first)
        holder = frame_holders.get(canonical(first.url))
        if holder is not None:
            # A list shown in a frame: people reach it at the page that frames it, under that
            # page's name; the framed document is where its items are read.
            if source in {"title", "none", "link"}:
                name, source = _name(facts, holder)
            group = [holder, *group]
            first = holder
            shown_in.setdefault(holder.page_id, "")
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
        page_items = [i for r in group for i in items_by_page.get(r.page_id, ())]
        newest_item = newest_item_of(page_items, observed_on)
        newest = newest_item[1] if newest_item else None
        items = sum(r.item_count for r in group)
        totals = [r.total_records for r in group if r.total_records is not None]
        total = max(totals) if totals else None
        status, days = _status(newest, items, total, verdict.limit_days, verdict.warn_days, as_of)
        kind = "frame" if first.page_id in shown_in else "list" if first.is_listing else "single"
        if kind == "frame" and items:
            kind = "list"  # a list read through its frame
        evidence, confirmed, doubt = "", True, ""
        if status == ColumnStatus.EMPTY:
            evidence, confirmed, doubt = _empty_evidence(group, first, kind, shown_in.get(first.page_id, ""))
        elif status in {ColumnStatus.STALE, ColumnStatus.WARNING} and newest_item is not None:
            evidence, confirmed, doubt = _stale_evidence(newest_item[0], newest_item[1], group)
        elif status == ColumnStatus.UNDATED:
            evidence = f"列表中的 {items} 条信息均未显示发布日期，链接地址中也没有日期"
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
                evidence=evidence,
                confirmed=confirmed,
                doubt=doubt,
                kind=kind,
            )
        )
    columns.sort(key=lambda c: (c.parent or c.name, c.level, c.url))
    return columns


# Text a page whose content is a frame may show around it (a heading, a 共1页).
_FRAME_PAGE_CHARS = 40


_INDEX_NAME = re.compile(r"/(?:index|default|home|main)\.\w+$", re.IGNORECASE)


# Every judge asks it of every page (the home page is told apart by it): 20,000 calls and 0.4 s
# under the profiler at 10,000 pages, half of them for an address asked before.
@functools.lru_cache(maxsize=16384)
def as_dir(url: str) -> str:
    """A page's address with its index file dropped: /a/index.html and /a/ are one page."""
    parts = urlsplit(canonical(url))
    path = _INDEX_NAME.sub("/", parts.path) or "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, ""))


def _home_dirs(facts: RunFacts, listings: list[ListingRow]) -> set[str]:
    """The addresses of the home page: where the run started, where that led, and the home row."""
    urls = [facts.run.start_url, facts.run.home_url or ""]
    urls += [r.url for r in listings if r.is_home]
    return {as_dir(u) for u in urls if u}


def home_aliases(facts: RunFacts) -> set[str]:
    """The home page's addresses in ``as_dir`` form (/ and /index.html are one page)."""
    return _home_dirs(facts, [r for r in facts.listings() if r.is_home])


def _item_urls(row: ListingRow | None, items_by_page: dict[int, list[ItemRow]]) -> frozenset[str]:
    """The item links a page lists; empty for a page with fewer than three (too few to tell
    one page from another)."""
    if row is None:
        return frozenset()
    urls = frozenset(canonical(i.url) for i in items_by_page.get(row.page_id, ()) if i.url)
    return urls if len(urls) >= 3 else frozenset()


def _named(row: ListingRow) -> bool:
    """A page that shows whose column it is: a trail (当前位置) naming it. A heading alone is
    not enough: include fragments (a sidebar, a header) carry headings and no trail."""
    return bool(_crumbs(row))


def _frame_verdict(page: ListingRow, by_url: dict[str, ListingRow]) -> str | None:
    """Evidence that the documents a frame page shows are empty; None when one of them has
    content, or was never read (then nothing is claimed)."""
    said: list[str] = []
    for url in page.content.frames:
        shown = by_url.get(canonical(url))
        if shown is None or shown.item_count or shown.total_records:
            return None
        if shown.placeholder:
            said.append(f"栏目内容框架 {url} 只显示“{shown.placeholder}”")
        elif shown.content.bare:
            said.append(f"栏目内容框架 {url} 是空白页面（正文 {max(shown.content.text_chars, 0)} 字）")
        elif shown.is_listing and not shown.item_count:
            said.append(f"栏目内容框架 {url} 中的列表没有条目")
        else:
            return None
    return "；".join(said) if said else None


def _empty_evidence(
    group: list[ListingRow], first: ListingRow, kind: str, frame: str
) -> tuple[str, bool, str]:
    """Why a column reads as empty, whether that is strong enough for 空白栏目, and if not why."""
    placeholder = next((r.placeholder for r in group if r.placeholder), None)
    hidden = next((r.content.hidden_placeholder for r in group if r.content.hidden_placeholder), "")
    block = next((r.content.empty_block for r in group if r.content.empty_block), "")
    scripted = any(r.content.scripted for r in group)
    pages = [r for r in group if r.total_pages is not None]
    said: list[str] = []
    strong = False
    if frame:
        said.append(frame)
        strong = True
    if placeholder:
        said.append(f"页面显示“{placeholder}”")
        strong = True
    if any(r.total_records == 0 for r in group):
        said.append("页面注明共 0 条")
        strong = True
    if block:
        pager = f"，翻页条显示共 {pages[0].total_pages} 页" if pages else ""
        said.append(f"列表区块 <{block}> 中没有条目{pager}")
        strong = True
    if kind == "single":
        heading = first.content.heading or (first.breadcrumb[-1] if first.breadcrumb else "")
        chars = max(first.content.text_chars, 0)
        said.append(f"单页栏目只有标题「{heading}」，导航以外只有 {chars} 个字，没有正文、图片、附件或链接")
        strong = True
    if not said and pages:
        said.append(f"翻页显示共 {pages[0].total_pages} 页，列表中没有条目")
        strong = True
    if hidden and not strong:
        said.append(f"页面模板中有隐藏的“{hidden}”提示（列表为空时才由脚本显示）")
    if not said:
        said.append("列表页中没有读到任何条目")
    evidence = "；".join(said)
    # Hanweb's list records come inside the page from the server (<datastore>): an empty one
    # is the server's own answer, even though the page's script fetches further pages.
    served_empty = any(r.cms == "hanweb" and r.total_records == 0 for r in group)
    if scripted and not served_empty:
        return evidence, False, "页面由脚本在浏览器中加载内容，抓取到的可能是未填充的模板"
    if not strong:
        return evidence, False, "没有看到“暂无信息”类提示、空列表区块或翻页信息，可能是列表未被识别"
    return evidence, True, ""


_DATE_FROM = {"text": "页面显示的发布日期", "url": "链接地址中的日期"}


def _stale_evidence(item: ItemRow, newest: date, group: list[ListingRow]) -> tuple[str, bool, str]:
    source = _DATE_FROM.get(item.date_source, "条目")
    title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
    evidence = f"最新一条「{title}」，{newest}（日期取自{source}）"
    if item.url:
        evidence += f"，{item.url}"
    if not any(r.text_dated for r in group):
        return evidence, False, "列表没有显示发布日期，日期只能从链接地址推断"
    return evidence, True, ""


def newest_item_of(items: Iterable[ItemRow], observed_on: date) -> tuple[ItemRow, date] | None:
    """The newest item of a list and its effective date (see :func:`newest_of`)."""
    limit = observed_on + timedelta(days=1)
    best: tuple[ItemRow, date] | None = None
    for item in items:
        value = effective_date(item.date, item.date_source, item.url, observed_on)
        if value is not None and value <= limit and (best is None or value > best[1]):
            best = (item, value)
    return best


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
    effective = [(i, effective_date(i.date, i.date_source, i.url, as_of)) for i in items]
    dated = [(i, d) for i, d in effective if d is not None and d <= as_of]
    dates = [d for _, d in dated]
    newest = max(dates) if dates else None
    newest_item = max(dated, key=lambda pair: pair[1])[0] if dated else None
    # An item dated exactly window_days ago is inside "window_days 天内" (judge.home.home_rule):
    # the veto falls only at window_days + 1 days, so the count must agree with it.
    recent = sum(1 for d in dates if 0 <= (as_of - d).days <= window_days)
    return HomeFacts(
        url=home.url,
        items=items,
        newest=newest,
        days_since=(as_of - newest).days if newest else None,
        recent_items=recent,
        newest_item=newest_item,
        site_code=home.content.site_code,
        window_days=window_days,
    )
