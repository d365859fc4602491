"""Requests sitecheck must not make, against hostile servers on loopback (issue 10, part 4).

Every test here runs under ``loopback_only``: an audit hook that records each connection and
name lookup the process attempts and vetoes (before any packet leaves) anything that is not a
loopback address. A redirect to 10.0.0.1 that the code wrongly followed therefore fails the
test instead of reaching a real network.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx2
import pytest

from scripted_server import Reply, ScriptedServer
from sitecheck.config import AuditConfig, NotifySection, config_from_mapping
from sitecheck.fetch.client import Fetcher, FetchPolicy, Resolver, build_client
from sitecheck.fetch.outcome import outcome_for_exception
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.fetch.robots import RobotsPolicy, on_origin
from sitecheck.models import FetchResult, Outcome
from sitecheck.service.notify import Notification, Notifier, RetryPolicy

T = TypeVar("T")
PUBLIC_PORTAL = "http://www.example.gov.cn/"

# --- the network guard ---------------------------------------------------------------------

_GUARD: dict[str, Any] = {"active": False, "seen": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _GUARD["active"] or event not in ("socket.connect", "socket.getaddrinfo"):
        return
    if event == "socket.connect":
        address = args[1]
        if not isinstance(address, tuple):
            return  # a Unix socket
        host, port = address[0], address[1]
    else:
        host, port = args[0], args[1]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    _GUARD["seen"].append((event, str(host), port))
    try:
        loopback = ipaddress.ip_address(str(host).partition("%")[0]).is_loopback
    except ValueError:
        loopback = False  # a name: these tests never need DNS
    if not loopback:
        raise PermissionError(f"test network guard: {event} to {host!r} refused")


_hook_installed = False


@pytest.fixture
def loopback_only() -> Iterator[list[tuple[str, str, Any]]]:
    """What the process tried to reach during the test; only loopback addresses get through."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # cannot be removed; inert while the guard is inactive
        _hook_installed = True
    _GUARD["seen"] = []
    _GUARD["active"] = True
    try:
        yield _GUARD["seen"]
    finally:
        _GUARD["active"] = False


def _connects(seen: list[tuple[str, str, Any]]) -> set[tuple[str, Any]]:
    return {(host, port) for event, host, port in seen if event == "socket.connect"}


# --- raw servers ---------------------------------------------------------------------------


class RawServer:
    """A TCP server on a loopback address whose handler writes whatever it likes."""

    def __init__(self, handler: Callable[[socket.socket], None], host: str = "127.0.0.1") -> None:
        self.handler = handler
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen()
        self.port = int(self.sock.getsockname()[1])
        self.base_url = f"http://{host}:{self.port}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client gave up: what these tests expect
            self.handler(conn)

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _http(payload: bytes) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        _read_head(conn)
        conn.sendall(payload)

    return handler


def _drip(head: bytes, then: bytes, every: float = 0.1) -> Callable[[socket.socket], None]:
    """Send ``head`` a byte at a time, then ``then`` a byte at a time, forever (slowloris)."""

    def handler(conn: socket.socket) -> None:
        _read_head(conn)
        for byte in head:
            conn.sendall(bytes([byte]))
            time.sleep(every)
        while True:
            for byte in then:
                conn.sendall(bytes([byte]))
                time.sleep(every)

    return handler


_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 22\r\n\r\n<html><p>ok</p></html>"


# --- fetching ------------------------------------------------------------------------------


def run_fetcher(
    action: Callable[[Fetcher], Awaitable[T]],
    *,
    start_url: str = PUBLIC_PORTAL,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    **fetch: object,
) -> T:
    config = AuditConfig().replace("site", start_url=start_url).replace("scope", allow_private=allow_private)
    config = config.replace("politeness", min_interval=0.0)
    config = config.replace("fetch", **({"timeout": 2.0, "retries": 0, "backoff": 0.05} | fetch))

    async def main() -> T:
        async with build_client(config) as client:
            policy = FetchPolicy.from_config(config)
            return await action(Fetcher(client, policy, HostLimiter(4, 0.0), resolver=resolver))

    return asyncio.run(main())


def _redirect(location: str, status: int = 302) -> list[Reply]:
    return [Reply(status, b"", {"Location": location})]


