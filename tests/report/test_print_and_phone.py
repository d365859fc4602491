"""The checklist on paper and on a phone, in the system's headless Chromium (Playwright).

Printed (A4, as a person's "print" button would): no page but the last is left mostly empty,
every page that carries problem rows repeats the table header with all of its titles, the column
list is printed although it is folded on screen, and no cell's content overflows its cell. The
PDF is read back with pypdf: text positions give how much of each page is used.

On a 390 px phone: one problem per card (each cell on its own line under its column's title), no
text squeezed to a character or two a line, no sideways scrolling, and a filter bar that leaves
the screen to the problems.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from conftest import fast_config
from sitecheck.audit import rejudge, run_audit
from sitecheck.config import IgnoreRule
from sitecheck.demo import DemoServer
from sitecheck.models import FindingKind
from sitecheck.report.checklist import ReportData, build_report
from sitecheck.report.html import write_html
from sitecheck.store import Store
from support.browser import INSTALL_HINT, chromium, chromium_executable

pypdf = pytest.importorskip(
    "pypdf", reason="the print checks read the PDF with pypdf (pip install -e '.[dev]')"
)

REPAIRED_BODY = "<html><head><title>通知</title></head><body><p>该页面已恢复，内容正常。</p></body></html>"
PHONE = {"width": 390, "height": 844}
# The printable width of A4 landscape with the stylesheet's 8 mm side margins, in CSS pixels.
A4_LANDSCAPE_PRINTABLE_PX = round((297 - 16) / 25.4 * 96)


@dataclass(frozen=True)
class Checklist:
    name: str
    data: ReportData
    html: Path


def _write(tmp: Path, name: str) -> Checklist:
    summary = rejudge(str(tmp / "data"), None, date.today(), tmp / "findings.json")
    store = Store(tmp / "data")
    try:
        data = build_report(store, summary)
    finally:
        store.close()
    html = tmp / "checklist.html"
    write_html(data, html)
    return Checklist(name, data, html)


@pytest.fixture(scope="module")
def checklists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checklist]:
    """The sample portal's checklist after one audit (nothing fixed or ignored yet: the short
    sections that used to print alone on a page) and after a second one with a repair and an
    ignore in between."""
    first_tmp = tmp_path_factory.mktemp("print-first")
    second_tmp = tmp_path_factory.mktemp("print-second")
    with DemoServer(pages=150, slow_seconds=4.0) as server:
        config = fast_config(server.base_url, first_tmp / "data")
        run_audit(config, handle_signals=False)
        config = fast_config(server.base_url, second_tmp / "data")
        first = run_audit(config, handle_signals=False)
        repaired = next(
            f
            for f in first.findings
            if f.kind is FindingKind.DEAD_LINK
            and f.url.startswith(server.base_url)
            and f.url.endswith(".html")
        )
        server.set_override(urlsplit(repaired.url).path, 200, REPAIRED_BODY)
        ignored = next(f for f in first.findings if f.kind is FindingKind.UNVERIFIED_LINK)
        config = dataclasses.replace(config, ignore=(IgnoreRule(id=ignored.key, reason="人工核实可以打开"),))
        run_audit(config, handle_signals=False)
    return {"first": _write(first_tmp, "first"), "second": _write(second_tmp, "second")}


@pytest.fixture(scope="module")
def browser(checklists: dict[str, Checklist]) -> Iterator[Browser]:
    # The audits run first: an audit's asyncio.run() cannot start under Playwright's loop.
    if chromium_executable() is None:
        pytest.skip(f"headless browser checks need chromium or chromium-browser on PATH ({INSTALL_HINT})")
    with chromium() as instance:
        yield instance


# The CJK font gives some ideographs the code point of a look-alike radical in the PDF's text
# map: ⽹ (Kangxi, which NFKC turns back into 网) and ⻚ (CJK Radicals Supplement, which it does
# not). Such a radical stands for whichever ideograph the page showed there.
RADICAL = "\x00"


def _flat(text: str) -> str:
    """PDF or page text as comparable text: no whitespace (the extractor puts spaces between
    glyphs), compatibility forms folded, radicals left as RADICAL."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub("[\u2e80-\u2fdf]", RADICAL, text)


def _has(text: str, needle: str) -> bool:
    """Whether flattened PDF text shows needle (a radical in the PDF matching any ideograph)."""
    pattern = "".join(
        f"[{re.escape(c)}{RADICAL}]" if unicodedata.category(c) == "Lo" else re.escape(c)
        for c in _flat(needle)
    )
    return re.search(pattern, text) is not None


@dataclass
class PrintedPage:
    text: str  # flattened
    height: float
    width: float
    lowest: float  # the lowest text baseline, in points from the bottom
    rightmost: float  # the largest x where a text run starts


