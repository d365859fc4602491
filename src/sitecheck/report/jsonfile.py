"""findings.json: the machine-readable findings of one run.

Schema ``sitecheck/findings`` version 1 (documented in README.md, "JSON output"):
``{schema, schema_version, generated_at, run{…}, summary{…}, findings[{id, kind, kind_label,
severity, url, outcome, outcome_label, http_status, detail, referrers[{page, element,
attribute, text, raw}]}]}``. Fields are only ever added within a version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sitecheck.errors import ReportError
from sitecheck.labels import KIND_LABELS, OUTCOME_LABELS, SEVERITY_LABELS
from sitecheck.models import Finding
from sitecheck.report.summary import RunSummary
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
        "referrers": [
            {"page": r.page, "element": r.element, "attribute": r.attribute, "text": r.text, "raw": r.raw}
            for r in finding.referrers
        ],
    }


def findings_document(summary: RunSummary) -> dict[str, Any]:
    run = summary.run
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
            "as_of": summary.as_of.isoformat(),
        },
        "summary": {
            "pages": summary.pages,
            "link_occurrences": summary.link_occurrences,
            "checked_urls": summary.checked_urls,
            "outcomes": summary.outcomes,
            "findings": len(summary.findings),
            "findings_by_kind": summary.by_kind,
            "dead_links_home": summary.dead_links_home,
            "dead_links_other": summary.dead_links_other,
        },
        "findings": [finding_dict(f) for f in summary.findings],
    }


def write_json(summary: RunSummary, path: str | Path) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(findings_document(summary), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)  # never leave a half-written file where a reader expects a whole one
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def check_writable(path: str | Path) -> None:
    """Fail before a long crawl, not after it, when the output cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.with_name(path.name + ".tmp")
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None
