"""链接可用性: dead links (home page counted apart), unverifiable links, placeholder nav entries."""

from __future__ import annotations

from collections.abc import Iterator

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import (
    DEAD_OUTCOMES,
    UNVERIFIED_OUTCOMES,
    CheckedLink,
    Finding,
    FindingKind,
    LinkSpecial,
    Referrer,
    Severity,
)
from sitecheck.store import RunFacts
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


def _link_finding(kind: FindingKind, severity: Severity, group: list[CheckedLink]) -> Finding:
    first = group[0]
    return Finding(
        key=finding_key(kind, canonical(first.url)),
        kind=kind,
        severity=severity,
        url=first.url,
        outcome=first.outcome,
        status=first.status,
        detail=first.error,
        referrers=_referrers(group),
    )


def dead_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    home_id, home_key = _home_page_ids(facts)
    for group in _grouped(facts.checked_links(DEAD_OUTCOMES)):
        on_home = any(r.page_id == home_id or canonical(r.page_url) == home_key for r in group)
        kind = FindingKind.DEAD_LINK_HOME if on_home else FindingKind.DEAD_LINK
        yield _link_finding(kind, Severity.DEDUCTION, group)


def unverified_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    for group in _grouped(facts.checked_links(UNVERIFIED_OUTCOMES)):
        yield _link_finding(FindingKind.UNVERIFIED_LINK, Severity.WARNING, group)


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


def unavailable_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """Navigation entries that lead nowhere: href="#" in a menu, javascript:alert('…建设中').

    The same menu is repeated on every page, so occurrences are grouped by what the entry
    says and where it points; the first page it was seen on is the subject.
    """
    groups = placeholder_entries(facts)
    for (text, raw), refs in groups.items():
        yield Finding(
            key=finding_key(FindingKind.UNAVAILABLE_LINK, text, raw),
            kind=FindingKind.UNAVAILABLE_LINK,
            severity=Severity.DEDUCTION,
            url=refs[0].page,
            detail=raw,
            referrers=tuple(refs),
        )
