"""外链变异: links to other sites that turned into something else (issue 16, part 2).

The crawl records what every link to another site showed (extract/external_view.py); this rule
compares each record with the first one the site's store holds for the same URL, from an earlier
run. What it reports, and how sure it is:

* a **parked or for-sale page** (a registrar's "this domain may be for sale", 域名正在出售):
  the site the link was meant for is gone — a deduction, in any run (the phrases are specific
  and only read on short pages);
* a **government domain that now leads off .gov.cn** (the first record landed on a .gov.cn
  host, this one elsewhere) — a deduction: a closed government site's domain does not move
  to a commercial host by itself;
* **another registrable domain** than the first record (the first run cannot know) — 待核实:
  sites move for harmless reasons too;
* **risky-site vocabulary** (gambling, pornography, …; extract/vocabulary.py) in the page's
  title: when the first record's title had none and the page is now a different one (another
  domain, a parked page, or text that changed beyond a new headline), the link has turned into
  such a site — the 2019 indicators' veto for linking to 色情 content (单项否决风险); without
  that history (the first run, or a title that always said so) it is 待核实. Vocabulary only in
  the body text needs two distinct words and is always 待核实: a news page may mention one.

A link the 暗链 rule reports (judge/hidden_links.py, with the markup that hides it) is left to
it. A .gov.cn link whose domain no longer resolves is a dead link (域名无法解析), reported by the
dead-link rule; it is not reported twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import cache, lru_cache
from ipaddress import ip_address

from publicsuffixlist import PublicSuffixList

from sitecheck.extract.external_view import hamming, risky_words
from sitecheck.extract.vocabulary import CATEGORY_LABELS, Vocabulary, load_vocabulary
from sitecheck.judge import JudgeContext, hidden_links
from sitecheck.judge.keys import finding_key
from sitecheck.models import ExternalSeen, Finding, FindingKind, Severity
from sitecheck.store import RunFacts
from sitecheck.timefmt import shown

BASIS = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）：发布或链接反动、暴力、色情等内容，单项否决"
_REFERRERS = 20
# Fingerprints further apart than this are different pages (a new headline among twenty moves
# a few bits; another page about half of the 64).
_OTHER_PAGE_BITS = 16
_GOV = ".gov.cn"


def external_changes(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    """The findings about links to other sites that changed or carry risky vocabulary."""
    seen = facts.external_views()
    if not seen:
        return
    # The title's words are judged with today's vocabulary (the shipped list and the office's):
    # the title is stored, so a new word list applies to a stored run too. The text's words were
    # read at crawl time (the text itself is not kept).
    vocabulary = _vocabulary(context.integrity.vocabulary_lists)
    seen = [_with_title_words(now, vocabulary) for now in seen]
    # A link the 暗链 rule reports (judge/hidden_links.py) is its own, with the markup that hides
    # it as evidence: one finding for one link, not two.
    hidden = {item.key for item in hidden_links.reported(facts, context)}
    seen = [now for now in seen if now.key not in hidden]
    first = {
        key: _with_title_words(before, vocabulary)
        for key, before in facts.first_external_views(now.key for now in seen).items()
    }
    place = context.place_of(facts)
    for now in seen:
        before = first.get(now.key)
        changed = _changed(now, before)
        risky = _risky(now, before, changed)
        if changed is None and risky is None:
            continue
        referrers = tuple(facts.referrers_to(now.key, _REFERRERS))
        where = place.of(referrers[0].page if referrers else now.url)
        for kind, verdict in ((FindingKind.EXTERNAL_CHANGED, changed), (FindingKind.EXTERNAL_RISKY, risky)):
            if verdict is None:
                continue
            severity, detail = verdict
            basis = f"。规定：{BASIS}" if kind is FindingKind.EXTERNAL_RISKY else ""
            yield Finding(
                key=finding_key(kind, now.key),
                kind=kind,
                severity=severity,
                url=now.url,
                detail=detail + basis,
                referrers=referrers,
                column=where.column,
                office=where.office,
            )


def _changed(now: ExternalSeen, before: ExternalSeen | None) -> tuple[Severity, str] | None:
    """A parked page, or another domain than the first record: the severity and the evidence."""
    view = now.view
    then = _then(before)
    if view.parked:
        detail = (
            f"外链指向的网站现为域名停放或出售页面（页面显示“{view.parked}”，标题“{view.title or '无'}”，"
            f"落地域名 {view.final_host}）{then}；原网站可能已关停，域名已过期或被他人注册"
        )
        return Severity.DEDUCTION, detail
    if before is None or not view.final_host or not before.view.final_host:
        return None
    old, new = _site_of(before.view.final_host), _site_of(view.final_host)
    if old == new:
        return None
    if _is_gov(before.view.final_host) and not _is_gov(view.final_host):
        detail = (
            f"外链原指向政府网站 {before.view.final_host}，现跳转到非政府网站 {view.final_host}"
            f"（标题“{view.title or '无'}”）{then}；原政府网站可能已关停或域名已被他人使用"
        )
        return Severity.DEDUCTION, detail
    detail = (
        f"外链现跳转到另一网站 {view.final_host}（标题“{view.title or '无'}”）{then}"
        "（待核实：网站迁址也会如此，请确认新网站是否仍是原来的网站）"
    )
    return Severity.WARNING, detail


def _risky(
    now: ExternalSeen, before: ExternalSeen | None, changed: tuple[Severity, str] | None
) -> tuple[Severity, str] | None:
    """Risky-site vocabulary on the page: the severity and the evidence."""
    view = now.view
    if view.title_words:
        words = _words(view.title_words)
        if before is not None and not before.view.title_words and before.view.title != view.title:
            # The page the office linked to had another title without such words: the link has
            # turned into another site (外链变异), not a page that always talked about them.
            also = _similarity(now, before, changed)
            detail = (
                f"外链指向的页面标题“{view.title}”含{words}，首次记录时（{_when(before)}）标题为"
                f"“{before.view.title or '无'}”（{before.view.final_host}）{also}："
                "该链接已变为违规网站，疑似链接赌博、色情等内容，应立即删除链接并排查"
            )
            return Severity.VETO, detail
        history = "首次检查，无历史记录可比"
        if before is not None:
            history = f"首次记录时（{_when(before)}）标题已是如此"
        detail = f"外链指向的页面标题“{view.title}”含{words}（待核实：{history}，请人工确认该网站内容）"
        return Severity.WARNING, detail
    if len(view.words) >= 2:
        detail = (
            f"外链指向的页面（标题“{view.title or '无'}”）正文含{_words(view.words)}"
            "（待核实：新闻报道也可能提及这些词，请人工确认该网站内容）"
        )
        return Severity.WARNING, detail
    return None


def _similarity(now: ExternalSeen, before: ExternalSeen, changed: tuple[Severity, str] | None) -> str:
    """What else says the page is another one: a parked page or another site, or its text."""
    if changed is not None:
        return "，且" + changed[1].split("；", 1)[0].removeprefix("外链")
    a, b = now.view.fingerprint, before.view.fingerprint
    if a and b and hamming(a, b) > _OTHER_PAGE_BITS:
        return "，页面正文也已完全不同"
    return ""


def _then(before: ExternalSeen | None) -> str:
    if before is None:
        return ""
    view = before.view
    return f"；首次记录时（{_when(before)}）为“{view.title or '无标题'}”（{view.final_host}）"


def _when(seen: ExternalSeen) -> str:
    return shown(seen.seen_at)


def _words(words: tuple[str, ...]) -> str:
    """"类别:词" entries as the report says them: 赌博类词语“百家乐”“博彩”."""
    by_category: dict[str, list[str]] = {}
    for entry in words:
        category, _, word = entry.partition(":")
        by_category.setdefault(category, []).append(word)
    parts = [
        f"{_CATEGORY_WORDS.get(category, category)}词语" + "".join(f"“{word}”" for word in found[:5])
        for category, found in by_category.items()
    ]
    return "、".join(parts)


_CATEGORY_WORDS = {str(category): f"{label}类" for category, label in CATEGORY_LABELS.items()}


@cache
def _vocabulary(paths: tuple[str, ...]) -> Vocabulary:
    return load_vocabulary(*paths)


def _with_title_words(seen: ExternalSeen, vocabulary: Vocabulary) -> ExternalSeen:
    words = risky_words(seen.view.title, vocabulary)
    return dataclasses.replace(seen, view=dataclasses.replace(seen.view, title_words=words))


def _is_gov(host: str) -> bool:
    return host == _GOV[1:] or host.endswith(_GOV)


@lru_cache(maxsize=4096)
def _site_of(host: str) -> str:
    """The registrable domain (www.xinhuanet.com and news.xinhuanet.com are one site); an IP
    address or a name without a public suffix is its own site."""
    try:
        ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    return _suffixes().privatesuffix(host) or host


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    # The list shipped with the package (no download): loaded once, on first use.
    return PublicSuffixList()
