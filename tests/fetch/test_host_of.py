"""host_of: the key of per-host limits, worked out once per origin, must say what urlsplit says."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sitecheck.fetch.client import host_of

_URLS = [
    "http://www.example.gov.cn/a/b.html",
    "HTTP://WWW.Example.GOV.CN:8080/a?b=1#c",
    "https://user:pw@host.gov.cn:443/x",
    "http://host.gov.cn?q=1",
    "http://host.gov.cn#frag",
    "http://host.gov.cn",
    "http://ho\tst.gov.cn/x",  # urlsplit drops tabs and newlines anywhere
    "http://host.gov.cn\n/x",
    " http://host.gov.cn/x",  # and leading spaces
    "\x01http://host.gov.cn/x",
    "http:\t//host.gov.cn/x",
    "ht\ttp://host.gov.cn/x",
    "http://[::1]:8080/x",
    "http://政府.中国/首页.html",
    "http:/host.gov.cn/x",
    "http:host.gov.cn/x",
    "//host.gov.cn/x",
    "/relative/path",
    "mailto:someone@example.gov.cn",
    "javascript:void(0)",
    "1http://host.gov.cn/x",
    "h+t.t-p://host.gov.cn/x",
    "http://host.gov.cn /x",
    "",
]


@pytest.mark.parametrize("url", _URLS)
def test_host_of_says_what_urlsplit_says(url: str) -> None:
    assert host_of(url) == urlsplit(url).netloc.lower()
    assert host_of(url) == urlsplit(url).netloc.lower()  # the second time from the origin's cache


@pytest.mark.parametrize("url", ["http://[::1/x", "http://host]/x"])
def test_host_of_refuses_what_urlsplit_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        urlsplit(url)
    with pytest.raises(ValueError):
        host_of(url)
