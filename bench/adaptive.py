"""Adaptive politeness against fixed gentle settings, on the loopback sample portal (issue 14).

Each round serves ``sitecheck.demo.server`` (2,000 pages by default) in its own process, times a
few requests to the idle portal, then audits it with the default politeness, adaptive off
(fixed 2 per host, 0.3 s) and on, while a third process keeps timing requests to the portal.
Separate processes, so that neither the crawler's CPU nor the probe's stand in the server's way
(one Python process shares one GIL between them). Reported: pages read, wall time of the whole
audit, and the probe's median latency idle and during the crawl.

    python bench/adaptive.py --pages 2000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
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


def _serve(pages: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "sitecheck.demo.server", "--pages", str(pages)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("demo portal:"):
            return server, line.split(":", 1)[1].strip()
    raise RuntimeError("the demo server did not start")


def one_round(pages: int, adaptive: bool) -> dict[str, float]:
    server, base = _serve(pages)
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
    args = parser.parse_args()
    modes = [m for m in (False, True) if args.only is None or args.only == ("adaptive" if m else "fixed")]
    rows: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for adaptive in modes:
            row = one_round(args.pages, adaptive)
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
