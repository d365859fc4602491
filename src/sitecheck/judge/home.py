"""站点无法访问: the home page did not open."""

from __future__ import annotations

from collections.abc import Iterator

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import Finding, FindingKind, Severity
from sitecheck.store import RunFacts


def home_unreachable(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    home = facts.home_check()
    if home is None:
        return
    url, outcome, status, error = home
    if outcome.is_dead:
        yield Finding(
            key=finding_key(FindingKind.HOME_UNREACHABLE, url),
            kind=FindingKind.HOME_UNREACHABLE,
            severity=Severity.VETO,
            url=url,
            outcome=outcome,
            status=status,
            detail=error,
        )
