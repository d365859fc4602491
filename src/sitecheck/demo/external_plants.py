"""What the sample portal's links to other sites turn into on a later visit (issue 16, 外链变异).

A portal served with ``changed_externals=True`` (``DemoServer(changed_externals=True)``, and
``sitecheck demo`` when its data directory already holds an earlier demo run) answers some
friend links of its "external" site differently from the first visit, as real ones do when a
department's site closes and its domain is parked or re-registered. ``CHANGED_EXTERNALS`` maps
the external path to the page it now shows and what a correct audit of that later run reports;
the first run reports nothing about them (their pages were plain then).
"""

from __future__ import annotations

from typing import NamedTuple

from sitecheck.demo.text_plants import Expected
from sitecheck.models import FindingKind, Severity

__all__ = ["CHANGED_EXTERNALS", "ChangedExternal", "render"]


class ChangedExternal(NamedTuple):
    title: str
    body: str  # the page's visible text (HTML-escaped by the renderer)
    expect: tuple[Expected, ...]


CHANGED_EXTERNALS: dict[str, ChangedExternal] = {
    # 友情链接 市统计局: the domain lapsed and a registrar parks it for sale.
    "/tjj/index.html": ChangedExternal(
        title="tjj-demo.cn - 该域名正在出售",
        body="该域名正在出售 This domain may be for sale. 联系我们获取报价。",
        expect=(Expected(FindingKind.EXTERNAL_CHANGED, Severity.DEDUCTION, "该域名正在出售"),),
    ),
    # 友情链接 省政务服务网: re-registered for gambling (the classic 外链变异).
    "/zjzwfw/index.html": ChangedExternal(
        title="澳门百家乐-博彩娱乐城官网",
        body="百家乐 真人娱乐 博彩 注册即送彩金 " * 12 + "澳门顶级娱乐城，信誉第一，提款秒到。",
        expect=(Expected(FindingKind.EXTERNAL_RISKY, Severity.VETO, "百家乐"),),
    ),
}


def render(changed: ChangedExternal) -> bytes:
    """The page the changed link now answers with."""
    from html import escape

    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        f"{escape(changed.title)}</title></head><body><div>{escape(changed.body)}</div></body></html>"
    ).encode()
