"""Config validation: every error names the key that holds the bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitecheck.config import AuditConfig, config_from_mapping, load_config
from sitecheck.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


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
        ({"politeness": {"concurrency": "abc"}}, "politeness.concurrency", "expected an integer"),
        ({"politeness": {"concurency": 3}}, "politeness.concurency", "unknown key"),
        ({"fetch": {"timeout": -1}}, "fetch.timeout", "must be ≥"),
        ({"scope": {"exclude": ["("]}}, "scope.exclude", "invalid regular expression"),
        ({"site": {"start_url": "ftp://x"}}, "site.start_url", "not an http(s) URL"),
        ({"sitee": {}}, "sitee", "unknown section"),
        ({"politeness": {"respect_robots": "yes"}}, "politeness.respect_robots", "true or false"),
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
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
