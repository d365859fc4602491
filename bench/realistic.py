"""A benchmark portal shaped like a real TRS-built 发改委 portal (issue 14).

``sitecheck.demo.Portal`` exercises every trap the audit knows, but its shape is not a real
portal's: its list pages carry plain pager anchors, its chrome is light and its articles are
reachable in many ways. A measurement on a real-shaped 10,000-page portal (TRS WCM, 发改委) gave
figures it does not reproduce; this generator is built to match them, per 10,000 pages:

* ~40 link occurrences per page and ~14,300 distinct URLs (pages, then images, attachments and
  a few hundred URLs on two other hosts);
* ~1,150 list pages reachable ONLY through the TRS pager script: each column's list page
  ``/<col>/index.html`` calls ``createPageHTML(46, 0, "index", "html")`` (classic TRS: page
  count, current page from 0; page i >= 1 is ``index_i.html``) and has no ``<a href>`` to the
  other list pages. Some columns use the TRS 海云 form ``createPageHTML('page_div', 10, 1,
  'index', 'shtml', 189)`` (pages counted from 1: ``index.shtml``, ``index_2.shtml`` …) or
  ``var countPage = 12; var currentPage = 0;``. Chains reach ~60 pages at 10,000 pages (the
  longest chain grows as pages^0.4, the number of columns as pages^0.6);
* articles (``/<col>/<yyyymm>/t<yyyymmdd>_<docid>.html``) are linked only from list pages (an
  article is listed in its own column and, TRS 引用, in ~1.7 others), so most of them are
  reachable only through pager pages;
* every page has the same heavy chrome: a 15-entry header nav, a breadcrumb, 5 friend links to
  two other hosts (127.0.0.2 and 127.0.0.3), an 8-link footer (about, site map, contact,
  statement, ICP, 公安备案, 网站标识码/党政机关 and 找错 badges); list pages have 20 dated rows
  and a sidebar; articles have Chinese body text, images and 0–3 attachments named TRS-style
  (``P0<yyyymmdd>….pdf``) or in Chinese (percent-encoded or raw UTF-8 in the href);
* one column (政策文件, ``/zcwj/``) is GBK-encoded (``<meta charset="gbk">`` and nginx sends
  ``charset=gbk``);
* planted defects (``manifest.json``, the format ``bench.py``'s ``score()`` reads): dead
  internal pages, a dead list row, a dead image, dead attachments (TRS name, Chinese name
  percent-encoded, raw UTF-8, raw on a GBK page), dead external links (a friend link on every
  page, a news source), a soft-404 page (200 "页面不存在"), a 302 to a 404, a dead link on the
  home page, "connection refused", and an endpoint that never answers; healthy controls (a 301,
  Chinese attachment names); and "neutral" endpoints that answer only after 10–15 s (with a
  10 s timeout neither dead nor alive: ``score()`` leaves them out). The slow endpoints are
  linked only from the last pager pages of the largest columns and from articles listed only
  there, so a crawler meets them late.

With ``--bodies real`` every article also carries, after its own text, the <body> markup of
the real pages in ``../shared/corpus/real-pages`` with everything that links or loads taken out
(articles ~69 KiB instead of ~20, a real page's DOM): the same links, URLs and defects.

Deterministic for (pages, seed, today); the structure depends on (pages, seed) only, ``today``
shifts the dates. Files are streamed to ``<directory>/main`` (127.0.0.1) and ``ext`` (127.0.0.2
and 127.0.0.3), with ``export.json`` (the figures, nginx types/charsets, the dynamic paths),
``manifest.json`` and ``urls.tsv`` (every URL a page references, with the status it must get).

    python bench/realistic.py --pages 2500,10000,50000      # generate and print the figures
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import hashlib
import json
import math
import posixpath
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from export import Export, reused  # noqa: E402

from sitecheck.demo.catalog import JPEG, PNG  # noqa: E402
from sitecheck.demo.portal import Behaviour, Response  # noqa: E402

# Bump when anything that shapes the generated files changes: cached portals are rebuilt.
GENERATOR_VERSION = 3

PER_PAGE = 20
SITE_NAME = "某市发展和改革委员会"
SITE_CODE = "3301000012"
GBK_COLUMN = "zcwj"
# Per 10,000 pages; see the module docstring.
PAGER_ONLY_SHARE = 0.115
MAX_CHAIN_AT_10K = 60
NEWS_SOURCE_SHARE = 0.015
YEARS = 6

# The same characters bench.norm() leaves unescaped: the URL table is written in that form.
_SAFE = "/:@!$&'()*+,;=-._~"
_OCCURRENCE_RE = re.compile(r"""\s(?:href|src|srcset|value|onclick)=["'](?!["'])""")
# A root-relative reference in a page's markup ("/xxgk/index.html", not "//host/…").
_ROOT_REF_RE = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')
HREF_STYLES = ("root", "relative")
BODY_STYLES = ("generated", "real")
# The saved pages of real portals (found as bench/pages.py finds them), for --bodies real.
REAL_PAGES = BENCH.parent.parent / "shared" / "corpus" / "real-pages"


def relative_ref(page: str, ref: str) -> str:
    """``ref`` ("/a/b.html?q#f", root-relative) as written on the page at ``page`` relative to
    that page's directory, the way TRS templates write links ("./201911/t….html", "../../")."""
    path, sep, rest = ref.partition("?") if "?" in ref else ref.partition("#")
    here = posixpath.dirname(page) or "/"
    out = posixpath.relpath(path, here)
    if path.endswith("/") and not out.endswith("/"):
        out += "/"
    if not out.startswith("."):
        out = "./" + out
    return out + sep + rest


# Header nav sections (the nav links to each section's first column) and their columns.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("新闻中心", (("gzdt", "工作动态"), ("tpxw", "图片新闻"), ("xsdt", "县市动态"), ("mtbd", "媒体报道"))),
    ("通知公告", (("tzgg", "通知公告"), ("gsgg", "公示公告"), ("zbcg", "招标采购"))),
    ("政策文件", (("zcwj", "政策文件"), ("gfxwj", "规范性文件"), ("zcfg", "政策法规"))),
    ("政策解读", (("zcjd", "政策解读"), ("tjzc", "图解政策"), ("zjjd", "专家解读"))),
    ("发展规划", (("fzgh", "发展规划"), ("zxgh", "专项规划"), ("ghpg", "规划评估"))),
    ("项目建设", (("zdxm", "重大项目"), ("xmsp", "项目审批"), ("zytz", "中央预算内投资"))),
    ("价格管理", (("jgjc", "价格监测"), ("jgtz", "价格调整"), ("sfgl", "收费管理"), ("jgrz", "价格认证"))),
    ("经济运行", (("jjyx", "经济运行"), ("tjsj", "统计数据"), ("dlbg", "电力保供"))),
    ("能源发展", (("nyfz", "能源发展"), ("jnjt", "节能降碳"), ("xny", "新能源"))),
    ("信用建设", (("xydt", "信用动态"), ("sxcj", "失信惩戒"), ("xygs", "信用公示"))),
    ("政务服务", (("bszn", "办事指南"), ("xzxk", "行政许可"), ("spjg", "审批结果"))),
    ("互动交流", (("zxft", "在线访谈"), ("myzj", "民意征集"), ("dcfk", "调查反馈"))),
    ("专题专栏", (("yshj", "优化营商环境"), ("xczx", "乡村振兴"), ("stgz", "双碳工作"),
                  ("szjj", "数字经济"))),
    ("信息公开", (("xxgkzn", "信息公开指南"), ("xxgknb", "信息公开年报"), ("rsxx", "人事信息"),
                  ("czzj", "财政资金"), ("jyta", "建议提案办理"))),
)  # fmt: skip
PLACES = (
    "青山县", "白沙镇", "东湖区", "西岭县", "南溪县", "北塘区", "清河县", "石门县", "云台区", "桃源县",
    "龙泉市", "凤凰县", "平湖市", "金沙县", "玉泉区", "长乐县", "安平县", "永宁县", "新华区", "红旗镇",
    "松阳县", "柳江区", "梅山镇", "江口县", "高新区", "经开区", "临港新区", "太湖镇", "双溪县", "丰乐镇",
)  # fmt: skip
TOPICS = (
    "重大项目建设", "优化营商环境", "价格监测", "节能降碳", "粮食安全", "社会信用体系建设", "以工代赈",
    "招标投标", "电力保供", "成品油价格调整", "县域经济发展", "乡村振兴", "数字经济", "民营经济发展",
    "政府投资项目管理", "新型城镇化", "服务业高质量发展", "对口支援", "中央预算内投资", "地方政府专项债券",
    "能耗双控", "天然气价格", "公共资源交易", "区域协调发展", "长江经济带发展", "碳达峰碳中和",
    "物流降本增效", "扩大有效投资", "促进消费", "冬季供暖保障", "安全生产", "生态环境保护",
    "数据要素市场化", "农村基础设施建设", "城市更新", "水利基础设施", "新能源汽车推广", "节约用水",
)  # fmt: skip
ORGS = (
    "市发展改革委",
    "我委",
    "市政府",
    "市价格监测中心",
    "市能源局",
    "市信用办",
    "市重点办",
    "委主要负责同志",
)
METRICS = ("固定资产投资", "社会消费品零售总额", "规模以上工业增加值", "重大项目完成投资", "全社会用电量",
           "居民消费价格指数", "地区生产总值", "民间投资")  # fmt: skip
