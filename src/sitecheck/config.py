"""Portal configuration: TOML file -> validated, typed :class:`AuditConfig`.

Validation happens once, here. Every error names the TOML key that holds the bad value and
says in Chinese what is wrong (``politeness.concurrency: 应为整数，现为 'abc'``): the person who
edits a portal config is a webmaster, not a programmer, so a key is all the English they see.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, get_origin, get_type_hints
from urllib.parse import urlsplit

from sitecheck import __version__
from sitecheck.errors import ConfigError
from sitecheck.models import ColumnCategory, FindingKind
from sitecheck.urls import Scope

# [fetch] transport: what carries the requests under the httpx API (fetch/client.py).
TRANSPORTS = ("auto", "aiohttp", "httpx")

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
    organisation: str = ""  # 单位名称 on the checklist's cover (default: the site's name)
    site_code: str = ""  # 网站标识码 (default: the pages' SiteIDCode meta)


@dataclass(frozen=True, slots=True)
class ScopeSection:
    include: tuple[str, ...] = ()  # regexes; when given, in-scope URLs must match one
    exclude: tuple[str, ...] = ()  # regexes; matching URLs are never requested
    max_pages: int = 20000
    max_depth: int = 30
    max_url_length: int = 512
    max_segment_repeats: int = 3
    # Follow redirects to loopback/private/link-local addresses even though the portal is public
    # (an intranet portal reached by name). A portal whose start host is itself such an address
    # is allowed them anyway.
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class PolitenessSection:
    # Gentle defaults for a government server: at most 2 requests in flight per host and
    # 0.3 s between request starts (≈3 pages/s on the portal). Raise them for your own site.
    # A request a host leaves waiting while it answers the others quickly stops counting
    # (fetch/politeness.py SLOW_AFTER), as does any request past it for ``concurrency``.
    concurrency: int = 8
    per_host_concurrency: int = 2
    min_interval: float = 0.3
    # Adaptive (fetch/politeness.py): the two values above are only the start; each host then
    # gets more slots and a shorter interval while its answers stay as quick as its quickest,
    # and half the rate at once on 429/503, a latency spike, a timeout or a reset. The ceilings
    # bound how far it goes (an explicit start beyond them widens them). false: the values
    # above hold for the whole crawl, as a fixed setting.
    adaptive: bool = True
    max_per_host: int = 8
    min_interval_floor: float = 0.05
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
    # Processes that fetch and parse pages for the crawler (sitecheck/crawl/pool.py); 0 reads
    # everything in the crawler's own process. "auto" uses the machine's cores only when the
    # politeness limits are raised far enough for one core to be the bottleneck (auditing
    # your own portal, the benchmark): at the gentle defaults the crawl waits on the server.
    workers: int | str = "auto"
    # What carries the HTTP requests under the httpx API (sitecheck/fetch/client.py): "aiohttp"
    # (half the CPU per request of httpx's own, bench/microbench_http.py), "httpx" (httpx's own
    # transport), "auto" (aiohttp when it is installed, else httpx).
    transport: str = "auto"
    # A PEM file of CA certificates trusted besides the system's store: an intranet portal
    # whose certificates a private CA issued. "" trusts the system's store only.
    ca_bundle: str = ""


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


COLUMN_CATEGORIES = tuple(category.value for category in ColumnCategory)

# ``category`` in [[columns]] may be written as the office says it: the national categories'
# Chinese names (the labels the checklist and `sitecheck columns` show, and their short forms)
# mean the same as the English values. Kept here rather than read from report/labels.py: the
# config is loaded before, and without, any report.
CATEGORY_ALIASES: dict[str, str] = {
    "动态要闻类": "dynamic",
    "动态要闻": "dynamic",
    "动态类": "dynamic",
    "动态": "dynamic",
    "要闻": "dynamic",
    "通知公告/政策文件类": "notice",
    "通知公告类": "notice",
    "通知公告": "notice",
    "政策文件类": "notice",
    "政策文件": "notice",
    "人事/规划计划类": "personnel",
    "人事类": "personnel",
    "人事": "personnel",
    "规划计划类": "personnel",
    "规划计划": "personnel",
    "政府信息公开年报": "annual_report",
    "年报": "annual_report",
    "专题专栏（豁免）": "topic",
    "专题专栏": "topic",
    "专题": "topic",
    "其他栏目": "other",
    "其他": "other",
}


def column_category(value: str, key: str = "category", source: str = "") -> str:
    """The category value (``dynamic`` …) a config names in English or in Chinese."""
    text = value.strip()
    if text.lower() in COLUMN_CATEGORIES:
        return text.lower()
    found = CATEGORY_ALIASES.get(text.replace(" ", "").replace("(", "（").replace(")", "）"))
    if found is None:
        choices = "、".join(f"{name}（{_CATEGORY_NAMES[name]}）" for name in COLUMN_CATEGORIES)
        raise ConfigError(key, f"没有这个栏目类别 {value!r}（可用的有：{choices}）", source)
    return found


# One Chinese name per category for the error above (the first alias of each).
_CATEGORY_NAMES = {
    name: next(alias for alias, value in CATEGORY_ALIASES.items() if value == name)
    for name in COLUMN_CATEGORIES
}


@dataclass(frozen=True, slots=True)
class ChecklistSection:
    """[checklist]: what the 整改台账 says about responsibility and deadlines."""

    # 整改时限 in working days (Monday to Friday) from the day of the check, by severity:
    # a veto risk is fixed within a week, a deduction within three, a warning within six.
    deadline_veto_days: int = 5
    deadline_deduction_days: int = 15
    deadline_warning_days: int = 30
    owner: str = ""  # default 整改责任人 (a person); per column in [[columns]] owner
    inspector: str = ""  # 检查人 on the cover (default: the tool's name)
    basis: str = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"  # 检查依据


@dataclass(frozen=True, slots=True)
class ContentSection:
    """[content]: the checks that read what pages say, not their links (issue 15)."""

    # 个人信息泄露: unmasked 身份证号 / 手机号 / 银行卡号 in page text (extract/privacy.py).
    privacy: bool = True
    # 错敏词: the shipped list of known wrong terms (sitecheck/data/wording/default.toml) and
    # the office's own lists (leaders' names and titles, outdated names): TOML files, read
    # relative to the working directory, later entries win (config/wording/local.example.toml).
    wording: bool = True
    wording_lists: tuple[str, ...] = ()
    # Personal data in attachments (PDF, DOCX, XLSX, TXT, CSV of the portal's own hosts): each
    # is downloaded whole, up to attachment_max_bytes, and read; off, attachments are only
    # checked as links (HEAD first, nothing downloaded).
    attachments: bool = False
    attachment_max_bytes: int = 20_000_000
    # 政府信息公开工作年度报告 (条例 第四十九条): the last due report found, on time, with the six
    # sections of 国办公开办函〔2021〕30号. annual_report_due is the deadline's month and day:
    # "01-31" for a department, "03-31" for the 本级政府's whole-of-government report.
    annual_report: bool = True
    annual_report_due: str = "01-31"


IDENTIFIER_NAMES = ("badge", "id_code", "icp", "icp_link", "police", "police_link", "sponsor", "contact")


@dataclass(frozen=True, slots=True)
class IdentifiersSection:
    """[identifiers]: what every page template's footer must show (issue 16 §3)."""

    enabled: bool = True
    # The site's 网站标识码 as registered ("" reads it from the pages: the majority value).
    site_id_code: str = ""
    # Templates used by fewer pages are not judged (a one-off page says little of a template);
    # the home page's template always is.
    min_template_pages: int = 3
    # What a footer must show, of IDENTIFIER_NAMES: badge 党政机关网站标识, id_code 网站标识码,
    # icp ICP 备案号, icp_link its link to the record system, police 公安机关备案号,
    # police_link its link, sponsor 主办单位, contact 电话/邮箱/地址.
    required: tuple[str, ...] = ("badge", "id_code", "icp", "icp_link", "police", "sponsor", "contact")


