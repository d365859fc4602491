"""页面标识 (issue 16 §3): every template's footer identifiers, and pages that disagree.

Pages are grouped by template (extract/identifiers.py's signature of the chrome around the
content) and, within a template, by the identifiers their footers lack: one finding per group
that lacks any, naming the template by an example page and its page count, so the office fixes
one template, not a thousand pages. Templates used by fewer than ``min_template_pages`` pages
are not judged (a one-off page says little), the home page's always is.

Rules and severities (what may cost points is claimed only where a rule says so and the footer
was seen):
- 党政机关网站标识: "网站开办主体应当…将网站标识加挂在网站**所有页面底部中间**显著位置"
  (《党政机关网站开办审核、资格复核和网站标识管理办法》) — missing on any template: 扣分.
- 网站标识码 and ICP 备案号: ICP 第十三条 wants the number "在主页底部的中央位置", and the
  2019 indicators' 页面标识 item (B12 2025 "网站页面标识缺失") — missing on the home page's
  template: 扣分; on other templates: 预警 (the whole-site wording is not confirmed).
- the ICP number's link to the record system (第十三条 "在备案编号下方按要求链接…备案管理系统"),
  公安机关备案号 and its link (《计算机信息网络国际联网安全保护管理办法》, 30 days, footer),
  主办单位 and 联系方式 (what inspections check as 网站主办单位 / 联系方式): 预警.
- Weak evidence is 待核实, never 扣分: a footer that shows none of the identifiers (it may be
  written by a script or sit in a frame), a badge missing where a footer script may write it.

Pages that disagree: the site's 网站标识码 is the configured one, else the one most pages show
(``SiteIDCode`` meta and footer text); a page of the same site (same ``SiteName``) showing
another code, or a page with the site's code carrying another ``SiteName`` (a template copied
from another site), is a 预警 naming the value, the site's value and example pages. A page
whose name and code both differ is another site's (a department channel), not an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.judge.placement import Placement
from sitecheck.models import Finding, FindingKind, PageIdentifiers, Referrer, Severity
from sitecheck.store import RunFacts

LABELS = {
    "badge": "党政机关网站标识",
    "id_code": "网站标识码",
    "icp": "网站备案号（工信部）",
    "icp_link": "网站备案号的链接（工信部备案管理系统）",
    "police": "公安机关备案号",
    "police_link": "公安机关备案号链接（全国互联网安全管理服务平台）",
    "sponsor": "主办单位",
    "contact": "联系方式（电话、邮箱或地址）",
}
BASIS = {
    "badge": "《党政机关网站开办审核、资格复核和网站标识管理办法》：网站标识加挂在所有页面底部中间",
    "id_code": "《政府网站与政务新媒体检查指标》页面标识；网站标识码显示在页面底部",
    "icp": "《非经营性互联网信息服务备案管理办法》第十三条：在主页底部的中央位置标明备案编号",
    "icp_link": "《非经营性互联网信息服务备案管理办法》第十三条：在备案编号下方链接备案管理系统网址",
    "police": "公安机关备案（备案后 30 日内在网站底部标明备案编号）",
    "police_link": "公安机关备案编号链接到全国互联网安全管理服务平台",
    "sponsor": "网站底部标明主办单位（检查项“网站主办单位”）",
    "contact": "网站底部标明联系方式（检查项“联系方式”）",
}
# Missing on the home page's template costs points (the rule names the home page or all pages).
_HOME_DEDUCTION = frozenset({"badge", "id_code", "icp"})
_EVERY_PAGE_DEDUCTION = frozenset({"badge"})
_SHOWN = 5  # example pages listed as referrers
MISMATCH_BASIS = "页面标签与页脚须与本网站一致（网站标识码唯一；网站名称标签应为本网站名称）"
_NAME_TAG = '<meta name="SiteName">'


@dataclass(slots=True)
class _Group:
    pages: list[str] = field(default_factory=list)
    home: bool = False
    footer_seen: bool = False  # some footer identifier was seen: the footer is in the page
    hints: Counter[str] = field(default_factory=Counter)


def identifier_findings(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    settings = context.identifiers
    if not settings.enabled:
        return
    pages = facts.page_identifiers()
    if not pages:
        return
    from sitecheck.judge.columns import as_dir

    home_dirs = {as_dir(u) for u in (facts.run.start_url, facts.run.home_url or "") if u}
    placement = context.place_of(facts)
    yield from _missing(pages, home_dirs, settings.required, settings.min_template_pages, placement)
    yield from _disagreeing(pages, settings.site_id_code, placement)


def shown(found: PageIdentifiers) -> set[str]:
    """The identifiers a page's footer shows."""
    have = set()
    if found.badge:
        have.add("badge")
    if found.id_code:  # shown at the page's bottom: the SiteIDCode meta is no visitor's
        have.add("id_code")
    if found.icp:
        have.add("icp")
        if found.icp_link:
            have.add("icp_link")
    if found.police:
        have.add("police")
        if found.police_link:
            have.add("police_link")
    if found.sponsor:
        have.add("sponsor")
    if found.contact:
        have.add("contact")
    return have


