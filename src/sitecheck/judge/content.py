"""What pages say: 个人信息泄露 and 错敏词 (issue 15), from the text checks' stored hits.

One finding per number or per wrong term, however many pages carry it (a contact mobile in a
footer is one thing to fix in one template): the first page is the subject, the others are
listed with the text around the hit. Numbers are masked in the store already; nothing here
ever sees one whole.

Severity follows the strength of the evidence, never more (a false claim in front of an
office's leaders is the worst error): a checked 身份证号 or 银行卡号, a private mobile or a
published 名单 is a deduction (扣分项; the 通报 list it among the main problems, 47号 forbids
it); a mobile in an office's contact line, an old 15-digit number and every wording hit a rule
does not call certain are warnings marked 待核实. A wrong leader's name or title would be a
严重表述错误 (a veto in the 2019 indicators): it is always 待核实 here, for a person to confirm.

Attachments read whole (``[content] attachments``) are findings of their own: the file is the
subject, named by its link text with the place in it (``附件“名单.xlsx”工作表“名单”C 列``,
``第 2 页``), and the pages linking it are its referrers. The files that could not be checked
(scanned, encrypted, legacy formats, too large) and those read in part make ONE warning per run
that lists them for a person to look at: not checked is never reported as clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sitecheck.extract.attachments import UNREADABLE_REASONS
from sitecheck.extract.text_checks import PARTLY_READ, UNREADABLE
from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.judge.placement import Place, Placement
from sitecheck.models import Finding, FindingKind, Referrer, Severity, TextCheck, TextHit, TextHitRow
from sitecheck.store import RunFacts

PRIVACY_BASIS = "《政府信息公开条例》第十五条、国办发〔2017〕47号（不得泄露个人隐私）"
WORDING_BASIS = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）“严重表述错误”；错别字按扣分处理"
_KIND_WORDS = {"id_card": "身份证号", "mobile": "手机号", "bank_card": "银行卡号", "roster": "个人信息名单"}
_LEVEL_RANK = {"high": 3, "medium": 2, "low": 1, "certain": 2, "unsure": 1}
_LEADER_CATEGORIES = frozenset({"leader_title", "leader_name"})
_CATEGORY_WORDS = {
    "typo": "错别字",
    "wording": "不规范表述",
    "outdated_name": "过时的机构名称",
    "leader_title": "领导职务",
    "leader_name": "领导姓名",
}
_MAX_REFERRERS = 50
_SHOWN = 5  # attachments named in the one finding about those not checked
# The order unreadable attachments are listed in: the surprising ones first.
_REASON_ORDER = {reason: i for i, reason in enumerate(UNREADABLE_REASONS)}
_ATTACHMENTS_NOT_CHECKED = "attachments-not-checked"
# "附件1：" before a file name in a link's text
_ATTACHMENT_LABEL = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*\s*[:：]\s*")


@dataclass(slots=True)
class _Group:
    hit: TextHit  # the first hit seen: its page is the subject
    page: str
    level: str
    pages: list[tuple[str, str]] = field(default_factory=list)  # (page, context) of the others


def _grouped(rows: list[tuple[str, TextHit]], key: tuple[str, ...]) -> Iterator[_Group]:
    groups: dict[tuple[str, ...], _Group] = {}
    for page, hit in rows:
        ident = tuple(getattr(hit, name) for name in key)
        group = groups.get(ident)
        if group is None:
            groups[ident] = _Group(hit, page, hit.level)
            continue
        if _LEVEL_RANK.get(hit.level, 0) > _LEVEL_RANK.get(group.level, 0):
            group.level = hit.level
        if page != group.page and all(page != seen for seen, _ in group.pages):
            group.pages.append((page, hit.context))
    yield from groups.values()


def _referrers(group: _Group) -> tuple[Referrer, ...]:
    return tuple(Referrer(page, "text", "", context, "") for page, context in group.pages[:_MAX_REFERRERS])


def _more(group: _Group) -> str:
    return f"；另有 {len(group.pages)} 个页面有同样内容" if group.pages else ""


def personal_data(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    placement = context.place_of(facts)
    stored = facts.text_hits(TextCheck.PRIVACY)
    yield from _on_pages([(row.url, row.hit) for row in stored if not row.attachment], placement)
    attachments: dict[str, list[TextHitRow]] = {}
    for row in stored:
        if row.attachment:
            attachments.setdefault(row.url, []).append(row)
    for rows in attachments.values():
        yield from _in_attachment(facts, rows, placement)
    yield from _not_checked(facts, attachments)


def _on_pages(rows: list[tuple[str, TextHit]], placement: Placement) -> Iterator[Finding]:
    # A published 名单 is one problem on its page: the numbers of its columns are not listed again.
    rosters: dict[str, list[TextHit]] = {}
    for page, hit in rows:
        if hit.kind == "roster":
            rosters.setdefault(page, []).append(hit)
    for page, found in rosters.items():
        kinds = "、".join(dict.fromkeys(_KIND_WORDS.get(hit.note, hit.note) for hit in found))
        tables = "；".join(f"{hit.context}，如 {hit.value}" for hit in found)
        yield _personal(
            "roster", page, True, page, f"页面公开的名单含未打码的{kinds}（{tables}）", placement.of(page)
        )
    covered = {(page, hit.note) for page, found in rosters.items() for hit in found}
    singles = [(page, hit) for page, hit in rows if hit.kind != "roster" and (page, hit.kind) not in covered]
    for group in _grouped(singles, ("kind", "value")):
        hit = group.hit
        kind_word = _KIND_WORDS.get(hit.kind, hit.kind)
        strong = group.level == "high"
        claim = f"页面公开了未打码的{kind_word} {hit.value}（上下文：“{hit.context}”）"
        why = f"；判断依据：{hit.note}" if hit.note else ""
        unsure = "" if strong else "（待核实：可能是单位公开的联系方式，请确认是否属于个人信息）"
        detail = f"{claim}{unsure}{why}{_more(group)}"
        place = placement.of(group.page)
        yield _personal(f"{hit.kind}:{hit.value}", "", strong, group.page, detail, place, _referrers(group))


def wrong_wording(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    placement = context.place_of(facts)
    rows = [(row.url, row.hit) for row in facts.text_hits(TextCheck.WORDING)]
    for group in _grouped(rows, ("value", "suggestion", "kind")):
        hit = group.hit
        leader = hit.kind in _LEADER_CATEGORIES
        certain = hit.level == "certain" and not leader
        what = _CATEGORY_WORDS.get(hit.kind, hit.kind)
        claim = f"{what}：“{hit.value}”应为“{hit.suggestion}”（上下文：“{hit.context}”）"
        if leader:
            claim += "（待核实：如属实即为严重表述错误，属单项否决）"
        elif not certain:
            claim += "（待核实）"
        source = f"；词条来源：{hit.note}" if hit.note else ""
        place = placement.of(group.page)
        yield Finding(
            key=finding_key(FindingKind.WRONG_WORDING, f"{hit.value}\x1f{hit.suggestion}", hit.kind),
            kind=FindingKind.WRONG_WORDING,
            severity=Severity.DEDUCTION if certain else Severity.WARNING,
            url=group.page,
            detail=f"{claim}{source}{_more(group)}。规定：{WORDING_BASIS}",
            referrers=_referrers(group),
            column=place.column,
            office=place.office,
        )


def _in_attachment(facts: RunFacts, rows: list[TextHitRow], placement: Placement) -> Iterator[Finding]:
    """One attachment's personal data: its 名单 as one finding, each other number as one, with
    the place in the file (page, sheet and cell, table row) and the pages that link to it."""
    url, key = rows[0].url, rows[0].key
    referrers = tuple(facts.referrers_to(key, _MAX_REFERRERS))
    name = _attachment_name(url, referrers)
    place = placement.of(referrers[0].page if referrers else url)
    hits = [row.hit for row in rows if row.hit.kind not in (UNREADABLE, PARTLY_READ)]
    rosters = [hit for hit in hits if hit.kind == "roster"]
    if rosters:
        kinds = "、".join(dict.fromkeys(_KIND_WORDS.get(hit.note, hit.note) for hit in rosters))
        tables = "；".join(f"{hit.place}：{hit.context}，如 {hit.value}" for hit in rosters)
        detail = f"附件“{name}”公开的名单含未打码的{kinds}（{tables}）"
        yield _personal("roster", url, True, url, detail, place, referrers)
    covered = {hit.note for hit in rosters}
    groups: dict[tuple[str, str], list[TextHit]] = {}
    for hit in hits:
        if hit.kind != "roster" and hit.kind not in covered:
            groups.setdefault((hit.kind, hit.value), []).append(hit)
    for (kind, value), found in groups.items():
        first = found[0]
        level = max((hit.level for hit in found), key=lambda lv: _LEVEL_RANK.get(lv, 0))
        strong = level == "high"
        places = list(dict.fromkeys(hit.place for hit in found if hit.place))
        where = "、".join(places[:_SHOWN]) + (f" 等 {len(places)} 处" if len(places) > _SHOWN else "")
        kind_word = _KIND_WORDS.get(kind, kind)
        claim = f"附件“{name}”{where}公开了未打码的{kind_word} {value}（上下文：“{first.context}”）"
        unsure = "" if strong else "（待核实：可能是单位公开的联系方式，请确认是否属于个人信息）"
        why = f"；判断依据：{first.note}" if first.note else ""
        yield _personal(f"{kind}:{value}", url, strong, url, f"{claim}{unsure}{why}", place, referrers)


def _not_checked(facts: RunFacts, attachments: dict[str, list[TextHitRow]]) -> Iterator[Finding]:
    """ONE warning for the run: the attachments whose personal data could not be checked
    (scanned, encrypted, legacy formats, too large) and those read only in part. Never a claim
    that they are clean: a person has to look."""
    unread: list[tuple[TextHitRow, str]] = []  # (the fact, the reason's words)
    partly: list[tuple[TextHitRow, str]] = []
    for rows in attachments.values():
        for row in rows:
            if row.hit.kind == UNREADABLE:
                unread.append((row, UNREADABLE_REASONS.get(row.hit.value, row.hit.value)))
            elif row.hit.kind == PARTLY_READ:
                partly.append((row, row.hit.note))
    if not unread and not partly:
        return
    unread.sort(key=lambda entry: _REASON_ORDER.get(entry[0].hit.value, len(_REASON_ORDER)))
    listed = [*unread, *partly]
    referrers: list[Referrer] = []
    names: dict[str, str] = {}
    for row, why in listed[:_MAX_REFERRERS]:
        linked = facts.referrers_to(row.key, 1)
        names[row.url] = _attachment_name(row.url, tuple(linked))
        page = linked[0].page if linked else row.url
        referrers.append(Referrer(page, "attachment", "href", f"{names[row.url]}（{why}）", row.url))
    parts: list[str] = []
    if unread:
        counts: dict[str, int] = {}
        for _, why in unread:
            counts[why] = counts.get(why, 0) + 1
        summary = "、".join(f"{why} {n} 个" for why, n in counts.items())
        shown = "；".join(f"{names.get(row.url, row.url)}（{why}）" for row, why in unread[:_SHOWN])
        more = f" 等 {len(unread)} 个" if len(unread) > _SHOWN else ""
        parts.append(f"{len(unread)} 个附件无法检查个人信息（{summary}），请人工核查：{shown}{more}")
    if partly:
        shown = "；".join(f"{names.get(row.url, row.url)}（{why}）" for row, why in partly[:_SHOWN])
        more = f" 等 {len(partly)} 个" if len(partly) > _SHOWN else ""
        parts.append(f"{len(partly)} 个附件只检查了一部分，其余部分请人工核查：{shown}{more}")
    first = listed[0][0].url
    yield Finding(
        key=finding_key(FindingKind.PAGE_NOT_READ_WHOLE, _ATTACHMENTS_NOT_CHECKED),
        kind=FindingKind.PAGE_NOT_READ_WHOLE,
        severity=Severity.WARNING,
        url=first,
        detail="；".join(parts) + "。未能检查的附件不等于没有个人信息。",
        referrers=tuple(referrers),
    )


def _personal(
    subject: str,
    context: str,
    strong: bool,
    url: str,
    detail: str,
    place: Place,
    referrers: tuple[Referrer, ...] = (),
) -> Finding:
    """A 个人信息泄露 finding: a deduction on strong evidence, else a warning (待核实 is in the detail)."""
    return Finding(
        key=finding_key(FindingKind.PERSONAL_DATA, subject, context),
        kind=FindingKind.PERSONAL_DATA,
        severity=Severity.DEDUCTION if strong else Severity.WARNING,
        url=url,
        detail=f"{detail}。规定：{PRIVACY_BASIS}",
        referrers=referrers,
        column=place.column,
        office=place.office,
    )


def _attachment_name(url: str, referrers: tuple[Referrer, ...]) -> str:
    """What the office calls the file: its link text (附件1：名单.xlsx), else its file name."""
    for referrer in referrers:
        text = _ATTACHMENT_LABEL.sub("", " ".join(referrer.text.split()))
        if text:
            return text[:80]
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url
