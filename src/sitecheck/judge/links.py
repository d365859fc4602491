"""链接可用性: dead links (home page counted apart), unverifiable links, placeholder nav entries."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from sitecheck.extract.listing.pagination import is_pager_word
from sitecheck.judge import JudgeContext
from sitecheck.judge.explain import explain, timeout_of
from sitecheck.judge.keys import finding_key
from sitecheck.judge.placement import Place
from sitecheck.models import (
    DEAD_OUTCOMES,
    UNVERIFIED_OUTCOMES,
    CheckedLink,
    ExternalSeen,
    Finding,
    FindingKind,
    LinkSpecial,
    Outcome,
    Referrer,
    Severity,
)
from sitecheck.store import RunFacts
from sitecheck.timefmt import shown
from sitecheck.urls import canonical


def _home_page_ids(facts: RunFacts) -> tuple[int, str | None]:
    home_url = facts.run.home_url
    return facts.first_target_id(), (canonical(home_url) if home_url else None)


def _grouped(rows: Iterator[CheckedLink]) -> Iterator[list[CheckedLink]]:
    group: list[CheckedLink] = []
    for row in rows:
        if group and row.target_id != group[0].target_id:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _referrers(group: list[CheckedLink]) -> tuple[Referrer, ...]:
    seen: set[tuple[str, str, str, str]] = set()
    refs: list[Referrer] = []
    for row in group:
        ident = (row.page_url, row.element, row.attribute, row.raw)
        if ident not in seen:
            seen.add(ident)
            refs.append(Referrer(row.page_url, row.element, row.attribute, row.text, row.raw))
    return tuple(refs)


def _link_finding(
    kind: FindingKind, severity: Severity, group: list[CheckedLink], place: Place, timeout: float
) -> Finding:
    first = group[0]
    return Finding(
        key=finding_key(kind, canonical(first.url)),
        kind=kind,
        severity=severity,
        url=first.url,
        outcome=first.outcome,
        status=first.status,
        # The reason in Chinese; the fetcher's own words stay in the store (checks.error).
        detail=explain(first.outcome, first.status, first.error, timeout),
        referrers=_referrers(group),
        column=place.column,
        office=place.office,
    )


def _carrier(group: list[CheckedLink], home: tuple[int, str | None]) -> str | None:
    """The page whose maintainer fixes the link: the home page when it carries the link (a
    home-page dead link is counted as such), else the first page seen carrying it."""
    home_id, home_key = home
    for row in group:
        if row.page_id == home_id or canonical(row.page_url) == home_key:
            return row.page_url
    return None


def dead_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    home = _home_page_ids(facts)
    placement = context.place_of(facts)
    timeout = timeout_of(facts.run.config_json)
    groups = list(_grouped(facts.checked_links(DEAD_OUTCOMES)))
    closed = _closed_government_sites(facts, groups)
    for group in groups:
        on_home = _carrier(group, home)
        kind = FindingKind.DEAD_LINK_HOME if on_home else FindingKind.DEAD_LINK
        place = placement.of(on_home or group[0].page_url)
        finding = _link_finding(kind, Severity.DEDUCTION, group, place, timeout)
        before = closed.get(canonical(group[0].url))
        if before is not None:
            finding = dataclasses.replace(finding, detail=finding.detail + _closed_note(before))
        yield finding


def _closed_government_sites(facts: RunFacts, groups: list[list[CheckedLink]]) -> dict[str, ExternalSeen]:
    """关停域名 (issue 16 §2): links to a government domain (.gov.cn) that no longer resolves,
    and that an earlier run saw answering (its first record in the site's store): by key."""
    keys = []
    for group in groups:
        first = group[0]
        host = (urlsplit(first.url).hostname or "").lower()
        if first.outcome is Outcome.DNS_ERROR and (host == "gov.cn" or host.endswith(".gov.cn")):
            keys.append(canonical(first.url))
    return facts.first_external_views(keys) if keys else {}


def _closed_note(before: ExternalSeen) -> str:
    view = before.view
    return (
        f"；该政府网站域名现已无法解析（关停域名）：首次记录时（{shown(before.seen_at)}）可以打开，"
        f"标题“{view.title or '无标题'}”（{view.final_host}）。网站可能已关停、整合或域名已注销，"
        "应删除该链接或改为现用地址"
    )


def unverified_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    home = _home_page_ids(facts)
    placement = context.place_of(facts)
    timeout = timeout_of(facts.run.config_json)
    for group in _grouped(facts.checked_links(UNVERIFIED_OUTCOMES)):
        place = placement.of(_carrier(group, home) or group[0].page_url)
        yield _link_finding(FindingKind.UNVERIFIED_LINK, Severity.WARNING, group, place, timeout)


def placeholder_entries(facts: RunFacts) -> dict[tuple[str, str], list[Referrer]]:
    """Menu entries that lead nowhere, by (text, href), with every page they appear on.

    ``javascript:alert('…建设中')`` counts anywhere; a bare ``#`` only inside navigation,
    because elsewhere it is usually a hook for a script, not a menu entry.
    """
    groups: dict[tuple[str, str], list[Referrer]] = {}
    for occ in facts.special_links(LinkSpecial.PLACEHOLDER.value):
        if occ.raw.strip() == "#" and not occ.in_nav:
            continue
        refs = groups.setdefault((occ.text, occ.raw.strip()), [])
        refs.append(Referrer(occ.page_url, occ.element, occ.attribute, occ.text, occ.raw))
    return groups


# Entry texts that name no column: a "more" link or a pager word is not a column title.
_NOT_A_NAME = re.compile(r"^(?:更多|more|查看更多|点击查看|详细|详情)\W*$", re.IGNORECASE)


def _names_a_column(text: str) -> bool:
    label = text.replace(" ", "").replace("\xa0", "")
    return bool(label) and not is_pager_word(label) and not _NOT_A_NAME.match(label)


def split_placeholders(
    facts: RunFacts, context: JudgeContext
) -> tuple[dict[str, list[Referrer]], dict[tuple[str, str], list[Referrer]]]:
    """Placeholder menu entries as 空白栏目 (by column name) or as 栏目入口无效 (by entry).

    One problem, one finding. 国办秘函〔2019〕19号 counts a column that has a name and no
    content as 空白栏目 (a veto line at 5), and a menu entry that opens nothing (``#``, a
    "建设中" alert) is exactly that: the office must fill the column or take the entry down.
    Counting it again as an unusable link would count the same entry twice. It stays a link
    problem only when it names no column (an icon, "更多"), or when the column it names
    exists with content (or heads columns that have it): then the column is not empty, only
    this entry to it is broken. An entry naming a column the model found empty adds nothing:
    that column's own finding already counts it.
    """
    living = {c.name for c in context.columns if not c.is_empty and c.name}
    living |= {c.parent for c in context.columns if not c.is_empty and c.parent}
    empty = {c.name for c in context.columns if c.is_empty and c.name}
    as_columns: dict[str, list[Referrer]] = {}
    as_links: dict[tuple[str, str], list[Referrer]] = {}
    for (text, raw), refs in placeholder_entries(facts).items():
        name = text.strip()
        if not _names_a_column(name) or name in living:
            as_links[(text, raw)] = refs
        elif name not in empty:
            as_columns.setdefault(name, []).extend(refs)
    return as_columns, as_links


def unavailable_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """Navigation entries that lead nowhere and are not empty columns (see
    :func:`split_placeholders`): href="#" to a column that has content, an unnamed entry.

    The same menu is repeated on every page, so occurrences are grouped by what the entry
    says and where it points; the first page it was seen on is the subject.
    """
    placement = context.place_of(facts)
    for (text, raw), refs in split_placeholders(facts, context)[1].items():
        place = placement.of(refs[0].page)
        yield Finding(
            key=finding_key(FindingKind.UNAVAILABLE_LINK, text, raw),
            kind=FindingKind.UNAVAILABLE_LINK,
            severity=Severity.DEDUCTION,
            url=refs[0].page,
            detail=raw,
            referrers=tuple(refs),
            column=place.column,
            office=place.office,
        )
