"""Small loopback sites for the certificate and transport tests: http or https on 127.0.0.1,
with certificates made by trustme (a test CA written to a PEM file the crawler is told to trust).

Routes are set after the servers start, so an http site can redirect to an https one's port.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

Route = tuple[int, tuple[tuple[str, str], ...], bytes]  # status, headers, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    routes: dict[str, Route]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        status, headers, body = self.server.routes.get(path, (404, (), b"<h1>404</h1>"))
        self.send_response(status)
        content_type = dict(headers).get("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            if name != "Content-Type":
                self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class Site:
    """One loopback server; ``routes`` maps a path to (status, headers, body)."""

    def __init__(self, server: _Server, scheme: str) -> None:
        self.server = server
        self.scheme = scheme
        self.port = int(server.server_address[1])
        self.base_url = f"{scheme}://127.0.0.1:{self.port}/"

    @property
    def routes(self) -> dict[str, Route]:
        return self.server.routes

    def page(self, path: str, html: str, status: int = 200) -> None:
        self.routes[path] = (status, (), html.encode("utf-8"))

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        self.routes[path] = (status, (("Location", location),), b"")

    def file(self, path: str, content_type: str, body: bytes = b"x") -> None:
        self.routes[path] = (200, (("Content-Type", content_type),), body)


@contextmanager
def serve(leaf: trustme.LeafCert | None = None) -> Iterator[Site]:
    """A site on 127.0.0.1 (a free port): https with ``leaf``'s certificate, else plain http."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes = {}
    if leaf is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(server, "https" if leaf is not None else "http")
    finally:
        server.shutdown()
        server.server_close()


def days_from_now(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


class TestCA:
    """A trustme CA with its certificate written where ``[fetch] ca_bundle`` can point."""

    __test__ = False  # not a test class for pytest

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self.bundle = folder / "test-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.bundle))

    def leaf(self, *names: str, days: float = 90, start_days: float = -1) -> trustme.LeafCert:
        """A certificate for ``names`` (default 127.0.0.1) valid until ``days`` from now."""
        return self.ca.issue_cert(
            *(names or ("127.0.0.1",)), not_before=days_from_now(start_days), not_after=days_from_now(days)
        )
