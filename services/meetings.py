"""Committee meetings (议事会): scheduling, agenda, attendance, minutes and decisions.

A meeting moves planned -> in_progress -> closed; its minutes move draft -> published, and only
a closed meeting's minutes can be published. Anyone may see that a meeting takes place (title,
time, place, agenda). Attendance, notes and decisions are committee material until the minutes
are published: a resident gets the meeting without them, never an error just for looking.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingNote,
    Person,
    Place,
    Proposal,
    RoleGrant,
)
from models.vocabulary import (
    DecisionOutcome,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    ProposalStatus,
)
from services.common import (
    choice,
    clean_text,
    get_or_fail,
    id_of,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import InvalidInput, NotFound, WrongPhase
from services.permissions import Action, Viewer, can, require

__all__ = [
    "AgendaRow",
    "AttendanceRow",
    "Choice",
    "DecisionRow",
    "MeetingMinutes",
    "MeetingRow",
    "NoteRow",
    "add_agenda_item",
    "attendance_candidates",
    "close_meeting",
    "list_meetings",
    "meeting_minutes",
    "proposals_for_meeting",
    "publish_minutes",
    "record_attendance",
    "record_decision",
    "schedule_meeting",
    "start_meeting",
    "take_note",
]

MAX_VOTES = 100_000  # a committee or a resident assembly, never more: anything larger is a slip


# --- changes ---------------------------------------------------------------------------------


def _meeting_to_change(session: Session, viewer: Viewer, meeting_id: int) -> Meeting:
    """The meeting, once the viewer may run meetings at its place and it is not closed."""
    meeting = get_or_fail(session, Meeting, meeting_id)
    require_at(session, viewer, Action.RUN_MEETING, meeting.place_id)
    if meeting.status == MeetingStatus.CLOSED:
        raise WrongPhase("meeting_closed")
    return meeting


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        # A time without a zone is ambiguous between the server and the community's clock.
        raise InvalidInput("field_invalid", field=field)
    return value


def _proposal_here(session: Session, meeting: Meeting, proposal_id: int | None) -> int | None:
    """A linked proposal must belong to the meeting's place (or a place under it)."""
    if proposal_id is None:
        return None
    proposal = get_or_fail(session, Proposal, proposal_id)
    if proposal.status == ProposalStatus.DRAFT:
        raise NotFound(entity="proposal")  # a draft is its author's alone
    if not place_tree(session).covers(meeting.place_id, proposal.place_id):
        raise InvalidInput("proposal_elsewhere")
    return proposal.id


def _agenda_item_of(
    session: Session, meeting: Meeting, agenda_item_id: int | None
) -> AgendaItem | None:
    if agenda_item_id is None:
        return None
    item = get_or_fail(session, AgendaItem, agenda_item_id)
    if item.meeting_id != meeting.id:
        raise InvalidInput("field_invalid", field="agenda_item")
    return item


def schedule_meeting(
    session: Session,
    viewer: Viewer,
    *,
    place_id: int,
    title: str,
    scheduled_at: datetime,
    location: str = "",
    kind: str = MeetingKind.COMMITTEE,
    secretary_id: int | None = None,
) -> int:
    get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.RUN_MEETING, place_id)
    if secretary_id is not None:
        get_or_fail(session, Person, secretary_id)
    meeting = Meeting(
        place_id=place_id,
        kind=choice(kind, MeetingKind, "kind"),
        title=clean_text(title, "title", max_length=160),
        scheduled_at=_aware(scheduled_at, "scheduled_at"),
        location=clean_text(location, "location", max_length=160, required=False),
        status=MeetingStatus.PLANNED,
        minutes_status=MinutesStatus.DRAFT,
        secretary_id=secretary_id,
    )
    session.add(meeting)
    record_audit(session, viewer, "schedule_meeting", meeting)
    session.commit()
    return meeting.id  # type: ignore[return-value]


def add_agenda_item(
    session: Session,
    viewer: Viewer,
    *,
    meeting_id: int,
    title: str,
    proposal_id: int | None = None,
    minutes_allotted: int | None = None,
) -> int:
    meeting = _meeting_to_change(session, viewer, meeting_id)
    if minutes_allotted is not None and (
        not isinstance(minutes_allotted, int)
        or isinstance(minutes_allotted, bool)
        or not 1 <= minutes_allotted <= 600
    ):
        raise InvalidInput("field_invalid", field="minutes_allotted")
    existing = session.exec(
        select(AgendaItem.position).where(AgendaItem.meeting_id == meeting_id)
    ).all()
    item = AgendaItem(
        meeting_id=meeting_id,
        position=max(existing, default=-1) + 1,
        title=clean_text(title, "title", max_length=200),
        proposal_id=_proposal_here(session, meeting, proposal_id),
        minutes_allotted=minutes_allotted,
    )
    session.add(item)
    record_audit(session, viewer, "add_agenda_item", item)
    session.commit()
    return item.id  # type: ignore[return-value]


