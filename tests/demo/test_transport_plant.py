"""The sample portal's certificate plants (issue 16, part 4).

``sitecheck demo`` serves the portal's https service host with a certificate of its own CA
(demo/certificates.py, made with ``cryptography``: the demo runs offline with the main
dependencies alone) that expires in 5 days; tests/e2e/test_cli.py runs the command and finds it.
Here: that CA's certificate verifies as the crawler's trust sees it, and the whole portal served
over https (DemoServer(tls=…), a trustme certificate) shows the expiring certificate and nothing
else of the transport kinds: the http sample portal (the shared demo audit) has none at all.
"""

from __future__ import annotations

import json
import ssl
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from conftest import fast_config
from sitecheck.audit import AuditResult, run_audit
from sitecheck.demo import DemoServer
from sitecheck.models import FindingKind, Severity
from support.tls_site import TestCA

TRANSPORT_KINDS = {
    FindingKind.CERT_EXPIRY.value,
    FindingKind.CERT_INVALID.value,
    FindingKind.HTTPS_REDIRECT.value,
    FindingKind.MIXED_CONTENT.value,
}


class Expected(NamedTuple):
    kind: FindingKind
    severity: Severity
    shows: str


EXPIRING_IN_DAYS = 5
PLANT = (Expected(FindingKind.CERT_EXPIRY, Severity.DEDUCTION, "不足 7 天"),)


def test_demo_certificate_authority_verifies_and_expires_when_asked(tmp_path: Path) -> None:
    import asyncio
    import datetime as dt

    from sitecheck.demo.certificates import make_certificates
    from sitecheck.fetch.tls import Endpoint, probe, trust_context
    from sitecheck.models import TlsOutcome

    made = make_certificates(tmp_path / "tls", days=EXPIRING_IN_DAYS)
    with DemoServer(pages=20, slow_seconds=1.0, service_tls=made.server_context) as server:
        service = server.service_url
        assert service.startswith("https://127.0.0.") and server.portal.get_service("/").status == 200
        host, port = service.split("//")[1].rstrip("/").rsplit(":", 1)
        endpoint = Endpoint(host, int(port), "", True)
        seen = asyncio.run(probe(endpoint, trust_context(True, str(made.ca_bundle)), None, 5.0))
        # Without the demo's CA the same certificate is one nobody vouches for.
        untrusted = asyncio.run(probe(endpoint, trust_context(True), None, 5.0))
    assert seen.outcome is TlsOutcome.OK, seen
    left = dt.datetime.fromisoformat(seen.not_after) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=EXPIRING_IN_DAYS - 1) < left <= dt.timedelta(days=EXPIRING_IN_DAYS)
    assert untrusted.outcome is TlsOutcome.UNKNOWN_ISSUER, untrusted


def test_http_sample_portal_has_no_transport_finding(demo_audit: tuple[AuditResult, dict[str, Any]]) -> None:
    _, doc = demo_audit
    assert [f for f in doc["findings"] if f["kind"] in TRANSPORT_KINDS] == []


def test_expiring_certificate_on_the_https_sample_portal(
    tmp_path: Path, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    ca = TestCA(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.leaf(days=EXPIRING_IN_DAYS).configure_cert(context)
    json_path = tmp_path / "findings.json"
    with DemoServer(pages=150, slow_seconds=4.0, tls=context) as server:
        assert server.base_url.startswith("https://")
        config = fast_config(server.base_url, tmp_path / "data", ca_bundle=str(ca.bundle))
        run_audit(config, json_path=json_path, handle_signals=False)
    findings = json.loads(json_path.read_text(encoding="utf-8"))["findings"]
    found = [f for f in findings if f["kind"] in TRANSPORT_KINDS]
    assert len(found) == len(PLANT), [f["detail"] for f in found]
    for want, finding in zip(PLANT, found, strict=True):
        assert finding["kind"] == want.kind.value and finding["severity"] == want.severity.value
        assert want.shows in finding["detail"] and finding["url"] == server.base_url
    # Served over https, the sample portal shows the same problems as over http, no more.
    _, http_doc = demo_audit
    others = Counter(f["kind"] for f in findings if f["kind"] not in TRANSPORT_KINDS)
    assert others == Counter(f["kind"] for f in http_doc["findings"])