def test_public_portal_is_decided_from_the_start_host_and_the_flag() -> None:
    def blocks(start_url: str, allow: bool = False) -> bool:
        config = AuditConfig().replace("site", start_url=start_url).replace("scope", allow_private=allow)
        return FetchPolicy.from_config(config).block_private

    assert blocks("https://www.example.gov.cn/")
    assert not blocks("https://www.example.gov.cn/", allow=True)
    # The demo and the test portals run on loopback: their own network is allowed.
    assert not blocks("http://127.0.0.1:8080/") and not blocks("http://127.0.0.2/")
    assert not blocks("http://10.1.2.3/") and not blocks("http://localhost:8000/")
    parsed = config_from_mapping({"site": {"start_url": PUBLIC_PORTAL}, "scope": {"allow_private": True}})
    assert parsed.scope.allow_private and not FetchPolicy.from_config(parsed).block_private


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/admin",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::1]:{other}/secret",
        "http://[::ffff:127.0.0.2]:{other}/secret",
        "http://0:{other}/secret",
        "http://2130706433:{port}/secret",  # 127.0.0.1 spelt as one number
        "http://0x7f.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://intranet.localhost:{port}/secret",
        "http://127.0.0.2:{other}/secret",
        "//127.0.0.2:{other}/secret",
    ],
)
def test_redirect_into_a_private_network_is_not_followed_from_a_public_portal(
    location: str, loopback_only: list[tuple[str, str, Any]]
) -> None:
    with RawServer(_http(_OK), host="127.0.0.2") as other, ScriptedServer({}) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        server.routes["/go"] = _redirect(location.format(port=port, other=other.port))
        result = run_fetcher(lambda f: f.page(server.base_url + "/go"))
        assert result.outcome is Outcome.REDIRECT_ERROR and result.outcome.is_dead, result
        assert "内网地址" in result.error and "未跟随" in result.error
        assert result.status == 302 and result.final_url == server.base_url + "/go"
        assert server.count("/secret") == 0 and other.connections == 0
        assert _connects(loopback_only) == {("127.0.0.1", port)}


def test_private_redirects_are_followed_for_a_loopback_portal_or_when_allowed(
    loopback_only: list[tuple[str, str, Any]],
) -> None:
    with RawServer(_http(_OK), host="127.0.0.2") as other, ScriptedServer({}) as server:
        server.routes["/go"] = _redirect(f"{other.base_url}/landing")
        for start_url, allow in ((server.base_url + "/", False), (PUBLIC_PORTAL, True)):
            result = run_fetcher(
                lambda f: f.page(server.base_url + "/go"), start_url=start_url, allow_private=allow
            )
            assert result.outcome is Outcome.OK, result
            assert result.final_url == f"{other.base_url}/landing"
            assert result.redirects == (server.base_url + "/go",)
        assert other.connections == 2


def test_redirects_within_the_host_are_followed_from_a_public_portal(
    loopback_only: list[tuple[str, str, Any]],
) -> None:
    with ScriptedServer({}) as server:
        server.routes["/a"] = _redirect("/b", 301)
        server.routes["/b"] = _redirect(server.base_url + "/c", 307)
        server.routes["/c"] = [Reply(200)]
        result = run_fetcher(lambda f: f.page(server.base_url + "/a"))
        assert result.outcome is Outcome.OK and result.final_url == server.base_url + "/c"
        assert result.redirects == (server.base_url + "/a", server.base_url + "/b")
        assert result.body is not None and b"ok" in result.body


def test_redirect_loops_stop_at_max_redirects() -> None:
    with ScriptedServer({"/a": _redirect("/b"), "/b": _redirect("/a")}) as server:
        result = run_fetcher(lambda f: f.page(server.base_url + "/a"), max_redirects=3)
        assert result.outcome is Outcome.REDIRECT_ERROR and len(result.redirects) == 3
        assert server.count("/a") + server.count("/b") == 4  # the first request and 3 redirects


def test_a_redirect_changes_post_to_get_like_a_browser() -> None:
    # The scripted server answers GET and HEAD only: the POST after a 302 must have become a GET.
    routes = {"/form": _redirect("/done"), "/done": [Reply(200)]}
    with ScriptedServer(routes) as server:
        result = run_fetcher(lambda f: f.page(server.base_url + "/form"))
        assert result.outcome is Outcome.OK and server.count("/done", "GET") == 1


