"""The text of an attachment, for the personal-data check (issue 15, part 1).

A pure function of the bytes and the link's extension: :func:`extract_attachment` says what
the document holds as text, in pieces that each know where they are (``第 3 页``, ``工作表“名单”
单元格 B7``, ``表格 1 第 2 行``), the tables' rows for the 名单 check, and, when the document
cannot be read, why (a scanned PDF is *not checkable*, never clean).

What is read is told by the bytes, not by the name (a ``.doc`` that is really a DOCX is read
as one): ``%PDF`` → pypdf, a ZIP with ``word/document.xml`` → its paragraphs and table cells
(zipfile and the XML parser, no dependency), a ZIP with ``xl/workbook.xml`` → openpyxl in
read-only mode, the OLE2 signature of Excel 97–2003 and ET files → xlrd, of Word 97–2003 and
WPS files → antiword when installed (extract/legacy_office.py; what neither reads is not
checkable); ``.txt`` and ``.csv`` are decoded as a page would be (sitecheck.charset: GBK aware).

Nothing here can stall a crawl: the reading stops at ``max_chars`` characters, ``max_pages``
PDF pages, ``max_cells`` spreadsheet cells and ``seconds`` of CPU (checked between pages and
rows, so one page's extraction is the most it can overrun, and pypdf's own per-stream limits
are lowered for it); a ZIP member is read only when its declared size is under
``MAX_UNZIPPED`` (zipfile never returns more than the declared size, so a zip bomb is refused
before it is inflated). Whatever was left out is said in ``limited``.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from sitecheck.charset import decode_html

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "UNREADABLE_REASONS",
    "Chunk",
    "Extracted",
    "column_letter",
    "extract_attachment",
    "pdf_layout_text",
]

# The extensions whose body is downloaded and read when ``[content] attachments`` is on.
ATTACHMENT_EXTENSIONS = frozenset({"pdf", "docx", "xlsx", "doc", "xls", "wps", "et", "txt", "csv"})

# Why an attachment could not be checked (a stored fact: TextHit.value of kind "unreadable"),
# with the words a report shows.
UNREADABLE_REASONS = {
    "scanned": "扫描件",  # a PDF whose pages give no text: images of paper
    "encrypted": "已加密",
    "legacy": "旧格式",  # Word/Excel 97-2003, WPS, ET that neither xlrd nor antiword reads
    "damaged": "文件损坏或格式无法识别",
    "too_large": "超过下载大小上限",
    "timeout": "下载超时",
    "broken": "下载中断",
    "too_slow": "读取超时",
}

MAX_CHARS = 400_000  # characters of text read per attachment at most (a page's cap too)
MAX_PAGES = 500  # PDF pages read at most
MAX_CELLS = 500_000  # spreadsheet cells visited at most (empty ones count)
MAX_SECONDS = 5.0  # CPU seconds of reading per attachment at most
MAX_UNZIPPED = 50_000_000  # declared size of one ZIP member read at most (bytes)
MAX_TABLE_ROWS = 2000  # rows of one table or sheet given to the 名单 check
_PAGE_TEXT_MIN = 5  # characters (not spaces) a PDF page must give to count as having text
_CELL_SEP = "\t"  # between the cells of a row: never a separator of a number (privacy._SEP)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPACE = re.compile(r"\s+")
# pypdf's limits against decompression bombs and runaway content streams, lowered for a check
# that needs the text of ordinary documents (its defaults allow 75 MB per stream).
_PDF_LIMITS: dict[str, Any] = {
    "zlib_maximum_output_length": 16_000_000,
    "lzw_maximum_output_length": 16_000_000,
    "run_length_maximum_output_length": 16_000_000,
    "brotli_maximum_output_length": 16_000_000,
    "stream_decoding_work_maximum_length": 64_000_000,
    "stream_parsing_work_maximum_count": 500_000,
    "jbig2dec_binary": None,  # never start an external program on a downloaded file
}


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of an attachment's text and where it is.

    ``cells``: (offset in ``text``, place) of the spreadsheet cells it is made of, in order; a
    hit at an offset is in the last cell starting at or before it. Empty: all of ``text`` is
    at ``place``."""

    place: str
    text: str
    cells: tuple[tuple[int, str], ...] = ()

    def place_at(self, offset: int) -> str:
        index = bisect_right(self.cells, offset, key=lambda cell: cell[0])
        return self.cells[index - 1][1] if index else self.place


