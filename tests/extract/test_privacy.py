"""Personal data in text (issue 15 part 1): what is found, what is not, and that nothing leaks."""

from __future__ import annotations

import re
from datetime import date

import pytest
from stdnum.cn import ric, uscc

from sitecheck.extract.privacy import (
    LeakLevel,
    PersonalHit,
    PersonalKind,
    find_personal_data,
    find_roster_leaks,
    mask_digits,
)
from support.texts import body_text, corpus_pages

TODAY = date(2026, 1, 1)


def make_id(region: str, birth: str, seq: str = "123") -> str:
    """An 18-digit number with its ISO 7064 MOD 11-2 check digit (GB 11643), computed here
    independently of stdnum: weights 2^(17-i) mod 11, check by the sum's remainder."""
    body = region + birth + seq
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def make_card(prefix: str, length: int = 19) -> str:
    body = prefix + "1" * (length - 1 - len(prefix))
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def bad_check(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def find(text: str) -> list[PersonalHit]:
    return find_personal_data(text, today=TODAY)


def kinds(text: str) -> list[str]:
    return [h.kind.value for h in find(text)]


# Real administrative-division codes: 北京 东城, 杭州 西湖, 深圳 南山, 成都 锦江.
ID_XIHU = make_id("330106", "19900307")
ID_DONGCHENG = make_id("110101", "19751231", "046")
ID_NANSHAN = make_id("440305", "20011009", "258")
ID_JINJIANG = make_id("510104", "19580615", "371")


def test_the_generated_numbers_are_valid_for_stdnum_too() -> None:
    for number in (ID_XIHU, ID_DONGCHENG, ID_NANSHAN):
        assert ric.is_valid(number), number


def test_a_region_coded_after_the_birth_year_is_valid() -> None:
    # 510104 锦江区 is coded from 1990: someone born in 1958 and registered there got the code
    # with their number. stdnum's ric.validate wants the code to exist in the birth year.
    assert not ric.is_valid(ID_JINJIANG)
    assert kinds(f"身份证号{ID_JINJIANG}") == ["id_card"]
    # Codes retired before the first numbers were assigned (1984) are not valid for anyone.
    assert kinds(f"身份证号{make_id('510120', '19580615')}") == []  # 成都 市区, until 1983


@pytest.mark.parametrize("number", [ID_XIHU, ID_DONGCHENG, ID_NANSHAN, ID_JINJIANG])
def test_valid_id_numbers_are_found_masked(number: str) -> None:
    text = f"申请人：王某，公民身份号码{number}，现住址某街道"
    [hit] = find(text)
    assert hit.kind is PersonalKind.ID_CARD
    assert hit.level is LeakLevel.HIGH
    assert hit.masked == number[:4] + "*" * 10 + number[-4:]
    assert (hit.offset, hit.length) == (text.index(number), 18)
    assert hit.masked in hit.context and "公民身份号码" in hit.context
    assert "校验位正确" in hit.reasons


def test_check_digit_x_in_either_case() -> None:
    number = next(n for s in range(1000) if (n := make_id("330106", "19900307", f"{s:03d}")).endswith("X"))
    assert [h.masked for h in find(f"身份证：{number}")] == [number[:4] + "*" * 10 + number[-4:]]
    assert kinds(f"身份证：{number[:-1]}x") == ["id_card"]


def test_a_wrong_check_digit_is_not_an_id() -> None:
    assert find(f"身份证号{bad_check(ID_XIHU)}。") == []


@pytest.mark.parametrize(
    ("region", "birth"),
    [
        ("990101", "19900307"),  # no province 99
        ("119999", "19900307"),  # 北京 has no county 9999 (stdnum raises KeyError there)
        ("330106", "19900230"),  # 30 February
        ("330106", "20270101"),  # born after the day of the check
        ("330106", "18990101"),  # 127 years old
        ("110103", "20120101"),  # 崇文区 was merged into 东城区 in 2010
    ],
)
def test_region_and_birth_date_must_be_plausible(region: str, birth: str) -> None:
    assert find(f"身份证号 {make_id(region, birth)} ") == []


def test_a_retired_region_is_valid_for_births_before_it_closed() -> None:
    assert kinds(f"身份证号 {make_id('110103', '20050101')} ") == ["id_card"]


def test_fifteen_digit_numbers_need_region_and_date_and_are_medium() -> None:
    old = "330106" + "900307" + "123"
    [hit] = find(f"旧身份证号{old}，")
    assert (hit.kind, hit.level, hit.masked) == (PersonalKind.ID_CARD, LeakLevel.MEDIUM, "3301*******7123")
    assert find("旧身份证号330106901307123，") == []  # month 13
    assert find("旧身份证号990106900307123，") == []  # region 99


@pytest.mark.parametrize(
    "text",
    [
        f"1{ID_XIHU}",  # part of a longer run of digits
        f"{ID_XIHU}7",
        f"AB{ID_XIHU}",  # part of a code with letters
        f"{ID_XIHU}K",
        f"2021-{ID_XIHU}",  # a piece of a longer code
        f"{ID_XIHU}.5",
    ],
)
def test_an_id_inside_a_longer_code_is_not_an_id(text: str) -> None:
    assert find(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "身份证号码3301**********1234",
        "身份证号码35*************123",
        "身份证：330106********1234",
        "身份证：33010619900307****",
        "手机138****1234",
        "手机138××××1234",
        "手机138＊＊＊＊1234",
        "手机1381234****",
        "卡号6222 **** **** 1234",
    ],
)
def test_masked_numbers_are_compliant(text: str) -> None:
    assert find(text) == []


