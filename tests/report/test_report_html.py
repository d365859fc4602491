"""checklist.html end to end: a real audit of the sample portal, rendered, then read the way a
person reads it, in the system's headless Chromium driven by Playwright (tests/support/browser.py).

The source-level checks (numbers, escaping, CSP) always run; the browser checks skip when no
Chromium executable is installed.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page as PlaywrightPage
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from conftest import REPO, fast_config
from sitecheck.audit import rejudge, run_audit
from sitecheck.config import IgnoreRule
from sitecheck.demo import DemoServer
from sitecheck.errors import ReportError
from sitecheck.judge.columns import Column, ColumnStatus
from sitecheck.judge.veto import TallyLine, VetoTally
from sitecheck.models import OPEN_STATES, ColumnCategory, FindingKind, FindingState, Severity
from sitecheck.report.checklist import ChecklistRow, ReportData, TrendPoint, build_report
from sitecheck.report.html import (
    AVAILABILITY_VETO,
    _gauge,
    _trend_chart,
    display_url,
    is_http_url,
    render_html,
    write_html,
)
from sitecheck.report.labels import HTML_TEXT, KIND_LABELS, SEVERITY_LABELS, STATE_LABELS
from sitecheck.store import Store
from support.browser import INSTALL_HINT, chromium, chromium_executable

TEMPLATES = REPO / "src" / "sitecheck" / "report" / "templates"

REPAIRED_BODY = "<html><head><title>通知</title></head><body><p>该页面已恢复，内容正常。</p></body></html>"
IGNORE_REASON = "对方网站拦截自动检查，已人工确认可以打开"

# What a hostile crawled page could put into titles, link texts, column names and URLs.
SCRIPT_TAG = "<script>alert(1)</script>"
ATTR_BREAK = '"><img src=x onerror=alert(1)>'
PWN_IMG = '<img src=x onerror="window.__pwned=1">'
PWN_CLOSE = "</script><script>window.__pwned=1</script>"
PWN_SVG = "<svg onload=window.__pwned=1>"
TEMPLATE_EXPR = "{{ 7*7 }}{% raw %}"
HOSTILE_TEXTS = (SCRIPT_TAG, ATTR_BREAK, PWN_IMG, PWN_CLOSE, PWN_SVG, TEMPLATE_EXPR)
HOSTILE_URLS = (
    "javascript:alert(1)",
    "JaVaScRiPt:window.__pwned=1",
    " javascript:window.__pwned=1//http://x/",
    "data:text/html,<script>window.__pwned=1</script>",
    'http://x/"><img src=x onerror=window.__pwned=1>',
)


# --- the real audit ----------------------------------------------------------------------


@dataclass(frozen=True)
class Audited:
    data: ReportData
    doc: dict[str, Any]  # findings.json from the same summary
    html: Path
    repaired_key: str
    ignored_key: str


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Audited:
    """Audit the sample portal, repair one dead link and ignore one finding, audit again."""
    tmp = tmp_path_factory.mktemp("report-html")
    # Its own server: the repair is an override that other tests must not see.
    with DemoServer(pages=150, slow_seconds=4.0) as server:
        config = fast_config(server.base_url, tmp / "data")
        first = run_audit(config, handle_signals=False)
        repaired = next(
            f
            for f in first.findings
            if f.kind is FindingKind.DEAD_LINK
            and f.url.startswith(server.base_url)
            and f.url.endswith(".html")
        )
        server.set_override(urlsplit(repaired.url).path, 200, REPAIRED_BODY)
        ignored = next(f for f in first.findings if f.kind is FindingKind.UNVERIFIED_LINK)
        config = dataclasses.replace(config, ignore=(IgnoreRule(id=ignored.key, reason=IGNORE_REASON),))
        run_audit(config, handle_signals=False)
    json_path = tmp / "findings.json"
    summary = rejudge(str(tmp / "data"), None, date.today(), json_path)
    store = Store(tmp / "data")
    try:
        data = build_report(store, summary)
    finally:
        store.close()
    html = tmp / "checklist.html"
    write_html(data, html)
    return Audited(data, json.loads(json_path.read_text(encoding="utf-8")), html, repaired.key, ignored.key)


# --- hand-made hostile data --------------------------------------------------------------


def _row(number: int, status: str, **fields: Any) -> ChecklistRow:
    values: dict[str, Any] = {
        "number": number,
        "key": f"dead_link:{number:04d}{ATTR_BREAK}",
        "kind": FindingKind.DEAD_LINK,
        "kind_label": KIND_LABELS[FindingKind.DEAD_LINK],
        "severity": Severity.DEDUCTION,
        "severity_label": SEVERITY_LABELS[Severity.DEDUCTION],
        "description": f"描述 {SCRIPT_TAG}",
        "column": f"栏目{PWN_IMG}",
        "url": "http://www.example.gov.cn/a.html",
        "parent_page": "http://www.example.gov.cn/",
        "link_text": f"链接{SCRIPT_TAG}{ATTR_BREAK}",
        "element": "a",
        "other_referrers": 0,
        "http": "HTTP 404：页面不存在（404）",
        "first_seen": "2026-11-01 09:00",
        "last_checked": "2026-11-27 10:00",
        "advice": "改为正确地址或删除。",
        "office": f"办公室{PWN_SVG}",
        "status": status,
        "status_label": STATE_LABELS[status],
        "note": "",
    }
    values.update(fields)
    return ChecklistRow(**values)


def hostile_report() -> ReportData:
    rows = [
        _row(1, FindingState.NEW, url=HOSTILE_URLS[0], parent_page=HOSTILE_URLS[2], other_referrers=3),
        _row(2, FindingState.STILL_OPEN, url=HOSTILE_URLS[1], link_text=PWN_CLOSE, description=TEMPLATE_EXPR),
        _row(
            3,
            FindingState.REOPENED,
            url=HOSTILE_URLS[3],
            kind=FindingKind.EMPTY_COLUMN,
            kind_label=KIND_LABELS[FindingKind.EMPTY_COLUMN],
            severity=Severity.VETO,
            severity_label=SEVERITY_LABELS[Severity.VETO],
        ),
        _row(4, FindingState.NEW, url=HOSTILE_URLS[4], link_text=PWN_SVG, office=""),
        _row(5, FindingState.IGNORED, note=f"忽略原因{PWN_IMG}"),
        _row(6, FindingState.FIXED, note=f"已整改{SCRIPT_TAG}", url=HOSTILE_URLS[0]),
    ]
    column = Column(
        url=HOSTILE_URLS[0],
        name=f"栏目{SCRIPT_TAG}{ATTR_BREAK}",
        name_source="meta",
        category=ColumnCategory.DYNAMIC,
        category_source="name",
        limit_days=14,
        warn_days=10,
        office="",
        parent=None,
        level=1,
        pages=(HOSTILE_URLS[0],),
        item_count=0,
        text_dated=0,
        url_dated=0,
        newest=None,
        total_records=None,
        placeholder=PWN_IMG,
        cms="trs",
        column_type_meta=None,
        status=ColumnStatus.EMPTY,
        days_since=None,
    )
    return ReportData(
        site=f"某市{SCRIPT_TAG}",
        start_url=f"http://www.example.gov.cn/{ATTR_BREAK}",
        run_id=3,
        run_kind="recheck",
        run_started="2026-11-27 09:00",
        run_finished="2026-11-27 09:05",
        as_of="2026-11-27",
        generated_at="2026-11-27 09:06",
        pages=12,
        link_occurrences=345,
        checked_urls=67,
        tally=VetoTally((TallyLine(f"空白栏目{PWN_IMG}", 6, 5, 3), TallyLine("栏目不更新", 1, 5, 3))),
        rows=rows,
        columns=[column],
        trend=[TrendPoint(3, f"2026-11-27 {PWN_SVG}", {"dead_link": 2, SCRIPT_TAG: 1})],
        availability={"ratio": 0.02, "failures": 3.0, "probes": 150.0, "days": 7.0},
    )


# --- reading the HTML source -------------------------------------------------------------


def _text(tree: HTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, f"no element {selector}"
    return node.text(strip=True)


def _int(tree: HTMLParser, selector: str) -> int:
    return int(_text(tree, selector))


def test_summary_numbers_agree_with_report_and_json(audited: Audited) -> None:
    data, doc = audited.data, audited.doc
    tree = HTMLParser(audited.html.read_text(encoding="utf-8"))
    summary = doc["summary"]

    assert _int(tree, "#summary-open-total") == len(data.open_rows) == summary["findings"]
    assert len(data.open_rows) > 10  # the sample portal plants many problems: this is no empty page

    statuses = data.count_by_status()
    for status in (*OPEN_STATES, FindingState.FIXED, FindingState.IGNORED):
        shown = _int(tree, f"#summary-status-{status}")
        assert shown == statuses[status] == summary["findings_by_state"].get(status, 0), status
    assert statuses[FindingState.FIXED] == 1 and statuses[FindingState.IGNORED] == 1
    assert statuses[FindingState.STILL_OPEN] > 0  # the second run saw the first run's findings again

    by_kind = {
        n.attributes["data-kind"] or "": int(_cell(n, "td.num")) for n in tree.css("#summary-by-kind tr")
    }
    assert by_kind == summary["findings_by_kind"]
    assert {KIND_LABELS[FindingKind(k)]: v for k, v in by_kind.items()} == data.open_by_kind()

    by_severity = {
        SEVERITY_LABELS[Severity(n.attributes["data-severity"] or "")]: int(_cell(n, "td.num"))
        for n in tree.css("#summary-by-severity tr")
    }
    assert {k: v for k, v in by_severity.items() if v} == data.open_by_severity()
    assert sum(by_severity.values()) == summary["findings"]

    assert _int(tree, "#summary-pages") == data.pages == summary["pages"]
    assert _int(tree, "#summary-links") == data.link_occurrences == summary["link_occurrences"]
    assert _int(tree, "#summary-urls") == data.checked_urls == summary["checked_urls"]
    assert _int(tree, "#summary-columns") == len(data.columns) == summary["columns"]

    verdict = tree.css_first("#verdict")
    assert verdict is not None
    assert (
        verdict.attributes["data-would-fail"]
        == json.dumps(data.tally.would_fail)
        == json.dumps(doc["veto"]["would_fail"])
    )
    expected_line = HTML_TEXT["verdict_fail"] if data.tally.would_fail else HTML_TEXT["verdict_pass"]
    assert expected_line in verdict.text()

    lines = tree.css("#veto-table tr.tally-line")
    assert len(lines) == len(doc["veto"]["indicators"]) == len(data.tally.lines)
    for node, line, indicator in zip(lines, data.tally.lines, doc["veto"]["indicators"], strict=True):
        assert node.attributes["data-status"] == line.status == indicator["status"]
        assert int(node.attributes["data-count"] or -1) == line.count == indicator["count"]
        assert int(node.attributes["data-limit"] or -1) == line.limit == indicator["limit"]
        assert _cell(node, "td.indicator") == line.indicator
        # Colour alone is not enough: the verdict is also written out.
        assert {"pass": "正常", "warn": "预警", "fail": "否决"}[line.status] in node.text()

    assert _text(tree, "#run-id").startswith(HTML_TEXT["run_number"].format(n=data.run_id))
    assert _text(tree, "#as-of") == data.as_of == doc["run"]["as_of"]
    assert _text(tree, "#site-name") == data.site


def _cell(node: Node, selector: str) -> str:
    cell = node.css_first(selector)
    assert cell is not None
    return cell.text(strip=True)


def test_every_finding_appears_once_in_its_section(audited: Audited) -> None:
    data = audited.data
    tree = HTMLParser(audited.html.read_text(encoding="utf-8"))
    rows = tree.css("tr.finding-row")
    assert [r.attributes["data-key"] for r in rows] != []
    assert sorted(r.attributes["data-key"] or "" for r in rows) == sorted(r.key for r in data.rows)
    assert {f["id"] for f in audited.doc["findings"]} == {r.key for r in data.rows}

    for section in tree.css("#checklist section.severity-section"):
        severity = section.attributes["data-severity"]
        in_section = section.css("tr.finding-row")
        assert all(r.attributes["data-severity"] == severity for r in in_section)
        assert all(r.attributes["data-status"] in OPEN_STATES for r in in_section)
        assert int(section.attributes["data-count"] or -1) == len(in_section)
        # Each group heading counts the rows under it.
        for body in section.css("tbody.group"):
            heading = _cell(body, "tr.group-row")
            assert heading.endswith(f"（{len(body.css('tr.finding-row'))}）")

    fixed = tree.css("#fixed tr.finding-row")
    assert [r.attributes["data-key"] for r in fixed] == [audited.repaired_key]
    ignored = tree.css("#ignored tr.finding-row")
    assert [r.attributes["data-key"] for r in ignored] == [audited.ignored_key]
    assert IGNORE_REASON in ignored[0].text()

    # The row a webmaster acts on: where the link sits and what it says.
    dead = next(r for r in data.open_rows if r.kind is FindingKind.DEAD_LINK and r.link_text)
    node = tree.css_first(f'tr.finding-row[data-number="{dead.number}"]')
    assert node is not None
    assert dead.link_text in node.text()
    assert [a.attributes["href"] for a in node.css("a")] == [dead.url, dead.parent_page]
    assert all(a.attributes["rel"] == "noopener noreferrer" for a in node.css("a"))
    with_others = [r for r in data.open_rows if r.other_referrers]
    assert with_others, "the sample portal has links found on several pages"
    node = tree.css_first(f'tr.finding-row[data-number="{with_others[0].number}"]')
    assert node is not None
    assert HTML_TEXT["other_referrers"].format(n=with_others[0].other_referrers) in node.text()

    columns = tree.css("#columns-table tbody tr")
    assert len(columns) == len(data.columns)
    details = tree.css_first("details#columns")
    assert details is not None and "open" not in details.attributes


def test_a_long_checklist_lists_the_first_rows_of_each_kind_and_says_where_the_rest_are(
    audited: Audited,
) -> None:
    """30 000 dead links made a page no browser opens; the XLSX and CSV keep every row."""
    data = audited.data
    fixed = data.fixed_rows[0]
    extra = [dataclasses.replace(fixed, key=f"{fixed.key}-{n}", number=900 + n) for n in range(3)]
    data = dataclasses.replace(data, rows=[*data.rows, *extra])
    limit = 2
    tree = HTMLParser(render_html(data, rows_per_kind=limit))

    by_kind: dict[FindingKind, list[str]] = {}
    for row in data.open_rows:
        by_kind.setdefault(row.kind, []).append(row.key)
    cut = {kind: keys for kind, keys in by_kind.items() if len(keys) > limit}
    assert cut and len(cut) < len(by_kind), "the sample portal has kinds above and below the limit"
    listed = [r.attributes["data-key"] for r in tree.css("#checklist tr.finding-row")]
    # The first rows of each kind, in the checklist's order (grouped as the page groups them).
    assert sorted(listed, key=str) == sorted((k for keys in by_kind.values() for k in keys[:limit]), key=str)
    note = _text(tree, "#open-left-out")
    for kind, keys in by_kind.items():
        named = HTML_TEXT["left_out_kind"].format(label=KIND_LABELS[kind], total=len(keys), shown=limit)
        assert (named in note) is (kind in cut), kind
    assert "checklist.xlsx" in note and "findings.csv" in note

    # Every count on the page is of all rows, listed or not.
    for section in tree.css("#checklist section.severity-section"):
        severity = section.attributes["data-severity"]
        assert int(section.attributes["data-count"] or -1) == sum(
            1 for r in data.open_rows if r.severity.value == severity
        )
        for body in section.css("tbody.group"):
            heading = _cell(body, "tr.group-row")
            shown = len(body.css("tr.finding-row"))
            assert heading.endswith("）") and (HTML_TEXT["group_listed"].format(n=shown) in heading) is (
                f"（{shown}）" not in heading
            )
    assert _int(tree, "#summary-open-total") == len(data.open_rows)
    assert _int(tree, "#visible-count") == len(tree.css("tr.finding-row"))

    fixed_listed = tree.css("#fixed tr.finding-row")
    assert [r.attributes["data-key"] for r in fixed_listed] == [r.key for r in data.fixed_rows[:limit]]
    assert f"共 {len(data.fixed_rows)} 条" in _text(tree, "#fixed-left-out")
    assert tree.css_first("#ignored-left-out") is None  # one ignored row: nothing left out

    # Under the limit (the default, here), nothing is left out and nothing says so.
    whole = HTMLParser(audited.html.read_text(encoding="utf-8"))
    assert whole.css_first(".left-out") is None


def test_trend_chart_has_a_bar_per_run_with_the_open_total(audited: Audited) -> None:
    tree = HTMLParser(audited.html.read_text(encoding="utf-8"))
    chart = tree.css_first("svg#trend-chart")
    assert chart is not None
    assert int(chart.attributes["data-points"] or 0) == len(audited.data.trend) == 2
    totals = [int(t.attributes["data-total"] or -1) for t in chart.css("text.total")]
    assert totals == [sum(p.open_by_kind.values()) for p in audited.data.trend]
    assert totals[-1] == len(audited.data.open_rows)


def test_hostile_content_is_text_in_the_source() -> None:
    page = render_html(hostile_report())
    tree = HTMLParser(page)
    scripts = tree.css("script")
    assert len(scripts) == 1 and "src" not in scripts[0].attributes  # only the one we ship
    assert tree.css("img") == [] and tree.css("iframe") == [] and tree.css("object") == []
    assert len(tree.css("svg")) == len(tree.css("svg.chart")) + len(tree.css("svg[aria-hidden]"))
    for node in tree.css("*"):
        for name in node.attributes:
            assert not name.lower().startswith("on"), (node.tag, name)
    hrefs = [a.attributes["href"] or "" for a in tree.css("a")]
    assert hrefs and all(is_http_url(h) for h in hrefs)
    assert all(h.startswith(("http://www.example.gov.cn/", "http://x/")) for h in hrefs)
    body = tree.body
    assert body is not None
    text = body.text()
    for hostile in (*HOSTILE_TEXTS, *(u.strip() for u in HOSTILE_URLS)):
        assert hostile in text, hostile
    assert "<script>alert(1)</script>" not in page  # escaped in the markup itself


def test_csp_admits_only_the_shipped_style_and_script() -> None:
    page = render_html(hostile_report())
    tree = HTMLParser(page)
    meta = tree.css_first('meta[http-equiv="Content-Security-Policy"]')
    assert meta is not None
    policy = meta.attributes["content"] or ""
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy and "http" not in policy

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    style = tree.css_first("style")
    script = tree.css_first("script")
    assert style is not None and script is not None
    assert directives["style-src"] == [digest(style.text())]
    assert directives["script-src"] == [digest(script.text())]
    # Nothing to load: no external stylesheet, font, script or image anywhere.
    assert tree.css("link") == [] and tree.css("[src]") == []
    assert "@import" not in style.text() and "url(" not in style.text()


def test_no_chinese_words_in_templates() -> None:
    """The page's words live in labels.py; templates only hold markup and punctuation."""
    for path in TEMPLATES.iterdir():
        found = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", path.read_text(encoding="utf-8"))
        assert found == [], (path.name, found[:5])


