"""Which portals a service watches: ``--config`` files, checked once at start.

``--config`` takes a portal config (the TOML ``sitecheck crawl --config`` reads) or a service
file listing several of them, and may be given several times::

    # service.toml
    [[portals]]
    config = "portals/www.toml"        # relative to this file
    [[portals]]
    config = "portals/zwgk.toml"

Everything ``sitecheck crawl`` validates is validated here too, plus the service's own keys:
cron expressions, the time zone and the notification settings. Errors name the key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sitecheck.config import AuditConfig, load_config, read_toml
from sitecheck.errors import ConfigError
from sitecheck.judge.availability import VETO_RATIO
from sitecheck.service.notify import EVENTS
from sitecheck.service.schedule import Cadence, check_cron, zone
from sitecheck.store.db import is_store_url


def job_id(job: str, start_url: str) -> str:
    """The scheduler's id of a portal's job (also the seed of its probe times)."""
    return f"{job}@{start_url}"


@dataclass(frozen=True, slots=True)
class Portal:
    config: AuditConfig
    source: str  # the config file it came from

    @property
    def key(self) -> str:
        """The start URL: what the store files a site's runs, probes and jobs under."""
        return self.config.site.start_url

    @property
    def name(self) -> str:
        return self.config.site_name

    def job_id(self, job: str) -> str:
        return job_id(job, self.key)

    def cadence(self, job: str) -> Cadence | None:
        """When ``job`` fires by the config; None when it is switched off (an empty cron)."""
        schedule = self.config.schedule
        if job == "probe":
            return Cadence(slot_seconds=86400 / schedule.probes_per_day, timezone=schedule.timezone)
        expr = schedule.audit if job == "audit" else schedule.recheck
        return Cadence(cron=expr.strip(), timezone=schedule.timezone) if expr.strip() else None


def check_service_settings(config: AuditConfig, source: str = "") -> None:
    """Validate ``[schedule]`` and ``[notify]`` beyond their types; raise ConfigError naming the key."""
    if not config.site.start_url:
        raise ConfigError("site.start_url", "必须设置：服务需要知道要监测哪个网站", source)
    if is_store_url(config.data_dir):
        # The service locks its data directory (service.lock, per-site lock files); a shared
        # PostgreSQL store is for the fleet (issue 17), whose workers lock per portal.
        raise ConfigError("data_dir", "sitecheck serve 需要数据目录，不能使用 PostgreSQL 事实库", source)
    schedule = config.schedule
    zone(schedule.timezone, source=source)
    for key in ("audit", "recheck"):
        expr = str(getattr(schedule, key)).strip()
        if expr:
            check_cron(expr, f"schedule.{key}", schedule.timezone, source)
    if not 0 < schedule.availability_warn < VETO_RATIO:
        raise ConfigError(
            "schedule.availability_warn",
            f"应大于 0 且小于 {VETO_RATIO:.0%} 否决线，现为 {schedule.availability_warn!r}",
            source,
        )
    notify = config.notify
    if not notify.smtp_host.isprintable() or " " in notify.smtp_host:
        raise ConfigError("notify.smtp_host", f"主机名中有空格或不可见字符：{notify.smtp_host!r}", source)
    for index, event in enumerate(notify.events):
        if event not in EVENTS:
            raise ConfigError(
                f"notify.events[{index}]",
                f"没有这种通知事件 {event!r}（可用的有：{'、'.join(EVENTS)}）",
                source,
            )
    if notify.email_to:
        if not notify.smtp_host:
            raise ConfigError("notify.smtp_host", "设置了 notify.email_to 时必须给出发信服务器", source)
        if "@" not in notify.email_from:
            raise ConfigError(
                "notify.email_from", "设置了 notify.email_to 时必须给出发件人电子邮件地址", source
            )
        if not _EMAIL.fullmatch(notify.email_from):
            raise ConfigError("notify.email_from", f"不是有效的电子邮件地址：{notify.email_from!r}", source)
        for index, address in enumerate(notify.email_to):
            if "@" not in address:
                raise ConfigError(f"notify.email_to[{index}]", f"不是电子邮件地址：{address!r}", source)
            if not _EMAIL.fullmatch(address):
                raise ConfigError(f"notify.email_to[{index}]", f"不是有效的电子邮件地址：{address!r}", source)
    if notify.webhook_url:
        _check_webhook(notify.webhook_url, source)


# One address, nothing around it: a line break would let a value add mail headers.
_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+")  # control characters: config.py refuses them


def _check_webhook(url: str, source: str) -> None:
    key = "notify.webhook_url"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # "http://[::1/", a port beyond 65535 (urllib says so in English)
        raise ConfigError(key, f"无法解析的网址 {url!r}（方括号或端口写法有误）", source) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            key, f"不是 http(s) 网址：{url!r}（网址应以 http:// 或 https:// 开头并含主机名）", source
        )
    if port == 0 or not url.isprintable() or " " in url:
        raise ConfigError(key, f"网址中有空格、不可见字符或无效端口：{url!r}", source)


def _portal_files(path: Path) -> list[Path] | None:
    """The portal configs a service file lists, or None when ``path`` is a portal config itself."""
    data = read_toml(path)
    if "portals" not in data:
        return None
    extra = sorted(set(data) - {"portals"})
    if extra:
        raise ConfigError(extra[0], "服务配置文件中只能有 [[portals]] 表", str(path))
    entries = data["portals"]
    if not isinstance(entries, list) or not entries:
        raise ConfigError("portals", "应写一个或多个 [[portals]] 表", str(path))
    files: list[Path] = []
    for index, entry in enumerate(entries):
        key = f"portals[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"config"} or not isinstance(entry["config"], str):
            raise ConfigError(key, '应只写一行：config = "门户配置文件.toml"', str(path))
        files.append(path.parent / entry["config"])
    return files


def load_portals(paths: Sequence[str | Path]) -> tuple[Portal, ...]:
    """Every portal named by the ``--config`` files, validated; raises ConfigError."""
    if not paths:
        raise ConfigError("", "没有给出 --config：请指定门户配置文件或服务配置文件")
    portals: list[Portal] = []
    seen: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        listed = _portal_files(path)
        for file in listed if listed is not None else [path]:
            config = load_config(file)
            check_service_settings(config, str(file))
            if config.site.start_url in seen:
                raise ConfigError(
                    "site.start_url",
                    f"{config.site.start_url} 已在 {seen[config.site.start_url]} 中监测，不能重复",
                    str(file),
                )
            seen[config.site.start_url] = str(file)
            portals.append(Portal(config, str(file)))
    return tuple(portals)
