"""Headless Chromium, driven by Playwright: the system's browser, never Playwright's download.

Playwright's own browser build is not installed (``playwright install`` needs a download CI
cannot reach); the Debian package's Chromium is launched by path instead. Used by the HTML
checklist tests and by scripts/screenshot_report.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

INSTALL_HINT = "apt-get install chromium fonts-noto-cjk"
# Playwright already adds --headless, --no-sandbox (we run as root in CI), --no-first-run and
# turns off background networking, component updates and sync.
_ARGS = ("--disable-gpu", "--disable-quic")


def chromium_executable() -> str | None:
    """The system's Chromium (Debian: chromium; Ubuntu and others: chromium-browser), or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for the block; closed (with its helper processes) at the end.

    Inside the block Playwright's event loop counts as running in this thread, so no
    ``asyncio.run()`` (an audit) can start there: do the audits first.
    """
    executable = chromium_executable()
    if executable is None:
        raise FileNotFoundError(f"no chromium or chromium-browser on PATH ({INSTALL_HINT})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(_ARGS))
        try:
            yield browser
        finally:
            browser.close()
