"""The sample portal's column cases, audited as a user runs it: one real ``sitecheck crawl`` per module.

Each case is a column (or a home-page block) whose list is not where a plain reading of the page
finds it: a list inside an iframe, a blank single-content page, an empty list block with a pager,
a hidden 暂无数据 template, month-day rows dated by their URLs, a hidden tab pane, a link written by
``document.write``, an image inside a Hanweb CDATA record, a breadcrumb with image separators, the
home page under a second address, a TRS 海云 pager on a GBK page, an onclick home-page item. What a
correct audit concludes about each comes from the portal's manifests (``column_manifest``,
``manifest``); the home page's items are read back from the fact store.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sitecheck.demo import DemoServer, PlantedColumn, PlantedDefect
from sitecheck.models import FindingKind
from sitecheck.store import Store
from sitecheck.urls import canonical
from support.cli import FAST, sitecheck

EMPTY, STALE = FindingKind.EMPTY_COLUMN.value, FindingKind.STALE_COLUMN.value
COLUMN_KINDS = {
    EMPTY,
    STALE,
    FindingKind.STALE_COLUMN_WARNING.value,
    FindingKind.UNDATED_COLUMN.value,
}
# The healthy controls among the cases: a correct audit flags none of them empty or stale.
HEALTHY = ("iframe-fresh", "single-content", "hidden-placeholder")


@dataclass(frozen=True)
class Audit:
    server: DemoServer
    doc: dict[str, Any]
    data_dir: Path

    @property
    def run_id(self) -> int:
        return int(self.doc["run"]["id"])

    def planted(self, cid: str) -> PlantedColumn:
        return next(c for c in self.server.column_manifest if c.id == cid)

    def defect(self, did: str) -> PlantedDefect:
        return next(d for d in self.server.manifest if d.id == did)

    def columns(self) -> dict[str, dict[str, Any]]:
        return {canonical(c["url"]): c for c in self.doc["columns"]}

    def column(self, planted: PlantedColumn) -> dict[str, Any] | None:
        """The audited column at the planted URL (for an iframe column, also at its framed document)."""
        columns = self.columns()
        for url in _addresses(planted):
            if url in columns:
                return columns[url]
        return None

    def column_findings(self, planted: PlantedColumn) -> list[dict[str, Any]]:
        """Column findings about a planted column, found by its address or its name."""
        urls = _addresses(planted)
        return [
            f
            for f in self.doc["findings"]
            if f["kind"] in COLUMN_KINDS and (canonical(f["url"]) in urls or f["column"] == planted.name)
        ]

    def home_items(self) -> set[str]:
        """URLs of the items the crawler stored for the home page (under any of its addresses)."""
        store = Store(self.data_dir)
        try:
            facts = store.facts(self.run_id)
            return {
                canonical(item.url)
                for listing in facts.listings()
                if listing.is_home
                for item in facts.items(listing.page_id)
                if item.url
            }
        finally:
            store.close()

    def parsed_pages(self) -> set[str]:
        with sqlite3.connect(self.data_dir / "sitecheck.sqlite3") as db:
            rows = db.execute(
                "SELECT t.url FROM pages p JOIN targets t ON t.id=p.target_id WHERE p.run_id=?",
                (self.run_id,),
            ).fetchall()
        return {canonical(row[0]) for row in rows}


def _addresses(planted: PlantedColumn) -> set[str]:
    urls = {canonical(planted.url)}
    if planted.layout == "iframe":
        urls.add(canonical(planted.url.replace("index.html", "content.html")))
    return urls


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    tmp = tmp_path_factory.mktemp("column-cases")
    with DemoServer(pages=150, seed=7, slow_seconds=2.0) as server:
        proc = sitecheck(
            "crawl",
            server.base_url,
            "--data-dir",
            str(tmp / "data"),
            "--json",
            str(tmp / "findings.json"),
            "--as-of",
            server.portal.today.isoformat(),
            *FAST,
        )
        assert proc.returncode == 1, proc.stderr
        doc = json.loads((tmp / "findings.json").read_text("utf-8"))
        yield Audit(server, doc, tmp / "data")


def _kinds(findings: list[dict[str, Any]]) -> set[str]:
    return {f["kind"] for f in findings}


# --- 1. iframe columns ---------------------------------------------------------------------------


def test_iframe_column_with_an_empty_frame_is_empty(audit: Audit) -> None:
    planted = audit.planted("iframe-empty")
    assert _kinds(audit.column_findings(planted)) == {EMPTY}


def test_iframe_column_with_a_dated_list_is_healthy(audit: Audit) -> None:
    planted = audit.planted("iframe-fresh")
    assert not _kinds(audit.column_findings(planted)) & {EMPTY, STALE}
    column = audit.column(planted)
    assert column is not None, "the framed list was not read as the column's list"
    assert column["items"] == planted.items
    assert planted.newest is not None and column["newest"] == planted.newest.isoformat()


# --- 2. an empty list block with a pager -------------------------------------------------------


def test_empty_list_block_with_a_pager_is_empty(audit: Audit) -> None:
    assert _kinds(audit.column_findings(audit.planted("empty-list-block"))) == {EMPTY}


# --- 3. single-content columns -----------------------------------------------------------------


def test_blank_single_content_page_is_empty(audit: Audit) -> None:
    assert _kinds(audit.column_findings(audit.planted("single-empty"))) == {EMPTY}


def test_single_content_page_with_its_text_has_no_finding(audit: Audit) -> None:
    assert audit.column_findings(audit.planted("single-content")) == []


# --- 4. a hidden 暂无数据 template beside one item ------------------------------------------------


def test_hidden_placeholder_beside_one_item_is_healthy(audit: Audit) -> None:
    planted = audit.planted("hidden-placeholder")
    url = canonical(planted.url)
    about = [f for f in audit.doc["findings"] if canonical(f["url"]) == url or f["column"] == planted.name]
    assert about == []
    column = audit.column(planted)
    assert column is not None
    assert column["items"] == planted.items == 1
    assert planted.newest is not None and column["newest"] == planted.newest.isoformat()


# --- 5. month-day rows, full dates in the URLs ---------------------------------------------------


def test_month_day_rows_take_their_year_from_the_urls(audit: Audit) -> None:
    planted = audit.planted("month-day-dated-urls")
    assert _kinds(audit.column_findings(planted)) == {STALE}
    column = audit.column(planted)
    assert column is not None
    assert planted.newest is not None and column["newest"] == planted.newest.isoformat()


# --- 6 and 12. home-page items in a hidden tab pane and behind an onclick ------------------------


def _home_html(audit: Audit) -> str:
    return audit.server.portal.get("/").body.decode("utf-8")


def test_items_of_a_hidden_tab_pane_are_home_page_items(audit: Audit) -> None:
    pane = re.search(
        r'<ul class="list" id="con_two_2" style="display:none">(.*?)</ul>', _home_html(audit), re.S
    )
    assert pane is not None
    hidden = {
        canonical(audit.server.portal.url(href)) for href in re.findall(r'href="([^"]+)"', pane.group(1))
    }
    assert len(hidden) == 6
    assert hidden <= audit.home_items(), sorted(hidden - audit.home_items())


def test_onclick_item_is_a_home_page_item(audit: Audit) -> None:
    (href,) = re.findall(r"""<li><span class="tit" onclick="window.open\('([^']+)'\)""", _home_html(audit))
    assert canonical(audit.server.portal.url(href)) in audit.home_items()


