"""donor kinds, receipt numbers, campaigns and revenue assets

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-06 04:10:00

A gift's donor kind and its receipt number are columns of the ledger entry itself, so they are
under the hash chain like the amount (nullable, so older rows keep their hashes). Crowdfunding
campaigns and revenue-earning assets are tables of their own; the ledger names them.

SQLite cannot add a foreign key with ``ALTER``, except inline in ``ADD COLUMN``: the columns are
added that way there, so the append-only triggers on the ledger are never dropped by a copy of
the table (which batch mode would make).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_REFERENCES = (("campaign_id", "campaign"), ("revenue_asset_id", "revenueasset"))


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("target_fen", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("target_fen > 0", name="campaign_target_positive"),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"]),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"]),
        sa.ForeignKeyConstraint(["opened_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_campaign_fund_id", "campaign", ["fund_id"], unique=False)
    op.create_index("ix_campaign_place_id", "campaign", ["place_id"], unique=False)
    op.create_index("ix_campaign_proposal_id", "campaign", ["proposal_id"], unique=False)
    op.create_table(
        "revenueasset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"]),
        sa.ForeignKeyConstraint(["registered_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_revenueasset_fund_id", "revenueasset", ["fund_id"], unique=False)
    op.add_column(
        "ledgerentry",
        sa.Column("donor_kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    )
    op.add_column(
        "ledgerentry",
        sa.Column("receipt_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, table in NEW_REFERENCES:
        if sqlite:
            op.execute(
                f"ALTER TABLE ledgerentry ADD COLUMN {column} INTEGER REFERENCES {table} (id)"
            )
        else:
            op.add_column("ledgerentry", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(None, "ledgerentry", table, [column], ["id"])
        op.create_index(f"ix_ledgerentry_{column}", "ledgerentry", [column], unique=False)
    op.create_index("ix_ledgerentry_receipt_number", "ledgerentry", ["receipt_number"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_ledgerentry_receipt_number", table_name="ledgerentry")
    op.drop_column("ledgerentry", "receipt_number")
    for column, _ in NEW_REFERENCES:
        op.drop_index(f"ix_ledgerentry_{column}", table_name="ledgerentry")
        op.drop_column("ledgerentry", column)
    op.drop_column("ledgerentry", "donor_kind")
    op.drop_index("ix_revenueasset_fund_id", table_name="revenueasset")
    op.drop_table("revenueasset")
    op.drop_index("ix_campaign_proposal_id", table_name="campaign")
    op.drop_index("ix_campaign_place_id", table_name="campaign")
    op.drop_index("ix_campaign_fund_id", table_name="campaign")
    op.drop_table("campaign")
