"""HTTP client micro-benchmark: one client, N GETs at concurrency C, against the bench nginx.

Run once per client in a fresh process (``bench.py`` alternates clients over rounds and takes
medians). Prints one JSON line: requests, seconds, CPU seconds of this process during the
loop (user+system), requests/s and CPU per request.

Clients:
  httpx        httpx.AsyncClient.get (the version installed, 0.28.1 in the peers venv)
  httpx2       httpx2.AsyncClient.get
  httpx2-stream  httpx2 the way sitecheck's fetch layer uses it: client.stream() inside
               asyncio.timeout(), body read with aiter_bytes()
  httpx2-lean  httpx2.AsyncClient.get with a leaner pool: keep-alive connections never
               expire (keepalive_expiry=None, no expiry bookkeeping per request)
  httpx2-aiohttp  httpx2.AsyncClient.get over sitecheck's aiohttp transport
               (sitecheck.fetch.aiohttp_transport.AiohttpTransport; needs sitecheck importable)
  httpx2-aiohttp-stream  the same, used the way sitecheck's fetch layer uses it (as httpx2-stream)
  aiohttp      aiohttp.ClientSession.get + read()
  sitecheck    sitecheck.fetch.Fetcher.page(): build_client() as configured by default (the
               aiohttp transport when aiohttp is installed) plus per-host limiter, outcome
               classification and soft-404 screening (needs sitecheck importable)
  sitecheck-httpx  the same with [fetch] transport = "httpx" (httpx2's own transport)

Every client reads the whole body and keeps connections alive (a pool of C connections).

Without ``--urls`` it serves on loopback itself: a small HTTP/1.1 keep-alive server in a child
process (its CPU is not counted) answers ``--pages`` article-sized HTML pages (``--size`` bytes,
about what the bench portal's articles weigh) on 127.0.0.1, e.g.

  python bench/microbench_http.py --client httpx2-aiohttp --requests 5000 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

_HTTPX_CLIENTS = (
    "httpx",
    "httpx2",
    "httpx2-stream",
    "httpx2-lean",
    "httpx2-aiohttp",
    "httpx2-aiohttp-stream",
)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _drive(fetch: Callable[[str], Awaitable[int]], urls: list[str], n: int, c: int) -> tuple[int, int]:
    counter = iter(range(n))
    bad = 0
    done = 0

    async def worker() -> None:
        nonlocal bad, done
        for i in counter:
            status = await fetch(urls[i % len(urls)])
            done += 1
            if status != 200:
                bad += 1

    await asyncio.gather(*(worker() for _ in range(c)))
    return done, bad


async def run(client: str, urls: list[str], n: int, c: int, warmup: int) -> dict[str, object]:
    version = ""
    closer: Callable[[], Awaitable[object]]
    fetch: Callable[[str], Awaitable[int]]
    if client in _HTTPX_CLIENTS:
        mod = __import__("httpx" if client == "httpx" else "httpx2")
        version = mod.__version__
        if client == "httpx2-lean":
            limits = mod.Limits(max_connections=c, max_keepalive_connections=c, keepalive_expiry=None)
        else:
            limits = mod.Limits(max_connections=c, max_keepalive_connections=c)
        transport = None
        if client.startswith("httpx2-aiohttp"):
            import aiohttp

            from sitecheck.fetch.aiohttp_transport import AiohttpTransport

            version = f"httpx2 {mod.__version__}, aiohttp {aiohttp.__version__}"
            transport = AiohttpTransport(limits=limits)
        cl = mod.AsyncClient(limits=limits, timeout=30.0, trust_env=False, transport=transport)
        closer = cl.aclose
        if client in ("httpx2-stream", "httpx2-aiohttp-stream"):

            async def fetch(url: str) -> int:
                async with asyncio.timeout(30.0), cl.stream("GET", url) as resp:
                    chunks = [chunk async for chunk in resp.aiter_bytes()]
                    b"".join(chunks)
                    return int(resp.status_code)
        else:

            async def fetch(url: str) -> int:
                resp = await cl.get(url)
                return int(resp.status_code)
    elif client == "aiohttp":
        import aiohttp

        version = aiohttp.__version__
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=c, limit_per_host=c),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        closer = session.close

        async def fetch(url: str) -> int:
            async with session.get(url) as resp:
                await resp.read()
                return resp.status
    elif client in ("sitecheck", "sitecheck-httpx"):
        import httpx2

        from sitecheck import __version__ as sc_version
        from sitecheck.config import AuditConfig
        from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
        from sitecheck.fetch.politeness import HostLimiter
        from sitecheck.models import Outcome

        version = f"sitecheck {sc_version}, httpx2 {httpx2.__version__}"
        config = _sitecheck_config(AuditConfig, urls[0], c)
        if client == "sitecheck-httpx":
            config = config.replace("fetch", transport="httpx")
        hc = build_client(config)
        version += f" ({type(hc._transport).__name__})"
        closer = hc.aclose
        limiter = HostLimiter(c, 0.0)
        fetcher = Fetcher(hc, FetchPolicy.from_config(config), limiter)

        async def fetch(url: str) -> int:
            result = await fetcher.page(url)
            return 200 if result.outcome is Outcome.OK else 0
    else:
        raise SystemExit(f"unknown client {client}")

    await _drive(fetch, urls, warmup, c)  # open the pool, warm caches
    cpu0, t0 = _cpu(), time.perf_counter()
    done, bad = await _drive(fetch, urls, n, c)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    await closer()
    return {
        "client": client,
        "version": version,
        "python": sys.version.split()[0],
        "requests": done,
        "errors": bad,
        "concurrency": c,
        "seconds": wall,
        "cpu_seconds": cpu,
        "rps": done / wall,
        "cpu_ms_per_request": 1000 * cpu / done,
    }


def _sitecheck_config(audit_config: Any, url: str, c: int) -> Any:
    """An AuditConfig for ``url`` with the benchmark's raised politeness limits."""
    return (
        audit_config()
        .replace("site", start_url=url)
        .replace("politeness", concurrency=c, per_host_concurrency=c, min_interval=0.0)
    )


