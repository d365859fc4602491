"""Hanweb (大汉) JCMS jpage lists: records shipped as XML inside a ``<script>`` (``<datastore>``)
and the ``dataproxy.jsp`` POSTs that fetch the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from sitecheck.extract import bound_markup
from sitecheck.extract.listing.dom import PageBase, count_value
from sitecheck.extract.listing.rows import ITEMS_BUDGET, ITEMS_CUT, row_item
from sitecheck.models import ColumnItem
from sitecheck.urls import resolve


class _Closed:
    """An ``opener(.*?)closer`` pattern, searched only up to the end of the text's last closer.

    A lazy ``.*?`` whose closer never comes scans to the end of the text from every opener: a
    page repeating an opener without its closer (``<datastore>`` × 20,000) took minutes. Every
    opener before the last closer does find one, so stopping there changes no match and keeps
    the search linear.
    """

    __slots__ = ("_last", "_pattern")

    def __init__(self, opener: str, closer: str, flags: int) -> None:
        self._pattern = re.compile(f"{opener}(.*?){closer}", flags | re.DOTALL)
        self._last = re.compile(f"(?s:.*){closer}", flags)

    def _end(self, text: str) -> int:
        last = self._last.match(text)
        return last.end() if last else 0

    def findall(self, text: str) -> list[str]:
        return self._pattern.findall(text, 0, self._end(text))

    def search(self, text: str) -> re.Match[str] | None:
        return self._pattern.search(text, 0, self._end(text))


_DATASTORE = _Closed(r"<datastore>", r"</datastore>", re.IGNORECASE)


_RECORD = _Closed(r"<record>\s*<!\[CDATA\[", r"\]\]>\s*</record>", re.IGNORECASE)


_TOTAL_RECORD = re.compile(r"<totalrecord>\s*+(\d++)\s*+</totalrecord>", re.IGNORECASE)


_TOTAL_PAGE = re.compile(r"<totalpage>\s*+(\d++)\s*+</totalpage>", re.IGNORECASE)


_NEXTGROUP = _Closed(r"<nextgroup>\s*<!\[CDATA\[", r"\]\]>", re.IGNORECASE)


_HREF = re.compile(r"href\s*=\s*['\"]([^'\"]+)['\"]", re.IGNORECASE)


_JPAGE_INIT = _Closed(r"\.jpage\(\s*\{", r"\}\s*\)", 0)


_JS_NUMBER = re.compile(r"\b(totalRecord|perPage|groupSize|totalPage)\s*:\s*['\"]?(\d+)")


_JS_PROXY = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]")


_JS_AJAX_PARAM = _Closed(r"\bajaxParam\s*:\s*\{", r"\}", 0)


# Keys are tried only where a word starts (quadratic over a long word otherwise).
_JS_PAIR = re.compile(r"(?<!\w)(\w++)\s*+:\s*+(?:'([^']*+)'|\"([^\"]*+)\"|([\w.\-]++))")


_DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


@dataclass(frozen=True, slots=True)
class DataproxyPage:
    """One ``dataproxy.jsp`` XML response (or the datastore embedded in a column page)."""

    items: tuple[ColumnItem, ...]
    total_records: int | None
    total_pages: int | None
    next_url: str | None  # the nextgroup link, absolute
    limited: str = ""  # why records were left out (see ListingFacts.limited); "" when none were


@dataclass(frozen=True, slots=True)
class DataproxyRequest:
    """A POST a crawler sends to read records ``start``..``end`` of a Hanweb column."""

    url: str  # absolute, with startrecord/endrecord/perpage in the query
    form: tuple[tuple[str, str], ...]  # application/x-www-form-urlencoded body fields
    start: int
    end: int

    @property
    def body(self) -> str:
        return urlencode(self.form)


# Records read per page or dataproxy answer. jpage embeds a few pages' worth (perPage ×
# groupSize, typically 15-60); some sites embed a whole column, rarely more than a few thousand.
_MAX_RECORDS = 5000


def _records_to_items(records: list[str], base: PageBase, today: date) -> tuple[list[ColumnItem], str]:
    """The items of Hanweb records, and why some were left out ("" when none were)."""
    if not records:
        return [], ""
    limited = ""
    if len(records) > _MAX_RECORDS:
        limited = f"记录过多（{len(records)} 条），只读取了前 {_MAX_RECORDS} 条"
        records = records[:_MAX_RECORDS]
    # One parse for all records: each CDATA holds an <li> (or <tr>) fragment. The records come
    # from the server like any page, so their markup is bounded like a page's.
    fragment, cut = bound_markup("".join(f"<div data-record>{record}</div>" for record in records))
    if cut:
        limited = "；".join(filter(None, [limited, f"记录{cut}"]))
    doc = LexborHTMLParser(f"<html><body>{fragment}</body></html>")
    items: list[ColumnItem] = []
    budget = [ITEMS_BUDGET]
    for row in doc.css("div[data-record]"):
        if budget[0] <= 0:
            limited = "；".join(filter(None, [limited, ITEMS_CUT]))
            break
        anchors = [a for a in row.css("a") if a.text(strip=True) or a.attributes.get("title")]
        main = max(anchors, key=lambda a: len(a.text(strip=True))) if anchors else None
        item = row_item(row, main, base, today, budget)
        if item is not None:
            items.append(item)
    return items, limited


def embedded_items(html_text: str, base: PageBase, today: date) -> tuple[list[ColumnItem], str]:
    """The items of the records a jpage page embeds in its ``<datastore>`` blocks."""
    stores = "".join(_DATASTORE.findall(html_text))
    return _records_to_items(_RECORD.findall(stores), base, today)


def parse_dataproxy_xml(text: str, base_url: str, today: date, *, encoding: str = "utf-8") -> DataproxyPage:
    """Items and totals of a Hanweb jpage XML (a dataproxy.jsp response or an embedded datastore).

    ``encoding`` is that of the page the records are shown on, which their links' queries follow.
    """
    base = PageBase(base_url, encoding)
    records = _RECORD.findall(text)
    total_records = _TOTAL_RECORD.search(text)
    total_pages = _TOTAL_PAGE.search(text)
    next_url: str | None = None
    nextgroup = _NEXTGROUP.search(text)
    if nextgroup:
        href = _HREF.search(nextgroup.group(1))
        if href:
            next_url = base.resolve(href.group(1).replace("&amp;", "&"))
    items, limited = _records_to_items(records, base, today)
    return DataproxyPage(
        items=tuple(items),
        total_records=count_value(total_records.group(1)) if total_records else None,
        total_pages=count_value(total_pages.group(1)) if total_pages else None,
        next_url=next_url,
        limited=limited,
    )


@dataclass(frozen=True, slots=True)
class _Jpage:
    stores: int  # <datastore> blocks in the page
    records: int
    total_records: int | None
    total_pages: int | None
    per_page: int | None
    group_size: int | None
    proxy: str | None
    params: dict[str, str]
    next_href: str | None


def read_jpage(html_text: str) -> _Jpage | None:
    stores = _DATASTORE.findall(html_text)
    init = _JPAGE_INIT.search(html_text)
    if not stores and not init:
        return None
    records = sum(len(_RECORD.findall(store)) for store in stores)
    total_records: int | None = None
    total_pages: int | None = None
    next_href: str | None = None
    for store in stores:
        if total_records is None and (found := _TOTAL_RECORD.search(store)):
            total_records = count_value(found.group(1))
        if total_pages is None and (found := _TOTAL_PAGE.search(store)):
            total_pages = count_value(found.group(1))
        if (
            next_href is None
            and (group := _NEXTGROUP.search(store))
            and (href := _HREF.search(group.group(1)))
        ):
            next_href = href.group(1).replace("&amp;", "&")
    numbers: dict[str, int] = {}
    proxy: str | None = None
    params: dict[str, str] = {}
    if init:
        body = init.group(1)
        numbers = {
            key: number
            for key, value in _JS_NUMBER.findall(body)
            if (number := count_value(value)) is not None
        }
        if found_proxy := _JS_PROXY.search(body):
            proxy = found_proxy.group(1)
        if ajax := _JS_AJAX_PARAM.search(body):
            for key, quoted1, quoted2, bare in _JS_PAIR.findall(ajax.group(1)):
                params[key] = quoted1 or quoted2 or bare
    if total_records is None and "totalRecord" in numbers:
        total_records = numbers["totalRecord"]
    if total_pages is None and "totalPage" in numbers:
        total_pages = numbers["totalPage"]
    if next_href:
        query = dict(parse_qsl(urlsplit(next_href).query, keep_blank_values=True))
        for key in ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype"):
            if key in query and key not in params:
                params[key] = query[key]
    return _Jpage(
        stores=len(stores),
        records=records,
        total_records=total_records,
        total_pages=total_pages,
        per_page=numbers.get("perPage"),
        group_size=numbers.get("groupSize"),
        proxy=proxy,
        params=params,
        next_href=next_href,
    )


def dataproxy_requests(
    html_text: str,
    page_url: str,
    *,
    total_records: int | None = None,
    per_page: int | None = None,
    batch: int | None = None,
    max_requests: int = 200,
) -> tuple[DataproxyRequest, ...]:
    """The POSTs that fetch a Hanweb column's records beyond those embedded in its page.

    ``columnid``/``unitid``/``webid`` come from the jpage init script's ``ajaxParam`` or, failing
    that, from the ``nextgroup`` link. When the record count is unknown (neither ``totalrecord``
    nor ``totalRecord:`` on the page and no ``total_records`` given) only the next batch is
    requested; its XML response carries ``totalrecord`` for a second call.
    """
    info = read_jpage(html_text)
    if info is None or not (info.params.get("columnid") or info.next_href):
        return ()
    total = total_records if total_records is not None else info.total_records
    size = per_page or info.per_page or 15
    # jpage fetches groupSize pages per request; matching it keeps requests few and natural.
    step = batch or size * (info.group_size or 3)
    if info.proxy:
        proxy = info.proxy
    elif info.next_href and "dataproxy" in urlsplit(info.next_href).path:
        proxy = urlsplit(info.next_href).path
    else:
        proxy = _DEFAULT_PROXY
    resolved = resolve(page_url, proxy)
    if resolved is None:
        return ()
    endpoint = urlsplit(resolved)
    form: list[tuple[str, str]] = [
        ("col", info.params.get("col", "1")),
        ("appid", info.params.get("appid", "1")),
    ]
    for key in ("webid", "path", "columnid", "unitid", "webname"):
        if key in info.params:
            form.append((key, info.params[key]))
    form.append(("sourceContentType", info.params.get("sourceContentType", "1")))
    form.append(("permissiontype", info.params.get("permissiontype", "0")))
    start = info.records + 1
    requests: list[DataproxyRequest] = []
    while len(requests) < max_requests and (total is None or start <= total):
        end = start + step - 1 if total is None else min(start + step - 1, total)
        query = urlencode([("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(size))])
        url = urlunsplit((endpoint.scheme, endpoint.netloc, endpoint.path, query, ""))
        requests.append(DataproxyRequest(url, tuple(form), start, end))
        if total is None:
            break
        start = end + 1
    return tuple(requests)
