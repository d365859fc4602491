"""The store's two databases: a data directory (SQLite) and a PostgreSQL URL, for the tests that
must hold on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.postgres import INSTALL_HINT, PostgresCluster, available, postgres_cluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL 15 on 127.0.0.1 for the whole session."""
    if not available():
        pytest.skip(f"PostgreSQL 15 is not installed ({INSTALL_HINT})")
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a Store opens: a fresh data directory, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "data")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.fresh_database()
