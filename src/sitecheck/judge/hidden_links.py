"""暗链: the hidden off-site links that are findings (issue 16, part 1), from the stored facts.

Menus, tab panes and carousels hide links all the time, so hiding alone proves nothing. A hidden
link is a finding only when it leaves the portal (its hosts, ``site.extra_hosts``) and the
allow-list (``[integrity] allow_hosts``, ``*.gov.cn`` by default) AND a second signal holds:

- **vocabulary**: its anchor text or its URL carries a word of the risky-sites list (赌博, 色情,
  违禁药品, 代开发票, 私服, 代孕; extract/vocabulary.py). A hidden link to such a site is what an
  intrusion plants: 单项否决 risk (the 2019 indicators fail a portal that links to 色情 content or
  leaves tampering unhandled), with the words, the hiding rule and the markup as evidence;
- **new**: the site's earlier runs never linked to it (the external-link baseline; the first run
  has none, so this signal is absent there);
- **many**: it sits in a hidden block with at least ``MANY`` hidden off-site links (a link farm).

"New" and "many" without vocabulary make a warning marked 待核实: a person has to look. They do
not count where the hidden block looks like a page widget (a tab pane, a drop-down menu: the
extractor says why), since adding a link to a tab is ordinary work; vocabulary counts everywhere.

One finding per hidden URL, however many pages carry it (a footer is one template): the first
page is the subject, the others are listed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from sitecheck.extract.vocabulary import RiskyHit, Vocabulary, load_vocabulary, url_text
from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import Finding, FindingKind, HiddenLink, HiddenLinkRow, Referrer, Severity
from sitecheck.store import RunFacts
from sitecheck.urls import canonical

HIDDEN_LINK_BASIS = (
    "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决：发布或链接反动、暴力、色情等内容"
)
MANY = 3  # hidden off-site links in one block that make it a link farm
_MAX_REFERRERS = 50


@dataclass(slots=True)
class _Group:
    """One hidden URL over the pages that carry it."""

    page: str  # the first page: the finding's subject
    link: HiddenLink  # as first seen
    texts: list[str] = field(default_factory=list)
    others: list[tuple[str, HiddenLink]] = field(default_factory=list)  # (page, link) elsewhere
    block_size: int = 0  # the most hidden off-site links seen in one of its blocks (not widgets)
    widget_only: bool = True  # every block it is in looks like a menu or tab


@cache
def _vocabulary(paths: tuple[str, ...]) -> Vocabulary:
    return load_vocabulary(*paths)


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.strip().lower()
        if entry.startswith(("*.", ".")):
            suffix = entry.lstrip("*.")
            if host == suffix or host.endswith("." + suffix):
                return True
        elif entry and (host == entry or host == f"www.{entry}" or entry == f"www.{host}"):
            return True
    return False


def _leaves(url: str, context: JudgeContext) -> bool:
    """Off the portal and off the allow-list."""
    if context.scope is not None and context.scope.host_in_scope(url):
        return False
    host = urlsplit(url).hostname or ""
    return not _host_allowed(host, context.integrity.allow_hosts)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A hidden URL with a second signal: what makes it a finding."""

    key: str  # its canonical URL
    group: _Group
    words: tuple[RiskyHit, ...]
    new: bool
    many: bool


def assess(
    rows: list[HiddenLinkRow],
    context: JudgeContext,
    seen: set[str] | None,
    titles: Mapping[str, str] | None = None,
) -> list[Assessment]:
    """The hidden links of ``rows`` that are findings, one per URL: off the portal and the
    allow-list, with a risky word (in the link's text, its URL, or the title of the page it
    leads to: ``titles``, canonical URL → the <title> the crawl saw there), new since the
    baseline ``seen`` (None: no earlier run) or in a block of many. Pure: the rule itself,
    apart from the store."""
    rows = [row for row in rows if _leaves(row.link.url, context)]
    if not rows:
        return []
    vocabulary = _vocabulary(tuple(context.integrity.vocabulary_lists))
    # How many distinct off-site URLs each hidden block holds.
    blocks: dict[tuple[str, int], set[str]] = {}
    for row in rows:
        blocks.setdefault((row.page, row.link.block), set()).add(canonical(row.link.url))
    groups: dict[str, _Group] = {}
    for row in rows:
        key = canonical(row.link.url)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(row.page, row.link)
        elif row.page != group.page and all(row.page != page for page, _ in group.others):
            group.others.append((row.page, row.link))
        if row.link.text and row.link.text not in group.texts:
            group.texts.append(row.link.text)
        if not row.link.widget:
            group.widget_only = False
            group.block_size = max(group.block_size, len(blocks[(row.page, row.link.block)]))
    found: list[Assessment] = []
    for key, group in groups.items():
        words = tuple(_words(vocabulary, group, (titles or {}).get(key, "")))
        new = seen is not None and key not in seen and not group.widget_only
        many = group.block_size >= MANY
        if words or new or many:
            found.append(Assessment(key, group, words, new, many))
    return found