def record_attendance(
    session: Session,
    viewer: Viewer,
    *,
    meeting_id: int,
    person_id: int,
    capacity: str = "",
    present: bool = True,
) -> int:
    """Adds the person to the attendance list, or corrects their line (one line per person)."""
    _meeting_to_change(session, viewer, meeting_id)
    get_or_fail(session, Person, person_id)
    capacity = clean_text(capacity, "capacity", max_length=60, required=False)
    line = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == person_id
        )
    ).first()
    before = snapshot(line)
    if line is None:
        line = Attendance(meeting_id=meeting_id, person_id=person_id)
    line.capacity = capacity
    line.present = bool(present)
    session.add(line)
    record_audit(session, viewer, "record_attendance", line, before=before)
    session.commit()
    return line.id  # type: ignore[return-value]


def take_note(
    session: Session,
    viewer: Viewer,
    *,
    meeting_id: int,
    body: str,
    agenda_item_id: int | None = None,
) -> int:
    meeting = _meeting_to_change(session, viewer, meeting_id)
    item = _agenda_item_of(session, meeting, agenda_item_id)
    note = MeetingNote(
        meeting_id=meeting_id,
        agenda_item_id=item.id if item else None,
        author_id=viewer.person_id,
        body=clean_text(body, "body", max_length=4000, multiline=True),
    )
    session.add(note)
    record_audit(session, viewer, "take_note", note)
    session.commit()
    return note.id  # type: ignore[return-value]