def test_a_name_that_resolves_into_a_private_network_is_not_followed(
    loopback_only: list[tuple[str, str, Any]],
) -> None:
    lookups: list[tuple[str, int]] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append((host, port))
        if host == "oa.example.gov.cn":
            return ["203.119.1.1", "10.3.0.8"]  # one private address is enough
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with ScriptedServer({}) as server:
        server.routes["/oa"] = _redirect("http://oa.example.gov.cn:8080/login")
        server.routes["/gone"] = _redirect("https://gone.example.gov.cn/")

        async def both(fetcher: Fetcher) -> list[FetchResult]:
            return [await fetcher.page(server.base_url + "/oa") for _ in range(2)] + [
                await fetcher.page(server.base_url + "/gone")
            ]

        first, again, gone = run_fetcher(both, resolver=resolver)
        assert first.outcome is again.outcome is Outcome.REDIRECT_ERROR
        assert "oa.example.gov.cn" in first.error
        assert gone.outcome is Outcome.DNS_ERROR
        assert lookups == [("oa.example.gov.cn", 8080), ("gone.example.gov.cn", 443)]  # cached per name
    # Neither name reached the system resolver or a socket.
    assert {host for _, host, _ in loopback_only} == {"127.0.0.1"}


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:99999/x",
        "http://127.0.0.1:0/x",
        "http:///x",
        "http:/x",
        "http://:{port}/x",
        "ftp://a/",
    ],
)
def test_redirect_to_a_bad_port_or_no_host_is_an_invalid_url(
    location: str, loopback_only: list[tuple[str, str, Any]]
) -> None:
    with ScriptedServer({}) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        server.routes["/go"] = _redirect(location.format(port=port))
        result = run_fetcher(lambda f: f.page(server.base_url + "/go"))
        assert result.outcome is Outcome.INVALID_URL, result
        # Port 99999 used to wrap round to 34463, "http:///x" to go to port 80.
        assert _connects(loopback_only) == {("127.0.0.1", port)} and len(server.hits) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/", "http://127.0.0.1:0/", "http://:8080/"])
def test_a_link_with_a_bad_port_or_no_host_is_never_requested(
    url: str, loopback_only: list[tuple[str, str, Any]]
) -> None:
    # The engine requests sitemap <loc>s and pager URLs as written: the fetcher checks them too.
    result = run_fetcher(lambda f: f.probe(url, head_first=True))
    assert result.outcome is Outcome.INVALID_URL and result.status is None
    assert loopback_only == []


# --- outcomes come from exception types, not from what the server wrote ---------------------


@pytest.mark.parametrize(
    "payload",
    [
        b"HTTP/1.1 200 OK\r\nSSL certificate verify failed\r\n\r\n",
        b"SSL: CERTIFICATE_VERIFY_FAILED tls handshake\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nName or service not known getaddrinfo\r\n\r\n",
    ],
)
def test_server_text_never_makes_a_tls_or_dns_error(payload: bytes) -> None:
    with RawServer(_http(payload)) as server:
        result = run_fetcher(lambda f: f.page(server.base_url + "/"))
        assert result.outcome is Outcome.CONNECTION_ERROR, result


def test_exception_types_decide_the_outcome() -> None:
    quoted = httpx2.RemoteProtocolError("illegal header line: bytearray(b'SSL certificate has expired')")
    assert outcome_for_exception(quoted)[0] is Outcome.CONNECTION_ERROR
    dns_text = httpx2.ConnectError("nodename nor servname provided: getaddrinfo")
    assert outcome_for_exception(dns_text)[0] is Outcome.CONNECTION_ERROR
    tls = httpx2.ConnectError("x")
    tls.__cause__ = ssl.SSLCertVerificationError("unable to get local issuer")
    assert outcome_for_exception(tls)[0] is Outcome.TLS_ERROR
    dns = httpx2.ConnectError("x")
    dns.__context__ = socket.gaierror(socket.EAI_NONAME, "no such name")
    assert outcome_for_exception(dns)[0] is Outcome.DNS_ERROR
    assert outcome_for_exception(httpx2.ReadTimeout("SSL"))[0] is Outcome.TIMEOUT
    assert outcome_for_exception(httpx2.InvalidURL("certificate"))[0] is Outcome.INVALID_URL


# --- slowloris: the timeout bounds the whole request ---------------------------------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("head", "then"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n", b"1\r\nx\r\n"),
        (b"", b"HTTP/1.1 200 OK\r\nX-Pad: "),  # the headers themselves never end
    ],
)
def test_a_server_dripping_bytes_is_cut_off_at_the_timeout(head: bytes, then: bytes) -> None:
    with RawServer(_drip(head, then, every=0.05)) as server:
        result = run_fetcher(lambda f: f.page(server.base_url + "/"), timeout=1.0)
        # Cut off, once: a timeout per read would never fire (a byte every 0.05 s), and the
        # drip never ends, so without the whole-request bound the test times out instead.
        assert result.outcome is Outcome.TIMEOUT and result.attempts == 1, result


@pytest.mark.timeout(30)
def test_the_timeout_covers_the_whole_redirect_chain() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    with RawServer(_drip(head, b"1\r\nx\r\n", every=0.05)) as slow, ScriptedServer({}) as server:
        server.routes["/go"] = _redirect(slow.base_url + "/")
        result = run_fetcher(
            lambda f: f.page(server.base_url + "/go"), start_url=server.base_url, timeout=1.0
        )
        assert result.outcome is Outcome.TIMEOUT, result


# --- robots.txt Sitemap lines ----------------------------------------------------------------


