"""Needs posted by residents (群众点单): the list proposals are drawn from."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class Need(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id")
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    category: str = Field(max_length=24)
    status: str = Field(default="open", max_length=12)
    created_at: datetime = Field(default_factory=utc_now)


class NeedSupport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("need_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utc_now)
