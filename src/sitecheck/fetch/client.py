"""HTTP requests with retries, per-host politeness and outcome classification.

This is the only module that catches network exceptions: every request ends as a
:class:`FetchResult` whose ``outcome`` says what happened.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import functools
import importlib.util
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2

from sitecheck.charset import codec_for_label, http_charset
from sitecheck.config import AuditConfig
from sitecheck.fetch.outcome import (
    RETRY_STATUSES,
    is_challenge,
    is_refused,
    outcome_for_exception,
    outcome_for_status,
)
from sitecheck.fetch.politeness import SLOW_EXTRA, Clock, HostLimiter, Sleep
from sitecheck.models import FetchResult, Outcome
from sitecheck.urls import is_private_address, literal_host_is_private, resolve

_HTML_TYPES = ("text/html", "application/xhtml+xml")
PROBE_BODY = 64 * 1024  # enough of an HTML answer to spot an error page or a challenge
_ERROR_BODY = 16 * 1024  # enough of an error answer to tell a WAF challenge from the site's own page
_RETRYABLE_OUTCOMES = frozenset({Outcome.TIMEOUT, Outcome.CONNECTION_ERROR})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A redirect's own body is read (and dropped) up to this much so that its connection can be
# reused; a longer one is not worth the bytes: the connection is closed instead.
_REDIRECT_BODY = 64 * 1024
_NAME_CACHE = 4096  # host names whose addresses were checked, per fetcher
# An attachment read whole may take this many times the request timeout to arrive (counted from
# its headers): a 20 MB PDF from a slow portal is not a dead link.
ATTACHMENT_TIME_FACTOR = 4
# FetchResult.error of an attachment answered 200 whose body was not read whole (the link works).
BODY_TOO_LARGE = "body over the attachment size cap"
BODY_TIMED_OUT = "body not received in time"
BODY_BROKEN = "body cut off"

# Resolves a host name to the addresses a connection could reach (see Fetcher.resolver).
Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    max_body_bytes: int = 5_000_000
    max_redirects: int = 10
    # Refuse redirects that lead to loopback/private/link-local/reserved addresses: a public
    # portal must not be able to point the auditing machine at its own network.
    block_private: bool = True

    @classmethod
    def from_config(cls, config: AuditConfig) -> FetchPolicy:
        return cls(
            timeout=config.fetch.timeout,
            retries=config.fetch.retries,
            backoff=config.fetch.backoff,
            max_retry_after=config.fetch.max_retry_after,
            max_body_bytes=config.fetch.max_body_bytes,
            max_redirects=config.fetch.max_redirects,
            block_private=not (config.scope.allow_private or portal_is_private(config.site.start_url)),
        )


def portal_is_private(start_url: str) -> bool:
    """The portal itself lives on a loopback/private address (an intranet portal, the demo and
    the tests on 127.0.0.1): its redirects may go there too. Decided without DNS; an intranet
    portal reached by a name sets ``scope.allow_private``."""
    return bool(literal_host_is_private(urlsplit(start_url).hostname or "")) if start_url else False


def is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


# "scheme://netloc" at the start of a URL, as urlsplit reads it: a URL's netloc is its origin's.
_ORIGIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*")


def host_of(url: str) -> str:
    """The URL's ``netloc``, lower-cased, as urlsplit reads it (the key of per-host limits).

    Worked out once per origin: the crawl asks it of every request several times (dispatch,
    worker, limiter), and urlsplit parsed each whole URL each time."""
    origin = _ORIGIN_RE.match(url)
    if origin is None:
        return urlsplit(url).netloc.lower()
    return _origin_netloc(origin.group())


@functools.lru_cache(maxsize=1024)
def _origin_netloc(origin: str) -> str:
    return urlsplit(origin).netloc.lower()


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def decode_sample(body: bytes, content_type: str) -> str:
    codec = codec_for_label(http_charset(content_type) or "") or "utf-8"
    text = body.decode(codec, errors="replace")
    if codec == "utf-8" and text.count("\ufffd") > 8:
        # An undeclared GBK error page (common on Chinese servers) must still match 页面不存在.
        text = body.decode("gb18030", errors="replace")
    return text


@dataclass(slots=True)
class _Answer:
    status: int
    headers: httpx2.Headers
    final_url: str
    redirects: tuple[str, ...]
    body: bytes
    truncated: bool
    # A redirect that was not followed: (outcome, detail). The answer is then that redirect.
    refused: tuple[Outcome, str] | None = None
    cut: str = ""  # a body read whole that was not: BODY_TOO_LARGE, BODY_TIMED_OUT, BODY_BROKEN…


async def _system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def tls_verify(config: AuditConfig) -> ssl.SSLContext | bool:
    """What certificates are checked against: False for --insecure, else the system's store
    (True: httpx builds it) or, with ``[fetch] ca_bundle``, a context that trusts that file too."""
    if not config.fetch.verify_tls or not config.fetch.ca_bundle:
        return config.fetch.verify_tls
    from sitecheck.fetch.tls import trust_context

    return trust_context(True, config.fetch.ca_bundle)


def build_client(
    config: AuditConfig, connections: int | None = None, *, crawl: bool = False
) -> httpx2.AsyncClient:
    # Every request checks each idle pooled connection for a server-side close, so the pool
    # keeps as many as are in flight, not more. A crawl lets slow requests (SLOW_AFTER) out of
    # its limit, up to SLOW_EXTRA × as many: room for them to connect, none to keep.
    connections = connections or config.politeness.concurrency + 4
    limits = httpx2.Limits(
        max_connections=connections * (1 + SLOW_EXTRA if crawl else 1), max_keepalive_connections=connections
    )
    timeout = httpx2.Timeout(config.fetch.timeout, connect=min(config.fetch.timeout, 10.0))
    # The system's trust store, plus [fetch] ca_bundle (a private CA) when one is given.
    verify = tls_verify(config)
    # [fetch] transport: "aiohttp", "httpx", or "auto" (aiohttp when it is installed).
    choice = config.fetch.transport
    transport: httpx2.AsyncBaseTransport | None = None
    if choice == "aiohttp" or (choice == "auto" and importlib.util.find_spec("aiohttp") is not None):
        from sitecheck.fetch.aiohttp_transport import AiohttpTransport

        # The same pool size, keep-alive and certificate checks as httpx's transport, on aiohttp:
        # half the CPU per request (bench/microbench_http.py). Proxies are never used
        # (trust_env=False below), so the transport needs none.
        transport = AiohttpTransport(verify=verify, limits=limits)
    return httpx2.AsyncClient(
        headers={
            "User-Agent": config.politeness.user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        },
        # Redirects are followed by Fetcher, which checks every Location before connecting.
        follow_redirects=False,
        timeout=timeout,
        limits=limits,
        verify=verify,
        trust_env=False,  # an audit must reach the portal the way the public does, not via a proxy
        transport=transport,  # None: httpx's own (limits and verify above apply to it)
    )


class Fetcher:
    def __init__(
        self,
        client: httpx2.AsyncClient,
        policy: FetchPolicy,
        limiter: HostLimiter,
        *,
        resolver: Resolver | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.policy = policy
        self.limiter = limiter
        # What elapsed_ms is measured with and the retry back-off waits with (replaceable so
        # that tests check the waits instead of timing them).
        self.clock = clock
        self.sleep = sleep
        # Looks up a redirect target's name to see whether it leads into a private network
        # (replaceable so that tests need no DNS).
        self.resolver = resolver or _system_resolver
        self._private_names: dict[str, bool] = {}

    async def page(self, url: str) -> FetchResult:
        """GET a page and keep its HTML body (capped) for parsing.

        Error pages are recognised by the reader (crawl/reader.py, extract/soft404.py): the
        fetcher only fetches.
        """
        return await self._request(url, "GET", body_limit=self.policy.max_body_bytes)

    async def document(self, url: str, limit: int = 512 * 1024, *, retries: int | None = None) -> FetchResult:
        """GET a small non-HTML document whose body we need (robots.txt, sitemap.xml);
        ``retries``: instead of the configured number."""
        return await self._request(url, "GET", body_limit=limit, any_type=True, retries=retries)

    async def post_form(self, url: str, form: str, limit: int = 2 * 1024 * 1024) -> FetchResult:
        """POST a form and keep the answer (Hanweb dataproxy.jsp column records)."""
        return await self._request(url, "POST", body_limit=limit, any_type=True, form=form)

    async def attachment(self, url: str, limit: int) -> FetchResult:
        """GET an attachment's whole body, up to ``limit`` bytes (one request, no HEAD first).

        A body over the cap (by Content-Length, or as it arrives) is not read further, and one
        that has not arrived ``ATTACHMENT_TIME_FACTOR`` timeouts after its headers, or that
        sends nothing for a whole timeout (the client's read timeout), is given up:
        the link still works (the outcome is the answer's), ``truncated`` is set, ``body`` is
        None and ``error`` says which (BODY_TOO_LARGE, BODY_TIMED_OUT).
        """
        return await self._request(url, "GET", body_limit=limit, any_type=True, whole=True)

    async def probe(self, url: str, *, head_first: bool, check_html: bool = True) -> FetchResult:
        """Check a link without downloading what is behind it.

        ``head_first`` (images, attachments): HEAD, then a GET closed after the headers when
        HEAD is refused, fails, or says an attachment is an HTML page (a soft 404 in disguise).
        Otherwise GET, reading a little of an HTML answer to spot error pages.
        """
        body_limit = PROBE_BODY if check_html else 0
        if head_first:
            head = await self._request(url, "HEAD", body_limit=0)
            if head.outcome is Outcome.OK and not (check_html and is_html(head.content_type)):
                return head
            if head.outcome in (Outcome.INVALID_URL, Outcome.DNS_ERROR, Outcome.TLS_ERROR, Outcome.TIMEOUT):
                return head  # a GET would fail the same way; do not double the wait
            if head.outcome is Outcome.CONNECTION_ERROR and head.error.startswith("ConnectionRefused:"):
                return head
            result = await self._request(url, "GET", body_limit=body_limit)
            return dataclasses.replace(result, attempts=result.attempts + head.attempts)
        return await self._request(url, "GET", body_limit=body_limit)

    async def _request(
        self,
        url: str,
        method: str,
        *,
        body_limit: int,
        any_type: bool = False,
        form: str | None = None,
        whole: bool = False,
        retries: int | None = None,
    ) -> FetchResult:
        host = host_of(url)
        clock = self.clock
        started = clock()
        attempts = 0
        retried = 0  # failures tried again (timeouts, resets, 5xx): at most ``retries`` or policy.retries
        told_to_wait = 0  # Retry-After answers waited for
        policy = self.policy
        most = policy.retries if retries is None else retries
        while True:
            attempts += 1
            try:
                answer = await self._attempt(url, method, host, body_limit, any_type, form, whole)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                outcome, detail = outcome_for_exception(exc)
                refused = is_refused(exc)
                if refused:
                    detail = f"ConnectionRefused: {detail}"
                if outcome in _RETRYABLE_OUTCOMES and not refused and retried < most:
                    retried += 1
                    await self.sleep(policy.backoff * 2 ** (retried - 1))
                    continue
                return FetchResult(
                    url=url,
                    outcome=outcome,
                    error=detail,
                    elapsed_ms=_ms(clock, started),
                    attempts=attempts,
                    method=method,
                )
            if answer.refused is not None:
                outcome, detail = answer.refused
                return FetchResult(
                    url=url,
                    outcome=outcome,
                    status=answer.status or None,  # 0: refused before any request
                    final_url=answer.final_url,
                    error=detail,
                    elapsed_ms=_ms(clock, started),
                    attempts=attempts,
                    method=method,
                    redirects=answer.redirects,
                )
            status = answer.status
            content_type = answer.headers.get("content-type", "")
            sample = decode_sample(answer.body[:_ERROR_BODY], content_type) if status >= 400 else ""
            challenge = status >= 400 and is_challenge(status, answer.headers, sample)
            wait = retry_after_seconds(answer.headers) if status in RETRY_STATUSES and not challenge else None
            if wait is not None and told_to_wait < max(1, policy.retries):
                # The server said when to come back: an instruction, not a failure, so it is
                # followed even with retries off (up to max_retry_after).
                if wait > policy.max_retry_after:
                    detail = f"Retry-After {wait:.0f}s"
                    return self._result(url, method, answer, started, attempts, detail, any_type=any_type)
                told_to_wait += 1
                self.limiter.pause(host, wait)
                continue
            if status in RETRY_STATUSES and not challenge and wait is None and retried < most:
                retried += 1
                await self.sleep(policy.backoff * 2 ** (retried - 1))
                continue
            detail = "anti-bot challenge" if challenge else ""
            return self._result(
                url, method, answer, started, attempts, detail, challenge=challenge, any_type=any_type
            )

    def _result(
        self,
        url: str,
        method: str,
        answer: _Answer,
        started: float,
        attempts: int,
        detail: str,
        *,
        challenge: bool = False,
        any_type: bool = False,
    ) -> FetchResult:
        content_type = answer.headers.get("content-type", "")
        outcome = Outcome.BLOCKED if challenge else outcome_for_status(answer.status)
        html = is_html(content_type)
        keep = (html or any_type) and outcome is Outcome.OK and not answer.cut
        return FetchResult(
            url=url,
            outcome=outcome,
            status=answer.status,
            final_url=answer.final_url,
            content_type=content_type,
            body=answer.body if keep else None,
            charset=http_charset(content_type),
            error=detail or answer.cut,
            elapsed_ms=_ms(self.clock, started),
            attempts=attempts,
            method=method,
            redirects=answer.redirects,
            truncated=answer.truncated,
        )

    async def _attempt(
        self,
        url: str,
        method: str,
        host: str,
        body_limit: int,
        any_type: bool,
        form: str | None,
        whole: bool = False,
    ) -> _Answer:
        content = form.encode() if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else None
        client = self.client
        request = client.build_request(method, url, content=content, headers=headers)
        problem = _unrequestable(request.url)
        if problem:
            # httpx would connect anyway: port 99999 wraps round to 34463, port 0 and an empty
            # host reach this machine. Nothing is sent.
            return _Answer(0, httpx2.Headers(), url, (), b"", False, (Outcome.INVALID_URL, problem))
        hops: list[str] = []
        async with self.limiter.slot(host), asyncio.timeout(self.policy.timeout) as deadline:
            # One deadline for the whole chain of redirects and the body: a server dripping a
            # byte at a time never outlasts the timeout. (An attachment read whole gets its own,
            # longer one for its body: _read_whole.)
            while True:
                response = await client.send(request, stream=True)
                try:
                    if response.status_code not in _REDIRECT_STATUSES or "location" not in response.headers:
                        if whole and response.status_code < 300:
                            seconds = self.policy.timeout * ATTACHMENT_TIME_FACTOR
                            return await _read_whole(response, body_limit, hops, deadline, seconds)
                        return await _read(response, method, body_limit, any_type, hops)
                    current = url
                    if len(hops) >= self.policy.max_redirects:
                        refused: tuple[Outcome, str] | None = (
                            Outcome.REDIRECT_ERROR,
                            f"重定向超过 {self.policy.max_redirects} 次（过多或循环）",
                        )
                    else:
                        url, refused = await self._redirect_target(current, response.headers["location"])
                    if refused is not None:
                        status, answer_headers = response.status_code, response.headers
                        return _Answer(status, answer_headers, current, tuple(hops), b"", False, refused)
                    hops.append(current)
                    await _drain(response)
                finally:
                    await response.aclose()
                method, content, headers = _redirect_method(response.status_code, method, content, headers)
                request = client.build_request(method, url, content=content, headers=headers)

    async def _redirect_target(self, current: str, location: str) -> tuple[str, tuple[Outcome, str] | None]:
        """Where a redirect leads, or why it is not followed."""
        location = location.strip()
        if location[:6].lower().startswith(("http:", "https:")) and not _has_host(location):
            # "http:///x", "http:/x": RFC 9110 §4.2.1 requires a host; such a URI "MUST be
            # rejected as invalid". (httpx put the current host and port 80 in; a browser would
            # read "http:///x" as http://x/, a name worth no DNS query.)
            return current, (Outcome.INVALID_URL, f"重定向目标地址无效：{location[:200]!r}")
        target = resolve(current, location)
        if target is None:
            return current, (Outcome.INVALID_URL, f"重定向目标地址无效：{location[:200]!r}")
        if self.policy.block_private:
            parts = urlsplit(target)
            name = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
            if name != urlsplit(current).hostname and await self._is_private_name(name, port):
                # A redirect within one host reaches nothing new; anything else into a private
                # network is the server pointing the auditor at machines the public cannot see.
                return current, (
                    Outcome.REDIRECT_ERROR,
                    f"重定向到内网地址 {target[:200]}，未跟随（内网门户可设置 scope.allow_private = true）",
                )
        return target, None

    async def _is_private_name(self, host: str, port: int) -> bool:
        private = literal_host_is_private(host)
        if private is not None:
            return private
        cached = self._private_names.get(host)
        if cached is not None:
            return cached
        # A name is looked up once (per fetcher) before the redirect is followed; a failing
        # lookup raises socket.gaierror, reported as a DNS error like httpx would.
        addresses = await self.resolver(host, port)
        private = any(is_private_address(ipaddress.ip_address(a.partition("%")[0])) for a in addresses)
        if len(self._private_names) >= _NAME_CACHE:
            self._private_names.clear()
        self._private_names[host] = private
        return private


def _has_host(absolute: str) -> bool:
    try:
        return bool(urlsplit(absolute.replace("\\", "/")).hostname)
    except ValueError:  # unbalanced or bad [IPv6] brackets
        return False


def _unrequestable(url: httpx2.URL) -> str:
    """Why httpx must not be given ``url`` (empty host, port out of range), or ""."""
    port = url.port
    if not url.raw_host:
        return "链接地址无效：没有主机名"
    if port is not None and not 0 < port <= 65535:
        return f"链接地址无效：端口 {port} 超出范围"
    return ""


def _redirect_method(
    status: int, method: str, content: bytes | None, headers: dict[str, str] | None
) -> tuple[str, bytes | None, dict[str, str] | None]:
    """The next request's method and body, as browsers (and httpx) do it."""
    if method == "HEAD" or status in (307, 308) or (status == 301 and method != "POST"):
        return method, content, headers
    return "GET", None, None  # 303, 302 (browsers, despite RFC 9110) and POST after 301


async def _drain(response: httpx2.Response) -> None:
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > _REDIRECT_BODY:
            break


async def _read(
    response: httpx2.Response, method: str, body_limit: int, any_type: bool, hops: list[str]
) -> _Answer:
    content_type = response.headers.get("content-type", "")
    limit = body_limit if any_type or is_html(content_type) else 0
    if response.status_code >= 400:
        limit = max(limit, _ERROR_BODY) if method != "HEAD" else 0
    chunks: list[bytes] = []
    size = 0
    truncated = False
    if limit:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                truncated = size > limit
                break
    body = b"".join(chunks)[:limit] if chunks else b""
    return _Answer(
        status=response.status_code,
        headers=response.headers,
        final_url=str(response.url),
        redirects=tuple(hops),
        body=body,
        truncated=truncated,
    )


async def _read_whole(
    response: httpx2.Response,
    limit: int,
    hops: list[str],
    deadline: asyncio.Timeout,
    seconds: float,
) -> _Answer:
    """An attachment's whole body, or none when it is over ``limit`` bytes (Content-Length says
    so before any is read) or has not arrived ``seconds`` after its headers. The answer's status
    stands whatever happens to its body: a body that stalls or breaks off is said in ``cut``,
    never turned into a failed request (it would be a dead link that works in a browser)."""
    answer = _Answer(response.status_code, response.headers, str(response.url), tuple(hops), b"", False)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        answer.truncated, answer.cut = True, BODY_TOO_LARGE
        return answer
    deadline.reschedule(None)  # the body has its own deadline, below
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    answer.truncated, answer.cut = True, BODY_TOO_LARGE
                    return answer
                chunks.append(chunk)
    except (TimeoutError, httpx2.TimeoutException):
        answer.truncated, answer.cut = True, BODY_TIMED_OUT
        return answer
    except httpx2.RequestError as exc:  # reset mid-body, bad gzip: the answer was 200 all the same
        answer.truncated, answer.cut = True, f"{BODY_BROKEN}: {type(exc).__name__}"
        return answer
    answer.body = b"".join(chunks)
    return answer


def _ms(clock: Clock, started: float) -> int:
    return int((clock() - started) * 1000)
