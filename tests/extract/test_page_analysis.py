"""analyse_page: the analyses that share the page's visible text see what they saw alone."""

from __future__ import annotations

from datetime import date

from selectolax.lexbor import LexborHTMLParser

from sitecheck.config import AuditConfig
from sitecheck.crawl.reader import text_checker
from sitecheck.extract.identifiers import read_identifiers
from sitecheck.extract.page import PageInput, analyse_page
from sitecheck.extract.text_checks import check_page
from sitecheck.models import TextCheck

TODAY = date(2026, 12, 1)

# The badge is only written by the official script, so the identifiers must read the scripts
# before the visible text (which strips them) is read; the body holds a mobile number for the
# text checks and the footer its record numbers and contacts.
PAGE = """<html><head><title>关于某某工作的通知</title><meta name="SiteName" content="某某市人民政府"></head>
<body><div class="header"><a href="/">首页</a></div>
<div class="article"><h1>关于某某工作的通知</h1><p>联系人：张三，手机 13812345678。</p>
<p>请各单位认真贯彻落实，确保各项工作按时完成。请各单位认真贯彻落实，确保各项工作按时完成。</p></div>
<div class="footer">
<script type="text/javascript" src="https://dcs.conac.cn/js/33/000/0000/60000000/CA330000000600000000001.js"></script>
主办单位：某某市人民政府办公室 网站标识码：3301000012 浙ICP备05018911号-1 浙公网安备 33010202000123号
电话：0571-87051234 邮箱：webmaster@example.gov.cn</div>
<script>var x = "13900000000";</script></body></html>"""


def test_shared_visible_text_gives_what_each_analysis_reads_alone() -> None:
    checker = text_checker(AuditConfig())
    assert checker is not None
    out = analyse_page(
        PageInput(
            body=PAGE.encode(),
            url="http://www.example.gov.cn/art/2026/12/1/art_1.html",
            charset="utf-8",
            is_home=False,
            observed_on=TODAY,
            soft404_phrases=(),
            short_page_chars=0,
            text_checker=checker,
        )
    )
    alone = read_identifiers(LexborHTMLParser(PAGE), PAGE)
    assert out.identifiers == alone
    assert alone.badge == "script"
    assert (alone.id_code, alone.icp, alone.contact) == ("3301000012", "浙ICP备05018911号-1", "电话,邮箱")
    assert out.text_hits == check_page(LexborHTMLParser(PAGE), checker, TODAY)
    assert [hit.value for hit in out.text_hits if hit.check is TextCheck.PRIVACY]  # the mobile number
    assert not any("13900000000" in hit.context for hit in out.text_hits)  # a script is no text
