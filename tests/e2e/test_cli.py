"""The command line as a user runs it: bad input, interruption and resume (real subprocesses)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitecheck.demo import DemoServer
from support.cli import (
    FAST,
    assert_same_crawl,
    findings_of,
    free_port,
    one_line_error,
    pages_stored,
    sitecheck,
)


def test_invalid_url_is_a_usage_error(tmp_path: Path) -> None:
    proc = sitecheck("crawl", "ftp://example", "--data-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "不是 http(s) 网址" in one_line_error(proc)


def test_missing_url_is_a_usage_error(tmp_path: Path) -> None:
    proc = sitecheck("crawl", "--data-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "没有起始网址" in one_line_error(proc)


def test_unreachable_start_page(tmp_path: Path) -> None:
    proc = sitecheck("crawl", f"http://127.0.0.1:{free_port()}/", "--data-dir", str(tmp_path), *FAST)
    assert proc.returncode == 3
    line = one_line_error(proc)
    assert "首页无法访问" in line and "无法连接" in line


def test_malformed_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "portal.toml"
    config.write_text(
        '[site]\nstart_url = "http://127.0.0.1:9/"\n[politeness]\nconcurrency = "many"\n', "utf-8"
    )
    proc = sitecheck("crawl", "--config", str(config))
    assert proc.returncode == 2
    assert "politeness.concurrency" in one_line_error(proc)


def test_unwritable_output_fails_before_crawling(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    proc = sitecheck(
        "crawl", "http://127.0.0.1:9/", "--data-dir", str(tmp_path / "d"), "--json", str(blocker / "out.json")
    )
    assert proc.returncode == 3
    assert "cannot write" in one_line_error(proc)
    proc = sitecheck("crawl", "http://127.0.0.1:9/", "--data-dir", str(blocker / "data"))
    assert proc.returncode == 3
    assert "数据目录" in one_line_error(proc)


def test_bad_as_of_date(tmp_path: Path) -> None:
    proc = sitecheck("crawl", "http://127.0.0.1:9/", "--as-of", "2026-13-01", "--data-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "--as-of" in one_line_error(proc)


@pytest.fixture(scope="module")
def resume_server() -> Iterator[DemoServer]:
    with DemoServer(pages=400, seed=11, slow_seconds=3.0) as server:
        yield server








def _start_crawl(server: DemoServer, data_dir: Path) -> subprocess.Popen[str]:
    # Slow enough (one request at a time, 5 ms apart) that the kill lands mid-crawl.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitecheck",
            "crawl",
            server.base_url,
            "--data-dir",
            str(data_dir),
            "--concurrency",
            "2",
            "--per-host",
            "1",
            "--interval",
            "0.005",
            "--timeout",
            "1",
            "--retries",
            "1",
            "--quiet",
            "--no-reports",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_pages(proc: subprocess.Popen[str], data_dir: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while pages_stored(data_dir) < count:
        assert proc.poll() is None, "crawl ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_interrupted_crawl_resumes_to_the_same_findings(
    resume_server: DemoServer, tmp_path: Path, how: signal.Signals
) -> None:
    data_dir = tmp_path / "data"
    proc = _start_crawl(resume_server, data_dir)
    _wait_for_pages(proc, data_dir, 60)
    proc.send_signal(how)
    code = proc.wait(timeout=30)
    stored = pages_stored(data_dir)
    assert stored >= 60
    if how is signal.SIGTERM:
        assert code == 130, proc.stderr.read() if proc.stderr else ""
        with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
            assert db.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        done_pages = [
            row[0] for row in db.execute("SELECT t.url FROM pages p JOIN targets t ON t.id=p.target_id")
        ]
    before = {
        url: resume_server.hits(url.removeprefix(resume_server.base_url.rstrip("/")))
        for url in done_pages[:20]
    }

    resumed = sitecheck(
        "crawl",
        resume_server.base_url,
        "--data-dir",
        str(data_dir),
        "--resume",
        "--json",
        str(tmp_path / "resumed.json"),
        *FAST,
    )
    assert resumed.returncode == 1, resumed.stderr
    with sqlite3.connect(data_dir / "sitecheck.sqlite3") as db:
        assert db.execute("SELECT COUNT(*), MAX(status) FROM runs").fetchone() == (1, "finished")
        # A page that another URL redirects to is requested again through that URL.
        redirected_to = {
            row[0]
            for row in db.execute(
                "SELECT c.final_url FROM checks c JOIN targets t ON t.id=c.target_id WHERE c.final_url != t.url"
            )
        }
    # Pages stored before the interruption are not fetched again.
    checked = [url for url in before if url not in redirected_to]
    assert len(checked) >= 15
    for url in checked:
        assert resume_server.hits(url.removeprefix(resume_server.base_url.rstrip("/"))) == before[url], url

    full = sitecheck(
        "crawl",
        resume_server.base_url,
        "--data-dir",
        str(tmp_path / "full"),
        "--json",
        str(tmp_path / "full.json"),
        *FAST,
    )
    assert full.returncode == 1, full.stderr
    full_doc = assert_same_crawl(tmp_path / "resumed.json", tmp_path / "full.json")
    assert len(full_doc["findings"]) >= 15


def test_judge_rejudges_a_stored_run_without_crawling(resume_server: DemoServer, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = sitecheck(
        "crawl",
        resume_server.base_url,
        "--data-dir",
        str(data_dir),
        "--json",
        str(tmp_path / "a.json"),
        *FAST,
    )
    assert first.returncode == 1
    hits = resume_server.total_hits()
    again = sitecheck("judge", "--data-dir", str(data_dir), "--json", str(tmp_path / "b.json"))
    assert again.returncode == 1, again.stderr
    assert resume_server.total_hits() == hits
    a = json.loads((tmp_path / "a.json").read_text("utf-8"))
    b = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert findings_of(a) == findings_of(b)


def test_reports_are_written_per_run_with_latest_pointing_at_the_newest(
    resume_server: DemoServer, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    args = ["--data-dir", str(tmp_path / "data"), "--reports-dir", str(reports)]
    fast = [a for a in FAST if a != "--no-reports"]
    first = sitecheck("crawl", resume_server.base_url, *args, *fast)
    assert first.returncode == 1, first.stderr
    second = sitecheck("recheck", resume_server.base_url, *args, *fast)
    assert second.returncode == 1, second.stderr
    (site,) = reports.iterdir()
    runs = sorted(p for p in site.iterdir() if not p.is_symlink())
    assert [p.name.rsplit("-", 1)[-1] for p in runs] == ["run1", "run2"]
    latest = site / "latest"
    assert latest.is_symlink() and latest.resolve() == runs[-1].resolve()
    for name in (
        "checklist.html",
        "checklist.xlsx",
        "findings.csv",
        "findings.json",
        "findings.sarif",
        "junit.xml",
    ):
        assert (runs[0] / name).stat().st_size > 0 and (runs[1] / name).stat().st_size > 0
    doc = json.loads((latest / "findings.json").read_text("utf-8"))
    assert doc["run"]["kind"] == "recheck" and doc["run"]["base_run"] == 1
    assert "checklist.html" in first.stdout
    listing = sitecheck("runs", "--data-dir", str(tmp_path / "data"))
    assert listing.returncode == 0 and "复查" in listing.stdout and "检查" in listing.stdout
    changed = sitecheck("diff", "1", "2", "--data-dir", str(tmp_path / "data"))
    assert changed.returncode == 0 and "仍存在" in changed.stdout


def test_home_page_behind_an_anti_bot_wall_is_explained(tmp_path: Path) -> None:
    from scripted_server import Reply, ScriptedServer

    wall = Reply(412, b"<html><script>$_ts=window['$_ts'];</script></html>", {"Content-Type": "text/html"})
    with ScriptedServer({"/": [wall]}) as server:
        proc = sitecheck("crawl", server.base_url + "/", "--data-dir", str(tmp_path), *FAST)
    assert proc.returncode == 3
    line = one_line_error(proc)
    assert "首页无法检查" in line and "放行本机 IP" in line


def _demo(tmp_path: Path, json_name: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitecheck",
            "demo",
            "--quiet",
            "--reports-dir",
            str(tmp_path / "reports"),
            "--json",
            str(tmp_path / json_name),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc, json.loads((tmp_path / json_name).read_text("utf-8"))


def test_demo_command_audits_the_sample_portal_offline(tmp_path: Path) -> None:
    """The README's first command, as a newcomer runs it; then again, as a later visit."""
    proc, doc = _demo(tmp_path, "demo.json")
    assert "检查完成" in proc.stdout and "整改清单" in proc.stdout
    assert doc["summary"]["dead_links_home"] == 2 and doc["summary"]["columns"] >= 20
    assert (tmp_path / "reports" / "demo" / "latest" / "checklist.html").exists()
    # The portal's https service host, with a certificate of the demo's own CA that expires in
    # 5 days: verified (not "unknown issuer"), and a deduction for the days left.
    transport = [f for f in doc["findings"] if f["kind"] in ("cert_expiry", "cert_invalid", "https_redirect")]
    assert [(f["kind"], f["severity"]) for f in transport] == [("cert_expiry", "deduction")]
    assert transport[0]["url"].startswith("https://127.0.0.") and "不足 7 天" in transport[0]["detail"]
    assert "在线服务平台" in proc.stdout and "再次访问" not in proc.stdout
    assert not [f for f in doc["findings"] if f["kind"].startswith("external_")]

    # The second demo in the same directory: two friend links' sites changed since the first.
    again, later = _demo(tmp_path, "later.json")
    assert "再次访问" in again.stdout
    before = {(f["kind"], f["url"]) for f in doc["findings"]}
    new = {f["kind"]: f for f in later["findings"] if (f["kind"], f["url"]) not in before}
    assert sorted(new) == ["external_changed", "external_risky"]
    assert new["external_changed"]["url"].endswith("/tjj/index.html") and "出售" in new["external_changed"]["detail"]
    assert new["external_risky"]["severity"] == "veto" and "百家乐" in new["external_risky"]["detail"]
    assert {(f["kind"], f["url"]) for f in later["findings"]} >= before


def test_switch_flags_reach_the_config() -> None:
    from sitecheck.cli import _overrides, build_config

    overrides = _overrides({"no_sitemap": True, "no_robots": True, "insecure": True})
    config = build_config("http://127.0.0.1:9/", None, overrides)
    assert not config.site.use_sitemap
    assert not config.politeness.respect_robots
    assert not config.fetch.verify_tls
