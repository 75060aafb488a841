"""large text: a person's choice of larger type, kept with the person

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-06 07:50:00

Older residents who need more than the default sizes switch "large text" on once; it follows
them to every phone they sign in on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of "person" would trip SQLite's foreign keys.
    op.add_column(
        "person", sa.Column("large_text", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("person", "large_text")
