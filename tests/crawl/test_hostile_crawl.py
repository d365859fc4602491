"""Work a portal can make the crawl do, bounded (issue 10): sitemaps that point away or go on forever.

A scripted server on 127.0.0.1 plays the portal, another one plays "another host"; the crawl
runs in-process. Requests are counted on the servers themselves.
"""

from __future__ import annotations

from pathlib import Path

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit

HOME = "<html><head><title>首页</title></head><body><a href='/a.html'>a</a></body></html>".encode()
XML = {"Content-Type": "application/xml"}


def _sitemap(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset>{entries}</urlset>'.encode()


def test_robots_sitemap_lines_to_other_hosts_or_ports_are_not_fetched(tmp_path: Path) -> None:
    with ScriptedServer({"/sitemap.xml": [Reply(body=_sitemap([]), headers=XML)]}) as other:
        robots = f"User-agent: *\nAllow: /\nSitemap: {other.base_url}/sitemap.xml\n"
        routes = {
            "/": [Reply(body=HOME)],
            "/a.html": [Reply(body=HOME)],
            "/robots.txt": [Reply(body=robots.encode(), headers={"Content-Type": "text/plain"})],
        }
        with ScriptedServer(routes) as portal:
            run_audit(fast_config(portal.base_url + "/", tmp_path / "data"), handle_signals=False)
            assert portal.count("/robots.txt") == 1
            assert portal.count("/sitemap.xml") == 1  # its own default sitemap instead
        assert other.hits == []


def test_a_huge_sitemap_does_not_widen_the_crawl_beyond_max_pages(tmp_path: Path) -> None:
    with ScriptedServer({}) as portal:
        urls = [f"{portal.base_url}/p/{n}.html" for n in range(60_000)]  # ~3 MB of sitemap
        portal.routes.update(
            {
                "/": [Reply(body=HOME)],
                "/a.html": [Reply(body=HOME)],
                "/sitemap.xml": [Reply(body=_sitemap(urls), headers=XML)],
            }
        )
        config = fast_config(portal.base_url + "/", tmp_path / "data").replace("scope", max_pages=30)
        result = run_audit(config, handle_signals=False)
        requested = [h for h in portal.hits if h.path.startswith("/p/")]
    assert result.summary is not None
    # The sitemap seeds at most max_pages pages; nothing past the limit is requested through it.
    assert 0 < len(requested) <= 30
