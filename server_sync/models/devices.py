"""Devices, their enrolment codes, configuration and the commands sent to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

ROLES = ("lift", "square", "supermarket")
ROLE_LETTERS = {"lift": "L", "square": "S", "supermarket": "M"}


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    short_code: Mapped[str] = mapped_column(String(8), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the bearer token; the token itself is shown once at enrolment.
    token_hash: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last heartbeat as the device sent it (queue depth, printer, camera...).
    health: Mapped[dict[str, Any]] = mapped_column(default=dict)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    commands: Mapped[list[DeviceCommand]] = relationship(back_populates="device")


class EnrolmentCode(Base):
    """A one-time code a technician types into a new device to enrol it."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    created_by: Mapped[str] = mapped_column(String(80), default="")


class ConfigValue(Base):
    """A configuration setting for every device (device_id empty) or for one device.

    A device's `config` reference data is the shared values overlaid with its own.
    """

    __tablename__ = "config_values"
    __sync_kind__ = "config"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), default=None
    )
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Limitation: both databases treat NULLs as distinct, so this constraint does not stop
    # two shared rows (device_id NULL) with the same key; code that writes shared values
    # must update the existing row. SQLite has no NULLS NOT DISTINCT.
    __table_args__ = (UniqueConstraint("device_id", "key", name="uq_config_values_device_key"),)

    def sync_key(self) -> str:
        return self.key

    @property
    def sync_device_id(self) -> int | None:
        return self.device_id


class DeviceCommand(Base):
    """A technician's command for one device, delivered with its next heartbeat.

    Status runs pending -> sent -> done or failed; the outcome arrives as a
    `command.completed` event.
    """

    __tablename__ = "device_commands"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    ok: Mapped[bool | None] = mapped_column(default=None)
    output: Mapped[str] = mapped_column(Text, default="")

    device: Mapped[Device] = relationship(back_populates="commands")
