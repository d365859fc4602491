"""aiohttp underneath the httpx API: an :class:`httpx2.AsyncBaseTransport` on one ClientSession.

The crawler keeps everything httpx gives it (``AsyncClient``, event hooks, ``client.stream``,
cookies, Content-Encoding decoding, the exception classes) and only the HTTP/1.1 connection work
moves to aiohttp, whose C parser costs several times less CPU per request than httpcore's
(README, "Dependencies and why"; ``bench/microbench_http.py``). The division of labour:

* httpx builds the request (headers, cookies, Host, Accept-Encoding) and reads the answer
  (cookies, decoding gzip/deflate once: the session has ``auto_decompress=False``);
* aiohttp connects, sends exactly those headers (it adds none of its own: ``skip_auto_headers``)
  to exactly that URL (``yarl.URL(..., encoded=True)``: a Chinese or percent-encoded path goes
  out byte for byte as httpx would send it), pools connections (keep-alive), parses the answer
  and streams its body. It follows no redirects and keeps no cookies (``DummyCookieJar``: httpx
  has the one cookie jar), reads no proxy settings from the environment (``trust_env=False``),
  and verifies certificates with the context httpx would build (``httpx2.create_ssl_context``);
* every aiohttp failure becomes the httpx exception httpx's own transport raises for it, with
  the request attached and the original exception chained, so that
  :func:`sitecheck.fetch.outcome.outcome_for_exception` still finds a refused connection, a DNS
  failure (``socket.gaierror``) or a certificate error in the cause chain.

Differences from httpx's own transport that remain: HTTP/1.1 only (httpx's is too, unless asked
for HTTP/2); no write timeout (aiohttp has none; requests here are a few hundred bytes); a pool
timeout is reported as ``ConnectTimeout`` (aiohttp times the wait for a slot and the connect
together); host names are cached for 10 s (aiohttp's DNS cache; httpcore asks the system every
time); a request header value that is not UTF-8 goes out re-encoded (httpx sends the bytes it
was given; sitecheck's headers are ASCII).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx2
from yarl import URL

__all__ = ["AiohttpTransport"]

_CHUNK = 64 * 1024  # what httpcore reads at a time
# Header limits close to httpcore's (h11 with a 100 KiB header block): aiohttp's defaults
# (8 KiB a line) would turn a long Set-Cookie or Location that httpx accepts into an error.
_MAX_LINE = 100 * 1024
_MAX_HEADERS = 256
# Headers aiohttp would otherwise add when httpx did not send them (Content-Type for a body
# most notably): the request on the wire is the one httpx built.
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
_TimeoutKey = tuple[float | None, float | None, float | None]


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """Sends httpx requests over one aiohttp ClientSession (created on the first request, on the
    running loop)."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx2.Limits | None = None,
    ) -> None:
        limits = limits or httpx2.Limits()
        # The context httpx itself would use: the system's CA store, no SSL_CERT_* overrides
        # (trust_env=False, like the client), or no verification at all for verify=False.
        self._ssl = httpx2.create_ssl_context(verify=verify, trust_env=False)
        self._limit = limits.max_connections or 0  # aiohttp: 0 means no limit
        expiry = limits.keepalive_expiry
        self._keepalive = 3600.0 if expiry is None else float(expiry)
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[_TimeoutKey, aiohttp.ClientTimeout] = {}
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the transport has been closed")
        connector = aiohttp.TCPConnector(
            limit=self._limit,
            limit_per_host=0,  # per-host limits are the HostLimiter's business, as with httpx
            keepalive_timeout=self._keepalive,
            ssl=self._ssl,
            # The system resolver in a thread, as httpcore does, whether or not aiodns happens to
            # be installed: a failed lookup stays a socket.gaierror (a DNS error outcome).
            resolver=aiohttp.ThreadedResolver(),
        )
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            auto_decompress=False,
            trust_env=False,
            requote_redirect_url=False,
            timeout=aiohttp.ClientTimeout(total=None),
            max_line_size=_MAX_LINE,
            max_field_size=_MAX_LINE,
            max_headers=_MAX_HEADERS,
        )
        if hasattr(session, "_retry_connection"):
            # aiohttp sends a GET/HEAD a second time, silently, after any disconnect or reset
            # (even on a fresh connection); httpx never does. Retries are the Fetcher's: counted
            # in ``attempts``, spaced by the back-off, none with ``retries = 0``, and seen by
            # the adaptive politeness. (A private switch, the one aiohttp's own test client
            # uses; test_a_reset_before_the_answer_is_retried_by_the_fetcher_only pins it.)
            session._retry_connection = False
        self._session = session
        return session

    def _timeout(self, request: httpx2.Request) -> aiohttp.ClientTimeout:
        given: dict[str, float | None] = request.extensions.get("timeout") or {}
        key = (given.get("connect"), given.get("read"), given.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read, pool = key
            # aiohttp's ``connect`` covers the wait for a pool slot and the connect itself;
            # ``sock_connect`` the connect alone; ``sock_read`` each read (httpx's read timeout).
            whole = None if pool is None or connect is None else pool + connect
            timeout = aiohttp.ClientTimeout(total=None, connect=whole, sock_connect=connect, sock_read=read)
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self._session or self._open()
        data: Any
        # The names as httpx spelt them ("User-Agent", not "user-agent": some firewalls take
        # lower-case names for a bot), in httpx's order, repeated names kept apart.
        headers = [(name.decode("ascii"), _text(value)) for name, value in request.headers.raw]
        try:
            data = request.content or None
        except httpx2.RequestNotRead:
            data = _body(request.stream)
            # aiohttp sets the framing of a streamed body itself (chunked).
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=self._timeout(request),
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _mapped(exc, request) from exc
        extensions: dict[str, Any] = {
            "http_version": b"HTTP/1.0" if response.version == aiohttp.HttpVersion10 else b"HTTP/1.1",
        }
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("ascii", "replace")
        return httpx2.Response(
            status_code=response.status,
            headers=list(response.raw_headers),  # as received: repeated Set-Cookie lines stay apart
            stream=_ResponseStream(response, request),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class _ResponseStream(httpx2.AsyncByteStream):
    """The body of an aiohttp response, read as httpx reads one; closing gives the connection back
    (a body read to its end) or closes it (a body cut off at a cap: the rest is never read)."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx2.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _mapped(exc, self._request) from exc

    async def aclose(self) -> None:
        response = self._response
        if response.content.is_eof():
            response.release()  # the whole body was read: the connection is kept alive
        else:
            response.close()


def _text(value: bytes) -> str:
    """A header value for aiohttp, which sends str values as UTF-8: ASCII and UTF-8 bytes go out
    unchanged; other bytes (which httpx would send as they are) as their Latin-1 reading."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


async def _body(stream: httpx2.SyncByteStream | httpx2.AsyncByteStream) -> AsyncIterator[bytes]:
    if isinstance(stream, httpx2.AsyncByteStream):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


def _mapped(exc: BaseException, request: httpx2.Request) -> httpx2.TransportError:
    """The httpx exception httpx's own transport raises for what ``exc`` says happened."""
    message = str(exc) or type(exc).__name__
    kind: type[httpx2.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx2.ConnectTimeout
    elif isinstance(exc, aiohttp.SocketTimeoutError):
        kind = httpx2.ReadTimeout
    elif isinstance(exc, TimeoutError):
        kind = httpx2.TimeoutException
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx2.ConnectError  # refused, DNS, TLS: the chained cause tells them apart
    elif isinstance(exc, aiohttp.NonHttpUrlClientError | aiohttp.InvalidURL):
        kind = httpx2.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        kind = httpx2.RemoteProtocolError  # closed before an answer, or an answer httpx would not parse
    elif isinstance(exc, aiohttp.ClientPayloadError):
        # A body cut short: by a reset (httpx: ReadError) or a close before Content-Length.
        kind = httpx2.ReadError if _caused_by_os_error(exc) else httpx2.RemoteProtocolError
    elif isinstance(exc, aiohttp.ClientConnectionError | OSError):
        kind = httpx2.ReadError
    else:
        kind = httpx2.TransportError
    return kind(message, request=request)


def _caused_by_os_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc.__cause__ or exc.__context__
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return True
        current = current.__cause__ or current.__context__
    return False
