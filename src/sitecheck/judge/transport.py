"""Certificates and transport (issue 16, part 4), from the stored probe facts and link facts.

* 证书到期 (``cert_expiry``): days from the day judged to the certificate's notAfter — within
  ``[transport] cert_warn_days`` (30) a warning (预警), within ``cert_fail_days`` (7) or past it a
  deduction: browsers then stop visitors with a full-page security warning.
* 证书无效 (``cert_invalid``): a certificate for other names, a self-signed one, a chain that does
  not reach a trusted root (mostly an intermediate the server does not send), not yet valid — a
  deduction, as every browser warns. A chain OpenSSL cannot judge at all (SM2/国密 certificates,
  an algorithm it does not know) is "could not verify", a warning, never "invalid" (beyond.md
  row 11).
* 未跳转 HTTPS (``https_redirect``): the host has a valid certificate and its http:// home page
  still answers over http. A warning only: no national rule requires HTTPS (beyond.md row 11,
  "No national HTTPS rule found"), and the detail says so.
* 混合内容 (``mixed_content``): an https page of the portal loads an image, script, stylesheet,
  frame or media over http. One warning per host serving them (a logo in a template is one
  thing to fix, not one per page), with example resources and the pages that load them.

Only hosts whose pages the crawl read over https are judged for their certificates; port 443 of
an http start URL's host, probed as a guess, only says whether there is https to redirect to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from urllib.parse import urlsplit

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import (
    Finding,
    FindingKind,
    HttpsRedirect,
    MixedContentRow,
    Referrer,
    Severity,
    TlsOutcome,
    TransportFacts,
)
from sitecheck.store import RunFacts

CERT_BASIS = "浏览器证书校验规则：证书过期、域名不符或无法验证时，浏览器以整页安全警告阻止访问"
NO_RULE = "国家层面未见强制网站使用 HTTPS 的规定，此项为安全建议"
# Elements that load what they name into the page (a link or a menu option only navigates).
_LOADING = (
    "img",
    "script",
    "link",
    "iframe",
    "frame",
    "embed",
    "object",
    "video",
    "audio",
    "source",
    "track",
    "input",
    "body",
    "table",
    "td",
    "th",
)
# Blocked outright by browsers (active mixed content): the page loses its script, style or frame.
_ACTIVE = frozenset({"script", "link", "iframe", "frame", "embed", "object"})
_ELEMENT_WORDS = {
    "img": "图片",
    "input": "图片",
    "body": "背景图片",
    "table": "背景图片",
    "td": "背景图片",
    "th": "背景图片",
    "script": "脚本",
    "link": "样式表/图标",
    "iframe": "框架",
    "frame": "框架",
    "embed": "插件",
    "object": "插件",
    "video": "视频",
    "audio": "音频",
    "source": "媒体",
    "track": "字幕",
}
# A <link> loads only as a stylesheet, icon or font; rel="canonical"/"alternate" only names a page.
# The rel is not stored: what its check answered (or its file name) tells which it is.
_LOADED_TYPES = ("text/css", "image/", "font/", "application/font", "application/x-font")
_LOADED_SUFFIXES = (
    ".css",
    ".ico",
    ".png",
    ".gif",
    ".jpg",
    ".jpeg",
    ".svg",
    ".webp",
    ".woff",
    ".woff2",
    ".ttf",
)
_MAX_REFERRERS = 50
_EXAMPLES = 3
_CHAIN_WORDS = {
    TlsOutcome.SELF_SIGNED: "证书为自签名证书，浏览器不信任",
    TlsOutcome.UNKNOWN_ISSUER: "证书链无法验证到受信任的根证书（服务器未发送中间证书，或签发机构不受信任）",
    TlsOutcome.NOT_YET_VALID: "证书尚未生效",
}


def transport(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    settings = context.transport
    placement = context.place_of(facts)
    if settings.tls:
        redirects: dict[str, Finding] = {}  # one per http page, though two https ports may share it
        for probe in facts.transport():
            if probe.crawled:
                yield from _expiry(probe, context)
                yield from _invalid(probe)
            if settings.https_redirect:
                for finding in _no_redirect(probe, context.as_of):
                    redirects.setdefault(finding.key, finding)
        yield from redirects.values()
    if settings.mixed_content:
        for finding in _mixed(facts.mixed_content(_LOADING)):
            place = placement.of(finding.referrers[0].page if finding.referrers else finding.url)
            yield dataclasses.replace(finding, column=place.column, office=place.office)


def origin(probe: TransportFacts) -> str:
    host = f"[{probe.host}]" if ":" in probe.host else probe.host
    return f"https://{host}/" if probe.port == 443 else f"https://{host}:{probe.port}/"


def _day(iso: str) -> date | None:
    try:
        return datetime.fromisoformat(iso).date() if iso else None
    except ValueError:
        return None


def _certificate(probe: TransportFacts) -> str:
    names = "、".join(probe.names[:6]) + ("等" if len(probe.names) > 6 else "")
    parts = [f"证书主体 {probe.subject}"] if probe.subject else []
    parts.append(f"签发者 {probe.issuer or '（无）'}")
    if names:
        parts.append(f"适用域名 {names}")
    if probe.tls_version:
        parts.append(f"协议 {probe.tls_version}")
    return "，".join(parts)


def _expired(probe: TransportFacts, as_of: date) -> bool:
    end = _day(probe.not_after)
    if end is None:
        return False
    return end < as_of or (end == as_of and probe.outcome is TlsOutcome.EXPIRED)


def _expiry(probe: TransportFacts, context: JudgeContext) -> Iterator[Finding]:
    end = _day(probe.not_after)
    if end is None:
        return
    days = (end - context.as_of).days
    settings = context.transport
    if _expired(probe, context.as_of):
        severity, claim = Severity.DEDUCTION, f"证书已于 {end.isoformat()} 过期"
    elif days <= settings.cert_fail_days:
        severity, claim = (
            Severity.DEDUCTION,
            f"证书将于 {end.isoformat()} 到期（剩余 {days} 天，不足 {settings.cert_fail_days} 天）",
        )
    elif days <= settings.cert_warn_days:
        severity, claim = (
            Severity.WARNING,
            f"证书将于 {end.isoformat()} 到期（剩余 {days} 天，不足 {settings.cert_warn_days} 天，预警）",
        )
    else:
        return
    url = origin(probe)
    yield Finding(
        key=finding_key(FindingKind.CERT_EXPIRY, f"{probe.host}:{probe.port}"),
        kind=FindingKind.CERT_EXPIRY,
        severity=severity,
        url=url,
        detail=f"{url} 的{claim}；{_certificate(probe)}。依据：{CERT_BASIS}",
    )


def _invalid(probe: TransportFacts) -> Iterator[Finding]:
    problems: list[str] = []
    severity = Severity.DEDUCTION
    if probe.hostname_matches is False or (
        probe.outcome is TlsOutcome.HOSTNAME_MISMATCH and probe.hostname_matches is None
    ):
        problems.append(f"证书不包含域名 {probe.host}")
    elif probe.outcome is TlsOutcome.HOSTNAME_MISMATCH:
        problems.append(f"证书与域名 {probe.host} 不符（OpenSSL：{probe.verify_error}）")
    if probe.outcome in _CHAIN_WORDS:
        problems.append(f"{_CHAIN_WORDS[probe.outcome]}（OpenSSL：{probe.verify_error}）")
    elif probe.outcome in (TlsOutcome.UNVERIFIABLE, TlsOutcome.HANDSHAKE_FAILED) and not problems:
        # SM2/国密 certificates and algorithms OpenSSL does not know: could not verify, not invalid.
        why = probe.verify_error or probe.error
        problems.append(f"无法核验证书（{why}）；国密 SM2 等证书无法用 OpenSSL 校验，请用浏览器人工核实")
        severity = Severity.WARNING
    if not problems:
        return
    url = origin(probe)
    shown = f"；{_certificate(probe)}" if probe.not_after else ""
    yield Finding(
        key=finding_key(FindingKind.CERT_INVALID, f"{probe.host}:{probe.port}"),
        kind=FindingKind.CERT_INVALID,
        severity=severity,
        url=url,
        detail=f"{url}：{'；'.join(problems)}{shown}。依据：{CERT_BASIS}",
    )


def _no_redirect(probe: TransportFacts, as_of: date) -> Iterator[Finding]:
    # Only a host whose https works is worth sending visitors to.
    if probe.http_redirect is not HttpsRedirect.NO_REDIRECT or probe.outcome is not TlsOutcome.OK:
        return
    if probe.hostname_matches is False or _expired(probe, as_of):
        return
    status = f"HTTP {probe.http_status}" if probe.http_status is not None else "无状态码"
    landed = (
        f"，停在 {probe.http_final_url}"
        if probe.http_final_url and probe.http_final_url != probe.http_url
        else ""
    )
    yield Finding(
        key=finding_key(FindingKind.HTTPS_REDIRECT, probe.http_url),
        kind=FindingKind.HTTPS_REDIRECT,
        severity=Severity.WARNING,
        url=probe.http_url,
        status=probe.http_status,
        detail=(
            f"{probe.http_url} 以 http 打开（{status}{landed}），没有跳转到 https；"
            f"而 {origin(probe)} 的证书有效。说明：{NO_RULE}"
        ),
    )


def loads_into_page(row: MixedContentRow) -> bool:
    """Does the element load what it names (not a <link rel="canonical">, not an onclick)?"""
    attribute = row.attribute.rsplit(":", 1)[-1]
    if attribute == "onclick" or row.element not in _LOADING:
        return False
    if row.element != "link":
        return True
    content_type = row.content_type.lower()
    if content_type:
        return content_type.startswith(_LOADED_TYPES)
    return urlsplit(row.url).path.lower().endswith(_LOADED_SUFFIXES)


def _mixed(rows: list[MixedContentRow]) -> Iterator[Finding]:
    groups: dict[str, list[MixedContentRow]] = {}
    for row in rows:
        if loads_into_page(row):
            groups.setdefault(urlsplit(row.url).netloc.lower(), []).append(row)
    for host, found in groups.items():
        resources = list(dict.fromkeys(row.url for row in found))
        pages = list(dict.fromkeys(row.page_url for row in found))
        kinds: dict[str, int] = {}
        for url in resources:
            element = next(row.element for row in found if row.url == url)
            word = _ELEMENT_WORDS.get(element, element)
            kinds[word] = kinds.get(word, 0) + 1
        counted = "、".join(f"{word} {n} 个" for word, n in kinds.items())
        examples = "；".join(
            f"{row.url}（<{row.element} {row.attribute.rsplit(':', 1)[-1]}>，见 {row.page_url}）"
            for row in _first_per_resource(found)[:_EXAMPLES]
        )
        active = any(row.element in _ACTIVE for row in found)
        effect = (
            "浏览器会直接拦截其中的脚本、样式表或框架，页面可能显示不全或功能失效"
            if active
            else "浏览器地址栏显示“不安全”，或改用 https 加载、没有 https 地址的资源将无法显示"
        )
        first_per_page: dict[str, MixedContentRow] = {}
        for row in found:
            first_per_page.setdefault(row.page_url, row)
        referrers = tuple(
            Referrer(row.page_url, row.element, row.attribute, "", row.raw)
            for row in list(first_per_page.values())[:_MAX_REFERRERS]
        )
        yield Finding(
            key=finding_key(FindingKind.MIXED_CONTENT, host),
            kind=FindingKind.MIXED_CONTENT,
            severity=Severity.WARNING,
            url=resources[0],
            detail=(
                f"{len(pages)} 个 https 页面通过 http 加载 {host} 上的 {len(resources)} 个资源（{counted}），"
                f"如 {examples}；{effect}。说明：{NO_RULE}"
            ),
            referrers=referrers,
        )


def _first_per_resource(rows: list[MixedContentRow]) -> list[MixedContentRow]:
    first: dict[str, MixedContentRow] = {}
    for row in rows:
        first.setdefault(row.url, row)
    return list(first.values())
