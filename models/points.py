"""Volunteer points (积分): earned by volunteering, spent with merchants or as a donation share.
Like the ledger, entries are only ever added; the balance is their sum."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel

from models.clock import utc_now


class PointsAccount(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    opened_at: datetime = Field(default_factory=utc_now)


class PointsEntry(SQLModel, table=True):
    __table_args__ = (CheckConstraint("delta <> 0", name="points_delta_nonzero"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="pointsaccount.id", index=True)
    delta: int = Field(sa_type=BigInteger)
    reason: str = Field(max_length=16)
    description: str = Field(default="", max_length=200)
    merchant: str = Field(default="", max_length=120)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utc_now)
    chain_hash: str = Field(default="", max_length=64)  # set by models.chain on insert


class PointsRule(SQLModel, table=True):
    """What an hour of volunteering earns in a community, as its committee set it. A new rule is
    a new row: the newest of a place applies from then on, the earlier ones stay readable, and
    every shift keeps the rate it was counted at."""

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    points_per_hour: int = Field(ge=1)
    set_by_id: int | None = Field(default=None, foreign_key="person.id")
    set_at: datetime = Field(default_factory=utc_now)


class PointsItem(SQLModel, table=True):
    """Goods or a service in a community's points catalogue: the community's own, or a
    merchant's of the merchant alliance (商企联盟), often below its list price. Withdrawn, never
    deleted, so past redemptions keep what they bought."""

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    name: str = Field(max_length=120)
    merchant: str = Field(default="", max_length=120)
    points_cost: int = Field(ge=1)
    list_price_fen: int | None = Field(default=None, sa_type=BigInteger)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utc_now)
    withdrawn_at: datetime | None = None


class VolunteerShift(SQLModel, table=True):
    """Hours a resident volunteered, as a clerk recorded them, and the points entry they earned
    (hours times the rule's rate at the time)."""

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    hours: int = Field(ge=1)
    activity: str = Field(max_length=200)
    rule_id: int = Field(foreign_key="pointsrule.id")
    points_per_hour: int = Field(ge=1)
    entry_id: int = Field(foreign_key="pointsentry.id", unique=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utc_now)


class PointsShareRate(SQLModel, table=True):
    """What a point counts for when a resident gives points as a special share of donation
    (积分转捐赠), as the committee set it: a new rate is a new row, the newest applies."""

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    fen_per_point: int = Field(ge=1)
    set_by_id: int | None = Field(default=None, foreign_key="person.id")
    set_at: datetime = Field(default_factory=utc_now)


class PointsShare(SQLModel, table=True):
    """Points a resident gave as a share of donation: the points entry that took them and the
    contribution in kind they count as (points times the rate, never cash on the ledger)."""

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="pointsentry.id", unique=True)
    contribution_id: int = Field(foreign_key="contribution.id", unique=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    points: int = Field(ge=1)
    fen_per_point: int = Field(ge=1)


class PointsCorrection(SQLModel, table=True):
    """A clerk's correction of a volunteering entry: the adjustment entry that moves the
    difference, the entry it corrects, the hours that stand now, and why (the ledger is never
    edited, so a mistake stays visible next to its correction)."""

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="pointsentry.id", unique=True)  # the adjustment
    corrects_id: int = Field(foreign_key="pointsentry.id", index=True)
    hours: int = Field(ge=0)  # the shift's hours as corrected (0: it did not happen)
    reason: str = Field(max_length=200)
