"""Next year's seed money for a street's communities, split in layers (floor, need,
performance) and adjusted by the street's reviewers before it is published (services.allocation).

A line keeps the figures its suggestion was computed from, as they were on the day the plan was
drafted, so that the formula shown with a plan can always be recomputed by hand from what the
plan itself holds, whatever happens to needs and projects later."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class AllocationPlan(SQLModel, table=True):
    """One street's split of one year's seed money (one plan per street and year)."""

    __table_args__ = (
        UniqueConstraint("street_id", "year"),
        CheckConstraint("total_fen > 0", name="allocation_plan_total"),
        CheckConstraint("floor_percent >= 0 AND floor_percent <= 100", name="allocation_floor"),
        CheckConstraint("need_percent >= 0 AND need_percent <= 100", name="allocation_need"),
    )

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id", index=True)
    year: int = Field(ge=2000, le=2200)  # the year the money is for
    total_fen: int = Field(sa_type=BigInteger)
    floor_percent: int  # of the total, shared equally by every community
    need_percent: int  # of the rest; performance gets the remainder
    status: str = Field(default="draft", max_length=12)
    drafted_by_id: int | None = Field(default=None, foreign_key="person.id")
    drafted_at: datetime = Field(default_factory=utc_now)
    published_by_id: int | None = Field(default=None, foreign_key="person.id")
    published_at: datetime | None = None


class AllocationLine(SQLModel, table=True):
    """A community's part; the need and performance figures as used by the suggestion."""

    __table_args__ = (
        UniqueConstraint("plan_id", "community_id"),
        CheckConstraint("amount_fen >= 0", name="allocation_line_amount"),
        CheckConstraint("suggested_fen >= 0", name="allocation_line_suggested"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="allocationplan.id", index=True)
    community_id: int = Field(foreign_key="place.id")
    households: int | None = None
    open_needs: int = 0
    facility_age: int | None = None  # years since the oldest compound was built, where known
    # Exact fractions as "p/q" text; empty where the community has no such figure.
    implementation: str = Field(default="", max_length=40)  # done ÷ selected
    leverage: str = Field(default="", max_length=40)  # other money ÷ seed money
    satisfaction: str = Field(default="", max_length=40)  # the review's, 0 to 1
    suggested_fen: int = Field(sa_type=BigInteger)
    amount_fen: int = Field(sa_type=BigInteger)


class AllocationAdjustment(SQLModel, table=True):
    """A reviewer's change to a community's part, the difference given or taken by another
    community so that the plan's total never changes; the reason is public with the plan."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="allocationplan.id", index=True)
    community_id: int = Field(foreign_key="place.id")
    counterpart_id: int = Field(foreign_key="place.id")
    before_fen: int = Field(sa_type=BigInteger)
    after_fen: int = Field(sa_type=BigInteger)
    counterpart_before_fen: int = Field(sa_type=BigInteger)
    counterpart_after_fen: int = Field(sa_type=BigInteger)
    reason: str = Field(max_length=500)
    adjusted_by_id: int | None = Field(default=None, foreign_key="person.id")
    adjusted_at: datetime = Field(default_factory=utc_now)
