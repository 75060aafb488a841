"""Committee meetings (议事会): scheduling, agenda, attendance, minutes and decisions.

A meeting moves planned -> in_progress -> closed; its minutes move draft -> published, and only
a closed meeting's minutes can be published. Anyone may see that a meeting takes place (title,
time, place, agenda). Attendance, notes and decisions are committee material until the minutes
are published: a resident gets the meeting without them, never an error just for looking.

In the room, the chair or the secretary moves through the agenda from their own device: the
meeting stores the item under discussion and when its speaking time began, and the wall screen
follows. A move names the item it moves from, so that two devices pressing "next" at once move
one item, not two; a decision names the item it was taken on, which must be the one under
discussion, and the proposal it is about, never taken from the item by default. Every change
moves the meeting's ``revision``, the one number a wall screen asks for each second.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select, update

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
from models.clock import utc_now
from models.vocabulary import (
    CommitteePosition,
    DecisionOutcome,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    ProposalStatus,
    Role,
)
from services.common import (
    bounded_int,
    choice,
    clean_text,
    get_or_fail,
    id_of,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import Conflict, InvalidInput, NotFound, WrongPhase
from services.permissions import Action, Viewer, can, require

__all__ = [
    "AgendaRow",
    "AttendanceRow",
    "Choice",
    "DecisionRow",
    "ItemTimer",
    "MeetingMinutes",
    "MeetingRow",
    "NoteRow",
    "Quorum",
    "RollLine",
    "add_agenda_item",
    "attendance_candidates",
    "check_in",
    "close_meeting",
    "committee_roll",
    "item_timer",
    "list_meetings",
    "meeting_minutes",
    "meeting_version",
    "next_agenda_item",
    "previous_agenda_item",
    "proposals_for_meeting",
    "publish_minutes",
    "record_attendance",
    "record_decision",
    "schedule_meeting",
    "start_item_timer",
    "start_meeting",
    "take_note",
]

MAX_VOTES = 100_000  # a committee or a resident assembly, never more: anything larger is a slip
MAX_QUORUM = 1_000  # committee members needed: a committee has a few dozen at most
MAX_CHECK_IN = 500  # people ticked in one submit


# --- changes ---------------------------------------------------------------------------------


def _meeting_to_change(session: Session, viewer: Viewer, meeting_id: int) -> Meeting:
    """The meeting, once the viewer may run meetings at its place and it is not closed."""
    meeting = get_or_fail(session, Meeting, meeting_id)
    require_at(session, viewer, Action.RUN_MEETING, meeting.place_id)
    if meeting.status == MeetingStatus.CLOSED:
        raise WrongPhase("meeting_closed")
    return meeting


def _touch(session: Session, meeting_id: int) -> None:
    """Moves the meeting's revision in the database itself, so that two changes committed at
    the same moment move it twice and a wall screen never mistakes the second for the first."""
    session.exec(
        update(Meeting)
        .where(col(Meeting.id) == meeting_id)
        .values(revision=col(Meeting.revision) + 1)
    )


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
    quorum: int | None = None,
) -> int:
    """``quorum``: the committee members present this meeting needs to decide, where its rules
    say so; by default more than half of the place's committee members."""
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
        quorum=None if quorum is None else bounded_int(quorum, "quorum", low=1, high=MAX_QUORUM),
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
    _touch(session, meeting_id)
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
    _touch(session, meeting_id)
    session.commit()
    return line.id  # type: ignore[return-value]


def _person_ids(person_ids: Sequence[int]) -> list[int]:
    if isinstance(person_ids, str | bytes) or not isinstance(person_ids, Sequence):
        raise InvalidInput("field_invalid", field="people")
    if len(person_ids) > MAX_CHECK_IN:
        raise InvalidInput("field_too_long", field="people", max=MAX_CHECK_IN)
    return list(dict.fromkeys(person_ids))


def check_in(
    session: Session, viewer: Viewer, *, meeting_id: int, person_ids: Sequence[int]
) -> int:
    """Marks everyone ticked as present, in one submit: a new line for whoever has none, an
    absent line turned present, a present line left as it is (so checking in twice changes
    nothing). Returns how many lines changed."""
    _meeting_to_change(session, viewer, meeting_id)
    wanted = _person_ids(person_ids)
    for person_id in wanted:
        get_or_fail(session, Person, person_id)
    lines = {
        line.person_id: line
        for line in session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id, col(Attendance.person_id).in_(wanted)
            )
        )
    }
    changed = 0
    for person_id in wanted:
        line = lines.get(person_id)
        if line is not None and line.present:
            continue
        before = snapshot(line)
        line = line or Attendance(meeting_id=meeting_id, person_id=person_id)
        line.present = True
        session.add(line)
        record_audit(session, viewer, "check_in", line, before=before)
        changed += 1
    if changed:
        _touch(session, meeting_id)
        session.commit()
    return changed


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
    _touch(session, meeting_id)
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
    agenda_item_id: int | None,
    proposal_id: int | None,
    outcome: str,
    text: str,
    votes_for: int = 0,
    votes_against: int = 0,
    abstentions: int = 0,
) -> int:
    """A decision is voted in the room, so the meeting must be in progress, and it is taken on
    the item under discussion: an item named by a form drawn before the chair moved on is
    refused, not filed under the wrong item. The proposal is the one the person chose (or
    none), never the item's by default: an item may discuss one project and decide another."""
    meeting = _meeting_to_change(session, viewer, meeting_id)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise WrongPhase("meeting_not_in_progress")
    item = _agenda_item_of(session, meeting, agenda_item_id)
    if item is not None and item.id != meeting.current_item_id:
        raise Conflict("agenda_item_not_current")
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
    _touch(session, meeting_id)
    session.commit()
    return decision.id  # type: ignore[return-value]


