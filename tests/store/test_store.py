"""The fact store on its own: transactions, several writers, the frontier, copies, damage."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from sitecheck.errors import DamagedStoreError, StoreError
from sitecheck.models import FetchResult, Outcome, RunStatus, TargetKind
from sitecheck.store import Store

URL = "http://www.example.gov.cn/"


def _run(store: Store) -> int:
    return store.create_run("示例", URL, "{}", "test", date(2026, 6, 1))


def test_a_failed_transaction_leaves_nothing_and_says_why(location: str) -> None:
    store = Store(location)
    try:
        run_id = _run(store)
        writer = store.writer(run_id)
        with pytest.raises(ZeroDivisionError), writer.transaction():
            writer.add_target(URL, URL, TargetKind.PAGE, 0)
            raise ZeroDivisionError  # a bug halfway through a batch
        assert writer.count() == 0
    finally:
        store.close()


def test_a_target_whose_adding_was_rolled_back_is_added_again(location: str) -> None:
    # A bug while storing one page undoes its facts (the engine's savepoint per target), and a
    # failed batch undoes the whole transaction. The targets its links added are gone with
    # them: the next link to the same URL must add the target again, not get the id of a row
    # that no longer exists (its check would be lost without a word).
    store = Store(location)
    try:
        run_id = _run(store)
        writer = store.writer(run_id)
        page, other = URL + "a.html", URL + "b.html"
        with writer.transaction():
            writer.savepoint()
            writer.add_target(page, page, TargetKind.PAGE, 1)
            writer.rollback_savepoint()
            page_id, created = writer.add_target(page, page, TargetKind.PAGE, 1)
        assert created and writer.cached_target_id(page) == page_id
        with pytest.raises(ZeroDivisionError), writer.transaction():
            writer.add_target(other, other, TargetKind.PAGE, 1)
            raise ZeroDivisionError
        assert writer.cached_target_id(other) is None
        other_id, created = writer.add_target(other, other, TargetKind.PAGE, 1)
        assert created
        assert [(t.id, t.url) for t in writer.pending(0, 10)] == [(page_id, page), (other_id, other)]
    finally:
        store.close()


def test_a_write_waits_for_another_process_s_transaction_instead_of_failing(tmp_path: Path) -> None:
    Store(tmp_path).close()
    other = sqlite3.connect(tmp_path / "sitecheck.sqlite3", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock for a moment
    released = threading.Event()

    def release() -> None:
        time.sleep(0.5)
        other.execute("COMMIT")
        released.set()

    threading.Thread(target=release).start()
    store = Store(tmp_path)
    try:
        store.log_job(URL, "probe", "schedule", "finished")  # waits, then lands
        assert released.is_set()
        assert len(store.job_log(URL)) == 1
    finally:
        store.close()
        other.close()


def test_a_full_database_fails_loudly_as_a_store_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        pages = int(store.db.execute("PRAGMA page_count").fetchone()[0])
        store.db.execute(f"PRAGMA max_page_count={pages}")  # no room for one more page
        with pytest.raises(StoreError, match="磁盘已满"):
            for n in range(10_000):
                store.log_job(URL, "probe", "schedule", "finished", detail="x" * 1000 + str(n))
    finally:
        store.close()


def test_failed_targets_are_kept_counted_and_read_again_on_resume(location: str) -> None:
    store = Store(location)
    try:
        writer = store.writer(_run(store))
        with writer.transaction():
            a, _ = writer.add_target(URL, URL, TargetKind.PAGE, 0)
            b, _ = writer.add_target(URL + "b", URL + "b", TargetKind.PAGE, 1)
            writer.check(a, FetchResult(URL, Outcome.OK, 200))
            writer.fail(b, "MemoryError: one page")
        assert writer.count(state="failed") == 1
        assert store.failures(writer.run_id) == (1, [(URL + "b", "MemoryError: one page")])
        assert writer.retry_failed() == 1
        assert [t.id for t in writer.pending(0, 10)] == [b]
    finally:
        store.close()


def test_a_recheck_copy_keeps_the_facts_with_new_ids(location: str) -> None:
    store = Store(location)
    try:
        base = _run(store)
        writer = store.writer(base)
        with writer.transaction():
            page, _ = writer.add_target(URL, URL, TargetKind.PAGE, 0)
            writer.check(page, FetchResult(URL, Outcome.OK, 200))
            writer.status(RunStatus.CRAWLED)
        copy = store.copy_run(base, "{}", "test", date(2026, 6, 2))
        copied = store.writer(copy)
        assert copied.count() == 1 and copied.first_target_id() != page
        assert store.reset_targets(copy, {URL}) == 1
        assert [t.url for t in copied.pending(0, 10)] == [URL]
        assert store.writer(base).count(state="done") == 1  # the base run is untouched
    finally:
        store.close()


def test_a_damaged_database_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "sitecheck.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(DamagedStoreError, match="事实库已损坏"):
        Store(tmp_path)
