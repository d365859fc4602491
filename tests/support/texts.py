"""Text from the real-page corpus and from written workbooks, for the text-check tests."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from sitecheck.charset import decode_html

_REPO = Path(__file__).resolve().parents[2]
_OWN = _REPO / "tests" / "corpus" / "real-pages"
_SHARED = _REPO.parent / "shared" / "corpus" / "real-pages"


def corpus_pages() -> list[Path]:
    """The repository's real pages, and the shared corpus's when it is there."""
    pages = sorted(_OWN.rglob("*.htm*"))
    if _SHARED.is_dir():
        pages += sorted(_SHARED.glob("*.htm*"))
    return pages


def body_text(path: Path) -> str:
    """A saved page's body text, decoded as the crawler decodes it."""
    body = LexborHTMLParser(decode_html(path.read_bytes(), None).text).body
    return body.text(separator=" ") if body is not None else ""


def xlsx_text(directory: Path) -> str:
    """Every cell of every workbook below ``directory``, one per line."""
    from openpyxl import load_workbook

    texts: list[str] = []
    for path in directory.rglob("*.xlsx"):
        book = load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                texts.extend(str(v) for v in row if v is not None)
    return "\n".join(texts)
