"""The meeting room: the chair or secretary moves through the agenda and starts speaking times,
the wall follows the meeting's revision, the committee checks in at once, the quorum is counted,
and a decision is filed under the item being discussed and the proposal chosen."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models import Attendance, AuditEntry, Decision, Meeting, RoleGrant
from models.clock import utc_now
from services import meetings
from services.accounts import viewer_for_person
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, WrongPhase
from tests.services.test_concurrency import outcomes, race
from tests.services.test_meetings import decide, proposal, schedule
from tests.street import fingerprint
from tests.world import World


def agenda(world: World, meeting_id: int, *minutes: int | None) -> list[int]:
    return [
        meetings.add_agenda_item(
            world.session,
            world.viewer("chair_a"),
            meeting_id=meeting_id,
            title=f"item {n}",
            minutes_allotted=allotted,
        )
        for n, allotted in enumerate(minutes, start=1)
    ]


def room(world: World, *minutes: int | None) -> tuple[int, list[int]]:
    """A meeting in progress with items of the given allotted minutes, none opened yet."""
    meeting_id = schedule(world)
    items = agenda(world, meeting_id, *minutes)
    meetings.start_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    return meeting_id, items


def step(
    world: World, meeting_id: int, direction: str, from_item: int | None, who: str = "secretary_a"
) -> int:
    move = meetings.next_agenda_item if direction == "next" else meetings.previous_agenda_item
    return move(world.session, world.viewer(who), meeting_id=meeting_id, from_item_id=from_item)


def current(world: World, meeting_id: int) -> tuple[int | None, object]:
    meeting = world.session.get(Meeting, meeting_id)
    assert meeting is not None
    world.session.refresh(meeting)
    return meeting.current_item_id, meeting.item_started_at


# --- moving through the agenda ----------------------------------------------------------------


def test_next_and_previous_walk_the_agenda_and_start_each_items_time(world: World) -> None:
    meeting_id, (first, second, third) = room(world, 10, 20, None)
    assert current(world, meeting_id) == (None, None)
    before = utc_now()
    assert step(world, meeting_id, "next", None) == first
    item, started = current(world, meeting_id)
    assert item == first and started is not None and started >= before - timedelta(seconds=1)
    assert step(world, meeting_id, "next", first, who="chair_a") == second
    assert step(world, meeting_id, "next", second) == third
    assert step(world, meeting_id, "previous", third) == second
    assert current(world, meeting_id)[0] == second
    actions = world.session.exec(
        select(AuditEntry.action).where(AuditEntry.entity == "meeting").order_by(AuditEntry.id)
    ).all()
    assert actions[-4:] == ["next_agenda_item"] * 3 + ["previous_agenda_item"]


def test_the_ends_of_the_agenda_are_refused_not_clamped(world: World) -> None:
    meeting_id, (first, last) = room(world, 10, 10)
    with pytest.raises(WrongPhase) as raised:
        step(world, meeting_id, "previous", None)
    assert raised.value.code == "agenda_at_start"
    for at, direction, code in (
        (first, "previous", "agenda_at_start"),
        (last, "next", "agenda_at_end"),
    ):
        step(world, meeting_id, "next", None if at == first else first)
        seen = current(world, meeting_id)
        assert seen[0] == at
        before = fingerprint(world.session)
        with pytest.raises(WrongPhase) as raised:
            step(world, meeting_id, direction, at)
        assert raised.value.code == code
        assert fingerprint(world.session) == before  # not even the item's time restarted
        assert current(world, meeting_id) == seen


def test_an_empty_agenda_has_no_next_item(world: World) -> None:
    meeting_id, _ = room(world)
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as raised:
        step(world, meeting_id, "next", None)
    assert raised.value.code == "agenda_at_end"
    assert fingerprint(world.session) == before


def test_two_devices_pressing_next_at_once_move_one_item(world: World) -> None:
    """Both saw the first item; the second press names it and is told the meeting moved."""
    meeting_id, (first, second, _) = room(world, 10, 10, 10)
    step(world, meeting_id, "next", None)
    step(world, meeting_id, "next", first, who="chair_a")
    before = fingerprint(world.session)
    with pytest.raises(Conflict) as raised:
        step(world, meeting_id, "next", first, who="secretary_a")
    assert raised.value.code == "meeting_moved_on"
    assert fingerprint(world.session) == before
    assert current(world, meeting_id)[0] == second


@pytest.mark.parametrize(
    "who", ["member_a", "treasurer_a", "clerk_a", "chair_b", "resident_a1", "reviewer", "admin"]
)
def test_only_the_chair_and_secretary_of_the_place_steer(world: World, who: str) -> None:
    meeting_id, (first, _) = room(world, 10, 10)
    step(world, meeting_id, "next", None)
    before = fingerprint(world.session)
    calls = (
        lambda: step(world, meeting_id, "next", first, who=who),
        lambda: step(world, meeting_id, "previous", first, who=who),
        lambda: meetings.start_item_timer(
            world.session, world.viewer(who), meeting_id=meeting_id, item_id=first
        ),
    )
    for call in calls:
        with pytest.raises(NotAllowed) as raised:
            call()
        assert raised.value.params == {"action": "steer_meeting"}
    assert fingerprint(world.session) == before


def test_steering_needs_a_meeting_in_progress(world: World) -> None:
    meeting_id = schedule(world)
    (item,) = agenda(world, meeting_id, 10)
    with pytest.raises(WrongPhase) as raised:
        step(world, meeting_id, "next", None)
    assert raised.value.code == "meeting_not_in_progress"
    meetings.start_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    step(world, meeting_id, "next", None)
    meetings.close_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as raised:
        meetings.start_item_timer(
            world.session, world.viewer("chair_a"), meeting_id=meeting_id, item_id=item
        )
    assert raised.value.code == "meeting_closed"
    assert fingerprint(world.session) == before
    with pytest.raises(NotFound):
        step(world, 9999, "next", None)


# --- the speaking time ------------------------------------------------------------------------


def test_the_timer_counts_down_from_the_stored_start_and_shows_overtime() -> None:
    start = utc_now()
    early = meetings.item_timer(start, 20, start + timedelta(minutes=5, seconds=30))
    assert early is not None
    assert (early.elapsed, early.remaining, early.overtime) == (330, 20 * 60 - 330, False)
    late = meetings.item_timer(start, 20, start + timedelta(minutes=23))
    assert late is not None and late.overtime and late.remaining == -180
    exactly = meetings.item_timer(start, 20, start + timedelta(minutes=20))
    assert exactly is not None and exactly.remaining == 0 and not exactly.overtime
    open_ended = meetings.item_timer(start, None, start + timedelta(minutes=50))
    assert open_ended is not None
    assert (open_ended.remaining, open_ended.overtime, open_ended.elapsed) == (None, False, 3000)
    assert meetings.item_timer(None, 20) is None
    skewed = meetings.item_timer(start, 20, start - timedelta(seconds=3))  # clocks a bit apart
    assert skewed is not None and skewed.elapsed == 0


def test_starting_the_timer_again_restarts_the_current_items_time_only(world: World) -> None:
    meeting_id, (first, second) = room(world, 10, 10)
    with pytest.raises(WrongPhase) as raised:
        meetings.start_item_timer(
            world.session, world.viewer("chair_a"), meeting_id=meeting_id, item_id=None
        )
    assert raised.value.code == "agenda_not_started"
    step(world, meeting_id, "next", None)
    meeting = world.session.get(Meeting, meeting_id)
    assert meeting is not None
    meeting.item_started_at = utc_now() - timedelta(minutes=12)  # the item ran over
    world.session.add(meeting)
    world.session.commit()
    before = fingerprint(world.session)
    with pytest.raises(Conflict):  # a form drawn for another item
        meetings.start_item_timer(
            world.session, world.viewer("chair_a"), meeting_id=meeting_id, item_id=second
        )
    assert fingerprint(world.session) == before
    meetings.start_item_timer(
        world.session, world.viewer("chair_a"), meeting_id=meeting_id, item_id=first
    )
    item, started = current(world, meeting_id)
    timer = meetings.item_timer(started, 10)  # type: ignore[arg-type]
    assert item == first and timer is not None and timer.elapsed < 5 and not timer.overtime


# --- the wall's version -----------------------------------------------------------------------


def test_every_change_moves_the_version_and_a_refusal_does_not(world: World) -> None:
    session = world.session
    meeting_id = schedule(world)

    def version() -> int:
        session.expire_all()
        return meetings.meeting_version(session, meeting_id=meeting_id)

    seen = [version()]
    (item,) = agenda(world, meeting_id, 5)
    seen.append(version())
    meetings.start_meeting(session, world.viewer("chair_a"), meeting_id=meeting_id)
    seen.append(version())
    step(world, meeting_id, "next", None)
    seen.append(version())
    meetings.check_in(
        session,
        world.viewer("clerk_a"),
        meeting_id=meeting_id,
        person_ids=[world.people["member_a"]],
    )
    seen.append(version())
    meetings.take_note(session, world.viewer("secretary_a"), meeting_id=meeting_id, body="x")
    seen.append(version())
    decide(world, meeting_id, agenda_item_id=item)
    seen.append(version())
    assert seen == sorted(set(seen)) and len(seen) == 7
    with pytest.raises(WrongPhase):
        step(world, meeting_id, "next", item)
    meetings.check_in(  # already present: nothing to change
        session,
        world.viewer("clerk_a"),
        meeting_id=meeting_id,
        person_ids=[world.people["member_a"]],
    )
    assert version() == seen[-1]
    with pytest.raises(NotFound):
        meetings.meeting_version(session, meeting_id=9999)


# --- attendance: the committee checks in at once -----------------------------------------------


def test_bulk_check_in_is_idempotent(world: World) -> None:
    session = world.session
    meeting_id = schedule(world)
    people = [world.people[n] for n in ("chair_a", "secretary_a", "member_a")]
    assert (
        meetings.check_in(
            session, world.viewer("clerk_a"), meeting_id=meeting_id, person_ids=[*people, people[0]]
        )
        == 3
    )
    before = fingerprint(session)
    assert (
        meetings.check_in(
            session, world.viewer("secretary_a"), meeting_id=meeting_id, person_ids=people
        )
        == 0
    )
    assert fingerprint(session) == before  # no line, no audit entry, no revision
    lines = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
    assert sorted((line.person_id, line.present) for line in lines) == sorted(
        (p, True) for p in people
    )


def test_check_in_turns_an_absent_line_present_and_keeps_its_capacity(world: World) -> None:
    session = world.session
    meeting_id = schedule(world)
    member = world.people["member_a"]
    meetings.record_attendance(
        session,
        world.viewer("secretary_a"),
        meeting_id=meeting_id,
        person_id=member,
        capacity="共建单位代表",
        present=False,
    )
    assert (
        meetings.check_in(
            session, world.viewer("secretary_a"), meeting_id=meeting_id, person_ids=[member]
        )
        == 1
    )
    line = session.exec(select(Attendance).where(Attendance.person_id == member)).one()
    assert (line.present, line.capacity) == (True, "共建单位代表")
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "check_in")).one()
    assert (audit.before["present"], audit.after["present"]) == (False, True)


@pytest.mark.parametrize(
    ("person_ids", "error", "code"),
    [
        ([9999], NotFound, "not_found"),
        (["member_a", 9999], NotFound, "not_found"),
        ([True], NotFound, "not_found"),
        ("12", InvalidInput, "field_invalid"),
        (7, InvalidInput, "field_invalid"),
        (list(range(1, 502)), InvalidInput, "field_too_long"),
    ],
)
def test_a_bad_check_in_stores_nothing(
    world: World, person_ids: object, error: type[Exception], code: str
) -> None:
    meeting_id = schedule(world)
    if isinstance(person_ids, list):
        person_ids = [world.people.get(p, p) if isinstance(p, str) else p for p in person_ids]
    before = fingerprint(world.session)
    with pytest.raises(error) as raised:
        meetings.check_in(
            world.session,
            world.viewer("secretary_a"),
            meeting_id=meeting_id,
            person_ids=person_ids,  # type: ignore[arg-type]
        )
    assert raised.value.code == code  # type: ignore[attr-defined]
    assert fingerprint(world.session) == before


@pytest.mark.parametrize("who", ["resident_a1", "chair_b", "reviewer"])
def test_outsiders_cannot_check_people_in(world: World, who: str) -> None:
    meeting_id = schedule(world)
    before = fingerprint(world.session)
    with pytest.raises(NotAllowed):
        meetings.check_in(
            world.session,
            world.viewer(who),
            meeting_id=meeting_id,
            person_ids=[world.people["member_a"]],
        )
    with pytest.raises(NotAllowed):
        meetings.committee_roll(world.session, world.viewer(who), meeting_id=meeting_id)
    assert fingerprint(world.session) == before


def test_the_roll_is_the_places_committee_chair_first(world: World) -> None:
    meeting_id = schedule(world)
    meetings.check_in(
        world.session,
        world.viewer("secretary_a"),
        meeting_id=meeting_id,
        person_ids=[world.people["member_a"], world.people["resident_a1"]],
    )
    roll = meetings.committee_roll(world.session, world.viewer("clerk_a"), meeting_id=meeting_id)
    assert [(line.name, line.position, line.present) for line in roll] == [
        ("chair_a", "chair", False),
        ("secretary_a", "secretary", False),
        ("treasurer_a", "treasurer", False),
        ("member_a", "member", True),
    ]


# --- quorum ----------------------------------------------------------------------------------


def quorum_of(world: World, meeting_id: int, who: str = "secretary_a") -> meetings.Quorum | None:
    world.session.expire_all()
    return meetings.meeting_minutes(world.session, world.viewer(who), meeting_id).quorum


def test_quorum_is_more_than_half_of_the_places_committee_present(world: World) -> None:
    """Community A's committee: chair, secretary, treasurer, member: 4, so 3 are needed. A clerk
    or a resident in the room does not count towards it."""
    meeting_id = schedule(world)
    secretary = world.viewer("secretary_a")
    names = ("chair_a", "secretary_a", "clerk_a", "resident_a1")
    meetings.check_in(
        world.session, secretary, meeting_id=meeting_id, person_ids=[world.people[n] for n in names]
    )
    quorum = quorum_of(world, meeting_id)
    assert quorum == meetings.Quorum(members=4, present=2, needed=3, set_by_meeting=False)
    assert not quorum.reached
    meetings.check_in(
        world.session, secretary, meeting_id=meeting_id, person_ids=[world.people["member_a"]]
    )
    reached = quorum_of(world, meeting_id)
    assert reached is not None and (reached.present, reached.reached) == (3, True)
    # A member sends apologies after all: present no more.
    meetings.record_attendance(
        world.session,
        secretary,
        meeting_id=meeting_id,
        person_id=world.people["chair_a"],
        present=False,
    )
    assert quorum_of(world, meeting_id) == meetings.Quorum(4, 2, 3, False)


def test_quorum_counts_only_current_grants_and_follows_the_committee_size(world: World) -> None:
    meeting_id = schedule(world)
    grant = world.session.exec(
        select(RoleGrant).where(RoleGrant.person_id == world.people["treasurer_a"])
    ).one()
    grant.revoked_at = utc_now()
    world.session.add(grant)
    world.session.commit()
    assert quorum_of(world, meeting_id) == meetings.Quorum(3, 0, 2, False)  # 3 members: 2 needed


def test_a_meeting_may_set_its_own_quorum(world: World) -> None:
    meeting_id = schedule(world, quorum=2)
    meetings.check_in(
        world.session,
        world.viewer("secretary_a"),
        meeting_id=meeting_id,
        person_ids=[world.people["chair_a"], world.people["member_a"]],
    )
    quorum = quorum_of(world, meeting_id)
    assert quorum == meetings.Quorum(members=4, present=2, needed=2, set_by_meeting=True)
    assert quorum.reached


@pytest.mark.parametrize("quorum", [0, -1, 1001, True, 2.5, "3"])
def test_an_implausible_quorum_is_refused(world: World, quorum: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedule(world, quorum=quorum)
    assert raised.value.params["field"] == "quorum"
    assert world.session.exec(select(Meeting)).all() == []


def test_no_quorum_without_a_committee_or_for_a_resident(world: World) -> None:
    at_compound = schedule(world, place_id=world.compound_a1)  # no committee granted there
    assert quorum_of(world, at_compound) is None
    meeting_id = schedule(world)
    assert quorum_of(world, meeting_id, who="resident_a1") is None  # committee material


# --- decisions: the item under discussion, the proposal chosen ----------------------------------


def test_a_decision_is_filed_under_the_proposal_chosen_not_the_items(world: World) -> None:
    """The bug this replaces: a decision about one project filed under the item's project."""
    meeting_id, (item, _) = room(world, 15, 15)
    lamp = proposal(world)
    benches = proposal(world, title="长椅")
    lamp_item = meetings.add_agenda_item(
        world.session,
        world.viewer("chair_a"),
        meeting_id=meeting_id,
        title="灯具",
        proposal_id=lamp,
    )
    step(world, meeting_id, "next", None)
    step(world, meeting_id, "next", item)
    step(world, meeting_id, "next", current(world, meeting_id)[0])
    assert current(world, meeting_id)[0] == lamp_item
    chosen = decide(world, meeting_id, agenda_item_id=lamp_item, proposal_id=benches)
    about_none = decide(world, meeting_id, agenda_item_id=lamp_item, proposal_id=None)
    stored = {d.id: (d.agenda_item_id, d.proposal_id) for d in world.session.exec(select(Decision))}
    assert stored == {chosen: (lamp_item, benches), about_none: (lamp_item, None)}
    minutes = meetings.meeting_minutes(world.session, world.viewer("secretary_a"), meeting_id)
    assert [(d.proposal_title, d.agenda_item_id) for d in minutes.decisions] == [
        ("长椅", lamp_item),
        (None, lamp_item),
    ]


