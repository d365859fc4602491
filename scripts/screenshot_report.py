#!/usr/bin/env python3
"""Audit the bundled sample portal twice and render its checklist.html as a full-page PNG.

Two runs, with one dead link repaired and one finding ignored in between, so the picture shows
what an office sees after a re-check: a trend, 已整改 and 已忽略 rows, 未整改 ones. Drives the
system's headless Chromium over the DevTools protocol (no browser download).

    PYTHONPATH=src python scripts/screenshot_report.py [--out docs/checklist-screenshot.png]

Prints the PNG's path (and the HTML's, which stays next to it unless --out-html says otherwise).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import ClientConnection, connect

from sitecheck.audit import rejudge, run_audit
from sitecheck.config import AuditConfig, IgnoreRule
from sitecheck.demo import DemoServer
from sitecheck.models import FindingKind
from sitecheck.report.build import build_report
from sitecheck.report.html import write_html
from sitecheck.store import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",  # Chromium picks a free port and writes it to DevToolsActivePort
)
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


class Browser:
    """One headless Chromium page driven over the DevTools protocol."""

    def __init__(self, profile: Path) -> None:
        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        # No proxy: the DevTools endpoint is on loopback, whatever http_proxy says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t.get("type") == "page")
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(page["webSocketDebuggerUrl"], proxy=None, max_size=None)
        )
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        self.ws.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self._next:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            if message.get("method") == method:
                return dict(message)
            self.events.append(message)
        raise TimeoutError(method)

    def close(self) -> None:
        if hasattr(self, "_stack"):
            # Asked to quit, Chromium reaps its own helper processes; a SIGTERM'd browser
            # leaves them to init, which in a container may never collect them.
            with contextlib.suppress(Exception):
                self.call("Browser.close")
            self._stack.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def screenshot(html: Path, png: Path, width: int) -> Path:
    profile = Path(tempfile.mkdtemp(prefix="sitecheck-chromium-"))
    browser = Browser(profile)
    try:
        browser.call("Page.enable")
        browser.call(
            "Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False
        )
        browser.call("Page.navigate", url=html.resolve().as_uri())
        browser.wait_event("Page.loadEventFired")
        # Fonts load after the load event on a cold profile; measuring before they do gives a
        # page height that is wrong by the difference in line heights.
        browser.call("Runtime.evaluate", expression="document.fonts.ready", awaitPromise=True)
        height = browser.call("Runtime.evaluate", expression="document.documentElement.scrollHeight")
        full = int(height["result"]["value"])
        browser.call(
            "Emulation.setDeviceMetricsOverride", width=width, height=full, deviceScaleFactor=1, mobile=False
        )
        shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(base64.b64decode(shot["data"]))
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("checklist-screenshot.png"), help="PNG to write")
    parser.add_argument("--out-html", type=Path, help="also keep checklist.html here")
    parser.add_argument("--width", type=int, default=1440, help="viewport width in CSS pixels")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: apt-get install chromium fonts-noto-cjk", file=sys.stderr)
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
