"""Pure URL functions: browser-style resolution, dedup keys, scope, trap guards, resources."""

from __future__ import annotations

import datetime as dt

import pytest

from sitecheck.urls import (
    _PLAIN_CANONICAL_RE,
    Scope,
    _normalised,
    canonical,
    host_key,
    is_resource,
    literal_host_is_private,
    resolve,
    rooted,
    scheme_of,
    trap_reason,
)

PAGE = "http://www.example.gov.cn/zwgk/tzgg/index.html"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("t20240101_1.html", "http://www.example.gov.cn/zwgk/tzgg/t20240101_1.html"),
        ("../../index.html", "http://www.example.gov.cn/index.html"),
        ("../../../../../x.html", "http://www.example.gov.cn/x.html"),
        ("/col/col1/index.html", "http://www.example.gov.cn/col/col1/index.html"),
        ("//www.gov.cn/", "http://www.gov.cn/"),
        ("?page=2", "http://www.example.gov.cn/zwgk/tzgg/index.html?page=2"),
        ("index_1.html#list", "http://www.example.gov.cn/zwgk/tzgg/index_1.html"),
        ("#top", PAGE),
        ("", PAGE),
        # whitespace and line breaks inside hrefs, as CMS templates write them
        ("  \n ./content/\npost_1\r\n.html \t", "http://www.example.gov.cn/zwgk/tzgg/content/post_1.html"),
        # ... but spaces inside are kept (and break the link in a browser too)
        ("./content/\n  post_1.html", "http://www.example.gov.cn/zwgk/tzgg/content/%20%20post_1.html"),
        ("/a b.html", "http://www.example.gov.cn/a%20b.html"),
        # IE-era backslashes
        ("..\\images\\logo.gif", "http://www.example.gov.cn/zwgk/images/logo.gif"),
        # case and default ports, host-only URLs get "/"
        ("HTTPS://WWW.GOV.CN", "https://www.gov.cn/"),
        ("http://www.gov.cn:80/a", "http://www.gov.cn/a"),
        ("https://www.gov.cn:8443/a", "https://www.gov.cn:8443/a"),
        ("http://www.gov.cn?x=1", "http://www.gov.cn/?x=1"),
        # WHATWG special-scheme forms
        ("http:/www.gov.cn/a", "http://www.gov.cn/a"),
        ("http:content.html", "http://www.example.gov.cn/zwgk/tzgg/content.html"),
        ("https:www.gov.cn", "https://www.gov.cn/"),
        # dot segments in absolute URLs are removed as a browser does
        ("http://www.gov.cn/a/../b/./c.html", "http://www.gov.cn/b/c.html"),
        # IDNA
        ("http://例子.中国/", "http://xn--fsqu00a.xn--fiqs8s/"),
    ],
)
def test_resolve(href: str, expected: str) -> None:
    assert resolve(PAGE, href) == expected


@pytest.mark.parametrize(
    "href",
    [
        "mailto:ban@example.gov.cn",
        "tel:12345",
        "javascript:void(0)",
        "data:image/png;base64,AAAA",
        "chrome-extension://abc/x.js",
        "about:blank",
        "file:///C:/Users/x.doc",
        "ftp://ftp.example.gov.cn/a",
        "http://",
        "http://www.gov.cn:99999/",
        "http://www.gov.cn:65536/",
        "http://www.gov.cn:0/",  # nothing can be connected to on port 0
        "http://www.gov.cn:00/",
        "http://[::1]:0/",
        "http://:8080/a",  # no host
        "http://user@/a",
        "http://www.gov.cn:8o/",
        "http://www gov.cn/",
    ],
)
def test_resolve_refuses_non_http_and_unrequestable(href: str) -> None:
    assert resolve(PAGE, href) is None


def test_query_in_page_encoding_path_in_utf8() -> None:
    # A browser on a GBK page sends the query in GBK but the path in UTF-8.
    assert (
        resolve(PAGE, "/新闻/search.jsp?kw=公告", "gb18030")
        == "http://www.example.gov.cn/%E6%96%B0%E9%97%BB/search.jsp?kw=%B9%AB%B8%E6"
    )
    assert resolve(PAGE, "/新闻/search.jsp?kw=公告") == (
        "http://www.example.gov.cn/%E6%96%B0%E9%97%BB/search.jsp?kw=%E5%85%AC%E5%91%8A"
    )
    # Already-encoded URLs are left alone, including malformed escapes.
    assert resolve(PAGE, "/a%2Fb?x=%B9%AB&y=100%") == "http://www.example.gov.cn/a%2Fb?x=%B9%AB&y=100%"


