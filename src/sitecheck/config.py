"""Portal configuration: TOML file -> validated, typed :class:`AuditConfig`.

Validation happens once, here. Every error names the TOML key that holds the bad value
(``politeness.concurrency: expected an integer ≥ 1, got "abc"``), so a webmaster can fix it.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_origin, get_type_hints
from urllib.parse import urlsplit

from sitecheck import __version__
from sitecheck.errors import ConfigError
from sitecheck.urls import Scope

# Says who is asking and why, so a webmaster reading the access log can tell the audit from
# an attack; override it (politeness.user_agent) to add a contact.
DEFAULT_USER_AGENT = f"sitecheck/{__version__} (government website self-inspection crawler)"

# Phrases that mark an HTTP 200 page as "this page does not exist" (soft 404) or as a
# WAF/CDN error page standing in for the real one. Matched in the title, or in the text of
# short pages (a long article that merely mentions "404" is not an error page).
DEFAULT_SOFT404_PHRASES: tuple[str, ...] = (
    "页面不存在",
    "您访问的页面不存在",
    "您所访问的页面不存在",
    "页面未找到",
    "找不到该页面",
    "找不到页面",
    "页面已删除",
    "文章不存在",
    "信息不存在",
    "文件不存在",
    "该信息已删除",
    "页面无法访问",
    "源站出现问题",
    "访问的页面出错",
    "page not found",
    "not found",
    "404",
)


@dataclass(frozen=True, slots=True)
class SiteSection:
    start_url: str = ""
    name: str = ""  # 网站名称, shown in reports; defaults to the host
    extra_seeds: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()  # other hosts that belong to the portal (crawled, not just checked)
    use_sitemap: bool = True
    office: str = ""  # default 责任科室 for findings no [[columns]] entry assigns
    slug: str = ""  # folder name under reports_dir (default: the start URL's host)


@dataclass(frozen=True, slots=True)
class ScopeSection:
    include: tuple[str, ...] = ()  # regexes; when given, in-scope URLs must match one
    exclude: tuple[str, ...] = ()  # regexes; matching URLs are never requested
    max_pages: int = 20000
    max_depth: int = 30
    max_url_length: int = 512
    max_segment_repeats: int = 3


@dataclass(frozen=True, slots=True)
class PolitenessSection:
    # Gentle defaults for a government server: at most 2 requests in flight per host and
    # 0.3 s between request starts (≈3 pages/s on the portal). Raise them for your own site.
    concurrency: int = 8
    per_host_concurrency: int = 2
    min_interval: float = 0.3
    respect_robots: bool = True
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchSection:
    timeout: float = 15.0  # the national availability rule counts a page as failed after 15 s
    # Extra attempts after a timeout, a reset or a 5xx/429 without Retry-After. A Retry-After
    # is followed even with retries = 0 (it is the server's instruction, not a failure).
    retries: int = 2
    backoff: float = 1.0  # first retry delay in seconds, doubled each time
    max_retry_after: float = 60.0  # a longer Retry-After is reported as rate-limited, not waited for
    max_body_bytes: int = 5_000_000  # HTML pages larger than this are parsed truncated
    max_redirects: int = 10
    verify_tls: bool = True
    # Processes that fetch and parse pages for the crawler (sitecheck/workers.py); 0 reads
    # everything in the crawler's own process. "auto" uses the machine's cores only when the
    # politeness limits are raised far enough for one core to be the bottleneck (auditing
    # your own portal, the benchmark): at the gentle defaults the crawl waits on the server.
    workers: int | str = "auto"


@dataclass(frozen=True, slots=True)
class Soft404Section:
    phrases: tuple[str, ...] = DEFAULT_SOFT404_PHRASES
    short_page_chars: int = 600  # body phrases only count on pages with less visible text than this


@dataclass(frozen=True, slots=True)
class ScheduleSection:
    """When ``sitecheck serve`` runs what (cron expressions, 5 fields, in ``timezone``)."""

    audit: str = "30 1 * * 1"  # full audit: Mondays 01:30, when the portal is quiet
    recheck: str = "0 9 * * 1-5"  # recheck of open findings: weekday mornings
    probes_per_day: int = 24  # home-page availability probes, at jittered times (national: ≥20)
    probe_timeout: float = 15.0  # a probe fails when the page has not opened after this
    timezone: str = "Asia/Shanghai"
    misfire_grace: int = 3600  # seconds a missed run may still start after downtime
    keep_runs: int = 20  # report folders kept per portal (older ones are deleted)
    availability_warn: float = 0.03  # early warning before the 5% availability veto (开普云 warns at 3%)


@dataclass(frozen=True, slots=True)
class NotifySection:
    """Who hears about new findings, a veto risk or a home-page outage."""

    email_to: tuple[str, ...] = ()
    email_from: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    webhook_url: str = ""  # receives a JSON POST
    events: tuple[str, ...] = ("new_findings", "veto_risk", "home_down")


COLUMN_CATEGORIES = ("dynamic", "notice", "personnel", "annual_report", "topic", "other")


@dataclass(frozen=True, slots=True)
class ColumnOverride:
    """One [[columns]] entry: corrects the audit of the columns it matches."""

    match_url: str = ""  # regex searched in the column's URL
    match_name: str = ""  # regex searched in the column's name
    category: str = ""  # one of COLUMN_CATEGORIES; empty keeps the detected one
    limit_days: int = 0  # 0 keeps the category's limit
    warn_days: int = 0
    exempt: bool = False
    office: str = ""  # 责任科室


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One [[ignore]] entry: findings the office has decided not to rectify, and why."""

    id: str = ""  # a finding id from the checklist (e.g. "dead_link:1a2b…")
    match_url: str = ""  # or: a regex searched in the finding's URL
    kind: str = ""  # optionally only findings of this kind
    reason: str = ""  # required: shown in the checklist as 忽略原因


