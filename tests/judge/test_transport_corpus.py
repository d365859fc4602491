"""Mixed content on the real pages of the corpus, as if each were served over https: only what a
browser loads into the page counts (images, scripts, stylesheets and icons, frames), never the
links a visitor follows, and every page's count is what a person reads in its markup."""

from __future__ import annotations

from collections import Counter

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import CORPUS
from sitecheck.charset import decode_html
from sitecheck.extract.links import extract_links
from sitecheck.judge.transport import loads_into_page
from sitecheck.models import MixedContentRow

PAGE = "https://portal.example.gov.cn/a/page.html"  # where each page is imagined to be served
# Pages whose http:// sub-resources were counted by hand in their markup: {element: count}.
BY_HAND = {
    # four <link rel="icon"/"shortcut icon"> to hainan_ico.ico and one <img>
    "SimonXinw__job__统计局__万载县__2022__万载县2022年国民经济和社会发展统计公报 _ 万载县人民政府.html": {
        "link": 4,
        "img": 1,
    },
    # <link rel="stylesheet" href="http://www.shanxi.gov.cn/images/layer.css"> and one script
    "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html": {"link": 1, "script": 1},
    "Hbjiance__http-www.ccgp-hebei.gov.cn-__index_651.html": {},
}


def _http_rows(name: str) -> list[MixedContentRow]:
    decoded = decode_html((CORPUS / name).read_bytes(), None)
    links = extract_links(LexborHTMLParser(decoded.text), PAGE, decoded.encoding)
    return [
        MixedContentRow(PAGE, link.element, link.attribute, link.raw, link.url, "")
        for link in links
        if link.url is not None and link.url.startswith("http://")
    ]


def test_links_and_menu_options_never_count() -> None:
    pages = sorted(CORPUS.glob("*.htm*"))
    if not pages:
        pytest.skip("corpus not present")
    followed = 0
    for page in pages:
        for row in _http_rows(page.name):
            if row.element in ("a", "area", "option", "meta"):
                followed += 1
                assert not loads_into_page(row), (page.name, row.raw)
    assert followed > 1000  # the corpus has plenty of http:// links to follow


@pytest.mark.parametrize("name", sorted(BY_HAND))
def test_counts_as_read_by_hand(name: str) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("corpus not present")
    counted = Counter(row.element for row in _http_rows(name) if loads_into_page(row))
    assert counted == Counter(BY_HAND[name])