def test_urls_become_links_only_for_http() -> None:
    assert is_http_url("http://www.example.gov.cn/")
    assert is_http_url("HTTPS://www.example.gov.cn/a?b=1")
    for url in (
        *HOSTILE_URLS[:4],
        "",
        "//evil.example/",
        "/relative.html",
        "mailto:a@b.cn",
        "http:/x",
        "http:// x",
    ):
        assert not is_http_url(url), url
    assert display_url("http://a.gov.cn/attach/%E9%80%9A%E7%9F%A5.pdf") == "http://a.gov.cn/attach/通知.pdf"
    gbk = "http://a.gov.cn/s?kw=%B9%AB%B8%E6"
    assert display_url(gbk) == gbk
    assert display_url("http://a.gov.cn/%0Aevil") == "http://a.gov.cn/%0Aevil"


def test_charts_are_drawn_for_one_point_and_for_availability() -> None:
    one = _trend_chart([TrendPoint(1, "2026-11-27 09:00", {"dead_link": 3, "empty_column": 1})], 1)
    assert one is not None and one.points == 1 and len(one.rects) == 2
    assert sum(r.h for r in one.rects) == pytest.approx(one.base_y - min(r.y for r in one.rects))
    assert one.runs[0].total == 4 and one.runs[0].current
    assert 0 < one.rects[0].x < one.width
    assert _trend_chart([], 1) is None
    many = _trend_chart([TrendPoint(i, f"2026-11-{i:02d} 09:00", {"dead_link": i}) for i in range(1, 31)], 30)
    assert many is not None and many.points == 20  # only the recent past stays readable
    assert many.rects[-1].h > many.rects[0].h

    gauge = _gauge({"ratio": 0.06, "failures": 9, "probes": 150, "days": 7})
    assert gauge is not None and gauge.failing
    assert gauge.fill_w > gauge.veto_x - gauge.track_x  # past the 5% line
    passing = _gauge({"failures": 1, "probes": 200, "days": 7})
    assert passing is not None and not passing.failing and passing.ratio == pytest.approx(0.005)
    assert gauge.veto_x == pytest.approx(gauge.track_x + gauge.track_w * AVAILABILITY_VETO / 0.10, abs=0.1)
    assert _gauge(None) is None
    # 1 failure in 7 probes on one day is over 5%, but no sample for the veto line: a warning.
    small = _gauge({"failures": 1, "probes": 7, "days": 0.5, "sample_ok": 0.0})
    assert small is not None and not small.failing and "样本不足" in small.text

    tree = HTMLParser(render_html(hostile_report()))
    assert tree.css_first("svg#availability-chart") is not None
    shown = _text(tree, "#availability-text")
    assert "2.0%" in shown and "150" in shown and HTML_TEXT["availability_pass"] in shown


