"""What analysing one page costs, by part, on real government pages and on the benchmark's.

The realistic benchmark portal's pages are lighter than real ones (fewer elements, fewer styled
elements, shorter scripts), so a CPU-per-page figure measured on it does not carry over to a
real portal. This times ``extract.page.analyse_page`` — everything the crawl learns from a page
once it has its bytes — in this process, best of N rounds, on:

- the real pages of ``../shared/corpus/real-pages/`` (TRS, Hanweb, UCAP, NFCMS … portals, saved
  byte for byte), when that folder is there;
- a sample of the realistic portal's pages (``bench/out/portal/realistic-p10000-s7``, made by
  ``python bench/realistic.py --pages 10000``), when it has been generated.

Parts, each measured as the difference it makes: the base (decoding, lexbor parsing, links,
column analysis, soft-404 screening), then the text checks (personal data, wording), the page
identifiers, the hidden-link (暗链) check, each switched on alone; the peer is lexbor parsing the
same page. Milliseconds of CPU per page.

Usage: python bench/pages.py [--rounds 7] [--sample 400]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from sitecheck.config import AuditConfig
from sitecheck.crawl.reader import text_checker
from sitecheck.extract.page import PageInput, analyse_page

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real-pages"
REALISTIC = ROOT / "bench" / "out" / "portal" / "realistic-p10000-s7" / "main"
TODAY = date(2026, 12, 5)


def real_pages() -> list[tuple[bytes, str]]:
    files = sorted(p for p in REAL.glob("*") if p.suffix.lower() in (".html", ".htm"))
    return [(p.read_bytes(), f"http://www.example.gov.cn/list/{i}/index.html") for i, p in enumerate(files)]


def realistic_pages(sample: int) -> list[tuple[bytes, str]]:
    files = sorted(REALISTIC.rglob("*.html"))
    random.Random(1).shuffle(files)
    return [
        (p.read_bytes(), "http://127.0.0.1:18080/" + str(p.relative_to(REALISTIC))) for p in files[:sample]
    ]


def best_ms(pages: list[tuple[bytes, str]], rounds: int, one: Callable[[bytes, str], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for body, url in pages:
            one(body, url)
        best = min(best, time.process_time() - start)
    return best / len(pages) * 1000


def measure(name: str, pages: list[tuple[bytes, str]], rounds: int) -> None:
    checker = text_checker(AuditConfig())

    def analyse(**flags: object) -> Callable[[bytes, str], object]:
        def one(body: bytes, url: str) -> object:
            return analyse_page(
                PageInput(
                    body=body,
                    url=url,
                    charset=None,
                    is_home=False,
                    observed_on=TODAY,
                    soft404_phrases=(),
                    short_page_chars=0,
                    **flags,  # type: ignore[arg-type]
                )
            )

        return one

    kib = sum(len(body) for body, _ in pages) / len(pages) / 1024
    parse = best_ms(pages, rounds, lambda body, url: LexborHTMLParser(body))
    base = best_ms(pages, rounds, analyse(identifiers=False, hidden_links=False))
    text = best_ms(pages, rounds, analyse(identifiers=False, hidden_links=False, text_checker=checker))
    ident = best_ms(pages, rounds, analyse(identifiers=True, hidden_links=False))
    hidden = best_ms(pages, rounds, analyse(identifiers=False, hidden_links=True))
    whole = best_ms(pages, rounds, analyse(identifiers=True, hidden_links=True, text_checker=checker))
    print(
        f"\n{name}: {len(pages)} pages, {kib:.0f} KiB a page on average; ms of CPU a page, best of {rounds}"
    )
    print("| lexbor parse (peer) | base analysis | + text checks | + identifiers | + 暗链 | everything |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {parse:.2f} | {base:.2f} | {text - base:+.2f} | {ident - base:+.2f} | {hidden - base:+.2f} |"
        f" {whole:.2f} ({whole / parse:.0f}× the parse) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sample", type=int, default=400, help="pages of the realistic portal")
    args = parser.parse_args()
    if REAL.is_dir():
        measure("real government pages (corpus)", real_pages(), args.rounds)
    else:
        print(f"{REAL} not found: real pages skipped")
    if REALISTIC.is_dir():
        measure("realistic benchmark portal", realistic_pages(args.sample), args.rounds)
    else:
        print(f"{REALISTIC} not found (python bench/realistic.py --pages 10000): skipped")


if __name__ == "__main__":
    main()
