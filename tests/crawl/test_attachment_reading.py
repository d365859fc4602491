"""Attachments read whole only when ``[content] attachments`` is on (issue 15), against real
servers on 127.0.0.1: off, an attachment is a HEAD (the link check); on, one GET of the whole
body, its hits stored with their places under the attachment's own target, a body over the cap
or one that stalls reported as not checkable while the link stays good, another site's files
still only HEAD, and the answer carried back from worker processes."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.config import AuditConfig
from sitecheck.demo.attachment_plants import docx_document, scanned_pdf, text_pdf, xlsx_workbook
from sitecheck.demo.text_plants import id_number
from sitecheck.fetch.client import BODY_TIMED_OUT, Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.models import FetchResult, Outcome

ID_A = id_number("110101", "19850312", "123")
ID_B = id_number("310104", "19920708", "456")
ID_C = id_number("440305", "19780121", "789")
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILES = ("/f/a.pdf", "/f/b.xlsx", "/f/c.docx", "/f/scan.pdf", "/f/big.pdf", "/f/old.doc")


def _site(external: str) -> dict[str, list[Reply]]:
    links = "".join(f'<li><a href="{path}">附件：{path}</a></li>' for path in FILES)
    home = (
        "<html><head><title>首页</title></head><body><ul>"
        f'{links}<li><a href="{external}/other.pdf">外站附件</a></li></ul></body></html>'
    ).encode()
    roster: list[list[object]] = [["姓名", "身份证号"], ["张某某", ID_A], ["李某某", ID_B], ["王某某", ID_C]]
    return {
        "/": [Reply(200, home)],
        "/f/a.pdf": [Reply(200, text_pdf([["nothing here"], [f"ID {ID_A}"]]), {"Content-Type": PDF})],
        "/f/b.xlsx": [Reply(200, xlsx_workbook({"名单": roster}), {"Content-Type": XLSX})],
        "/f/c.docx": [
            Reply(
                200, docx_document(["答复"], [["申请人", "证件号码"], ["刘某", ID_B]]), {"Content-Type": DOCX}
            )
        ],
        "/f/scan.pdf": [Reply(200, scanned_pdf(1), {"Content-Type": PDF})],
        "/f/big.pdf": [Reply(200, b"%PDF-1.4 " + b"x" * 300_000, {"Content-Type": PDF})],
        "/f/old.doc": [
            Reply(
                200,
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
                {"Content-Type": "application/msword"},
            )
        ],
    }


def _audit(
    tmp_path: Path, attachments: bool, workers: int = 0
) -> tuple[ScriptedServer, ScriptedServer, Path]:
    with (
        ScriptedServer(
            {"/other.pdf": [Reply(200, text_pdf([[f"ID {ID_C}"]]), {"Content-Type": PDF})]}
        ) as other,
        ScriptedServer(_site(other.base_url)) as server,
    ):
        config: AuditConfig = fast_config(server.base_url + "/", tmp_path / "data", workers=workers)
        config = config.replace("content", attachments=attachments, attachment_max_bytes=200_000)
        run_audit(config, handle_signals=False, reports=False)
    return server, other, tmp_path / "data" / "sitecheck.sqlite3"


def _stored(db_path: Path) -> dict[str, list[tuple[str, str, str]]]:
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT t.url, h.kind, h.value, h.place FROM text_hits h JOIN targets t ON t.id=h.page_id"
            " ORDER BY h.page_id, h.position"
        ).fetchall()
    found: dict[str, list[tuple[str, str, str]]] = {}
    for url, kind, value, place in rows:
        found.setdefault("/" + url.split("/", 3)[3], []).append((kind, value, place))
    return found


def test_off_attachments_are_only_checked_with_head(tmp_path: Path) -> None:
    server, other, db_path = _audit(tmp_path, attachments=False)
    for path in FILES:
        assert server.count(path, "HEAD") == 1, path
        assert server.count(path, "GET") == 0, path
    assert other.count("/other.pdf", "GET") == 0
    assert _stored(db_path) == {}


@pytest.mark.parametrize("workers", [0, 1])
def test_on_each_attachment_is_one_get_and_its_hits_are_stored_with_their_place(
    tmp_path: Path, workers: int
) -> None:
    server, other, db_path = _audit(tmp_path, attachments=True, workers=workers)
    for path in FILES:
        assert server.count(path, "GET") == 1, path
        assert server.count(path, "HEAD") == 0, path
    # Another site's file is that site's to check: a link check only.
    assert other.count("/other.pdf", "GET") == 0 and other.count("/other.pdf", "HEAD") == 1
    found = _stored(db_path)
    assert found["/f/a.pdf"] == [("id_card", f"{ID_A[:4]}**********{ID_A[-4:]}", "第 2 页")]
    assert found["/f/b.xlsx"][0][0::2] == ("roster", "工作表“名单”B 列")
    assert ("id_card", f"{ID_A[:4]}**********{ID_A[-4:]}", "工作表“名单”单元格 B2") in found["/f/b.xlsx"]
    assert found["/f/c.docx"] == [("id_card", f"{ID_B[:4]}**********{ID_B[-4:]}", "表格 1 第 2 行")]
    assert found["/f/scan.pdf"] == [("unreadable", "scanned", "")]
    assert found["/f/big.pdf"] == [("unreadable", "too_large", "")]
    assert found["/f/old.doc"] == [("unreadable", "legacy", "")]
    assert "/" not in found  # the home page itself says nothing personal
    with sqlite3.connect(db_path) as db:
        outcomes = dict(
            db.execute("SELECT t.url, c.outcome FROM checks c JOIN targets t ON t.id=c.target_id")
        )
        text = repr(db.execute("SELECT * FROM text_hits").fetchall())
    # Unreadable or too large, every link still works: no dead link is made of a big file.
    assert {url.rsplit("/", 1)[1]: outcome for url, outcome in outcomes.items() if "/f/" in url} == {
        name.rsplit("/", 1)[1]: "ok" for name in FILES
    }
    for number in (ID_A, ID_B, ID_C):
        assert number not in text


@pytest.mark.parametrize("drip", [False, True])
def test_a_body_that_stalls_is_not_checkable_and_the_link_still_works(drip: bool) -> None:
    """Headers at once, then nothing for a timeout (the client's read timeout), or a byte every
    so often (the body's own deadline, ATTACHMENT_TIME_FACTOR timeouts): the body is given up,
    the answer stays a 200 (a dead link would be false: a browser gets the file, slowly)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n"
            conn.sendall(head + b"%PDF")
            while drip and not stop.wait(0.05):
                conn.sendall(b"x")
            stop.wait(10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow.pdf"
    config = AuditConfig().replace("fetch", timeout=0.25, retries=0)

    async def main() -> tuple[float, FetchResult]:
        async with build_client(config) as client:
            fetcher = Fetcher(client, FetchPolicy.from_config(config), HostLimiter(2, 0.0))
            loop = asyncio.get_running_loop()
            started = loop.time()
            result = await fetcher.attachment(url, 1_000_000)
            return loop.time() - started, result

    try:
        elapsed, result = asyncio.run(main())
    finally:
        stop.set()
        listener.close()
    assert result.outcome is Outcome.OK and result.status == 200
    assert result.truncated and result.body is None and result.error == BODY_TIMED_OUT
    # The server would go on for 10 s: the body was given up at the fetcher's own deadline (4
    # timeouts of 0.25 s for the whole body when it drips, one timeout when it stalls), not
    # at the first 0.25 s a dripping body never leaves without data.
    assert elapsed < 8.0
    assert elapsed >= (0.9 if drip else 0.2)
