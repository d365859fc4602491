"""Worker processes that fetch and read targets for the engine (``fetch.workers``).

One Python process saturates one core: at raised politeness limits (auditing your own portal,
the benchmark) the HTTP client and HTML parsing are most of that core. Worker processes each
run their own event loop, HTTP client and :class:`~sitecheck.reader.LocalReader`; the engine
keeps the frontier, the per-host limits and the store, and sends each worker a URL at a time.

Wire format: each message is a 4-byte big-endian length and a pickle, over the worker's stdin
(requests) and stdout (answers); the worker's own stdout is redirected to stderr so a stray
print cannot corrupt the channel. A worker ends when its stdin closes, so it never outlives
the engine, even after ``kill -9``.

Politeness stays global: the engine's dispatcher bounds requests in flight per host across all
workers (a worker's own limiter does not: it would hold what the engine let out as slow behind
a request that never answers), and each worker spaces its requests to a host ``workers`` times
the configured interval (so together they keep the configured rate). A ``Retry-After`` one worker receives
comes back to the engine with its answer and goes out with every later request to that host,
so all workers pause; robots.txt ``Crawl-delay`` travels the same way.

The engine's process reads too when the limits leave no interval to keep (``min_interval`` 0):
keeping the frontier and the store fills only part of its core, so once every worker has a
backlog of requests it takes the next ones itself, on its own loop and HTTP client. On 2 cores
one worker and the engine audit the 10,000-page realistic portal in 17.2 s where one process
takes 24.1 s (bench/, medians of 3; with real pages' markup in the articles 25.3 s against
42.8 s), and one worker alone about 25 s (single runs, earlier).
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from sitecheck.config import AuditConfig
from sitecheck.crawl.reader import LocalReader, PageRead, Reader
from sitecheck.errors import AuditError
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client, host_of
from sitecheck.fetch.politeness import SLOW_EXTRA, HostLimiter
from sitecheck.models import FetchResult

_LENGTH = struct.Struct("!I")
_PAGE, _PROBE = 0, 1
# The worker's first answer, before any request's (request ids start at 1): it can read now.
_READY = 0


class WorkerError(AuditError):
    """A worker process failed: a bug in sitecheck, not something the site did."""


def auto_workers(config: AuditConfig) -> int:
    """How many worker processes ``fetch.workers = "auto"`` means.

    At gentle limits the crawl waits on the server and one process is plenty; workers pay off
    only when the limits allow more requests per second than one core can read (an unthrottled
    audit of your own portal). Then one worker a core beside the engine's (at most 4); on 2
    cores one worker, which the engine's process joins in reading when no interval is to be
    kept (:class:`WorkerPool`): two workers there compete with the engine for the two cores
    (slower than one, and 234 MiB, in bench/'s earlier runs on the 10,000-page realistic
    portal), one worker and the engine share them (17.2 s, 140 MiB; one process: 24.1 s,
    102 MiB).
    """
    setting = config.fetch.workers
    if isinstance(setting, int):
        return setting
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    politeness = config.politeness
    if politeness.concurrency < 16 or politeness.min_interval >= 0.02:
        return 0
    if cores >= 3:
        return min(cores - 1, 4)
    return 1 if cores == 2 and politeness.min_interval == 0 else 0


def engine_reads_too(config: AuditConfig) -> bool:
    """Whether the engine's process reads targets beside its workers: only when no interval
    between requests to a host is to be kept (the workers space theirs out to keep it together,
    and the engine's reading would add to their rate)."""
    return config.politeness.min_interval == 0


def _frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


class _Outbox:
    """Frames written to a pipe together once per event-loop turn: fewer system calls and
    fewer wake-ups of the process at the other end than one write per message."""

    def __init__(self, transport: asyncio.WriteTransport) -> None:
        self.transport = transport
        self._frames: list[bytes] = []

    def put(self, frame: bytes) -> None:
        if not self._frames:
            asyncio.get_running_loop().call_soon(self.flush)
        self._frames.append(frame)

    def flush(self) -> None:
        if self._frames and not self.transport.is_closing():
            self.transport.write(b"".join(self._frames))
        self._frames.clear()


class _Frames:
    """Splits a byte stream into messages."""

    def __init__(self, on_message: Callable[[Any], None]) -> None:
        self._buffer = bytearray()
        self._on_message = on_message

    def feed(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        start = 0
        end = len(buffer)
        while end - start >= 4:
            (size,) = _LENGTH.unpack_from(buffer, start)
            if end - start - 4 < size:
                break
            message = pickle.loads(memoryview(buffer)[start + 4 : start + 4 + size])
            start += 4 + size
            self._on_message(message)
        if start:
            del buffer[:start]


# -- the engine's side -----------------------------------------------------------------------
class _WorkerProtocol(asyncio.SubprocessProtocol):
    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.frames = _Frames(self._answer)
        self.exited = asyncio.get_running_loop().create_future()

    def pipe_data_received(self, fd: int, data: bytes | str) -> None:
        if fd == 1 and isinstance(data, bytes):
            self.frames.feed(data)

    def _answer(self, message: tuple[int, bool, Any, str, float]) -> None:
        request_id, ok, payload, host, pause = message
        if request_id == _READY:
            self.pool._ready += 1
            return
        if pause > 0:  # a Retry-After this worker received: every worker is told with its next request
            self.pool.limiter.pause(host, pause)
        future = self.pool._pending.pop(request_id, None)
        self.pool._load[self.index] -= 1
        if future is None or future.done():
            return  # its caller was cancelled (the crawl is stopping)
        if ok:
            future.set_result(payload)
        else:
            future.set_exception(WorkerError(f"worker process failed:\n{payload}"))

    def process_exited(self) -> None:
        self.pool._worker_exited(self.index)
        if not self.exited.done():
            self.exited.set_result(None)


# A reading in the engine's process that is still going after this long is waiting on a slow
# server, not using the engine's CPU: it gives its slot back, so that a few slow pages (10 s and
# more on real portals) do not stop the engine from reading for as long as they take. (On
# loopback a page is read in milliseconds; over the internet in a few hundred.)
HERE_SLOT_SECONDS = 1.0


class _HereSlot:
    """One of the engine's reading slots, held from the request until the reading ends or
    ``HERE_SLOT_SECONDS`` have passed, whichever comes first."""

    __slots__ = ("_pool", "_timer")

    def __init__(self, pool: WorkerPool) -> None:
        self._pool: WorkerPool | None = pool
        pool._here_load += 1
        self._timer = asyncio.get_running_loop().call_later(HERE_SLOT_SECONDS, self.free)

    def free(self) -> None:
        if self._pool is not None:
            self._pool._here_load -= 1
            self._pool = None
            self._timer.cancel()


class WorkerPool:
    """Reads targets in ``count`` worker processes, and with ``here`` (a reader on the engine's
    loop) in the engine's process too once every worker has a backlog; the same interface as
    LocalReader."""

    def __init__(
        self,
        config: AuditConfig,
        observed_on: date,
        count: int,
        limiter: HostLimiter,
        here: Reader | None = None,
    ) -> None:
        self.config = config
        self.observed_on = observed_on
        self.count = count
        self.limiter = limiter  # the engine's: it knows robots.txt Crawl-delays
        self.here = here
        # The engine reads a few at a time: it also keeps the frontier and the store, and a worker
        # starves while the engine's loop is busy reading. It reads only while every worker has
        # work queued. (On 2 cores, 20 in flight, the 10,000-page realistic portal of bench/,
        # single runs: 3 here once the worker has 8, 22.6–25.1 s; 10 once it has 4, 24.9–29.3 s.)
        concurrency = config.politeness.concurrency
        self.here_slots = max(1, concurrency // (3 * (count + 1)))
        self.backlog = max(2, concurrency * 2 // 5)
        self._here_load = 0
        self.read_here = 0  # targets the engine's process read (the rest: the workers')
        self._transports: list[asyncio.SubprocessTransport] = []
        self._outboxes: list[_Outbox] = []
        self._protocols: list[_WorkerProtocol] = []
        self._load: list[int] = []
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self._ready = 0  # workers that have their HTTP client and read what they are sent
        self._closing = False

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        env = dict(os.environ)
        # The workers import the same sitecheck as the engine, wherever that came from.
        package_root = str(Path(__file__).resolve().parents[2])  # src/, above sitecheck/crawl/
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        hello = _frame((self.config, self.observed_on, self.count))
        for index in range(self.count):
            transport, protocol = await loop.subprocess_exec(
                lambda index=index: _WorkerProtocol(self, index),  # type: ignore[misc]
                sys.executable,
                "-m",
                "sitecheck.crawl.pool",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=None,
                env=env,
            )
            stdin = transport.get_pipe_transport(0)
            if stdin is None:
                raise WorkerError(f"worker process {index + 1} has no input pipe")
            self._transports.append(transport)
            self._outboxes.append(_Outbox(cast(asyncio.WriteTransport, stdin)))
            self._protocols.append(protocol)
            self._load.append(0)
            self._send(index, hello)

    @property
    def broken(self) -> bool:
        """A worker died: every further request fails, so the engine stops the crawl."""
        return self._closing

    async def close(self) -> None:
        """Close the workers' input (they finish and exit); kill any that linger."""
        self._closing = True
        for outbox in self._outboxes:
            outbox.flush()
            outbox.transport.close()
        for transport, protocol in zip(self._transports, self._protocols, strict=True):
            try:
                await asyncio.wait_for(asyncio.shield(protocol.exited), 5)
            except TimeoutError:
                transport.kill()
            transport.close()
        self._transports.clear()
        self._outboxes.clear()
        self._protocols.clear()

    async def page(self, url: str, *, is_home: bool) -> PageRead:
        if self.here is not None and (slot := self._take_here_slot()) is not None:
            try:
                return await self.here.page(url, is_home=is_home)
            finally:
                slot.free()
        read: PageRead = await self._ask(_PAGE, url, is_home)
        return read

    async def probe(self, url: str, *, head_first: bool, report: str = "") -> FetchResult:
        if self.here is not None and (slot := self._take_here_slot()) is not None:
            try:
                return await self.here.probe(url, head_first=head_first, report=report)
            finally:
                slot.free()
        result: FetchResult = await self._ask(_PROBE, url, head_first, report)
        return result

    def _take_here_slot(self) -> _HereSlot | None:
        """The engine's slot to read the next target itself, or None when the workers take it."""
        if self._closing:
            return None  # a worker died: the request fails, and the crawl stops (engine.py)
        # Until a worker has started (a new interpreter importing sitecheck: 0.4 s on 2 cores)
        # the engine reads everything, as it would without workers: the first pages do not wait.
        workers_take_it = self._here_load >= self.here_slots or min(self._load, default=0) < self.backlog
        if self._ready and workers_take_it:
            return None
        self.read_here += 1
        return _HereSlot(self)

    async def _ask(self, op: int, url: str, flag: bool, report: str = "") -> Any:
        if self._closing or not self._transports:
            raise WorkerError("the worker processes are not running")
        index = min(range(self.count), key=self._load.__getitem__)  # the least busy worker
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        self._load[index] += 1
        host = host_of(url)
        limiter = self.limiter
        waits = (limiter.interval_of(host), limiter.paused_for(host))
        self._send(index, _frame((request_id, op, url, flag, report, *waits)))
        try:
            return await future
        finally:
            self._pending.pop(request_id, None)

    def _send(self, index: int, frame: bytes) -> None:
        outbox = self._outboxes[index]
        if outbox.transport.is_closing():
            raise WorkerError(f"worker process {index + 1} is not accepting requests")
        outbox.put(frame)

    def _worker_exited(self, index: int) -> None:
        if self._closing:
            return
        code = self._transports[index].get_returncode() if index < len(self._transports) else None
        error = WorkerError(f"worker process {index + 1} exited unexpectedly (exit code {code})")
        for future in list(self._pending.values()):
            if not future.done():
                future.set_exception(error)
        self._pending.clear()
        self._transports[index].close()
        self._closing = True  # every further request fails fast: the crawl stops


# -- the worker's side -----------------------------------------------------------------------
class _RequestProtocol(asyncio.Protocol):
    def __init__(self, on_message: Callable[[Any], None], closed: asyncio.Future[None]) -> None:
        self.frames = _Frames(on_message)
        self.closed = closed

    def data_received(self, data: bytes) -> None:
        self.frames.feed(data)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def _serve(channel_fd: int) -> None:
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[None] = loop.create_future()
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(channel_fd, "wb", buffering=0))
    out = _Outbox(transport)
    state: dict[str, Any] = {}
    tasks: set[asyncio.Task[None]] = set()

    async def handle(
        request_id: int, op: int, url: str, flag: bool, report: str, crawl_delay: float, paused_for: float
    ) -> None:
        reader: LocalReader = state["reader"]
        limiter = reader.fetcher.limiter
        host = host_of(url)
        try:
            if crawl_delay:
                limiter.slow_down(host, crawl_delay * state["count"])
            if paused_for:
                limiter.pause(host, paused_for)  # another worker was told to wait (Retry-After)
            if op == _PAGE:
                answer: Any = await reader.page(url, is_home=flag)
            else:
                answer = await reader.probe(url, head_first=flag, report=report)
            ok = True
        except asyncio.CancelledError:
            raise
        except Exception:
            answer, ok = traceback.format_exc(), False
        out.put(_frame((request_id, ok, answer, host, limiter.paused_for(host))))

    def on_message(message: Any) -> None:
        if "config" not in state:  # the first message says how to work
            state["config"], state["observed_on"], state["count"] = message
            state["ready"].set_result(None)
            return
        if "reader" not in state:  # requests that came with it wait for the HTTP client
            state.setdefault("early", []).append(message)
            return
        task = asyncio.ensure_future(handle(*message))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    state["ready"] = loop.create_future()
    await loop.connect_read_pipe(lambda: _RequestProtocol(on_message, closed), sys.stdin)
    await asyncio.wait({state["ready"], closed}, return_when=asyncio.FIRST_COMPLETED)
    if closed.done():
        return
    config: AuditConfig = state["config"]
    count: int = state["count"]
    # How many requests to a host are in flight is the engine's to bound: its dispatcher counts
    # them across the processes, and lets those a host leaves waiting out of the count
    # (InFlight). Here they are only spaced and paused; a per-host bound of our own would hold
    # what the engine let out behind a request that never answers.
    per_host = config.politeness.per_host_concurrency * (1 + SLOW_EXTRA)
    limiter = HostLimiter(per_host, config.politeness.min_interval * count)
    # The engine spreads its requests over the workers, so each needs a share of the pool.
    connections = -(-config.politeness.concurrency // count) + 2
    async with build_client(config, connections, crawl=True) as client:
        fetcher = Fetcher(client, FetchPolicy.from_config(config), limiter)
        state["reader"] = LocalReader(fetcher, config, state["observed_on"])
        out.put(_frame((_READY, True, None, "", 0.0)))
        for pending in list(state.pop("early", [])):
            on_message(pending)
        await closed
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
    out.flush()
    transport.close()


def main() -> None:
    # Ctrl-C reaches the whole process group: the engine stops the crawl and then closes our
    # input; a worker that died on SIGINT first would only turn that into an error.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel_fd = os.dup(1)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the channel
    from sitecheck.loop import run

    run(_serve(channel_fd))


if __name__ == "__main__":
    main()