def test_write_html_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "checklist.html"
    write_html(hostile_report(), target)
    first = target.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>")
    write_html(hostile_report(), target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["checklist.html"]  # no temp left
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ReportError):
        write_html(hostile_report(), blocker / "checklist.html")


# --- the browser -------------------------------------------------------------------------


class Page:
    """One headless Chromium tab (Playwright) with the checklist open, read as a person reads it."""

    # Runs before any page script; injected code is not subject to the page's CSP.
    WATCH = """
        window.__dialogs = [];
        window.__csp = [];
        for (const name of ["alert", "confirm", "prompt"]) {
            window[name] = (...args) => { window.__dialogs.push(name + ":" + args.join()); };
        }
        document.addEventListener("securitypolicyviolation",
            (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
    """

    def __init__(self, tab: PlaywrightPage) -> None:
        self.tab = tab
        self.dialogs: list[str] = []  # dialogs that got past the WATCH script (Playwright dismisses them)
        self.requests: list[str] = []  # every URL the page asked for
        tab.on("dialog", lambda dialog: self.dialogs.append(f"{dialog.type}:{dialog.message}"))
        tab.on("request", lambda request: self.requests.append(request.url))
        tab.add_init_script(self.WATCH)

    def open(self, path: Path) -> None:
        self.dialogs.clear()
        self.requests.clear()
        self.tab.goto(path.resolve().as_uri(), wait_until="load")
        assert self.js("document.documentElement.dataset.ready") == "true", "the page script did not run"

    def js(self, expression: str) -> Any:
        return self.tab.evaluate(expression)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, as a person would."""
        self.tab.locator(selector).click()

    def type_into(self, selector: str, text: str) -> None:
        self.tab.focus(selector)
        self.tab.keyboard.insert_text(text)

    def choose(self, selector: str, value: str) -> None:
        # Sets the value and sends the input and change events the <select> popup would send.
        self.tab.select_option(selector, value)

    def visible_rows(self) -> list[int]:
        """Numbers of the finding rows a person can see (laid out, not hidden)."""
        numbers: list[int] = self.js(
            "[...document.querySelectorAll('tr.finding-row')]"
            ".filter(r => r.getClientRects().length > 0).map(r => +r.dataset.number)"
        )
        return numbers

    def visible_count(self) -> int:
        return int(self.js("document.getElementById('visible-count').textContent"))


@pytest.fixture(scope="module")
def page(audited: Audited) -> Iterator[Page]:
    # The audits run first: Playwright's sync API keeps its event loop running in this thread
    # while the browser is open, and an audit's asyncio.run() cannot start under it.
    if chromium_executable() is None:
        pytest.skip(f"headless browser checks need chromium or chromium-browser on PATH ({INSTALL_HINT})")
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        yield Page(tab)


def _shown_text(row: ChecklistRow) -> str:
    """What a row shows, rebuilt from the data: the oracle for the text filter."""
    parts = [
        str(row.number),
        row.kind_label,
        row.description,
        row.column,
        display_url(row.url),
        row.link_text,
        display_url(row.parent_page),
        row.http,
        row.first_seen,
        row.last_checked,
        row.office,
        row.status_label,
        row.note,
    ]
    if row.status in OPEN_STATES:
        parts.append(row.advice)
    return " ".join(parts).lower()


def test_browser_summary_matches_report_and_json(page: Page, audited: Audited) -> None:
    page.open(audited.html)
    data, doc = audited.data, audited.doc
    shown = page.js(
        "Object.fromEntries([...document.querySelectorAll('[id^=summary-]')]"
        ".filter(e => e.children.length === 0).map(e => [e.id, e.innerText.trim()]))"
    )
    assert int(shown["summary-open-total"]) == len(data.open_rows) == doc["summary"]["findings"]
    for status, count in data.count_by_status().items():
        assert (
            int(shown[f"summary-status-{status}"])
            == count
            == doc["summary"]["findings_by_state"].get(status, 0)
        )
    for kind, count in doc["summary"]["findings_by_kind"].items():
        assert int(shown[f"summary-kind-{kind}"]) == count
    assert int(shown["summary-pages"]) == data.pages == doc["summary"]["pages"]
    assert int(shown["summary-urls"]) == doc["summary"]["checked_urls"]
    verdict = page.js("document.getElementById('verdict').innerText")
    assert (HTML_TEXT["verdict_fail"] if doc["veto"]["would_fail"] else HTML_TEXT["verdict_pass"]) in verdict
    # Colour and words together: the failing verdict is red on screen.
    colour = page.js("getComputedStyle(document.querySelector('#verdict .verdict-line')).color")
    assert colour == ("rgb(180, 35, 24)" if data.tally.would_fail else "rgb(6, 118, 71)")
    assert page.js("document.querySelector('details#columns').open") is False
    assert page.visible_count() == len(data.rows) == len(page.visible_rows())
    assert page.js("window.__csp") == [] and page.js("window.__dialogs") == []


def test_browser_filters_reduce_rows(page: Page, audited: Audited) -> None:
    page.open(audited.html)
    rows = audited.data.rows
    by_number = {r.number: r for r in rows}

    # A column name an office would type: matches its own rows and any that mention it.
    term = next(r.column for r in rows if r.column)
    page.type_into("#filter-text", term)
    expected = sorted(r.number for r in rows if term.lower() in _shown_text(r))
    assert 0 < len(expected) < len(rows)
    assert sorted(page.visible_rows()) == expected
    assert page.visible_count() == len(expected)

    page.click("#filter-reset")
    assert page.visible_count() == len(rows)

    kind = FindingKind.DEAD_LINK.value
    page.choose("#filter-kind", kind)
    expected = sorted(r.number for r in rows if r.kind.value == kind)
    assert 0 < len(expected) < len(rows)
    assert sorted(page.visible_rows()) == expected
    assert page.visible_count() == len(expected)
    # Group headings with nothing left under them disappear with their rows.
    assert page.js(
        "[...document.querySelectorAll('tbody.group')].every(b =>"
        " (b.querySelector('tr.group-row')?.getClientRects().length > 0) ==="
        " !!b.querySelector('tr.finding-row:not([hidden])') || !b.querySelector('tr.group-row'))"
    )

    # Text and kind together narrow further: a link text that only one dead link has.
    target = next(
        r
        for r in rows
        if r.kind.value == kind
        and r.link_text
        and sum(r.link_text.lower() in _shown_text(o) for o in rows) == 1
    )
    page.type_into("#filter-text", target.link_text)
    assert page.visible_rows() == [target.number]
    assert page.visible_count() == 1
    assert by_number[target.number].link_text in page.js(
        "document.querySelector('tr.finding-row:not([hidden])').innerText"
    )

    page.click("#filter-reset")
    page.choose("#filter-status", FindingState.FIXED)
    assert page.visible_rows() == [r.number for r in rows if r.status == FindingState.FIXED]
    page.choose("#filter-status", FindingState.STILL_OPEN)
    assert sorted(page.visible_rows()) == sorted(
        r.number for r in rows if r.status == FindingState.STILL_OPEN
    )
    page.type_into("#filter-text", "没有这样的问题zzz")
    assert page.visible_count() == 0 and page.visible_rows() == []
    assert page.js("[...document.querySelectorAll('.no-match')].some(n => n.getClientRects().length > 0)")


def test_browser_sorting_by_a_header(page: Page, audited: Audited) -> None:
    page.open(audited.html)
    table = "#severity-deduction table.findings"
    numbers = f"[...document.querySelectorAll('{table} tbody.group')].map(b => [...b.querySelectorAll('tr.finding-row')].map(r => +r.dataset.number))"
    before = page.js(numbers)
    assert sum(len(g) for g in before) > 5

    page.click(f"{table} thead th:nth-child(1) button")  # 序号
    ascending = page.js(numbers)
    assert all(g == sorted(g) for g in ascending)
    assert (
        page.js(f"document.querySelector('{table} thead th:nth-child(1)').getAttribute('aria-sort')")
        == "ascending"
    )
    page.click(f"{table} thead th:nth-child(1) button")
    descending = page.js(numbers)
    assert all(g == sorted(g, reverse=True) for g in descending)
    assert any(len(g) > 1 for g in descending) and descending != ascending
    # Sorting keeps every row in its own group.
    assert [sorted(g) for g in descending] == [sorted(g) for g in before]

    page.js("document.querySelector('details#columns').open = true")
    items = "[...document.querySelectorAll('#columns-table tbody tr')].map(r => +r.children[2].innerText)"
    page.click("#columns-table thead th:nth-child(3) button")  # 信息条数
    up = page.js(items)
    assert up == sorted(up) and len(set(up)) > 1
    page.click("#columns-table thead th:nth-child(3) button")
    assert page.js(items) == sorted(up, reverse=True)
    names = "[...document.querySelectorAll('#columns-table tbody tr')].map(r => r.children[0].innerText)"
    page.click("#columns-table thead th:nth-child(1) button")  # 栏目名称
    first = page.js(names)
    page.click("#columns-table thead th:nth-child(1) button")
    assert page.js(names) == first[::-1]
    assert sorted(first) == sorted(c.name for c in audited.data.columns)


def test_browser_hostile_content_runs_nothing(page: Page, tmp_path: Path) -> None:
    html = tmp_path / "checklist.html"
    write_html(hostile_report(), html)
    page.open(html)
    text = page.js("document.body.innerText")
    for hostile in (*HOSTILE_TEXTS, *(u.strip() for u in HOSTILE_URLS)):
        assert hostile in text, hostile
    assert page.js("document.querySelectorAll('img[src=x], img, iframe, object, embed').length") == 0
    assert page.js("document.querySelectorAll('script').length") == 1
    assert page.js("document.querySelectorAll('a[href]:not([href^=\"http\"])').length") == 0
    assert page.js("typeof window.__pwned") == "undefined"
    assert page.js("window.__dialogs") == []
    assert page.dialogs == []
    assert page.js("window.__csp") == []  # our style and script are admitted by their hashes
    assert page.js("getComputedStyle(document.querySelector('.verdict')).borderLeftWidth") == "12px"
    # Offline: the page asked for nothing but itself.
    assert page.requests == [html.resolve().as_uri()]
    # The filters still work with hostile text in the rows.
    page.type_into("#filter-text", "<script>")
    assert page.visible_count() == len([r for r in hostile_report().rows if "<script>" in _shown_text(r)])


def test_browser_print_layout(page: Page, audited: Audited) -> None:
    page.open(audited.html)
    page.tab.emulate_media(media="print")
    try:
        assert page.js("getComputedStyle(document.getElementById('filters')).display") == "none"
        assert (
            page.js("getComputedStyle(document.querySelector('table.findings thead')).display")
            == "table-header-group"
        )
        assert page.js("getComputedStyle(document.getElementById('checklist')).breakBefore") == "page"
    finally:
        page.tab.emulate_media(media="null")
    pdf = page.tab.pdf(prefer_css_page_size=True, print_background=True)
    boxes = {
        tuple(round(float(v)) for v in m.groups())
        for m in re.finditer(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    }
    assert boxes == {(842, 595)}  # A4 landscape, in points
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 3  # summary, checklist and the closing sections each start a page
