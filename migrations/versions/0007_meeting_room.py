"""meeting room

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00

A meeting keeps the agenda item under discussion and when its speaking time began (set from
the chair's or secretary's device, followed by the wall screen), the quorum it sets for itself
if it departs from the rule (more than half of the place's committee members), and a revision
number that moves with every change to it, so that a wall screen can ask for one number a
second.

The item is a foreign key added after the column (the agenda item names its meeting too): on
SQLite as a column constraint, which ``ALTER TABLE ... ADD COLUMN`` accepts for a column whose
default is NULL; a table rebuild would have to drop ``meeting``, which its agenda items, notes
and decisions refer to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_meeting_current_item_id"


def upgrade() -> None:
    op.add_column(
        "meeting", sa.Column("item_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    op.add_column("meeting", sa.Column("quorum", sa.Integer(), nullable=True))
    # Rows already there start at 0 (the default stays: SQLite cannot drop it in place).
    op.add_column(
        "meeting", sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        columns = {column["name"] for column in sa.inspect(bind).get_columns("meeting")}
        if "current_item_id" in columns:  # left by a downgrade
            return
        op.execute(
            "ALTER TABLE meeting ADD COLUMN current_item_id INTEGER "
            f"CONSTRAINT {FOREIGN_KEY} REFERENCES agendaitem (id)"
        )
    else:
        op.add_column("meeting", sa.Column("current_item_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "meeting", "agendaitem", ["current_item_id"], ["id"])


def downgrade() -> None:
    # SQLite cannot drop a column a foreign key is declared on: there the item stays, unused.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FOREIGN_KEY, "meeting", type_="foreignkey")
        op.drop_column("meeting", "current_item_id")
    op.drop_column("meeting", "revision")
    op.drop_column("meeting", "quorum")
    op.drop_column("meeting", "item_started_at")
