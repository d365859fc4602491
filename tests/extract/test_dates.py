"""Dates in list rows and URLs (sitecheck.extract.dates)."""

from __future__ import annotations

from datetime import date

import pytest

from sitecheck.extract.dates import UrlDate, scan_dates, url_date
from sitecheck.extract.listing.dom import MAX_DATE_CELL, cell_date

TODAY = date(2026, 1, 10)


def _dates(text: str, today: date = TODAY) -> list[date]:
    return [value for _, _, value in scan_dates(text, today=today)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-12-31", date(2017, 12, 31)),
        ("2017/12/31", date(2017, 12, 31)),
        ("2017.12.31", date(2017, 12, 31)),
        ("2017年12月31日", date(2017, 12, 31)),
        ("2017年1月5日", date(2017, 1, 5)),
        ("2017 年 1 月 5 日", date(2017, 1, 5)),
        ("2017-12-31 10:20", date(2017, 12, 31)),
        ("2017-12-31 10:20:30", date(2017, 12, 31)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),
        ("2019-9-8", date(2019, 9, 8)),
        ("(2017/12/31)", date(2017, 12, 31)),
        ("2021年06月10日 17:35", date(2021, 6, 10)),
        ("２０２０－０８－０２", date(2020, 8, 2)),  # full-width digits from CJK input methods
        ("二〇一九年十二月三十一日", date(2019, 12, 31)),
        ("发布时间：2020-01-02", date(2020, 1, 2)),
        ("时间  :  2020-12-01 17:44:12", date(2020, 12, 1)),
        ("更新时间：2021年6月1日", date(2021, 6, 1)),
        # Year-less forms take the latest year that is not in the future.
        ("[12-31]", date(2025, 12, 31)),
        ("[01-05]", date(2026, 1, 5)),
        ("[1-5]", date(2026, 1, 5)),
        ("(01/05)", date(2026, 1, 5)),
        ("12-31", date(2025, 12, 31)),
        ("12/31", date(2025, 12, 31)),
        ("01-10", date(2026, 1, 10)),
        ("01-11", date(2025, 1, 11)),
        ("12月31日", date(2025, 12, 31)),
        ("【12-31】", date(2025, 12, 31)),
        ("[02-29]", date(2024, 2, 29)),  # the last Feb 29 before today
    ],
)
def test_date_forms(text: str, expected: date) -> None:
    assert _dates(text)[:1] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "020-83844395",  # phone numbers
        "电话：0513-59001968",
        "400-810-1996",
        "2017-2018学年",
        "〔2019〕19号",  # 文号
        "粤ICP备19160819号-1",
        "t20190918_693227",  # a TRS document id is a URL matter
        "v2019.1.2",  # version strings
        "2019.1.2.3",
        "1.2.3",
        "2017-02-30",  # impossible
        "2017-13-01",
        "1/35",  # a pager, not January 35th
        "共 1/35 页",
        "3-5人",
        "版本 10.12",
        "图片 (1/5)",  # a gallery counter
        "(1.5)",
        "13:45",
        "",
    ],
)
def test_non_dates_are_rejected(text: str) -> None:
    assert _dates(text) == []


def test_impossible_date_does_not_leave_a_yearless_fragment() -> None:
    # "02-30" inside the rejected 2017-02-30 must not come back as a year-less Feb 30 or 2-30.
    assert _dates("截止 2017-02-30 前") == []


def test_dates_in_order() -> None:
    text = "成文日期：2020-07-01 发布日期：2020年8月2日 [12-31] 有效期至2030-12-31"
    assert _dates(text) == [
        date(2020, 7, 1),
        date(2020, 8, 2),
        date(2025, 12, 31),
        date(2030, 12, 31),
    ]


def test_scan_dates_reports_offsets() -> None:
    text = "关于放假的通知 2020-01-02"
    assert scan_dates(text, today=TODAY) == [(8, 18, date(2020, 1, 2))]


def test_yearless_year_follows_today() -> None:
    assert _dates("[12-31]", today=date(2025, 12, 31)) == [date(2025, 12, 31)]
    assert _dates("[12-31]", today=date(2025, 12, 30)) == [date(2024, 12, 31)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml", UrlDate(date(2019, 9, 18), "day")),
        ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", UrlDate(date(2016, 11, 22), "day")),
        ("/ycsrmzf/zwyw/202310/34e1d41233c34c52a652e278c5529a33.shtml", UrlDate(date(2023, 10, 1), "month")),
        ("http://x.gov.cn/a/2019-09/abc.html", UrlDate(date(2019, 9, 1), "month")),
        ("http://x.gov.cn/a/20190918/abc.html", UrlDate(date(2019, 9, 18), "day")),
        ("http://x.gov.cn/a/2019/0918/abc.html", UrlDate(date(2019, 9, 18), "day")),
        ("http://x.gov.cn/a/2019/09/abc.html", UrlDate(date(2019, 9, 1), "month")),
        ("http://x.gov.cn/u/cms/W020190918123456789012.pdf", None),
        ("http://www.gov.cn/xinwen/2018-12/12/content_5347979.htm", UrlDate(date(2018, 12, 12), "day")),
        ("http://x.gov.cn/zwgkn/tzgg/content/post_2865270.html", None),
        ("http://x.gov.cn/col/col1220132/index.html", None),
        ("http://x.gov.cn/a/201913/abc.html", None),  # month 13
        ("http://2019.example.gov.cn/12/", None),  # the host is not a date
        ("", None),
    ],
)
def test_url_date(url: str, expected: UrlDate | None) -> None:
    assert url_date(url) == expected


