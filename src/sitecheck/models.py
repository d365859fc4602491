"""Typed records passed between the stages: fetch -> extract -> store -> rules -> report.

Records hold observations (facts) or judgements (findings), never both. Network outcomes are
values of :class:`Outcome`; nothing here raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal, NamedTuple


class Outcome(StrEnum):
    """What happened when a URL was requested (or why it was not)."""

    OK = "ok"
    NOT_FOUND = "not_found"  # 404 / 410
    CLIENT_ERROR = "client_error"  # other 4xx
    SERVER_ERROR = "server_error"  # 5xx
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"  # refused, reset, closed mid-response
    DNS_ERROR = "dns_error"
    TLS_ERROR = "tls_error"  # invalid, expired or self-signed certificate; handshake failure
    REDIRECT_ERROR = "redirect_error"  # too many redirects or a loop
    SOFT_404 = "soft_404"  # 200, but the page says it does not exist, or is a WAF/CDN error page
    BLOCKED = "blocked"  # anti-bot answer (403/412/521 challenge): could not verify
    RATE_LIMITED = "rate_limited"  # 429 still after retries: could not verify
    ROBOTS_DISALLOWED = "robots_disallowed"  # not requested: robots.txt forbids it
    INVALID_URL = "invalid_url"  # cannot be requested at all (malformed)
    NOT_CHECKABLE = "not_checkable"  # mailto:, tel:, javascript:void(0) ... recorded, not an error
    EXCLUDED = "excluded"  # not requested: exclude pattern, crawl limit or crawler-trap guard

    @property
    def is_dead(self) -> bool:
        """A user following the link would not get the resource."""
        return self in DEAD_OUTCOMES

    @property
    def is_unverified(self) -> bool:
        """The server would not let us look; the link may well work in a browser."""
        return self in UNVERIFIED_OUTCOMES


DEAD_OUTCOMES = frozenset(
    {
        Outcome.NOT_FOUND,
        Outcome.CLIENT_ERROR,
        Outcome.SERVER_ERROR,
        Outcome.TIMEOUT,
        Outcome.CONNECTION_ERROR,
        Outcome.DNS_ERROR,
        Outcome.TLS_ERROR,
        Outcome.REDIRECT_ERROR,
        Outcome.SOFT_404,
        Outcome.INVALID_URL,
    }
)
UNVERIFIED_OUTCOMES = frozenset({Outcome.BLOCKED, Outcome.RATE_LIMITED, Outcome.ROBOTS_DISALLOWED})


class LinkSpecial(StrEnum):
    """Links that are recorded but never requested."""

    NONE = ""  # an ordinary, checkable link
    NOT_CHECKABLE = "not_checkable"  # mailto:, tel:, javascript:void(0), data:, ...
    PLACEHOLDER = "placeholder"  # href="#" or javascript:alert('…建设中…'): nothing behind it


class LinkRef(NamedTuple):
    """One occurrence of a link on a page, with where it was found (provenance).

    A named tuple, not a dataclass: pages carry dozens of these, and tuples are built and
    pickled (to and from worker processes) at a fraction of a dataclass's cost.
    """

    raw: str  # the attribute value as written in the page
    url: str | None  # absolute URL, encoded as a browser would send it; None when not requestable
    element: str  # tag name: a, img, option, iframe, script, ...
    attribute: str  # href, src, srcset, value, onclick, content, data, ...
    text: str = ""  # link text, img alt/title, option text; whitespace collapsed, at most 200 chars
    navigable: bool = True  # a user navigates to it (a, area, frame, option, js) -> may be crawled
    special: LinkSpecial = LinkSpecial.NONE
    in_nav: bool = False  # sits in a navigation block (nav/menu/header), for placeholder judgement
    frame: bool = False  # iframe/frame: the target document is part of this page and is crawled


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str
    encoding: str  # Python codec name actually used, e.g. "utf-8", "gb18030"
    source: str  # where the encoding came from: bom, http, meta, detected, default
    # The body is exactly ``text`` in ``encoding`` (decoded without an error, nothing stripped):
    # a UTF-8 body can then be given to the parser as it is, not encoded again from ``text``.
    exact: bool = False


@dataclass(frozen=True, slots=True)
class ExternalView:
    """What a link to another site led to, from the first 64 KiB of its HTML answer
    (extract/external_view.py): kept per run, so a later run can tell that the link turned
    into something else (外链变异: a domain re-registered for gambling, parked, or gone)."""

    final_host: str  # the host after redirects, lower-case, without a port
    title: str  # the page's <title>, whitespace collapsed, at most 200 characters
    fingerprint: int  # 64-bit SimHash of the visible text's 4-character shingles; 0: too little text
    text_chars: int  # visible characters read (of the first 64 KiB)
    words: tuple[str, ...] = ()  # risky-site vocabulary found in the title and text ("类别:词")
    title_words: tuple[str, ...] = ()  # the part of ``words`` found in the title itself
    parked: str = ""  # the parked-domain / domain-for-sale phrase the page shows, or ""


@dataclass(frozen=True, slots=True)
class ExternalSeen:
    """An external link's record as the store keeps it: the URL, when its run started, the view."""

    key: str
    url: str
    seen_at: str  # the run's start (ISO time)
    view: ExternalView


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything observed about one request (after redirects and retries)."""

    url: str
    outcome: Outcome
    status: int | None = None
    final_url: str | None = None
    content_type: str = ""
    body: bytes | None = None  # only for pages that will be parsed (capped), else None
    charset: str | None = None  # charset parameter of Content-Type, if any
    error: str = ""  # short human detail: exception class / reason, Retry-After, matched phrase
    elapsed_ms: int = 0
    attempts: int = 1
    method: str = "GET"
    redirects: tuple[str, ...] = ()
    truncated: bool = False  # body exceeded the size cap
    # An attachment read whole ([content] attachments): the text checks' hits in it (masked),
    # and whether it could be read at all (TextHit kinds "unreadable", "partly_read").
    text_hits: tuple[TextHit, ...] = ()
    # A link to another site that answered with HTML: what it showed (外链变异 baseline).
    external_view: ExternalView | None = None


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What a parsed page said about itself."""

    url: str
    title: str
    encoding: str
    encoding_source: str
    links: tuple[LinkRef, ...] = field(default=())
    html: str = field(default="", repr=False, compare=False)  # decoded text, for later analyses

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pages travel from worker processes to the engine (workers.py): links as plain
        # tuples pickle in half the time of named tuples.
        links = tuple(map(tuple, self.links))
        return (_page_facts, (self.url, self.title, self.encoding, self.encoding_source, links, self.html))