# --- the built-in loopback server (used when no --urls file is given) -------------------------


class _PageServer(asyncio.Protocol):
    """HTTP/1.1 keep-alive: every GET of /article/<n>.html gets the same HTML page."""

    answer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport  # uvloop's transports are not asyncio.Transport subclasses
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.buffer = self.buffer[end + 4 :]  # GETs only: no request body
            self.transport.write(self.answer)


def serve(size: int) -> None:
    """Serve on 127.0.0.1 (port printed on stdout) until stdin closes."""
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>article</title></head><body><p>'
    tail = b"</p></body></html>"
    text = "政务公开 通知公告 ".encode()
    body = head + text * max(1, (size - len(head) - len(tail)) // len(text)) + tail
    _PageServer.answer = (
        b"HTTP/1.1 200 OK\r\nServer: microbench\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_PageServer, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
        server.close()

    try:
        import uvloop  # the server's own speed only: its CPU is not measured

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


def _start_server(size: int, pages: int) -> tuple[subprocess.Popen[str], list[str]]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-only", "--size", str(size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    port = int(child.stdout.readline())
    return child, [f"http://127.0.0.1:{port}/article/{i}.html" for i in range(pages)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", help="see the module docstring")
    ap.add_argument("--urls", help="file with one URL per line; without it a loopback server is started")
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--pages", type=int, default=1000, help="built-in server: distinct URLs")
    ap.add_argument("--size", type=int, default=4700, help="built-in server: page size in bytes")
    ap.add_argument("--serve-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_only:
        serve(args.size)
        return
    if not args.client:
        ap.error("--client is required")
    child = None
    if args.urls:
        with Path(args.urls).open(encoding="utf-8") as f:
            urls = [line.strip() for line in f if line.strip()]
    else:
        child, urls = _start_server(args.size, args.pages)
    try:
        import uvloop  # noqa: F401

        print("uvloop is installed but not used: the plain asyncio loop is measured", file=sys.stderr)
    except ImportError:
        pass
    try:
        result = asyncio.run(run(args.client, urls, args.requests, args.concurrency, args.warmup))
    finally:
        if child is not None:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(10)
    result["server"] = "built-in (127.0.0.1)" if child is not None else args.urls
    print(json.dumps(result))


if __name__ == "__main__":
    main()
