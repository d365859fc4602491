"""Report writers. Each output format has its own module; they all render one ReportData.

``write_reports`` puts a run's checklist in ``<reports_dir>/<site>/<run time>/`` and points
``<reports_dir>/<site>/latest`` at it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sitecheck.config import AuditConfig
from sitecheck.errors import ReportError
from sitecheck.report.checklist import RunSummary, build_report, summarize
from sitecheck.report.files import remove_quietly
from sitecheck.report.jsonfile import write_json
from sitecheck.store import Store

__all__ = ["RunSummary", "report_dir", "summarize", "write_reports"]

_UNSAFE = re.compile(r"[^\w.\-]+")
# File systems allow 255 bytes per name; a site folder stays well below, whatever the host or
# slug (a 300-character host name failed with "File name too long").
MAX_SITE_DIR_BYTES = 80
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{dev}{i}" for dev in ("COM", "LPT") for i in range(10))}


def safe_dir_name(name: str) -> str:
    """A folder name from any text: word characters, dots and dashes, at most 80 bytes.

    A longer name is cut at a character boundary and gets 8 hex digits of its hash, so two long
    names that share their first 70 bytes still get different folders.
    """
    safe = _UNSAFE.sub("_", name).strip("._-") or "site"  # never "." or ".." (outside reports/)
    if safe.split(".")[0].upper() in _WINDOWS_RESERVED:
        safe = f"_{safe}"
    encoded = safe.encode("utf-8")
    if len(encoded) <= MAX_SITE_DIR_BYTES:
        return safe
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    head = encoded[: MAX_SITE_DIR_BYTES - len(digest) - 1].decode("utf-8", "ignore").rstrip("._-")
    return f"{head}-{digest}"


def site_dir_name(start_url: str) -> str:
    """``https://www.example.gov.cn:8443/`` → ``www.example.gov.cn_8443`` (safe on any file system)."""
    try:
        netloc = urlsplit(start_url).netloc
    except ValueError:
        netloc = ""
    return safe_dir_name(netloc or "site")


def report_dir(reports_dir: str | Path, summary: RunSummary, slug: str = "") -> Path:
    run = summary.run
    try:
        started = datetime.fromisoformat(run.started_at)
    except ValueError:
        started = datetime.now(UTC)
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    stamp = started.astimezone().strftime("%Y%m%d-%H%M%S")
    site = safe_dir_name(slug) if slug else site_dir_name(run.start_url)
    return Path(reports_dir) / site / f"{stamp}-run{run.id}"


def publish_latest(folder: Path) -> None:
    """Point ``latest`` beside ``folder`` at it (a copy where symlinks cannot be made)."""
    _point_latest(folder)


def _point_latest(folder: Path) -> None:
    latest = folder.parent / "latest"
    temp = folder.parent / f".latest-{os.getpid()}"
    try:
        if temp.is_symlink() or temp.exists():
            temp.unlink()
        temp.symlink_to(folder.name, target_is_directory=True)
        temp.replace(latest)  # atomic: a reader never sees "latest" missing
    except OSError:
        remove_quietly(temp)
        # No symlinks here (some Windows shares): keep a copy instead.
        if latest.is_symlink() or latest.is_file():
            latest.unlink()
        elif latest.exists():
            shutil.rmtree(latest)
        shutil.copytree(folder, latest)


def write_reports(
    store: Store,
    summary: RunSummary,
    reports_dir: str | Path,
    slug: str = "",
    config: AuditConfig | None = None,
) -> Path:
    """Write every report of a run; return its folder. ``config`` gives the checklist's owners,
    deadlines, cover and time zone (default: the settings stored with the run), so a config
    edited after the crawl shows in the next ``judge``/``report``."""
    from sitecheck.report.ci import write_junit, write_sarif
    from sitecheck.report.html import write_html
    from sitecheck.report.tabular import write_csv, write_xlsx

    folder = report_dir(reports_dir, summary, slug)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write reports to {folder}: {exc.strerror or exc}") from None
    data = build_report(store, summary, config)
    write_json(summary, folder / "findings.json")
    write_csv(data, folder / "findings.csv")
    write_xlsx(data, folder / "checklist.xlsx")
    write_html(data, folder / "checklist.html")
    write_sarif(data, folder / "findings.sarif")
    write_junit(data, folder / "junit.xml")
    _point_latest(folder)
    return folder
