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
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from server_sync.models import Device

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
