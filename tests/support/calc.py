"""LibreOffice Calc, headless, as a second reader of the checklist workbook.

openpyxl reads back what the tests check, but it is lenient: an office suite must open the
file too. Debian's ``libreoffice-calc-nogui`` (installed by ``.ci/run``) converts the workbook
to one CSV per sheet (what the cells show) and to PDF (how the sheets print).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

INSTALL_HINT = "apt-get install libreoffice-calc-nogui"
# Filter options of the CSV export: comma, double quote, UTF-8 (76), from row 1, cells as
# shown, every sheet to its own file (-1: <name>-<sheet>.csv).
_CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(workbook: Path, target: str, out: Path) -> None:
    program = soffice()
    assert program, f"LibreOffice is not installed ({INSTALL_HINT})"
    out.mkdir(parents=True, exist_ok=True)
    # Its own profile: a first start writes one, and two tests must not share it.
    profile = (out / "profile").as_uri()
    command = [program, "--headless", "--norestore", f"-env:UserInstallation={profile}"]
    subprocess.run(
        [*command, "--convert-to", target, "--outdir", str(out), str(workbook)],
        check=True,
        capture_output=True,
        timeout=180,
    )


def sheets_as_shown(workbook: Path, out: Path) -> dict[str, list[list[str]]]:
    """Every sheet's cells as Calc shows them, by sheet name."""
    _convert(workbook, _CSV_FILTER, out)
    prefix = f"{workbook.stem}-"
    sheets = {}
    for path in sorted(out.glob(f"{prefix}*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[path.stem.removeprefix(prefix)] = list(csv.reader(handle))
    return sheets


def printed(workbook: Path, out: Path) -> Path:
    """The workbook printed to PDF by Calc, with each sheet's own page setup."""
    _convert(workbook, "pdf", out)
    return out / f"{workbook.stem}.pdf"
