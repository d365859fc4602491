"""The terminal summary tells the truth: open problems only, with 未整改/已整改/已忽略 counts;
the home page apart from the columns; the veto tally in the home rule's one wording."""

from __future__ import annotations

from datetime import date

from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.judge.home import home_rule
from sitecheck.judge.veto import TallyLine, VetoTally
from sitecheck.models import (
    ColumnCategory,
    ColumnStatus,
    Finding,
    FindingKind,
    FindingState,
    Outcome,
    Referrer,
    RunRecord,
    Severity,
)
from sitecheck.report.checklist import RunSummary
from sitecheck.report.console import print_columns, print_findings, print_tally, state_line

HOME = "http://www.example.gov.cn/"
RUN = RunRecord(2, "示例", HOME, HOME, "2026-12-04T09:00:00+00:00", None, "finished", "{}", "2026-12-04")


def _dead(n: int, state: FindingState) -> Finding:
    return Finding(
        key=f"dead_link:{n:016x}",
        kind=FindingKind.DEAD_LINK,
        severity=Severity.DEDUCTION,
        url=f"{HOME}gone{n}.html",
        outcome=Outcome.NOT_FOUND,
        status=404,
        referrers=(Referrer(HOME + "gzdt/a.html", "a", "href", f"链接{n}", f"gone{n}.html"),),
        column="工作动态",
        office="办公室",
        state=state,
    )


def _summary(findings: list[Finding], **extra: object) -> RunSummary:
    tally = VetoTally((TallyLine("空白栏目", 0, 5, 3, key="empty_columns"),))
    fields: dict[str, object] = {"columns": [], "home": None, "tally": tally} | extra
    return RunSummary(RUN, date(2026, 12, 4), 10, 50, 40, {}, findings, **fields)  # type: ignore[arg-type]


def _lines(printer: object, summary: RunSummary) -> list[str]:
    out: list[str] = []
    printer(summary, out.append)  # type: ignore[operator]
    return out


def test_after_a_recheck_fixed_and_ignored_are_counted_not_listed() -> None:
    findings = [
        *(_dead(n, FindingState.STILL_OPEN) for n in range(3)),
        _dead(10, FindingState.FIXED),
        _dead(11, FindingState.FIXED),
        _dead(12, FindingState.IGNORED),
    ]
    lines = _lines(print_findings, _summary(findings))
    assert lines[0] == "问题：未整改 3 个、已整改 2 个、已忽略 1 个"
    assert "  其他页面不可用链接：3" in lines
    listed = [line for line in lines if line.startswith("  - ")]
    assert len(listed) == 3
    assert not any(f"gone{n}.html" in "".join(listed) for n in (10, 11, 12))


def test_new_and_reopened_are_said_within_the_open_count() -> None:
    findings = [
        _dead(1, FindingState.NEW),
        _dead(2, FindingState.REOPENED),
        _dead(3, FindingState.STILL_OPEN),
    ]
    assert (
        state_line(_summary(findings)) == "未整改 3 个（其中新发现 1、再次出现 1）、已整改 0 个、已忽略 0 个"
    )


def test_everything_fixed_says_nothing_is_left() -> None:
    lines = _lines(print_findings, _summary([_dead(1, FindingState.FIXED)]))
    assert lines == ["问题：未整改 0 个、已整改 1 个、已忽略 0 个", "没有待整改的问题。"]


def test_a_link_line_says_the_reason_in_chinese() -> None:
    finding = Finding(
        key="dead_link:1",
        kind=FindingKind.DEAD_LINK,
        severity=Severity.DEDUCTION,
        url="http://other.example/",
        outcome=Outcome.CONNECTION_ERROR,
        detail="连接被拒绝（对方服务器没有在该端口提供服务）",
    )
    [line] = [line for line in _lines(print_findings, _summary([finding])) if line.startswith("  - ")]
    assert "无法连接（拒绝或中断）：连接被拒绝" in line


def _column(name: str) -> Column:
    return Column(
        url=f"{HOME}gzdt/index.html",
        name=name,
        name_source="meta",
        category=ColumnCategory.DYNAMIC,
        category_source="name",
        limit_days=14,
        warn_days=10,
        office="办公室",
        parent=None,
        level=1,
        pages=(f"{HOME}gzdt/index.html",),
        item_count=8,
        text_dated=8,
        url_dated=0,
        newest=date(2026, 12, 1),
        total_records=None,
        placeholder=None,
        cms="trs",
        column_type_meta=None,
        status=ColumnStatus.OK,
        days_since=3,
    )


def test_columns_list_the_home_page_apart_with_its_own_rule() -> None:
    home = HomeFacts(HOME, (), date(2026, 11, 20), 14, 9)
    summary = _summary([], columns=[_column("工作动态"), _column("首页")], home=home)
    lines = _lines(print_columns, summary)
    assert lines[0].endswith("共 1 个")
    assert not any(line.startswith("首页  [") for line in lines)
    assert "工作动态  [动态要闻类，依据栏目名称；时限 14 天]" in lines[1]
    assert lines[-2].startswith(
        "首页（不计入栏目，单独判断）：0 条信息，最新 2026-11-20（14 天前），14 天内新增 9 条"
    )
    assert lines[-1] == f"  规则：{home_rule(14)}"


def test_the_tally_says_when_a_count_past_the_line_is_not_a_veto() -> None:
    line = TallyLine(
        f"首页不更新（最新信息距检查日天数；{home_rule(14)}）", 40, 15, 10, "天", "home_not_updated", "待核实"
    )
    home = HomeFacts(HOME, (), date(2026, 10, 25), 40, 0)
    lines = _lines(print_tally, _summary([], tally=VetoTally((line,)), home=home))
    assert lines[1] == f"  ！ {line.indicator}：40 天（否决线 15 天），待核实，不计为否决"
    assert lines[-1] == "结论：本次检查未触及单项否决线。"
