"""The store's connection: one SQLite database (WAL) per data directory, or a PostgreSQL
database named by a ``postgresql://`` URL (a fleet's shared store, see postgres.py), and how to
write to it.

Every writer keeps its transactions short and, on SQLite, takes the write lock up front (``BEGIN
IMMEDIATE``), waiting for another writer instead of failing; a write that still fails is raised
as a StoreError naming the cause (a full disk, a damaged file), never lost.

The query modules are one copy for both databases. What differs lives here: how to connect and
migrate, how a transaction starts, how a new row's id is read (``insert_id``), the column that
keeps rows in insertion order (``seq``), and the errors to catch (``errors``).
"""

from __future__ import annotations

import sqlite3
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sitecheck.errors import DamagedStoreError, StoreError
from sitecheck.models import (
    FindingState,
    RunStatus,
)
from sitecheck.store.schema import MIGRATIONS


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_store_url(location: object) -> bool:
    """A PostgreSQL URL rather than a data directory."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def store_exists(location: str | Path) -> bool:
    """Whether a store was already made there: a data directory's SQLite file exists; a
    PostgreSQL URL is taken as existing (connecting tells, with the server's own reason)."""
    if is_store_url(location):
        return True
    return Path(location, "sitecheck.sqlite3").exists()


class Database:
    """The connection, its migrations and its transactions; the layers above add the queries."""

    # The column that orders a table's rows as they were written, where no key does (links,
    # items, findings, …): SQLite's implicit rowid; PostgreSQL's explicit ``seq``.
    seq = "rowid"

    def __init__(self, location: str | Path) -> None:
        self.postgres = is_store_url(location)
        # Link targets repeat on every page (navigation, footer); a bounded cache of
        # canonical key -> target id saves a query per occurrence without growing with the site.
        self._ids: OrderedDict[tuple[int, str], int] = OrderedDict()
        self._ids_max = 20000
        if self.postgres:
            self._open_postgres(str(location))
        else:
            self._open_sqlite(Path(location))

    def _open_postgres(self, url: str) -> None:
        import psycopg

        from sitecheck.store import postgres

        self.seq = "seq"
        self.errors: tuple[type[Exception], ...] = (psycopg.Error,)
        self.url = url
        self.where = postgres.shown_url(url)
        try:
            self.db: Any = postgres.PgConnection(url)
        except psycopg.Error as exc:
            raise StoreError(f"无法连接事实库 {self.where}：{exc}") from None
        try:
            postgres.migrate(self.db)
        except psycopg.Error as exc:
            self.db.close()
            raise StoreError(f"无法使用事实库 {self.where}：{exc}") from None

    def _open_sqlite(self, data_dir: Path) -> None:
        self.errors = (sqlite3.Error,)
        self.data_dir = data_dir
        self.where = str(data_dir / "sitecheck.sqlite3")
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.path = self.data_dir / "sitecheck.sqlite3"
            # The busy timeout is how long a write waits for another writer (a crawl's commit, a
            # probe, `sitecheck ignore` in another process). Every writer keeps its transactions
            # short (the crawl writes in batches, never across a network wait), so waiting is
            # brief; the timeout only bounds a writer that hangs.
            self.db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process (only a power cut may lose the
            # last commits), at a fraction of FULL's cost per page.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=OFF")
            # The links index grows in random order (a link's target can be any URL), which a
            # 2 MiB cache (SQLite's default) slows a little. 4 MiB writes 2 million link rows (a
            # 50,000-page portal) and judges 10,000 pages as fast as 16 MiB did, and a crawl's
            # main process peaks 12–14 MiB lower (bench/, 2 cores, 2026-12-05).
            self.db.execute("PRAGMA cache_size=-4096")
            # A target's facts are written inside a savepoint (stored whole or not at all); the
            # savepoint's undo copy of each page it changes spills to a temporary file past 64 KiB,
            # which forty link rows into random places of the links index reach on every page:
            # kept in memory, the crawl spent 1.3 s less in system calls at 10,000 pages (bench/).
            self.db.execute("PRAGMA temp_store=MEMORY")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, sqlite3.OperationalError) or "malformed" in str(exc):
                raise DamagedStoreError(damaged_message(self.data_dir, exc)) from None
            raise StoreError(f"无法使用数据目录 {self.data_dir}：{exc}") from None
        except OSError as exc:
            raise StoreError(f"无法使用数据目录 {self.data_dir}：{exc}") from None

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer sitecheck (schema {version})")
        for index in range(version, len(MIGRATIONS)):
            self.db.executescript("BEGIN;" + MIGRATIONS[index] + f"PRAGMA user_version={index + 1};COMMIT;")

    def close(self) -> None:
        self.db.close()

    def begin(self) -> None:
        """Start a write transaction, taking the write lock now.

        IMMEDIATE, not deferred: a deferred transaction that read first and then writes after
        another connection committed fails at once with "database is locked" (its snapshot is
        stale, and SQLite's busy wait cannot help), which is how a crawl beside the service's
        probes lost pages.

        PostgreSQL has no database-wide write lock to take: writers lock only the rows they
        change, a second writer of the same row waits (up to the lock timeout), and each
        statement reads what was committed before it (READ COMMITTED), so a plain BEGIN is the
        same promise. Where the store relies on being the only writer (``copy_run`` numbering
        ids), it locks the table it numbers (``lock_ids``).
        """
        if self.postgres:
            self.db.execute("BEGIN")
            return
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise StoreError(write_failed(self.path, exc)) from None
                time.sleep(0.05)

    def failed(self, exc: Exception) -> StoreError:
        """A database error during a write, as the StoreError that names its cause."""
        if self.postgres:
            from sitecheck.store import postgres

            return StoreError(postgres.write_failed(self.url, exc))  # type: ignore[arg-type]
        return StoreError(write_failed(self.path, exc))  # type: ignore[arg-type]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One short write transaction: committed whole, or rolled back and raised as StoreError."""
        self.begin()
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            self.rollback()
            if isinstance(exc, self.errors):
                raise self.failed(exc) from None
            raise

    def write(self, sql: str, args: Sequence[object] = ()) -> Any:
        """One statement: in the open transaction, else in its own (probes, job log, ignores).

        Either way a failure is loud (StoreError), never a silently lost row.
        """
        if self.db.in_transaction:
            return self.db.execute(sql, args)
        with self.transaction():
            return self.db.execute(sql, args)

    def insert_id(self, sql: str, args: Sequence[object] = ()) -> int | None:
        """Run an INSERT of one row into a table with an ``id`` key; the new row's id, or None
        when it inserted nothing (``ON CONFLICT DO NOTHING``). In the open transaction, else in
        its own, like ``write``."""
        if self.postgres:
            row = self.write(sql + " RETURNING id", args).fetchone()
            return int(row[0]) if row else None
        cursor = self.write(sql, args)
        return int(cursor.lastrowid) if cursor.rowcount and cursor.lastrowid else None

    def lock_ids(self, table: str) -> None:
        """Inside a transaction: no other writer may add rows to ``table`` until it ends (the
        transaction is about to choose ids itself). SQLite's IMMEDIATE lock already covers
        every table."""
        if self.postgres:
            self.db.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")

    def ids_chosen(self, table: str) -> None:
        """After inserting rows with ids of our choosing: the next id the database gives is
        above them (SQLite takes the largest id plus one by itself; a PostgreSQL sequence
        must be moved)."""
        if self.postgres:
            self.db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )

    def commit(self) -> None:
        try:
            self.db.execute("COMMIT")
        except self.errors as exc:
            self.rollback()
            raise self.failed(exc) from None

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self._ids.clear()  # the targets it added are gone: their ids must not be handed out

    def savepoint(self) -> None:
        self.db.execute("SAVEPOINT unit")

    def release_savepoint(self) -> None:
        self.db.execute("RELEASE unit")

    def rollback_savepoint(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK TO unit")
            self.db.execute("RELEASE unit")
        self._ids.clear()  # as in rollback(): a rare path (a bug while storing one target)


BUSY_SECONDS = 60.0


def is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def write_failed(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "full" in text:
        return f"写入事实库失败：磁盘已满（{path}）；请腾出空间后用 --resume 继续，已保存的结果不会丢失"
    if is_busy(exc) if isinstance(exc, sqlite3.OperationalError) else False:
        return f"写入事实库失败：数据库被其他进程长时间占用（{path}）；请稍后用 --resume 继续"
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return damaged_message(path.parent, exc)
    return f"写入事实库失败（{path}）：{text}；请排除原因后用 --resume 继续"


def damaged_message(data_dir: Path, exc: Exception) -> str:
    return (
        f"事实库已损坏（{data_dir / 'sitecheck.sqlite3'}：{exc}）；请把数据目录改名留作备份，"
        "再重新检查（或用 sqlite3 的 .recover 命令尝试恢复）"
    )


def sql_states(states: Iterable[RunStatus | FindingState]) -> str:
    """An SQL list of states (enum values, never user text)."""
    return ", ".join(f"'{state.value}'" for state in sorted(states))




def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """An INSERT that replaces the row with the same key: ``ON CONFLICT … DO UPDATE``, which
    SQLite (3.24+) and PostgreSQL both read (SQLite's own ``INSERT OR REPLACE`` is not SQL
    PostgreSQL knows). Every column is given, so the row ends up as a fresh insert would."""
    names = ", ".join(columns)
    marks = ",".join("?" * len(columns))
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )
