"""Budget rounds, their phases and ballot configuration, the poll book, ballots, voting codes
and tallies.

Ballots are secret: who voted is in the poll book, how they voted is in the ballots, and
nothing joins the two (see ``services.ballots``).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


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
    # The planned start of each phase (the committee's schedule, shown to residents; the
    # phases themselves move only when the chair moves them).
    needs_start_on: date | None = None
    proposals_start_on: date | None = None
    eligibility_start_on: date | None = None
    deliberation_start_on: date | None = None
    voting_opens_on: date | None = None
    voting_closes_on: date | None = None
    ballot_changes_allowed: bool = False  # may a voter change their ballot until the close?
    created_at: datetime = Field(default_factory=utc_now)


class RoundPhaseChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    from_phase: str = Field(max_length=16)
    to_phase: str = Field(max_length=16)
    changed_by_id: int | None = Field(default=None, foreign_key="person.id")
    changed_at: datetime = Field(default_factory=utc_now)


class PollBookEntry(SQLModel, table=True):
    """That a voter has voted in a round (the poll book, 投票登记): a keyed hash of the round and
    the voter, how and on what day. It makes a second ballot impossible. Nothing in it points
    at the ballot, nor anything in the ballot at it: the two are written together, and the
    ballot is later moved, shuffled among others, to where its casting leaves no trace.
    Turnout by channel is counted from an index alone, never from the rows."""

    __table_args__ = (Index("ix_pollbookentry_round_channel", "round_id", "channel"),)

    round_id: int = Field(foreign_key="budgetround.id", primary_key=True)
    voter_key: str = Field(max_length=64, primary_key=True)  # HMAC(secret, round, voter)
    channel: str = Field(max_length=8)
    voted_on: date  # a day, not a time: turnout by day, never a moment to match a sign-in to


class PendingBallot(SQLModel, table=True):
    """A ballot cast since its round's last sealing, its marks as (proposal id, points, rank).
    Sealing moves pending ballots in a random order to ``Ballot`` and deletes them here."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    receipt_hash: str = Field(max_length=64, unique=True)
    marks: list[list[int | None]] = Field(default_factory=list, sa_column=Column(JSON))


class Ballot(SQLModel, table=True):
    """A sealed ballot: a random id, its round and the hash of the voter's receipt code. No
    voter, channel, day or casting order: sealing inserts a batch in a random order, and when
    the vote closes the whole round is dealt out again."""

    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    receipt_hash: str = Field(max_length=64, unique=True)


class BallotEntry(SQLModel, table=True):
    """One proposal on a ballot: ``points`` for cumulative/scores, ``rank`` (0 = first) for
    ordinal ballots, neither for approval."""

    ballot_id: int = Field(foreign_key="ballot.id", primary_key=True, sa_type=BigInteger)
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
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
