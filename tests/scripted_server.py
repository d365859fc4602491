"""A tiny scripted HTTP(S) server on 127.0.0.1 for fetcher tests: each path answers from a list."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"<html><head><title>ok</title></head><body>ok</body></html>"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0
    reset: bool = False  # close the connection without answering


@dataclass
class Hit:
    method: str
    path: str
    at: float = 0.0  # time.monotonic() when the request arrived


class ScriptedServer:
    """``routes[path]`` is a list of replies used in turn (the last one repeats)."""

    def __init__(self, routes: dict[str, list[Reply]], *, tls: ssl.SSLContext | None = None) -> None:
        self.routes = routes
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.hits.append(Hit(self.command, path, time.monotonic()))
                    count = sum(1 for h in server.hits if h.path == path)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    replies = server.routes.get(path, [Reply(404, b"<html><title>404</title></html>")])
                    reply = replies[min(count, len(replies)) - 1]
                    if reply.delay:
                        time.sleep(reply.delay)
                    if reply.reset:
                        self.connection.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                        )
                        self.connection.close()
                        self.close_connection = True
                        return
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(reply.body)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            do_GET = _answer
            do_HEAD = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, path: str, method: str | None = None) -> int:
        return sum(1 for h in self.hits if h.path == path and (method is None or h.method == method))
