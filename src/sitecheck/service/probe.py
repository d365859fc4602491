"""One home-page availability probe: open the page like a first-time visitor, within the limit.

The request goes through :class:`sitecheck.fetch.Fetcher` (the one module that turns network
errors into :class:`~sitecheck.models.Outcome` values) with no retries and the probe's time
limit over the whole exchange, body included: the national rule counts a probe as failed when
the page "has not opened" after 15 seconds, not when the first byte is late. Each probe uses
a fresh client, so DNS, TCP and TLS are exercised every time as they are for the public;
a kept-alive connection would hide exactly the failures the monitor exists to see.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitecheck.config import AuditConfig
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.judge.availability import probe_failed
from sitecheck.models import Outcome
from sitecheck.store import now_iso


@dataclass(frozen=True, slots=True)
class ProbeResult:
    at: str  # UTC ISO time the probe started
    url: str
    outcome: Outcome
    status: int | None
    latency_ms: int
    error: str
    final_url: str | None

    @property
    def failed(self) -> bool | None:
        """True: the page did not open; False: it did; None: turned away (not counted)."""
        return probe_failed(self.outcome)


async def probe_home(config: AuditConfig) -> ProbeResult:
    """GET the start URL once, following redirects, within ``schedule.probe_timeout`` seconds."""
    timeout = config.schedule.probe_timeout
    probe_config = config.replace("fetch", timeout=timeout, retries=0)
    policy = FetchPolicy.from_config(probe_config)
    at = now_iso()
    async with build_client(probe_config) as client:
        fetcher = Fetcher(client, policy, HostLimiter(1, 0.0))
        result = await fetcher.page(config.site.start_url)
    return ProbeResult(
        at=at,
        url=config.site.start_url,
        outcome=result.outcome,
        status=result.status,
        latency_ms=result.elapsed_ms,
        error=result.error,
        final_url=result.final_url,
    )
