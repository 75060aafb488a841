"""poll book and sealed ballots

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:00:00

Who voted moves to the poll book (``pollbookentry``: round, voter key, channel, day); ballots
keep only a random id, their round and the receipt hash, and their entries are keyed by
(ballot, proposal). Ballots already stored are dealt out again in a random order under random
ids, so their old ids, which grew in casting order, are gone; their voter keys, channels and
days go to the poll book, where nothing joins them to a ballot any more. New ballots wait in
``pendingballot`` until they are sealed (``services.ballots``).

A downgrade cannot join ballots to voters again (this revision exists so that nobody can): it
gives each ballot a random voter key, channel "online" and the day of the downgrade.
"""

import secrets
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANDOM = secrets.SystemRandom()


def _new_ballot_tables() -> None:
    op.create_table(
        "ballot",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["budgetround.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_hash"),
    )
    op.create_index("ix_ballot_round_id", "ballot", ["round_id"], unique=False)
    op.create_table(
        "ballotentry",
        sa.Column("ballot_id", sa.BigInteger(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballot.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.PrimaryKeyConstraint("ballot_id", "proposal_id"),
    )


def upgrade() -> None:
    bind = op.get_bind()
    old_ballots = bind.execute(
        sa.text("SELECT id, round_id, voter_key, receipt_hash, channel, cast_on FROM ballot")
    ).all()
    old_entries = bind.execute(
        sa.text("SELECT ballot_id, proposal_id, points, rank FROM ballotentry")
    ).all()
    op.create_table(
        "pollbookentry",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("voted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["budgetround.id"]),
        sa.PrimaryKeyConstraint("round_id", "voter_key"),
    )
    op.create_index(
        "ix_pollbookentry_round_channel", "pollbookentry", ["round_id", "channel"], unique=False
    )
    op.create_table(
        "pendingballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["budgetround.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_hash"),
    )
    op.create_index("ix_pendingballot_round_id", "pendingballot", ["round_id"], unique=False)
    op.drop_table("ballotentry")
    op.drop_index("ix_ballot_round_id", table_name="ballot")
    op.drop_table("ballot")
    _new_ballot_tables()
    poll_book = sa.table(
        "pollbookentry",
        sa.column("round_id"),
        sa.column("voter_key"),
        sa.column("channel"),
        sa.column("voted_on"),
    )
    voters = [
        {
            "round_id": b.round_id,
            "voter_key": b.voter_key,
            "channel": b.channel,
            "voted_on": b.cast_on,
        }
        for b in old_ballots
    ]
    RANDOM.shuffle(voters)
    if voters:
        op.bulk_insert(poll_book, voters)
    new_id = {b.id: RANDOM.getrandbits(62) + 1 for b in old_ballots}
    dealt = list(old_ballots)
    RANDOM.shuffle(dealt)
    ballots = sa.table("ballot", sa.column("id"), sa.column("round_id"), sa.column("receipt_hash"))
    if dealt:
        op.bulk_insert(
            ballots,
            [
                {"id": new_id[b.id], "round_id": b.round_id, "receipt_hash": b.receipt_hash}
                for b in dealt
            ],
        )
    entries = sa.table(
        "ballotentry",
        sa.column("ballot_id"),
        sa.column("proposal_id"),
        sa.column("points"),
        sa.column("rank"),
    )
    if old_entries:
        op.bulk_insert(
            entries,
            [
                {
                    "ballot_id": new_id[e.ballot_id],
                    "proposal_id": e.proposal_id,
                    "points": e.points,
                    "rank": e.rank,
                }
                for e in sorted(old_entries, key=lambda e: new_id[e.ballot_id])
            ],
        )


def downgrade() -> None:
    bind = op.get_bind()
    sealed = bind.execute(sa.text("SELECT id, round_id, receipt_hash FROM ballot")).all()
    entries = bind.execute(
        sa.text("SELECT ballot_id, proposal_id, points, rank FROM ballotentry")
    ).all()
    op.drop_index("ix_pendingballot_round_id", table_name="pendingballot")
    op.drop_table("pendingballot")
    op.drop_table("pollbookentry")
    op.drop_table("ballotentry")
    op.drop_index("ix_ballot_round_id", table_name="ballot")
    op.drop_table("ballot")
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("receipt_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("cast_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["budgetround.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_hash"),
        sa.UniqueConstraint("round_id", "voter_key"),
    )
    op.create_index("ix_ballot_round_id", "ballot", ["round_id"], unique=False)
    op.create_table(
        "ballotentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballot.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "proposal_id"),
    )
    op.create_index("ix_ballotentry_ballot_id", "ballotentry", ["ballot_id"], unique=False)
    number = {b.id: n for n, b in enumerate(sealed, start=1)}
    if sealed:
        op.bulk_insert(
            sa.table(
                "ballot",
                sa.column("id"),
                sa.column("round_id"),
                sa.column("voter_key"),
                sa.column("receipt_hash"),
                sa.column("channel"),
                sa.column("cast_on"),
            ),
            [
                {
                    "id": number[b.id],
                    "round_id": b.round_id,
                    "voter_key": secrets.token_hex(32),
                    "receipt_hash": b.receipt_hash,
                    "channel": "online",
                    "cast_on": date.today(),
                }
                for b in sealed
            ],
        )
    if entries:
        op.bulk_insert(
            sa.table(
                "ballotentry",
                sa.column("ballot_id"),
                sa.column("proposal_id"),
                sa.column("points"),
                sa.column("rank"),
            ),
            [
                {
                    "ballot_id": number[e.ballot_id],
                    "proposal_id": e.proposal_id,
                    "points": e.points,
                    "rank": e.rank,
                }
                for e in entries
            ],
        )