TITLES = (
    "{org}召开{topic}工作推进会", "关于做好{year}年{topic}工作的通知", "{org}赴{place}调研{topic}工作",
    "关于印发《{place}{topic}实施方案》的通知", "{place}{topic}取得阶段性成效",
    "{year}年{month}月全市{metric}运行情况", "关于{topic}有关事项的公告",
    "《关于推进{topic}的若干措施》政策解读", "{org}关于{topic}的公示", "{place}扎实推进{topic}",
    "全市{topic}工作会议召开", "关于征求《{topic}管理办法（征求意见稿）》意见的公告",
    "{org}带队督查{topic}工作", "{year}年第{n}批{topic}项目名单公示", "图解：{year}年{topic}工作要点",
    "{place}：多措并举推动{topic}落地见效",
)  # fmt: skip
SENTENCES = (
    "为深入贯彻落实党中央、国务院决策部署，进一步做好{topic}工作，",
    "近日，{org}召开专题会议，研究部署{topic}相关工作。",
    "会议指出，{topic}是推动高质量发展的重要抓手，事关全市经济社会发展大局。",
    "各地各部门要切实提高政治站位，压紧压实工作责任，确保各项任务落地见效。",
    "{place}坚持问题导向和目标导向，聚焦重点领域和关键环节，持续加大工作力度。",
    "截至{month}月底，全市累计完成{metric}{n}亿元，同比增长{pct}%。",
    "下一步，{org}将会同有关部门加强统筹协调，强化要素保障，推动{topic}再上新台阶。",
    "会上，{place}、有关部门负责同志作了交流发言。",
    "要健全工作机制，加强督促检查，及时协调解决工作推进中遇到的困难和问题。",
    "据统计，{year}年以来全市共梳理{topic}事项{n}项，已办结{pct}项。",
    "此次调研深入项目现场，详细了解项目建设进度、要素保障和存在的困难。",
    "各单位要严格按照时间节点报送相关材料，逾期不予受理。",
    "联系人及电话请见附件，有关意见建议请通过电子邮件反馈。",
    "现将有关事项通知如下，请认真贯彻执行。",
)  # fmt: skip
ATTACH_KINDS = ("申报表", "项目汇总表", "实施细则", "工作方案", "评分标准", "名单", "征求意见稿", "政策解读")
ATTACH_EXT = ("pdf", "pdf", "doc", "docx", "docx", "xls", "xlsx", "zip")
NEWS_SOURCES = ("新华网", "人民网", "央广网", "光明网")

TYPES = {
    "html": "text/html", "htm": "text/html", "shtml": "text/html", "css": "text/css",
    "js": "application/javascript", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "ico": "image/x-icon", "pdf": "application/pdf", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip", "txt": "text/plain", "xml": "application/xml",
    "": "application/octet-stream",
}  # fmt: skip
BODIES = {
    "pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    + b"%"
    + b"0" * 1400
    + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1528,
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1016,
    "docx": b"PK\x03\x04" + b"\x00" * 1200 + b"PK\x05\x06" + b"\x00" * 18,
    "xlsx": b"PK\x03\x04" + b"\x00" * 900 + b"PK\x05\x06" + b"\x00" * 18,
    "zip": b"PK\x03\x04" + b"\x00" * 2000 + b"PK\x05\x06" + b"\x00" * 18,
    "jpg": JPEG + b"\x00" * 1500,
}
CSS = (
    b'body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}'
    b".w1200{width:1200px;margin:0 auto}.nav{background:#1b5fad}.nav li{display:inline-block}"
    b".nav a{color:#fff;padding:0 14px}.list li{border-bottom:1px dashed #ddd}.list span{float:right}"
    b".footer{background:#eee;text-align:center}.TRS_Editor p{text-indent:2em}"
    b".left{float:left;width:240px}.right{float:right;width:940px}\n"
)
# The weight a real template carries besides its links (since generator version 3): real TRS
# articles weigh 16-34 KiB, the corpus's real pages 77 KiB on average, where versions 1-2 made
# 6 KiB pages. None of it is a link or a URL (the link figures stay those of the measurement):
# the template's own <style> and scripts, wrappers with inline styles, a hidden sub-menu per nav
# item, an article tool bar with handlers, Word-pasted article markup, a statistics script.
TEMPLATE_STYLE = (
    "<style>\n"
    + "".join(
        f".mod{i}{{margin:0 0 {i % 7 * 2}px;padding:{i % 5}px {i % 9}px;"
        f"border:1px solid #e{i % 10}e{i % 10}e{i % 10}}}"
        f".mod{i} .hd{{height:38px;line-height:38px;border-bottom:2px solid #1b5fad;overflow:hidden}}"
        f".mod{i} .hd h3{{float:left;font-size:{15 + i % 4}px;color:#1b5fad;font-weight:bold}}"
        f".mod{i} .bd li{{height:32px;line-height:32px;padding-left:12px;white-space:nowrap;overflow:hidden}}"
        "\n"
        for i in range(24)
    )
    + ".subnav{position:absolute;z-index:99;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2)}\n</style>\n"
)
TEMPLATE_SCRIPT = """<script type="text/javascript">
var siteConfig = {siteId: 12, siteName: "SITE", searchScope: 0, fontSizes: [14, 16, 18], elderMode: false};
function setFontSize(size){ var box = document.getElementById("zoom"); if(box){ box.style.fontSize = size + "px"; } }
function toggleElder(){ siteConfig.elderMode = !siteConfig.elderMode; document.body.className = siteConfig.elderMode ? "elder" : ""; }
function showDate(){ var d = new Date(); var w = ["\\u65e5","\\u4e00","\\u4e8c","\\u4e09","\\u56db","\\u4e94","\\u516d"];
  var box = document.getElementById("today"); if(box){ box.innerText = d.getFullYear() + "\\u5e74" + (d.getMonth() + 1) + "\\u6708" + d.getDate() + "\\u65e5 \\u661f\\u671f" + w[d.getDay()]; } }
function navHover(){ var items = document.querySelectorAll(".nav li"); for(var i = 0; i < items.length; i++){
  items[i].onmouseover = function(){ this.className = "on"; var s = this.getElementsByTagName("div")[0]; if(s){ s.style.display = "block"; } };
  items[i].onmouseout = function(){ this.className = ""; var s = this.getElementsByTagName("div")[0]; if(s){ s.style.display = "none"; } }; } }
if(window.addEventListener){ window.addEventListener("load", function(){ showDate(); navHover(); }, false); }
</script>
""".replace("SITE", SITE_NAME)  # noqa: E501
TOPBAR = (
    '<div class="topbar" style="height:36px;line-height:36px;background:#f5f5f5;'
    'border-bottom:1px solid #e5e5e5">'
    '<div class="w1200"><span class="date" id="today" style="float:left"></span>'
    '<span class="weather" style="display:none;float:left;margin-left:20px"></span>'
    '<span class="tools" style="float:right"><span id="elder" style="cursor:pointer">长者模式</span>'
    '<span style="margin:0 8px;color:#ccc">|</span><span data-font="18" style="cursor:pointer">'
    "无障碍浏览</span></span></div></div>\n"
)
ARTICLE_TOOLS = (
    '<div class="article-tools" style="text-align:right;color:#666;margin:10px 0">【字体：'
    '<span data-font="18" style="cursor:pointer">大</span> '
    '<span data-font="16" style="cursor:pointer">中</span> '
    '<span data-font="14" style="cursor:pointer">小</span>】'
    '<span class="share" style="display:none">分享到：<span class="wx" title="微信"></span>'
    '<span class="wb" title="微博"></span></span></div>\n'
)
STATS_SCRIPT = """<script type="text/javascript">
(function(){ var visit = {site: 12, column: COLUMN, page: PAGE, time: new Date().getTime(), screen: screen.width + "x" + screen.height};
  var parts = []; for(var key in visit){ if(visit.hasOwnProperty(key)){ parts.push(key + "=" + encodeURIComponent(visit[key])); } }
  window.siteVisit = parts.join("&"); })();
</script>
"""  # noqa: E501
# The classic TRS WCM pager as the shared script defines it: pages call it inline.
COMMON_JS = b"""function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  var name = function(i){ return (i == 0 ? _sPageName : _sPageName + "_" + i) + "." + _sPageExt; };
  document.write("<span>\\u5171" + _nPageCount + "\\u9875</span>&nbsp;");
  if(nCurrIndex == 0){ document.write("\\u9996\\u9875 \\u4e0a\\u4e00\\u9875 "); }
  else{ document.write("<a href=\\"" + name(0) + "\\">\\u9996\\u9875</a> <a href=\\"" + name(nCurrIndex - 1) + "\\">\\u4e0a\\u4e00\\u9875</a> "); }
  if(nCurrIndex == _nPageCount - 1){ document.write("\\u4e0b\\u4e00\\u9875 \\u5c3e\\u9875"); }
  else{ document.write("<a href=\\"" + name(nCurrIndex + 1) + "\\">\\u4e0b\\u4e00\\u9875</a> <a href=\\"" + name(_nPageCount - 1) + "\\">\\u5c3e\\u9875</a>"); }
}
"""  # noqa: E501
# The TRS 海云 pager: element id first, record count last, pages counted from 1.
HANYUN_JS = b"""function createPageHTML(elementId, _nPageCount, _nCurrIndex, _sPageName, _sPageExt,
    _nPageSum){
  var el = document.getElementById(elementId);
  if(!el || _nPageCount == null || _nPageCount <= 1){ return; }
  var name = function(k){ return (k == 1 ? _sPageName : _sPageName + "_" + k) + "." + _sPageExt; };
  var h = "<span>\\u5171" + _nPageSum + "\\u6761 \\u5171" + _nPageCount + "\\u9875</span>";
  h += "<a href=\\"" + name(1) + "\\">\\u9996\\u9875</a>";
  if(_nCurrIndex > 1){ h += "<a href=\\"" + name(_nCurrIndex - 1) + "\\">\\u4e0a\\u4e00\\u9875</a>"; }
  if(_nCurrIndex < _nPageCount){ h += "<a href=\\"" + name(_nCurrIndex + 1) + "\\">\\u4e0b\\u4e00\\u9875</a>"; }
  h += "<a href=\\"" + name(_nPageCount) + "\\">\\u5c3e\\u9875</a>";
  el.innerHTML = h;
}
"""  # noqa: E501