@dataclass(frozen=True, slots=True)
class IntegritySection:
    """[integrity]: what the portal links to, and whether its pages were tampered with (issue 16)."""

    # 暗链: off-site links the pages hide (extract/hidden_links.py), judged with a second signal.
    hidden_links: bool = True
    # Hosts whose hidden links are never 暗链 besides the portal's own (site.extra_hosts): a host
    # name, or *.suffix for a domain and its subdomains. Government sites are allowed by default.
    allow_hosts: tuple[str, ...] = ("*.gov.cn",)
    # Local word lists (TOML, the format of sitecheck/data/vocabulary/risky_sites.toml) added to
    # the shipped vocabulary of gambling, pornography … sites; read relative to the working directory.
    vocabulary_lists: tuple[str, ...] = ()
    # 外链变异: every link to another site that answers HTML is recorded (final host, title, a
    # fingerprint of its text, risky-site vocabulary, a parked / for-sale page); later runs
    # compare with the first record of the same URL (extract/external_view.py, judge/external.py).
    external_changes: bool = True


@dataclass(frozen=True, slots=True)
class TransportSection:
    """[transport]: certificates and transport of the portal's own hosts (issue 16, part 4)."""

    # Probe each https host of the portal (certificate dates, names, chain, TLS version) and
    # whether its http:// home page sends visitors to https.
    tls: bool = True
    cert_warn_days: int = 30  # a certificate expiring within this many days: 预警
    cert_fail_days: int = 7  # within this many days, or expired: 扣分
    https_redirect: bool = True  # http:// home page not sent to https while the host has valid https
    mixed_content: bool = True  # http: images, scripts, stylesheets, frames on https pages


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
    owner: str = ""  # 整改责任人
    deadline_days: int = 0  # 整改时限 in working days for this column's problems (0: by severity)


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
    checklist: ChecklistSection = field(default_factory=ChecklistSection)
    content: ContentSection = field(default_factory=ContentSection)
    integrity: IntegritySection = field(default_factory=IntegritySection)
    transport: TransportSection = field(default_factory=TransportSection)
    identifiers: IdentifiersSection = field(default_factory=IdentifiersSection)
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


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Worker processes: beyond two per core they only add memory and context switches.
MAX_WORKERS = min(16, max(2, 2 * _cores()))

