"""The judge on literal facts: no crawl, no network — a store filled by hand through RunWriter.

Each test writes what a crawl would have observed, judges it, and checks the findings, the
states against an earlier run, and that a run which did not read everything says so.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import date
from pathlib import Path

from sitecheck.config import AuditConfig, IgnoreRule
from sitecheck.judge import JudgeContext, Judgement, judge, save
from sitecheck.models import FetchResult, FindingKind, FindingState, LinkRef, Outcome, RunStatus, TargetKind
from sitecheck.store import Store

HOME = "http://www.example.gov.cn/"
DAY = date(2026, 6, 1)


def _run(store: Store, *, dead: bool = True, home_read: bool = True, fail_one: bool = False) -> int:
    """A crawled run of a two-page portal: a home page linking to an article and to a PDF."""
    run_id = store.create_run("示例", HOME, "{}", "test", DAY)
    writer = store.writer(run_id)
    with writer.transaction():
        home, _ = writer.add_target(HOME, HOME, TargetKind.PAGE, 0)
        article, _ = writer.add_target(HOME + "a.html", HOME + "a.html", TargetKind.PAGE, 1)
        pdf, _ = writer.add_target(HOME + "f.pdf", HOME + "f.pdf", TargetKind.RESOURCE, 1)
        if home_read:
            writer.home_url(HOME)
            writer.check(home, FetchResult(HOME, Outcome.OK, 200, content_type="text/html"))
            writer.page(home, "首页", "utf-8", "http", 2, False)
            writer.links(
                home,
                [
                    (article, LinkRef(raw="a.html", url=HOME + "a.html", element="a", attribute="href", text="文章")),
                    (pdf, LinkRef(raw="f.pdf", url=HOME + "f.pdf", element="a", attribute="href", text="附件")),
                ],
            )
        else:  # the start URL answered, but not as a page
            writer.check(home, FetchResult(HOME, Outcome.OK, 200, content_type="text/plain"))
        writer.check(article, FetchResult(HOME + "a.html", Outcome.OK, 200, content_type="text/html"))
        writer.page(article, "文章", "utf-8", "http", 0, False)
        if fail_one:
            writer.fail(pdf, "MemoryError: simulated")
        else:
            outcome, status = (Outcome.NOT_FOUND, 404) if dead else (Outcome.OK, 200)
            writer.check(pdf, FetchResult(HOME + "f.pdf", outcome, status))
        writer.status(RunStatus.CRAWLED)
    return run_id


def _judge(store: Store, run_id: int, **settings: object) -> Judgement:
    facts = store.facts(run_id)
    context = JudgeContext(as_of=DAY, scope=AuditConfig().replace("site", start_url=HOME).crawl_scope())
    if settings:
        context = JudgeContext(as_of=DAY, scope=context.scope, **settings)  # type: ignore[arg-type]
    return judge(facts, context, store.history(facts.run))


def _digest(path: Path) -> str:
    with sqlite3.connect(path / "sitecheck.sqlite3") as db:
        rows = [repr(r) for t in ("runs", "targets", "checks", "findings") for r in db.execute(f"SELECT * FROM {t}")]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def test_a_dead_attachment_on_the_home_page_is_found_with_where_it_is(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        judgement = _judge(store, _run(store))
    finally:
        store.close()
    [dead] = [f for f in judgement.findings if f.kind is FindingKind.DEAD_LINK_HOME]
    assert dead.url == HOME + "f.pdf" and dead.status == 404 and dead.state is FindingState.NEW
    assert [(r.page, r.text) for r in dead.referrers] == [(HOME, "附件")]
    assert judgement.status is RunStatus.FINISHED and judgement.home_problem is None


def test_judging_writes_nothing_and_save_writes_findings_with_the_state(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        run_id = _run(store)
        before = _digest(tmp_path)
        judgement = _judge(store, run_id)
        assert _digest(tmp_path) == before
        save(store, run_id, judgement)
        run = store.run(run_id)
        assert run is not None and run.status == RunStatus.FINISHED
        assert {f.key for f in store.findings(run_id)} == {f.key for f in judgement.findings}
    finally:
        store.close()


def test_a_start_page_not_served_as_html_is_no_clean_verdict(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        judgement = _judge(store, _run(store, home_read=False))
    finally:
        store.close()
    assert judgement.home_problem is not None and "返回的不是网页" in judgement.home_problem
    assert judgement.status is RunStatus.INCOMPLETE


def test_a_failed_target_makes_the_run_incomplete_and_nothing_becomes_fixed(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        first = _run(store)
        save(store, first, _judge(store, first))
        second = _run(store, fail_one=True)  # the PDF could not be read this time
        judgement = _judge(store, second)
    finally:
        store.close()
    assert "1 个网址未能检查完" in judgement.incomplete and "MemoryError" in judgement.incomplete
    [kept] = [f for f in judgement.findings if f.url == HOME + "f.pdf"]
    assert kept.state is FindingState.STILL_OPEN and "未能复核" in kept.note


def test_states_follow_the_history_fixed_then_reopened_and_ignored(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        first = _run(store)
        save(store, first, _judge(store, first))
        second = _run(store, dead=False)  # the office fixed the link
        fixed = _judge(store, second)
        save(store, second, fixed)
        third = _run(store)  # and it broke again
        reopened = _judge(store, third)
        ignored = _judge(store, third, ignores=(IgnoreRule(match_url=r"\.pdf$", reason="外单位附件"),))
    finally:
        store.close()
    [repaired] = [f for f in fixed.findings if f.url.endswith(".pdf")]
    assert repaired.state is FindingState.FIXED
    # When, as every report shows times: the run's zone (Asia/Shanghai by default), minutes.
    assert re.fullmatch(r"复查于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 已整改", repaired.note), repaired.note
    assert [f.state for f in reopened.findings if f.url.endswith(".pdf")] == [FindingState.REOPENED]
    [pdf] = [f for f in ignored.findings if f.url.endswith(".pdf")]
    assert pdf.state is FindingState.IGNORED and pdf.note == "外单位附件"
    assert not ignored.open_findings or all(not f.url.endswith(".pdf") for f in ignored.open_findings)
