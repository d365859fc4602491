"""Column categories, their update limits and the veto thresholds (the judging settings).

The defaults ship as ``sitecheck/data/rules.default.toml`` (also at ``config/rules.default.toml``);
a portal config may replace the file (``rules_file``) and correct single columns ([[columns]]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from sitecheck.config import AuditConfig, ColumnOverride, convert, parse_toml
from sitecheck.errors import ConfigError
from sitecheck.models import ColumnCategory


@dataclass(frozen=True, slots=True)
class CategoryRule:
    category: ColumnCategory
    label: str
    limit_days: int | None  # None: exempt (historical special topics)
    warn_days: int | None
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VetoRules:
    empty_columns: int = 5
    empty_columns_warn: int = 3
    stale_columns: int = 5
    stale_columns_warn: int = 3
    should_update: int = 10
    should_update_warn: int = 7
    home_days: int = 14
    home_warn_days: int = 10
    home_min_items: int = 10


@dataclass(frozen=True, slots=True)
class Classification:
    category: ColumnCategory
    source: str  # config, meta, name, parent, default
    limit_days: int | None
    warn_days: int | None
    office: str


@dataclass(frozen=True, slots=True)
class ColumnRules:
    categories: tuple[CategoryRule, ...]
    veto: VetoRules
    overrides: tuple[ColumnOverride, ...] = ()
    default_office: str = ""

    def rule(self, category: ColumnCategory) -> CategoryRule:
        for rule in self.categories:
            if rule.category is category:
                return rule
        return CategoryRule(category, category.value, 365, 335, ())

    def _by_keywords(self, text: str) -> ColumnCategory | None:
        for rule in self.categories:
            if any(keyword in text for keyword in rule.keywords):
                return rule.category
        return None

    def classify(
        self, *, url: str, name: str, column_type: str | None, parents: tuple[str, ...] = ()
    ) -> Classification:
        """Category by config override, then ColumnType meta, then name, then parent names."""
        override = next(
            (
                o
                for o in self.overrides
                if (not o.match_url or re.search(o.match_url, url))
                and (not o.match_name or re.search(o.match_name, name))
            ),
            None,
        )
        category: ColumnCategory | None = None
        source = "default"
        if override is not None and override.category:
            category, source = ColumnCategory(override.category), "config"
        if category is None and column_type:
            category = self._by_keywords(column_type)
            source = "meta"
        if category is None:
            category = self._by_keywords(name)
            source = "name"
        if category is None:
            for parent in reversed(parents):
                category = self._by_keywords(parent)
                if category is not None:
                    source = "parent"
                    break
        if category is None:
            category, source = ColumnCategory.OTHER, "default"
        rule = self.rule(category)
        limit, warn = rule.limit_days, rule.warn_days
        office = self.default_office
        if override is not None:
            if override.exempt:
                limit = warn = None
            else:
                limit = override.limit_days or limit
                warn = override.warn_days or (warn if override.limit_days == 0 else None)
            office = override.office or office
            if source != "config" and (override.exempt or override.limit_days or override.office):
                source = f"{source}+config"
        return Classification(category, source, limit, warn, office)


def _default_rules_text() -> tuple[str, str]:
    path = resources.files("sitecheck").joinpath("data/rules.default.toml")
    return path.read_text(encoding="utf-8"), "rules.default.toml"


def _int(table: dict[str, Any], key: str, where: str, source: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    number: int = convert(f"{where}.{key}", value, int, source)  # type and range, as in a config
    if number < 0:
        raise ConfigError(f"{where}.{key}", f"expected a whole number ≥ 0, got {value!r}", source)
    return number


def parse_rules(text: str, source: str) -> tuple[tuple[CategoryRule, ...], VetoRules]:
    data = parse_toml(text, source)
    unknown = set(data) - {"categories", "veto"}
    if unknown:
        raise ConfigError(sorted(unknown)[0], "unknown section (expected categories, veto)", source)
    categories: list[CategoryRule] = []
    known = {c.value for c in ColumnCategory}
    for name, table in (data.get("categories") or {}).items():
        where = f"categories.{name}"
        if name not in known:
            raise ConfigError(
                where, f"unknown category (expected one of: {', '.join(sorted(known))})", source
            )
        if not isinstance(table, dict):
            raise ConfigError(where, "expected a table", source)
        extra = set(table) - {"label", "limit_days", "warn_days", "keywords"}
        if extra:
            raise ConfigError(f"{where}.{sorted(extra)[0]}", "unknown key", source)
        keywords: tuple[str, ...] = convert(
            f"{where}.keywords", table.get("keywords", []), tuple[str, ...], source
        )
        if not all(keywords):
            raise ConfigError(f"{where}.keywords", "expected a list of non-empty strings", source)
        limit = _int(table, "limit_days", where, source)
        warn = _int(table, "warn_days", where, source)
        if limit is not None and warn is not None and warn > limit:
            raise ConfigError(f"{where}.warn_days", "must not exceed limit_days", source)
        categories.append(
            CategoryRule(ColumnCategory(name), str(table.get("label", name)), limit, warn, tuple(keywords))
        )
    veto_table = data.get("veto") or {}
    veto_fields = {f.name for f in fields(VetoRules)}
    values: dict[str, int] = {}
    for key in veto_table:
        if key not in veto_fields:
            raise ConfigError(
                f"veto.{key}", f"unknown key (expected one of: {', '.join(sorted(veto_fields))})", source
            )
        number = _int(veto_table, key, "veto", source)
        if number is not None:
            values[key] = number
    return tuple(categories), VetoRules(**values)


def load_column_rules(config: AuditConfig) -> ColumnRules:
    if config.rules_file:
        path = Path(config.rules_file)
        try:
            text, source = path.read_text(encoding="utf-8-sig"), str(path)
        except OSError as exc:
            raise ConfigError("rules_file", f"cannot read {path}: {exc.strerror or exc}") from None
    else:
        text, source = _default_rules_text()
    categories, veto = parse_rules(text, source)
    return ColumnRules(categories, veto, config.columns, config.site.office)
