"""Outcome classification (pure units: statuses, challenge pages, soft 404s, exceptions)."""

from __future__ import annotations

import socket
import ssl

import pytest

from sitecheck.config import DEFAULT_SOFT404_PHRASES
from sitecheck.extract.soft404 import soft_404_phrase, visible_text
from sitecheck.fetch.outcome import (
    is_challenge,
    is_refused,
    outcome_for_exception,
    outcome_for_status,
)
from sitecheck.models import Outcome

RUISHU_412 = (
    "<html><head><meta charset=\"utf-8\"><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
    "$_ts.nsd=12345;</script><script src=\"/abc/def.js\" r='m'></script></head><body></body></html>"
)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.OK),
        (301, Outcome.OK),
        (404, Outcome.NOT_FOUND),
        (410, Outcome.NOT_FOUND),
        (403, Outcome.CLIENT_ERROR),
        (429, Outcome.RATE_LIMITED),
        (500, Outcome.SERVER_ERROR),
        (502, Outcome.SERVER_ERROR),
    ],
)
def test_status_outcomes(status: int, outcome: Outcome) -> None:
    assert outcome_for_status(status) is outcome


def test_ruishu_412_is_a_challenge() -> None:
    assert is_challenge(412, {}, RUISHU_412)
    assert is_challenge(202, {}, RUISHU_412)


def test_plain_403_and_404_are_not_challenges() -> None:
    assert not is_challenge(404, {}, "<html><title>404 Not Found</title></html>")
    assert not is_challenge(403, {}, "<html><title>403 Forbidden</title><body>Forbidden</body></html>")
    assert is_challenge(403, {"cf-mitigated": "challenge"}, "")


def test_soft_404_by_title_and_short_body() -> None:
    phrases = DEFAULT_SOFT404_PHRASES
    assert soft_404_phrase("对不起，您访问的页面不存在", "", phrases, 600) == "页面不存在"
    assert soft_404_phrase("502", "", phrases, 600) == "502"
    body = visible_text("<html><body><h1>抱歉！源站出现问题，暂时无法访问！</h1></body></html>")
    assert soft_404_phrase("", body, phrases, 600) == "源站出现问题"


def test_long_article_mentioning_404_is_not_soft_404() -> None:
    text = "本文介绍网站检查中常见的 404 错误及整改方法。" * 100
    assert soft_404_phrase("关于网站检查的通知", text, DEFAULT_SOFT404_PHRASES, 600) is None
    assert soft_404_phrase("2024年第404期简报汇编目录与说明", "", DEFAULT_SOFT404_PHRASES, 600) is None


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("第 404 页", ""),  # a list's page 404, its number standing alone
        ("通知公告", "共 404 条 第 1/21 页 下一页"),  # a pager's total on a short list page
        ("404 号文件", ""),
        ("500 强企业名单", ""),
        ("简报", "第 404 期 编印"),
    ],
)
def test_a_number_that_counts_or_orders_is_no_status_code(title: str, text: str) -> None:
    assert soft_404_phrase(title, text, DEFAULT_SOFT404_PHRASES, 600) is None


@pytest.mark.parametrize(
    ("title", "text", "phrase"),
    [
        ("404", "", "404"),
        ("404 页面", "", "404 页面"),  # 页面 is "page", not a measure word
        ("某某市人民政府 - 404", "", "404"),
        ("提示", "错误代码：404 返回首页", "404"),
        ("ERROR 500", "", "ERROR 500"),
    ],
)
def test_a_status_code_standing_alone_marks_an_error_page(title: str, text: str, phrase: str) -> None:
    assert soft_404_phrase(title, text, DEFAULT_SOFT404_PHRASES, 600) == phrase


def _chain(outer: Exception, inner: BaseException) -> Exception:
    outer.__cause__ = inner
    return outer


def test_exception_chain_classification() -> None:
    refused = _chain(OSError("All connection attempts failed"), ConnectionRefusedError(111, "refused"))
    assert outcome_for_exception(refused)[0] is Outcome.CONNECTION_ERROR
    assert is_refused(refused)
    dns = _chain(OSError("x"), socket.gaierror(-2, "Name or service not known"))
    assert outcome_for_exception(dns)[0] is Outcome.DNS_ERROR
    tls = _chain(OSError("x"), ssl.SSLCertVerificationError("certificate has expired"))
    assert outcome_for_exception(tls)[0] is Outcome.TLS_ERROR
    assert outcome_for_exception(TimeoutError())[0] is Outcome.TIMEOUT
    assert not is_refused(dns)


def _pages_around_the_limit() -> list[str]:
    """Short and long answers, and texts whose length is near the limit with and without the
    spaces between their words."""
    pages = [
        "<html><head><title>页面不存在</title></head><body><p>您访问的页面不存在</p></body></html>",
        "<html><body>404 Not Found<hr>nginx</body></html>",
        "<html><head><script>var a='<p>not text</p>';</script><style>p{}</style></head><body>出错了</body></html>",
        "<p>" + "字" * 200 + "</p>",
        "<p>" + "字" * 201 + "</p>",
        "<p>" + "词 " * 150 + "</p>",  # 150 characters, 299 with the spaces: long
        "<div>" + "<span>ab</span> " * 99 + "页面不存在</div>",
        "<script>" * 50 + "页面不存在",  # unclosed scripts: their text is text
        "no markup at all, just 页面不存在",
        "",
    ]
    article = "<p>" + "本机关依法公开政府信息，" * 40 + "</p>"
    pages.append(f"<html><head><title>通知</title></head><body>{article}<p>404</p></body></html>")
    return pages


@pytest.mark.parametrize("html", _pages_around_the_limit())
@pytest.mark.parametrize("limit", [0, 20, 200, 10_000])
def test_a_probed_answers_text_is_read_only_as_far_as_the_verdict_needs(html: str, limit: int) -> None:
    from sitecheck.extract.soft404 import short_visible_text

    phrases = (*DEFAULT_SOFT404_PHRASES, "404")
    whole = visible_text(html)
    short = short_visible_text(html, limit)
    assert short in ("", whole)
    assert short == whole or len(whole) > limit  # "" only for a text longer than the limit
    assert soft_404_phrase("", short, phrases, limit) == soft_404_phrase("", whole, phrases, limit)
