"""The few dynamic fault URLs of the sample portal, served behind nginx (``proxy_pass``).

nginx serves every static file; it forwards only the exact paths ``export.py`` found to be
dynamic (redirects, the slow page, 429-once, HEAD-405, the GBK search, the Hanweb dataproxy,
the 412 anti-bot page of the external site) to the two small threaded servers here, one for
the portal and one for the external site. A third socket is bound but never listens, so the
planted "connection refused" link is refused for as long as the benchmark runs.

For the realistic portal (``realistic.py``) the object answering is a ``RealisticPortal``: its
slow paths carry their own delays (``slow_delays``: 10–15 s, and one that never answers and is
held until the client gives up).

Behaviours mirror ``sitecheck.demo.server`` (which binds its own ports and builds its own
Portal, so it cannot sit behind nginx with the portal's URLs): slow answers after
``slow_seconds``, 429-once answers 429 + ``Retry-After: 1`` to the first request of a path
after each ``reset()`` (the orchestrator re-arms it before every tool run), no-HEAD answers
405 to HEAD.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from sitecheck.demo.portal import Behaviour, Portal, Response, normalise_path

if TYPE_CHECKING:
    from realistic import RealisticPortal

MAX_BODY = 64 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], owner: DynamicServer, external: bool) -> None:
        self.owner = owner
        self.external = external
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and went away is normal here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench-dynamic/1"
    sys_version = ""
    timeout = 120
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        raw = self.headers.get("Content-Length", "0").strip() or "0"
        if not raw.isdigit() or int(raw) > MAX_BODY:
            self.close_connection = True
            self._send(Response(400, body=b"<h1>400 Bad Request</h1>"), head=False)
            return
        self._serve(head=False, form=self.rfile.read(int(raw)))

    def _serve(self, *, head: bool, form: bytes | None = None) -> None:
        owner = self.server.owner
        portal = owner.portal
        raw_path, _, query = self.path.partition("?")
        path = normalise_path(raw_path.partition("#")[0])
        owner.count(self.server.external, path)
        if self.server.external:
            resp = portal.get_external(path, query)
            if form is not None and resp.status != 404:
                resp = Response(405, headers=(("Allow", "GET, HEAD"),))
        elif form is not None:
            resp = portal.post(path, query, form)
        else:
            resp = portal.get(path, query)
        if resp.behaviour is Behaviour.SLOW:
            # The realistic portal's slow paths carry their own delay (inf: never answers).
            delay = getattr(portal, "slow_delays", {}).get(path, owner.slow_seconds)
            if not self._hold(delay):
                self.close_connection = True
                return
        elif resp.behaviour is Behaviour.RATE_LIMIT_ONCE and owner.first_request(path):
            body = "<html><body><h1>429 Too Many Requests</h1><p>访问过于频繁，请稍后再试。</p></body></html>"
            resp = Response(429, body=body.encode(), headers=(("Retry-After", "1"),))
        elif resp.behaviour is Behaviour.NO_HEAD and head:
            resp = Response(405, body=b"", headers=(("Allow", "GET"),))
        self._send(resp, head)

    def _hold(self, delay: float) -> bool:
        """Wait ``delay`` seconds before answering; False if the client went away meanwhile (then
        nobody is left to answer: a path that never answers holds the request until then) or the
        server is stopping."""
        owner = self.server.owner
        deadline = time.monotonic() + delay
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if owner.stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.25))
            if readable:
                try:
                    gone = self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    gone = True
                if gone:
                    return False
                owner.stopping.wait(min(left, 0.25))  # a pipelined request: keep waiting

    def _send(self, resp: Response, head: bool) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(resp.body)


class DynamicServer:
    def __init__(
        self,
        portal: Portal | RealisticPortal,
        *,
        main_port: int,
        ext_port: int,
        refused_port: int,
        slow_seconds: float,
    ) -> None:
        self.portal = portal
        self.slow_seconds = slow_seconds
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._armed: set[str] = set()
        self.hits: dict[tuple[bool, str], int] = {}
        self._servers = [
            _Server(("127.0.0.1", main_port), self, external=False),
            _Server(("127.0.0.1", ext_port), self, external=True),
        ]
        # Bound, never listening: connecting is refused, and nobody else can take the port.
        self._refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refused.bind(("127.0.0.1", refused_port))
        self._threads: list[threading.Thread] = []

    def start(self) -> DynamicServer:
        for srv in self._servers:
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        self._refused.close()

    def reset(self) -> None:
        """Re-arm 429-once and forget hit counts (before each tool run)."""
        with self._lock:
            self._armed.clear()
            self.hits.clear()

    def count(self, external: bool, path: str) -> None:
        with self._lock:
            key = (external, path)
            self.hits[key] = self.hits.get(key, 0) + 1

    def first_request(self, path: str) -> bool:
        with self._lock:
            if path in self._armed:
                return False
            self._armed.add(path)
            return True