# --- the room: the item under discussion and its speaking time -------------------------------


def _meeting_to_steer(session: Session, viewer: Viewer, meeting_id: int) -> Meeting:
    meeting = get_or_fail(session, Meeting, meeting_id)
    require_at(session, viewer, Action.STEER_MEETING, meeting.place_id)
    if meeting.status == MeetingStatus.CLOSED:
        raise WrongPhase("meeting_closed")
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise WrongPhase("meeting_not_in_progress")
    return meeting


def _still_on(meeting: Meeting, from_item_id: int | None) -> None:
    """The item the person saw must still be the current one: two devices pressing "next" at
    the same moment move the meeting one item, and the second is told it moved already."""
    if from_item_id != meeting.current_item_id:
        raise Conflict("meeting_moved_on")


def _agenda_ids(session: Session, meeting_id: int) -> list[int]:
    return [
        item_id
        for item_id in session.exec(
            select(AgendaItem.id)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
        if item_id is not None
    ]


def _go_to(session: Session, viewer: Viewer, meeting: Meeting, item_id: int, action: str) -> int:
    before = snapshot(meeting)
    meeting.current_item_id = item_id
    meeting.item_started_at = utc_now()
    session.add(meeting)
    record_audit(session, viewer, action, meeting, before=before)
    _touch(session, id_of(meeting))
    session.commit()
    return item_id


def next_agenda_item(
    session: Session, viewer: Viewer, *, meeting_id: int, from_item_id: int | None
) -> int:
    """Moves to the item after ``from_item_id`` (the first item from none) and starts its
    speaking time; returns the item. There is nothing after the last item: refused, not
    clamped, so that a second press is not silently a restart of the last item's time."""
    meeting = _meeting_to_steer(session, viewer, meeting_id)
    _still_on(meeting, from_item_id)
    ids = _agenda_ids(session, meeting_id)
    at = ids.index(from_item_id) if from_item_id in ids else -1
    if at + 1 >= len(ids):
        raise WrongPhase("agenda_at_end")
    return _go_to(session, viewer, meeting, ids[at + 1], "next_agenda_item")


def previous_agenda_item(
    session: Session, viewer: Viewer, *, meeting_id: int, from_item_id: int | None
) -> int:
    """Back to the item before ``from_item_id``, with its speaking time started again; refused
    on the first item (and before any)."""
    meeting = _meeting_to_steer(session, viewer, meeting_id)
    _still_on(meeting, from_item_id)
    ids = _agenda_ids(session, meeting_id)
    at = ids.index(from_item_id) if from_item_id in ids else -1
    if at <= 0:
        raise WrongPhase("agenda_at_start")
    return _go_to(session, viewer, meeting, ids[at - 1], "previous_agenda_item")


def start_item_timer(
    session: Session, viewer: Viewer, *, meeting_id: int, item_id: int | None
) -> None:
    """Starts the current item's speaking time again from now (a new speaker, a pause)."""
    meeting = _meeting_to_steer(session, viewer, meeting_id)
    _still_on(meeting, item_id)
    if item_id is None:
        raise WrongPhase("agenda_not_started")
    _go_to(session, viewer, meeting, item_id, "start_item_timer")


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
    _touch(session, meeting_id)
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
    _touch(session, meeting_id)
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
class Quorum:
    """Committee members present against those needed: ``needed`` is the meeting's own figure
    if it set one, else more than half of the place's committee members."""

    members: int
    present: int
    needed: int
    set_by_meeting: bool

    @property
    def reached(self) -> bool:
        return self.present >= self.needed


@dataclass(frozen=True)
class ItemTimer:
    """An item's speaking time at one moment: ``remaining`` goes below zero in overtime; an
    item without allotted minutes only counts up."""

    elapsed: int  # seconds
    allotted: int | None  # seconds

    @property
    def remaining(self) -> int | None:
        return None if self.allotted is None else self.allotted - self.elapsed

    @property
    def overtime(self) -> bool:
        return self.allotted is not None and self.elapsed > self.allotted


@dataclass(frozen=True)
class RollLine:
    """A committee member of the meeting's place, for the check-in list."""

    person_id: int
    name: str
    position: str | None
    present: bool


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
    may_steer: bool  # move through the agenda and start speaking times (chair, secretary)
    current_agenda_item_id: int | None  # the item under discussion, as the chair last set it
    item_started_at: datetime | None
    quorum: Quorum | None  # with the committee material, and where there is a committee
    revision: int

    @property
    def present_count(self) -> int:
        return sum(1 for line in self.attendance if line.present)

    @property
    def current_item(self) -> "AgendaRow | None":
        return next((a for a in self.agenda if a.id == self.current_agenda_item_id), None)


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


def _committee(session: Session, place_id: int) -> dict[int, str | None]:
    """The committee of a place: active people holding an unrevoked committee grant there,
    with their position (a person granted twice keeps the first position found)."""
    query = (
        select(col(RoleGrant.person_id), RoleGrant.position)
        .join(Person, col(Person.id) == RoleGrant.person_id)
        .where(
            RoleGrant.role == Role.COMMITTEE_MEMBER,
            RoleGrant.place_id == place_id,
            col(RoleGrant.revoked_at).is_(None),
            col(Person.is_active),
        )
        .order_by(col(RoleGrant.id))
    )
    members: dict[int, str | None] = {}
    for person_id, position in session.exec(query):
        members.setdefault(person_id, position)
    return members


def _quorum(meeting: Meeting, members: set[int], present: set[int]) -> Quorum | None:
    if not members and meeting.quorum is None:
        return None  # no committee recorded at this place: nothing to count against
    return Quorum(
        members=len(members),
        present=len(members & present),
        needed=meeting.quorum if meeting.quorum is not None else len(members) // 2 + 1,
        set_by_meeting=meeting.quorum is not None,
    )


POSITION_ORDER = {p.value: n for n, p in enumerate(CommitteePosition)}


def committee_roll(session: Session, viewer: Viewer, *, meeting_id: int) -> list[RollLine]:
    """The check-in list: the place's committee members, chair first, and who is present."""
    meeting = get_or_fail(session, Meeting, meeting_id)
    require_at(session, viewer, Action.RUN_MEETING, meeting.place_id)
    members = _committee(session, meeting.place_id)
    names = dict(
        session.exec(
            select(col(Person.id), Person.display_name).where(col(Person.id).in_(members))
        ).all()
    )
    present = set(
        session.exec(
            select(Attendance.person_id).where(
                Attendance.meeting_id == meeting_id, col(Attendance.present)
            )
        )
    )
    lines = [
        RollLine(person_id, names.get(person_id, ""), position, person_id in present)
        for person_id, position in members.items()
    ]
    return sorted(lines, key=lambda line: (POSITION_ORDER.get(line.position or "", 9), line.name))


def meeting_version(session: Session, *, meeting_id: int) -> int:
    """The meeting's revision: one indexed read, for a wall screen to ask every second and
    read the meeting again only when it moved."""
    revision = session.exec(select(Meeting.revision).where(Meeting.id == meeting_id)).first()
    if revision is None:
        raise NotFound(entity="meeting")
    return revision


def item_timer(
    started_at: datetime | None, minutes_allotted: int | None, now: datetime | None = None
) -> ItemTimer | None:
    """The speaking time of the item under discussion at ``now`` (the server's clock), from
    the stored start; none before the chair has opened an item."""
    if started_at is None:
        return None
    elapsed = max(int(((now or utc_now()) - started_at).total_seconds()), 0)
    return ItemTimer(elapsed=elapsed, allotted=minutes_allotted * 60 if minutes_allotted else None)


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
    quorum = None
    if visible:
        lines = list(
            session.exec(
                select(Attendance)
                .where(Attendance.meeting_id == meeting_id)
                .order_by(col(Attendance.id))
            )
        )
        found_notes = list(
            session.exec(
                select(MeetingNote)
                .where(MeetingNote.meeting_id == meeting_id)
                .order_by(col(MeetingNote.id))
            )
        )
        wanted = {line.person_id for line in lines} | {n.author_id for n in found_notes}
        names = dict(
            session.exec(
                select(col(Person.id), Person.display_name).where(col(Person.id).in_(wanted))
            ).all()
        )
        attendance = [
            AttendanceRow(
                person_id=line.person_id,
                name=names.get(line.person_id, ""),
                capacity=line.capacity,
                present=line.present,
            )
            for line in lines
        ]
        notes = [
            NoteRow(
                id=note.id,  # type: ignore[arg-type]
                agenda_item_id=note.agenda_item_id,
                author=names.get(note.author_id, "") if note.author_id else "",
                body=note.body,
                created_at=note.created_at,
            )
            for note in found_notes
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
        present = {line.person_id for line in attendance if line.present}
        quorum = _quorum(meeting, set(_committee(session, meeting.place_id)), present)
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
        may_steer=can(viewer, Action.STEER_MEETING, meeting.place_id, tree)
        and meeting.status == MeetingStatus.IN_PROGRESS,
        current_agenda_item_id=meeting.current_item_id,
        item_started_at=meeting.item_started_at,
        quorum=quorum,
        revision=meeting.revision,
    )