@dataclass(frozen=True, slots=True)
class AuditConfig:
    site: SiteSection = field(default_factory=SiteSection)
    scope: ScopeSection = field(default_factory=ScopeSection)
    politeness: PolitenessSection = field(default_factory=PolitenessSection)
    fetch: FetchSection = field(default_factory=FetchSection)
    soft404: Soft404Section = field(default_factory=Soft404Section)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    notify: NotifySection = field(default_factory=NotifySection)
    columns: tuple[ColumnOverride, ...] = ()
    ignore: tuple[IgnoreRule, ...] = ()
    rules_file: str = ""  # replaces the default column rules (config/rules.default.toml)
    reports_dir: str = "reports"  # checklists go to <reports_dir>/<site>/<run time>/
    data_dir: str = ".sitecheck"

    def replace(self, section: str, **changes: Any) -> AuditConfig:
        """A copy with some values of one section changed (command-line overrides)."""
        current = getattr(self, section)
        return dataclasses.replace(self, **{section: dataclasses.replace(current, **changes)})

    @property
    def site_name(self) -> str:
        return self.site.name or (urlsplit(self.site.start_url).hostname or "site")

    def crawl_scope(self) -> Scope:
        """Which URLs belong to the portal (start host, extra hosts, include/exclude)."""
        return Scope(
            self.site.start_url,
            extra_hosts=self.site.extra_hosts,
            include=self.scope.include,
            exclude=self.scope.exclude,
        )


# Keys that must be positive, and how small they may be.
_MINIMUMS: dict[str, float] = {
    "scope.max_pages": 1,
    "scope.max_depth": 0,
    "scope.max_url_length": 32,
    "scope.max_segment_repeats": 1,
    "politeness.concurrency": 1,
    "politeness.per_host_concurrency": 1,
    "politeness.min_interval": 0,
    "fetch.timeout": 0.1,
    "fetch.retries": 0,
    "fetch.backoff": 0,
    "fetch.max_retry_after": 0,
    "fetch.max_body_bytes": 1024,
    "fetch.max_redirects": 0,
    "fetch.workers": 0,
    "soft404.short_page_chars": 0,
    "limit_days": 0,
    "warn_days": 0,
    "schedule.probes_per_day": 1,
    "schedule.probe_timeout": 0.1,
    "schedule.misfire_grace": 1,
    "schedule.keep_runs": 1,
    "notify.smtp_port": 1,
}


def validate_start_url(url: str, key: str = "site.start_url", source: str = "") -> str:
    url = url.strip()
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, f"not an http(s) URL: {url!r}", source)
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError(key, f"invalid port in URL: {url!r}", source) from None
    return parts.geturl() if parts.path else parts._replace(path="/").geturl()


def _convert(key: str, value: Any, hint: Any, source: str) -> Any:
    if key == "fetch.workers":
        if value == "auto":
            return value
        if isinstance(value, str):
            raise ConfigError(key, f'expected a number of processes or "auto", got {value!r}', source)
        hint = int
    origin = get_origin(hint)
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(key, f"expected a list of strings, got {value!r}", source)
        return tuple(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"expected true or false, got {value!r}", source)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"expected an integer, got {value!r}", source)
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, f"expected a number, got {value!r}", source)
        value = float(value)
    elif hint is str and not isinstance(value, str):
        raise ConfigError(key, f"expected a string, got {value!r}", source)
    minimum = _MINIMUMS.get(key, _MINIMUMS.get(key.rsplit(".", 1)[-1]))
    if minimum is not None and value < minimum:
        raise ConfigError(key, f"must be ≥ {minimum:g}, got {value!r}", source)
    return value


