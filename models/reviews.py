"""Year-end review sessions (年底评审会): reviewers score each funded project on a rubric."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class ReviewSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id", index=True)
    year: int = Field(ge=2000, le=2200)
    title: str = Field(max_length=160)
    held_on: date
    status: str = Field(default="planned", max_length=12)


class Review(SQLModel, table=True):
    """One reviewer's verdict on one funded proposal; private until the session closes."""

    __table_args__ = (UniqueConstraint("session_id", "proposal_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reviewsession.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    reviewer_id: int = Field(foreign_key="person.id")
    recommendation: str = Field(max_length=24)
    goal_drift: bool = False  # 目标替代: the project became something else
    comment: str = Field(default="", max_length=2000)
    submitted_at: datetime = Field(default_factory=utc_now)


class RubricScore(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("review_id", "criterion"),
        CheckConstraint("score >= 0 AND score <= 5", name="rubric_score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    criterion: str = Field(max_length=24)
    score: int
