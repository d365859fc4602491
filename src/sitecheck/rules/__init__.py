"""Rules: pure judgements over the facts of one run.

Each rule reads the store's typed views and returns findings; thresholds come from the
:class:`JudgeContext`, so a stored run can be judged again with other settings
(``sitecheck judge``) without crawling again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sitecheck.column_rules import ColumnRules, load_column_rules
from sitecheck.config import AuditConfig, IgnoreRule
from sitecheck.models import Finding, Severity
from sitecheck.store import Store

if TYPE_CHECKING:
    from sitecheck.columns import Column, HomeFacts
    from sitecheck.rules.columns import VetoTally


@dataclass(frozen=True, slots=True)
class JudgeContext:
    run_id: int
    as_of: date
    rules: ColumnRules = field(default_factory=lambda: load_column_rules(AuditConfig()))
    ignores: tuple[IgnoreRule, ...] = ()
    # The column model and home-page facts, derived once per judgement by ``judge`` and
    # shared by the rules that need them.
    columns: tuple[Column, ...] = ()
    home: HomeFacts | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    """Everything one judging pass derived: findings, the column model and the veto tally."""

    findings: list[Finding]  # with their states: open ones, ignored ones, and those fixed since
    columns: list[Column]
    home: HomeFacts | None
    tally: VetoTally

    @property
    def open_findings(self) -> list[Finding]:
        return open_only(self.findings)


Rule = Callable[[Store, JudgeContext], Iterable[Finding]]


def _registry() -> tuple[Rule, ...]:
    from sitecheck.rules import columns, home, links

    return (
        home.home_unreachable,
        links.dead_links,
        links.unavailable_links,
        links.unverified_links,
        columns.column_findings,
    )


def judge(store: Store, context: JudgeContext, rules: tuple[Rule, ...] | None = None) -> Judgement:
    """Run every rule, store the findings for the run (replacing older ones), return them."""
    from sitecheck.columns import build_columns, home_facts
    from sitecheck.history import with_states
    from sitecheck.rules.columns import escalate, veto_tally

    columns = build_columns(store, context.run_id, context.rules, context.as_of)
    home = home_facts(store, context.run_id, context.rules.veto.home_days, context.as_of)
    context = dataclasses.replace(context, columns=tuple(columns), home=home)
    findings: list[Finding] = []
    for rule in rules or _registry():
        findings.extend(rule(store, context))
    run = store.run(context.run_id)
    if run is not None:
        findings = with_states(store, run, findings, context.ignores)
    tally = veto_tally(open_only(findings), columns, home, context.rules)
    findings = escalate(findings, columns, tally)
    store.replace_findings(context.run_id, findings)
    return Judgement(findings, columns, home, tally)


OPEN_STATES = ("new", "still_open", "reopened")


def open_only(findings: list[Finding]) -> list[Finding]:
    """Findings still to rectify: not fixed, not ignored."""
    return [f for f in findings if f.state in OPEN_STATES]


def needs_action(findings: list[Finding]) -> bool:
    """Open findings beyond warnings: what makes ``sitecheck crawl`` exit 1."""
    return any(f.severity is not Severity.WARNING for f in open_only(findings))
