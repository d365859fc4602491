"""Temporary home of the listing records' old import path.

store/facts.py still imports them from here; they live in ``sitecheck.models`` and this module
goes once that import is changed. The analysis itself is ``sitecheck.extract.listing``.
"""

from sitecheck.models import ColumnItem, ListingFacts

__all__ = ["ColumnItem", "ListingFacts"]
