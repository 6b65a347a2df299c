"""Apply a batch of events from a device: once each, in one transaction.

The event id is the idempotency key. Each event is claimed by inserting its
row into the event log with ON CONFLICT DO NOTHING: if the insert finds the id
already there (sent before, or by a second connection at the same moment), the
event is a duplicate and its original result is returned. Each event is applied
in a savepoint, so a rejected one leaves no trace and does not disturb the
others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import Database
from .handlers import (
    Rejected,
    discard_deferred,
    get_handler,
    start_batch,
    write_deferred,
)
from .models import Device, EventLog, EventRejection, utcnow
from .models.changes import lock_change_log
from .protocol import Event, EventResult, ResultStatus, parse_payload

log = logging.getLogger(__name__)


def describe(exc: ValidationError, prefix: str = "") -> str:
    """A validation error as one line a technician can read."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "")
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    return "; ".join(parts)


def validate(raw: Any) -> tuple[Event, BaseModel]:
    """The event and its payload, or ValueError with a readable reason."""
    if not isinstance(raw, dict):
        raise ValueError("an event must be a JSON object")
    try:
        event = Event.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(f"malformed event: {describe(exc)}") from None
    try:
        payload = parse_payload(event.type, event.payload)
    except ValidationError as exc:
        raise ValueError(f"malformed {event.type} payload: {describe(exc, 'payload')}") from None
    return event, payload


def _raw_id(raw: Any) -> str:
    value = raw.get("id") if isinstance(raw, dict) else None
    return _storable(str(value)[:64]) if isinstance(value, str | int) else ""


def _storable(text: str) -> str:
    """Text from a refused event, made safe to keep (PostgreSQL cannot store NUL)."""
    return text.replace("\x00", "\ufffd")


