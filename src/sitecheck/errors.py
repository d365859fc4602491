"""Errors sitecheck raises for its own problems (never for what a crawled site does).

    SitecheckError
    ├── ConfigError      a config file or option is wrong; names the offending key
    ├── StoreError       the data directory or database cannot be used
    │   └── DamagedStoreError  the database file is damaged (not a usage error of ours)
    ├── ReportError      an output file cannot be written
    └── AuditError       the audit cannot start (invalid start URL, home page unreachable)

A remote site's behaviour is an :class:`sitecheck.models.Outcome` value, not an exception.
The CLI turns each of these into one line and an exit code.
"""

from __future__ import annotations


class SitecheckError(Exception):
    """Base class; ``str(exc)`` is a complete one-line message for the user."""


class ConfigError(SitecheckError):
    def __init__(self, key: str, message: str, source: str = "") -> None:
        self.key = key
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {message}" if key else f"{where}{message}")


class StoreError(SitecheckError):
    pass


class DamagedStoreError(StoreError):
    pass


class ReportError(SitecheckError):
    pass


class AuditError(SitecheckError):
    pass
