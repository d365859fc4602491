"""关停域名 (issue 16 §2): a link to a government domain (.gov.cn) that no longer resolves, though an
earlier run saw it answer, is a dead link that says so — the site was closed or merged, the link
must go. Judged from stored facts of two runs (no request: a name that does not resolve cannot be
produced on loopback), built with the store's own writers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sitecheck.audit import judge_run
from sitecheck.config import AuditConfig
from sitecheck.models import ExternalView, FetchResult, FindingKind, LinkRef, Outcome, RunStatus, TargetKind
from sitecheck.store import Store
from sitecheck.urls import canonical

START = "http://www.example.gov.cn/"
GOV = "http://zwfw.oldcity.gov.cn/"  # a government site that closed between the runs
COM = "http://news.example.com/"  # not a government domain
NEW_GOV = "http://new.othercity.gov.cn/"  # never seen answering: a plain dead link
GONE = "ConnectError: [Errno -2] Name or service not known"


def _run(store: Store, answers: dict[str, FetchResult]) -> int:
    run_id = store.create_run("site", START, "{}", "test", date(2026, 12, 5))
    with store.transaction():
        page_id, _ = store.add_target(run_id, canonical(START), START, TargetKind.PAGE, 0)
        store.save_check(run_id, page_id, FetchResult(START, Outcome.OK, 200, content_type="text/html"))
        refs = []
        for url, result in answers.items():
            target_id, _ = store.add_target(run_id, canonical(url), url, TargetKind.EXTERNAL, 1)
            store.save_check(run_id, target_id, result)
            refs.append((target_id, LinkRef(raw=url, url=url, element="a", attribute="href", text="友情链接")))
        store.save_links(run_id, page_id, refs)
    store.set_run_status(run_id, RunStatus.FINISHED)
    return run_id


def _answer(url: str, host: str, title: str) -> FetchResult:
    view = ExternalView(final_host=host, title=title, fingerprint=0, text_chars=100)
    return FetchResult(url, Outcome.OK, 200, content_type="text/html", external_view=view)


def test_a_closed_government_domain_is_a_dead_link_that_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        _run(
            store,
            {
                GOV: _answer(GOV, "zwfw.oldcity.gov.cn", "某市政务服务网"),
                COM: _answer(COM, "news.example.com", "新闻网"),
            },
        )
        second = _run(store, {url: FetchResult(url, Outcome.DNS_ERROR, error=GONE) for url in (GOV, COM, NEW_GOV)})
        config = AuditConfig(data_dir=str(tmp_path)).replace("site", start_url=START)
        findings = judge_run(store, config, second, date(2026, 12, 5)).findings
    finally:
        store.close()
    dead = {f.url: f for f in findings if f.kind in (FindingKind.DEAD_LINK, FindingKind.DEAD_LINK_HOME)}
    assert set(dead) == {GOV, COM, NEW_GOV}  # each is dead, once
    closed = dead[GOV].detail
    assert "域名无法解析" in closed and "关停域名" in closed and "某市政务服务网" in closed
    assert "zwfw.oldcity.gov.cn" in closed and "应删除该链接" in closed
    # Not a government domain, or never seen answering: a dead link, nothing more claimed.
    assert "关停域名" not in dead[COM].detail and "关停域名" not in dead[NEW_GOV].detail
