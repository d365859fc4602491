"""What the text checks (issue 15) cost, against parsing the same page.

Builds a page of about a megabyte of Chinese government prose with numbers in it (IDs, mobiles,
索引号, landlines, amounts), then times, best of 5 rounds in this process: lexbor parsing the page
(the peer: every page is parsed anyway), reading its text as the crawler does
(extract/text_checks.page_text), the personal-data scan, and the wording scan with the shipped
list. Prints milliseconds and each as a ratio of the parse.

Usage: python bench/text_checks.py [--kib 1024] [--rounds 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from sitecheck.demo.text_plants import id_number
from sitecheck.extract.privacy import find_personal_data
from sitecheck.extract.text_checks import page_text
from sitecheck.extract.wording import WordingMatcher, default_wording_rules

TODAY = date(2026, 12, 5)


def page(kib: int) -> str:
    paragraph = (
        "<p>为深入贯彻落实有关精神，2023年3月15日，市政府办公室召开全市政务公开工作会议，"
        "索引号：11330100002493020X/2023-00012，共有123人参加，投入资金4567.89万元。"
        f"联系电话：0571-87654321，申请人手机13812345678，身份证号{id_number('330106', '19800101', '123')}。"
        "会议强调，关键在于落实，要在全市范围内备受关注的领域持续发力。</p>"
    )
    body = paragraph * (kib * 1024 // len(paragraph.encode()) + 1)
    return f"<html><head><title>测试</title></head><body><div class='TRS_Editor'>{body}</div></body></html>"


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    html = page(args.kib)
    text = page_text(LexborHTMLParser(html))
    matcher = WordingMatcher(default_wording_rules())
    parse = best(lambda: LexborHTMLParser(html), args.rounds)
    privacy = best(lambda: find_personal_data(text, today=TODAY), args.rounds)
    rows = {
        "parse the page (lexbor, the peer)": parse,
        "read its text (page_text)": best(lambda: page_text(LexborHTMLParser(html)), args.rounds) - parse,
        "personal data (find_personal_data)": privacy,
        "wording, shipped list (WordingMatcher.find)": best(lambda: matcher.find(text), args.rounds),
    }
    print(f"page {len(html.encode()) / 1024:.0f} KiB, text {len(text):,} characters; best of {args.rounds}")
    for name, seconds in rows.items():
        print(f"  {name:<46} {seconds * 1000:8.1f} ms  {seconds / parse:5.2f}× the parse")


if __name__ == "__main__":
    main()
