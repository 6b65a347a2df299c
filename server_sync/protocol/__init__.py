"""The wire contract between devices and the server.

Everything a device sends or receives is described here with pydantic models.
This package imports nothing heavier than pydantic and cryptography, so a kiosk
can validate an event without loading the web server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import uuid6
from pydantic import BaseModel, ConfigDict, Field, field_validator

PROTOCOL_VERSION = 1

# Limits a batch must respect; a larger one is refused whole (HTTP 413).
MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 2 * 1024 * 1024

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def new_event_id() -> UUID:
    """A time-ordered UUID (version 7), the idempotency key of an event."""
    return UUID(str(uuid6.uuid7()))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # A NUL character is never real text, and PostgreSQL cannot store one.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("text must not contain NUL characters")
        return value


class EventType(StrEnum):
    REPORT_SUBMITTED = "report.submitted"
    REPORT_RATED = "report.rated"
    POINTS_AWARDED = "points.awarded"
    POINTS_DEDUCTED = "points.deducted"
    POINTS_REDEEMED = "points.redeemed"
    POINTS_REVERSED = "points.reversed"
    SERVICE_REQUESTED = "service.requested"
    HELP_REQUESTED = "help.requested"
    COMMAND_COMPLETED = "command.completed"


class MediaKind(StrEnum):
    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"


class MediaRef(Strict):
    sha256: Sha256
    kind: MediaKind


class Contact(Strict):
    """How the processing centre can reach the resident, if at all."""

    kind: Literal["anonymous", "card", "phone"] = "anonymous"
    card: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^[0-9+\-]{5,20}$")


# ---------------------------------------------------------------- payloads


class ReportSubmitted(Strict):
    version: Literal[1] = 1
    ticket: str = Field(pattern=r"^[A-Z0-9]{2,8}-\d{6}-\d{4,6}$")
    category: str = Field(min_length=1, max_length=40)
    location: str = Field(min_length=1, max_length=80)
    building: int | None = Field(default=None, ge=1, le=999)
    unit: int | None = Field(default=None, ge=1, le=9999)
    phrases: list[str] = Field(default_factory=list, max_length=20)
    text: str = Field(default="", max_length=2000)
    media: list[MediaRef] = Field(default_factory=list, max_length=10)
    contact: Contact = Field(default_factory=Contact)


class ReportRated(Strict):
    version: Literal[1] = 1
    ticket: str = Field(min_length=1, max_length=40)
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class PointsAwarded(Strict):
    """Points earned (or, as `points.deducted`, lost) under one rule."""

    version: Literal[1] = 1
    card: str = Field(min_length=1, max_length=200, description="the scanned card payload")
    rule: str = Field(min_length=1, max_length=40)
    staff: str = Field(default="", max_length=40)
    note: str = Field(default="", max_length=200)
    slip: str | None = Field(default=None, max_length=40)


class RedeemedItem(Strict):
    item: str = Field(min_length=1, max_length=40)
    quantity: int = Field(ge=1, le=999)
    points: int = Field(ge=0, description="points for one unit as the device priced it")


class PointsRedeemed(Strict):
    version: Literal[1] = 1
    card: str = Field(min_length=1, max_length=200)
    receipt: str = Field(min_length=1, max_length=40)
    items: list[RedeemedItem] = Field(min_length=1, max_length=50)
    total: int = Field(ge=0)
    balance_before: int | None = None
    staff: str = Field(default="", max_length=40)


class ReturnedItem(Strict):
    item: str = Field(min_length=1, max_length=40)
    quantity: int = Field(ge=1, le=999)


class PointsReversed(Strict):
    version: Literal[1] = 1
    card: str = Field(min_length=1, max_length=200)
    original: UUID = Field(description="event id of the entry this reverses")
    items: list[ReturnedItem] | None = Field(
        default=None, description="for a partial reversal of a redemption, the goods returned"
    )
    reason: str = Field(default="", max_length=200)
    staff: str = Field(default="", max_length=40)
    receipt: str | None = Field(default=None, max_length=40)


class ServiceRequested(Strict):
    version: Literal[1] = 1
    service: Literal["pay_bills", "fetch_medicine", "social_security"]
    location: str = Field(min_length=1, max_length=80)
    building: int | None = Field(default=None, ge=1, le=999)
    unit: int | None = Field(default=None, ge=1, le=9999)
    contact: Contact = Field(default_factory=Contact)
    ticket: str | None = Field(default=None, max_length=40)


class HelpRequested(Strict):
    version: Literal[1] = 1
    location: str = Field(min_length=1, max_length=80)


class CommandCompleted(Strict):
    version: Literal[1] = 1
    command_id: int
    ok: bool
    output: str = Field(default="", max_length=20000)


PAYLOADS: dict[str, type[BaseModel]] = {
    EventType.REPORT_SUBMITTED: ReportSubmitted,
    EventType.REPORT_RATED: ReportRated,
    EventType.POINTS_AWARDED: PointsAwarded,
    EventType.POINTS_DEDUCTED: PointsAwarded,
    EventType.POINTS_REDEEMED: PointsRedeemed,
    EventType.POINTS_REVERSED: PointsReversed,
    EventType.SERVICE_REQUESTED: ServiceRequested,
    EventType.HELP_REQUESTED: HelpRequested,
    EventType.COMMAND_COMPLETED: CommandCompleted,
}


def parse_payload(event_type: str, payload: dict[str, Any]) -> BaseModel:
    """Validate a payload against its event type; raises ValueError or ValidationError."""
    model = PAYLOADS.get(event_type)
    if model is None:
        raise ValueError(f"unknown event type {event_type!r}")
    return model.model_validate(payload)


# ---------------------------------------------------------------- sync


class Event(Strict):
    """One event as it travels from a device to the server."""

    id: UUID
    type: str = Field(min_length=1, max_length=40)
    occurred_at: datetime
    payload: dict[str, Any]
    media: list[Sha256] = Field(default_factory=list, max_length=10)

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        return value


class EventBatch(BaseModel):
    # Items stay loose here so that one malformed event is rejected on its own
    # instead of failing the whole batch.
    events: list[dict[str, Any]] = Field(max_length=MAX_BATCH_EVENTS)


class ResultStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class EventResult(BaseModel):
    id: str
    status: ResultStatus
    reason: str | None = None
    result: dict[str, Any] | None = None


class BatchResult(BaseModel):
    results: list[EventResult]


class SyncState(BaseModel):
    """Reference data changed since a cursor.

    `changes` maps a kind (categories, departments, locations, notices, config,
    rules, catalogue, accounts, revoked_cards, stars, keys) to rows; each row has
    a `key` unique within its kind and may carry `"deleted": true`.
    """

    cursor: str
    full: bool = False
    # True when the server had more changes than one response holds: pull again.
    more: bool = False
    changes: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class EnrollRequest(Strict):
    code: str = Field(min_length=4, max_length=64)
    name: str = Field(min_length=1, max_length=80)


class EnrollResponse(BaseModel):
    device_id: int
    short_code: str
    token: str
    role: Literal["lift", "square", "supermarket"]
    location: str


class ComponentHealth(BaseModel):
    ok: bool | None = None
    status: str = Field(default="", max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict)


class Heartbeat(BaseModel):
    device_time: datetime
    queue_depth: int = Field(ge=0)
    rejected: int = Field(default=0, ge=0)
    oldest_unsent_age_s: float | None = Field(default=None, ge=0)
    last_sync_at: datetime | None = None
    disk_free_bytes: int | None = Field(default=None, ge=0)
    versions: dict[str, str] = Field(default_factory=dict)
    printer: ComponentHealth = Field(default_factory=ComponentHealth)
    camera: ComponentHealth = Field(default_factory=ComponentHealth)
    clock_skew_s: float | None = None


class Command(BaseModel):
    id: int
    name: Literal["sync_now", "set_config", "print_test_page", "upload_logs"]
    args: dict[str, Any] = Field(default_factory=dict)


class HeartbeatResponse(BaseModel):
    server_time: datetime
    commands: list[Command] = Field(default_factory=list)


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
