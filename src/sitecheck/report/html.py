"""checklist.html: the rectification checklist (整改清单) an office reads, prints and hands on.

One self-contained file: inline CSS and a small vanilla script (sorting, filtering), charts
drawn as SVG here, no network access when opened. Everything that came from the crawled site
is text to this page: Jinja autoescaping is on, nothing from ``ReportData`` is marked safe, and
a Content-Security-Policy admits only the stylesheet and script shipped with the template (by
hash), so even an escaping mistake could not run a script or load anything. Every value
printed passes through :func:`sitecheck.report.text.clean_text` (the environment's finalize),
links through ``clean_url``, and crawled values sit in ``<bdi>``, so no control character
or right-to-left override in a link text can reorder the words around it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sitecheck.models import OPEN_STATES, FindingKind, FindingState, Severity, TallyLevel
from sitecheck.report.checklist import ChecklistRow, ReportData, TrendPoint
from sitecheck.report.files import atomic_write
from sitecheck.report.labels import (
    CATEGORY_LABELS,
    COLUMN_STATUS_LABELS,
    COVER_LABELS,
    HTML_TEXT,
    INCOMPLETE_LABEL,
    KIND_LABELS,
    RUN_KIND_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    TALLY_STATUS_LABELS,
)
from sitecheck.report.text import clean_text, clean_url

# 国办秘函〔2019〕19号: the home page failing in ≥5% of a week's probes is a veto (indicators.md
# §1.2); 3% is the early warning vendors raise before it (开普云), shown as a reference line.
AVAILABILITY_VETO = 0.05
AVAILABILITY_WARN = 0.03

# A chart with every run since the first becomes unreadable; the table-free trend only needs
# the recent past.
TREND_RUNS = 20

# A browser opens a checklist of a few thousand rows in a second or two. A portal with 30 000
# dead links (an attachment folder deleted) made a 64 MB page that headless Chromium took 95 s
# and 1.1 GB to open. So each table lists the first ROWS_PER_KIND rows of each problem type, in
# the checklist's order, and says how many it left out and where they are: checklist.xlsx and
# findings.csv keep every row, and every count on the page is of all rows.
ROWS_PER_KIND = 500

_SEVERITY_ORDER = (Severity.VETO, Severity.DEDUCTION, Severity.WARNING)
_STATUS_ORDER = (*OPEN_STATES, FindingState.FIXED, FindingState.IGNORED)

# Okabe–Ito first (distinguishable with the common colour-vision deficiencies), then extras
# for the less frequent kinds; fixed per kind so a kind keeps its colour from run to run.
KIND_COLOURS: dict[FindingKind, str] = {
    FindingKind.HOME_UNREACHABLE: "#000000",
    FindingKind.DEAD_LINK_HOME: "#D55E00",
    FindingKind.DEAD_LINK: "#E69F00",
    FindingKind.UNAVAILABLE_LINK: "#CC79A7",
    FindingKind.UNVERIFIED_LINK: "#999999",
    FindingKind.EMPTY_COLUMN: "#0072B2",
    FindingKind.STALE_COLUMN: "#56B4E9",
    FindingKind.UNDATED_COLUMN: "#009E73",
    FindingKind.STALE_COLUMN_WARNING: "#F0E442",
    FindingKind.HOME_NOT_UPDATED: "#882255",
    FindingKind.HOME_FEW_UPDATES: "#44AA99",
    FindingKind.PAGE_NOT_READ_WHOLE: "#BBBBBB",
    FindingKind.TO_VERIFY: "#AA4499",
    FindingKind.PERSONAL_DATA: "#661100",
    FindingKind.WRONG_WORDING: "#117733",
    FindingKind.ANNUAL_REPORT: "#332288",
    FindingKind.EXTERNAL_CHANGED: "#886600",
    FindingKind.EXTERNAL_RISKY: "#990033",
    FindingKind.CERT_EXPIRY: "#88CCEE",
    FindingKind.CERT_INVALID: "#999933",
    FindingKind.HTTPS_REDIRECT: "#DDCC77",
    FindingKind.MIXED_CONTENT: "#6699CC",
    FindingKind.HIDDEN_LINK: "#440154",
    FindingKind.IDENTIFIER_MISSING: "#AA4499",
    FindingKind.IDENTIFIER_MISMATCH: "#44AA99",
}
_OTHER_COLOUR = "#666666"
_KIND_ORDER = {kind: index for index, kind in enumerate(FindingKind)}

# Only these become clickable: anything else (javascript:, data:, vbscript:, relative junk)
# is shown as plain text. Browsers ignore leading whitespace and control characters before a
# scheme, so the match is anchored on the raw string: such a value simply is not a link.
_HTTP_URL = re.compile(r"https?://[^\s]", re.IGNORECASE)


def is_http_url(value: object) -> bool:
    return isinstance(value, str) and _HTTP_URL.match(value) is not None


def display_url(url: str) -> str:
    """The URL as a person reads it: ``/attach/%E9%80%9A%E7%9F%A5.pdf`` → ``/attach/通知.pdf``.

    Only the shown text changes; the link keeps the exact URL. Percent-escapes that are not
    UTF-8 (a GBK query) or that hide control or bidi characters stay as they are, and such
    characters written raw are shown percent-encoded (clean_url).
    """
    url = clean_url(url)
    if "%" not in url:
        return url
    try:
        text = unquote(url, errors="strict")
    except UnicodeDecodeError:
        return url
    if clean_url(text) != text:
        return url
    return text


def _finalize(value: object) -> object:
    """Every ``{{ … }}`` of the template: texts through clean_text (markup we built is clean)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