def _votes(value: int, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VOTES:
        raise InvalidInput("field_invalid", field=field)
    return value


def record_decision(
    session: Session,
    viewer: Viewer,
    *,
    meeting_id: int,
    outcome: str,
    text: str,
    votes_for: int = 0,
    votes_against: int = 0,
    abstentions: int = 0,
    proposal_id: int | None = None,
    agenda_item_id: int | None = None,
) -> int:
    """A decision is voted in the room, so the meeting must be in progress. Linked to an agenda
    item about a proposal, the decision is about that proposal unless another one is named."""
    meeting = _meeting_to_change(session, viewer, meeting_id)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise WrongPhase("meeting_not_in_progress")
    item = _agenda_item_of(session, meeting, agenda_item_id)
    if proposal_id is None and item is not None:
        proposal_id = item.proposal_id
    decision = Decision(
        meeting_id=meeting_id,
        agenda_item_id=item.id if item else None,
        proposal_id=_proposal_here(session, meeting, proposal_id),
        outcome=choice(outcome, DecisionOutcome, "outcome"),
        text=clean_text(text, "text", max_length=2000, multiline=True),
        votes_for=_votes(votes_for, "votes_for"),
        votes_against=_votes(votes_against, "votes_against"),
        abstentions=_votes(abstentions, "abstentions"),
    )
    session.add(decision)
    record_audit(session, viewer, "record_decision", decision)
    session.commit()
    return decision.id  # type: ignore[return-value]


def _move(
    session: Session,
    viewer: Viewer,
    meeting_id: int,
    origin: MeetingStatus,
    target: MeetingStatus,
    action: str,
) -> None:
    meeting = get_or_fail(session, Meeting, meeting_id)
    require_at(session, viewer, Action.RUN_MEETING, meeting.place_id)
    if meeting.status != origin:
        raise WrongPhase("meeting_move_invalid")
    before = snapshot(meeting)
    meeting.status = target
    session.add(meeting)
    record_audit(session, viewer, action, meeting, before=before)
    session.commit()


def start_meeting(session: Session, viewer: Viewer, *, meeting_id: int) -> None:
    _move(
        session,
        viewer,
        meeting_id,
        MeetingStatus.PLANNED,
        MeetingStatus.IN_PROGRESS,
        "start_meeting",
    )


def close_meeting(session: Session, viewer: Viewer, *, meeting_id: int) -> None:
    """Closing freezes the minutes: no more notes, decisions, agenda items or attendance."""
    _move(
        session,
        viewer,
        meeting_id,
        MeetingStatus.IN_PROGRESS,
        MeetingStatus.CLOSED,
        "close_meeting",
    )


def publish_minutes(session: Session, viewer: Viewer, *, meeting_id: int) -> None:
    """The chair or the secretary makes the closed meeting's minutes public (公示)."""
    meeting = get_or_fail(session, Meeting, meeting_id)
    require_at(session, viewer, Action.PUBLISH_MINUTES, meeting.place_id)
    if meeting.status != MeetingStatus.CLOSED:
        raise WrongPhase("meeting_not_closed")
    if meeting.minutes_status == MinutesStatus.PUBLISHED:
        raise WrongPhase("minutes_already_published")
    before = snapshot(meeting)
    meeting.minutes_status = MinutesStatus.PUBLISHED
    session.add(meeting)
    record_audit(session, viewer, "publish_minutes", meeting, before=before)
    session.commit()


# --- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    id: int
    place_id: int
    place: str
    kind: str
    title: str
    scheduled_at: datetime
    location: str
    status: str
    minutes_status: str
    agenda_items: int

    @property
    def minutes_published(self) -> bool:
        return self.minutes_status == MinutesStatus.PUBLISHED


@dataclass(frozen=True)
class AgendaRow:
    id: int
    position: int
    title: str
    proposal_id: int | None
    proposal_title: str | None
    minutes_allotted: int | None


@dataclass(frozen=True)
class AttendanceRow:
    person_id: int
    name: str
    capacity: str
    present: bool


@dataclass(frozen=True)
class NoteRow:
    id: int
    agenda_item_id: int | None
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class DecisionRow:
    id: int
    agenda_item_id: int | None
    proposal_id: int | None
    proposal_title: str | None
    outcome: str
    text: str
    votes_for: int
    votes_against: int
    abstentions: int
    recorded_at: datetime


@dataclass(frozen=True)
class Choice:
    """An id and a name for a picker (a person, or a proposal)."""

    id: int
    name: str


@dataclass(frozen=True)
class MeetingMinutes:
    """One meeting as the viewer may see it. ``content_visible`` says whether attendance, notes
    and decisions are included (published minutes, or committee material for the viewer)."""

    meeting: MeetingRow
    agenda: list[AgendaRow]
    attendance: list[AttendanceRow]
    notes: list[NoteRow]
    decisions: list[DecisionRow]
    content_visible: bool
    may_run: bool
    may_publish: bool
    current_agenda_item_id: int | None

    @property
    def present_count(self) -> int:
        return sum(1 for line in self.attendance if line.present)


def _row(meeting: Meeting, place: str, agenda_items: int) -> MeetingRow:
    return MeetingRow(
        id=id_of(meeting),
        place_id=meeting.place_id,
        place=place,
        kind=meeting.kind,
        title=meeting.title,
        scheduled_at=meeting.scheduled_at,
        location=meeting.location,
        status=meeting.status,
        minutes_status=meeting.minutes_status,
        agenda_items=agenda_items,
    )


def _rows(session: Session, meetings: list[tuple[Meeting, str]]) -> list[MeetingRow]:
    ids = [m.id for m, _ in meetings]
    counts: dict[int, int] = {}
    for meeting_id in session.exec(
        select(AgendaItem.meeting_id).where(col(AgendaItem.meeting_id).in_(ids))
    ):
        counts[meeting_id] = counts.get(meeting_id, 0) + 1
    return [_row(m, place, counts.get(id_of(m), 0)) for m, place in meetings]


def list_meetings(
    session: Session, viewer: Viewer, place_id: int | None = None
) -> list[MeetingRow]:
    """Every meeting (the fact that a meeting happens is public), newest first; with a place,
    the meetings held at it or at any place under it."""
    query = select(Meeting, Place.name).join(Place, col(Place.id) == Meeting.place_id)
    found = list(session.exec(query.order_by(col(Meeting.scheduled_at).desc(), col(Meeting.id))))
    if place_id is not None:
        tree = place_tree(session)
        found = [(m, name) for m, name in found if tree.covers(place_id, m.place_id)]
    return _rows(session, found)


def attendance_candidates(session: Session, viewer: Viewer, *, meeting_id: int) -> list[Choice]:
    """People who live or hold a role at the meeting's place, for the attendance form: names
    and ids only, chosen in the database, so a community of 20,000 residents costs one
    indexed read."""
    meeting = get_or_fail(session, Meeting, meeting_id)
    tree = place_tree(session)
    require(viewer, Action.RUN_MEETING, meeting.place_id, tree)
    under = [place for place in tree.parents if tree.covers(meeting.place_id, place)]
    above = tree.lineage(meeting.place_id)
    residents = select(col(Person.id), Person.display_name).where(
        col(Person.is_active), col(Person.home_place_id).in_(under)
    )
    officials = (
        select(col(Person.id), Person.display_name)
        .join(RoleGrant, col(RoleGrant.person_id) == Person.id)
        .where(
            col(RoleGrant.revoked_at).is_(None),
            col(Person.is_active),
            col(RoleGrant.place_id).in_(set(under) | set(above)),
        )
    )
    people = {
        pid: name
        for query in (residents, officials)
        for pid, name in session.exec(query)
        if pid is not None
    }
    return sorted((Choice(id=pid, name=name) for pid, name in people.items()), key=lambda p: p.name)


def proposals_for_meeting(session: Session, *, meeting_id: int) -> list[Choice]:
    """Public proposals of the meeting's place and the places under it, for agenda pickers."""
    meeting = get_or_fail(session, Meeting, meeting_id)
    tree = place_tree(session)
    return [
        Choice(id=proposal.id, name=proposal.title)  # type: ignore[arg-type]
        for proposal in session.exec(
            select(Proposal)
            .where(Proposal.status != ProposalStatus.DRAFT)
            .order_by(col(Proposal.id))
        )
        if tree.covers(meeting.place_id, proposal.place_id)
    ]


def meeting_minutes(session: Session, viewer: Viewer, meeting_id: int) -> MeetingMinutes:
    meeting = get_or_fail(session, Meeting, meeting_id)
    tree = place_tree(session)
    place = get_or_fail(session, Place, meeting.place_id)
    is_committee = can(viewer, Action.VIEW_COMMITTEE_MATERIAL, meeting.place_id, tree)
    visible = meeting.minutes_status == MinutesStatus.PUBLISHED or is_committee
    proposals = dict(session.exec(select(Proposal.id, Proposal.title)).all())
    agenda = [
        AgendaRow(
            id=item.id,  # type: ignore[arg-type]
            position=item.position,
            title=item.title,
            proposal_id=item.proposal_id,
            proposal_title=proposals.get(item.proposal_id),
            minutes_allotted=item.minutes_allotted,
        )
        for item in session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    ]
    attendance: list[AttendanceRow] = []
    notes: list[NoteRow] = []
    decisions: list[DecisionRow] = []
    if visible:
        names = dict(session.exec(select(Person.id, Person.display_name)).all())
        attendance = [
            AttendanceRow(
                person_id=line.person_id,
                name=names.get(line.person_id, ""),
                capacity=line.capacity,
                present=line.present,
            )
            for line in session.exec(
                select(Attendance)
                .where(Attendance.meeting_id == meeting_id)
                .order_by(col(Attendance.id))
            )
        ]
        notes = [
            NoteRow(
                id=note.id,  # type: ignore[arg-type]
                agenda_item_id=note.agenda_item_id,
                author=names.get(note.author_id, "") if note.author_id else "",
                body=note.body,
                created_at=note.created_at,
            )
            for note in session.exec(
                select(MeetingNote)
                .where(MeetingNote.meeting_id == meeting_id)
                .order_by(col(MeetingNote.id))
            )
        ]
        decisions = [
            DecisionRow(
                id=d.id,  # type: ignore[arg-type]
                agenda_item_id=d.agenda_item_id,
                proposal_id=d.proposal_id,
                proposal_title=proposals.get(d.proposal_id),
                outcome=d.outcome,
                text=d.text,
                votes_for=d.votes_for,
                votes_against=d.votes_against,
                abstentions=d.abstentions,
                recorded_at=d.recorded_at,
            )
            for d in session.exec(
                select(Decision).where(Decision.meeting_id == meeting_id).order_by(col(Decision.id))
            )
        ]
    # The item under discussion: the one the latest note or decision is about, else the first.
    latest = [(n.created_at, n.id, n.agenda_item_id) for n in notes if n.agenda_item_id]
    latest += [(d.recorded_at, d.id, d.agenda_item_id) for d in decisions if d.agenda_item_id]
    current = max(latest)[2] if latest else (agenda[0].id if agenda else None)
    return MeetingMinutes(
        meeting=_row(meeting, place.name, len(agenda)),
        agenda=agenda,
        attendance=attendance,
        notes=notes,
        decisions=decisions,
        content_visible=visible,
        may_run=can(viewer, Action.RUN_MEETING, meeting.place_id, tree)
        and meeting.status != MeetingStatus.CLOSED,
        may_publish=can(viewer, Action.PUBLISH_MINUTES, meeting.place_id, tree)
        and meeting.status == MeetingStatus.CLOSED
        and meeting.minutes_status == MinutesStatus.DRAFT,
        current_agenda_item_id=current,
    )