def test_robots_sitemaps_are_limited_to_the_portal(loopback_only: list[tuple[str, str, Any]]) -> None:
    with ScriptedServer({}) as server:
        own = f"{server.base_url}/sitemap.xml"
        lines = [
            own,
            "http://127.0.0.1:1/sitemap.xml",  # another port
            "http://127.0.0.2/sitemap.xml",  # another host
            "http://10.0.0.1/sitemap.xml",
            "https://127.0.0.1/sitemap.xml",  # another scheme and port
        ]
        robots = "User-agent: *\nDisallow:\n" + "".join(f"Sitemap: {line}\n" for line in lines)
        server.routes["/robots.txt"] = [Reply(200, robots.encode(), {"Content-Type": "text/plain"})]

        async def sitemaps(fetcher: Fetcher) -> tuple[list[str], list[str]]:
            policy = RobotsPolicy(fetcher, "sitecheck")
            await policy.allowed(server.base_url + "/")
            return policy.sitemaps(server.base_url), policy.sitemaps(
                server.base_url, allowed=lambda url: url.startswith("http://127.0.0.2/")
            )

        plain, extended = run_fetcher(sitemaps, start_url=server.base_url)
        assert plain == [own]
        assert extended == [own, "http://127.0.0.2/sitemap.xml"]
        assert server.count("/robots.txt") == 1


def test_on_origin_allows_the_same_host_over_http_and_https() -> None:
    assert on_origin("https://www.gov.cn/sitemap.xml", "http://www.gov.cn")
    assert on_origin("http://WWW.GOV.CN:80/a.xml", "http://www.gov.cn")
    assert on_origin("https://gov.cn/a.xml", "http://www.gov.cn")
    assert not on_origin("https://www.gov.cn:8443/a.xml", "http://www.gov.cn")
    assert not on_origin("http://www.gov.cn.evil.example/a.xml", "http://www.gov.cn")
    assert not on_origin("http://www.gov.cn:99999/a.xml", "http://www.gov.cn")
    assert not on_origin("ftp://www.gov.cn/a.xml", "http://www.gov.cn")


# --- notifications: one deadline per attempt -------------------------------------------------

_MESSAGE = Notification(
    "home_down", "示例", "http://a/", "首页无法访问", ("line",), "2026-11-27T00:00:00+00:00"
)


def _notify(settings: NotifySection) -> list[Any]:
    """Two attempts of at most 1 s each. Run in a thread: without a deadline an SMTP attempt
    blocks a worker thread that asyncio.run would wait for forever, past any pytest timeout."""
    notifier = Notifier(settings, RetryPolicy(attempts=2, first_delay=0.01, factor=1, timeout=1.0))
    deliveries: list[Any] = []
    thread = threading.Thread(
        target=lambda: deliveries.extend(asyncio.run(notifier.send(_MESSAGE))), daemon=True
    )
    thread.start()
    thread.join(20.0)  # generous: the attempts end after about 2 s
    assert not thread.is_alive(), "a notification attempt outlived its deadline"
    return deliveries


@pytest.mark.timeout(30)
def test_a_webhook_dripping_its_answer_is_cut_off_per_attempt() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    with RawServer(_drip(head, b"1\r\nx\r\n", every=0.05)) as receiver:
        (delivery,) = _notify(NotifySection(webhook_url=receiver.base_url + "/hook"))
        assert not delivery.ok and delivery.attempts == 2 and "超时" in delivery.error
        assert receiver.connections == 2


@pytest.mark.timeout(30)
def test_an_smtp_server_dripping_its_greeting_is_cut_off_per_attempt() -> None:
    def greeting(conn: socket.socket) -> None:
        while True:  # an endless multi-line greeting, one byte at a time
            for byte in b"220-sitecheck slowloris\r\n":
                conn.sendall(bytes([byte]))
                time.sleep(0.05)

    with RawServer(greeting) as server:
        settings = NotifySection(
            email_to=("webmaster@example.gov.cn",),
            email_from="sitecheck@example.gov.cn",
            smtp_host="127.0.0.1",
            smtp_port=server.port,
        )
        (delivery,) = _notify(settings)
        assert not delivery.ok and delivery.attempts == 2 and "超时" in delivery.error


def test_an_smtp_server_refusing_the_greeting_is_an_error_not_a_hang() -> None:
    with RawServer(lambda conn: conn.sendall(b"554 no service\r\n")) as server:
        settings = NotifySection(
            email_to=("webmaster@example.gov.cn",),
            email_from="sitecheck@example.gov.cn",
            smtp_host="127.0.0.1",
            smtp_port=server.port,
        )
        (delivery,) = _notify(settings)
        assert not delivery.ok and "SMTPConnectError" in delivery.error
