"""Pages built to make the analysis slow or huge: the work per page stays bounded, and whatever
was left out is said (``limited``), never silent.

Pure functions over page bytes, except one loopback test of the reader. No assertion here is on
time: the timeouts only turn a hang into a failure (the unbounded code took from tens of
seconds to hours, or gigabytes, on these inputs).
"""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import CORPUS
from scripted_server import Reply, ScriptedServer
from sitecheck.config import AuditConfig
from sitecheck.crawl.reader import LocalReader, PageRead
from sitecheck.demo.portal import Portal
from sitecheck.extract import bound_markup, read_page
from sitecheck.extract.links import extract_links
from sitecheck.extract.listing import (
    analyse_listing,
    dataproxy_requests,
    pagination_urls,
    parse_dataproxy_xml,
)
from sitecheck.extract.page import PageInput, PageOutput, analyse_page
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.models import ListingFacts

TODAY = date(2024, 5, 1)
PAGE = "http://www.example.gov.cn/col/index.html"


def analyse(html: str, url: str = PAGE) -> PageOutput:
    return analyse_page(PageInput(html.encode(), url, "utf-8", False, TODAY, ("页面不存在",), 200))


def listing_of(html: str) -> ListingFacts:
    """Column facts of ``html`` parsed as it is (no markup bound): the column code on its own."""
    return analyse_listing(LexborHTMLParser(html), PAGE, html, today=TODAY)


# ---------------------------------------------------------------------------------------------
# Pager numbers taken from the page


BILLION = 1_000_000_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "script",
    [
        f'createPageHTML({BILLION}, 0, "index", "html");',
        f"createPageHTML('page_div', {BILLION}, 1, 'xlist', 'shtml', 189);",
        f'var currentPage = 0; var countPage = {BILLION}; document.write("index" + "_" + ".html");',
    ],
)
def test_a_script_pager_of_a_billion_pages_builds_only_max_pages(script: str) -> None:
    html = (
        '<html><body><ul><li><a href="a.html">关于开展专项检查的通知</a><span>2024-01-01</span></li></ul>'
        f"<script>{script}</script></body></html>"
    )
    facts = listing_of(html)
    assert facts.total_pages == BILLION  # the page's number, whatever its size
    assert len(facts.pagination) == 200  # the caller's cap, never more
    assert facts.pagination[0].startswith("http://www.example.gov.cn/col/")
    assert len(pagination_urls(LexborHTMLParser(html), PAGE, html, max_pages=7)) == 7


@pytest.mark.timeout(30)
def test_a_last_page_link_to_page_a_billion_builds_only_max_pages() -> None:
    html = (
        '<html><body><div class="page"><a href="index_1.html">下一页</a>'
        f'<a href="index_{BILLION}.html">尾页</a></div></body></html>'
    )
    facts = listing_of(html)
    assert facts.total_pages == BILLION + 1  # index_1 is page 2: 0-based numbering
    assert len(facts.pagination) == 200
    assert facts.pagination[:2] == (
        "http://www.example.gov.cn/col/index_1.html",
        "http://www.example.gov.cn/col/index_2.html",
    )


def test_a_count_too_long_to_be_one_is_no_count() -> None:
    # int() refuses strings of over 4,300 digits; the page must not be able to raise.
    digits = "9" * 5000
    html = (
        f'<html><body><p>共{digits}页 共{digits}条</p><script>createPageHTML({digits}, 0, "index", "html");'
        f"</script></body></html>"
    )
    facts = listing_of(html)
    assert facts.total_pages is None and facts.total_records is None and facts.pagination == ()
    page = parse_dataproxy_xml(
        f"<datastore><totalrecord>{digits}</totalrecord><totalpage>{digits}</totalpage></datastore>",
        PAGE,
        TODAY,
    )
    assert page.total_records is None and page.total_pages is None


# ---------------------------------------------------------------------------------------------
# Regular expressions over page text: linear on long runs and unclosed openers


@pytest.mark.timeout(60)
def test_unclosed_hanweb_markup_is_read_in_linear_time() -> None:
    # A lazy "(.*?)closer" scans to the end from every opener whose closer never comes.
    records = "<record><![CDATA[<li>x</li>" * 60_000
    page = parse_dataproxy_xml(records + "<nextgroup><![CDATA[" * 60_000, PAGE, TODAY)
    assert page.items == () and page.next_url is None
    html = (
        '<script src="/module/web/jpage/jpage.js"></script>'
        + "<datastore>" * 60_000
        + "$('#a').jpage({" * 60_000
        + "ajaxParam: {" * 60_000
    )
    assert dataproxy_requests(html, PAGE) == ()
    # …and what closes is still found after the unclosed ones.
    page = parse_dataproxy_xml(
        "<record><![CDATA[" * 1000
        + '<record><![CDATA[<li><a href="/art/1.html">关于开展检查的通知</a><span>2024-01-02</span></li>]]></record>',
        PAGE,
        TODAY,
    )
    assert [item.url for item in page.items] == ["http://www.example.gov.cn/art/1.html"]


