"""Certificates and transport of the portal's own HTTPS hosts: one probe per host and port.

A probe shakes hands twice at most. First as a browser would, with the crawler's own trust
(the system's store, plus ``[fetch] ca_bundle``) and the host name checked: that says whether
the chain verifies and, if not, OpenSSL's reason (expired, self-signed, an issuer it cannot find
— usually an intermediate the server does not send —, a name mismatch). When that fails, a second
handshake without verification still reads the certificate, so an expired or misnamed one is
reported with its dates, names and issuer. The certificate is parsed with ``cryptography`` from
its DER bytes (``getpeercert()`` gives nothing once verification is off). Then the host's plain
``http://`` home page is requested without following redirects into the crawl: does it send the
visitor to ``https://`` (a 3xx, or a meta refresh / script on a page that answers 200)?

Everything observed is a value (:class:`TransportFacts`, outcomes as enums); a probe never raises
but for cancellation, and has a deadline, so it can run beside the crawl (:class:`HostProbes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import re
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urljoin, urlsplit

import httpx2

from sitecheck.models import HttpsRedirect, TlsOutcome, TransportFacts

__all__ = ["Endpoint", "HostProbes", "name_matches", "probe", "trust_context"]

# OpenSSL's X509_V_ERR_* codes (x509_vfy.h) and what they mean for a visitor.
_VERIFY_CODES: dict[int, TlsOutcome] = {
    9: TlsOutcome.NOT_YET_VALID,  # X509_V_ERR_CERT_NOT_YET_VALID
    10: TlsOutcome.EXPIRED,  # X509_V_ERR_CERT_HAS_EXPIRED
    18: TlsOutcome.SELF_SIGNED,  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    19: TlsOutcome.SELF_SIGNED,  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    2: TlsOutcome.UNKNOWN_ISSUER,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
    20: TlsOutcome.UNKNOWN_ISSUER,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: TlsOutcome.UNKNOWN_ISSUER,  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
    62: TlsOutcome.HOSTNAME_MISMATCH,  # X509_V_ERR_HOSTNAME_MISMATCH
    64: TlsOutcome.HOSTNAME_MISMATCH,  # X509_V_ERR_IP_ADDRESS_MISMATCH
}
_MAX_HOPS = 5  # plain-http redirects followed before giving up on reaching https
_MAX_ENDPOINTS = 50  # a portal of many subdomains: the first ones found are probed
_CONCURRENCY = 4
_PAGE_PEEK = 64 * 1024  # a 200 page's head, read for a meta refresh or script that goes to https
# <meta http-equiv="refresh" content="0;url=https://…">, location.href = "https://…",
# location.replace("https://…"): the page sends the visitor to https itself.
_PAGE_TO_HTTPS = re.compile(
    rb"""(?:http-equiv\s*=\s*["']?refresh[^>]*?url\s*=\s*["']?"""
    rb"""|location(?:\.href)?\s*=\s*["']|location\.(?:replace|assign)\s*\(\s*["'])\s*https://""",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One HTTPS host and port to probe, and the plain-http page that should lead to it."""

    host: str
    port: int
    http_url: str  # "" when no http counterpart is known (an https port other than 443)
    crawled: bool  # the portal's pages were read over https here (not only a guess at 443)


def trust_context(verify: bool, ca_bundle: str = "") -> ssl.SSLContext:
    """The trust the crawler uses: the system's store (as httpx builds it, no SSL_CERT_*
    overrides), plus a private CA bundle (an intranet portal's own CA) when one is given."""
    context = httpx2.create_ssl_context(verify=verify, trust_env=False)
    if verify and ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def _reader_context() -> ssl.SSLContext:
    """No verification at all, and old protocols allowed: only to read what the server shows."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with contextlib.suppress(ValueError, ssl.SSLError):
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.set_ciphers("ALL:@SECLEVEL=0")
    return context


async def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> tuple[bytes, str]:
    """The server's certificate (DER) and the negotiated protocol version."""
    _, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=context, server_hostname=host, ssl_handshake_timeout=timeout),
        timeout,
    )
    try:
        tls = writer.get_extra_info("ssl_object")
        der = tls.getpeercert(binary_form=True) or b""
        return der, str(tls.version() or "")
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1.0)


def name_matches(host: str, names: Iterable[str]) -> bool:
    """Does a certificate for ``names`` cover ``host``? As browsers match (RFC 6125): exact names,
    a wildcard only as the whole leftmost label and for one label, IP addresses only exactly."""
    host = host.lower().rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    for name in names:
        name = name.lower().rstrip(".")
        if address is not None:
            with contextlib.suppress(ValueError):
                if ipaddress.ip_address(name) == address:
                    return True
            continue
        if name == host:
            return True
        if name.startswith("*.") and "." in host:
            label, rest = host.split(".", 1)
            if label and rest == name[2:] and "*" not in rest:
                return True
    return False


