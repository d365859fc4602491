"""The fact store's schema: migrations in order, and what a run's copy (a recheck) copies.

``PRAGMA user_version`` counts the migrations applied; a database written by a newer sitecheck
is refused. Old runs stay readable: migrations only add.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        start_url TEXT NOT NULL,
        home_url TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,            -- running, finished, interrupted, failed
        config_json TEXT NOT NULL,
        version TEXT NOT NULL
    );
    CREATE TABLE targets (              -- every distinct URL of a run; also the frontier
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,               -- canonical URL (dedup key)
        url TEXT NOT NULL,               -- the URL as first requested
        kind TEXT NOT NULL,              -- page, resource, external, excluded
        depth INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        note TEXT NOT NULL DEFAULT '',   -- why excluded
        UNIQUE (run_id, key)
    );
    CREATE INDEX targets_pending ON targets (run_id, state, id);
    CREATE TABLE checks (               -- one observation per target
        target_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER,
        final_url TEXT,
        content_type TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 1,
        elapsed_ms INTEGER NOT NULL DEFAULT 0,
        checked_at TEXT NOT NULL
    );
    CREATE INDEX checks_run_outcome ON checks (run_id, outcome);
    CREATE TABLE pages (                -- parsed HTML pages
        target_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        title TEXT NOT NULL,
        encoding TEXT NOT NULL,
        encoding_source TEXT NOT NULL,
        link_count INTEGER NOT NULL,
        truncated INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE links (                -- every link occurrence on every page
        run_id INTEGER NOT NULL,
        page_id INTEGER NOT NULL,        -- targets.id of the page the link is on
        target_id INTEGER,               -- targets.id of the link target; NULL if not requestable
        raw TEXT NOT NULL,
        element TEXT NOT NULL,
        attribute TEXT NOT NULL,
        text TEXT NOT NULL,
        special TEXT NOT NULL,
        in_nav INTEGER NOT NULL
    );
    CREATE INDEX links_target ON links (run_id, target_id);
    CREATE INDEX links_page ON links (page_id);
    CREATE TABLE findings (
        run_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        url TEXT NOT NULL,
        outcome TEXT,
        status INTEGER,
        detail TEXT NOT NULL,
        referrers_json TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    """,
    # 2: column facts. Every list page (and the home page) as the crawler saw it, with its
    # items; columns, categories and findings are derived from these at judging time.
    """
    ALTER TABLE runs ADD COLUMN observed_on TEXT;
    CREATE TABLE listings (
        page_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        is_listing INTEGER NOT NULL,
        is_home INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_source TEXT NOT NULL,
        cms TEXT NOT NULL,
        newest TEXT,                     -- newest item date shown (or from item URLs)
        item_count INTEGER NOT NULL,
        text_dated INTEGER NOT NULL,     -- items with a visible date
        url_dated INTEGER NOT NULL,      -- items dated only by their URL
        total_records INTEGER,
        total_pages INTEGER,
        placeholder TEXT,
        column_type_meta TEXT,
        breadcrumb_json TEXT NOT NULL,
        pagination_json TEXT NOT NULL
    );
    CREATE INDEX listings_run ON listings (run_id);
    CREATE TABLE items (
        page_id INTEGER NOT NULL,
        run_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        url TEXT,
        date TEXT,
        date_source TEXT NOT NULL
    );
    CREATE INDEX items_page ON items (page_id);
    ALTER TABLE findings ADD COLUMN column_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE findings ADD COLUMN office TEXT NOT NULL DEFAULT '';
    """,
    # 3: run history. Each finding's state relative to the runs before it, rechecks (runs
    # built from an earlier run's facts), and findings a webmaster chose to ignore.
    """
    ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'full';
    ALTER TABLE runs ADD COLUMN base_run INTEGER;
    ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT 'new';
    ALTER TABLE findings ADD COLUMN first_seen TEXT NOT NULL DEFAULT '';
    ALTER TABLE findings ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE INDEX findings_key ON findings (key);
    CREATE TABLE ignores (
        start_url TEXT NOT NULL,
        key TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (start_url, key)
    );
    """,
    # 4: the service (issue 5). Home-page availability probes, what the scheduler did and why
    # (every fired, skipped, missed, interrupted and resumed job), when each job runs next (so
    # a restarted service keeps its schedule and catches up on what it missed), the alert
    # levels last announced (notifications are sent on changes, not repeated), and every
    # notification attempt. Keyed by start URL: one store may serve several portals.
    """
    CREATE TABLE probes (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        at TEXT NOT NULL,                -- UTC, when the probe started
        outcome TEXT NOT NULL,           -- an Outcome value
        status INTEGER,
        latency_ms INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        final_url TEXT
    );
    CREATE INDEX probes_site_at ON probes (start_url, at);
    CREATE TABLE job_log (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        job TEXT NOT NULL,               -- audit, recheck, probe
        cause TEXT NOT NULL,             -- schedule, catch_up, resume, manual
        fired_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        outcome TEXT NOT NULL,           -- running finished interrupted resumed failed error skipped missed
        run_id INTEGER,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX job_log_site ON job_log (start_url, job, id);
    CREATE TABLE schedule_state (
        start_url TEXT NOT NULL,
        job TEXT NOT NULL,
        next_run_at TEXT,                -- UTC; NULL when the job has no further run
        cadence TEXT NOT NULL DEFAULT '', -- the schedule it was computed from (a changed one is not kept)
        updated_at TEXT NOT NULL,
        PRIMARY KEY (start_url, job)
    );
    CREATE TABLE alert_state (
        start_url TEXT NOT NULL,
        alert TEXT NOT NULL,             -- home (up/down), availability and veto (ok/warn/fail)
        level TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        PRIMARY KEY (start_url, alert)
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        at TEXT NOT NULL,
        event TEXT NOT NULL,             -- new_findings, veto_risk, home_down
        channel TEXT NOT NULL,           -- email, webhook
        ok INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT ''
    );
    """,
    # 5: placeholder and not-checkable links are a few per page among many; judging reads them
    # by kind, which without this small partial index walks every link row of the run.
    """
    CREATE INDEX links_special ON links (run_id, special, page_id) WHERE special != '';
    """,
    # 6: completeness is a fact (issue 10). Why a run is not complete (failed targets, a home
    # page never read), the reason a target's handling failed (it is retried on --resume), and
    # what a page's reading left out (cut at the size cap, analysis bounded).
    """
    ALTER TABLE runs ADD COLUMN incomplete_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE targets ADD COLUMN failure TEXT NOT NULL DEFAULT '';
    ALTER TABLE pages ADD COLUMN bytes_read INTEGER;
    ALTER TABLE pages ADD COLUMN limited TEXT NOT NULL DEFAULT '';
    """,
    # 7: the evidence behind column claims (issue 12): what a possible column page shows besides
    # its chrome (text size, heading, frames, an empty list block, a hidden placeholder), as
    # one JSON object (models.PageContent), so the judge can say why a column is empty.
    """
    ALTER TABLE listings ADD COLUMN content_json TEXT NOT NULL DEFAULT '{}';
    """,
    # 8: what the text checks saw on a page (issue 15): personal data, masked (the store never
    # holds the number), and wrong wording, with the text around it.
    """
    CREATE TABLE text_hits (
        run_id INTEGER NOT NULL,
        page_id INTEGER NOT NULL,        -- targets.id of the page
        position INTEGER NOT NULL,       -- order on the page
        check_name TEXT NOT NULL,        -- models.TextCheck: privacy, wording
        kind TEXT NOT NULL,              -- id_card, mobile, bank_card, roster; a wording category
        value TEXT NOT NULL,             -- the masked number, or the wrong text
        suggestion TEXT NOT NULL,
        level TEXT NOT NULL,             -- high/medium/low; certain/unsure
        context TEXT NOT NULL,           -- numbers masked
        note TEXT NOT NULL
    );
    CREATE INDEX text_hits_run ON text_hits (run_id, check_name);
    CREATE INDEX text_hits_page ON text_hits (page_id);
    """,
    # 9: personal data in attachments (issue 15): where in the document a hit is (a PDF page, a
    # sheet and cell, a table row); "" for a page's text. An attachment's hits are stored under
    # its own target, like a page's.
    """
    ALTER TABLE text_hits ADD COLUMN place TEXT NOT NULL DEFAULT '';
    """,
    # What a link to another site showed (issue 16, 外链变异): the host it landed on, its
    # title, a SimHash of its text (hex: 64 unsigned bits do not fit SQLite's INTEGER), the
    # risky-site vocabulary and parking phrase it carried. Later runs compare with the first.
    """
    CREATE TABLE external_views (
        target_id INTEGER PRIMARY KEY REFERENCES targets(id),
        run_id INTEGER NOT NULL,
        final_host TEXT NOT NULL,
        title TEXT NOT NULL,
        fingerprint TEXT NOT NULL,       -- 16 hex digits; '' when the text was too short
        text_chars INTEGER NOT NULL,
        words TEXT NOT NULL,             -- JSON array of "类别:词"
        title_words TEXT NOT NULL,       -- JSON array, the part of words found in the title
        parked TEXT NOT NULL             -- the parking / for-sale phrase, or ''
    );
    CREATE INDEX external_views_run ON external_views (run_id);
    """,
    # Certificates and transport (issue 16, part 4): one probe of each https host and port of
    # the portal per run (fetch/tls.py). Not copied by a recheck (not in RUN_TABLES): a renewed
    # certificate must be seen, so a recheck probes again.
    """
    CREATE TABLE transport (
        run_id INTEGER NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        crawled INTEGER NOT NULL,        -- pages were read over https here (not a guess at 443)
        outcome TEXT NOT NULL,           -- TlsOutcome
        verify_error TEXT NOT NULL DEFAULT '',
        tls_version TEXT NOT NULL DEFAULT '',
        not_before TEXT NOT NULL DEFAULT '',
        not_after TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        names_json TEXT NOT NULL DEFAULT '[]',
        issuer TEXT NOT NULL DEFAULT '',
        hostname_matches INTEGER,        -- NULL: no certificate read
        http_url TEXT NOT NULL DEFAULT '',
        http_redirect TEXT NOT NULL,     -- HttpsRedirect
        http_status INTEGER,
        http_final_url TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        probed_at TEXT NOT NULL,
        PRIMARY KEY (run_id, host, port)
    );
    """,
    # 暗链 (issue 16): the off-site links a page hides, with what hides them and the markup
    # around them; the judge decides which are findings (allow-list, vocabulary, baseline).
    """
    CREATE TABLE hidden_links (
        run_id INTEGER NOT NULL,
        page_id INTEGER NOT NULL,        -- targets.id of the page
        position INTEGER NOT NULL,       -- order on the page
        url TEXT NOT NULL,               -- absolute
        text TEXT NOT NULL,              -- anchor text
        rule TEXT NOT NULL,              -- display:none, visibility:hidden, …
        place TEXT NOT NULL,             -- inline style, a <style> selector, an attribute
        element TEXT NOT NULL,           -- the hiding element as written
        via TEXT NOT NULL,               -- '', document.write, innerHTML
        block INTEGER NOT NULL,          -- the hidden block on its page
        widget TEXT NOT NULL,            -- why the block looks like a menu or tab ('' if not)
        snippet TEXT NOT NULL            -- the markup around it (from the page: escape it)
    );
    CREATE INDEX hidden_links_run ON hidden_links (run_id);
    CREATE INDEX hidden_links_page ON hidden_links (page_id);
    """,
    # page identifiers (issue 16 §3): each page's template signature and what its head and
    # footer show (models.PageIdentifiers); metas are NULL when absent.
    """
    CREATE TABLE page_identifiers (
        page_id INTEGER PRIMARY KEY,     -- targets.id of the page
        run_id INTEGER NOT NULL,
        template TEXT NOT NULL,
        site_name TEXT,
        site_domain TEXT,
        site_id_meta TEXT,
        column_name TEXT,
        badge TEXT NOT NULL,             -- link, script or ''
        id_code TEXT NOT NULL,
        icp TEXT NOT NULL,
        icp_link TEXT NOT NULL,
        police TEXT NOT NULL,
        police_link TEXT NOT NULL,
        sponsor TEXT NOT NULL,
        organizer TEXT NOT NULL,
        contact TEXT NOT NULL,
        footer_hint TEXT NOT NULL
    );
    CREATE INDEX page_identifiers_run ON page_identifiers (run_id);
    """,
)


