"""Residents' ratings of finished projects: the residents' side of satisfaction (满意度)."""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class ProjectRating(SQLModel, table=True):
    """One resident's stars for one completed project; rating again revises it."""

    __table_args__ = (
        UniqueConstraint("proposal_id", "person_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="project_rating_stars"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    stars: int
    comment: str = Field(default="", max_length=500)
    rated_at: datetime = Field(default_factory=utc_now)
