"""Reading one target: fetch a page and learn what it says, or probe a link.

The engine (crawl.py) decides *what* to read and stores what comes back; a reader does the
reading. :class:`LocalReader` reads on the engine's own event loop. ``sitecheck.crawl.pool``
runs the same :class:`LocalReader` in worker processes, so a fast portal can use more than
one core (``fetch.workers``): both answer with the same picklable :class:`PageRead`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from sitecheck.charset import decode_text_file
from sitecheck.config import AuditConfig
from sitecheck.extract.annual_report import REPORT_FILE_EXTENSIONS
from sitecheck.extract.attachments import ATTACHMENT_EXTENSIONS, extract_attachment
from sitecheck.extract.external_view import view_of
from sitecheck.extract.hidden_links import (
    MAX_PAGE_STYLESHEETS,
    MAX_STYLESHEETS,
    STYLESHEET_BYTES,
    decode_css,
    stylesheet_hrefs,
)
from sitecheck.extract.identifiers import (
    FOOTER_SCRIPT_BYTES,
    MAX_FOOTER_SCRIPTS,
    MAX_PAGE_FOOTER_SCRIPTS,
    footer_script_srcs,
)
from sitecheck.extract.links import written_markup
from sitecheck.extract.listing import dataproxy_requests, parse_dataproxy_xml
from sitecheck.extract.page import PageInput, analyse_page
from sitecheck.extract.report_file import check_report_file, unreadable_report
from sitecheck.extract.soft404 import screen
from sitecheck.extract.text_checks import UNREADABLE, TextChecker, check_attachment
from sitecheck.extract.vocabulary import load_vocabulary
from sitecheck.fetch.client import BODY_BROKEN, BODY_TIMED_OUT, BODY_TOO_LARGE, Fetcher, is_html
from sitecheck.models import (
    ColumnItem,
    FetchResult,
    HiddenLink,
    LinkRef,
    ListingFacts,
    Outcome,
    PageFacts,
    PageIdentifiers,
    TextCheck,
    TextHit,
)
from sitecheck.urls import canonical, extension_of


@dataclass(slots=True)
class PageAnalysis:
    """What an in-scope HTML page said: its facts, its column list, and where it landed."""

    final_url: str
    facts: PageFacts
    listing: ListingFacts | None
    more_items: list[ColumnItem] = field(default_factory=list)  # Hanweb records beyond the page
    # What was left out of the page's analysis and why (analyse.PageOutput.limited, plus cut
    # dataproxy answers); "" when nothing was.
    limited: str = ""
    text_hits: tuple[TextHit, ...] = ()  # personal data and wording seen in its text (masked)
    hidden_links: tuple[HiddenLink, ...] = ()  # off-site links it hides (暗链 candidates)
    identifiers: PageIdentifiers | None = None  # its template and footer identifiers

    def record_links(self) -> list[LinkRef]:
        """Hanweb items served only by the dataproxy (beyond the page's own records, whose links
        the link extractor reads from the embedded <record>s): links of the column, once each."""
        if self.listing is None or self.listing.cms != "hanweb":
            return []
        on_page = {ref.url for ref in self.facts.links}
        links: list[LinkRef] = []
        for item in (*self.listing.items, *self.more_items):
            if item.url and item.url not in on_page:
                on_page.add(item.url)
                links.append(
                    LinkRef(raw=item.url, url=item.url, element="record", attribute="href", text=item.title)
                )
        return links


@dataclass(slots=True)
class PageRead:
    """A page target's answer; ``analysis`` is None for anything that was not parsed."""

    result: FetchResult  # outcome SOFT_404 when the parsed page turned out to be an error page
    analysis: PageAnalysis | None


class Reader(Protocol):
    async def page(self, url: str, *, is_home: bool) -> PageRead: ...

    async def probe(self, url: str, *, head_first: bool, report: str = "") -> FetchResult: ...