def _build_section(cls: type[Any], table: Any, prefix: str, source: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(prefix, "expected a table", source)
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for name, raw in table.items():
        key = f"{prefix}.{name}"
        if name not in known:
            raise ConfigError(key, f"unknown key (expected one of: {', '.join(sorted(known))})", source)
        values[name] = _convert(key, raw, hints[name], source)
    return cls(**values)


def _check_regexes(key: str, patterns: tuple[str, ...], source: str) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(key, f"invalid regular expression {pattern!r}: {exc}", source) from None


def _build_columns(entries: Any, source: str) -> tuple[ColumnOverride, ...]:
    if not isinstance(entries, list):
        raise ConfigError("columns", "expected an array of tables ([[columns]])", source)
    overrides: list[ColumnOverride] = []
    for index, table in enumerate(entries):
        key = f"columns[{index}]"
        override: ColumnOverride = _build_section(ColumnOverride, table, key, source)
        if not (override.match_url or override.match_name):
            raise ConfigError(key, "needs match_url or match_name", source)
        if override.category and override.category not in COLUMN_CATEGORIES:
            raise ConfigError(
                f"{key}.category",
                f"unknown category {override.category!r} (expected one of: {', '.join(COLUMN_CATEGORIES)})",
                source,
            )
        if override.warn_days and override.limit_days and override.warn_days > override.limit_days:
            raise ConfigError(f"{key}.warn_days", "must not exceed limit_days", source)
        _check_regexes(f"{key}.match_url", (override.match_url,), source)
        _check_regexes(f"{key}.match_name", (override.match_name,), source)
        overrides.append(override)
    return tuple(overrides)


FINDING_KINDS = (
    "home_unreachable",
    "dead_link_home",
    "dead_link",
    "unavailable_link",
    "unverified_link",
    "empty_column",
    "stale_column",
    "undated_column",
    "stale_column_warning",
    "home_not_updated",
    "home_few_updates",
)


def _build_ignores(entries: Any, source: str) -> tuple[IgnoreRule, ...]:
    if not isinstance(entries, list):
        raise ConfigError("ignore", "expected an array of tables ([[ignore]])", source)
    rules: list[IgnoreRule] = []
    for index, table in enumerate(entries):
        key = f"ignore[{index}]"
        rule: IgnoreRule = _build_section(IgnoreRule, table, key, source)
        if not (rule.id or rule.match_url):
            raise ConfigError(key, "needs id or match_url", source)
        if not rule.reason.strip():
            raise ConfigError(f"{key}.reason", "a reason is required (it is shown in the checklist)", source)
        if rule.kind and rule.kind not in FINDING_KINDS:
            raise ConfigError(
                f"{key}.kind",
                f"unknown kind {rule.kind!r} (expected one of: {', '.join(FINDING_KINDS)})",
                source,
            )
        _check_regexes(f"{key}.match_url", (rule.match_url,), source)
        rules.append(rule)
    return tuple(rules)


def config_from_mapping(data: dict[str, Any], source: str = "") -> AuditConfig:
    sections: dict[str, Any] = {}
    section_types = {f.name: f.type for f in dataclasses.fields(AuditConfig)}
    hints = get_type_hints(AuditConfig)
    for name, table in data.items():
        if name not in section_types:
            raise ConfigError(name, f"unknown section (expected one of: {', '.join(section_types)})", source)
        hint = hints[name]
        if hint is str:
            sections[name] = _convert(name, table, str, source)
        elif name == "columns":
            sections[name] = _build_columns(table, source)
        elif name == "ignore":
            sections[name] = _build_ignores(table, source)
        else:
            sections[name] = _build_section(hint, table, name, source)
    config = AuditConfig(**sections)
    if config.site.start_url:
        config = config.replace("site", start_url=validate_start_url(config.site.start_url, source=source))
    for index, seed in enumerate(config.site.extra_seeds):
        validate_start_url(seed, f"site.extra_seeds[{index}]", source)
    _check_regexes("scope.include", config.scope.include, source)
    _check_regexes("scope.exclude", config.scope.exclude, source)
    return config


def load_config(path: str | Path) -> AuditConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("", f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot read config file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"not valid TOML: {exc}", str(path)) from None
    return config_from_mapping(data, str(path))
