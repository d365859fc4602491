"""sitecheck benchmark: sitecheck vs LinkChecker vs linkinator on a large generated portal.

Started by ``bench/run`` (which installs what is missing). Steps:

1. build the portal as static files: ``--portal realistic`` (the default) generates the
   real-shaped TRS portal of ``realistic.py``, ``--portal sample`` exports the sample portal
   (``sitecheck.demo.Portal``); nginx serves them on 127.0.0.1 (portal) and 127.0.0.2/127.0.0.3
   (external sites); the few dynamic URLs (redirects, slow and never-answering endpoints, the
   sample portal's fault URLs) are proxied to ``dynamic.py``; a bound-but-not-listening port
   gives "connection refused";
2. check that nginx answers as the portal must (status, Content-Type, body) for a sample of URLs;
3. run the three tools in alternating rounds with the same settings and measure each run's
   wall time, CPU time (user+system, children included) and peak RSS with ``os.wait4``;
   count the pages each tool fetched from the nginx access log, and when (pages over time:
   when it had 50/90/99/100 % of them); score the dead links each tool reports against the
   portal's manifest;
4. sitecheck alone at several portal sizes (memory and CPU per page as the site grows);
5. a pyinstrument profile of sitecheck on the large portal, split into cost categories;
6. the HTTP client micro-benchmark (httpx 0.28.1, httpx2, aiohttp, and sitecheck's fetch layer);
7. print the tables, write ``bench/out/results.json`` and ``bench/out/results.md``, and with
   ``--update-readme`` put the tables into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urlsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

from dynamic import DynamicServer  # noqa: E402
from export import Export, export  # noqa: E402
from nginx import Nginx  # noqa: E402
from realistic import BODY_STYLES, HREF_STYLES, RealisticPortal, describe  # noqa: E402
from realistic import generate as generate_realistic  # noqa: E402

from sitecheck.demo.portal import Behaviour, Portal  # noqa: E402

TOOLS = ("sitecheck", "sitecheck-1p", "linkchecker", "linkinator")
DEFAULT_TOOLS = ("sitecheck", "sitecheck-1p", "linkchecker", "linkinator")
LABEL = {
    "sitecheck": "sitecheck",
    "sitecheck-1p": "sitecheck --workers 0",
    "linkchecker": "LinkChecker",
    "linkinator": "linkinator",
}
# sitecheck's source is copied here when a run starts and every sitecheck process runs from the
# copy: commits landing during a 20-minute run must not split it between two versions.
SNAPSHOT = OUT / "src-snapshot"


def sitecheck_src() -> Path:
    return SNAPSHOT if SNAPSHOT.exists() else REPO / "src"


def snapshot_source() -> dict[str, str]:
    if SNAPSHOT.exists():
        shutil.rmtree(SNAPSHOT)
    shutil.copytree(REPO / "src", SNAPSHOT, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # Compiled once here, as pip compiles an installed package (and LinkChecker's is): without
    # it every sitecheck run compiled its ~330 modules in both processes (PYTHONDONTWRITEBYTECODE
    # keeps them from being written), 0.1 s of each process's start and its end.
    import compileall

    if not compileall.compile_dir(SNAPSHOT, quiet=1, workers=1):
        raise SystemExit(f"could not compile {SNAPSHOT}")
    import hashlib

    h = hashlib.sha256()
    for f in sorted(SNAPSHOT.rglob("*.py")):
        h.update(f.relative_to(SNAPSHOT).as_posix().encode())
        h.update(f.read_bytes())
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
                           capture_output=True,
                           text=True).stdout.strip()  # fmt: skip
    return {"commit": commit or "?", "modified": "yes" if dirty else "no", "sha256": h.hexdigest()[:12]}


DEAD_KINDS = {"dead_link", "dead_link_home"}
PORTALS = ("realistic", "sample")
# Pages over time: the shares of the pages at which a run's time line is read.
SHARES = (50, 90, 99, 100)


# --- settings ---------------------------------------------------------------------------------


@dataclass
class Settings:
    pages: int
    rounds: int
    concurrency: int
    timeout: int
    slow_seconds: float
    seed: int
    port: int
    tools: tuple[str, ...]
    scale: tuple[int, ...]
    profile: bool
    micro: bool
    micro_requests: int
    micro_rounds: int
    quick: bool
    tool_timeout: float
    portal: str = "realistic"
    hrefs: str = "root"  # realistic portal: how its pages write the site's own links
    bodies: str = "generated"  # realistic portal: articles' bodies generated, or with real pages' markup
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def dyn_main(self) -> int:
        return self.port + 1

    @property
    def dyn_ext(self) -> int:
        return self.port + 2

    @property
    def refused(self) -> int:
        return self.port + 3

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def ext_url(self) -> str:
        return f"http://127.0.0.2:{self.port}/"

    @property
    def refused_url(self) -> str:
        return f"http://127.0.0.1:{self.refused}/"


def python_for_sitecheck() -> str:
    return os.environ.get("SITECHECK_PYTHON", sys.executable)


def peers_python() -> Path:
    return BENCH / ".venv-peers" / "bin" / "python"


def linkinator_cli() -> Path:
    return BENCH / "node_modules" / "linkinator" / "build" / "src" / "cli.js"


# --- serving ----------------------------------------------------------------------------------


class Site:
    """Portal files + nginx + dynamic server for one portal size."""

    def __init__(self, s: Settings, pages: int) -> None:
        self.s = s
        self.pages = pages
        self.kind = s.portal
        # URL (norm form) -> the status it must get; None: ask the sample Portal.
        self.expected: dict[str, int] | None = None
        self.portal: Portal | RealisticPortal
        if s.portal == "realistic":
            style = ("" if s.hrefs == "root" else f"-{s.hrefs}") + (
                "" if s.bodies == "generated" else "-realbodies"
            )
            self.exp: Export = generate_realistic(
                OUT / "portal" / f"realistic-p{pages}-s{s.seed}{style}",
                pages=pages,
                seed=s.seed,
                today=s.today,
                base_url=s.base_url,
                external_base_url=s.ext_url,
                refused_url=s.refused_url,
                hrefs=s.hrefs,
                bodies=s.bodies,
            )
            self.portal = RealisticPortal(self.exp)
            self.expected = {norm(url): status for url, status, _ in self.portal.expected()}
        else:
            self.exp = export(
                OUT / "portal" / f"p{pages}-s{s.seed}",
                pages=pages,
                seed=s.seed,
                today=s.today,
                base_url=s.base_url,
                external_base_url=s.ext_url,
                refused_url=s.refused_url,
            )
            self.portal = Portal(
                pages,
                s.seed,
                s.today,
                base_url=s.base_url,
                external_base_url=s.ext_url,
                refused_url=s.refused_url,
                cache_size=64,
            )
        self.manifest = json.loads(self.exp.manifest_path.read_text("utf-8"))
        self.page_keys = {norm(u) for u in self.manifest["page_urls"]}
        self.dynamic: DynamicServer | None = None
        self.nginx: Nginx | None = None

    @property
    def runs_dir(self) -> Path:
        return OUT / "runs" / (f"realistic-p{self.pages}" if self.kind == "realistic" else f"p{self.pages}")

    def expected_status(self, addr: str, uri: str) -> int:
        """The status the portal must answer for a request line's URI (as nginx logged it) on
        ``addr``: what a 404 in the access log is compared with."""
        uri = _LOG_ESCAPE.sub(r"%\1", uri)  # nginx logs non-ASCII bytes as \xHH
        path, _, query = uri.partition("?")
        main = addr == "127.0.0.1"
        if self.expected is not None:
            want = self.expected.get(norm(f"http://{addr}:{self.s.port}{uri}"))
            if want is not None:
                return want
        get = self.portal.get if main else self.portal.get_external
        return get(path, query).status

    def __enter__(self) -> Site:
        for p in (self.s.port, self.s.dyn_main, self.s.dyn_ext, self.s.refused):
            _require_free(p)
        self.dynamic = DynamicServer(
            self.portal,
            main_port=self.s.dyn_main,
            ext_port=self.s.dyn_ext,
            refused_port=self.s.refused,
            slow_seconds=self.s.slow_seconds,
        ).start()
        self.nginx = Nginx(
            self.exp, OUT / "nginx", port=self.s.port, dyn_main=self.s.dyn_main, dyn_ext=self.s.dyn_ext
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        if self.dynamic is not None:
            self.dynamic.stop()


def _require_free(port: int) -> None:
    for addr in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does: TIME_WAIT is fine
            try:
                sock.bind((addr, port))
            except OSError as exc:
                raise SystemExit(f"port {addr}:{port} is in use ({exc}); pick another with --port") from None


# --- URL normalisation and scoring --------------------------------------------------------------

_SAFE = "/:@!$&'()*+,;=-._~"


def norm(url: str) -> str:
    """Compare URLs as a server sees them: case-folded scheme/host, default port dropped,
    percent-encoding normalised (decoded bytes re-encoded one way), fragment dropped."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = quote(unquote_to_bytes(parts.path or "/"), safe=_SAFE)
    query = quote(unquote_to_bytes(parts.query), safe=_SAFE + "?")
    if scheme not in ("http", "https"):
        return url
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if parts.query else "")


