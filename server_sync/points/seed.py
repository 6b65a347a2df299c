"""Seed the points rules and catalogue, and (for demos) a small community with cards.

Rules and catalogue come from ``assets/seed/points_rules.toml`` and
``catalogue.toml``; running the seed again updates names and figures but never
resets an item's stock, which belongs to the ledger once the item exists.
"""

from __future__ import annotations

import logging
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server_sync.models.points import (
    CatalogueItem,
    Household,
    PointsAccount,
    PointsCard,
    PointsRule,
    StockMovement,
)
from server_sync.protocol import PointsAwarded, PointsRedeemed, new_event_id
from server_sync.protocol import points as points_rules
from server_sync.seed import SeedError

from . import ledger
from .cards import card_fronts, card_payload, issue_card, write_card_images
from .keys import ensure_card_key

log = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parents[2] / "assets" / "seed"
DEMO_CARDS_DIR = "demo_cards"


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SeedError(f"seed file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"seed file {path} is not valid TOML: {exc}") from None


def _rows(path: Path, table: str, model):
    rows = []
    for number, raw in enumerate(_load(path).get(table, []), start=1):
        try:
            rows.append(model.model_validate(raw))
        except ValidationError as exc:
            raise SeedError(f"{path.name}, {table} #{number}: {exc.errors()[0]['msg']}") from None
    return rows


def seed_points(session: Session, seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Rules, catalogue and the card key; returns how many rows were created or updated."""
    counts = {"rules": 0, "catalogue": 0}
    for rule in _rows(seed_dir / "points_rules.toml", "rule", points_rules.Rule):
        row = session.get(PointsRule, rule.key) or PointsRule(key=rule.key)
        fields = rule.model_dump(exclude={"key"})
        if row not in session or any(getattr(row, k) != v for k, v in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            session.add(row)
            counts["rules"] += 1
    for item in _rows(seed_dir / "catalogue.toml", "item", points_rules.CatalogueItem):
        row = session.get(CatalogueItem, item.key)
        fields = item.model_dump(exclude={"key", "stock"})
        if row is None:
            row = CatalogueItem(key=item.key, stock=item.stock, **fields)
            session.add(row)
            session.flush()
            if item.stock is not None:
                session.add(
                    StockMovement(
                        item_key=item.key,
                        change=item.stock,
                        reason="seed",
                        stock_after=item.stock,
                        by="seed",
                    )
                )
            counts["catalogue"] += 1
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            counts["catalogue"] += 1
    ensure_card_key(session)
    session.flush()
    log.info("points seed: %(rules)d rules, %(catalogue)d catalogue items written", counts)
    return counts


def seed_demo_community(
    session: Session, data_dir: Path, seed_dir: Path = SEED_DIR
) -> dict[str, Any]:
    """The made-up demo community: households, accounts, cards and this month's history.

    Card fronts are written as PNG files to ``<data_dir>/demo_cards`` so a demo
    kiosk's camera source can show them. Safe to run twice.
    """
    seed_points(session, seed_dir)
    created = {"accounts": 0, "entries": 0}
    now = datetime.now(UTC)
    minutes = 0
    for household_row in _load(seed_dir / "demo_community.toml").get("household", []):
        household = session.execute(
            select(Household).where(
                Household.building == household_row["building"],
                Household.unit == household_row["unit"],
            )
        ).scalar_one_or_none()
        if household is None:
            household = Household(building=household_row["building"], unit=household_row["unit"])
            session.add(household)
            session.flush()
        for member in household_row.get("members", []):
            if session.get(PointsCard, member["card"]) is not None:
                continue
            account = PointsAccount(household=household, name=member["name"], balance=0)
            session.add(account)
            session.flush()
            issue_card(session, account, member["card"])
            created["accounts"] += 1
            payload = card_payload(session, member["card"])
            for rule_key, times in member.get("earned", []):
                rule = session.get(PointsRule, rule_key)
                for _ in range(times):
                    minutes += 7
                    ledger.apply_rule_event(
                        session,
                        event_id=str(new_event_id()),
                        event_type=points_rules.Rule.model_validate(
                            rule, from_attributes=True
                        ).event_type,
                        occurred_at=_this_month(now, minutes),
                        payload=PointsAwarded(card=payload, rule=rule_key, staff="demo"),
                    )
                    created["entries"] += 1
            spent = member.get("spent", [])
            if spent:
                prices = {key: session.get(CatalogueItem, key).points for key, _ in spent}
                items = [
                    {"item": key, "quantity": qty, "points": prices[key]} for key, qty in spent
                ]
                minutes += 7
                ledger.apply_redemption(
                    session,
                    event_id=str(new_event_id()),
                    occurred_at=_this_month(now, minutes),
                    payload=PointsRedeemed(
                        card=payload,
                        receipt=f"DEMO-{now:%y%m%d}-{minutes:04d}",
                        items=items,
                        total=sum(i["points"] * i["quantity"] for i in items),
                        staff="demo",
                    ),
                )
                created["entries"] += 1
    session.flush()
    fronts = card_fronts(session)
    images = write_card_images(fronts, Path(data_dir) / DEMO_CARDS_DIR)
    created["card_images"] = len(images)
    created["card_images_dir"] = str(Path(data_dir) / DEMO_CARDS_DIR)
    log.info("demo community: %(accounts)d accounts, %(entries)d entries", created)
    return created


def _this_month(now: datetime, minutes_back: int) -> datetime:
    """A moment `minutes_back` before now, but not before the current community month."""
    local = points_rules.local_time(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=minutes_back), month_start.astimezone(UTC))