@dataclass
class Column:
    slug: str
    name: str
    section: int
    form: str = "classic"  # classic | hanyun | countpage
    chain: int = 1  # list pages
    items: list[int] = field(default_factory=list)  # article indices, newest first
    own: int = 0  # articles whose URL is under this column

    @property
    def ext(self) -> str:
        return "shtml" if self.form == "hanyun" else "html"

    @property
    def gbk(self) -> bool:
        return self.slug == GBK_COLUMN

    def page_path(self, i: int) -> str:
        """Path of list page i (0-based)."""
        if self.form == "hanyun":
            return f"/{self.slug}/index.shtml" if i == 0 else f"/{self.slug}/index_{i + 1}.shtml"
        return f"/{self.slug}/index.html" if i == 0 else f"/{self.slug}/index_{i}.html"

    @property
    def index(self) -> str:
        return self.page_path(0)


# --- the plan: columns, chains, articles --------------------------------------------------------


def _columns_for(count: int) -> list[Column]:
    """The first column of every section, then the second of every section, …; past the table,
    county columns (青山县工作动态) spread over the sections."""
    out: list[Column] = []
    depth = 0
    while len(out) < count:
        added = False
        for si, (_, cols) in enumerate(SECTIONS):
            if len(out) == count:
                break
            if depth < len(cols):
                slug, name = cols[depth]
                out.append(Column(slug, name, si))
                added = True
        depth += 1
        if not added:
            break
    n = 0
    while len(out) < count:
        si = n % len(SECTIONS)
        base_slug, base_name = SECTIONS[si][1][0]
        place = PLACES[(n // len(SECTIONS)) % len(PLACES)]
        rnd = n // (len(SECTIONS) * len(PLACES))
        out.append(
            Column(f"{base_slug}{n + 1:02d}", f"{place}{base_name}" + (f"{rnd + 1}" if rnd else ""), si)
        )
        n += 1
    return out


def _chain_lengths(rng: random.Random, pages: int) -> tuple[int, list[int]]:
    """Longest chain C and the chain length of every column, largest first: ~80 % "big" columns
    falling linearly from C to C/4, ~20 % small ones (1–4 pages); the pages past each column's
    first sum to PAGER_ONLY_SHARE of the portal."""
    scale = pages / 10000
    cap = max(2, round(MAX_CHAIN_AT_10K * scale**0.4))
    pager_only = round(PAGER_ONLY_SHARE * pages)
    big = max(1, round(pager_only / (0.625 * cap)))
    small = round(big * 0.25)
    count = max(len(SECTIONS), big + small)
    small = count - big
    lengths = []
    for j in range(big):
        frac = 1.0 - 0.75 * (j / (big - 1) if big > 1 else 0.0)
        lengths.append(max(2, min(cap, round(cap * frac * rng.uniform(0.9, 1.1)))))
    lengths += [rng.choice((1, 1, 2, 3, 4)) for _ in range(small)]
    # Bring the pager-only total to the target, big columns only, within [2, cap].
    diff = pager_only - sum(n - 1 for n in lengths)
    j = 0
    guard = 0
    while diff and guard < 100000:
        k = j % big
        if diff > 0 and lengths[k] < cap:
            lengths[k] += 1
            diff -= 1
        elif diff < 0 and lengths[k] > 2:
            lengths[k] -= 1
            diff += 1
        j += 1
        guard += 1
    lengths.sort(reverse=True)
    return cap, lengths


@dataclass
class Plan:
    pages: int
    seed: int
    today: dt.date
    columns: list[Column]
    art_col: list[int]  # per article (index = age rank, oldest first): its column
    art_day: list[int]  # date ordinal
    art_id: list[int]  # TRS docid
    art_title: list[str]
    reserved: dict[str, int]  # role -> article index (oldest articles, listed only on a last page)
    cap: int


MISC_PAGES = (
    ("/gywm/index.html", "关于我们"),
    ("/wzdt/index.html", "网站地图"),
    ("/lxwm/index.html", "联系我们"),
    ("/wzsm/index.html", "网站声明"),
)


def plan(pages: int, seed: int, today: dt.date) -> Plan:
    rng = random.Random(f"realistic-{seed}-{pages}")
    cap, lengths = _chain_lengths(rng, pages)
    columns = _columns_for(len(lengths))
    # The largest chains go to the first columns (工作动态, 通知公告, 政策文件 …), a little shuffled
    # past the first three.
    order = list(range(len(columns)))
    tail = order[2:]
    rng.shuffle(tail)
    for ci, n in zip(order[:2] + tail, lengths, strict=True):
        columns[ci].chain = n
    # The GBK column (政策文件) gets a mid-size chain: a few per cent of the pages.
    gbk_col = next((c for c in columns if c.gbk), None)
    big = [n for n in lengths if n > 4]
    if gbk_col is not None and big:
        want = big[min(len(big) - 1, round(0.3 * len(big)))]
        other = next(c for c in columns if c.chain == want)
        other.chain, gbk_col.chain = gbk_col.chain, want
    # Pager forms: classic dominates; 海云 and countPage on a few mid-size columns.
    for ci, col in enumerate(columns):
        if ci < 3:
            continue
        r = rng.random()
        col.form = "hanyun" if r < 0.15 else "countpage" if r < 0.25 else "classic"
    # Items per column: full pages and a partly filled last page.
    capacity = [PER_PAGE * (c.chain - 1) + rng.randint(3 if c.chain == 1 else 1, PER_PAGE) for c in columns]
    list_pages = sum(c.chain for c in columns)
    articles = pages - 1 - len(MISC_PAGES) - list_pages
    if articles < len(columns) * 2:
        raise ValueError(f"{pages} pages are too few for {len(columns)} columns")
    slots = sum(capacity)
    if slots < articles:
        raise ValueError(f"{slots} list rows for {articles} articles: the plan cannot list them all")
    # Own articles in proportion to the rows (every column at least one).
    own = [max(1, math.floor(c * articles / slots)) for c in capacity]
    i = 0
    while sum(own) < articles:
        if own[i % len(own)] < capacity[i % len(own)]:
            own[i % len(own)] += 1
        i += 1
    while sum(own) > articles:
        k = max(range(len(own)), key=lambda j: own[j])
        own[k] -= 1
    for col, n in zip(columns, own, strict=True):
        col.own = n
    # Dates (index = age rank: oldest first) and TRS docids growing with the date.
    span = YEARS * 365
    offsets = sorted((int(span * rng.random() ** 1.6) for _ in range(articles)), reverse=True)
    base = today.toordinal()
    art_day = [base - o for o in offsets]
    # Reserved hosts of late links: the oldest articles, one per chosen column, listed only on
    # the last page of their own column.
    by_size = sorted(range(len(columns)), key=lambda j: -columns[j].chain)
    classic_big = [j for j in by_size if columns[j].form == "classic" and not columns[j].gbk]
    hanyun = [j for j in by_size if columns[j].form == "hanyun"]
    gbk = [j for j, c in enumerate(columns) if c.gbk]
    roles_cols = [
        ("hang", classic_big[0]),
        ("dead-page", classic_big[1 % len(classic_big)]),
        ("gbk", gbk[0] if gbk else classic_big[2 % len(classic_big)]),
        ("attachments", classic_big[2 % len(classic_big)]),
        ("external", hanyun[0] if hanyun else classic_big[3 % len(classic_big)]),
    ]
    reserved: dict[str, int] = {}
    art_col: list[int] = []
    remaining = list(own)
    for role, cj in roles_cols:
        if remaining[cj] <= 1:
            continue
        reserved[role] = len(art_col)
        art_col.append(cj)
        remaining[cj] -= 1
    # Older than every other article by a year: last on their column's list whatever it quotes.
    oldest = min(art_day)
    for k, a in enumerate(reserved.values()):
        art_day[a] = oldest - 365 - 11 * (len(reserved) - k)
    rest = [cj for cj, n in enumerate(remaining) for _ in range(n)]
    rng.shuffle(rest)
    art_col += rest
    n_res = len(reserved)
    art_id = [4_000_000 + 3 * a + rng.randrange(3) for a in range(articles)]
    art_title = [_title(rng, art_day[a]) for a in range(articles)]
    # Rows: own articles, then quotes (TRS 引用) of other columns' articles up to the capacity.
    members: list[list[int]] = [[] for _ in columns]
    for a, cj in enumerate(art_col):
        members[cj].append(a)
    for cj, col in enumerate(columns):
        want = capacity[cj] - col.own
        pool = articles - n_res - col.own
        want = max(0, min(want, pool))
        chosen: set[int] = set()
        while len(chosen) < want:
            a = rng.randrange(n_res, articles)
            if art_col[a] != cj:
                chosen.add(a)
        col.items = sorted([*members[cj], *chosen], reverse=True)
        col.chain = max(1, math.ceil(len(col.items) / PER_PAGE))
    return Plan(pages, seed, today, columns, art_col, art_day, art_id, art_title, reserved, cap)


def _title(rng: random.Random, day: int) -> str:
    d = dt.date.fromordinal(day)
    return rng.choice(TITLES).format(
        org=rng.choice(ORGS),
        topic=rng.choice(TOPICS),
        place=rng.choice(PLACES),
        metric=rng.choice(METRICS),
        year=d.year,
        month=d.month,
        n=rng.randint(1, 12),
    )


def _paragraphs(rng: random.Random, day: int) -> str:
    d = dt.date.fromordinal(day)
    topic = rng.choice(TOPICS)
    out = []
    for _ in range(rng.randint(3, 7)):
        s = "".join(
            rng.choice(SENTENCES).format(
                topic=topic,
                org=rng.choice(ORGS),
                place=rng.choice(PLACES),
                metric=rng.choice(METRICS),
                month=d.month,
                year=d.year,
                n=rng.randint(12, 980),
                pct=rng.randint(2, 96),
            )
            for _ in range(rng.randint(3, 6))
        )
        out.append(s)
    # As an editor pastes from Word: each sentence its own run with its own style.
    return "\n".join(
        '<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly">'
        + "".join(
            '<span style="font-size:16.0pt;font-family:仿宋_GB2312;'
            'mso-hansi-font-family:&quot;Times New Roman&quot;">'
            f"{sentence}。</span>"
            for sentence in paragraph.split("。")
            if sentence
        )
        + "</p>"
        for paragraph in out
    )


# --- real pages' markup (--bodies real) ---------------------------------------------------------

# The generated articles weigh ~20 KiB and have a plain DOM; real government pages weigh 77 KiB
# (tables of figures, styled runs, Word-pasted markup) and analysing one costs ~4x as much
# (bench/pages.py). With --bodies real every article also carries the <body> markup of the
# corpus's pages, with everything that could be requested or followed taken out, so the
# portal's links, URLs and planted defects stay exactly those of the generated one.
# Dropped with their content: scripts, whatever loads or submits something, embedded documents,
# form controls (a crawler follows <option value>), SVG and MathML (their own <a>, xlink:href),
# raw-text and inert containers.
_REAL_DROP = frozenset((
    "script", "iframe", "frame", "frameset", "noframes", "object", "embed", "applet", "param", "img",
    "image", "picture", "link", "form", "input", "button", "select", "option", "optgroup", "textarea",
    "datalist", "video", "audio", "source", "track", "meta", "base", "area", "map", "svg", "math",
    "canvas", "template", "noscript", "title", "head", "xmp", "plaintext", "noembed", "bgsound",
))  # fmt: skip
_VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
))  # fmt: skip
# Attributes kept (structure, classes, ids, inline styles): none of them names a URL or a script.
_REAL_ATTRS = frozenset((
    "class", "id", "style", "title", "align", "valign", "width", "height", "border", "cellpadding",
    "cellspacing", "bgcolor", "color", "face", "size", "colspan", "rowspan", "nowrap", "lang", "dir",
    "role",
))  # fmt: skip
# Values (and <style> texts) that would still load or run something.
_UNSAFE_RE = re.compile(r"url\s*\(|@import|expression\s*\(|://|javascript:", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([-\w]+)""", re.IGNORECASE)
# An error page saved where a page was expected (the WAF's "502"): not a page's content.
_ERROR_TITLE_RE = re.compile(r"<title[^>]*>\s*[45]\d\d\b", re.IGNORECASE)
# An article takes the next body in turn and, when that one weighs less than this, the one after
# it too: the corpus's bodies weigh 4-185 KiB once cleaned, articles get ~49 KiB on average.
REAL_BODY_MIN = 40 * 1024


class _RealBody(HTMLParser):
    """The <body> of a saved page as markup that requests and links nothing: <a> becomes <span>
    (its text stays), comments go (server-side includes live there), a <style> stays unless it
    loads something. Every element opened is closed, so nothing after it falls inside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # entities stay as written
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (tag on the page, tag written)
        self.dropping: list[str] = []  # elements open inside a dropped one
        self.css: list[str] | None = None  # an open <style>: its start tag, then its text
        self.where = "head"  # head | body | after

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.where != "body":
            if self.where == "head" and tag == "body":
                self.where = "body"
            return
        # jsp: actions (<jsp:include page=…>) are what a copier put into a saved page.
        if self.dropping or tag in _REAL_DROP or tag.startswith("jsp:"):
            if tag not in _VOID:
                self.dropping.append(tag)
            return
        kept = "".join(
            f" {name}" if value is None else f' {name}="{escape(value)}"'
            for name, value in attrs
            if name in _REAL_ATTRS and not _UNSAFE_RE.search(value or "")
        )
        written = "span" if tag == "a" else tag
        if tag == "style":
            self.css = [f"<style{kept}>"]
        else:
            self.out.append(f"<{written}{kept}>")
        if tag not in _VOID:
            self.open.append((tag, written))

    def handle_endtag(self, tag: str) -> None:
        if self.where != "body":
            return
        if tag == "body":
            self.where = "after"
            return
        if self.dropping:
            if tag in self.dropping:
                while self.dropping.pop() != tag:
                    pass
                return
            self.dropping.clear()  # an element around the dropped one closes
        if all(t != tag for t, _ in self.open):
            return  # a stray end tag
        while True:
            t, written = self.open.pop()
            self._close(t, written)
            if t == tag:
                return

    def _close(self, tag: str, written: str) -> None:
        if tag != "style":
            self.out.append(f"</{written}>")
        elif self.css is not None:
            text = "".join(self.css[1:])
            if not _UNSAFE_RE.search(text):
                self.out.append(f"{self.css[0]}{text}</style>")
            self.css = None

    def handle_data(self, data: str) -> None:
        if self.where == "body" and not self.dropping:
            if self.css is not None:
                self.css.append(data)
            else:
                self.out.append(escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        if self.where == "body" and not self.dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if self.where == "body" and not self.dropping:
            self.out.append(f"&#{name};")

    def markup(self) -> str:
        self.close()
        while self.open:
            self._close(*self.open.pop())
        return "".join(self.out)


def _real_page_files(corpus: Path) -> list[Path]:
    if not corpus.is_dir():
        raise SystemExit(f"--bodies real needs the corpus of real pages, {corpus}: not found")
    return sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".html", ".htm"))