def _missing(
    pages: list[tuple[str, PageIdentifiers]],
    home_dirs: set[str],
    required: tuple[str, ...],
    min_pages: int,
    placement: Placement,
) -> Iterator[Finding]:
    from sitecheck.judge.columns import as_dir

    wanted = [name for name in LABELS if name in required]
    groups: dict[tuple[str, tuple[str, ...]], _Group] = {}
    for url, found in pages:
        if not found.template:
            continue  # a page without layout (a fragment, a bare page): no template to fix
        have = shown(found)
        # A link is only missing where its number is shown (a missing number is said once).
        lacking = tuple(
            name
            for name in wanted
            if name not in have and not (name.endswith("_link") and name.removesuffix("_link") not in have)
        )
        group = groups.setdefault((found.template, lacking), _Group())
        if as_dir(url) in home_dirs:
            group.home = True
            group.pages.insert(0, url)
        else:
            group.pages.append(url)
        if found.footer_hint:
            group.hints.update(found.footer_hint.split(","))
        group.footer_seen = group.footer_seen or bool(
            found.badge or found.id_code or found.icp or found.police or found.sponsor
        )
    template_sizes = Counter[str]()
    for (template, _), group in groups.items():
        template_sizes[template] += len(group.pages)
    for (template, lacking), group in groups.items():
        if not lacking or (len(group.pages) < min_pages and not group.home):
            continue
        yield _missing_finding(template, lacking, group, template_sizes[template], placement)


def _missing_finding(
    template: str, lacking: tuple[str, ...], group: _Group, template_pages: int, placement: Placement
) -> Finding:
    example = group.pages[0]
    count = len(group.pages)
    hints = "、".join(hint for hint, _ in group.hints.most_common(3))
    where = "首页模板" if group.home else "模板"
    share = f"（该模板共 {template_pages} 个页面）" if template_pages != count else ""
    names = "、".join(LABELS[name] for name in lacking)
    # The template is named by its example page (its signature is no word for an office).
    claim = f"{where}（示例页面 {example}）：{count} 个页面{share}的页面底部缺少{names}"
    if not group.footer_seen:
        # No identifier at all: the footer may be written by a script or sit in a frame.
        source = f"（页面引用了 {hints}）" if hints else ""
        severity = Severity.WARNING
        claim += (
            f"。待核实：页面中未见任何页脚标识，页脚可能由脚本或框架加载{source}，请在浏览器中查看页面底部"
        )
    else:
        deduction = set(lacking) & (_HOME_DEDUCTION if group.home else _EVERY_PAGE_DEDUCTION)
        if "badge" in deduction and hints:
            deduction.discard("badge")  # a footer script may hang it
            claim += f"。党政机关网站标识待核实：页面引用了 {hints}，标识可能由脚本加载"
        severity = Severity.DEDUCTION if deduction else Severity.WARNING
    basis = "；".join(BASIS[name] for name in lacking)
    detail = f"{claim}；依据：{basis}"
    others = tuple(
        Referrer(page, "template", "", "同一模板的页面", "") for page in group.pages[1 : 1 + _SHOWN]
    )
    place = placement.of(example)
    return Finding(
        key=finding_key(FindingKind.IDENTIFIER_MISSING, template, ",".join(lacking)),
        kind=FindingKind.IDENTIFIER_MISSING,
        severity=severity,
        url=example,
        detail=detail,
        referrers=others,
        column=place.column,
        office=place.office,
    )


def _codes(found: PageIdentifiers) -> set[str]:
    return {code.lower() for code in (found.id_code, found.site_id_meta or "") if code}


def _disagreeing(
    pages: list[tuple[str, PageIdentifiers]], configured: str, placement: Placement
) -> Iterator[Finding]:
    code_votes = Counter(code for _, found in pages for code in _codes(found))
    name_votes = Counter(found.site_name for _, found in pages if found.site_name)
    site_code = configured.lower() or (code_votes.most_common(1)[0][0] if code_votes else "")
    site_name = name_votes.most_common(1)[0][0] if name_votes else ""
    odd_codes: dict[str, list[str]] = {}
    odd_names: dict[str, list[str]] = {}
    for url, found in pages:
        codes = _codes(found)
        same_name = not found.site_name or not site_name or found.site_name == site_name
        same_code = not codes or not site_code or site_code in codes
        if site_code and same_name:
            for code in sorted(codes - {site_code}):
                odd_codes.setdefault(code, []).append(url)
        if site_name and found.site_name and found.site_name != site_name and same_code and codes:
            odd_names.setdefault(found.site_name, []).append(url)
    whose = "配置的本网站标识码" if configured else "多数页面显示的标识码"
    for code, urls in odd_codes.items():
        claim = f"{len(urls)} 个页面显示网站标识码 {code}，与{whose} {site_code} 不一致"
        yield _mismatch(f"id_code:{code}", urls, claim, placement)
    for name, urls in odd_names.items():
        claim = (
            f"{len(urls)} 个页面的网站名称标签 {_NAME_TAG} 为“{name}”，而本网站（标识码 {site_code}）"
            f"多数页面为“{site_name}”，疑为从其他网站复制的模板未改"
        )
        yield _mismatch(f"site_name:{name}", urls, claim, placement)


def _mismatch(subject: str, urls: list[str], claim: str, placement: Placement) -> Finding:
    example = urls[0]
    place = placement.of(example)
    others = tuple(Referrer(page, "page", "", "同样的值", "") for page in urls[1 : 1 + _SHOWN])
    return Finding(
        key=finding_key(FindingKind.IDENTIFIER_MISMATCH, subject),
        kind=FindingKind.IDENTIFIER_MISMATCH,
        severity=Severity.WARNING,
        url=example,
        detail=f"{claim}；示例页面 {example}；依据：{MISMATCH_BASIS}",
        referrers=others,
        column=place.column,
        office=place.office,
    )
