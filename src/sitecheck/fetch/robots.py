"""robots.txt, fetched once per host and parsed with Protego."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from sitecheck.fetch.client import Fetcher
from sitecheck.models import Outcome

# A Crawl-delay beyond this is capped: an audit of a few thousand pages must still finish.
MAX_CRAWL_DELAY = 10.0
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    return scheme, parts.hostname.removeprefix("www."), port  # www.x and x: one site (as urls.host_key)


def on_origin(url: str, origin: str) -> bool:
    """``url`` is on the site at ``origin``: same host (``www.`` or not) and port, or the same
    host's other default scheme (http://host robots.txt naming https://host/sitemap.xml)."""
    target, home = _host_port(url), _host_port(origin)
    if target is None or home is None or target[1] != home[1]:
        return False
    return target[2] == home[2] or (
        target[2] == _DEFAULT_PORTS[target[0]] and home[2] == _DEFAULT_PORTS[home[0]]
    )


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
        # One attempt: a robots.txt is a small file, and a host that leaves it waiting (a site
        # that never answers, linked from the portal) would otherwise hold the link's own check
        # back for three timeouts before it even starts. Unanswered means no rules, as below.
        result = await self.fetcher.document(f"{origin}/robots.txt", retries=0)
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

    def sitemaps(self, origin: str, allowed: Callable[[str], bool] | None = None) -> list[str]:
        """The robots.txt ``Sitemap:`` lines of ``origin`` that are on the site itself.

        Anyone who can write robots.txt could otherwise make the auditor fetch any address
        (another host, another port, an intranet server). ``allowed`` admits more URLs (the
        portal's other hosts, e.g. ``Scope.host_in_scope``).
        """
        parser = self._parsers.get(origin)
        if parser is None:
            return []
        return [
            url for url in parser.sitemaps if on_origin(url, origin) or (allowed is not None and allowed(url))
        ]
