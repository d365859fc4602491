"""Personal data in attachments end to end on the sample portal (issue 15, part 1), with
``[content] attachments = true``: every planted file is found with its place in the file, the
scanned PDF is said to be not checkable (never clean), and no store, JSON, HTML, XLSX or CSV
output ever holds a whole number."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.demo.attachment_plants import ATTACHMENT_PLANTS
from sitecheck.models import FindingKind, Severity
from sitecheck.urls import canonical
from support.texts import xlsx_text


@pytest.fixture(scope="module")
def attachment_audit(
    demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[AuditResult, dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("attachments")
    config = fast_config(demo_server.base_url, tmp / "data").replace("content", attachments=True)
    config = dataclasses.replace(config, reports_dir=str(tmp / "r"))
    result = run_audit(config, json_path=tmp / "f.json", handle_signals=False, reports=True)
    return result, json.loads((tmp / "f.json").read_text(encoding="utf-8")), tmp


def _in_attachments(doc: dict[str, Any], demo_server: DemoServer) -> list[dict[str, Any]]:
    files = {canonical(url) for _, url, _ in demo_server.portal.attachment_manifest}
    return [f for f in doc["findings"] if canonical(f["url"]) in files]


def test_every_planted_attachment_case_is_found_with_its_place(
    demo_server: DemoServer, attachment_audit: tuple[AuditResult, dict[str, Any], Path]
) -> None:
    _, doc, _ = attachment_audit
    personal = [f for f in _in_attachments(doc, demo_server) if f["kind"] == FindingKind.PERSONAL_DATA.value]
    expected = [
        (plant, canonical(url), canonical(page), want)
        for plant, url, page in demo_server.portal.attachment_manifest
        for want in plant.expect
        if want.kind is FindingKind.PERSONAL_DATA
    ]
    assert len(personal) == len(expected), [f["detail"] for f in personal]
    for plant, url, page, want in expected:
        matches = [
            f
            for f in personal
            if canonical(f["url"]) == url and all(part in f["detail"] for part in want.shows)
        ]
        assert len(matches) == 1, (plant.id, want, [f["detail"] for f in personal])
        finding = matches[0]
        assert finding["severity"] == want.severity.value
        assert f"附件“{plant.name}”" in finding["detail"]  # the file, by its link text
        assert "规定：" in finding["detail"]
        # The article linking the file is where the office finds it.
        assert page in {canonical(r["page"]) for r in finding["referrers"]}


def test_the_scanned_pdf_is_reported_as_not_checkable_in_one_warning(
    demo_server: DemoServer, attachment_audit: tuple[AuditResult, dict[str, Any], Path]
) -> None:
    _, doc, _ = attachment_audit
    warnings = [
        f
        for f in doc["findings"]
        if f["kind"] == FindingKind.PAGE_NOT_READ_WHOLE.value and "个附件无法检查个人信息" in f["detail"]
    ]
    assert len(warnings) == 1  # one per run, however many files
    warning = warnings[0]
    assert warning["severity"] == Severity.WARNING.value
    scanned = [(p, url) for p, url, _ in demo_server.portal.attachment_manifest if p.unreadable == "scanned"]
    assert scanned
    listed = {canonical(r["raw"]) for r in warning["referrers"]}
    for plant, url in scanned:
        assert canonical(url) in listed
        assert canonical(warning["url"]) == canonical(url)  # scanned files are listed first
        assert plant.name in warning["detail"] and "扫描件" in warning["detail"]
    assert "旧格式" in warning["detail"]  # the portal's .doc/.xls files cannot be read either
    assert "请人工核查" in warning["detail"] and "不等于没有个人信息" in warning["detail"]
    # Nothing else is said about the scanned file: not checked is not clean, and not a leak.
    others = [
        f for f in doc["findings"] if f is not warning and canonical(f["url"]) in dict(scanned).values()
    ]
    assert not others


def test_attachments_without_personal_data_yield_nothing(
    demo_server: DemoServer, attachment_audit: tuple[AuditResult, dict[str, Any], Path]
) -> None:
    """The portal's ordinary attachments (PDF with text, ZIP) are read and found clean."""
    _, doc, _ = attachment_audit
    planted = {canonical(url) for _, url, _ in demo_server.portal.attachment_manifest}
    text_pages = {canonical(url) for _, url in demo_server.portal.text_manifest}
    stray = [
        f
        for f in doc["findings"]
        if f["kind"] == FindingKind.PERSONAL_DATA.value and canonical(f["url"]) not in planted | text_pages
    ]
    assert not stray, [f["detail"] for f in stray]


def test_no_whole_number_from_an_attachment_is_kept_or_shown(
    attachment_audit: tuple[AuditResult, dict[str, Any], Path],
) -> None:
    result, _, tmp = attachment_audit
    numbers = {number for plant in ATTACHMENT_PLANTS for number in plant.numbers}
    assert len(numbers) >= 6
    assert result.report_dir is not None
    blobs: dict[str, str] = {"json": (tmp / "f.json").read_text(encoding="utf-8")}
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            blobs[path.name] = path.read_bytes().decode("utf-8", errors="ignore")
    blobs["xlsx-cells"] = xlsx_text(result.report_dir)
    with sqlite3.connect(tmp / "data" / "sitecheck.sqlite3") as db:
        rows = db.execute("SELECT * FROM text_hits").fetchall()
        places = {row[0] for row in db.execute("SELECT place FROM text_hits WHERE place != ''")}
    blobs["store"] = json.dumps(rows, ensure_ascii=False)
    assert {"第 2 页", "工作表“名单”C 列", "表格 1 第 2 行"} <= places
    assert any(name.endswith(".html") for name in blobs) and any(name.endswith(".csv") for name in blobs)
    for name, text in blobs.items():
        for number in numbers:
            assert number not in text, (name, number[:4])
    assert "3201**********" in blobs["xlsx-cells"]
