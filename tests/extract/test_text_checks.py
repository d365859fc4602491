"""The page text the checks read (extract/text_checks.py), on made-up markup and the real pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import CORPUS
from sitecheck.charset import decode_html
from sitecheck.extract.privacy import find_personal_data
from sitecheck.extract.text_checks import MAX_HITS_PER_CHECK, TextChecker, check_page, page_text
from sitecheck.extract.wording import default_wording_rules
from sitecheck.models import TextCheck

TODAY = date(2026, 12, 4)
CHECKER = TextChecker(privacy=True, wording=default_wording_rules())
HERE = Path(__file__).resolve().parents[1] / "corpus" / "real-pages"


def test_scripts_and_styles_are_not_read_and_cells_stay_apart() -> None:
    tree = LexborHTMLParser(
        "<html><body><script>var t='13912345678';</script><style>.a{}</style>"
        "<table><tr><td>1391234</td><td>5678</td></tr></table><p>倍受青睐</p></body></html>"
    )
    text = page_text(tree)
    assert "var t" not in text
    assert "1391234\n5678" in text
    assert not find_personal_data(text, today=TODAY)  # two cells are two numbers, not one mobile


def test_hits_carry_masked_values_only() -> None:
    tree = LexborHTMLParser("<body><p>申请人手机：13912345678；我市产品倍受青睐。</p></body>")
    hits = check_page(tree, CHECKER, TODAY)
    assert {(h.check, h.value) for h in hits} == {
        (TextCheck.PRIVACY, "139****5678"),
        (TextCheck.WORDING, "倍受青睐"),
    }
    assert all("13912345678" not in repr(h) for h in hits)


def test_a_page_full_of_numbers_is_capped_and_says_so() -> None:
    rows = "".join(f"<p>手机 139{i:08d}</p>" for i in range(60))
    hits = check_page(LexborHTMLParser(f"<body>{rows}</body>"), CHECKER, TODAY)
    assert len(hits) == MAX_HITS_PER_CHECK
    assert "另有 40 处" in hits[-1].note


@pytest.mark.parametrize(
    "line",
    [
        "联系人：周科长，联系电话：0571-87051234、13905712345（市发展改革委办公室）。",
        "联系电话：13905712345（市发展改革委办公室）",
        "咨询电话：0571-87051234，13905712345",
    ],
)
def test_an_office_contact_line_is_low(line: str) -> None:
    (hit,) = find_personal_data(line, today=TODAY)
    assert hit.level == "low"


def test_a_private_mobile_stays_high() -> None:
    (hit,) = find_personal_data("申请人张某 13905712345 于昨日提交申请", today=TODAY)
    assert hit.level == "high"


# The ccgp.gov.cn notice prints its purchaser's two contacts, twice (see test_privacy.py).
KNOWN = {"yuntaozhu__www.ccgp.gov.cn__index.html": 4}


def test_the_real_pages_as_the_crawler_reads_them() -> None:
    """The pipeline the crawler runs (text without scripts, both checks) on every real page:
    no wording hit, and personal data only where the page really prints contacts (low)."""
    pages = sorted(HERE.rglob("*.htm*")) + (sorted(CORPUS.glob("*.htm*")) if CORPUS.is_dir() else [])
    assert len(pages) >= 25
    found: dict[str, int] = {}
    for page in pages:
        tree = LexborHTMLParser(decode_html(page.read_bytes(), None).text)
        hits = check_page(tree, CHECKER, TODAY)
        assert all(h.check is TextCheck.PRIVACY and h.level == "low" for h in hits), (page.name, hits)
        if hits:
            found[page.name] = len(hits)
    assert found == {name: n for name, n in KNOWN.items() if any(p.name == name for p in pages)}
