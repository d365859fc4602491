"""The risky-sites vocabulary (extract/vocabulary.py): what it finds, what it leaves alone
(government news about the same trades), how an office extends it — and zero hits on the whole
real-page corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from sitecheck.errors import ConfigError
from sitecheck.extract import read_page
from sitecheck.extract.text_checks import page_text
from sitecheck.extract.vocabulary import (
    RiskCategory,
    default_vocabulary,
    find_risky_words,
    load_vocabulary,
    url_text,
)

LOCAL_CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "real-pages"


@pytest.mark.parametrize(
    ("text", "word", "category"),
    [
        ("澳门威尼斯人官网", "威尼斯人", RiskCategory.GAMBLING),
        ("真人百家乐在线", "百家乐", RiskCategory.GAMBLING),
        ("www.BET365.com", "BET365", RiskCategory.GAMBLING),
        ("91porn", "porn", RiskCategory.PORN),
        ("代开发票 13800000000", "代开发票", RiskCategory.INVOICE),
        ("传奇私服发布网", "私服", RiskCategory.PRIVATE_SERVER),
        ("代孕中心", "代孕", RiskCategory.SURROGACY),
        ("听话水专卖", "听话水", RiskCategory.DRUGS),
    ],
)
def test_risky_words_are_found(text: str, word: str, category: RiskCategory) -> None:
    [hit] = find_risky_words(text)
    assert (hit.text, hit.category) == (word, category)
    assert hit.source  # every hit says why the word is listed


@pytest.mark.parametrize(
    "text",
    [
        "严厉打击淫秽色情信息",  # news about the trade: guarded
        "我市开展打击六合彩赌博专项行动",
        "防范网络赌场诈骗",
        "成人高考报名",  # 成人, 棋牌, 金沙, 发票 alone are everyday words
        "社区棋牌室管理规定",
        "国家体育总局棋牌运动管理中心",
        "金沙县人民政府",
        "增值税电子发票公共服务平台",
        "pornography studies",  # Latin words only whole
        "https://www.casinos-of-history.example/",
    ],
)
def test_everyday_government_text_is_not_a_hit(text: str) -> None:
    assert find_risky_words(text) == []


def test_url_text_decodes_escapes() -> None:
    assert [h.text for h in find_risky_words(url_text("http://x.example/%E5%8D%9A%E5%BD%A9/"))] == ["博彩"]


def test_a_local_list_adds_and_removes_words(tmp_path: Path) -> None:
    local = tmp_path / "local.toml"
    local.write_text(
        '[[word]]\ntext = "某某娱乐"\ncategory = "gambling"\nsource = "本单位通报"\n'
        '[[word]]\ntext = "私服"\ncategory = ""\n',
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(local)
    assert [h.text for h in vocabulary.find("某某娱乐官网")] == ["某某娱乐"]
    assert vocabulary.find("私服") == []
    assert len(vocabulary.words) == len(default_vocabulary().words)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[word]]\ntext = "x"\ncategory = "weapons"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="没有这个类别"):
        load_vocabulary(bad)


def _corpus_pages() -> list[Path]:
    return sorted(CORPUS.glob("*.html")) + sorted(LOCAL_CORPUS.glob("*/*.html"))


def test_no_risky_word_on_any_real_page() -> None:
    """Every page of the corpus (visible text, title, link texts and URLs): zero hits."""
    pages = _corpus_pages()
    if not pages:
        pytest.skip("corpus not available")
    hits: list[tuple[str, str]] = []
    for path in pages:
        page = read_page(path.read_bytes(), "http://www.example.gov.cn/", None)
        texts = [page.facts.title, *(ref.text for ref in page.facts.links)]
        texts += [url_text(ref.url or ref.raw) for ref in page.facts.links]
        texts.append(page_text(page.tree))
        hits += [(path.name, hit.text) for text in texts for hit in find_risky_words(text)]
    assert len(pages) >= 40
    assert hits == []
