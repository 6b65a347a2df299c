"""The event log (every applied event, as received), rejections, and stored media."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class EventLog(Base):
    """An applied event. Its id, made on the device, is the idempotency key."""

    __tablename__ = "event_log"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    media: Mapped[list[Any]] = mapped_column(default=list)
    # What the handler returned; sent back again when the event arrives twice.
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_event_log_type_occurred_at", "type", "occurred_at"),
        Index("ix_event_log_device_id", "device_id"),
    )


class EventRejection(Base):
    """An event the server refused, kept so a technician can see why.

    A rejected event is not in the event log, so the device may send it again
    once the cause is fixed (for example after uploading its media).
    """

    __tablename__ = "event_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    type: Mapped[str] = mapped_column(String(40), default="")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)


class MediaObject(Base):
    """A photo, voice note or video stored under the data directory by its SHA-256."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
