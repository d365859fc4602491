"""The checklist for CI systems: SARIF 2.1.0 (code-scanning dashboards) and JUnit XML (test reports).

A pipeline that audits a portal on every deployment can then show new dead links the way it
shows failing tests. Open findings are results / failing test cases; the stable finding id
goes into SARIF ``partialFingerprints`` and a JUnit property, so a dashboard tracks one problem
across runs instead of seeing a new one each night. Ignored findings are carried as suppressed
results / skipped cases, so the office's decision is visible rather than silently dropped.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sitecheck import __version__
from sitecheck.models import OPEN_STATES, FindingKind, FindingState, Severity
from sitecheck.report.checklist import ChecklistRow, ReportData
from sitecheck.report.files import atomic_path, atomic_write
from sitecheck.report.labels import (
    ADVICE,
    CHECKLIST_HEADERS,
    CI_FIXED_MESSAGE,
    CI_IGNORED_MESSAGE,
    CI_SUITE_NAME,
    KIND_LABELS,
    OTHER_REFERRERS_NOTE,
)
from sitecheck.report.text import clean_text, clean_url

__all__ = ["FINGERPRINT", "SARIF_SCHEMA", "junit_document", "sarif_document", "write_junit", "write_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT = "sitecheckFindingId/v1"

_LEVELS = {Severity.VETO: "error", Severity.DEDUCTION: "warning", Severity.WARNING: "note"}
# SARIF consumers show rule descriptions to engineers who may not read Chinese.
_ENGLISH: dict[FindingKind, str] = {
    FindingKind.HOME_UNREACHABLE: "Home page unreachable",
    FindingKind.DEAD_LINK_HOME: "Dead link on the home page",
    FindingKind.DEAD_LINK: "Dead link on another page",
    FindingKind.UNAVAILABLE_LINK: "Navigation entry leads nowhere (# or 'under construction')",
    FindingKind.UNVERIFIED_LINK: "Link could not be verified (blocked, rate-limited or robots.txt)",
    FindingKind.EMPTY_COLUMN: "Empty column",
    FindingKind.STALE_COLUMN: "Column not updated within its category's limit",
    FindingKind.UNDATED_COLUMN: "Column items carry no publication date",
    FindingKind.STALE_COLUMN_WARNING: "Column close to its update limit (early warning)",
    FindingKind.HOME_NOT_UPDATED: "Home page not updated",
    FindingKind.HOME_FEW_UPDATES: "Too few new items on the home page",
    FindingKind.PAGE_NOT_READ_WHOLE: "Page only partly checked (size cap or structure limit)",
    FindingKind.TO_VERIFY: "Possible veto item on weak evidence: to be verified by a person",
    FindingKind.PERSONAL_DATA: "Personal data published unmasked (ID, mobile or bank card number)",
    FindingKind.WRONG_WORDING: "Wrong term or wording (typo, leader's name or title)",
    FindingKind.ANNUAL_REPORT: "Annual government-information report late, missing or incomplete",
    FindingKind.EXTERNAL_CHANGED: "External link now leads elsewhere (parked domain, another site)",
    FindingKind.EXTERNAL_RISKY: "External link leads to a page with gambling/pornography vocabulary",
    FindingKind.CERT_EXPIRY: "TLS certificate expires soon or has expired",
    FindingKind.CERT_INVALID: "TLS certificate invalid (other names, self-signed or unverifiable chain)",
    FindingKind.HTTPS_REDIRECT: "http:// home page not redirected to https:// (no national rule: advice)",
    FindingKind.MIXED_CONTENT: "https page loads http: images, scripts, stylesheets or frames",
    FindingKind.HIDDEN_LINK: "Hidden off-site link (possible injected link to gambling or pornography)",
    FindingKind.IDENTIFIER_MISSING: "Template lacks footer identifiers (badge, site code, record numbers)",
    FindingKind.IDENTIFIER_MISMATCH: "Pages show another site ID code or SiteName than the site's",
}
_BASELINE = {
    FindingState.NEW: "new",
    FindingState.REOPENED: "new",
    FindingState.STILL_OPEN: "unchanged",
}
# Everything a URI may hold; the rest (spaces, raw non-ASCII in a broken link) is percent-encoded.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _write(path: Path, data: bytes) -> None:
    atomic_write(path, data)  # a CI step never reads a half-written report


def _cleaned(value: Any) -> Any:
    """Every text of a document through clean_text: dashboards show them to people. Dicts and
    lists are cleaned in place (a copy of 30 000 results was 100 MB more)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _cleaned(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _cleaned(item)
    return value


def _rule_name(kind: FindingKind) -> str:
    return "".join(part.capitalize() for part in kind.value.split("_"))


def _uri(url: str) -> str:
    return quote(url, safe=_URI_SAFE)


def _message(row: ChecklistRow) -> str:
    """One line a reviewer can act on: what is wrong, which link, on which page."""
    parts = [row.description]
    if row.link_text:
        parts.append(f"{CHECKLIST_HEADERS['link_text']}：「{row.link_text}」")
    if row.parent_page and row.parent_page != row.url:
        parts.append(f"{CHECKLIST_HEADERS['parent_page']}：{clean_url(row.parent_page)}")
    if row.other_referrers:
        parts.append(OTHER_REFERRERS_NOTE.format(count=row.other_referrers))
    return "；".join(parts)


# -- SARIF ----------------------------------------------------------------------------------------


def _rule(kind: FindingKind) -> dict[str, Any]:
    return {
        "id": kind.value,
        "name": _rule_name(kind),
        "shortDescription": {"text": f"{KIND_LABELS[kind]} ({_ENGLISH[kind]})"},
        "fullDescription": {"text": f"{KIND_LABELS[kind]}：{ADVICE[kind]}"},
        "help": {"text": ADVICE[kind]},
        "properties": {"label_zh": KIND_LABELS[kind], "label_en": _ENGLISH[kind]},
    }


def _result(row: ChecklistRow, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": _uri(row.url)}},
        "message": {"text": CHECKLIST_HEADERS["url"]},
    }
    if row.column:
        location["logicalLocations"] = [{"name": row.column, "kind": "module"}]
    result: dict[str, Any] = {
        "ruleId": row.kind.value,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": _LEVELS[row.severity],
        "message": {"text": _message(row)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: row.key},
        "properties": {
            "id": row.key,
            "severity": row.severity.value,
            "severity_label": row.severity_label,
            "status": row.status,
            "status_label": row.status_label,
            "column": row.column,
            "office": row.office,
            "link_text": row.link_text,
            "http": row.http,
            "first_seen": row.first_seen,
            "advice": row.advice,
        },
    }
    if row.parent_page and row.parent_page != row.url:
        text = CHECKLIST_HEADERS["parent_page"]
        if row.link_text:
            text += f"：「{row.link_text}」"
        result["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": {"artifactLocation": {"uri": _uri(row.parent_page)}},
                "message": {"text": text},
            }
        ]
    if row.status in _BASELINE:
        result["baselineState"] = _BASELINE[row.status]
    if row.status == FindingState.IGNORED:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": row.note}]
    return result


