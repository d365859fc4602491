"""Adaptive politeness against fixed gentle settings, on the loopback sample portal (issue 14).

Each round serves ``sitecheck.demo.server`` (2,000 pages by default) in its own process, times a
few requests to the idle portal, then audits it with the default politeness, adaptive off
(fixed 2 per host, 0.3 s) and on, while a third process keeps timing requests to the portal.
Separate processes, so that neither the crawler's CPU nor the probe's stand in the server's way
(one Python process shares one GIL between them). Reported: pages read, wall time of the whole
audit, and the probe's median latency idle and during the crawl.

A real portal's server is not a Python process answering from memory in a millisecond: its pages
come from a CMS backend with a few worker threads and tens of milliseconds per request, and what a
crawler costs its visitors is the time they wait in that backend's queue. ``--backend-threads N
--service-ms S`` puts such a backend in front of the portal's own pages (127.0.0.1; the external
site is left as it is): every request waits for one of N workers, holds it S ms, then is answered.
Two profiles are worth measuring: a healthy server (8 threads, 20 ms: the crawler's ceiling of 20
requests a second uses an eighth of it) and a busy one (2 threads, 100 ms: capacity 20 requests a
second, the crawler's own ceiling, so only backing off keeps visitors' waits near idle).

    python bench/adaptive.py --pages 2000
    python bench/adaptive.py --pages 10000 --backend-threads 2 --service-ms 100 --only adaptive
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from multiprocessing.synchronize import Event
from pathlib import Path

from sitecheck.audit import run_audit
from sitecheck.config import AuditConfig

_PROBE_EVERY = 0.2  # seconds between probe requests: a visitor, not a second crawler


def _probe_once(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()
    return time.perf_counter() - started


def _probe(url: str, stop: Event, out: mp.Queue[list[float]]) -> None:
    samples: list[float] = []
    while not stop.is_set():
        samples.append(_probe_once(url))
        stop.wait(_PROBE_EVERY)
    out.put(samples)


def _serve_with_backend(argv: list[str], threads: int, service_ms: float) -> None:
    """Serve the demo portal with a backend of ``threads`` workers holding each request
    ``service_ms`` (bench harness only: it wraps the demo server's private request method)."""
    from sitecheck.demo import server as demo_server

    backend = threading.BoundedSemaphore(threads)
    serve = demo_server._Handler._serve

    def through_backend(self: demo_server._Handler, *, head: bool, form: bytes | None = None) -> None:
        if not self.server.external:
            with backend:
                time.sleep(service_ms / 1000)
        serve(self, head=head, form=form)

    demo_server._Handler._serve = through_backend  # type: ignore[method-assign]
    sys.exit(demo_server.main(argv))


def _serve(pages: int, threads: int = 0, service_ms: float = 0.0) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "sitecheck.demo.server", "--pages", str(pages)]
    if threads:
        command = [sys.executable, __file__, "--backend-of", str(pages), "--backend-threads", str(threads)]
        command += ["--service-ms", str(service_ms)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("demo portal:"):
            return server, line.split(":", 1)[1].strip()
    raise RuntimeError("the demo server did not start")


def one_round(pages: int, adaptive: bool, threads: int = 0, service_ms: float = 0.0) -> dict[str, float]:
    server, base = _serve(pages, threads, service_ms)
    try:
        probe_url = base + "index.html" if base.endswith("/") else base
        idle = [_probe_once(probe_url) for _ in range(20)]
        stop = mp.Event()
        out: mp.Queue[list[float]] = mp.Queue()
        prober = mp.Process(target=_probe, args=(probe_url, stop, out))
        with tempfile.TemporaryDirectory() as tmp:
            config = AuditConfig(data_dir=str(Path(tmp) / "data")).replace("site", start_url=base)
            config = config.replace("politeness", adaptive=adaptive)
            prober.start()
            started = time.perf_counter()
            result = run_audit(config, handle_signals=False)
            wall = time.perf_counter() - started
            stop.set()
            during = out.get(timeout=60)
            prober.join()
        return {
            "pages": float(result.stats.pages),
            "wall": wall,
            "idle_ms": statistics.median(idle) * 1000,
            "during_ms": statistics.median(during) * 1000,
            "probes": float(len(during)),
        }
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", choices=("fixed", "adaptive"), help="run one mode only")
    parser.add_argument("--backend-threads", type=int, default=0, help="backend workers (0: none)")
    parser.add_argument("--service-ms", type=float, default=20.0, help="ms a backend worker holds a request")
    parser.add_argument("--backend-of", type=int, help=argparse.SUPPRESS)  # the server process itself
    args = parser.parse_args()
    if args.backend_of is not None:
        _serve_with_backend(["--pages", str(args.backend_of)], args.backend_threads, args.service_ms)
    if args.backend_threads:
        print(f"backend: {args.backend_threads} threads, {args.service_ms:g} ms a request", flush=True)
    modes = [m for m in (False, True) if args.only is None or args.only == ("adaptive" if m else "fixed")]
    rows: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for adaptive in modes:
            row = one_round(args.pages, adaptive, args.backend_threads, args.service_ms)
            rows[adaptive].append(row)
            name = "adaptive" if adaptive else "fixed"
            print(
                f"{name:8} pages {row['pages']:.0f}  wall {row['wall']:.1f} s  "
                f"median latency idle {row['idle_ms']:.2f} ms, during {row['during_ms']:.2f} ms "
                f"({row['probes']:.0f} probes)",
                flush=True,
            )
    if len(modes) < 2:
        return
    fixed = statistics.median(r["wall"] for r in rows[False])
    adaptive_wall = statistics.median(r["wall"] for r in rows[True])
    ratio = fixed / adaptive_wall
    print(f"median wall: fixed {fixed:.1f} s, adaptive {adaptive_wall:.1f} s, ratio {ratio:.2f}×")


if __name__ == "__main__":
    main()
