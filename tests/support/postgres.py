"""A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the store's tests, from the Debian binaries.

The server refuses to run as root, and CI runs as root: initdb and pg_ctl then run as the
``postgres`` user (runuser), in a temporary directory that user owns. Each test gets a database
of its own (``fresh_database``), so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
INSTALL_HINT = "apt-get install postgresql (the Debian package brings /usr/lib/postgresql/15/bin)"
SUPERUSER = "sitecheck"


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    """The command as the ``postgres`` user when we are root (the server will not run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PostgresCluster:
    """One cluster: ``url(name)`` is a database in it; ``fresh_database()`` makes a new one."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self._count = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        import psycopg

        self._count += 1
        name = f"t{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Start a cluster listening on 127.0.0.1 only (no Unix socket in a shared place); stop and
    delete it at the end."""
    root = Path(tempfile.mkdtemp(prefix="sitecheck-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [str(BIN / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )
    # Throwaway data: no fsync. The socket goes in the cluster's own directory.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o", options,
                         "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresCluster(root, port)
    finally:
        subprocess.run(
            _as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
