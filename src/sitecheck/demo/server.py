"""Serve a :class:`~sitecheck.demo.portal.Portal` over real HTTP on loopback, in background threads.

Two servers run: the portal on 127.0.0.1 and a small "external site" on 127.0.0.2 (127.0.0.1 on
another port where 127.0.0.2 cannot be bound, as on macOS); given ``service_tls``, a third, the
portal's https service host, on 127.0.0.3. A third port is held bound but not
listening, so connecting to it is refused for as long as the server runs and nobody else can
take it. GET and HEAD are served everywhere; POST only by the Hanweb dataproxy endpoint (pages
answer 405), with the form read from a Content-Length body.

Usage::

    with DemoServer(pages=150, slow_seconds=2) as srv:
        crawl(srv.base_url)
        assert srv.hits("/bsfw/bszn.html") == 2

    python -m sitecheck.demo.server --pages 5000 --port 8000
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import socket
import ssl
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sitecheck.demo.portal import Behaviour, PlantedColumn, PlantedDefect, Portal, Response, normalise_path

__all__ = ["DemoServer", "main"]

log = logging.getLogger(__name__)

# Never bind anything but loopback: the demo must not be reachable from the network.
MAIN_HOST = "127.0.0.1"
EXTERNAL_HOST = "127.0.0.2"
# The https service host is a host of its own, as a portal's 政务服务 platform is (another name):
# on the start URL's host name, its https would also say that the http home page should redirect.
SERVICE_HOST = "127.0.0.3"
# Form bodies are a few hundred bytes (the Hanweb dataproxy); anything far larger is refused
# rather than buffered.
MAX_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class _Override:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    content_type: str


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a slow request or an idle keep-alive client
    request_queue_size = 1024  # crawlers open many connections at once; the default 5 drops some

    def __init__(
        self, address: tuple[str, int], owner: DemoServer, external: bool, service: bool = False
    ) -> None:
        self.owner = owner
        self.external = external
        self.service = service  # the portal's https service host (answers its own few pages)
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections so they end now."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # client went away (timeout, reset): normal for a crawler
            return
        log.exception("demo server: error while handling a request from %s", client_address)


def _root_url(scheme: str, server: _HTTPServer) -> str:
    return f"{scheme}://{server.server_address[0]!s}:{server.server_address[1]}/"


def _bind_service(owner: DemoServer, port: int) -> _HTTPServer:
    """The service host's server: 127.0.0.3 (127.0.0.1 where only that is bound, as on macOS),
    on ``port`` or any free one."""
    for host, wanted in ((SERVICE_HOST, port), (SERVICE_HOST, 0), (MAIN_HOST, port), (MAIN_HOST, 0)):
        try:
            return _HTTPServer((host, wanted), owner, external=False, service=True)
        except OSError:
            continue
    return _HTTPServer((MAIN_HOST, 0), owner, external=False, service=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a crawler reuses connections
    server_version = "sitecheck-demo/0.1"
    sys_version = ""
    timeout = 30  # seconds an idle keep-alive connection may hold a thread
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK stalls
    # every response by ~40 ms.
    disable_nagle_algorithm = True

    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        # A body this server will not read must not be taken for the next request: refuse and close.
        close = (("Connection", "close"),)
        raw = self.headers.get("Content-Length", "0").strip() or "0"
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send(411, "text/html; charset=utf-8", b"<h1>411 Length Required</h1>", close, False)
        elif not raw.isdigit():
            self._send(400, "text/html; charset=utf-8", b"<h1>400 Bad Request</h1>", close, False)
        elif int(raw) > MAX_BODY:
            self._send(413, "text/html; charset=utf-8", b"<h1>413 Payload Too Large</h1>", close, False)
        else:
            self._serve(head=False, form=self.rfile.read(int(raw)))

    def _serve(self, *, head: bool, form: bytes | None = None) -> None:
        """Answer GET/HEAD, or a POST when its body ``form`` is given."""
        owner = self.server.owner
        external = self.server.external
        target = self.path
        if "://" in target.split("?", 1)[0]:  # absolute-form request target (proxy style)
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        raw_path, _, query = target.partition("?")
        path = normalise_path(raw_path.partition("#")[0])
        if self.server.service:
            resp = owner.portal.get_service(path)
            self._send(resp.status, resp.content_type, resp.body, resp.headers, head)
            return
        owner._count(external, path, self.headers.get("User-Agent", ""))

        override = owner._override(external, path)
        if override is not None:
            self._send(override.status, override.content_type, override.body, override.headers, head)
            return

        portal = owner.portal
        if form is not None:
            if external:
                resp = portal.get_external(path, query)
                if resp.status != 404:
                    resp = Response(405, headers=(("Allow", "GET, HEAD"),))
            else:
                resp = portal.post(path, query, form)
            self._send(resp.status, resp.content_type, resp.body, resp.headers, head)
            return
        resp = portal.get_external(path, query) if external else portal.get(path, query)
        if resp.behaviour is Behaviour.SLOW:
            if owner._stopping.wait(owner.slow_seconds):
                self.close_connection = True
                return
        elif resp.behaviour is Behaviour.RATE_LIMIT_ONCE and owner._first_request(path):
            body = "<html><body><h1>429 Too Many Requests</h1><p>访问过于频繁，请稍后再试。</p></body></html>"
            self._send(429, "text/html; charset=utf-8", body.encode(), (("Retry-After", "1"),), head)
            return
        elif resp.behaviour is Behaviour.NO_HEAD and head:
            # Some CMS download servlets only implement GET; HEAD gets 405 though the file is fine.
            self._send(405, "text/html; charset=utf-8", b"", (("Allow", "GET"),), head)
            return
        self._send(resp.status, resp.content_type, resp.body, resp.headers, head)

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: tuple[tuple[str, str], ...],
        head: bool,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


@dataclass(frozen=True, slots=True)
class Request:
    """One line of the demo server's access log."""

    at: float  # time.time() on arrival
    external: bool
    path: str
    user_agent: str


