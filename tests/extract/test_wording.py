"""Wrong terms and leaders' names and titles (issue 15 part 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import REPO
from sitecheck.errors import ConfigError
from sitecheck.extract.wording import (
    WordingCategory,
    WordingHit,
    WordingMatcher,
    WordingRules,
    default_wording_rules,
    load_wording_rules,
    parse_wording_rules,
)
from support.texts import body_text, corpus_pages

DEFAULT = WordingMatcher(default_wording_rules())
# The examples of the 钦州 2021Q3 通报 (beyond.md, B7).
BULLETIN = {
    "倍受青睐": "备受青睐",
    "拔款": "拨款",
    "关健": "关键",
    "登陆系统": "登录系统",
    "复盖": "覆盖",
    "一但": "一旦",
    "清况": "情况",
}


def find(text: str) -> list[WordingHit]:
    return DEFAULT.find(text)


def test_the_shipped_list_holds_the_bulletin_examples_with_sources() -> None:
    rules = {rule.wrong: rule for rule in default_wording_rules().terms}
    for wrong, right in BULLETIN.items():
        assert rules[wrong].right == right
    for rule in rules.values():
        assert rule.source, rule.wrong
        assert rule.category is WordingCategory.TYPO
        assert rule.wrong not in rule.right
    assert default_wording_rules().leaders == ()


@pytest.mark.parametrize(("wrong", "right"), sorted(BULLETIN.items()))
def test_each_bulletin_example_is_found_with_context(wrong: str, right: str) -> None:
    text = f"近日，我市召开会议。会上指出{wrong}问题要重视，会议要求各单位抓好落实。"
    [hit] = find(text)
    assert (hit.text, hit.suggestion, hit.offset) == (wrong, right, text.index(wrong))
    assert hit.category is WordingCategory.TYPO
    assert wrong in hit.context and "会上指出" in hit.context
    assert len(hit.context) <= len(wrong) + 30


def test_certain_rules_and_unverified_ones() -> None:
    [certain] = find("我市产品倍受青睐")
    assert certain.certain
    [unverified] = find("这是问题的关健所在")
    assert not unverified.certain  # 待核实


@pytest.mark.parametrize(
    "text",
    [
        "台风“海葵”在福建登陆，登陆后强度减弱",  # 登陆 of a typhoon: only 登陆系统 is wrong
        "市直机关健身活动、机关健步走",
        "普及相关健康知识，有关健全制度的意见",
        "避免重复盖章，答复盖公章后送达，修复盖板",
        "思想统一但方法各异，唯一但非排他，是其中之一但不是全部",
        "外形挺拔款式新颖",
    ],
)
def test_no_hit_inside_longer_correct_words(text: str) -> None:
    assert find(text) == []


def test_a_guard_word_does_not_hide_another_occurrence() -> None:
    hits = find("市直机关健身活动是关健")
    assert [(h.text, h.offset) for h in hits] == [("关健", 9)]


def test_idioms_from_the_common_misspellings_list() -> None:
    hits = find("我们要再接再励，一如继往地做好工作，令人震憾")
    assert [(h.text, h.suggestion) for h in hits] == [
        ("再接再励", "再接再厉"),
        ("一如继往", "一如既往"),
        ("震憾", "震撼"),
    ]
    assert all(h.certain for h in hits)


def test_context_masks_numbers() -> None:
    [hit] = find("联系人手机13812345678，关健在于落实")
    assert "13812345678" not in hit.context and "138****5678" in hit.context


LOCAL = """
[[term]]
wrong = "倍受"
right = "备受"
category = "错别字"
source = "本局自查"

[[term]]
wrong = "示例市国土资源局"
right = "示例市自然资源和规划局"
category = "outdated_name"
since = 2019-03-01
unless_in = ["原示例市国土资源局"]
source = "示例市机构改革方案"

[[leader]]
name = "张三"
titles = ["市委副书记", "市长"]

[[leader]]
name = "李四五"
titles = ["副市长"]