def score(reported: set[str], manifest: dict[str, object]) -> dict[str, object]:
    """Recall and precision of the reported URLs against the manifest's dead set.

    ``neutral`` entries (the realistic portal's endpoints answering after 10–15 s: with a 10 s
    timeout neither dead nor alive) count neither way: they are left out of the reported set
    and listed under ``neutral_reported``."""
    defects = manifest["defects"]
    assert isinstance(defects, list)
    dead = {norm(d["url"]): d["id"] for d in defects if d["kind"] in DEAD_KINDS}
    traps = {norm(d["url"]): d["id"] for d in defects if d["kind"] not in DEAD_KINDS}
    controls = manifest["controls"]
    assert isinstance(controls, list)
    traps.update({norm(d["url"]): d["id"] for d in controls})
    neutral_list = manifest.get("neutral") or []
    assert isinstance(neutral_list, list)
    neutral = {norm(d["url"]): d["id"] for d in neutral_list}
    rep = {norm(u) for u in reported}
    neutral_hit = rep & neutral.keys()
    rep -= neutral_hit
    tp = rep & dead.keys()
    fp = rep - dead.keys()
    return {
        "dead": len(dead),
        "reported": len(rep),
        "true_positives": len(tp),
        "recall": len(tp) / len(dead) if dead else 1.0,
        "precision": len(tp) / len(rep) if rep else 1.0,
        "missed": sorted(dead[u] for u in dead.keys() - rep),
        "false_positives": sorted(traps.get(u, u) for u in fp),
        "neutral_reported": sorted(neutral[u] for u in neutral_hit),
    }


# --- one tool run -------------------------------------------------------------------------------


@dataclass
class Run:
    tool: str
    pages_total: int
    round: int
    wall: float
    cpu: float
    user: float
    sys: float
    maxrss_mib: float  # max(wait4 ru_maxrss, sampled sum over the process tree)
    maxrss_process_mib: float  # wait4 ru_maxrss alone (largest single process)
    main_cpu: float  # CPU of the tool's own process (not its children), sampled up to 0.2 s before exit
    exit_code: int
    pages_fetched: int
    requests: int
    requests_by_method: dict[str, int]
    nginx_cpu: float
    other_cpu: float  # CPU of everything else on the machine during the run (other users)
    load_before: float
    reported_dead: list[str]
    unverified: list[str]
    score: dict[str, object]
    gaps: list[str]
    tool_summary: dict[str, object]
    failed: str = ""
    variant: str = ""
    # Pages over time (see pages_over_time): seconds from the tool's start.
    timeline: dict[str, object] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages_fetched / self.wall if self.wall else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages_fetched if self.pages_fetched else 0.0