class DemoServer:
    """The demo portal and its external site, served on loopback in background threads."""

    def __init__(
        self,
        pages: int = 150,
        seed: int = 7,
        today: dt.date | None = None,
        slow_seconds: float = 30.0,
        *,
        port: int = 0,
        external_port: int = 0,
        refused_port: int = 0,
        changed_externals: bool = False,
        tls: ssl.SSLContext | None = None,
        service_tls: ssl.SSLContext | None = None,
        service_port: int = 0,
    ) -> None:
        self.pages = pages
        # A server-side TLS context: the portal is served over https with its certificate (the
        # certificate tests plant an expiring one; the demo itself stays on http, offline and
        # without test dependencies).
        self._tls = tls
        # The portal's second host of its own, over https (an 在线服务平台): served only when a
        # context is given (`sitecheck demo` plants an expiring certificate there, certificates.py).
        self._service_tls = service_tls
        self._service_port = service_port
        # The refusing port is part of a planted link's URL: `sitecheck demo --recheck` asks
        # for the same one, so the recheck sees the same link (any free port when taken).
        self._refused_port = refused_port
        self.seed = seed
        self.today = today
        self.slow_seconds = slow_seconds
        self._port = port
        self._external_port = external_port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._hits: Counter[tuple[bool, str]] = Counter()
        self._log: list[Request] = []  # every counted request, in arrival order
        self._rate_limited: set[str] = set()
        self._overrides: dict[tuple[bool, str], _Override] = {}
        self._servers: list[_HTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._refused_sock: socket.socket | None = None
        self._portal: Portal | None = None
        self.changed_externals = changed_externals

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        if self._servers:
            raise RuntimeError("DemoServer already started")
        self._stopping.clear()
        try:
            main = _HTTPServer((MAIN_HOST, self._port), self, external=False)
            self._servers.append(main)
            if self._tls is not None:
                # The handshake runs in the request's thread (on its first read), not in the
                # accept loop, so one slow client does not hold the others.
                main.socket = self._tls.wrap_socket(
                    main.socket, server_side=True, do_handshake_on_connect=False
                )
            try:
                ext = _HTTPServer((EXTERNAL_HOST, self._external_port), self, external=True)
            except OSError:
                ext = _HTTPServer((MAIN_HOST, self._external_port), self, external=True)
            self._servers.append(ext)
            service: _HTTPServer | None = None
            if self._service_tls is not None:
                service = _bind_service(self, self._service_port)
                service.socket = self._service_tls.wrap_socket(
                    service.socket, server_side=True, do_handshake_on_connect=False
                )
                self._servers.append(service)
            # Bound but never listening: a connect gets RST (refused), and the port stays ours.
            refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                refused.bind((MAIN_HOST, self._refused_port))
            except OSError:
                refused.bind((MAIN_HOST, 0))
            self._refused_sock = refused
        except BaseException:
            self.stop()
            raise
        self._portal = Portal(
            self.pages,
            self.seed,
            self.today,
            base_url=f"{'https' if self._tls else 'http'}://{MAIN_HOST}:{main.server_address[1]}/",
            external_base_url=f"http://{ext.server_address[0]!s}:{ext.server_address[1]}/",
            refused_url=f"http://{MAIN_HOST}:{refused.getsockname()[1]}/",
            changed_externals=self.changed_externals,
            service_url=_root_url("https", service) if service is not None else "",
        )
        for srv in self._servers:
            t = threading.Thread(
                target=srv.serve_forever, kwargs={"poll_interval": 0.05}, name="sitecheck-demo", daemon=True
            )
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers sleeping in a slow response
        for srv in self._servers:
            if self._threads:
                srv.shutdown()
            srv.close_connections()
            srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        if self._refused_sock is not None:
            self._refused_sock.close()
        self._servers.clear()
        self._threads.clear()
        self._refused_sock = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests use ------------------------------------------------------------------------

    @property
    def portal(self) -> Portal:
        if self._portal is None:
            raise RuntimeError("DemoServer not started")
        return self._portal

    @property
    def base_url(self) -> str:
        return self.portal.base_url

    @property
    def external_base_url(self) -> str:
        return self.portal.external_base_url

    @property
    def service_url(self) -> str:
        """The https service host's root URL; "" unless the server was given ``service_tls``."""
        return self.portal.service_url

    @property
    def refused_url(self) -> str:
        return self.portal.refused_url

    @property
    def manifest(self) -> list[PlantedDefect]:
        return self.portal.manifest

    @property
    def column_manifest(self) -> list[PlantedColumn]:
        return self.portal.column_manifest

    def hits(self, path: str, *, external: bool = False) -> int:
        """Requests (GET, HEAD and POST) received for a path; encoded or decoded form, query ignored."""
        key = (external, normalise_path(path.partition("?")[0]))
        with self._lock:
            return self._hits[key]

    def requests(self) -> list[Request]:
        """Every request counted so far (when, which path, which User-Agent): the access log."""
        with self._lock:
            return list(self._log)

    def total_hits(self, *, external: bool = False) -> int:
        with self._lock:
            return sum(n for (ext, _), n in self._hits.items() if ext == external)

    def reset(self) -> None:
        """Forget request counts and re-arm the 429-once URL (overrides are kept)."""
        with self._lock:
            self._hits.clear()
            self._log.clear()
            self._rate_limited.clear()

    def set_override(
        self,
        path: str,
        status: int = 200,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        *,
        external: bool = False,
    ) -> None:
        """Answer ``path`` (any query) with this response until cleared, e.g. to fix or break a link."""
        hdrs = dict(headers or {})
        ctype = next((v for k, v in hdrs.items() if k.lower() == "content-type"), "text/html; charset=utf-8")
        rest = tuple((k, v) for k, v in hdrs.items() if k.lower() not in ("content-type", "content-length"))
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._overrides[(external, normalise_path(path.partition("?")[0]))] = _Override(
                status, data, rest, ctype
            )

    def clear_override(self, path: str, *, external: bool = False) -> None:
        with self._lock:
            self._overrides.pop((external, normalise_path(path.partition("?")[0])), None)

    # -- used by the handler -------------------------------------------------------------------

    def _count(self, external: bool, path: str, user_agent: str = "") -> None:
        with self._lock:
            self._hits[(external, path)] += 1
            self._log.append(Request(time.time(), external, path, user_agent))

    def _override(self, external: bool, path: str) -> _Override | None:
        with self._lock:
            return self._overrides.get((external, path))

    def _first_request(self, path: str) -> bool:
        with self._lock:
            if path in self._rate_limited:
                return False
            self._rate_limited.add(path)
            return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sitecheck.demo.server", description="Serve the sitecheck demo portal on loopback."
    )
    parser.add_argument("--pages", type=int, default=150, help="approximate number of HTML pages")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--external-port", type=int, default=0, help="port of the external site")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--manifest", metavar="FILE", help="write the planted defects as JSON to FILE")
    parser.add_argument("--column-manifest", metavar="FILE", help="write the planted columns as JSON to FILE")
    parser.add_argument(
        "--changed-externals",
        action="store_true",
        help="serve the friend links as a later visit finds them (a parked and a gambling page)",
    )
    args = parser.parse_args(argv)

    srv = DemoServer(
        args.pages,
        args.seed,
        args.today,
        args.slow_seconds,
        port=args.port,
        external_port=args.external_port,
        changed_externals=args.changed_externals,
    )
    with srv:
        if args.manifest:
            data = [d.to_json() for d in srv.manifest]
            Path(args.manifest).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        if args.column_manifest:
            cols = [c.to_json() for c in srv.column_manifest]
            text = json.dumps(cols, ensure_ascii=False, indent=2)
            Path(args.column_manifest).write_text(text, encoding="utf-8")
        print(f"demo portal:   {srv.base_url}", flush=True)
        print(f"external site: {srv.external_base_url}", flush=True)
        print(
            f"pages: {len(srv.portal.page_urls)}  planted defects: {len(srv.manifest)}  "
            f"columns: {len(srv.column_manifest)}",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