def _claim(session: Session, event: Event, device: Device | None, raw: dict) -> bool:
    """Insert the event's log row; False when the id is already in the log."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(EventLog)
        .values(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            received_at=utcnow(),
            device_id=device.id if device is not None else None,
            payload=raw.get("payload", {}),
            media=list(event.media),
            result={},
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(EventLog.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


def _results_of(session: Session, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    """The stored result of each of `ids` that is in the event log."""
    if not ids:
        return {}
    rows = session.execute(select(EventLog.id, EventLog.result).where(EventLog.id.in_(ids)))
    return {row.id: row.result for row in rows}


def apply_batch(
    database: Database, device_id: int | None, raw_events: Sequence[Any]
) -> list[EventResult]:
    """One result per event, in order: accepted, duplicate or rejected with a reason."""
    results: list[EventResult | None] = [None] * len(raw_events)
    valid: list[tuple[int, Event, BaseModel, dict]] = []
    for index, raw in enumerate(raw_events):
        try:
            event, payload = validate(raw)
        except ValueError as exc:
            results[index] = EventResult(
                id=_raw_id(raw), status=ResultStatus.REJECTED, reason=str(exc)
            )
            continue
        valid.append((index, event, payload, raw))

    applied: dict[UUID, dict[str, Any]] = {}
    raced: list[tuple[int, UUID]] = []
    with database.session() as session, session.begin():
        # On PostgreSQL, one batch at a time: see models.changes for why.
        # Limitation: batches from different devices therefore queue on PostgreSQL
        # instead of being applied side by side; each is one short transaction.
        lock_change_log(session)
        device = session.get(Device, device_id) if device_id is not None else None
        device_code = device.short_code if device is not None else "-"
        earlier = _results_of(session, [event.id for _, event, _, _ in valid])

        todo: list[tuple[int, Event, BaseModel, dict]] = []
        repeats: list[tuple[int, UUID]] = []
        queued: dict[UUID, int] = {}  # event id -> index of its first occurrence
        for index, event, payload, raw in valid:
            if event.id in earlier:
                results[index] = EventResult(
                    id=str(event.id), status=ResultStatus.DUPLICATE, result=earlier[event.id]
                )
            elif event.id in queued:
                repeats.append((index, event.id))
            elif get_handler(event.type) is None:
                results[index] = EventResult(
                    id=str(event.id),
                    status=ResultStatus.REJECTED,
                    reason=f"this server does not handle {event.type} events yet; "
                    "update the server",
                )
            else:
                todo.append((index, event, payload, raw))
                queued[event.id] = index

        start_batch(session, [(event, payload) for _, event, payload, _ in todo])
        together = _apply_together(session, device, todo) if todo else {}
        if together is not None:
            for index, event, _, _ in todo:
                applied[event.id] = together[event.id]
                results[index] = EventResult(
                    id=str(event.id), status=ResultStatus.ACCEPTED, result=together[event.id]
                )
        else:
            # Something in the batch was refused: apply one event at a time instead.
            start_batch(session, None)
            for index, event, payload, raw in todo:
                outcome = _apply_one(session, device, event, payload, raw)
                if outcome is None:
                    raced.append((index, event.id))
                elif isinstance(outcome, str):
                    results[index] = EventResult(
                        id=str(event.id), status=ResultStatus.REJECTED, reason=outcome
                    )
                else:
                    applied[event.id] = outcome
                    results[index] = EventResult(
                        id=str(event.id), status=ResultStatus.ACCEPTED, result=outcome
                    )
            if applied:
                session.execute(
                    update(EventLog),
                    [{"id": key, "result": value} for key, value in applied.items()],
                )

        if raced:
            # Applied by another connection while this batch waited for the id.
            originals = _results_of(session, [event_id for _, event_id in raced])
            for index, event_id in raced:
                results[index] = EventResult(
                    id=str(event_id),
                    status=ResultStatus.DUPLICATE,
                    result=originals.get(event_id),
                )
        for index, event_id in repeats:
            first = results[queued[event_id]]
            if first.status == ResultStatus.REJECTED:
                results[index] = first.model_copy()
            else:
                results[index] = EventResult(
                    id=str(event_id), status=ResultStatus.DUPLICATE, result=first.result
                )
        rejected = [
            (raw_events[i], r) for i, r in enumerate(results) if r.status == ResultStatus.REJECTED
        ]
        for raw, result in rejected:
            event_type = raw.get("type") if isinstance(raw, dict) else None
            session.add(
                EventRejection(
                    event_id=result.id,
                    type=_storable(str(event_type)[:40]) if event_type else "",
                    device_id=device_id,
                    reason=_storable(result.reason or ""),
                )
            )

    counts = {status: 0 for status in ResultStatus}
    for result in results:
        counts[result.status] += 1
    log.info(
        "batch from device %s: %d accepted, %d duplicate, %d rejected",
        device_code,
        counts[ResultStatus.ACCEPTED],
        counts[ResultStatus.DUPLICATE],
        counts[ResultStatus.REJECTED],
    )
    return results  # type: ignore[return-value]


def _log_row(event: Event, device: Device | None, raw: dict, result: dict, now) -> dict:
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "received_at": now,
        "device_id": device.id if device is not None else None,
        "payload": raw.get("payload", {}),
        "media": list(event.media),
        "result": result,
    }


def _insert_ignoring_duplicates(session: Session):
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(EventLog.__table__).on_conflict_do_nothing(index_elements=["id"])


def _apply_together(
    session: Session, device: Device | None, todo: list[tuple[int, Event, BaseModel, dict]]
) -> dict[UUID, dict[str, Any]] | None:
    """Apply every event in one savepoint with one flush: the fast path for a clean batch.

    Returns each event's result, or None, having undone everything, as soon as
    one event is rejected or fails; the caller then applies them one at a time.
    """
    savepoint = session.begin_nested()
    try:
        outcomes: dict[UUID, dict[str, Any]] = {}
        for _, event, payload, _ in todo:
            outcomes[event.id] = get_handler(event.type)(session, device, event, payload)
        write_deferred(session)
        session.flush()
        now = utcnow()
        rows = [_log_row(event, device, raw, outcomes[event.id], now) for _, event, _, raw in todo]
        inserted = session.connection().execute(
            _insert_ignoring_duplicates(session).returning(EventLog.__table__.c.id), rows
        )
        if len(inserted.all()) != len(rows):
            raise _Fallback("an event id was taken meanwhile")
        savepoint.commit()
        return outcomes
    except Exception as exc:
        _undo(session, savepoint)
        log.debug("batch applied one event at a time: %s", exc)
        return None


def _undo(session: Session, savepoint) -> None:
    """Roll a savepoint back and forget the state of every loaded object.

    The rows are restored by the database, but an object a handler changed in
    Python (``account.balance += points``) and flushed is not always expired by
    SQLAlchemy's savepoint rollback; kept, it would carry the undone change into
    the next event of the batch.
    """
    savepoint.rollback()
    discard_deferred(session)
    session.expire_all()


class _Fallback(Exception):
    pass


def _apply_one(
    session: Session, device: Device | None, event: Event, payload: BaseModel, raw: dict
) -> dict[str, Any] | str | None:
    """The handler's result, a rejection reason, or None when the id was taken meanwhile."""
    handler = get_handler(event.type)
    if handler is None:
        return f"this server does not handle {event.type} events yet; update the server"
    savepoint = session.begin_nested()
    try:
        if not _claim(session, event, device, raw):
            savepoint.rollback()
            return None
        result = handler(session, device, event, payload)
        write_deferred(session)
        session.flush()
        savepoint.commit()
        return result
    except Rejected as exc:
        _undo(session, savepoint)
        return exc.reason
    except IntegrityError as exc:
        _undo(session, savepoint)
        log.warning("event %s (%s) conflicts with stored data: %s", event.id, event.type, exc.orig)
        return "this event conflicts with data already on the server; a technician must check it"
    except Exception:
        _undo(session, savepoint)
        log.exception("event %s (%s) could not be applied", event.id, event.type)
        return "the server failed to apply this event; it is logged for a technician"