@pytest.mark.timeout(60)
def test_long_runs_of_digits_blanks_and_hex_in_a_page_are_read_in_linear_time() -> None:
    run = 200_000
    html = (
        "<html><body>"
        f"<p>{'1' * run}</p>"  # 共N页 / N/M页 totals
        f'<div class="position">首页{" " * run}x</div>'  # breadcrumb separators
        '<ul class="list">'
        + "".join(
            f'<li><a href="/a/{"f" * 20_000}{i}">关于开展第{i}次检查的通知</a></li>'  # document-like hrefs
            for i in range(10)
        )
        + "</ul>"
        f'<div class="page"><a href="index_1.html">下一页</a><a href="index_{"1" * 50_000}x.html">尾页</a></div>'
        "</body></html>"
    )
    facts = listing_of(html)
    assert facts.total_pages is None
    assert facts.pagination == (
        "http://www.example.gov.cn/col/index_1.html",
        f"http://www.example.gov.cn/col/index_{'1' * 50_000}x.html",
    )


# ---------------------------------------------------------------------------------------------
# Markup whose parsing is not linear


@pytest.mark.timeout(60)
@pytest.mark.parametrize("levels", [100_000, 200_000])
def test_deeply_nested_markup_is_cut_and_the_cut_is_said(levels: int) -> None:
    html = (
        '<html><head><title>深</title></head><body><a href="/before.html">之前的链接</a>'
        + "<div>" * levels
        + '<a href="/inside.html">里面的链接</a></body></html>'
    )
    out = analyse(html)
    assert "嵌套过深" in out.limited and f"共 {len(html)} 个" in out.limited
    assert out.facts.title == "深"
    assert [link.url for link in out.facts.links] == ["http://www.example.gov.cn/before.html"]
    assert len(out.facts.html) < 10_000  # what was parsed: the part before the cut


@pytest.mark.timeout(60)
def test_unclosed_formatting_tags_do_not_multiply_elements() -> None:
    # Each <p> re-opens every <font> left open before it: n² elements (3,000: a million).
    html = "<html><body>" + "".join(f"<p><font color=c{i}>x" for i in range(3000)) + "</body></html>"
    page = read_page(html.encode(), PAGE, "utf-8")
    assert page.limited
    assert len(page.tree.css("font")) < 200_000


@pytest.mark.timeout(60)
def test_a_select_of_twenty_thousand_options_is_cut() -> None:
    options = "".join(f'<option value="{i}">第{i}项' for i in range(20_000))
    out = analyse(f"<html><body><select>{options}</select></body></html>")
    assert "下拉框选项过多" in out.limited
    assert out.facts.html.count("<option") < 20_000


@pytest.mark.timeout(60)
def test_a_page_of_more_tags_than_the_cap_is_cut() -> None:
    html = "<html><body>" + '<p><a href="/a.html">链接</a></p>' * 40_000 + "</body></html>"
    out = analyse(html)
    assert "标签过多" in out.limited
    assert len(out.facts.html) < len(html)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "opener",
    ['<a href="/x.html">', "<section onclick=\"location='/y.html'\">"],
    ids=["svg-links", "onclick-blocks"],
)
def test_links_nested_in_links_take_work_bounded_by_the_page(opener: str) -> None:
    # <a> nests inside <svg>, onclick elements wrap one another: the text of each is the rest
    # of the page (1,999 × 4 MB) unless the link texts are bounded.
    html = "<html><body><svg>" + opener * 1999 + "字" * 4_000_000 + "</svg></body></html>"
    out = analyse(html)
    assert len(out.facts.links) == 1999


@pytest.mark.timeout(60)
def test_walks_up_a_deep_tree_cost_its_size() -> None:
    # Parsed as it is (no markup bound): the column and link code alone on 12,000 levels with
    # 12,000 chrome blocks and placeholder links at the bottom.
    levels = 12_000
    html = (
        "<html><body>"
        + "<div>" * levels
        + '<div class="nav">暂无信息</div>' * levels
        + '<p><a href="#">建设中</a></p>' * levels
        + "</body></html>"
    )
    tree = LexborHTMLParser(html)
    facts = analyse_listing(tree, PAGE, html, today=TODAY)
    assert facts.placeholder is None  # the placeholders are all in site chrome
    links = extract_links(tree, PAGE, "utf-8")
    assert len(links) == levels


