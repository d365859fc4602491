"""个人信息泄露 and 错敏词 end to end on the sample portal (issue 15): every planted case is found
with its severity, no control is, and no report, store or JSON ever holds a whole number."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.demo.text_plants import TEXT_PLANTS
from sitecheck.models import FindingKind
from sitecheck.urls import canonical
from support.texts import xlsx_text

TEXT_KINDS = {FindingKind.PERSONAL_DATA.value, FindingKind.WRONG_WORDING.value}
_LONG_NUMBER = re.compile(r"[0-9]{11,}[Xx]?")


def _raw_numbers() -> set[str]:
    """Every unmasked number the plants publish (11 digits or more)."""
    numbers: set[str] = set()
    for plant in TEXT_PLANTS:
        for text in (*plant.paragraphs, *(cell for row in plant.table for cell in row)):
            numbers.update(_LONG_NUMBER.findall(text.replace("-", "")))
    return numbers


def test_every_planted_text_case_is_found_and_no_control(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    _, doc = demo_audit
    found = [f for f in doc["findings"] if f["kind"] in TEXT_KINDS]
    expected = [
        (canonical(url), want) for plant, url in demo_server.portal.text_manifest for want in plant.expect
    ]
    assert len(found) == len(expected), [f["detail"] for f in found]
    for url, want in expected:
        matches = [
            f
            for f in found
            if canonical(f["url"]) == url and f["kind"] == want.kind.value and want.shows in f["detail"]
        ]
        assert len(matches) == 1, (url, want)
        assert matches[0]["severity"] == want.severity.value
        assert "规定：" in matches[0]["detail"]  # the rule it rests on is named


def test_a_control_page_yields_nothing(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    """Masked rosters, document numbers, a 统一社会信用代码 and a typhoon that 登陆 are not findings."""
    _, doc = demo_audit
    controls = {canonical(url) for plant, url in demo_server.portal.text_manifest if not plant.expect}
    assert controls
    flagged = {canonical(f["url"]) for f in doc["findings"] if f["kind"] in TEXT_KINDS}
    assert not controls & flagged


def test_no_whole_number_is_kept_or_shown_anywhere(demo_server: DemoServer, tmp_path: Path) -> None:
    """The store, the JSON, the HTML, XLSX and CSV checklists hold masked numbers only."""
    config = dataclasses.replace(
        fast_config(demo_server.base_url, tmp_path / "data"), reports_dir=str(tmp_path / "r")
    )
    result = run_audit(config, json_path=tmp_path / "f.json", handle_signals=False, reports=True)
    assert result.report_dir is not None
    numbers = _raw_numbers()
    assert len(numbers) >= 8
    blobs: dict[str, bytes] = {"json": (tmp_path / "f.json").read_bytes()}
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            blobs[path.name] = path.read_bytes()
    with sqlite3.connect(tmp_path / "data" / "sitecheck.sqlite3") as db:
        rows = db.execute("SELECT value, context, note FROM text_hits").fetchall()
    assert rows  # the checks saw the plants
    blobs["store"] = json.dumps(rows, ensure_ascii=False).encode()
    cells = xlsx_text(result.report_dir)
    blobs["xlsx-cells"] = cells.encode()
    for name, blob in blobs.items():
        text = blob.decode("utf-8", errors="ignore")
        for number in numbers:
            assert number not in text, (name, number[:4])
    assert "1101**********" in cells or "1101**********" in blobs["json"].decode()


@pytest.mark.parametrize("switch", ["privacy", "wording"])
def test_each_text_check_can_be_switched_off(demo_server: DemoServer, tmp_path: Path, switch: str) -> None:
    config = fast_config(demo_server.base_url, tmp_path / "data").replace("content", **{switch: False})
    run_audit(config, json_path=tmp_path / "f.json", handle_signals=False)
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    kinds = {f["kind"] for f in doc["findings"]}
    off = FindingKind.PERSONAL_DATA.value if switch == "privacy" else FindingKind.WRONG_WORDING.value
    on = TEXT_KINDS - {off}
    assert off not in kinds
    assert on <= kinds
