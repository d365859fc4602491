"""A generated sample portal with planted defects, served over real HTTP on loopback.

Used by the crawler's tests, ``sitecheck demo`` and the benchmark. Everything is deterministic
for a given ``(pages, seed, today)``; ``manifest`` (links) and ``column_manifest`` (columns) list
what a correct audit must find.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitecheck.demo.portal import Behaviour, ColumnInfo, PlantedColumn, PlantedDefect, Portal, Response

if TYPE_CHECKING:
    from sitecheck.demo.server import DemoServer

__all__ = ["Behaviour", "ColumnInfo", "DemoServer", "PlantedColumn", "PlantedDefect", "Portal", "Response"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `python -m sitecheck.demo.server` does not find its own module
    # already imported by the package (runpy warns about that).
    if name == "DemoServer":
        from sitecheck.demo.server import DemoServer

        return DemoServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
