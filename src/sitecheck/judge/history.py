"""整改状态: each finding of a run compared with the runs of the same site before it.

A finding is ``new`` the first time, ``still_open`` while it stays, ``fixed`` (已整改) in the
first run where it is gone, ``reopened`` when it comes back after a fix, and ``ignored``
when the office listed it (with a reason) in the portal config or with ``sitecheck ignore``.
Fixed findings are kept in the run that saw them fixed, so its checklist can show them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping

from sitecheck.config import IgnoreRule
from sitecheck.models import OPEN_STATES, Finding, FindingState, RunRecord
from sitecheck.store import History
from sitecheck.timefmt import DEFAULT_ZONE, shown


def ignore_reason(finding: Finding, rules: Iterable[IgnoreRule], ignored: Mapping[str, str]) -> str | None:
    if finding.key in ignored:
        return ignored[finding.key]
    for rule in rules:
        if rule.kind and rule.kind != finding.kind.value:
            continue
        if rule.id and rule.id != finding.key:
            continue
        if rule.match_url and not re.search(rule.match_url, finding.url):
            continue
        return rule.reason
    return None


def with_states(
    history: History,
    run: RunRecord,
    findings: list[Finding],
    rules: Iterable[IgnoreRule] = (),
    *,
    complete: bool = True,
) -> list[Finding]:
    """The run's findings with their states, followed by the findings this run saw fixed.

    An incomplete run (a page it could not read, a home page it never parsed) cannot tell a
    fixed problem from one it did not see again: what it did not find stays open (未整改),
    noted as not re-verified, and nothing is announced as 已整改.
    """
    before = history.previous
    fixed_earlier = history.fixed_earlier
    first_seen = history.first_seen(f.key for f in findings)
    ignored = history.ignored
    rules = tuple(rules)
    stated: list[Finding] = []
    for finding in findings:
        seen = min(first_seen.get(finding.key, run.started_at), run.started_at)
        reason = ignore_reason(finding, rules, ignored)
        prior = before.get(finding.key)
        if reason is not None:
            state, note = FindingState.IGNORED, reason
        elif prior is not None and prior.state in (*OPEN_STATES, FindingState.IGNORED):
            state, note = FindingState.STILL_OPEN, ""
        elif finding.key in fixed_earlier:
            state, note = FindingState.REOPENED, ""
        else:
            state, note = FindingState.NEW, ""
        stated.append(dataclasses.replace(finding, state=state, first_seen=seen, note=note))
    present = {f.key for f in findings}
    for key, prior in before.items():
        if key not in present and prior.state in OPEN_STATES:
            if not complete:
                note = f"本次检查（{_shown(run)}）未完成，未能复核"
                stated.append(dataclasses.replace(prior, state=FindingState.STILL_OPEN, note=note))
                continue
            stated.append(
                dataclasses.replace(
                    prior, state=FindingState.FIXED, note=f"复查于 {_shown(run)} 已整改"
                )
            )
    return stated


def _shown(run: RunRecord) -> str:
    """When the run started, as every report shows times: its configured zone, minutes."""
    try:
        stored = json.loads(run.config_json or "{}")
    except ValueError:
        stored = {}
    schedule = stored.get("schedule") if isinstance(stored, dict) else None
    zone = schedule.get("timezone", DEFAULT_ZONE) if isinstance(schedule, dict) else DEFAULT_ZONE
    return shown(run.started_at, str(zone))
