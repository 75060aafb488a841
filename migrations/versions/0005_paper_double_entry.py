"""paper ballots keyed twice

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:00:00

A paper sheet becomes a ballot only when two people have keyed it alike (``services.paper``):
``papersheet`` holds each sheet of a round by its number and where it stands, ``paperreading``
each person's reading of it, with its marks only until the sheet is confirmed. Paper ballots
entered before this revision are ballots already, and stay as they are; nothing is moved.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "papersheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("sheet_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["budgetround.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "sheet_number"),
    )
    op.create_index("ix_papersheet_round_id", "papersheet", ["round_id"], unique=False)
    op.create_table(
        "paperreading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("keyed_by_id", sa.Integer(), nullable=False),
        sa.Column("keyed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=True),
        sa.Column("matched", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["keyed_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["sheet_id"], ["papersheet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sheet_id", "keyed_by_id"),
    )
    op.create_index("ix_paperreading_sheet_id", "paperreading", ["sheet_id"], unique=False)


def downgrade() -> None:
    """Sheets not yet confirmed are not ballots and are lost with their readings; confirmed ones
    are ballots already and stay."""
    op.drop_index("ix_paperreading_sheet_id", table_name="paperreading")
    op.drop_table("paperreading")
    op.drop_index("ix_papersheet_round_id", table_name="papersheet")
    op.drop_table("papersheet")
