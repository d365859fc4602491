"""What an external link's page showed (外链变异 facts) and how the rule weighs it: pure units,
and every real page of the corpus read as if it were another site's page (no parked phrase, no
risky vocabulary in its title)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from sitecheck.extract.external_view import hamming, parked_phrase, simhash, view_of
from sitecheck.judge.external import _changed, _risky
from sitecheck.models import ExternalSeen, ExternalView, FetchResult, Outcome, Severity

HERE = Path(__file__).resolve().parents[1] / "corpus" / "real-pages"
NEWS = "国务院办公厅关于印发政府网站发展指引的通知。各省、自治区、直辖市人民政府，国务院各部委、各直属机构：" * 8


def _page(body: bytes, url: str = "http://news.example.com/a.html", ctype: str = "text/html") -> FetchResult:
    return FetchResult(url=url, outcome=Outcome.OK, status=200, final_url=url, content_type=ctype, body=body)


def _seen(host: str, title: str, text: str = NEWS, **view: object) -> ExternalSeen:
    fields = {"final_host": host, "title": title, "fingerprint": simhash(text), "text_chars": len(text)}
    return ExternalSeen("k", "http://x/", "2026-11-01T01:00:00+00:00", ExternalView(**(fields | view)))  # type: ignore[arg-type]


def test_a_page_is_read_into_title_host_and_fingerprint() -> None:
    body = f"<html><head><title> 新华网 </title><script>var x='百家乐';</script></head><body><p>{NEWS}</p></body></html>"
    view = view_of(_page(body.encode("gbk"), ctype="text/html; charset=gbk"))
    assert view is not None
    assert view.title == "新华网" and view.final_host == "news.example.com"
    assert view.fingerprint == simhash(NEWS)  # scripts are not text
    assert view.words == () and view.parked == ""


def test_only_ok_html_answers_are_read() -> None:
    assert view_of(_page(b"GIF89a", ctype="image/gif")) is None
    failed = FetchResult(url="http://x/", outcome=Outcome.NOT_FOUND, status=404)
    assert view_of(failed) is None


def test_near_identical_texts_are_near_and_different_ones_far() -> None:
    changed_date = NEWS.replace("国务院各部委", "国务院各部门", 1)
    assert hamming(simhash(NEWS), simhash(changed_date)) <= 8
    other = "澳门顶级娱乐城，信誉第一，提款秒到，注册即送彩金，真人视讯，体育投注，电子游艺。" * 8
    assert hamming(simhash(NEWS), simhash(other)) > 16
    assert simhash("太短") == 0
    assert simhash(NEWS) == simhash(NEWS)  # the same in every process: blake2b, not hash()


def test_parking_phrases_count_only_on_short_pages() -> None:
    assert parked_phrase("example.cn", "This domain may be for sale! Make an offer.") == "this domain may be for sale"
    article = "关于规范域名转让市场秩序的通知。" + NEWS * 8
    assert len(article) > 3000
    assert parked_phrase("通知", article) == ""


def test_a_government_domain_that_now_leads_off_gov_cn_is_a_deduction() -> None:
    before = _seen("www.xxx.gov.cn", "某某县人民政府")
    now = _seen("www.bet-xxx.com", "欢迎光临")
    verdict = _changed(now, before)
    assert verdict is not None and verdict[0] is Severity.DEDUCTION
    assert "www.xxx.gov.cn" in verdict[1] and "www.bet-xxx.com" in verdict[1]


@pytest.mark.parametrize(
    ("old", "new"),
    [("www.xinhuanet.com", "news.xinhuanet.com"), ("xinhuanet.com", "www.xinhuanet.com"), ("www.gd.gov.cn", "gd.gov.cn")],
)
def test_the_same_registrable_domain_is_the_same_site(old: str, new: str) -> None:
    assert _changed(_seen(new, "新华网"), _seen(old, "新华网")) is None


def test_another_domain_is_only_to_be_verified() -> None:
    verdict = _changed(_seen("www.people.cn", "人民网"), _seen("www.people.com.cn", "人民网"))
    assert verdict is not None and verdict[0] is Severity.WARNING and "待核实" in verdict[1]


def test_the_first_run_cannot_see_a_host_change() -> None:
    assert _changed(_seen("www.other.com", "x"), None) is None


def test_risky_words_in_a_title_weigh_by_history() -> None:
    words = ("gambling:百家乐",)
    gambling = _seen("www.a.com", "百家乐娱乐城", title_words=words, words=words)
    # First run: nothing to compare with → 待核实.
    first = _risky(gambling, None, None)
    assert first is not None and first[0] is Severity.WARNING and "待核实" in first[1]
    # The title was clean when the office linked it: the link turned → the veto kind.
    turned = _risky(gambling, _seen("www.a.com", "某某协会"), None)
    assert turned is not None and turned[0] is Severity.VETO and "某某协会" in turned[1]
    # It always said so: 待核实, not a veto.
    always = _risky(gambling, gambling, None)
    assert always is not None and always[0] is Severity.WARNING


def test_one_risky_word_in_the_body_is_no_finding_two_are_to_verify() -> None:
    one = _seen("www.a.com", "新闻", words=("gambling:博彩",))
    assert _risky(one, None, None) is None
    two = _seen("www.a.com", "新闻", words=("gambling:博彩", "gambling:百家乐"))
    verdict = _risky(two, None, None)
    assert verdict is not None and verdict[0] is Severity.WARNING


def _corpus_pages() -> list[Path]:
    pages = [*HERE.rglob("*.html"), *CORPUS.glob("*.html")]
    return sorted(pages)


@pytest.mark.parametrize("path", _corpus_pages(), ids=lambda p: p.name[:60])
def test_no_real_page_reads_as_parked_or_risky(path: Path) -> None:
    """Real government pages, read as if another site's: no false parking or vocabulary signal."""
    body = path.read_bytes()[: 64 * 1024]
    view = view_of(_page(body, url="http://www.example.gov.cn/"))
    assert view is not None
    assert view.parked == "", view.title
    assert view.title_words == (), view.title
    assert len(view.words) < 2, (view.title, view.words)
