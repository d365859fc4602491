"""Config validation: every error names the key that holds the bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from sitecheck.config import LIMITS, AuditConfig, check_option, config_from_mapping, load_config
from sitecheck.errors import ConfigError


def test_example_config_loads() -> None:
    config = load_config(REPO / "config" / "portal.example.toml")
    assert config.site.start_url.startswith("https://")
    assert config.politeness.per_host_concurrency >= 1


def test_defaults_are_gentle() -> None:
    config = AuditConfig()
    assert config.politeness.per_host_concurrency <= 2
    assert config.politeness.min_interval >= 0.3
    assert config.politeness.respect_robots
    assert config.fetch.timeout == 15.0


@pytest.mark.parametrize(
    ("data", "key", "fragment"),
    [
        ({"politeness": {"concurrency": "abc"}}, "politeness.concurrency", "应为整数"),
        ({"politeness": {"concurency": 3}}, "politeness.concurency", "没有这个设置项"),
        ({"fetch": {"timeout": -1}}, "fetch.timeout", "应不小于 0.1"),
        ({"scope": {"exclude": ["("]}}, "scope.exclude", "写法有误：缺少右括号"),
        ({"site": {"start_url": "ftp://x"}}, "site.start_url", "不是 http(s) 网址"),
        ({"sitee": {}}, "sitee", "没有这个配置节"),
        ({"politeness": {"respect_robots": "yes"}}, "politeness.respect_robots", "应为 true 或 false"),
    ],
)
def test_bad_values_name_their_key(data: dict[str, object], key: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping(data, "portal.toml")
    assert info.value.key == key
    assert fragment in str(info.value)
    assert str(info.value).startswith("portal.toml: ")


def test_malformed_toml_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[site\nstart_url = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="第 1 行第 6 列不是有效的 TOML"):
        load_config(path)


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        ("[site]\noffice = 办公室\n", "第 2 行", '字符串要加英文双引号，如 office = "办公室"'),
        ("[site]\nname = “某市人民政府”\n", "第 2 行", '请用英文引号，如 name = "某市人民政府"'),
        ("[fetch]\ntimeout = 15s\n", "第 2 行", "数值只能写数字（不带单位）"),
        ("[site]\noffice =\n", "第 2 行", "“office =”后面缺少值"),
        ('[site]\nname = "未结束\n', "第 2 行", "字符串缺少结尾的引号"),
        ('[site]\nname = "a"\nname = "b"\n', "", "同一个键写了两次"),
    ],
)
def test_toml_syntax_errors_say_where_and_how(tmp_path: Path, text: str, where: str, hint: str) -> None:
    path = tmp_path / "portal.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "不是有效的 TOML" in message and "\n" not in message
    assert where in message and hint in message, message


def test_extra_hosts_accept_names_ports_urls_and_wildcards() -> None:
    hosts = (
        "zwgk.example.gov.cn",
        "www.example.gov.cn:8080",
        "https://a.example.gov.cn/",
        "*.example.gov.cn",
    )
    assert config_from_mapping({"site": {"extra_hosts": list(hosts)}}).site.extra_hosts == hosts
    for bad in ("http://[::1/", "*.", "a b.gov.cn", "x.gov.cn:0", ""):
        with pytest.raises(ConfigError) as info:
            config_from_mapping({"site": {"extra_hosts": ["ok.gov.cn", bad]}}, "portal.toml")
        assert info.value.key == "site.extra_hosts[1]", bad


def test_command_line_values_are_checked_like_file_values() -> None:
    assert check_option("politeness.concurrency", "64", "--concurrency") == 64
    assert check_option("fetch.timeout", "0.5", "--timeout") == 0.5
    assert check_option("fetch.workers", "auto", "--workers") == "auto"
    assert check_option("scope.include", r"/xxgk/\d+", "--include") == r"/xxgk/\d+"
    for key, value, label, fragment in (
        ("politeness.concurrency", "65", "--concurrency", "上限 64"),
        ("politeness.concurrency", "many", "--concurrency", "应为整数"),
        ("fetch.timeout", "nan", "--timeout", "有限"),
        ("scope.include", "(", "--include", "正则表达式"),
        ("site.extra_seeds", "ftp://x", "--seed", "http"),
    ):
        with pytest.raises(ConfigError) as info:
            check_option(key, value, label)
        assert info.value.key == label and fragment in str(info.value)


def test_limits_hold_the_defaults() -> None:
    """Every default lies within its own bounds (a default outside would refuse an empty config)."""
    config = AuditConfig()
    for key, (low, high) in LIMITS.items():
        section, _, name = key.rpartition(".")
        if section:
            value = getattr(getattr(config, section), name)
            assert value == "auto" or low <= value <= high, key


@pytest.mark.parametrize(
    ("written", "category"),
    [
        ("动态要闻类", "dynamic"),
        ("动态", "dynamic"),
        ("通知公告类", "notice"),
        ("政策文件类", "notice"),
        ("人事类", "personnel"),
        ("规划计划类", "personnel"),
        ("年报", "annual_report"),
        ("政府信息公开年报", "annual_report"),
        ("专题", "topic"),
        ("其他", "other"),
        ("Notice", "notice"),
    ],
)
def test_column_categories_may_be_written_in_chinese(written: str, category: str) -> None:
    config = config_from_mapping({"columns": [{"match_name": "领导讲话", "category": written}]})
    assert config.columns[0].category == category


def test_every_category_label_the_reports_show_is_accepted() -> None:
    """What `sitecheck columns` and the checklist call a category can be pasted into the config."""
    from sitecheck.report.labels import CATEGORY_LABELS

    for category, label in CATEGORY_LABELS.items():
        config = config_from_mapping({"columns": [{"match_name": "x", "category": label}]})
        assert config.columns[0].category == category.value


def test_unknown_category_lists_the_choices_in_chinese() -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping({"columns": [{"match_name": "x", "category": "news"}]}, "portal.toml")
    assert info.value.key == "columns[0].category"
    assert "没有这个栏目类别 'news'" in str(info.value) and "dynamic（动态要闻类）" in str(info.value)