def test_a_social_credit_code_is_not_an_id() -> None:
    assert find("统一社会信用代码：91110000600037341L") == []
    # 18 digits valid as both: the region of a USCC (characters 3-8, 110119 延庆) and a USCC check
    # character make it an organisation's code, not a person's number.
    both = "211101199001010968"
    assert ric.is_valid(both) and uscc.is_valid(both)
    assert find(f"代码 {both} ") == []


@pytest.mark.parametrize(
    "before",
    ["索引号：", "索引号 ", "文号：", "编号：", "项目编号为", "订单号：", "流水号:", "合同号 ", "备案号："],
)
def test_document_numbers_are_not_personal(before: str) -> None:
    assert find(f"{before}{ID_XIHU}") == []
    assert find(f"{before}13812345678") == []


def test_an_id_labelled_with_bianhao_of_a_certificate_is_still_an_id() -> None:
    assert kinds(f"身份证编号：{ID_XIHU}") == ["id_card"]
    assert kinds(f"证件编号 {ID_XIHU}") == ["id_card"]


@pytest.mark.parametrize(
    "text",
    [
        f"http://www.example.gov.cn/art/2021/3/15/{ID_XIHU}.html",
        f"www.example.gov.cn/{ID_XIHU}",
        f"/uploads/2021/{ID_XIHU}/a.jpg",
        f"art_{ID_XIHU}_1.html",
        f"list.jsp?id={ID_XIHU}&page=2",
        f"附件：{ID_XIHU}.pdf",
        "照片 13812345678.jpg",
        "http://x.gov.cn/u/13812345678",
    ],
)
def test_numbers_in_urls_and_file_names_are_not_personal(text: str) -> None:
    assert find(text) == []


def test_mobile_numbers() -> None:
    [hit] = find("我的手机13812345678，请回电")
    assert (hit.kind, hit.level, hit.masked) == (PersonalKind.MOBILE, LeakLevel.HIGH, "138****5678")
    assert kinds("电话 138-1234-5678 ") == ["mobile"]
    assert kinds("电话 138 1234 5678 ") == ["mobile"]
    assert kinds("１３８１２３４５６７８") == ["mobile"]  # full-width digits
    assert kinds("+86-13812345678") == ["mobile"]


@pytest.mark.parametrize(
    "text",
    [
        "013812345678",  # a longer number
        "138123456789",
        "2021138123456789",
        "12345678901",  # 12: not a mobile prefix
        "10012345678",
        "0571-13812345678",  # part of a longer code
        "12345",  # hotlines, landlines and 400/95xxx numbers never look like mobiles
        "0571-87654321",
        "400-123-4567",
        "95588",
    ],
)
def test_not_mobiles(text: str) -> None:
    assert find(text) == []


