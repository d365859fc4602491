"""A generated municipal department portal with planted defects and a manifest of them.

The portal is pure data: :class:`Portal` answers ``get(path, query)`` (and ``post`` for the one
endpoint that takes a form) with a :class:`Response` and never touches the network, so tests can
use it in-process and :mod:`sitecheck.demo.server` only adds sockets, request counting and the
stateful behaviours (slow, 429-once).

What the site is made of lives in :mod:`sitecheck.demo.catalog`, what is planted in it in
:mod:`sitecheck.demo.defects`, and its markup in ``templates/*.j2``. Two manifests say what a
correct audit must find: ``manifest`` lists link defects, ``column_manifest`` every column (栏目)
with its category and the one column finding expected of it (空白栏目, 栏目不更新, its early
warning, undated), or none. Column ages are fixed offsets from ``today`` wherever the expected
finding depends on them, so the expectation holds for every ``(pages, seed, today)``.

Columns come in the template families real portals use (``catalog.Layout``): TRS WCM lists,
TRS 海云 lists paginated only by script, generic CMS list blocks, iframe columns whose list is in
the framed document, single-content pages, Hanweb jpage datastores. The home page links 首页 to
``/index.html`` in its navigation, so an audit starting at ``/`` meets it under two addresses.

Memory stays small for large portals because only compact article specs are kept; HTML is
rendered on request and the most recent renderings are cached.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sitecheck.demo.annual_plants import ANNUAL_PLANTS, AnnualPlant, application_rows, report_pdf
from sitecheck.demo.attachment_plants import ATTACHMENT_PLANTS, AttachmentPlant
from sitecheck.demo.catalog import (
    ATTACH_BODIES,
    ATTACH_NAMES,
    COLUMN_INDEX,
    COLUMNS,
    CSS,
    DATAPROXY,
    EXTERNAL_PAGES,
    FIRST_DOCID,
    FRIENDS,
    GIF,
    GONGAN,
    GUIDE_PARTS,
    GUIDES,
    HANWEB,
    HANWEB_INDEX,
    HANYUN_JS,
    HW_EMBEDDED,
    HW_HOME,
    HW_JS,
    HW_PER_PAGE,
    HW_WEBID,
    ICP,
    JPEG,
    JS,
    MIN_ARTICLES,
    NAV,
    NDBG_FIRST_YEAR,
    PARENTS,
    PER_PAGE,
    PINNED_AGE,
    PNG,
    SINGLE_PAGES,
    SITE_ID_CODE,
    SITE_NAME,
    TOPICS,
    Layout,
    article_title,
    pick,
    sentences,
)
from sitecheck.demo.defects import (
    ARTICLE_HOSTS,
    BLOCKS,
    PLANTS,
    Answer,
    Attachment,
    Behaviour,
    Block,
    ColumnFacts,
    ListRow,
    OnArticle,
    OnHanwebRecord,
    Plant,
    PlantedColumn,
    PlantedDefect,
    Redirect,
    RedirectLoop,
    SimplePage,
    SoftNotFound,
    column_manifest,
    format_context,
    planted_defect,
)
from sitecheck.demo.external_plants import CHANGED_EXTERNALS
from sitecheck.demo.external_plants import render as render_changed
from sitecheck.demo.identifier_plants import IDENTIFIER_PLANTS, IdentifierPlant
from sitecheck.demo.integrity_plants import INTEGRITY_PAGES, INTEGRITY_PLANTS, IntegrityPlant
from sitecheck.demo.text_plants import TEXT_PLANTS, TextPlant, render
from sitecheck.extract.annual_report import SECTIONS as ANNUAL_SECTIONS

__all__ = [
    "Behaviour",
    "ColumnInfo",
    "PlantedColumn",
    "PlantedDefect",
    "Portal",
    "Response",
    "newest_report_day",
    "normalise_path",
]

# Characters that a browser leaves unescaped in a path (RFC 3986 pchar minus '%'): everything
# else, notably Chinese, is sent as UTF-8 percent escapes.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"

_TEMPLATES = Environment(
    loader=PackageLoader("sitecheck.demo", "templates"),
    autoescape=True,
    undefined=StrictUndefined,  # a misspelt field fails the render, not the page
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_TEMPLATES.globals.update(
    site_name=SITE_NAME,
    site_id_code=SITE_ID_CODE,
    icp=ICP,
    gongan=GONGAN,
    nav=NAV,
    parents=PARENTS,
    dataproxy=DATAPROXY,
    hw_webid=HW_WEBID,
)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    behaviour: Behaviour = Behaviour.NORMAL


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    slug: str
    name: str
    column_type: str
    encoding: str  # "utf-8" or "gbk"
    articles: int
    list_pages: int
    newest: dt.date | None
    url: str


# Flags of an article spec.
_IMG = 1
_SRCSET = 2
_ATTACH = 4


class _Article(NamedTuple):
    col: int
    day: int  # date ordinal
    minute: int  # minute of the day
    docid: int
    title: str
    flags: int

    @property
    def date(self) -> dt.date:
        return dt.date.fromordinal(self.day)

    @property
    def path(self) -> str:
        col = COLUMNS[self.col]
        if not col.dated_urls:
            return f"/{col.slug}/content/post_{self.docid}.html"
        d = self.date
        return f"/{col.slug}/{d:%Y%m}/t{d:%Y%m%d}_{self.docid}.html"

    @property
    def rel(self) -> str:
        """The path relative to the column directory (articles sit one level below it)."""
        return self.path[len(COLUMNS[self.col].slug) + 2 :]


class _HwItem(NamedTuple):
    day: int  # date ordinal
    minute: int
    artid: int
    title: str

    @property
    def date(self) -> dt.date:
        return dt.date.fromordinal(self.day)

    def path(self, columnid: int) -> str:
        d = self.date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{columnid}_{self.artid}.html"


def normalise_path(path: str) -> str:
    """The request path as the server routes it: percent escapes decoded as UTF-8.

    A path whose escapes are not UTF-8 (say GBK-encoded) is returned as sent, so it matches no
    route and gets a 404, as on a real server.
    """
    try:
        return unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return path


def _enc_path(path: str) -> str:
    return quote(path, safe=_PATH_SAFE)


# --- the portal -------------------------------------------------------------------------------


def newest_report_day(today: dt.date) -> dt.date:
    """When the sample portal published its newest 年报: late for the last report due by ``today``.

    Usually 200 days before ``today`` (the column's ``newest``: an age that would be stale for a
    notice column, not for an annual report). From 1 February to mid-August that day is before
    this year's 31 January deadline, and the report it dates is not the one due: then it comes
    out up to 20 days after the deadline (and not after ``today``), so the late report is there
    whatever the day of the demo.
    """
    due_year = today.year if today > dt.date(today.year, 1, 31) else today.year - 1
    deadline = dt.date(due_year, 1, 31)
    usual = today - dt.timedelta(days=COLUMNS[COLUMN_INDEX["ndbg"]].newest[0])
    if usual > deadline:
        return usual
    return deadline + dt.timedelta(days=min(20, (today - deadline).days))


class Portal:
    """A deterministic generated portal: same arguments, same bytes."""

    def __init__(
        self,
        pages: int = 150,
        seed: int = 7,
        today: dt.date | None = None,
        *,
        base_url: str = "http://127.0.0.1:8000/",
        external_base_url: str = "http://127.0.0.2:8001/",
        refused_url: str = "http://127.0.0.1:9/",
        cache_size: int = 1024,
        changed_externals: bool = False,
        service_url: str = "",
    ) -> None:
        for name, url in (("base_url", base_url), ("external_base_url", external_base_url)):
            if not url.endswith("/") or urlsplit(url).path != "/":
                raise ValueError(f"{name} must be a root URL ending in '/': {url!r}")
        self.pages = pages
        self.seed = seed
        self.today = today or dt.date.today()
        self.base_url = base_url
        self.external_base_url = external_base_url
        self.refused_url = refused_url
        self.site_domain = urlsplit(base_url).netloc
        # A later visit: some friend links now lead to a parked / gambling page (external_plants.py).
        self.changed_externals = changed_externals
        # The portal's https service host (DemoServer(service_tls=…)): linked from the home page,
        # its certificate is the plant (certificates.py); "" when not served.
        self.service_url = service_url

        self._articles: list[_Article] = []
        self._by_col: list[list[int]] = [[] for _ in COLUMNS]  # article indices, newest first
        self._routes: dict[str, tuple[int, int, int]] = {}
        self._fixed: dict[str, Callable[[str], Response]] = {}
        self._planted: dict[int, _PlantedBlock] = {}  # article index -> the links planted on it
        self._plants: dict[str, PlantedDefect] = {}  # every row of the defects table, resolved
        self._no_attach: set[int] = set()
        self._pos: dict[int, int] = {}  # article index -> position in its column, newest first
        self._pinned: dict[int, int] = {}  # column index -> its pinned article
        self._hanweb: list[list[_HwItem]] = [[] for _ in HANWEB]  # newest first
        self._hw_images: dict[int, tuple[int, PlantedDefect]] = {}  # Hanweb column -> (artid, its image)
        # column index -> planted rows after its generated ones: (the link, the date shown)
        self._extra_rows: dict[int, list[tuple[PlantedDefect, dt.date]]] = {}
        self.manifest: list[PlantedDefect] = []
        self.controls: list[PlantedDefect] = []  # healthy traps: expected outcome ok, no finding
        self.column_manifest: list[PlantedColumn] = []
        # What articles say that the text checks must find (or not): the plant and its page's URL.
        self.text_manifest: list[tuple[TextPlant, str]] = []
        self._text_blocks: dict[int, Markup] = {}  # article index -> the planted text
        # Hidden links (暗链) and their controls in articles' footers: the plant and its page's URL.
        self.integrity_manifest: list[tuple[IntegrityPlant, str]] = []
        self._footer_blocks: dict[int, Markup] = {}  # article index -> the planted footer markup
        # Identifier plants (issue 16): the plant and the URLs of the pages it is on; article
        # index -> its plant.
        self.identifier_manifest: list[tuple[IdentifierPlant, tuple[str, ...]]] = []
        self._identifier_plants: dict[int, IdentifierPlant] = {}
        # Attachments with personal data (or none readable): (the plant, the file's URL, the
        # article's URL linking it); and article index -> (href, link text) of those it carries.
        self.attachment_manifest: list[tuple[AttachmentPlant, str, str]] = []
        # The 年报 plants (annual_plants.py): each with its report page's URL.
        self.annual_manifest: list[tuple[AnnualPlant, str]] = []
        self._annual_plants: dict[int, AnnualPlant] = {}  # by article index
        self._planted_files: dict[int, list[tuple[str, str]]] = {}
        # Home-page list items dated today or in the 13 days before: the 14-day 首页不更新 window.
        self.home_items_14d = 0
        self._generate()
        self._render = lru_cache(maxsize=cache_size)(self._render_uncached)
        self._sitemap = lru_cache(maxsize=1)(self._render_sitemap)

    # -- public --------------------------------------------------------------------------------

    @property
    def home_url(self) -> str:
        return self.base_url

    @cached_property
    def page_urls(self) -> frozenset[str]:
        """Absolute URLs of the HTML pages a correct crawl reaches and parses.

        Excludes redirects, the soft 404 page, the slow page and robots-disallowed pages. The
        home page is listed twice: as ``base_url`` (the logo and every breadcrumb's 首页) and as
        ``/index.html`` (the navigation's 首页, an alias an audit must not take for a column).
        """
        urls = {self.base_url, self.url("/index.html")}
        urls.update(self.url(p) for p in _FIXED_PAGES)
        urls.add(self.url("/search.html") + "?kw=%B9%AB%B8%E6")
        for ci, col in enumerate(COLUMNS):
            for k in range(self._page_count(ci)):
                urls.add(self.url(f"/{col.slug}/{self._list_name(k)}"))
            if col.layout is Layout.IFRAME:
                urls.add(self.url(f"/{col.slug}/{_FRAMED}"))
        urls.update(self.url(a.path) for a in self._articles)
        for hi, hw in enumerate(HANWEB):
            urls.add(self.url(f"/col/col{hw.columnid}/index.html"))
            urls.update(self.url(item.path(hw.columnid)) for item in self._hanweb[hi])
        return frozenset(urls)

    @property
    def parent_pages(self) -> tuple[str, ...]:
        """Absolute URLs of the 一级 pages that only list their 二级 columns.

        They are navigation, not columns: an audit must not report them as empty.
        """
        return tuple(self.url(path) for key, (_, path) in PARENTS.items() if key != "ztzl")

    @property
    def columns(self) -> tuple[ColumnInfo, ...]:
        out = []
        for ci, col in enumerate(COLUMNS):
            idx = self._by_col[ci]
            out.append(
                ColumnInfo(
                    slug=col.slug,
                    name=col.name,
                    column_type=col.column_type,
                    encoding="gbk" if col.gbk else "utf-8",
                    articles=len(idx),
                    list_pages=self._page_count(ci),
                    newest=self._articles[idx[0]].date if idx and col.date_fmt else None,
                    url=self.url(f"/{col.slug}/index.html"),
                )
            )
        return tuple(out)

    def url(self, path: str) -> str:
        """Absolute, browser-encoded URL of a site path."""
        return self.base_url + _enc_path(path.lstrip("/"))

    def ext_url(self, path: str) -> str:
        return self.external_base_url + _enc_path(path.lstrip("/"))

    def post(self, path: str, query: str = "", body: bytes = b"") -> Response:
        """Answer a POST with a form body: only the Hanweb dataproxy takes one.

        Pages answer 405 as a static web server does, unknown paths 404.
        """
        path = normalise_path(path)
        if path == DATAPROXY:
            return self._dataproxy(query, body)
        if self.get(path, query).status == 404:
            return self._not_found()
        return Response(
            405, body=b"<html><body><h1>405 Not Allowed</h1></body></html>", headers=(("Allow", "GET, HEAD"),)
        )

    def get(self, path: str, query: str = "") -> Response:
        """Answer a request for the main site. ``path`` may be percent-encoded or decoded."""
        path = normalise_path(path)
        fixed = self._fixed.get(path)
        if fixed is not None:
            return fixed(query)
        if path.endswith("/") and path != "/":  # like nginx/TRS: a directory serves its index.html
            path += "index.html"
            fixed = self._fixed.get(path)
            if fixed is not None:
                return fixed(query)
        if path in self._routes:
            return self._render(path)
        return self._not_found()

    def get_service(self, path: str) -> Response:
        """Answer a request for the https service host: its one page, and 404 elsewhere."""
        if normalise_path(path) not in ("/", "/index.html"):
            return self._not_found()
        return self._html("service.html.j2", site_name=SITE_NAME, home=self.base_url)

    def get_external(self, path: str, query: str = "") -> Response:
        """Answer a request for the second ("external") site."""
        path = normalise_path(path)
        if path.startswith("/ggzy/"):
            return self._anti_bot()
        if self.changed_externals and path in CHANGED_EXTERNALS:
            return Response(200, "text/html; charset=utf-8", render_changed(CHANGED_EXTERNALS[path]))
        if path in EXTERNAL_PAGES:
            return self._html("external.html.j2", title=EXTERNAL_PAGES[path])
        if path in INTEGRITY_PAGES:
            return self._html("external.html.j2", title=INTEGRITY_PAGES[path])
        if path.endswith(".js") and path.startswith("/4QbVtADbnLVIc/"):
            return Response(200, "application/javascript", b"/* challenge */")
        return self._not_found()

    def count_link_occurrences(self) -> int:
        """Approximate number of link attributes over all pages (renders every page once)."""
        pattern = re.compile(rb"""\s(?:href|src|srcset|value|onclick)=["'](?!["'])""")
        total = 0
        for url in self.page_urls:
            parts = urlsplit(url)
            total += len(pattern.findall(self.get(parts.path, parts.query).body))
        return total

    # -- generation ----------------------------------------------------------------------------

    def _generate(self) -> None:
        rng = random.Random(self.seed)
        today = self.today.toordinal()
        # home (twice: / and /index.html), sidebar, 政务公开 (base href), refresh, Chinese-path, 429,
        # search, 新闻中心, 办事服务
        fixed_html_pages = 10
        # One report a year on the same day, the newest late (see newest_report_day); the first
        # covers 2009.
        last_report = newest_report_day(self.today)
        max_reports = max(1, last_report.year - NDBG_FIRST_YEAR)
        n_reports = min(max_reports, max(3, round(self.pages * 0.04)))
        weighted = [c for c in COLUMNS if c.weight > 0]
        weight_sum = sum(c.weight for c in weighted)
        fixed_items = [(n_reports if c.slug == "ndbg" else c.size, c) for c in COLUMNS if c.weight == 0]
        fixed_pages = sum(n + max(1, -(-n // c.per_page)) for n, c in fixed_items)
        fixed_pages += sum(1 for c in COLUMNS if c.layout is Layout.IFRAME)  # the framed documents
        fixed_pages += sum(1 + hw.size for hw in HANWEB) + sum(1 for c in COLUMNS if c.pinned)
        # A column of n articles adds n + ceil(n/20) pages; on average half a list page is partly
        # filled per column.
        budget = self.pages - fixed_html_pages - fixed_pages - len(weighted) / 2
        articles_budget = max(budget, 0) * PER_PAGE / (PER_PAGE + 1)

        specs: list[tuple[int, int, int, bool]] = []  # (day, minute, col, pinned)
        for ci, col in enumerate(COLUMNS):
            if col.slug == "ndbg":
                for k in range(n_reports):
                    try:
                        pub = last_report.replace(year=last_report.year - k)
                    except ValueError:  # 29 February
                        pub = dt.date(last_report.year - k, 2, 28)
                    specs.append((pub.toordinal(), rng.randint(540, 1050), ci, False))
                continue
            if col.weight > 0:
                n = max(MIN_ARTICLES, round(articles_budget * col.weight / weight_sum))
            else:
                n = col.size
            if n == 0:
                continue
            mean = min(col.interval, 12 * 365 / n)
            day = today - rng.randint(*col.newest)
            for _ in range(n):
                specs.append((day, rng.randint(510, 1070), ci, False))
                if col.weight > 0:
                    day -= round(rng.expovariate(1 / mean))
                else:
                    # Bounded gaps: a small fixed column keeps its span (the year-less one must
                    # cross 1 January early in January, yet stay well within a year).
                    day -= rng.randint(1, max(1, round(2 * col.interval) - 1))
            if col.pinned:
                specs.append((today - PINNED_AGE, rng.randint(510, 1070), ci, True))

        specs.sort()
        docid = FIRST_DOCID
        guides = 0
        for day, minute, ci, pinned in specs:
            docid += rng.randint(1, 37)
            col = COLUMNS[ci]
            title_rng = random.Random(self.seed * 7919 + docid)
            year = dt.date.fromordinal(day).year
            if col.slug == "ndbg":
                title = f"某市发展和改革委员会{year - 1}年政府信息公开工作年度报告"
            elif pinned:
                title = col.pinned
                self._pinned[ci] = len(self._articles)
            elif not col.date_fmt:
                title = f"{GUIDES[guides % len(GUIDES)]}办事指南"
                guides += 1
            else:
                title = article_title(title_rng, col.slug, year)
            flags = 0
            if col.slug == "tpxw" or (col.slug == "gzdt" and docid % 4 == 0):
                flags |= _IMG | (_SRCSET if docid % 3 == 0 else 0)
            if col.slug in ("tzgg", "zcwj", "ghjh", "rsxx") and docid % 3 == 0:
                flags |= _ATTACH
            self._articles.append(_Article(ci, day, minute, docid, title, flags))
        self._add_annual_plants(last_report, docid)
        order = sorted(
            range(len(self._articles)), key=lambda i: (-self._articles[i].day, -self._articles[i].minute)
        )
        for i in order:
            self._by_col[self._articles[i].col].append(i)

        for ci, col in enumerate(COLUMNS):
            for k in range(self._page_count(ci)):
                self._routes[f"/{col.slug}/{self._list_name(k)}"] = (_R_LIST, ci, k)
            if col.layout is Layout.IFRAME:
                self._routes[f"/{col.slug}/{_FRAMED}"] = (_R_FRAMED, ci, 0)
        self._generate_hanweb()

        self._route_site_pages()
        self._plant()  # before assets: it decides which articles carry no ordinary attachments
        for plant in TEXT_PLANTS:
            i = self._host(plant.column, plant.nth)
            self._text_blocks[i] = render(plant)
            self.text_manifest.append((plant, self.url(self._articles[i].path)))
        self._plant_attachments()
        self._plant_annual_files()
        for integrity in INTEGRITY_PLANTS:
            i = self._host(integrity.column, integrity.nth)
            self._footer_blocks[i] = integrity.render(self.external_base_url)
            self.integrity_manifest.append((integrity, self.url(self._articles[i].path)))
        for id_plant in IDENTIFIER_PLANTS:
            ids = self._by_col[COLUMN_INDEX[id_plant.column]]
            chosen = [ids[n] for n in id_plant.nths] if id_plant.nths else list(ids)
            self._identifier_plants.update((i, id_plant) for i in chosen)
            urls = tuple(self.url(self._articles[i].path) for i in chosen)
            self.identifier_manifest.append((id_plant, urls))

        for i, art in enumerate(self._articles):
            self._routes[art.path] = (_R_ARTICLE, i, 0)
            for path, _, _ in self._assets(i):
                self._routes[path] = (_R_ASSET, i, 0)
        for ids in self._by_col:
            for pos, i in enumerate(ids):
                self._pos[i] = pos
        planted = [urlsplit(d.url).path for d in self.manifest if d.url.startswith(self.base_url)]
        clash = [p for p in planted + list(self._fixed) if normalise_path(p) in self._routes]
        if clash:
            raise AssertionError(f"planted paths collide with generated pages: {clash}")
        self._describe_columns()

    def _add_annual_plants(self, last_report: dt.date, docid: int) -> None:
        """Other publishers' reports of the newest report's year (annual_plants.py), dated in
        January before the deadline and not after the newest (minute 0: after it on one day).
        Added after the drawn articles, so no other article changes."""
        ci = COLUMN_INDEX["ndbg"]
        day = dt.date(last_report.year, 1, min(20, last_report.day) if last_report.month == 1 else 20)
        for k, plant in enumerate(ANNUAL_PLANTS):
            i = len(self._articles)
            title = plant.title(last_report.year - 1)
            self._articles.append(_Article(ci, day.toordinal(), 0, docid + 1 + k, title, 0))
            self._annual_plants[i] = plant

    def _plant_annual_files(self) -> None:
        """The report published as a PDF: hung on its short page (annual_plants.py)."""
        for i, plant in self._annual_plants.items():
            article = self._articles[i]
            self.annual_manifest.append((plant, self.url(article.path)))
            if not plant.pdf:
                continue
            # 一 new, 二 carried, 三（一）public, 四 onward: 三（七）总计 is made to add up.
            new, carried, public = [12, 3, 0, 0, 0, 1], [2, 0, 0, 0, 0, 0], [7, 1, 0, 0, 0, 0]
            table = application_rows(new, carried, public, onward=[1, 0, 0, 0, 0, 0])
            path = f"/attach/{article.date.year}/{plant.file_name}"
            self._fixed[path] = _static("application/pdf", report_pdf(article.title, table=table))
            self._planted_files.setdefault(i, []).append((path, f"附件：{plant.file_name}"))

    def annual_file_urls(self) -> list[str]:
        """The URLs of the annual reports published as files (annual_plants.py)."""
        return [
            self.url(path) for i in self._annual_plants for path, _ in self._planted_files.get(i, ())
        ]

    def _plant_attachments(self) -> None:
        """Hang each attachment plant on its article, served as the file it is."""
        for plant in ATTACHMENT_PLANTS:
            i = self._host(plant.column, plant.nth)
            article = self._articles[i]
            path = f"/attach/{article.date.year}/{plant.name}"
            self._fixed[path] = _static(plant.content_type, plant.build())
            self._planted_files.setdefault(i, []).append((path, f"附件：{plant.name}"))
            self.attachment_manifest.append((plant, self.url(path), self.url(article.path)))

    def _generate_hanweb(self) -> None:
        today = self.today.toordinal()
        for hi, hw in enumerate(HANWEB):
            rng = random.Random(self.seed * 1_000_003 + hw.columnid)
            artid = 58_900_000 + rng.randint(0, 90_000)
            items = []
            for k in range(hw.size):
                # Fixed spacing (4 items in 3 days) keeps the ten newest inside the 14-day window.
                day = today - hw.newest - k * 4 // 3
                title = article_title(rng, "zwyw", dt.date.fromordinal(day).year)
                items.append(_HwItem(day, rng.randint(480, 1080), artid, title))
                artid -= rng.randint(3, 40)
            self._hanweb[hi] = items
            self._routes[f"/col/col{hw.columnid}/index.html"] = (_R_HW_COL, hi, 0)
            for k, item in enumerate(items):
                self._routes[item.path(hw.columnid)] = (_R_HW_ART, hi, k)

    def _describe_columns(self) -> None:
        facts: dict[str, ColumnFacts] = {}
        for ci, col in enumerate(COLUMNS):
            ids = self._by_col[ci]
            newest = self._articles[ids[0]].date if ids and col.date_fmt else None
            count = len(ids) + len(self._extra_rows.get(ci, []))
            if col.layout is Layout.SINGLE:  # one page of text: its one piece of content, or blank
                count = 1 if col.slug in SINGLE_PAGES else 0
            facts[col.id] = ColumnFacts(self.url(f"/{col.slug}/index.html"), newest, count)
        reading = self._by_col[COLUMN_INDEX["zcjd"]]
        facts["topic-page"] = ColumnFacts(
            self.url(_TOPIC_PAGE), self._articles[reading[0]].date, min(_TOPIC_ITEMS, len(reading))
        )
        for hi, hw in enumerate(HANWEB):
            items = self._hanweb[hi]
            facts[hw.id] = ColumnFacts(
                self.url(f"/col/col{hw.columnid}/index.html"), items[0].date if items else None, len(items)
            )
        self.column_manifest = column_manifest(facts)
        self.home_items_14d = sum(1 for d in self._home_dates() if 0 <= (self.today - d).days < 14)

    def _page_count(self, ci: int) -> int:
        col = COLUMNS[ci]
        planted = sum(1 for p in PLANTS if isinstance(p.host, ListRow) and p.host.column == col.slug)
        return max(1, -(-(len(self._by_col[ci]) + planted) // col.per_page))

    @staticmethod
    def _list_name(k: int) -> str:
        return "index.html" if k == 0 else f"index_{k}.html"

    def _host(self, slug: str, nth: int) -> int:
        return self._by_col[COLUMN_INDEX[slug]][nth]

    def _plant(self) -> None:
        """Apply the defects table: place each row's link, route its answer, write the manifests."""
        context: dict[str, object] = format_context(self.today, self.external_base_url, self.refused_url)
        context["newest_tzgg"] = self._articles[self._host("tzgg", 0)]
        hosts = {host: self._host(host.column, host.nth) for host in ARTICLE_HOSTS}
        self._no_attach.update(hosts.values())
        placed: dict[OnArticle, list[tuple[Plant, PlantedDefect]]] = {host: [] for host in hosts}
        for plant in PLANTS:
            host = plant.host
            if isinstance(host, OnArticle):
                article = self._articles[hosts[host]]
                defect = planted_defect(plant, {**context, "host": article}, article.path, self.url)
                placed[host].append((plant, defect))
            elif isinstance(host, OnHanwebRecord):
                hi = HANWEB_INDEX[host.column]
                record = self._hanweb[hi][host.nth]
                page = f"/col/col{HANWEB[hi].columnid}/index.html"
                defect = planted_defect(plant, {**context, "host": record}, page, self.url)
                self._hw_images[hi] = (record.artid, defect)
            elif isinstance(host, ListRow):
                ci = COLUMN_INDEX[host.column]
                defect = planted_defect(plant, context, host.path, self.url)
                shown = context[host.date]
                assert isinstance(shown, dt.date)
                self._extra_rows.setdefault(ci, []).append((defect, shown))
                ids = self._by_col[ci]
                # It must sort last and land on the page the table names.
                if ids and shown >= self._articles[ids[-1]].date:
                    raise AssertionError(f"{plant.id}: the planted row is newer than the column's last item")
                if (len(ids) + len(self._extra_rows[ci]) - 1) // COLUMNS[ci].per_page != host.page:
                    raise AssertionError(f"{plant.id}: the planted row is not on list page {host.page}")
            else:
                defect = planted_defect(plant, context, host, self.url)
            (self.controls if plant.control else self.manifest).append(defect)
            self._plants[plant.id] = defect
            if plant.answer is not None:
                self._route_answer(urlsplit(defect.url).path, plant.answer)
        for block in BLOCKS:
            links = placed[block.host]
            self._planted[hosts[block.host]] = _PlantedBlock(
                block,
                [(p, d) for p, d in links if p.element == "img"],
                [(p, d) for p, d in links if p.element != "img"],
            )

    def _route_answer(self, target: str, answer: Answer) -> None:
        path = normalise_path(target)
        match answer:
            case SoftNotFound():
                self._fixed[path] = lambda q: self._soft_404()
            case Attachment(extension, behaviour):
                self._fixed[path] = lambda q: Response(200, *ATTACH_BODIES[extension], behaviour=behaviour)
            case SimplePage(title, column, content, behaviour):
                self._fixed[path] = lambda q: self._simple_page(title, column, content, behaviour=behaviour)
            case Redirect(status, location):
                self._fixed[path] = lambda q: self._redirect(status, location)
            case RedirectLoop(partner):
                self._fixed[path] = lambda q: self._redirect(302, partner)
                self._fixed[partner] = lambda q: self._redirect(302, path)

    def _route_site_pages(self) -> None:
        """The pages, assets and endpoints of the site that are not generated articles or lists."""
        f = self._fixed
        f["/"] = f["/index.html"] = lambda q: self._home()
        f["/include/sidebar.html"] = lambda q: self._sidebar()
        f["/zwgk/index.html"] = lambda q: self._base_href_page()
        f["/xwzx/index.html"] = lambda q: self._parent_page("xwzx")
        f["/bsfw/index.html"] = lambda q: self._parent_page("bsfw")
        f["/zfxxgk/index.html"] = lambda q: self._html(
            "refresh.html.j2", refresh=self._plants["meta-refresh"]
        )
        f[_TOPIC_PAGE] = lambda q: self._topic_page()
        f[DATAPROXY] = lambda q: self._dataproxy(q, b"")
        for js_path, js in HW_JS.items():
            f[js_path] = _static("application/javascript", js)
        f["/search.html"] = self._gbk_search
        f["/search/index.html"] = lambda q: self._simple_page("站内搜索", "搜索", "<p>请输入关键词。</p>")
        f["/robots.txt"] = lambda q: Response(
            200,
            "text/plain; charset=utf-8",
            _TEMPLATES.get_template("robots.txt.j2").render(base_url=self.base_url).encode(),
        )
        f["/sitemap.xml"] = lambda q: self._sitemap()
        f["/css/style.css"] = _static("text/css", CSS)
        f["/js/common.js"] = _static("application/javascript", JS)
        f["/js/page.js"] = _static("application/javascript", HANYUN_JS)
        f["/images/arrow.gif"] = _static("image/gif", GIF)
        for name in ("logo.png", "red.png", "gaba.png", "jiucuo.png", "top.png"):
            f[f"/images/{name}"] = _static("image/png", PNG)
        f["/images/banner.jpg"] = _static("image/jpeg", JPEG)

    # -- assets of articles --------------------------------------------------------------------

    def _assets(self, i: int) -> list[tuple[str, str, str]]:
        """(path, href as written, label) of the image(s) and attachments an article carries."""
        a = self._articles[i]
        d = a.date
        base = a.path.rsplit("/", 1)[0] + "/"
        out: list[tuple[str, str, str]] = []
        if a.flags & _IMG:
            name = f"W0{d:%Y%m%d}{a.docid}1.jpg"
            out.append((base + name, "./" + name, ""))
            if a.flags & _SRCSET:
                small = f"W0{d:%Y%m%d}{a.docid}1_600.jpg"
                out.append((base + small, "./" + small, ""))
        if a.flags & _ATTACH and i not in self._no_attach:
            rng = random.Random(self.seed * 104_729 + a.docid)
            for n in range(1, rng.randint(1, 2) + 1):
                ext = ("pdf", "doc", "xls", "zip")[rng.randrange(4)]
                label = f"{pick(rng, TOPICS)}{pick(rng, ATTACH_NAMES)}.{ext}"
                if rng.random() < 0.5:  # TRS stores uploads next to the article as P0<date><id>.ext
                    name = f"P0{d:%Y%m%d}{a.docid}{n}.{ext}"
                    out.append((base + name, "./" + name, f"附件{n}：{label}"))
                else:  # other templates keep the uploader's (Chinese) file name
                    path = f"/attach/{d.year}/{label}"
                    out.append((path, path, f"附件{n}：{label}"))
        return out

    # -- rendering -----------------------------------------------------------------------------

    def _render_uncached(self, path: str) -> Response:
        kind, a, b = self._routes[path]
        if kind == _R_LIST:
            return self._list_page(a, b)
        if kind == _R_ARTICLE:
            return self._article_page(a)
        if kind == _R_HW_COL:
            return self._hanweb_list(a)
        if kind == _R_HW_ART:
            return self._hanweb_article(a, b)
        if kind == _R_FRAMED:
            return self._framed_list(a)
        ext = path.rsplit(".", 1)[-1]
        if ext == "jpg":
            return Response(200, "image/jpeg", JPEG)
        ctype, body = ATTACH_BODIES[ext]
        return Response(200, ctype, body)

    def _html(
        self, template: str, *, gbk: bool = False, behaviour: Behaviour = Behaviour.NORMAL, **values: Any
    ) -> Response:
        text = _TEMPLATES.get_template(template).render(
            site_domain=self.site_domain, ext=self.external_base_url, **values
        )
        if gbk:
            return Response(200, "text/html; charset=gbk", text.encode("gbk"), behaviour=behaviour)
        return Response(200, "text/html; charset=utf-8", text.encode("utf-8"), behaviour=behaviour)

    def _not_found(self) -> Response:
        return Response(404, body=_TEMPLATES.get_template("not_found.html.j2").render().encode())

    def _soft_404(self) -> Response:
        return self._html("soft_404.html.j2")

    def _anti_bot(self) -> Response:
        return Response(
            412,
            body=_TEMPLATES.get_template("anti_bot.html.j2").render().encode(),
            headers=(("Set-Cookie", "FSSBBIl1UgzbN7N80S=pNUvqbIvEXAMPLE; Path=/; HttpOnly"),),
        )

    @staticmethod
    def _redirect(status: int, location: str) -> Response:
        body = _TEMPLATES.get_template("redirect.html.j2").render(location=location).encode()
        return Response(status, body=body, headers=(("Location", location),))

    def _gbk_search(self, query: str) -> Response:
        keyword = "公告"
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key == "kw" and unquote_to_bytes(value.replace("+", " ")) == keyword.encode("gbk"):
                results = [self._articles[i] for i in self._by_col[COLUMN_INDEX["tzgg"]][:5]]
                return self._html(
                    "search.html.j2",
                    gbk=True,
                    charset="gb2312",
                    page_title=f"检索结果_{SITE_NAME}",
                    meta=[("ColumnName", "站内检索")],
                    heading="检索结果",
                    column="站内检索",
                    keyword=keyword,
                    results=results,
                )
        return self._not_found()

    # -- pages ---------------------------------------------------------------------------------

    def _simple_page(
        self, title: str, column: str, content: str, *, behaviour: Behaviour = Behaviour.NORMAL
    ) -> Response:
        return self._html(
            "simple.html.j2",
            behaviour=behaviour,
            charset="utf-8",
            page_title=f"{title}_{SITE_NAME}",
            meta=[("ColumnName", column)],
            heading=title,
            column=column,
            content=content,
        )

    def _home_lists(self) -> dict[str, list[int]]:
        """Article indices of each dated home-page block (the home page is rendered from these)."""
        c, by = COLUMN_INDEX, self._by_col
        # Shown as [MM-DD]: only items of the last ~10 months, so the year stays unambiguous.
        recent = self.today.toordinal() - 300
        rsxx = [i for i in by[c["rsxx"]] if self._articles[i].day >= recent][:5]
        return {
            "gzdt": by[c["gzdt"]][:8],
            "tzgg": by[c["tzgg"]][:7],
            "zbgg": by[c["zbgg"]][:6],  # the hidden tab pane
            "zcwj": by[c["zcwj"]][:6],
            "rsxx": rsxx,
        }

    def _home_dates(self) -> list[dt.date]:
        dates = [self._articles[i].date for ids in self._home_lists().values() for i in ids]
        hw = HANWEB_INDEX["hanweb-fresh"]
        return dates + [it.date for it in self._hanweb[hw][:HW_HOME]]

    def _home(self) -> Response:
        hanweb = HANWEB_INDEX["hanweb-fresh"]
        lists = {key: [self._articles[i] for i in ids] for key, ids in self._home_lists().items()}
        pictures = [
            (self._articles[i], self._assets(i)[0][0]) for i in self._by_col[COLUMN_INDEX["tpxw"]][:4]
        ]
        return self._html(
            "home.html.j2",
            charset="utf-8",
            page_title=SITE_NAME,
            meta=[],
            plants=self._plants,
            hanweb=HANWEB[hanweb],
            hanweb_items=self._hanweb[hanweb][:HW_HOME],
            lists=lists,
            pictures=pictures,
            friends=[(self.ext_url(path), name) for path, name in FRIENDS],
            service_url=self.service_url,
            organisation=[(f"/{c.slug}/index.html", c.name) for c in COLUMNS if c.layout is Layout.SINGLE],
            scripted=[(f"/{c.slug}/index.html", c.name) for c in COLUMNS if not c.linked],
        )

    def _sidebar(self) -> Response:
        links = [
            (f"/{COLUMNS[COLUMN_INDEX[slug]].slug}/index.html", text, False)
            for slug, text in (("ndbg", "政府信息公开年报"), ("ghjh", "规划计划"), ("zcjd", "政策解读"))
        ]
        links += [(self.ext_url(path), text, True) for path, text in FRIENDS[:2]]
        return self._html("sidebar.html.j2", links=links)

    def _children(self, parent: str) -> list[tuple[str, str]]:
        """(path, name) of the columns filed under a 一级 column."""
        out = [(f"/{c.slug}/index.html", c.name) for c in COLUMNS if c.parent == parent and c.linked]
        out += [(f"/col/col{hw.columnid}/index.html", hw.name) for hw in HANWEB if hw.parent == parent]
        return out

    def _parent_page(self, parent: str) -> Response:
        name = PARENTS[parent][0]
        extra_links = [(self.ext_url("/zjzwfw/index.html"), "省政务服务网")] if parent == "bsfw" else []
        return self._html(
            "parent.html.j2",
            charset="utf-8",
            page_title=f"{name}_{SITE_NAME}",
            meta=[("ColumnName", name)],
            name=name,
            children=self._children(parent),
            extra_links=extra_links,
        )

    def _base_href_page(self) -> Response:
        return self._html(
            "base_href.html.j2",
            charset="utf-8",
            page_title=f"政务公开_{SITE_NAME}",
            meta=[("ColumnName", "政务公开"), ("ColumnType", "信息公开")],
            base_href="/tzgg/",
            name="政务公开",
            notice=self._plants["base-href"],
            notice_title=self._articles[self._host("tzgg", 0)].title,
            children=self._children("zwgk"),
        )

    def _topic_page(self) -> Response:
        return self._html(
            "topic.html.j2",
            charset="utf-8",
            page_title=f"优化营商环境专题_{SITE_NAME}",
            meta=[("ColumnName", "优化营商环境"), ("ColumnType", "专题")],
            heading="优化营商环境专题",
            articles=[self._articles[i] for i in self._by_col[COLUMN_INDEX["zcjd"]][:_TOPIC_ITEMS]],
        )

    def _list_order(self, ci: int) -> list[int]:
        """Articles in list order: a pinned one first (as 置顶 works in TRS), then newest first."""
        ids = self._by_col[ci]
        pinned = self._pinned.get(ci)
        if pinned is None:
            return ids
        return [pinned] + [i for i in ids if i != pinned]

    def _rows(self, ci: int, k: int) -> list[tuple[str, str, str, str]]:
        """(href, title, text, date shown) of list page ``k``: generated items, then planted rows."""
        col = COLUMNS[ci]
        pinned = self._pinned.get(ci)
        order = self._list_order(ci)
        lo, hi = k * col.per_page, (k + 1) * col.per_page
        rows = []
        for i in order[lo:hi]:
            a = self._articles[i]
            text = ("【置顶】" if i == pinned else "") + a.title
            rows.append(("./" + a.rel, a.title, text, a.date.strftime(col.date_fmt) if col.date_fmt else ""))
        for d, shown in self._extra_rows.get(ci, [])[max(0, lo - len(order)) : max(0, hi - len(order))]:
            rows.append((d.raw, d.text, d.text, shown.strftime(col.date_fmt) if col.date_fmt else ""))
        return rows

    def _list_page(self, ci: int, k: int) -> Response:
        col = COLUMNS[ci]
        n = self._page_count(ci)
        meta = [("ColumnName", col.name)] if col.name_meta else []
        if col.column_type:
            meta.append(("ColumnType", col.column_type))
        charset = "utf-8"
        if col.gbk:  # TRS WCM templates say gb2312, 海云 ones gbk; both are served as gbk
            charset = "gbk" if col.layout is Layout.HANYUN else "gb2312"
        common: dict[str, Any] = {
            "gbk": col.gbk,
            "charset": charset,
            "page_title": f"{col.name}_{SITE_NAME}",
            "meta": meta,
            "col": col,
        }
        if col.layout is Layout.SINGLE:
            return self._html("single.html.j2", **common, paragraphs=SINGLE_PAGES.get(col.slug, ()))
        if col.layout is Layout.IFRAME:
            return self._html("iframe_column.html.j2", **common, framed=f"/{col.slug}/{_FRAMED}")
        rows = self._rows(ci, k)
        if col.layout is Layout.CMS:
            return self._html("cms_list.html.j2", **common, rows=rows, page=k, page_count=n)
        if col.layout is Layout.HANYUN:
            return self._html(
                "hanyun_list.html.j2",
                **common,
                rows=rows,
                page=k,
                page_count=n,
                total=len(self._by_col[ci]) + len(self._extra_rows.get(ci, [])),
            )
        pager = [("index.html", "首页")]
        if k > 0:
            pager.append((self._list_name(k - 1), "上一页"))
        if k < n - 1:
            pager.append((self._list_name(k + 1), "下一页"))
        pager.append((self._list_name(n - 1), "尾页"))
        first = k == 0
        return self._html(
            "list.html.j2",
            **common,
            rows=rows,
            page=k,
            page_count=n,
            pager=pager,
            search_link=self._plants["robots-disallowed"] if first and col.slug == "tzgg" else None,
            sub_columns=[c for c in COLUMNS if c.parent == "ztzl"] if first and col.slug == "ztzl" else [],
        )

    def _framed_list(self, ci: int) -> Response:
        """The document an iframe column frames: the bare list, no site header (an include)."""
        col = COLUMNS[ci]
        return self._html("framed_list.html.j2", charset="utf-8", col=col, rows=self._rows(ci, 0))

    def _article_page(self, i: int) -> Response:
        a = self._articles[i]
        col = COLUMNS[a.col]
        rng = random.Random(self.seed * 15_485_863 + a.docid)
        published = f"{a.date:%Y-%m-%d} {a.minute // 60:02d}:{a.minute % 60:02d}"
        meta = [("ColumnName", col.name)]
        if col.column_type:
            meta.append(("ColumnType", col.column_type))
        meta.append(("ArticleTitle", a.title))
        if col.date_fmt:  # the guides carry no date anywhere
            meta.append(("PubDate", published))
        meta.append(("ContentSource", SITE_NAME))
        paragraphs: list[str] = []
        guide: list[tuple[str, str]] = []
        if i in self._annual_plants and self._annual_plants[i].pdf:
            paragraphs = [f"《{a.title}》全文详见附件。"]  # the report is the PDF
        elif col.slug == "ndbg":
            # The six sections of 国办公开办函〔2021〕30号; the newest report (published late by
            # construction: newest_report_day) also leaves out 五、存在的主要问题及改进情况.
            paragraphs = []
            for number, name, _ in ANNUAL_SECTIONS:
                if number == 5 and self._pos[i] == 0:
                    continue
                paragraphs += [f"{'一二三四五六'[number - 1]}、{name}", sentences(rng, rng.randint(2, 3))]
        elif col.date_fmt:
            paragraphs = [sentences(rng, rng.randint(2, 4)) for _ in range(rng.randint(3, 6))]
        else:
            name = a.title.removesuffix("办事指南")
            guide = [(k, v.format(name=name)) for k, v in GUIDE_PARTS]
        # Drawn after the paragraphs: the draw order is what makes an article the same for a seed.
        doc_number = rng.randint(1, 180) if col.slug == "zcwj" else None
        assets = self._assets(i)
        image = None
        if a.flags & _IMG:
            image = (assets[0][1], assets[1][1] if a.flags & _SRCSET else "")
        siblings = self._by_col[a.col]
        pos = self._pos[i]
        # An annual report's 表三 (the newest one's totals wrong); other articles' planted text.
        text_block = _application_table(rng, pos == 0) if col.slug == "ndbg" else self._text_blocks.get(i)
        if i in self._annual_plants and self._annual_plants[i].pdf:
            text_block = None
        return self._html(
            "article.html.j2",
            gbk=col.gbk,
            charset="gb2312" if col.gbk else "utf-8",
            page_title=f"{a.title}_{col.name}_{SITE_NAME}",
            meta=meta,
            col=col,
            a=a,
            published=published if col.date_fmt else "",
            doc_number=doc_number,
            paragraphs=paragraphs,
            guide=guide,
            image=image,
            attachments=[
                *((href, label) for path, href, label in assets if not path.endswith(".jpg")),
                *self._planted_files.get(i, ()),
            ],
            planted=self._planted.get(i),
            text_block=text_block,
            footer_block=self._footer_blocks.get(i),
            **_identifier_values(self._identifier_plants.get(i)),
            newer=self._articles[siblings[pos - 1]] if pos > 0 else None,
            older=self._articles[siblings[pos + 1]] if pos < len(siblings) - 1 else None,
        )

    # -- the Hanweb (大汉 JCMS) part -----------------------------------------------------------

    def _hanweb_list(self, hi: int) -> Response:
        hw = HANWEB[hi]
        return self._html(
            "hanweb_list.html.j2",
            charset="utf-8",
            page_title=f"{hw.name}_{SITE_NAME}",
            meta=[("ColumnName", hw.name), *_HW_META],
            hw=hw,
            total=len(self._hanweb[hi]),
            embedded=self._hanweb[hi][:HW_EMBEDDED],
            per_page=HW_PER_PAGE,
            image=self._hw_images.get(hi),
        )

    def _hanweb_article(self, hi: int, k: int) -> Response:
        hw = HANWEB[hi]
        items = self._hanweb[hi]
        it = items[k]
        rng = random.Random(self.seed * 15_485_863 + it.artid)
        published = f"{it.date:%Y-%m-%d} {it.minute // 60:02d}:{it.minute % 60:02d}"
        meta = [("ColumnName", hw.name), ("ArticleTitle", it.title), ("PubDate", published)]
        return self._html(
            "hanweb_article.html.j2",
            charset="utf-8",
            page_title=f"{it.title}_{hw.name}_{SITE_NAME}",
            meta=[*meta, ("ContentSource", SITE_NAME), *_HW_META],
            hw=hw,
            it=it,
            published=published,
            paragraphs=[sentences(rng, rng.randint(2, 4)) for _ in range(rng.randint(3, 5))],
            newer=items[k - 1] if k > 0 else None,
            older=items[k + 1] if k < len(items) - 1 else None,
        )

    def _dataproxy(self, query: str, body: bytes) -> Response:
        """The JCMS jpage endpoint: records startrecord..endrecord (or page N) of a column.

        Parameters may come in the query, the form body or both. Malformed or missing numbers
        fall back to defaults and an unknown column has no records, as the real servlet answers
        rather than failing: nothing here is a broken link.
        """
        params = dict(parse_qsl(query, keep_blank_values=True))
        for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            params.setdefault(key, value)

        def number(key: str, default: int) -> int:
            value = params.get(key, "").strip()
            return int(value) if value.isdigit() else default

        hi = next((i for i, hw in enumerate(HANWEB) if hw.columnid == number("columnid", -1)), None)
        total = len(self._hanweb[hi]) if hi is not None else 0
        per_page = max(1, number("perpage", HW_PER_PAGE))
        if "startrecord" in params:
            start = max(1, number("startrecord", 1))
            end = number("endrecord", start + per_page - 1)
        else:
            page = max(1, number("page", 1))
            start, end = (page - 1) * per_page + 1, page * per_page
        end = min(end, total)
        pages = -(-total // per_page)
        xml = _TEMPLATES.get_template("dataproxy.xml.j2").render(
            hw=HANWEB[hi] if hi is not None else None,
            total=total,
            pages=pages,
            next_page=min(max(pages, 1), end // per_page + 1),
            records=self._hanweb[hi][start - 1 : end] if hi is not None and start <= end else [],
            image=self._hw_images.get(hi) if hi is not None else None,
        )
        return Response(200, "text/xml; charset=utf-8", xml.encode("utf-8"))

    def _render_sitemap(self) -> Response:
        urls = [self.base_url]
        urls += [self.url(path) for key, (_, path) in PARENTS.items() if key != "ztzl"]
        urls += [self.url(f"/{c.slug}/index.html") for c in COLUMNS if c.linked]
        urls += [
            self.url(self._articles[i].path)
            for ci, ids in enumerate(self._by_col)
            for i in ids
            if COLUMNS[ci].linked
        ]
        for hi, hw in enumerate(HANWEB):
            urls.append(self.url(f"/col/col{hw.columnid}/index.html"))
            urls += [self.url(it.path(hw.columnid)) for it in self._hanweb[hi]]
        body = _TEMPLATES.get_template("sitemap.xml.j2").render(urls=urls)
        return Response(200, "application/xml", body.encode())


class _PlantedBlock(NamedTuple):
    """An article's box of planted links: images go before the box, links inside it."""

    block: Block
    images: list[tuple[Plant, PlantedDefect]]
    links: list[tuple[Plant, PlantedDefect]]


_R_LIST = 0
_R_ARTICLE = 1
_R_ASSET = 2
_R_HW_COL = 3
_R_HW_ART = 4
_R_FRAMED = 5

_FRAMED = "content.html"  # the document an iframe column frames

_TOPIC_PAGE = "/zt/营商环境/index.html"  # a one-page 专题 listing the newest 政策解读
_TOPIC_ITEMS = 5
_HW_META = (("Generator", "大汉版通"),)
# HTML pages at fixed paths that a correct crawl reaches and parses (the home page aside).
_FIXED_PAGES = (
    "/include/sidebar.html",
    "/zwgk/index.html",
    "/zfxxgk/index.html",
    _TOPIC_PAGE,
    "/bsfw/bszn.html",
    "/xwzx/index.html",
    "/bsfw/index.html",
)


def _static(content_type: str, body: bytes) -> Callable[[str], Response]:
    return lambda q: Response(200, content_type, body)


def _application_table(rng: random.Random, wrong: bool) -> Markup:
    """表三 of a sample annual report (国办公开办函〔2021〕30号, its four tied rows and one of the
    results); with ``wrong`` the 总计 of 自然人 is one more than 一 + 二 − 四 allows."""
    new = [rng.randint(0, 30), rng.randint(0, 5), 0, 0, 0, rng.randint(0, 3)]
    carried = [rng.randint(0, 3), 0, 0, 0, 0, 0]
    onward = [min(new[0], rng.randint(0, 2)), 0, 0, 0, 0, 0]
    done = [n + c - o for n, c, o in zip(new, carried, onward, strict=True)]
    if wrong:
        done[0] += 1
    public = [min(d, rng.randint(0, d)) for d in done]

    def cells(values: list[int]) -> str:
        return "".join(f"<td>{v}</td>" for v in (*values, sum(values)))

    rows = [
        '<tr><td colspan="3" rowspan="2">（本列数据的勾稽关系为：第一项加第二项之和，'
        "等于第三项加第四项之和）</td>"
        '<td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
        f'<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{cells(new)}</tr>',
        f'<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{cells(carried)}</tr>',
        f'<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>{cells(public)}</tr>',
        f'<tr><td colspan="2">（七）总计</td>{cells(done)}</tr>',
        f'<tr><td colspan="3">四、结转下年度继续办理</td>{cells(onward)}</tr>',
    ]
    return Markup(f'<table class="ndbg-t3" border="1">{"".join(rows)}</table>')


def _identifier_values(plant: IdentifierPlant | None) -> dict[str, Any]:
    """What an identifier plant changes in the page template (base.html.j2)."""
    if plant is None:
        return {}
    values = {"footer_variant": plant.footer} if plant.footer else {}
    if plant.site_name:
        values["meta_site_name"] = plant.site_name
    return values
