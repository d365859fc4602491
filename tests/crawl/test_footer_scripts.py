"""Page identifiers written by the site's own footer script (issue 16 §3): many portals write
their whole footer — 主办单位, 网站标识码, ICP and 公安 records, the 党政机关 badge — with
``document.write`` in ``/js/footer.js``. The crawl reads each such script once a run and the
identifiers come from what it writes; without it the template is only 待核实."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import fast_config
from scripted_server import Reply, ScriptedServer
from sitecheck.audit import run_audit
from sitecheck.extract.identifiers import footer_script_srcs, read_identifiers

FOOTER_JS = (
    "document.write('<div class=\"foot\"><p>主办单位：某市人民政府办公室　网站标识码：3301000001</p>');\n"
    'document.write(\'<p><a href="https://beian.miit.gov.cn/">浙ICP备05012345号-1</a>　'
    '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33010202000123">'
    "浙公网安备 33010202000123号</a>　联系电话：0571-87001234</p>');\n"
    'document.write(\'<a href="https://bszs.conac.cn/sitename?method=show&id=ABC"><img src="/images/red.png"></a></div>\');\n'
).encode()


def _page(title: str) -> bytes:
    return (
        f'<html><head><title>{title}</title></head><body><div class="header"><ul class="nav"><li><a href="/">首页</a></li></ul></div>'
        f'<div class="main"><h1>{title}</h1><p>{"正文内容。" * 40}</p></div>'
        '<div class="footer"><script type="text/javascript" src="/js/footer.js?v=3"></script></div></body></html>'
    ).encode()


def _site(script: Reply) -> dict[str, list[Reply]]:
    links = "".join(f'<li><a href="/a{i}.html">文章{i}</a></li>' for i in range(4))
    home = _page("首页").replace(b"<h1>", f"<ul>{links}</ul><h1>".encode(), 1)
    site = {"/": [Reply(200, home)], "/js/footer.js": [script]}
    site.update({f"/a{i}.html": [Reply(200, _page(f"文章{i}"))] for i in range(4)})
    return site


def _identifier_findings(tmp_path: Path, script: Reply) -> tuple[ScriptedServer, list[dict[str, str]]]:
    json_path = tmp_path / "f.json"
    with ScriptedServer(_site(script)) as server:
        run_audit(
            fast_config(server.base_url + "/", tmp_path / "d"), json_path=json_path, handle_signals=False
        )
    doc = json.loads(json_path.read_text("utf-8"))
    return server, [f for f in doc["findings"] if f["kind"].startswith("identifier")]


def test_the_footer_a_script_writes_is_read(tmp_path: Path) -> None:
    server, found = _identifier_findings(
        tmp_path, Reply(200, FOOTER_JS, {"Content-Type": "application/javascript"})
    )
    assert found == []  # badge, 标识码, ICP (linked), 公网安备 (linked), 主办单位, contact: all there
    assert server.count("/js/footer.js", "GET") == 1  # once a run, whatever the pages


def test_without_the_script_the_template_is_only_to_verify(tmp_path: Path) -> None:
    _, found = _identifier_findings(tmp_path, Reply(404, b"<h1>404</h1>"))
    assert found and all(f["severity"] == "warning" and "待核实" in f["detail"] for f in found)


def test_footer_scripts_are_named_by_their_file() -> None:
    from selectolax.lexbor import LexborHTMLParser

    page = (
        b"<script src=\"/js/jquery.js\"></script><script src='/js/footer.js?v=3&amp;x=1'></script>"
        b'<SCRIPT SRC=/include/bottom.js></SCRIPT><script src="https://dcs.conac.cn/js/33/000/1.js"></script>'
    )
    assert footer_script_srcs(page) == ["/js/footer.js?v=3&x=1", "/include/bottom.js"]
    found = read_identifiers(
        LexborHTMLParser("<html><body><p>正文</p></body></html>"),
        "",
        FOOTER_JS.decode().replace("document.write('", "").replace("');", ""),
    )
    assert (found.id_code, found.icp, found.badge) == ("3301000001", "浙ICP备05012345号-1", "link")
    assert found.icp_link == "beian.miit.gov.cn" and found.police_link == "www.beian.gov.cn"
