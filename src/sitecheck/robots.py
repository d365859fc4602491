"""robots.txt, fetched once per host and parsed with Protego."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from protego import Protego

from sitecheck.fetch import Fetcher
from sitecheck.models import Outcome

# A Crawl-delay beyond this is capped: an audit of a few thousand pages must still finish.
MAX_CRAWL_DELAY = 10.0


class RobotsPolicy:
    def __init__(self, fetcher: Fetcher, user_agent: str, *, enabled: bool = True) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self.enabled = enabled
        self._parsers: dict[str, Protego | None] = {}
        self._pending: dict[str, asyncio.Task[Protego | None]] = {}

    async def allowed(self, url: str) -> bool:
        if not self.enabled:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._parsers:
            task = self._pending.get(origin)
            if task is None:
                task = self._pending[origin] = asyncio.ensure_future(self._load(origin))
            self._parsers[origin] = await task
            self._pending.pop(origin, None)
        parser = self._parsers[origin]
        return parser is None or bool(parser.can_fetch(url, self.user_agent))

    async def _load(self, origin: str) -> Protego | None:
        result = await self.fetcher.document(f"{origin}/robots.txt")
        # No robots.txt, or one we cannot read, means no restrictions (the usual crawler rule;
        # an error page must not lock the audit out of the site).
        if result.outcome is not Outcome.OK or result.body is None:
            return None
        text = result.body.decode("utf-8", errors="replace")
        if "<html" in text[:512].lower():  # a CMS that answers every path with its home page
            return None
        parser = Protego.parse(text)
        delay = parser.crawl_delay(self.user_agent)
        if delay:
            self.fetcher.limiter.slow_down(
                urlsplit(origin).netloc.lower(), min(float(delay), MAX_CRAWL_DELAY)
            )
        return parser

    def sitemaps(self, origin: str) -> list[str]:
        parser = self._parsers.get(origin)
        return list(parser.sitemaps) if parser is not None else []
