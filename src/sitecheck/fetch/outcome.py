"""Turn what a server answered into an :class:`Outcome` (pure functions, no I/O).

The fetcher calls these after every response; the rules never look at raw statuses.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping

import httpx2

from sitecheck.models import Outcome

# Statuses worth another attempt: the server or a proxy may recover. 404 never is.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})

# Signatures of anti-bot walls and JS-cookie challenges. Such an answer says nothing about
# whether the link works in a browser, so it is "blocked" (could not verify), never "dead".
_CHALLENGE_MARKERS = (
    "$_ts",  # 瑞数 (River Security) dynamic protection: 412/202 + inline $_ts script
    "__jsl_clearance",  # 加速乐 521 cookie challenge
    "just a moment",  # Cloudflare
    "cf-chl",
    "challenge-platform",
    "请稍候",
    "安全验证",
    "访问验证",
    "人机验证",
    "滑动验证",
)
# Block pages of common WAFs; only meaningful on an error status (a 200 article may say 拦截).
_BLOCK_MARKERS = ("访问异常", "拦截", "安全狗", "云盾", "创宇盾", "access denied", "forbidden by")
_CHALLENGE_STATUSES = frozenset({412, 521})  # used (almost) only by WAF challenges
_MAX_CHALLENGE_BODY = 4000  # challenge pages are tiny; a long 200 page is the site's own


def is_challenge(status: int, headers: Mapping[str, str], body_sample: str) -> bool:
    """An anti-bot answer rather than the site's own page or error page."""
    if status in _CHALLENGE_STATUSES:
        return True
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    lowered = body_sample[: _MAX_CHALLENGE_BODY * 4].lower()
    if len(body_sample) <= _MAX_CHALLENGE_BODY and any(m in lowered for m in _CHALLENGE_MARKERS):
        return True
    return status in (403, 202) and any(m in lowered for m in _BLOCK_MARKERS + _CHALLENGE_MARKERS)


def outcome_for_status(status: int) -> Outcome:
    if 200 <= status < 400:
        return Outcome.OK
    if status in (404, 410):
        return Outcome.NOT_FOUND
    if status == 429:
        return Outcome.RATE_LIMITED
    if 400 <= status < 500:
        return Outcome.CLIENT_ERROR
    return Outcome.SERVER_ERROR


def outcome_for_exception(exc: BaseException) -> tuple[Outcome, str]:
    """Map a transport exception to an outcome and a short detail.

    httpx reports refused connections, DNS and TLS failures all as ConnectError; the cause
    chain tells them apart (lychee does the same). Only exception *types* decide: messages
    may quote what the server sent (a header line, a Location value), and a server must not
    be able to turn its answer into a TLS or DNS error by writing "certificate" in it.
    """
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    detail = f"{type(exc).__name__}: {chain[-1]}"[:300]
    for err in chain:
        if isinstance(err, socket.gaierror):
            return Outcome.DNS_ERROR, detail
        if isinstance(err, ssl.SSLError | ssl.CertificateError):
            return Outcome.TLS_ERROR, detail
    for err in chain:
        if isinstance(err, httpx2.TooManyRedirects):
            return Outcome.REDIRECT_ERROR, detail
        if isinstance(err, httpx2.TimeoutException | TimeoutError):
            return Outcome.TIMEOUT, detail
        if isinstance(err, httpx2.InvalidURL | httpx2.UnsupportedProtocol | httpx2.LocalProtocolError):
            return Outcome.INVALID_URL, detail
    return Outcome.CONNECTION_ERROR, detail


def is_refused(exc: BaseException) -> bool:
    """A refused connection is not retried: nothing is listening, waiting will not help."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        current = current.__cause__ or current.__context__
    return False
