"""Crowdfunding campaigns and revenue-earning assets. Their money is on the ledger: a gift to a
campaign is a designated donation naming it, an asset's income a revenue entry naming it."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel

from models.clock import utc_now


class Campaign(SQLModel, table=True):
    """A target and a deadline for one proposal or one need (众筹), collected into a fund."""

    __table_args__ = (CheckConstraint("target_fen > 0", name="campaign_target_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    title: str = Field(max_length=160)
    description: str = Field(default="", max_length=2000)
    target_fen: int = Field(sa_type=BigInteger)
    deadline: date
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    status: str = Field(default="open", max_length=16)
    opened_by_id: int | None = Field(default=None, foreign_key="person.id")
    opened_at: datetime = Field(default_factory=utc_now)
    closed_at: datetime | None = None


class RevenueAsset(SQLModel, table=True):
    """Something that earns a fund its own money: parking, a canteen, container shops, rent."""

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=24)
    description: str = Field(default="", max_length=500)
    registered_by_id: int | None = Field(default=None, foreign_key="person.id")
    registered_at: datetime = Field(default_factory=utc_now)
