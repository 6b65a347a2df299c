"""Enrolment codes, device tokens and short codes.

A technician creates a one-time code (`ymt-server device-code`), types it into
the new device, and the device exchanges it for a bearer token. The server
keeps only SHA-256 hashes of codes and tokens: both are random enough that a
slow password hash would add nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import ROLE_LETTERS, ROLES, Device, EnrolmentCode, Location, utcnow

log = logging.getLogger(__name__)

# Crockford's base32 without I, L, O and U: nothing to misread on a label.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12


class EnrolmentError(Exception):
    """An enrolment code cannot be used; `code` is a stable name, the message a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Enrolment:
    device: Device
    token: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Codes are read off a screen and typed: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_code(
    session: Session, role: str, location: str, *, hours: int = 24, created_by: str = ""
) -> str:
    """A new one-time enrolment code, shown once as XXXX-XXXX-XXXX."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if session.get(Location, location) is None:
        raise ValueError(f"location {location!r} does not exist; seed or add it first")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    session.add(
        EnrolmentCode(
            code_hash=_digest(raw),
            role=role,
            location=location,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            created_by=created_by,
        )
    )
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def next_short_code(session: Session, role: str, location: str) -> str:
    """The role letter and the lowest free number; a lift kiosk prefers its building's number."""
    letter = ROLE_LETTERS[role]
    taken = set(
        session.scalars(select(Device.short_code).where(Device.short_code.like(f"{letter}%")))
    )
    place = session.get(Location, location)
    if role == "lift" and place is not None and place.building:
        preferred = f"{letter}{place.building:02d}"
        if preferred not in taken:
            return preferred
    number = 1
    while f"{letter}{number:02d}" in taken:
        number += 1
    return f"{letter}{number:02d}"


def enrol(session: Session, code: str, name: str) -> Enrolment:
    """Use up `code` and create the device; raises EnrolmentError when it cannot be used."""
    row = session.scalar(
        select(EnrolmentCode).where(EnrolmentCode.code_hash == _digest(normalise_code(code)))
    )
    now = utcnow()
    if row is None:
        raise EnrolmentError(
            "enrolment_code_unknown",
            "This enrolment code is not known. Check it, or ask for a new one.",
        )
    if row.used_at is not None:
        raise EnrolmentError(
            "enrolment_code_used",
            "This enrolment code has already been used. Ask for a new one.",
        )
    if row.expires_at <= now:
        raise EnrolmentError(
            "enrolment_code_expired",
            "This enrolment code has expired. Ask for a new one.",
        )
    # Claim the code atomically: of two devices using it at once, one wins.
    claimed = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.id == row.id, EnrolmentCode.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise EnrolmentError(
            "enrolment_code_used",
            "This enrolment code has already been used. Ask for a new one.",
        )
    device = Device(
        name=name,
        short_code=next_short_code(session, row.role, row.location),
        role=row.role,
        location=row.location,
        token_hash="",
        enrolled_at=now,
    )
    session.add(device)
    session.flush()
    token = f"{device.id}.{secrets.token_urlsafe(32)}"
    device.token_hash = _digest(token)
    row.device_id = device.id
    log.info("device %s enrolled as %s at %s", device.short_code, device.role, device.location)
    return Enrolment(device=device, token=token)


def device_for_token(session: Session, token: str) -> Device | None:
    """The active device that owns `token`, compared in constant time; None otherwise."""
    device_id, _, secret = token.partition(".")
    if not device_id.isdigit() or len(device_id) > 9 or not secret or len(token) > 200:
        return None
    device = session.get(Device, int(device_id))
    if device is None or device.retired_at is not None:
        return None
    if not hmac.compare_digest(device.token_hash, _digest(token)):
        return None
    return device
