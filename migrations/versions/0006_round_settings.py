"""round settings: the phases' planned dates, and whether a ballot may change

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 10:00:00

A round gets the planned start of its needs, proposals, eligibility and deliberation phases
(the voting dates were there already), and ``ballot_changes_allowed``: whether a voter may
change their ballot until the vote closes. Rounds already stored keep the old rule, no changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLANNED = ("needs_start_on", "proposals_start_on", "eligibility_start_on", "deliberation_start_on")


def upgrade() -> None:
    with op.batch_alter_table("budgetround", schema=None) as batch_op:
        for column in PLANNED:
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "ballot_changes_allowed", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("budgetround", schema=None) as batch_op:
        batch_op.drop_column("ballot_changes_allowed")
        for column in reversed(PLANNED):
            batch_op.drop_column(column)
