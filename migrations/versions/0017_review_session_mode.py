"""review session mode: the roster of reviewers, the chair, the current project

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-06 07:14:26

A review session is run in the room: the chair moves it project to project from their device,
only the reviewers on its roster score, and the wall follows the session's revision. Sessions
opened before this had no roster and no chair; they keep none (a closed session needs neither).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAIR_KEY = "fk_reviewsession_chair_id"
CURRENT_KEY = "fk_reviewsession_current_proposal_id"


def upgrade() -> None:
    op.create_table(
        "reviewassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["reviewer_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["reviewsession.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "reviewer_id"),
    )
    with op.batch_alter_table("reviewassignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviewassignment_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("reviewsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chair_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("current_proposal_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_foreign_key(CURRENT_KEY, "proposal", ["current_proposal_id"], ["id"])
        batch_op.create_foreign_key(CHAIR_KEY, "person", ["chair_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("reviewsession", schema=None) as batch_op:
        batch_op.drop_constraint(CHAIR_KEY, type_="foreignkey")
        batch_op.drop_constraint(CURRENT_KEY, type_="foreignkey")
        batch_op.drop_column("revision")
        batch_op.drop_column("current_proposal_id")
        batch_op.drop_column("chair_id")

    with op.batch_alter_table("reviewassignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewassignment_session_id"))

    op.drop_table("reviewassignment")