# --- a list row's date cell (sitecheck.extract.listing.dom.cell_date) ---------------------------


def _cell_date_by_scanning(text: str, today: date) -> date | None:
    """cell_date as defined: every date of the text read, then the rule for long texts."""
    found = scan_dates(text, today=today)
    if not found:
        return None
    if len(text) <= MAX_DATE_CELL:
        return max(value for _, _, value in found)
    start, _, value = found[0]
    if not text[:start].strip(" \t\r\n\xa0[(【"):
        return value
    _, end, value = found[-1]
    if not text[end:].strip(" \t\r\n\xa0])】"):
        return value
    return None


def test_cell_date_of_long_texts_is_a_date_at_either_end() -> None:
    filler = "关于做好2025年度政府网站检查工作的通知，请各单位于3月15日前报送"
    assert cell_date(f"{filler}。", TODAY) is None  # dates in the middle only
    assert cell_date(f"[2025-12-31] {filler}", TODAY) == date(2025, 12, 31)
    assert cell_date(f"{filler} (2025年12月30日)", TODAY) == date(2025, 12, 30)
    assert cell_date(f"{filler}【12-29】", TODAY) == date(2025, 12, 29)
    assert cell_date(f"二〇二五年十二月二十八日{filler}", TODAY) == date(2025, 12, 28)


def test_cell_date_skips_the_scan_only_where_no_date_can_stand_at_an_end() -> None:
    # Long texts whose ends are not a date's are not scanned; the answer must be the scan's:
    # every date form, at each end, behind every opening and closing a date may have.
    dates = [
        "2025-12-31", "2025/1/5", "2025.12.31", "2025年12月31日", "2025 年 1 月 5 日", "２０２５－１２－３１",
        "二〇二五年十二月三十一日", "12月31日", "12-31", "[12-31]", "(01/05)", "【1-5】", "〔12-31〕",
        "［12-31］", "（12-31）", "[　12-31　]", "[\u200312-31]", "2025年12月31", "2025-12-31 10:20",
    ]  # fmt: skip
    edges = ["", " ", "\xa0", "　", "[", "(", "【", "] ", "\u2003", "·", "—"]
    filler = "各县（市、区）发展改革局：现将2024年度工作要点印发给你们，请结合实际认真贯彻执行"
    cases = 0
    for found in dates:
        for edge in edges:
            for text in (
                edge + found + filler,
                filler + found + edge,
                edge + found + filler + found + edge,
                filler + edge + found + edge + filler,
            ):
                cases += 1
                assert cell_date(text, TODAY) == _cell_date_by_scanning(text, TODAY), text
    assert cases == len(dates) * len(edges) * 4


def test_a_date_claims_its_characters_against_every_later_reading() -> None:
    # Each form is read in turn, and a match overlapping a date read before is not a date
    # (2017-02-30's "02-30" is not a year-less one). The claimed characters are kept per
    # character: the same answers as asking every claimed span, for any mix of forms.
    import random

    from sitecheck.extract import dates

    def by_spans(text: str) -> list[tuple[int, int, date]]:  # the rule as first written
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, int, date]] = []
        text = text.translate(dates._FULLWIDTH)
        forms = [
            (dates._YMD, lambda m: dates._make(int(m["y"]), int(m["m"]), int(m["d"]), TODAY)),
            (dates._CJK_YMD, lambda m: dates._make(int(m["y"]), int(m["m"]), int(m["d"]), TODAY)),
            (
                dates._CN_YMD,
                lambda m: dates._make(
                    dates._cn_number(m["y"]), dates._cn_number(m["m"]), dates._cn_number(m["d"]), TODAY
                ),
            ),
            (dates._CJK_MD, lambda m: dates._infer_year(int(m["m"]), int(m["d"]), TODAY)),
            (
                dates._BRACKET_MD,
                lambda m: dates._infer_year(int(m["m"] or m["m2"]), int(m["d"] or m["d2"]), TODAY),
            ),
            (dates._BARE_MD, lambda m: dates._infer_year(int(m["m"]), int(m["d"]), TODAY)),
        ]
        for pattern, value_of in forms:
            if pattern is dates._CN_YMD and "年" not in text:
                continue
            for m in pattern.finditer(text):
                if all(m.end() <= a or m.start() >= b for a, b in taken):
                    taken.append(m.span())
                    value = value_of(m)
                    if value is not None:
                        found.append((m.start(), m.end(), value))
        return sorted(found, key=lambda item: item[0])

    rng = random.Random(11)
    pieces = ["2019-03-05", "2017-02-30", "03-05", "3月5日", "2019年3月5日", "二〇一九年三月五日", "[03-05]",
              "（3.5）", "２０１９-０３-０５", "12-31", "1", "-", "年", " ", "发布", "2019-03-05-06",
              "12-31-2019", "3月5日-6日", "2019年3月5-6日", "05-06-07", "2019-02-29"]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        assert dates._scan(text, TODAY) == by_spans(text), text
    assert sum(len(by_spans(p)) for p in pieces) >= 8  # the pieces hold dates of every form
    # and a long text of many dates is read once through
    many = "政府工作报告 2019年1月1日 " * 20_000
    assert len(dates._scan(many, TODAY)) == 20_000
