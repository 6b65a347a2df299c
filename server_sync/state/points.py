"""The points reference data: rules, catalogue, the card key, cards, accounts and stars.

Cards and accounts (with balances) go to supermarket devices only; the month's
points stars go to every device.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server_sync.models import Device
from server_sync.models.points import (
    CatalogueItem,
    Household,
    PointsAccount,
    PointsCard,
    PointsMonth,
    PointsRule,
)
from server_sync.points import ledger
from server_sync.points.keys import CARD_KEY, card_public_key
from server_sync.protocol.points import month_of

from . import producer

SUPERMARKET = ("supermarket",)


@producer("rules")
def rules(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    query = select(PointsRule).where(PointsRule.retired_at.is_(None))
    if keys is not None:
        query = query.where(PointsRule.key.in_(keys))
    return [
        {
            "key": rule.key,
            "name_zh": rule.name_zh,
            "name_en": rule.name_en,
            "points": rule.points,
            "once_per_year_household": rule.once_per_year_household,
            "monthly_cap": rule.monthly_cap,
        }
        for rule in session.scalars(query.order_by(PointsRule.points < 0, PointsRule.key))
    ]


@producer("catalogue")
def catalogue(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    query = select(CatalogueItem).where(CatalogueItem.retired_at.is_(None))
    if keys is not None:
        query = query.where(CatalogueItem.key.in_(keys))
    return [
        {
            "key": item.key,
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "kind": item.kind,
            "points": item.points,
            "stock": item.stock,
            "unit_zh": item.unit_zh,
            "unit_en": item.unit_en,
        }
        for item in session.scalars(query.order_by(CatalogueItem.kind, CatalogueItem.points))
    ]


@producer("keys")
def keys(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    public_key = card_public_key(session)
    if public_key is None or (keys is not None and CARD_KEY not in keys):
        return []
    return [{"key": CARD_KEY, "public_key": public_key}]


@producer("revoked_cards")
def revoked_cards(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    query = select(PointsCard.card_no).where(PointsCard.status == "revoked")
    if keys is not None:
        query = query.where(PointsCard.card_no.in_(keys))
    return [{"key": card_no} for card_no in session.scalars(query.order_by(PointsCard.card_no))]


@producer("cards", roles=SUPERMARKET)
def cards(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    query = select(PointsCard.card_no, PointsCard.account_id).where(PointsCard.status == "active")
    if keys is not None:
        query = query.where(PointsCard.card_no.in_(keys))
    return [
        {"key": card_no, "account": account_id}
        for card_no, account_id in session.execute(query.order_by(PointsCard.card_no))
    ]


@producer("accounts", roles=SUPERMARKET)
def accounts(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    month = month_of(datetime.now(UTC))
    earned = (
        select(PointsMonth.account_id, PointsMonth.earned)
        .where(PointsMonth.month == month)
        .subquery()
    )
    query = (
        select(PointsAccount, Household, func.coalesce(earned.c.earned, 0))
        .join(Household, Household.id == PointsAccount.household_id)
        .outerjoin(earned, earned.c.account_id == PointsAccount.id)
        .where(PointsAccount.closed_at.is_(None))
    )
    if keys is not None:
        ids = [int(key) for key in keys if key.isdigit()]
        query = query.where(PointsAccount.id.in_(ids))
    return [
        {
            "key": str(account.id),
            "name": account.name,
            "household": household.id,
            "building": household.building,
            "unit": household.unit,
            "balance": account.balance,
            "month_earned": month_earned,
            # The month `month_earned` counts; a device shows 0 once it has passed.
            "month": month,
        }
        for account, household, month_earned in session.execute(query.order_by(PointsAccount.id))
    ]


# Limitation: the stars rows are marked changed when an entry moves this month's
# top ten, so on the first of a month a device holds last month's rows until the
# new month's first award is applied; each row carries its `month` so a kiosk can
# leave out rows of a month that has passed.
@producer("stars")
def stars(session: Session, device: Device, keys: set[str] | None) -> list[dict[str, Any]]:
    rows = ledger.month_stars(session, month_of(datetime.now(UTC)))
    if keys is not None:
        rows = [row for row in rows if row["key"] in keys]
    return rows
