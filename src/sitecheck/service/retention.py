"""Report retention: keep the report folders of the last N runs of each portal.

Only report folders (``<reports_dir>/<site>/<YYYYmmdd-HHMMSS>-run<N>/``) are deleted; the facts
and findings of every run stay in the store, so the trend chart, 发现时间 and ``sitecheck
report N`` (which writes a deleted folder again) keep working.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

_RUN_FOLDER = re.compile(r"^\d{8}-\d{6}-run(\d+)$")


def prune_reports(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest run folders in ``folder``; return what was deleted.

    Newest by run number (not by name or mtime: a clock change must not delete the latest
    checklist). The folder ``latest`` points at is always kept. Errors are logged, not raised.
    """
    if keep < 1 or not folder.is_dir():
        return []
    runs: list[tuple[int, Path]] = []
    for child in folder.iterdir():
        match = _RUN_FOLDER.match(child.name)
        if match and child.is_dir() and not child.is_symlink():
            runs.append((int(match.group(1)), child))
    runs.sort(reverse=True)
    latest = folder / "latest"
    protected = latest.resolve() if latest.is_symlink() else None
    deleted: list[Path] = []
    for _, path in runs[keep:]:
        if protected is not None and path.resolve() == protected:
            continue
        try:
            shutil.rmtree(path)
        except OSError as exc:
            log.warning("无法删除旧的整改清单 %s（错误码 %s）", path, exc.errno)
            continue
        deleted.append(path)
    return deleted
