"""Why a link did not open, in Chinese: the 问题描述 of a link finding.

The store keeps what the fetcher said (``checks.error``: ``ConnectionRefused: ConnectError:
[Errno 111] Connection refused``, ``page says '页面不存在'``, ``anti-bot challenge``) as the raw
fact; an office reads this explanation instead. The technical cause is kept where a webmaster
acts on it (an expired certificate is fixed differently from a wrong host name), in Chinese
words; texts the fetcher already wrote in Chinese (重定向到内网地址 …) pass through unchanged.
"""

from __future__ import annotations

import json
import re

from sitecheck.models import Outcome

DEFAULT_TIMEOUT = 15.0  # seconds: fetch.timeout's default, the national 15-second line

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAGE_SAYS = re.compile(r"""^page says (['"])(?P<phrase>.*)\1$""", re.DOTALL)
_RETRY_AFTER = re.compile(r"^Retry-After (?P<seconds>\d+)s$")

# TLS failures a webmaster fixes differently, by what OpenSSL reported (lower-cased).
_TLS_CAUSES = (
    ("certificate has expired", "证书已过期"),
    ("hostname mismatch", "证书与域名不符"),
    ("doesn't match", "证书与域名不符"),
    ("not valid for", "证书与域名不符"),
    ("self-signed", "自签名证书，不受浏览器信任"),
    ("self signed", "自签名证书，不受浏览器信任"),
    ("unable to get local issuer", "证书链不完整或签发机构不受信任"),
    ("unable to get issuer", "证书链不完整或签发机构不受信任"),
    ("certificate is not yet valid", "证书尚未生效"),
    ("revoked", "证书已被吊销"),
    ("wrong version number", "该端口未提供 HTTPS 加密连接"),
    ("unsupported protocol", "服务器只支持已淘汰的加密协议版本"),
    ("handshake failure", "加密连接握手失败（服务器加密设置不兼容）"),
)


def timeout_of(config_json: str) -> float:
    """The run's request time limit (``fetch.timeout``) from its stored settings."""
    try:
        value = json.loads(config_json or "{}").get("fetch", {}).get("timeout")
    except (ValueError, AttributeError):
        return DEFAULT_TIMEOUT
    return float(value) if isinstance(value, int | float) and value > 0 else DEFAULT_TIMEOUT


def _seconds(value: float) -> str:
    return f"{value:g}"


def explain(outcome: Outcome, status: int | None, error: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The reason a link failed, in Chinese; "" when the HTTP status says it all (404, 500)."""
    error = (error or "").strip()
    if error and _CJK.search(error) and not _PAGE_SAYS.match(error):
        return error  # already written for a reader (redirect refusals, invalid targets)
    lowered = error.lower()
    if outcome is Outcome.SOFT_404:
        said = _PAGE_SAYS.match(error)
        if said:
            return f"页面显示“{said['phrase']}”，实际是错误页"
        return "页面返回正常状态，但内容是错误提示页"
    if outcome is Outcome.TIMEOUT:
        return f"连接超时（{_seconds(timeout)} 秒内无响应）"
    if outcome is Outcome.CONNECTION_ERROR:
        if "refused" in lowered:
            return "连接被拒绝（对方服务器没有在该端口提供服务）"
        if "reset" in lowered or "disconnected" in lowered or "remoteprotocol" in lowered:
            return "连接被对方服务器中断"
        return "无法与对方服务器建立连接"
    if outcome is Outcome.DNS_ERROR:
        return "域名无法解析（域名不存在或域名解析服务器无应答）"
    if outcome is Outcome.TLS_ERROR:
        cause = next((words for marker, words in _TLS_CAUSES if marker in lowered), "")
        return f"证书无效（{cause}）" if cause else "证书无效或加密连接失败"
    if outcome is Outcome.REDIRECT_ERROR:
        return "重定向次数过多或形成循环"
    if outcome is Outcome.BLOCKED:
        if "challenge" in lowered:
            return "对方网站的反爬虫验证页（人机验证），自动检查无法通过"
        return "对方网站的安全防护拒绝了自动访问"
    if outcome is Outcome.RATE_LIMITED:
        wait = _RETRY_AFTER.match(error)
        if wait:
            return f"对方网站要求 {wait['seconds']} 秒后再访问（访问过于频繁）"
        return "对方网站限制了访问频率"
    if outcome is Outcome.ROBOTS_DISALLOWED:
        return "该网站的 robots.txt 不允许自动访问此地址"
    if outcome is Outcome.INVALID_URL:
        return "链接地址格式无效，无法访问"
    # Outcomes an HTTP status describes (404, 403, 500): the status is shown beside this text.
    return ""
