"""Writing output files: whole or not at all, and one clear error when the disk says no.

Every report file is written to a temporary file beside it and renamed into place, so a reader
(an office opening the checklist, a CI step, ``latest``) never sees half a file. When writing
fails — a full disk, a quota, no permission — the temporary file is removed (a full disk must
not be left fuller, nor a ``findings.json.tmp`` lying next to the reports) and the error is a
:class:`ReportError` naming the file and the reason, in one line.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from sitecheck.errors import ReportError

__all__ = ["atomic_path", "atomic_write", "remove_quietly", "temp_path", "write_error"]

_REASONS = {
    errno.ENOSPC: "磁盘已满，请清理空间后重试",
    getattr(errno, "EDQUOT", -1): "磁盘配额已用完",  # not on Windows
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "只读文件系统",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EFBIG: "文件超过了允许的大小",
    errno.ENOTDIR: "路径中有一部分不是目录",
    errno.EISDIR: "同名的目录已存在",
}


def write_error(path: Path | str, exc: OSError) -> str:
    """``cannot write <path>: <reason>（<原因>）``: the one line a failed write reports."""
    reason = exc.strerror or str(exc)
    hint = _REASONS.get(exc.errno or 0)
    return f"cannot write {path}: {reason}" + (f"（{hint}）" if hint else "")


def temp_path(path: Path) -> Path:
    """A hidden temporary name beside ``path``, per process (two writers never share one)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``path`` only when the block succeeds.

    On any failure the temporary file is removed; an OSError becomes a ReportError.
    """
    path = Path(path)
    tmp = temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        remove_quietly(tmp)
        raise ReportError(write_error(path, exc)) from None
    except BaseException:
        remove_quietly(tmp)
        raise


def atomic_write(path: Path | str, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; raise ReportError on failure."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        handle.write(payload)
    return path
