"""allocation: next year's seed money split across a street's communities, in layers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 07:15:15

A plan per street and year with its parameters (floor share, need weight), a line per
community with the figures its suggestion used and its amount, and the reviewers' adjustments
with their reasons. Places get the year their estate was built, where known (a need figure).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocationplan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("floor_percent", sa.Integer(), nullable=False),
        sa.Column("need_percent", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("drafted_by_id", sa.Integer(), nullable=True),
        sa.Column("drafted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("floor_percent >= 0 AND floor_percent <= 100", name="allocation_floor"),
        sa.CheckConstraint("need_percent >= 0 AND need_percent <= 100", name="allocation_need"),
        sa.CheckConstraint("total_fen > 0", name="allocation_plan_total"),
        sa.ForeignKeyConstraint(
            ["drafted_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["place.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("street_id", "year"),
    )
    with op.batch_alter_table("allocationplan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allocationplan_street_id"), ["street_id"], unique=False
        )

    op.create_table(
        "allocationadjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("counterpart_id", sa.Integer(), nullable=False),
        sa.Column("before_fen", sa.BigInteger(), nullable=False),
        sa.Column("after_fen", sa.BigInteger(), nullable=False),
        sa.Column("counterpart_before_fen", sa.BigInteger(), nullable=False),
        sa.Column("counterpart_after_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("adjusted_by_id", sa.Integer(), nullable=True),
        sa.Column("adjusted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjusted_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["place.id"],
        ),
        sa.ForeignKeyConstraint(
            ["counterpart_id"],
            ["place.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["allocationplan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("allocationadjustment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allocationadjustment_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "allocationline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("open_needs", sa.Integer(), nullable=False),
        sa.Column("facility_age", sa.Integer(), nullable=True),
        sa.Column("implementation", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("leverage", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("satisfaction", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("suggested_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name="allocation_line_amount"),
        sa.CheckConstraint("suggested_fen >= 0", name="allocation_line_suggested"),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["place.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["allocationplan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "community_id"),
    )
    with op.batch_alter_table("allocationline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocationline_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.add_column(sa.Column("built_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_column("built_year")

    with op.batch_alter_table("allocationline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocationline_plan_id"))

    op.drop_table("allocationline")
    with op.batch_alter_table("allocationadjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocationadjustment_plan_id"))

    op.drop_table("allocationadjustment")
    with op.batch_alter_table("allocationplan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocationplan_street_id"))

    op.drop_table("allocationplan")
