"""findings.json: the machine-readable findings of one run.

Schema ``sitecheck/findings`` version 1 (documented in README.md, "JSON output"):
``{schema, schema_version, generated_at, run{…}, summary{…}, veto{…}, home{…}, columns[…],
findings[{id, kind, kind_label, severity, url, outcome, outcome_label, http_status, detail,
column, office, referrers[{page, element, attribute, text, raw}]}]}``. Fields are only ever
added within a version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sitecheck.errors import ReportError
from sitecheck.judge.columns import Column, HomeFacts
from sitecheck.models import Finding
from sitecheck.report.checklist import RunSummary
from sitecheck.report.files import atomic_write, remove_quietly, temp_path, write_error
from sitecheck.report.labels import (
    CATEGORY_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
)
from sitecheck.report.text import valid_unicode
from sitecheck.store import now_iso

SCHEMA = "sitecheck/findings"
SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.key,
        "kind": finding.kind.value,
        "kind_label": KIND_LABELS[finding.kind],
        "severity": finding.severity.value,
        "severity_label": SEVERITY_LABELS[finding.severity],
        "url": finding.url,
        "outcome": finding.outcome.value if finding.outcome else None,
        "outcome_label": OUTCOME_LABELS[finding.outcome] if finding.outcome else None,
        "http_status": finding.status,
        "detail": finding.detail,
        "column": finding.column,
        "office": finding.office,
        "state": finding.state,
        "state_label": STATE_LABELS.get(finding.state, finding.state),
        "first_seen": finding.first_seen,
        "note": finding.note,
        "referrers": [
            {"page": r.page, "element": r.element, "attribute": r.attribute, "text": r.text, "raw": r.raw}
            for r in finding.referrers
        ],
    }


def findings_document(summary: RunSummary) -> dict[str, Any]:
    run = summary.run
    parents = {c.parent for c in summary.columns if c.parent}
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": now_iso(),
        "run": {
            "id": run.id,
            "site": run.site,
            "start_url": run.start_url,
            "home_url": run.home_url,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "status": run.status,
            # Why the run is incomplete ("" when it read everything it had to).
            "incomplete_reason": summary.incomplete,
            "kind": run.kind,
            "base_run": run.base_run,
            "as_of": summary.as_of.isoformat(),
        },
        "summary": {
            "pages": summary.pages,
            "link_occurrences": summary.link_occurrences,
            "checked_urls": summary.checked_urls,
            "outcomes": summary.outcomes,
            "findings": len(summary.open_findings),
            "findings_by_kind": summary.by_kind,
            "findings_by_state": summary.by_state,
            "dead_links_home": summary.dead_links_home,
            "dead_links_other": summary.dead_links_other,
            "columns": len(summary.columns),
        },
        "veto": {
            "would_fail": summary.tally.would_fail,
            "indicators": [
                {
                    "indicator": line.indicator,
                    "count": line.count,
                    "limit": line.limit,
                    "warn_at": line.warn_at,
                    "unit": line.unit,
                    "status": line.status,
                }
                for line in summary.tally.lines
            ],
        },
        "home": home_dict(summary.home),
        "columns": [column_dict(c, parents) for c in summary.columns],
        "findings": [finding_dict(f) for f in summary.findings],
    }


def home_dict(home: HomeFacts | None) -> dict[str, Any] | None:
    if home is None:
        return None
    return {
        "url": home.url,
        "items": len(home.items),
        "newest": home.newest.isoformat() if home.newest else None,
        "days_since": home.days_since,
        "recent_items": home.recent_items,
    }


def column_dict(column: Column, parents: set[str] | None = None) -> dict[str, Any]:
    """One column; ``is_leaf`` is false when other columns name it as their parent."""
    return {
        "url": column.url,
        "name": column.name,
        "name_source": column.name_source,
        "category": column.category.value,
        "category_label": CATEGORY_LABELS[column.category],
        "category_source": column.category_source,
        "limit_days": column.limit_days,
        "warn_days": column.warn_days,
        "parent": column.parent,
        "level": column.level,
        "is_leaf": column.name not in (parents or set()),
        "office": column.office,
        "items": column.item_count,
        "items_with_visible_date": column.text_dated,
        "items_dated_by_url": column.url_dated,
        "total_records": column.total_records,
        "newest": column.newest.isoformat() if column.newest else None,
        "days_since": column.days_since,
        "status": column.status,
        "placeholder": column.placeholder,
        # Why the column is empty or stale, and whether that is strong enough for a veto claim
        # (false: reported as to_verify, for a person to check).
        "evidence": column.evidence,
        "evidence_confirmed": column.confirmed,
        "evidence_doubt": column.doubt,
        "page_kind": column.kind,
        "cms": column.cms,
        "column_type_meta": column.column_type_meta,
        "pages": list(column.pages),
    }


def write_json(summary: RunSummary, path: str | Path) -> Path:
    """findings.json, whole or not at all. Texts stay raw (JSON escapes control characters);
    only a lone surrogate, which no UTF-8 file can hold, becomes U+FFFD."""
    return atomic_write(path, valid_unicode(document_text(findings_document(summary))))


def document_text(document: dict[str, Any]) -> str:
    """``document`` as JSON text: a line for each top-level entry and for each item of a list
    (a column, a finding), so that it reads and diffs line by line. Each line is written by
    json's C encoder: an indented dump goes through its pure-Python one, 0.1 s for the findings
    of a 10,000-page audit whose dead friend link sits on every page. The pieces are joined
    once: that finding's line alone is megabytes on a large portal."""
    pieces = ["{"]
    for index, (key, value) in enumerate(document.items()):
        pieces.append(",\n  " if index else "\n  ")
        pieces.append(_compact(key))
        pieces.append(": ")
        if isinstance(value, list) and value:
            pieces.append("[")
            for position, item in enumerate(value):
                pieces.append(",\n    " if position else "\n    ")
                pieces.append(_compact(item))
            pieces.append("\n  ]")
        else:
            pieces.append(_compact(value))
    pieces.append("\n}")
    return "".join(pieces)


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def check_writable(path: str | Path) -> None:
    """Fail before a long crawl, not after it, when the output cannot be written."""
    path = Path(path)
    probe = temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe.write_text("", encoding="utf-8")
    except OSError as exc:
        raise ReportError(write_error(path, exc)) from None
    finally:
        remove_quietly(probe)
