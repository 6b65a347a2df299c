"""console: audit log, note attachments, server ticket sequences, Open311 clients

Revision ID: console_0001
Revises: 0001
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "console_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index("ix_audit_log_target", "audit_log", ["target"])
    op.create_table(
        "report_history_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("history_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["history_id"],
            ["report_history.id"],
            ondelete="CASCADE",
            name=op.f("fk_report_history_media_history_id_report_history"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["media.sha256"], name=op.f("fk_report_history_media_sha256_media")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_history_media")),
    )
    op.create_index(
        op.f("ix_report_history_media_history_id"), "report_history_media", ["history_id"]
    )
    op.create_table(
        "ticket_sequences",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("day", sa.String(length=6), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", "day", name=op.f("pk_ticket_sequences")),
    )
    op.create_table(
        "open311_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_clients")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_clients_key_hash")),
    )
    op.create_index("ix_reports_submitted_at", "reports", ["submitted_at"])
    op.create_index("ix_reports_department_status", "reports", ["department", "status"])


def downgrade() -> None:
    op.drop_index("ix_reports_department_status", table_name="reports")
    op.drop_index("ix_reports_submitted_at", table_name="reports")
    op.drop_table("open311_clients")
    op.drop_table("ticket_sequences")
    op.drop_index(op.f("ix_report_history_media_history_id"), table_name="report_history_media")
    op.drop_table("report_history_media")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