def reported(facts: RunFacts, context: JudgeContext) -> list[Assessment]:
    """The hidden links this rule reports in the run (other rules leave them to it)."""
    if not context.integrity.hidden_links:
        return []
    rows = facts.hidden_links()
    keys = {canonical(row.link.url) for row in rows if _leaves(row.link.url, context)}
    return assess(rows, context, facts.seen_before(keys), _titles(facts)) if keys else []


def hidden_links(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    if not context.integrity.hidden_links:
        return
    rows = facts.hidden_links()
    if not rows:
        return
    keys = {canonical(row.link.url) for row in rows if _leaves(row.link.url, context)}
    placement = context.place_of(facts)
    titles = _titles(facts)
    for item in assess(rows, context, facts.seen_before(keys), titles):
        group = item.group
        place = placement.of(group.page)
        yield Finding(
            key=finding_key(FindingKind.HIDDEN_LINK, item.key),
            kind=FindingKind.HIDDEN_LINK,
            severity=Severity.VETO if item.words else Severity.WARNING,
            url=group.page,
            detail=_detail(group, list(item.words), item.new, item.many, titles.get(item.key, "")),
            referrers=tuple(
                Referrer(page, "a", "href", link.text, link.url)
                for page, link in group.others[:_MAX_REFERRERS]
            ),
            column=place.column,
            office=place.office,
        )


def _titles(facts: RunFacts) -> dict[str, str]:
    """The <title> of each page on another site the crawl read (extract/external_view.py)."""
    return {seen.key: seen.view.title for seen in facts.external_views() if seen.view.title}


def _words(vocabulary: Vocabulary, group: _Group, title: str = "") -> list[RiskyHit]:
    """The risky words of its anchor texts, its URL and its target's title, each word once."""
    found: dict[str, RiskyHit] = {}
    for text in (*group.texts, url_text(group.link.url), title):
        for hit in vocabulary.find(text):
            found.setdefault(hit.word.lower(), hit)
    return list(found.values())


def _detail(group: _Group, words: list[RiskyHit], new: bool, many: bool, title: str = "") -> str:
    # Code quoted from the page (CSS, markup, Latin words) stands between backquotes.
    link = group.link
    text = "、".join(f"“{t}”" for t in group.texts[:3]) or "（无文字）"
    written = f"，由页面脚本（{_code(link.via)}）写入" if link.via else ""
    parts = [
        f"页面中有访客看不见的站外链接 {link.url}（链接文字 {text}）{written}",
        f"隐藏方式：{_code(link.rule)}（{link.place}，隐藏它的元素 {_code(link.element)}）",
    ]
    if words:
        labels = "、".join(dict.fromkeys(hit.label for hit in words))
        listed = "、".join(
            f"{_code(hit.text) if hit.text.isascii() else '“' + hit.text + '”'}（{hit.label}）"
            for hit in words
        )
        # Each word's source in short (its first clause): the vocabulary file has them whole.
        sources = "；".join(dict.fromkeys(hit.source.split("；")[0] for hit in words if hit.source))
        basis = f"（词表依据：{sources}）" if sources else ""
        target = f"（它指向的页面标题为“{title}”）" if title else ""
        parts.append(f"链接文字、地址或所指页面的标题含{labels}类词语 {listed}{basis}{target}")
    else:
        reasons = []
        if new:
            reasons.append("本站以前的检查中没有这个外链（新出现）")
        if many:
            reasons.append(f"同一隐藏区块内有 {group.block_size} 个隐藏的站外链接")
        parts.append("待核实：" + "，".join(reasons) + "；未见涉赌涉黄等词语，请核实是否为被植入的暗链")
    if words and many:
        parts.append(f"同一隐藏区块内有 {group.block_size} 个隐藏的站外链接")
    parts.append(f"页面片段：{_code(link.snippet)}")
    if group.others:
        parts.append(f"另有 {len(group.others)} 个页面有同样的隐藏链接")
    return "；".join(parts) + f"。规定：{HIDDEN_LINK_BASIS}"


def _quoted(word: str) -> str:
    """A matched word: Latin ones are code (a domain's letters), Chinese ones are words."""
    return _code(word) if word.isascii() else f"“{word}”"


def _code(text: str) -> str:
    """Page code quoted as evidence, between backquotes (one inside it becomes a quote)."""
    return f"`{text.replace('`', chr(39))}`"