# What copy_run copies: every per-run table and its columns; id columns are shifted so the
# copy's rows keep pointing at each other.
RUN_TABLES: dict[str, tuple[str, ...]] = {
    "targets": ("id", "key", "url", "kind", "depth", "state", "note", "failure"),
    "checks": (
        "target_id",
        "outcome",
        "status",
        "final_url",
        "content_type",
        "error",
        "method",
        "attempts",
        "elapsed_ms",
        "checked_at",
    ),
    "pages": (
        "target_id",
        "title",
        "encoding",
        "encoding_source",
        "link_count",
        "truncated",
        "bytes_read",
        "limited",
    ),
    "links": ("page_id", "target_id", "raw", "element", "attribute", "text", "special", "in_nav"),
    "listings": (
        "page_id",
        "is_listing",
        "is_home",
        "name",
        "name_source",
        "cms",
        "newest",
        "item_count",
        "text_dated",
        "url_dated",
        "total_records",
        "total_pages",
        "placeholder",
        "column_type_meta",
        "breadcrumb_json",
        "pagination_json",
        "content_json",
    ),
    "external_views": (
        "target_id",
        "final_host",
        "title",
        "fingerprint",
        "text_chars",
        "words",
        "title_words",
        "parked",
    ),
    "items": ("page_id", "position", "title", "url", "date", "date_source"),
    "text_hits": (
        "page_id",
        "position",
        "check_name",
        "kind",
        "value",
        "suggestion",
        "level",
        "context",
        "note",
        "place",
    ),
    "page_identifiers": (
        "page_id",
        "template",
        "site_name",
        "site_domain",
        "site_id_meta",
        "column_name",
        "badge",
        "id_code",
        "icp",
        "icp_link",
        "police",
        "police_link",
        "sponsor",
        "organizer",
        "contact",
        "footer_hint",
    ),
}
RUN_TABLES["hidden_links"] = (
    "page_id",
    "position",
    "url",
    "text",
    "rule",
    "place",
    "element",
    "via",
    "block",
    "widget",
    "snippet",
)
ID_COLUMNS = frozenset({"id", "target_id", "page_id"})
# The order copy_run copies a table's rows in, where the table's key is SQLite's rowid (so
# ordering by it is ordering by rowid, on either database); other tables are copied in the
# order they were written (``Database.seq``).
ROW_ORDER: dict[str, str] = {
    "targets": "id",
    "checks": "target_id",
    "pages": "target_id",
    "listings": "page_id",
    "external_views": "target_id",
    "page_identifiers": "page_id",
}
