"""What writing the reports costs on a portal with tens of thousands of findings.

The benchmark portal has a few dozen findings, so its runs never show the report writers. A
portal whose attachment folder was deleted has thousands of dead links, and each is a row of
the checklist. This makes such a site (``--pages`` pages, each with ``--dead`` links of its own
that answer 404), serves it from Python's threading server on 127.0.0.1, crawls it once with
sitecheck, and then times each report writer in a process of its own: wall seconds, the
process's peak memory above what judging and building the report data took (the baseline,
printed first), and the file's size. The peer is the CSV writer: it writes the same rows with
nothing but the standard library, so the other writers are given as multiples of it.

``--src DIR`` writes the reports with another source tree (a checkout of an older commit's
``src``), to compare two versions of the writers on the same stored run.

Usage: python bench/reports.py [--pages 1500] [--dead 20] [--src DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("csv", "json", "xlsx", "html", "sarif", "junit")
AS_OF = date(2026, 12, 5)
# The benchmark's settings (bench/README.md): no delay, no retries, the peers' timeout.
_CRAWL = (sys.executable, "-m", "sitecheck", "crawl", "--no-reports", "--no-robots", "--no-sitemap", "-q")
_CRAWL += ("--concurrency", "20", "--per-host", "20", "--interval", "0", "--retries", "0", "--timeout", "10")


def make_site(folder: Path, pages: int, dead: int) -> None:
    """A home page linking every page; every page links ``dead`` addresses that do not exist."""
    (folder / "p").mkdir(parents=True, exist_ok=True)
    links = "".join(f'<li><a href="/p/{i}.html">第 {i} 页</a></li>' for i in range(pages))
    (folder / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>首页</title></head>"
        f"<body><ul>{links}</ul></body></html>",
        encoding="utf-8",
    )
    for i in range(pages):
        gone = "".join(f'<li><a href="/gone/{i}/{j}.html">失效链接{i}-{j}</a></li>' for j in range(dead))
        (folder / "p" / f"{i}.html").write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>第 {i} 页</title></head>"
            f"<body><a href='/'>首页</a><ul>{gone}</ul></body></html>",
            encoding="utf-8",
        )


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def crawl(site: Path, data: Path) -> float:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    start = time.perf_counter()
    try:
        subprocess.run(
            [*_CRAWL, url, "--data-dir", str(data), "--as-of", AS_OF.isoformat()],
            check=False,  # exit 1 says "findings": the run is what we want
            env=dict(os.environ) | {"PYTHONPATH": str(ROOT / "src")},
            stdout=subprocess.DEVNULL,
        )
    finally:
        server.shutdown()
    return time.perf_counter() - start


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_one(data: Path, out: Path, fmt: str) -> dict[str, float]:
    """In a fresh process: judge the stored run, build the report data, write one format."""
    from sitecheck.audit import judge_run
    from sitecheck.config import config_from_mapping
    from sitecheck.report.checklist import build_report, summarize
    from sitecheck.store import Store

    store = Store(data)
    run = store.latest_run()
    assert run is not None, "no run stored"
    config = config_from_mapping(json.loads(run.config_json), "bench")
    summary = summarize(store, run.id, AS_OF, judge_run(store, config, run.id, AS_OF))
    report = build_report(store, summary, config)
    base = _peak_mib()
    start = time.perf_counter()
    if fmt == "json":
        from sitecheck.report.jsonfile import write_json

        path = out / "findings.json"
        write_json(summary, path)
    elif fmt in ("sarif", "junit"):
        from sitecheck.report import ci

        path = out / ("findings.sarif" if fmt == "sarif" else "junit.xml")
        (ci.write_sarif if fmt == "sarif" else ci.write_junit)(report, path)
    else:
        from sitecheck.report import html, tabular

        writers = {"csv": tabular.write_csv, "xlsx": tabular.write_xlsx, "html": html.write_html}
        path = out / {"csv": "findings.csv", "xlsx": "checklist.xlsx", "html": "checklist.html"}[fmt]
        writers[fmt](report, path)
    seconds = time.perf_counter() - start
    store.close()
    return {
        "seconds": seconds,
        "base_mib": base,
        "above_mib": _peak_mib() - base,
        "mb": path.stat().st_size / 1e6,
        "rows": len(report.rows),
    }


def measure(data: Path, out: Path, fmt: str, src: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", fmt, "--data", str(data), "--out", str(out)],
        env=dict(os.environ) | {"PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--dead", type=int, default=20, help="dead links of its own on each page")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="source tree that writes the reports")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (site, store, reports)")
    parser.add_argument("--rounds", type=int, default=1, help="times each writer runs; the best is shown")
    parser.add_argument("--one", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(write_one(args.data, args.out, args.one)))
        return

    with tempfile.TemporaryDirectory(prefix="sitecheck-reports-") as scratch:
        work = args.keep or Path(scratch)
        site, data, out = work / "site", work / "data", work / "reports"
        out.mkdir(parents=True, exist_ok=True)
        if not (data / "sitecheck.sqlite3").exists():
            make_site(site, args.pages, args.dead)
            print(
                f"crawl: {args.pages} pages, {args.pages * args.dead} dead links: {crawl(site, data):.1f} s"
            )
        results = {}
        for fmt in FORMATS:
            runs = [measure(data, out, fmt, args.src.resolve()) for _ in range(args.rounds)]
            results[fmt] = min(runs, key=lambda r: r["seconds"])
        first = results["csv"]
        print(f"rows: {int(first['rows'])}; judged and built in {first['base_mib']:.0f} MiB (the baseline)")
        print(f"{'format':<8}{'seconds':>9}{'× CSV':>8}{'MiB above':>11}{'file MB':>9}")
        for fmt, r in results.items():
            ratio = r["seconds"] / first["seconds"]
            print(f"{fmt:<8}{r['seconds']:>9.2f}{ratio:>8.1f}{r['above_mib']:>11.0f}{r['mb']:>9.1f}")


if __name__ == "__main__":
    main()
