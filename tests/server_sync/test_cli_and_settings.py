"""`ymt-server` on the command line, and where its settings come from."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select
from sync_helpers import sqlite_only

from server_sync.db import Database
from server_sync.models import Category, StaffUser
from server_sync.settings import SettingsError, load_settings

CLI = [sys.executable, "-m", "server_sync.cli"]


def ymt(*args: str, data_dir, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args, "--data-dir", str(data_dir), "--log-level", "WARNING"],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_seed_then_device_code_prints_a_code_that_enrols(server, tmp_path):
    # The CLI works on the same database as the running server.
    database_arg = ["--database", server.database.url]
    seeded = ymt("seed", *database_arg, data_dir=tmp_path)
    made = ymt(
        "device-code",
        "--role",
        "supermarket",
        "--location",
        "supermarket",
        *database_arg,
        data_dir=tmp_path,
    )

    assert seeded.returncode == 0, seeded.stderr
    assert "categories: 12" in seeded.stdout
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip().splitlines()[-1]
    response = server.client.post("/api/v1/devices/enroll", json={"code": code, "name": "desk"})
    assert response.status_code == 201
    assert response.json()["short_code"] == "M01"


@sqlite_only
def test_device_code_for_an_unknown_location_says_so(server, tmp_path):
    made = ymt(
        "device-code",
        "--role",
        "lift",
        "--location",
        "b99-lift-9",
        "--database",
        server.database.url,
        data_dir=tmp_path,
    )

    assert made.returncode == 2
    assert "location 'b99-lift-9' does not exist" in made.stderr
    assert "Traceback" not in made.stderr


def test_migrate_and_seed_on_an_empty_data_dir_then_create_user(tmp_path):
    migrated = ymt("migrate", data_dir=tmp_path)
    seeded = ymt("seed", data_dir=tmp_path)
    seeded_again = ymt("seed", data_dir=tmp_path)
    created = ymt(
        "create-user",
        "wang.li",
        "--role",
        "department",
        "--department",
        "property",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="a long secret\n",
    )
    refused = ymt(
        "create-user",
        "wang.li",
        "--role",
        "dispatcher",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="another secret\n",
    )

    assert migrated.returncode == 0 and "revision" in migrated.stdout
    assert seeded.returncode == 0 and seeded_again.returncode == 0
    assert created.returncode == 0, created.stderr
    assert refused.returncode == 2 and "already exists" in refused.stderr
    database = Database(f"sqlite:///{tmp_path / 'server.db'}")
    with database.read_session() as session:
        user = session.scalar(select(StaffUser))
        categories = session.scalars(select(Category)).all()
    database.dispose()
    assert (user.username, user.role, user.department) == ("wang.li", "department", "property")
    assert user.password_hash.startswith("$argon2id$")
    assert len(categories) == 12


def test_settings_come_from_file_then_environment_then_flags(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text('port = 9001\nhost = "0.0.0.0"\nlog_level = "DEBUG"\n')

    settings = load_settings(
        config, environ={"YMT_PORT": "9002", "YMT_DATA_DIR": "/srv/ymt"}, log_level="WARNING"
    )

    assert settings.host == "0.0.0.0"
    assert settings.port == 9002
    assert str(settings.data_dir) == "/srv/ymt"
    assert settings.log_level == "WARNING"
    assert settings.effective_database_url == "sqlite:////srv/ymt/server.db"


def test_a_broken_settings_file_gives_a_sentence(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text("port = \n")
    with pytest.raises(SettingsError, match="is not valid TOML"):
        load_settings(config, environ={})
    with pytest.raises(SettingsError, match="port"):
        load_settings(environ={"YMT_PORT": "eighty"})
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})
