"""Requests a host leaves waiting (fetch/politeness.py ``InFlight``, crawl/engine.py): an endpoint
that never answers holds a socket, not the crawl's slots, while its host answers the rest
quickly; a server that is slow throughout gets no more requests at once than its slots.

Real servers on 127.0.0.1. The endpoints wait longer than the crawl's timeout; the pages are
answered at once. Held by the endpoints (two per host, early lane first), the pages would be
read only after two rounds of that timeout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import fast_config
from scripted_server import Hit, Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.config import AuditConfig

PAGES = 30
TIMEOUT = 8.0
PAGE_PATHS = [f"/a/{n}.html" for n in range(PAGES)]


def _page(links: list[str]) -> bytes:
    anchors = "".join(f"<li><a href='{href}'>链接 {href}</a></li>" for href in links)
    return f"<html><head><title>页</title></head><body><ul>{anchors}</ul></body></html>".encode()


def _config(
    base_url: str,
    data: Path,
    *,
    concurrency: int,
    workers: int = 0,
    adaptive: bool = False,
    interval: float = 0.0,
) -> AuditConfig:
    config = fast_config(base_url + "/", data, timeout=TIMEOUT, retries=0, workers=workers)
    politeness = {"concurrency": concurrency, "per_host_concurrency": 2, "adaptive": adaptive}
    config = config.replace("politeness", min_interval=interval, **politeness)
    return config.replace("site", use_sitemap=False)


def _arrivals(hits: list[Hit], paths: list[str]) -> list[float]:
    return [hit.at for hit in hits if hit.path in paths]


HANGING = [f"/search/q{k}.jsp" for k in range(4)]


def _assert_endpoints_held_nothing(
    tmp_path: Path,
    robots: Reply | None = None,
    *,
    workers: int = 0,
    adaptive: bool = False,
    interval: float = 0.0,
) -> None:
    """Crawl a portal whose home page links four endpoints that never answer (early lane) and
    PAGES pages; every page must be asked for while the first endpoints still wait."""
    routes = {"/": [Reply(body=_page([*HANGING, *PAGE_PATHS]))]}
    if robots is not None:
        routes["/robots.txt"] = [robots]
    routes |= {path: [Reply(body=_page([]))] for path in PAGE_PATHS}
    routes |= {path: [Reply(body=_page([]), delay=TIMEOUT + 1)] for path in HANGING}
    with ScriptedServer(routes) as portal:
        config = _config(
            portal.base_url,
            tmp_path / "data",
            concurrency=4,
            workers=workers,
            adaptive=adaptive,
            interval=interval,
        )
        assert config.politeness.respect_robots
        result = run_audit(config, handle_signals=False)
        hits = list(portal.hits)
    assert result.stats.finished
    pages, endpoints = _arrivals(hits, PAGE_PATHS), _arrivals(hits, HANGING)
    assert len(pages) == PAGES and len(endpoints) == len(HANGING)
    assert max(pages) - min(endpoints) < TIMEOUT, (min(endpoints), sorted(pages)[-3:])


# With an interval between requests, a task waits for it before its request is sent: the
# crawl's dispatcher allows for that wait, and looks again while a request still counts.
@pytest.mark.parametrize(
    ("workers", "adaptive", "interval"), [(0, False, 0.0), (0, True, 0.0), (1, False, 0.0), (0, False, 0.1)]
)
def test_endpoints_that_never_answer_do_not_hold_the_rest_of_the_site(
    tmp_path: Path, workers: int, adaptive: bool, interval: float
) -> None:
    _assert_endpoints_held_nothing(tmp_path, workers=workers, adaptive=adaptive, interval=interval)


def test_links_to_a_host_that_never_answers_do_not_take_the_crawl_s_slots(tmp_path: Path) -> None:
    # It answers just before the timeout (a request it kept past the timeout would still be in
    # flight there when the next one came).
    silent = [f"/x/{k}.html" for k in range(4)]
    late = TIMEOUT - 1
    with ScriptedServer({path: [Reply(delay=late)] for path in silent}) as elsewhere:
        links = [elsewhere.base_url + path for path in silent]
        routes = {"/": [Reply(body=_page([*links, *PAGE_PATHS]))]}
        routes |= {path: [Reply(body=_page([]))] for path in PAGE_PATHS}
        with ScriptedServer(routes) as portal:
            # Two requests at once in all: the silent host's two would be all of them.
            result = run_audit(
                _config(portal.base_url, tmp_path / "data", concurrency=2), handle_signals=False
            )
            hits = list(portal.hits)
        elsewhere_hits = list(elsewhere.hits)
        most_at_once = elsewhere.max_in_flight
    assert result.stats.finished
    pages = _arrivals(hits, PAGE_PATHS)
    assert len(pages) == PAGES
    assert max(pages) - min(hit.at for hit in elsewhere_hits) < late
    # The silent host answers nothing: it never gets more than its two requests at once.
    assert most_at_once <= 2


def test_a_server_slow_throughout_gets_no_more_requests_at_once_than_its_slots(tmp_path: Path) -> None:
    # Every answer takes longer than a request may wait before it counts as slow: nothing is
    # answered quickly, nothing overtakes, so no request is released.
    paths = PAGE_PATHS[:6]
    routes = {"/": [Reply(body=_page(paths), delay=1.4)], "/robots.txt": [Reply(404, b"", delay=1.4)]}
    routes |= {path: [Reply(body=_page([]), delay=1.4)] for path in paths}
    with ScriptedServer(routes) as portal:
        result = run_audit(_config(portal.base_url, tmp_path / "data", concurrency=8), handle_signals=False)
        hits = list(portal.hits)
        most_at_once = portal.max_in_flight
    assert result.stats.finished
    assert len(_arrivals(hits, paths)) == len(paths)
    assert most_at_once <= 2


def test_a_robots_txt_left_waiting_is_asked_for_once(tmp_path: Path) -> None:
    # A host that never answers (a site linked from the portal, or the portal's robots.txt
    # behind a stuck gateway) would hold the crawl three timeouts before the first page.
    routes = {"/robots.txt": [Reply(404, b"", delay=2.0)], "/": [Reply(body=_page(PAGE_PATHS[:3]))]}
    routes |= {path: [Reply(body=_page([]))] for path in PAGE_PATHS[:3]}
    with ScriptedServer(routes) as portal:
        config = fast_config(portal.base_url + "/", tmp_path / "data", timeout=1.0, retries=2, backoff=0.05)
        result = run_audit(config.replace("site", use_sitemap=False), handle_signals=False)
        asked = portal.count("/robots.txt")
        pages = len(_arrivals(list(portal.hits), PAGE_PATHS[:3]))
    assert result.stats.finished
    assert asked == 1
    assert pages == 3  # unanswered means no rules


def test_a_host_that_answers_quickly_is_not_taken_for_slow_by_its_first_pages_wait(tmp_path: Path) -> None:
    # The home page's task also waits for robots.txt (answered late here, by the engine's own
    # client) and is read by a worker process: the page's request alone says how the host
    # answers it. Taken for the task's whole time, the host looked slow, and the endpoints held
    # both its slots until their timeout, twice. (In one process, robots.txt's late answer is
    # one of the host's answers to that process's own limiter, and counts as one.)
    robots = Reply(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}, delay=0.6)
    _assert_endpoints_held_nothing(tmp_path, robots=robots, workers=1)
