"""Producers of the reference data devices pull with `GET /sync/state`.

A producer returns the current rows of one kind (see the team conventions:
categories, departments, locations, notices, config, tickets, and the points
kinds)::

    @producer("catalogue")
    def catalogue(session, device, keys):
        query = select(CatalogueItem)
        if keys is not None:
            query = query.where(CatalogueItem.code.in_(keys))
        return [item.sync_row() for item in session.scalars(query)]

`keys` is None for a full pull (every row the device should hold) or the set
of keys that changed since the device's cursor. A key asked for but not
returned goes to the device as ``{"key": ..., "deleted": true}``. Changes are
found through the change log (`models.changes`): a model with
``__sync_kind__`` records them by itself; anything else calls
`models.record_change(session, kind, key)` in the transaction that changes it.

`roles` limits a kind to devices of those roles (cards and accounts go to the
supermarket only). Every module in this package is imported by
`load_producers`, so an area adds ``state/<area>.py`` without editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server_sync.models import Change, Device

ProducerFn = Callable[[Session, Device, "set[str] | None"], Iterable[dict[str, Any]]]


@dataclass(frozen=True)
class Producer:
    kind: str
    fn: ProducerFn
    roles: frozenset[str] | None = None

    def serves(self, device: Device) -> bool:
        return self.roles is None or device.role in self.roles


_PRODUCERS: dict[str, Producer] = {}
_loaded = False


def producer(
    kind: str, *, roles: Collection[str] | None = None
) -> Callable[[ProducerFn], ProducerFn]:
    """Register the decorated function as the producer of reference kind `kind`."""

    def register(fn: ProducerFn) -> ProducerFn:
        existing = _PRODUCERS.get(kind)
        if existing is not None and existing.fn is not fn:
            raise RuntimeError(f"reference kind {kind} already has a producer: {existing.fn}")
        _PRODUCERS[kind] = Producer(kind, fn, frozenset(roles) if roles is not None else None)
        return fn

    return register


def load_producers() -> dict[str, Producer]:
    """Import every producer module once; returns the registry."""
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return _PRODUCERS


# ---------------------------------------------------------------- building a response

# Changes returned by one pull at most; the device pulls again while `more` is true.
PAGE_CHANGES = 5000


class BadCursor(ValueError):
    """The cursor was not issued by this server."""


def _kinds_tag(kinds: Iterable[str]) -> str:
    # A cursor remembers which kinds the device was sent, so a kind that a newer
    # server adds reaches old cursors as a full pull.
    return format(zlib.crc32(",".join(sorted(kinds)).encode()), "08x")


def build_state(
    session: Session, device: Device, since: str | None, *, page: int = PAGE_CHANGES
) -> dict[str, Any]:
    """The reference data changed since `since` (all of it when None) and the next cursor."""
    producers = {k: p for k, p in load_producers().items() if p.serves(device)}
    tag = _kinds_tag(producers)
    head = session.scalar(select(func.max(Change.seq))) or 0

    seq = None
    if since:
        number, _, since_tag = since.partition(".")
        if not number.isdigit() or len(number) > 18 or not since_tag:
            raise BadCursor("the cursor was not issued by this server; pull without one")
        seq = int(number)
        if since_tag != tag or seq > head:
            seq = None  # new kinds, or a server database restored from an older backup

    if seq is None:
        changes = {kind: list(p.fn(session, device, None)) for kind, p in producers.items()}
        return {"cursor": f"{head}.{tag}", "full": True, "more": False, "changes": changes}

    rows = session.execute(
        select(Change.seq, Change.kind, Change.key)
        .where(
            Change.seq > seq,
            Change.seq <= head,
            or_(Change.device_id.is_(None), Change.device_id == device.id),
        )
        .order_by(Change.seq)
        .limit(page + 1)
    ).all()
    more = len(rows) > page
    rows = rows[:page]
    cursor_seq = rows[-1].seq if more else head
    keys_by_kind: dict[str, set[str]] = {}
    for row in rows:
        if row.kind in producers:
            keys_by_kind.setdefault(row.kind, set()).add(row.key)

    changes: dict[str, list[dict[str, Any]]] = {}
    for kind, keys in keys_by_kind.items():
        found = list(producers[kind].fn(session, device, keys))
        present = {str(row["key"]) for row in found}
        found += [{"key": key, "deleted": True} for key in sorted(keys - present)]
        changes[kind] = found
    return {"cursor": f"{cursor_seq}.{tag}", "full": False, "more": more, "changes": changes}
