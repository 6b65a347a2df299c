"""points: households, accounts, cards, rules, catalogue, ledger, stock, overdrafts, card key

Revision ID: points_0001
Revises: console_0001
Create Date: 2026-12-03 16:14:39.598523
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "points_0001"
down_revision: str | Sequence[str] | None = "console_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_items",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("unit_zh", sa.String(length=10), nullable=False),
        sa.Column("unit_en", sa.String(length=20), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('goods', 'service')", name=op.f("ck_catalogue_items_kind")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_catalogue_items")),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building", sa.Integer(), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("building", "unit", name="uq_households_building_unit"),
    )
    op.create_table(
        "points_rules",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("once_per_year_household", sa.Boolean(), nullable=False),
        sa.Column("monthly_cap", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_points_rules")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("private_key", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_signing_keys")),
    )
    op.create_table(
        "points_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_points_accounts_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_accounts")),
    )
    with op.batch_alter_table("points_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_accounts_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("rule_key", sa.String(length=40), nullable=True),
        sa.Column("items", sa.JSON(), nullable=True),
        sa.Column("card_no", sa.String(length=10), nullable=False),
        sa.Column("receipt", sa.String(length=40), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("staff", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("overdraft", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('award', 'deduction', 'redemption', 'reversal')",
            name=op.f("ck_ledger_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_ledger_entries_account_id_points_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_ledger_entries_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_ledger_entries_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_reverses_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_key"],
            ["points_rules.key"],
            name=op.f("fk_ledger_entries_rule_key_points_rules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("event_id", name=op.f("uq_ledger_entries_event_id")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_entries_reverses_id")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_account_id_id", ["account_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_entries_account_rule_month",
            ["account_id", "rule_key", "month"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_entries_household_rule_month",
            ["household_id", "rule_key", "month"],
            unique=False,
        )

    op.create_table(
        "points_cards",
        sa.Column("card_no", sa.String(length=10), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=False),
        sa.Column("replaced_by", sa.String(length=10), nullable=True),
        sa.CheckConstraint("status IN ('active', 'revoked')", name=op.f("ck_points_cards_status")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_cards_account_id_points_accounts"),
        ),
        sa.PrimaryKeyConstraint("card_no", name=op.f("pk_points_cards")),
    )
    with op.batch_alter_table("points_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_cards_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "points_months",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("earned", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_months_account_id_points_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", "month", name=op.f("pk_points_months")),
    )
    with op.batch_alter_table("points_months", schema=None) as batch_op:
        batch_op.create_index("ix_points_months_month_earned", ["month", "earned"], unique=False)

    op.create_table(
        "overdraft_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=10), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=True),
        sa.Column("shortfall", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_overdraft_flags_account_id_points_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_overdraft_flags_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdraft_flags")),
    )
    with op.batch_alter_table("overdraft_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_overdraft_flags_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_overdraft_flags_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("stock_after", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_stock_movements_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["item_key"],
            ["catalogue_items.key"],
            name=op.f("fk_stock_movements_item_key_catalogue_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_movements_entry_id"), ["entry_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_movements_item_key"), ["item_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movements_item_key"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_entry_id"))

    op.drop_table("stock_movements")
    with op.batch_alter_table("overdraft_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overdraft_flags_entry_id"))
        batch_op.drop_index(batch_op.f("ix_overdraft_flags_account_id"))

    op.drop_table("overdraft_flags")
    with op.batch_alter_table("points_months", schema=None) as batch_op:
        batch_op.drop_index("ix_points_months_month_earned")

    op.drop_table("points_months")
    with op.batch_alter_table("points_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_cards_account_id"))

    op.drop_table("points_cards")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_household_rule_month")
        batch_op.drop_index("ix_ledger_entries_account_rule_month")
        batch_op.drop_index("ix_ledger_entries_account_id_id")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("points_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_accounts_household_id"))

    op.drop_table("points_accounts")
    op.drop_table("signing_keys")
    op.drop_table("points_rules")
    op.drop_table("households")
    op.drop_table("catalogue_items")