@dataclass(frozen=True, slots=True)
class Extracted:
    """What could be read of one attachment."""

    chunks: tuple[Chunk, ...] = ()
    # Tables for the 名单 check: (where the table is, its rows of cell texts, header first).
    tables: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()
    unreadable: str = ""  # a key of UNREADABLE_REASONS; "" when the text was read
    limited: str = ""  # what was left out and why (Chinese); "" when all of it was read
    kind: str = ""  # what it was read as: pdf, docx, xlsx, xls, doc, text; "" when not read


class _Budget:
    """Characters left and the time left; ``over`` says why reading stopped, once it has."""

    def __init__(self, max_chars: int, seconds: float) -> None:
        self.chars = max_chars
        self.max_chars = max_chars
        # CPU time of this thread (the reading runs in a thread beside the crawl), and a wall
        # clock bound three times as long for when the thread waits for the GIL.
        self.cpu_end = time.thread_time() + seconds
        self.wall_end = time.monotonic() + 3 * seconds
        self.seconds = seconds
        self.over = ""

    def expired(self) -> bool:
        if not self.over and (time.thread_time() > self.cpu_end or time.monotonic() > self.wall_end):
            self.over = f"读取超过 {self.seconds:g} 秒，其后内容未检查"
        return bool(self.over)

    def take(self, text: str) -> str:
        """``text``, cut to what is left of the character budget."""
        if len(text) > self.chars:
            text = text[: self.chars]
            if not self.over:
                self.over = f"只检查了前 {self.max_chars:,} 个字符"
        self.chars -= len(text)
        return text

    def spent(self) -> bool:
        return self.chars <= 0 or self.expired()


def extract_attachment(
    data: bytes,
    extension: str,
    *,
    charset: str | None = None,
    max_chars: int = MAX_CHARS,
    max_pages: int = MAX_PAGES,
    max_cells: int = MAX_CELLS,
    seconds: float = MAX_SECONDS,
) -> Extracted:
    """The text of one attachment (``extension`` as in its link, without the dot, lower case;
    ``charset`` from its Content-Type, for text files). Never raises on a bad document: a
    document that cannot be read says why in ``unreadable``."""
    budget = _Budget(max_chars, seconds)
    extension = extension.lower()
    try:
        if data.startswith(b"%PDF") or (extension == "pdf" and b"%PDF" in data[:1024]):
            return _pdf(data, budget, max_pages)
        if data.startswith(_ZIP):
            return _ooxml(data, budget, max_cells)
        if data.startswith(_OLE):
            return _legacy(data, budget, max_cells)
        if extension in ("txt", "csv"):
            return _text(data, extension, charset, budget)
    except _Unreadable as exc:
        return Extracted(unreadable=exc.reason)
    except (zipfile.BadZipFile, ElementTree.ParseError, EOFError, ValueError, KeyError, OSError):
        return Extracted(unreadable="damaged")
    if extension in ("doc", "xls", "wps", "et"):
        # Neither OLE2 nor ZIP: an HTML or RTF file renamed by its exporter, or damage.
        return Extracted(unreadable="legacy" if data[:5] == b"{\\rtf" else "damaged")
    return Extracted(unreadable="damaged")


class _Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- PDF ------------------------------------------------------------------------------------------


