"""Text of the Office 97–2003 binary formats (OLE2 compound files), for the attachment checks.

- **Excel 97–2003 ``.xls``** and WPS **``.et``** (saved by WPS in the same BIFF8 format, usually):
  xlrd, pure Python and maintained, reads the sheets' cells. An ``.et`` in Kingsoft's own format
  is not BIFF: xlrd refuses it and the file is *not checkable* (``legacy``), never clean.
- **Word 97–2003 ``.doc``** and WPS **``.wps``** (a Word-compatible OLE file, usually): antiword,
  the Debian package (``apt-get install antiword``: .ci/run installs it; catdoc was tried and
  leaves tables out), run on the bytes on its stdin with no shell and no file name from the
  site, under a CPU and memory limit and a wall-clock timeout. Its tables come out as lines of
  ``|``-separated cells, read back as rows. Without antiword on the machine, or when it fails,
  the file is *not checkable* (``legacy``).

What an OLE file holds is told by the names in its directory (UTF-16: ``Workbook``/``Book`` for
Excel, ``WordDocument`` for Word), not by the link's extension.
"""

from __future__ import annotations

import io
import resource
import shutil
import subprocess
from collections.abc import Iterator

__all__ = ["LegacyUnreadable", "antiword_available", "ole_kind", "word_tables", "word_text", "xls_sheets"]

_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_WORD = "WordDocument".encode("utf-16-le")
_WORD_MEMORY = 512 * 1024 * 1024  # bytes of address space antiword may use
_WORD_OUTPUT = 4_000_000  # bytes of its output read at most (characters are capped after)


class LegacyUnreadable(Exception):
    """The document cannot be read; ``reason`` is a key of attachments.UNREADABLE_REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ole_kind(data: bytes) -> str:
    """The kind of an OLE2 file by the streams its directory names: xls, doc, or "" (unknown)."""
    if _WORD in data:
        return "doc"
    if any(name in data for name in _WORKBOOK):
        return "xls"
    return ""


def xls_sheets(data: bytes) -> Iterator[tuple[str, Iterator[list[object]]]]:
    """Each sheet's title and its rows of cell values (xlrd: numbers as floats, text as str).
    Raises LegacyUnreadable for a file xlrd cannot open (encrypted, not BIFF, damaged)."""
    import xlrd

    try:
        # Its warnings go to a buffer, not the crawl's stdout.
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        raise LegacyUnreadable("encrypted" if "encrypt" in str(exc).lower() else "legacy") from exc
    except Exception as exc:  # xlrd raises many kinds on a damaged file (struct, index, assertion)
        raise LegacyUnreadable("legacy") from exc
    try:
        for index in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(index)
            except Exception as exc:
                raise LegacyUnreadable("damaged") from exc
            yield sheet.name, (sheet.row_values(r) for r in range(sheet.nrows))
            book.unload_sheet(index)
    finally:
        book.release_resources()


def antiword_available() -> bool:
    return shutil.which("antiword") is not None


def word_text(data: bytes, seconds: float) -> str:
    """The text of a Word 97–2003 (or Word-compatible WPS) document, by antiword, UTF-8, one
    paragraph a line, tables as ``|``-separated lines. Raises LegacyUnreadable("legacy") when
    antiword is absent or cannot read it, ("too_slow") when it runs past ``seconds`` of CPU
    (three times that of wall clock)."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise LegacyUnreadable("legacy")

    def limits() -> None:  # in the child, before antiword starts: only setrlimit
        resource.setrlimit(resource.RLIMIT_AS, (_WORD_MEMORY, _WORD_MEMORY))
        cpu = max(1, int(seconds + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    try:
        # A fixed program, the document on stdin ("-"), no shell; UTF-8 out, no line wrapping.
        done = subprocess.run(
            [antiword, "-m", "UTF-8.txt", "-w", "0", "-"],
            input=data,
            capture_output=True,
            timeout=3 * seconds,
            preexec_fn=limits,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LegacyUnreadable("too_slow") from exc
    except OSError as exc:
        raise LegacyUnreadable("legacy") from exc
    if done.returncode != 0:
        raise LegacyUnreadable("too_slow" if done.returncode < 0 else "legacy")
    return done.stdout[:_WORD_OUTPUT].decode("utf-8", errors="replace")


# A table too wide for antiword's columns (a 政府信息公开年报's 表三 has 8, 表四 15) comes out on
# one line, cells ending in " |" and rows parted by an empty cell ("h0 |h1 | |0 |1 |"), and the
# paragraph after it may follow on the same line.
_COMPACT_CELLS = 4


def _compact_rows(line: str) -> tuple[list[list[str]], str] | None:
    """The rows of a table antiword wrote on one line and the text after it, or None when the
    line is not such a table."""
    stripped = line.strip()
    if stripped.startswith("|") or stripped.count(" |") < _COMPACT_CELLS:
        return None
    table, _, after = stripped.rpartition("|")
    rows: list[list[str]] = [[]]
    for cell in (part.strip() for part in table.split("|")):
        if cell:
            rows[-1].append(cell)
        elif rows[-1]:
            rows.append([])  # an empty cell parts the rows (a cell left empty does too: such a
            # row is then cut, and a reader that needs whole rows finds none)
    return [row for row in rows if row], after.strip()


def word_tables(text: str) -> tuple[str, list[list[list[str]]]]:
    """antiword's text split into its paragraphs and its tables (runs of ``|cell|cell|`` lines,
    or a wide table on one line, each a list of rows of cell texts)."""
    paragraphs: list[str] = []
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            current.append([cell.strip() for cell in stripped[1:-1].split("|")])
            continue
        compact = _compact_rows(line)
        if compact is not None:
            if current:
                tables.append(current)
                current = []
            rows, after = compact
            tables.append(rows)
            if after:
                paragraphs.append(after)
            continue
        if current:
            tables.append(current)
            current = []
        paragraphs.append(line)
    if current:
        tables.append(current)
    return "\n".join(paragraphs), tables
