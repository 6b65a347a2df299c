"""The store's schema, versioned with SQLite's ``user_version`` and migrated on open.

Each migration takes the schema from version N-1 to N inside the caller's
transaction. A store written by an older agent opens and is brought up to date;
one written by a newer agent is refused before anything is changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlite_utils import Database

log = logging.getLogger(__name__)


class StoreVersionError(RuntimeError):
    """The store file was written by a newer version of the agent."""


def _v1(db: Database) -> None:
    # The outbox: one row per event recorded on this device, in the order recorded.
    db["outbox"].create(
        {
            "seq": int,
            "id": str,
            "type": str,
            "occurred_at": str,
            "payload": str,
            "media": str,
            "size": int,
            "status": str,
            "reason": str,
            "result": str,
            "attempts": int,
            "recorded_at": str,
            "done_at": str,
            "acked_gen": int,
        },
        pk="seq",
        not_null={"id", "type", "occurred_at", "payload", "media", "size", "status"},
        defaults={"status": "pending", "attempts": 0, "media": "[]"},
    )
    db["outbox"].create_index(["id"], unique=True)
    db["outbox"].create_index(["status", "seq"])
    db["media"].create(
        {"sha256": str, "kind": str, "size": int, "recorded_at": str, "uploaded_at": str},
        pk="sha256",
    )
    db["reference"].create(
        {"kind": str, "key": str, "data": str, "updated_at": str}, pk=("kind", "key")
    )
    db["config"].create({"key": str, "value": str, "updated_at": str}, pk="key")
    db["identity"].create(
        {
            "slot": int,
            "device_id": int,
            "short_code": str,
            "role": str,
            "location": str,
            "server": str,
            "name": str,
            "token": str,
            "enrolled_at": str,
        },
        pk="slot",
    )
    db["ticket_sequence"].create(
        {"device": str, "day": str, "last": int}, pk=("device", "day"), not_null={"last"}
    )
    db["agent_state"].create({"key": str, "value": str}, pk="key")


def _v2(db: Database) -> None:
    # Health written by the kiosk for the heartbeat, and the technician's commands.
    db["health"].create(
        {"component": str, "ok": int, "status": str, "detail": str, "updated_at": str},
        pk="component",
    )
    db["commands"].create(
        {
            "command_id": int,
            "name": str,
            "args": str,
            "handler": str,
            "status": str,
            "ok": int,
            "output": str,
            "received_at": str,
            "finished_at": str,
        },
        pk="command_id",
        defaults={"status": "pending"},
    )
    db["commands"].create_index(["handler", "status"])


MIGRATIONS: list[Callable[[Database], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database, upto: int = SCHEMA_VERSION) -> int:
    """Bring the schema to `upto` in one immediate transaction; return the version found."""
    found = schema_version(db)
    if found > SCHEMA_VERSION:
        raise StoreVersionError(
            f"this device store has schema version {found}, but this ymt-agent only knows up to "
            f"{SCHEMA_VERSION}; install the newer ymt-agent that wrote it. "
            "The store file was not changed."
        )
    if found >= upto:
        return found
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(db)  # another process may have migrated meanwhile
        for version in range(found + 1, upto + 1):
            MIGRATIONS[version - 1](db)
            log.info("store schema migrated to version %d", version)
        db.conn.execute(f"PRAGMA user_version = {int(upto)}")
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    return found
