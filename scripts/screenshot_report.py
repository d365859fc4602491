#!/usr/bin/env python3
"""Audit the bundled sample portal twice and picture its checklist.html: screen, paper, phone.

Two runs, with one dead link repaired and one finding ignored in between, so the pictures show
what an office sees after a re-check: a trend, 已整改 and 已忽略 rows, 未整改 ones. Playwright
drives the system's headless Chromium (tests/support/browser.py; no browser download).

    PYTHONPATH=src python scripts/screenshot_report.py --docs docs

writes docs/checklist-cover.png (the top of the page at 1440 px: cover, verdict, summary),
docs/checklist-print.png (a printed A4 page: Chromium prints the page to PDF and its own PDF
viewer draws one page of it; a print-media picture if that viewer is missing) and
docs/checklist-phone.png (the problem cards at 390 px). Without --docs, one full-page PNG:

    PYTHONPATH=src python scripts/screenshot_report.py [--out docs/checklist-screenshot.png]

Prints the PNGs' paths (and the HTML's, which stays next to them if --out-html says so).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The one browser helper, shared with the HTML checklist tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from playwright.sync_api import Browser, Page

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


def _open(browser: Browser, html: Path, **context: Any) -> Page:
    page = browser.new_page(**context)
    page.goto(html.resolve().as_uri(), wait_until="load")
    # Fonts load after the load event on a cold profile; a picture taken before they do has
    # the wrong line heights.
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def screenshot(html: Path, png: Path, width: int) -> Path:
    with chromium() as browser:
        page = _open(browser, html, viewport={"width": width, "height": 900}, device_scale_factor=1)
        png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=png, full_page=True)
    return png


def _printed_page_number(pdf: bytes) -> int:
    """The second page of the checklist proper (a continuation page, with its repeated header);
    page 4 when pypdf (a dev dependency) is not there to find it."""
    try:
        import io
        import unicodedata

        from pypdf import PdfReader
    except ImportError:
        return 4
    for number, pdf_page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        text = "".join(unicodedata.normalize("NFKC", pdf_page.extract_text()).split())
        if "整改清单" in text and "请各责任科室" in text:
            return number + 1
    return 4


def docs_pictures(html: Path, out: Path) -> list[Path]:
    """The cover at 1440 px, one printed A4 page, and the phone's cards at 390 px."""
    out.mkdir(parents=True, exist_ok=True)
    cover, printed, phone = (
        out / "checklist-cover.png",
        out / "checklist-print.png",
        out / "checklist-phone.png",
    )
    with chromium() as browser:
        page = _open(browser, html, viewport={"width": 1440, "height": 1180}, device_scale_factor=1)
        page.screenshot(path=cover)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        page.close()

        pdf_path = out / ".checklist-print.pdf"
        pdf_path.write_bytes(pdf)
        try:
            number = _printed_page_number(pdf)
            viewer = browser.new_page(viewport={"width": 1500, "height": 1075}, device_scale_factor=1)
            viewer.goto(f"{pdf_path.resolve().as_uri()}#page={number}&toolbar=0&navpanes=0&view=Fit")
            viewer.wait_for_timeout(2500)  # the viewer draws the page after the load event
            viewer.screenshot(path=printed)
            viewer.close()
        except Exception:  # a Chromium without its PDF viewer: a print-media picture instead
            page = _open(browser, html, viewport={"width": 1062, "height": 751}, device_scale_factor=1.4)
            page.emulate_media(media="print")
            page.evaluate("document.getElementById('checklist').scrollIntoView()")
            page.screenshot(path=printed)
            page.close()
        finally:
            pdf_path.unlink(missing_ok=True)

        page = _open(
            browser, html, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
        )
        page.evaluate("document.querySelector('#checklist h2').scrollIntoView()")
        page.screenshot(path=phone)
        page.close()
    return [cover, printed, phone]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("checklist-screenshot.png"), help="PNG to write")
    parser.add_argument(
        "--docs", type=Path, help="write the cover, printed-page and phone PNGs into this folder"
    )
    parser.add_argument("--out-html", type=Path, help="also keep checklist.html here")
    parser.add_argument("--width", type=int, default=1440, help="viewport width in CSS pixels")
    args = parser.parse_args(argv)
    if chromium_executable() is None:
        print(f"no chromium or chromium-browser on PATH: {INSTALL_HINT}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="sitecheck-report-"))
    try:
        html = build_sample_report(work)
        pngs = docs_pictures(html, args.docs) if args.docs else [screenshot(html, args.out, args.width)]
        if args.out_html:
            args.out_html.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, args.out_html)
            print(args.out_html.resolve())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for png in pngs:
        print(png.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
