"""The aiohttp transport under the httpx API (fetch/aiohttp_transport.py) against real servers
on 127.0.0.1: it must behave like httpx's own transport wherever the fetcher can tell.

Most tests run once per transport (``transport`` fixture) and assert the same thing of both;
some fetch with both and compare what the server or the fetcher saw.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2
import pytest
import trustme

from scripted_server import Reply, ScriptedServer
from sitecheck.config import AuditConfig, config_from_mapping
from sitecheck.errors import ConfigError
from sitecheck.fetch.aiohttp_transport import AiohttpTransport
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import Adaptive, HostLimiter
from sitecheck.judge.explain import explain
from sitecheck.models import FetchResult, Outcome

T = TypeVar("T")
TRANSPORTS = ("aiohttp", "httpx")


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- a raw HTTP/1.1 server that records every request byte for byte -------------------------


@dataclass
class Seen:
    connection: int  # the server's number for the TCP connection the request came on
    head: bytes  # request line and headers, as received
    body: bytes

    @property
    def target(self) -> bytes:
        return self.head.split(b"\r\n", 1)[0].split(b" ")[1]

    @property
    def method(self) -> bytes:
        return self.head.split(b" ", 1)[0]

    def headers(self) -> list[tuple[bytes, bytes]]:
        lines = self.head.split(b"\r\n")[1:]
        return [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(b":") for line in lines)]


# An answer: the bytes to send (the connection stays open for the next request), or a function
# that takes the connection over (and ends it).
Answer = bytes | Callable[[socket.socket], None]


def answer(
    status: int = 200,
    body: bytes = b"<html><body>ok</body></html>",
    headers: list[tuple[str, str]] | None = None,
    *,
    length: int | None = None,
) -> bytes:
    head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'X'}"]
    for name, value in headers if headers is not None else [("Content-Type", "text/html; charset=utf-8")]:
        head.append(f"{name}: {value}")
    head.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class RawServer:
    """Keep-alive HTTP/1.1 on 127.0.0.1; ``reply(seen)`` decides each answer."""

    def __init__(self, reply: Callable[[Seen], Answer]) -> None:
        self.reply = reply
        self.seen: list[Seen] = []
        self.connections = 0
        self.stopped = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, self.connections), daemon=True).start()

    def _handle(self, conn: socket.socket, number: int) -> None:
        buffer = b""
        with conn:
            try:
                while True:
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    seen = Seen(number, head, b"")
                    length = dict(seen.headers()).get(b"content-length")
                    while length and len(buffer) < int(length):
                        buffer += conn.recv(65536)
                    size = int(length or 0)
                    seen.body, buffer = buffer[:size], buffer[size:]
                    self.seen.append(seen)
                    reply = self.reply(seen)
                    if callable(reply):
                        reply(conn)
                        return
                    conn.sendall(reply)
            except OSError:
                return  # the client closed the connection: expected after a capped body

    def hang(self) -> None:
        """Never answer (until the server stops)."""
        self.stopped.wait(10)

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.sock.close()


# --- fetching ------------------------------------------------------------------------------


def config_for(base_url: str, transport: str, **fetch: Any) -> AuditConfig:
    config = AuditConfig().replace("site", start_url=base_url + "/")
    config = config.replace("politeness", concurrency=4, per_host_concurrency=4, min_interval=0.0)
    return config.replace("fetch", **({"timeout": 2.0, "retries": 0, "transport": transport} | fetch))


def with_client(
    base_url: str, transport: str, action: Callable[[httpx2.AsyncClient], Awaitable[T]], **fetch: Any
) -> T:
    async def main() -> T:
        async with build_client(config_for(base_url, transport, **fetch)) as client:
            return await action(client)

    return asyncio.run(main())


def with_fetcher(base_url: str, transport: str, action: Callable[[Fetcher], Awaitable[T]], **fetch: Any) -> T:
    config = config_for(base_url, transport, **fetch)

    async def main() -> T:
        async with build_client(config) as client:
            return await action(Fetcher(client, FetchPolicy.from_config(config), HostLimiter(4, 0.0)))

    return asyncio.run(main())


def fetch_page(base_url: str, path: str, transport: str, **fetch: Any) -> FetchResult:
    return with_fetcher(base_url, transport, lambda f: f.page(base_url + path), **fetch)


def why(result: FetchResult) -> str:
    """What an office reads about a failed link (the explanation must not depend on the transport)."""
    return explain(result.outcome, result.status, result.error)


# --- choosing the transport ----------------------------------------------------------------


def test_the_default_is_aiohttp_and_httpx_can_be_chosen() -> None:
    assert AuditConfig().fetch.transport == "auto"

    async def kinds() -> list[type[Any]]:
        found = []
        for choice in ("auto", "aiohttp", "httpx"):
            async with build_client(AuditConfig().replace("fetch", transport=choice)) as client:
                found.append(type(client._transport))
        return found

    assert asyncio.run(kinds()) == [AiohttpTransport, AiohttpTransport, httpx2.AsyncHTTPTransport]


@pytest.mark.parametrize("value", ["requests", "AIOHTTP", 1, ""])
def test_an_unknown_transport_is_a_config_error(value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"fetch": {"transport": value}})
    assert caught.value.key == "fetch.transport"
    assert "\n" not in str(caught.value)
    for choice in ("auto", "aiohttp", "httpx") if isinstance(value, str) else ():
        assert f'"{choice}"' in str(caught.value)


def test_a_transport_from_a_config_file_is_kept() -> None:
    assert config_from_mapping({"fetch": {"transport": "httpx"}}).fetch.transport == "httpx"


# --- requests and answers ------------------------------------------------------------------


def test_status_headers_and_body(transport: str) -> None:
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Path=/"),
        ("X-Portal", "政务".encode().decode("latin-1")),  # raw UTF-8 bytes in a header value
        # and GBK ones, as IIS portals name attachments
        ("Content-Disposition", 'attachment; filename="通知.doc"'.encode("gbk").decode("latin-1")),
    ]
    body = "<html><title>首页</title></html>".encode()
    with RawServer(lambda seen: answer(201, body, headers)) as server:

        async def get(client: httpx2.AsyncClient) -> httpx2.Response:
            response = await client.get(server.base_url + "/index.html")
            assert client.cookies.get("a") == "1" and client.cookies.get("b") == "2"
            return response

        response = with_client(server.base_url, transport, get)
    assert response.status_code == 201
    assert response.reason_phrase == "X"
    assert response.http_version == "HTTP/1.1"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert response.headers.raw[2] == (b"Set-Cookie", b"b=2; Path=/")
    assert dict(response.headers.raw)[b"X-Portal"] == "政务".encode()
    assert dict(response.headers.raw)[b"Content-Disposition"] == 'attachment; filename="通知.doc"'.encode(
        "gbk"
    )
    assert response.content == body and response.text == "<html><title>首页</title></html>"


def test_both_transports_send_the_same_request() -> None:
    """aiohttp adds no header of its own (User-Agent, Accept, Content-Type…): the server sees what
    httpx built, for a GET and for the form POST of the Hanweb column records."""
    with RawServer(lambda seen: answer()) as server:
        for transport in TRANSPORTS:

            async def send(fetcher: Fetcher) -> None:
                await fetcher.page(server.base_url + "/a.html")
                await fetcher.post_form(server.base_url + "/dataproxy.jsp", "col=1&webid=2&正文=x")

            with_fetcher(server.base_url, transport, send)
    aio, plain = server.seen[:2], server.seen[2:]
    assert [s.method for s in aio] == [s.method for s in plain] == [b"GET", b"POST"]
    for a, h in zip(aio, plain, strict=True):
        assert a.head == h.head  # request line and headers byte for byte: names, case, order
        assert a.body == h.body
    assert b"\r\nUser-Agent: sitecheck/" in aio[0].head
    assert aio[1].body == "col=1&webid=2&正文=x".encode()


def test_head_has_no_body(transport: str) -> None:
    def reply(seen: Seen) -> bytes:
        if seen.method == b"HEAD":  # the headers a GET would have, and no body
            return answer(200, b"", [("Content-Type", "application/pdf")], length=123456)
        return answer()

    with RawServer(reply) as server:

        async def two(fetcher: Fetcher) -> tuple[FetchResult, FetchResult]:
            head = await fetcher.probe(server.base_url + "/a.pdf", head_first=True)
            return head, await fetcher.page(server.base_url + "/b.html")

        head, page = with_fetcher(server.base_url, transport, two)
    assert head.outcome is Outcome.OK and head.method == "HEAD" and head.status == 200
    assert head.content_type == "application/pdf" and head.body is None
    assert page.outcome is Outcome.OK and page.body == b"<html><body>ok</body></html>"
    # No body was waited for after the HEAD (Content-Length notwithstanding). aiohttp then sends
    # the next request on the same connection; httpx closes one whose answer it did not iterate.
    assert [s.method for s in server.seen] == [b"HEAD", b"GET"]
    assert [s.connection for s in server.seen] == ([1, 1] if transport == "aiohttp" else [1, 2])


def test_a_body_past_the_cap_is_cut_and_its_connection_closed(transport: str) -> None:
    page = b"<html><body>" + b"x" * 2_000_000 + b"</body></html>"

    def reply(seen: Seen) -> bytes:
        return answer(200, page) if seen.target == b"/big.html" else answer()

    with RawServer(reply) as server:

        async def two(fetcher: Fetcher) -> tuple[FetchResult, FetchResult]:
            big = await fetcher.page(server.base_url + "/big.html")
            small = await fetcher.page(server.base_url + "/small.html")
            return big, small

        big, small = with_fetcher(server.base_url, transport, two, max_body_bytes=10_000)
    assert big.outcome is Outcome.OK and big.truncated
    assert big.body == page[:10_000]
    assert small.outcome is Outcome.OK and not small.truncated
    # The rest of the big body was never read: its connection cannot carry the next request.
    assert [s.connection for s in server.seen] == [1, 2]


def test_a_gzip_body_is_decoded_exactly_once(transport: str) -> None:
    html = "<html><title>通知公告</title><body>" + "政务公开 " * 500 + "</body></html>"
    packed = gzip.compress(html.encode())
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
    with RawServer(lambda seen: answer(200, packed, headers)) as server:

        async def both(client: httpx2.AsyncClient) -> tuple[bytes, bytes]:
            async with client.stream("GET", server.base_url + "/") as response:
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
            response = await client.get(server.base_url + "/")
            return raw, response.content

        raw, content = with_client(server.base_url, transport, both)
        result = fetch_page(server.base_url, "/", transport)
    assert raw == packed  # the transport hands over the bytes as sent
    assert content == html.encode()  # httpx decodes them, once
    assert result.body == html.encode()
    assert b"gzip" in dict(server.seen[0].headers())[b"accept-encoding"]


def test_a_gbk_body_arrives_byte_for_byte(transport: str) -> None:
    html = "<html><head><title>政务公开</title></head><body>关于印发《通知》的通知</body></html>".encode(
        "gbk"
    )
    with RawServer(lambda seen: answer(200, html, [("Content-Type", "text/html; charset=GBK")])) as server:
        result = fetch_page(server.base_url, "/gbk.html", transport)
    assert result.outcome is Outcome.OK and result.charset == "gbk"
    assert result.body == html


@pytest.mark.parametrize(
    "path",
    [
        "/政务公开/通知公告.html?keyword=环境&page=2",
        "/xxgk/%E6%94%BF%E5%8A%A1.html",  # already encoded: sent as it is
        "/a%2Fb/%e6%94%bf;jsessionid=1?q=%C9%EE%DB%DA&x=a+b",  # a GBK query, lower-case escapes, %2F
        "/search?q=中文 空格&empty=&&flag",
    ],
)
def test_the_path_arrives_byte_exact_as_httpx_sends_it(path: str) -> None:
    targets: dict[str, bytes] = {}
    for transport in TRANSPORTS:
        with RawServer(lambda seen: answer()) as server:
            result = fetch_page(server.base_url, path, transport)
            assert result.outcome is Outcome.OK
            targets[transport] = server.seen[0].target
    assert targets["aiohttp"] == targets["httpx"] == httpx2.URL("http://h" + path).raw_path


def test_redirects_are_followed_by_the_fetcher(transport: str) -> None:
    def reply(seen: Seen) -> bytes:
        if seen.target == b"/old":  # a raw UTF-8 Location, as Chinese servers send it
            return answer(301, b"moved", [("Location", "/中转".encode().decode("latin-1"))])
        if seen.target == b"/%E4%B8%AD%E8%BD%AC":
            return answer(302, b"", [("Location", "/new.html")])
        return answer()

    with RawServer(reply) as server:
        result = fetch_page(server.base_url, "/old", transport)
    assert result.outcome is Outcome.OK and result.status == 200
    assert result.final_url == server.base_url + "/new.html"
    assert result.redirects == (server.base_url + "/old", server.base_url + "/%E4%B8%AD%E8%BD%AC")
    assert [s.target for s in server.seen] == [b"/old", b"/%E4%B8%AD%E8%BD%AC", b"/new.html"]
    assert {s.connection for s in server.seen} == {1}  # the redirects' bodies were drained


# --- failures ------------------------------------------------------------------------------


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_the_same_outcome_with_either_transport() -> None:
    port = _unused_port()
    base = f"http://127.0.0.1:{port}"
    results = {t: fetch_page(base, "/", t, retries=2, backoff=0.01) for t in TRANSPORTS}
    for result in results.values():
        assert result.outcome is Outcome.CONNECTION_ERROR
        assert result.error.startswith("ConnectionRefused: ConnectError: ")
        assert result.attempts == 1  # nothing listens: never retried
    assert why(results["aiohttp"]) == why(results["httpx"]) == "连接被拒绝（对方服务器没有在该端口提供服务）"


def test_a_failed_name_lookup_is_a_dns_error(transport: str) -> None:
    """The lookup fails inside this process (the loop's getaddrinfo is replaced): no DNS query
    leaves the machine."""

    async def fail(*args: object, **kwargs: object) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    config = config_for("http://portal.invalid", transport)

    async def main() -> FetchResult:
        asyncio.get_running_loop().getaddrinfo = fail  # type: ignore[method-assign]
        async with build_client(config) as client:
            fetcher = Fetcher(client, FetchPolicy.from_config(config), HostLimiter(4, 0.0))
            return await fetcher.page("http://portal.invalid/")

    result = asyncio.run(main())
    assert result.outcome is Outcome.DNS_ERROR
    assert result.error.endswith("[Errno -2] Name or service not known")


def test_a_server_that_never_answers_times_out_within_the_timeout(transport: str) -> None:
    def silent(seen: Seen) -> Answer:
        return lambda conn: server.hang()

    with RawServer(silent) as server:
        started = time.monotonic()
        result = fetch_page(server.base_url, "/slow.html", transport, timeout=1.0)
        waited = time.monotonic() - started
    assert result.outcome is Outcome.TIMEOUT
    assert 0.9 <= waited < 2.5
    assert why(result) == "连接超时（15 秒内无响应）"


def test_a_read_timeout_is_an_httpx_read_timeout(transport: str) -> None:
    """Without the fetcher's own deadline, the client's read timeout fires and is httpx's type."""

    def silent(seen: Seen) -> Answer:
        return lambda conn: server.hang()

    with RawServer(silent) as server:

        async def get(client: httpx2.AsyncClient) -> BaseException:
            with pytest.raises(httpx2.ReadTimeout) as caught:
                await client.get(server.base_url + "/", timeout=httpx2.Timeout(0.5))
            return caught.value

        error = with_client(server.base_url, transport, get)
    assert isinstance(error, httpx2.ReadTimeout) and error.request.url.path == "/"


def _reset_mid_body(conn: socket.socket) -> None:
    conn.sendall(answer(200, b"<html><body>" + b"x" * 5000, length=100_000))
    time.sleep(0.2)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()  # RST: "connection reset by peer"


def _close_mid_body(conn: socket.socket) -> None:
    conn.sendall(answer(200, b"<html><body>" + b"x" * 5000, length=100_000))
    time.sleep(0.2)
    conn.shutdown(socket.SHUT_RDWR)  # FIN before Content-Length bytes came


@pytest.mark.parametrize("cut", [_reset_mid_body, _close_mid_body], ids=["reset", "closed"])
def test_a_connection_cut_mid_body_is_a_connection_error(cut: Callable[[socket.socket], None]) -> None:
    results = {}
    for transport in TRANSPORTS:
        with RawServer(lambda seen: cut) as server:
            results[transport] = fetch_page(server.base_url, "/page.html", transport, retries=1, backoff=0.01)
            assert len(server.seen) == 2  # retried once by the fetcher, never by the transport
    for result in results.values():
        assert result.outcome is Outcome.CONNECTION_ERROR and result.attempts == 2
    assert why(results["aiohttp"]) == why(results["httpx"]) == "连接被对方服务器中断"


def test_a_reset_before_the_answer_is_retried_by_the_fetcher_only(transport: str) -> None:
    with ScriptedServer({"/flaky.html": [Reply(reset=True), Reply(reset=True), Reply(200)]}) as server:
        result = fetch_page(server.base_url, "/flaky.html", transport, retries=1, backoff=0.01)
        assert result.outcome is Outcome.CONNECTION_ERROR and result.attempts == 2
        assert server.count("/flaky.html") == 2
    assert why(result) == "连接被对方服务器中断"


def test_an_untrusted_certificate_is_a_tls_error_unless_verification_is_off(transport: str) -> None:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with ScriptedServer({"/": [Reply(200)]}, tls=context) as server:
        refused = fetch_page(server.base_url, "/", transport)
        accepted = fetch_page(server.base_url, "/", transport, verify_tls=False)
    assert refused.outcome is Outcome.TLS_ERROR
    assert why(refused) == "证书无效（证书链不完整或签发机构不受信任）"
    assert accepted.outcome is Outcome.OK


# --- connections, hooks, closing -----------------------------------------------------------


def test_keep_alive_reuses_one_connection(transport: str) -> None:
    with RawServer(lambda seen: answer()) as server:

        async def several(fetcher: Fetcher) -> list[FetchResult]:
            return [await fetcher.page(f"{server.base_url}/p{i}.html") for i in range(6)]

        results = with_fetcher(server.base_url, transport, several)
    assert all(r.outcome is Outcome.OK for r in results)
    assert [s.connection for s in server.seen] == [1] * 6
    assert server.connections == 1


def test_the_politeness_hooks_see_the_time_to_the_headers(transport: str) -> None:
    """HostLimiter.watch() times each request through the client's event hooks: the latency is
    the time to the headers, not to the end of the body."""

    def slow(conn: socket.socket) -> None:
        time.sleep(0.3)
        body = b"<html>" + b"x" * 1000 + b"</html>"
        conn.sendall(answer(200, body)[: -len(body)])
        time.sleep(0.6)
        conn.sendall(body)

    with RawServer(lambda seen: slow) as server:
        config = config_for(server.base_url, transport)
        latencies: list[float] = []

        async def main() -> FetchResult:
            async with build_client(config) as client:
                limiter = HostLimiter(4, 0.0, adaptive=Adaptive())
                limiter.watch(client)
                record = limiter.record

                def remember(
                    host: str, latency: float, status: int = 200, *, number: int | None = None
                ) -> None:
                    latencies.append(latency)
                    record(host, latency, status, number=number)

                limiter.record = remember  # type: ignore[method-assign]
                fetcher = Fetcher(client, FetchPolicy.from_config(config), limiter)
                return await fetcher.page(server.base_url + "/")

        result = asyncio.run(main())
    assert result.outcome is Outcome.OK
    assert len(latencies) == 1 and 0.28 <= latencies[0] < 0.8


def test_closing_the_client_closes_the_session() -> None:
    with RawServer(lambda seen: answer()) as server:

        async def main() -> Any:
            async with build_client(config_for(server.base_url, "aiohttp")) as client:
                transport = client._transport
                assert isinstance(transport, AiohttpTransport)
                await client.get(server.base_url + "/")
                session = transport._session
                assert session is not None and not session.closed
            return session

        session = asyncio.run(main())
    assert session.closed


def test_many_requests_in_flight_stay_within_the_pool(transport: str) -> None:
    lock = threading.Lock()
    busy = {"now": 0, "most": 0}

    def reply(seen: Seen) -> bytes:
        with lock:
            busy["now"] += 1
            busy["most"] = max(busy["most"], busy["now"])
        time.sleep(0.05)
        with lock:
            busy["now"] -= 1
        return answer()

    with RawServer(reply) as server:

        async def many(client: httpx2.AsyncClient) -> list[int]:
            responses = await asyncio.gather(*(client.get(f"{server.base_url}/{i}") for i in range(40)))
            return [r.status_code for r in responses]

        config = config_for(server.base_url, transport)

        async def main() -> list[int]:
            async with build_client(config, connections=5) as client:
                return await many(client)

        statuses = asyncio.run(main())
    assert statuses == [200] * 40
    assert server.connections <= 5 and busy["most"] <= 5
