"""Plain-text report for the terminal: summary, veto tally, the first findings, the column tree.

Every line goes through :func:`sitecheck.report.text.clean_line` (URLs through ``clean_url``
first): a link text from a crawled page cannot reverse the words after it (U+202E), repaint the
terminal (escape sequences) or break the one-finding-per-line layout.
"""

from __future__ import annotations

from collections.abc import Callable

from sitecheck.judge.columns import Column
from sitecheck.models import FindingKind, Severity
from sitecheck.report.checklist import RunSummary
from sitecheck.report.labels import CATEGORY_LABELS, COLUMN_STATUS_LABELS, KIND_LABELS, OUTCOME_LABELS
from sitecheck.report.text import clean_line, clean_url

Echo = Callable[[str], None]
_MARK = {"pass": "✓", "warn": "！", "fail": "✗"}
_SHOWN_FINDINGS = 20


def safe_echo(echo: Echo) -> Echo:
    """``echo`` for lines that may hold crawled text: each line through clean_line first."""

    def echo_clean(line: str) -> None:
        echo(clean_line(line))

    return echo_clean


def print_tally(summary: RunSummary, echo: Echo) -> None:
    echo = safe_echo(echo)
    echo("国家检查单项否决指标（国办秘函〔2019〕19号）：")
    for line in summary.tally.lines:
        count = f"{line.count} {line.unit}（否决线 {line.limit} {line.unit}）"
        echo(f"  {_MARK[line.status]} {line.indicator}：{count}")
    if summary.tally.would_fail:
        echo("结论：按本次检查结果，网站将因单项否决被判为不合格。")
    else:
        echo("结论：本次检查未触及单项否决线。")


def print_findings(summary: RunSummary, echo: Echo) -> None:
    echo = safe_echo(echo)
    if not summary.findings:
        echo("未发现问题。")
        return
    for kind in FindingKind:
        count = summary.by_kind.get(kind.value, 0)
        if count:
            echo(f"  {KIND_LABELS[kind]}：{count}")
    serious = [f for f in summary.findings if f.severity is not Severity.WARNING]
    for finding in serious[:_SHOWN_FINDINGS]:
        if finding.outcome is not None:
            what = OUTCOME_LABELS[finding.outcome]
            where = finding.referrers[0] if finding.referrers else None
            text = f"「{where.text}」" if where and where.text else ""
            page = f" ← {clean_url(where.page)}" if where else ""
            echo(f"  - {KIND_LABELS[finding.kind]} {clean_url(finding.url)} {text}{what}{page}")
        elif finding.kind is FindingKind.UNAVAILABLE_LINK:
            text = finding.referrers[0].text if finding.referrers else ""
            echo(f"  - {KIND_LABELS[finding.kind]}「{text}」（{finding.detail}） ← {clean_url(finding.url)}")
        else:
            echo(f"  - {finding.detail}  {clean_url(finding.url)}")
    if len(serious) > _SHOWN_FINDINGS:
        echo(f"  … 另有 {len(serious) - _SHOWN_FINDINGS} 项，详见 JSON 或报告")


def _column_line(column: Column) -> str:
    newest = f"最新 {column.newest}（{column.days_since} 天前）" if column.newest else "无日期"
    limit = f"时限 {column.limit_days} 天" if column.limit_days is not None else "豁免"
    return (
        f"{column.name}  [{CATEGORY_LABELS[column.category]}，依据 {column.category_source}；{limit}]  "
        f"{column.item_count} 条  {newest}  {COLUMN_STATUS_LABELS[column.status]}  {clean_url(column.url)}"
    )


def print_columns(summary: RunSummary, echo: Echo) -> None:
    echo = safe_echo(echo)
    columns = summary.columns
    echo(f"栏目（运行 {summary.run.id}，检查日 {summary.as_of}）：共 {len(columns)} 个")
    by_parent: dict[str | None, list[Column]] = {}
    names = {c.name for c in columns}
    for column in columns:
        parent = column.parent if column.parent else None
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
        newest = f"最新 {home.newest}（{home.days_since} 天前）" if home.newest else "无日期"
        recent = f"近 14 天 {home.recent_items} 条"
        echo(f"首页：{len(home.items)} 条信息，{newest}，{recent}  {clean_url(home.url)}")
