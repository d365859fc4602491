"""Bad input gives one line in Chinese naming the option or key and the bound, exit code 2.

Every value the command line or a config file sets is checked before anything is fetched:
regexes compile, URLs parse (http/https, a host, a port 1–65535), numbers are finite and within
a lower and an upper bound (README.md, "Limits on settings"). None of these may end in a
traceback, nor in a crawl that blames the portal for our own setting.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import get_type_hints

import pytest

from conftest import REPO
from sitecheck.cli import main
from sitecheck.config import (
    LIMITS,
    MAX_WORKERS,
    AuditConfig,
    ColumnOverride,
    config_from_mapping,
    load_config,
)
from sitecheck.errors import ConfigError

URL = "http://127.0.0.1:9/"  # nothing listens there: a test that got past validation fails fast


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The real entry point (``sitecheck`` = cli:main): its exit code and its one stderr line."""
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out, captured.err
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    return code, lines[0]


# -- command-line options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--include", "("], ["--include", "正则表达式", "'('"]),
        (["--exclude", "a{99999999999}"], ["--exclude", "正则表达式"]),
        (["--exclude", ""], ["--exclude", "排除所有网址"]),
        (["--extra-host", "http://[::1/"], ["--extra-host", "无法解析的网址", "http://[::1/"]),
        (["--extra-host", "*."], ["--extra-host", "*.example.gov.cn"]),
        (["--seed", "http://[::1/"], ["--seed", "无法解析的网址"]),
        (["--seed", "http://x.gov.cn:99999/"], ["--seed", "端口无效", "65535"]),
        (["--workers", "500"], ["--workers", f"上限 {MAX_WORKERS}", "CPU 核数"]),
        (["--workers", "lots"], ["--workers", "auto"]),
        (["--concurrency", "65"], ["--concurrency", "上限 64"]),
        (["--per-host", "33"], ["--per-host", "上限 32"]),
        (["--timeout", "nan"], ["--timeout", "有限"]),
        (["--timeout", "inf"], ["--timeout", "有限"]),
        (["--timeout", "301"], ["--timeout", "上限 300 秒"]),
        (["--interval", "61"], ["--interval", "上限 60 秒"]),
        (["--interval", "-1"], ["--interval", "应在 0 到 60 秒之间"]),
        (["--retries", "11"], ["--retries", "上限 10"]),
        (["--max-pages", "10000001"], ["--max-pages", "上限 10,000,000"]),
        (["--max-pages", "0"], ["--max-pages", "应在 1 到 10,000,000 之间"]),
        (["--max-depth", "100001"], ["--max-depth", "上限 100,000"]),
        (["--user-agent", "sitecheck\r\nX-Injected: 1"], ["--user-agent", "一行"]),
        (["--as-of", "9999-12-31"], ["--as-of", "2100-12-31"]),
        (["--as-of", "1999-12-31"], ["--as-of", "2000-01-01"]),
        (["--concurency", "3"], ["--concurency", "--concurrency"]),
    ],
)
@pytest.mark.parametrize("command", ["crawl", "recheck"])
def test_bad_option_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, args: list[str], fragments: list[str]
) -> None:
    code, line = run_cli(capsys, command, URL, "--data-dir", str(tmp_path), *args)
    assert code == 2
    assert line.startswith("sitecheck: ")
    for fragment in fragments:
        assert fragment in line, line
    assert not (tmp_path / "sitecheck.sqlite3").exists()  # refused before anything ran