def sarif_document(data: ReportData) -> dict[str, Any]:
    kinds = list(FindingKind)
    index = {kind: i for i, kind in enumerate(kinds)}
    rows = [*data.open_rows, *data.ignored_rows]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "sitecheck",
                "fullName": "sitecheck 政府网站自查工具",
                "version": __version__,
                "language": "zh-CN",
                "rules": [_rule(kind) for kind in kinds],
            }
        },
        "language": "zh-CN",
        "automationDetails": {"id": f"sitecheck/{data.site}/run-{data.run_id}"},
        # An incomplete audit did not do all it set out to: say so where CI systems look.
        "invocations": [
            {"executionSuccessful": not data.incomplete}
            | ({"properties": {"incomplete_reason": clean_text(data.incomplete)}} if data.incomplete else {})
        ],
        "results": [_result(row, index[row.kind]) for row in rows],
        "properties": {
            "site": data.site,
            "start_url": data.start_url,
            "run_id": data.run_id,
            "run_kind": data.run_kind,
            "as_of": data.as_of,
            "would_fail": data.tally.would_fail,
            "veto": [
                {"indicator": line.indicator, "count": line.count, "limit": line.limit, "status": line.status}
                for line in data.tally.lines
            ],
            "findings_by_status": data.count_by_status(),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(data: ReportData, path: Path) -> None:
    document = _cleaned(sarif_document(data))
    # Streamed to the file: with 30 000 results the text alone was 100 MB more in memory.
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)