def _pdf(data: bytes, budget: _Budget, max_pages: int) -> Extracted:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

    chunks: list[Chunk] = []
    limited = ""
    image_pages: list[int] = []
    base = pypdf.get_configuration()
    # Only the limits this pypdf has (6.18 has the stream-length ones, later versions add more).
    limits = {name: value for name, value in _PDF_LIMITS.items() if hasattr(base, name)}
    with pypdf.apply_configuration(base.with_overwrites(**limits)):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):  # "": opens permission-only locks
                raise _Unreadable("encrypted")
            pages = reader.pages
            count = len(pages)
        except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
            raise _Unreadable("encrypted") from exc
        except (PdfReadError, PyPdfError, RecursionError, TypeError, AttributeError) as exc:
            raise _Unreadable("damaged") from exc
        read = 0
        for index in range(count):
            if index >= max_pages:
                limited = f"共 {count} 页，只检查了前 {max_pages} 页"
                break
            if budget.spent():
                break
            try:
                page = pages[index]
                text = page.extract_text() or ""
            except (FileNotDecryptedError, DependencyError) as exc:
                raise _Unreadable("encrypted") from exc
            except (PyPdfError, RecursionError, TypeError, AttributeError, KeyError, ValueError):
                text = ""  # one bad page: the others are still read
            read += 1
            if len(_SPACE.sub("", text)) < _PAGE_TEXT_MIN:
                if _has_image(page):
                    image_pages.append(index + 1)
                continue
            chunks.append(Chunk(f"第 {index + 1} 页", budget.take(text)))
    if count and not chunks and read:
        if budget.over or limited:  # nothing found in what little was read: not a verdict
            return Extracted(unreadable="too_slow", kind="pdf")
        return Extracted(unreadable="scanned", kind="pdf")
    notes = [limited, budget.over]
    if image_pages:
        shown = "、".join(map(str, image_pages[:5])) + (" 等" if len(image_pages) > 5 else "")
        notes.append(f"第 {shown} 页无文字层（扫描页），未能检查")
    if read < count and not limited and not budget.over:
        notes.append(f"共 {count} 页，只检查了前 {read} 页")
    return Extracted(tuple(chunks), limited="；".join(filter(None, notes)), kind="pdf")


def pdf_layout_text(data: bytes, pages: Sequence[int], seconds: float = MAX_SECONDS) -> dict[int, str]:
    """The text of some pages of a PDF (1-based numbers) laid out as printed (pypdf's layout
    mode: what shares a line on the page shares a line here, left to right), for reading a table;
    within the same limits as :func:`extract_attachment`. A page that fails is left out."""
    import pypdf
    from pypdf.errors import PyPdfError

    budget = _Budget(MAX_CHARS, seconds)
    out: dict[int, str] = {}
    base = pypdf.get_configuration()
    limits = {name: value for name, value in _PDF_LIMITS.items() if hasattr(base, name)}
    with pypdf.apply_configuration(base.with_overwrites(**limits)):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return out
            count = len(reader.pages)
            for number in pages:
                if budget.spent() or not 0 < number <= min(count, MAX_PAGES):
                    continue
                try:
                    text = reader.pages[number - 1].extract_text(extraction_mode="layout") or ""
                except (PyPdfError, RecursionError, TypeError, AttributeError, KeyError, ValueError):
                    continue
                out[number] = budget.take(text)
        except Exception:  # a PDF pypdf cannot open at all was said unreadable by the first reading
            return out
    return out


def _has_image(page: Any) -> bool:
    """The page draws an image (an XObject of subtype Image): a scanned page, not a blank one."""
    try:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:  # a malformed resource dictionary says nothing either way
        return False


# -- DOCX and XLSX --------------------------------------------------------------------------------


def _ooxml(data: bytes, budget: _Budget, max_cells: int) -> Extracted:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return _docx(archive, budget)
        if "xl/workbook.xml" in names:
            _check_sizes(archive, [n for n in names if n.startswith("xl/")])
            return _xlsx(data, budget, max_cells)
    raise _Unreadable("damaged")


def _check_sizes(archive: zipfile.ZipFile, names: list[str]) -> None:
    """Refuse a ZIP whose members would inflate past the cap (their declared sizes bound what
    zipfile returns: it stops at the declared size and fails the CRC of anything longer)."""
    for name in names:
        if archive.getinfo(name).file_size > MAX_UNZIPPED:
            raise _Unreadable("too_large")


