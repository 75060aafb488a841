"""payment requests approved by a second committee member

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:00:00

A treasurer's payment request (报销/付款申请) against a funded proposal's budget line, with its
receipt; another committee member approves it (which writes the expense entry) or rejects it
with a reason. Nothing already on the ledger is moved: expenses recorded before this revision
stay expenses without a request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paymentrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("line_item_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payee", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("invoice_number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("receipt_attachment_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name="payment_request_amount"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"]),
        sa.ForeignKeyConstraint(["line_item_id"], ["proposallineitem.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.ForeignKeyConstraint(["receipt_attachment_id"], ["attachment.id"]),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_attachment_id"),
    )
    op.create_index("ix_paymentrequest_fund_id", "paymentrequest", ["fund_id"], unique=False)
    op.create_index(
        "ix_paymentrequest_proposal_id", "paymentrequest", ["proposal_id"], unique=False
    )
    op.create_index("ix_paymentrequest_status", "paymentrequest", ["status"], unique=False)


def downgrade() -> None:
    """Requests still waiting are lost; approved ones are on the ledger as expenses already."""
    op.drop_index("ix_paymentrequest_status", table_name="paymentrequest")
    op.drop_index("ix_paymentrequest_proposal_id", table_name="paymentrequest")
    op.drop_index("ix_paymentrequest_fund_id", table_name="paymentrequest")
    op.drop_table("paymentrequest")
