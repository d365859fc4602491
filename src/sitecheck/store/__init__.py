"""The fact store: what the crawler observed, the judgements saved, and the service's log.

One SQLite database (WAL) per data directory. The ``targets`` table doubles as the crawl
frontier, so an interrupted crawl (Ctrl-C, SIGTERM, even kill -9) loses nothing already
written and ``--resume`` continues from it. Findings are derived from the facts by the judge
and saved explicitly; they can be recomputed at any time.

The store is built in layers, one file per concern, each using the ones below it:
``db`` (connection, transactions) < ``runs`` < ``frontier`` < ``facts`` < ``findings`` <
``service_log``. :class:`Store` is the whole.
"""

from __future__ import annotations

from sitecheck.store.db import damaged_message, now_iso
from sitecheck.store.service_log import ServiceLog

__all__ = ["Store", "damaged_message", "now_iso"]


class Store(ServiceLog):
    """Thin typed layer over SQLite; the judge and the reports never see SQL."""
