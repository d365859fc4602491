"""One crawl of a site at a time per data directory, whichever process runs it.

Two crawls of one site in one store would share nothing but the database: each would start or
resume its own run and the later judgement would compare half-read runs. A crawl (``sitecheck
crawl``/``recheck``, or a job of ``sitecheck serve``) therefore holds an advisory file lock named
after the site while it runs; a second one refuses at once with one line naming the holder. The
operating system releases the lock when the holder exits, even after ``kill -9``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from sitecheck.errors import AuditError
from sitecheck.store.db import is_store_url


def _lock_dir(data_dir: str | Path) -> Path:
    """Where the locks of a store live: its data directory, or for a PostgreSQL store (no
    directory of its own) a directory per database under the system's temporary directory.
    That lock holds on this machine only; keeping machines apart is the fleet's per-portal lock."""
    if is_store_url(data_dir):
        digest = hashlib.sha256(str(data_dir).encode("utf-8")).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"sitecheck-locks-{digest}"
    return Path(data_dir) / "locks"


class SiteBusyError(AuditError):
    """Another process is crawling this site in this data directory."""


class SiteLock:
    def __init__(self, data_dir: str | Path, start_url: str, holder: str = "") -> None:
        digest = hashlib.sha256(start_url.encode("utf-8")).hexdigest()[:16]
        self.path = _lock_dir(data_dir) / f"crawl-{digest}.lock"
        self.start_url = start_url
        self.holder = holder or " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:2]) or "sitecheck"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            who = _describe(handle.read())
            handle.close()
            raise SiteBusyError(
                f"{self.start_url} 正在被另一个检查抓取（{who}）；"
                "同一网站同时只能有一个检查，请等它结束后再运行"
            ) from None
        handle.seek(0)
        handle.truncate()
        info = {"pid": os.getpid(), "command": self.holder, "since": datetime.now(UTC).isoformat()}
        handle.write(json.dumps(info, ensure_ascii=False))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the lock
            self._handle = None

    def __enter__(self) -> SiteLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
        since = str(info.get("since", ""))[:19].replace("T", " ")
        return f"进程 {info.get('pid')}，{info.get('command')}，开始于 {since} UTC"
    except (ValueError, AttributeError):
        return "另一进程"
