"""The rectification loop: audit, fix some problems, break something, recheck, audit again."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit, run_recheck
from sitecheck.demo import DemoServer
from sitecheck.models import Finding, FindingKind
from sitecheck.store import Store
from sitecheck.urls import canonical

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _states(result: AuditResult) -> dict[str, str]:
    return {canonical(f.url): f.state for f in result.findings if f.kind is not FindingKind.UNAVAILABLE_LINK}


def _by_url(result: AuditResult, url: str) -> Finding:
    (finding,) = [f for f in result.findings if canonical(f.url) == canonical(url) and f.state != "ignored"]
    return finding


def test_recheck_and_full_rerun_track_fixed_new_and_open(tmp_path: Path) -> None:
    today = date.today()
    with DemoServer(pages=150, seed=21, slow_seconds=2.0) as server:
        config = fast_config(server.base_url, tmp_path / "data")
        first = run_audit(config, handle_signals=False, as_of=today)
        planted = {d.id: d for d in server.manifest}
        dead_page = planted["dead-internal-page"].url
        dead_image = planted["dead-image"].url
        stale = next(
            c
            for c in server.column_manifest
            if c.kind == FindingKind.STALE_COLUMN
            and "年" in server.portal.get(urlsplit(c.url).path).body.decode("utf-8", "replace")
        )
        assert _by_url(first, dead_page).state == "new"
        assert _by_url(first, stale.url).kind is FindingKind.STALE_COLUMN
        open_before = {k for k, v in _states(first).items() if v == "new"}

        # The office fixes two links and posts a new item in the stale column …
        server.set_override(
            urlsplit(dead_page).path,
            200,
            "<html><head><title>恢复的页面</title></head><body>已恢复</body></html>",
        )
        server.set_override(urlsplit(dead_image).path, 200, PNG, {"Content-Type": "image/png"})
        column_path = urlsplit(stale.url).path
        page = server.portal.get(column_path).body.decode("utf-8")
        fresh = re.sub(r"\d{4}年\d{2}月\d{2}日", today.strftime("%Y年%m月%d日"), page, count=1)
        assert fresh != page
        server.set_override(column_path, 200, fresh)
        # … and meanwhile something healthy breaks elsewhere.
        healthy = next(
            c.url for c in server.column_manifest if c.kind is None and c.category.value == "personnel"
        )
        article = next(
            i
            for i in re.findall(
                r'href="([^"]+\.html)"', server.portal.get(urlsplit(healthy).path).body.decode()
            )
            if "/t20" in i
        )
        broken = canonical(
            server.base_url.rstrip("/")
            + urlsplit(healthy).path.rsplit("/", 1)[0]
            + "/"
            + article.lstrip("./")
        )
        server.set_override(urlsplit(broken).path, 404, "<html><title>404</title></html>")

        hits_before = server.total_hits()
        second = run_recheck(config, handle_signals=False, as_of=today)
        rechecked = server.total_hits() - hits_before
        states = _states(second)
        assert states[canonical(dead_page)] == "fixed"
        assert states[canonical(dead_image)] == "fixed"
        assert states[canonical(stale.url)] == "fixed"
        still = open_before - {canonical(dead_page), canonical(dead_image), canonical(stale.url)}
        assert {states[k] for k in still} == {"still_open"}
        assert broken not in states  # a recheck only looks at what was open
        # Minutes rather than a crawl: far fewer requests than the full audit made.
        assert rechecked < first.stats.checked / 2

        third = run_audit(config, handle_signals=False, as_of=today)
        states = _states(third)
        assert states[broken] == "new"
        assert {states[k] for k in still} == {"still_open"}
        for fixed in (dead_page, dead_image, stale.url):
            assert canonical(fixed) not in states or states[canonical(fixed)] == "fixed"

        # A problem fixed and then broken again is "reopened".
        server.clear_override(urlsplit(dead_page).path)
        fourth = run_recheck(config, handle_signals=False, as_of=today)
        assert _states(fourth).get(canonical(dead_page)) != "new"
        fifth = run_audit(config, handle_signals=False, as_of=today)
        assert _states(fifth)[canonical(dead_page)] == "reopened"

    store = Store(tmp_path / "data")
    try:
        kinds = [r.kind for r in store.runs()]
    finally:
        store.close()
    assert kinds == ["full", "recheck", "full", "recheck", "full"]


def test_ignored_findings_stay_out_of_the_open_count(tmp_path: Path) -> None:
    with DemoServer(pages=150, seed=22, slow_seconds=2.0) as server:
        config = fast_config(server.base_url, tmp_path / "data")
        first = run_audit(config, handle_signals=False)
        blocked = next(f for f in first.findings if f.outcome is not None and f.outcome.value == "blocked")
        store = Store(tmp_path / "data")
        try:
            store.set_ignore(server.base_url, blocked.key, "对方网站防护拦截，人工核实可以打开")
        finally:
            store.close()
        second = run_recheck(config, handle_signals=False)
    finding = next(f for f in second.findings if f.key == blocked.key)
    assert finding.state == "ignored" and "人工核实" in finding.note
    assert second.summary is not None
    assert blocked.key not in {f.key for f in second.summary.open_findings}
