"""Command line: ``sitecheck crawl|demo|judge``.

Exit codes (documented in README.md):
    0  audit finished, no problems (warnings such as "could not verify" do not count)
    1  audit finished with findings (dead links, unavailable entries, home page problems)
    2  usage or configuration error
    3  the audit could not run (home page not read, data directory or output unusable, site busy)
    4  the audit ran but is incomplete (targets that failed, pages not read): not a verdict
    130 interrupted (Ctrl-C / SIGTERM); what was fetched is kept, continue with --resume
"""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

import click

from sitecheck import __version__
from sitecheck.config import AuditConfig, check_option, load_config, validate_start_url
from sitecheck.errors import ConfigError, DamagedStoreError, SitecheckError
from sitecheck.store import damaged_message, store_exists

# click's own words (usage errors, --help headings) come from gettext; it has no Chinese
# catalogue, so its messages are translated here from a table, keyed by the English text.
_CLICK_TEXT: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 {command} {option} 查看用法。",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少命令。",
    "unknown error": "未知错误",
    "Aborted!": "已取消。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Choose from:\n\t{choices}": "可选：{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} 不是有效的是/否值，可用：{states}"
    ),
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "required": "必填",
}
_CLICK_PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用其中之一：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值之一：{choices}。",
}
# click.types names number types in English ("integer") inside its messages.
_NUMBER_TYPES = {"integer": "整数", "float": "数值"}