# -- JUnit ----------------------------------------------------------------------------------------


def _xml(text: str) -> str:
    # Characters XML 1.0 cannot carry at all, even escaped, show as U+FFFD; bidi controls go.
    return clean_text(text)


def _timestamp(local: str) -> str | None:
    try:
        return datetime.strptime(local, "%Y-%m-%d %H:%M").isoformat()
    except ValueError:
        return None


def _case_name(row: ChecklistRow) -> str:
    what = row.link_text or row.column
    url = clean_url(row.url)
    return f"{row.kind_label}：「{what}」 {url}" if what else f"{row.kind_label}：{url}"


def _details(row: ChecklistRow) -> str:
    fields = {
        "description": row.description,
        "url": clean_url(row.url),
        "parent_page": clean_url(row.parent_page),
        "link_text": row.link_text,
        "column": row.column,
        "http": row.http,
        "first_seen": row.first_seen,
        "advice": row.advice,
        "office": row.office,
        "status": row.status_label,
        "severity": row.severity_label,
        "key": row.key,
    }
    return "\n".join(f"{CHECKLIST_HEADERS[name]}：{value}" for name, value in fields.items() if value)


def junit_document(data: ReportData) -> ET.Element:
    open_rows, fixed, ignored = data.open_rows, data.fixed_rows, data.ignored_rows
    counts = {
        "tests": str(len(open_rows) + len(fixed) + len(ignored)),
        "failures": str(len(open_rows)),
        "errors": "0",
        "skipped": str(len(ignored)),
        "time": "0",
    }
    root = ET.Element("testsuites", {"name": "sitecheck", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": _xml(CI_SUITE_NAME.format(site=data.site)), **counts})
    stamp = _timestamp(data.run_started)
    if stamp:
        suite.set("timestamp", stamp)
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("site", data.site),
        ("start_url", data.start_url),
        ("run_id", str(data.run_id)),
        ("as_of", data.as_of),
        ("would_fail", str(data.tally.would_fail).lower()),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _xml(value)})
    for row in (*open_rows, *ignored, *fixed):
        case = ET.SubElement(
            suite, "testcase", {"classname": _xml(row.kind_label), "name": _xml(_case_name(row)), "time": "0"}
        )
        case_props = ET.SubElement(case, "properties")
        ET.SubElement(case_props, "property", {"name": "finding_id", "value": _xml(row.key)})
        if row.status in OPEN_STATES:
            failure = ET.SubElement(
                case, "failure", {"message": _xml(row.description), "type": row.kind.value}
            )
            failure.text = _xml(_details(row))
        elif row.status == FindingState.IGNORED:
            ET.SubElement(case, "skipped", {"message": _xml(CI_IGNORED_MESSAGE.format(reason=row.note))})
        else:
            out = ET.SubElement(case, "system-out")
            out.text = _xml(f"{CI_FIXED_MESSAGE}：{row.note}" if row.note else CI_FIXED_MESSAGE)
    ET.indent(root)
    return root


def write_junit(data: ReportData, path: Path) -> None:
    body = ET.tostring(junit_document(data), encoding="utf-8", xml_declaration=True)
    _write(path, body + b"\n")
