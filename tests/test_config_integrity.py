"""[integrity] settings (issue 16): defaults, the example config, and mistakes stopped early."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitecheck.config import AuditConfig, config_from_mapping, load_config
from sitecheck.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_defaults_and_example() -> None:
    assert AuditConfig().integrity.hidden_links is True
    assert AuditConfig().integrity.allow_hosts == ("*.gov.cn",)
    example = load_config(REPO / "config" / "portal.example.toml")
    assert example.integrity.hidden_links and example.integrity.allow_hosts == ("*.gov.cn",)


def test_a_broken_vocabulary_list_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    bad = tmp_path / "words.toml"
    bad.write_text('[[word]]\ntext = "x"\ncategory = "weapons"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"integrity\.vocabulary_lists\[0\].*风险词表"):
        config_from_mapping({"integrity": {"vocabulary_lists": [str(bad)]}})
    with pytest.raises(ConfigError, match="找不到"):
        config_from_mapping({"integrity": {"vocabulary_lists": [str(tmp_path / "none.toml")]}})


def test_allow_hosts_are_checked() -> None:
    config = config_from_mapping({"integrity": {"allow_hosts": ["*.example.com", "partner.example.org"]}})
    assert config.integrity.allow_hosts == ("*.example.com", "partner.example.org")
    with pytest.raises(ConfigError, match="allow_hosts"):
        config_from_mapping({"integrity": {"allow_hosts": ["bad host"]}})