def test_query_characters_the_encoding_cannot_spell_fall_back_to_utf8() -> None:
    assert resolve(PAGE, "/s?q=€", "cp1252") == "http://www.example.gov.cn/s?q=%80"
    assert resolve(PAGE, "/s?q=中", "cp1252") == "http://www.example.gov.cn/s?q=%E4%B8%AD"


@pytest.mark.parametrize(
    ("directory", "href", "expected"),
    [
        # The template links of pages in different folders come to one path each: one resolution.
        ("/gzdt/201911/", "../../xxgk/index.html", "/xxgk/index.html"),
        ("/zcwj/202001/", "../../xxgk/index.html", "/xxgk/index.html"),
        ("/xxgk/", "./index.html", "/xxgk/index.html"),
        ("/gzdt/201911/", "../../", "/"),
        ("/", "../../css/a.css", "/css/a.css"),
        ("/gzdt/", "./201911/t20191125_1.html#top", "/gzdt/201911/t20191125_1.html"),
        ("/gzdt/", "search.jsp?kw=../公告#x", "/gzdt/search.jsp?kw=../公告"),
        # What it does not handle goes to the page's own resolution.
        ("/a/", "..\\img\\logo.png", None),
        ("//x/", "../y.html", None),  # "//y.html" would name a host
    ],
)
def test_rooted_joins_a_relative_path_to_the_path_resolve_gives(
    directory: str, href: str, expected: str | None
) -> None:
    assert rooted(directory, href) == expected
    if expected is not None:
        page = "http://www.example.gov.cn" + directory + "p.html?id=1"
        assert resolve("http://www.example.gov.cn/", expected) == resolve(page, href)


@pytest.mark.parametrize(
    ("href", "scheme"),
    [("JavaScript:;", "javascript"), (" mailto:x", "mailto"), ("/a:b", ""), ("a.html", ""), ("//x", "")],
)
def test_scheme_of(href: str, scheme: str) -> None:
    assert scheme_of(href) == scheme


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://WWW.Example.GOV.CN:80", "http://www.example.gov.cn/"),
        ("https://www.example.gov.cn:443/a", "https://www.example.gov.cn/a"),
        ("http://www.example.gov.cn:8080/a", "http://www.example.gov.cn:8080/a"),
        ("http://x.gov.cn/a/./b/../c/", "http://x.gov.cn/a/c/"),
        ("http://x.gov.cn/../../a", "http://x.gov.cn/a"),
        ("http://x.gov.cn/a/b/..", "http://x.gov.cn/a/"),
        ("http://x.gov.cn/%7euser/%41%2f%2Fb%e5", "http://x.gov.cn/~user/A%2F%2Fb%E5"),
        ("http://x.gov.cn/a#section", "http://x.gov.cn/a"),
        ("http://x.gov.cn/a?", "http://x.gov.cn/a"),
        ("http://x.gov.cn/list.do;jsessionid=0A1B2C?id=3", "http://x.gov.cn/list.do?id=3"),
        ("http://x.gov.cn/list.do;JSESSIONID=0A1B2C", "http://x.gov.cn/list.do"),
        ("http://x.gov.cn/a?b=2&a=1", "http://x.gov.cn/a?b=2&a=1"),
        (
            "http://x.gov.cn/a?JSESSIONID=1&id=3&PHPSESSID=2&ASPSESSIONIDQQBSDT=3&sid=7",
            "http://x.gov.cn/a?id=3&sid=7",
        ),
        ("http://x.gov.cn/a?jsessionid=1", "http://x.gov.cn/a"),
        ("http://例子.中国/新闻/", "http://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB/"),
        ("http://[::1]:80/a", "http://[::1]/a"),
        # written as a CMS writes them, but not in canonical form
        ("http://x.gov.cn:80/a", "http://x.gov.cn/a"),
        ("https://x.gov.cn:443/a?q=1", "https://x.gov.cn/a?q=1"),
        ("http://x.gov.cn/a/./b/../c", "http://x.gov.cn/a/c"),
        ("http://x.gov.cn/a?sessionid=1&b=2", "http://x.gov.cn/a?b=2"),
        ("http://x.gov.cn/a?b=2&aspsessionidqq=1", "http://x.gov.cn/a?b=2"),
    ],
)
def test_canonical(url: str, key: str) -> None:
    assert canonical(url) == key