def test_a_decision_on_an_item_no_longer_discussed_is_refused(world: World) -> None:
    meeting_id, (first, second) = room(world, 15, 15)
    step(world, meeting_id, "next", None)
    step(world, meeting_id, "next", first)  # the chair moved on while the form was open
    before = fingerprint(world.session)
    with pytest.raises(Conflict) as raised:
        decide(world, meeting_id, agenda_item_id=first)
    assert raised.value.code == "agenda_item_not_current"
    assert fingerprint(world.session) == before
    assert world.session.exec(select(Decision)).all() == []
    decide(world, meeting_id, agenda_item_id=second)
    assert [d.agenda_item_id for d in world.session.exec(select(Decision))] == [second]


def test_the_minutes_carry_the_room(world: World) -> None:
    meeting_id, (first, _) = room(world, 15, None)
    step(world, meeting_id, "next", None)
    minutes = meetings.meeting_minutes(world.session, world.viewer("secretary_a"), meeting_id)
    assert minutes.current_item is not None and minutes.current_item.id == first
    assert minutes.item_started_at is not None and minutes.may_steer and minutes.may_run
    member = meetings.meeting_minutes(world.session, world.viewer("member_a"), meeting_id)
    assert member.may_run and not member.may_steer
    resident = meetings.meeting_minutes(world.session, world.viewer("resident_a1"), meeting_id)
    assert resident.current_agenda_item_id == first and not resident.may_steer