# --- view model --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    rows: list[ChecklistRow]  # the rows listed on the page
    name: str = ""  # the office or column inside the title, isolated with <bdi> on the page
    total: int = 0  # the group's rows, listed or not

    @property
    def title_parts(self) -> tuple[str, str, str]:
        """The title around ``name``: (before, name, after)."""
        if not self.name or self.name not in self.title:
            return self.title, "", ""
        before, _, after = self.title.partition(self.name)
        return before, self.name, after


@dataclass(frozen=True, slots=True)
class SeveritySection:
    severity: str
    label: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(g.total for g in self.groups)


@dataclass(frozen=True, slots=True)
class Listing:
    """What one table of the page lists: the first ``limit`` rows of each problem type."""

    rows: list[ChecklistRow]
    left_out: str  # the note saying which types were cut short, or ""

    @classmethod
    def of(cls, rows: list[ChecklistRow], limit: int) -> Listing:
        counts: dict[FindingKind, int] = {}
        listed = []
        for row in rows:
            seen = counts[row.kind] = counts.get(row.kind, 0) + 1
            if seen <= limit:
                listed.append(row)
        cut = [
            HTML_TEXT["left_out_kind"].format(label=KIND_LABELS[kind], total=total, shown=limit)
            for kind, total in sorted(counts.items(), key=lambda item: _KIND_ORDER[item[0]])
            if total > limit
        ]
        note = HTML_TEXT["left_out"].format(limit=limit, kinds="；".join(cut)) if cut else ""
        return cls(listed, note)


@dataclass(frozen=True, slots=True)
class Count:
    key: str  # stable value for ids and data attributes
    label: str
    count: int
    bar: float = 0.0  # width of the inline bar, in px


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    colour: str
    title: str


@dataclass(frozen=True, slots=True)
class RunMark:
    x: float  # centre of the bar
    label: str
    date: str
    total: int
    total_y: float
    current: bool


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class TrendChart:
    width: int
    height: int
    left: int
    right: int
    base_y: float
    rects: list[Rect]
    runs: list[RunMark]
    ticks: list[Tick]
    legend: list[Count]  # key = colour
    points: int


@dataclass(frozen=True, slots=True)
class Gauge:
    width: int
    height: int
    track_x: float
    track_w: float
    fill_w: float
    warn_x: float
    veto_x: float
    scale_max: str
    ratio: float
    text: str
    failing: bool


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


def _kind_label(value: str) -> str:
    try:
        return KIND_LABELS[FindingKind(value)]
    except ValueError:
        return value


def _kind_colour(value: str) -> str:
    try:
        return KIND_COLOURS[FindingKind(value)]
    except ValueError:
        return _OTHER_COLOUR


def _sections(data: ReportData, listed: list[ChecklistRow]) -> tuple[list[SeveritySection], str]:
    """Open rows by severity, then by 责任科室 when offices are configured, else by 所在栏目;
    each group shows the ``listed`` ones of its rows."""
    rows = data.open_rows
    shown = {id(row) for row in listed}
    by_office = any(r.office for r in rows)
    sections = []
    for severity in _SEVERITY_ORDER:
        groups: dict[str, list[ChecklistRow]] = {}
        for row in rows:
            if row.severity == severity:
                groups.setdefault(row.office if by_office else row.column, []).append(row)
        # Groups keep the rows' order (build.py numbers rows by office, then column), so 序号
        # read top to bottom and a row is easy to find again by its number.
        built = []
        for name, members in groups.items():
            if by_office:
                title = HTML_TEXT["group_office"].format(name=name or HTML_TEXT["group_no_office"])
            else:
                title = HTML_TEXT["group_column"].format(name=name or HTML_TEXT["group_no_column"])
            built.append(Group(title, [r for r in members if id(r) in shown], name, len(members)))
        sections.append(SeveritySection(severity.value, SEVERITY_LABELS[severity], built))
    return sections, ("office" if by_office else "column")


