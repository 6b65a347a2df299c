"""Categories, departments, locations and notices for every device."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server_sync.models import Category, Department, Device, Location, Notice

from . import producer


def _rows(session: Session, model, keys: set[str] | None, *where) -> list[dict[str, Any]]:
    query = select(model).where(*where)
    if keys is not None:
        query = query.where(model.key.in_(keys))
    return [row.sync_row() for row in session.scalars(query.order_by(model.key))]


@producer("departments")
def departments(session: Session, device: Device, keys: set[str] | None) -> list[dict]:
    return _rows(session, Department, keys)


@producer("categories")
def categories(session: Session, device: Device, keys: set[str] | None) -> list[dict]:
    rows = _rows(session, Category, keys)
    return sorted(rows, key=lambda row: (row["position"], row["key"]))


@producer("locations")
def locations(session: Session, device: Device, keys: set[str] | None) -> list[dict]:
    return _rows(session, Location, keys)


@producer("notices")
def notices(session: Session, device: Device, keys: set[str] | None) -> list[dict]:
    # A withdrawn notice is left out, so the device receives it as deleted.
    return _rows(session, Notice, keys, Notice.withdrawn_at.is_(None))