@dataclass(frozen=True, slots=True)
class _Certificate:
    not_before: str
    not_after: str
    subject: str
    names: tuple[str, ...]
    issuer: str


def _parse(der: bytes) -> _Certificate | None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None

    def first(name: x509.Name, *oids: x509.ObjectIdentifier) -> str:
        for oid in oids:
            values = name.get_attributes_for_oid(oid)
            if values:
                value = values[0].value
                return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return ""

    names: list[str] = []
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += san.get_values_for_type(x509.DNSName)
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    subject = first(cert.subject, NameOID.COMMON_NAME)
    return _Certificate(
        not_before=cert.not_valid_before_utc.astimezone(UTC).isoformat(timespec="seconds"),
        not_after=cert.not_valid_after_utc.astimezone(UTC).isoformat(timespec="seconds"),
        subject=subject,
        # No subjectAltName: OpenSSL (and the first handshake) falls back to the common name.
        names=tuple(names) or ((subject,) if subject else ()),
        issuer=first(cert.issuer, NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME),
    )


async def _tls(endpoint: Endpoint, trust: ssl.SSLContext, timeout: float) -> TransportFacts:
    host, port = endpoint.host, endpoint.port
    outcome, verify_error = TlsOutcome.OK, ""
    try:
        der, version = await _handshake(host, port, trust, timeout)
    except ssl.SSLCertVerificationError as exc:
        outcome = _VERIFY_CODES.get(exc.verify_code, TlsOutcome.UNVERIFIABLE)
        verify_error = exc.verify_message or str(exc)
        der, version = b"", ""
    except ssl.SSLError as exc:  # no common protocol or cipher, a broken server: read what it offers
        outcome, verify_error = TlsOutcome.HANDSHAKE_FAILED, exc.reason or str(exc)
        der, version = b"", ""
    except (OSError, TimeoutError) as exc:
        return TransportFacts(
            host, port, TlsOutcome.UNREACHABLE, error=_reason(exc), crawled=endpoint.crawled
        )
    if not der:
        try:
            der, version = await _handshake(host, port, _reader_context(), timeout)
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            if outcome is TlsOutcome.OK:
                outcome = TlsOutcome.HANDSHAKE_FAILED
            return TransportFacts(
                host, port, outcome, verify_error=verify_error, error=_reason(exc), crawled=endpoint.crawled
            )
    cert = _parse(der) if der else None
    if cert is None:
        return TransportFacts(host, port, outcome, verify_error, version, crawled=endpoint.crawled)
    return TransportFacts(
        host,
        port,
        outcome,
        verify_error=verify_error,
        tls_version=version,
        not_before=cert.not_before,
        not_after=cert.not_after,
        subject=cert.subject,
        names=cert.names,
        issuer=cert.issuer,
        hostname_matches=name_matches(host, cert.names),
        crawled=endpoint.crawled,
    )


async def _http_redirect(
    client: httpx2.AsyncClient, url: str, timeout: float
) -> tuple[HttpsRedirect, int | None, str, str]:
    """Where the plain-http page sends a visitor: (what it does, last status, last URL, error)."""
    current = url
    status: int | None = None
    for _ in range(_MAX_HOPS + 1):
        try:
            async with client.stream("GET", current, timeout=timeout) as response:
                status = response.status_code
                location = response.headers.get("location", "")
                head = b""
                if 200 <= status < 300:
                    async for chunk in response.aiter_bytes():
                        head += chunk
                        if len(head) >= _PAGE_PEEK:
                            break
        except httpx2.HTTPError as exc:
            # Nothing answers on http: the host serves https only, which is what is wanted.
            return HttpsRedirect.NOT_SERVED, status, current, _reason(exc)
        if 300 <= status < 400 and location:
            current = urljoin(current, location.strip())
            if current.lower().startswith("https://"):
                return HttpsRedirect.REDIRECTS, status, current, ""
            continue
        if _PAGE_TO_HTTPS.search(head[:_PAGE_PEEK]):
            return HttpsRedirect.REDIRECTS, status, current, ""
        return HttpsRedirect.NO_REDIRECT, status, current, ""
    return HttpsRedirect.NO_REDIRECT, status, current, "重定向次数过多"