def _page_facts(
    url: str,
    title: str,
    encoding: str,
    encoding_source: str,
    links: tuple[tuple[object, ...], ...],
    html: str,
) -> PageFacts:
    new = tuple.__new__  # LinkRef(*fields) without the generated __new__'s Python frame
    return PageFacts(url, title, encoding, encoding_source, tuple([new(LinkRef, f) for f in links]), html)


DateSource = Literal["text", "url", "none"]
NameSource = Literal["meta", "breadcrumb", "title", "none"]


@dataclass(frozen=True, slots=True)
class ColumnItem:
    """One entry of a column list."""

    title: str
    url: str | None  # as urls.resolve spells it; None for script pseudo-links, empty hrefs, non-http(s) URLs
    date: date | None
    date_source: DateSource  # "text": shown on the page; "url": read from the item URL only


@dataclass(frozen=True, slots=True)
class PageContent:
    """What a page shows besides its site chrome: the evidence behind an empty-column claim.

    Observed on every page that may be a column (list pages, pages with little content, pages
    whose content is a frame), so the judge can say *why* a column is empty and how sure it is.
    """

    # Visible characters outside site chrome, breadcrumb, the page's own heading and its pager.
    text_chars: int = -1  # -1: not measured (rows stored by older versions)
    heading: str = ""  # the page's own heading (h1-h3 or a title-like element), "" if none
    frames: tuple[str, ...] = ()  # absolute URLs of the iframes/frames in the content area
    # A list container left with no rows, as "ul.list" (the block, its heading and its pager
    # are there, the rows are not); "" when there is none.
    empty_block: str = ""
    # A placeholder (暂无数据) in an element the page hides (inline display:none, a hide class):
    # a template's "shown when empty" element, never evidence that the column is empty.
    hidden_placeholder: str = ""
    # The page loads content by script (ajax, fetch, jsonp, a data proxy): what the crawler saw
    # may be an unfilled template, so an empty reading is only 待核实.
    scripted: bool = False
    # Content elements that are not text: images, embedded documents, forms.
    media: int = 0
    content_links: int = 0  # links outside chrome, breadcrumb and pager
    site_code: str = ""  # 网站标识码 from <meta name="SiteIDCode">, "" if the page has none

    @property
    def bare(self) -> bool:
        """Nothing besides a name: no text, no links, no media, no frame."""
        return (
            0 <= self.text_chars <= BARE_TEXT_CHARS
            and self.content_links == 0
            and self.media == 0
            and not self.frames
        )


