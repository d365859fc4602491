"""Hidden links planted on the sample portal (issue 16, 暗链), and the controls that must stay quiet.

Each :class:`IntegrityPlant` puts a block of markup into the footer of one article (written as
an intruder or a template author would write it); ``expect`` lists the findings a correct audit
reports for it, one per hidden URL (kind, severity, a part of the detail). Controls expect nothing:
a hidden on-site tab pane, a hidden tab of friend links beside its visible twin, a visible friend
link, and one hidden off-site link with no second signal (the first run has no baseline, it is
not in a block of many, its words are harmless: nothing, by the rule in judge/hidden_links.py).

The links lead to the sample's "external" host, which answers every one of them: the plants are
about hiding, not about dead links. ``{ext}`` in the markup is that host's root URL.
"""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup

from sitecheck.demo.text_plants import Expected
from sitecheck.models import FindingKind, Severity

__all__ = ["INTEGRITY_PAGES", "INTEGRITY_PLANTS", "IntegrityPlant"]


class IntegrityPlant(NamedTuple):
    id: str
    column: str  # the article: the ``nth`` newest of this column
    nth: int
    markup: str  # raw HTML with {ext} for the external host's root
    expect: tuple[Expected, ...] = ()  # empty: a control, nothing may be reported

    def render(self, ext: str) -> Markup:
        return Markup(self.markup.replace("{ext}", ext))


_VETO = Severity.VETO
_HIDDEN = FindingKind.HIDDEN_LINK

INTEGRITY_PLANTS: tuple[IntegrityPlant, ...] = (
    IntegrityPlant(
        "footer-gambling",
        "gzdt",
        6,
        # The page's own <style> hides the block; the script inside it must never run in a report.
        '<style type="text/css">.ft-yqlj{display:none}</style>'
        '<div class="ft-yqlj"><script>window.sitecheckHacked=1</script>'
        '<a href="{ext}casino/vns.html" target="_blank">澳门威尼斯人娱乐城</a> '
        '<a href="{ext}casino/bet.html" target="_blank">皇冠体育在线</a> '
        '<a href="{ext}casino/bjl.html" target="_blank">真人百家乐</a></div>',
        (
            Expected(_HIDDEN, _VETO, "威尼斯人"),
            Expected(_HIDDEN, _VETO, "皇冠体育"),
            Expected(_HIDDEN, _VETO, "百家乐"),
        ),
    ),
    IntegrityPlant(
        "script-written",
        "gzdt",
        7,
        '<span id="tj51" style="display:none"><script type="text/javascript">'
        "document.write('<a href=\"{ext}casino/lhc.html\">六合彩开奖<\\/a>');</script></span>"
        '<div id="gg2" style="visibility:hidden"></div><script type="text/javascript">'
        'document.getElementById("gg2").innerHTML = \'<a href="{ext}casino/qp.html">开元棋牌</a>\';'
        "</script>",
        (
            Expected(_HIDDEN, _VETO, "六合彩"),
            Expected(_HIDDEN, _VETO, "开元棋牌"),
        ),
    ),
    IntegrityPlant(
        "stylesheet-hidden",
        "gzdt",
        4,
        # Hidden by a rule of the site's own style sheet file (/css/style.css: .hide), not by
        # anything in the page: the crawl reads that file once and applies it.
        '<div class="hide"><a href="{ext}casino/pj.html" target="_blank">澳门葡京娱乐城</a></div>',
        (Expected(_HIDDEN, _VETO, "葡京"),),
    ),
    IntegrityPlant(
        "link-farm",
        "bmdt",
        3,
        # White on white, no risky word: three hidden off-site links in one block are 待核实.
        '<div style="background-color:#fff"><a href="{ext}seo/a.html" style="color:#ffffff">网站建设</a> '
        '<a href="{ext}seo/b.html" style="color:#ffffff">网络推广</a> '
        '<a href="{ext}seo/c.html" style="color:#ffffff">外贸建站</a></div>',
        (
            Expected(_HIDDEN, Severity.WARNING, "同一隐藏区块内有 3 个"),
            Expected(_HIDDEN, Severity.WARNING, "同一隐藏区块内有 3 个"),
            Expected(_HIDDEN, Severity.WARNING, "同一隐藏区块内有 3 个"),
        ),
    ),
    IntegrityPlant(
        "tabs-and-friends",
        "bmdt",
        1,
        # Controls: an on-site tab pane hidden by its inline style, a tab of friend links hidden
        # beside its visible twin (a widget), and a visible friend link.
        '<div class="tabs"><ul class="tab-title"><li class="on">工作动态</li><li>通知公告</li></ul>'
        '<div class="tab-con" style="display:block"><a href="/gzdt/index.html">工作动态</a></div>'
        '<div class="tab-con" style="display:none"><a href="/tzgg/index.html">通知公告</a> '
        '<a href="/zcwj/index.html">政策文件</a> <a href="/zcjd/index.html">政策解读</a></div></div>'
        '<div class="yqlj"><div class="yqlj-pane" style="display:block">'
        '<a href="{ext}gov/index.html">中国政府网</a></div>'
        '<div class="yqlj-pane" style="display:none"><a href="{ext}ndrc/index.html">国家发展和改革委员会</a> '
        '<a href="{ext}zjfgw/index.html">省发展和改革委员会</a> <a href="{ext}tjj/index.html">市统计局</a>'
        '</div></div><p>友情链接：<a href="{ext}zjzwfw/index.html" target="_blank">省政务服务网</a></p>',
    ),
    IntegrityPlant(
        "hidden-plain",
        "bmdt",
        2,
        # Control on the first run: hidden off-site, harmless words, alone in its block.
        '<a href="{ext}misc/partner.html" style="position:absolute;left:-9999px;top:-9999px">合作伙伴</a>',
    ),
)

# What the external host answers for the planted links (path -> page title).
INTEGRITY_PAGES: dict[str, str] = {
    "/casino/vns.html": "娱乐城",
    "/casino/bet.html": "体育在线",
    "/casino/bjl.html": "真人娱乐",
    "/casino/lhc.html": "开奖",
    "/casino/qp.html": "游戏",
    "/casino/pj.html": "娱乐",
    "/seo/a.html": "网站建设",
    "/seo/b.html": "网络推广",
    "/seo/c.html": "外贸建站",
    "/misc/partner.html": "合作伙伴",
}
