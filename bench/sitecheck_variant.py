"""Run the sitecheck CLI with experimental patches applied in memory (never to the source).

Used by ``bench/run --experiments`` to put numbers on the suggestions in bench/README.md.
Usage: python sitecheck_variant.py VARIANTS crawl URL [options]   (VARIANTS comma-separated,
or "none")

  uvloop        asyncio event loop from uvloop (needs uvloop importable)
  batch-commit  commit the SQLite store every 200 targets instead of after each one
  (pw1, handled by bench.py: the CLI's own --parse-workers 1)
"""

from __future__ import annotations

import runpy
import sys


def apply(variants: set[str]) -> None:
    if "uvloop" in variants:
        import asyncio

        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    if "batch-commit" in variants:
        from sitecheck.store import Store

        every = 200
        state = {"n": 0}
        orig_close = Store.close

        def begin(self: Store) -> None:
            if not self.db.in_transaction:
                self.db.execute("BEGIN")

        def commit(self: Store) -> None:
            state["n"] += 1
            if state["n"] % every == 0 and self.db.in_transaction:
                self.db.execute("COMMIT")

        def close(self: Store) -> None:
            if self.db.in_transaction:
                self.db.execute("COMMIT")
            orig_close(self)

        Store.begin = begin  # type: ignore[method-assign]
        Store.commit = commit  # type: ignore[method-assign]
        Store.close = close  # type: ignore[method-assign]


def main() -> None:
    variants = {v for v in sys.argv[1].split(",") if v and v != "none"}
    apply(variants)
    sys.argv = ["sitecheck", *sys.argv[2:]]
    runpy.run_module("sitecheck", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
