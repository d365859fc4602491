"""The fact store: one SQLite database (WAL) per data directory.

What the crawler observed is written here as it happens, in one transaction per page, so
an interrupted crawl (Ctrl-C, SIGTERM, even kill -9) loses nothing already fetched. The
``targets`` table doubles as the crawl frontier: a URL is inserted once per run (keyed by its
canonical form) and stays ``pending`` until its check is stored, which is what ``--resume``
continues from. Findings are derived later by the rules and can be recomputed at any time.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sitecheck.errors import DamagedStoreError, StoreError
from sitecheck.extract.columns import ColumnItem, ListingFacts
from sitecheck.extract.dates import effective_date
from sitecheck.models import (
    JUDGED_RUNS,
    OPEN_STATES,
    RESUMABLE_RUNS,
    CheckedLink,
    FetchResult,
    Finding,
    FindingKind,
    FindingState,
    HomeTarget,
    ItemRow,
    JobLogRow,
    LinkRef,
    ListingRow,
    NotificationRow,
    Occurrence,
    Outcome,
    ProbeRow,
    Referrer,
    RunRecord,
    RunStatus,
    Severity,
    Target,
    TargetKind,
)

SCHEMA_VERSION = 1

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        start_url TEXT NOT NULL,
        home_url TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,            -- running, finished, interrupted, failed
        config_json TEXT NOT NULL,
        version TEXT NOT NULL
    );
    CREATE TABLE targets (              -- every distinct URL of a run; also the frontier
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,               -- canonical URL (dedup key)
        url TEXT NOT NULL,               -- the URL as first requested
        kind TEXT NOT NULL,              -- page, resource, external, excluded
        depth INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        note TEXT NOT NULL DEFAULT '',   -- why excluded
        UNIQUE (run_id, key)
    );
    CREATE INDEX targets_pending ON targets (run_id, state, id);
    CREATE TABLE checks (               -- one observation per target
        target_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER,
        final_url TEXT,
        content_type TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 1,
        elapsed_ms INTEGER NOT NULL DEFAULT 0,
        checked_at TEXT NOT NULL
    );
    CREATE INDEX checks_run_outcome ON checks (run_id, outcome);
    CREATE TABLE pages (                -- parsed HTML pages
        target_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        title TEXT NOT NULL,
        encoding TEXT NOT NULL,
        encoding_source TEXT NOT NULL,
        link_count INTEGER NOT NULL,
        truncated INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE links (                -- every link occurrence on every page
        run_id INTEGER NOT NULL,
        page_id INTEGER NOT NULL,        -- targets.id of the page the link is on
        target_id INTEGER,               -- targets.id of the link target; NULL if not requestable
        raw TEXT NOT NULL,
        element TEXT NOT NULL,
        attribute TEXT NOT NULL,
        text TEXT NOT NULL,
        special TEXT NOT NULL,
        in_nav INTEGER NOT NULL
    );
    CREATE INDEX links_target ON links (run_id, target_id);
    CREATE INDEX links_page ON links (page_id);
    CREATE TABLE findings (
        run_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        url TEXT NOT NULL,
        outcome TEXT,
        status INTEGER,
        detail TEXT NOT NULL,
        referrers_json TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    """,
    # 2: column facts. Every list page (and the home page) as the crawler saw it, with its
    # items; columns, categories and findings are derived from these at judging time.
    """
    ALTER TABLE runs ADD COLUMN observed_on TEXT;
    CREATE TABLE listings (
        page_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        is_listing INTEGER NOT NULL,
        is_home INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_source TEXT NOT NULL,
        cms TEXT NOT NULL,
        newest TEXT,                     -- newest item date shown (or from item URLs)
        item_count INTEGER NOT NULL,
        text_dated INTEGER NOT NULL,     -- items with a visible date
        url_dated INTEGER NOT NULL,      -- items dated only by their URL
        total_records INTEGER,
        total_pages INTEGER,
        placeholder TEXT,
        column_type_meta TEXT,
        breadcrumb_json TEXT NOT NULL,
        pagination_json TEXT NOT NULL
    );
    CREATE INDEX listings_run ON listings (run_id);
    CREATE TABLE items (
        page_id INTEGER NOT NULL,
        run_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        url TEXT,
        date TEXT,
        date_source TEXT NOT NULL
    );
    CREATE INDEX items_page ON items (page_id);
    ALTER TABLE findings ADD COLUMN column_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE findings ADD COLUMN office TEXT NOT NULL DEFAULT '';
    """,
    # 3: run history. Each finding's state relative to the runs before it, rechecks (runs
    # built from an earlier run's facts), and findings a webmaster chose to ignore.
    """
    ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'full';
    ALTER TABLE runs ADD COLUMN base_run INTEGER;
    ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT 'new';
    ALTER TABLE findings ADD COLUMN first_seen TEXT NOT NULL DEFAULT '';
    ALTER TABLE findings ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE INDEX findings_key ON findings (key);
    CREATE TABLE ignores (
        start_url TEXT NOT NULL,
        key TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (start_url, key)
    );
    """,
    # 4: the service (issue 5). Home-page availability probes, what the scheduler did and why
    # (every fired, skipped, missed, interrupted and resumed job), when each job runs next (so
    # a restarted service keeps its schedule and catches up on what it missed), the alert
    # levels last announced (notifications are sent on changes, not repeated), and every
    # notification attempt. Keyed by start URL: one store may serve several portals.
    """
    CREATE TABLE probes (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        at TEXT NOT NULL,                -- UTC, when the probe started
        outcome TEXT NOT NULL,           -- an Outcome value
        status INTEGER,
        latency_ms INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        final_url TEXT
    );
    CREATE INDEX probes_site_at ON probes (start_url, at);
    CREATE TABLE job_log (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        job TEXT NOT NULL,               -- audit, recheck, probe
        cause TEXT NOT NULL,             -- schedule, catch_up, resume, manual
        fired_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        outcome TEXT NOT NULL,           -- running finished interrupted resumed failed error skipped missed
        run_id INTEGER,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX job_log_site ON job_log (start_url, job, id);
    CREATE TABLE schedule_state (
        start_url TEXT NOT NULL,
        job TEXT NOT NULL,
        next_run_at TEXT,                -- UTC; NULL when the job has no further run
        cadence TEXT NOT NULL DEFAULT '', -- the schedule it was computed from (a changed one is not kept)
        updated_at TEXT NOT NULL,
        PRIMARY KEY (start_url, job)
    );
    CREATE TABLE alert_state (
        start_url TEXT NOT NULL,
        alert TEXT NOT NULL,             -- home (up/down), availability and veto (ok/warn/fail)
        level TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        PRIMARY KEY (start_url, alert)
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        at TEXT NOT NULL,
        event TEXT NOT NULL,             -- new_findings, veto_risk, home_down
        channel TEXT NOT NULL,           -- email, webhook
        ok INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT ''
    );
    """,
    # 5: placeholder and not-checkable links are a few per page among many; judging reads them
    # by kind, which without this small partial index walks every link row of the run.
    """
    CREATE INDEX links_special ON links (run_id, special, page_id) WHERE special != '';
    """,
    # 6: completeness is a fact (issue 10). Why a run is not complete (failed targets, a home
    # page never read), the reason a target's handling failed (it is retried on --resume), and
    # what a page's reading left out (cut at the size cap, analysis bounded).
    """
    ALTER TABLE runs ADD COLUMN incomplete_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE targets ADD COLUMN failure TEXT NOT NULL DEFAULT '';
    ALTER TABLE pages ADD COLUMN bytes_read INTEGER;
    ALTER TABLE pages ADD COLUMN limited TEXT NOT NULL DEFAULT '';
    """,
)