def test_home_page_recent_items_are_all_counted(audit: Audit) -> None:
    assert audit.doc["home"]["recent_items"] == audit.server.portal.home_items_14d


# --- 7. a column linked only by document.write ---------------------------------------------------


def test_column_linked_only_by_document_write_is_audited(audit: Audit) -> None:
    planted = audit.planted("document-write-only")
    column = audit.column(planted)
    assert column is not None, "the column behind document.write was not reached"
    assert column["items"] == planted.items
    assert audit.column_findings(planted) == []
    list_page = audit.server.portal.get(urlsplit(planted.url).path).body.decode("utf-8")
    articles = {
        canonical(planted.url.replace("index.html", href[2:]))
        for href in re.findall(r'<li><a href="(\./[^"]+)"', list_page)
    }
    assert len(articles) == planted.items
    assert articles <= audit.parsed_pages(), sorted(articles - audit.parsed_pages())


# --- 8. an image inside a Hanweb CDATA record ----------------------------------------------------


def test_image_in_a_cdata_record_is_a_dead_link(audit: Audit) -> None:
    defect = audit.defect("dead-cdata-image")
    found = [f for f in audit.doc["findings"] if canonical(f["url"]) == canonical(defect.url)]
    assert [f["kind"] for f in found] == [FindingKind.DEAD_LINK.value]
    assert canonical(defect.referrer) in {canonical(r["page"]) for r in found[0]["referrers"]}


