"""Budget rounds, their phases and ballot configuration, ballots, voting codes and tallies.

Ballots are secret: a ballot row carries a keyed hash of (voter, round), never a person id, so the
one-ballot-per-voter rule is a unique constraint that nobody can read back to a person.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.base import utc_now


class BudgetRound(SQLModel, table=True):
    __table_args__ = (CheckConstraint("budget_fen >= 0", name="round_budget"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    year: int = Field(ge=2000, le=2200)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    phase: str = Field(default="draft", max_length=16)
    budget_fen: int = Field(sa_type=BigInteger)
    ballot_kind: str = Field(default="approval", max_length=16)
    rule: str = Field(default="mes+greedy", max_length=24)
    tie_break: str = Field(default="id", max_length=8)
    min_length: int = Field(default=1, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    max_points: int | None = Field(default=None, ge=1)
    max_sum_points: int | None = Field(default=None, ge=1)
    voting_opens_on: date | None = None
    voting_closes_on: date | None = None
    created_at: datetime = Field(default_factory=utc_now)


class RoundPhaseChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    from_phase: str = Field(max_length=16)
    to_phase: str = Field(max_length=16)
    changed_by_id: int | None = Field(default=None, foreign_key="person.id")
    changed_at: datetime = Field(default_factory=utc_now)


class Ballot(SQLModel, table=True):
    """One voter's ballot in one round. ``voter_key`` is HMAC(secret, voter, round)."""

    __table_args__ = (UniqueConstraint("round_id", "voter_key"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    voter_key: str = Field(max_length=64)
    receipt_hash: str = Field(max_length=64, unique=True)
    channel: str = Field(default="online", max_length=8)
    cast_on: date  # a day, not a time: a timestamp could be matched against sign-in logs


class BallotEntry(SQLModel, table=True):
    """One proposal on a ballot: ``points`` for cumulative/scores, ``rank`` (0 = first) for
    ordinal ballots, neither for approval."""

    __table_args__ = (UniqueConstraint("ballot_id", "proposal_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    points: int | None = None
    rank: int | None = Field(default=None, ge=0)


class VotingCode(SQLModel, table=True):
    """A one-time household code for one round, for residents without an account."""

    __table_args__ = (UniqueConstraint("round_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    code_hash: str = Field(max_length=64, unique=True)
    issued_by_id: int | None = Field(default=None, foreign_key="person.id")
    issued_at: datetime = Field(default_factory=utc_now)
    used: bool = False


class Tally(SQLModel, table=True):
    """A computed outcome with its explanation; private to the committee until published."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    rule: str = Field(max_length=24)
    tie_break: str = Field(max_length=8)
    ballots_counted: int = Field(ge=0)
    total_cost_fen: int = Field(ge=0, sa_type=BigInteger)
    selected_proposal_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    explanation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    computed_by_id: int | None = Field(default=None, foreign_key="person.id")
    computed_at: datetime = Field(default_factory=utc_now)
    published_at: datetime | None = None
