"""What the content checks (issue 15) cost on a crawl: pages per second with and without them, and
attachments read per second with the bytes read.

Part 1, pages: the sample portal (``sitecheck.demo.server``, its own process) audited with
``[content] privacy = wording = annual_report = false`` and with the defaults (all three on),
alternating, ``--rounds`` times; medians of wall time, the crawl's CPU (its process, from
``wait4``) and pages per second.

Part 2, attachments: a loopback site of ``--articles`` article pages, each linking three files
as a department publishes them (a real published PDF of 5-6 pages, one of the three annual
reports of tests/corpus/annual-reports in turn; a DOCX of 40 paragraphs of prose with numbers
and a 20-row table; an XLSX roster of 300 rows), served by a threaded server in this
process that counts what it sends. Audited with ``[content] attachments = false`` (the default:
HEAD only) and ``true`` (each file read whole and checked for personal data). Reported: files
read (GETs of the files), bytes read, attachments per second of the audit's wall time, and the
CPU per file and per MiB the reading added.

    python bench/content.py                       # 2,000 pages, 100 articles × 3 files, 3 rounds
    python bench/content.py --pages 5000 --articles 200 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sitecheck.demo.attachment_plants import docx_document, xlsx_workbook

PROSE = (
    "为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，现将有关事项通知如下。",
    "截至{year}年{month}月底，全市共受理各类申请{n}件，办结率{pct}%，群众满意度持续提升。",
    "各单位要高度重视，明确专人负责，于{month}月{day}日前将材料报送至市发展改革委综合处。",
    "联系电话：0571-8705{n:04d}，传真：0571-8705{m:04d}，地址：某市人民大道{m}号。",
    "本通知自印发之日起施行，索引号：11330000MB1{n:04d}/{year}-{m:05d}，文号：某发改〔{year}〕{n}号。",
)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    pages: int
    files_read: int = 0
    bytes_read: int = 0


def _prose(rng: random.Random, lines: int) -> list[str]:
    out = []
    for _ in range(lines):
        template = rng.choice(PROSE)
        out.append(
            template.format(
                year=rng.randint(2019, 2026),
                month=rng.randint(1, 12),
                day=rng.randint(1, 28),
                n=rng.randint(10, 9999),
                m=rng.randint(100, 99999),
                pct=rng.randint(80, 100),
            )
        )
    return out


# Real PDFs as departments publish them (WPS-made, 5-6 pages, fonts embedded: 240-410 KiB): the
# corpus's annual reports, taken in turn.
REAL_PDFS = sorted(
    (Path(__file__).resolve().parents[1] / "tests" / "corpus" / "annual-reports").glob("*.pdf")
)


def _files(seed: int) -> dict[str, tuple[str, bytes]]:
    """One article's three files: path suffix -> (content type, bytes)."""
    rng = random.Random(seed)
    header = ["序号", "单位", "项目", "金额（万元）", "联系人", "备注"]
    table = [header] + [
        [str(i), f"某市第{i}局", f"项目{i}", str(rng.randint(10, 999)), "张**", ""] for i in range(20)
    ]
    roster: list[list[object]] = [["序号", "姓名", "单位", "职务", "办公电话", "备注"]]
    roster += [[i, f"张{i}", f"某市第{i % 40}局", "科员", f"0571-8705{i:04d}", ""] for i in range(300)]
    return {
        ".pdf": ("application/pdf", REAL_PDFS[seed % len(REAL_PDFS)].read_bytes()),
        ".docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx_document(_prose(rng, 40), table),
        ),
        ".xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx_workbook({"名单": roster}),
        ),
    }


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, articles: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.sent: Counter[str] = Counter()  # "GET file" / "HEAD file" / "bytes"
        self.lock = threading.Lock()
        items = []
        for i in range(articles):
            links = "".join(
                f'<p><a href="/f/{i}{ext}">附件{k + 1}：第{i}号通知附件{ext}</a></p>'
                for k, ext in enumerate((".pdf", ".docx", ".xlsx"))
            )
            body = "".join(f"<p>{line}</p>" for line in _prose(random.Random(i), 12))
            page = (
                f"<html><head><meta charset='utf-8'><title>第{i}号通知</title></head><body>"
                f"<h1>第{i}号通知</h1>{body}{links}</body></html>"
            )
            self.routes[f"/a/{i}.html"] = ("text/html; charset=utf-8", page.encode())
            items.append(f'<li><a href="/a/{i}.html">第{i}号通知</a><span>2026-12-01</span></li>')
            for ext, (ctype, data) in _files(i).items():
                self.routes[f"/f/{i}{ext}"] = (ctype, data)
        head = "<html><head><meta charset='utf-8'><title>通知公告</title></head>"
        index = f"{head}<body><ul>{''.join(items)}</ul></body></html>"
        self.routes["/"] = ("text/html; charset=utf-8", index.encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Site

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        ctype, body = self.server.routes.get(self.path, ("text/html", b"<h1>404</h1>"))
        found = self.path in self.server.routes
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path.startswith("/f/"):
            with self.server.lock:
                self.server.sent["HEAD file" if head else "GET file"] += 1
                if not head:
                    self.server.sent["bytes"] += len(body)
        if not head:
            self.wfile.write(body)


def _audit(url: str, config: str, tmp: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the sitecheck process, pages read."""
    (tmp / "portal.toml").write_text(config, encoding="utf-8")
    data = tmp / f"data-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "sitecheck", "crawl", url, "--config", str(tmp / "portal.toml")]
    command += ["--data-dir", str(data), "--reports-dir", str(tmp / "reports"), "--quiet"]
    command += ["--concurrency", "8", "--per-host", "8", "--interval", "0", "--json", str(data) + ".json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"sitecheck failed: {process.stderr.read().decode() if process.stderr else ''}")
    import json

    pages = int(json.loads(Path(str(data) + ".json").read_text("utf-8"))["summary"]["pages"])
    return wall, usage.ru_utime + usage.ru_stime, pages


BASE = "[site]\nuse_sitemap = false\n[politeness]\nrespect_robots = false\n"
CONTENT_OFF = BASE + "[content]\nprivacy = false\nwording = false\nannual_report = false\n"


def pages_part(pages: int, rounds: int) -> dict[str, list[Run]]:
    server = subprocess.Popen(
        [sys.executable, "-m", "sitecheck.demo.server", "--pages", str(pages), "--slow-seconds", "1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    url = next(line.split(":", 1)[1].strip() for line in server.stdout if line.startswith("demo portal:"))
    runs: dict[str, list[Run]] = {"content checks off": [], "content checks on (default)": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(rounds):
                for name, config in zip(runs, (CONTENT_OFF, BASE), strict=True):
                    wall, cpu, read = _audit(url, config, Path(tmp))
                    runs[name].append(Run(wall, cpu, read))
    finally:
        server.terminate()
        server.wait()
    return runs


def attachments_part(articles: int, rounds: int) -> dict[str, list[Run]]:
    site = _Site(articles)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{site.server_address[1]}/"
    runs: dict[str, list[Run]] = {"attachments = false (default)": [], "attachments = true": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(rounds):
                for name, on in zip(runs, (False, True), strict=True):
                    site.sent.clear()
                    config = BASE + f"[content]\nattachments = {'true' if on else 'false'}\n"
                    wall, cpu, read = _audit(url, config, Path(tmp))
                    runs[name].append(Run(wall, cpu, read, site.sent["GET file"], site.sent["bytes"]))
    finally:
        site.shutdown()
    return runs


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(float(getattr(run, field)) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="sample portal size (part 1)")
    parser.add_argument("--articles", type=int, default=100, help="article pages of part 2, 3 files each")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    pages = pages_part(args.pages, args.rounds)
    print(f"\nPart 1: the sample portal, {args.pages} pages requested; medians of {args.rounds} rounds\n")
    print("| setting | pages | wall s | CPU s | pages/s | CPU ms/page |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in pages.items():
        n, wall, cpu = _median(runs, "pages"), _median(runs, "wall"), _median(runs, "cpu")
        print(f"| {name} | {n:.0f} | {wall:.1f} | {cpu:.1f} | {n / wall:.0f} | {cpu / n * 1000:.2f} |")

    files = attachments_part(args.articles, args.rounds)
    sizes = [len(data) for _, data in _files(0).values()]
    print(
        f"\nPart 2: {args.articles} articles × 3 files (a real PDF of {sizes[0] // 1024} KiB or so, DOCX "
        f"{sizes[1] // 1024} KiB, XLSX {sizes[2] // 1024} KiB each); medians of {args.rounds} rounds\n"
    )
    print("| setting | files read | MiB read | wall s | CPU s | attachments/s (wall) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in files.items():
        read, mib = _median(runs, "files_read"), _median(runs, "bytes_read") / 2**20
        wall, cpu = _median(runs, "wall"), _median(runs, "cpu")
        rate = f"{read / wall:.1f}" if read else "—"
        print(f"| {name} | {read:.0f} | {mib:.1f} | {wall:.1f} | {cpu:.1f} | {rate} |")
    off, on = files.values()
    extra = _median(on, "cpu") - _median(off, "cpu")
    read, mib = _median(on, "files_read"), _median(on, "bytes_read") / 2**20
    if read:
        print(
            f"\nReading the files added {extra:.1f} s of CPU: {extra / read * 1000:.0f} ms a file, "
            f"{extra / mib:.2f} s a MiB ({mib / extra:.1f} MiB/s of CPU)."
        )


if __name__ == "__main__":
    main()
