"""The change log behind the sync cursor.

Every insert, update or delete of a model that declares ``__sync_kind__`` adds
a row here in the same transaction (see `_record_synced_models`); rows written
without the ORM are marked with `record_change` or `record_changes`. A device's cursor is
the sequence number of the last change it has seen; `GET /sync/state` returns
the rows whose keys changed after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, event, insert, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, utcnow

# Any fixed number: PostgreSQL's transaction-level advisory lock that orders
# writers of the change log, so a sequence number is never committed after a
# larger one has been read (which would make a device miss a change).
CHANGE_LOG_LOCK = 7_000_001


# Limitation: the change log is never pruned. At a few thousand reports a day it
# grows by about a million rows a year, which SQLite and PostgreSQL index
# easily; pruning would need each device's cursor, which the server does not keep.
class Change(Base):
    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    )
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    # Set for changes that concern one device only (its configuration).
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), default=None
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_changes_kind_key", "kind", "key"),)


def record_change(session: Session, kind: str, key: str, device_id: int | None = None) -> None:
    """Mark one reference row as changed, for rows that have no model of their own."""
    lock_change_log(session)
    session.add(Change(kind=kind, key=str(key), device_id=device_id))


def record_changes(
    session: Session, kind: str, keys: Iterable[str], device_id: int | None = None
) -> None:
    """Mark many rows of one kind as changed with one bulk INSERT."""
    now = utcnow()
    rows = [{"kind": kind, "key": str(key), "device_id": device_id, "at": now} for key in keys]
    if rows:
        lock_change_log(session)
        session.execute(insert(Change.__table__), rows)


def lock_change_log(session: Session) -> None:
    """On PostgreSQL, hold the change-log lock until this transaction ends (no-op on SQLite,
    where BEGIN IMMEDIATE already serialises writers)."""
    transaction = session.get_transaction()
    if session.info.get("change_log_locked") is transaction:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_LOG_LOCK})
    session.info["change_log_locked"] = transaction


@event.listens_for(Session, "before_flush")
def _record_synced_models(session: Session, flush_context, instances) -> None:
    """Add a change row for every synced model touched by this flush."""
    seen: set[tuple[str, str, int | None]] = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        kind = getattr(type(obj), "__sync_kind__", None)
        if kind is None:
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        key = obj.sync_key()
        device_id = getattr(obj, "sync_device_id", None)
        if key is None or (kind, key, device_id) in seen:
            continue
        seen.add((kind, key, device_id))
    for kind, key, device_id in seen:
        record_change(session, kind, key, device_id)
