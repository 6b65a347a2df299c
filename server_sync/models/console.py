"""What the console keeps for itself: the audit log, note attachments, web ticket
sequences and Open311 client keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow
from .reports import Report


class AuditEntry(Base):
    """One change made through the console: who, when, what, to which record."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # "staff:<username>", "phone", "open311:<client>", "system".
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(60))
    # What was changed, e.g. "report:L07-261203-0012", "device:5", "notice:winter-heating".
    target: Mapped[str] = mapped_column(String(120), default="")
    # Field values that changed; never a resident's phone number or full name.
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_audit_log_target", "target"),)


class HistoryMedia(Base):
    """A photo, voice note or video attached to one history row of a report.

    Resolutions and notes from a department carry their photos here; media a
    resident sent is on the report itself.
    """

    __tablename__ = "report_history_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    history_id: Mapped[int] = mapped_column(
        ForeignKey("report_history.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    kind: Mapped[str] = mapped_column(String(20))


class TicketSequence(Base):
    """The server's own ticket counters, for reports that do not come from a device
    (the phone page `WEB`, Open311 clients `API`): one row per code and day."""

    __tablename__ = "ticket_sequences"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(6), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Open311Client(Base):
    """An Open311 client allowed to post requests; only the key's SHA-256 is kept."""

    __tablename__ = "open311_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")


# The monthly analysis and the report lists read reports by when they came in.
Index("ix_reports_submitted_at", Report.submitted_at)
Index("ix_reports_department_status", Report.department, Report.status)