# What copy_run copies: every per-run table and its columns; id columns are shifted so the
# copy's rows keep pointing at each other.
_RUN_TABLES: dict[str, tuple[str, ...]] = {
    "targets": ("id", "key", "url", "kind", "depth", "state", "note", "failure"),
    "checks": (
        "target_id",
        "outcome",
        "status",
        "final_url",
        "content_type",
        "error",
        "method",
        "attempts",
        "elapsed_ms",
        "checked_at",
    ),
    "pages": (
        "target_id",
        "title",
        "encoding",
        "encoding_source",
        "link_count",
        "truncated",
        "bytes_read",
        "limited",
    ),
    "links": ("page_id", "target_id", "raw", "element", "attribute", "text", "special", "in_nav"),
    "listings": (
        "page_id",
        "is_listing",
        "is_home",
        "name",
        "name_source",
        "cms",
        "newest",
        "item_count",
        "text_dated",
        "url_dated",
        "total_records",
        "total_pages",
        "placeholder",
        "column_type_meta",
        "breadcrumb_json",
        "pagination_json",
    ),
    "items": ("page_id", "position", "title", "url", "date", "date_source"),
}
_ID_COLUMNS = frozenset({"id", "target_id", "page_id"})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """Thin typed layer over SQLite; rules and reports never see SQL."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.path = self.data_dir / "sitecheck.sqlite3"
            # The busy timeout is how long a write waits for another writer (a crawl's commit, a
            # probe, `sitecheck ignore` in another process). Every writer keeps its transactions
            # short (the crawl writes in batches, never across a network wait), so waiting is
            # brief; the timeout only bounds a writer that hangs.
            self.db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=_BUSY_SECONDS
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process (only a power cut may lose the
            # last commits), at a fraction of FULL's cost per page.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=OFF")
            # The links index grows in random order (a link's target can be any URL): with
            # SQLite's 2 MiB default cache a crawl rereads its pages over and over.
            self.db.execute("PRAGMA cache_size=-16384")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, sqlite3.OperationalError) or "malformed" in str(exc):
                raise DamagedStoreError(damaged_message(self.data_dir, exc)) from None
            raise StoreError(f"无法使用数据目录 {self.data_dir}：{exc}") from None
        except OSError as exc:
            raise StoreError(f"无法使用数据目录 {self.data_dir}：{exc}") from None
        # Link targets repeat on every page (navigation, footer); a bounded cache of
        # canonical key -> target id saves a query per occurrence without growing with the site.
        self._ids: OrderedDict[tuple[int, str], int] = OrderedDict()
        self._ids_max = 20000

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(_MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer sitecheck (schema {version})")
        for index in range(version, len(_MIGRATIONS)):
            self.db.executescript("BEGIN;" + _MIGRATIONS[index] + f"PRAGMA user_version={index + 1};COMMIT;")

    def close(self) -> None:
        self.db.close()

    # -- runs ---------------------------------------------------------------------------
    def create_run(self, site: str, start_url: str, config_json: str, version: str, observed_on: date) -> int:
        cursor = self.write(
            "INSERT INTO runs (site, start_url, started_at, status, config_json, version, observed_on)"
            " VALUES (?, ?, ?, 'running', ?, ?, ?)",
            (site, start_url, now_iso(), config_json, version, observed_on.isoformat()),
        )
        return int(cursor.lastrowid or 0)

    def set_run_status(self, run_id: int, status: RunStatus, reason: str = "") -> None:
        finished = now_iso() if status is not RunStatus.RUNNING else None
        self.write(
            "UPDATE runs SET status=?, finished_at=?, incomplete_reason=? WHERE id=?",
            (status.value, finished, reason, run_id),
        )

    def set_home_url(self, run_id: int, home_url: str) -> None:
        self.write("UPDATE runs SET home_url=? WHERE id=?", (home_url, run_id))

    def run(self, run_id: int) -> RunRecord | None:
        row = self.db.execute(
            "SELECT id, site, start_url, home_url, started_at, finished_at, status, config_json,"
            " observed_on, kind, base_run, incomplete_reason FROM runs WHERE id=?",
            (run_id,),
        ).fetchone()
        return RunRecord(*row) if row else None

    def latest_run(self, start_url: str | None = None) -> RunRecord | None:
        sql = "SELECT id FROM runs WHERE 1=1"
        args: list[object] = []
        if start_url is not None:
            sql += " AND start_url=?"
            args.append(start_url)
        row = self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return self.run(int(row[0])) if row else None

    def previous_run(self, run_id: int) -> RunRecord | None:
        """The last finished run of the same site before ``run_id`` (full or recheck)."""
        row = self.db.execute(
            "SELECT p.id FROM runs p JOIN runs r ON r.start_url=p.start_url"
            f" WHERE r.id=? AND p.id<? AND p.status IN ({_states(JUDGED_RUNS)}) ORDER BY p.id DESC LIMIT 1",
            (run_id, run_id),
        ).fetchone()
        return self.run(int(row[0])) if row else None

    def first_seen(self, start_url: str, keys: Iterable[str]) -> dict[str, str]:
        """When each finding key was first seen for this site, over all its runs."""
        seen: dict[str, str] = {}
        rows = self.db.execute(
            "SELECT f.key, MIN(COALESCE(NULLIF(f.first_seen, ''), r.started_at)) FROM findings f"
            " JOIN runs r ON r.id=f.run_id WHERE r.start_url=? AND f.state!='fixed' GROUP BY f.key",
            (start_url,),
        )
        wanted = set(keys)
        for key, when in rows:
            if key in wanted:
                seen[str(key)] = str(when)
        return seen

    def ever_fixed(self, start_url: str, before_run: int) -> set[str]:
        rows = self.db.execute(
            "SELECT DISTINCT f.key FROM findings f JOIN runs r ON r.id=f.run_id"
            " WHERE r.start_url=? AND r.id<? AND f.state='fixed'",
            (start_url, before_run),
        )
        return {str(row[0]) for row in rows}

    def ignores(self, start_url: str) -> dict[str, str]:
        rows = self.db.execute("SELECT key, reason FROM ignores WHERE start_url=?", (start_url,))
        return {str(k): str(r) for k, r in rows}

    def set_ignore(self, start_url: str, key: str, reason: str | None) -> None:
        """Ignore a finding (with a reason) for this site, or stop ignoring it (reason None)."""
        if reason is None:
            self.write("DELETE FROM ignores WHERE start_url=? AND key=?", (start_url, key))
        else:
            self.write(
                "INSERT OR REPLACE INTO ignores (start_url, key, reason, created_at) VALUES (?,?,?,?)",
                (start_url, key, reason, now_iso()),
            )

    def open_counts_by_run(self, start_url: str, *, until: int) -> list[tuple[RunRecord, dict[str, int]]]:
        """Open findings by kind for each finished run of a site, oldest first (the trend chart)."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.db.execute(
            "SELECT r.id, f.kind, COUNT(*) FROM runs r JOIN findings f ON f.run_id=r.id"
            f" WHERE r.start_url=? AND r.id<=? AND r.status IN ({_states(JUDGED_RUNS)})"
            f" AND f.state IN ({_states(OPEN_STATES)}) GROUP BY r.id, f.kind",
            (start_url, until),
        )
        for run_id, kind, count in rows:
            counts.setdefault(int(run_id), {})[str(kind)] = int(count)
        run_ids = self.db.execute(
            f"SELECT id FROM runs WHERE start_url=? AND id<=? AND status IN ({_states(JUDGED_RUNS)})"
            " ORDER BY id",
            (start_url, until),
        ).fetchall()
        result: list[tuple[RunRecord, dict[str, int]]] = []
        for (run_id,) in run_ids:
            record = self.run(int(run_id))
            if record is not None:
                result.append((record, counts.get(int(run_id), {})))
        return result

    def copy_run(self, base_run: int, config_json: str, version: str, observed_on: date) -> int:
        """A new ``recheck`` run holding a copy of ``base_run``'s facts (new ids, same shape).

        A recheck then re-fetches only what it must and is judged like any run, so it needs no
        rules of its own.
        """
        base = self.run(base_run)
        if base is None:
            raise StoreError(f"no run {base_run}")
        self.begin()
        try:
            # Inside the write transaction: another writer cannot add targets in between.
            offset = int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM targets").fetchone()[0])
            cursor = self.db.execute(
                "INSERT INTO runs (site, start_url, home_url, started_at, status, config_json, version,"
                " observed_on, kind, base_run) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, 'recheck', ?)",
                (
                    base.site,
                    base.start_url,
                    base.home_url,
                    now_iso(),
                    config_json,
                    version,
                    observed_on.isoformat(),
                    base_run,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            for table, columns in _RUN_TABLES.items():
                names = ", ".join(columns)
                exprs = ", ".join(f"{c} + {offset}" if c in _ID_COLUMNS else c for c in columns)
                self.db.execute(
                    f"INSERT INTO {table} (run_id, {names}) SELECT ?, {exprs} FROM {table}"
                    " WHERE run_id=? ORDER BY rowid",
                    (run_id, base_run),
                )
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return run_id

    def reset_targets(self, run_id: int, keys: Iterable[str]) -> int:
        """Forget what was observed at these URLs, so the crawler fetches them again."""
        count = 0
        self.begin()
        try:
            for key in set(keys):
                row = self.db.execute(
                    "SELECT id FROM targets WHERE run_id=? AND key=?", (run_id, key)
                ).fetchone()
                if row is None:
                    continue
                target_id = int(row[0])
                for sql in (
                    "DELETE FROM checks WHERE target_id=?",
                    "DELETE FROM pages WHERE target_id=?",
                    "DELETE FROM links WHERE page_id=?",
                    "DELETE FROM listings WHERE page_id=?",
                    "DELETE FROM items WHERE page_id=?",
                    "UPDATE targets SET state='pending' WHERE id=?",
                ):
                    self.db.execute(sql, (target_id,))
                count += 1
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return count

    def finding_states(self, run_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT state, COUNT(*) FROM findings WHERE run_id=? GROUP BY state", (run_id,)
        )
        return {str(state): int(count) for state, count in rows}

    def finding_sites(self, key: str) -> list[str]:
        """Start URLs of the sites that ever had this finding."""
        rows = self.db.execute(
            "SELECT DISTINCT r.start_url FROM findings f JOIN runs r ON r.id=f.run_id WHERE f.key=?", (key,)
        )
        return [str(row[0]) for row in rows]

    def runs(self) -> list[RunRecord]:
        rows = self.db.execute("SELECT id FROM runs ORDER BY id").fetchall()
        return [r for r in (self.run(int(row[0])) for row in rows) if r is not None]

    # -- frontier -----------------------------------------------------------------------
    def cached_target_id(self, run_id: int, key: str) -> int | None:
        return self._ids.get((run_id, key))

    def add_target(
        self, run_id: int, key: str, url: str, kind: TargetKind, depth: int, note: str = ""
    ) -> tuple[int, bool]:
        """Insert a target unless the run already has it; return its id and whether it is new."""
        cache_key = (run_id, key)
        cached = self._ids.get(cache_key)
        if cached is not None:
            self._ids.move_to_end(cache_key)
            return cached, False
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO targets (run_id, key, url, kind, depth, note) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, key, url, kind, depth, note),
        )
        created = bool(cursor.rowcount)
        if created:
            target_id = int(cursor.lastrowid or 0)
        else:
            target_id = int(
                self.db.execute("SELECT id FROM targets WHERE run_id=? AND key=?", (run_id, key)).fetchone()[
                    0
                ]
            )
        self._ids[cache_key] = target_id
        if len(self._ids) > self._ids_max:
            self._ids.popitem(last=False)
        return target_id, created

    def target_done(self, target_id: int) -> bool:
        row = self.db.execute("SELECT state FROM targets WHERE id=?", (target_id,)).fetchone()
        return bool(row) and row[0] == "done"

    def pending_targets(self, run_id: int, after_id: int, limit: int) -> list[Target]:
        rows = self.db.execute(
            "SELECT id, url, kind, depth, note FROM targets"
            " WHERE run_id=? AND state='pending' AND id>? ORDER BY id LIMIT ?",
            (run_id, after_id, limit),
        ).fetchall()
        return [Target(row[0], row[1], TargetKind(row[2]), row[3], row[4]) for row in rows]

    def count_targets(self, run_id: int, *, kind: str | None = None, state: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM targets WHERE run_id=?"
        args: list[object] = [run_id]
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        if state is not None:
            sql += " AND state=?"
            args.append(state)
        return int(self.db.execute(sql, args).fetchone()[0])

    def fail_target(self, target_id: int, reason: str) -> None:
        """A target whose handling failed (a bug, exhausted memory): not done, retried on resume."""
        self.db.execute(
            "UPDATE targets SET state='failed', failure=? WHERE id=?", (reason[:500], target_id)
        )

    def retry_failed(self, run_id: int) -> int:
        """Make a run's failed targets pending again (``--resume``); how many there were."""
        cursor = self.write(
            "UPDATE targets SET state='pending', failure='' WHERE run_id=? AND state='failed'", (run_id,)
        )
        return int(cursor.rowcount)

    def failures(self, run_id: int, limit: int = 3) -> tuple[int, list[tuple[str, str]]]:
        """How many targets of a run failed or are still unread, and a few of them with the reason."""
        count = int(
            self.db.execute(
                "SELECT COUNT(*) FROM targets WHERE run_id=? AND state!='done'", (run_id,)
            ).fetchone()[0]
        )
        rows = self.db.execute(
            "SELECT url, failure FROM targets WHERE run_id=? AND state!='done' ORDER BY id LIMIT ?",
            (run_id, limit),
        ).fetchall()
        return count, [(str(url), str(failure)) for url, failure in rows]

    # -- transactions -------------------------------------------------------------------
    def begin(self) -> None:
        """Start a write transaction, taking the write lock now.

        IMMEDIATE, not deferred: a deferred transaction that read first and then writes after
        another connection committed fails at once with "database is locked" (its snapshot is
        stale, and SQLite's busy wait cannot help), which is how a crawl beside the service's
        probes lost pages.
        """
        deadline = time.monotonic() + _BUSY_SECONDS
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise StoreError(_write_failed(self.path, exc)) from None
                time.sleep(0.05)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One short write transaction: committed whole, or rolled back and raised as StoreError."""
        self.begin()
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            self.rollback()
            if isinstance(exc, sqlite3.Error):
                raise StoreError(_write_failed(self.path, exc)) from None
            raise

    def write(self, sql: str, args: Sequence[object] = ()) -> sqlite3.Cursor:
        """One statement: in the open transaction, else in its own (probes, job log, ignores).

        Either way a failure is loud (StoreError), never a silently lost row.
        """
        if self.db.in_transaction:
            return self.db.execute(sql, args)
        with self.transaction():
            return self.db.execute(sql, args)

    # -- observations -------------------------------------------------------------------

    def commit(self) -> None:
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollback()
            raise StoreError(_write_failed(self.path, exc)) from None

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def savepoint(self) -> None:
        self.db.execute("SAVEPOINT unit")

    def release_savepoint(self) -> None:
        self.db.execute("RELEASE unit")

    def rollback_savepoint(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK TO unit")
            self.db.execute("RELEASE unit")

    def save_check(self, run_id: int, target_id: int, result: FetchResult) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO checks (target_id, run_id, outcome, status, final_url, content_type,"
            " error, method, attempts, elapsed_ms, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                target_id,
                run_id,
                result.outcome.value,
                result.status,
                result.final_url,
                result.content_type,
                result.error,
                result.method,
                result.attempts,
                result.elapsed_ms,
                now_iso(),
            ),
        )
        self.db.execute("UPDATE targets SET state='done' WHERE id=?", (target_id,))

    def save_page(
        self,
        run_id: int,
        target_id: int,
        title: str,
        encoding: str,
        encoding_source: str,
        link_count: int,
        truncated: bool,
        bytes_read: int | None = None,
        limited: str = "",
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages (target_id, run_id, title, encoding, encoding_source, link_count,"
            " truncated, bytes_read, limited) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                target_id,
                run_id,
                title,
                encoding,
                encoding_source,
                link_count,
                int(truncated),
                bytes_read,
                limited,
            ),
        )

    def limited_pages(self, run_id: int) -> list[tuple[str, bool, int | None, str]]:
        """Pages not read whole: (url, cut at the size cap, bytes read, what analysis left out)."""
        rows = self.db.execute(
            "SELECT t.url, p.truncated, p.bytes_read, p.limited FROM pages p JOIN targets t"
            " ON t.id=p.target_id WHERE p.run_id=? AND (p.truncated OR p.limited!='') ORDER BY t.id",
            (run_id,),
        ).fetchall()
        return [(str(r[0]), bool(r[1]), r[2], str(r[3])) for r in rows]

    def save_links(self, run_id: int, page_id: int, rows: Iterable[tuple[int | None, LinkRef]]) -> None:
        # Each page is written once per run: a page is stored whole or not at all (crawl.py),
        # and a recheck forgets a page's links before reading it again (reset_targets).
        self.db.executemany(
            "INSERT INTO links (run_id, page_id, target_id, raw, element, attribute, text, special, in_nav)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (
                    run_id,
                    page_id,
                    tid,
                    ref.raw,
                    ref.element,
                    ref.attribute,
                    ref.text,
                    ref.special.value,
                    int(ref.in_nav),
                )
                for tid, ref in rows
            ),
        )

    def save_listing(
        self,
        run_id: int,
        page_id: int,
        listing: ListingFacts,
        items: Sequence[ColumnItem],
        *,
        is_home: bool,
        observed_on: date,
    ) -> None:
        # Dates after the day of observation are typos or pre-dated posts, not freshness.
        limit = observed_on + timedelta(days=1)
        dates = (effective_date(i.date, i.date_source, i.url, observed_on) for i in items)
        newest = max((d for d in dates if d is not None and d <= limit), default=None)
        self.db.execute(
            "INSERT OR REPLACE INTO listings (page_id, run_id, is_listing, is_home, name, name_source, cms,"
            " newest, item_count, text_dated, url_dated, total_records, total_pages, placeholder,"
            " column_type_meta, breadcrumb_json, pagination_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                page_id,
                run_id,
                int(listing.is_listing),
                int(is_home),
                listing.name,
                listing.name_source,
                listing.cms,
                newest.isoformat() if newest else None,
                len(items),
                sum(1 for i in items if i.date_source == "text"),
                sum(1 for i in items if i.date_source == "url"),
                listing.total_records,
                listing.total_pages,
                listing.placeholder,
                listing.column_type_meta,
                json.dumps(list(listing.breadcrumb), ensure_ascii=False),
                json.dumps(list(listing.pagination), ensure_ascii=False),
            ),
        )
        self.db.execute("DELETE FROM items WHERE page_id=?", (page_id,))
        self.db.executemany(
            "INSERT INTO items (page_id, run_id, position, title, url, date, date_source)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                (page_id, run_id, pos, i.title, i.url, i.date.isoformat() if i.date else None, i.date_source)
                for pos, i in enumerate(items)
            ),
        )

    # -- queries for the rules ------------------------------------------------------------
    def listings(self, run_id: int) -> list[ListingRow]:
        rows = self.db.execute(
            "SELECT l.page_id, t.url, l.is_listing, l.is_home, l.name, l.name_source, l.cms, l.newest,"
            " l.item_count, l.text_dated, l.url_dated, l.total_records, l.total_pages, l.placeholder,"
            " l.column_type_meta, l.breadcrumb_json, l.pagination_json"
            " FROM listings l JOIN targets t ON t.id=l.page_id WHERE l.run_id=? ORDER BY l.page_id",
            (run_id,),
        ).fetchall()
        return [
            ListingRow(
                page_id=row[0],
                url=row[1],
                is_listing=bool(row[2]),
                is_home=bool(row[3]),
                name=row[4],
                name_source=row[5],
                cms=row[6],
                newest=date.fromisoformat(row[7]) if row[7] else None,
                item_count=row[8],
                text_dated=row[9],
                url_dated=row[10],
                total_records=row[11],
                total_pages=row[12],
                placeholder=row[13],
                column_type_meta=row[14],
                breadcrumb=tuple(json.loads(row[15])),
                pagination=tuple(json.loads(row[16])),
            )
            for row in rows
        ]

    def items(self, page_id: int) -> list[ItemRow]:
        rows = self.db.execute(
            "SELECT title, url, date, date_source FROM items WHERE page_id=? ORDER BY position", (page_id,)
        ).fetchall()
        return [ItemRow(r[0], r[1], date.fromisoformat(r[2]) if r[2] else None, r[3]) for r in rows]

    def link_texts_to(self, run_id: int, key: str) -> list[tuple[str, int]]:
        """The texts of links pointing at a URL, most common first (how menus name a page)."""
        rows = self.db.execute(
            "SELECT l.text, COUNT(*) AS n FROM links l JOIN targets t ON t.id=l.target_id"
            " WHERE t.run_id=? AND t.key=? AND l.element IN ('a', 'area', 'option') AND l.text != ''"
            " GROUP BY l.text ORDER BY n DESC, MIN(l.rowid) LIMIT 5",
            (run_id, key),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def outcome_counts(self, run_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT outcome, COUNT(*) FROM checks WHERE run_id=? GROUP BY outcome", (run_id,)
        ).fetchall()
        return {str(outcome): int(count) for outcome, count in rows}

    def page_count(self, run_id: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM pages WHERE run_id=?", (run_id,)).fetchone()[0])

    def link_count(self, run_id: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM links WHERE run_id=?", (run_id,)).fetchone()[0])

    def check_for_url(self, run_id: int, key: str) -> tuple[Outcome, int | None, str, str | None] | None:
        row = self.db.execute(
            "SELECT c.outcome, c.status, c.error, c.final_url"
            " FROM targets t JOIN checks c ON c.target_id=t.id WHERE t.run_id=? AND t.key=?",
            (run_id, key),
        ).fetchone()
        return (Outcome(row[0]), row[1], row[2], row[3]) if row else None

    def checked_links(self, run_id: int, outcomes: Iterable[Outcome]) -> Iterator[CheckedLink]:
        """Each failing target joined with every page that links to it, target by target."""
        wanted = [o.value for o in outcomes]
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            "SELECT t.id, t.url, t.kind, c.outcome, c.status, c.error, l.page_id, p.url,"
            " l.element, l.attribute, l.text, l.raw"
            " FROM checks c JOIN targets t ON t.id=c.target_id"
            " JOIN links l ON l.run_id=c.run_id AND l.target_id=t.id"
            " JOIN targets p ON p.id=l.page_id"
            f" WHERE c.run_id=? AND c.outcome IN ({marks})"
            " ORDER BY t.id, l.page_id, l.rowid",
            (run_id, *wanted),
        )
        for row in rows:
            yield CheckedLink(
                target_id=row[0],
                url=row[1],
                kind=row[2],
                outcome=Outcome(row[3]),
                status=row[4],
                error=row[5],
                page_id=row[6],
                page_url=row[7],
                element=row[8],
                attribute=row[9],
                text=row[10],
                raw=row[11],
            )

    def referrers_to(self, run_id: int, key: str, limit: int = 5) -> list[Referrer]:
        """Pages that link to a URL (how a webmaster finds the entry to a column)."""
        rows = self.db.execute(
            "SELECT p.url, l.element, l.attribute, l.text, l.raw FROM links l"
            " JOIN targets t ON t.id=l.target_id JOIN targets p ON p.id=l.page_id"
            " WHERE t.run_id=? AND t.key=? ORDER BY l.page_id, l.rowid LIMIT ?",
            (run_id, key, limit),
        ).fetchall()
        return [Referrer(*row) for row in rows]

    def special_links(self, run_id: int, special: str) -> Iterator[Occurrence]:
        rows = self.db.execute(
            "SELECT l.page_id, p.url, l.raw, l.element, l.attribute, l.text, l.special, l.in_nav"
            " FROM links l JOIN targets p ON p.id=l.page_id"
            " WHERE l.run_id=? AND l.special=? AND l.special != '' ORDER BY l.page_id, l.rowid",
            (run_id, special),
        )
        for row in rows:
            yield Occurrence(row[0], row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]))

    def first_target_id(self, run_id: int) -> int:
        row = self.db.execute("SELECT MIN(id) FROM targets WHERE run_id=?", (run_id,)).fetchone()
        return int(row[0] or 0)

    def home_target(self, run_id: int) -> HomeTarget | None:
        """The run's start URL as the crawl left it: its target, and its check if it has one."""
        row = self.db.execute(
            "SELECT t.url, t.kind, t.state, t.note, t.failure, c.outcome, c.status, c.error, c.final_url,"
            " c.content_type FROM targets t LEFT JOIN checks c ON c.target_id=t.id"
            " WHERE t.run_id=? ORDER BY t.id LIMIT 1",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        return HomeTarget(
            url=row[0],
            kind=row[1],
            state=row[2],
            note=row[3],
            failure=row[4],
            outcome=Outcome(row[5]) if row[5] else None,
            status=row[6],
            error=row[7] or "",
            final_url=row[8],
            content_type=row[9] or "",
        )

    def home_check(self, run_id: int) -> tuple[str, Outcome, int | None, str] | None:
        row = self.db.execute(
            "SELECT t.url, c.outcome, c.status, c.error FROM targets t JOIN checks c ON c.target_id=t.id"
            " WHERE t.run_id=? ORDER BY t.id LIMIT 1",
            (run_id,),
        ).fetchone()
        return (row[0], Outcome(row[1]), row[2], row[3]) if row else None

    # -- findings -----------------------------------------------------------------------
    def replace_findings(
        self,
        run_id: int,
        findings: Iterable[Finding],
        status: RunStatus | None = None,
        reason: str = "",
    ) -> None:
        """Save a judgement's findings, and with ``status`` the run's final state, as one write.

        One transaction: a kill between judging and saving leaves the run resumable (it is
        judged again), never a run marked finished without its findings.
        """
        self.begin()
        try:
            self.db.execute("DELETE FROM findings WHERE run_id=?", (run_id,))
            self.db.executemany(
                "INSERT INTO findings (run_id, key, kind, severity, url, outcome, status, detail,"
                " referrers_json, column_name, office, state, first_seen, note)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        run_id,
                        f.key,
                        f.kind.value,
                        f.severity.value,
                        f.url,
                        f.outcome.value if f.outcome else None,
                        f.status,
                        f.detail,
                        json.dumps([_ref_dict(r) for r in f.referrers], ensure_ascii=False),
                        f.column,
                        f.office,
                        f.state,
                        f.first_seen,
                        f.note,
                    )
                    for f in findings
                ),
            )
            if status is not None:
                self.set_run_status(run_id, status, reason)
            self.commit()
        except BaseException as exc:
            self.rollback()
            if isinstance(exc, sqlite3.Error):
                raise StoreError(_write_failed(self.path, exc)) from None
            raise

    def findings(self, run_id: int) -> list[Finding]:
        rows = self.db.execute(
            "SELECT key, kind, severity, url, outcome, status, detail, referrers_json, column_name, office,"
            " state, first_seen, note FROM findings"
            " WHERE run_id=? ORDER BY rowid",
            (run_id,),
        ).fetchall()
        return [
            Finding(
                key=row[0],
                kind=FindingKind(row[1]),
                severity=Severity(row[2]),
                url=row[3],
                outcome=Outcome(row[4]) if row[4] else None,
                status=row[5],
                detail=row[6],
                referrers=tuple(Referrer(**r) for r in json.loads(row[7])),
                column=row[8],
                office=row[9],
                state=FindingState(row[10]),
                first_seen=row[11],
                note=row[12],
            )
            for row in rows
        ]

    # -- service (issue 5) ----------------------------------------------------------------
    def add_probe(
        self,
        start_url: str,
        at: str,
        outcome: Outcome,
        status: int | None,
        latency_ms: int,
        error: str,
        final_url: str | None,
    ) -> None:
        self.write(
            "INSERT INTO probes (start_url, at, outcome, status, latency_ms, error, final_url)"
            " VALUES (?,?,?,?,?,?,?)",
            (start_url, at, outcome.value, status, latency_ms, error, final_url),
        )

    def probes(self, start_url: str, since: str, until: str | None = None) -> list[ProbeRow]:
        """Probes of a site from ``since`` (inclusive) to ``until`` (exclusive), oldest first."""
        sql = (
            "SELECT at, outcome, status, latency_ms, error, final_url FROM probes WHERE start_url=? AND at>=?"
        )
        args: list[object] = [start_url, since]
        if until is not None:
            sql += " AND at<?"
            args.append(until)
        rows = self.db.execute(sql + " ORDER BY at, id", args).fetchall()
        return [ProbeRow(r[0], Outcome(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def last_probe(self, start_url: str) -> ProbeRow | None:
        row = self.db.execute(
            "SELECT at, outcome, status, latency_ms, error, final_url FROM probes WHERE start_url=?"
            " ORDER BY at DESC, id DESC LIMIT 1",
            (start_url,),
        ).fetchone()
        return ProbeRow(row[0], Outcome(row[1]), row[2], row[3], row[4], row[5]) if row else None

    def probe_count(self, start_url: str) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM probes WHERE start_url=?", (start_url,)).fetchone()
        return int(row[0])

    def log_job(
        self,
        start_url: str,
        job: str,
        cause: str,
        outcome: str,
        *,
        fired_at: str | None = None,
        started: bool = False,
        run_id: int | None = None,
        detail: str = "",
    ) -> int:
        """Record a job firing (``started``: it runs now) or a decision not to run it."""
        now = now_iso()
        finished = None if outcome == "running" else now
        cursor = self.write(
            "INSERT INTO job_log (start_url, job, cause, fired_at, started_at, finished_at, outcome,"
            " run_id, detail) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                start_url,
                job,
                cause,
                fired_at or now,
                now if started else None,
                finished,
                outcome,
                run_id,
                detail,
            ),
        )
        return int(cursor.lastrowid or 0)

    def update_job(
        self, log_id: int, *, outcome: str | None = None, run_id: int | None = None, detail: str | None = None
    ) -> None:
        """Change a job_log entry; a final outcome (anything but ``running``) stamps finished_at."""
        if run_id is not None:
            self.write("UPDATE job_log SET run_id=? WHERE id=?", (run_id, log_id))
        if detail is not None:
            self.write("UPDATE job_log SET detail=? WHERE id=?", (detail, log_id))
        if outcome is not None:
            finished = None if outcome == "running" else now_iso()
            self.write(
                "UPDATE job_log SET outcome=?, finished_at=COALESCE(finished_at, ?) WHERE id=?",
                (outcome, finished, log_id),
            )

    def job_log(self, start_url: str, job: str | None = None, limit: int = 100) -> list[JobLogRow]:
        """A site's job log, newest first."""
        sql = (
            "SELECT id, start_url, job, cause, fired_at, started_at, finished_at, outcome, run_id, detail"
            " FROM job_log WHERE start_url=?"
        )
        args: list[object] = [start_url]
        if job is not None:
            sql += " AND job=?"
            args.append(job)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [JobLogRow(*row) for row in rows]

    def unfinished_jobs(self, start_url: str) -> list[JobLogRow]:
        """Crawl jobs that were running when the service stopped (or was killed), oldest first."""
        rows = self.db.execute(
            "SELECT id, start_url, job, cause, fired_at, started_at, finished_at, outcome, run_id, detail"
            " FROM job_log WHERE start_url=? AND job IN ('audit', 'recheck')"
            " AND outcome IN ('running', 'interrupted') ORDER BY id",
            (start_url,),
        ).fetchall()
        return [JobLogRow(*row) for row in rows]

    def unfinished_run_since(self, start_url: str, since: str) -> RunRecord | None:
        """The newest running or interrupted run of a site started at or after ``since``."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE start_url=? AND started_at>=?"
            f" AND status IN ({_states(RESUMABLE_RUNS)}) ORDER BY id DESC LIMIT 1",
            (start_url, since),
        ).fetchone()
        return self.run(int(row[0])) if row else None

    def set_next_run(self, start_url: str, job: str, next_run_at: str | None, cadence: str = "") -> None:
        self.write(
            "INSERT OR REPLACE INTO schedule_state (start_url, job, next_run_at, cadence, updated_at)"
            " VALUES (?,?,?,?,?)",
            (start_url, job, next_run_at, cadence, now_iso()),
        )

    def next_runs(self, start_url: str) -> dict[str, tuple[str | None, str]]:
        """job -> (the next run time the service had scheduled (UTC ISO), its cadence), as stored."""
        rows = self.db.execute(
            "SELECT job, next_run_at, cadence FROM schedule_state WHERE start_url=?", (start_url,)
        )
        return {str(job): (str(at) if at else None, str(cadence)) for job, at, cadence in rows}

    def alert_level(self, start_url: str, alert: str) -> str | None:
        row = self.db.execute(
            "SELECT level FROM alert_state WHERE start_url=? AND alert=?", (start_url, alert)
        ).fetchone()
        return str(row[0]) if row else None

    def set_alert_level(self, start_url: str, alert: str, level: str) -> None:
        self.write(
            "INSERT OR REPLACE INTO alert_state (start_url, alert, level, changed_at) VALUES (?,?,?,?)",
            (start_url, alert, level, now_iso()),
        )

    def log_notification(
        self, start_url: str, event: str, channel: str, ok: bool, attempts: int, error: str
    ) -> None:
        self.write(
            "INSERT INTO notifications (start_url, at, event, channel, ok, attempts, error)"
            " VALUES (?,?,?,?,?,?,?)",
            (start_url, now_iso(), event, channel, int(ok), attempts, error),
        )

    def notifications(self, start_url: str, limit: int = 50) -> list[NotificationRow]:
        """A site's notification attempts, newest first."""
        rows = self.db.execute(
            "SELECT id, start_url, at, event, channel, ok, attempts, error FROM notifications"
            " WHERE start_url=? ORDER BY id DESC LIMIT ?",
            (start_url, limit),
        ).fetchall()
        return [NotificationRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]


_BUSY_SECONDS = 60.0


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _write_failed(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "full" in text:
        return f"写入事实库失败：磁盘已满（{path}）；请腾出空间后用 --resume 继续，已保存的结果不会丢失"
    if _is_busy(exc) if isinstance(exc, sqlite3.OperationalError) else False:
        return f"写入事实库失败：数据库被其他进程长时间占用（{path}）；请稍后用 --resume 继续"
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return damaged_message(path.parent, exc)
    return f"写入事实库失败（{path}）：{text}；请排除原因后用 --resume 继续"


def damaged_message(data_dir: Path, exc: Exception) -> str:
    return (
        f"事实库已损坏（{data_dir / 'sitecheck.sqlite3'}：{exc}）；请把数据目录改名留作备份，"
        "再重新检查（或用 sqlite3 的 .recover 命令尝试恢复）"
    )


def _states(states: Iterable[RunStatus | FindingState]) -> str:
    """An SQL list of states (enum values, never user text)."""
    return ", ".join(f"'{state.value}'" for state in sorted(states))


def _ref_dict(ref: Referrer) -> dict[str, str]:
    return {
        "page": ref.page,
        "element": ref.element,
        "attribute": ref.attribute,
        "text": ref.text,
        "raw": ref.raw,
    }
