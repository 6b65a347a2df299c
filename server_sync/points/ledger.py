"""Applying points events to the ledger on the server.

Each function applies one event inside the caller's transaction: it checks the
card (signature, and not revoked at the time the event happened), the rule or
items, appends one ledger entry, updates the stored balance and the month's
earnings, and moves stock. The decisions themselves (caps, pricing, what a
reversal gives back) come from ``server_sync.protocol.points``, the same code
the supermarket kiosk runs offline.

A redemption made offline that overdraws the account or the stock is kept and
flagged for staff; a refused event raises :class:`PointsRefused`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from server_sync.models.changes import record_change
from server_sync.models.points import (
    CatalogueItem,
    Household,
    LedgerEntry,
    OverdraftFlag,
    PointsAccount,
    PointsCard,
    PointsMonth,
    PointsRule,
    StockMovement,
)
from server_sync.protocol import PointsAwarded, PointsRedeemed, PointsReversed
from server_sync.protocol import points as rules
from server_sync.protocol.cards import CardReason, check_card
from server_sync.protocol.points import Refusal

from .keys import card_public_key

log = logging.getLogger(__name__)


class PointsRefused(Exception):
    """An event the ledger will not apply, with the sentence to show for it."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.en)
        self.refusal = refusal


def _refuse(code: str, **args: Any) -> PointsRefused:
    return PointsRefused(Refusal(code, args))


# ---------------------------------------------------------------- cards


def card_for_payload(session: Session, payload: str, occurred_at: datetime) -> PointsCard:
    """The card a scanned payload names, if its signature is ours and it was live then.

    A card revoked after the event happened still counts: a device offline may
    have used it before the revocation reached it.
    """
    check = check_card(payload, card_public_key(session))
    if not check.ok:
        raise PointsRefused(rules.card_refusal(check.reason))
    card = session.get(PointsCard, check.card_no)
    if card is None:
        raise _refuse("no_account")
    if card.revoked_at is not None and occurred_at >= card.revoked_at:
        raise PointsRefused(rules.card_refusal(CardReason.REVOKED))
    return card


# ---------------------------------------------------------------- entries


def _not_reversed():
    reversal = aliased(LedgerEntry)
    return ~exists().where(reversal.reverses_id == LedgerEntry.id)


def household_has_rule_in_year(session: Session, household_id: int, rule: str, year: int) -> bool:
    query = select(LedgerEntry.id).where(
        LedgerEntry.household_id == household_id,
        LedgerEntry.rule_key == rule,
        LedgerEntry.month >= f"{year:04d}-01",
        LedgerEntry.month <= f"{year:04d}-12",
        LedgerEntry.kind == "award",
        _not_reversed(),
    )
    return session.execute(query.limit(1)).first() is not None


def month_points_under_rule(session: Session, account_id: int, rule: str, month: str) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
        LedgerEntry.account_id == account_id,
        LedgerEntry.rule_key == rule,
        LedgerEntry.month == month,
        LedgerEntry.kind == "award",
        _not_reversed(),
    )
    return int(session.execute(query).scalar_one())


def _add_earned(session: Session, account_id: int, month: str, points: int) -> None:
    if not points:
        return
    current = month == rules.month_of(datetime.now(UTC))
    before = _top_ten(session, month) if current else None
    row = session.get(PointsMonth, (account_id, month))
    if row is None:
        row = PointsMonth(account_id=account_id, month=month, earned=0)
        session.add(row)
    row.earned += points
    if current:
        session.flush()
        if _top_ten(session, month) != before:
            # Devices hold the stars by rank; every rank is re-sent when the list moves.
            for rank in range(1, STARS + 1):
                record_change(session, "stars", str(rank))


STARS = 10


def _top_ten(session: Session, month: str) -> list[tuple[int, int]]:
    query = (
        select(PointsMonth.account_id, PointsMonth.earned)
        .where(PointsMonth.month == month, PointsMonth.earned > 0)
        .order_by(PointsMonth.earned.desc(), PointsMonth.account_id)
        .limit(STARS)
    )
    return [tuple(row) for row in session.execute(query)]


def _append(
    session: Session,
    account: PointsAccount,
    *,
    event_id: str,
    kind: str,
    points: int,
    card_no: str,
    occurred_at: datetime,
    device_id: int | None,
    earned_month: str | None = None,
    earned: int = 0,
    **fields: Any,
) -> LedgerEntry:
    month = rules.month_of(occurred_at)
    account.balance += points
    entry = LedgerEntry(
        event_id=event_id,
        account_id=account.id,
        household_id=account.household_id,
        kind=kind,
        points=points,
        card_no=card_no,
        occurred_at=occurred_at,
        month=month,
        device_id=device_id,
        balance_after=account.balance,
        **fields,
    )
    session.add(entry)
    _add_earned(session, account.id, earned_month or month, earned)
    session.flush()
    return entry