def _docx(archive: zipfile.ZipFile, budget: _Budget) -> Extracted:
    _check_sizes(archive, ["word/document.xml"])
    xml = archive.read("word/document.xml")
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise _Unreadable("damaged")  # Word never writes a DTD: no entity expansion is allowed
    body = ElementTree.fromstring(xml).find(f"{_W}body")
    if body is None:
        raise _Unreadable("damaged")
    chunks: list[Chunk] = []
    tables: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    paragraphs: list[str] = []
    table_no = 0
    for element in body:
        if budget.spent():
            break
        if element.tag == f"{_W}p":
            paragraphs.append(_paragraph(element))
        elif element.tag == f"{_W}tbl":
            table_no += 1
            rows = _table_rows(element)
            place = f"表格 {table_no}"
            tables.append((place, tuple(rows[:MAX_TABLE_ROWS])))
            for number, row in enumerate(rows, 1):
                if budget.spent():
                    break
                chunks.append(Chunk(f"{place} 第 {number} 行", budget.take(_CELL_SEP.join(row))))
    text = budget.take("\n".join(p for p in paragraphs if p))
    if text:
        chunks.insert(0, Chunk("正文", text))
    return Extracted(tuple(chunks), tuple(tables), limited=budget.over, kind="docx")


def _paragraph(element: ElementTree.Element) -> str:
    parts: list[str] = []
    for node in element.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            parts.append(" " if node.tag == f"{_W}tab" else "\n")
    return "".join(parts)


def _table_rows(table: ElementTree.Element) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in table.iter(f"{_W}tr"):
        cells = []
        for cell in row.findall(f"{_W}tc"):
            text = " ".join(_paragraph(p) for p in cell.iter(f"{_W}p"))
            cells.append(_SPACE.sub(" ", text).strip())
        rows.append(tuple(cells))
    return rows


def _xlsx(data: bytes, budget: _Budget, max_cells: int) -> Extracted:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, ElementTree.ParseError, OSError) as exc:
        raise _Unreadable("damaged") from exc

    def sheets() -> Iterator[tuple[str, Iterator[Sequence[object]]]]:
        for sheet in book.worksheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # a stored dimension may claim a million empty rows
            yield sheet.title, sheet.iter_rows(values_only=True)

    try:
        return _sheets(sheets(), budget, max_cells, "xlsx")
    finally:
        book.close()


_SHEET_ERRORS = (
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    zipfile.BadZipFile,
    ElementTree.ParseError,
    OSError,
)


def _sheets(
    sheets: Iterator[tuple[str, Iterator[Sequence[object]]]], budget: _Budget, max_cells: int, kind: str
) -> Extracted:
    """A workbook's sheets (title, rows of cell values) as chunks placed by cell, and tables."""
    chunks: list[Chunk] = []
    tables: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    visited = 0
    limited = ""
    try:
        for title, sheet_rows in sheets:
            if budget.spent() or limited:
                break
            where = f"工作表“{title}”"
            cells = _Cells(budget)
            rows: list[tuple[str, ...]] = []
            for number, values in enumerate(sheet_rows, 1):
                visited += len(values)
                if visited > max_cells:
                    limited = f"只检查了前 {max_cells:,} 个单元格"
                    break
                if number % 200 == 0 and budget.expired():
                    break
                row = tuple(_cell_text(v) for v in values)
                if any(row) and len(rows) < MAX_TABLE_ROWS:
                    rows.append(row)  # blank rows left out: the header is looked for in the first rows
                cells.add_row(row, f"{where}单元格 ", number)
                if budget.chars <= 0:
                    break
            if cells.parts:
                chunks.append(cells.chunk(where))
            if rows:
                tables.append((where, tuple(rows)))
    except _Unreadable:
        if not chunks:
            raise
        limited = limited or "文件部分损坏，其后内容未检查"
    except _SHEET_ERRORS as exc:
        if not chunks:
            raise _Unreadable("damaged") from exc
        limited = limited or "文件部分损坏，其后内容未检查"
    return Extracted(
        tuple(chunks), tuple(tables), limited="；".join(filter(None, [limited, budget.over])), kind=kind
    )


