"""Rules: pure judgements over the facts of one run.

Each rule reads the store's typed views and returns findings; thresholds come from the
:class:`JudgeContext`, so a stored run can be judged again with other settings
(``sitecheck judge``) without crawling again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sitecheck.models import Finding
from sitecheck.store import Store


@dataclass(frozen=True, slots=True)
class JudgeContext:
    run_id: int
    as_of: date


Rule = Callable[[Store, JudgeContext], Iterable[Finding]]


def _registry() -> tuple[Rule, ...]:
    from sitecheck.rules import home, links

    return (home.home_unreachable, links.dead_links, links.unavailable_links, links.unverified_links)


def judge(store: Store, context: JudgeContext, rules: tuple[Rule, ...] | None = None) -> list[Finding]:
    """Run every rule, store the findings for the run (replacing older ones), return them."""
    findings: list[Finding] = []
    for rule in rules or _registry():
        findings.extend(rule(store, context))
    store.replace_findings(context.run_id, findings)
    return findings