async def probe(
    endpoint: Endpoint, trust: ssl.SSLContext, client: httpx2.AsyncClient | None, timeout: float
) -> TransportFacts:
    """Everything about one endpoint, within about ``3 × timeout``; never raises but cancellation."""
    try:
        async with asyncio.timeout(3 * timeout + 1):
            facts = await _tls(endpoint, trust, timeout)
            if client is None or not endpoint.http_url or facts.outcome is TlsOutcome.UNREACHABLE:
                return facts
            redirect, status, final, error = await _http_redirect(client, endpoint.http_url, timeout)
            return dataclasses.replace(
                facts,
                http_url=endpoint.http_url,
                http_redirect=redirect,
                http_status=status,
                http_final_url=final,
                error=facts.error or error,
            )
    except TimeoutError:
        return TransportFacts(
            endpoint.host, endpoint.port, TlsOutcome.UNREACHABLE, error="检查超时", crawled=endpoint.crawled
        )
    except Exception as exc:  # a bug must cost this probe, never the crawl beside it
        return TransportFacts(
            endpoint.host, endpoint.port, TlsOutcome.UNREACHABLE, error=_reason(exc), crawled=endpoint.crawled
        )


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        return None


def _http_home(host: str) -> str:
    return f"http://[{host}]/" if ":" in host else f"http://{host}/"


def start_endpoint(start_url: str) -> Endpoint | None:
    """What can be probed before the crawl: an https start URL's host; for an http start URL on
    the default port, the same host's port 443 (a portal may serve https without sending anyone
    there: the redirect check needs to know)."""
    parts = urlsplit(start_url)
    host, port = parts.hostname or "", _port(start_url)
    if not host:
        return None
    if parts.scheme == "https":
        port = port or 443
        return Endpoint(host, port, _http_home(host) if port == 443 else "", True)
    if parts.scheme == "http" and port in (None, 80):
        return Endpoint(host, 443, start_url, False)
    return None


def page_endpoints(start_url: str, page_urls: Iterable[str]) -> list[Endpoint]:
    """The https hosts and ports the crawl read pages from. Their http counterpart: the start URL
    when it is http on the same host name (that is the address people type), else ``http://host/``
    for port 443; none for another port (nothing says where its http would be)."""
    start = urlsplit(start_url)
    found: dict[tuple[str, int], Endpoint] = {}
    for url in page_urls:
        parts = urlsplit(url)
        host, port = parts.hostname or "", _port(url) or 443
        if parts.scheme != "https" or not host or (host, port) in found:
            continue
        if start.scheme == "http" and start.hostname == host:
            http_url = start_url
        elif port == 443:
            http_url = _http_home(host)
        else:
            http_url = ""
        found[(host, port)] = Endpoint(host, port, http_url, True)
        if len(found) >= _MAX_ENDPOINTS:
            break
    return list(found.values())


class HostProbes:
    """The probes of one crawl: the start host's at once, beside the crawl; the other https hosts
    the crawl read pages from when it is done. Only loopback or the portal's own hosts are ever
    contacted: the endpoints come from the start URL and the pages crawled in scope."""

    def __init__(self, trust: ssl.SSLContext, client: httpx2.AsyncClient | None, timeout: float) -> None:
        self._trust = trust
        self._client = client
        self._timeout = timeout
        self._early: asyncio.Task[TransportFacts] | None = None
        self._early_endpoint: Endpoint | None = None

    def begin(self, start_url: str) -> None:
        self._early_endpoint = start_endpoint(start_url)
        if self._early_endpoint is not None:
            self._early = asyncio.ensure_future(
                probe(self._early_endpoint, self._trust, self._client, self._timeout)
            )

    def cancel(self) -> None:
        if self._early is not None:
            self._early.cancel()

    async def finish(self, start_url: str, page_urls: Iterable[str]) -> list[TransportFacts]:
        """Every endpoint's facts: the early probe's, and the crawled hosts it did not cover."""
        facts: dict[tuple[str, int], TransportFacts] = {}
        if self._early is not None:
            early = await self._early
            facts[(early.host, early.port)] = early
        crawled = page_endpoints(start_url, page_urls)
        wanted = [e for e in crawled if (e.host, e.port) not in facts]
        # The guessed port 443 turned out to be where the pages were read: it was crawled too.
        for endpoint in crawled:
            known = facts.get((endpoint.host, endpoint.port))
            if known is not None and not known.crawled:
                facts[(endpoint.host, endpoint.port)] = dataclasses.replace(known, crawled=True)
        gate = asyncio.Semaphore(_CONCURRENCY)

        async def one(endpoint: Endpoint) -> TransportFacts:
            async with gate:
                return await probe(endpoint, self._trust, self._client, self._timeout)

        for result in await asyncio.gather(*(one(e) for e in wanted)):
            facts[(result.host, result.port)] = result
        return list(facts.values())
