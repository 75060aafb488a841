"""project ratings: residents' stars for completed projects

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 07:30:00

The year-end indicators need the residents' own satisfaction beside the reviewers': one rating
(1 to 5 stars, an optional comment) per resident per completed project.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projectrating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("rated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="project_rating_stars"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "person_id"),
    )
    with op.batch_alter_table("projectrating", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_projectrating_proposal_id"), ["proposal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("projectrating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projectrating_proposal_id"))

    op.drop_table("projectrating")