# Characters a content area may hold and still be bare: "&nbsp;", a stray "。", a "正文：" label,
# 待更新. "请选择办理事项。" (8) is already something said to the visitor.
BARE_TEXT_CHARS = 6


class TextCheck(StrEnum):
    """The checks that read a page's text (not its links)."""

    PRIVACY = "privacy"  # personal data: 身份证号, 手机号, 银行卡号 (extract/privacy.py)
    WORDING = "wording"  # wrong terms, leaders' names and titles (extract/wording.py)
    ANNUAL_REPORT = "annual_report"  # 政府信息公开工作年度报告: year and sections (extract/annual_report.py)


class TextHit(NamedTuple):
    """One observation of a text check on one page or attachment: what was seen, never a raw
    number.

    ``value`` is the masked number (privacy) or the wrong text (wording); ``kind`` is the
    detector's kind (id_card, mobile, bank_card, roster) or wording category; ``level`` the
    detector's confidence (high / medium / low; wording: certain / unsure). An attachment that
    could not be read is a hit of kind ``unreadable`` with the reason in ``value``
    (extract/attachments.py UNREADABLE_REASONS); one read in part adds ``partly_read`` with
    what was left out in ``note``.
    """

    check: TextCheck
    kind: str
    value: str
    suggestion: str  # wording: what it should read; privacy: ""
    level: str
    context: str  # the text around it, numbers masked
    note: str  # why (the detector's reasons, the rule's source)
    # Where in an attachment: "第 3 页", "工作表“名单”单元格 C4", "表格 1 第 2 行"; "" on a page.
    place: str = ""


class HiddenLink(NamedTuple):
    """An off-site link a visitor of the page cannot see (extract/hidden_links.py): a fact, not
    yet a finding. Everything in it comes from the page (escape it wherever it is shown)."""

    url: str  # absolute
    text: str  # its anchor text (an image's alt), whitespace collapsed, at most 200 characters
    rule: str  # what hides it: "display:none", "position:absolute; left:-9999px", "hidden 属性" …
    place: str  # where that is written: "行内 style 属性", "页面 <style> 规则“.ft”", "标签属性"
    element: str  # the hiding element as written: '<div class="ft">'
    via: str  # "" in the page's markup; "document.write" or "innerHTML": written by a script
    block: int  # the hidden block on its page (numbered per page), to count the links in one block
    widget: str  # why the block looks like a menu, tab or carousel ("" when it does not)
    snippet: str  # the markup around it, whitespace collapsed, at most 160 characters


class HiddenLinkRow(NamedTuple):
    """A stored hidden link with the page it is on (store → judge)."""

    page: str  # the page's URL
    link: HiddenLink


class TextHitRow(NamedTuple):
    """A stored text hit with the page or attachment it is in (store → judge)."""

    url: str
    key: str  # the canonical URL (what links to an attachment: RunFacts.referrers_to)
    attachment: bool  # in an attachment read whole ([content] attachments), not a page's text
    hit: TextHit