@pytest.mark.parametrize(
    "url", ["http://[::1/", "http://x.gov.cn:0/", "http://x.gov.cn:65536/", "http://a b.gov.cn/"]
)
def test_bad_start_url_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    code, line = run_cli(capsys, "crawl", url, "--data-dir", str(tmp_path))
    assert code == 2 and "URL" in line and url in line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["demo", "--pages", "100000000"], "上限 100000"),
        (["judge", "99999999999999999999"], "运行编号"),
        (["diff", "1", "99999999999999999999"], "运行B"),
        (["serve"], "--config"),
    ],
)
def test_other_commands_bound_their_arguments(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    code, line = run_cli(capsys, *args)
    assert code == 2 and fragment in line


def test_the_installed_command_prints_one_line(tmp_path: Path) -> None:
    """The same through ``python -m sitecheck``: a new process, nothing shared with the tests."""
    proc = subprocess.run(
        [sys.executable, "-m", "sitecheck", "crawl", URL, "--include", "(", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "--include" in proc.stderr


# -- config files -----------------------------------------------------------------------------------


def write_config(tmp_path: Path, body: str) -> Path:
    """A portal config with a start URL and ``body`` (which may add to [site] itself)."""
    path = tmp_path / "portal.toml"
    start = f'[site]\nstart_url = "{URL}"\n'
    path.write_text(start + body.removeprefix("[site]\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        ("[fetch]\ntimeout = nan\n", "fetch.timeout", "有限"),
        ("[fetch]\ntimeout = inf\n", "fetch.timeout", "有限"),
        ("[fetch]\nmax_body_bytes = 1000000000\n", "fetch.max_body_bytes", "上限 100,000,000 字节"),
        ("[fetch]\nworkers = 500\n", "fetch.workers", f"上限 {MAX_WORKERS}"),
        ("[schedule]\nprobes_per_day = 100000000\n", "schedule.probes_per_day", "上限 1440"),
        ("[politeness]\nmin_interval = -inf\n", "politeness.min_interval", "有限"),
        ('[scope]\ninclude = ["("]\n', "scope.include", "正则表达式"),
        ('[site]\nextra_hosts = ["http://[::1/"]\n', "site.extra_hosts[0]", "无法解析的网址"),
        ('[site]\nextra_seeds = ["http://x.gov.cn:70000/"]\n', "site.extra_seeds[0]", "端口无效"),
        ('[site]\noffice = "办公室\\u0000"\n', "site.office", "控制字符 U+0000"),
        ('[soft404]\nphrases = [""]\n', "soft404.phrases[0]", "页面不存在"),
        ('[[columns]]\nmatch_name = "x"\nlimit_days = 100000\n', "columns[0].limit_days", "上限 3650 天"),
    ],
)
def test_bad_config_value_names_key_and_bound(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: str, key: str, fragment: str
) -> None:
    path = write_config(tmp_path, body)
    code, line = run_cli(capsys, "crawl", "--config", str(path), "--data-dir", str(tmp_path / "data"))
    assert code == 2
    assert f"{path}: {key}: " in line and fragment in line, line


def test_service_config_is_bounded_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_config(tmp_path, "[schedule]\nprobes_per_day = 100000000\n")
    code, line = run_cli(capsys, "schedule", "--config", str(path))
    assert code == 2 and "schedule.probes_per_day" in line and "上限 1440" in line
    path = write_config(tmp_path, '[notify]\nwebhook_url = "http://[::1/"\n')
    code, line = run_cli(capsys, "schedule", "--config", str(path))
    assert code == 2 and "notify.webhook_url" in line and "无法解析的网址" in line
    path = write_config(
        tmp_path, '[notify]\nemail_to = ["a@b.cn\\nBcc: x@y.cn"]\nsmtp_host = "h"\nemail_from = "c@d.cn"\n'
    )
    code, line = run_cli(capsys, "schedule", "--config", str(path))
    assert code == 2 and "notify.email_to[0]" in line


def test_unquoted_text_in_toml_says_which_line_and_how(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "portal.toml"
    path.write_text(f'[site]\nstart_url = "{URL}"\noffice = 办公室\n', encoding="utf-8")
    code, line = run_cli(capsys, "crawl", "--config", str(path))
    assert code == 2
    assert "第 3 行" in line
    assert '字符串要加英文双引号，如 office = "办公室"' in line
    path.write_text("[site]\nname = “某市人民政府”\n", encoding="utf-8")
    code, line = run_cli(capsys, "schedule", "--config", str(path))  # the service reads it the same way
    assert code == 2 and "第 2 行" in line and "英文引号" in line


# -- the bounds themselves --------------------------------------------------------------------------


def _mapping(key: str, value: float) -> dict[str, object]:
    section, _, name = key.rpartition(".")
    if not section:  # limit_days, warn_days: keys of a [[columns]] entry
        return {"columns": [{"match_name": "x", name: value}]}
    return {section: {name: value}}


def _is_int(key: str) -> bool:
    section, _, name = key.rpartition(".")
    table = get_type_hints(AuditConfig)[section] if section else ColumnOverride
    return name == "workers" or get_type_hints(table)[name] is int


@pytest.mark.parametrize("key", sorted(LIMITS))
def test_every_bound_is_inclusive_and_enforced(key: str) -> None:
    low, high = LIMITS[key]
    number = int if _is_int(key) else float
    for edge in (low, high):
        config_from_mapping(_mapping(key, number(edge)))
    step = 1 if number is int else 0.05
    for outside in (low - step, high + step):
        with pytest.raises(ConfigError) as caught:
            config_from_mapping(_mapping(key, number(outside)))
        assert key.rsplit(".", 1)[-1] in caught.value.key
        assert "之间" in str(caught.value)


def test_every_bound_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Limits on settings") :]
    section = section[: section.index("\n#", 1)]
    for key in LIMITS:
        name = key.rsplit(".", 1)[-1]
        assert re.search(rf"`[\w.\[\]]*{re.escape(name)}`", section), key


def test_example_config_is_within_the_bounds() -> None:
    load_config(REPO / "config" / "portal.example.toml")
