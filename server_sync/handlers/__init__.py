"""Event handlers: one function per event type, applied in the caller's transaction.

A handler is registered with the `handler` decorator::

    @handler("points.redeemed")
    def apply_redemption(session, device, event, payload) -> dict:
        ...
        return {"entry": entry.id, "balance": balance}

It gets the database session (inside the transaction of the whole batch, in a
savepoint of its own), the sending `Device` (None for events that did not come
from a device, such as the phone page), the validated `protocol.Event` and its
validated payload model. It writes what the event means and returns a small
JSON-able result that the device receives, and receives again if it sends the
event twice. It raises `Rejected(reason)` when the event cannot be applied; the
reason is shown to a technician, so write it as a sentence that says what to do.

While a batch is applied, `batch_state(session)` is a dict for the handlers:
its ``"events"`` are the batch's ``(event, payload)`` pairs, so a handler may
look up what all of them need in one query (see `handlers.reports`), and it may
keep lookups there for the rest of the batch. The dict is emptied (and
``"events"`` left out) when the batch is redone one event at a time.

A handler that writes many plain rows may queue them with `defer` instead of
adding ORM objects: the rows of the whole batch are then written together by
one bulk INSERT (see `handlers.reports`). Queued rows are written before the
event's savepoint is released, and dropped with it when the event is refused.

Every module in this package is imported by `load_handlers`, so an area adds
``handlers/<area>.py`` without editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from server_sync.models import Device
from server_sync.protocol import Event

HandlerFn = Callable[[Session, Device | None, Event, BaseModel], dict[str, Any]]

_BATCH_STATE = "handler_batch_state"
_DEFERRED = "handler_deferred_rows"

Writer = Callable[[Session, list[Any]], None]

_HANDLERS: dict[str, HandlerFn] = {}
_loaded = False


class Rejected(Exception):
    """The event cannot be applied; `reason` says why in words a technician can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def handler(event_type: str) -> Callable[[HandlerFn], HandlerFn]:
    """Register the decorated function as the handler of `event_type`."""

    def register(fn: HandlerFn) -> HandlerFn:
        existing = _HANDLERS.get(event_type)
        if existing is not None and existing is not fn:
            raise RuntimeError(
                f"{event_type} already has a handler: {existing.__module__}.{existing.__name__}"
            )
        _HANDLERS[event_type] = fn
        return fn

    return register


def load_handlers() -> dict[str, HandlerFn]:
    """Import every handler module once; returns the registry."""
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return _HANDLERS


def get_handler(event_type: str) -> HandlerFn | None:
    return load_handlers().get(event_type)


def batch_state(session: Session) -> dict[str, Any]:
    """Lookups the handlers share while one batch is applied (see the module's docstring)."""
    return session.info.setdefault(_BATCH_STATE, {})


def start_batch(session: Session, events: list[tuple[Event, BaseModel]] | None) -> None:
    """Reset the shared lookups; `events` is None when events are applied one at a time."""
    session.info[_BATCH_STATE] = {} if events is None else {"events": events}
    discard_deferred(session)


def defer(session: Session, writer: Writer, row: Any) -> None:
    """Queue `row` to be written by `writer(session, rows)` with the rest of the batch."""
    queues: dict[Writer, list[Any]] = session.info.setdefault(_DEFERRED, {})
    queues.setdefault(writer, []).append(row)


def write_deferred(session: Session) -> None:
    """Write every queued row (called by the ingest before a savepoint is released)."""
    queues: dict[Writer, list[Any]] = session.info.pop(_DEFERRED, {})
    for writer, rows in queues.items():
        writer(session, rows)


def discard_deferred(session: Session) -> None:
    session.info.pop(_DEFERRED, None)


def actor_for(device: Device | None) -> str:
    """How a report's history names the device an event came from."""
    return f"device:{device.short_code}" if device is not None else "phone"
