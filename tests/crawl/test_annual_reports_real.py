"""Real 政府信息公开工作年度报告 (issue 15, part 3): three reports as published, PDFs byte for byte
(tests/corpus/annual-reports, with their sources in expected.toml), read as the crawl reads a
report's file and audited from a loopback 年报 list.

Each shows the six sections of 国办公开办函〔2021〕30号, a 表三 that balances (split over two pages)
and a 表四 row: the reading must find all six, 表三's four tied rows and 表四's fifteen numbers
exactly as printed (checked by eye against the rendered pages). Judged as of a day in 2025 (the
2024 reports due) the audit says nothing against them; as of a day in 2024 (洪泽区's 2023 report
due) it finds what that report really prints wrong: 表四's 总计 of 行政复议 (0, not 10 + 1) and of
复议后起诉 (0, not 5), 待核实 as read from a PDF.
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
from sitecheck.extract.annual_report import APPLICATION_TABLE, REVIEW_TABLE, ApplicationTable, ReviewTable
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
        tuple(want["new"]),
        tuple(want["carried"]),
        tuple(want["total"]),
        tuple(want["next"]),
        tuple(want.get("parts", ())),
    )
    assert table.mismatches() == () and table.part_mismatches() == ()
    review = ReviewTable.decoded(next(h.note for h in hits if h.kind == REVIEW_TABLE))
    assert review == ReviewTable(tuple(want["review"]), from_layout=True)


def _audit(tmp_path: Path, as_of: date) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """A 年报 list linking the three files by their titles (as many portals list their PDFs):
    the annual-report findings, and the annual-report facts stored."""
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
            as_of=as_of,
            json_path=json_path,
            handle_signals=False,
        )
        assert all(server.count(path, "GET") == 1 for path in site if path.endswith(".pdf"))
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    with sqlite3.connect(tmp_path / "data" / "sitecheck.sqlite3") as db:
        stored = db.execute(
            "SELECT h.kind, h.value, h.note FROM text_hits h WHERE h.check_name='annual_report' AND h.run_id=?",
            (result.run_id,),
        ).fetchall()
    return [f for f in doc["findings"] if f["kind"] == "annual_report"], stored


def test_real_reports_draw_no_annual_report_finding(tmp_path: Path) -> None:
    found, stored = _audit(tmp_path, AS_OF)
    assert [f["detail"] for f in found] == []
    # Nothing said because everything was read and holds, not because nothing was read.
    tables = sorted(note for kind, _, note in stored if kind == APPLICATION_TABLE)
    want = sorted(
        ApplicationTable(
            *(tuple(EXPECTED[n].get(row, ())) for row in ("new", "carried", "total", "next", "parts"))
        ).encoded()
        for n in EXPECTED
    )
    assert tables == want
    assert sorted(
        value for kind, value, note in stored if kind == "annual_report" and note == "1,2,3,4,5,6"
    ) == [
        "2023",
        "2024",
        "2024",
    ]


def test_what_a_real_report_prints_wrong_is_found(tmp_path: Path) -> None:
    found, _ = _audit(tmp_path, date(2024, 6, 1))
    assert len(found) == 1, [f["detail"] for f in found]
    [wrong] = found
    assert wrong["url"].endswith(".pdf") and wrong["severity"] == "warning"
    assert "表四" in wrong["detail"] and "洪泽区" in wrong["detail"]
    assert "行政复议 结果维持10+结果纠正1+其他结果0+尚未审结0≠总计0" in wrong["detail"]
    assert "复议后起诉） 结果维持5+结果纠正0+其他结果0+尚未审结0≠总计0" in wrong["detail"]
    assert "未经复议直接起诉" not in wrong["detail"] and "对照原件核实" in wrong["detail"]
