"""Issue 13, the judge's part: Chinese reasons, 所在栏目 and 责任科室 on every link finding, one
finding per placeholder menu entry, and the home-page window at its boundary.

Facts are written through RunWriter as a crawl would have stored them (list pages analysed by
the crawler's own ``analyse_page``), then judged: no network, no crawl.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from sitecheck.config import AuditConfig, config_from_mapping
from sitecheck.extract.page import PageInput, analyse_page
from sitecheck.judge import JudgeContext, Judgement, judge
from sitecheck.judge.categories import load_column_rules
from sitecheck.judge.explain import explain, timeout_of
from sitecheck.judge.home import home_rule
from sitecheck.models import (
    FetchResult,
    Finding,
    FindingKind,
    LinkRef,
    LinkSpecial,
    Outcome,
    RunStatus,
    Severity,
    TallyLevel,
    TargetKind,
)
from sitecheck.store import Store

HOME = "http://www.example.gov.cn/"
DAY = date(2026, 6, 15)
LINK_KINDS = {
    FindingKind.DEAD_LINK,
    FindingKind.DEAD_LINK_HOME,
    FindingKind.UNVERIFIED_LINK,
    FindingKind.UNAVAILABLE_LINK,
}
# English a user would read: two ASCII letters in a row (URLs are not in these texts).
ENGLISH = re.compile(r"[A-Za-z]{2,}")


ARTICLE = "<p>" + "为进一步做好重点项目申报工作，现将有关事项通知如下。" * 8 + "</p>"


def page(title: str, content: str, nav: str = "") -> str:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}_示例市发展和改革委员会</title></head><body>'
        f'<div class="header"><ul class="nav"><li><a href="/index.html">首页</a></li>'
        f'<li><a href="/gzdt/index.html">工作动态</a></li>{nav}</ul></div>'
        f'<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="./">{title}</a></div>'
        f'<div class="main">{content}</div><div class="footer">主办单位：示例市发展和改革委员会</div></body></html>'
    )


def rows(dates: list[date], folder: str = "") -> str:
    lines = []
    for n, day in enumerate(dates):
        compact = day.strftime("%Y%m%d")
        lines.append(
            f'<li><a href="{folder}{compact[:6]}/t{compact}_{n}.html">关于做好第{n}批重点项目申报工作的通知</a>'
            f"<span>{day.isoformat()}</span></li>"
        )
    return '<ul class="news-list">' + "".join(lines) + "</ul>"


def crawl(
    store: Store,
    pages: dict[str, str],
    *,
    dead: dict[str, list[tuple[str, Outcome, int | None, str]]] | None = None,
    placeholders: list[tuple[str, str]] = (),  # type: ignore[assignment]
    config: AuditConfig | None = None,
) -> int:
    """A crawled run: ``pages`` (path -> HTML, "" the home page), the failed links each page
    carries (path -> [(url, outcome, status, error)]), placeholder nav entries on the home page."""
    settings = json.dumps({"fetch": {"timeout": (config or AuditConfig()).fetch.timeout}})
    run_id = store.create_run("示例", HOME, settings, "test", DAY)
    writer = store.writer(run_id)
    with writer.transaction():
        writer.home_url(HOME)
        ids: dict[str, int] = {}
        for depth, (path, html) in enumerate(pages.items()):
            url = HOME + path
            target, _ = writer.add_target(url, url, TargetKind.PAGE, min(depth, 1))
            ids[path] = target
            writer.check(target, FetchResult(url, Outcome.OK, 200, content_type="text/html"))
            output = analyse_page(PageInput(html.encode(), url, "utf-8", path == "", DAY, (), 0))
            writer.page(target, output.facts.title, "utf-8", "http", 0, False)
            listing = output.listing
            if listing is not None and (listing.is_listing or path == "" or listing.may_be_column):
                writer.listing(target, listing, listing.items, is_home=path == "", observed_on=DAY)
        for path, links in (dead or {}).items():
            refs = []
            for url, outcome, status, error in links:
                target, _ = writer.add_target(url, url, TargetKind.RESOURCE, 2)
                writer.check(target, FetchResult(url, outcome, status, error=error))
                refs.append((target, LinkRef(raw=url, url=url, element="a", attribute="href", text="附件")))
            writer.links(ids[path], refs)
        nav = [
            (
                None,
                LinkRef(
                    raw=raw,
                    url=None,
                    element="a",
                    attribute="href",
                    text=text,
                    special=LinkSpecial.PLACEHOLDER,
                    in_nav=True,
                ),
            )
            for text, raw in placeholders
        ]
        if nav:
            writer.links(ids[""], nav)
        writer.status(RunStatus.CRAWLED)
    return run_id


def judged(
    tmp_path: Path, pages: dict[str, str], config: AuditConfig | None = None, **facts: object
) -> Judgement:
    config = config or AuditConfig()
    store = Store(tmp_path)
    try:
        run_id = crawl(store, pages, config=config, **facts)  # type: ignore[arg-type]
        stored = store.facts(run_id)
        context = JudgeContext(
            as_of=DAY,
            rules=load_column_rules(config),
            scope=config.replace("site", start_url=HOME).crawl_scope(),
        )
        return judge(stored, context, store.history(stored.run))
    finally:
        store.close()


def of_kind(judgement: Judgement, *kinds: FindingKind) -> list[Finding]:
    return [f for f in judgement.findings if f.kind in kinds]


# -- 1. Chinese reasons ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "status", "error", "expected"),
    [
        (
            Outcome.CONNECTION_ERROR,
            None,
            "ConnectionRefused: ConnectError: [Errno 111] Connection refused",
            "连接被拒绝",
        ),
        (Outcome.CONNECTION_ERROR, None, "ReadError: Connection reset by peer", "连接被对方服务器中断"),
        (Outcome.TIMEOUT, None, "TimeoutError: ", "连接超时（15 秒内无响应）"),
        (Outcome.DNS_ERROR, None, "ConnectError: [Errno -2] Name or service not known", "域名无法解析"),
        (
            Outcome.TLS_ERROR,
            None,
            "ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate has expired",
            "证书已过期",
        ),
        (Outcome.TLS_ERROR, None, "ConnectError: something new", "证书无效或加密连接失败"),
        (Outcome.SOFT_404, 200, "page says '页面不存在'", "页面显示“页面不存在”"),
        (Outcome.BLOCKED, 412, "anti-bot challenge", "对方网站的反爬虫验证页"),
        (Outcome.RATE_LIMITED, 429, "Retry-After 3600s", "3600 秒后再访问"),
        (Outcome.ROBOTS_DISALLOWED, None, "robots.txt", "robots.txt 不允许"),
        (
            Outcome.REDIRECT_ERROR,
            302,
            "TooManyRedirects: Exceeded maximum allowed redirects.",
            "重定向次数过多",
        ),
        (Outcome.REDIRECT_ERROR, 302, "重定向超过 10 次（过多或循环）", "重定向超过 10 次（过多或循环）"),
        (Outcome.NOT_FOUND, 404, "", ""),
    ],
)
def test_reasons_are_chinese(outcome: Outcome, status: int | None, error: str, expected: str) -> None:
    said = explain(outcome, status, error)
    assert expected in said
    assert not ENGLISH.search(said.replace("robots.txt", "").replace("HTTPS", ""))


def test_the_timeout_said_is_the_runs_own() -> None:
    assert timeout_of(json.dumps({"fetch": {"timeout": 2.0}})) == 2.0
    assert timeout_of("{}") == 15.0 and timeout_of("not json") == 15.0
    assert explain(Outcome.TIMEOUT, None, "", 2.0) == "连接超时（2 秒内无响应）"


def test_link_findings_read_chinese_and_keep_the_raw_error_in_the_store(tmp_path: Path) -> None:
    pages = {"": page("首页", rows([DAY]))}
    dead = {
        "": [
            (
                "http://other.example/",
                Outcome.CONNECTION_ERROR,
                None,
                "ConnectionRefused: ConnectError: [Errno 111] Connection refused",
            ),
            ("http://slow.example/", Outcome.TIMEOUT, None, "TimeoutError: "),
            ("http://waf.example/", Outcome.BLOCKED, 412, "anti-bot challenge"),
            (HOME + "gone.html", Outcome.SOFT_404, 200, "page says '页面不存在'"),
        ]
    }
    judgement = judged(tmp_path, pages, dead=dead)
    details = {f.url: f.detail for f in of_kind(judgement, *LINK_KINDS)}
    assert details == {
        "http://other.example/": "连接被拒绝（对方服务器没有在该端口提供服务）",
        "http://slow.example/": "连接超时（15 秒内无响应）",
        "http://waf.example/": "对方网站的反爬虫验证页（人机验证），自动检查无法通过",
        HOME + "gone.html": "页面显示“页面不存在”，实际是错误页",
    }
    store = Store(tmp_path)
    try:
        run = store.latest_run()
        assert run is not None
        errors = {link.error for link in store.facts(run.id).checked_links([Outcome.CONNECTION_ERROR])}
    finally:
        store.close()
    assert errors == {"ConnectionRefused: ConnectError: [Errno 111] Connection refused"}  # the raw fact


# -- 2. 所在栏目 and 责任科室 --------------------------------------------------------------------------
def _portal() -> dict[str, str]:
    recent = [DAY - timedelta(days=n) for n in (1, 3)]
    return {
        "": page("首页", rows(recent, "gzdt/")),
        "gzdt/index.html": page("工作动态", rows(recent)),
        # An article the list links to, and one only its address places (not on the list page).
        f"gzdt/{recent[0]:%Y%m}/t{recent[0]:%Y%m%d}_0.html": page("工作动态", ARTICLE),
        "gzdt/201901/t20190101_9.html": page("工作动态", ARTICLE),
        "about/other.html": page("其他", ARTICLE),
    }


def test_every_dead_link_has_its_column_and_office(tmp_path: Path) -> None:
    portal = _portal()
    listed, by_address = list(portal)[2], list(portal)[3]
    dead = {
        "": [(HOME + "home-dead.pdf", Outcome.NOT_FOUND, 404, "")],
        listed: [(HOME + "listed-dead.pdf", Outcome.NOT_FOUND, 404, "")],
        by_address: [(HOME + "nested-dead.pdf", Outcome.NOT_FOUND, 404, "")],
        "about/other.html": [
            (HOME + "stray-dead.pdf", Outcome.NOT_FOUND, 404, ""),
            ("http://waf.example/", Outcome.BLOCKED, 412, "anti-bot challenge"),
        ],
    }
    config = AuditConfig().replace("site", office="办公室")
    judgement = judged(tmp_path, portal, config, dead=dead)
    placed = {f.url.removeprefix(HOME): (f.kind, f.column, f.office) for f in of_kind(judgement, *LINK_KINDS)}
    assert placed == {
        "home-dead.pdf": (FindingKind.DEAD_LINK_HOME, "首页", "办公室"),
        "listed-dead.pdf": (FindingKind.DEAD_LINK, "工作动态", "办公室"),
        "nested-dead.pdf": (FindingKind.DEAD_LINK, "工作动态", "办公室"),
        "stray-dead.pdf": (FindingKind.DEAD_LINK, "", "办公室"),  # no column: the site's office
        "http://waf.example/": (FindingKind.UNVERIFIED_LINK, "", "办公室"),
    }


def test_a_columns_own_office_wins_over_the_site_default(tmp_path: Path) -> None:
    portal = _portal()
    listed = list(portal)[2]
    config = config_from_mapping(
        {"site": {"office": "办公室"}, "columns": [{"match_name": "工作动态", "office": "综合科"}]},
        "portal.toml",
    )
    judgement = judged(
        tmp_path, portal, config, dead={listed: [(HOME + "x.pdf", Outcome.NOT_FOUND, 404, "")]}
    )
    [dead] = of_kind(judgement, FindingKind.DEAD_LINK)
    assert (dead.column, dead.office) == ("工作动态", "综合科")


# -- 3. one problem, one finding ----------------------------------------------------------------
def test_a_placeholder_menu_entry_is_one_empty_column_counted_once(tmp_path: Path) -> None:
    portal = _portal()
    judgement = judged(
        tmp_path,
        portal,
        placeholders=[("互动交流", "#"), ("数据发布", "javascript:alert('该栏目正在建设中');")],
    )
    empty = of_kind(judgement, FindingKind.EMPTY_COLUMN)
    assert sorted(f.column for f in empty) == ["互动交流", "数据发布"]
    assert of_kind(judgement, FindingKind.UNAVAILABLE_LINK) == []
    [line] = [line for line in judgement.tally.lines if line.key == "empty_columns"]
    assert line.count == 2


def test_a_hash_entry_to_a_column_with_content_is_a_broken_entry_not_an_empty_column(tmp_path: Path) -> None:
    judgement = judged(tmp_path, _portal(), placeholders=[("工作动态", "#"), ("", "#")])
    assert of_kind(judgement, FindingKind.EMPTY_COLUMN) == []
    entries = of_kind(judgement, FindingKind.UNAVAILABLE_LINK)
    assert sorted(f.referrers[0].text for f in entries) == ["", "工作动态"]
    assert all(f.column == "首页" for f in entries)  # the menu is on the home page


# -- 4. the home-page window, at its boundary -------------------------------------------------------
def _home_with_newest(age: int) -> dict[str, str]:
    return {"": page("首页", rows([DAY - timedelta(days=age), DAY - timedelta(days=age + 30)]))}


@pytest.mark.parametrize(
    ("age", "kind", "recent"),
    [
        (13, FindingKind.STALE_COLUMN_WARNING, 1),
        (14, FindingKind.STALE_COLUMN_WARNING, 1),  # dated exactly 14 days ago: inside "14 天内"
        (15, FindingKind.HOME_NOT_UPDATED, 0),  # 15 days: the line is crossed
    ],
)
def test_the_home_window_boundary(tmp_path: Path, age: int, kind: FindingKind, recent: int) -> None:
    judgement = judged(tmp_path, _home_with_newest(age))
    assert judgement.home is not None and judgement.home.recent_items == recent
    home_kinds = {f.kind for f in judgement.findings if f.url == HOME}
    assert kind in home_kinds
    assert (FindingKind.HOME_NOT_UPDATED in home_kinds) == (age >= 15)
    [few] = of_kind(judgement, FindingKind.HOME_FEW_UPDATES)
    assert f"首页栏目 14 天内（检查日前 14 天至检查日）新增信息 {recent} 条" in few.detail
    [line] = [line for line in judgement.tally.lines if line.key == "home_not_updated"]
    assert (line.count, line.limit) == (age, 15)
    assert (line.status is TallyLevel.FAIL) == (age >= 15)


def test_one_wording_of_the_home_rule_everywhere(tmp_path: Path) -> None:
    rule = home_rule(14)
    assert rule == "首页栏目 14 天内无新增信息（最新信息距检查日满 15 天）即单项否决"
    warned = judged(tmp_path / "a", _home_with_newest(12))
    [warning] = [f for f in warned.findings if f.kind is FindingKind.STALE_COLUMN_WARNING and f.url == HOME]
    assert rule in warning.detail and "再过 3 天" in warning.detail and "满 14 天" not in warning.detail
    failed = judged(tmp_path / "b", _home_with_newest(20))
    [veto] = of_kind(failed, FindingKind.HOME_NOT_UPDATED)
    assert rule in veto.detail and veto.severity is Severity.VETO and veto.column == "首页"
    [line] = [line for line in failed.tally.lines if line.key == "home_not_updated"]
    assert line.indicator == "首页不更新（首页栏目 14 天内无新增信息，即最新信息距检查日满 15 天）"


def test_home_dates_read_from_urls_only_are_to_verify_in_the_tally_too(tmp_path: Path) -> None:
    old = DAY - timedelta(days=40)
    links = "".join(
        f'<li><a href="/gzdt/{old:%Y%m}/t{old:%Y%m%d}_{n}.html">关于做好第{n}批重点项目申报工作的通知</a></li>'
        for n in range(3)
    )
    judgement = judged(tmp_path, {"": page("首页", f'<ul class="news-list">{links}</ul>')})
    assert of_kind(judgement, FindingKind.HOME_NOT_UPDATED) == []
    [line] = [line for line in judgement.tally.lines if line.key == "home_not_updated"]
    if judgement.home is not None and judgement.home.newest is not None:
        assert line.note == "待核实" and line.status is TallyLevel.WARN
