"""points shares, corrections and orders for social organisations

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 04:30:00

Points given as a special share of donation (the committee's rate, and the link from the points
entry to the contribution it counts as), clerks' corrections of volunteering entries (an
adjustment entry naming the entry it corrects: the chained ``pointsentry`` is not altered), and
the register of social organisations with the orders they take (群众点单—社区下单—社会组织接单).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pointssharerate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("fen_per_point", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["set_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pointssharerate_place_id", "pointssharerate", ["place_id"], unique=False)
    op.create_table(
        "pointsshare",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("fen_per_point", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contribution_id"], ["contribution.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["pointsentry.id"]),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contribution_id"),
        sa.UniqueConstraint("entry_id"),
    )
    op.create_index("ix_pointsshare_fund_id", "pointsshare", ["fund_id"], unique=False)
    op.create_table(
        "pointscorrection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["corrects_id"], ["pointsentry.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["pointsentry.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id"),
    )
    op.create_index(
        "ix_pointscorrection_corrects_id", "pointscorrection", ["corrects_id"], unique=False
    )
    op.create_table(
        "socialorganisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("registration_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["registered_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("registration_no"),
    )
    op.create_index(
        "ix_socialorganisation_place_id", "socialorganisation", ["place_id"], unique=False
    )
    op.create_table(
        "serviceorder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("beneficiaries_served", sa.Integer(), nullable=True),
        sa.Column("report", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["socialorganisation.id"]),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["placed_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["taken_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_serviceorder_need_id", "serviceorder", ["need_id"], unique=False)
    op.create_index("ix_serviceorder_place_id", "serviceorder", ["place_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_serviceorder_place_id", table_name="serviceorder")
    op.drop_index("ix_serviceorder_need_id", table_name="serviceorder")
    op.drop_table("serviceorder")
    op.drop_index("ix_socialorganisation_place_id", table_name="socialorganisation")
    op.drop_table("socialorganisation")
    op.drop_index("ix_pointscorrection_corrects_id", table_name="pointscorrection")
    op.drop_table("pointscorrection")
    op.drop_index("ix_pointsshare_fund_id", table_name="pointsshare")
    op.drop_table("pointsshare")
    op.drop_index("ix_pointssharerate_place_id", table_name="pointssharerate")
    op.drop_table("pointssharerate")