@dataclass(frozen=True, slots=True)
class PageIdentifiers:
    """What one page shows about whose site it is (extract/identifiers.py; issue 16 §3).

    Head metas are None when absent ("" when present but empty); footer values are "" when not
    seen. ``badge``: "link" (the 党政机关 badge's link or image), "script" (only the official
    script that writes it) or "". ``icp_link`` / ``police_link``: the host the number links to.
    """

    template: str  # the template signature (12 hex characters; "" for a page without layout)
    site_name: str | None = None
    site_domain: str | None = None
    site_id_meta: str | None = None  # <meta name="SiteIDCode">
    column_name: str | None = None
    badge: str = ""
    id_code: str = ""  # 网站标识码 in the footer text
    icp: str = ""  # 浙ICP备12345678号-1
    icp_link: str = ""
    police: str = ""  # 浙公网安备33010002000001号
    police_link: str = ""
    sponsor: str = ""  # 主办单位
    organizer: str = ""  # 承办单位
    contact: str = ""  # the kinds seen: "电话,邮箱,地址"
    footer_hint: str = ""  # where the footer may come from besides the page (script, frame, include)


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """What one page says about the column it shows."""

    page_url: str
    name: str
    name_source: NameSource
    items: tuple[ColumnItem, ...]
    newest: date | None  # max item date not after today (pinned 置顶 items are old; typos are future)
    pagination: tuple[str, ...]  # absolute URLs of the further list pages, in page order
    total_pages: int | None
    total_records: int | None
    placeholder: str | None  # the 暂无信息-style text shown in the main content, if any
    cms: str  # trs, hanweb, nfcms, ucap, generic
    is_listing: bool
    breadcrumb: tuple[str, ...]
    column_type_meta: str | None
    # Why part of the page was left out of this analysis (too many links or records), in a
    # short Chinese sentence for the report; "" when all of it was read.
    limited: str = ""
    content: PageContent = field(default_factory=PageContent)

    @property
    def may_be_column(self) -> bool:
        """Not a list, but possibly a column's page: a name with nothing under it (an empty
        single-content column, or an empty framed document) or content held in a frame. Kept so
        the judge can decide with the other pages in view."""
        return self.content.bare or bool(self.content.frames)

    @property
    def is_empty(self) -> bool:
        """A column list page that lists nothing (空白栏目 candidate)."""
        return self.is_listing and not self.items and (self.total_records or 0) == 0


class Severity(StrEnum):
    VETO = "veto"  # 单项否决: fails a spot check on its own
    DEDUCTION = "deduction"  # 扣分
    WARNING = "warning"  # 预警 / could not verify


class FindingKind(StrEnum):
    HOME_UNREACHABLE = "home_unreachable"
    DEAD_LINK_HOME = "dead_link_home"  # broken link that appears on the home page
    DEAD_LINK = "dead_link"  # broken link on other pages only
    UNAVAILABLE_LINK = "unavailable_link"  # navigation entry with href="#" / javascript:alert(建设中)
    UNVERIFIED_LINK = "unverified_link"  # blocked / rate-limited / robots: could not verify
    EMPTY_COLUMN = "empty_column"  # 空白栏目: a column with no items (or only a placeholder)
    STALE_COLUMN = "stale_column"  # 栏目不更新: newest item older than the category's limit
    UNDATED_COLUMN = "undated_column"  # items without any date: counts as not updated
    STALE_COLUMN_WARNING = "stale_column_warning"  # close to its limit (early warning)
    HOME_NOT_UPDATED = "home_not_updated"  # 首页不更新: no new home-page item in 14 days
    HOME_FEW_UPDATES = "home_few_updates"  # fewer than 10 new home-page items in 14 days
    PAGE_NOT_READ_WHOLE = "page_not_read_whole"  # cut at the size cap, or its analysis bounded
    # A veto claim (空白栏目, 栏目不更新, 首页不更新) on weak evidence: 待核实 by a person, never
    # counted as the veto itself.
    TO_VERIFY = "to_verify"
    PERSONAL_DATA = "personal_data"  # 个人信息泄露: an unmasked 身份证号, 手机号 or 银行卡号
    WRONG_WORDING = "wrong_wording"  # 错敏词 / 表述错误: a known wrong term, a leader's wrong title
    ANNUAL_REPORT = "annual_report"  # 政府信息公开年报: the year's report late, missing, or incomplete
    # 外链变异: a link to another site that now leads elsewhere (another domain, a parked or
    # for-sale page, a government domain that now redirects off .gov.cn).
    EXTERNAL_CHANGED = "external_changed"
    # A link to another site whose page now shows gambling / pornography / … vocabulary.
    EXTERNAL_RISKY = "external_risky"
    CERT_EXPIRY = "cert_expiry"  # 证书即将到期或已过期 (days to notAfter)
    CERT_INVALID = "cert_invalid"  # 证书无效: other names, self-signed, chain not verifiable
    HTTPS_REDIRECT = "https_redirect"  # http:// home page not sent to https while https works
    MIXED_CONTENT = "mixed_content"  # http: images/scripts/stylesheets/frames on https pages
    HIDDEN_LINK = "hidden_link"  # 暗链: an off-site link the page hides, with a second signal
    # 页面标识 (issue 16 §3): a template whose footer lacks 党政机关标识, 标识码, ICP/公安备案号,
    # 主办单位 or a contact; pages whose 标识码 / SiteName disagree with the site's.
    IDENTIFIER_MISSING = "identifier_missing"
    IDENTIFIER_MISMATCH = "identifier_mismatch"


