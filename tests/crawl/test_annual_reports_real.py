"""Real 政府信息公开工作年度报告 (issue 15, part 3): three reports as published, PDFs byte for byte
(tests/corpus/annual-reports, with their sources in expected.toml), read as the crawl reads a
report's file and audited from a loopback 年报 list.

Each shows the six sections of 国办公开办函〔2021〕30号 and a 表三 that balances, split over two
pages: the reading must find all six and the four tied rows exactly as printed (checked by eye
against the rendered pages), and the audit must say nothing against them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.extract.annual_report import APPLICATION_TABLE, ApplicationTable
from sitecheck.extract.attachments import extract_attachment
from sitecheck.extract.report_file import check_report_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "annual-reports"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))
AS_OF = date(2025, 6, 1)  # the 2024 reports are the last due (31 January 2025)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_report_file_is_read_as_printed(name: str) -> None:
    want = EXPECTED[name]
    body = (CORPUS / want["file"]).read_bytes()
    assert hashlib.sha256(body).hexdigest() == want["sha256"]  # the published bytes, unedited
    hits = check_report_file(want["title"], extract_attachment(body, "pdf"), body)
    report = next(h for h in hits if h.kind == "annual_report")
    assert report.value == str(want["year"])
    assert report.note == ",".join(map(str, want["sections"]))
    table = ApplicationTable.decoded(next(h.note for h in hits if h.kind == APPLICATION_TABLE))
    assert table == ApplicationTable(
        tuple(want["new"]), tuple(want["carried"]), tuple(want["total"]), tuple(want["next"])
    )
    assert table.mismatches() == ()


def test_real_reports_draw_no_annual_report_finding(tmp_path: Path) -> None:
    """A 年报 list linking the three files by their titles (as many portals list their PDFs)."""
    pdf = {"Content-Type": "application/pdf"}
    site: dict[str, list[Reply]] = {}
    items = []
    for k, name in enumerate(sorted(EXPECTED)):
        want = EXPECTED[name]
        path = f"/nb/P0{k}.pdf"
        site[path] = [Reply(200, (CORPUS / want["file"]).read_bytes(), pdf)]
        items.append(f'<li><a href="{path}">{want["title"]}</a></li>')
    home = f"<html><head><title>政府信息公开年报</title></head><body><ul>{''.join(items)}</ul></body></html>"
    site["/"] = [Reply(200, home.encode())]
    json_path = tmp_path / "f.json"
    with ScriptedServer(site) as server:
        result = run_audit(
            fast_config(server.base_url + "/", tmp_path / "data"),
            as_of=AS_OF,
            json_path=json_path,
            handle_signals=False,
        )
        assert all(server.count(path, "GET") == 1 for path in site if path.endswith(".pdf"))
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert [f["detail"] for f in doc["findings"] if f["kind"] == "annual_report"] == []
    # Nothing said because everything was read and holds, not because nothing was read.
    with sqlite3.connect(tmp_path / "data" / "sitecheck.sqlite3") as db:
        stored = db.execute(
            "SELECT h.kind, h.value, h.note FROM text_hits h WHERE h.check_name='annual_report' AND h.run_id=?",
            (result.run_id,),
        ).fetchall()
    tables = sorted(note for kind, _, note in stored if kind == APPLICATION_TABLE)
    want = sorted(
        ApplicationTable(*(tuple(EXPECTED[n][row]) for row in ("new", "carried", "total", "next"))).encoded()
        for n in EXPECTED
    )
    assert tables == want
    assert sorted(value for kind, value, note in stored if kind == "annual_report" and note == "1,2,3,4,5,6") == [
        "2023",
        "2024",
        "2024",
    ]