def _move_stock(
    session: Session, item: CatalogueItem, change: int, reason: str, entry: LedgerEntry
) -> None:
    if item.stock is None:
        return
    item.stock += change
    session.add(
        StockMovement(
            item_key=item.key,
            change=change,
            reason=reason,
            entry_id=entry.id,
            stock_after=item.stock,
            by=entry.staff,
        )
    )


def _result(entry: LedgerEntry, **extra: Any) -> dict[str, Any]:
    return {
        "entry": entry.id,
        "account": entry.account_id,
        "points": entry.points,
        "balance": entry.balance_after,
        **extra,
    }


# ---------------------------------------------------------------- events


def apply_rule_event(
    session: Session,
    *,
    event_id: str,
    event_type: str,
    occurred_at: datetime,
    payload: PointsAwarded,
    device_id: int | None = None,
) -> dict[str, Any]:
    """`points.awarded` or `points.deducted`: one entry under a rule."""
    card = card_for_payload(session, payload.card, occurred_at)
    account = card.account
    row = session.get(PointsRule, payload.rule)
    rule = None
    if row is not None and row.retired_at is None:
        rule = rules.Rule.model_validate(row, from_attributes=True)
    month = rules.month_of(occurred_at)
    refusal = rules.check_rule(
        rule,
        payload.rule,
        event_type,
        household_has_this_year=bool(rule and rule.once_per_year_household)
        and household_has_rule_in_year(
            session, account.household_id, payload.rule, rules.year_of(occurred_at)
        ),
        month_points_under_rule=month_points_under_rule(session, account.id, payload.rule, month)
        if rule and rule.monthly_cap
        else 0,
    )
    if refusal:
        raise PointsRefused(refusal)
    kind = rules.KIND_OF_EVENT[event_type]
    entry = _append(
        session,
        account,
        event_id=event_id,
        kind=kind,
        points=rule.points,
        card_no=card.card_no,
        occurred_at=occurred_at,
        device_id=device_id,
        earned=rules.earned_points(kind, rule.points),
        rule_key=rule.key,
        staff=payload.staff,
        note=payload.note,
        receipt=payload.slip,
    )
    return _result(entry, rule=rule.key)


def apply_redemption(
    session: Session,
    *,
    event_id: str,
    occurred_at: datetime,
    payload: PointsRedeemed,
    device_id: int | None = None,
) -> dict[str, Any]:
    """`points.redeemed`: one entry for the basket, stock moved for the goods.

    The device's unit prices are what the resident was charged and stand even if
    the catalogue changed since its last pull. Overdrafts are kept and flagged.
    """
    card = card_for_payload(session, payload.card, occurred_at)
    account = card.account
    lines = [line.model_dump() for line in payload.items]
    items: dict[str, CatalogueItem] = {}
    for line in lines:
        item = session.get(CatalogueItem, line["item"])
        if item is None or item.retired_at is not None:
            raise _refuse("unknown_item", item=line["item"], item_zh=line["item"])
        items[item.key] = item
    refusal = rules.check_total(lines, payload.total)
    if refusal:
        raise PointsRefused(refusal)

    before = account.balance
    flags = []
    if before - payload.total < 0:
        shortfall = min(payload.total, payload.total - before)
        flags.append(OverdraftFlag(what="balance", shortfall=shortfall))
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line["item"]] = wanted.get(line["item"], 0) + line["quantity"]
    for key, quantity in wanted.items():
        stock = items[key].stock
        if stock is not None and stock - quantity < 0:
            shortfall = min(quantity, quantity - stock)
            flags.append(OverdraftFlag(what="stock", item_key=key, shortfall=shortfall))
    entry = _append(
        session,
        account,
        event_id=event_id,
        kind="redemption",
        points=-payload.total,
        card_no=card.card_no,
        occurred_at=occurred_at,
        device_id=device_id,
        items=lines,
        receipt=payload.receipt,
        staff=payload.staff,
        overdraft=bool(flags),
    )
    for line in lines:
        _move_stock(session, items[line["item"]], -line["quantity"], "redemption", entry)
    for flag in flags:
        flag.entry_id = entry.id
        flag.account_id = account.id
        session.add(flag)
    if flags:
        log.info(
            "redemption %s overdrew %s; kept and flagged for staff",
            event_id,
            ", ".join(f.item_key or f.what for f in flags),
        )
    return _result(
        entry,
        balance_before=before,
        overdraft=[{"what": f.what, "item": f.item_key, "shortfall": f.shortfall} for f in flags],
    )