[[leader]]
name = "王五"
titles = ["市委书记"]
"""


@pytest.fixture(scope="module")
def local() -> WordingMatcher:
    return WordingMatcher(default_wording_rules().merged(parse_wording_rules(LOCAL, "local.toml")))


def test_the_longest_overlapping_hit_wins(local: WordingMatcher) -> None:
    assert [h.text for h in local.find("产品倍受青睐，倍受关注")] == ["倍受青睐", "倍受"]


def test_outdated_names_spare_old_pages_and_former_names(local: WordingMatcher) -> None:
    text = "示例市国土资源局发布通知（原示例市国土资源局文件同时废止）"
    [hit] = local.find(text)
    assert (hit.offset, hit.category, hit.certain) == (0, WordingCategory.OUTDATED_NAME, False)
    assert local.find(text, page_date=date(2018, 6, 1)) == []
    assert len(local.find(text, page_date=date(2020, 6, 1))) == 1


@pytest.mark.parametrize(
    ("text", "found", "suggestion"),
    [
        ("张三副市长出席会议", "张三副市长", "张三（市委副书记、市长）"),  # a title they do not hold
        ("副市长张三出席会议", "副市长张三", "张三（市委副书记、市长）"),  # the title first
        ("市委书记张三出席会议", "市委书记张三", "张三（市委副书记、市长）"),  # 张三 is 市委副书记
        ("书记张三出席会议", "书记张三", "张三（市委副书记、市长）"),  # nor is a deputy the 书记
        ("张三 副市长", "张三 副市长", "张三（市委副书记、市长）"),  # one space between, as in a table
        ("市长王五主持会议", "市长王五", "王五（市委书记）"),
    ],
)
def test_a_wrong_title_next_to_a_known_name(
    local: WordingMatcher, text: str, found: str, suggestion: str
) -> None:
    [hit] = local.find(text)
    assert (hit.text, hit.category, hit.certain) == (found, WordingCategory.LEADER_TITLE, False)
    assert (hit.offset, hit.suggestion) == (text.index(found), suggestion)


@pytest.mark.parametrize(
    "text",
    [
        "市长张三出席会议",
        "市委副书记、市长张三出席",
        "张三市长主持会议",
        "王五书记讲话",  # the short form of 市委书记
        "副市长李四五",
        "原副市长张三",  # a former post
        "时任副市长张三",
        "张三同志出席",  # no title
        "张三主持会议，李四五发言",
    ],
)
def test_right_titles_and_former_posts_are_not_hits(local: WordingMatcher, text: str) -> None:
    assert local.find(text) == []


def test_a_name_one_character_off_after_a_title_they_hold(local: WordingMatcher) -> None:
    [hit] = local.find("副市长李四六出席会议")
    assert (hit.text, hit.suggestion, hit.category) == (
        "副市长李四六",
        "副市长李四五",
        WordingCategory.LEADER_NAME,
    )
    [short] = local.find("市长张山主持会议")
    assert (short.text, short.suggestion) == ("市长张山", "市长张三")


@pytest.mark.parametrize(
    "text",
    [
        "副市长赵四六出席",  # another surname
        "副市长李五六出席",  # two characters off
        "局长李四六出席",  # a title 李四五 does not hold
        "市长张三强调",  # the known name itself, then a verb
        "城市长远发展",  # 市长 inside another word, nothing like a name after it
    ],
)
def test_no_near_miss_beyond_one_character_and_the_title(local: WordingMatcher, text: str) -> None:
    assert local.find(text) == []


def test_leaders_are_only_matched_when_a_list_is_given() -> None:
    assert find("副市长张三出席会议，张三副市长讲话") == []


def test_a_later_file_replaces_an_entry_for_the_same_wrong_form(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text('[[term]]\nwrong = "关健"\nright = "关键"\ncertain = true\n', "utf-8")
    rules = load_wording_rules(path)
    assert [r.certain for r in rules.terms if r.wrong == "关健"] == [True]
    assert rules.sources[-1] == str(path)
    assert load_wording_rules(path, default=False).terms[0].wrong == "关健"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[[term]]\nright = "关键"\n', "term[0].wrong"),
        ('[[term]]\nwrong = "关健"\nright = "关健"\n', "term[0].right"),
        ('[[term]]\nwrong = "关健"\nright = "关键"\ncategory = "spelling"\n', "term[0].category"),
        ('[[term]]\nwrong = "关健"\nright = "关键"\ncertain = "yes"\n', "term[0].certain"),
        ('[[term]]\nwrong = "关健"\nright = "关键"\nunless_in = ["健康"]\n', "term[0].unless_in"),
        ('[[term]]\nwrong = "关健"\nright = "关键"\nsince = "soon"\n', "term[0].since"),
        ('[[term]]\nwrong = "关健"\nright = "关键"\nseverity = "high"\n', "term[0].severity"),
        (
            '[[term]]\nwrong = "关健"\nright = "关键"\n[[term]]\nwrong = "关健"\nright = "关键"\n',
            "term[1].wrong",
        ),
        ('[[leader]]\nname = "张三"\ntitles = []\n', "leader[0].titles"),
        ('[[leader]]\nname = "张"\ntitles = ["市长"]\n', "leader[0].name"),
        ("[words]\nx = 1\n", "words"),
    ],
)
def test_a_wrong_rule_file_names_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_wording_rules(text, "local.toml")
    assert info.value.key == key


def test_since_may_be_written_as_a_string() -> None:
    rules = parse_wording_rules('[[term]]\nwrong = "甲乙局"\nright = "丙丁局"\nsince = "2019-01-01"\n', "x")
    assert rules.terms[0].since == date(2019, 1, 1)


def test_the_config_folder_holds_the_shipped_list_and_a_local_example() -> None:
    packaged = REPO / "src" / "sitecheck" / "data" / "wording" / "default.toml"
    copy = REPO / "config" / "wording" / "default.toml"
    assert copy.read_bytes() == packaged.read_bytes()
    example = load_wording_rules(REPO / "config" / "wording" / "local.example.toml", default=False)
    assert example.leaders and example.terms


def test_empty_rules_find_nothing() -> None:
    assert WordingMatcher(WordingRules()).find("关健") == []


def test_a_megabyte_of_text_is_read_whole(local: WordingMatcher) -> None:
    """Every hit of a megabyte is found (how fast: bench/text_checks.py, not a timed test)."""
    block = "为深入贯彻落实有关精神，市政府召开会议，副市长李四五出席并讲话，强调关健在于落实。"
    text = (block * (1_000_000 // len(block) + 1))[:1_000_000]
    hits = local.find(text)
    assert len(hits) > 20_000


# -- the real-page corpus ---------------------------------------------------------------------------


def test_the_shipped_list_finds_nothing_on_the_real_pages() -> None:
    pages = corpus_pages()
    assert len(pages) >= 25
    found = {page.name: [h.text for h in hits] for page in pages if (hits := find(body_text(page)))}
    assert found == {}


@pytest.mark.parametrize("many", [False, True])
def test_the_patterns_are_found_where_the_automaton_finds_them(many: bool) -> None:
    # A short list is found by a scan for first characters, a long one by pyahocorasick: both
    # give every occurrence, overlapping ones too, in the automaton's order.
    import random

    import ahocorasick  # type: ignore[import-not-found]

    from sitecheck.extract import wording

    keys = ["复盖", "复盖章", "盖章", "一但", "统一但", "一", "a-b", "]", "^", "\\", "市长", "副市长", "长"]
    if many:
        keys += [f"词{i}" for i in range(wording._FEW_PATTERNS)]
    patterns = wording._Patterns({key: (len(key), key) for key in keys} | {"": (0, "")})
    assert (patterns._automaton is not None) is many
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, (len(key), key))
    automaton.make_automaton()
    rng = random.Random(5)
    alphabet = "复盖章一但统市长副a-b]^\\词12 的，"
    texts = ["", "复盖章", "统一但副市长", "词1词12"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)
    ]
    for text in texts:
        assert patterns.iter(text) == list(automaton.iter(text)), text


def test_a_guard_word_is_looked_for_only_where_it_can_hold_the_term() -> None:
    # Each term is checked against the guard words that start at most as far before it as the
    # rule's longest guard is longer than the term (not against every guard on the page: that
    # was quadratic). Looking everywhere before the term must find nothing more.
    import random

    everywhere = WordingMatcher(default_wording_rules())
    everywhere._guard_lead = [100] * len(everywhere._guard_lead)  # longer than any text below
    rng = random.Random(7)
    pieces = ["统一但", "一但", "复盖", "复盖公章", "复盖章", "关健", "相关健康", "机关健身", "拔款", "挺拔款", "，", "的"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert DEFAULT.find(text) == everywhere.find(text), text
    # and a page repeating a guard word tens of thousands of times is read once through
    assert DEFAULT.find("统一但" * 20_000) == []
