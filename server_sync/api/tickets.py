"""GET /tickets/{ticket}: the public status of one report, for residents tracking it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from server_sync.db import Database
from server_sync.models import Category, Report
from server_sync.protocol.tickets import parse_ticket

from .deps import get_database
from .errors import ApiError, error_responses

router = APIRouter(prefix="/tickets", tags=["tickets"])


class TicketStatus(BaseModel):
    """What anyone holding the ticket may see: no name, phone, text or photos."""

    ticket: str
    category: str
    category_zh: str
    category_en: str
    status: str
    submitted_at: datetime
    updated_at: datetime


# Limitation: this endpoint needs no sign-in and tickets are sequential, so anyone can
# learn the category and status of other reports (never who made them or what they
# said). Residents track tickets from phones without accounts; there is no rate limit
# here yet.
@router.get("/{ticket}", response_model=TicketStatus, responses=error_responses(404))
def ticket_status(ticket: str, database: Database = Depends(get_database)) -> TicketStatus:
    parsed = parse_ticket(ticket) if len(ticket) <= 40 else None
    if parsed is None:
        raise ApiError(
            404,
            "ticket_not_found",
            "this is not a ticket number; it looks like L07-261203-0012 on the slip",
        )
    with database.read_session() as session:
        row = session.execute(
            select(Report, Category)
            .join(Category, Category.key == Report.category)
            .where(Report.ticket == ticket.strip().upper())
        ).first()
    if row is None:
        raise ApiError(
            404,
            "ticket_not_found",
            "no report has this ticket yet; a report made offline may take a while to arrive",
        )
    report, category = row
    return TicketStatus(
        ticket=report.ticket,
        category=category.key,
        category_zh=category.name_zh,
        category_en=category.name_en,
        status=report.status,
        submitted_at=report.submitted_at,
        updated_at=report.updated_at,
    )