def apply_reversal(
    session: Session,
    *,
    event_id: str,
    occurred_at: datetime,
    payload: PointsReversed,
    device_id: int | None = None,
) -> dict[str, Any]:
    """`points.reversed`: a compensating entry pointing at the original, at most once."""
    card = card_for_payload(session, payload.card, occurred_at)
    account = card.account
    original = session.execute(
        select(LedgerEntry).where(LedgerEntry.event_id == str(payload.original))
    ).scalar_one_or_none()
    if original is not None and original.account_id != account.id:
        raise _refuse("other_account")
    already = (
        original is not None
        and session.execute(
            select(LedgerEntry.id).where(LedgerEntry.reverses_id == original.id)
        ).first()
        is not None
    )
    returned = None
    if payload.items is not None:
        returned = [line.model_dump() for line in payload.items]
    names = {}
    if original is not None and original.items:
        for line in original.items:
            item = session.get(CatalogueItem, line["item"])
            if item is not None:
                names[item.key] = (item.name_zh, item.name_en)
    plan = rules.plan_reversal(
        None
        if original is None
        else rules.Original(
            kind=original.kind,
            points=original.points,
            items=tuple(original.items or ()),
            already_reversed=already,
        ),
        returned,
        names,
    )
    if isinstance(plan, Refusal):
        raise PointsRefused(plan)

    entry = _append(
        session,
        account,
        event_id=event_id,
        kind="reversal",
        points=plan.points,
        card_no=card.card_no,
        occurred_at=occurred_at,
        device_id=device_id,
        earned_month=original.month,
        earned=rules.earned_points("reversal", plan.points, original.kind),
        rule_key=original.rule_key,
        items=[{"item": item, "quantity": quantity} for item, quantity in plan.returned] or None,
        reverses_id=original.id,
        receipt=payload.receipt,
        staff=payload.staff,
        note=payload.reason,
    )
    for item_key, quantity in plan.returned:
        item = session.get(CatalogueItem, item_key)
        if item is not None:
            _move_stock(session, item, quantity, "return", entry)
    return _result(entry, reverses=original.id, partial=plan.partial)


# ---------------------------------------------------------------- reading


def balance_from_entries(session: Session, account_id: int) -> int:
    """The balance summed from the ledger itself, for checks and audits."""
    query = select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
        LedgerEntry.account_id == account_id
    )
    return int(session.execute(query).scalar_one())


def month_stars(session: Session, month: str, limit: int = STARS) -> list[dict[str, Any]]:
    """The month's points stars: who earned the most, ties to the earlier account."""
    query = (
        select(PointsMonth.account_id, PointsMonth.earned, PointsAccount.name, Household.building)
        .join(PointsAccount, PointsAccount.id == PointsMonth.account_id)
        .join(Household, Household.id == PointsAccount.household_id)
        .where(PointsMonth.month == month, PointsMonth.earned > 0)
        .order_by(PointsMonth.earned.desc(), PointsMonth.account_id)
        .limit(limit)
    )
    return [
        {
            "key": str(rank),
            "month": month,
            "account": account_id,
            "name_masked": rules.mask_name(name),
            "building": building,
            "points": earned,
        }
        for rank, (account_id, earned, name, building) in enumerate(
            session.execute(query), start=1
        )
    ]


def open_overdrafts(session: Session) -> list[OverdraftFlag]:
    query = select(OverdraftFlag).where(OverdraftFlag.settled_at.is_(None))
    return list(session.execute(query.order_by(OverdraftFlag.id)).scalars())


def settle_overdraft(session: Session, flag_id: int, by: str, note: str = "") -> OverdraftFlag:
    """Mark an overdraft as dealt with (points recovered, goods returned, written off)."""
    flag = session.get(OverdraftFlag, flag_id)
    if flag is None:
        raise _refuse("unknown_flag", flag=flag_id)
    if flag.settled_at is None:
        flag.settled_at = datetime.now(UTC)
        flag.settled_by = by[:80]
        flag.note = note
    return flag


def move_stock(session: Session, item_key: str, change: int, by: str) -> int:
    """Goods received (+, "restock") or taken off the shelf (-, "write_off"); new stock.

    The same reasons the console uses, so the stock history reads alike from both.
    """
    item = session.get(CatalogueItem, item_key)
    if item is None or item.retired_at is not None:
        raise _refuse("unknown_item", item=item_key, item_zh=item_key)
    if item.stock is None:
        raise _refuse("service_has_no_stock", item=item.name_en, item_zh=item.name_zh)
    if change == 0 or item.stock + change < 0:
        names = {"item": item.name_en, "item_zh": item.name_zh}
        raise _refuse("bad_stock_change", stock=item.stock, **names)
    reason = "restock" if change > 0 else "write_off"
    item.stock += change
    movement = StockMovement(
        item_key=item.key, change=change, reason=reason, stock_after=item.stock, by=by
    )
    session.add(movement)
    session.flush()
    log.info("stock of %s %+d (%s) by %s: now %d", item.key, change, reason, by, item.stock)
    return item.stock
