"""The TLS probe against real loopback https servers with trustme certificates."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from pathlib import Path

import httpx2
import pytest

from sitecheck.fetch.tls import Endpoint, name_matches, page_endpoints, probe, start_endpoint, trust_context
from sitecheck.models import HttpsRedirect, TlsOutcome, TransportFacts
from support.tls_site import Site, TestCA, serve


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ca"))


def _probe(ca: TestCA, site: Site, http_url: str = "", *, bundle: bool = True) -> TransportFacts:
    async def run() -> TransportFacts:
        async with httpx2.AsyncClient(follow_redirects=False) as client:
            trust = trust_context(True, str(ca.bundle) if bundle else "")
            return await probe(Endpoint("127.0.0.1", site.port, http_url, True), trust, client, 3.0)

    return asyncio.run(run())


def test_valid_certificate_is_read_whole(ca: TestCA) -> None:
    with serve(ca.leaf(days=90)) as site:
        facts = _probe(ca, site)
    assert facts.outcome is TlsOutcome.OK and facts.verify_error == ""
    assert facts.hostname_matches is True and facts.names == ("127.0.0.1",)
    assert facts.tls_version.startswith("TLSv1.")
    assert facts.issuer.startswith("trustme")
    left = dt.datetime.fromisoformat(facts.not_after) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=89) < left <= dt.timedelta(days=90)


def test_expiring_certificate_still_verifies_with_its_date(ca: TestCA) -> None:
    with serve(ca.leaf(days=5)) as site:
        facts = _probe(ca, site)
    assert facts.outcome is TlsOutcome.OK
    left = dt.datetime.fromisoformat(facts.not_after) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=4) < left <= dt.timedelta(days=5)


def test_expired_certificate_is_read_without_verification(ca: TestCA) -> None:
    with serve(ca.leaf(days=-3, start_days=-60)) as site:
        facts = _probe(ca, site)
    assert facts.outcome is TlsOutcome.EXPIRED
    assert "expired" in facts.verify_error
    # The second handshake still read the certificate: its dates and names are facts.
    assert dt.datetime.fromisoformat(facts.not_after) < dt.datetime.now(dt.UTC)
    assert facts.names == ("127.0.0.1",) and facts.hostname_matches is True


def test_certificate_for_another_name(ca: TestCA) -> None:
    with serve(ca.leaf("www.other.gov.cn")) as site:
        facts = _probe(ca, site)
    assert facts.outcome is TlsOutcome.HOSTNAME_MISMATCH
    assert facts.hostname_matches is False and facts.names == ("www.other.gov.cn",)


def test_untrusted_issuer(ca: TestCA) -> None:
    # The system store does not know the test CA: like a chain whose intermediate is missing.
    with serve(ca.leaf()) as site:
        facts = _probe(ca, site, bundle=False)
    assert facts.outcome is TlsOutcome.UNKNOWN_ISSUER
    assert facts.hostname_matches is True and facts.not_after


def test_nothing_listening_is_a_value_not_an_exception(ca: TestCA) -> None:
    with socket.socket() as held:  # bound, not listening: connecting is refused
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]

        async def run() -> TransportFacts:
            return await probe(Endpoint("127.0.0.1", port, "", True), trust_context(True), None, 2.0)

        facts = asyncio.run(run())
    assert facts.outcome is TlsOutcome.UNREACHABLE and facts.error
    assert facts.not_after == "" and facts.hostname_matches is None


def test_plain_http_server_on_the_https_port(ca: TestCA) -> None:
    with serve() as site:  # no TLS spoken at all
        facts = _probe(ca, site)
    assert facts.outcome is TlsOutcome.HANDSHAKE_FAILED
    assert facts.not_after == ""


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda http, https: http.redirect("/", https.base_url), HttpsRedirect.REDIRECTS),
        # http → http (index page) → https: followed hop by hop
        (
            lambda http, https: (
                http.redirect("/", "/index.html", 302),
                http.redirect("/index.html", https.base_url),
            ),
            HttpsRedirect.REDIRECTS,
        ),
        (lambda http, https: http.page("/", "<html><body>首页</body></html>"), HttpsRedirect.NO_REDIRECT),
        (
            lambda http, https: http.page(
                "/", f'<html><head><meta http-equiv="refresh" content="0;url={https.base_url}"></head></html>'
            ),
            HttpsRedirect.REDIRECTS,
        ),
        (
            lambda http, https: http.page(
                "/", f'<script>window.location.href = "{https.base_url}";</script>'
            ),
            HttpsRedirect.REDIRECTS,
        ),
        (lambda http, https: http.redirect("/", "/elsewhere.html"), HttpsRedirect.NO_REDIRECT),
    ],
    ids=["301", "two-hops", "200-stays", "meta-refresh", "script", "http-to-http-404"],
)
def test_http_home_page_redirect(ca: TestCA, setup: object, expected: HttpsRedirect) -> None:
    with serve(ca.leaf()) as https, serve() as http:
        setup(http, https)  # type: ignore[operator]
        facts = _probe(ca, https, http.base_url)
    assert facts.http_redirect is expected
    assert facts.http_url == http.base_url


def test_http_not_served(ca: TestCA) -> None:
    with serve(ca.leaf()) as https, socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        facts = _probe(ca, https, f"http://127.0.0.1:{held.getsockname()[1]}/")
    assert facts.outcome is TlsOutcome.OK
    assert facts.http_redirect is HttpsRedirect.NOT_SERVED


def test_name_matching_as_browsers_do() -> None:
    assert name_matches("www.example.gov.cn", ["*.example.gov.cn"])
    assert name_matches("WWW.Example.gov.cn.", ["www.example.gov.cn"])
    assert not name_matches("example.gov.cn", ["*.example.gov.cn"])  # a wildcard needs a label
    assert not name_matches("a.b.example.gov.cn", ["*.example.gov.cn"])  # one label only
    assert not name_matches("www.example.gov.cn", ["example.gov.cn", "*.gov.cn.example"])
    assert name_matches("127.0.0.1", ["127.0.0.1"]) and not name_matches("127.0.0.1", ["*.0.0.1"])
    assert name_matches("::1", ["0:0:0:0:0:0:0:1"])


def test_which_endpoints_are_probed() -> None:
    assert start_endpoint("https://www.example.gov.cn/") == Endpoint(
        "www.example.gov.cn", 443, "http://www.example.gov.cn/", True
    )
    # An http start URL on port 80: port 443 is a guess, to learn whether there is https to go to.
    assert start_endpoint("http://www.example.gov.cn/") == Endpoint(
        "www.example.gov.cn", 443, "http://www.example.gov.cn/", False
    )
    assert start_endpoint("http://127.0.0.1:8080/") is None
    found = page_endpoints(
        "http://127.0.0.1:8080/",
        ["https://127.0.0.1:8443/a.html", "https://127.0.0.1:8443/b.html", "https://zw.example.gov.cn/x"],
    )
    assert found == [
        Endpoint("127.0.0.1", 8443, "http://127.0.0.1:8080/", True),  # the start URL is its http side
        Endpoint("zw.example.gov.cn", 443, "http://zw.example.gov.cn/", True),
    ]


def test_ca_bundle_must_be_readable(tmp_path: Path) -> None:
    from sitecheck.config import config_from_mapping
    from sitecheck.errors import ConfigError

    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fetch\.ca_bundle"):
        config_from_mapping({"fetch": {"ca_bundle": str(broken)}})
    with pytest.raises(ConfigError, match=r"fetch\.ca_bundle"):
        config_from_mapping({"fetch": {"ca_bundle": str(tmp_path / "missing.pem")}})


def test_guessed_port_becomes_crawled_when_pages_were_read_there(
    ca: TestCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An http start URL's host is probed on 443 as a guess (stood in for here by the loopback
    site's port); when the crawl then reads pages there, that one probe counts as crawled."""
    from sitecheck.fetch import tls

    with serve(ca.leaf()) as site:
        start = "http://127.0.0.1/"
        monkeypatch.setattr(tls, "start_endpoint", lambda url: Endpoint("127.0.0.1", site.port, url, False))

        async def run() -> list[TransportFacts]:
            probes = tls.HostProbes(trust_context(True, str(ca.bundle)), None, 3.0)
            probes.begin(start)
            pages = iter([f"{site.base_url}a.html", f"{site.base_url}b.html"])  # read once, as from the store
            return await probes.finish(start, pages)

        [facts] = asyncio.run(run())
    assert facts.crawled and facts.outcome is TlsOutcome.OK and facts.port == site.port
