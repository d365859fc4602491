"""Column classification, per-column overrides, rules-file validation and column grouping keys."""

from __future__ import annotations

import pytest

from conftest import REPO
from sitecheck.config import AuditConfig, config_from_mapping
from sitecheck.errors import ConfigError
from sitecheck.judge.categories import load_column_rules, parse_rules
from sitecheck.judge.columns import column_key
from sitecheck.models import ColumnCategory

RULES = load_column_rules(AuditConfig())


@pytest.mark.parametrize(
    ("name", "category", "limit"),
    [
        ("工作动态", ColumnCategory.DYNAMIC, 14),
        ("部门动态", ColumnCategory.DYNAMIC, 14),
        ("图片新闻", ColumnCategory.DYNAMIC, 14),
        ("通知公告", ColumnCategory.NOTICE, 180),
        ("政策解读", ColumnCategory.NOTICE, 180),
        ("公示公告", ColumnCategory.NOTICE, 180),
        ("人事信息", ColumnCategory.PERSONNEL, 365),
        ("规划计划", ColumnCategory.PERSONNEL, 365),
        ("政府信息公开年报", ColumnCategory.ANNUAL_REPORT, 400),
        ("“不忘初心、牢记使命”主题教育专题", ColumnCategory.TOPIC, None),
        ("办事指南", ColumnCategory.OTHER, 365),
    ],
)
def test_default_keywords(name: str, category: ColumnCategory, limit: int | None) -> None:
    verdict = RULES.classify(url="http://x.gov.cn/a/", name=name, column_type=None)
    assert verdict.category is category
    assert verdict.limit_days == limit


def test_column_type_meta_wins_over_the_name_and_parents_are_a_fallback() -> None:
    verdict = RULES.classify(url="http://x.gov.cn/gzjl/", name="工作交流", column_type="动态要闻")
    assert (verdict.category, verdict.source) == (ColumnCategory.DYNAMIC, "meta")
    verdict = RULES.classify(
        url="http://x.gov.cn/sbj/", name="市本级", column_type=None, parents=("规划计划",)
    )
    assert (verdict.category, verdict.source) == (ColumnCategory.PERSONNEL, "parent")


def test_portal_overrides_by_name_and_url() -> None:
    config = config_from_mapping(
        {
            "site": {"office": "办公室"},
            "columns": [
                {"match_name": "^领导讲话$", "category": "dynamic", "office": "综合科"},
                {"match_url": "/lszt/", "exempt": True},
                {"match_name": "工作动态", "limit_days": 7, "warn_days": 5},
            ],
        }
    )
    rules = load_column_rules(config)
    speech = rules.classify(url="http://x/ldjh/", name="领导讲话", column_type=None)
    assert (speech.category, speech.source, speech.limit_days, speech.office) == (
        ColumnCategory.DYNAMIC,
        "config",
        14,
        "综合科",
    )
    old = rules.classify(url="http://x/lszt/2019/", name="工作动态", column_type=None)
    assert old.limit_days is None and old.office == "办公室"
    news = rules.classify(url="http://x/gzdt/", name="工作动态", column_type=None)
    assert (news.limit_days, news.warn_days) == (7, 5)


@pytest.mark.parametrize(
    ("columns", "key", "fragment"),
    [
        ([{"match_name": "x", "category": "news"}], "columns[0].category", "没有这个栏目类别"),
        ([{"match_name": "x", "limit_days": -3}], "columns[0].limit_days", "应不小于 0"),
        ([{"category": "dynamic"}], "columns[0]", "需要 match_url"),
        ([{"match_name": "x", "limt_days": 3}], "columns[0].limt_days", "没有这个设置项"),
        ([{"match_name": "(", "category": "dynamic"}], "columns[0].match_name", "写法有误"),
        ({"match_name": "x"}, "columns", "应写成 [[columns]] 表"),
    ],
)
def test_bad_column_overrides_name_their_key(columns: object, key: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping({"columns": columns}, "portal.toml")
    assert info.value.key == key
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[categories.news]\nlimit_days = 3\n", "categories.news"),
        ("[categories.dynamic]\nlimit_days = 'soon'\n", "categories.dynamic.limit_days"),
        ("[categories.dynamic]\nlimit_days = 14\nwarn_days = 20\n", "categories.dynamic.warn_days"),
        ("[veto]\nempty = 5\n", "veto.empty"),
    ],
)
def test_bad_rules_file_names_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_rules(text, "rules.toml")
    assert info.value.key == key


def test_rules_file_in_config_folder_is_the_shipped_default() -> None:
    shipped = REPO / "config" / "rules.default.toml"
    categories, veto = parse_rules(shipped.read_text("utf-8"), str(shipped))
    assert [c.category for c in categories][:2] == [ColumnCategory.TOPIC, ColumnCategory.ANNUAL_REPORT]
    assert (veto.empty_columns, veto.stale_columns, veto.should_update, veto.home_days) == (5, 5, 10, 14)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://x.gov.cn/tzgg/index_3.html", "http://x.gov.cn/tzgg/index.html"),
        ("http://x.gov.cn/tzgg/index.html", "http://x.gov.cn/tzgg/index.html"),
        ("http://x.gov.cn/col/xlist_2.shtml", "http://x.gov.cn/col/xlist.shtml"),
        ("http://x.gov.cn/list.jsp?channel=5&page=3", "http://x.gov.cn/list.jsp?channel=5"),
        ("http://x.gov.cn/list.jsp?pageNo=2&cid=7", "http://x.gov.cn/list.jsp?cid=7"),
    ],
)
def test_column_key_strips_page_numbers(url: str, key: str) -> None:
    assert column_key(url) == key


def test_month_only_url_dates_get_the_benefit_of_the_doubt() -> None:
    from datetime import date

    from sitecheck.extract.dates import effective_date

    seen = date(2023, 10, 11)
    month_url = "http://www.yichun.gov.cn/ycsrmzf/zwyw/202309/34e1d41233c34c52a652e278c5529a33.shtml"
    assert effective_date(date(2023, 9, 1), "url", month_url, seen) == date(2023, 9, 30)
    current_month = month_url.replace("202309", "202310")
    assert effective_date(date(2023, 10, 1), "url", current_month, seen) == seen
    day_url = "http://www.shanxi.gov.cn/zfxxgk/t20190918_693227.shtml"
    assert effective_date(date(2019, 9, 18), "url", day_url, seen) == date(2019, 9, 18)
    assert effective_date(date(2019, 9, 18), "text", month_url, seen) == date(2019, 9, 18)
