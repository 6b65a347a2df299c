"""Fixtures for the server tests: a real server on 127.0.0.1 over SQLite and PostgreSQL.

The PostgreSQL cluster is a throwaway one made with Debian's initdb/pg_ctl in
a temporary directory for the test session and removed afterwards. As root it
runs as the `postgres` system user (PostgreSQL refuses to run as root).
Without the PostgreSQL binaries the PostgreSQL tests skip, except under CI
(CI=true), where they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from console_helpers import browser, console_server  # noqa: F401 (console and phone tests)
from live_server import serving
from sync_helpers import TEST_PHOTO_LIMIT

from server_sync.app import create_app
from server_sync.db import Database
from server_sync.enrolment import create_code
from server_sync.migrate import upgrade
from server_sync.seed import seed_reference
from server_sync.settings import load_settings

# ---------------------------------------------------------------- PostgreSQL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    port: int
    user: str = "ymt"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        dsn = f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = _postgres_bin()
    if bindir is None:
        message = "PostgreSQL server binaries are missing: apt-get install postgresql"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)

    run_as: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="ymt-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    port = free_port()

    def run(*argv: str) -> None:
        result = subprocess.run([*run_as, *argv], capture_output=True, text=True)
        if result.returncode != 0:
            log = root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {result.stderr}{result.stdout}\n{tail}")

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "ymt",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        yield PostgresCluster(port=port)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *run_as,
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- databases


def _prepare(database: Database) -> None:
    upgrade(database)
    with database.transaction() as session:
        seed_reference(session)
    database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "server.db"
    _prepare(Database(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster) -> str:
    postgres_cluster.execute("CREATE DATABASE ymt_template")
    _prepare(Database(postgres_cluster.url("ymt_template")))
    return "ymt_template"


_numbers = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A fresh, migrated and seeded database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    cluster = request.getfixturevalue("postgres_cluster")
    template = request.getfixturevalue("postgres_template")
    name = f"ymt_test_{next(_numbers)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return cluster.url(name)


# ---------------------------------------------------------------- the server


@dataclass
class EnrolledDevice:
    id: int
    short_code: str
    token: str
    role: str
    location: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class RunningServer:
    url: str
    database: Database
    data_dir: Path
    client: httpx.Client

    def code(self, role: str = "lift", location: str = "b07-lift-1", hours: int = 24) -> str:
        with self.database.transaction() as session:
            return create_code(session, role, location, hours=hours)

    def enrol(self, role: str = "lift", location: str = "b07-lift-1", name: str = "kiosk"):
        response = self.client.post(
            "/api/v1/devices/enroll", json={"code": self.code(role, location), "name": name}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return EnrolledDevice(body["device_id"], body["short_code"], body["token"], role, location)

    def push(self, device: EnrolledDevice, events: list[dict[str, Any]]) -> httpx.Response:
        return self.client.post(
            "/api/v1/sync/events", json={"events": events}, headers=device.headers
        )


@pytest.fixture
def server(database_url, tmp_path) -> Iterator[RunningServer]:
    """The real server on a free 127.0.0.1 port over a fresh database."""
    data_dir = tmp_path / "data"
    settings = load_settings(
        environ={},
        data_dir=data_dir,
        database_url=database_url,
        max_photo_bytes=TEST_PHOTO_LIMIT,
        migrate_on_start=False,
    )
    database = Database(database_url)
    app = create_app(settings, database)
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield RunningServer(url=url, database=database, data_dir=data_dir, client=client)
    database.dispose()
