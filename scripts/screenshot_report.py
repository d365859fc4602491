#!/usr/bin/env python3
"""Audit the bundled sample portal twice and render its checklist.html as a full-page PNG.

Two runs, with one dead link repaired and one finding ignored in between, so the picture shows
what an office sees after a re-check: a trend, 已整改 and 已忽略 rows, 未整改 ones. Playwright
drives the system's headless Chromium (tests/support/browser.py; no browser download).

    PYTHONPATH=src python scripts/screenshot_report.py [--out docs/checklist-screenshot.png]

Prints the PNG's path (and the HTML's, which stays next to it unless --out-html says otherwise).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

# The one browser helper, shared with the HTML checklist tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sitecheck.audit import rejudge, run_audit
from sitecheck.config import AuditConfig, IgnoreRule
from sitecheck.demo import DemoServer
from sitecheck.models import FindingKind
from sitecheck.report.checklist import build_report
from sitecheck.report.html import write_html
from sitecheck.store import Store
from support.browser import INSTALL_HINT, chromium, chromium_executable

REPAIRED_BODY = "<html><head><title>通知</title></head><body><p>该页面已恢复，内容正常。</p></body></html>"


def _config(start_url: str, data_dir: Path) -> AuditConfig:
    # Our own loopback server: no politeness delays, short timeouts (as tests/conftest.py).
    config = AuditConfig(data_dir=str(data_dir)).replace("site", start_url=start_url)
    config = config.replace("politeness", concurrency=16, per_host_concurrency=8, min_interval=0.0)
    return config.replace("fetch", timeout=1.0, retries=1, backoff=0.05)


def build_sample_report(work: Path) -> Path:
    """checklist.html of the sample portal after an audit, a repair and a re-audit."""
    with DemoServer(pages=150, slow_seconds=4.0) as server:
        config = _config(server.base_url, work / "data")
        first = run_audit(config, handle_signals=False)
        dead = [
            f
            for f in first.findings
            if f.kind is FindingKind.DEAD_LINK
            and f.url.startswith(server.base_url)
            and f.url.endswith(".html")
        ]
        if dead:
            server.set_override(urlsplit(dead[0].url).path, 200, REPAIRED_BODY)
        blocked = [f for f in first.findings if f.kind is FindingKind.UNVERIFIED_LINK]
        if blocked:
            reason = "对方网站拦截自动检查，已由办公室人工打开确认可以访问"
            config = dataclasses.replace(config, ignore=(IgnoreRule(id=blocked[0].key, reason=reason),))
        run_audit(config, handle_signals=False)
    summary = rejudge(str(work / "data"), None, date.today(), work / "findings.json")
    store = Store(work / "data")
    try:
        data = build_report(store, summary)
    finally:
        store.close()
    html = work / "checklist.html"
    write_html(data, html)
    return html


def screenshot(html: Path, png: Path, width: int) -> Path:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
        page.goto(html.resolve().as_uri(), wait_until="load")
        # Fonts load after the load event on a cold profile; a picture taken before they do has
        # the wrong line heights.
        page.evaluate("document.fonts.ready.then(() => true)")
        png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=png, full_page=True)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("checklist-screenshot.png"), help="PNG to write")
    parser.add_argument("--out-html", type=Path, help="also keep checklist.html here")
    parser.add_argument("--width", type=int, default=1440, help="viewport width in CSS pixels")
    args = parser.parse_args(argv)
    if chromium_executable() is None:
        print(f"no chromium or chromium-browser on PATH: {INSTALL_HINT}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="sitecheck-report-"))
    try:
        html = build_sample_report(work)
        png = screenshot(html, args.out, args.width)
        if args.out_html:
            args.out_html.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, args.out_html)
            print(args.out_html.resolve())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(png.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