def test_an_office_contact_mobile_is_kept_at_low() -> None:
    for text in (
        "咨询电话：13812345678",
        "传真：13812345678",
        "市政务服务中心办公室 联系电话：13812345678",
        "XX局  联系人：王科长   联系方式：13812345678",
    ):
        [hit] = find(text)
        assert hit.level is LeakLevel.LOW, text
        assert any("单位联系电话" in r for r in hit.reasons)
    [named] = find("联系人：王先生，联系电话：13812345678")
    assert named.level is LeakLevel.MEDIUM


def test_a_list_of_mobiles_after_one_label_shares_its_level() -> None:
    hits = find("采购单位联系方式：易女士 邱先生；13812345678  13912345678、13712345678")
    assert [h.level for h in hits] == [LeakLevel.LOW] * 3


def test_mobile_in_an_email_address_is_low() -> None:
    [hit] = find("邮箱：13812345678@139.com")
    assert hit.level is LeakLevel.LOW


def test_bank_card_needs_luhn_and_a_card_word() -> None:
    card = make_card("622202")
    assert luhn_ok(card)
    [hit] = find(f"户名：张三 开户行：某银行某支行 银行卡号：{card}")
    assert hit.kind is PersonalKind.BANK_CARD
    assert hit.level is LeakLevel.HIGH
    assert hit.masked == card[:4] + "*" * 11 + card[-4:]
    assert find(f"金额合计 {card} 元") == []  # no card word
    assert find(f"银行卡号：{bad_check(card)}") == []  # fails Luhn
    grouped = " ".join(card[i : i + 4] for i in range(0, 19, 4))
    assert kinds(f"卡号 {grouped}。") == ["bank_card"]


def test_a_units_account_is_kept_at_low() -> None:
    card = make_card("622202")
    [unit] = find(f"户名：某市财政局 开户行：某银行 账号：{card}")
    assert unit.level is LeakLevel.LOW
    account = make_card("1202", 19)  # outside the card ranges (ISO/IEC 7812 industry 1)
    [hit] = find(f"账号：{account}")
    assert hit.level is LeakLevel.LOW


def test_an_id_number_in_a_card_context_is_an_id() -> None:
    assert kinds(f"银行卡号 {ID_XIHU}") == ["id_card"]


TEXT = (
    f"王某，身份证号{ID_XIHU}，电话13812345678；李某，身份证号{ID_DONGCHENG}，"
    f"银行卡号{make_card('621700')}，曾用号{bad_check(ID_NANSHAN)}。"
)


def test_the_raw_number_never_appears_in_a_record() -> None:
    hits = find(TEXT)
    assert [h.kind.value for h in hits] == ["id_card", "mobile", "id_card", "bank_card"]
    raws = [ID_XIHU, "13812345678", ID_DONGCHENG, make_card("621700"), bad_check(ID_NANSHAN)]
    for hit in hits:
        shown = repr(hit)
        for raw in raws:
            assert raw not in shown
            # no more than the first 4 and the last 4 digits of any of them
            assert not any(raw[i : i + 5] in shown for i in range(4, len(raw) - 8))
        assert not re.search(r"\d{5,}", hit.context), hit.context
        assert not re.search(r"\d{5,}", hit.masked)


def test_a_context_window_never_cuts_a_neighbouring_number() -> None:
    text = f"{'甲' * 15}{ID_DONGCHENG} 13812345678"  # the window starts inside the ID
    [id_hit, mobile] = find(text)
    assert ID_DONGCHENG[4:14] not in mobile.context
    assert "1101**********" in mobile.context
    assert id_hit.kind is PersonalKind.ID_CARD


def test_mask_digits_masks_every_long_run() -> None:
    text = f"号码{ID_XIHU}、138 1234 5678、{'9' * 25}、2021年、0571-87654321"
    masked = mask_digits(text)
    assert ID_XIHU not in masked and "1234" not in masked.split("、")[1][4:8]
    assert not re.search(r"\d{9,}", masked)
    assert "2021年" in masked and "0571-87654321" in masked


