"""The fetcher against real local servers: retries, Retry-After, HEAD fallback, TLS, politeness.

The fetcher and its host limiter run on a virtual clock (support/clock.py): the tests assert
the waits they ask for (back-off, Retry-After, the interval between requests), never elapsed time.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
import trustme

from scripted_server import Reply, ScriptedServer
from sitecheck.config import DEFAULT_SOFT404_PHRASES, AuditConfig
from sitecheck.extract.soft404 import screen
from sitecheck.fetch.client import Fetcher, FetchPolicy, build_client
from sitecheck.fetch.politeness import HostLimiter
from sitecheck.models import FetchResult, Outcome
from support.clock import FakeClock

T = TypeVar("T")


def run_with_fetcher(
    action: Callable[[Fetcher], Awaitable[T]],
    *,
    per_host: int = 4,
    interval: float = 0.0,
    clock: FakeClock | None = None,
    **fetch: object,
) -> T:
    config = AuditConfig().replace(
        "politeness", concurrency=8, per_host_concurrency=per_host, min_interval=interval
    )
    config = config.replace("fetch", **({"timeout": 1.0, "retries": 2, "backoff": 0.25} | fetch))
    clock = clock or FakeClock()

    async def main() -> T:
        async with build_client(config) as client:
            limiter = HostLimiter(per_host, interval, clock=clock, sleep=clock.sleep)
            fetcher = Fetcher(
                client, FetchPolicy.from_config(config), limiter, clock=clock, sleep=clock.sleep
            )
            return await action(fetcher)

    return asyncio.run(main())


def fetch_page(url: str, *, clock: FakeClock | None = None, **fetch: object) -> FetchResult:
    return run_with_fetcher(lambda f: f.page(url), clock=clock, **fetch)


def test_404_is_never_retried() -> None:
    with ScriptedServer({}) as server:
        result = fetch_page(server.base_url + "/missing.html")
        assert result.outcome is Outcome.NOT_FOUND and result.status == 404
        assert server.count("/missing.html") == 1


def test_503_is_retried_with_backoff_then_ok() -> None:
    with ScriptedServer({"/busy.html": [Reply(503), Reply(502), Reply(200)]}) as server:
        clock = FakeClock()
        result = fetch_page(server.base_url + "/busy.html", clock=clock)
        assert result.outcome is Outcome.OK and result.attempts == 3
        assert server.count("/busy.html") == 3
        assert clock.sleeps == [0.25, 0.5]  # back-off doubles
        assert result.elapsed_ms == 750  # measured on the fetcher's clock


def test_429_retry_after_pauses_the_host() -> None:
    routes = {"/limited.html": [Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200)]}
    with ScriptedServer(routes) as server:
        clock = FakeClock()
        result = fetch_page(server.base_url + "/limited.html", clock=clock)
        assert result.outcome is Outcome.OK and server.count("/limited.html") == 2
        # The host is paused for the second asked for, and the request waits it out in the
        # limiter; no back-off is added on top.
        assert clock.sleeps == [1.0]


def test_retry_after_is_followed_even_with_retries_off() -> None:
    routes = {
        "/limited.html": [Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200)],
        "/busy.html": [Reply(503), Reply(200)],
    }
    with ScriptedServer(routes) as server:
        clock = FakeClock()
        limited = fetch_page(server.base_url + "/limited.html", clock=clock, retries=0)
        busy = fetch_page(server.base_url + "/busy.html", clock=clock, retries=0)
        # The server said when to come back: followed. A bare 503 is a failure: not retried.
        assert limited.outcome is Outcome.OK and limited.attempts == 2
        assert busy.outcome is Outcome.SERVER_ERROR and server.count("/busy.html") == 1
        assert clock.sleeps == [1.0]


def test_429_with_a_long_retry_after_is_rate_limited_not_dead() -> None:
    routes = {"/limited.html": [Reply(429, b"slow down", {"Retry-After": "3600"})]}
    with ScriptedServer(routes) as server:
        clock = FakeClock()
        result = fetch_page(server.base_url + "/limited.html", clock=clock)
        assert result.outcome is Outcome.RATE_LIMITED and result.outcome.is_unverified
        assert server.count("/limited.html") == 1 and clock.sleeps == []


def test_connection_reset_is_retried() -> None:
    with ScriptedServer({"/flaky.html": [Reply(reset=True), Reply(200)]}) as server:
        result = fetch_page(server.base_url + "/flaky.html")
        assert result.outcome is Outcome.OK and result.attempts == 2


def test_timeout_after_retries() -> None:
    with ScriptedServer({"/slow.html": [Reply(delay=1.5)]}) as server:
        result = fetch_page(server.base_url + "/slow.html", timeout=0.3, retries=1)
        assert result.outcome is Outcome.TIMEOUT and result.attempts == 2


def test_head_refused_falls_back_to_get_and_never_downloads_the_body() -> None:
    big = b"%PDF-1.4 " + b"x" * 2_000_000
    routes = {"/a.pdf": [Reply(405, b""), Reply(200, big, {"Content-Type": "application/pdf"})]}
    with ScriptedServer(routes) as server:
        result = run_with_fetcher(lambda f: f.probe(server.base_url + "/a.pdf", head_first=True))
        assert result.outcome is Outcome.OK and result.method == "GET" and result.body is None
        assert server.count("/a.pdf", "HEAD") == 1 and server.count("/a.pdf", "GET") == 1


def test_attachment_answering_with_an_html_error_page_is_a_soft_404() -> None:
    page = "<html><head><title>提示</title></head><body>对不起，您访问的页面不存在！</body></html>".encode()
    routes = {"/b.doc": [Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})]}
    with ScriptedServer(routes) as server:
        result = run_with_fetcher(lambda f: f.probe(server.base_url + "/b.doc", head_first=True))
        # The fetcher answers what it got (an HTML page where a .doc was expected); the reader's
        # screening (extract/soft404.py) recognises the error page in it.
        assert result.outcome is Outcome.OK and "html" in result.content_type
        assert screen(result, DEFAULT_SOFT404_PHRASES, 600).outcome is Outcome.SOFT_404


def test_html_body_is_capped() -> None:
    body = b"<html><body>" + b"a" * 200_000 + b"</body></html>"
    with ScriptedServer({"/huge.html": [Reply(200, body)]}) as server:
        result = fetch_page(server.base_url + "/huge.html", max_body_bytes=50_000)
        assert result.outcome is Outcome.OK and result.truncated
        assert result.body is not None and len(result.body) == 50_000


def test_untrusted_certificate_is_a_tls_error() -> None:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with ScriptedServer({"/": [Reply(200)]}, tls=context) as server:
        result = fetch_page(server.base_url + "/", retries=0)
        assert result.outcome is Outcome.TLS_ERROR, result.error
        assert result.outcome.is_dead


@pytest.mark.parametrize(("per_host", "interval"), [(2, 0.0), (1, 0.25)])
def test_per_host_concurrency_and_interval_are_respected(per_host: int, interval: float) -> None:
    routes = {f"/p{i}.html": [Reply(200, delay=0.05)] for i in range(12)}
    with ScriptedServer(routes) as server:
        clock = FakeClock()

        async def many(fetcher: Fetcher) -> list[FetchResult]:
            return await asyncio.gather(*(fetcher.page(f"{server.base_url}/p{i}.html") for i in range(12)))

        results = run_with_fetcher(many, per_host=per_host, interval=interval, clock=clock)
        assert all(r.outcome is Outcome.OK for r in results)
        assert server.max_in_flight <= per_host
        # Every request after the first waits out the interval since the one before it
        # (one at a time, so the virtual clock's waits do not overlap).
        assert clock.sleeps == ([interval] * 11 if interval else [])
