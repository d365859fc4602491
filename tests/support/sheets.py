"""Reading back what a written workbook says, as Excel shows it."""

from __future__ import annotations

from typing import Any

_DIGIT_PX = 7  # the width of a digit in Excel's default font (Calibri 11), in pixels
_PADDING_PX = 5  # a cell's margins


def column_width(ws: Any, col: int) -> float:
    """Column ``col``'s (1-based) width in characters as Excel's column-width dialog shows it.

    The file stores the width with the cell margins included (a column set to 30 characters is
    stored as 30.71), the form Excel itself writes. Neighbouring columns of one width are stored as one range, which openpyxl files under the
    range's first column only.
    """
    for dimension in ws.column_dimensions.values():
        if dimension.min <= col <= dimension.max:
            return round((dimension.width * _DIGIT_PX - _PADDING_PX) / _DIGIT_PX, 1)
    raise AssertionError(f"column {col} of {ws.title} has no width of its own")