# The range every number may take, lower and upper bound (README.md, "Limits on settings").
# The upper bounds stop a typo from hammering a portal (probes_per_day = 100000000 was ~38
# probes a second) or the machine (--workers 500). Keys without a section apply in any table.
LIMITS: dict[str, tuple[float, float]] = {
    "scope.max_pages": (1, 10_000_000),
    "scope.max_depth": (0, 100_000),
    "scope.max_url_length": (32, 16_384),
    "scope.max_segment_repeats": (1, 100),
    "politeness.concurrency": (1, 64),
    "politeness.per_host_concurrency": (1, 32),
    "politeness.min_interval": (0, 60),
    "politeness.max_per_host": (1, 32),
    "politeness.min_interval_floor": (0, 60),
    "fetch.timeout": (0.1, 300),
    "fetch.retries": (0, 10),
    "fetch.backoff": (0, 60),
    "fetch.max_retry_after": (0, 3600),
    "fetch.max_body_bytes": (1024, 100_000_000),
    "content.attachment_max_bytes": (1024, 200_000_000),
    "fetch.max_redirects": (0, 30),
    "fetch.workers": (0, MAX_WORKERS),
    "soft404.short_page_chars": (0, 1_000_000),
    "limit_days": (0, 3650),
    "warn_days": (0, 3650),
    "checklist.deadline_veto_days": (1, 365),
    "checklist.deadline_deduction_days": (1, 365),
    "checklist.deadline_warning_days": (1, 365),
    "deadline_days": (0, 365),
    "schedule.probes_per_day": (1, 1440),  # one a minute
    "schedule.probe_timeout": (0.1, 120),
    "schedule.misfire_grace": (1, 7 * 86400),
    "schedule.keep_runs": (1, 1000),
    "notify.smtp_port": (1, 65535),
    "transport.cert_warn_days": (0, 3650),
    "transport.cert_fail_days": (0, 3650),
    "identifiers.min_template_pages": (1, 100_000),
}
_UNITS = {
    "politeness.min_interval": "秒",
    "politeness.min_interval_floor": "秒",
    "fetch.timeout": "秒",
    "fetch.backoff": "秒",
    "fetch.max_retry_after": "秒",
    "fetch.max_body_bytes": "字节",
    "content.attachment_max_bytes": "字节",
    "limit_days": "天",
    "warn_days": "天",
    "transport.cert_warn_days": "天",
    "transport.cert_fail_days": "天",
    "schedule.probe_timeout": "秒",
    "schedule.misfire_grace": "秒",
}
_BOUND_NOTES = {"fetch.workers": "：本机 CPU 核数的 2 倍，至少 2、最多 16"}