def _decoded(raw: bytes) -> str:
    """A saved page's text in the charset its <meta> declares (gb2312 and gbk read as GB18030,
    their superset, as browsers do). Not sitecheck's decoder: the portal must not change with it."""
    head = raw[: max(0, raw.lower().find(b"<body"))] or raw
    match = _META_CHARSET_RE.search(head)
    codec = codecs.lookup(match.group(1).decode("ascii") if match else "utf-8").name
    return raw.decode("gb18030" if codec in ("gb2312", "gbk") else codec, errors="replace")


def real_bodies(corpus: Path = REAL_PAGES) -> list[str]:
    """The cleaned <body> markup of the corpus's pages, in file-name order."""
    out = []
    for path in _real_page_files(corpus):
        text = _decoded(path.read_bytes())
        if _ERROR_TITLE_RE.search(text):
            continue
        body = _RealBody()
        body.feed(text)
        markup = body.markup()
        if markup.strip():
            out.append(markup)
    if not out:
        raise SystemExit(f"--bodies real: no HTML page in {corpus}")
    return out


def _corpus_digest(corpus: Path = REAL_PAGES) -> str:
    h = hashlib.sha256()
    for path in _real_page_files(corpus):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


# --- generation ---------------------------------------------------------------------------------


def _enc(path: str) -> str:
    return quote(path, safe=_SAFE)


class _Writer:
    """Files under main/ and ext/, the URL table and the figures, streamed as pages are made."""

    def __init__(self, directory: Path, base: str, ext2: str, ext3: str, hrefs: str = "root") -> None:
        self.directory = directory
        self.relative = hrefs == "relative"  # root-relative references rewritten (HREF_STYLES)
        self.base = base.rstrip("/")
        self.ext2 = ext2.rstrip("/")
        self.ext3 = ext3.rstrip("/")
        self.dirs: set[Path] = set()
        self.urls: dict[str, tuple[int, str]] = {}  # URL (bench.norm form) -> (status, category)
        self.other_schemes: set[str] = set()
        self.occurrences = 0
        self.files = 0
        self.bytes = 0
        self.per_side: dict[str, set[str]] = {"main": set(), "ext": set()}

    def write(self, side: str, path: str, data: bytes) -> None:
        target = self.directory / side / path.lstrip("/")
        parent = target.parent
        if parent not in self.dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(parent)
        target.write_bytes(data)
        if path not in self.per_side[side]:
            self.per_side[side].add(path)
            self.files += 1
        self.bytes += len(data)

    def url(self, host: str, path: str, query: str = "") -> str:
        return host + _enc(path) + (f"?{query}" if query else "")

    def note(self, url: str, status: int, category: str) -> str:
        old = self.urls.get(url)
        if old is not None and old[0] != status:
            raise AssertionError(f"{url}: status {old[0]} and {status}")
        self.urls[url] = (status, category)
        return url

    def page(self, path: str, text: str, gbk: bool = False) -> None:
        if self.relative:
            text = _ROOT_REF_RE.sub(lambda m: f'{m.group(1)}{relative_ref(path, m.group(2))}"', text)
        self.occurrences += len(_OCCURRENCE_RE.findall(text))
        self.write("main", path, text.encode("gbk") if gbk else text.encode("utf-8"))


def _yyyymm(day: int) -> str:
    return dt.date.fromordinal(day).strftime("%Y%m")


def _ymd(day: int) -> str:
    return dt.date.fromordinal(day).strftime("%Y%m%d")