def test_canonical_shortcut_agrees_with_the_full_normalisation() -> None:
    # canonical() returns URLs already in canonical form as they are: for every spelling of
    # these, it must say what the full normalisation says.
    heads = [
        "http://x.gov.cn",
        "https://x.gov.cn",
        "http://X.gov.cn",
        "http://x.gov.cn:80",
        "https://x.gov.cn:443",
        "http://x.gov.cn:8080",
        "http://x.gov.cn:080",
        "http://x.gov.cn.",
        "HTTP://x.gov.cn",
        "http://a@x.gov.cn",
    ]
    paths = [
        "",
        "/",
        "/a/b.html",
        "/a/./b",
        "/a/../b",
        "/a/.",
        "/.well-known/x",
        "/a;jsessionid=1",
        "/%7Ea",
        "/a%2Fb",
        "/~a/(1)",
        "/a:b@c",
        "/新闻/",
        "/a b",
    ]
    queries = [
        "",
        "?",
        "?a=1",
        "?a=1&&b=2",
        "?JSESSIONID=1",
        "?a=1&phpsessid=2",
        "?sess=1",
        "?a=%41",
        "?a=1?b",
        "?x=sessionid",
    ]
    urls = [h + p + q + f for h in heads for p in paths for q in queries for f in ("", "#top")]
    differ = [u for u in urls if canonical(u) != _normalised(u)]
    assert differ == []
    assert sum(_PLAIN_CANONICAL_RE.match(u) is not None for u in urls) > 100  # the shortcut was taken


def test_canonical_is_idempotent_and_matches_resolve() -> None:
    url = resolve(PAGE, "../a/./b.html?kw=公告", "gb18030")
    assert url is not None
    assert (
        canonical(url)
        == canonical(canonical(url))
        == "http://www.example.gov.cn/zwgk/a/b.html?kw=%B9%AB%B8%E6"
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.example.gov.cn/a", "example.gov.cn"),
        ("https://Example.gov.cn:443/", "example.gov.cn"),
        ("http://example.gov.cn:8080/", "example.gov.cn:8080"),
        ("http://wwwx.gov.cn/", "wwwx.gov.cn"),
        ("http://tjj.example.gov.cn/", "tjj.example.gov.cn"),
    ],
)
def test_host_key(url: str, key: str) -> None:
    assert host_key(url) == key


def test_scope() -> None:
    scope = Scope(
        "http://www.example.gov.cn/",
        extra_hosts=["zwgk.example.gov.cn", "http://old.example.gov.cn:8080/", "*.sub.gov.cn"],
        exclude=[r"/search/", r"\.do\?.*print=1"],
    )
    assert scope.in_scope("https://example.gov.cn/a.html")  # bare host == www host
    assert scope.in_scope("http://WWW.example.gov.cn/a.html")
    assert scope.in_scope("http://zwgk.example.gov.cn/x")
    assert scope.in_scope("http://old.example.gov.cn:8080/x")
    assert not scope.in_scope("http://old.example.gov.cn/x")  # other port, other site
    assert scope.in_scope("http://a.sub.gov.cn/") and scope.in_scope("http://sub.gov.cn/")
    assert not scope.in_scope("http://tjj.example.gov.cn/")  # a department site is not this site
    assert not scope.in_scope("http://www.gov.cn/")
    assert not scope.in_scope("mailto:x@example.gov.cn")
    assert scope.excluded("http://www.example.gov.cn/search/?q=1")
    assert not scope.in_scope("http://www.example.gov.cn/search/?q=1")
    assert scope.excluded("http://www.gov.cn/list.do?id=1&print=1")  # exclusion is host-blind
    assert not scope.excluded("http://www.example.gov.cn/list.do?id=1")


def test_scope_include_patterns() -> None:
    scope = Scope("http://www.example.gov.cn/xxgk/", include=[r"/xxgk/"], exclude=[r"/xxgk/old/"])
    assert scope.in_scope("http://www.example.gov.cn/xxgk/a.html")
    assert not scope.in_scope("http://www.example.gov.cn/news/a.html")
    assert not scope.in_scope("http://www.example.gov.cn/xxgk/old/a.html")


