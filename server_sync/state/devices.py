"""A device's own configuration and the public status of recent tickets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server_sync.models import ConfigValue, Device, Report, utcnow

from . import producer

# Open reports and those changed within this many days go to every device.
TICKET_DAYS = 30


@producer("config")
def config(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    """Shared settings overlaid with this device's own."""
    query = select(ConfigValue).where(
        or_(ConfigValue.device_id.is_(None), ConfigValue.device_id == device.id)
    )
    if keys is not None:
        query = query.where(ConfigValue.key.in_(keys))
    values: dict[str, Any] = {}
    # Shared values first (device_id NULL sorts first in both databases' order here).
    for row in sorted(session.scalars(query), key=lambda r: r.device_id is not None):
        values[row.key] = row.value
    return [{"key": key, "value": value} for key, value in sorted(values.items())]


@producer("tickets")
def tickets(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    """Recent and open reports, with no personal data, for offline ticket tracking."""
    query = select(Report)
    if keys is None:
        since = utcnow() - timedelta(days=TICKET_DAYS)
        query = query.where(or_(Report.status != "closed", Report.updated_at >= since))
    else:
        query = query.where(Report.ticket.in_(keys))
    return [report.sync_row() for report in session.scalars(query.order_by(Report.id))]