# C0 and C1 control characters (tab and line breaks aside) are never meant in a setting: a NUL
# in a path or an escape sequence in a name fails, or misleads, far from the config.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a host name cannot hold (urlsplit accepts it and the request fails much later).
_BAD_HOST = re.compile(r"[\s\x00-\x1f\x7f-\x9f/\\?#@<>\"'`{}|^]")


def _limits(key: str) -> tuple[float, float] | None:
    return LIMITS.get(key, LIMITS.get(key.rsplit(".", 1)[-1]))


def _show(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))


def _check_number(key: str, value: float, label: str, source: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(label, f"应为有限的数值，现为 {value!r}", source)
    bounds = _limits(key)
    if bounds is None:
        return
    low, high = bounds
    unit = _UNITS.get(key, _UNITS.get(key.rsplit(".", 1)[-1], ""))
    top = f"{_show(high)} {unit}" if unit else _show(high)
    span = f"应在 {_show(low)} 到 {top}{'' if unit else ' '}之间"  # "300 秒之间", "64 之间"
    if value < low:
        raise ConfigError(label, f"应不小于 {_show(low)}（{span}），现为 {value!r}", source)
    if value > high:
        note = _BOUND_NOTES.get(key, "")
        raise ConfigError(label, f"{span}（上限 {top}{note}），现为 {_show(value)}", source)


def _check_text(label: str, value: str, source: str) -> None:
    found = _CONTROL.search(value)
    if found:
        raise ConfigError(label, f"含有控制字符 U+{ord(found.group()):04X}，请删除后重试", source)


def validate_start_url(url: str, key: str = "site.start_url", source: str = "") -> str:
    url = url.strip()
    _check_text(key, url, source)
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
    except ValueError:  # "http://[::1/": an unclosed IPv6 bracket (urllib says so in English)
        raise ConfigError(key, f"无法解析的网址 {url!r}（方括号或端口写法有误）", source) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            key, f"不是 http(s) 网址：{url!r}（网址应以 http:// 或 https:// 开头并含主机名）", source
        )
    if _BAD_HOST.search(parts.hostname):
        raise ConfigError(key, f"主机名中有空格或不允许的字符：{url!r}", source)
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        port = 0
    if port == 0:
        raise ConfigError(key, f"端口无效（应为 1 到 65535）：{url!r}", source)
    return parts.geturl() if parts.path else parts._replace(path="/").geturl()


def validate_host(raw: str, key: str = "site.extra_hosts", source: str = "") -> str:
    """One ``extra_hosts`` entry: a host name, ``host:port``, a URL or ``*.example.gov.cn``."""
    host = raw.strip()
    _check_text(key, host, source)
    if host.startswith(("*.", ".")):
        suffix = host.lstrip("*.")
        if not suffix or _BAD_HOST.search(suffix) or ":" in suffix:
            raise ConfigError(key, f"不是有效的域名通配：{raw!r}（应如 *.example.gov.cn）", source)
        return host
    if not host:
        raise ConfigError(key, "主机名不能为空", source)
    validate_start_url(host if "://" in host else f"http://{host}", key, source)
    return host


