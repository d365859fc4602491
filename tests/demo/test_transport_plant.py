"""The sample portal's certificate plant (issue 16, part 4): the portal served over https on
loopback with a trustme certificate that expires in 5 days.

A test-only plant: trustme is a test dependency, and ``sitecheck demo`` must run offline with the
main dependencies alone, so the demo itself stays on http (DemoServer(tls=…) is how a test serves
it over https). The expiring certificate is found, and nothing else of the transport kinds: the
http sample portal (the shared demo audit) has none at all.
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
