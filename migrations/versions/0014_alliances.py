"""alliances: contribution calls, joint events and proposals, evaluator scores

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:08:09

The alliance and its members (with their ratios and council turns) were there from the start;
what an alliance does was not: the fund each member pays its share from, the council chair's
calls for contributions (each part a ledger transfer), joint events, the proposals the alliance
takes up, and the third-party evaluator's scores.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_alliancemember_fund_id"


def upgrade() -> None:
    op.create_table(
        "alliancecall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("called_on", sa.Date(), nullable=False),
        sa.Column("chair_community_id", sa.Integer(), nullable=False),
        sa.Column("called_by_id", sa.Integer(), nullable=True),
        sa.Column("called_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name="alliance_call_amount"),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["called_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["chair_community_id"],
            ["place.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alliancecall", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliancecall_alliance_id"), ["alliance_id"], unique=False
        )

    op.create_table(
        "allianceevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("allianceevent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allianceevent_alliance_id"), ["alliance_id"], unique=False
        )

    op.create_table(
        "allianceproposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id"),
    )
    with op.batch_alter_table("allianceproposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allianceproposal_alliance_id"), ["alliance_id"], unique=False
        )

    op.create_table(
        "alliancescore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=False),
        sa.Column("resource_use", sa.Integer(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(event_id IS NULL) <> (proposal_id IS NULL)", name="alliance_score_one_target"
        ),
        sa.CheckConstraint("resource_use BETWEEN 1 AND 5", name="alliance_score_resource_use"),
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name="alliance_score_satisfaction"),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["allianceevent.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluator_id", "event_id"),
        sa.UniqueConstraint("evaluator_id", "proposal_id"),
    )
    with op.batch_alter_table("alliancescore", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliancescore_alliance_id"), ["alliance_id"], unique=False
        )

    op.create_table(
        "alliancecallpart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["alliancecall.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["place.id"],
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledgerentry.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id", "community_id"),
        sa.UniqueConstraint("entry_id"),
    )
    with op.batch_alter_table("alliancecallpart", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alliancecallpart_call_id"), ["call_id"], unique=False)

    with op.batch_alter_table("alliancemember", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FOREIGN_KEY, "fund", ["fund_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("alliancemember", schema=None) as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_column("fund_id")

    with op.batch_alter_table("alliancecallpart", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliancecallpart_call_id"))

    op.drop_table("alliancecallpart")
    with op.batch_alter_table("alliancescore", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliancescore_alliance_id"))

    op.drop_table("alliancescore")
    with op.batch_alter_table("allianceproposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allianceproposal_alliance_id"))

    op.drop_table("allianceproposal")
    with op.batch_alter_table("allianceevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allianceevent_alliance_id"))

    op.drop_table("allianceevent")
    with op.batch_alter_table("alliancecall", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliancecall_alliance_id"))

    op.drop_table("alliancecall")
