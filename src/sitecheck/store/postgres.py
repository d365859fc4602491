"""The store on PostgreSQL (a fleet's shared database): the connection, shaped like the sqlite3
connection the query modules use, and what differs from SQLite in connecting, migrating and
naming a failure.

The queries are written once, with SQLite's ``?`` placeholders; ``PgConnection`` turns them into
psycopg's ``%s`` (and a literal ``%`` into ``%%``) and nothing else: every other difference is
written portably in the queries themselves (``ON CONFLICT``, ``!= 0`` for a flag) or is a hook
of ``Database`` (ids, locks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import pq

from sitecheck.errors import StoreError
from sitecheck.store.pg_schema import PG_BASE, PG_BASE_VERSION, PG_MIGRATIONS
from sitecheck.store.schema import MIGRATIONS

# How long a write waits for a row another writer holds (SQLite's busy timeout): the store's
# writers keep their transactions short, so a longer wait means a writer that hangs.
LOCK_TIMEOUT_MS = 60_000


def shown_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """``?`` placeholders as ``%s``; a literal ``%`` (``LIKE 'https://%'``) as ``%%``.

    The store's SQL never has a ``?`` inside a string literal (values are always parameters).
    """
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """A psycopg connection in autocommit mode, with explicit BEGIN/COMMIT like the SQLite one
    (``isolation_level=None``), so ``Database`` drives both the same way."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = psycopg.connect(
            url, autocommit=True, options=f"-c lock_timeout={LOCK_TIMEOUT_MS}", connect_timeout=15
        )

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, args: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        # Always with a parameter list (even empty), so ``%%`` is read the same way every time.
        return self.conn.execute(to_pyformat(sql), tuple(args))

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> psycopg.Cursor[Any]:
        cursor = self.conn.cursor()
        cursor.executemany(to_pyformat(sql), [tuple(row) for row in rows])
        return cursor

    def close(self) -> None:
        self.conn.close()


def migrate(conn: PgConnection) -> None:
    """Bring the database to the current schema; refuse one written by a newer sitecheck.

    Several workers may open a new database at once: the version table is locked while the
    schema is built, so one builds it and the others find it built.
    """
    if PG_BASE_VERSION + len(PG_MIGRATIONS) != len(MIGRATIONS):
        raise StoreError(
            f"本版本的 PostgreSQL 表结构只到第 {PG_BASE_VERSION + len(PG_MIGRATIONS)} 版，"
            f"SQLite 已到第 {len(MIGRATIONS)} 版（store/pg_schema.py 缺少迁移）"
        )
    conn.execute("CREATE TABLE IF NOT EXISTS sitecheck_schema (version INTEGER NOT NULL)")
    conn.execute("BEGIN")
    try:
        conn.execute("LOCK TABLE sitecheck_schema IN EXCLUSIVE MODE")
        row = conn.execute("SELECT version FROM sitecheck_schema").fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(f"{shown_url(conn.url)} was written by a newer sitecheck (schema {version})")
        if version < len(MIGRATIONS):
            if version == 0:
                conn.execute(PG_BASE)
                version = PG_BASE_VERSION
            for index in range(version, len(MIGRATIONS)):
                conn.execute(PG_MIGRATIONS[index - PG_BASE_VERSION])
            conn.execute("DELETE FROM sitecheck_schema")
            conn.execute("INSERT INTO sitecheck_schema (version) VALUES (?)", (len(MIGRATIONS),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def write_failed(url: str, exc: psycopg.Error) -> str:
    where = shown_url(url)
    state = exc.sqlstate or ""
    if state == "53100":  # disk_full
        return (
            f"写入事实库失败：数据库服务器磁盘已满（{where}）；请腾出空间后用 --resume 继续，"
            "已保存的结果不会丢失"
        )
    if state in ("55P03", "40P01"):  # lock_not_available (lock_timeout), deadlock_detected
        return f"写入事实库失败：数据库被其他进程长时间占用（{where}）；请稍后用 --resume 继续"
    if isinstance(exc, psycopg.OperationalError) and not state:
        return f"写入事实库失败：与数据库的连接中断（{where}：{exc}）；请排除原因后用 --resume 继续"
    return f"写入事实库失败（{where}）：{exc}；请排除原因后用 --resume 继续"