# The re module's complaints (English), for the mistakes made in a URL or name pattern.
_REGEX_PROBLEMS = {
    "missing ), unterminated subpattern": "缺少右括号 )",
    "unbalanced parenthesis": "括号不配对（多了右括号 )）",
    "unterminated character set": "缺少右方括号 ]",
    "nothing to repeat": "* + ? 或 {n} 前面没有可重复的内容",
    "multiple repeat": "重复符号连用（如 **）",
    "bad escape (end of pattern)": "末尾多了一个反斜杠 \\",
    "missing }, unterminated name": "缺少右花括号 }",
    "bad character range": "方括号中的字符范围写反了（如 [z-a]）",
    "unexpected end of pattern": "表达式不完整",
}


def _regex_problem(exc: re.error) -> str:
    """What is wrong with a regex, in Chinese, and where (``exc.pos`` counts from 0)."""
    message = str(exc.msg)
    problem = _REGEX_PROBLEMS.get(message)
    if problem is None:
        problem = "无效的转义（如 \\d 写成了 \\q）" if message.startswith("bad escape") else "语法错误"
    where = f"（第 {exc.pos + 1} 个字符处）" if exc.pos is not None else ""
    return problem + where + "；要匹配 ( ) [ ] . * ? + 等符号本身，请在前面加反斜杠"


def _check_regexes(key: str, patterns: tuple[str, ...], source: str) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            problem = _regex_problem(exc)
            raise ConfigError(key, f"正则表达式 {pattern!r} 写法有误：{problem}", source) from None
        except (OverflowError, RecursionError):  # "a{99999999999}", thousands of "("
            raise ConfigError(key, f"正则表达式过于复杂：{pattern[:80]!r}", source) from None


def _read_lists(
    paths: Iterable[str], load: Callable[[str], object], name: str, where: Callable[[int], str], source: str
) -> None:
    """Read every word list now: a mistake in one stops the run before it starts."""
    for i, path in enumerate(paths):
        try:
            load(path)
        except ConfigError as exc:
            raise ConfigError(where(i), f"{name} {path}：{exc}", source) from None


def _check_special(key: str, value: Any, label: str, source: str, *, index: bool = True) -> None:
    """The checks beyond the type and the range that a key's value needs (URLs, hosts, regexes)."""

    def where(i: int) -> str:
        return f"{label}[{i}]" if index else label

    if key in ("scope.include", "scope.exclude"):  # the message quotes the pattern
        _check_regexes(label, value, source)
        if key == "scope.exclude" and "" in value:
            raise ConfigError(label, "空的正则表达式会排除所有网址，请删除这一项", source)
    elif key == "site.start_url" and value:
        validate_start_url(value, label, source)
    elif key == "content.annual_report_due" and not _month_day(value):
        raise ConfigError(label, f'应为“月-日”，如 "01-31"（部门）或 "03-31"（本级政府）：{value!r}', source)
    elif key == "content.wording_lists":
        from sitecheck.extract.wording import load_wording_rules

        _read_lists(value, lambda path: load_wording_rules(path, default=False), "错敏词表", where, source)
    elif key == "integrity.vocabulary_lists":
        from sitecheck.extract.vocabulary import load_vocabulary

        _read_lists(value, lambda path: load_vocabulary(path, default=False), "风险词表", where, source)
    elif key == "integrity.allow_hosts":
        for i, host in enumerate(value):
            validate_host(host, where(i), source)
    elif key == "identifiers.site_id_code" and value and not re.fullmatch(r"(?:bm|BM)\d{8}|\d{10}", value):
        problem = f"网站标识码应为 10 位数字或 bm 加 8 位数字（如 3301000001），现为 {value!r}"
        raise ConfigError(label, problem, source)
    elif key == "identifiers.required":
        for i, name in enumerate(value):
            if name not in IDENTIFIER_NAMES:
                known = "、".join(IDENTIFIER_NAMES)
                raise ConfigError(where(i), f"没有这个标识 {name!r}（可用的有：{known}）", source)
    elif key == "site.extra_seeds":
        for i, seed in enumerate(value):
            validate_start_url(seed, where(i), source)
    elif key == "site.extra_hosts":
        for i, host in enumerate(value):
            validate_host(host, where(i), source)
    elif key == "fetch.transport" and value not in TRANSPORTS:
        raise ConfigError(label, f'应为 "auto"、"aiohttp" 或 "httpx"，现为 {value!r}', source)
    elif key == "fetch.transport" and value == "aiohttp" and importlib.util.find_spec("aiohttp") is None:
        raise ConfigError(label, '未安装 aiohttp（pip install aiohttp），或改为 "auto"/"httpx"', source)
    elif key == "fetch.ca_bundle" and value:
        import ssl

        try:  # read now: a wrong path stops the run before it starts, not at the first https link
            ssl.create_default_context(cafile=value)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise ConfigError(label, f"无法读取 CA 证书文件 {value}（PEM 格式）：{exc}", source) from None
    elif key == "politeness.user_agent" and any(ch in value for ch in "\t\r\n"):
        raise ConfigError(label, "User-Agent 必须写在一行内（不能含换行或制表符）", source)
    elif key == "soft404.phrases":
        for i, phrase in enumerate(value):
            if not phrase.strip():
                raise ConfigError(where(i), "空的短语会把每个页面都判为“页面不存在”，请删除这一项", source)


