"""The ``createPageHTML`` pager calls found on portals, each read into the further list pages.

The forms come from public crawler code for Chinese portals (TRS WCM, TRS 海云 and the 湖北 /
景德镇 variant); the ones already covered by tests/extract/test_columns.py are not repeated.
"""

from __future__ import annotations

from datetime import date

import pytest

from sitecheck.extract.listing import read_script_pager
from sitecheck.extract.listing.dom import PageBase
from sitecheck.extract.page import PageInput, analyse_page

DIR = "http://www.example.gov.cn/zwgk/tzgg/"


def pager(call: str, page: str = "index.html") -> tuple[tuple[str, ...], int | None, int | None]:
    found = read_script_pager(f"<script>{call}</script>", PageBase(DIR + page, "utf-8"), 200)
    assert found is not None, call
    return found.urls, found.total_pages, found.total_records


def pages(*names: str) -> tuple[str, ...]:
    return tuple(DIR + name for name in names)


def test_haiyun_form_with_current_page_zero_counts_from_zero() -> None:
    # Element id first, record count last, current page 0: a page "0" exists only when pages are
    # counted from 0, so the further pages are index_1 and index_2 (the old reading took the
    # 1-based 海云 numbering: the page itself, then index_2 and a non-existent index_3).
    assert pager('createPageHTML("page_div", 3, 0, "index", "html", 50)') == (
        pages("index_1.html", "index_2.html"),
        3,
        50,
    )


def test_haiyun_form_on_the_second_page_of_a_zero_based_list() -> None:
    # index_1.html calling itself page 1 counts from 0: its siblings are index and index_2.
    assert pager("createPageHTML('page_div', 3, 1, 'index', 'html', 50);", "index_1.html") == (
        pages("index.html", "index_2.html"),
        3,
        50,
    )


def test_haiyun_paging_element_counts_from_one() -> None:
    # 湖南人社厅: createPageHTML('paging', total, current, 'index', 'html', count); its page.js
    # names page 2 index_2.html and the last page index_25.html.
    urls, total_pages, total_records = pager("createPageHTML('paging',25,1,'index','html',500);")
    assert urls == pages(*(f"index_{k}.html" for k in range(2, 26)))
    assert (total_pages, total_records) == (25, 500)
    # The last page links back to the bare first page.
    urls, _, _ = pager("createPageHTML('paging',25,25,'index','html',500);", "index_25.html")
    assert urls == pages("index.html", *(f"index_{k}.html" for k in range(2, 25)))


def test_classic_form_with_style_and_record_count() -> None:
    # 湖北 / 景德镇: createPageHTML(total, current, "index", "shtml", "black2", count), counted
    # from 0. The record count after the style argument was not read before.
    assert pager('createPageHTML(7,0,"index","shtml","black2",136);') == (
        pages(*(f"index_{i}.shtml" for i in range(1, 7))),
        7,
        136,
    )


def test_classic_form_calling_the_bare_page_one_counts_from_one() -> None:
    # The bare index.html calls itself page 1 only when pages are counted from 1; read as
    # 0-based, the page's own URL came back as a further page and index_3 went missing.
    assert pager('createPageHTML(3, 1, "index", "html");') == (
        pages("index_2.html", "index_3.html"),
        3,
        None,
    )


@pytest.mark.parametrize(
    "call",
    [
        'createPageHTML(3, 0, "index", "htm")',
        "createPageHTML(3,0,'index','htm');",
        "createPageHTML(\n\t3,\n\t0,\n\t'index',\n\t'htm'\n);",
    ],
)
def test_classic_form_quotes_and_spacing(call: str) -> None:
    assert pager(call) == (pages("index_1.htm", "index_2.htm"), 3, None)


def test_unrendered_and_ajax_calls_are_not_pagers() -> None:
    base = PageBase(DIR + "index.html", "utf-8")
    for call in (
        'createPageHTML(${PAGE_COUNT}, ${PAGE_INDEX}, "${PAGE_NAME}", "${PAGE_EXT}")',  # template
        "createPageHTML(result.total_page, page_num, type);",  # a search page's Ajax pager
        "function createPageHTML(divName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nPageSum) {}",
    ):
        assert read_script_pager(f"<script>{call}</script>", base, 200) is None, call


def test_gbk_page_with_haiyun_pager() -> None:
    # A GBK page goes through the same decoding as a crawled one (analyse_page, as the crawl's
    # reader calls it); the column analysis reads the pager from the decoded text, with the
    # page's encoding for the URLs it builds.
    html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>通知公告_某某县人民政府</title></head><body><ul class="list">
<li><a href="./202512/t20251220_2001.html">关于2026年元旦放假安排的通知</a><span>2025-12-20</span></li>
<li><a href="./202512/t20251201_2002.html">关于开展安全生产大检查的通知</a><span>2025-12-01</span></li>
<li><a href="./202511/t20251115_2003.html">关于征求意见的公告</a><span>2025-11-15</span></li>
</ul><div id="page_div"></div>
<script>createPageHTML("page_div", 3, 0, "index", "html", 50);</script></body></html>"""
    body = html.encode("gbk")
    output = analyse_page(
        PageInput(
            body=body,
            url=DIR + "index.html",
            charset=None,
            is_home=False,
            observed_on=date(2026, 1, 10),
            soft404_phrases=(),
            short_page_chars=0,
        )
    )
    assert output.facts.encoding in ("gb18030", "gbk", "gb2312")
    listing = output.listing
    assert listing is not None and listing.is_listing
    assert listing.items[0].title == "关于2026年元旦放假安排的通知"
    assert listing.pagination == pages("index_1.html", "index_2.html")
    assert (listing.total_pages, listing.total_records) == (3, 50)


@pytest.mark.parametrize(
    ("base", "name", "ext"),
    [
        (DIR + "index.html", "index", "html"),
        (DIR + "index_7.shtml", "index", "shtml"),
        ("http://www.example.gov.cn/a/./b/../list.htm?sid=3", "list", "htm"),  # dot segments, a query
        ("http://WWW.Example.gov.cn:80/zwgk/", "index", "html"),  # the host and port as written
        (DIR + "index.html", "列表", "html"),  # spelt with escapes: each page resolved
        (DIR + "index.html", "new list", "html"),
        (DIR + "index.html", "a%2Fb", "htm"),
        (DIR + "index.html", "index#top", "html"),  # a fragment: cut from every page's URL
        (DIR + "index.html", "../up/index", "html"),
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_pager_urls_spelt_from_one_resolution_match_resolving_each(
    base: str, name: str, ext: str, encoding: str
) -> None:
    # A column's list pages each name all the others: they are spelt from the first one's
    # resolution (pagination._numbered_directory), which must give what resolving each gives.
    from sitecheck.extract.listing.pagination import _page_urls

    page_base = PageBase(base, encoding)
    resolved = (page_base.resolve(f"{name}.{ext}" if k == 0 else f"{name}_{k}.{ext}") for k in range(60) if k != 3)
    expected = tuple(url for url in resolved if url is not None)
    assert _page_urls(name, ext, range(60), 0, 3, page_base, 200) == expected
    assert _page_urls(name, ext, range(60), 0, 3, page_base, 5) == expected[:5]
