"""What the crawler observed: checks, pages, links, listings and their items."""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from sitecheck.models import (
    JUDGED_RUNS,
    CheckedLink,
    ColumnItem,
    ExternalSeen,
    ExternalView,
    FetchResult,
    HiddenLink,
    HiddenLinkRow,
    HomeTarget,
    HttpsRedirect,
    ItemRow,
    LinkRef,
    ListingFacts,
    ListingRow,
    MixedContentRow,
    Occurrence,
    Outcome,
    PageContent,
    PageIdentifiers,
    Referrer,
    RunRecord,
    RunStatus,
    Target,
    TargetKind,
    TextCheck,
    TextHit,
    TextHitRow,
    TlsOutcome,
    TransportFacts,
)
from sitecheck.store.db import now_iso, sql_states, upsert
from sitecheck.store.frontier import FrontierStore
from sitecheck.urls import canonical


class FactStore(FrontierStore):
    def save_check(self, run_id: int, target_id: int, result: FetchResult) -> None:
        self.db.execute(
            _SAVE_CHECK,
            (
                target_id,
                run_id,
                result.outcome.value,
                result.status,
                result.final_url,
                result.content_type,
                result.error,
                result.method,
                result.attempts,
                result.elapsed_ms,
                now_iso(),
            ),
        )
        self.db.execute("UPDATE targets SET state='done' WHERE id=?", (target_id,))
        view = result.external_view
        if view is not None:
            self.db.execute(
                _SAVE_EXTERNAL_VIEW,
                (
                    target_id,
                    run_id,
                    view.final_host,
                    view.title,
                    f"{view.fingerprint:016x}" if view.fingerprint else "",
                    view.text_chars,
                    json.dumps(view.words, ensure_ascii=False),
                    json.dumps(view.title_words, ensure_ascii=False),
                    view.parked,
                ),
            )

    def save_page(
        self,
        run_id: int,
        target_id: int,
        title: str,
        encoding: str,
        encoding_source: str,
        link_count: int,
        truncated: bool,
        bytes_read: int | None = None,
        limited: str = "",
    ) -> None:
        self.db.execute(
            _SAVE_PAGE,
            (
                target_id,
                run_id,
                title,
                encoding,
                encoding_source,
                link_count,
                int(truncated),
                bytes_read,
                limited,
            ),
        )

    def save_text_hits(self, run_id: int, page_id: int, hits: Sequence[TextHit]) -> None:
        self.db.executemany(
            "INSERT INTO text_hits (run_id, page_id, position, check_name, kind, value, suggestion, level,"
            " context, note, place) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(run_id, page_id, i, *hit) for i, hit in enumerate(hits)],
        )

    def text_hits(self, run_id: int, check: TextCheck) -> list[TextHitRow]:
        """Every hit of one text check in the run, with the page or attachment it is in, in
        crawl order. Attachments are the resource targets (pages are parsed, never read whole)."""
        rows = self.db.execute(
            "SELECT t.url, t.key, t.kind, h.check_name, h.kind, h.value, h.suggestion, h.level, h.context,"
            " h.note, h.place FROM text_hits h JOIN targets t ON t.id=h.page_id"
            " WHERE h.run_id=? AND h.check_name=? ORDER BY h.page_id, h.position",
            (run_id, str(check)),
        ).fetchall()
        return [
            TextHitRow(
                str(r[0]), str(r[1]), r[2] == TargetKind.RESOURCE, TextHit(TextCheck(r[3]), *map(str, r[4:]))
            )
            for r in rows
        ]

    def external_views(self, run_id: int) -> list[ExternalSeen]:
        """Every link to another site of the run that answered HTML, with what it showed."""
        rows = self.db.execute(
            "SELECT t.key, t.url, r.started_at, v.final_host, v.title, v.fingerprint, v.text_chars, v.words,"
            " v.title_words, v.parked FROM external_views v JOIN targets t ON t.id = v.target_id"
            " JOIN runs r ON r.id = v.run_id WHERE v.run_id=? ORDER BY v.target_id",
            (run_id,),
        ).fetchall()
        return [_external_seen(row) for row in rows]

    def first_external_views(self, run_id: int, keys: Iterable[str]) -> dict[str, ExternalSeen]:
        """For each URL key, what it showed the first time an earlier run of the same site
        recorded it (the baseline of 外链变异); keys never recorded before are left out."""
        wanted = set(keys)
        if not wanted:
            return {}
        rows = self.db.execute(
            "SELECT t.key, t.url, r.started_at, v.final_host, v.title, v.fingerprint, v.text_chars, v.words,"
            " v.title_words, v.parked FROM external_views v JOIN targets t ON t.id = v.target_id"
            " JOIN runs r ON r.id = v.run_id"
            " WHERE r.site = (SELECT site FROM runs WHERE id=?) AND v.run_id < ? ORDER BY v.run_id",
            (run_id, run_id),
        )
        first: dict[str, ExternalSeen] = {}
        for row in rows:
            if row[0] in wanted and row[0] not in first:
                first[row[0]] = _external_seen(row)
        return first

    def save_transport(self, run_id: int, facts: Sequence[TransportFacts]) -> None:
        self.db.executemany(
            _SAVE_TRANSPORT,
            [
                (
                    run_id,
                    f.host,
                    f.port,
                    int(f.crawled),
                    f.outcome.value,
                    f.verify_error,
                    f.tls_version,
                    f.not_before,
                    f.not_after,
                    f.subject,
                    json.dumps(list(f.names), ensure_ascii=False),
                    f.issuer,
                    None if f.hostname_matches is None else int(f.hostname_matches),
                    f.http_url,
                    f.http_redirect.value,
                    f.http_status,
                    f.http_final_url,
                    f.error,
                    now_iso(),
                )
                for f in facts
            ],
        )

    def transport(self, run_id: int) -> list[TransportFacts]:
        rows = self.db.execute(
            "SELECT host, port, outcome, verify_error, tls_version, not_before, not_after, subject,"
            " names_json, issuer, hostname_matches, http_url, http_redirect, http_status, http_final_url,"
            " error, crawled FROM transport WHERE run_id=? ORDER BY host, port",
            (run_id,),
        ).fetchall()
        return [
            TransportFacts(
                host=r[0],
                port=int(r[1]),
                outcome=TlsOutcome(r[2]),
                verify_error=r[3],
                tls_version=r[4],
                not_before=r[5],
                not_after=r[6],
                subject=r[7],
                names=tuple(json.loads(r[8])),
                issuer=r[9],
                hostname_matches=None if r[10] is None else bool(r[10]),
                http_url=r[11],
                http_redirect=HttpsRedirect(r[12]),
                http_status=r[13],
                http_final_url=r[14],
                error=r[15],
                crawled=bool(r[16]),
            )
            for r in rows
        ]

    def save_hidden_links(self, run_id: int, page_id: int, links: Sequence[HiddenLink]) -> None:
        self.db.executemany(
            "INSERT INTO hidden_links (run_id, page_id, position, url, text, rule, place, element, via,"
            " block, widget, snippet) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(run_id, page_id, i, *link) for i, link in enumerate(links)],
        )

    def hidden_links(self, run_id: int) -> list[HiddenLinkRow]:
        """Every hidden off-site link of the run with its page, in crawl order."""
        rows = self.db.execute(
            "SELECT t.url, h.url, h.text, h.rule, h.place, h.element, h.via, h.block, h.widget, h.snippet"
            " FROM hidden_links h JOIN targets t ON t.id=h.page_id WHERE h.run_id=?"
            " ORDER BY h.page_id, h.position",
            (run_id,),
        ).fetchall()
        return [
            HiddenLinkRow(
                str(r[0]),
                HiddenLink(
                    url=str(r[1]),
                    text=str(r[2]),
                    rule=str(r[3]),
                    place=str(r[4]),
                    element=str(r[5]),
                    via=str(r[6]),
                    block=int(r[7]),
                    widget=str(r[8]),
                    snippet=str(r[9]),
                ),
            )
            for r in rows
        ]

    def https_page_urls(self, run_id: int) -> Iterator[str]:
        """The URLs of the pages read over https (where the crawl met the portal's https hosts)."""
        rows = self.db.execute(
            "SELECT t.url FROM pages p JOIN targets t ON t.id=p.target_id"
            " WHERE p.run_id=? AND t.url LIKE 'https://%' ORDER BY t.id",
            (run_id,),
        )
        for (url,) in rows:
            yield str(url)

    def mixed_content(self, run_id: int, elements: Iterable[str]) -> list[MixedContentRow]:
        """Sub-resources a page read over https names by an http:// URL, with what they answered."""
        wanted = list(elements)
        any_https = self.db.execute(
            "SELECT 1 FROM pages p JOIN targets t ON t.id=p.target_id"
            " WHERE p.run_id=? AND t.url LIKE 'https://%' LIMIT 1",
            (run_id,),
        ).fetchone()
        if any_https is None:
            return []  # no page was read over https: nothing to join the run's links for
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            "SELECT p.url, l.element, l.attribute, l.raw, t.url, COALESCE(c.content_type, '')"
            " FROM links l JOIN targets p ON p.id=l.page_id JOIN targets t ON t.id=l.target_id"
            " LEFT JOIN checks c ON c.target_id=t.id"
            " WHERE l.run_id=? AND p.url LIKE 'https://%' AND t.url LIKE 'http://%'"
            f" AND l.element IN ({marks})"
            f" ORDER BY l.page_id, l.{self.seq}",
            (run_id, *wanted),
        ).fetchall()
        return [MixedContentRow(*map(str, row)) for row in rows]

    def seen_before(self, run_id: int, keys: Iterable[str]) -> set[str] | None:
        """Which of these canonical URLs the site's earlier judged runs already linked to: as a
        link target of theirs, or as a hidden link on one of their pages (the external-link
        baseline a new hidden link is compared with); None when there is no earlier run."""
        earlier = (
            "SELECT p.id FROM runs p JOIN runs r ON r.start_url=p.start_url"
            f" WHERE r.id=? AND p.id<? AND p.status IN ({sql_states(JUDGED_RUNS)})"
        )
        if self.db.execute(f"SELECT EXISTS ({earlier})", (run_id, run_id)).fetchone()[0] == 0:
            return None  # the site's first run: there is no baseline to compare with
        wanted = set(keys)
        if not wanted:
            return set()
        seen: set[str] = set()
        listed = sorted(wanted)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT DISTINCT key FROM targets WHERE run_id IN ({earlier}) AND key IN ({marks})",
                (run_id, run_id, *chunk),
            ).fetchall()
            seen.update(str(r[0]) for r in rows)
        rows = self.db.execute(
            f"SELECT DISTINCT url FROM hidden_links WHERE run_id IN ({earlier})", (run_id, run_id)
        ).fetchall()
        seen.update(key for key in (canonical(str(r[0])) for r in rows) if key in wanted)
        return seen

    def save_identifiers(self, run_id: int, page_id: int, found: PageIdentifiers) -> None:
        # The fields in their order, read directly: dataclasses.astuple deep-copies each value
        # (a page's identifiers are written on every page of the crawl).
        self.db.execute(_SAVE_IDENTIFIERS, (page_id, run_id, *_identifier_values(found)))

    def page_identifiers(self, run_id: int) -> list[tuple[str, PageIdentifiers]]:
        """Every page's identifiers in the run, with its URL, in crawl order."""
        rows = self.db.execute(
            f"SELECT t.url, {', '.join('i.' + c for c in _IDENTIFIER_FIELDS)} FROM page_identifiers i"
            " JOIN targets t ON t.id=i.page_id WHERE i.run_id=? ORDER BY i.page_id",
            (run_id,),
        ).fetchall()
        return [(str(r[0]), PageIdentifiers(*r[1:])) for r in rows]

    def limited_pages(self, run_id: int) -> list[tuple[str, bool, int | None, str]]:
        """Pages not read whole: (url, cut at the size cap, bytes read, what analysis left out)."""
        rows = self.db.execute(
            "SELECT t.url, p.truncated, p.bytes_read, p.limited FROM pages p JOIN targets t"
            " ON t.id=p.target_id WHERE p.run_id=? AND (p.truncated != 0 OR p.limited!='') ORDER BY t.id",
            (run_id,),
        ).fetchall()
        return [(str(r[0]), bool(r[1]), r[2], str(r[3])) for r in rows]

    def save_links(self, run_id: int, page_id: int, rows: Iterable[tuple[int | None, LinkRef]]) -> None:
        # Each page is written once per run: a page is stored whole or not at all (crawl.py),
        # and a recheck forgets a page's links before reading it again (reset_targets).
        self.db.executemany(
            "INSERT INTO links (run_id, page_id, target_id, raw, element, attribute, text, special, in_nav)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (
                    run_id,
                    page_id,
                    tid,
                    ref.raw,
                    ref.element,
                    ref.attribute,
                    ref.text,
                    ref.special.value,
                    int(ref.in_nav),
                )
                for tid, ref in rows
            ),
        )

    def save_listing(
        self,
        run_id: int,
        page_id: int,
        listing: ListingFacts,
        items: Sequence[ColumnItem],
        *,
        is_home: bool,
        observed_on: date,
    ) -> None:
        # Raw observations only: a listing's newest date is derived from its items when judging
        # (the ``newest`` column, filled by older versions, is no longer written or read).
        self.db.execute(
            _SAVE_LISTING,
            (
                page_id,
                run_id,
                int(listing.is_listing),
                int(is_home),
                listing.name,
                listing.name_source,
                listing.cms,
                None,
                len(items),
                sum(1 for i in items if i.date_source == "text"),
                sum(1 for i in items if i.date_source == "url"),
                listing.total_records,
                listing.total_pages,
                listing.placeholder,
                listing.column_type_meta,
                json.dumps(list(listing.breadcrumb), ensure_ascii=False),
                json.dumps(list(listing.pagination), ensure_ascii=False),
                content_json(listing.content),
            ),
        )
        self.db.execute("DELETE FROM items WHERE page_id=?", (page_id,))
        self.db.executemany(
            "INSERT INTO items (page_id, run_id, position, title, url, date, date_source)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                (page_id, run_id, pos, i.title, i.url, i.date.isoformat() if i.date else None, i.date_source)
                for pos, i in enumerate(items)
            ),
        )

    def listings(self, run_id: int) -> list[ListingRow]:
        rows = self.db.execute(
            "SELECT l.page_id, t.url, l.is_listing, l.is_home, l.name, l.name_source, l.cms,"
            " l.item_count, l.text_dated, l.url_dated, l.total_records, l.total_pages, l.placeholder,"
            " l.column_type_meta, l.breadcrumb_json, l.pagination_json, l.content_json"
            " FROM listings l JOIN targets t ON t.id=l.page_id WHERE l.run_id=? ORDER BY l.page_id",
            (run_id,),
        )
        # Rows are read as they come (not fetched all first), and a URL named by many pager
        # lists is one string: every page of a column names the column's other pages, so at
        # 50,000 pages the parsed lists held 670,000 copies of 5,800 URLs, most of the judge's
        # memory.
        shared: dict[str, str] = {}

        def strings(text: str) -> tuple[str, ...]:
            return tuple(shared.setdefault(value, value) for value in json.loads(text))

        return [
            ListingRow(
                page_id=row[0],
                url=row[1],
                is_listing=bool(row[2]),
                is_home=bool(row[3]),
                name=row[4],
                name_source=row[5],
                cms=row[6],
                item_count=row[7],
                text_dated=row[8],
                url_dated=row[9],
                total_records=row[10],
                total_pages=row[11],
                placeholder=row[12],
                column_type_meta=row[13],
                breadcrumb=strings(row[14]),
                pagination=strings(row[15]),
                content=read_content(row[16]),
            )
            for row in rows
        ]

    def items_by_page(self, run_id: int) -> dict[int, list[ItemRow]]:
        """Every listed item of a run, by the page that lists it (one query for the judge)."""
        rows = self.db.execute(
            "SELECT page_id, title, url, date, date_source FROM items WHERE run_id=?"
            " ORDER BY page_id, position",
            (run_id,),
        )
        # Read as the rows come, one string per distinct title, URL and date: an article is
        # listed by its column, quoted by others (TRS 引用) and shown on the home page, so at
        # 50,000 pages the 116,000 items held each text two or three times.
        shared: dict[str, str] = {}
        days: dict[str, date] = {}
        found: dict[int, list[ItemRow]] = {}
        for page_id, title, url, day, source in rows:
            when = days.get(day) if day else None
            if day and when is None:
                when = days[day] = date.fromisoformat(day)
            found.setdefault(page_id, []).append(
                ItemRow(
                    shared.setdefault(title, title),
                    shared.setdefault(url, url) if url else url,
                    when,
                    shared.setdefault(source, source),
                )
            )
        return found

    def items(self, page_id: int) -> list[ItemRow]:
        rows = self.db.execute(
            "SELECT title, url, date, date_source FROM items WHERE page_id=? ORDER BY position", (page_id,)
        ).fetchall()
        return [ItemRow(r[0], r[1], date.fromisoformat(r[2]) if r[2] else None, r[3]) for r in rows]

    def link_texts_to(self, run_id: int, key: str) -> list[tuple[str, int]]:
        """The texts of links pointing at a URL, most common first (how menus name a page)."""
        rows = self.db.execute(
            "SELECT l.text, COUNT(*) AS n FROM links l JOIN targets t ON t.id=l.target_id"
            " WHERE t.run_id=? AND t.key=? AND l.element IN ('a', 'area', 'option') AND l.text != ''"
            f" GROUP BY l.text ORDER BY n DESC, MIN(l.{self.seq}) LIMIT 5",
            (run_id, key),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def outcome_counts(self, run_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT outcome, COUNT(*) FROM checks WHERE run_id=? GROUP BY outcome", (run_id,)
        ).fetchall()
        return {str(outcome): int(count) for outcome, count in rows}

    def page_count(self, run_id: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM pages WHERE run_id=?", (run_id,)).fetchone()[0])

    def link_count(self, run_id: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM links WHERE run_id=?", (run_id,)).fetchone()[0])

    def check_for_url(self, run_id: int, key: str) -> tuple[Outcome, int | None, str, str | None] | None:
        row = self.db.execute(
            "SELECT c.outcome, c.status, c.error, c.final_url"
            " FROM targets t JOIN checks c ON c.target_id=t.id WHERE t.run_id=? AND t.key=?",
            (run_id, key),
        ).fetchone()
        return (Outcome(row[0]), row[1], row[2], row[3]) if row else None

    def checked_links(self, run_id: int, outcomes: Iterable[Outcome]) -> Iterator[CheckedLink]:
        """Each failing target joined with every page that links to it, target by target."""
        wanted = [o.value for o in outcomes]
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            "SELECT t.id, t.url, t.kind, c.outcome, c.status, c.error, l.page_id, p.url,"
            " l.element, l.attribute, l.text, l.raw"
            " FROM checks c JOIN targets t ON t.id=c.target_id"
            " JOIN links l ON l.run_id=c.run_id AND l.target_id=t.id"
            " JOIN targets p ON p.id=l.page_id"
            f" WHERE c.run_id=? AND c.outcome IN ({marks})"
            f" ORDER BY t.id, l.page_id, l.{self.seq}",
            (run_id, *wanted),
        )
        for row in rows:
            yield CheckedLink(
                target_id=row[0],
                url=row[1],
                kind=row[2],
                outcome=Outcome(row[3]),
                status=row[4],
                error=row[5],
                page_id=row[6],
                page_url=row[7],
                element=row[8],
                attribute=row[9],
                text=row[10],
                raw=row[11],
            )

    def referrers_to(self, run_id: int, key: str, limit: int = 5) -> list[Referrer]:
        """Pages that link to a URL (how a webmaster finds the entry to a column)."""
        rows = self.db.execute(
            "SELECT p.url, l.element, l.attribute, l.text, l.raw FROM links l"
            " JOIN targets t ON t.id=l.target_id JOIN targets p ON p.id=l.page_id"
            f" WHERE t.run_id=? AND t.key=? ORDER BY l.page_id, l.{self.seq} LIMIT ?",
            (run_id, key, limit),
        ).fetchall()
        return [Referrer(*row) for row in rows]

    def special_links(self, run_id: int, special: str) -> Iterator[Occurrence]:
        rows = self.db.execute(
            "SELECT l.page_id, p.url, l.raw, l.element, l.attribute, l.text, l.special, l.in_nav"
            " FROM links l JOIN targets p ON p.id=l.page_id"
            f" WHERE l.run_id=? AND l.special=? AND l.special != '' ORDER BY l.page_id, l.{self.seq}",
            (run_id, special),
        )
        for row in rows:
            yield Occurrence(row[0], row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]))

    def first_target_id(self, run_id: int) -> int:
        row = self.db.execute("SELECT MIN(id) FROM targets WHERE run_id=?", (run_id,)).fetchone()
        return int(row[0] or 0)

    def home_target(self, run_id: int) -> HomeTarget | None:
        """The run's start URL as the crawl left it: its target, and its check if it has one."""
        row = self.db.execute(
            "SELECT t.url, t.kind, t.state, t.note, t.failure, c.outcome, c.status, c.error, c.final_url,"
            " c.content_type FROM targets t LEFT JOIN checks c ON c.target_id=t.id"
            " WHERE t.run_id=? ORDER BY t.id LIMIT 1",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        return HomeTarget(
            url=row[0],
            kind=row[1],
            state=row[2],
            note=row[3],
            failure=row[4],
            outcome=Outcome(row[5]) if row[5] else None,
            status=row[6],
            error=row[7] or "",
            final_url=row[8],
            content_type=row[9] or "",
        )

    def home_check(self, run_id: int) -> tuple[str, Outcome, int | None, str] | None:
        row = self.db.execute(
            "SELECT t.url, c.outcome, c.status, c.error FROM targets t JOIN checks c ON c.target_id=t.id"
            " WHERE t.run_id=? ORDER BY t.id LIMIT 1",
            (run_id,),
        ).fetchone()
        return (row[0], Outcome(row[1]), row[2], row[3]) if row else None


class RunWriter:
    """The crawl's only way to write: bound to one run, so no run id travels through the engine.

    It owns the crawl's transactions (short batches, savepoints per target) and nothing else
    of the store; the engine cannot touch another run or a judgement.
    """

    def __init__(self, store: FactStore, run_id: int) -> None:
        self._store = store
        self.run_id = run_id
        # The engine's transaction and savepoint handles, as the store gives them.
        self.transaction = store.transaction
        # What a failing database raises (sqlite3 or psycopg): the engine lets it through.
        self.errors = store.errors
        self.savepoint = store.savepoint
        self.release_savepoint = store.release_savepoint
        self.rollback_savepoint = store.rollback_savepoint

    # -- the frontier ------------------------------------------------------------------
    def add_target(
        self, key: str, url: str, kind: TargetKind, depth: int, note: str = ""
    ) -> tuple[int, bool]:
        return self._store.add_target(self.run_id, key, url, kind, depth, note)

    def cached_target_id(self, key: str) -> int | None:
        return self._store.cached_target_id(self.run_id, key)

    def target_done(self, target_id: int) -> bool:
        return self._store.target_done(target_id)

    def pending(self, after_id: int, limit: int) -> list[Target]:
        return self._store.pending_targets(self.run_id, after_id, limit)

    def count(self, *, kind: TargetKind | None = None, state: str | None = None) -> int:
        return self._store.count_targets(self.run_id, kind=kind, state=state)

    def first_target_id(self) -> int:
        return self._store.first_target_id(self.run_id)

    def fail(self, target_id: int, reason: str) -> None:
        self._store.fail_target(target_id, reason)

    def retry_failed(self) -> int:
        return self._store.retry_failed(self.run_id)

    # -- observations ------------------------------------------------------------------
    def check(self, target_id: int, result: FetchResult) -> None:
        self._store.save_check(self.run_id, target_id, result)

    def page(
        self,
        target_id: int,
        title: str,
        encoding: str,
        encoding_source: str,
        link_count: int,
        truncated: bool,
        *,
        bytes_read: int | None = None,
        limited: str = "",
    ) -> None:
        self._store.save_page(
            self.run_id,
            target_id,
            title,
            encoding,
            encoding_source,
            link_count,
            truncated,
            bytes_read=bytes_read,
            limited=limited,
        )

    def links(self, page_id: int, rows: Iterable[tuple[int | None, LinkRef]]) -> None:
        self._store.save_links(self.run_id, page_id, rows)

    def identifiers(self, page_id: int, found: PageIdentifiers | None) -> None:
        if found is not None:
            self._store.save_identifiers(self.run_id, page_id, found)

    def text_hits(self, page_id: int, hits: Sequence[TextHit]) -> None:
        if hits:
            self._store.save_text_hits(self.run_id, page_id, hits)

    def hidden_links(self, page_id: int, links: Sequence[HiddenLink]) -> None:
        if links:
            self._store.save_hidden_links(self.run_id, page_id, links)

    def listing(
        self,
        page_id: int,
        listing: ListingFacts,
        items: Sequence[ColumnItem],
        *,
        is_home: bool,
        observed_on: date,
    ) -> None:
        self._store.save_listing(
            self.run_id, page_id, listing, items, is_home=is_home, observed_on=observed_on
        )

    def home_url(self, url: str) -> None:
        self._store.set_home_url(self.run_id, url)

    def transport(self, facts: Sequence[TransportFacts]) -> None:
        if facts:
            with self._store.transaction():
                self._store.save_transport(self.run_id, facts)

    def status(self, status: RunStatus) -> None:
        self._store.set_run_status(self.run_id, status)


class RunFacts:
    """The judge's read-only view of one run: what the crawl observed, nothing it can change."""

    def __init__(self, store: FactStore, run: RunRecord) -> None:
        self._store = store
        self.run = run
        self.run_id = run.id
        # The list pages and their items, read once: several rules ask for them (columns, the
        # placement of pages in columns, the home page, annual reports); reading and parsing
        # them for each cost 0.15 s of the 1.2 s judging takes at 10,000 pages. Shared by every
        # caller: none may change them.
        self._listings: list[ListingRow] | None = None
        self._items_by_page: dict[int, list[ItemRow]] | None = None

    def listings(self) -> list[ListingRow]:
        if self._listings is None:
            self._listings = self._store.listings(self.run_id)
        return self._listings

    def items(self, page_id: int) -> list[ItemRow]:
        return self._store.items(page_id)

    def items_by_page(self) -> dict[int, list[ItemRow]]:
        if self._items_by_page is None:
            self._items_by_page = self._store.items_by_page(self.run_id)
        return self._items_by_page

    def link_texts_to(self, key: str) -> list[tuple[str, int]]:
        return self._store.link_texts_to(self.run_id, key)

    def checked_links(self, outcomes: Iterable[Outcome]) -> Iterator[CheckedLink]:
        return self._store.checked_links(self.run_id, outcomes)

    def referrers_to(self, key: str, limit: int = 5) -> list[Referrer]:
        return self._store.referrers_to(self.run_id, key, limit)

    def special_links(self, special: str) -> Iterator[Occurrence]:
        return self._store.special_links(self.run_id, special)

    def first_target_id(self) -> int:
        return self._store.first_target_id(self.run_id)

    def home_target(self) -> HomeTarget | None:
        return self._store.home_target(self.run_id)

    def home_check(self) -> tuple[str, Outcome, int | None, str] | None:
        return self._store.home_check(self.run_id)

    def failures(self, limit: int = 3) -> tuple[int, list[tuple[str, str]]]:
        return self._store.failures(self.run_id, limit)

    def limited_pages(self) -> list[tuple[str, bool, int | None, str]]:
        return self._store.limited_pages(self.run_id)

    def text_hits(self, check: TextCheck) -> list[TextHitRow]:
        return self._store.text_hits(self.run_id, check)

    def hidden_links(self) -> list[HiddenLinkRow]:
        return self._store.hidden_links(self.run_id)

    def seen_before(self, keys: Iterable[str]) -> set[str] | None:
        return self._store.seen_before(self.run_id, keys)

    def page_identifiers(self) -> list[tuple[str, PageIdentifiers]]:
        return self._store.page_identifiers(self.run_id)

    def outcome_counts(self) -> dict[str, int]:
        return self._store.outcome_counts(self.run_id)

    def external_views(self) -> list[ExternalSeen]:
        return self._store.external_views(self.run_id)

    def first_external_views(self, keys: Iterable[str]) -> dict[str, ExternalSeen]:
        return self._store.first_external_views(self.run_id, keys)

    def transport(self) -> list[TransportFacts]:
        return self._store.transport(self.run_id)

    def https_page_urls(self) -> Iterator[str]:
        return self._store.https_page_urls(self.run_id)

    def mixed_content(self, elements: Iterable[str]) -> list[MixedContentRow]:
        return self._store.mixed_content(self.run_id, elements)

    def page_count(self) -> int:
        return self._store.page_count(self.run_id)

    def link_count(self) -> int:
        return self._store.link_count(self.run_id)


def _external_seen(row: Sequence[object]) -> ExternalSeen:
    fingerprint = str(row[5])
    return ExternalSeen(
        key=str(row[0]),
        url=str(row[1]),
        seen_at=str(row[2]),
        view=ExternalView(
            final_host=str(row[3]),
            title=str(row[4]),
            fingerprint=int(fingerprint, 16) if fingerprint else 0,
            text_chars=int(str(row[6])),
            words=tuple(json.loads(str(row[7]))),
            title_words=tuple(json.loads(str(row[8]))),
            parked=str(row[9]),
        ),
    )


_IDENTIFIER_FIELDS = tuple(f.name for f in dataclasses.fields(PageIdentifiers))
_identifier_values = operator.attrgetter(*_IDENTIFIER_FIELDS)

# The facts written again when a target is read again (a recheck, --resume): the new row
# replaces the old one with the same key.
_SAVE_CHECK = upsert(
    "checks",
    ("target_id", "run_id", "outcome", "status", "final_url", "content_type", "error", "method", "attempts",
     "elapsed_ms", "checked_at"),
    ("target_id",),
)
_SAVE_EXTERNAL_VIEW = upsert(
    "external_views",
    ("target_id", "run_id", "final_host", "title", "fingerprint", "text_chars", "words", "title_words",
     "parked"),
    ("target_id",),
)
_SAVE_PAGE = upsert(
    "pages",
    ("target_id", "run_id", "title", "encoding", "encoding_source", "link_count", "truncated", "bytes_read",
     "limited"),
    ("target_id",),
)
_SAVE_TRANSPORT = upsert(
    "transport",
    ("run_id", "host", "port", "crawled", "outcome", "verify_error", "tls_version", "not_before", "not_after",
     "subject", "names_json", "issuer", "hostname_matches", "http_url", "http_redirect", "http_status",
     "http_final_url", "error", "probed_at"),
    ("run_id", "host", "port"),
)
_SAVE_IDENTIFIERS = upsert("page_identifiers", ("page_id", "run_id", *_IDENTIFIER_FIELDS), ("page_id",))
_SAVE_LISTING = upsert(
    "listings",
    ("page_id", "run_id", "is_listing", "is_home", "name", "name_source", "cms", "newest", "item_count",
     "text_dated", "url_dated", "total_records", "total_pages", "placeholder", "column_type_meta",
     "breadcrumb_json", "pagination_json", "content_json"),
    ("page_id",),
)


def content_json(content: PageContent) -> str:
    data = dataclasses.asdict(content)
    data["frames"] = list(content.frames)
    return json.dumps(data, ensure_ascii=False)


def read_content(text: str) -> PageContent:
    """A stored PageContent; keys this version does not know are ignored, missing ones default."""
    try:
        data = json.loads(text)
    except ValueError:
        return PageContent()
    if not isinstance(data, dict):
        return PageContent()
    known = {f.name for f in dataclasses.fields(PageContent)}
    kept = {key: value for key, value in data.items() if key in known}
    if "frames" in kept:
        kept["frames"] = tuple(kept["frames"])
    return PageContent(**kept)
