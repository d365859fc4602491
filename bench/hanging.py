"""What endpoints that never answer cost a crawl at the gentle default settings.

Real portals link query and search endpoints (.jsp, .do) that answer after many seconds or
never, and other sites whose hosts accept a connection and then say nothing. A webmaster audits
with the defaults (8 requests in flight, 2 per host, adaptive from 0.3 s apart, a 15 s timeout,
2 retries). This serves a small portal on 127.0.0.1 (a home page, a chain of list pages of 20
articles each) with ``--endpoints`` such endpoints linked from its home page, and ``--hosts``
links to hosts on other loopback addresses (127.0.0.10, .11, …) that accept and never answer,
and times ``sitecheck crawl`` at its defaults on four variants: neither, endpoints only, hosts
only, both. The peer is the first variant: the portal without them, in the same run.

``--src DIR`` crawls with another source tree too (a checkout of an older commit's ``src``),
alternated with this one, to compare two versions on the same portals.

Usage: python bench/hanging.py [--pages 400] [--endpoints 6] [--hosts 20] [--timeout 15] [--src DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _list_page(number: int, pages: int) -> str:
    rows = "".join(
        f'<li><a href="/p/{j}.html">第{j}篇文章的标题</a><span>2026-11-{1 + j % 28:02d}</span></li>'
        for j in range(number * 20, min(pages, number * 20 + 20))
    )
    more = f'<a href="/list/{number + 1}.html">下一页</a>' if (number + 1) * 20 < pages else ""
    title = f"<title>通知公告 第{number + 1}页</title>"
    return f"<html><head>{title}</head><body><ul>{rows}</ul>{more}</body></html>"


def _article(number: int) -> str:
    return (
        f"<html><head><title>文章 {number}</title><meta name='ArticleTitle' content='文章 {number}'></head>"
        f"<body><h1>文章 {number}</h1><p>{'正文内容。' * 80}</p>"
        "<a href='/list/0.html'>返回列表</a></body></html>"
    )


def _home(endpoints: int, hosts: int, silent_port: int) -> str:
    slow = "".join(f'<a href="/q/search{k}.jsp">查询{k}</a>' for k in range(endpoints))
    friends = "".join(
        f'<li><a href="http://127.0.0.{10 + k}:{silent_port}/">友情链接 {k}</a></li>' for k in range(hosts)
    )
    menu = "<a href='/list/0.html'>通知公告</a>"
    return f"<html><head><title>首页</title></head><body>{menu}{slow}<ul>{friends}</ul></body></html>"


class Portal:
    """The portal and its silent hosts, served by asyncio in a thread of their own."""

    def __init__(self, pages: int, endpoints: int, hosts: int) -> None:
        self.pages, self.endpoints, self.hosts = pages, endpoints, hosts
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Portal:
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        silent = await asyncio.start_server(self._never, "0.0.0.0", 0)
        silent_port = silent.sockets[0].getsockname()[1]
        self._home = _home(self.endpoints, self.hosts, silent_port).encode()
        server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]

    async def _never(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the crawler gives up and closes
        writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                path = line.split()[1].decode()
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                if path.startswith("/q/"):
                    await reader.read()  # a query endpoint that never answers
                    break
                status, body = "200 OK", b""
                if path == "/":
                    body = self._home
                elif path.startswith("/list/"):
                    body = _list_page(int(path[6:-5]), self.pages).encode()
                elif path.startswith("/p/"):
                    body = _article(int(path[3:-5])).encode()
                else:
                    status, body = "404 Not Found", b"<html><title>404</title></html>"
                head = f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                head += f"Content-Length: {len(body)}\r\n\r\n"
                writer.write(head.encode() + body)
                await writer.drain()
        except (ConnectionError, IndexError, ValueError):
            pass
        finally:
            writer.close()


def crawl(src: Path, port: int, timeout: float) -> tuple[float, int]:
    """Wall seconds and findings of ``sitecheck crawl`` at its default settings."""
    with tempfile.TemporaryDirectory(prefix="sitecheck-hanging-") as tmp:
        folder = Path(tmp)
        findings = folder / "findings.json"
        command = [sys.executable, "-m", "sitecheck", "crawl", f"http://127.0.0.1:{port}/", "-q"]
        command += ["--no-reports"]
        command += ["--no-sitemap", "--timeout", str(timeout), "--data-dir", str(folder / "data")]
        command += ["--json", str(findings), "--as-of", "2026-12-01"]
        env = dict(os.environ, PYTHONPATH=str(src))
        started = time.monotonic()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - started
        data = json.loads(findings.read_text(encoding="utf-8")) if findings.exists() else {}
        return seconds, len(data.get("findings", [])) if isinstance(data, dict) else len(data)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=400, help="articles (20 a list page)")
    parser.add_argument("--endpoints", type=int, default=6, help="the portal's endpoints that never answer")
    parser.add_argument("--hosts", type=int, default=20, help="links to other hosts that never answer")
    parser.add_argument("--timeout", type=float, default=15.0, help="sitecheck's --timeout (its default: 15)")
    parser.add_argument("--src", type=Path, help="another source tree, crawled alternately with this one")
    args = parser.parse_args()
    sources = [("this", ROOT / "src")] + ([("--src", args.src.resolve())] if args.src else [])
    variants = [
        ("neither (the peer)", 0, 0),
        (f"{args.endpoints} endpoints", args.endpoints, 0),
        (f"{args.hosts} silent hosts", 0, args.hosts),
        ("both", args.endpoints, args.hosts),
    ]
    print(f"portal: {args.pages} articles, defaults of `sitecheck crawl` with --timeout {args.timeout:g}")
    print("| portal | " + " | ".join(f"{name}: wall s (× peer), findings" for name, _ in sources) + " |")
    print("|---|" + "---:|" * len(sources))
    peer: dict[str, float] = {}
    for label, endpoints, hosts in variants:
        with Portal(args.pages, endpoints, hosts) as portal:
            cells = []
            for name, src in sources:
                seconds, found = crawl(src, portal.port, args.timeout)
                peer.setdefault(name, seconds)
                cells.append(f"{seconds:.1f} ({seconds / peer[name]:.1f}×), {found}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