def _portal_pages() -> list[tuple[str, bytes]]:
    portal = Portal(pages=150, seed=7, today=TODAY)
    pages = []
    for url in sorted(portal.page_urls):
        parts = urlsplit(url)
        reply = portal.get(parts.path, parts.query)
        if reply.status == 200 and reply.content_type.startswith("text/html"):
            pages.append((url, reply.body))
    return pages


def test_real_and_demo_pages_are_analysed_whole() -> None:
    pages = _portal_pages() + [(PAGE, path.read_bytes()) for path in sorted(CORPUS.glob("*.htm*"))]
    assert len(pages) > 100
    for url, body in pages:
        out = analyse_page(PageInput(body, url, None, urlsplit(url).path == "/", TODAY, ("页面不存在",), 200))
        assert out.limited == "", url


@pytest.mark.timeout(60)
def test_big_sloppy_pages_are_not_cut() -> None:
    # Markup old portals really write, many times over: unclosed <p>, <li>, <td> and <font>,
    # formatting tags closed out of order. Tens of thousands of tags, nothing hostile.
    cells = "".join(
        f"<tr><td><font size=2>{i}<td><font color=red>第{i}行<td><b>粗<i>斜</b></i>" for i in range(3000)
    )
    paragraphs = "".join(f"<p><font face=宋体>第{i}段<br>" for i in range(3000))
    items = (
        "<ul>"
        + "".join(f'<li><a href="/a/{i}.html">条目{i}</a><span>2024-01-01' for i in range(3000))
        + "</ul>"
    )
    html = f"<html><body><table>{cells}</table>{paragraphs}{items}</body></html>"
    assert html.count("<") > 8000  # beyond the quick checks: the full scan reads it
    text, reason = bound_markup(html)
    assert reason == "" and text == html


# ---------------------------------------------------------------------------------------------
# Column analysis caps


@pytest.mark.timeout(60)
def test_a_list_of_more_links_than_the_cap_is_read_up_to_it_and_says_so() -> None:
    rows = "".join(
        f'<li><a href="/art/2024/{i}.html">关于第{i}号通知的公告</a><span>2024-01-{i % 28 + 1:02d}</span></li>'
        for i in range(4000)
    )
    out = analyse(f"<html><body><ul>{rows}</ul></body></html>")
    assert out.listing is not None and out.listing.is_listing
    assert "链接过多（4000 个）" in out.listing.limited
    assert out.listing.limited in out.limited
    assert 0 < len(out.listing.items) <= 3000
    assert len(out.facts.links) == 4000  # every link is still checked


def test_a_dataproxy_answer_of_too_many_records_is_read_up_to_the_cap_and_says_so() -> None:
    record = '<record><![CDATA[<li><a href="/art/{0}.html">关于第{0}号通知</a><span>2024-01-02</span></li>]]></record>'
    xml = (
        "<datastore><recordset>" + "".join(record.format(i) for i in range(6000)) + "</recordset></datastore>"
    )
    page = parse_dataproxy_xml(xml, PAGE, TODAY)
    assert len(page.items) == 5000
    assert "记录过多（6000 条）" in page.limited


# ---------------------------------------------------------------------------------------------
# The reader hands the note to the engine


@pytest.mark.timeout(120)
def test_the_reader_passes_on_what_was_left_out() -> None:
    deep = (
        '<html><head><title>深</title></head><body><a href="/ok.html">正常链接</a>'
        + "<div>" * 100_000
        + "</body></html>"
    )
    normal = '<html><head><title>正常</title></head><body><a href="/deep.html">深页</a></body></html>'
    routes = {"/deep.html": [Reply(body=deep.encode())], "/ok.html": [Reply(body=normal.encode())]}
    with ScriptedServer(routes) as server:
        config = AuditConfig().replace("site", start_url=server.base_url + "/")
        config = config.replace("politeness", min_interval=0.0).replace("fetch", timeout=5.0, retries=0)

        async def read() -> tuple[PageRead, PageRead]:
            async with build_client(config) as client:
                fetcher = Fetcher(client, FetchPolicy.from_config(config), HostLimiter(4, 0.0))
                reader = LocalReader(fetcher, config, TODAY)
                return (
                    await reader.page(server.base_url + "/deep.html", is_home=False),
                    await reader.page(server.base_url + "/ok.html", is_home=False),
                )

        deep_read, normal_read = asyncio.run(read())
    assert deep_read.analysis is not None and normal_read.analysis is not None
    assert "嵌套过深" in deep_read.analysis.limited
    assert [link.url for link in deep_read.analysis.facts.links] == [server.base_url + "/ok.html"]
    assert normal_read.analysis.limited == ""
