"""The 页面标识 rules on hand-made facts: which severity a missing identifier gets where, the
待核实 of a footer not in the page, and codes or names that disagree with the site's."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import SimpleNamespace

from sitecheck.config import IdentifiersSection
from sitecheck.judge import JudgeContext
from sitecheck.judge.identifiers import identifier_findings
from sitecheck.judge.placement import Place
from sitecheck.models import Finding, FindingKind, PageIdentifiers, Severity

HOME = "http://www.example.gov.cn/"
FULL = PageIdentifiers(
    template="article",
    site_name="某市人民政府",
    site_id_meta="3301000001",
    badge="link",
    id_code="3301000001",
    icp="浙ICP备12345678号",
    icp_link="beian.miit.gov.cn",
    police="浙公网安备33010002000001号",
    police_link="www.beian.gov.cn",
    sponsor="某市人民政府办公室",
    contact="电话",
)


class _Facts:
    def __init__(self, pages: list[tuple[str, PageIdentifiers]]) -> None:
        self.pages = pages
        self.run = SimpleNamespace(start_url=HOME, home_url=HOME)

    def page_identifiers(self) -> list[tuple[str, PageIdentifiers]]:
        return self.pages


class _Placement:
    def of(self, url: str) -> Place:
        return Place("", "")


def _judge(pages: list[tuple[str, PageIdentifiers]], **settings: object) -> list[Finding]:
    context = JudgeContext(
        as_of=date(2026, 12, 1),
        identifiers=IdentifiersSection(**settings),  # type: ignore[arg-type]
        placement=_Placement(),  # type: ignore[arg-type]
    )
    return list(identifier_findings(_Facts(pages), context))  # type: ignore[arg-type]


def _articles(found: PageIdentifiers, n: int = 3, start: int = 0) -> list[tuple[str, PageIdentifiers]]:
    return [(f"{HOME}a/{i}.html", found) for i in range(start, start + n)]


def test_a_whole_site_yields_nothing() -> None:
    assert _judge([(HOME, dataclasses.replace(FULL, template="home")), *_articles(FULL)]) == []


def test_the_home_page_without_its_code_loses_points_an_inner_template_is_warned() -> None:
    bare = dataclasses.replace(FULL, id_code="")
    home = _judge([(HOME, dataclasses.replace(bare, template="home")), *_articles(FULL)])
    assert [(f.kind, f.severity, f.url) for f in home] == [
        (FindingKind.IDENTIFIER_MISSING, Severity.DEDUCTION, HOME)
    ]
    inner = _judge([(HOME, dataclasses.replace(FULL, template="home")), *_articles(bare)])
    assert [(f.severity, "3 个页面" in f.detail) for f in inner] == [(Severity.WARNING, True)]


def test_a_missing_badge_loses_points_on_any_template_unless_a_footer_script_may_hang_it() -> None:
    unbadged = dataclasses.replace(FULL, badge="")
    (found,) = _judge(_articles(unbadged))
    assert found.severity is Severity.DEDUCTION and "党政机关网站标识" in found.detail
    scripted = dataclasses.replace(unbadged, footer_hint="script:footer.js")
    (found,) = _judge(_articles(scripted))
    assert found.severity is Severity.WARNING and "待核实" in found.detail


def test_a_footer_not_in_the_page_is_to_verify_never_a_deduction() -> None:
    nothing = PageIdentifiers(template="framed", footer_hint="frameset")
    (found,) = _judge([(HOME, dataclasses.replace(nothing, template="home"))])
    assert found.severity is Severity.WARNING and "待核实" in found.detail


def test_small_templates_are_not_judged() -> None:
    assert _judge(_articles(dataclasses.replace(FULL, badge=""), n=2)) == []
    assert _judge(_articles(dataclasses.replace(FULL, badge=""), n=2), min_template_pages=2) != []


def test_a_copied_site_name_and_another_code_are_warned_a_department_site_is_not() -> None:
    copied = dataclasses.replace(FULL, site_name="齐齐哈尔市人民政府")
    other_code = dataclasses.replace(FULL, id_code="3301000002", site_id_meta="3301000002")
    department = dataclasses.replace(
        FULL, site_name="某市教育局", id_code="3301000009", site_id_meta="3301000009"
    )
    pages = [
        *_articles(FULL, 5),
        *_articles(copied, 1, 5),
        *_articles(other_code, 1, 6),
        *_articles(department, 1, 7),
    ]
    found = [f for f in _judge(pages) if f.kind is FindingKind.IDENTIFIER_MISMATCH]
    details = sorted(f.detail for f in found)
    assert len(found) == 2 and all(f.severity is Severity.WARNING for f in found)
    assert "3301000002" in details[0] and "齐齐哈尔市人民政府" in details[1]


def test_the_configured_code_is_the_site_s() -> None:
    found = _judge(_articles(FULL), site_id_code="3301000005")
    assert [f.kind for f in found] == [FindingKind.IDENTIFIER_MISMATCH]
    assert "3301000001" in found[0].detail and "配置" in found[0].detail
