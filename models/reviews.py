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
    # Session mode: the chair (the reviewer or administrator who opened the session) moves it
    # project to project from their device; the reviewers' phones and the wall follow.
    chair_id: int | None = Field(default=None, foreign_key="person.id")
    current_proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    # Moves with every change of the session, its roster or its reviews: the wall asks for this
    # one number each second and reads the board again only when it moved.
    revision: int = Field(default=0, ge=0)


class ReviewAssignment(SQLModel, table=True):
    """A street reviewer on a session's roster: only they score in it, and the aggregate shows
    once every one of them has scored the project."""

    __table_args__ = (UniqueConstraint("session_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reviewsession.id", index=True)
    reviewer_id: int = Field(foreign_key="person.id")


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
