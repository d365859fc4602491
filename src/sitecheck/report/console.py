"""Plain-text report for the terminal: summary, veto tally, the first findings, the column tree.

Every line goes through :func:`sitecheck.report.text.clean_line` (URLs through ``clean_url``
first): a link text from a crawled page cannot reverse the words after it (U+202E), repaint the
terminal (escape sequences) or break the one-finding-per-line layout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sitecheck.judge.columns import Column, is_home_word
from sitecheck.judge.home import home_rule
from sitecheck.models import Finding, FindingKind, FindingState, Severity
from sitecheck.report.checklist import RunSummary
from sitecheck.report.labels import (
    CATEGORY_LABELS,
    COLUMN_STATUS_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    STATE_LABELS,
)
from sitecheck.report.text import clean_line, clean_url

Echo = Callable[[str], None]
_MARK = {"pass": "✓", "warn": "！", "fail": "✗"}
_SHOWN_FINDINGS = 20


def safe_echo(echo: Echo) -> Echo:
    """``echo`` for lines that may hold crawled text: each line through clean_line first."""

    def echo_clean(line: str) -> None:
        echo(clean_line(line))

    return echo_clean


# How a column's category was decided, as ``sitecheck columns`` says it.
_CATEGORY_SOURCES = {
    "config": "配置文件",
    "meta": "页面栏目类型标签",
    "name": "栏目名称",
    "parent": "上级栏目名称",
    "default": "未匹配，默认",
}


def _category_source(source: str) -> str:
    """``name+config`` → 栏目名称，时限按配置文件."""
    base, _, extra = source.partition("+")
    said = _CATEGORY_SOURCES.get(base, base)
    return f"{said}，时限按配置文件" if extra == "config" else said


def print_tally(summary: RunSummary, echo: Echo) -> None:
    echo = safe_echo(echo)
    echo("国家检查单项否决指标（国办秘函〔2019〕19号）：")
    home = summary.home
    for line in summary.tally.lines:
        if line.key == "home_not_updated" and home is not None and home.days_since is None:
            count = f"首页没有读到带发布日期的信息（否决线 {line.limit} {line.unit}）"
        else:
            count = f"{line.count} {line.unit}（否决线 {line.limit} {line.unit}）"
        if line.note:
            count += f"，{line.note}，不计为否决"
        echo(f"  {_MARK[line.status]} {line.indicator}：{count}")
    if summary.tally.would_fail:
        echo("结论：按本次检查结果，网站将因单项否决被判为不合格。")
    else:
        echo("结论：本次检查未触及单项否决线。")


def state_line(summary: RunSummary) -> str:
    """未整改 N（新发现 a、再次出现 b）、已整改 M、已忽略 K: what the heading of a run says.

    Counted from the findings themselves, so the open count is never the total: fixed and
    ignored problems are reported as such, not as problems still to rectify.
    """
    states = Counter(str(f.state) for f in summary.findings)
    open_count = len(summary.open_findings)
    parts = [
        f"{STATE_LABELS[s]} {states[s]}"
        for s in (FindingState.NEW, FindingState.REOPENED)
        if states[s] and states[s] != open_count
    ]
    head = f"未整改 {open_count} 个" + (f"（其中{'、'.join(parts)}）" if parts else "")
    return f"{head}、已整改 {states[FindingState.FIXED]} 个、已忽略 {states[FindingState.IGNORED]} 个"


def _finding_line(finding: Finding) -> str:
    if finding.outcome is not None:
        what = OUTCOME_LABELS[finding.outcome]
        if finding.detail:
            what = f"{what}：{finding.detail}"
        where = finding.referrers[0] if finding.referrers else None
        text = f"「{where.text}」" if where and where.text else ""
        page = f" ← {clean_url(where.page)}" if where else ""
        return f"  - {KIND_LABELS[finding.kind]} {clean_url(finding.url)} {text}{what}{page}"
    if finding.kind is FindingKind.UNAVAILABLE_LINK:
        text = finding.referrers[0].text if finding.referrers else ""
        return f"  - {KIND_LABELS[finding.kind]}「{text}」（{finding.detail}） ← {clean_url(finding.url)}"
    return f"  - {finding.detail}  {clean_url(finding.url)}"


def print_findings(summary: RunSummary, echo: Echo) -> None:
    """The open problems, by type then the first of them; fixed and ignored ones only counted."""
    echo = safe_echo(echo)
    open_findings = summary.open_findings
    if not summary.findings:
        echo("未发现问题。")
        return
    echo(f"问题：{state_line(summary)}")
    if not open_findings:
        echo("没有待整改的问题。")
        return
    counts = Counter(f.kind for f in open_findings)
    for kind in FindingKind:
        if counts[kind]:
            echo(f"  {KIND_LABELS[kind]}：{counts[kind]}")
    serious = [f for f in open_findings if f.severity is not Severity.WARNING]
    for finding in serious[:_SHOWN_FINDINGS]:
        echo(_finding_line(finding))
    if len(serious) > _SHOWN_FINDINGS:
        echo(f"  … 另有 {len(serious) - _SHOWN_FINDINGS} 项，详见 JSON 或报告")


def _column_line(column: Column) -> str:
    newest = f"最新 {column.newest}（{column.days_since} 天前）" if column.newest else "无日期"
    limit = f"时限 {column.limit_days} 天" if column.limit_days is not None else "豁免"
    source = _category_source(column.category_source)
    return (
        f"{column.name}  [{CATEGORY_LABELS[column.category]}，依据{source}；"
        f"{limit}]  {column.item_count} 条  {newest}  {COLUMN_STATUS_LABELS[column.status]}  "
        f"{clean_url(column.url)}"
    )


def print_columns(summary: RunSummary, echo: Echo) -> None:
    echo = safe_echo(echo)
    # The home page is no column: it has its own rule (首页不更新), shown on its own line below,
    # never a category limit. A column named like the home page is the home page elsewhere.
    columns = [c for c in summary.columns if not is_home_word(c.name)]
    echo(f"栏目（运行 {summary.run.id}，检查日 {summary.as_of}）：共 {len(columns)} 个")
    by_parent: dict[str | None, list[Column]] = {}
    names = {c.name for c in columns}
    for column in columns:
        parent = column.parent if column.parent and not is_home_word(column.parent) else None
        by_parent.setdefault(parent, []).append(column)

    def show(column: Column, depth: int) -> None:
        echo("  " * depth + ("└ " if depth else "") + _column_line(column))
        for child in by_parent.get(column.name, []):
            if child is not column:
                show(child, depth + 1)

    for column in by_parent.get(None, []):
        show(column, 0)
    # Parents known only from breadcrumbs (navigation pages, not lists themselves).
    for parent, children in by_parent.items():
        if parent is not None and parent not in names:
            echo(f"{parent}  [导航页]")
            for child in children:
                show(child, 1)
    if summary.home is not None:
        home = summary.home
        newest = "没有读到带发布日期的信息"
        if home.newest:
            newest = f"最新 {home.newest}（{home.days_since} 天前）"
        recent = f"{home.window_days} 天内新增 {home.recent_items} 条"
        said = f"{len(home.items)} 条信息，{newest}，{recent}"
        echo(f"首页（不计入栏目，单独判断）：{said}  {clean_url(home.url)}")
        echo(f"  规则：{home_rule(home.window_days)}")
