"""The fleet's portals: each portal's config (the TOML ``sitecheck crawl --config`` reads) kept
as text in the fleet's database, keyed by its start URL, so every worker on every machine reads
the same settings without a shared file system.

The table is the fleet's own (``fleet init`` creates it beside procrastinate's and the store's);
the store's runs are filed under the same start URL as on one machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from sitecheck.config import AuditConfig, config_from_mapping, parse_toml, read_toml
from sitecheck.errors import ConfigError
from sitecheck.service.portals import Portal, check_service_settings

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS sitecheck_fleet_portals (
    start_url TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    config_toml TEXT NOT NULL,
    source TEXT NOT NULL,
    added_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True)
class FleetPortal:
    start_url: str
    name: str
    config_toml: str
    source: str  # the file it was added from (for messages)

    @property
    def timezone(self) -> str:
        """The portal's time zone (``schedule.timezone``), in which its times are shown."""
        return self.config("postgresql://").schedule.timezone

    def config(self, db: str) -> AuditConfig:
        """The portal's settings, its store being the fleet's database."""
        return fleet_config(self.config_toml, self.source, db)

    def portal(self, db: str) -> Portal:
        return Portal(self.config(db), f"fleet:{self.source}")


def fleet_config(text: str, source: str, db: str) -> AuditConfig:
    """A portal config from its TOML text, validated like ``sitecheck serve`` validates it, with
    ``data_dir`` set to the fleet's database (a ``data_dir`` in the file is not used)."""
    config = config_from_mapping(parse_toml(text, source), source)
    # The service checks refuse a PostgreSQL data_dir (they are for `serve`): check the file's
    # own settings on a placeholder directory, then file the runs in the fleet's database.
    check_service_settings(dataclasses.replace(config, data_dir="."), source)
    return dataclasses.replace(config, data_dir=db)


def read_portal_file(path: str | Path) -> FleetPortal:
    """A portal config file, validated; ConfigError naming the key when it is wrong."""
    path = Path(path)
    read_toml(path)  # the friendly errors for a missing or unreadable file
    text = path.read_text(encoding="utf-8-sig")
    config = fleet_config(text, str(path), "postgresql://placeholder")
    return FleetPortal(config.site.start_url, config.site_name, text, str(path))


def create_table(conn: psycopg.Connection[Any]) -> None:
    conn.execute(TABLE_SQL)


def add(conn: psycopg.Connection[Any], portal: FleetPortal) -> bool:
    """Register or update a portal; True when it was new."""
    row = conn.execute(
        "INSERT INTO sitecheck_fleet_portals (start_url, name, config_toml, source) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (start_url) DO UPDATE SET name = EXCLUDED.name, config_toml = EXCLUDED.config_toml,"
        " source = EXCLUDED.source RETURNING (xmax = 0)",
        (portal.start_url, portal.name, portal.config_toml, portal.source),
    ).fetchone()
    return bool(row and row[0])


def remove(conn: psycopg.Connection[Any], key: str) -> str | None:
    """Unregister a portal by its start URL or the config file it was added from; returns the
    start URL removed, or None when nothing matched. Its stored runs stay in the store."""
    if Path(key).is_file():
        with contextlib.suppress(ConfigError):  # a file that is no config: taken as a key as written
            key = read_portal_file(key).start_url
    row = conn.execute(
        "DELETE FROM sitecheck_fleet_portals WHERE start_url = %s OR source = %s RETURNING start_url",
        (key, key),
    ).fetchone()
    return str(row[0]) if row else None


def portals(conn: psycopg.Connection[Any]) -> list[FleetPortal]:
    rows = conn.execute(
        "SELECT start_url, name, config_toml, source FROM sitecheck_fleet_portals ORDER BY start_url"
    ).fetchall()
    return [FleetPortal(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def portal(conn: psycopg.Connection[Any], start_url: str) -> FleetPortal | None:
    row = conn.execute(
        "SELECT start_url, name, config_toml, source FROM sitecheck_fleet_portals WHERE start_url = %s",
        (start_url,),
    ).fetchone()
    return FleetPortal(str(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None
