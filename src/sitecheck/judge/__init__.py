"""Rules: pure judgements over the facts of one run.

Each rule reads the store's typed views and returns findings; thresholds come from the
:class:`JudgeContext`, so a stored run can be judged again with other settings
(``sitecheck judge``) without crawling again. Judging never writes: :func:`save` stores a
judgement, explicitly, so read-only commands (``columns``, ``report``, a dry ``judge``) leave
the store as they found it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sitecheck.config import AuditConfig, IdentifiersSection, IgnoreRule, IntegritySection, TransportSection
from sitecheck.judge.categories import ColumnRules, load_column_rules
from sitecheck.models import OPEN_STATES, Finding, Outcome, Referrer, RunStatus, Severity
from sitecheck.store import History, RunFacts, Store
from sitecheck.urls import Scope

if TYPE_CHECKING:
    from sitecheck.judge.columns import Column, HomeFacts
    from sitecheck.judge.placement import Placement
    from sitecheck.judge.veto import VetoTally


@dataclass(frozen=True, slots=True)
class JudgeContext:
    """The settings of one judgement: the date judged on, the rules, the ignores."""

    as_of: date
    rules: ColumnRules = field(default_factory=lambda: load_column_rules(AuditConfig()))
    ignores: tuple[IgnoreRule, ...] = ()
    scope: Scope | None = None  # the portal's hosts, to explain a home page that left them
    # The annual report's deadline, month and day ([content] annual_report_due).
    annual_report_due: tuple[int, int] = (1, 31)
    # [transport]: which certificate and transport checks run, and the expiry thresholds.
    transport: TransportSection = field(default_factory=TransportSection)
    # [integrity]: 暗链 on or off, the hosts allowed, the local vocabulary lists.
    integrity: IntegritySection = field(default_factory=IntegritySection)
    # [identifiers]: which footer identifiers every template must show (judge/identifiers.py).
    identifiers: IdentifiersSection = field(default_factory=IdentifiersSection)
    # The words for outcomes in the reasons the judge gives (the report layer's labels, passed
    # in by the caller: the judge imports nothing above it).
    outcome_labels: Mapping[Outcome, str] = field(default_factory=dict)
    # The column model and home-page facts, derived once per judgement by ``judge`` and
    # shared by the rules that need them.
    columns: tuple[Column, ...] = ()
    home: HomeFacts | None = None
    # Which column (and office) a page belongs to, so a problem on it names who fixes it.
    placement: Placement | None = None

    def place_of(self, facts: RunFacts) -> Placement:
        """The placement of this judgement, built on the spot when a rule runs on its own."""
        if self.placement is not None:
            return self.placement
        from sitecheck.judge.placement import Placement

        return Placement(facts, self.columns, self.rules.default_office)


@dataclass(frozen=True, slots=True)
class Judgement:
    """Everything one judging pass derived: findings, the column model and the veto tally."""

    findings: list[Finding]  # with their states: open ones, ignored ones, and those fixed since
    columns: list[Column]
    home: HomeFacts | None
    tally: VetoTally
    # Why the run did not read everything it had to; "" for a complete run. An incomplete run
    # never gives a clean verdict and never marks what it did not re-read as fixed.
    incomplete: str = ""
    # Why the start page was not read as an HTML page (then nothing was audited), with what to
    # do; None when it was. The CLI exits 3 on it, the service reports the home page down.
    home_problem: str | None = None

    @property
    def open_findings(self) -> list[Finding]:
        return open_only(self.findings)

    @property
    def status(self) -> RunStatus:
        return RunStatus.INCOMPLETE if self.incomplete else RunStatus.FINISHED


Rule = Callable[[RunFacts, JudgeContext], Iterable[Finding]]


def _registry() -> tuple[Rule, ...]:
    from sitecheck.judge import (
        annual,
        content,
        external,
        freshness,
        hidden_links,
        home,
        identifiers,
        links,
        pages,
        transport,
    )

    return (
        home.home_unreachable,
        links.dead_links,
        links.unavailable_links,
        links.unverified_links,
        freshness.column_findings,
        home.home_updates,
        content.personal_data,
        content.wrong_wording,
        annual.annual_report,
        external.external_changes,
        transport.transport,
        hidden_links.hidden_links,
        pages.pages_not_read_whole,
        identifiers.identifier_findings,
    )


def judge(
    facts: RunFacts, context: JudgeContext, history: History, rules: tuple[Rule, ...] | None = None
) -> Judgement:
    """Run every rule over one run's facts, give each finding its state against the site's
    history, and return the judgement. Pure: it reads the two views and writes nothing."""
    from sitecheck.judge.columns import build_columns, home_aliases, home_facts
    from sitecheck.judge.completeness import home_problem, incomplete_reason
    from sitecheck.judge.history import with_states
    from sitecheck.judge.placement import Placement
    from sitecheck.judge.veto import escalate, veto_tally

    problem = home_problem(facts, context.scope, context.outcome_labels)
    incomplete = incomplete_reason(facts, problem)

    columns = build_columns(facts, context.rules, context.as_of)
    home = home_facts(facts, context.rules.veto.home_days, context.as_of)
    placement = Placement(facts, columns, context.rules.default_office)
    context = dataclasses.replace(context, columns=tuple(columns), home=home, placement=placement)
    findings: list[Finding] = []
    for rule in rules or _registry():
        findings.extend(rule(facts, context))
    aliases = home_aliases(facts)
    findings = [_one_home_page(finding, aliases) for finding in findings]
    findings = with_states(history, facts.run, findings, context.ignores, complete=not incomplete)
    tally = veto_tally(open_only(findings), columns, home, context.rules)
    findings = escalate(findings, columns, tally)
    return Judgement(findings, columns, home, tally, incomplete, problem)


def _one_home_page(finding: Finding, aliases: set[str]) -> Finding:
    """A link on the home page is also on its second address (/index.html from the menu's 首页):
    one page for the office, so the alias is not listed as another page carrying it."""
    from sitecheck.judge.columns import as_dir

    if len(finding.referrers) < 2 or not aliases:
        return finding
    pages = [as_dir(r.page) in aliases for r in finding.referrers]
    if not any(pages):
        return finding
    kept: list[Referrer] = []
    home_seen = False
    for referrer, on_home in zip(finding.referrers, pages, strict=True):
        if on_home:
            if home_seen:
                continue
            home_seen = True
        kept.append(referrer)
    if len(kept) == len(finding.referrers):
        return finding
    return dataclasses.replace(finding, referrers=tuple(kept))


def save(store: Store, run_id: int, judgement: Judgement) -> None:
    """Store a judgement's findings and the run's final state together (one transaction)."""
    store.replace_findings(run_id, judgement.findings, judgement.status, judgement.incomplete)


def open_only(findings: list[Finding]) -> list[Finding]:
    """Findings still to rectify: not fixed, not ignored."""
    return [f for f in findings if f.state in OPEN_STATES]


def needs_action(findings: list[Finding]) -> bool:
    """Open findings beyond warnings: what makes ``sitecheck crawl`` exit 1."""
    return any(f.severity is not Severity.WARNING for f in open_only(findings))
