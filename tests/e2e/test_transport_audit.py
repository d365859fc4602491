"""Certificates and transport, end to end: real audits of loopback https sites with trustme
certificates, the findings read from the JSON report (and every other report format once)."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import fast_config
from sitecheck.audit import run_audit
from sitecheck.models import HttpsRedirect, TlsOutcome
from sitecheck.store import Store
from support.tls_site import Site, TestCA, serve

TRANSPORT_KINDS = {"cert_expiry", "cert_invalid", "https_redirect", "mixed_content"}


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ca"))


def _home(site: Site, body: str = "") -> None:
    site.page(
        "/", f"<html><head><title>首页</title></head><body><a href='/a.html'>工作动态</a>{body}</body></html>"
    )
    site.page("/a.html", "<html><head><title>工作动态</title></head><body>正文</body></html>")


def _audit(
    tmp: Path,
    ca: TestCA,
    start_url: str,
    *,
    extra_hosts: tuple[str, ...] = (),
    reports: bool = False,
    insecure: bool = False,
    **transport: Any,
) -> tuple[list[dict[str, Any]], Path]:
    config = fast_config(start_url, tmp / "data", ca_bundle=str(ca.bundle), verify_tls=not insecure)
    config = config.replace("site", extra_hosts=extra_hosts, use_sitemap=False)
    config = config.replace("politeness", respect_robots=False)
    if transport:
        config = config.replace("transport", **transport)
    config = dataclasses.replace(config, reports_dir=str(tmp / "reports"))
    json_path = tmp / "findings.json"
    run_audit(config, json_path=json_path, handle_signals=False, reports=reports)
    findings = json.loads(json_path.read_text(encoding="utf-8"))["findings"]
    return [f for f in findings if f["kind"] in TRANSPORT_KINDS], tmp / "data"


def test_valid_certificate_gives_no_finding(tmp_path: Path, ca: TestCA) -> None:
    with serve(ca.leaf(days=200)) as site:
        _home(site)
        found, data = _audit(tmp_path, ca, site.base_url)
    assert found == []
    store = Store(str(data))
    try:
        [probe] = store.transport(store.latest_run().id)  # type: ignore[union-attr]
    finally:
        store.close()
    assert probe.outcome is TlsOutcome.OK and probe.port == site.port and probe.crawled


@pytest.mark.parametrize(("days", "severity"), [(5, "deduction"), (20, "warning")])
def test_expiring_certificate(tmp_path: Path, ca: TestCA, days: int, severity: str) -> None:
    with serve(ca.leaf(days=days)) as site:
        _home(site)
        found, _ = _audit(tmp_path, ca, site.base_url)
    [finding] = found
    assert finding["kind"] == "cert_expiry" and finding["severity"] == severity
    assert finding["url"] == site.base_url
    assert f"剩余 {days - 1} 天" in finding["detail"] or f"剩余 {days} 天" in finding["detail"]
    assert "trustme" in finding["detail"]  # the issuer, as evidence


def test_expired_certificate(tmp_path: Path, ca: TestCA) -> None:
    # The crawl itself reads the site with --insecure; the probe still checks the certificate.
    with serve(ca.leaf(days=-2, start_days=-90)) as site:
        _home(site)
        found, _ = _audit(tmp_path, ca, site.base_url, insecure=True)
    [finding] = found
    assert finding["kind"] == "cert_expiry" and finding["severity"] == "deduction"
    assert "已于" in finding["detail"] and "过期" in finding["detail"]


def test_certificate_for_another_host_name(tmp_path: Path, ca: TestCA) -> None:
    with serve(ca.leaf("www.other.gov.cn")) as site:
        _home(site)
        found, _ = _audit(tmp_path, ca, site.base_url, insecure=True)
    [finding] = found
    assert finding["kind"] == "cert_invalid" and finding["severity"] == "deduction"
    assert "证书不包含域名 127.0.0.1" in finding["detail"] and "www.other.gov.cn" in finding["detail"]


def test_untrusted_chain(tmp_path: Path, ca: TestCA, tmp_path_factory: pytest.TempPathFactory) -> None:
    stranger = TestCA(tmp_path_factory.mktemp("stranger"))
    with serve(stranger.leaf()) as site:
        _home(site)
        found, _ = _audit(tmp_path, ca, site.base_url, insecure=True)
    [finding] = found
    assert finding["kind"] == "cert_invalid" and finding["severity"] == "deduction"
    assert "中间证书" in finding["detail"]


def test_http_home_redirecting_to_https_is_no_finding(tmp_path: Path, ca: TestCA) -> None:
    with serve(ca.leaf()) as https, serve() as http:
        _home(https)
        http.redirect("/", https.base_url)
        found, data = _audit(tmp_path, ca, http.base_url, extra_hosts=(f"127.0.0.1:{https.port}",))
    assert found == []
    store = Store(str(data))
    try:
        [probe] = store.transport(store.latest_run().id)  # type: ignore[union-attr]
    finally:
        store.close()
    assert probe.http_url == http.base_url and probe.http_redirect is HttpsRedirect.REDIRECTS


def test_http_home_without_redirect(tmp_path: Path, ca: TestCA) -> None:
    with serve(ca.leaf()) as https, serve() as http:
        _home(https)
        http.page("/", f"<html><body><a href='{https.base_url}a.html'>工作动态</a></body></html>")
        found, _ = _audit(tmp_path, ca, http.base_url, extra_hosts=(f"127.0.0.1:{https.port}",))
    [finding] = found
    assert finding["kind"] == "https_redirect" and finding["severity"] == "warning"
    assert finding["url"] == http.base_url
    assert "国家层面未见强制" in finding["detail"] and "HTTP 200" in finding["detail"]


def test_http_home_without_redirect_but_broken_https_is_not_pushed(tmp_path: Path, ca: TestCA) -> None:
    with serve(ca.leaf("www.other.gov.cn")) as https, serve() as http:
        _home(https)
        http.page("/", f"<html><body><a href='{https.base_url}a.html'>工作动态</a></body></html>")
        found, _ = _audit(
            tmp_path, ca, http.base_url, extra_hosts=(f"127.0.0.1:{https.port}",), insecure=True
        )
    assert [f["kind"] for f in found] == ["cert_invalid"]


def _mixed_site(https: Site, http: Site) -> None:
    other = http.base_url
    resources = (
        f"<img src='{other}logo.png' alt='logo'>"
        f"<script src='{other}app.js'></script>"
        f"<link rel='stylesheet' href='{other}site.css'>"
        # Not loaded into the page: a canonical name, a link, a protocol-relative (https) image.
        f"<link rel='canonical' href='{other}'>"
        f"<a href='{other}news.html'>新闻</a>"
        f"<img src='//127.0.0.1:{https.port}/ok.png'>"
    )
    https.page(
        "/",
        f"<html><head><title>首页</title></head><body><a href='/a.html'>动态</a>{resources}</body></html>",
    )
    https.page("/a.html", f"<html><body><img src='{other}logo.png'></body></html>")
    https.file("/ok.png", "image/png")
    http.page("/", "<html><body>other</body></html>")
    http.page("/news.html", "<html><body>news</body></html>")
    http.file("/logo.png", "image/png")
    http.file("/app.js", "application/javascript")
    http.file("/site.css", "text/css")


def test_mixed_content_is_one_warning_per_resource_host(tmp_path: Path, ca: TestCA) -> None:
    with serve(ca.leaf()) as https, serve() as http:
        _mixed_site(https, http)
        found, _ = _audit(tmp_path, ca, https.base_url, reports=True)
    [finding] = found
    assert finding["kind"] == "mixed_content" and finding["severity"] == "warning"
    detail = finding["detail"]
    assert f"2 个 https 页面通过 http 加载 127.0.0.1:{http.port} 上的 3 个资源" in detail
    assert "图片 1 个" in detail and "脚本 1 个" in detail and "样式表/图标 1 个" in detail
    assert "拦截" in detail  # a script: blocked, not only marked
    assert {r["page"] for r in finding["referrers"]} == {https.base_url, https.base_url + "a.html"}
    assert "news.html" not in detail and "ok.png" not in detail

    # The evidence is in every report format.
    [folder] = [p for p in (tmp_path / "reports").glob("*/*") if p.is_dir() and not p.is_symlink()]
    rows = list(csv.DictReader((folder / "findings.csv").open(encoding="utf-8-sig")))
    assert any("混合内容" in " ".join(row.values()) and "logo.png" in " ".join(row.values()) for row in rows)
    assert "混合内容" in (folder / "checklist.html").read_text(encoding="utf-8")
    sarif = json.loads((folder / "findings.sarif").read_text(encoding="utf-8"))
    rules = {rule["id"]: rule for run in sarif["runs"] for rule in run["tool"]["driver"]["rules"]}
    assert any("mixed_content" in rule_id for rule_id in rules)
    book = openpyxl.load_workbook(folder / "checklist.xlsx", read_only=True)
    cells = [
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c
    ]
    book.close()
    assert any("混合内容" in c for c in cells) and any("logo.png" in c for c in cells)


@pytest.mark.parametrize(
    "switch", [{"mixed_content": False}, {"tls": False}], ids=["mixed-content-off", "tls-off"]
)
def test_switches(tmp_path: Path, ca: TestCA, switch: dict[str, bool]) -> None:
    with serve(ca.leaf(days=5)) as https, serve() as http:
        _mixed_site(https, http)
        found, _ = _audit(tmp_path, ca, https.base_url, **switch)
    kinds = {f["kind"] for f in found}
    if "tls" in switch:
        assert kinds == {"mixed_content"}
    else:
        assert kinds == {"cert_expiry"}
