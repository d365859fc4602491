"""Annual reports published as files (issue 15, part 3), crawled from real servers on 127.0.0.1
with ``[content] attachments`` off: the file behind a report page, or linked from the 年报 list by
a report's title, is read whole (one GET) for its six sections and its 表三; any other attachment
keeps its HEAD. A scan is 待核实, never "missing"; a PDF table whose numbers do not tie to their
columns says nothing about arithmetic."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.demo.annual_plants import application_rows, report_pdf
from sitecheck.demo.attachment_plants import docx_document, scanned_pdf
from sitecheck.extract.annual_report import SECTIONS

AS_OF = date(2026, 6, 1)  # the 2025 reports are the last due (31 January 2026)
PDF = {"Content-Type": "application/pdf"}
DOCX = {"Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
NEW, CARRIED, PUBLIC, ONWARD = [10, 2, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0], [5, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]


def _title(publisher: str) -> str:
    return f"{publisher}2025年政府信息公开工作年度报告"


def _wrong_total() -> list[tuple[str, tuple[int, ...]]]:
    """表三 whose 总计 of 自然人 is one too many (its own row still sums: the numbers are read
    in their columns, the report is wrong)."""
    rows = application_rows(NEW, CARRIED, PUBLIC, ONWARD)
    label, total = rows[3]
    rows[3] = (label, (total[0] + 1, *total[1:-1], total[-1] + 1))
    return rows


def _misread() -> list[tuple[str, tuple[int, ...]]]:
    """表三 whose 总计 row does not add up across (as when numbers drift out of their columns):
    its tie 一 + 二 = 三 + 四 fails too, yet nothing may be claimed from a PDF."""
    rows = application_rows(NEW, CARRIED, PUBLIC, ONWARD)
    label, total = rows[3]
    rows[3] = (label, (total[0] + 1, *total[1:]))
    return rows


def _page(title: str, href: str) -> Reply:
    body = (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>全文详见附件。</p>"
        f'<p><a href="{href}">附件：{href.rsplit("/", 1)[1]}</a></p></body></html>'
    )
    return Reply(200, body.encode())


def _docx_report(title: str) -> bytes:
    names = {number: name for number, name, _ in SECTIONS}
    paragraphs = [title, *(f"{'一二三四五六'[n - 1]}、{names[n]}" for n in range(1, 7))]
    header = ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    table = [header, *([label, *map(str, values)] for label, values in _wrong_total())]
    return docx_document(paragraphs, table)


def _site() -> dict[str, list[Reply]]:
    links = [
        ("/nb/a.html", _title("某市甲局")),
        ("/f/b.pdf", _title("某市乙局")),  # the list links the file itself
        ("/nb/c.html", _title("某市丙局")),
        ("/nb/d.html", _title("某市丁局")),
        ("/nb/e.html", "关于做好政府信息公开工作的通知"),
    ]
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    home = f"<html><head><title>政府信息公开年报</title></head><body><ul>{items}</ul></body></html>"
    return {
        "/": [Reply(200, home.encode())],
        "/nb/a.html": [_page(_title("某市甲局"), "/f/a.pdf")],
        "/f/a.pdf": [
            Reply(200, report_pdf(_title("某市甲局"), sections=(1, 2, 3, 4, 6), table=_wrong_total()), PDF)
        ],
        "/f/b.pdf": [Reply(200, scanned_pdf(2), PDF)],
        "/nb/c.html": [_page(_title("某市丙局"), "/f/c.docx")],
        "/f/c.docx": [Reply(200, _docx_report(_title("某市丙局")), DOCX)],
        "/nb/d.html": [_page(_title("某市丁局"), "/f/d.pdf")],
        "/f/d.pdf": [Reply(200, report_pdf(_title("某市丁局"), table=_misread()), PDF)],
        "/nb/e.html": [_page("关于做好政府信息公开工作的通知", "/f/e.pdf")],
        "/f/e.pdf": [Reply(200, report_pdf("通知"), PDF)],
    }


def _audit(tmp_path: Path, workers: int) -> tuple[ScriptedServer, list[dict[str, Any]]]:
    json_path = tmp_path / "f.json"
    with ScriptedServer(_site()) as server:
        config = fast_config(server.base_url + "/", tmp_path / "data", workers=workers)
        assert not config.content.attachments  # the default: files are read only as reports
        run_audit(config, as_of=AS_OF, json_path=json_path, handle_signals=False)
    findings = json.loads(json_path.read_text(encoding="utf-8"))["findings"]
    return server, [f for f in findings if f["kind"] == "annual_report"]


@pytest.mark.parametrize("workers", [0, 1])
def test_report_files_are_read_and_judged(tmp_path: Path, workers: int) -> None:
    server, found = _audit(tmp_path, workers)
    for path in ("/f/a.pdf", "/f/b.pdf", "/f/c.docx", "/f/d.pdf"):
        assert server.count(path, "GET") == 1 and server.count(path, "HEAD") == 0, path
    # Not a report's file: a link check only.
    assert server.count("/f/e.pdf", "HEAD") == 1 and server.count("/f/e.pdf", "GET") == 0
    what = {"内容不全": "sections", "表三数据不一致": "table", "附件无法读取": "unread"}
    by = {(f["url"].rsplit("/", 1)[1], next(v for k, v in what.items() if k in f["detail"])) for f in found}
    # 丁局's PDF table does not add up across its rows: not read, so nothing is said of it.
    assert by == {("a.pdf", "sections"), ("a.pdf", "table"), ("b.pdf", "unread"), ("c.docx", "table")}
    assert len(found) == len(by)
    sections = next(f for f in found if "内容不全" in f["detail"])
    assert "缺少“五、存在的主要问题及改进情况”" in sections["detail"]
    assert "附件中找到 5 个部分" in sections["detail"] and sections["severity"] == "deduction"
    for f in found:
        if "表三" in f["detail"]:
            assert "自然人列 10+1≠11+1" in f["detail"] and "商业企业列" not in f["detail"]
    unread = next(f for f in found if "无法读取" in f["detail"])
    assert unread["severity"] == "warning" and "某市乙局" in unread["detail"] and "扫描件" in unread["detail"]
