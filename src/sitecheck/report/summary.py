"""What every report shows at the top: the run, counts by kind and by outcome, the veto tally."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sitecheck.judge import Judgement, needs_action, open_only
from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.judge.veto import VetoTally
from sitecheck.models import Finding, FindingKind, RunRecord
from sitecheck.store import Store


@dataclass(frozen=True, slots=True)
class RunSummary:
    run: RunRecord
    as_of: date
    pages: int
    link_occurrences: int
    checked_urls: int
    outcomes: dict[str, int]
    findings: list[Finding]
    columns: list[Column]
    home: HomeFacts | None
    tally: VetoTally
    by_kind: dict[str, int] = field(default_factory=dict)  # open findings only
    by_state: dict[str, int] = field(default_factory=dict)  # new, still_open, reopened, fixed, ignored
    # Why the run did not read everything ("" when complete): every report says so first.
    incomplete: str = ""

    @property
    def open_findings(self) -> list[Finding]:
        return open_only(self.findings)

    @property
    def needs_action(self) -> bool:
        return needs_action(self.findings)

    @property
    def complete(self) -> bool:
        return not self.incomplete

    @property
    def dead_links_home(self) -> int:
        return self.by_kind.get(FindingKind.DEAD_LINK_HOME.value, 0)

    @property
    def dead_links_other(self) -> int:
        return self.by_kind.get(FindingKind.DEAD_LINK.value, 0)


def summarize(store: Store, run_id: int, as_of: date, judgement: Judgement) -> RunSummary:
    run = store.run(run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    outcomes = store.outcome_counts(run_id)
    return RunSummary(
        run=run,
        as_of=as_of,
        pages=store.page_count(run_id),
        link_occurrences=store.link_count(run_id),
        checked_urls=sum(outcomes.values()),
        outcomes=outcomes,
        findings=judgement.findings,
        columns=judgement.columns,
        home=judgement.home,
        tally=judgement.tally,
        by_kind=dict(Counter(f.kind.value for f in open_only(judgement.findings))),
        by_state=dict(Counter(f.state for f in judgement.findings)),
        incomplete=judgement.incomplete,
    )
