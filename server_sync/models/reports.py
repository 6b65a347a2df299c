"""Residents' reports with their history, home-visit requests and help alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

REPORT_STATUSES = ("submitted", "routed", "accepted", "resolved", "reviewed", "closed")


class Report(Base):
    __tablename__ = "reports"
    __sync_kind__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(ForeignKey("categories.key"))
    location: Mapped[str] = mapped_column(String(80))
    building: Mapped[int | None] = mapped_column(default=None)
    unit: Mapped[int | None] = mapped_column(default=None)
    phrases: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[Any]] = mapped_column(default=list)
    # Personal data: never logged, never in the public ticket status.
    contact_kind: Mapped[str] = mapped_column(String(20), default="anonymous")
    contact_card: Mapped[str | None] = mapped_column(String(200), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(20), default=None)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    department: Mapped[str | None] = mapped_column(ForeignKey("departments.key"), default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    county: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    rating: Mapped[int | None] = mapped_column(default=None)
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    event_id: Mapped[UUID | None] = mapped_column(default=None)

    history: Mapped[list[ReportHistory]] = relationship(
        back_populates="report", order_by="ReportHistory.id"
    )

    __table_args__ = (
        Index("ix_reports_status_deadline", "status", "deadline_at"),
        Index("ix_reports_updated_at", "updated_at"),
    )

    def sync_key(self) -> str:
        return self.ticket

    def sync_row(self) -> dict[str, Any]:
        """The public view of a report: what a kiosk may show anyone who has the ticket."""
        return {
            "key": self.ticket,
            "category": self.category,
            "status": self.status,
            "updated_at": self.updated_at.isoformat(),
        }


class ReportHistory(Base):
    """One change to a report: who, when, from which status to which, and why."""

    __tablename__ = "report_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_from: Mapped[str | None] = mapped_column(String(20), default=None)
    status_to: Mapped[str] = mapped_column(String(20))
    # "device:L07", "system", or "staff:<username>".
    actor: Mapped[str] = mapped_column(String(80))
    department: Mapped[str | None] = mapped_column(String(40), default=None)
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Report] = relationship(back_populates="history")


class ServiceRequest(Base):
    """A resident's request for a home visit (pay bills, fetch medicine, social security)."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(String(80))
    building: Mapped[int | None] = mapped_column(default=None)
    unit: Mapped[int | None] = mapped_column(default=None)
    contact_kind: Mapped[str] = mapped_column(String(20), default="anonymous")
    contact_card: Mapped[str | None] = mapped_column(String(200), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(20), default=None)
    ticket: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")
    requested_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    event_id: Mapped[UUID | None] = mapped_column(default=None)


class HelpRequest(Base):
    """An emergency call from a kiosk, shown on the console until someone acknowledges it."""

    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    event_id: Mapped[UUID | None] = mapped_column(default=None)
