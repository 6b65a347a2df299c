"""The device's local store: one SQLite file holding the outbox, media, reference data and config.

The kiosk records events here and reads the reference data it needs offline;
the agent pushes the outbox to the server and pulls reference data into it.
Several processes may open the same file: SQLite's WAL mode and immediate
write transactions keep them apart, and a lock keeps threads apart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlite_utils import Database

from server_sync.protocol import (
    PAYLOADS,
    EventType,
    MediaKind,
    SyncState,
    new_event_id,
    parse_payload,
)
from server_sync.protocol.tickets import SHORT_CODE_RE, format_ticket
from terminal_agent.outbox import HELD, PENDING, REJECTED, OutboxMixin, _dumps, now_iso
from terminal_agent.schema import SCHEMA_VERSION, StoreVersionError, migrate
from terminal_agent.spool import Spool

log = logging.getLogger(__name__)

__all__ = ["Store", "StoreVersionError", "SCHEMA_VERSION"]

# Commands the kiosk carries out; the agent runs the rest itself.
KIOSK_COMMANDS = {"print_test_page"}


def _readable(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "payload"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


class Store(OutboxMixin):
    """The device's local store. See DESIGN.md, "Three processes, one contract"."""

    def __init__(self, path: Path | str, *, spool_dir: Path | str | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if spool_dir is None:
            spool_dir = self.path.with_name(self.path.stem + "-spool")
        self.spool = Spool(Path(spool_dir))
        self._lock = threading.RLock()
        conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self.db = Database(conn)
        try:
            self.db.enable_wal()
            # The outbox and the ticket sequence must survive a power cut once written.
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=30000")
            migrate(self.db)
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One immediate write transaction; nested calls join the outer one."""
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                yield self.db
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict]:
        with self._lock:
            cursor = self.db.conn.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # ------------------------------------------------------------ events

    def record_event(
        self,
        type: str,
        payload: dict,
        media: Sequence[tuple[Path | str, str]] = (),
        *,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Validate and keep one event in the outbox; return its id.

        Each ``(path, kind)`` media file is copied into the spool first, so the
        caller may delete it as soon as this returns.
        """
        model = PAYLOADS.get(type)
        if model is None:
            raise ValueError(f"unknown event type {type!r}")
        payload = dict(payload)
        refs: list[dict[str, str]] = []
        sources: dict[str, Path | str] = {}
        for ref in payload.get("media") or []:
            refs.append(dict(ref) if isinstance(ref, dict) else ref)
        for source, kind in media:
            try:
                kind = MediaKind(kind).value
            except ValueError:
                raise ValueError(
                    f"media kind {kind!r} is not one of photo, voice, video"
                ) from None
            sha, _size = self.spool.add(source)
            sources[sha] = source
            refs.append({"sha256": sha, "kind": kind})
        if refs or "media" in payload:
            if "media" not in model.model_fields:
                raise ValueError(f"{type} events cannot carry media")
            payload["media"] = refs
        try:
            parsed = parse_payload(type, payload)
        except ValidationError as exc:
            raise ValueError(f"{type} payload is not valid: {_readable(exc)}") from None
        clean = parsed.model_dump(mode="json")
        shas = [ref["sha256"] for ref in clean.get("media", [])]

        event_id = new_event_id()
        when = (occurred_at or datetime.now(UTC)).astimezone(UTC)
        event = {
            "id": str(event_id),
            "type": type,
            "occurred_at": when.isoformat(),
            "payload": clean,
            "media": shas,
        }
        with self.transaction() as db:
            for ref in clean.get("media", []):
                # Checked under the write lock: housekeeping deletes spooled files under it too.
                if not self.spool.path(ref["sha256"]).is_file():
                    if ref["sha256"] not in sources:
                        raise ValueError(f"media {ref['sha256']} is not in this device's spool")
                    self.spool.add(sources[ref["sha256"]])
                db.conn.execute(
                    "INSERT OR IGNORE INTO media (sha256, kind, size, recorded_at)"
                    " VALUES (?, ?, ?, ?)",
                    (
                        ref["sha256"],
                        ref["kind"],
                        self.spool.path(ref["sha256"]).stat().st_size,
                        now_iso(),
                    ),
                )
            db.conn.execute(
                "INSERT INTO outbox (id, type, occurred_at, payload, media, size, status,"
                " attempts, recorded_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
                (
                    event["id"],
                    type,
                    event["occurred_at"],
                    _dumps(clean),
                    _dumps(shas),
                    len(_dumps(event).encode()),
                    now_iso(),
                ),
            )
        log.debug("recorded %s event %s", type, event_id)
        return event_id

    def next_ticket(self, today: date | None = None) -> str:
        """The next ticket number; the sequence is committed before the number is returned."""
        today = today or date.today()
        ident = self.identity()
        short_code = (ident or {}).get("short_code") or self.config_get("short_code", "DEMO")
        short_code = str(short_code).upper()
        if not SHORT_CODE_RE.match(short_code):
            raise ValueError(f"device short code {short_code!r} is not 2-8 capital letters/digits")
        with self.transaction() as db:
            db.conn.execute(
                "INSERT INTO ticket_sequence (device, day, last) VALUES (?, ?, 1)"
                " ON CONFLICT (device, day) DO UPDATE SET last = last + 1",
                (short_code, today.isoformat()),
            )
            seq = db.conn.execute(
                "SELECT last FROM ticket_sequence WHERE device = ? AND day = ?",
                (short_code, today.isoformat()),
            ).fetchone()[0]
        return format_ticket(short_code, today, seq)

    def event(self, event_id: UUID | str) -> dict | None:
        rows = self._query("SELECT * FROM outbox WHERE id = ?", (str(event_id),))
        return self._outbox_row(rows[0]) if rows else None

    @staticmethod
    def _outbox_row(row: dict) -> dict:
        row = dict(row)
        row["payload"] = json.loads(row["payload"])
        row["media"] = json.loads(row["media"] or "[]")
        row["result"] = json.loads(row["result"]) if row.get("result") else None
        return row

    def local_events(self, types: Iterable[str]) -> list[dict]:
        """Events the last pulled reference data does not yet reflect (see the brief)."""
        types = list(types)
        if not types:
            return []
        last_pull_gen = int(self.state_get("last_pull_gen", 0))
        marks = ",".join("?" for _ in types)
        rows = self._query(
            "SELECT id, type, occurred_at, payload, status FROM outbox"
            f" WHERE type IN ({marks}) AND (status IN ('pending', 'held')"
            " OR (status IN ('accepted', 'duplicate') AND acked_gen > ?)) ORDER BY seq",
            (*types, last_pull_gen),
        )
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows

    # ------------------------------------------------------------ reference data

    def reference(self, kind: str) -> list[dict]:
        rows = self._query("SELECT data FROM reference WHERE kind = ? ORDER BY key", (kind,))
        return [json.loads(row["data"]) for row in rows]

    def reference_row(self, kind: str, key: str) -> dict | None:
        rows = self._query(
            "SELECT data FROM reference WHERE kind = ? AND key = ?", (kind, str(key))
        )
        return json.loads(rows[0]["data"]) if rows else None

    def begin_pull(self) -> None:
        """Note where the outbox stood when a pull started (for `local_events`)."""
        with self.transaction():
            self.state_set("pull_started_gen", int(self.state_get("ack_counter", 0)))

    def apply_state(self, state: dict) -> None:
        """Apply a pulled `SyncState` in one transaction."""
        parsed = SyncState.model_validate(state)
        stamp = now_iso()
        with self.transaction() as db:
            for kind, rows in parsed.changes.items():
                if parsed.full:
                    db.conn.execute("DELETE FROM reference WHERE kind = ?", (kind,))
                for row in rows:
                    if "key" not in row:
                        log.warning("ignored a %s row without a key", kind)
                        continue
                    key = str(row["key"])
                    if row.get("deleted"):
                        db.conn.execute(
                            "DELETE FROM reference WHERE kind = ? AND key = ?", (kind, key)
                        )
                        continue
                    db.conn.execute(
                        "INSERT INTO reference (kind, key, data, updated_at) VALUES (?,?,?,?)"
                        " ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data,"
                        " updated_at = excluded.updated_at",
                        (kind, key, _dumps(row), stamp),
                    )
            started = self.state_get("pull_started_gen")
            if started is None:
                started = int(self.state_get("ack_counter", 0))
            self.state_set("last_pull_gen", int(started))
            self.state_set("pull_started_gen", None)
            self.state_set("cursor", parsed.cursor)
            self.state_set("last_pull_at", stamp)

    # ------------------------------------------------------------ config, health, identity

    def config_get(self, key: str, default: Any = None) -> Any:
        """A setting: set on this device first, else from the server's device config."""
        rows = self._query("SELECT value FROM config WHERE key = ?", (key,))
        if rows:
            return json.loads(rows[0]["value"])
        row = self.reference_row("config", key)
        if row is not None and "value" in row:
            return row["value"]
        return default

    def config_set(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key.strip():
            raise ValueError("a setting needs a name")
        try:
            text = _dumps(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"setting {key} must be text, a number, true/false or a list"
            ) from None
        with self.transaction() as db:
            db.conn.execute(
                "INSERT INTO config (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                (key.strip(), text, now_iso()),
            )

    def config_items(self) -> dict[str, dict]:
        """Every setting with where it came from ("device" or "server")."""
        items = {
            row["key"]: {"value": row.get("value"), "source": "server"}
            for row in self.reference("config")
        }
        for row in self._query("SELECT key, value FROM config ORDER BY key"):
            items[row["key"]] = {"value": json.loads(row["value"]), "source": "device"}
        return dict(sorted(items.items()))

    def set_health(
        self, component: str, ok: bool | None, status: str, detail: dict | None = None
    ) -> None:
        ok_value = None if ok is None else int(bool(ok))
        with self.transaction() as db:
            db.conn.execute(
                "INSERT INTO health (component, ok, status, detail, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (component) DO UPDATE SET ok = excluded.ok,"
                " status = excluded.status, detail = excluded.detail,"
                " updated_at = excluded.updated_at",
                (component, ok_value, str(status)[:200], _dumps(detail or {}), now_iso()),
            )

    def health(self) -> dict[str, dict]:
        found = {}
        for row in self._query("SELECT * FROM health ORDER BY component"):
            found[row["component"]] = {
                "ok": None if row["ok"] is None else bool(row["ok"]),
                "status": row["status"] or "",
                "detail": json.loads(row["detail"] or "{}"),
                "updated_at": row["updated_at"],
            }
        return found

    def set_identity(
        self,
        *,
        device_id: int,
        short_code: str,
        role: str,
        location: str,
        server: str,
        token: str,
        name: str = "",
    ) -> None:
        with self.transaction() as db:
            db.conn.execute(
                "INSERT OR REPLACE INTO identity (slot, device_id, short_code, role, location,"
                " server, name, token, enrolled_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (device_id, short_code, role, location, server, name, token, now_iso()),
            )

    def identity(self) -> dict | None:
        rows = self._query(
            "SELECT device_id, short_code, role, location, server, name, enrolled_at"
            " FROM identity WHERE slot = 1"
        )
        return rows[0] if rows else None

    def token(self) -> str | None:
        rows = self._query("SELECT token FROM identity WHERE slot = 1")
        return rows[0]["token"] if rows else None

    # ------------------------------------------------------------ agent state

    def state_get(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM agent_state WHERE key = ?", (key,))
        if not rows or rows[0]["value"] is None:
            return default
        return json.loads(rows[0]["value"])

    def state_set(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.conn.execute(
                "INSERT INTO agent_state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, None if value is None else _dumps(value)),
            )

    def sync_status(self) -> dict:
        counts = self.counts()
        return {
            "online": self.state_get("online"),
            "last_sync_at": self.state_get("last_sync_at"),
            "queue_depth": counts[PENDING] + counts[HELD],
            "rejected": counts[REJECTED],
            "held": counts[HELD],
            "oldest_unsent_at": self.oldest_unsent_at(),
            "last_error": self.state_get("last_error"),
            "last_pull_at": self.state_get("last_pull_at"),
        }

    # ------------------------------------------------------------ technician commands

    def receive_command(self, command_id: int, name: str, args: dict) -> bool:
        """Keep a command from the server once; False when it was already received."""
        handler = "kiosk" if name in KIOSK_COMMANDS else "agent"
        with self.transaction() as db:
            cursor = db.conn.execute(
                "INSERT OR IGNORE INTO commands (command_id, name, args, handler, status,"
                " received_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                (int(command_id), name, _dumps(args or {}), handler, now_iso()),
            )
            return cursor.rowcount == 1

    def pending_commands(self, handler: str = "kiosk") -> list[dict]:
        """Commands waiting for `handler` ("kiosk": print_test_page; "agent": the rest)."""
        rows = self._query(
            "SELECT command_id, name, args, received_at FROM commands"
            " WHERE handler = ? AND status = 'pending' ORDER BY command_id",
            (handler,),
        )
        for row in rows:
            row["args"] = json.loads(row["args"] or "{}")
        return rows

    def complete_command(self, command_id: int, ok: bool, output: str = "") -> UUID | None:
        """Mark a command done and record its `command.completed` event, atomically.

        Returns the event id, or None when the command was already completed.
        """
        output = str(output)[-20000:]
        with self.transaction() as db:
            cursor = db.conn.execute(
                "UPDATE commands SET status = 'done', ok = ?, output = ?, finished_at = ?"
                " WHERE command_id = ? AND status = 'pending'",
                (int(bool(ok)), output, now_iso(), int(command_id)),
            )
            if cursor.rowcount != 1:
                return None
            return self.record_event(
                EventType.COMMAND_COMPLETED,
                {"command_id": int(command_id), "ok": bool(ok), "output": output},
            )

    def integrity_check(self) -> str:
        with self._lock:
            return self.db.conn.execute("PRAGMA quick_check").fetchone()[0]
