"""Events as a device sends them, for the server tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from server_sync.protocol import new_event_id

# For tests of HTTP behaviour the database does not change: run them on SQLite only.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# Small media limits so the over-the-limit test does not move megabytes.
TEST_PHOTO_LIMIT = 256 * 1024

_tickets = itertools.count(1)


def event(
    event_type: str,
    payload: dict[str, Any],
    *,
    event_id: str | None = None,
    media: list[str] | None = None,
) -> dict[str, Any]:
    """An event as a device sends it."""
    body = {
        "id": event_id or str(new_event_id()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": payload,
    }
    if media:
        body["media"] = media
    return body


def new_ticket(short_code: str = "L07") -> str:
    return f"{short_code}-{datetime.now(UTC):%y%m%d}-{next(_tickets):04d}"


def report_event(ticket: str | None = None, **payload: Any) -> dict[str, Any]:
    body = {
        "ticket": ticket or new_ticket(),
        "category": "lift_fault",
        "location": "b07-lift-1",
    } | payload
    return event("report.submitted", body)
