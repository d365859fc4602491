"""Everything a user reads from the command line, the config and the service is Chinese (issue 13).

Every command a user runs is run as a subprocess from a fresh directory, as after
``sitecheck demo``; their outputs (and a notification e-mail) are searched for ASCII words of
three letters or more. What may stay in English is listed: URLs, paths and file names, option
names and the values a user types (TOML keys, category codes, job names), the names of formats
and standards (HTTP, TOML, XLSX …). Anything else is a message someone forgot to translate.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sitecheck import config as config_module
from sitecheck.models import FindingKind, Outcome

# Words that are not sentences: formats, standards, protocols, products, and the placeholders
# of dates. Lower-cased.
ALLOWED = {
    "sitecheck",
    "http",
    "https",
    "toml",
    "json",
    "html",
    "xlsx",
    "csv",
    "sarif",
    "junit",
    "xml",
    "trs",
    "hanweb",
    "jcms",
    "cms",
    "url",
    "robots",
    "txt",
    "sitemap",
    "user",
    "agent",
    "yyyy",
    "auto",
    "true",
    "false",
    "asia",
    "shanghai",
    "sigterm",
    "systemd",
    "journal",
    "webhook",
    "starttls",
    "tls",
    "cdn",  # as webmasters write it (证书部署在 CDN 上)
    "utf",
    "bom",
    "excel",
    "pypi",
    "smtp",
    "cron",
    "mon",
    "sun",
    "audit",
    "recheck",
    "probe",
    "debug",
    "info",
    "warning",
    "error",
    "demo",
    "ctrl",
    "api",
    "gov",
    "www",
    "cpu",
    "reports",
    "columnname",
    "columntype",
    "siteidcode",
    "pdf",
    "ids",
    # the commands themselves
    "crawl",
    "judge",
    "report",
    "runs",
    "diff",
    "serve",
    "schedule",
    "status",
    "overview",
    "fleet",  # the fleet's commands and what they run on (issue 17)
    "init",
    "add",
    "remove",
    "worker",
    "defer",
    "postgresql",
    "procrastinate",
}
# The values a user types into a config: section and key names, category and kind codes.
for klass in (
    config_module.AuditConfig,
    config_module.SiteSection,
    config_module.ScopeSection,
    config_module.PolitenessSection,
    config_module.FetchSection,
    config_module.Soft404Section,
    config_module.ScheduleSection,
    config_module.NotifySection,
    config_module.ChecklistSection,
    config_module.ColumnOverride,
    config_module.IgnoreRule,
):
    ALLOWED.update(field.name.lower() for field in dataclasses.fields(klass))
ALLOWED.update(config_module.COLUMN_CATEGORIES)
ALLOWED.update(kind.value for kind in FindingKind)
ALLOWED.update(outcome.value for outcome in Outcome)
ALLOWED.update(("columns", "ignore", "portals", "new_findings", "veto_risk", "home_down"))

_NOT_WORDS = [
    # Code quoted from a page as evidence (暗链: `display:none`, its markup): first, it may hold
    # URLs and markup of its own.
    re.compile(r"`[^`\n]*`"),
    re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I),  # URLs
    re.compile(r"javascript:\S+", re.I),  # links quoted from a page
    re.compile(r"<[^>]*>"),  # markup quoted from a page as evidence (<ul.news-list>)
    re.compile(r"'[^'\n]*'"),  # what the user typed, quoted back ('many', 'news')
    re.compile(r"--[a-z][\w-]*", re.I),  # option names
    re.compile(r"\S*[/\\]\S*"),  # paths
    re.compile(r"\S+\.(?:html|xlsx|csv|json|toml|sarif|xml|sqlite3|py|txt)\b", re.I),  # file names
    re.compile(r"[a-z_]+:[0-9a-f]{8,}", re.I),  # finding ids
    re.compile(r"\b\w+(?:[._]\w+)+\b"),  # keys (site.start_url, misfire_grace), host names
    re.compile(r"\b[A-Z][a-zA-Z]*(?:Error|Exception)\b"),  # exception class names, to look up
]
_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str) -> set[str]:
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    return {word for word in _WORD.findall(text) if word.lower() not in ALLOWED}


def run(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitecheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"PYTHONUNBUFFERED": "1", "COLUMNS": "100"},
        check=False,
    )


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory where `sitecheck demo` ran, as a new user's first step."""
    cwd = tmp_path_factory.mktemp("user")
    proc = run(cwd, "demo", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "English" not in english_words(proc.stdout + proc.stderr)
    return cwd


def test_the_commands_the_demo_suggests_work_where_it_ran(after_demo: Path) -> None:
    proc = run(after_demo, "runs")
    assert proc.returncode == 0, proc.stderr
    suggested = re.search(r"运行编号 \d+（(.*)）", run(after_demo, "demo", "--recheck", "--quiet").stdout)
    assert suggested is not None
    for step in suggested.group(1).split("；"):
        command = step.split(" 查看")[0].split(" 复查")[0].split()
        assert command[0] == "sitecheck"
        proc = (
            run(after_demo, *command[1:], "--quiet") if "demo" in command else run(after_demo, *command[1:])
        )
        assert proc.returncode == 0, (command, proc.stderr)
    # The recheck is a second run of the same site, in the same store, and the portal it
    # serves again is the same: nothing appears or disappears between the two (the refusing
    # port of the planted "connection refused" link included).
    assert "复查" in run(after_demo, "runs").stdout
    diff = run(after_demo, "diff", "1", "2").stdout
    assert "新出现：0" in diff and "已消失（已整改）：0" in diff, diff


def _outputs(cwd: Path) -> dict[str, str]:
    """What each command prints (stdout and stderr), by the command line that printed it."""
    config = cwd / "portal.toml"
    data = cwd / ".sitecheck"
    findings = json.loads(next((cwd / "reports" / "demo").glob("*-run1/findings.json")).read_text("utf-8"))
    finding_id = findings["findings"][0]["id"]
    start_url = findings["run"]["start_url"] if "run" in findings else "http://127.0.0.1:9/"
    config.write_text(
        f'data_dir = "{data}"\n[site]\nstart_url = "{start_url}"\nname = "示例门户"\n'
        '[[columns]]\nmatch_name = "工作动态"\ncategory = "动态要闻类"\noffice = "办公室"\n',
        "utf-8",
    )
    bad = cwd / "bad.toml"
    bad.write_text('[site]\nstart_url = "http://127.0.0.1:9/"\noffice = 办公室\n', "utf-8")
    unknown = cwd / "unknown.toml"
    unknown.write_text(
        '[site]\nstart_url = "http://127.0.0.1:9/"\n[[columns]]\nmatch_name = "x"\ncategory = "news"\n',
        "utf-8",
    )
    commands = [
        ("columns",),
        ("runs",),
        ("judge", "--config", str(config)),
        ("judge", "--dry-run"),
        ("report",),
        ("diff", "1", "2"),
        ("ignore", finding_id, "--reason", "对方网站拦截，人工核实可打开"),
        ("ignore", finding_id, "--undo"),
        ("ignore", "dead_link:0000000000000000", "--reason", "x"),
        ("status", "--config", str(config)),
        ("schedule", "--config", str(config)),
        ("overview", "--config", str(config)),
        ("crawl", "--config", str(bad)),
        ("crawl", "--config", str(unknown)),
        ("crawl", "--config", str(cwd / "missing.toml")),
        ("crawl", "--bogus"),
        ("crawl", "--concurrency", "many", "http://127.0.0.1:9/"),
        ("diff", "1"),
        ("judge", "x"),
        ("nosuchcommand",),
        ("serve",),
        ("--help",),
        ("--version",),
    ]
    for name in (
        "crawl",
        "recheck",
        "demo",
        "judge",
        "columns",
        "report",
        "runs",
        "diff",
        "ignore",
        "serve",
        "schedule",
        "status",
        "overview",
        "fleet",
        "fleet init",
        "fleet add",
        "fleet remove",
        "fleet worker",
        "fleet defer",
        "fleet schedule",
        "fleet status",
        "fleet overview",
    ):
        commands.append((*name.split(), "--help"))
    out: dict[str, str] = {}
    for command in commands:
        proc = run(cwd, *command)
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
        out[" ".join(command)] = proc.stdout + proc.stderr
    return out


def test_no_english_in_what_the_commands_print(after_demo: Path) -> None:
    outputs = _outputs(after_demo)
    assert "字符串要加英文双引号" in outputs[f"crawl --config {after_demo / 'bad.toml'}"]
    assert "没有这个栏目类别 'news'" in outputs[f"crawl --config {after_demo / 'unknown.toml'}"]
    assert "用法" in outputs["--help"] and "选项" in outputs["crawl --help"]
    assert "编号" in outputs["runs"] and "已完成" in outputs["runs"]
    found = {command: sorted(english_words(text)) for command, text in outputs.items()}
    found = {command: words for command, words in found.items() if words}
    assert not found, "\n".join(f"{c}: {w}\n{outputs[c]}" for c, w in found.items())


def test_no_english_in_a_notification(after_demo: Path) -> None:
    from sitecheck.audit import rejudge
    from sitecheck.config import AuditConfig, NotifySection
    from sitecheck.service.crawljob import _outcome
    from sitecheck.service.notify import Notifier
    from sitecheck.service.portals import Portal
    from sitecheck.service.runner import Service

    data = after_demo / ".sitecheck"
    summary = rejudge(str(data), 1, date.today(), None)
    folder = next((after_demo / "reports" / "demo").glob("*-run1"))
    outcome = _outcome(1, Path(os.path.relpath(folder)), summary)
    portal = Portal(AuditConfig().replace("site", start_url=summary.run.start_url, name="示例门户"), "p.toml")
    notification = Service._new_findings_message(None, portal, "audit", outcome)  # type: ignore[arg-type]
    settings = NotifySection(email_to=("a@example.gov.cn",), email_from="s@example.gov.cn", smtp_host="x")
    message = Notifier(settings)._email(notification)
    body = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_content()
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["checklist.html", "checklist.xlsx"]
    shown = re.search(r"整改清单：(\S+?)（", body)
    assert shown is not None and Path(shown.group(1)).is_absolute()
    assert not english_words(str(message["Subject"]) + "\n" + body), body


def test_no_english_in_the_checklist(after_demo: Path) -> None:
    """The checklist's visible text (HTML without its script and style) and every XLSX cell."""
    import html

    import openpyxl

    folder = next((after_demo / "reports" / "demo").glob("*-run1"))
    page = (folder / "checklist.html").read_text("utf-8")
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S | re.I)
    visible = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert not english_words(visible), sorted(english_words(visible))
    book = openpyxl.load_workbook(folder / "checklist.xlsx")
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    text = "\n".join([*book.sheetnames, *cells])
    assert not english_words(text), sorted(english_words(text))
