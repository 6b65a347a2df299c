"""Apply `service.requested` (home visits) and `help.requested` (emergency calls)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from server_sync.models import Device, HelpRequest, ServiceRequest, utcnow
from server_sync.protocol import Event, HelpRequested, ServiceRequested

from . import defer, handler

log = logging.getLogger(__name__)


@handler("service.requested")
def apply_service_requested(
    session: Session, device: Device | None, event: Event, payload: ServiceRequested
) -> dict[str, Any]:
    row = {
        "service": payload.service,
        "location": payload.location,
        "building": payload.building,
        "unit": payload.unit,
        "contact_kind": payload.contact.kind,
        "contact_card": payload.contact.card,
        "contact_phone": payload.contact.phone,
        "ticket": payload.ticket,
        "requested_at": event.occurred_at,
        "received_at": utcnow(),
        "device_id": device.id if device is not None else None,
        "event_id": event.id,
    }
    defer(session, write_service_requests, row)
    return {"service": payload.service, "status": "open"}


def write_service_requests(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the batch's home-visit requests in one statement."""
    session.execute(insert(ServiceRequest.__table__), rows)


@handler("help.requested")
def apply_help_requested(
    session: Session, device: Device | None, event: Event, payload: HelpRequested
) -> dict[str, Any]:
    alert = HelpRequest(
        location=payload.location,
        requested_at=event.occurred_at,
        received_at=utcnow(),
        device_id=device.id if device is not None else None,
        event_id=event.id,
    )
    session.add(alert)
    log.warning("help requested at %s", payload.location)
    return {"help": "raised"}
