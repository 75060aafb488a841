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
