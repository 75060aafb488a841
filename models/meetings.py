"""Committee meetings (议事会): agenda, attendance, notes (minutes) and decisions."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    kind: str = Field(default="committee", max_length=24)
    title: str = Field(max_length=160)
    scheduled_at: datetime
    location: str = Field(default="", max_length=160)
    status: str = Field(default="planned", max_length=12)
    minutes_status: str = Field(default="draft", max_length=12)
    secretary_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utc_now)
    # The meeting room: the item under discussion and when its speaking time began, set from
    # the chair's or secretary's device and followed by the wall screen. The key is added
    # after both tables exist (agenda items name their meeting too).
    current_item_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("agendaitem.id", use_alter=True, name="fk_meeting_current_item_id"),
            nullable=True,
        ),
    )
    item_started_at: datetime | None = None
    # Committee members present needed to decide; None: more than half of the place's members.
    quorum: int | None = Field(default=None, ge=1)
    # Moves with every change of the meeting, its agenda, attendance, notes or decisions: the
    # wall screen asks for this one number each second and reads the rest only when it moved.
    revision: int = Field(default=0, ge=0)


class AgendaItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int = Field(default=0, ge=0)
    title: str = Field(max_length=200)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    minutes_allotted: int | None = Field(default=None, ge=1)


class Attendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    capacity: str = Field(default="", max_length=60)  # e.g. co-building unit representative
    present: bool = True


class MeetingNote(SQLModel, table=True):
    """A paragraph of the minutes, taken live on the projected screen."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agendaitem.id")
    author_id: int | None = Field(default=None, foreign_key="person.id")
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utc_now)


class Decision(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND abstentions >= 0", name="decision_votes"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agendaitem.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    outcome: str = Field(max_length=12)
    text: str = Field(max_length=2000)
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    recorded_at: datetime = Field(default_factory=utc_now)
