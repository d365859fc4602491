"""When the fleet's jobs fall due: each portal's own ``[schedule]`` (cron in its time zone, probes
per day), read by the same triggers ``sitecheck serve`` uses, plus a stable per-portal offset so
that a fleet of portals sharing the default "Mondays 01:30" does not start all at once.

The offset comes from a hash of the portal's start URL and the job, so every scheduler on every
machine and every restart computes the same one; it spreads audits and rechecks evenly over a
window (default 6 hours). Probes need no offset: each probe is already at a moment seeded by the
portal inside its slot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta

from sitecheck.service.portals import Portal
from sitecheck.service.schedule import upcoming

JOBS = ("audit", "recheck", "probe")
DEFAULT_SPREAD = 6 * 3600  # seconds over which a fleet's audits (and rechecks) are spread


def offset(start_url: str, job: str, spread_seconds: float) -> float:
    """Seconds after its cron time that ``job`` of this portal starts: stable, in [0, spread)."""
    if job == "probe" or spread_seconds <= 0:
        return 0.0
    digest = hashlib.sha256(f"{job}@{start_url}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return fraction * spread_seconds


def due(
    portal: Portal, job: str, after: datetime, until: datetime, spread_seconds: float
) -> Iterator[datetime]:
    """When ``job`` of ``portal`` must run, for each time its schedule fires in (after, until]:
    the fire time plus the portal's offset (the job is deferred to start then)."""
    cadence = portal.cadence(job)
    if cadence is None:
        return
    shift = timedelta(seconds=offset(portal.key, job, spread_seconds))
    for when in upcoming(cadence, portal.job_id(job), after, 1000):
        if when > until:
            return
        if when > after:  # a time on the window's edge belongs to the window before
            yield when + shift
