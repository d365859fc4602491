"""The fact store's schema in its PostgreSQL form: the same tables, columns and indexes as the
SQLite migrations in schema.py, written for PostgreSQL and the databases compatible with it
(openGauss, KingbaseES), in plain SQL they all accept.

``PG_BASE`` is the cumulative schema of SQLite migrations 1..``PG_BASE_VERSION``; every later
SQLite migration needs its PostgreSQL form appended to ``PG_MIGRATIONS`` (a test fails, and a
PostgreSQL store refuses to open, when one is missing). The version applied is kept in
``sitecheck_schema``, the counterpart of SQLite's ``PRAGMA user_version``.

How the forms differ, and why:
- SQLite's INTEGER is 64 bits: BIGINT here. An ``id INTEGER PRIMARY KEY`` that SQLite numbers
  itself is BIGSERIAL (a sequence; openGauss and KingbaseES have it too); a primary key the
  store always gives (``target_id``, ``page_id``) is a plain BIGINT.
- Tables read in the order their rows were written (links, items, text hits, hidden links,
  findings) have an explicit ``seq`` BIGSERIAL column: SQLite's implicit ``rowid``, made visible
  (``Database.seq`` names it for the queries).
- No REFERENCES: the SQLite store runs with ``foreign_keys=OFF``, so the constraints written
  there are documentation; enforcing them here would make the two stores behave differently.
"""

from __future__ import annotations

PG_BASE_VERSION = 13

