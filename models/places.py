"""The place hierarchy (district > street > community > compound) and alliances of communities."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class Place(SQLModel, table=True):
    """One node of the hierarchy; ``kind`` says which level, ``parent_id`` the level above."""

    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    name: str = Field(max_length=120)
    parent_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    households: int | None = Field(default=None, ge=0)
    built_year: int | None = Field(default=None, ge=1800, le=2200)  # when the estate was built
    created_at: datetime = Field(default_factory=utc_now)


class Alliance(SQLModel, table=True):
    """Neighbouring communities that pool resources (组团联建) with a rotating council."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    street_id: int | None = Field(default=None, foreign_key="place.id")
    council_rotation_months: int = Field(default=12, ge=1)
    evaluator: str = Field(default="", max_length=200)  # third party that evaluates satisfaction
    created_at: datetime = Field(default_factory=utc_now)


class AllianceMember(SQLModel, table=True):
    """A community in an alliance with its agreed contribution ratio (per mille of the pool)."""

    __table_args__ = (UniqueConstraint("alliance_id", "community_id"),)

    id: int | None = Field(default=None, primary_key=True)
    alliance_id: int = Field(foreign_key="alliance.id", index=True)
    community_id: int = Field(foreign_key="place.id")
    contribution_permille: int = Field(ge=0, le=1000)
    chairs_council_from: date | None = None
    fund_id: int | None = Field(default=None, foreign_key="fund.id")  # pays the member's share
