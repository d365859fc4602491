"""Split a pyinstrument session of a sitecheck crawl into cost categories.

Each sample's time is charged to the first frame, walking from the leaf towards the root,
whose file belongs to a category below: time in ``socket.send`` called by httpcore2 is the
HTTP client's, time in ``sqlite3`` called by ``sitecheck/store/`` is the store's, time the
event loop spends in ``epoll`` waiting is "waiting for I/O (idle)". Prints a JSON object
(category -> seconds) and the top functions by self time; ``--markdown`` prints tables.

Usage: python profile_split.py SESSION.pyisession [--markdown] [--top 25]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from typing import Any

from pyinstrument.session import Session

# Order matters only for readability: the nearest categorised frame to the leaf wins.
CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    (
        "HTTP client (httpx2, httpcore2, h11, anyio, socket, ssl)",
        re.compile(
            r"/(httpx2|httpx|httpcore2|httpcore|h11|h2|anyio|sniffio|truststore|idna|certifi)/"
            r"|/(ssl|socket)\.py$"
        ),
    ),
    (
        "sitecheck fetch layer (fetch.py, hosts.py, classify.py)",
        re.compile(r"/sitecheck/(fetch|hosts|classify)\.py$"),
    ),
    (
        "HTML parsing and link extraction (selectolax, extract/links.py, charset)",
        re.compile(
            r"/selectolax/|/sitecheck/extract/(links|__init__)\.py$|/sitecheck/charset\.py$"
            r"|/charset_normalizer/"
        ),
    ),
    (
        "column analysis (extract/listing/, extract/dates.py)",
        re.compile(r"/sitecheck/extract/(listing/\w+|dates)\.py$"),
    ),
    (
        "URL canonicalisation and scope (urls.py, w3lib, urllib.parse)",
        re.compile(r"/sitecheck/urls\.py$|/w3lib/|/urllib/parse\.py$|/protego"),
    ),
    ("store writes and reads (store/, sqlite3)", re.compile(r"/sitecheck/store/|/sqlite3/")),
    ("crawl engine and scheduling (crawl.py)", re.compile(r"/sitecheck/crawl\.py$")),
    (
        "judging and reports after the crawl (rules, columns.py, report, audit.py)",
        re.compile(r"/sitecheck/(rules|report)/|/sitecheck/(columns|column_rules|audit|labels|history)\.py$"),
    ),
    (
        # Under uvloop the loop is C code called from asyncio's Runner: its scheduling and any
        # idle wait in epoll both show as time in runners.py and cannot be told apart.
        "event loop (asyncio/uvloop scheduling; under uvloop also any idle wait)",
        re.compile(r"/asyncio/(?!selector_events|selectors)|/contextlib\.py$|/functools\.py$"),
    ),
    (
        "waiting for I/O (event loop idle in epoll)",
        re.compile(r"/selectors\.py$|/asyncio/selector_events\.py$"),
    ),
    (
        "start-up (imports, CLI, config)",
        re.compile(r"<frozen importlib|/click/|/sitecheck/(cli|config|__main__)\.py$|/runpy\.py$"),
    ),
]
OTHER = "other"


def _category(path: str) -> str | None:
    for name, pattern in CATEGORIES:
        if pattern.search(path):
            return name
    return None


_INCLUSIVE_RE = re.compile(r"/(sitecheck|httpx2|httpcore2|selectolax|h11|anyio)/")


def inclusive(session: Session) -> list[tuple[str, float]]:
    """Inclusive time of sitecheck and HTTP-client functions (each counted once per stack)."""
    root = session.root_frame(trim_stem=False)
    tot: Counter[str] = Counter()

    def walk(frame: Any, stack: frozenset[str]) -> None:
        path = frame.file_path or ""
        if _INCLUSIVE_RE.search(path) and not frame.function.startswith("["):
            name = f"{frame.function} ({frame.file_path_short})"
            if name not in stack:
                tot[name] += frame.time
                stack = stack | {name}
        for child in frame.children:
            walk(child, stack)

    if root is not None:
        walk(root, frozenset())
    return tot.most_common()


def split(session: Session) -> tuple[dict[str, float], list[tuple[str, float]], float]:
    root = session.root_frame(trim_stem=False)
    totals: Counter[str] = Counter()
    selftime: Counter[str] = Counter()

    def walk(frame: Any, inherited: str | None, parent_label: str) -> None:
        synthetic = frame.function.startswith("[") or frame.file_path in (None, "", "<built-in>")
        label = parent_label if synthetic else f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        cat = None if synthetic and frame.file_path == "<built-in>" else _category(frame.file_path or "")
        cat = cat or inherited
        own = frame.time - sum(child.time for child in frame.children)
        if own > 0:
            # Leaf-most categorised frame: a child's own category beats its ancestors'.
            totals[cat or OTHER] += own
            selftime[label] += own
        for child in frame.children:
            walk(child, cat, label)

    if root is not None:
        walk(root, None, "<root>")
    return dict(totals), selftime.most_common(), session.duration


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("session")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    session = Session.load(args.session)
    totals, top, duration = split(session)
    if not args.markdown:
        print(json.dumps({"duration": duration, "categories": totals, "top": top[: args.top]}))
        return
    sampled = sum(totals.values())
    idle = sum(v for k, v in totals.items() if k.startswith("waiting"))
    print(
        f"Sampled {sampled:.1f} s of {duration:.1f} s wall; "
        f"busy (not idle in epoll) {sampled - idle:.1f} s.\n"
    )
    print("| category | seconds | % of wall | % of busy |")
    print("|---|---:|---:|---:|")
    for name, secs in sorted(totals.items(), key=lambda kv: -kv[1]):
        busy = "" if name.startswith("waiting") else f"{100 * secs / max(sampled - idle, 1e-9):.1f}"
        print(f"| {name} | {secs:.1f} | {100 * secs / max(sampled, 1e-9):.1f} | {busy} |")
    print(f"\nTop {args.top} functions by self time:\n")
    print("| function | self s | % of wall |")
    print("|---|---:|---:|")
    for name, secs in top[: args.top]:
        print(f"| `{name}` | {secs:.2f} | {100 * secs / max(sampled, 1e-9):.1f} |")
    print(f"\nTop {args.top} sitecheck / HTTP-client functions by inclusive time (callees included):\n")
    print("| function | inclusive s | % of wall |")
    print("|---|---:|---:|")
    for name, secs in inclusive(session)[: args.top]:
        print(f"| `{name}` | {secs:.2f} | {100 * secs / max(sampled, 1e-9):.1f} |")


if __name__ == "__main__":
    main()
