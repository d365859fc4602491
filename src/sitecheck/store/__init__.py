"""The fact store: what the crawler observed, the judgements saved, and the service's log.

One SQLite database (WAL) per data directory, or one PostgreSQL database named by a
``postgresql://`` URL where a fleet shares the store (same schema, same queries: db.py). The
``targets`` table doubles as the crawl frontier, so an interrupted crawl (Ctrl-C, SIGTERM, even
kill -9) loses nothing already written and ``--resume`` continues from it. Findings are
derived from the facts by the judge and saved explicitly; they can be recomputed at any time.

The store is built in layers, one file per concern, each using the ones below it:
``db`` (connection, transactions) < ``runs`` < ``frontier`` < ``facts`` < ``findings`` <
``service_log``. :class:`Store` is the whole.
"""

from __future__ import annotations

from sitecheck.errors import StoreError
from sitecheck.models import RunRecord
from sitecheck.store.db import damaged_message, is_store_url, now_iso, store_exists
from sitecheck.store.facts import RunFacts, RunWriter
from sitecheck.store.findings import History
from sitecheck.store.service_log import ServiceLog

__all__ = [
    "History",
    "RunFacts",
    "RunWriter",
    "Store",
    "damaged_message",
    "is_store_url",
    "now_iso",
    "store_exists",
]


class Store(ServiceLog):
    """Thin typed layer over SQLite or PostgreSQL; the judge and the reports never see SQL."""

    def writer(self, run_id: int) -> RunWriter:
        """The crawl's writing view of one run."""
        return RunWriter(self, run_id)

    def history(self, run: RunRecord) -> History:
        """The earlier judgements of the run's site, for the judge."""
        return History(self, run)

    def facts(self, run_id: int) -> RunFacts:
        """The judge's read-only view of one run."""
        run = self.run(run_id)
        if run is None:
            raise StoreError(f"事实库中没有第 {run_id} 次检查")
        return RunFacts(self, run)
