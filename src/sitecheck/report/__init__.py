"""Report writers. Each output format has its own module; they all read the same summary."""

from __future__ import annotations

from sitecheck.report.summary import RunSummary, summarize

__all__ = ["RunSummary", "summarize"]