class ColumnCategory(StrEnum):
    """National column categories and their update limits (indicators.md §1.4, §4)."""

    DYNAMIC = "dynamic"  # 动态要闻类: 14 days
    NOTICE = "notice"  # 通知公告/政策文件类: 180 days
    PERSONNEL = "personnel"  # 人事/规划计划类: 365 days
    ANNUAL_REPORT = "annual_report"  # 政府信息公开年报: yearly
    TOPIC = "topic"  # 历史性专题: exempt
    OTHER = "other"  # everything else: 365 days


class FindingState(StrEnum):
    """整改状态 of a finding in a run, relative to the runs of the same site before it."""

    NEW = "new"  # 新发现
    STILL_OPEN = "still_open"  # 未整改
    REOPENED = "reopened"  # 再次出现 (was fixed, is back)
    FIXED = "fixed"  # 已整改 (open before, gone now)
    IGNORED = "ignored"  # 已忽略 (with a reason)


# Findings still to rectify: what counts, is reported as open and makes the exit code 1.
OPEN_STATES = frozenset({FindingState.NEW, FindingState.STILL_OPEN, FindingState.REOPENED})


@dataclass(frozen=True, slots=True)
class Referrer:
    """A page that links to the finding's subject, and how (so a webmaster can find it)."""

    page: str
    element: str
    attribute: str
    text: str
    raw: str


@dataclass(frozen=True, slots=True)
class Finding:
    key: str  # stable across runs: kind + subject (+ context)
    kind: FindingKind
    severity: Severity
    url: str  # the subject: the broken URL, the placeholder's page, the home page
    outcome: Outcome | None = None
    status: int | None = None
    detail: str = ""
    referrers: tuple[Referrer, ...] = ()
    column: str = ""  # 所在栏目
    office: str = ""  # 责任科室
    # Relative to earlier runs of the site (sitecheck.judge.history): new, still_open, reopened,
    # fixed, ignored; when the finding was first seen; why it is ignored / when fixed.
    state: FindingState = FindingState.NEW
    first_seen: str = ""
    note: str = ""


class RunStatus(StrEnum):
    """Where a run is in its life. A run counts as audited only once judged and saved."""

    RUNNING = "running"  # being crawled, or killed while crawling: --resume continues it
    CRAWLED = "crawled"  # every target handled, not yet judged: --resume judges it
    INTERRUPTED = "interrupted"  # stopped by Ctrl-C / SIGTERM: --resume continues it
    FINISHED = "finished"  # judged and saved; everything was read
    INCOMPLETE = "incomplete"  # judged and saved, but something was not read (runs.incomplete_reason)
    FAILED = "failed"  # written by older versions only


# Runs --resume (and the service's restart) continue.
RESUMABLE_RUNS = frozenset({RunStatus.RUNNING, RunStatus.CRAWLED, RunStatus.INTERRUPTED})
# Runs whose findings are saved: what later runs compare themselves with.
JUDGED_RUNS = frozenset({RunStatus.FINISHED, RunStatus.INCOMPLETE})


