"""sign-in sessions and failed attempts (rate limits)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:19:33.260301
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "failedattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("failedattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failedattempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_failedattempt_key_hash"), ["key_hash"], unique=False)

    op.create_table(
        "signinsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("signinsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signinsession_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signinsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signinsession_person_id"))

    op.drop_table("signinsession")
    with op.batch_alter_table("failedattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_failedattempt_key_hash"))
        batch_op.drop_index(batch_op.f("ix_failedattempt_at"))

    op.drop_table("failedattempt")