def _iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def cache_key(
    pages: int,
    seed: int,
    today: dt.date,
    base: str,
    ext: str,
    refused: str,
    hrefs: str = "root",
    bodies: str = "generated",
) -> str:
    """The generator version, its parameters and its own source (an edited generator rebuilds),
    and with real bodies the corpus they come from."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return (
        f"realistic-v{GENERATOR_VERSION}-{source}|{pages}|{seed}|{today.isoformat()}|{base}|{ext}|{refused}"
        + ("" if hrefs == "root" else f"|{hrefs}")
        + ("" if bodies == "generated" else f"|{bodies}-{_corpus_digest()}")
    )


def generate(
    directory: Path,
    *,
    pages: int,
    seed: int,
    today: dt.date,
    base_url: str,
    external_base_url: str,
    refused_url: str,
    hrefs: str = "root",
    bodies: str = "generated",
    log: bool = True,
) -> Export:
    """Write the portal (skipped when ``directory`` holds the same version and parameters).

    ``hrefs``: "root" writes the site's own links root-relative ("/xxgk/index.html"),
    "relative" relative to each page's directory ("../../xxgk/index.html"), as TRS templates
    do; the URLs, files and planted defects are the same either way.

    ``bodies``: "real" adds to every article, after its own text, the <body> markup of the
    corpus's real pages without anything that links or loads (``real_bodies``); the links,
    URLs and planted defects are those of "generated"."""
    if hrefs not in HREF_STYLES:
        raise ValueError(f"hrefs must be one of {HREF_STYLES}")
    if bodies not in BODY_STYLES:
        raise ValueError(f"bodies must be one of {BODY_STYLES}")
    key = cache_key(pages, seed, today, base_url, external_base_url, refused_url, hrefs, bodies)
    exp = Export(directory, pages, seed, today, base_url, external_base_url, refused_url)
    if reused(exp, key):
        return exp
    started = time.monotonic()
    p = plan(pages, seed, today)
    ext2 = external_base_url.rstrip("/")
    ext2_parts = urlsplit(external_base_url)
    ext3 = f"{ext2_parts.scheme}://127.0.0.3" + (f":{ext2_parts.port}" if ext2_parts.port else "")
    w = _Writer(directory, base_url, ext2, ext3, hrefs)
    real = real_bodies() if bodies == "real" else []
    g = _Generator(p, w, base_url.rstrip("/"), ext2, ext3, refused_url.rstrip("/"), real)
    g.run()
    info = g.info()
    info |= {
        "key": key,
        "generator_version": GENERATOR_VERSION,
        "pages": pages,
        "seed": seed,
        "today": today.isoformat(),
        "base_url": base_url,
        "external_base_url": external_base_url,
        "second_external_base_url": ext3 + "/",
        "refused_url": refused_url,
        "hrefs": hrefs,
        "bodies": bodies,
        "export_seconds": round(time.monotonic() - started, 1),
    }
    (directory / "export.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    exp.info = info
    if log:
        print(
            f"generated the realistic portal: {info['page_urls']} pages, {w.files} files "
            f"({w.bytes / 2**20:.0f} MiB) in {info['export_seconds']} s",
            flush=True,
        )
    return exp


class _Generator:
    def __init__(
        self, p: Plan, w: _Writer, base: str, ext2: str, ext3: str, refused: str, real: list[str]
    ) -> None:
        self.p = p
        self.w = w
        self.base = base
        self.ext2 = ext2
        self.ext3 = ext3
        self.refused = refused
        self.rng = random.Random(f"realistic-render-{p.seed}-{p.pages}")
        self.page_urls: list[str] = []
        self.pager_only: list[str] = []
        self.defects: list[dict[str, str | None]] = []
        self.controls: list[dict[str, str | None]] = []
        self.neutral: list[dict[str, str | None]] = []
        self.dynamic: dict[str, dict[str, object]] = {}
        self.listed_unpaged: set[int] = set()  # articles linked from a page other than a pager page
        self.slow: list[tuple[str, str, float | None]] = []  # (path, label, delay; None: never)
        self.forms: dict[str, int] = {}
        cols = p.columns
        self.section_cols: list[list[int]] = [[] for _ in SECTIONS]
        for ci, c in enumerate(cols):
            self.section_cols[c.section].append(ci)
        # 上一篇 / 下一篇: each article links to its neighbours in its own column (newest first), as
        # TRS article templates do. A crawler that cannot read pager scripts still reaches every
        # article through these chains (the real-shaped portal's peers fetched 89% of its pages:
        # all but the pager-only list pages); the chains are deep, so what hangs off the oldest
        # articles is found late by everyone.
        own: dict[int, list[int]] = {}
        for a, cj in enumerate(p.art_col):
            own.setdefault(cj, []).append(a)
        self.neighbours: dict[int, tuple[int | None, int | None]] = {}
        for members in own.values():
            members.sort(key=lambda a: (-p.art_day[a], -a))
            for k, a in enumerate(members):
                before = members[k - 1] if k > 0 else None
                after = members[k + 1] if k + 1 < len(members) else None
                self.neighbours[a] = (before, after)
        # --bodies real: the corpus's bodies, also made encodable in GBK for the GBK column.
        self.real = real
        self.real_gbk = [b.encode("gbk", "xmlcharrefreplace").decode("gbk") for b in real]
        self.real_bytes = [len(b.encode()) for b in real]
        self._build_chrome()

    # -- helpers --

    def art_dir(self, a: int) -> str:
        return f"/{self.p.columns[self.p.art_col[a]].slug}/{_yyyymm(self.p.art_day[a])}/"

    def art_path(self, a: int) -> str:
        return f"{self.art_dir(a)}t{_ymd(self.p.art_day[a])}_{self.p.art_id[a]}.html"

    def main(self, path: str, status: int, category: str, query: str = "") -> str:
        return self.w.note(self.w.url(self.base, path, query), status, category)

    def plant(self, bucket: list[dict[str, str | None]], **kw: str | None) -> None:
        entry: dict[str, str | None] = {"attribute": "href", "raw": "", "element": "a", "text": ""}
        entry |= kw
        bucket.append(entry)

    def _build_chrome(self) -> None:
        p, w = self.p, self.w
        cols = p.columns
        for path in ("/css/style.css", "/js/common.js", "/js/hy_page.js"):
            self.main(path, 200, "other")
        for path in ("/images/logo.png", "/images/dzjg.png"):
            self.main(path, 200, "image")
        w.write("main", "/css/style.css", CSS)
        w.write("main", "/js/common.js", COMMON_JS)
        w.write("main", "/js/hy_page.js", HANYUN_JS)
        for path in ("/images/logo.png", "/images/dzjg.png", "/favicon.ico"):
            w.write("main", path, PNG)
        w.write("main", "/robots.txt", b"User-agent: *\nDisallow: /search/\n")
        nav = ['<li><a href="/">首页</a></li>']
        for si, (name, _) in enumerate(SECTIONS):
            first = cols[self.section_cols[si][0]]
            nav.append(
                f'<li><a href="{first.index}">{name}</a><div class="subnav" style="display:none">'
                f"<p>{name}：政策法规、工作动态、通知公告、数据发布</p></div></li>"
            )
        self.nav = (
            TOPBAR
            + '<div class="top"><div class="w1200"><a href="/" class="logo"><img src="/images/logo.png" '
            f'alt="{SITE_NAME}"></a><form action="/search/index.jsp" method="get" class="search">'
            '<input type="text" name="searchword" placeholder="请输入关键字"><button type="submit">搜索'
            '</button></form></div></div>\n<div class="nav"><ul class="w1200">'
            + "".join(nav)
            + "</ul></div>\n"
        )
        friends = [
            (self.ext2, "/gov/index.html", "中国政府网", 200),
            (self.ext2, "/ndrc/index.html", "国家发展和改革委员会", 200),
            (self.ext2, "/sfgw/index.html", "省发展和改革委员会", 200),
            (self.ext3, "/tjj/index.html", "市统计局", 200),
            (self.ext2, "/lsj/index.html", "市粮食局", 404),
        ]
        links = []
        for host, path, name, status in friends:
            url = w.note(w.url(host, path), status, "external")
            links.append(f'<a href="{url}" target="_blank">{name}</a>')
            if status == 200:
                self._ext_page(host, path, name)
            else:
                self.plant(self.defects, id="dead-friend-link", url=url, referrer=self.base + "/",
                           text=name, outcome="not_found", kind="dead_link", raw=url,
                           note="友情链接 to a merged agency's site: on every page")  # fmt: skip
        conac = w.note(
            w.url(self.ext2, "/conac/sitename.html", f"method=show&id={SITE_CODE}"), 200, "external"
        )
        jiucuo = w.note(w.url(self.ext2, "/jiucuo/index.html", f"site_code={SITE_CODE}"), 200, "external")
        beian = w.note(w.url(self.ext2, "/beian/index.html"), 200, "external")
        gaba = w.note(w.url(self.ext2, "/gaba/index.html", "recordcode=33010202000123"), 200, "external")
        badges = (
            ("/conac/sitename.html", "党政机关网站标识"),
            ("/jiucuo/index.html", "政府网站找错"),
            ("/beian/index.html", "ICP备案"),
            ("/gaba/index.html", "公安备案"),
        )
        for path, name in badges:
            self._ext_page(self.ext2, path, name)
        misc = " | ".join(f'<a href="{path}">{name}</a>' for path, name in MISC_PAGES)
        for path, _ in MISC_PAGES:
            self.main(path, 200, "page")
        self.footer = (
            f'<div class="friend w1200">友情链接：{"".join(links)}</div>\n'
            f'<div class="footer"><p>{misc}</p>\n'
            f"<p>主办单位：{SITE_NAME}　网站标识码：{SITE_CODE}　"
            f'<a href="{beian}" target="_blank">京ICP备12345678号</a>　'
            f'<a href="{gaba}" target="_blank">京公网安备 33010202000123号</a></p>\n'
            f'<p><a href="{conac}" target="_blank"><img src="/images/dzjg.png" alt="党政机关"></a>'
            f'<a href="{jiucuo}" target="_blank">政府网站找错</a></p>'
            "</div>\n"
        )
        self.sidebars: list[str] = []
        for si, (name, _) in enumerate(SECTIONS):
            items = "".join(
                f'<li><a href="{cols[ci].index}">{cols[ci].name}</a></li>' for ci in self.section_cols[si]
            )
            self.sidebars.append(f'<div class="left"><h2>{name}</h2><ul>{items}</ul></div>\n')
        for c in cols:
            for i in range(c.chain):
                self.main(c.page_path(i), 200, "page")

    def _ext_page(self, host: str, path: str, title: str) -> None:
        text = (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{host}{path}</p></body></html>\n"
        )
        self.w.write("ext", path, text.encode())

    def head(self, title: str, col: Column | None, gbk: bool, js: str, extra: str = "") -> str:
        meta = (
            f'<meta name="ColumnName" content="{col.name}">\n<meta name="ColumnType" content="{col.name}">\n'
            if col
            else ""
        )
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{"gbk" if gbk else "utf-8"}">\n'
            f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n<title>{title}</title>\n'
            f'<meta name="SiteName" content="{SITE_NAME}">\n<meta name="SiteIDCode" content="{SITE_CODE}">\n'
            f'{meta}{extra}<link rel="stylesheet" href="/css/style.css">\n<script src="{js}"></script>\n'
            f"{TEMPLATE_STYLE}{TEMPLATE_SCRIPT}</head>\n<body>\n{self.nav}"
        )

    def crumb(self, col: Column) -> str:
        section = SECTIONS[col.section][0]
        return (
            f'<div class="bread w1200">当前位置：<a href="/">首页</a> &gt; {section} &gt; '
            f'<a href="{col.index}">{col.name}</a></div>\n'
        )

    def tail(self) -> str:
        return (
            '<div class="foot-wrap" style="background:#f2f2f2;padding:20px 0;margin-top:30px">'
            f"{self.footer}</div>"
            f"{STATS_SCRIPT.replace('COLUMN', '0').replace('PAGE', '0')}</body>\n</html>\n"
        )

    # -- pages --

    def run(self) -> None:
        self.plant_dynamic()
        self.home()
        self.misc()
        for ci in range(len(self.p.columns)):
            self.column(ci)
        for a in range(len(self.p.art_col)):
            self.article(a)
        for c in self.p.columns:
            self.forms[c.form] = self.forms.get(c.form, 0) + 1

    def plant_dynamic(self) -> None:
        rng = random.Random(f"realistic-slow-{self.p.seed}")
        self.slow = [
            ("/xxgk/ysqgk/index.jsp", "依申请公开系统", round(rng.uniform(10.5, 12.0), 1)),
            ("/hdjl/zxzx/list.jsp", "在线咨询", round(rng.uniform(12.0, 13.5), 1)),
            ("/sjfb/tjcx/query.jsp", "统计数据查询", round(rng.uniform(13.5, 15.0), 1)),
            ("/zwfw/sxcx/query.do", "办事事项查询", None),
        ]
        for path, label, delay in self.slow:
            self.dynamic[path] = {"status": 200, "delay": "never" if delay is None else delay, "title": label}
        # The site search the header's form posts to (a JSP, answered at once).
        self.dynamic["/search/index.jsp"] = {"status": 200, "title": "站内搜索"}
        self.main("/search/index.jsp", 200, "other")
        # 302 to a deleted page, and a 301 to a live column.
        self.dynamic["/xwzx/zxdt/index.html"] = {"status": 302, "location": "/xwzx/zxdt/2019/index.html"}
        self.dynamic["/xwzx/index.html"] = {"status": 301, "location": self.p.columns[0].index}
        self.main("/xwzx/zxdt/2019/index.html", 404, "page")

    def home(self) -> None:
        p, cols = self.p, self.p.columns
        self.page_urls.append(self.main("/", 200, "page"))
        blocks = []
        for ci, count in ((0, 8), (1, 8), (2, 6)):
            c = cols[ci]
            rows = []
            for a in c.items[:count]:
                self.listed_unpaged.add(a)
                rows.append(
                    f'<li><a href="{self.art_path(a)}" target="_blank">{p.art_title[a]}</a>'
                    f"<span>{_iso(p.art_day[a])[5:]}</span></li>"
                )
            blocks.append(
                f'<div class="box"><h3><a href="{c.index}">{c.name}</a>'
                f'<a href="{c.index}" class="more">更多</a></h3><ul>{"".join(rows)}</ul></div>'
            )
        banners = []
        for k, ci in enumerate(self.section_cols[12][:3]):
            c = cols[ci]
            self.main(f"/images/banner{k + 1}.jpg", 200, "image")
            self.w.write("main", f"/images/banner{k + 1}.jpg", BODIES["jpg"])
            banners.append(f'<a href="{c.index}"><img src="/images/banner{k + 1}.jpg" alt="{c.name}"></a>')
        dead = self.main("/ztzl/bwcx/index.html", 404, "page")
        self.plant(self.defects, id="dead-home-link", url=dead, referrer=self.base + "/",
                   kind="dead_link_home", text="“不忘初心、牢记使命”主题教育", outcome="not_found",
                   raw="/ztzl/bwcx/index.html",
                   note="removed special topic still linked from the home page")  # fmt: skip
        moved = self.main("/xwzx/index.html", 301, "redirect")
        self.plant(self.controls, id="moved-301", url=moved, referrer=self.base + "/", kind=None,
                   text="新闻中心", outcome="ok", raw="/xwzx/index.html",
                   note=f"301 to {cols[0].index}")  # fmt: skip
        body = (
            f'<div class="w1200 home"><div class="banner">{"".join(banners)}</div>\n{"".join(blocks)}\n'
            f'<div class="zt"><a href="/ztzl/bwcx/index.html">“不忘初心、牢记使命”主题教育</a>'
            f'<a href="/xwzx/index.html">新闻中心</a></div></div>\n'
        )
        text = self.head(f"{SITE_NAME}", None, False, "/js/common.js") + body + self.tail()
        self.w.page("/index.html", text)

    def misc(self) -> None:
        cols = self.p.columns
        for path, name in MISC_PAGES:
            self.page_urls.append(self.w.url(self.base, path))
            if path == "/wzdt/index.html":
                parts = []
                for si, (sname, _) in enumerate(SECTIONS):
                    links = "".join(
                        f'<a href="{cols[ci].index}">{cols[ci].name}</a>' for ci in self.section_cols[si]
                    )
                    parts.append(f"<dl><dt>{sname}</dt><dd>{links}</dd></dl>")
                content = "\n".join(parts)
            elif path == "/lxwm/index.html":
                self.w.other_schemes.add("mailto:fgw@example.gov.cn")
                content = (
                    "<p>地址：某市人民路1号市行政中心　邮编：310000</p><p>办公室电话：0571-12345678</p>"
                    '<p>电子邮箱：<a href="mailto:fgw@example.gov.cn">fgw@example.gov.cn</a></p>'
                )
            else:
                content = f"<p>{name}。{SENTENCES[2].format(topic='网站建设')}{SENTENCES[3]}</p>"
            crumb = f'<div class="bread w1200">当前位置：<a href="/">首页</a> &gt; {name}</div>\n'
            text = (
                self.head(f"{name}_{SITE_NAME}", None, False, "/js/common.js")
                + crumb
                + f'<div class="w1200 single"><h1>{name}</h1>{content}</div>\n'
                + self.tail()
            )
            self.w.page(path, text)

    def pager(self, c: Column, i: int) -> str:
        if c.form == "classic":
            return (
                f'<div class="page"><script>createPageHTML({c.chain}, {i}, "index", "html");</script></div>'
            )
        if c.form == "hanyun":
            return (
                '<div class="page" id="page_div"></div><script>'
                f"createPageHTML('page_div', {c.chain}, {i + 1}, 'index', 'shtml', {len(c.items)});</script>"
            )
        return (
            '<div class="page"><script>\nvar countPage = ' + str(c.chain) + ";//共多少页\n"
            "var currentPage = " + str(i) + ";//所在页从0开始\nvar prevPage = currentPage - 1;\n"
            "var nextPage = currentPage + 1;\n"
            'document.write("共" + countPage + "页&nbsp;");\n'
            "if (countPage > 1 && currentPage != 0) {\n"
            '  if (currentPage == 1) document.write("<a href=\\"index.html\\">上一页</a>&nbsp;");\n'
            '  else document.write("<a href=\\"index" + "_" + prevPage + "." + "html\\">上一页</a>&nbsp;");\n'
            "}\n"
            "if (nextPage < countPage)\n"
            '  document.write("<a href=\\"index" + "_" + nextPage + "." + "html\\">下一页</a>");\n'
            "</script></div>"
        )

    def column(self, ci: int) -> None:
        p, c = self.p, self.p.columns[ci]
        crumb = self.crumb(c)
        sidebar = self.sidebars[c.section]
        js = "/js/hy_page.js" if c.form == "hanyun" else "/js/common.js"
        big = sorted(range(len(p.columns)), key=lambda j: -p.columns[j].chain)[:3]
        for i in range(c.chain):
            path = c.page_path(i)
            url = self.w.url(self.base, path)
            self.page_urls.append(url)
            if i:
                self.pager_only.append(url)
            rows = []
            for a in c.items[i * PER_PAGE : (i + 1) * PER_PAGE]:
                if i == 0:
                    self.listed_unpaged.add(a)
                target = self.art_path(a)
                own = p.art_col[a] == ci
                href = "./" + target.split("/", 2)[2] if own else ".." + target
                rows.append(
                    f'<li><a href="{href}" target="_blank" title="{p.art_title[a]}">{p.art_title[a]}</a>'
                    f"<span>{_iso(p.art_day[a])}</span></li>"
                )
            extra = ""
            if ci == big[1] and i == c.chain // 2 and c.chain > 2:
                # A deleted document still listed on a middle pager page.
                day = p.art_day[c.items[i * PER_PAGE]] - 3
                dead_path = f"/{c.slug}/{_yyyymm(day)}/t{_ymd(day)}_{3_999_001}.html"
                dead = self.main(dead_path, 404, "page")
                title = "关于公布第二批重点建设项目调整名单的通知"
                rows.insert(
                    3,
                    f'<li><a href="./{dead_path.split("/", 2)[2]}" target="_blank" title="{title}">'
                    f"{title}</a><span>{_iso(day)}</span></li>",
                )
                self.plant(self.defects, id="dead-list-row", url=dead, referrer=url, text=title,
                           outcome="not_found", kind="dead_link", raw="./" + dead_path.split("/", 2)[2],
                           note=f"deleted document listed on pager page {i} of {c.chain} "
                                "(script-only)")  # fmt: skip
            if ci in big and i == c.chain - 1:
                path_s, label, delay = self.slow[big.index(ci)]
                surl = self.main(path_s, 200, "slow")
                extra = f'<div class="xgxt">相关系统：<a href="{path_s}" target="_blank">{label}</a></div>'
                self.plant(self.neutral, id=f"slow-{big.index(ci) + 1}", url=surl, referrer=url, text=label,
                           outcome="ok", kind=None, raw=path_s,
                           note=f"answers after {delay} s; linked only from the last pager page "
                                f"{i} of {c.chain}")  # fmt: skip
            main = (
                f'<div class="w1200 clearfix">{sidebar}<div class="right"><div class="lm_title">'
                f'<span>{c.name}</span></div>\n<ul class="list">\n'
                + "\n".join(rows)
                + f"\n</ul>\n{self.pager(c, i)}{extra}"
                "</div></div>\n"
            )
            title = f"{c.name}_{SITE_NAME}"
            text = self.head(title, c, c.gbk, js) + crumb + main + self.tail()
            self.w.page(path, text, c.gbk)

    def article(self, a: int) -> None:
        p, w, rng = self.p, self.w, self.rng
        c = p.columns[p.art_col[a]]
        day = p.art_day[a]
        adir = self.art_dir(a)
        path = self.art_path(a)
        url = w.url(self.base, path)
        self.page_urls.append(w.note(url, 200, "page"))
        ymd = _ymd(day)
        docid = p.art_id[a]
        title = p.art_title[a]
        body = [_paragraphs(rng, day)]
        r = rng.random()
        images = 0 if r < 0.80 else 1 if r < 0.975 else 2
        for k in range(images):
            name = f"W0{ymd}{docid}{k}.jpg"
            self.main(adir + name, 200, "image")
            w.write("main", adir + name, BODIES["jpg"])
            body.append(f'<p style="text-align:center"><img src="./{name}" alt="{title}"></p>')
        r = rng.random()
        n_att = 0 if r < 0.82 else 1 if r < 0.94 else 2 if r < 0.98 else 3
        attachments = []
        for k in range(n_att):
            ext = rng.choice(ATTACH_EXT)
            kind = rng.choice(ATTACH_KINDS)
            style = rng.random()
            if style < 0.6:
                name = f"P0{ymd}{docid}{k}{rng.randrange(10000):04d}.{ext}"
                href = f"./{name}"
                text = f"{k + 1}.{kind}.{ext}"
            else:
                name = f"附件{k + 1}：{rng.choice(TOPICS)}{kind}.{ext}"
                if w.url(self.base, adir + name) in w.urls:
                    name = f"附件{k + 1}：{rng.choice(TOPICS)}{kind}（{docid}）.{ext}"
                href = _enc(adir + name) if style < 0.85 else adir + name
                text = name
            self.main(adir + name, 200, "attachment")
            w.write("main", adir + name, BODIES[ext])
            attachments.append(f'<p><a href="{href}" target="_blank">{text}</a></p>')
        source = "本网"
        if rng.random() < NEWS_SOURCE_SHARE:
            d = dt.date.fromordinal(day)
            npath = f"/xinwen/{d:%Y-%m}/{d:%d}/c_{1_130_000_000 + docid}.htm"
            nurl = w.note(w.url(self.ext3, npath), 200, "external")
            sname = rng.choice(NEWS_SOURCES)
            self._ext_page(self.ext3, npath, title)
            source = f'<a href="{nurl}" target="_blank">{sname}</a>'
        extra = self.planted(a, adir, url)
        if extra:
            body.append(extra)
        info = (
            f'<div class="info">发布时间：{_iso(day)} {9 + docid % 9:02d}:{docid % 60:02d}　来源：{source}　'
            '[<a href="javascript:window.print()">打印本页</a>] '
            '[<a href="javascript:window.close()">关闭窗口</a>]</div>'
        )
        att = f'<div class="fj"><p>附件：</p>{"".join(attachments)}</div>' if attachments else ""
        before, after = self.neighbours.get(a, (None, None))
        turn = []
        for word, other in (("上一篇", before), ("下一篇", after)):
            if other is None:
                turn.append(f"<p>{word}：没有了</p>")
            else:
                turn.append(f'<p>{word}：<a href="{self.art_path(other)}">{p.art_title[other]}</a></p>')
        main = (
            f'<div class="w1200 article"><h1>{title}</h1>\n{info}\n{ARTICLE_TOOLS}'
            '<div class="TRS_Editor" id="zoom">\n'
            + "\n".join(body)
            + f'\n</div>\n{self.real_body(a, c.gbk)}{att}<div class="turn">{"".join(turn)}</div></div>\n'
        )
        meta = f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="{_iso(day)}">\n'
        text = (
            self.head(f"{title}_{SITE_NAME}", c, c.gbk, "/js/common.js", meta)
            + self.crumb(c)
            + main
            + self.tail()
        )
        w.page(path, text, c.gbk)

    def real_body(self, a: int, gbk: bool) -> str:
        """--bodies real: the corpus's bodies in turn from the seed, the next one too when the
        first is light (REAL_BODY_MIN); after the article's own text and date, so its date is
        still the first on the page. Empty for generated bodies."""
        if not self.real:
            return ""
        first = (self.p.seed + a) % len(self.real)
        picks = [first] if self.real_bytes[first] >= REAL_BODY_MIN else [first, (first + 1) % len(self.real)]
        bodies = self.real_gbk if gbk else self.real
        return '<div class="bench-real-body">' + "".join(bodies[k] for k in picks) + "</div>\n"

    def planted(self, a: int, adir: str, url: str) -> str:
        """Links planted on the reserved (oldest, last-page-only) articles."""
        role = next((r for r, ra in self.p.reserved.items() if ra == a), None)
        if role is None:
            return ""
        w = self.w
        col = self.p.columns[self.p.art_col[a]]
        where = f"on an article listed only on {col.page_path(col.chain - 1)} (pager page {col.chain - 1})"
        out: list[str] = []

        def link(bucket: list[dict[str, str | None]], ident: str, href: str, target: str, text: str,
                 outcome: str, kind: str | None, note: str, element: str = "a") -> None:  # fmt: skip
            if element == "img":
                out.append(f'<p><img src="{href}" alt="{text}"></p>')
            else:
                out.append(f'<p><a href="{href}" target="_blank">{text}</a></p>')
            self.plant(bucket, id=ident, url=target, referrer=url, text=text, outcome=outcome, kind=kind,
                       raw=href, element=element, attribute="src" if element == "img" else "href",
                       note=f"{note}; {where}")  # fmt: skip

        if role == "hang":
            path, label, _ = self.slow[3]
            target = self.main(path, 0, "slow", "itemid=1024")
            link(
                self.defects,
                "timeout-never-answers",
                f"{path}?itemid=1024",
                target,
                label,
                "timeout",
                "dead_link",
                "never answers (the server holds the request until the client gives up)",
            )
            target = w.note(f"{self.refused}/wsbs/index.html", 0, "external")
            link(
                self.defects,
                "connection-refused",
                target,
                target,
                "网上办事大厅（旧版）",
                "connection_error",
                "dead_link",
                "a port held bound but not listening",
            )
        elif role == "dead-page":
            day = self.p.art_day[a] - 40
            dpath = f"/{col.slug}/{_yyyymm(day)}/t{_ymd(day)}_{3_999_002}.html"
            target = self.main(dpath, 404, "page")
            link(
                self.defects,
                "dead-internal-page",
                f"../{_yyyymm(day)}/t{_ymd(day)}_{3_999_002}.html",
                target,
                "关于做好2019年度统计工作的通知",
                "not_found",
                "dead_link",
                "deleted article at a TRS-style URL",
            )
            spath = f"/{col.slug}/{_yyyymm(day)}/t{_ymd(day)}_{3_999_003}.html"
            target = self.main(spath, 200, "soft404")
            w.write("main", spath, _soft_404())
            link(
                self.defects,
                "soft-404-page",
                f"../{_yyyymm(day)}/t{_ymd(day)}_{3_999_003}.html",
                target,
                "市发展改革委召开全市价格监测工作会议",
                "soft_404",
                "dead_link",
                "200 page saying 对不起，您访问的页面不存在 at an article URL",
            )
            name = f"W0{_ymd(self.p.art_day[a])}{self.p.art_id[a]}9.jpg"
            target = self.main(adir + name, 404, "image")
            link(
                self.defects,
                "dead-image",
                f"./{name}",
                target,
                "调研现场",
                "not_found",
                "dead_link",
                "img src relative to the article directory",
                element="img",
            )
        elif role == "gbk":
            ok = f"附件1：{TOPICS[0]}申报表.xls"
            target = self.main(adir + ok, 200, "attachment")
            w.write("main", adir + ok, BODIES["xls"])
            link(
                self.controls,
                "gbk-chinese-attachment",
                f"./{ok}",
                target,
                ok,
                "ok",
                None,
                "raw Chinese file name on a GBK page: the URL is its UTF-8 percent-encoding",
            )
            dead = f"附件2：{TOPICS[1]}评分标准.doc"
            target = self.main(adir + dead, 404, "attachment")
            link(
                self.defects,
                "dead-gbk-attachment",
                f"./{dead}",
                target,
                dead,
                "not_found",
                "dead_link",
                "raw Chinese file name on a GBK page, 404",
            )
        elif role == "attachments":
            ymd, docid = _ymd(self.p.art_day[a]), self.p.art_id[a]
            name = f"P0{ymd}{docid}9{1234:04d}.pdf"
            target = self.main(adir + name, 404, "attachment")
            link(
                self.defects,
                "dead-attachment",
                f"./{name}",
                target,
                "1.实施细则.pdf",
                "not_found",
                "dead_link",
                "TRS attachment name, 404",
            )
            name = "关于开展2019年度网站自查工作的通知.pdf"
            target = self.main(adir + name, 404, "attachment")
            link(
                self.defects,
                "dead-attachment-chinese",
                _enc(adir + name),
                target,
                f"附件：{name}",
                "not_found",
                "dead_link",
                "Chinese file name, UTF-8 percent-encoded in the href, 404",
            )
            name = "附件3：2019年度重点项目申报汇总表.xlsx"
            target = self.main(adir + name, 404, "attachment")
            link(
                self.defects,
                "dead-attachment-raw",
                adir + name,
                target,
                name,
                "not_found",
                "dead_link",
                "Chinese file name, raw UTF-8 in the href, 404",
            )
            name = "附件1：2019年度重点项目申报汇总表.xlsx"
            target = self.main(adir + name, 200, "attachment")
            w.write("main", adir + name, BODIES["xlsx"])
            link(
                self.controls,
                "chinese-attachment-raw",
                adir + name,
                target,
                name,
                "ok",
                None,
                "Chinese file name, raw UTF-8 in the href, 200",
            )
            name = "附件2：2019年度重点项目评分标准.docx"
            target = self.main(adir + name, 200, "attachment")
            w.write("main", adir + name, BODIES["docx"])
            link(
                self.controls,
                "chinese-attachment-encoded",
                _enc(adir + name),
                target,
                name,
                "ok",
                None,
                "Chinese file name, UTF-8 percent-encoded in the href, 200",
            )
        elif role == "external":
            target = w.note(w.url(self.ext3, "/xinwen/2019-03/05/c_1124194561.htm"), 404, "external")
            link(
                self.defects,
                "dead-external",
                target,
                target,
                "新华网：政府工作报告全文",
                "not_found",
                "dead_link",
                "news source on the second external host, 404",
            )
            target = self.main("/xwzx/zxdt/index.html", 302, "redirect")
            link(
                self.defects,
                "redirect-to-404",
                "/xwzx/zxdt/index.html",
                target,
                "最新动态",
                "not_found",
                "dead_link",
                "302 to a page that answers 404",
            )
        return "\n".join(out)

    # -- figures --

    def info(self) -> dict[str, object]:
        p, w = self.p, self.w
        counts: dict[str, int] = {}
        main_host = urlsplit(self.base).netloc
        pages = set(self.page_urls)
        for url, (_, category) in w.urls.items():
            if urlsplit(url).netloc != main_host:
                key = "external"
            elif url in pages:
                key = "pages"
            elif category == "image":
                key = "images"
            elif category == "attachment":
                key = "attachments"
            else:
                key = "other_internal"
            counts[key] = counts.get(key, 0) + 1
        counts["total"] = len(w.urls)
        counts["other_scheme"] = len(w.other_schemes)
        chains = sorted((c.chain for c in p.columns), reverse=True)
        only_paged = len(p.art_col) - len(self.listed_unpaged)
        directory = w.directory
        with (directory / "urls.tsv").open("w", encoding="utf-8") as f:
            for url, (status, category) in sorted(w.urls.items()):
                f.write(f"{status}\t{category}\t{url}\n")
        manifest = {
            "generator": f"bench/realistic.py v{GENERATOR_VERSION}",
            "defects": self.defects,
            "controls": self.controls,
            "neutral": self.neutral,
            "columns": [
                {
                    "id": c.slug,
                    "url": self.base + c.index,
                    "name": c.name,
                    "category": "list",
                    "newest": _iso(p.art_day[c.items[0]]) if c.items else None,
                    "items": len(c.items),
                    "kind": None,
                    "parent": SECTIONS[c.section][0],
                    "note": f"{c.chain} list pages, pager {c.form}" + (", GBK" if c.gbk else ""),
                    "layout": c.form,
                    "chain": c.chain,
                    "own_articles": c.own,
                    "encoding": "gbk" if c.gbk else "utf-8",
                }
                for c in p.columns
            ],
            "page_urls": sorted(pages),
            "pager_only_urls": self.pager_only,
        }
        (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        gbk_pages = sum(1 for url in self.page_urls if urlsplit(url).path.startswith(f"/{GBK_COLUMN}/"))
        return {
            "portal": "realistic",
            "page_urls": len(self.page_urls),
            "link_occurrences": w.occurrences,
            "occurrences_per_page": round(w.occurrences / len(self.page_urls), 1),
            "distinct_urls": counts,
            "list_pages": sum(chains),
            "pager_only_pages": len(self.pager_only),
            "articles": len(p.art_col),
            "articles_only_via_pager_pages": only_paged,
            "columns": len(p.columns),
            "max_chain": chains[0],
            "chains": chains,
            "pager_forms": self.forms,
            "gbk_pages": gbk_pages,
            "slow_endpoints": [
                {"path": path, "label": label, "delay": "never" if delay is None else delay}
                for path, label, delay in self.slow
            ],
            "defects": len(self.defects),
            "files": w.files,
            "bytes": w.bytes,
            "static_files": {side: len(paths) for side, paths in w.per_side.items()},
            "dynamic_paths": {"main": sorted(self.dynamic), "ext": []},
            "dynamic": self.dynamic,
            "types": TYPES,
            "charsets": {"main": {"/": "utf-8", f"/{GBK_COLUMN}/": "gbk"}, "ext": {"/": "utf-8"}},
            "ext_addresses": ["127.0.0.2", "127.0.0.3"],
        }


def _soft_404() -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>提示信息</title></head>'
        '<body><div class="error"><h2>对不起，您访问的页面不存在或已被删除！</h2>'
        '<p>页面不存在，请<a href="/">返回首页</a>。</p></div></body></html>\n'
    ).encode()


# --- serving: what nginx proxies, and what a URL must answer ------------------------------------


class RealisticPortal:
    """The realistic portal as ``dynamic.py`` and ``bench.py`` ask it: the dynamic paths
    (slow, never-answering, redirects) and, for static paths, the file nginx serves."""

    def __init__(self, exp: Export) -> None:
        self.exp = exp
        self.root = exp.directory
        dyn = exp.info["dynamic"]
        assert isinstance(dyn, dict)
        self.dynamic: dict[str, dict[str, object]] = dyn
        self.slow_delays: dict[str, float] = {}
        for path, spec in dyn.items():
            delay = spec.get("delay")
            if delay is not None:
                self.slow_delays[path] = math.inf if delay == "never" else float(str(delay))
        charsets = exp.info["charsets"]
        assert isinstance(charsets, dict)
        self.charsets: dict[str, dict[str, str]] = charsets

    def expected(self) -> Iterator[tuple[str, int, str]]:
        """(URL, status it must get — 0: none, category) for every URL a page references."""
        with (self.root / "urls.tsv").open(encoding="utf-8") as f:
            for line in f:
                status, category, url = line.rstrip("\n").split("\t", 2)
                yield url, int(status), category

    def content_type(self, side: str, path: str) -> str:
        name = path.rsplit("/", 1)[-1]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        ctype = TYPES.get(ext, TYPES[""])
        if ctype in ("text/html", "text/plain"):
            parts = path.strip("/").split("/")
            top = "/" + parts[0] + "/" if len(parts) > 1 else "/"
            cs = self.charsets[side].get(top, self.charsets[side].get("/", "utf-8"))
            ctype = f"{ctype}; charset={cs}"
        return ctype

    def _static(self, side: str, path: str) -> Response:
        path = unquote(path)
        file_path = path + "index.html" if path.endswith("/") else path
        target = self.root / side / file_path.lstrip("/")
        try:
            body = target.read_bytes()
        except (OSError, ValueError):
            return Response(404, body=b"<html><body><h1>404 Not Found</h1></body></html>")
        return Response(200, content_type=self.content_type(side, file_path), body=body)

    def get(self, path: str, query: str = "") -> Response:
        spec = self.dynamic.get(unquote(path))
        if spec is None:
            return self._static("main", path)
        status = int(str(spec["status"]))
        if "location" in spec:
            body = f'<html><body><a href="{spec["location"]}">moved</a></body></html>'.encode()
            return Response(status, body=body, headers=(("Location", str(spec["location"])),))
        title = str(spec.get("title", ""))
        page = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1></body></html>"
        )
        slow = Behaviour.SLOW if "delay" in spec else Behaviour.NORMAL
        return Response(status, body=page.encode(), behaviour=slow)

    def get_external(self, path: str, query: str = "") -> Response:
        return self._static("ext", path)

    def post(self, path: str, query: str, form: bytes) -> Response:
        return Response(405, body=b"", headers=(("Allow", "GET, HEAD"),))


# --- command line -------------------------------------------------------------------------------


def describe(info: dict[str, object]) -> str:
    du = info["distinct_urls"]
    assert isinstance(du, dict)
    chains = info["chains"]
    assert isinstance(chains, list)
    slow = info["slow_endpoints"]
    assert isinstance(slow, list)
    return (
        f"{info['page_urls']} pages ({info['articles']} articles, {info['list_pages']} list pages in "
        f"{info['columns']} columns, {info['pager_only_pages']} of them reachable only through the pager "
        f"script; {info['articles_only_via_pager_pages']} articles listed only on pager pages; "
        f"{info['gbk_pages']} GBK pages), {info['link_occurrences']} link occurrences "
        f"({info['occurrences_per_page']}/page), {du['total']} distinct URLs ({du.get('pages', 0)} pages, "
        f"{du.get('images', 0)} images, {du.get('attachments', 0)} attachments, "
        f"{du.get('other_internal', 0)} other internal, {du.get('external', 0)} on other hosts) + "
        f"{du.get('other_scheme', 0)} mailto; chains: longest {info['max_chain']}, "
        f"top {chains[:6]}, pager forms {info['pager_forms']}; {info['defects']} planted defects; slow "
        + ", ".join(f"{s['path']} ({s['delay']}{'' if s['delay'] == 'never' else ' s'})" for s in slow)
        + f"; {info['files']} files, {int(info['bytes']) / 2**20:.0f} MiB"  # type: ignore[call-overload]
        + ("; articles carry real pages' body markup (--bodies real)" if info.get("bodies") == "real" else "")
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="generate the realistic benchmark portal and print its figures")
    ap.add_argument("--pages", default="10000", help="comma-separated sizes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--port", type=int, default=18080)
    ap.add_argument("--out", type=Path, default=BENCH / "out" / "portal")
    ap.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    ap.add_argument(
        "--bodies",
        choices=BODY_STYLES,
        default="generated",
        help="articles' bodies generated (default), or with real pages' body markup added",
    )
    a = ap.parse_args(argv)
    today = dt.date.fromisoformat(a.today) if a.today else dt.date.today()
    for n in (int(x) for x in a.pages.split(",") if x):
        t0 = time.monotonic()
        exp = generate(
            a.out / f"realistic-p{n}-s{a.seed}{'' if a.bodies == 'generated' else '-realbodies'}",
            pages=n,
            seed=a.seed,
            today=today,
            base_url=f"http://127.0.0.1:{a.port}/",
            external_base_url=f"http://127.0.0.2:{a.port}/",
            refused_url=f"http://127.0.0.1:{a.port + 3}/",
            bodies=a.bodies,
        )
        print(f"{n}: {describe(exp.info)}; generated in {exp.info['export_seconds']} s "
              f"(this call {time.monotonic() - t0:.1f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
