"""Report ticket numbers: made on the device so a slip can be printed offline.

A ticket is the device's short code, the local date and a per-device sequence,
for example ``L07-261203-0012``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TICKET_RE = re.compile(r"^(?P<device>[A-Z0-9]{2,8})-(?P<date>\d{6})-(?P<seq>\d{4,6})$")
SHORT_CODE_RE = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass(frozen=True)
class Ticket:
    device: str
    day: date
    seq: int

    def __str__(self) -> str:
        return format_ticket(self.device, self.day, self.seq)


def format_ticket(device: str, day: date, seq: int) -> str:
    if not SHORT_CODE_RE.match(device):
        raise ValueError(f"device short code {device!r} is not 2-8 capital letters or digits")
    if not 1 <= seq <= 999_999:
        raise ValueError("ticket sequence must be between 1 and 999999")
    return f"{device}-{day:%y%m%d}-{seq:04d}"


def parse_ticket(text: str) -> Ticket | None:
    """The ticket in `text`, or None when it is not a ticket number."""
    match = TICKET_RE.match(text.strip().upper())
    if not match:
        return None
    raw = match["date"]
    try:
        day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return None
    return Ticket(match["device"], day, int(match["seq"]))
