"""What an alliance of communities (组团联建) does together: calls on its members for money
(each part a ledger transfer into the joint fund), joint events, joint proposals, and the
third-party evaluator's scores. The alliance and its members are in ``models.places``."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class AllianceCall(SQLModel, table=True):
    """A call for contributions by the council's chair: the amount splits by the ratios."""

    __table_args__ = (CheckConstraint("amount_fen > 0", name="alliance_call_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    alliance_id: int = Field(foreign_key="alliance.id", index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    purpose: str = Field(max_length=500)
    called_on: date
    chair_community_id: int = Field(foreign_key="place.id")  # who chaired the council
    called_by_id: int | None = Field(default=None, foreign_key="person.id")
    called_at: datetime = Field(default_factory=utc_now)


class AllianceCallPart(SQLModel, table=True):
    """One member's part of a call: the ledger transfer that paid it."""

    __table_args__ = (UniqueConstraint("call_id", "community_id"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="alliancecall.id", index=True)
    community_id: int = Field(foreign_key="place.id")
    entry_id: int = Field(foreign_key="ledgerentry.id", unique=True)


class AllianceEvent(SQLModel, table=True):
    """A joint event (联建活动) held at a member community."""

    id: int | None = Field(default=None, primary_key=True)
    alliance_id: int = Field(foreign_key="alliance.id", index=True)
    title: str = Field(max_length=200)
    held_on: date
    place_id: int = Field(foreign_key="place.id")
    participants: int = Field(ge=0)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utc_now)


class AllianceProposal(SQLModel, table=True):
    """A member community's proposal taken up by the alliance: shown to every member, paid
    from the joint fund."""

    id: int | None = Field(default=None, primary_key=True)
    alliance_id: int = Field(foreign_key="alliance.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", unique=True)
    added_by_id: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(default_factory=utc_now)


class AllianceScore(SQLModel, table=True):
    """The third-party evaluator's scores for one joint event or joint proposal."""

    __table_args__ = (
        CheckConstraint(
            "(event_id IS NULL) <> (proposal_id IS NULL)", name="alliance_score_one_target"
        ),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="alliance_score_satisfaction"),
        CheckConstraint("resource_use BETWEEN 1 AND 5", name="alliance_score_resource_use"),
        UniqueConstraint("evaluator_id", "event_id"),
        UniqueConstraint("evaluator_id", "proposal_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alliance_id: int = Field(foreign_key="alliance.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="allianceevent.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    satisfaction: int
    resource_use: int
    comment: str = Field(default="", max_length=500)
    evaluator_id: int = Field(foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utc_now)