def _click_gettext(message: str) -> str:
    return _CLICK_TEXT.get(message, message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return _CLICK_PLURALS.get(chosen, chosen)


def _speak_chinese_in_click() -> None:
    """Point click's gettext calls at the tables above (each module bound ``_`` at import)."""
    import importlib

    for name in ("core", "exceptions", "formatting", "types", "decorators", "parser", "termui"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]
    for param_type in (click.INT, click.FLOAT):
        param_type.name = _NUMBER_TYPES.get(param_type.name, param_type.name)


_speak_chinese_in_click()


class ChineseCommand(click.Command):
    """A command whose usage line reads in Chinese ([选项] rather than [OPTIONS])."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class ChineseGroup(click.Group):
    command_class = ChineseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


class ExitCode(IntEnum):
    CLEAN = 0
    FINDINGS = 1
    USAGE = 2
    FAILURE = 3
    INCOMPLETE = 4
    INTERRUPTED = 130


def _fail(message: str, code: ExitCode) -> None:
    click.echo(f"sitecheck: 错误：{message}", err=True)
    raise SystemExit(int(code))


class Setting(click.ParamType):  # type: ignore[type-arg]
    """An option that overrides a config key: validated by config.py exactly like the file's
    value (type, lower and upper bound, regex, URL, host), the error naming the option."""

    def __init__(self, key: str, name: str = "") -> None:
        self.key = key
        self.name = name or key.rsplit(".", 1)[-1].upper()

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        return _METAVARS.get(self.name, self.name)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        label = param.opts[0] if param is not None and param.opts else self.key
        try:
            return check_option(self.key, value, label)
        except ConfigError as exc:
            raise click.UsageError(str(exc), ctx) from None


class WorkersType(Setting):
    """--workers: a number of processes (at most 2 per core, 16 in all), or auto."""

    def __init__(self) -> None:
        super().__init__("fetch.workers", "N|auto")


# Placeholders shown in --help ("--data-dir 目录"): what to type there, in the reader's words.
_METAVARS = {"DIR": "目录", "RE": "正则", "HOST": "主机名", "URL": "网址", "UA": "标识", "S": "秒"}


class Between(click.ParamType):  # type: ignore[type-arg]
    """A whole number within bounds, with the bound named in Chinese (click's IntRange says it in English)."""

    name = "N"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        label = param.human_readable_name if param is not None else "N"
        if param is not None and param.opts and param.opts[0].startswith("-"):
            label = param.opts[0]
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise click.UsageError(f"{label}: 应为整数，现为 {value!r}", ctx) from None
        if not self.low <= number <= self.high:
            raise click.UsageError(
                f"{label}: 应在 {self.low} 到 {self.high} 之间（上限 {self.high}），现为 {number}", ctx
            )
        return number


# --as-of: a judging date outside this range is a typo, and 9999-12-31 + a limit overflows.
AS_OF_RANGE = (date(2000, 1, 1), date(2100, 12, 31))
# Run numbers are SQLite integers.
MAX_RUN_ID = 2**63 - 1


def _parse_date(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        when = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        _fail(f"--as-of 应为 YYYY-MM-DD 格式的日期，现为 {value!r}", ExitCode.USAGE)
        raise  # unreachable; keeps type checkers happy
    low, high = AS_OF_RANGE
    if not low <= when <= high:
        _fail(f"--as-of 应在 {low} 到 {high} 之间，现为 {when}", ExitCode.USAGE)
    return when


def build_config(
    url: str | None, config_path: str | None, overrides: dict[str, Any], base: AuditConfig | None = None
) -> AuditConfig:
    config = load_config(config_path) if config_path else (base or AuditConfig())
    if url:
        config = config.replace("site", start_url=validate_start_url(url, key="URL"))
    if not config.site.start_url:
        raise ConfigError(
            "", "没有起始网址：请给出网址（sitecheck crawl 网址），或在 --config 中设置 site.start_url"
        )
    sections: dict[str, dict[str, Any]] = {}
    for name, value in overrides.items():
        if value is None or value == ():
            continue
        section, key = name.split(".", 1)
        sections.setdefault(section, {})[key] = value
    for section, changes in sections.items():
        if section == "top":
            for key, value in changes.items():
                config = dataclasses.replace(config, **{key: value})
        else:
            config = config.replace(section, **changes)
    return config


def _print_summary(result: Any, json_path: str | None, next_steps: str = "") -> None:
    from sitecheck.report.console import print_findings, print_tally

    summary = result.summary
    stats = result.stats
    click.echo(
        f"检查完成：{summary.pages} 个页面，{summary.checked_urls} 个不同链接，"
        f"{summary.link_occurrences} 处链接，{len(summary.columns)} 个栏目；"
        f"用时 {stats.elapsed:.1f} 秒（{stats.pages_per_second:.1f} 页/秒）"
    )
    print_findings(summary, click.echo)
    print_tally(summary, click.echo)
    if summary.incomplete:
        click.echo(f"检查不完整，结论不能作为“未发现问题”：{summary.incomplete}", err=True)
    if json_path:
        click.echo(f"结果已写入 {json_path}")
    if result.report_dir is not None:
        folder = result.report_dir.resolve()  # absolute: copied into mails and chats, opened elsewhere
        click.echo(f"整改清单：{folder / 'checklist.html'}（另有 checklist.xlsx、findings.csv）")
    next_steps = next_steps or "sitecheck columns 查看栏目；sitecheck recheck 整改后复查"
    click.echo(f"运行编号 {result.run_id}（{next_steps}）")


def _exit_for(result: Any) -> int:
    if result.summary is None:
        return int(ExitCode.INTERRUPTED)
    if result.incomplete:
        return int(ExitCode.INCOMPLETE)
    return int(ExitCode.FINDINGS if result.needs_action else ExitCode.CLEAN)


def _run(
    config: AuditConfig,
    *,
    resume: bool,
    as_of: date,
    json_path: str | None,
    quiet: bool,
    reports: bool = True,
    recheck: bool = False,
    next_steps: str = "",
) -> int:
    from sitecheck.audit import run_audit, run_recheck
    from sitecheck.crawl.progress import Progress
    from sitecheck.report.jsonfile import check_writable

    if json_path:
        check_writable(json_path)
    if reports:
        check_writable(Path(config.reports_dir) / ".sitecheck-write-test")
    with Progress(quiet=quiet) as progress:
        if recheck:
            result = run_recheck(config, as_of=as_of, json_path=json_path, progress=progress, reports=reports)
        else:
            result = run_audit(
                config, resume=resume, as_of=as_of, json_path=json_path, progress=progress, reports=reports
            )
    if result.summary is None:
        click.echo(
            f"已中断：已保存 {result.stats.pages} 个页面、{result.stats.checked} 个链接的检查结果；"
            "用相同参数加 --resume 继续。",
            err=True,
        )
    else:
        _print_summary(result, json_path, next_steps)
    return _exit_for(result)


_crawl_options = [
    click.option(
        "--config",
        "config_path",
        metavar="文件",
        type=click.Path(dir_okay=False),
        help="门户配置文件（TOML）。",
    ),
    click.option(
        "--data-dir",
        "top__data_dir",
        type=Setting("top.data_dir", "DIR"),
        help="事实库所在目录（默认 .sitecheck）。",
    ),
    click.option(
        "--max-pages", "scope__max_pages", type=Setting("scope.max_pages", "N"), help="最多抓取的页面数。"
    ),
    click.option(
        "--max-depth", "scope__max_depth", type=Setting("scope.max_depth", "N"), help="最大链接深度。"
    ),
    click.option(
        "--include",
        "scope__include",
        multiple=True,
        type=Setting("scope.include", "RE"),
        help="只抓取匹配此正则的站内网址（可多次）。",
    ),
    click.option(
        "--exclude",
        "scope__exclude",
        multiple=True,
        type=Setting("scope.exclude", "RE"),
        help="不访问匹配此正则的网址（可多次）。",
    ),
    click.option(
        "--extra-host",
        "site__extra_hosts",
        multiple=True,
        type=Setting("site.extra_hosts", "HOST"),
        help="也属于本站的其他主机名（可多次）。",
    ),
    click.option(
        "--seed",
        "site__extra_seeds",
        multiple=True,
        type=Setting("site.extra_seeds", "URL"),
        help="额外的起始网址（可多次）。",
    ),
    click.option("--no-sitemap", is_flag=True, default=False, help="不读取 sitemap.xml。"),
    click.option(
        "--concurrency",
        "politeness__concurrency",
        type=Setting("politeness.concurrency", "N"),
        help="同时请求数上限（1–64）。",
    ),
    click.option(
        "--per-host",
        "politeness__per_host_concurrency",
        type=Setting("politeness.per_host_concurrency", "N"),
        help="每个主机同时请求数上限（默认 2，最多 32）。",
    ),
    click.option(
        "--interval",
        "politeness__min_interval",
        type=Setting("politeness.min_interval", "S"),
        help="同一主机两次请求的最小间隔秒数（默认 0.3，最多 60）。",
    ),
    click.option(
        "--no-robots", is_flag=True, default=False, help="不遵守 robots.txt（仅用于检查本单位自己的网站）。"
    ),
    click.option(
        "--user-agent",
        "politeness__user_agent",
        type=Setting("politeness.user_agent", "UA"),
        help="自定义 User-Agent。",
    ),
    click.option(
        "--timeout",
        "fetch__timeout",
        type=Setting("fetch.timeout", "S"),
        help="单次请求超时秒数（默认 15，0.1–300）。",
    ),
    click.option(
        "--retries",
        "fetch__retries",
        type=Setting("fetch.retries", "N"),
        help="超时、连接中断、5xx 的重试次数（默认 2，最多 10）。",
    ),
    click.option("--insecure", is_flag=True, default=False, help="不校验 HTTPS 证书。"),
    click.option(
        "--workers",
        "fetch__workers",
        type=WorkersType(),
        help="抓取和解析页面的进程数：0 只用主进程；auto（默认）在放宽限速时按 CPU 核数开进程。",
    ),
    click.option(
        "--json",
        "json_path",
        metavar="文件",
        type=click.Path(dir_okay=False),
        help="把问题清单写成 JSON 文件。",
    ),
    click.option(
        "--reports-dir",
        "top__reports_dir",
        type=Setting("top.reports_dir", "DIR"),
        help="整改清单输出目录（默认 reports）。",
    ),
    click.option("--no-reports", is_flag=True, default=False, help="不写整改清单（HTML/XLSX/CSV）。"),
    click.option("--as-of", "as_of", metavar="日期", help="评判基准日期 YYYY-MM-DD（默认今天）。"),
    click.option("--resume", is_flag=True, default=False, help="继续同一网站上次被中断的检查。"),
    click.option("--quiet", "-q", is_flag=True, default=False, help="不显示进度。"),
]


def crawl_options(func: Any) -> Any:
    for option in reversed(_crawl_options):
        func = option(func)
    return func


def _overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    # Option destinations are "<section>__<key>" (click needs identifiers).
    overrides = {k.replace("__", ".", 1): v for k, v in kwargs.items() if "__" in k}
    if kwargs.pop("no_sitemap", False):
        overrides["site.use_sitemap"] = False
    if kwargs.pop("no_robots", False):
        overrides["politeness.respect_robots"] = False
    if kwargs.pop("insecure", False):
        overrides["fetch.verify_tls"] = False
    return overrides


@click.group(
    cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="sitecheck")
def cli() -> None:
    """sitecheck：政府网站自查工具（不可用链接、空白栏目、栏目不更新）。"""


def _audit_command(name: str, help_text: str, *, recheck: bool) -> click.Command:
    """``crawl`` and ``recheck`` take the same options and differ only in what they re-read."""

    @cli.command(name=name, help=help_text)
    @click.argument("url", required=False, metavar="[网址]")
    @crawl_options
    def command(
        url: str | None,
        config_path: str | None,
        json_path: str | None,
        as_of: str | None,
        resume: bool,
        quiet: bool,
        no_reports: bool,
        **kwargs: Any,
    ) -> None:
        when = _parse_date(as_of)
        overrides = _overrides(kwargs)
        base = _recheck_base(url, overrides) if recheck and not config_path else None
        config = build_config(url, config_path, overrides, base)
        code = _run(
            config,
            resume=resume and not recheck,
            as_of=when,
            json_path=json_path,
            quiet=quiet,
            reports=not no_reports,
            recheck=recheck,
        )
        raise SystemExit(code)

    return command


def _recheck_base(url: str | None, overrides: dict[str, Any]) -> AuditConfig:
    """A recheck reuses the settings of the run it rechecks (its [[columns]] corrections too).

    Without a URL it rechecks the last audited site of the data directory; options given on
    the command line still override the stored settings.
    """
    from sitecheck.audit import stored_config

    data_dir = overrides.get("top.data_dir") or AuditConfig().data_dir
    store = _open_store(data_dir)
    try:
        return stored_config(store, validate_start_url(url, key="URL") if url else None)
    finally:
        store.close()


crawl = _audit_command(
    "crawl", "抓取整个网站并检查每一个链接、图片和附件、栏目更新情况，写出整改清单。", recheck=False
)
recheck = _audit_command(
    "recheck",
    "整改后复查：只重新核对上次检查仍未整改的问题（几分钟而非整站抓取），更新整改状态。",
    recheck=True,
)


# The demo portal and its external site listen on these ports when they are free, so that
# `sitecheck demo --recheck` serves them again where the stored run expects them.
_DEMO_PORT = 18731


def _demo_ports(preferred: int) -> tuple[int, int]:
    """Two free loopback ports ``p`` and ``p + 1`` (the portal and its external site)."""
    import socket

    candidates = [preferred] if preferred else []
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            candidates.append(int(probe.getsockname()[1]))
    for port in candidates:
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port, port + 1
    return 0, 0


DEMO_CERTIFICATE_DAYS = 5


def _earlier_demo_run(data_dir: str, start_url: str) -> bool:
    """Does the data directory hold a judged run of the demo portal at this URL?"""
    from sitecheck.audit import last_judged_run
    from sitecheck.store import Store

    if not store_exists(data_dir):
        return False
    store = Store(data_dir)
    try:
        return last_judged_run(store, start_url) is not None
    finally:
        store.close()


@cli.command()
@click.option(
    "--pages",
    type=Between(20, 100_000),
    default=150,
    show_default=True,
    help="示例网站的页面数（20–100000）。",
)
@click.option(
    "--json", "json_path", metavar="文件", type=click.Path(dir_okay=False), help="把问题清单写成 JSON 文件。"
)
@click.option(
    "--data-dir",
    default=".sitecheck",
    show_default=True,
    metavar="目录",
    help="事实库目录：默认当前目录下的 .sitecheck，之后 sitecheck columns 等命令直接能找到。",
)
@click.option(
    "--reports-dir", default="reports", show_default=True, metavar="目录", help="整改清单输出目录。"
)
@click.option(
    "--recheck",
    "recheck_demo",
    is_flag=True,
    default=False,
    help="重新启动示例门户并复查上一次演示的结果（示例门户只在演示期间运行）。",
)
@click.option("--quiet", "-q", is_flag=True, default=False, help="不显示进度。")
def demo(
    pages: int, json_path: str | None, data_dir: str, reports_dir: str, recheck_demo: bool, quiet: bool
) -> None:
    """在本机回环地址上启动自带的示例门户并完整检查一遍（无需联网）。"""
    from urllib.parse import urlsplit

    from sitecheck.demo import DemoServer
    from sitecheck.demo.certificates import make_certificates

    port = _DEMO_PORT
    base: AuditConfig | None = None
    if recheck_demo:
        base = _recheck_base(None, {"top.data_dir": data_dir})
        port = urlsplit(base.site.start_url).port or 0
    port, external = _demo_ports(port)
    if recheck_demo and base is not None and port != urlsplit(base.site.start_url).port:
        _fail(f"示例门户原来的端口 {urlsplit(base.site.start_url).port} 已被占用，无法复查", ExitCode.FAILURE)
    # The refusing port and the https service host follow the two served ones, so a recheck
    # finds the same refused link and the same service host as the run it rechecks.
    refused = port + 2 if port and port + 2 < 65536 else 0
    service_port = port + 3 if port and port + 3 < 65536 else 0
    # The service host's certificate expires in 5 days: a deduction (finding at 7 days), under
    # a CA of the demo's own that the audit is told to trust, as an intranet portal's would be.
    certificates = make_certificates(Path(data_dir) / "demo-tls", days=DEMO_CERTIFICATE_DAYS)
    # A demo run after an earlier one is a later visit: two friend links' sites have changed
    # since (a parked domain, a gambling site), as the 外链变异 check must notice.
    later_visit = _earlier_demo_run(data_dir, f"http://127.0.0.1:{port}/") if port else False
    with DemoServer(
        pages=pages,
        slow_seconds=6.0,
        port=port,
        external_port=external,
        refused_port=refused,
        changed_externals=later_visit,
        service_tls=certificates.server_context,
        service_port=service_port,
    ) as server:
        click.echo(f"示例门户已在 {server.base_url} 启动（{len(server.manifest)} 处预置问题）。")
        click.echo(
            f"在线服务平台 {server.service_url} 的证书将于 {certificates.not_after:%Y-%m-%d} 到期"
            f"（本机生成的示例根证书：{certificates.ca_bundle}）。"
        )
        if later_visit:
            click.echo("这是上一次演示之后的再次访问：两个友情链接指向的网站已经变了（一个域名停放待售，一个变成博彩网站）。")
        config = base or AuditConfig()
        config = dataclasses.replace(config, data_dir=data_dir, reports_dir=reports_dir)
        service_host = urlsplit(server.service_url).netloc
        config = config.replace(
            "site", extra_hosts=tuple(dict.fromkeys((*config.site.extra_hosts, service_host)))
        )
        config = config.replace("fetch", ca_bundle=str(certificates.ca_bundle.resolve()))
        # An office, so the demo's checklist shows the 责任科室 column filled as a real portal's
        # config would (`[site] office`); a config given with --recheck keeps its own.
        office = (base.site.office if base is not None else "") or "办公室"
        config = config.replace(
            "site", start_url=server.base_url, name="示例门户（演示）", slug="demo", office=office
        )
        # The sample portal is ours and on loopback: no need to be gentle, and the slow
        # endpoint should not hold the demo up for 3 × 15 s.
        config = config.replace("politeness", concurrency=16, per_host_concurrency=8, min_interval=0.0)
        config = config.replace("fetch", timeout=2.0, retries=1, backoff=0.2)
        # The next commands, exactly as they find this demo's data (the portal stops with the demo).
        where = "" if data_dir == ".sitecheck" else f" --data-dir {data_dir}"
        again = f"sitecheck demo --recheck{where}" + (f" --pages {pages}" if pages != 150 else "")
        next_steps = f"sitecheck columns{where} 查看栏目；sitecheck runs{where} 查看记录；{again} 复查"
        code = _run(
            config,
            resume=False,
            as_of=date.today(),
            json_path=json_path,
            quiet=quiet,
            recheck=recheck_demo,
            next_steps=next_steps,
        )
    # The sample portal is built with problems: finding them is the demo working, not failing.
    raise SystemExit(int(ExitCode.CLEAN) if code == ExitCode.FINDINGS else code)


def _stored_summary(
    data_dir: str,
    run_id: int | None,
    as_of: str | None,
    json_path: str | None,
    config_path: str | None,
    *,
    save: bool = False,
) -> Any:
    """Judge a stored run again; only ``sitecheck judge --save`` writes the judgement."""
    from sitecheck.audit import rejudge

    if not store_exists(data_dir):
        _fail(f"数据目录 {data_dir} 中没有事实库（先运行 sitecheck crawl）", ExitCode.USAGE)
    config = load_config(config_path) if config_path else None
    return rejudge(data_dir, run_id, _parse_date(as_of), json_path, config, save_judgement=save)


_stored_options = [
    click.argument("run_id", required=False, type=Between(1, MAX_RUN_ID), metavar="[运行编号]"),
    click.option(
        "--data-dir", default=".sitecheck", show_default=True, metavar="目录", help="事实库所在目录。"
    ),
    click.option("--as-of", "as_of", metavar="日期", help="评判基准日期 YYYY-MM-DD（默认今天）。"),
    click.option(
        "--config",
        "config_path",
        metavar="文件",
        type=click.Path(dir_okay=False),
        help="用此配置文件中的栏目规则评判（默认用该次检查时的设置）。",
    ),
]


def stored_options(func: Any) -> Any:
    for option in reversed(_stored_options):
        func = option(func)
    return func


@cli.command()
@stored_options
@click.option(
    "--json", "json_path", metavar="文件", type=click.Path(dir_okay=False), help="把问题清单写成 JSON 文件。"
)
@click.option(
    "--reports-dir",
    default=None,
    metavar="目录",
    help="整改清单输出目录（默认该次检查设置的目录，通常为 reports）。",
)
@click.option(
    "--dry-run",
    is_flag=True,
    default=False,
    help="只显示评判结果：不保存为该次检查的结论，也不写整改清单。",
)
@click.option("--save", is_flag=True, default=False, hidden=True)  # the default now; kept for old scripts
def judge(
    run_id: int | None,
    data_dir: str,
    as_of: str | None,
    config_path: str | None,
    json_path: str | None,
    reports_dir: str | None,
    dry_run: bool,
    save: bool,
) -> None:
    """用当前规则重新评判已保存的一次检查（不重新抓取），保存结论并重写整改清单。

    改了配置（如 [[columns]] 的栏目类别）之后运行：整改清单和 sitecheck runs 随之更新。
    加 --dry-run 只看结果、不改动任何记录。
    """
    from sitecheck.models import JUDGED_RUNS, RunStatus
    from sitecheck.report.console import print_findings, print_tally, state_line

    write = not dry_run
    if write and not store_exists(data_dir):
        _fail(f"数据目录 {data_dir} 中没有事实库（先运行 sitecheck crawl）", ExitCode.USAGE)
    if write:
        # A run still being crawled keeps its verdict for later: it is judged, not saved.
        store = _open_store(data_dir)
        try:
            record = store.run(run_id) if run_id is not None else store.latest_run()
        finally:
            store.close()
        write = record is not None and record.status in (*JUDGED_RUNS, RunStatus.CRAWLED)
    summary = _stored_summary(data_dir, run_id, as_of, json_path, config_path, save=write)
    run = summary.run
    click.echo(f"运行 {run.id}（{run.start_url}），检查日 {summary.as_of}：{state_line(summary)}")
    print_findings(summary, click.echo)
    print_tally(summary, click.echo)
    if summary.incomplete:
        click.echo(f"检查不完整，结论不能作为“未发现问题”：{summary.incomplete}", err=True)
    if json_path:
        click.echo(f"结果已写入 {json_path}")
    if write:
        folder = _write_checklist(data_dir, summary, reports_dir, config_path)
        click.echo(f"评判结果已保存到第 {run.id} 次检查；整改清单：{folder / 'checklist.html'}")
    elif not dry_run:
        click.echo(f"第 {run.id} 次检查还没有抓取完，结论未保存；用 sitecheck crawl --resume 继续")
    if summary.incomplete:
        raise SystemExit(int(ExitCode.INCOMPLETE))
    raise SystemExit(int(ExitCode.FINDINGS if summary.needs_action else ExitCode.CLEAN))


def _write_checklist(data_dir: str, summary: Any, reports_dir: str | None, config_path: str | None) -> Path:
    """The checklist of a judged run, where its own settings (or ``config_path``) put it."""
    import json

    from sitecheck.report import write_reports
    from sitecheck.store import Store

    config = load_config(config_path) if config_path else None
    if config is not None:
        slug, folder = config.site.slug, config.reports_dir
    else:
        stored = json.loads(summary.run.config_json)
        slug, folder = stored.get("site", {}).get("slug", ""), stored.get("reports_dir", "reports")
    store = Store(data_dir)
    try:
        return Path(write_reports(store, summary, reports_dir or folder, slug, config)).resolve()
    finally:
        store.close()


@cli.command()
@stored_options
def columns(run_id: int | None, data_dir: str, as_of: str | None, config_path: str | None) -> None:
    """列出最近一次（或指定一次）检查识别出的栏目树、类别与更新情况，供核对分类。"""
    from sitecheck.report.console import print_columns

    summary = _stored_summary(data_dir, run_id, as_of, None, config_path)
    print_columns(summary, click.echo)  # says where each category came from, in Chinese


@cli.command()
@stored_options
@click.option(
    "--reports-dir", default="reports", show_default=True, metavar="目录", help="整改清单输出目录。"
)
def report(
    run_id: int | None, data_dir: str, as_of: str | None, config_path: str | None, reports_dir: str
) -> None:
    """重新生成某次检查（默认最近一次）的整改清单：HTML、XLSX、CSV、JSON。"""
    from sitecheck.report import write_reports
    from sitecheck.store import Store

    summary = _stored_summary(data_dir, run_id, as_of, None, config_path)
    config = load_config(config_path) if config_path else None
    store = Store(data_dir)
    try:
        folder = write_reports(store, summary, reports_dir, config.site.slug if config else "", config)
    finally:
        store.close()
    click.echo(f"整改清单已写入 {folder}")


def _open_store(data_dir: str) -> Any:
    from sitecheck.store import Store

    if not store_exists(data_dir):
        _fail(f"数据目录 {data_dir} 中没有事实库（先运行 sitecheck crawl）", ExitCode.USAGE)
    return Store(data_dir)


@cli.command()
@click.option("--data-dir", default=".sitecheck", show_default=True, metavar="目录", help="事实库所在目录。")
def runs(data_dir: str) -> None:
    """列出历次检查与复查，以及每次的问题数和整改情况。"""
    from sitecheck.models import OPEN_STATES
    from sitecheck.report.labels import RUN_KIND_LABELS, STATE_LABELS
    from sitecheck.service.commands import RUN_STATUS_TEXT
    from sitecheck.timefmt import shown

    store = _open_store(data_dir)
    try:
        records = store.runs()
        if not records:
            click.echo("还没有检查记录。")
            return
        # Widths in display columns (a Chinese character takes two), so the columns line up.
        click.echo(
            _row(("编号", 4), ("开始时间", 16), ("类型", 8), ("状态", 6), ("页面数", 6), ("未整改", 6))
            + "  整改情况  网站"
        )
        for run in records:
            states = store.finding_states(run.id)
            open_count = sum(states.get(s, 0) for s in OPEN_STATES)
            changes = "，".join(f"{STATE_LABELS[k]} {v}" for k, v in states.items() if v) or "—"
            kind = RUN_KIND_LABELS.get(run.kind, run.kind)
            click.echo(
                _row(
                    (str(run.id), -4),
                    (shown(run.started_at, _timezone(run)), 16),
                    (kind, 8),
                    (RUN_STATUS_TEXT.get(run.status, run.status), 6),
                    (str(store.page_count(run.id)), -6),
                    (str(open_count), -6),
                )
                + f"  {changes}  {run.start_url}"
            )
    finally:
        store.close()


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row(*cells: tuple[str, int]) -> str:
    """Cells padded to a display width; a negative width right-aligns (numbers)."""
    out = []
    for text, width in cells:
        pad = " " * max(0, abs(width) - _width(text))
        out.append(pad + text if width < 0 else text + pad)
    return "  ".join(out)


def _timezone(run: Any) -> str:
    """The zone a run's moments are shown in: its config's [schedule] timezone."""
    import json

    from sitecheck.timefmt import DEFAULT_ZONE

    try:
        zone = json.loads(run.config_json).get("schedule", {}).get("timezone")
    except (ValueError, AttributeError):
        zone = None
    return zone if isinstance(zone, str) and zone else DEFAULT_ZONE


@cli.command()
@click.argument("run_a", type=Between(1, MAX_RUN_ID), metavar="运行A")
@click.argument("run_b", type=Between(1, MAX_RUN_ID), metavar="运行B")
@click.option("--data-dir", default=".sitecheck", show_default=True, metavar="目录", help="事实库所在目录。")
def diff(run_a: int, run_b: int, data_dir: str) -> None:
    """比较两次检查：B 比 A 新出现、已消失（已整改）和仍存在的问题。"""
    from sitecheck.models import OPEN_STATES
    from sitecheck.report.console import safe_echo
    from sitecheck.report.labels import KIND_LABELS

    echo = safe_echo(click.echo)  # crawled URLs and texts, neutralised like every other output
    store = _open_store(data_dir)
    try:
        for run_id in (run_a, run_b):
            if store.run(run_id) is None:
                _fail(f"没有编号为 {run_id} 的检查记录", ExitCode.USAGE)
        a = {f.key: f for f in store.findings(run_a) if f.state in OPEN_STATES}
        b = {f.key: f for f in store.findings(run_b) if f.state in OPEN_STATES}
        sections = (
            ("新出现", [b[k] for k in b if k not in a]),
            ("已消失（已整改）", [a[k] for k in a if k not in b]),
            ("仍存在", [b[k] for k in b if k in a]),
        )
        for title, findings in sections:
            click.echo(f"{title}：{len(findings)}")
            for finding in findings:
                echo(f"  - [{KIND_LABELS[finding.kind]}] {finding.url}  {finding.detail}".rstrip())
    finally:
        store.close()


@cli.command()
@click.argument("finding_id", metavar="问题编号")
@click.option("--reason", required=False, metavar="原因", help="忽略原因（必填，会显示在整改清单中）。")
@click.option("--undo", is_flag=True, default=False, help="取消忽略。")
@click.option("--data-dir", default=".sitecheck", show_default=True, metavar="目录", help="事实库所在目录。")
def ignore(finding_id: str, reason: str | None, undo: bool, data_dir: str) -> None:
    """把某个问题标为“已忽略”（如对方网站的防护拦截），或取消忽略。对下次评判起效。"""
    store = _open_store(data_dir)
    try:
        known = store.finding_sites(finding_id)
        if not known:
            _fail(f"事实库中没有编号为 {finding_id} 的问题（编号见整改清单或 JSON 的 id）", ExitCode.USAGE)
        if not undo and not (reason and reason.strip()):
            _fail("请用 --reason 说明忽略原因", ExitCode.USAGE)
        for start_url in known:
            store.set_ignore(start_url, finding_id, None if undo else (reason or "").strip())
        click.echo(
            ("已取消忽略 " if undo else "已忽略 ")
            + finding_id
            + "（下次检查、复查或 sitecheck judge 时生效）"
        )
    finally:
        store.close()


def _add_service_commands() -> None:
    """``serve``, ``schedule`` and ``status`` live with the service they drive."""
    from sitecheck.service.commands import register

    register(cli)


_add_service_commands()


def _add_fleet_commands() -> None:
    """``fleet …``: many portals, many machines (PostgreSQL + procrastinate)."""
    from sitecheck.fleet.commands import register

    register(cli)


_add_fleet_commands()


def _usage_line(exc: click.UsageError) -> str:
    """click's usage error as one line (click prints the usage, a hint and the error on three)."""
    message = exc.format_message()
    if isinstance(exc, click.NoSuchOption):
        message = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            message += f"（是否想用 {' / '.join(sorted(exc.possibilities))}？）"
    elif isinstance(exc, click.MissingParameter):
        if exc.param is not None and exc.ctx is not None:
            message = f"缺少必需的 {exc.param.get_error_hint(exc.ctx)}"
    elif isinstance(exc, click.BadParameter):
        hint = exc.param_hint
        if hint is None and exc.param is not None and exc.ctx is not None:
            hint = exc.param.get_error_hint(exc.ctx)
        if hint:
            message = f"{hint if isinstance(hint, str) else ' / '.join(hint)} 的值无效：{exc.message}"
    if exc.ctx is not None:
        message += f"（{exc.ctx.command_path} --help 查看用法）"
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="sitecheck", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else 1
    except click.exceptions.Abort:
        click.echo("sitecheck: 已取消", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.UsageError as exc:
        click.echo(f"sitecheck: 参数错误：{_usage_line(exc)}", err=True)
        return int(ExitCode.USAGE)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except ConfigError as exc:
        click.echo(f"sitecheck: 配置错误：{exc}", err=True)
        return int(ExitCode.USAGE)
    except DamagedStoreError as exc:
        click.echo(f"sitecheck: 错误：{exc}", err=True)
        return int(ExitCode.USAGE)
    except sqlite3.DatabaseError as exc:  # damage found past the file's header, mid-command
        click.echo(f"sitecheck: 错误：{damaged_message(Path('数据目录'), exc)}", err=True)
        return int(ExitCode.USAGE)
    except SitecheckError as exc:
        click.echo(f"sitecheck: 错误：{exc}", err=True)
        return int(ExitCode.FAILURE)
    except KeyboardInterrupt:
        click.echo("sitecheck: 已中断", err=True)
        return int(ExitCode.INTERRUPTED)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
