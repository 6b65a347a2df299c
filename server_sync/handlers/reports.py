"""Apply `report.submitted` and `report.rated`: reports, their history and routing."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from server_sync.models import (
    Category,
    Device,
    MediaObject,
    Report,
    ReportHistory,
    record_changes,
    utcnow,
)
from server_sync.protocol import Event, ReportRated, ReportSubmitted

from . import Rejected, actor_for, batch_state, defer, handler

log = logging.getLogger(__name__)

RATEABLE = ("resolved", "reviewed")


def _ticket_taken(session: Session, ticket: str) -> bool:
    """Whether a stored report has `ticket`; looked up once for all reports of the batch.

    A report pending in the same batch with the same ticket is caught by the
    unique constraint instead, and the batch is then applied one event at a time.
    """
    state = batch_state(session)
    if "events" not in state:
        with session.no_autoflush:
            return session.scalar(select(Report.id).where(Report.ticket == ticket)) is not None
    if "tickets_taken" not in state:
        wanted = {
            payload.ticket
            for event, payload in state["events"]
            if event.type == "report.submitted"
        } | {ticket}
        with session.no_autoflush:
            state["tickets_taken"] = set(
                session.scalars(select(Report.ticket).where(Report.ticket.in_(wanted)))
            )
    return ticket in state["tickets_taken"]


def _category(session: Session, key: str) -> Category | None:
    """The category, held for the whole batch so it is not loaded (and flushed for) per event."""
    held = batch_state(session).setdefault("categories", {})
    if key not in held:
        with session.no_autoflush:
            held[key] = session.get(Category, key)
    return held[key]


def require_media(session: Session, refs: list[tuple[str, str]]) -> None:
    """Reject the event when any media it names has not been uploaded yet."""
    wanted = {sha for sha, _kind in refs}
    if not wanted:
        return
    with session.no_autoflush:
        present = set(
            session.scalars(select(MediaObject.sha256).where(MediaObject.sha256.in_(wanted)))
        )
    for sha, kind in refs:
        if sha not in present:
            raise Rejected(
                f"the {kind} {sha[:12]}… is not on the server yet; "
                "upload it with PUT /api/v1/media/{sha256} and send the event again"
            )


def event_media(event: Event, payload_media: list[Any]) -> list[tuple[str, str]]:
    refs = [(ref.sha256, str(ref.kind)) for ref in payload_media]
    named = {sha for sha, _ in refs}
    refs += [(sha, "media") for sha in event.media if sha not in named]
    return refs


@handler("report.submitted")
def apply_report_submitted(
    session: Session, device: Device | None, event: Event, payload: ReportSubmitted
) -> dict[str, Any]:
    if _ticket_taken(session, payload.ticket):
        raise Rejected(
            f"ticket {payload.ticket} is already used by another report; "
            "the device's ticket sequence may have been reset"
        )
    category = _category(session, payload.category)
    if category is None:
        raise Rejected(
            f"category {payload.category!r} does not exist on the server; "
            "pull the reference data and submit the report again"
        )
    refs = event_media(event, payload.media)
    require_media(session, refs)

    now = utcnow()
    # The deadline runs from when the resident reported, unless the device clock is ahead.
    reported_at = min(event.occurred_at, now)
    routed = bool(category.department)
    deadline = reported_at + timedelta(hours=category.deadline_hours) if routed else None
    report = {
        "ticket": payload.ticket,
        "category": category.key,
        "location": payload.location,
        "building": payload.building,
        "unit": payload.unit,
        "phrases": list(payload.phrases),
        "text": payload.text,
        "media": [{"sha256": sha, "kind": kind} for sha, kind in refs],
        "contact_kind": payload.contact.kind,
        "contact_card": payload.contact.card,
        "contact_phone": payload.contact.phone,
        "status": "routed" if routed else "submitted",
        "department": category.department if routed else None,
        "deadline_at": deadline,
        "county": category.county,
        "submitted_at": event.occurred_at,
        "received_at": now,
        "updated_at": now,
        "device_id": device.id if device is not None else None,
        "event_id": event.id,
    }
    history = [
        {
            "at": now,
            "status_from": None,
            "status_to": "submitted",
            "actor": actor_for(device),
            "department": None,
            "note": "received from the device",
        },
    ]
    if routed:
        history.append(
            {
                "at": now,
                "status_from": "submitted",
                "status_to": "routed",
                "actor": "system",
                "department": category.department,
                "note": "routed to the category's default department",
            }
        )
    # Written with the batch's other reports in one INSERT (see write_reports).
    defer(session, write_reports, (report, history))
    log.debug("report %s submitted (%s)", payload.ticket, category.key)
    return {
        "ticket": payload.ticket,
        "status": report["status"],
        "department": report["department"],
        "deadline_at": deadline.isoformat() if deadline else None,
    }


def write_reports(session: Session, rows: list[tuple[dict, list[dict]]]) -> None:
    """Insert the queued reports, then their history rows, and mark their tickets changed."""
    reports = Report.__table__
    inserted = session.execute(
        insert(reports).returning(reports.c.ticket, reports.c.id), [report for report, _ in rows]
    )
    ids = {ticket: report_id for ticket, report_id in inserted}
    history = [
        entry | {"report_id": ids[report["ticket"]]}
        for report, entries in rows
        for entry in entries
    ]
    session.execute(insert(ReportHistory.__table__), history)
    record_changes(session, "tickets", ids)


@handler("report.rated")
def apply_report_rated(
    session: Session, device: Device | None, event: Event, payload: ReportRated
) -> dict[str, Any]:
    report = session.scalar(select(Report).where(Report.ticket == payload.ticket.upper()))
    if report is None:
        raise Rejected(f"there is no report with ticket {payload.ticket}")
    if report.rating is not None:
        raise Rejected(f"report {report.ticket} has already been rated")
    if report.status not in RATEABLE:
        raise Rejected(
            f"report {report.ticket} is {report.status}; it can be rated once it is resolved"
        )
    now = utcnow()
    report.rating = payload.rating
    report.rating_comment = payload.comment
    report.history.append(
        ReportHistory(
            at=now,
            status_from=report.status,
            status_to="closed",
            actor=actor_for(device),
            note=f"rated {payload.rating} of 5",
        )
    )
    report.status = "closed"
    report.closed_at = now
    report.updated_at = now
    return {"ticket": report.ticket, "status": report.status, "rating": report.rating}