class ColumnStatus(StrEnum):
    """How a column stands against its category's update limit."""

    OK = "ok"
    EMPTY = "empty"
    STALE = "stale"
    UNDATED = "undated"
    WARNING = "warning"
    EXEMPT = "exempt"


class TargetKind(StrEnum):
    """How a URL of the frontier is checked."""

    PAGE = "page"  # fetched and parsed (in scope, within the limits)
    RESOURCE = "resource"  # images, attachments: HEAD first
    EXTERNAL = "external"  # other sites, pages beyond the limits: a GET that is not parsed
    EXCLUDED = "excluded"  # recorded without a request (exclude pattern, trap guard)
    INVALID = "invalid"  # no browser could request it (malformed)


class TallyLevel(StrEnum):
    """Where a veto indicator stands against its line."""

    PASS = "pass"
    WARN = "warn"  # at or past the warning line
    FAIL = "fail"  # at or past the veto line: the portal would fail a spot check


class Job(StrEnum):
    """What a portal's schedule runs (``sitecheck serve``)."""

    AUDIT = "audit"  # a full crawl
    RECHECK = "recheck"  # re-read what is still open
    PROBE = "probe"  # open the home page once (availability)


class JobOutcome(StrEnum):
    """How a job of the service ended (the job log), or why it did not run."""

    RUNNING = "running"
    FINISHED = "finished"
    INCOMPLETE = "incomplete"  # judged, but something was not read
    INTERRUPTED = "interrupted"  # stopped with the service; resumes at its next start
    RESUMED = "resumed"  # continued by a later job
    FAILED = "failed"  # the audit could not run (home page not read, store unusable)
    ERROR = "error"  # a bug: it cost this job, not the service
    SKIPPED = "skipped"  # another crawl of the portal was running
    MISSED = "missed"  # due while the service was down, past the misfire grace


class RunKind(StrEnum):
    FULL = "full"  # a whole crawl
    RECHECK = "recheck"  # a copy of an earlier run's facts with the open findings re-read


# -- rows of the store: what the judge and the reports read -----------------------------------
@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    site: str
    start_url: str
    home_url: str | None
    started_at: str
    finished_at: str | None
    status: str
    config_json: str
    observed_on: str | None
    kind: str = "full"  # a RunKind value: full, recheck
    base_run: int | None = None  # a recheck's starting point
    incomplete_reason: str = ""  # why a run is not complete (status incomplete), in Chinese

    @property
    def run_status(self) -> RunStatus:
        return RunStatus(self.status)


@dataclass(frozen=True, slots=True)
class Target:
    id: int
    url: str
    kind: TargetKind
    depth: int
    note: str


@dataclass(frozen=True, slots=True)
class CheckedLink:
    """A checked target together with one page that links to it (rows for the rules)."""

    target_id: int
    url: str
    kind: str
    outcome: Outcome
    status: int | None
    error: str
    page_id: int
    page_url: str
    element: str
    attribute: str
    text: str
    raw: str


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One list page (or the home page) as stored by the crawler."""

    page_id: int
    url: str
    is_listing: bool
    is_home: bool
    name: str
    name_source: str
    cms: str
    item_count: int
    text_dated: int
    url_dated: int
    total_records: int | None
    total_pages: int | None
    placeholder: str | None
    column_type_meta: str | None
    breadcrumb: tuple[str, ...]
    pagination: tuple[str, ...]
    content: PageContent = field(default_factory=PageContent)


@dataclass(frozen=True, slots=True)
class ItemRow:
    title: str
    url: str | None
    date: date | None
    date_source: str


@dataclass(frozen=True, slots=True)
class HomeTarget:
    """The start URL of a run: how it was classified and what its check said."""

    url: str
    kind: str
    state: str  # pending, done, failed
    note: str  # why excluded
    failure: str  # why its handling failed
    outcome: Outcome | None  # None: never checked
    status: int | None
    error: str
    final_url: str | None
    content_type: str


@dataclass(frozen=True, slots=True)
class Occurrence:
    page_id: int
    page_url: str
    raw: str
    element: str
    attribute: str
    text: str
    special: str
    in_nav: bool


# -- rows of the service's log (issue 5) -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProbeRow:
    """One home-page availability probe."""

    at: str  # UTC ISO time the probe started
    outcome: Outcome
    status: int | None
    latency_ms: int
    error: str
    final_url: str | None


@dataclass(frozen=True, slots=True)
class JobLogRow:
    """One thing the service's scheduler did (or chose not to do) for a portal."""

    id: int
    start_url: str
    job: str  # audit, recheck, probe
    cause: str  # schedule, catch_up, resume, manual
    fired_at: str
    started_at: str | None
    finished_at: str | None
    outcome: str  # running, finished, interrupted, resumed, failed, error, skipped, missed
    run_id: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class NotificationRow:
    id: int
    start_url: str
    at: str
    event: str
    channel: str
    ok: bool
    attempts: int
    error: str


