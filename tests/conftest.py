"""Shared fixtures: the sample portal served for real on 127.0.0.1, and audit helpers."""

from __future__ import annotations

import compileall
import contextlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sitecheck
from sitecheck.audit import AuditResult, run_audit
from sitecheck.config import AuditConfig
from sitecheck.demo import DemoServer
from support.postgres import INSTALL_HINT, PostgresCluster, available, postgres_cluster

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real-pages"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile sitecheck before the tests start its processes (the CLI, worker processes).

    An installed package has its bytecode; an editable install on a machine that sets
    PYTHONDONTWRITEBYTECODE (CI images do) compiles every module again at every process start,
    about 0.4 s here, and the tests that kill a crawl every second then time the compiler, not
    the crawl (test_run_integrity.py's restart loop never finished its last slow request).
    """
    package = Path(sitecheck.__file__).resolve().parent
    with contextlib.suppress(OSError):  # a read-only install: the processes compile as before
        compileall.compile_dir(package, quiet=2)


def fast_config(start_url: str, data_dir: Path, **fetch: Any) -> AuditConfig:
    """Settings for auditing our own loopback server: no politeness delays, short timeouts."""
    config = AuditConfig(data_dir=str(data_dir)).replace("site", start_url=start_url)
    config = config.replace("politeness", concurrency=16, per_host_concurrency=8, min_interval=0.0)
    # In-process reading unless a test asks for worker processes (test_workers.py).
    return config.replace("fetch", **({"timeout": 1.0, "retries": 1, "backoff": 0.05, "workers": 0} | fetch))


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer(pages=150, slow_seconds=4.0) as server:
        yield server


@pytest.fixture(scope="session")
def demo_audit(
    demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[AuditResult, dict[str, Any]]:
    """One full audit of the sample portal, shared by the tests that read its findings."""
    return audit_portal(demo_server, tmp_path_factory.mktemp("demo-audit"))


def audit_portal(
    server: DemoServer, tmp: Path, as_of: date | None = None
) -> tuple[AuditResult, dict[str, Any]]:
    """A full audit of a served sample portal into ``tmp`` (judged as of ``as_of``, else today):
    the result and its JSON report."""
    json_path = tmp / "findings.json"
    config = fast_config(server.base_url, tmp / "data")
    result = run_audit(config, as_of=as_of, json_path=json_path, handle_signals=False)
    return result, json.loads(json_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL 15 on 127.0.0.1 for the whole session (tests/support/postgres.py)."""
    if not available():
        pytest.skip(f"PostgreSQL 15 is not installed ({INSTALL_HINT})")
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a Store opens, for tests that must hold on both databases: a fresh data directory
    (SQLite), or a fresh database in the session's PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "data")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.fresh_database()
