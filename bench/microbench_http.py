"""HTTP client micro-benchmark: one client, N GETs at concurrency C, against the bench nginx.

Run once per client in a fresh process (``bench.py`` alternates clients over rounds and takes
medians). Prints one JSON line: requests, seconds, CPU seconds of this process during the
loop (user+system), requests/s and CPU per request.

Clients:
  httpx        httpx.AsyncClient.get (the version installed, 0.28.1 in the peers venv)
  httpx2       httpx2.AsyncClient.get
  httpx2-stream  httpx2 the way sitecheck's fetch layer uses it: client.stream() inside
               asyncio.timeout(), body read with aiter_bytes()
  aiohttp      aiohttp.ClientSession.get + read()
  sitecheck    sitecheck.fetch.Fetcher.page(): the client above plus per-host limiter,
               outcome classification and soft-404 screening (needs sitecheck importable)

Every client reads the whole body and keeps connections alive (a pool of C connections).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any


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
    if client in ("httpx", "httpx2", "httpx2-stream"):
        mod = __import__("httpx" if client == "httpx" else "httpx2")
        version = mod.__version__
        limits = mod.Limits(max_connections=c, max_keepalive_connections=c)
        cl = mod.AsyncClient(limits=limits, timeout=30.0, trust_env=False)
        closer = cl.aclose
        if client == "httpx2-stream":

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
    elif client == "sitecheck":
        import httpx2

        from sitecheck import __version__ as sc_version
        from sitecheck.config import AuditConfig
        from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
        from sitecheck.fetch.politeness import HostLimiter
        from sitecheck.models import Outcome

        version = f"sitecheck {sc_version}, httpx2 {httpx2.__version__}"
        config = _sitecheck_config(AuditConfig, urls[0], c)
        hc = build_client(config)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", required=True)
    ap.add_argument("--urls", required=True, help="file with one URL per line")
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=500)
    args = ap.parse_args()
    with Path(args.urls).open(encoding="utf-8") as f:
        urls = [line.strip() for line in f if line.strip()]
    try:
        import uvloop  # noqa: F401

        print("uvloop is installed but not used: the plain asyncio loop is measured", file=sys.stderr)
    except ImportError:
        pass
    result = asyncio.run(run(args.client, urls, args.requests, args.concurrency, args.warmup))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