class LocalReader:
    """Reads targets with a :class:`Fetcher` on the running event loop."""

    def __init__(self, fetcher: Fetcher, config: AuditConfig, observed_on: date) -> None:
        self.fetcher = fetcher
        self.config = config
        # The day the pages are read: year-less dates ("[12-31]") are placed so as not to be
        # after it.
        self.observed_on = observed_on
        self.scope = config.crawl_scope()
        self.text_checker = text_checker(config)
        # [content] attachments: the portal's own attachments are read whole for personal data
        # (0: off, links only). One is read at a time (in a thread: the crawl goes on beside it).
        content = config.content
        self.attachment_limit = content.attachment_max_bytes if content.attachments and content.privacy else 0
        # The file an annual report is published as is read for its sections whatever
        # ``attachments`` says (one file a year), within the same size cap.
        self.report_limit = content.attachment_max_bytes if content.annual_report else 0
        self._reading = asyncio.Semaphore(1)
        self.external_views = config.integrity.external_changes
        self.vocabulary = load_vocabulary(*config.integrity.vocabulary_lists) if self.external_views else None
        # The site's own style sheet files, read once a run each for the 暗链 check (url -> the
        # reading, shared by every page that links it; "": not readable, left out).
        self._stylesheets: dict[str, asyncio.Task[str]] = {}
        # The site's own footer scripts, read once a run each for the page identifiers (url ->
        # the markup they write; "" when none or not readable).
        self._footer_scripts: dict[str, asyncio.Task[str]] = {}
        # (the page's directory, a file reference) -> the portal's URL for it, or "" when it is
        # not the portal's: every page of a template names the same files.
        self._file_urls: dict[tuple[str, str], str] = {}

    async def page(self, url: str, *, is_home: bool) -> PageRead:
        result = await self.fetcher.page(url)
        sheets: tuple[tuple[str, str], ...] = ()
        footer = ""
        if result.outcome is Outcome.OK and result.body is not None:
            if self.config.integrity.hidden_links:
                sheets = await self._page_stylesheets(result.body, result.final_url or url)
            if self.config.identifiers.enabled:
                footer = await self._page_footer(result.body, result.final_url or url)
        read = self._analyse(result, url, is_home, sheets, footer)
        if read.analysis is not None:
            await self._more_records(read.analysis)
            # The engine stores facts, not documents: the text and body stay here.
            read.analysis.facts = dataclasses.replace(read.analysis.facts, html="")
        read.result = dataclasses.replace(read.result, body=None)
        return read

    async def probe(self, url: str, *, head_first: bool, report: str = "") -> FetchResult:
        """Check a link; an attachment of the portal is read whole when ``[content] attachments``
        is on, and so is the file of an annual report (``report``: the report's title, from the
        page or list that links it) when ``annual_report`` is."""
        if head_first and self._is_attachment(url):
            report = report if self.report_limit and extension_of(url) in REPORT_FILE_EXTENSIONS else ""
            if self.attachment_limit or report:
                return await self._attachment(url, report)
        result = self._screen(await self.fetcher.probe(url, head_first=head_first))
        landed = result.final_url or url
        if self.external_views and result.body is not None and not self.scope.in_scope(landed):
            # What another site's page showed, for 外链变异; the body itself is not kept.
            result = dataclasses.replace(result, external_view=view_of(result, self.vocabulary), body=None)
        return result

    def _is_attachment(self, url: str) -> bool:
        """An attachment of the portal itself whose text can be checked. Another site's files
        are that site's to check (and not worth downloading whole): they keep the HEAD probe."""
        return extension_of(url) in ATTACHMENT_EXTENSIONS and self.scope.in_scope(url)

    async def _attachment(self, url: str, report: str) -> FetchResult:
        """GET an attachment whole and check its text: the answer carries the hits (masked), or
        the fact that it could not be read, never the body. ``report``: the annual report's
        title when the file is one (its sections and 表三 are read too)."""
        privacy = bool(self.attachment_limit)
        limit = max(self.attachment_limit, self.report_limit if report else 0)
        result = self._screen(await self.fetcher.attachment(url, limit))
        if result.outcome is not Outcome.OK:
            return dataclasses.replace(result, body=None)
        reason = _cut_reason(result.error)
        hits: tuple[TextHit, ...] = ()
        if reason:
            if privacy:
                hits = (TextHit(TextCheck.PRIVACY, UNREADABLE, reason, "", "", "", "", ""),)
            if report:
                hits += (unreadable_report(report, reason),)
        elif result.body is not None and not is_html(result.content_type):
            # (an HTML page at an attachment's address is not a document)
            async with self._reading:
                hits = await asyncio.to_thread(
                    read_attachment,
                    result.body,
                    extension_of(url),
                    result.charset,
                    self.observed_on,
                    privacy=privacy,
                    report=report,
                )
        return dataclasses.replace(result, body=None, text_hits=hits)

    def _screen(self, result: FetchResult) -> FetchResult:
        """An unparsed answer that is an error page in disguise becomes a soft 404."""
        return screen(result, self.config.soft404.phrases, self.config.soft404.short_page_chars)

    async def _page_stylesheets(self, body: bytes, page_url: str) -> tuple[tuple[str, str], ...]:
        """The site's own style sheets the page links, read: (its path, its CSS text)."""
        found = await self._site_files(
            stylesheet_hrefs(body)[:MAX_PAGE_STYLESHEETS],
            page_url,
            self._stylesheets,
            MAX_STYLESHEETS,
            self._stylesheet,
        )
        return tuple((urlsplit(url).path or "/", css) for url, css in found)

    async def _page_footer(self, body: bytes, page_url: str) -> str:
        """The markup the site's own footer scripts write on this page."""
        srcs = footer_script_srcs(body)[:MAX_PAGE_FOOTER_SCRIPTS]
        found = await self._site_files(
            srcs, page_url, self._footer_scripts, MAX_FOOTER_SCRIPTS, self._footer_script
        )
        return "\n".join(markup for _, markup in found)

    async def _site_files(
        self,
        refs: list[str],
        page_url: str,
        cache: dict[str, asyncio.Task[str]],
        most: int,
        read: Callable[[str], Awaitable[str]],
    ) -> list[tuple[str, str]]:
        """The portal's own files a page refers to (style sheets, footer scripts), each read once
        a run whatever the pages that refer to it (at most ``most`` a run): (URL, what was read)
        for those that gave something. Another site's files (a CDN's) are not the portal's."""
        found: list[tuple[str, str]] = []
        for ref in refs:
            url = self._file_url(page_url, ref)
            if not url:
                continue
            task = cache.get(url)
            if task is None:
                if len(cache) >= most:
                    continue
                task = cache[url] = asyncio.ensure_future(read(url))
            text = await task
            if text:
                found.append((url, text))
        return found

    def _file_url(self, page_url: str, ref: str) -> str:
        """The canonical URL of a file the page refers to, "" when it is not the portal's."""
        # A reference resolves the same from every page of a directory (one starting with "?"
        # or "#" depends on the page itself).
        directory = page_url[: page_url.rfind("/") + 1] if page_url.count("/") >= 3 else ""
        key = (directory, ref) if directory and ref[:1] not in ("?", "#", "") else None
        url = self._file_urls.get(key) if key is not None else None
        if url is None:
            url = canonical(urljoin(page_url, ref))
            if not url.startswith(("http://", "https://")) or not self.scope.in_scope(url):
                url = ""
            if key is not None and len(self._file_urls) < 10_000:
                self._file_urls[key] = url
        return url

    async def _footer_script(self, url: str) -> str:
        result = await self.fetcher.attachment(url, FOOTER_SCRIPT_BYTES)
        if result.outcome is not Outcome.OK or result.body is None or is_html(result.content_type):
            return ""
        markup, _calls = written_markup(decode_text_file(result.body, result.charset))
        return markup

    async def _stylesheet(self, url: str) -> str:
        result = await self.fetcher.attachment(url, STYLESHEET_BYTES)
        if result.outcome is not Outcome.OK or result.body is None or is_html(result.content_type):
            return ""
        return decode_css(result.body, result.charset)

    def _analyse(
        self,
        result: FetchResult,
        url: str,
        is_home: bool,
        stylesheets: tuple[tuple[str, str], ...] = (),
        footer_markup: str = "",
    ) -> PageRead:
        """Parse an in-scope HTML page: links, soft-404 screening, and its column facts."""
        final_url = result.final_url or url
        if result.outcome is not Outcome.OK or result.body is None or not self.scope.in_scope(final_url):
            return PageRead(self._screen(result), None)
        output = analyse_page(
            PageInput(
                body=result.body,
                url=final_url,
                charset=result.charset,
                is_home=is_home,
                observed_on=self.observed_on,
                soft404_phrases=self.config.soft404.phrases,
                short_page_chars=self.config.soft404.short_page_chars,
                text_checker=self.text_checker,
                hidden_links=self.config.integrity.hidden_links,
                identifiers=self.config.identifiers.enabled,
                stylesheets=stylesheets,
                footer_markup=footer_markup,
            )
        )
        if output.soft404 is not None:
            # An error page is a failed check, not a document of the site.
            error = f"page says {output.soft404!r}"
            return PageRead(
                dataclasses.replace(result, outcome=Outcome.SOFT_404, error=error, body=None), None
            )
        analysis = PageAnalysis(
            final_url,
            output.facts,
            output.listing,
            limited=output.limited,
            text_hits=output.text_hits,
            hidden_links=output.hidden_links,
            identifiers=output.identifiers,
        )
        return PageRead(result, analysis)

    async def _more_records(self, analysis: PageAnalysis) -> None:
        """Read a Hanweb column's records beyond those embedded in its page (dataproxy.jsp POSTs)."""
        listing = analysis.listing
        if listing is None or listing.cms != "hanweb" or not listing.is_listing:
            return
        total = listing.total_records
        if total is None or total <= len(listing.items):
            return
        for request in dataproxy_requests(analysis.facts.html, analysis.final_url, total_records=total):
            answer = await self.fetcher.post_form(request.url, request.body)
            if answer.outcome is not Outcome.OK or answer.body is None:
                break  # what is embedded still judges the column; the endpoint is not a page link
            page = parse_dataproxy_xml(
                answer.body.decode("utf-8", errors="replace"),
                analysis.final_url,
                self.observed_on,
                encoding=analysis.facts.encoding,
            )
            analysis.more_items.extend(page.items)
            if page.limited:  # a cut answer is said, like a cut page
                note = f"dataproxy 应答{page.limited}"
                analysis.limited = "；".join(filter(None, [analysis.limited, note]))
            if not page.items:
                break