# -- Office 97-2003 (OLE2) --------------------------------------------------------------------------


def _legacy(data: bytes, budget: _Budget, max_cells: int) -> Extracted:
    """An Excel 97-2003/ET workbook (xlrd) or a Word 97-2003/WPS document (antiword): see
    extract/legacy_office.py; what neither reads is not checkable (``legacy``)."""
    from sitecheck.extract import legacy_office

    kind = legacy_office.ole_kind(data)
    try:
        if kind == "xls":
            return _sheets(_legacy_sheets(data), budget, max_cells, "xls")
        if kind == "doc":
            text, word_tables = legacy_office.word_tables(legacy_office.word_text(data, budget.seconds))
            chunks = [Chunk("正文", budget.take(text))]
            tables: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
            for table_no, rows in enumerate(word_tables, 1):  # placed as a Word table's rows are
                place = f"表格 {table_no}"
                tables.append((place, tuple(tuple(row) for row in rows[:MAX_TABLE_ROWS])))
                for number, row in enumerate(rows, 1):
                    if budget.spent():
                        break
                    chunks.append(Chunk(f"{place} 第 {number} 行", budget.take(_CELL_SEP.join(row))))
            return Extracted(tuple(chunks), tuple(tables), limited=budget.over, kind="doc")
    except legacy_office.LegacyUnreadable as exc:
        raise _Unreadable(exc.reason) from exc
    return Extracted(unreadable="legacy")


def _legacy_sheets(data: bytes) -> Iterator[tuple[str, Iterator[Sequence[object]]]]:
    from sitecheck.extract import legacy_office

    try:
        yield from legacy_office.xls_sheets(data)
    except legacy_office.LegacyUnreadable as exc:
        raise _Unreadable(exc.reason) from exc


class _Cells:
    """A table's cells as one text, each followed by a tab (a line break after a row's last),
    with where each starts: one scan of the privacy check covers the table, and a hit is placed
    in its cell."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.parts: list[str] = []
        self.starts: list[tuple[int, str]] = []
        self.offset = 0

    def add_row(self, row: tuple[str, ...], prefix: str, number: int) -> None:
        last = max((i for i, text in enumerate(row) if text), default=-1)
        for index in range(last + 1):
            text = row[index]
            if not text:
                continue
            text = self.budget.take(text)
            self.starts.append((self.offset, f"{prefix}{column_letter(index + 1)}{number}"))
            self.parts.append(text + ("\n" if index == last else _CELL_SEP))
            self.offset += len(text) + 1
            if self.budget.chars <= 0:
                return

    def chunk(self, place: str) -> Chunk:
        return Chunk(place, "".join(self.parts), tuple(self.starts))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a number typed into a cell: 13912345678.0 is 13912345678
    return _SPACE.sub(" ", str(value)).strip()


def column_letter(column: int) -> str:
    """1 → A, 27 → AA (spreadsheet column names)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- text files -----------------------------------------------------------------------------------


def _text(data: bytes, extension: str, charset: str | None, budget: _Budget) -> Extracted:
    text = decode_html(data[: budget.chars * 4 + 4], charset).text
    if extension != "csv":
        return Extracted((Chunk("正文", budget.take(text)),), limited=budget.over, kind="text")
    cells = _Cells(budget)
    rows: list[tuple[str, ...]] = []
    for number, values in enumerate(_csv_rows(text), 1):
        if number % 200 == 0 and budget.expired():
            break
        row = tuple(_SPACE.sub(" ", v).strip() for v in values)
        if any(row) and len(rows) < MAX_TABLE_ROWS:
            rows.append(row)
        cells.add_row(row, "单元格 ", number)
        if budget.chars <= 0:
            break
    chunks = (cells.chunk("表格"),) if cells.parts else ()
    tables = (("表格", tuple(rows)),) if rows else ()
    return Extracted(chunks, tables, limited=budget.over, kind="text")


def _csv_rows(text: str) -> Iterator[list[str]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error:
        return
