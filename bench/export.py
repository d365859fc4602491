"""Export the sample portal to static files for nginx, using only Portal's public API.

Every URL the portal links to is discovered by reading the rendered pages (attributes and
quoted paths in scripts), then each path is classified:

* static: the portal answers it 200 the same for every query string seen, with a plain
  response (no extra headers, no slow/429/no-HEAD behaviour) whose Content-Type nginx will
  reproduce exactly (from the extension, plus a per-directory charset for HTML and text);
* dynamic: anything else the portal does not answer 404 (redirects, the slow page, 429-once,
  HEAD-405, query-dependent pages such as the GBK search and the Hanweb dataproxy, the 412
  anti-bot page): nginx proxies these exact paths to ``dynamic.py``;
* absent: 404 for every form seen; nginx answers 404 itself.

The export directory holds ``main/`` and ``ext/`` document roots, ``export.json`` (paths,
content types, charsets, counts) and ``manifest.json`` (planted defects and columns).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urljoin, urlsplit

from sitecheck.demo.portal import Behaviour, Portal, Response

# Bump when the export format or the discovery rules change: cached exports are rebuilt.
EXPORT_VERSION = 3

_ATTR_RE = re.compile(
    rb"""\s(href|src|srcset|value|onclick|background|data|poster|content|action)\s*=\s*(["'])(.*?)\2""",
    re.IGNORECASE | re.DOTALL,
)
_QUOTED_RE = re.compile(rb"""["']((?:https?://|/|\.\.?/)[^"'<>\s]*)["']""")
_BASE_RE = re.compile(rb"""<base\s[^>]*href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_REFRESH_URL_RE = re.compile(r"url\s*=\s*(.+)$", re.IGNORECASE)
# The same occurrence count as Portal.count_link_occurrences (without rendering every page twice).
_OCCURRENCE_RE = re.compile(rb"""\s(?:href|src|srcset|value|onclick)=["'](?!["'])""")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_IMAGE_EXT = {"jpg", "jpeg", "png", "gif", "webp", "svg", "bmp", "ico"}
_ATTACH_EXT = {"pdf", "doc", "docx", "xls", "xlsx", "zip", "rar", "ppt", "pptx", "txt", "wps", "et"}
# Content types nginx adds a charset to (our `charset_types`).
CHARSET_TYPES = ("text/html", "text/plain")


@dataclass
class Export:
    directory: Path
    pages: int
    seed: int
    today: dt.date
    base_url: str
    external_base_url: str
    refused_url: str
    info: dict[str, object] = field(default_factory=dict)

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _decode(body: bytes, content_type: str) -> str:
    cs = _charset_of(content_type) or "utf-8"
    if cs in ("gbk", "gb2312"):
        cs = "gb18030"
    return body.decode(cs, errors="replace")


def _encode_ref(absolute: str, page_codec: str) -> str:
    """Browser encoding: path as UTF-8 percent escapes, query in the page's encoding."""
    parts = urlsplit(absolute)
    path = quote(parts.path, safe=_PATH_SAFE)
    query = quote(parts.query, safe="=&;:/?@!$'()*+,-._~%", encoding=page_codec, errors="replace")
    out = f"{parts.scheme}://{parts.netloc}{path}"
    return out + (f"?{query}" if parts.query else "")


def _candidates(body: bytes, content_type: str) -> tuple[list[str], int]:
    """URL-like strings of a page (decoded), and its link-occurrence count."""
    text_codec = "gb18030" if (_charset_of(content_type) or "") in ("gbk", "gb2312") else "utf-8"
    out: list[str] = []
    for m in _ATTR_RE.finditer(body):
        name = m.group(1).lower()
        value = html.unescape(m.group(3).decode(text_codec, errors="replace")).strip()
        if not value:
            continue
        if name == b"srcset":
            out.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())
        elif name == b"content":
            rm = _REFRESH_URL_RE.search(value)
            if rm:
                out.append(rm.group(1).strip().strip("'\""))
        elif name in (b"onclick",):
            pass  # quoted paths inside are picked up below
        else:
            out.append(value)
    for m in _QUOTED_RE.finditer(body):
        out.append(html.unescape(m.group(1).decode(text_codec, errors="replace")))
    return out, len(_OCCURRENCE_RE.findall(body))


def _same(a: Response, b: Response) -> bool:
    return (a.status, a.content_type, a.body, a.headers, a.behaviour) == (
        b.status,
        b.content_type,
        b.body,
        b.headers,
        b.behaviour,
    )


def cache_key(pages: int, seed: int, today: dt.date, base: str, ext: str, refused: str) -> str:
    import sitecheck.demo as demo_pkg

    h = hashlib.sha256()
    h.update(f"{EXPORT_VERSION}|{pages}|{seed}|{today}|{base}|{ext}|{refused}|".encode())
    # Every file of the sample portal (code, defect table, templates) shapes the export.
    demo_dir = Path(demo_pkg.__file__).parent
    for path in sorted(p for p in demo_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(demo_dir).as_posix().encode())
        h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def reused(exp: Export, key: str) -> bool:
    """Whether ``exp.directory`` already holds the portal ``key`` names (its figures are then
    loaded); otherwise the directory is emptied for a new one (``main/`` and ``ext/`` roots)."""
    directory = exp.directory
    stamp = directory / "export.json"
    if stamp.exists():
        info = json.loads(stamp.read_text("utf-8"))
        if info.get("key") == key:
            exp.info = info
            return True
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "main").mkdir(parents=True)
    (directory / "ext").mkdir(parents=True)
    return False


def export(
    directory: Path,
    *,
    pages: int,
    seed: int,
    today: dt.date,
    base_url: str,
    external_base_url: str,
    refused_url: str,
    log: bool = True,
) -> Export:
    key = cache_key(pages, seed, today, base_url, external_base_url, refused_url)
    exp = Export(directory, pages, seed, today, base_url, external_base_url, refused_url)
    if reused(exp, key):
        return exp
    started = time.monotonic()

    portal = Portal(
        pages,
        seed,
        today,
        base_url=base_url,
        external_base_url=external_base_url,
        refused_url=refused_url,
        cache_size=64,
    )
    main_netloc = urlsplit(base_url).netloc
    ext_netloc = urlsplit(external_base_url).netloc

    # path -> set of raw (encoded) queries seen, per host
    seen: dict[str, dict[str, set[str]]] = {"main": defaultdict(set), "ext": defaultdict(set)}
    distinct: set[str] = set()
    other_schemes: set[str] = set()
    occurrences = 0

    def note(url: str) -> None:
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        side = "main" if netloc == main_netloc else "ext" if netloc == ext_netloc else None
        distinct.add(url)
        if side is not None:
            seen[side][parts.path or "/"].add(parts.query)

    page_bodies: dict[str, Response] = {}
    for page in sorted(portal.page_urls):
        parts = urlsplit(page)
        resp = portal.get(parts.path, parts.query)
        note(page)
        if resp.status != 200 or "html" not in resp.content_type:
            continue
        if not parts.query:
            page_bodies[parts.path] = resp
        base_m = _BASE_RE.search(resp.body[:4096])
        base = urljoin(page, html.unescape(base_m.group(1).decode("ascii", "replace"))) if base_m else page
        codec = "gbk" if (_charset_of(resp.content_type) or "") in ("gbk", "gb2312") else "utf-8"
        refs, n = _candidates(resp.body, resp.content_type)
        occurrences += n
        for ref in refs:
            low = ref.lower()
            if low.startswith(("javascript:", "#")):
                continue
            if low.startswith(("mailto:", "tel:", "data:")):
                other_schemes.add(ref)
                continue
            absolute = urljoin(base, ref).partition("#")[0]
            if not absolute.startswith(("http://", "https://")):
                continue
            note(_encode_ref(absolute, codec))

    # Fixed paths every crawler may ask for even if no page links them.
    for path in ("/robots.txt", "/sitemap.xml", "/favicon.ico"):
        seen["main"][path].add("")

    static: dict[str, list[tuple[str, str, str | None]]] = {"main": [], "ext": []}
    dynamic: dict[str, list[str]] = {"main": [], "ext": []}
    behaviours: Counter[str] = Counter()
    for side in ("main", "ext"):
        getter = portal.get if side == "main" else portal.get_external
        root = directory / side
        todo = sorted(seen[side])
        done: set[str] = set()
        while todo:
            path = todo.pop()
            if path in done:
                continue
            done.add(path)
            queries = seen[side][path]
            # Redirect targets are requested by whoever follows the redirect: serve them too.
            side_base = base_url if side == "main" else external_base_url
            for r in [getter(path, q) for q in queries]:
                for name, value in r.headers:
                    if name.lower() == "location":
                        target = urlsplit(urljoin(side_base + path.lstrip("/"), value))
                        note(target.geturl())
                        if target.path not in done:
                            todo.append(target.path)
            decoded = _decoded_path(path)
            if decoded is None:
                continue  # not UTF-8: the portal (and nginx) answer 404
            forms = {q: getter(path, q) for q in queries | {""}}
            statuses = {r.status for r in forms.values()}
            if statuses == {404}:
                continue
            plain = forms[""]
            if plain.status != 404 or any(r.status != 404 for r in forms.values()):
                behaviours.update(str(r.behaviour) for r in forms.values() if r.behaviour != Behaviour.NORMAL)
            is_static = (
                plain.status == 200
                and plain.behaviour == Behaviour.NORMAL
                and not plain.headers
                and all(_same(r, plain) for r in forms.values())
            )
            if is_static:
                file_path = decoded + "index.html" if decoded.endswith("/") else decoded
                target = root / file_path.lstrip("/")
                if target.exists() and target.read_bytes() != plain.body:
                    raise AssertionError(f"two different bodies for {side} {file_path}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(plain.body)
                static[side].append((file_path, plain.content_type, _charset_of(plain.content_type)))
            else:
                dynamic[side].append(decoded)

    # nginx: Content-Type from the extension (the most common type of each extension) and a
    # charset per top-level directory.
    by_ext: dict[str, Counter[str]] = defaultdict(Counter)
    for side in ("main", "ext"):
        for file_path, ctype, _ in static[side]:
            by_ext[_ext(file_path)][_base_type(ctype)] += 1
    types = {ext: c.most_common(1)[0][0] for ext, c in by_ext.items()}
    charsets: dict[str, dict[str, str]] = {"main": {}, "ext": {}}
    for side in ("main", "ext"):
        per_dir: dict[str, Counter[str]] = defaultdict(Counter)
        for file_path, ctype, cs in static[side]:
            if _base_type(ctype) in CHARSET_TYPES:
                per_dir[_top_dir(file_path)][cs or ""] += 1
        for top, c in per_dir.items():
            charsets[side][top] = c.most_common(1)[0][0]
    # Anything nginx would not reproduce exactly is served dynamically instead.
    for side in ("main", "ext"):
        keep = []
        for item in static[side]:
            file_path, ctype, _ = item
            got = types[_ext(file_path)]
            if got in CHARSET_TYPES:
                dir_cs = charsets[side].get(_top_dir(file_path), "utf-8")
                got = f"{got}; charset={dir_cs}" if dir_cs else got
            if got != _normal_ctype(ctype):
                (directory / side / file_path.lstrip("/")).unlink()
                dynamic[side].append(file_path)
            else:
                keep.append(item)
        static[side] = keep

    counts = _classify(distinct, main_netloc, page_urls=portal.page_urls)
    counts["other_scheme"] = len(other_schemes)
    info: dict[str, object] = {
        "key": key,
        "pages": pages,
        "seed": seed,
        "today": today.isoformat(),
        "base_url": base_url,
        "external_base_url": external_base_url,
        "refused_url": refused_url,
        "page_urls": len(portal.page_urls),
        "link_occurrences": occurrences,
        "distinct_urls": counts,
        "static_files": {side: len(static[side]) for side in static},
        "dynamic_paths": {side: sorted(set(dynamic[side])) for side in dynamic},
        "types": types,
        "charsets": charsets,
        "behaviours": dict(behaviours),
        "export_seconds": round(time.monotonic() - started, 1),
    }
    manifest = {
        "defects": [d.to_json() for d in portal.manifest],
        "controls": [d.to_json() for d in portal.controls],
        "columns": [c.to_json() for c in portal.column_manifest],
        "page_urls": sorted(portal.page_urls),
    }
    exp.manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (directory / "export.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    exp.info = info
    if log:
        print(
            f"exported {info['page_urls']} pages, {sum(len(v) for v in static.values())} static files, "
            f"{sum(len(v) for v in dynamic.values())} dynamic paths in {info['export_seconds']} s",
            flush=True,
        )
    return exp


def _decoded_path(path: str) -> str | None:
    try:
        return unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _ext(file_path: str) -> str:
    name = file_path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _top_dir(file_path: str) -> str:
    parts = file_path.strip("/").split("/")
    return "/" + parts[0] + "/" if len(parts) > 1 else "/"


def _normal_ctype(ctype: str) -> str:
    base = _base_type(ctype)
    cs = _charset_of(ctype)
    return f"{base}; charset={cs}" if cs else base


def _classify(urls: set[str], main_netloc: str, *, page_urls: frozenset[str]) -> dict[str, int]:
    """Distinct URLs by what they are (pages, images, attachments, other internal, external)."""
    counts: Counter[str] = Counter()
    for url in urls:
        parts = urlsplit(url)
        ext = _ext(parts.path)
        if parts.netloc.lower() != main_netloc:
            counts["external"] += 1
        elif url in page_urls:
            counts["pages"] += 1
        elif ext in _IMAGE_EXT:
            counts["images"] += 1
        elif ext in _ATTACH_EXT:
            counts["attachments"] += 1
        else:
            counts["other_internal"] += 1
    counts["total"] = len(urls)
    return dict(counts)
