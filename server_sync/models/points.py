"""The points ledger: households, accounts, cards, rules, the catalogue and its stock.

The ledger is append-only. An account's balance is the sum of its entries; the
stored `PointsAccount.balance` is a copy kept in the same transaction as each
entry so a card lookup never sums a resident's history. Monthly earnings are
kept the same way (`PointsMonth`) for the month's points stars.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    building: Mapped[int] = mapped_column(Integer)
    unit: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    accounts: Mapped[list[PointsAccount]] = relationship(back_populates="household")

    __table_args__ = (UniqueConstraint("building", "unit", name="uq_households_building_unit"),)


class PointsAccount(Base):
    """One resident's points account."""

    __tablename__ = "points_accounts"
    __sync_kind__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The sum of the account's ledger entries, updated with each entry.
    balance: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    household: Mapped[Household] = relationship(back_populates="accounts")
    cards: Mapped[list[PointsCard]] = relationship(back_populates="account")

    def sync_key(self) -> str | None:
        return None if self.id is None else str(self.id)


CARD_STATUSES = ("active", "revoked")


class PointsCard(Base):
    """A printed card; its QR payload is signed with the server's card key."""

    __tablename__ = "points_cards"
    __sync_kind__ = "cards"

    card_no: Mapped[str] = mapped_column(String(10), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoke_reason: Mapped[str] = mapped_column(String(200), default="")
    # The card that replaced this one, when it was reissued.
    replaced_by: Mapped[str | None] = mapped_column(String(10), default=None)

    account: Mapped[PointsAccount] = relationship(back_populates="cards")

    __table_args__ = (CheckConstraint("status IN ('active', 'revoked')", name="status"),)

    def sync_key(self) -> str | None:
        return self.card_no

    def active_at(self, moment: datetime) -> bool:
        """Whether the card could be used at `moment` (issued, and not yet revoked)."""
        if moment < self.issued_at:
            return False
        return self.revoked_at is None or moment < self.revoked_at


class PointsRule(Base):
    __tablename__ = "points_rules"
    __sync_kind__ = "rules"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column(Integer)
    once_per_year_household: Mapped[bool] = mapped_column(Boolean, default=False)
    monthly_cap: Mapped[int | None] = mapped_column(Integer, default=None)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def sync_key(self) -> str | None:
        return self.key


class CatalogueItem(Base):
    __tablename__ = "catalogue_items"
    __sync_kind__ = "catalogue"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(Integer)
    # On the shelf, as the ledger's stock movements leave it; None for services.
    # It can go below zero when devices redeemed offline more than there was.
    stock: Mapped[int | None] = mapped_column(Integer, default=None)
    unit_zh: Mapped[str] = mapped_column(String(10), default="件")
    unit_en: Mapped[str] = mapped_column(String(20), default="piece")
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint("kind IN ('goods', 'service')", name="kind"),)

    def sync_key(self) -> str | None:
        return self.key


class LedgerEntry(Base):
    """One append-only line of an account's points history, from one event."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event's UUID: an event is applied at most once.
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    kind: Mapped[str] = mapped_column(String(12))
    points: Mapped[int] = mapped_column(Integer)
    rule_key: Mapped[str | None] = mapped_column(ForeignKey("points_rules.key"), default=None)
    # Redemption lines as the device priced them: [{item, quantity, points}].
    items: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    card_no: Mapped[str] = mapped_column(String(10))
    receipt: Mapped[str | None] = mapped_column(String(40), default=None)
    occurred_at: Mapped[datetime]
    # Community month of occurred_at ("2026-12"), for caps and the points stars.
    month: Mapped[str] = mapped_column(String(7))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    staff: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    # The entry this one reverses; unique, so nothing is reversed twice.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id"), unique=True, default=None
    )
    # The account's balance right after this entry was applied on the server.
    balance_after: Mapped[int] = mapped_column(Integer)
    overdraft: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("kind IN ('award', 'deduction', 'redemption', 'reversal')", name="kind"),
        Index("ix_ledger_entries_account_id_id", "account_id", "id"),
        Index("ix_ledger_entries_account_rule_month", "account_id", "rule_key", "month"),
        Index("ix_ledger_entries_household_rule_month", "household_id", "rule_key", "month"),
    )


class StockMovement(Base):
    """A change to an item's stock: a redemption, a return, a delivery or a count."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(ForeignKey("catalogue_items.key"), index=True)
    change: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id"), index=True, default=None
    )
    stock_after: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(80), default="")


class PointsMonth(Base):
    """What an account earned (awards less deductions) in one community month."""

    __tablename__ = "points_months"

    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    earned: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_points_months_month_earned", "month", "earned"),)


class OverdraftFlag(Base):
    """An offline redemption that overdrew an account or the stock, for staff to settle."""

    __tablename__ = "overdraft_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    # "balance", or "stock" with the item.
    what: Mapped[str] = mapped_column(String(10))
    item_key: Mapped[str | None] = mapped_column(String(40), default=None)
    # How far below zero the balance or the stock went.
    shortfall: Mapped[int] = mapped_column(Integer)
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(default=None)
    settled_by: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class SigningKey(Base):
    """The server's Ed25519 card key, made once; devices receive the public half."""

    __tablename__ = "signing_keys"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Unpadded base64url raw private key. Limitation: kept in the database so that
    # every server process and a restored backup sign alike; whoever can read the
    # database can mint cards, so its backups must be guarded like the key.
    private_key: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