# -- certificates and transport (issue 16, part 4) -------------------------------------------
class TlsOutcome(StrEnum):
    """How a TLS handshake with one of the portal's HTTPS hosts went, checked as a browser does
    (the system's trust store, plus ``[fetch] ca_bundle``; the host name matched)."""

    OK = "ok"  # the chain verifies and the name matches
    EXPIRED = "expired"  # past notAfter
    NOT_YET_VALID = "not_yet_valid"  # before notBefore (a server clock, a certificate issued early)
    SELF_SIGNED = "self_signed"  # the server's certificate signs itself, or the chain ends in one
    UNKNOWN_ISSUER = "unknown_issuer"  # an intermediate not sent (incomplete chain), or an untrusted CA
    HOSTNAME_MISMATCH = "hostname_mismatch"  # a good certificate for other names
    UNVERIFIABLE = "unverifiable"  # another verification error (SM2/国密, revoked, unsupported): 无法核验
    HANDSHAKE_FAILED = "handshake_failed"  # no TLS spoken even without verification
    UNREACHABLE = "unreachable"  # refused, no address, timed out: nothing to judge

    @property
    def chain_problem(self) -> bool:
        """The chain itself does not verify (not its dates, not its names)."""
        return self in (TlsOutcome.SELF_SIGNED, TlsOutcome.UNKNOWN_ISSUER, TlsOutcome.UNVERIFIABLE)


class HttpsRedirect(StrEnum):
    """What the host's plain-http home page does (``http://host/``)."""

    REDIRECTS = "redirects"  # ends on an https:// URL
    NO_REDIRECT = "no_redirect"  # answers over http without sending the visitor to https
    NOT_SERVED = "not_served"  # nothing answers on http (refused, no address, timeout)
    NOT_CHECKED = "not_checked"  # no http counterpart is known (an https port other than 443)


@dataclass(frozen=True, slots=True)
class TransportFacts:
    """What one probe of one HTTPS host and port observed (the ``transport`` table)."""

    host: str
    port: int
    outcome: TlsOutcome
    verify_error: str = ""  # OpenSSL's reason when verification failed, as it said it
    tls_version: str = ""  # TLSv1.3, TLSv1.2 …
    not_before: str = ""  # ISO UTC; "" when no certificate was read
    not_after: str = ""
    subject: str = ""  # the subject's common name
    names: tuple[str, ...] = ()  # subjectAltName DNS names and IP addresses
    issuer: str = ""  # the issuer's common name (or organisation)
    hostname_matches: bool | None = None  # None: no certificate was read
    http_url: str = ""  # the plain-http home page checked for a redirect
    http_redirect: HttpsRedirect = HttpsRedirect.NOT_CHECKED
    http_status: int | None = None
    http_final_url: str = ""
    error: str = ""  # why the host could not be reached, for the report
    # The portal's pages were read over https here; False for a guess (port 443 of an http
    # start URL's host), which only tells whether the host has https to redirect to.
    crawled: bool = True


@dataclass(frozen=True, slots=True)
class MixedContentRow:
    """A sub-resource requested over http by a page read over https (from the link facts)."""

    page_url: str
    element: str
    attribute: str
    raw: str
    url: str  # the resource as the browser would request it (http://…)
    content_type: str  # what the resource's check answered ("" when unknown)
