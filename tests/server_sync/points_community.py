"""A small points community on a real, migrated SQLite file, for the points tests.

Migrating takes a moment, so one migrated and seeded file is made per test
session and copied for each test (and each hypothesis example).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server_sync.db import Database
from server_sync.ingest import apply_batch
from server_sync.migrate import upgrade
from server_sync.models import Device
from server_sync.models.points import Household, PointsAccount
from server_sync.points.cards import card_payload, issue_card
from server_sync.points.seed import seed_points
from server_sync.protocol import new_event_id

# (name, building, unit, card number); the first two share a household.
RESIDENTS = [
    ("王小娟", 7, 1203, "2600000001"),
    ("王建国", 7, 1203, "2600000002"),
    ("李秀兰", 7, 502, "2600000003"),
    ("张伟", 3, 801, "2600000004"),
]


def add_residents(session) -> None:
    """The points rules and catalogue, and the residents with their cards."""
    seed_points(session)
    households: dict[tuple[int, int], Household] = {}
    for name, building, unit, card_no in RESIDENTS:
        household = households.get((building, unit))
        if household is None:
            household = households[building, unit] = Household(building=building, unit=unit)
            session.add(household)
        account = PointsAccount(household=household, name=name, balance=0)
        session.add(account)
        session.flush()
        issue_card(session, account, card_no)


def build_template(folder: Path) -> Path:
    path = folder / "points-template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.transaction() as session:
        add_residents(session)
        for number, role in ((1, "supermarket"), (2, "supermarket"), (3, "lift")):
            session.add(
                Device(
                    id=number,
                    name=f"device {number}",
                    short_code=f"{role[0].upper()}0{number}",
                    role=role,
                    location=role,
                    token_hash=f"{number:064d}",
                )
            )
    database.dispose()
    return path


@dataclass
class Community:
    """A copy of the template database and the residents' signed cards."""

    database: Database
    cards: dict[str, str]  # card number -> QR payload

    def card(self, index: int) -> str:
        return self.cards[RESIDENTS[index][3]]

    def send(self, events: list[dict[str, Any]], device_id: int | None = 1) -> list[dict]:
        return [r.model_dump(mode="json") for r in apply_batch(self.database, device_id, events)]

    def send_one(self, event: dict[str, Any], device_id: int | None = 1) -> dict:
        return self.send([event], device_id)[0]


def open_community(template: Path, folder: Path) -> Community:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "server.db"
    shutil.copyfile(template, path)
    database = Database(f"sqlite:///{path}")
    with database.read_session() as session:
        cards = {card_no: card_payload(session, card_no) for *_, card_no in RESIDENTS}
    return Community(database, cards)


def event(
    event_type: str, payload: dict[str, Any], *, at: datetime | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": str(extra.pop("id", None) or new_event_id()),
        "type": event_type,
        "occurred_at": (at or datetime.now(UTC)).isoformat(),
        "payload": payload,
        **extra,
    }


def award(card: str, rule: str, **kw: Any) -> dict[str, Any]:
    return event("points.awarded", {"card": card, "rule": rule}, **kw)


def deduct(card: str, rule: str, **kw: Any) -> dict[str, Any]:
    return event("points.deducted", {"card": card, "rule": rule}, **kw)


PRICES = {"detergent": 5, "dish_soap": 8, "rice_5kg": 30, "cooking_oil_5l": 25, "toothpaste": 6}


def redeem(card: str, items: list[tuple[str, int]], receipt: str = "M01-261203-0001", **kw):
    lines = [{"item": key, "quantity": qty, "points": PRICES.get(key, 5)} for key, qty in items]
    total = sum(line["quantity"] * line["points"] for line in lines)
    return event(
        "points.redeemed",
        {"card": card, "receipt": receipt, "items": lines, "total": total},
        **kw,
    )


def reverse(card: str, original: str, items: list[tuple[str, int]] | None = None, **kw):
    payload: dict[str, Any] = {"card": card, "original": original}
    if items is not None:
        payload["items"] = [{"item": key, "quantity": qty} for key, qty in items]
    return event("points.reversed", payload, **kw)
