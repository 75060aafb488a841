"""charter forbidden items and charter exceptions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 04:30:00

A charter may forbid items by the words that name them (瓶装水, 宴请, 礼品), checked against
budget lines and payment purposes; a committee that lets a proposal or a payment through
against its charter records why (``charterexception``, shown on the notice board).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("fundcharter", sa.Column("forbidden_items", sa.JSON(), nullable=True))
    op.create_table(
        "charterexception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("payment_request_id", sa.Integer(), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["charter_id"], ["fundcharter.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"]),
        sa.ForeignKeyConstraint(["payment_request_id"], ["paymentrequest.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_charterexception_fund_id", "charterexception", ["fund_id"], unique=False)
    op.create_index(
        "ix_charterexception_proposal_id", "charterexception", ["proposal_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_charterexception_proposal_id", table_name="charterexception")
    op.drop_index("ix_charterexception_fund_id", table_name="charterexception")
    op.drop_table("charterexception")
    op.drop_column("fundcharter", "forbidden_items")