ROWS = [
    ["2025年城乡低保对象名单"],
    ["序号", "姓  名", "性别", "身份证号码", "联系电话", "保障金额"],
    ["1", "王某", "男", ID_XIHU, "13812345678", "600"],
    ["2", "李某", "女", ID_DONGCHENG, "13912345678", "600"],
    ["3", "张某", "男", ID_NANSHAN, "", "600"],
]


def test_roster_leak_columns() -> None:
    leaks = find_roster_leaks(ROWS, today=TODAY)
    assert [(le.column, le.kind, le.hits, le.level) for le in leaks] == [
        (3, PersonalKind.ID_CARD, 3, LeakLevel.HIGH),
        (4, PersonalKind.MOBILE, 2, LeakLevel.HIGH),
    ]
    assert leaks[0].header == "身份证号码"
    assert (leaks[0].name_column, leaks[0].header_row) == (1, 1)
    assert leaks[0].examples[0] == ID_XIHU[:4] + "*" * 10 + ID_XIHU[-4:]
    assert not any(raw in repr(leaks) for raw in (ID_XIHU, ID_DONGCHENG, ID_NANSHAN, "13812345678"))


def test_a_staff_directory_of_mobiles_is_low() -> None:
    rows = [["姓名", "职务", "手机"], ["王某", "村主任", "13812345678"], ["李某", "会计", "13912345678"]]
    [leak] = find_roster_leaks(rows, today=TODAY)
    assert (leak.kind, leak.level) == (PersonalKind.MOBILE, LeakLevel.LOW)


def test_no_roster_without_a_name_column_or_with_one_hit() -> None:
    assert find_roster_leaks([["单位", "身份证号"], ["甲", ID_XIHU], ["乙", ID_DONGCHENG]], today=TODAY) == []
    assert (
        find_roster_leaks(
            [["姓名", "身份证号"], ["王某", ID_XIHU], ["李某", "3301**********1234"]], today=TODAY
        )
        == []
    )
    far = [
        ["姓名", "a", "b", "c", "d", "身份证号"],
        ["王某", "", "", "", "", ID_XIHU],
        ["李某", "", "", "", "", ID_DONGCHENG],
    ]
    assert find_roster_leaks(far, today=TODAY) == []


def test_a_megabyte_of_text_is_read_whole() -> None:
    """Every hit of a megabyte is found (how fast: bench/text_checks.py, not a timed test)."""
    block = (
        "为深入贯彻落实有关精神，2023年3月15日，市政府办公室召开全市政务公开工作会议，"
        "索引号：11330100002493020X/2023-00012，共有123人参加，投入资金4567.89万元。"
        f"联系电话：0571-87654321，手机13812345678，身份证号{ID_XIHU}。"
    )
    text = (block * (1_000_000 // len(block) + 1))[:1_000_000]
    hits = find(text)
    assert len(hits) > 10_000


# -- the real-page corpus ---------------------------------------------------------------------------

# Real hits, checked by reading the page: 中国政府采购网's 成交公告 publishes the purchaser's two
# contact people with their mobile numbers (采购单位联系方式：易女士 邱先生;…), once in the summary
# and once in the body. They are work contacts a procurement notice must give, so LOW, not a leak
# of a private person's data; inspectors may still ask for an office landline (B6).
EXPECTED_REAL_HITS = {
    "yuntaozhu__www.ccgp.gov.cn__index.html": [(PersonalKind.MOBILE, LeakLevel.LOW)] * 4,
}


def test_the_real_pages_hold_no_personal_data_but_the_known_contacts() -> None:
    pages = corpus_pages()
    assert len(pages) >= 25
    found = {}
    for page in pages:
        hits = find_personal_data(body_text(page), today=date(2026, 12, 4))
        if hits:
            found[page.name] = [(h.kind, h.level) for h in hits]
    expected = {name: hits for name, hits in EXPECTED_REAL_HITS.items() if any(p.name == name for p in pages)}
    assert found == expected