# --- 9 and 10. naming: image separators, the home page's alias ---------------------------------


def test_breadcrumb_with_image_separators_names_the_last_crumb(audit: Audit) -> None:
    planted = audit.planted("crumb-image-separators")
    column = audit.column(planted)
    assert column is not None
    assert column["name"] == planted.name == "政策问答"


def test_no_column_is_the_home_page_or_named_after_it(audit: Audit) -> None:
    home = {canonical(audit.server.base_url), canonical(audit.server.base_url + "index.html")}
    assert not home & set(audit.columns())
    assert "首页" not in {c["name"] for c in audit.doc["columns"]}
    assert not [f for f in audit.doc["findings"] if f["kind"] in COLUMN_KINDS and f["column"] == "首页"]
    # A link on the home page is on one page, not also on its /index.html alias.
    on_home = [f for f in audit.doc["findings"] if home & {canonical(r["page"]) for r in f["referrers"]}]
    assert on_home
    for finding in on_home:
        pages = {canonical(r["page"]) for r in finding["referrers"]}
        assert len(home & pages) == 1, (finding["url"], pages)


# --- 11. the TRS 海云 pager on a GBK page ----------------------------------------------------------


def test_hanyun_pager_on_a_gbk_list_is_followed(audit: Audit) -> None:
    planted = audit.planted("hanyun-pager-gbk")
    pages = {
        canonical(planted.url.replace("index.html", name))
        for name in ("index.html", "index_1.html", "index_2.html")
    }
    assert pages <= audit.parsed_pages(), sorted(pages - audit.parsed_pages())
    column = audit.column(planted)
    assert column is not None
    assert column["items"] == planted.items == 25
    assert planted.newest is not None and column["newest"] == planted.newest.isoformat()
    assert audit.column_findings(planted) == []
    defect = audit.defect("dead-hanyun-list-row")
    found = [f for f in audit.doc["findings"] if canonical(f["url"]) == canonical(defect.url)]
    assert [f["kind"] for f in found] == [FindingKind.DEAD_LINK.value]
    assert canonical(defect.referrer) in {canonical(r["page"]) for r in found[0]["referrers"]}


# --- across the cases ----------------------------------------------------------------------------


@pytest.mark.parametrize("cid", HEALTHY)
def test_healthy_controls_are_neither_empty_nor_stale(audit: Audit, cid: str) -> None:
    assert not _kinds(audit.column_findings(audit.planted(cid))) & {EMPTY, STALE}


def test_empty_and_stale_findings_state_their_evidence(audit: Audit) -> None:
    findings = [f for f in audit.doc["findings"] if f["kind"] in (EMPTY, STALE)]
    assert findings
    assert [f["detail"] for f in findings if "依据：" not in f["detail"]] == []