def _read_page(page: Any) -> PrintedPage:
    xs: list[float] = []
    ys: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():  # where the run starts: the text matrix, then the page's transformation
            xs.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])
            ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    text = page.extract_text(visitor_text=visit)
    height, width = float(page.mediabox.height), float(page.mediabox.width)
    return PrintedPage(_flat(text), height, width, min(ys, default=height), max(xs, default=0.0))


def _read_pdf(pdf: bytes) -> list[PrintedPage]:
    return [_read_page(page) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _header_titles(tab: Any, selector: str) -> list[list[str]]:
    titles: list[list[str]] = tab.evaluate(
        f"[...document.querySelectorAll('{selector}')].map(t =>"
        " [...t.querySelectorAll('thead th')].map(th => th.textContent.replace(/\\s+/g, '')))"
    )
    return titles


@pytest.mark.parametrize("which", ["first", "second"])
def test_printed_pdf_pages_are_used_headed_and_complete(
    browser: Browser, checklists: dict[str, Checklist], which: str
) -> None:
    checklist = checklists[which]
    tab = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        tab.goto(checklist.html.resolve().as_uri(), wait_until="load")
        tab.evaluate("document.fonts.ready.then(() => true)")
        assert tab.evaluate("document.querySelector('details#columns').open") is False
        finding_titles = _header_titles(tab, "table.findings")
        column_titles = _header_titles(tab, "#columns-table")[0]
        # What marks a page as carrying problem rows: the start of each row's description.
        markers = tab.evaluate(
            "[...document.querySelectorAll('tr.finding-row td.description bdi')]"
            ".map(b => b.textContent.replace(/\\s+/g, '').slice(0, 10)).filter(s => s.length >= 6)"
        )
        # page.pdf() prints as the browser's print button does: beforeprint, print media, afterprint.
        pdf = tab.pdf(prefer_css_page_size=True, print_background=True)
        # The column list was opened for printing only.
        assert tab.evaluate("document.querySelector('details#columns').open") is False
    finally:
        tab.close()
    pages = _read_pdf(pdf)
    assert {(round(p.width), round(p.height)) for p in pages} == {(842, 595)}  # A4 landscape

    used = [(p.height - p.lowest) / p.height for p in pages]
    for number, share in enumerate(used[:-1], start=1):
        assert share >= 1 / 3, (
            f"page {number} of {len(pages)} is {share:.0%} used: {pages[number - 1].text[:80]}"
        )

    # Every page with problem rows repeats the header, every title of it (not only the plain-text ones).
    common = [title for title in finding_titles[0] if all(title in titles for titles in finding_titles)]
    assert len(common) >= 12, common
    with_rows = [i for i, p in enumerate(pages) if any(_has(p.text, m) for m in markers)]
    assert len(with_rows) >= 3  # the checklist spans pages: there are continuation pages to check
    for i in with_rows:
        missing = [title for title in common if not _has(pages[i].text, title)]
        assert not missing, f"page {i + 1}: the table header lacks {missing}"

    # The column list is printed in full, with its header on every page it reaches.
    everything = "".join(p.text for p in pages)
    names = [c.name for c in checklist.data.columns if c.name.strip()]
    assert names and all(_has(everything, name) for name in names)
    start = next(i for i, p in enumerate(pages) if all(_has(p.text, t) for t in column_titles))
    column_pages = [i for i in range(start, len(pages)) if any(_has(pages[i].text, n) for n in names)]
    assert column_pages
    for i in column_pages:
        assert all(_has(pages[i].text, t) for t in column_titles), (
            f"page {i + 1}: column list without its header"
        )

    # Nothing runs off the right edge: no text run starts in the right-hand margin.
    right_margin = 8 / 25.4 * 72
    assert all(p.rightmost < p.width - right_margin for p in pages)


def test_print_handlers_open_the_column_list_and_restore_it(
    browser: Browser, checklists: dict[str, Checklist]
) -> None:
    tab = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        tab.goto(checklists["second"].html.resolve().as_uri(), wait_until="load")
        tab.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert tab.evaluate("document.querySelector('details#columns').open") is True
        tab.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert tab.evaluate("document.querySelector('details#columns').open") is False
        # A details a person opened stays open after printing.
        tab.evaluate("document.querySelector('details#columns').open = true")
        tab.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        tab.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert tab.evaluate("document.querySelector('details#columns').open") is True
    finally:
        tab.close()


def test_print_layout_clips_nothing(browser: Browser, checklists: dict[str, Checklist]) -> None:
    """Print media at the printable width of the page: no cell's content overflows its cell,
    the page is no wider than the paper, interactive things are gone and the column list shows."""
    tab = browser.new_page(viewport={"width": A4_LANDSCAPE_PRINTABLE_PX, "height": 1000})
    try:
        tab.goto(checklists["second"].html.resolve().as_uri(), wait_until="load")
        tab.emulate_media(media="print")
        tab.evaluate("document.fonts.ready.then(() => true)")
        assert tab.evaluate("document.documentElement.scrollWidth") <= A4_LANDSCAPE_PRINTABLE_PX
        assert tab.evaluate("getComputedStyle(document.getElementById('filters')).display") == "none"
        overflowing = tab.evaluate(
            "[...document.querySelectorAll('table.grid td, table.grid th')]"
            ".filter(c => c.getClientRects().length && c.scrollWidth > c.clientWidth + 1)"
            ".map(c => c.textContent.trim().slice(0, 40))"
        )
        assert overflowing == []
        for table in tab.evaluate(
            "[...document.querySelectorAll('table.grid')].map(t => [t.id || t.className, t.scrollWidth, t.clientWidth])"
        ):
            assert table[1] <= table[2] + 1, table
        # The sort buttons print as plain titles (a button is not painted in a repeated header).
        assert tab.evaluate("getComputedStyle(document.querySelector('th .sort-btn')).display") == "contents"
        # Shown in print although the details is closed: the stylesheet alone prints the list.
        assert tab.evaluate("document.querySelector('details#columns').open") is False
        assert tab.evaluate("document.getElementById('columns-table').getClientRects().length") > 0
        assert (
            tab.evaluate("document.querySelector('#columns-table tbody tr').getBoundingClientRect().height")
            > 0
        )
    finally:
        tab.emulate_media(media="null")
        tab.close()


def test_phone_shows_one_card_per_problem(browser: Browser, checklists: dict[str, Checklist]) -> None:
    checklist = checklists["second"]
    tab = browser.new_page(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        tab.goto(checklist.html.resolve().as_uri(), wait_until="load")
        tab.evaluate("document.fonts.ready.then(() => true)")
        width = PHONE["width"]
        # No sideways scrolling of the page.
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        assert tab.evaluate("document.body.scrollWidth") <= width

        # The filter bar: not sticky, and well under a fifth of the screen.
        bar = tab.evaluate(
            "(() => { const b = document.getElementById('filters'); const s = getComputedStyle(b);"
            " return {position: s.position, height: b.getBoundingClientRect().height}; })()"
        )
        assert bar["position"] != "sticky"
        assert 0 < bar["height"] < 0.2 * PHONE["height"], bar

        cards = tab.evaluate(
            """[...document.querySelectorAll('tr.finding-row')].map(row => {
                const box = row.getBoundingClientRect();
                const cells = [...row.children].filter(c => c.getClientRects().length);
                return {
                    number: +row.dataset.number,
                    display: getComputedStyle(row).display,
                    left: box.left, width: box.width,
                    cells: cells.map(c => {
                        const r = c.getBoundingClientRect();
                        return {
                            label: getComputedStyle(c, '::before').content,
                            top: r.top, bottom: r.bottom, width: r.width,
                        };
                    }),
                };
            })"""
        )
        assert len(cards) == len(checklist.data.rows)
        for card in cards:
            # A card: a block spanning most of the screen, not a table row.
            assert card["display"] == "block", card
            assert card["width"] >= 0.85 * width and card["left"] >= 0, card
            assert len(card["cells"]) >= 8, card
            for above, below in zip(card["cells"], card["cells"][1:], strict=False):
                # One cell a line, in order, never overlapping.
                assert below["top"] >= above["bottom"] - 0.5, card
            for cell in card["cells"]:
                # Each cell carries its column's title, and has the card's width.
                assert cell["label"] not in ("none", "normal", '""'), card
                assert cell["width"] >= 0.8 * card["width"], card

        # No text squeezed to a character or two a line (badges are short by design).
        squeezed = tab.evaluate(
            """(() => {
                const out = [];
                const walker = document.createTreeWalker(
                    document.getElementById('checklist'), NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    const text = node.textContent.replace(/\\s+/g, '');
                    if (text.length < 4 || !node.parentElement.closest('tr.finding-row')) continue;
                    if (node.parentElement.closest('.badge')) continue;
                    const range = document.createRange();
                    range.selectNodeContents(node);
                    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (lines.size > 0 && text.length / lines.size < 3) out.push([text.slice(0, 30), lines.size]);
                }
                return out;
            })()"""
        )
        assert squeezed == []

        # The column list reads the same way when opened: cards, no sideways scrolling.
        tab.evaluate("document.querySelector('details#columns').open = true")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        rows = tab.evaluate(
            "[...document.querySelectorAll('#columns-table tbody tr')].map(r => r.getBoundingClientRect().width)"
        )
        assert rows and min(rows) >= 0.85 * width
        labels = tab.evaluate(
            "[...document.querySelectorAll('#columns-table tbody td')].map(c => c.dataset.label || '')"
        )
        assert all(labels)
    finally:
        tab.close()
