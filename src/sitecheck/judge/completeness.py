"""Whether a run read what it had to: a clean verdict is only given on a complete run.

Two facts decide it: the start page was read as an HTML page (``runs.home_url`` is set when
the crawl parsed it), and every target of the run was handled (no target ``failed`` or still
``pending``). Anything else makes the run incomplete, with a reason an office worker can act on.
"""

from __future__ import annotations

from collections.abc import Mapping

from sitecheck.fetch.client import is_html
from sitecheck.judge.explain import DEFAULT_TIMEOUT, explain, timeout_of
from sitecheck.models import HomeTarget, Outcome
from sitecheck.store import RunFacts
from sitecheck.urls import Scope

_HINTS = {
    Outcome.TLS_ERROR: "；若证书确有问题请先整改，临时检查可加 --insecure",
    Outcome.BLOCKED: "；请在网站防护（如瑞数、WAF）中放行本机 IP 后再检查",
    Outcome.RATE_LIMITED: "；请稍后再试，或调低 --per-host 与调大 --interval",
    Outcome.ROBOTS_DISALLOWED: "；检查本单位自己的网站时可加 --no-robots",
}


def home_problem(
    facts: RunFacts, scope: Scope | None = None, outcome_labels: Mapping[Outcome, str] | None = None
) -> str | None:
    """Why the start page was not read as an HTML page, with what to do; None when it was."""
    if facts.run.home_url:
        return None
    home = facts.home_target()
    if home is None:
        return "没有可检查的起始网址"
    return explain_home(home, scope, outcome_labels, timeout_of(facts.run.config_json))


def explain_home(
    home: HomeTarget,
    scope: Scope | None = None,
    outcome_labels: Mapping[Outcome, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """Why the start page was not read, in words (``outcome_labels`` name the outcomes: the
    judge is given its words by its caller, so it imports nothing from the report layer)."""
    url = home.url
    if home.kind == "excluded":
        return (
            f"起始网址 {url} 被排除，没有检查任何页面（{_exclusion(home.note)}）；"
            "请检查 --include/--exclude 设置，或换一个起始网址"
        )
    if home.outcome is None:
        if home.failure:
            return f"首页 {url} 未能处理（{home.failure}）；请用 --resume 重试"
        return f"首页 {url} 还没有读取；请用 --resume 继续"
    named = (outcome_labels or {}).get(home.outcome, home.outcome.value)
    # The fetcher's own words (English, technical) stay in the store; the reader gets Chinese.
    said = explain(home.outcome, home.status, home.error, timeout)
    shown = f"HTTP {home.status}" if home.status else (said or named)
    if home.outcome.is_dead:
        return f"首页无法访问 {url}：{named}（{shown}）{_HINTS.get(home.outcome, '')}"
    if home.outcome.is_unverified:
        return f"首页无法检查 {url}：{named}（{shown}）{_HINTS.get(home.outcome, '')}"
    if home.kind != "page":
        return (
            f"起始网址 {url} 不在检查范围内（不符合 --include 或主机设置），没有检查任何页面；"
            "请调整 --include/--extra-host，或换一个起始网址"
        )
    final = home.final_url or url
    if final != url and scope is not None and not scope.in_scope(final):
        return (
            f"首页 {url} 跳转到了 {final}，不在本次检查范围内，没有检查任何页面；"
            f"请改用 sitecheck crawl {final}，或用 --extra-host 把该主机加入检查范围"
        )
    if not is_html(home.content_type):
        declared = home.content_type or "未声明"
        return (
            f"首页 {url} 返回的不是网页（Content-Type：{declared}），无法检查其中的链接和栏目；"
            "请让服务器以 text/html 返回首页，或换一个起始网址"
        )
    return f"首页 {url} 未能作为网页读取；请在浏览器中打开核对后重新检查"


def _exclusion(note: str) -> str:
    if note.startswith("matches"):
        return "符合 --exclude 排除规则"
    return f"疑似爬虫陷阱：{note}" if note else "排除规则"


def incomplete_reason(facts: RunFacts, problem: str | None) -> str:
    """Why the run is incomplete, in one line; "" when it read everything it had to.

    ``problem`` is :func:`home_problem`'s answer for the run.
    """
    reasons: list[str] = []
    if problem is not None:
        reasons.append(problem)
    count, examples = facts.failures()
    if count:
        shown = "；".join(f"{url}（{why or '未读取'}）" for url, why in examples)
        reasons.append(f"{count} 个网址未能检查完，如 {shown}；请用 sitecheck crawl --resume 重试")
    return "。".join(reasons)