PG_BASE = """
CREATE TABLE runs (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL,
    start_url TEXT NOT NULL,
    home_url TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    config_json TEXT NOT NULL,
    version TEXT NOT NULL,
    observed_on TEXT,
    kind TEXT NOT NULL DEFAULT 'full',
    base_run BIGINT,
    incomplete_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE targets (
    id BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    note TEXT NOT NULL DEFAULT '',
    failure TEXT NOT NULL DEFAULT '',
    UNIQUE (run_id, key)
);
CREATE INDEX targets_pending ON targets (run_id, state, id);
CREATE TABLE checks (
    target_id BIGINT PRIMARY KEY,
    run_id BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    status BIGINT,
    final_url TEXT,
    content_type TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    attempts BIGINT NOT NULL DEFAULT 1,
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    checked_at TEXT NOT NULL
);
CREATE INDEX checks_run_outcome ON checks (run_id, outcome);
CREATE TABLE pages (
    target_id BIGINT PRIMARY KEY,
    run_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    encoding TEXT NOT NULL,
    encoding_source TEXT NOT NULL,
    link_count BIGINT NOT NULL,
    truncated BIGINT NOT NULL DEFAULT 0,
    bytes_read BIGINT,
    limited TEXT NOT NULL DEFAULT ''
);
CREATE TABLE links (
    seq BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL,
    page_id BIGINT NOT NULL,
    target_id BIGINT,
    raw TEXT NOT NULL,
    element TEXT NOT NULL,
    attribute TEXT NOT NULL,
    text TEXT NOT NULL,
    special TEXT NOT NULL,
    in_nav BIGINT NOT NULL
);
CREATE INDEX links_target ON links (run_id, target_id);
CREATE INDEX links_page ON links (page_id);
CREATE INDEX links_special ON links (run_id, special, page_id) WHERE special != '';
CREATE TABLE findings (
    seq BIGSERIAL,
    run_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    url TEXT NOT NULL,
    outcome TEXT,
    status BIGINT,
    detail TEXT NOT NULL,
    referrers_json TEXT NOT NULL,
    column_name TEXT NOT NULL DEFAULT '',
    office TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'new',
    first_seen TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, key)
);
CREATE INDEX findings_key ON findings (key);
CREATE TABLE listings (
    page_id BIGINT PRIMARY KEY,
    run_id BIGINT NOT NULL,
    is_listing BIGINT NOT NULL,
    is_home BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_source TEXT NOT NULL,
    cms TEXT NOT NULL,
    newest TEXT,
    item_count BIGINT NOT NULL,
    text_dated BIGINT NOT NULL,
    url_dated BIGINT NOT NULL,
    total_records BIGINT,
    total_pages BIGINT,
    placeholder TEXT,
    column_type_meta TEXT,
    breadcrumb_json TEXT NOT NULL,
    pagination_json TEXT NOT NULL,
    content_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX listings_run ON listings (run_id);
CREATE TABLE items (
    seq BIGSERIAL PRIMARY KEY,
    page_id BIGINT NOT NULL,
    run_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    date TEXT,
    date_source TEXT NOT NULL
);
CREATE INDEX items_page ON items (page_id);
CREATE TABLE ignores (
    start_url TEXT NOT NULL,
    key TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (start_url, key)
);
CREATE TABLE probes (
    id BIGSERIAL PRIMARY KEY,
    start_url TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status BIGINT,
    latency_ms BIGINT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    final_url TEXT
);
CREATE INDEX probes_site_at ON probes (start_url, at);
CREATE TABLE job_log (
    id BIGSERIAL PRIMARY KEY,
    start_url TEXT NOT NULL,
    job TEXT NOT NULL,
    cause TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    outcome TEXT NOT NULL,
    run_id BIGINT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_log_site ON job_log (start_url, job, id);
CREATE TABLE schedule_state (
    start_url TEXT NOT NULL,
    job TEXT NOT NULL,
    next_run_at TEXT,
    cadence TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (start_url, job)
);
CREATE TABLE alert_state (
    start_url TEXT NOT NULL,
    alert TEXT NOT NULL,
    level TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (start_url, alert)
);
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    start_url TEXT NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    ok BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE text_hits (
    seq BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL,
    page_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    check_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    level TEXT NOT NULL,
    context TEXT NOT NULL,
    note TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT ''
);
CREATE INDEX text_hits_run ON text_hits (run_id, check_name);
CREATE INDEX text_hits_page ON text_hits (page_id);
CREATE TABLE external_views (
    target_id BIGINT PRIMARY KEY,
    run_id BIGINT NOT NULL,
    final_host TEXT NOT NULL,
    title TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    text_chars BIGINT NOT NULL,
    words TEXT NOT NULL,
    title_words TEXT NOT NULL,
    parked TEXT NOT NULL
);
CREATE INDEX external_views_run ON external_views (run_id);
CREATE TABLE transport (
    run_id BIGINT NOT NULL,
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    crawled BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    verify_error TEXT NOT NULL DEFAULT '',
    tls_version TEXT NOT NULL DEFAULT '',
    not_before TEXT NOT NULL DEFAULT '',
    not_after TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    names_json TEXT NOT NULL DEFAULT '[]',
    issuer TEXT NOT NULL DEFAULT '',
    hostname_matches BIGINT,
    http_url TEXT NOT NULL DEFAULT '',
    http_redirect TEXT NOT NULL,
    http_status BIGINT,
    http_final_url TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    probed_at TEXT NOT NULL,
    PRIMARY KEY (run_id, host, port)
);
CREATE TABLE hidden_links (
    seq BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL,
    page_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    url TEXT NOT NULL,
    text TEXT NOT NULL,
    rule TEXT NOT NULL,
    place TEXT NOT NULL,
    element TEXT NOT NULL,
    via TEXT NOT NULL,
    block BIGINT NOT NULL,
    widget TEXT NOT NULL,
    snippet TEXT NOT NULL
);
CREATE INDEX hidden_links_run ON hidden_links (run_id);
CREATE INDEX hidden_links_page ON hidden_links (page_id);
CREATE TABLE page_identifiers (
    page_id BIGINT PRIMARY KEY,
    run_id BIGINT NOT NULL,
    template TEXT NOT NULL,
    site_name TEXT,
    site_domain TEXT,
    site_id_meta TEXT,
    column_name TEXT,
    badge TEXT NOT NULL,
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
"""

# The PostgreSQL form of each SQLite migration after PG_BASE_VERSION, in order: MIGRATIONS[n]
# (0-based) is PG_MIGRATIONS[n - PG_BASE_VERSION]. A table SQLite orders by rowid needs a
# ``seq BIGSERIAL`` column here; INTEGER is BIGINT.
PG_MIGRATIONS: tuple[str, ...] = ()

# Columns only the PostgreSQL form has (SQLite's implicit rowid, made explicit): what a
# comparison of the two schemas leaves out.
PG_ONLY_COLUMNS = frozenset({"seq"})