# --- at the same moment -----------------------------------------------------------------------


def test_next_pressed_on_many_devices_at_once_moves_one_item(world: World, engine: Engine) -> None:
    """Each press names the item it saw, so however the store orders them, the meeting ends on
    the item after it: never two items on."""
    meeting_id, (first, second, _) = room(world, 10, 10, 10)
    step(world, meeting_id, "next", None)
    before = meetings.meeting_version(world.session, meeting_id=meeting_id)
    people = [world.people[n] for n in ("chair_a", "secretary_a")]
    results = race(
        world,
        engine,
        [
            lambda s, who=people[n % 2]: meetings.next_agenda_item(
                s, viewer_for_person(s, who), meeting_id=meeting_id, from_item_id=first
            )
            for n in range(10)
        ],
    )
    assert set(outcomes(results)) <= {"ok", "meeting_moved_on"} and outcomes(results)["ok"] >= 1
    assert {r for r in results if isinstance(r, int)} == {second}
    world.session.expire_all()
    assert current(world, meeting_id)[0] == second
    moved = meetings.meeting_version(world.session, meeting_id=meeting_id) - before
    assert moved == outcomes(results)["ok"]  # every change counted: the wall misses none


def test_the_committee_checked_in_from_many_devices_at_once_is_one_line_each(
    world: World, engine: Engine
) -> None:
    meeting_id = schedule(world)
    people = [world.people[n] for n in ("chair_a", "secretary_a", "member_a", "treasurer_a")]
    clerk = world.people["clerk_a"]
    results = race(
        world,
        engine,
        [
            lambda s: meetings.check_in(
                s, viewer_for_person(s, clerk), meeting_id=meeting_id, person_ids=people
            )
            for _ in range(8)
        ],
    )
    assert set(outcomes(results)) <= {"ok", "changed_meanwhile"}
    lines = world.session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
    assert sorted(line.person_id for line in lines) == sorted(people)
    assert all(line.present for line in lines)
