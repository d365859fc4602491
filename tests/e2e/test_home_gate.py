"""No clean verdict without a read home page (issue 10): each way of not reading it, as a user meets it.

A scripted server on 127.0.0.1 plays the portal; the CLI runs in a subprocess. Every case must
end with exit 3 and one line that says what happened and what to do, never "未发现问题".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripted_server import Reply, ScriptedServer

PAGE = "<html><head><title>首页</title></head><body><a href='/a.html'>a</a></body></html>".encode()


def crawl(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "sitecheck", "crawl", url, "--data-dir", str(tmp_path / "data"),
            "--reports-dir", str(tmp_path / "reports"), "--quiet", "--timeout", "2", "--retries", "0",
            "--interval", "0", *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
        check=False,
    )  # fmt: skip


def refused(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "未发现问题" not in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_home_redirecting_to_another_port_names_the_target(tmp_path: Path) -> None:
    with ScriptedServer({"/": [Reply(body=PAGE)]}) as other:
        target = other.base_url + "/"
        with ScriptedServer({"/": [Reply(302, b"", {"Location": target})]}) as portal:
            line = refused(crawl(portal.base_url + "/", tmp_path))
    assert f"跳转到了 {target}" in line
    assert f"sitecheck crawl {target}" in line  # what to do: use it as the start URL


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain; charset=utf-8"}, {"Content-Type": "application/octet-stream"}, {}],
    ids=["text-plain", "octet-stream", "no-content-type"],
)
def test_home_that_is_not_served_as_a_page(tmp_path: Path, headers: dict[str, str]) -> None:
    with ScriptedServer({"/": [Reply(body=PAGE, headers=headers)]}) as portal:
        line = refused(crawl(portal.base_url + "/", tmp_path))
    assert "返回的不是网页" in line
    assert (headers.get("Content-Type", "未声明").split(";")[0]) in line


def test_home_excluded_by_the_users_own_pattern(tmp_path: Path) -> None:
    with ScriptedServer({"/": [Reply(body=PAGE)]}) as portal:
        line = refused(crawl(portal.base_url + "/", tmp_path, "--exclude", "127\\.0\\.0\\.1"))
        assert portal.count("/") == 0  # excluded means never requested
    assert "被排除" in line and "--exclude" in line


def test_home_outside_the_include_patterns(tmp_path: Path) -> None:
    with ScriptedServer({"/": [Reply(body=PAGE)]}) as portal:
        line = refused(crawl(portal.base_url + "/", tmp_path, "--include", "/zwgk/"))
    assert "不在检查范围内" in line and "--include" in line


@pytest.mark.parametrize(
    "path", ["/" + "a" * 600, "/x/x/x/x/x/x/x/index.html"], ids=["long-url", "repeated-segments"]
)
def test_home_rejected_as_a_crawler_trap(tmp_path: Path, path: str) -> None:
    with ScriptedServer({path: [Reply(body=PAGE)]}) as portal:
        line = refused(crawl(portal.base_url + path, tmp_path))
    assert "疑似爬虫陷阱" in line


def test_home_not_found_is_unreachable(tmp_path: Path) -> None:
    with ScriptedServer({}) as portal:
        line = refused(crawl(portal.base_url + "/", tmp_path))
    assert "首页无法访问" in line and "404" in line


def test_a_readable_home_is_audited(tmp_path: Path) -> None:
    """The gate lets a real page through: the control case for every refusal above."""
    with ScriptedServer({"/": [Reply(body=PAGE)], "/a.html": [Reply(body=PAGE)]}) as portal:
        proc = crawl(portal.base_url + "/", tmp_path)
    assert proc.returncode in (0, 1), proc.stderr  # audited (what it finds is not the point here)
    assert "检查完成：2 个页面" in proc.stdout, proc.stdout
    assert "检查不完整" not in proc.stderr