def read_attachment(
    body: bytes, extension: str, charset: str | None, day: date, *, privacy: bool = True, report: str = ""
) -> tuple[TextHit, ...]:
    """An attachment's text checked (in a thread: pure Python work of a second or so at most,
    bounded by extract_attachment's caps, beside the crawl's event loop): for personal data
    (``privacy``), and as the annual report ``report`` names."""
    extracted = extract_attachment(body, extension, charset=charset)
    hits = check_attachment(extracted, day) if privacy else ()
    if report:
        hits += check_report_file(report, extracted, body)
    return hits


def _cut_reason(error: str) -> str:
    """Why an attachment answered 200 was not read whole (attachments.UNREADABLE_REASONS)."""
    if error == BODY_TOO_LARGE:
        return "too_large"
    if error == BODY_TIMED_OUT:
        return "timeout"
    if error.startswith(BODY_BROKEN):
        return "broken"
    return ""


def text_checker(config: AuditConfig) -> TextChecker | None:
    """The text checks ``[content]`` switches on, or None when none is (no text is read)."""
    content = config.content
    wording = None
    if content.wording:
        from sitecheck.extract.wording import load_wording_rules

        wording = load_wording_rules(*content.wording_lists)
    checker = TextChecker(privacy=content.privacy, wording=wording, annual_report=content.annual_report)
    return checker if checker.enabled else None
