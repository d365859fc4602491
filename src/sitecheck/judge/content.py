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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import Finding, FindingKind, Referrer, Severity, TextCheck, TextHit
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
    rows = facts.text_hits(TextCheck.PRIVACY)
    # A published 名单 is one problem on its page: the numbers of its columns are not listed again.
    rosters: dict[str, list[TextHit]] = {}
    for page, hit in rows:
        if hit.kind == "roster":
            rosters.setdefault(page, []).append(hit)
    for page, found in rosters.items():
        kinds = "、".join(dict.fromkeys(_KIND_WORDS.get(hit.note, hit.note) for hit in found))
        tables = "；".join(f"{hit.context}，如 {hit.value}" for hit in found)
        place = placement.of(page)
        yield Finding(
            key=finding_key(FindingKind.PERSONAL_DATA, "roster", page),
            kind=FindingKind.PERSONAL_DATA,
            severity=Severity.DEDUCTION,
            url=page,
            detail=f"页面公开的名单含未打码的{kinds}（{tables}）。规定：{PRIVACY_BASIS}",
            column=place.column,
            office=place.office,
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
        place = placement.of(group.page)
        yield Finding(
            key=finding_key(FindingKind.PERSONAL_DATA, f"{hit.kind}:{hit.value}"),
            kind=FindingKind.PERSONAL_DATA,
            severity=Severity.DEDUCTION if strong else Severity.WARNING,
            url=group.page,
            detail=f"{claim}{unsure}{why}{_more(group)}。规定：{PRIVACY_BASIS}",
            referrers=_referrers(group),
            column=place.column,
            office=place.office,
        )


def wrong_wording(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    placement = context.place_of(facts)
    for group in _grouped(facts.text_hits(TextCheck.WORDING), ("value", "suggestion", "kind")):
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
