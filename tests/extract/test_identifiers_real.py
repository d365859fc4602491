"""What each real page of the shared corpus shows in its footer (issue 16 §3).

The expected values were written down from reading each page's footer (the last lines of its
text and the footer's markup), not from the extractor: 党政机关 badge (a link or image to
bszs/dcs.conac.cn: "link"; only the official script that writes it: "script"; none: ""),
网站标识码, ICP 备案号, 公安机关备案号, 主办单位, and the contact kinds shown. Pages without a
footer in their HTML (a frame fragment, a WAF error page, a raw Hanweb page whose footer is not
in the saved HTML) show nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from sitecheck.extract import read_page
from sitecheck.extract.identifiers import read_identifiers, template_signature
from sitecheck.models import PageIdentifiers

# file prefix: (badge, 标识码, ICP, 公网安备, 主办单位, contact kinds)
SHOWN: dict[str, tuple[str, str, str, str, str, str]] = {
    # 浙江发改委 (Hanweb): 技术支持 and 版权所有 lines, no 主办 label; SiteIDCode meta empty
    "GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1": (
        "link", "3300000020", "浙ICP备05018911号", "浙公网安备33010602009328号", "", "",
    ),
    # 中国政府网 article (TRS): 主办单位：国务院办公厅, 网站标识码bm01000001
    "GeneralNewsExtractor__GeneralNewsExtractor__tests__other__1": (
        "link", "bm01000001", "京ICP备05070218号", "京公网安备11010202000001号", "国务院办公厅", "",
    ),
    # 山西省政府 (TRS): 主办：山西省人民政府办公厅; the ICP number is not linked
    "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1": (
        "link", "1400000045", "晋ICP备12000773号", "晋公网安备14010502050691号", "山西省人民政府办公厅", "",
    ),
    # a frame fragment (header and nav only)
    "Hbjiance__http-www.ccgp-hebei.gov.cn-__index_651": ("", "", "", "", "", ""),
    # 河北政府采购网: 主办单位:河北省财政厅 | Email:… | 地址:… | 技术支持电话：（0311）66651000
    "Hbjiance__http-www.ccgp-hebei.gov.cn-__中标公告详细页面": (
        "link", "1300000065", "冀ICP备13016076号-2", "冀公网安备13010402001602号", "河北省财政厅", "电话,邮箱,地址",
    ),
    # 中国宜春 home page: 主办：宜春市人民政府　承办：宜春市人民政府办公室
    "SimonXinw__job__统计局__2015": (
        "link", "3609000002", "赣ICP备06000141号", "赣公网安备36090202000004号", "宜春市人民政府", "",
    ),
    # 万载县: 技术支持：万载县信息中心(0795-8819792)
    "SimonXinw__job__统计局__万载县": (
        "link", "3609220011", "赣ICP备11002306号-1", "赣公网安备36092202000105号", "万载县人民政府", "电话",
    ),
    "SimonXinw__job__统计局__宜春市": (
        "link", "3609000002", "赣ICP备06000141号", "赣公网安备36090202000004号", "宜春市人民政府", "",
    ),
    # 国家金融监督管理总局: 主办单位 and 地址：北京市西城区金融大街甲15号
    "Yuhamixli__nfra.gov.cn": (
        "link", "bm55000001", "京ICP备19014889号", "京公网安备11010202008000号", "国家金融监督管理总局", "地址",
    ),
    # 中国政府网 home page
    "Zhouqwq__zhouqwq.github.io": (
        "link", "bm01000001", "京ICP备05070218号", "京公网安备11010202000001号", "国务院办公厅", "",
    ),
    # 360安域 "502" error page
    "blue124qq__stw_gd_cn__006940212": ("", "", "", "", "", ""),
    # 广东省监狱管理局 (NFCMS): no badge in the saved HTML; 地址 and 联系电话 lines
    "blue124qq__stw_gd_cn__zwgkn__tzgg__content": (
        "", "4400000089", "粤ICP备19160819号-1", "粤公网安备44011102001603号", "广东省监狱管理局", "电话,地址",
    ),
    "blue124qq__stw_gd_cn__zwgkn__tzgg__index": (
        "", "4400000089", "粤ICP备19160819号-1", "粤公网安备44011102001603号", "广东省监狱管理局", "电话,地址",
    ),
    # 邯郸 信息公开 (three pages, one footer): 主办单位： 邯郸市人民政府办公室
    "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__details": (
        "link", "1304000009", "冀ICP备05029117号-1", "冀公网安备13042002000523号", "邯郸市人民政府办公室", "",
    ),
    "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__index": (
        "link", "1304000009", "冀ICP备05029117号-1", "冀公网安备13042002000523号", "邯郸市人民政府办公室", "",
    ),
    "kevin3691__renmin__src__main__webapp__WEB-INF__views__affairs__list": (
        "link", "1304000009", "冀ICP备05029117号-1", "冀公网安备13042002000523号", "邯郸市人民政府办公室", "",
    ),
    # 温州科技局 raw Hanweb article: the footer is not in the saved HTML
    "nikan1996__PyScraper__effective_spiders": ("", "", "", "", "", ""),
    # 中国政府采购网: the badge only as the conac script written by document.write(unescape(…));
    # 网站标识码：<span>bm14000002</span>, 京<span>ICP</span>备<span>19054529</span>号<span>-1</span>
    "yuntaozhu__www.ccgp.gov.cn": (
        "script", "bm14000002", "京ICP备19054529号-1", "京公网安备11010602060068号", "中华人民共和国财政部国库司", "",
    ),
}  # fmt: skip


def _read(path: Path) -> PageIdentifiers:
    page = read_page(path.read_bytes(), "http://example.gov.cn/", None)
    return read_identifiers(page.tree, page.facts.html)


def _file(prefix: str) -> Path:
    found = sorted(CORPUS.glob(f"{prefix}*.html"))
    if not found:
        pytest.skip(f"corpus page not available: {prefix}")
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("prefix", sorted(SHOWN))
def test_each_real_page_shows_what_its_footer_says(prefix: str) -> None:
    found = _read(_file(prefix))
    shown = (found.badge, found.id_code, found.icp, found.police, found.sponsor, found.contact)
    assert shown == SHOWN[prefix]


def test_every_html_page_of_the_corpus_is_pinned() -> None:
    if not CORPUS.exists():
        pytest.skip("shared corpus not available")
    pages = sorted(p.name for p in CORPUS.glob("*.html"))
    unpinned = [name for name in pages if not any(name.startswith(prefix) for prefix in SHOWN)]
    assert not unpinned


def test_record_links_are_read() -> None:
    """第十三条 wants the ICP number linked to the record system: 山西's is not, 浙江's is."""
    assert _read(_file("GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1")).icp_link == ""
    zj = _read(_file("GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1"))
    assert zj.icp_link == "beian.miit.gov.cn"
    assert zj.police_link == "www.beian.gov.cn"
    ccgp = _read(_file("yuntaozhu__www.ccgp.gov.cn"))
    assert ccgp.icp_link == "beian.miit.gov.cn" and ccgp.police_link == ""


def test_head_metas_are_read_as_present() -> None:
    zj = _read(_file("GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1"))
    assert zj.site_id_meta == ""  # <meta name="SiteIDCode" content="">: present, empty
    assert zj.site_name == "浙江省发展和改革委员会"
    gov = _read(_file("Zhouqwq__zhouqwq.github.io"))
    assert gov.site_id_meta is None and gov.site_name is None


HERE = Path(__file__).resolve().parents[1] / "corpus" / "real-pages"
GDJYJ_LISTS = [
    "gdjyj-newscenter-gdjy-index.html",
    "gdjyj-newscenter-mtbd-index.html",
    "gdjyj-newscenter-szyl-index.html",
    "gdjyj-zwgkn-zcfg-index.html",
    "gdjyj-zwgkn-zfcg-index.html",
    "gdjyj-ywgkn-wybl-hj-index.html",
]


def _signature(path: Path) -> str:
    return template_signature(read_page(path.read_bytes(), "http://example.gov.cn/", None).tree)


def test_list_pages_of_one_template_share_a_signature_whatever_their_rows() -> None:
    """广东监狱管理局's column lists (20 rows, fewer rows, other columns) and 广东侨网's lists with
    rows and without any are one template each; the site's article page is another."""
    gdjyj = {_signature(HERE / "nfcms" / name) for name in GDJYJ_LISTS}
    assert len(gdjyj) == 1
    gdqw = {
        _signature(HERE / "nfcms" / f"gdqw-{name}-index.html")
        for name in ("qwdt", "tjsj", "gknb", "gywm", "myzj")
    }
    assert len(gdqw) == 1
    article = _signature(_file("blue124qq__stw_gd_cn__zwgkn__tzgg__content"))
    assert article not in gdjyj | gdqw
    shared_list = _signature(_file("blue124qq__stw_gd_cn__zwgkn__tzgg__index"))
    assert shared_list in gdjyj


def test_one_article_template_saved_twice_shares_a_signature() -> None:
    """The same 宜春 article, saved by two people with different browser extensions."""
    a = _signature(HERE / "ucap" / "yichun-tjgb-jiangxi-2022-article.html")
    b = _signature(_file("SimonXinw__job__统计局__宜春市"))
    assert a == b