def _kind_counts(data: ReportData, width: float = 140.0) -> list[Count]:
    counts: dict[str, int] = {}
    for row in data.open_rows:
        counts[row.kind.value] = counts.get(row.kind.value, 0) + 1
    top = max(counts.values(), default=1)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Count(kind, _kind_label(kind), n, round(width * n / top, 1)) for kind, n in ordered]


def _severity_counts(data: ReportData) -> list[Count]:
    counts = dict.fromkeys(_SEVERITY_ORDER, 0)
    for row in data.open_rows:
        counts[row.severity] = counts.get(row.severity, 0) + 1
    return [Count(s.value, SEVERITY_LABELS[s], n) for s, n in counts.items()]


def _status_counts(data: ReportData) -> list[Count]:
    counts = data.count_by_status()
    return [Count(s, STATE_LABELS.get(s, s), counts.get(s, 0)) for s in _STATUS_ORDER]


def _nice_step(top: int) -> int:
    """A round tick step giving at most five intervals up to ``top``."""
    for magnitude in (1, 10, 100, 1000, 10000, 100000):
        for base in (1, 2, 5):
            step = base * magnitude
            if top <= step * 5:
                return step
    return max(1, top // 5)


def _trend_chart(points: list[TrendPoint], current_run: int) -> TrendChart | None:
    if not points:
        return None
    points = points[-TREND_RUNS:]
    width, height, left, right, top, bottom = 760, 280, 48, 16, 24, 52
    plot_w = width - left - right
    plot_h = height - top - bottom
    base_y = float(top + plot_h)
    totals = [sum(p.open_by_kind.values()) for p in points]
    step = _nice_step(max(max(totals), 1))
    y_max = step * max(1, -(-max(max(totals), 1) // step))
    scale = plot_h / y_max
    slot = plot_w / len(points)
    bar_w = min(64.0, slot * 0.6)
    kinds_seen: list[str] = []
    order = {k.value: i for i, k in enumerate(FindingKind)}
    rects: list[Rect] = []
    runs: list[RunMark] = []
    label_every = max(1, -(-len(points) // 10))  # at most ten x labels, or they overlap
    for index, (point, total) in enumerate(zip(points, totals, strict=True)):
        centre = left + slot * (index + 0.5)
        y = base_y
        for kind, count in sorted(point.open_by_kind.items(), key=lambda item: order.get(item[0], 99)):
            if count <= 0:
                continue
            if kind not in kinds_seen:
                kinds_seen.append(kind)
            h = count * scale
            y -= h
            title = f"{HTML_TEXT['run_number'].format(n=point.run_id)} {_kind_label(kind)}：{count}"
            rects.append(
                Rect(
                    round(centre - bar_w / 2, 1),
                    round(y, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    _kind_colour(kind),
                    title,
                )
            )
        shown = index % label_every == 0 or index == len(points) - 1
        runs.append(
            RunMark(
                x=round(centre, 1),
                label=HTML_TEXT["run_number"].format(n=point.run_id) if shown else "",
                date=point.started_at[5:10] if shown else "",
                total=total,
                total_y=round(base_y - total * scale - 6, 1),
                current=point.run_id == current_run,
            )
        )
    ticks = [Tick(round(base_y - v * scale, 1), v) for v in range(0, y_max + 1, step)]
    kinds_seen.sort(key=lambda kind: order.get(kind, 99))
    legend = [Count(_kind_colour(k), _kind_label(k), 0) for k in kinds_seen]
    return TrendChart(width, height, left, right, base_y, rects, runs, ticks, legend, len(points))


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _gauge(availability: dict[str, float] | None) -> Gauge | None:
    if availability is None:
        return None
    probes = int(availability.get("probes", 0))
    failures = int(availability.get("failures", 0))
    ratio = availability.get("ratio")
    if ratio is None:
        ratio = failures / probes if probes else 0.0
    ratio = min(max(float(ratio), 0.0), 1.0)
    days = availability.get("days", 0)
    # The interesting range is 0–10 %: a linear 0–100 % bar would show 5 % as a sliver.
    scale_max = max(0.10, ratio * 1.2)
    width, track_x = 760, 16.0
    track_w = width - 2 * track_x
    text = HTML_TEXT["availability_text"].format(
        failures=failures, probes=probes, days=f"{days:g}", ratio=_percent(ratio)
    )
    # The 5% line is judged over a week of at least 20 probes a day: on a smaller sample a
    # ratio over it is a warning (样本不足), never "已达到否决线".
    sample_ok = bool(availability.get("sample_ok", 1.0))
    if not sample_ok:
        text += HTML_TEXT["availability_small_sample"]
    return Gauge(
        width=width,
        height=84,
        track_x=track_x,
        track_w=track_w,
        fill_w=round(track_w * ratio / scale_max, 1),
        warn_x=round(track_x + track_w * AVAILABILITY_WARN / scale_max, 1),
        veto_x=round(track_x + track_w * AVAILABILITY_VETO / scale_max, 1),
        scale_max=f"{scale_max * 100:.0f}%",
        ratio=ratio,
        text=text,
        failing=ratio >= AVAILABILITY_VETO and sample_ok,
    )


def _options(rows: list[ChecklistRow]) -> tuple[list[Option], list[Option]]:
    kinds: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for row in rows:
        kinds.setdefault(row.kind.value, row.kind_label)
        statuses.setdefault(row.status, row.status_label)
    order = {k.value: i for i, k in enumerate(FindingKind)}
    status_order: dict[str, int] = {s: i for i, s in enumerate(_STATUS_ORDER)}
    return (
        [Option(k, kinds[k]) for k in sorted(kinds, key=lambda k: order.get(k, 99))],
        [Option(s, statuses[s]) for s in sorted(statuses, key=lambda s: status_order.get(s, 99))],
    )


# --- rendering ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sitecheck", "report/templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt field fails the render, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.tests["http_url"] = is_http_url
    env.filters["display_url"] = display_url
    env.filters["href"] = clean_url
    return env


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=4)
def content_security_policy(page: str = "checklist") -> str:
    """Only the inline stylesheet and script this module ships with ``page`` may apply;
    nothing loads."""
    env = _environment()
    style = _csp_hash(env.get_template(f"{page}.css").render())
    script = _csp_hash(env.get_template(f"{page}.js").render())
    return (
        "default-src 'none'; "
        f"style-src {style}; script-src {script}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def overview_environment() -> Environment:
    """The checklist's environment (autoescape, clean text, safe links) for the overview."""
    return _environment()


def overview_security_policy() -> str:
    return content_security_policy("overview")


def render_html(data: ReportData, rows_per_kind: int = ROWS_PER_KIND) -> str:
    open_listing = Listing.of(data.open_rows, rows_per_kind)
    fixed = Listing.of(data.fixed_rows, rows_per_kind)
    ignored = Listing.of(data.ignored_rows, rows_per_kind)
    sections, grouped_by = _sections(data, open_listing.rows)
    kind_options, status_options = _options(data.rows)
    open_rows = data.open_rows
    lines = data.tally.lines
    return (
        _environment()
        .get_template("checklist.html.j2")
        .render(
            data=data,
            t=HTML_TEXT,
            csp=content_security_policy(),
            run_kind=RUN_KIND_LABELS.get(data.run_kind, data.run_kind),
            tally_labels=TALLY_STATUS_LABELS,
            failing_lines=[line for line in lines if line.status is TallyLevel.FAIL],
            warning_lines=[line for line in lines if line.status is TallyLevel.WARN],
            open_total=len(open_rows),
            sections=sections,
            grouped_by=grouped_by,
            severity_counts=_severity_counts(data),
            kind_counts=_kind_counts(data),
            status_counts=_status_counts(data),
            # Only then is "everything is new" true: a recheck or ignored rows have a history.
            first_run=len(data.trend) <= 1 and all(r.status == FindingState.NEW for r in data.rows),
            trend=_trend_chart(data.trend, data.run_id),
            gauge=_gauge(data.availability),
            kind_options=kind_options,
            status_options=status_options,
            category_labels=CATEGORY_LABELS,
            column_status_labels=COLUMN_STATUS_LABELS,
            incomplete_label=INCOMPLETE_LABEL,
            cover_labels=COVER_LABELS,
            open_left_out=open_listing.left_out,
            fixed=fixed,
            ignored=ignored,
            listed_total=len(open_listing.rows) + len(fixed.rows) + len(ignored.rows),
        )
    )


def write_html(data: ReportData, path: Path) -> None:
    """Write checklist.html; a reader never sees a half-written file at ``path``."""
    atomic_write(path, render_html(data))
