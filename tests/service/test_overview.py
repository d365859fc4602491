"""The supervisor's overview (issue 17, its report): `sitecheck overview` over a service file of
portals, as a 政务公开办 runs it after the audits — real audits of loopback portals by
`sitecheck crawl`, then one page and one workbook across them."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl

from scripted_server import Reply, ScriptedServer
from sitecheck.demo import DemoServer
from sitecheck.models import OPEN_STATES

AS_OF = "2026-12-05"
HOSTILE = "某县<script>alert(1)</script>人民政府"


def _portal(tmp: Path, name: str, url: str, title: str, office: str = "") -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(
        f'data_dir = "{tmp / name}"\nreports_dir = "{tmp / "reports"}"\n'
        f'[site]\nstart_url = "{url}"\nname = "{title}"\nslug = "{name}"\noffice = "{office}"\n'
        "use_sitemap = false\n"
        "[politeness]\nconcurrency = 16\nper_host_concurrency = 8\nmin_interval = 0.0\nrespect_robots = false\n"
        "[fetch]\ntimeout = 1.0\nretries = 1\nbackoff = 0.05\nworkers = 0\n",
        encoding="utf-8",
    )
    return path


def _sitecheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitecheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def _open(doc: dict[str, Any]) -> int:
    return sum(1 for f in doc["findings"] if f["state"] in {s.value for s in OPEN_STATES})


def test_overview_ranks_every_portal_from_its_own_audit(tmp_path: Path) -> None:
    small = {
        "/": [
            Reply(
                200,
                '<html><head><title>乙局</title></head><body><a href="/gone.html">旧通知</a></body></html>'.encode(),
            )
        ],
        "/gone.html": [Reply(404, b"<h1>404</h1>")],
    }
    with DemoServer(pages=150, slow_seconds=2.0) as demo, ScriptedServer(small) as site:
        configs = [
            _portal(tmp_path, "demo", demo.base_url, "示例门户", "办公室"),
            _portal(tmp_path, "small", site.base_url + "/", "某市乙局网站"),
        ]
        docs = []
        for config in configs:
            json_path = tmp_path / f"{config.stem}.json"
            done = _sitecheck(
                "crawl",
                "--config",
                str(config),
                "--quiet",
                "--as-of",
                AS_OF,
                "--json",
                str(json_path),
                cwd=tmp_path,
            )
            assert done.returncode in (0, 1), done.stderr
            docs.append(json.loads(json_path.read_text("utf-8")))
    never = _portal(tmp_path, "never", "http://127.0.0.1:9/", HOSTILE)
    service = tmp_path / "service.toml"
    # The never-audited one listed first: ranking, not the file's order, decides.
    service.write_text(
        "".join(f'[[portals]]\nconfig = "{p.name}"\n' for p in (never, *configs)), encoding="utf-8"
    )

    done = _sitecheck(
        "overview",
        "--config",
        str(service),
        "--as-of",
        AS_OF,
        "--reports-dir",
        str(tmp_path / "reports"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "3 个网站，已检查 2 个，1 个触及单项否决" in done.stdout
    folder = tmp_path / "reports" / "overview" / "latest"

    sheet = openpyxl.load_workbook(folder / "overview.xlsx").active
    header = [cell.value for cell in sheet[2]]
    rows = [
        dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=3)
    ]
    assert [(r["排名"], r["网站名称"]) for r in rows] == [(1, "示例门户"), (2, "某市乙局网站"), (3, HOSTILE)]
    demo_row, small_row, never_row = rows
    # Each line says what the portal's own audit said.
    assert demo_row["结论"] == "不合格（单项否决）" and "空白栏目" in demo_row["触及的否决项"]
    assert demo_row["未整改"] == _open(docs[0]) and small_row["未整改"] == _open(docs[1]) >= 1
    assert small_row["结论"] in ("未触及否决项", "有预警") and not small_row["触及的否决项"]
    dead = sum(1 for f in docs[1]["findings"] if f["kind"] in ("dead_link", "dead_link_home"))
    assert dead == 1 and (small_row["首页不可用链接"] or 0) + (small_row["其他页面不可用链接"] or 0) == dead
    assert never_row["结论"] == "尚未检查" and never_row["未整改"] is None
    assert demo_row["责任单位"] == "办公室"

    page = (folder / "overview.html").read_text("utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    # Nothing loads and only the page's own sorting script runs (the CSP names it by its hash).
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1])
    script = re.search(r"<script>(.*?)</script>", page, re.S)[1]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert "default-src 'none'" in policy and f"script-src 'sha256-{digest}'" in policy
    # The portal's name links its own checklist, which is there.
    link = demo_row["整改清单"]
    assert link.endswith("checklist.html") and (folder / link).resolve().is_file()
    assert f'href="{link}"' in page

    # In a browser, the page sorts by a column (its script admitted by the CSP): 未整改 ascending,
    # the portal never audited last.
    from support.browser import chromium, chromium_executable

    if chromium_executable() is None:
        return
    with chromium() as browser:
        tab = browser.new_page()
        tab.goto((folder / "overview.html").resolve().as_uri())
        names = "[...document.querySelectorAll('tbody tr')].map(r => r.children[1].innerText.split('\\n')[0])"
        assert tab.evaluate(names) == ["示例门户", "某市乙局网站", HOSTILE]
        tab.click("thead th:nth-child(7) button")
        assert tab.evaluate(names) == ["某市乙局网站", "示例门户", HOSTILE]
        tab.click("thead th:nth-child(7) button")
        assert tab.evaluate(names) == ["示例门户", "某市乙局网站", HOSTILE]


def test_overview_of_a_bad_service_file_is_one_line(tmp_path: Path) -> None:
    done = _sitecheck("overview", "--config", str(tmp_path / "missing.toml"), cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