def test_trap_reason() -> None:
    max_year = dt.date.today().year + 2
    assert trap_reason("http://x.gov.cn/" + "a" * 600) == "URL longer than 512 characters"
    assert trap_reason("http://x.gov.cn/" + "a" * 90, max_url_length=64) == "URL longer than 64 characters"
    assert trap_reason("http://x.gov.cn/a/b/a/b/a/b/index.html") is None  # three times is allowed
    assert trap_reason("http://x.gov.cn/a/b/a/b/a/b/a/b/index.html") == "path segment 'a' repeated 4 times"
    assert trap_reason("http://x.gov.cn/a/a/a/", max_segment_repeats=2) == "path segment 'a' repeated 3 times"
    assert (
        trap_reason("http://x.gov.cn/tjsj/?statisticsYear=7749")
        == f"calendar year 7749 outside 1990..{max_year}"
    )
    assert (
        trap_reason("http://x.gov.cn/rl/?year=1899&month=1") == f"calendar year 1899 outside 1990..{max_year}"
    )
    assert trap_reason("http://x.gov.cn/calendar/2999/01/") == f"calendar year 2999 outside 1990..{max_year}"
    assert (
        trap_reason("http://x.gov.cn/hd/?date=3021-05-01") == f"calendar year 3021 outside 1990..{max_year}"
    )
    assert trap_reason(f"http://x.gov.cn/calendar/{max_year + 1}/") is not None
    # Real, ordinary gov URLs are not traps.
    for url in (
        "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        "https://www.gov.cn/zhengce/content/2023-09/20/content_6905312.htm",
        "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
        "http://x.gov.cn/col/5678/index.html",  # 4-digit ids are not years
        "http://x.gov.cn/8812/9999/list.html",
        "http://x.gov.cn/a?yearbookId=12345&id=7749",
        f"http://x.gov.cn/calendar/{max_year}/12/",
        "http://x.gov.cn/tjsj/?statisticsYear=2020",
    ):
        assert trap_reason(url) is None, url


@pytest.mark.parametrize(
    ("url", "resource"),
    [
        ("http://x.gov.cn/a/b.PDF", True),
        ("http://x.gov.cn/a/%E9%99%84%E4%BB%B6.docx?v=1", True),
        ("http://x.gov.cn/a/b.wps", True),
        ("http://x.gov.cn/a/b.ofd", True),
        ("http://x.gov.cn/a/b.et", True),
        ("http://x.gov.cn/a/b.jpg;jsessionid=1", True),
        ("http://x.gov.cn/a/b%2Ejpg", True),
        ("http://x.gov.cn/a/b.mp4", True),
        ("http://x.gov.cn/a/b.css", True),
        ("http://x.gov.cn/a/b.txt", True),
        ("http://x.gov.cn/sitemap.xml", False),
        ("http://x.gov.cn/a/b.shtml", False),
        ("http://x.gov.cn/a/b.jsp?file=x.pdf", False),
        ("http://x.gov.cn/a.pdf/", False),
        ("http://x.gov.cn/", False),
        ("http://x.gov.cn/.pdf", False),
    ],
)
def test_is_resource(url: str, resource: bool) -> None:
    assert is_resource(url) is resource


def test_a_url_with_a_bad_port_is_not_part_of_the_site() -> None:
    # A sitemap <loc> on port 99999 used to count as the start host (and be requested on 34463).
    scope = Scope("http://www.example.gov.cn/")
    assert scope.in_scope("http://www.example.gov.cn/a.html")
    assert not scope.in_scope("http://www.example.gov.cn:99999/a.html")
    assert host_key("http://www.example.gov.cn:99999/") != host_key("http://www.example.gov.cn/")
    assert resolve(PAGE, "http://www.gov.cn:65535/") == "http://www.gov.cn:65535/"


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("127.0.0.1", True),
        ("127.0.0.1.", True),
        ("127.1", True),  # what the system resolver reads as 127.0.0.1
        ("2130706433", True),
        ("0x7f000001", True),
        ("0", True),  # 0.0.0.0 reaches this machine
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata service
        ("100.64.0.1", True),  # carrier-grade NAT
        ("224.0.0.1", True),
        ("[::1]", True),
        ("::ffff:10.0.0.1", True),
        ("fe80::1%eth0", True),
        ("fd00::1", True),
        ("LocalHost", True),
        ("oa.localhost", True),
        ("", True),
        ("202.96.134.133", False),
        ("2400:3200::1", False),
        ("www.gov.cn", None),  # a name: only a resolution can tell
        ("cafe", None),
    ],
)
def test_literal_host_is_private(host: str, private: bool | None) -> None:
    assert literal_host_is_private(host) is private
