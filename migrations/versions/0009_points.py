"""points rules, catalogue and volunteer shifts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 02:40:00

The points ledger (``pointsentry``) was there from the start; what earns and spends points was
not: the rate a community's committee sets for an hour of volunteering, the catalogue of goods
and services (a merchant's among them) offered for points, and the shifts clerks record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pointsrule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("points_per_hour", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["set_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pointsrule_place_id", "pointsrule", ["place_id"], unique=False)
    op.create_table(
        "pointsitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("merchant", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("points_cost", sa.Integer(), nullable=False),
        sa.Column("list_price_fen", sa.BigInteger(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pointsitem_place_id", "pointsitem", ["place_id"], unique=False)
    op.create_table(
        "volunteershift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("points_per_hour", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["pointsentry.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["rule_id"], ["pointsrule.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id"),
    )
    op.create_index("ix_volunteershift_place_id", "volunteershift", ["place_id"], unique=False)
    op.create_index("ix_volunteershift_person_id", "volunteershift", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_volunteershift_person_id", table_name="volunteershift")
    op.drop_index("ix_volunteershift_place_id", table_name="volunteershift")
    op.drop_table("volunteershift")
    op.drop_index("ix_pointsitem_place_id", table_name="pointsitem")
    op.drop_table("pointsitem")
    op.drop_index("ix_pointsrule_place_id", table_name="pointsrule")
    op.drop_table("pointsrule")