def _convert(key: str, value: Any, hint: Any, source: str, label: str = "") -> Any:
    """One value of ``key`` checked against its type, its range and its own rules.

    ``label`` names the value in the error (a command-line option); by default the key.
    """
    label = label or key
    if key == "fetch.workers":
        if value == "auto":
            return value
        if isinstance(value, str):
            raise ConfigError(label, f'应为进程数（整数）或 "auto"，现为 {value!r}', source)
        hint = int
    origin = get_origin(hint)
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(label, f'应为字符串列表（如 ["甲", "乙"]），现为 {value!r}', source)
        for item in value:
            _check_text(label, item, source)
        value = tuple(value)
    elif hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(label, f"应为 true 或 false（不加引号），现为 {value!r}", source)
        return value
    elif hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(label, f"应为整数，现为 {value!r}", source)
        _check_number(key, value, label, source)
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(label, f"应为数值，现为 {value!r}", source)
        value = float(value)
        _check_number(key, value, label, source)
    elif hint is str:
        if not isinstance(value, str):
            raise ConfigError(label, f'应为加英文双引号的字符串（如 "办公室"），现为 {value!r}', source)
        _check_text(label, value, source)
    _check_special(key, value, label, source, index=label == key)
    return value


def _build_section(cls: type[Any], table: Any, prefix: str, source: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(prefix, f"应为一个表（[{prefix}] 下逐行写“键 = 值”），现为 {table!r}", source)
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for name, raw in table.items():
        key = f"{prefix}.{name}"
        if name not in known:
            raise ConfigError(key, f"没有这个设置项（可用的有：{'、'.join(sorted(known))}）", source)
        values[name] = _convert(key, raw, hints[name], source)
    return cls(**values)


def check_option(key: str, value: Any, label: str) -> Any:
    """A command-line value for config ``key``, validated exactly like the same value in a file.

    ``value`` is the option's text (one item of a repeatable option); numbers are parsed here.
    Raises ConfigError naming ``label`` (the option, e.g. ``--concurrency``) and the bound.
    """
    section, name = key.split(".", 1)
    hint = get_type_hints(AuditConfig).get(section)
    hint = get_type_hints(hint)[name] if section != "top" and hint is not None else str
    if isinstance(value, str):
        text = value.strip()
        if key == "fetch.workers":
            if text != "auto":
                try:
                    value = int(text)
                except ValueError:
                    raise ConfigError(label, f"应为进程数（整数）或 auto，现为 {value!r}") from None
        elif hint is int:
            try:
                value = int(text)
            except ValueError:
                raise ConfigError(label, f"应为整数，现为 {value!r}") from None
        elif hint is float:
            try:
                value = float(text)
            except ValueError:
                raise ConfigError(label, f"应为数值，现为 {value!r}") from None
    if get_origin(hint) is tuple:
        return _convert(key, [value], hint, "", label)[0]
    return _convert(key, value, hint, "", label)


def _build_columns(entries: Any, source: str) -> tuple[ColumnOverride, ...]:
    if not isinstance(entries, list):
        raise ConfigError("columns", "应写成 [[columns]] 表（每个栏目一段）", source)
    overrides: list[ColumnOverride] = []
    for index, table in enumerate(entries):
        key = f"columns[{index}]"
        override: ColumnOverride = _build_section(ColumnOverride, table, key, source)
        if not (override.match_url or override.match_name):
            raise ConfigError(
                key, "需要 match_url（栏目网址的正则）或 match_name（栏目名称的正则），指明改哪个栏目", source
            )
        if override.category:
            override = dataclasses.replace(
                override, category=column_category(override.category, f"{key}.category", source)
            )
        if override.warn_days and override.limit_days and override.warn_days > override.limit_days:
            raise ConfigError(f"{key}.warn_days", "预警天数不能大于 limit_days（时限天数）", source)
        _check_regexes(f"{key}.match_url", (override.match_url,), source)
        _check_regexes(f"{key}.match_name", (override.match_name,), source)
        overrides.append(override)
    return tuple(overrides)


FINDING_KINDS = tuple(kind.value for kind in FindingKind)


def _build_ignores(entries: Any, source: str) -> tuple[IgnoreRule, ...]:
    if not isinstance(entries, list):
        raise ConfigError("ignore", "应写成 [[ignore]] 表（每条忽略一段）", source)
    rules: list[IgnoreRule] = []
    for index, table in enumerate(entries):
        key = f"ignore[{index}]"
        rule: IgnoreRule = _build_section(IgnoreRule, table, key, source)
        if not (rule.id or rule.match_url):
            raise ConfigError(key, "需要 id（问题编号）或 match_url（网址的正则），指明忽略哪些问题", source)
        if not rule.reason.strip():
            raise ConfigError(f"{key}.reason", "必须写明忽略原因（会显示在整改清单中）", source)
        if rule.kind and rule.kind not in FINDING_KINDS:
            raise ConfigError(
                f"{key}.kind",
                f"没有这种问题类型 {rule.kind!r}（可用的有：{'、'.join(FINDING_KINDS)}）",
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
            raise ConfigError(name, f"没有这个配置节（可用的有：{'、'.join(section_types)}）", source)
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
    # Seeds, extra hosts and regexes were checked with their keys (_convert); the start URL is
    # also normalised ("example.gov.cn" -> "http://example.gov.cn/").
    if config.site.start_url:
        config = config.replace("site", start_url=validate_start_url(config.site.start_url, source=source))
    return config


# tomllib's messages (English), for the mistakes an office makes when editing a config by hand.
_TOML_PROBLEMS = {
    "Invalid value": "值的写法不对",
    "Unterminated string": "字符串缺少结尾的引号",
    "Illegal character '\\n'": "字符串缺少结尾的引号",  # a line break inside "…"
    "Cannot overwrite a value": "同一个键写了两次",
    "Expected ']' at the end of a table declaration": "表名缺少右方括号 ]",
    "Expected ']]' at the end of an array declaration": "表名缺少右方括号 ]]",
    "Expected newline or end of document after a statement": "一行只能写一项“键 = 值”",
    "Invalid statement": "无法识别这一行",
    "Invalid initial character for a key part": "键名的写法不对",
    "Expected '=' after a key in a key/value pair": "键名后面缺少 =",
    "Unclosed array": "列表缺少右方括号 ]",
    "Unclosed inline table": "内联表缺少右花括号 }",
    "Invalid date or datetime": "日期写法不对（应如 2026-01-15）",
    "Invalid hex value": "转义写法不对",
    "Escaped character is not a Unicode scalar value": "转义写法不对",
    "Unescaped '\\' in a string": "字符串中的反斜杠 \\ 要写成两个（\\\\），或改用单引号",
}
# Messages that name a key or a character: matched by their beginning.
_TOML_PREFIXES = {
    "Cannot declare": "同一个表写了两次",
    "Cannot redefine namespace": "同一个表写了两次",
    "Cannot mutate immutable namespace": "这个表已在别处整体写过，不能再添加键",
    "Duplicate inline table key": "内联表中同一个键写了两次",
    "Found invalid character": "有不允许的字符",
    "Illegal character": "字符串中有不允许的字符（如换行或制表符）",
    "Expected": "缺少符号",
}
_TOML_VALUE_PROBLEMS = {
    "Invalid value",  # office = 办公室, office = “办公室”
    "Expected newline or end of document after a statement",  # timeout = 15s
    "Invalid statement",
}
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")
_TOML_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*?)\s*(?:#.*)?$")
_TOML_VALUE_START = re.compile(r"^(?:[\"'\[{]|[+-]?(?:\d|inf\b|nan\b)|true\b|false\b)")


def _toml_hint(line: str) -> str:
    """What is probably wrong with the line tomllib stopped at: mostly unquoted text."""
    found = _TOML_ASSIGNMENT.match(line)
    if not found:
        return ""
    key, value = found.groups()
    if not value:
        return f"“{key} =”后面缺少值"
    if value[0] in "“”‘’「」":
        return f'请用英文引号，如 {key} = "{value.strip("“”‘’「」")}"'
    if not _TOML_VALUE_START.match(value):
        return f'字符串要加英文双引号，如 {key} = "{value}"'
    if value[0].isdigit():  # "timeout = 15s"
        return f'数值只能写数字（不带单位），字符串要加英文双引号，如 {key} = "{value}"'
    return ""


def toml_error(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """One line in Chinese: where the file stops being TOML, what is wrong, how to fix it."""
    message = str(exc)
    position = _TOML_POSITION.search(message)
    problem = message[: position.start()] if position else message
    where = "文件末尾"
    hint = ""
    if position and position.group(1):
        number = int(position.group(1))
        where = f"第 {number} 行第 {position.group(2)} 列"
        lines = text.splitlines()
        # Only where tomllib stopped at a value: a duplicate key's line is well written.
        if 0 < number <= len(lines) and problem in _TOML_VALUE_PROBLEMS:
            hint = _toml_hint(lines[number - 1])
    explained = _TOML_PROBLEMS.get(problem) or next(
        (text for start, text in _TOML_PREFIXES.items() if problem.startswith(start)), "写法不对"
    )
    return f"{where}不是有效的 TOML：{explained}" + (f"；{hint}" if hint else "")


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file as a mapping; ConfigError with one friendly line when it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("", f"找不到配置文件：{path}") from None
    except UnicodeDecodeError:
        raise ConfigError("", f"配置文件 {path} 不是 UTF-8 编码：请用记事本等另存为 UTF-8") from None
    except IsADirectoryError:
        raise ConfigError("", f"{path} 是目录，不是配置文件") from None
    except PermissionError:
        raise ConfigError("", f"没有读取配置文件 {path} 的权限") from None
    except OSError as exc:  # its strerror is English; the errno name is enough to look it up
        raise ConfigError("", f"无法读取配置文件 {path}（错误码 {exc.errno}）") from None
    return parse_toml(text, str(path))


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a mapping: the one parser of every file sitecheck reads (portal configs,
    service files, rules files), with one friendly Chinese line for a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", toml_error(text, exc), source) from None


def convert(key: str, value: Any, hint: Any, source: str) -> Any:
    """One value checked against its type, its range (LIMITS) and its key's rules: the one
    validator of every setting, also for the rules file's tables."""
    return _convert(key, value, hint, source)


def load_config(path: str | Path) -> AuditConfig:
    return config_from_mapping(read_toml(path), str(path))


def _month_day(value: str) -> tuple[int, int] | None:
    """(month, day) of an "MM-DD" deadline, or None when it names no day of a year."""
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value.strip())
    if match is None:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2001, month, day)  # a year without 29 February: a deadline every year has
    except ValueError:
        return None
    return month, day


def annual_report_due(config: AuditConfig) -> tuple[int, int]:
    """The annual report's deadline, month and day (validated when the config was read)."""
    return _month_day(config.content.annual_report_due) or (1, 31)