def _busy_jiffies() -> float:
    with Path("/proc/stat").open(encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def tool_command(tool: str, s: Settings, workdir: Path) -> tuple[list[str], dict[str, str], Path]:
    """argv, extra environment, file that receives stdout."""
    c, t = str(s.concurrency), str(s.timeout)
    if tool in ("sitecheck", "sitecheck-1p", "sitecheck-profile"):
        env = {"PYTHONPATH": str(sitecheck_src())}
        # Sitemap and robots.txt are switched off in a config file: the --no-sitemap and
        # --no-robots flags fail in cli._overrides at the commit measured (see README).
        conf = workdir / "portal.toml"
        conf.write_text(
            "[site]\nuse_sitemap = false\n\n[politeness]\nrespect_robots = false\n", encoding="utf-8"
        )
        argv = [
            python_for_sitecheck(), "-m", "sitecheck", "crawl", s.base_url, "--config", str(conf),
            "--data-dir", str(workdir / "data"),
            "--concurrency", c, "--per-host", c, "--interval", "0",
            "--timeout", t, "--retries", "0",
            "--max-pages", "10000000", "--max-depth", "100000",
            "--reports-dir", str(workdir / "reports"), "--quiet",
            "--as-of", s.today.isoformat(),
            "--json", str(workdir / "findings.json"),
        ]  # fmt: skip
        # sitecheck: the default (--workers auto: on 2 cores one worker process, the engine's
        # process reading beside it; a worker a core on more); sitecheck-1p: everything in one
        # process; the profile reads in one process too (it can only see one process).
        argv += ["--workers", {"sitecheck": "auto"}.get(tool, "0")]
        return argv, env, workdir / "stdout.txt"
    if tool == "linkchecker":
        rc = workdir / "linkcheckerrc"
        # maxrequestspersecond lifts the per-host wait only together with the server's
        # `LinkChecker` response header (nginx.py sends it); see README.
        rc.write_text("[checking]\nmaxrequestspersecond=1000000\n", encoding="utf-8")
        rc.chmod(0o644)
        argv = [
            str(BENCH / ".venv-peers" / "bin" / "linkchecker"), "-f", str(rc),
            "--check-extern", "--no-robots", "-r", "-1",
            "--threads", c, "--timeout", t,
            "--ignore-url", "^mailto:", "--ignore-url", "^tel:",
            "--no-status", "-o", "csv", s.base_url,
        ]  # fmt: skip
        return argv, {}, workdir / "linkchecker.csv"
    if tool == "linkinator":
        argv = [
            shutil.which("node") or "node", str(linkinator_cli()), s.base_url,
            "--recurse", "--concurrency", c, "--timeout", str(s.timeout * 1000),
            "--retry", "--format", "json",
        ]  # fmt: skip
        return argv, {}, workdir / "linkinator.json"
    raise ValueError(tool)


def parse_tool_output(tool: str, workdir: Path, stdout: Path) -> tuple[set[str], set[str], dict[str, object]]:
    """(URLs reported broken, URLs reported as could-not-verify, the tool's own counters)."""
    dead: set[str] = set()
    unverified: set[str] = set()
    summary: dict[str, object] = {}
    if tool in ("sitecheck", "sitecheck-1p"):
        path = workdir / "findings.json"
        if not path.exists():
            return dead, unverified, {"error": "no findings.json"}
        data = json.loads(path.read_text("utf-8"))
        for f in data["findings"]:
            if f["kind"] in DEAD_KINDS:
                dead.add(f["url"])
            elif f["kind"] == "unverified_link":
                unverified.add(f["url"])
        summary = {
            k: data["summary"].get(k) for k in ("pages", "link_occurrences", "checked_urls", "columns")
        }
        summary["findings_by_kind"] = data["summary"].get("findings_by_kind")
        summary["veto_would_fail"] = data.get("veto", {}).get("would_fail")
    elif tool == "linkchecker":
        rows = [r for r in csv.reader(_uncomment(stdout), delimiter=";") if r]
        if not rows:
            return dead, unverified, {"error": "empty CSV"}
        head = rows[0]
        iv, iu, iname, iparent = (head.index(k) for k in ("valid", "url", "urlname", "parentname"))
        for r in rows[1:]:
            if len(r) <= iv:
                continue
            if r[iv] == "False":
                url = r[iu] or r[iname]
                if not urlsplit(url).scheme and r[iparent]:
                    from urllib.parse import urljoin

                    url = urljoin(r[iparent], r[iname])
                dead.add(url)
        summary = {"rows": len(rows) - 1}
    elif tool == "linkinator":
        try:
            data = json.loads(stdout.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            return dead, unverified, {"error": f"unreadable JSON: {exc}"}
        for link in data.get("links", []):
            if link.get("state") == "BROKEN":
                dead.add(link["url"])
        summary = {"passed": data.get("passed"), "links_listed": len(data.get("links", []))}
    return dead, unverified, summary


def _uncomment(path: Path) -> list[str]:
    text = path.read_text("utf-8", errors="replace") if path.exists() else ""
    return [line for line in text.splitlines(keepends=True) if not line.startswith("#")]


# $msec (the time the response was finished; older logs have none) $server_addr $request_method
# $status "$request_uri" $body_bytes_sent $request_time (since the request arrived; older logs
# have none)
_LOG_RE = re.compile(r'^(?:(\d+\.\d+) )?(\S+) (\S+) (\d{3}) "(.*)" (\d+)(?: (\d+\.\d+))?$')
_LOG_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")


@dataclass
class LogFacts:
    pages: set[str]  # portal pages fetched with GET 200
    requests: int
    methods: dict[str, int]
    gaps: list[str]  # 404s for URLs the portal answers: files missing from the export
    page_times: list[float]  # when each of those pages was first fetched ($msec)
    last_request: float | None  # $msec of the last request
    # When the tool first asked for an endpoint that never answers ($msec - $request_time): no
    # tool can end before that plus its timeout, however fast it reads the rest.
    hang_asked: float | None = None


def analyse_log(site: Site, lines: list[str]) -> LogFacts:
    main_host = "127.0.0.1"
    never = {path for path, delay in getattr(site.portal, "slow_delays", {}).items() if math.isinf(delay)}
    hang_asked: float | None = None
    first: dict[str, float] = {}
    methods: dict[str, int] = {}
    gaps: set[str] = set()
    last: float | None = None
    for line in lines:
        m = _LOG_RE.match(line)
        if not m:
            continue
        msec, addr, method, status, uri, _, took = m.groups()
        when = float(msec) if msec else 0.0
        last = when if last is None else max(last, when)
        if took and addr == main_host and uri.split("?", 1)[0] in never:
            asked = when - float(took)
            hang_asked = asked if hang_asked is None else min(hang_asked, asked)
        methods[method] = methods.get(method, 0) + 1
        if status == "200" and method == "GET" and addr == main_host:
            key = norm(site.s.base_url + uri.lstrip("/"))
            if key in site.page_keys and (key not in first or when < first[key]):
                first[key] = when
        elif status == "404" and site.expected_status(addr, uri) != 404:
            gaps.add(f"{addr} {uri}")
    return LogFacts(
        pages=set(first),
        requests=sum(methods.values()),
        methods=methods,
        gaps=sorted(gaps),
        page_times=sorted(first.values()),
        last_request=last,
        hang_asked=hang_asked,
    )


def pages_over_time(
    times: list[float],
    start: float,
    wall: float,
    total: int,
    last_request: float | None,
    hang_asked: float | None = None,
) -> dict[str, object]:
    """Seconds from the tool's start until it had fetched 50/90/99/100 % of the pages it fetched
    in the end ("own") and of the portal's pages ("portal"; None: never), and the tail after."""

    def at(share: int, of: int) -> float | None:
        need = max(1, math.ceil(share * of / 100))
        if not times or need > len(times):
            return None
        return round(times[need - 1] - start, 2)

    last_page = round(times[-1] - start, 2) if times else None
    return {
        "own": {str(p): at(p, len(times)) for p in SHARES},
        "portal": {str(p): at(p, total) for p in SHARES},
        "first_page": round(times[0] - start, 2) if times else None,
        "last_page": last_page,
        "last_request": round(last_request - start, 2) if last_request else None,
        "after_last_page": round(wall - last_page, 2) if last_page is not None else None,
        "hang_asked": round(hang_asked - start, 2) if hang_asked is not None else None,
    }


def missed_by_dir(site: Site, fetched: set[str]) -> dict[str, int]:
    """Portal pages a tool did not fetch, counted by the page's first path segment."""
    out: dict[str, int] = {}
    for key in site.page_keys - fetched:
        top = urlsplit(key).path.split("/")[1] or "/"
        out[top] = out.get(top, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def run_tool(tool: str, site: Site, rnd: int, variant: str = "") -> Run:
    s = site.s
    name = tool
    workdir = site.runs_dir / f"{name}-r{rnd}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    argv, env_extra, stdout_path = tool_command(tool, s, workdir)
    env = dict(os.environ)
    if not tool.startswith("sitecheck"):
        for key in ("VIRTUAL_ENV", "PYTHONPATH", "SITECHECK_PYTHON"):
            env.pop(key, None)
    env |= env_extra
    assert site.nginx is not None and site.dynamic is not None
    site.dynamic.reset()
    site.nginx.flush_log()
    offset = site.nginx.log_offset()
    err_offset = site.nginx.error_offset()
    nginx_cpu0 = site.nginx.cpu_seconds()
    busy0, self0 = _busy_jiffies(), _self_cpu()
    load = os.getloadavg()[0]
    with stdout_path.open("wb") as out, (workdir / "stderr.txt").open("wb") as err:
        started_at = time.time()  # the clock of nginx's $msec
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=workdir)
        sampler = TreeRss(proc.pid)
        try:
            _, status, ru = _wait4_with_timeout(proc, s.tool_timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
            tree_kib = sampler.stop()
            main_cpu = sampler.main_cpu
            tree_cpu = sampler.tree_cpu
        wall = time.monotonic() - t0
    busy1, self1 = _busy_jiffies(), _self_cpu()
    nginx_cpu = site.nginx.cpu_seconds() - nginx_cpu0
    exit_code = os.waitstatus_to_exitcode(status)
    lines = site.nginx.read_log(offset)
    (workdir / "access.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    facts = analyse_log(site, lines)
    fetched, requests, methods, gaps = facts.pages, facts.requests, facts.methods, facts.gaps
    pages = len(fetched)
    timeline = pages_over_time(
        facts.page_times, started_at, wall, len(site.page_keys), facts.last_request, facts.hang_asked
    )
    dead, unverified, summary = parse_tool_output(tool, workdir, stdout_path)
    summary["missed_pages_by_dir"] = missed_by_dir(site, fetched)
    # wait4 is exact for everything the tool reaped; the sampled tree adds unreaped descendants.
    cpu = max(ru.ru_utime + ru.ru_stime, tree_cpu)
    other = max(0.0, (busy1 - busy0) - cpu - nginx_cpu - (self1 - self0))
    failed = ""
    server_errors = site.nginx.errors_since(err_offset)
    if server_errors:
        failed = f"nginx logged {len(server_errors)} errors, first: {server_errors[0][:200]}"
    elif "error" in summary:
        failed = str(summary["error"])
    elif exit_code not in (0, 1):
        failed = f"exit code {exit_code}"
    if failed:
        tail = (workdir / "stderr.txt").read_text("utf-8", errors="replace")[-1500:]
        print(f"  ! {LABEL[tool]} FAILED ({failed}); stderr ends:\n{tail}", flush=True)
    run = Run(
        tool=tool,
        pages_total=len(site.page_keys),
        round=rnd,
        wall=wall,
        cpu=cpu,
        user=ru.ru_utime,
        sys=ru.ru_stime,
        maxrss_mib=max(ru.ru_maxrss, tree_kib) / 1024,
        maxrss_process_mib=ru.ru_maxrss / 1024,
        main_cpu=main_cpu,
        exit_code=exit_code,
        pages_fetched=pages,
        requests=requests,
        requests_by_method=methods,
        nginx_cpu=nginx_cpu,
        other_cpu=other,
        load_before=load,
        reported_dead=sorted(dead),
        unverified=sorted(unverified),
        score=score(dead, site.manifest),
        gaps=gaps,
        tool_summary=summary,
        failed=failed,
        variant=variant,
        timeline=timeline,
    )
    own = timeline["own"]
    assert isinstance(own, dict)
    print(
        f"  {LABEL[tool] + (f'[{variant}]' if variant else ''):<12} round {rnd}: "
        f"{wall:7.1f} s wall, {cpu:7.1f} s CPU, "
        f"{run.maxrss_mib:6.0f} MiB, {pages}/{len(site.page_keys)} pages, {run.pages_per_s:6.0f} pages/s, "
        f"recall {run.score['recall']:.2f} precision {run.score['precision']:.2f}, exit {exit_code}, "
        f"others' CPU {other / wall:.2f} cores; 50/90/99/100 % of its pages at "
        + "/".join(_secs(own[str(p)]) for p in SHARES)
        + " s"
        + (f", EXPORT GAPS {gaps}" if gaps else ""),
        flush=True,
    )
    return run


class TreeRss:
    """Peak summed RSS and total CPU of a process and its descendants, sampled every 0.2 s.

    ``ru_maxrss`` from wait4 is the peak of one process (for children: of the largest one), and
    wait4's CPU only includes descendants the tool itself waited for: sitecheck's parse workers
    are children of a multiprocessing forkserver that is never reaped by sitecheck, so their CPU
    would be missing. The sampler sums the whole tree (a process that exits between two samples
    loses at most its last 0.2 s).
    """

    def __init__(self, pid: int) -> None:
        import threading

        self.pid = pid
        self.peak_kib = 0
        self.main_cpu = 0.0  # user+system of the root process alone, at the last sample
        self._cpu: dict[tuple[int, int], float] = {}  # (pid, start time) -> last seen CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
        self._tick = os.sysconf("SC_CLK_TCK")
        self._thread.start()

    @property
    def tree_cpu(self) -> float:
        return sum(self._cpu.values())

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            with contextlib.suppress(Exception):
                self.peak_kib = max(self.peak_kib, self._sample())

    def _sample(self) -> int:
        children: dict[int, list[int]] = {}
        stats: dict[int, list[str]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with Path(f"/proc/{entry.name}/stat").open(encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            pid = int(entry.name)
            stats[pid] = fields
            children.setdefault(int(fields[1]), []).append(pid)
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            fields = stats.get(pid)
            if fields is None:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / self._tick
            self._cpu[(pid, int(fields[19]))] = cpu
            if pid == self.pid:
                self.main_cpu = cpu
            try:
                with Path(f"/proc/{pid}/statm").open(encoding="ascii") as f:
                    total += int(f.read().split()[1]) * self._page_kib
            except (OSError, ValueError, IndexError):
                continue
        return total

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def _wait4_with_timeout(proc: subprocess.Popen[bytes], limit: float) -> tuple[int, int, object]:
    deadline = time.monotonic() + limit
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, ru
        if time.monotonic() > deadline:
            print(f"  ! {proc.args[0]} exceeded {limit:.0f} s: killed", flush=True)
            proc.send_signal(signal.SIGKILL)
            pid, status, ru = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, ru
        time.sleep(0.02)


# --- verification -------------------------------------------------------------------------------


def verify(site: Site, sample: int | None) -> list[str]:
    """Compare nginx's answers with the portal's for static files and non-stateful dynamic paths."""
    if isinstance(site.portal, RealisticPortal):
        return verify_realistic(site, site.portal, sample)
    s = site.s
    problems: list[str] = []
    urls = list(site.manifest["page_urls"])
    export_dir = site.exp.directory
    for side, base in (("main", s.base_url), ("ext", s.ext_url)):
        for f in (export_dir / side).rglob("*"):
            if f.is_file():
                rel = f.relative_to(export_dir / side).as_posix()
                urls.append(base + quote(rel, safe=_SAFE))
    dyn = site.exp.info["dynamic_paths"]
    assert isinstance(dyn, dict)
    rng = random.Random(1)
    if sample is not None and len(urls) > sample:
        urls = rng.sample(urls, sample)
    urls += [s.base_url + quote(p.lstrip("/"), safe=_SAFE) for p in dyn["main"]]
    urls += [s.ext_url + quote(p.lstrip("/"), safe=_SAFE) for p in dyn["ext"]]
    conns: dict[str, http.client.HTTPConnection] = {}
    for url in urls:
        parts = urlsplit(url)
        getter = site.portal.get if parts.netloc == urlsplit(s.base_url).netloc else site.portal.get_external
        want = getter(parts.path, parts.query)
        if want.behaviour in (Behaviour.SLOW, Behaviour.RATE_LIMIT_ONCE):
            continue
        conn = conns.get(parts.netloc) or http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conns[parts.netloc] = conn
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target)
        resp = conn.getresponse()
        body = resp.read()
        ctype = (resp.getheader("Content-Type") or "").replace(" ", "").lower()
        if resp.status != want.status:
            problems.append(f"{url}: status {resp.status}, portal {want.status}")
        elif want.status == 200 and (
            body != want.body or ctype != want.content_type.replace(" ", "").lower()
        ):
            problems.append(f"{url}: body/content-type differ ({ctype} vs {want.content_type})")
        for name, value in want.headers:
            if resp.getheader(name) != value:
                problems.append(f"{url}: header {name} {resp.getheader(name)!r}, portal {value!r}")
    for conn in conns.values():
        conn.close()
    if site.dynamic is not None:
        site.dynamic.reset()
    print(f"verified {len(urls)} URLs against the portal: {len(problems)} differences", flush=True)
    for p in problems[:20]:
        print("  ! " + p)
    return problems


def verify_realistic(site: Site, portal: RealisticPortal, sample: int | None) -> list[str]:
    """Fetch a sample of the URLs the realistic portal's pages reference (and every planted one)
    from nginx and check the status each must get; HTML pages must carry their charset (gbk
    under the GBK column), redirects their Location, the soft 404 its 页面不存在. The slow
    endpoints must not answer within 1 s (they are not waited for)."""
    problems: list[str] = []
    entries = [(u, st, cat) for u, st, cat in portal.expected() if cat != "slow" and st != 0]
    rng = random.Random(1)
    if sample is not None and len(entries) > sample:
        entries = rng.sample(entries, sample)
    by_url = {norm(u): (u, st, cat) for u, st, cat in entries}
    wanted = {norm(u): (u, st, cat) for u, st, cat in portal.expected()}
    for d in [*site.manifest["defects"], *site.manifest["controls"]]:
        key = norm(d["url"])
        if key in wanted and wanted[key][2] != "slow" and wanted[key][1] != 0:
            by_url[key] = wanted[key]
    conns: dict[str, http.client.HTTPConnection] = {}
    locations = {path: str(spec["location"]) for path, spec in portal.dynamic.items() if "location" in spec}
    gbk_tops = {top for top, cs in portal.charsets["main"].items() if cs == "gbk"}
    for url, want, category in by_url.values():
        parts = urlsplit(url)
        conn = conns.get(parts.netloc) or http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=10
        )
        conns[parts.netloc] = conn
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", target)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            problems.append(f"{url}: {exc!r}")
            conn.close()
            conns.pop(parts.netloc, None)
            continue
        ctype = (resp.getheader("Content-Type") or "").replace(" ", "").lower()
        if resp.status != want:
            problems.append(f"{url}: status {resp.status}, must be {want}")
        elif want in (301, 302):
            path = unquote_to_bytes(parts.path).decode("utf-8")
            if resp.getheader("Location") != locations.get(path):
                problems.append(
                    f"{url}: Location {resp.getheader('Location')!r}, must be {locations.get(path)!r}"
                )
        elif (
            want == 200 and ctype.startswith("text/html") and parts.netloc == urlsplit(site.s.base_url).netloc
        ):
            top = "/" + parts.path.strip("/").split("/")[0] + "/"
            cs = "gbk" if top in gbk_tops else "utf-8"
            if ctype != f"text/html;charset={cs}":
                problems.append(f"{url}: Content-Type {ctype}, must be text/html;charset={cs}")
            if category == "soft404" and "页面不存在".encode() not in body:
                problems.append(f"{url}: the soft 404 does not say 页面不存在")
            if f'<meta charset="{cs}">'.encode() not in body[:400]:
                problems.append(f'{url}: no <meta charset="{cs}">')
    for conn in conns.values():
        conn.close()
    slow = 0
    for path in portal.slow_delays:
        conn = http.client.HTTPConnection("127.0.0.1", site.s.port, timeout=1)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            problems.append(f"{path}: answered {resp.status} at once, must be slow")
        except TimeoutError:
            slow += 1
        except (OSError, http.client.HTTPException) as exc:
            problems.append(f"{path}: {exc!r}")
        finally:
            conn.close()
    if site.dynamic is not None:
        site.dynamic.reset()
    print(
        f"verified {len(by_url)} URLs of the realistic portal against the status each must get, and "
        f"{slow} slow endpoints hold their answer: {len(problems)} problems",
        flush=True,
    )
    for p in problems[:20]:
        print("  ! " + p)
    return problems


# --- profile and micro-benchmark ----------------------------------------------------------------


def profile(site: Site) -> dict[str, object]:
    s = site.s
    workdir = OUT / "profile"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    argv, env_extra, _ = tool_command("sitecheck-profile", s, workdir)
    session = workdir / "sitecheck.pyisession"
    py = argv[0]
    check = subprocess.run([py, "-c", "import pyinstrument"], capture_output=True)
    if check.returncode != 0:
        print("pyinstrument is not installed for sitecheck's Python: profile skipped", flush=True)
        return {"skipped": "pyinstrument not installed"}
    argv = [py, "-m", "pyinstrument", "-i", "0.002", "-r", "pyisession", "-o", str(session), "-m", *argv[2:]]
    env = dict(os.environ) | env_extra
    assert site.dynamic is not None
    site.dynamic.reset()
    t0 = time.monotonic()
    proc = subprocess.run(argv, env=env, cwd=workdir, capture_output=True)
    wall = time.monotonic() - t0
    if not session.exists():
        print(f"profile failed: {proc.stderr.decode()[-2000:]}", flush=True)
        return {"skipped": "pyinstrument failed"}
    md = subprocess.run(
        [py, str(BENCH / "profile_split.py"), str(session), "--markdown"], capture_output=True, text=True
    )
    js = subprocess.run([py, str(BENCH / "profile_split.py"), str(session)], capture_output=True, text=True)
    text = subprocess.run(
        [py, "-m", "pyinstrument", "--load", str(session), "-r", "text", "-o", str(workdir / "profile.txt")],
        capture_output=True,
    )
    subprocess.run(
        [py, "-m", "pyinstrument", "--load", str(session), "-r", "html", "-o", str(workdir / "profile.html")],
        capture_output=True,
    )
    (workdir / "split.md").write_text(md.stdout, encoding="utf-8")
    print(f"profile: {wall:.1f} s under pyinstrument; split in {workdir / 'split.md'}", flush=True)
    del text
    return {"wall": wall, "markdown": md.stdout, "split": json.loads(js.stdout) if js.stdout else {}}


MICRO_CLIENTS = (
    "httpx",
    "httpx2",
    "aiohttp",
    "httpx2-stream",
    "httpx2-aiohttp",
    "httpx2-aiohttp-stream",
    "sitecheck",
    "sitecheck-httpx",
)
# These import sitecheck (its transport or its fetch layer): they run with sitecheck's Python
# and the snapshot of its source, the others in the peers' environment.
_MICRO_WITH_SITECHECK = frozenset({"httpx2-aiohttp", "httpx2-aiohttp-stream", "sitecheck", "sitecheck-httpx"})


def micro(site: Site) -> dict[str, object]:
    s = site.s
    urls = [u for u in site.manifest["page_urls"] if "?" not in u]
    rng = random.Random(2)
    urls = rng.sample(urls, min(1000, len(urls)))
    url_file = OUT / "micro-urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    sizes = [len(site.portal.get(urlsplit(u).path).body) for u in urls[:200]]
    results: dict[str, list[dict[str, object]]] = {c: [] for c in MICRO_CLIENTS}
    for rnd in range(1, s.micro_rounds + 1):
        order = list(MICRO_CLIENTS[rnd - 1 :] + MICRO_CLIENTS[: rnd - 1])
        for client in order:
            mine = client in _MICRO_WITH_SITECHECK
            py = python_for_sitecheck() if mine else str(peers_python())
            env = dict(os.environ) | ({"PYTHONPATH": str(sitecheck_src())} if mine else {})
            assert site.nginx is not None
            n0 = site.nginx.cpu_seconds()
            proc = subprocess.run(
                [py, str(BENCH / "microbench_http.py"), "--client", client, "--urls", str(url_file),
                 "--requests", str(s.micro_requests), "--concurrency", str(s.concurrency)],
                capture_output=True, text=True, env=env,
            )  # fmt: skip
            n1 = site.nginx.cpu_seconds()
            if proc.returncode != 0:
                print(f"  micro {client}: failed: {proc.stderr[-500:]}", flush=True)
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r["nginx_cpu_ms_per_request"] = 1000 * (n1 - n0) / max(1, r["requests"] + 500)
            results[client].append(r)
            print(
                f"  micro {client:<14} round {rnd}: {r['rps']:7.0f} req/s, "
                f"{r['cpu_ms_per_request']:.3f} ms CPU/request ({r['version']})",
                flush=True,
            )
    return {"results": results, "page_bytes_median": statistics.median(sizes), "urls": len(urls)}


# --- reporting ----------------------------------------------------------------------------------


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(runs: list[Run]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for tool in TOOLS:
        rs = [r for r in runs if r.tool == tool and not r.failed]
        if not rs:
            continue
        out[tool] = {
            "runs": len(rs),
            "wall": med([r.wall for r in rs]),
            "cpu": med([r.cpu for r in rs]),
            "maxrss_mib": med([r.maxrss_mib for r in rs]),
            "pages_fetched": med([r.pages_fetched for r in rs]),
            "pages_per_s": med([r.pages_per_s for r in rs]),
            "cpu_ms_per_page": med([r.cpu_ms_per_page for r in rs]),
            "requests": med([r.requests for r in rs]),
            "recall": med([float(r.score["recall"]) for r in rs]),  # type: ignore[arg-type]
            "precision": med([float(r.score["precision"]) for r in rs]),  # type: ignore[arg-type]
            "nginx_cpu": med([r.nginx_cpu for r in rs]),
            "other_cores": med([r.other_cpu / r.wall for r in rs]),
        }
    return out


def machine_info() -> dict[str, object]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"

    def out(argv: list[str]) -> str:
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        return (p.stdout + p.stderr).strip().splitlines()[0] if (p.stdout + p.stderr).strip() else "?"

    sc_py = python_for_sitecheck()
    env = dict(os.environ) | {"PYTHONPATH": str(sitecheck_src())}
    versions = subprocess.run(
        [sc_py, "-c", "import sitecheck, httpx2, selectolax, sys; "
         "print(sitecheck.__version__, httpx2.__version__, selectolax.__version__, sys.version.split()[0])"],
        capture_output=True, text=True, env=env,
    ).stdout.split()  # fmt: skip
    peers = subprocess.run(
        [str(peers_python()), "-c", "import importlib.metadata as m; "
         "print(*(m.version(p) for p in ('linkchecker', 'httpx', 'httpx2', 'aiohttp', 'requests')))"],
        capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    linkinator = "?"
    with contextlib.suppress(OSError, ValueError):
        linkinator = json.loads((BENCH / "node_modules" / "linkinator" / "package.json").read_text())[
            "version"
        ]
    commit = out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
                           capture_output=True,
                           text=True).stdout.strip()  # fmt: skip
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "kernel": platform.release(),
        "os": out(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "python": versions[3] if len(versions) > 3 else "?",
        "sitecheck": (versions[0] if versions else "?")
        + f" (git {commit}{' + uncommitted src/ changes' if dirty else ''})",
        "httpx2": versions[1] if len(versions) > 1 else "?",
        "selectolax": versions[2] if len(versions) > 2 else "?",
        "linkchecker": peers[0] if peers else "?",
        "httpx": peers[1] if len(peers) > 1 else "?",
        "peers_httpx2": peers[2] if len(peers) > 2 else "?",
        "aiohttp": peers[3] if len(peers) > 3 else "?",
        "requests": peers[4] if len(peers) > 4 else "?",
        "linkinator": linkinator,
        "node": out(["node", "--version"]),
        "nginx": out(["nginx", "-v"]),
    }


def fmt_table(summary: dict[str, dict[str, float]], runs: list[Run], site_info: dict[str, object]) -> str:
    mine = [t for t in ("sitecheck", "sitecheck-1p") if t in summary]
    head = "".join(f" {LABEL[t]} ÷ this (pages/s) |" for t in mine)
    lines = [
        "| tool | wall s | CPU s | peak RSS MiB | pages fetched | pages/s | CPU ms/page |"
        + head
        + " dead-link recall | precision | others' load (cores) |",
        "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(mine) + "---:|---:|---:|",
    ]
    for tool, m in summary.items():
        ratios = "".join(
            f" {summary[t]['pages_per_s'] / m['pages_per_s']:.2f}× |" if t != tool else " — |" for t in mine
        )
        lines.append(
            f"| {LABEL[tool]} | {m['wall']:.1f} | {m['cpu']:.1f} | {m['maxrss_mib']:.0f} | "
            f"{m['pages_fetched']:.0f} / {site_info['page_urls']} | {m['pages_per_s']:.0f} | "
            f"{m['cpu_ms_per_page']:.2f} |{ratios} {m['recall']:.2f} | {m['precision']:.2f} | "
            f"{m['other_cores']:.2f} |"
        )
    return "\n".join(lines)


def fmt_runs(runs: list[Run]) -> str:
    lines = [
        "| round | tool | wall s | CPU s | RSS MiB | pages/s | nginx CPU s | others' load | missed "
        "| false positives |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.round} | {LABEL[r.tool]} | {r.wall:.1f} | {r.cpu:.1f} | {r.maxrss_mib:.0f} | "
            f"{r.pages_per_s:.0f} | {r.nginx_cpu:.1f} | {r.other_cpu / r.wall:.2f} | "
            f"{', '.join(r.score['missed']) or '—'} | {_fp_text(r.score['false_positives'])} |"  # type: ignore[arg-type]
        )
    return "\n".join(lines)


def _fp_text(fps: list[str]) -> str:
    """Planted traps by id; other URLs counted, with two examples (decoded, shortened)."""
    named = [f for f in fps if "://" not in f]
    others = [f for f in fps if "://" in f]
    text = ", ".join(named)
    if others:
        from urllib.parse import unquote

        examples = "; ".join(
            f"`{unquote(urlsplit(u).path + ('?' + urlsplit(u).query if urlsplit(u).query else ''))[:60]}`"
            for u in others[:2]
        )
        text += (", " if text else "") + f"{len(others)} other URLs (e.g. {examples})"
    return text or "—"


def _secs(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "—"


def fmt_timeline(runs: list[Run], total: object) -> str:
    """Pages over time: when each run had 50/90/99/100 % of its own pages and of the portal's."""
    shares = " | ".join(f"{p} %" for p in SHARES)
    lines = [
        f"| round | tool | wall s | pages fetched | {shares} (of its pages) | {shares} (of the portal's "
        f"{total}) | after the last page s | never-answering link asked at s |",
        "|---:|---|---:|---:|" + "---:|" * (2 * len(SHARES)) + "---:|---:|",
    ]
    for r in runs:
        t = r.timeline
        own, portal = t.get("own") or {}, t.get("portal") or {}
        assert isinstance(own, dict) and isinstance(portal, dict)
        lines.append(
            f"| {r.round} | {LABEL[r.tool]} | {r.wall:.1f} | {r.pages_fetched} | "
            + " | ".join(_secs(own.get(str(p))) for p in SHARES)
            + " | "
            + " | ".join(_secs(portal.get(str(p))) for p in SHARES)
            + f" | {_secs(t.get('after_last_page'))} | {_secs(t.get('hang_asked'))} |"
        )
    return "\n".join(lines)


def fmt_scale(scale_runs: list[Run]) -> str:
    lines = [
        "| portal pages | wall s | CPU s | peak RSS MiB | pages/s | CPU ms/page | RSS growth vs smallest |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    first = scale_runs[0] if scale_runs else None
    for r in scale_runs:
        growth = (
            f"{r.maxrss_mib / first.maxrss_mib:.2f}× for {r.pages_total / first.pages_total:.1f}× pages"
            if first
            else ""
        )
        lines.append(
            f"| {r.pages_total} | {r.wall:.1f} | {r.cpu:.1f} | {r.maxrss_mib:.0f} | {r.pages_per_s:.0f} | "
            f"{r.cpu_ms_per_page:.2f} | {growth} |"
        )
    return "\n".join(lines)


def fmt_micro(m: dict[str, object]) -> str:
    results = m["results"]
    assert isinstance(results, dict)
    lines = [
        "| client | version | req/s (median) | CPU ms/request | nginx CPU ms/request | rounds |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for client, rs in results.items():
        if not rs:
            continue
        lines.append(
            f"| {client} | {rs[0]['version']} | {med([r['rps'] for r in rs]):.0f} | "
            f"{med([r['cpu_ms_per_request'] for r in rs]):.3f} | "
            f"{med([r['nginx_cpu_ms_per_request'] for r in rs]):.3f} | {len(rs)} |"
        )
    return "\n".join(lines)


def _delay(value: object) -> str:
    return "never answers" if value == "never" else f"{value} s"


def markdown(report: dict[str, object], runs: list[Run], scale_runs: list[Run]) -> str:
    s = report["settings"]
    mi = report["machine"]
    si = report["site"]
    assert isinstance(s, dict) and isinstance(mi, dict) and isinstance(si, dict)
    du = si["distinct_urls"]
    assert isinstance(du, dict)
    parts = [
        f"Run {report['finished']} ({report['duration_min']:.1f} min), `bench/run {report['argv']}`. "
        f"Load average before / after: {report['load_before']} / {report['load_after']}.",
        "",
        f"Machine: {mi['cpu']}, {mi['cores']} cores, {mi['memory']}, {mi['os']}, kernel {mi['kernel']}. "
        f"Python {mi['python']}; sitecheck {mi['sitecheck']}, httpx2 {mi['httpx2']}, selectolax "
        f"{mi['selectolax']}; LinkChecker {mi['linkchecker']} (requests {mi['requests']}); linkinator "
        f"{mi['linkinator']} on node {mi['node']}; {mi['nginx']}.",
        "",
        f"Portal: {si['page_urls']} pages, {si['link_occurrences']} link occurrences, {du['total']} distinct "
        f"URLs ({du.get('pages', 0)} pages, {du.get('images', 0)} images, {du.get('attachments', 0)} "
        f"attachments, {du.get('other_internal', 0)} other internal, {du.get('external', 0)} on other "
        f"hosts) + {du.get('other_scheme', 0)} mailto/tel; seed {s['seed']}, as of {s['today']}.",
        "",
    ]
    if si.get("portal") == "realistic":
        slow = si.get("slow_endpoints") or []
        assert isinstance(slow, list)
        parts += [
            f"Realistic portal (`bench/realistic.py`): {si['list_pages']} list pages in {si['columns']} "
            f"columns, {si['pager_only_pages']} reachable only through the TRS pager script (longest "
            f"chain {si['max_chain']}), {si['articles_only_via_pager_pages']} of {si['articles']} articles "
            f"listed only on those; {si['gbk_pages']} GBK pages; "
            + (
                "the site's own links written relative to each page (`--hrefs relative`); "
                if si.get("hrefs") == "relative"
                else ""
            )
            + (
                "every article also carries real pages' body markup, without links (`--bodies real`); "
                if si.get("bodies") == "real"
                else ""
            )
            + "slow endpoints "
            + ", ".join(f"`{x['path']}` ({_delay(x['delay'])})" for x in slow)
            + ".",
            "",
        ]
    parts += [
        f"Settings: concurrency {s['concurrency']} for every tool, timeout {s['timeout']} s, "
        f"{s['rounds']} alternating rounds, medians.",
        "",
        fmt_table(report["summary"], runs, si),  # type: ignore[arg-type]
        "",
        "Every run:",
        "",
        fmt_runs(runs),
        "",
        "Pages over time: seconds from the tool's start until it had fetched 50/90/99/100 % of the "
        "pages it fetched in the end, and of the portal's pages (— never), from nginx's access log; "
        '"after the last page" is the wall time left after its last page (slow links, timeouts, '
        'exit); "never-answering link asked at" is when it first requested the endpoint that never '
        "answers (no tool ends before that plus its timeout):",
        "",
        fmt_timeline(runs, si["page_urls"]),
    ]
    if scale_runs:
        parts += ["", "sitecheck as the portal grows (one run per size):", "", fmt_scale(scale_runs)]
    prof = report.get("profile")
    if isinstance(prof, dict) and prof.get("markdown"):
        parts += ["", f"Profile (pyinstrument, {si['page_urls']} pages):", "", str(prof["markdown"]).strip()]
    mic = report.get("micro")
    if isinstance(mic, dict) and mic.get("results"):
        parts += [
            "",
            f"HTTP client micro-benchmark: {s['micro_requests']} GETs at concurrency {s['concurrency']} "
            f"against the same nginx ({mic['urls']} article URLs, median page {mic['page_bytes_median']:.0f} "
            f"bytes), {s['micro_rounds']} alternating rounds:",
            "",
            fmt_micro(mic),
        ]
    return "\n".join(parts) + "\n"


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> Settings:
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--portal",
        choices=PORTALS,
        default="realistic",
        help="realistic: the real-shaped TRS portal of realistic.py (default); sample: sitecheck.demo.Portal",
    )
    ap.add_argument(
        "--pages",
        type=int,
        default=None,
        help="portal size (default 10000 realistic, 15000 sample; --quick 400)",
    )
    ap.add_argument("--quick", action="store_true", help="small smoke run of every step")
    ap.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 3; --quick 1)")
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--timeout", type=int, default=10, help="request timeout in seconds, every tool")
    ap.add_argument(
        "--slow-seconds",
        type=float,
        default=30.0,
        help="delay of the sample portal's slow page (the realistic portal's are 10-15 s and never)",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--hrefs",
        choices=HREF_STYLES,
        default="root",
        help="realistic portal: the site's own links root-relative (/xxgk/, default) or relative to "
        "each page (../../xxgk/, as TRS templates write them)",
    )
    ap.add_argument(
        "--bodies",
        choices=BODY_STYLES,
        default="generated",
        help="realistic portal: articles' bodies generated (default, ~20 KiB pages) or also carrying "
        "the body markup of the real pages in ../shared/corpus/real-pages, without links (~69 KiB)",
    )
    ap.add_argument("--port", type=int, default=18080, help="nginx port; port+1..port+3 are used too")
    ap.add_argument(
        "--tools",
        default=",".join(DEFAULT_TOOLS),
        help="sitecheck, sitecheck-1p (--workers 0: one process), linkchecker, linkinator",
    )
    ap.add_argument("--scale", default=None, help="portal sizes for the sitecheck-only growth runs")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--no-micro", action="store_true")
    ap.add_argument("--micro-requests", type=int, default=None)
    ap.add_argument("--micro-rounds", type=int, default=None)
    ap.add_argument("--tool-timeout", type=float, default=1800.0, help="kill a tool run after this")
    ap.add_argument("--serve", action="store_true", help="only serve the portal (nginx) until Ctrl-C")
    ap.add_argument("--update-readme", action="store_true", help="write the tables into bench/README.md")
    a = ap.parse_args(argv)
    quick = a.quick
    realistic = a.portal == "realistic"
    pages = a.pages or (400 if quick else 10000 if realistic else 15000)
    default_scale = "2500,10000,50000" if realistic else "2500,5000,10000,20000"
    scale = a.scale if a.scale is not None else ("200,400" if quick else default_scale)
    s = Settings(
        pages=pages,
        rounds=a.rounds if a.rounds is not None else (1 if quick else 3),
        concurrency=a.concurrency,
        timeout=a.timeout,
        slow_seconds=a.slow_seconds if not quick else min(a.slow_seconds, 8.0),
        seed=a.seed,
        port=a.port,
        tools=tuple(t for t in a.tools.split(",") if t),
        scale=tuple(int(x) for x in scale.split(",") if x),
        profile=not a.no_profile,
        micro=not a.no_micro,
        micro_requests=a.micro_requests or (2000 if quick else 5000),
        micro_rounds=a.micro_rounds or (1 if quick else 3),
        quick=quick,
        tool_timeout=a.tool_timeout,
        portal=a.portal,
        hrefs=a.hrefs,
        bodies=a.bodies,
    )
    if quick:
        s.timeout = min(s.timeout, 3)
    s.update_readme = a.update_readme  # type: ignore[attr-defined]
    s.serve = a.serve  # type: ignore[attr-defined]
    for t in s.tools:
        if t not in TOOLS:
            raise SystemExit(f"unknown tool {t}; known: {', '.join(TOOLS)}")
    return s


def main(argv: list[str]) -> int:
    s = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up nginx and tool runs
    started = time.monotonic()
    OUT.mkdir(exist_ok=True)
    source = snapshot_source()
    print(
        f"measuring sitecheck from a copy of src/ at git {source['commit']}"
        f"{' + uncommitted changes' if source['modified'] == 'yes' else ''} (sha256 {source['sha256']})",
        flush=True,
    )
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine load average: {load_before} on {os.cpu_count()} cores", flush=True)
    runs: list[Run] = []
    scale_runs: list[Run] = []
    report: dict[str, object] = {
        "argv": " ".join(argv),
        "settings": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(s).items()},
        "machine": machine_info(),
        "load_before": load_before,
        "sitecheck_source": source,
    }
    if getattr(s, "serve", False):
        with Site(s, s.pages) as site:
            print(f"serving {site.exp.info['page_urls']} pages on {s.base_url} and {s.ext_url}; Ctrl-C stops")
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
        return 0
    with Site(s, s.pages) as site:
        report["site"] = {k: v for k, v in site.exp.info.items() if k != "key"}
        di = site.exp.info["distinct_urls"]
        if site.kind == "realistic":
            print(f"portal (realistic): {describe(site.exp.info)}", flush=True)
        else:
            print(
                f"portal: {site.exp.info['page_urls']} pages, "
                f"{site.exp.info['link_occurrences']} link occurrences, "
                f"{di['total']} distinct URLs on {s.base_url} (+ external {s.ext_url})",  # type: ignore[index]
                flush=True,
            )
        problems = verify(site, None if s.quick else 3000)
        report["verify_problems"] = problems
        for rnd in range(1, s.rounds + 1):
            order = list(s.tools[(rnd - 1) % len(s.tools) :] + s.tools[: (rnd - 1) % len(s.tools)])
            print(f"round {rnd}/{s.rounds}: {', '.join(LABEL[t] for t in order)}", flush=True)
            for tool in order:
                runs.append(run_tool(tool, site, rnd))
        if s.profile:
            report["profile"] = profile(site)
        if s.micro:
            print("HTTP client micro-benchmark:", flush=True)
            report["micro"] = micro(site)
    if "sitecheck" in s.tools:
        sizes = sorted(set(s.scale))
        if sizes:
            print(f"sitecheck alone at {', '.join(map(str, sizes))} pages:", flush=True)
        for n in sizes:
            if n == s.pages:
                continue
            with Site(s, n) as site_n:
                scale_runs.append(run_tool("sitecheck", site_n, 0))
        same = [r for r in runs if r.tool == "sitecheck" and not r.failed]
        if same and sizes:
            best = sorted(same, key=lambda r: r.wall)[len(same) // 2]  # the median run
            scale_runs.append(best)
        scale_runs.sort(key=lambda r: r.pages_total)
    report["summary"] = summarise(runs)
    report["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report["finished"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    report["duration_min"] = (time.monotonic() - started) / 60
    report["runs"] = [asdict(r) | {"pages_per_s": r.pages_per_s} for r in runs]
    report["scale"] = [asdict(r) | {"pages_per_s": r.pages_per_s} for r in scale_runs]
    name = "results"
    md = markdown(report, runs, scale_runs)
    (OUT / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), "utf-8")
    (OUT / f"{name}.md").write_text(md, encoding="utf-8")
    print()
    print(md)
    if getattr(s, "update_readme", False):
        update_readme(md, name)
    return 0


def update_readme(md: str, name: str) -> None:
    START, END = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    readme = BENCH / "README.md"
    text = readme.read_text("utf-8")
    if START not in text or END not in text:
        print(f"README has no {START} … {END} markers: not updated", flush=True)
        return
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{START}\n{md}{END}{tail}", encoding="utf-8")
    print(f"updated {readme}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
