from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, SQLModel, func, select

from models import AgendaItem, Attendance, AuditEntry, Decision, Meeting, MeetingNote
from services import meetings
from services.errors import InvalidInput, NotAllowed, NotFound, WrongPhase
from services.proposals import LineItemInput, PledgeInput, ProposalDraft, submit_proposal
from tests.world import World

SHANGHAI = timezone(timedelta(hours=8))
WHEN = datetime(2026, 4, 10, 19, 0, tzinfo=SHANGHAI)


def count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def schedule(world: World, who: str = "chair_a", **extra) -> int:
    return meetings.schedule_meeting(
        world.session,
        world.viewer(who),
        place_id=extra.pop("place_id", world.community_a),
        title=extra.pop("title", "四月议事会"),
        scheduled_at=extra.pop("scheduled_at", WHEN),
        location=extra.pop("location", "社区活动室"),
        **extra,
    )


def proposal(world: World, place_id: int | None = None, title: str = "楼道灯改造") -> int:
    return submit_proposal(
        world.session,
        world.viewer("resident_a1" if place_id is None else "chair_b"),
        draft=ProposalDraft(
            place_id=place_id or world.compound_a1,
            title=title,
            summary="换成感应灯",
            category="safety",
            line_items=[LineItemInput("感应灯", "public_facilities", 20, "150")],
            # 10% of the cost: community A's micro-fund charter asks it of a proposal
            co_funding=[PledgeInput("property_manager", "物业", "300")],
            maintenance_plan="物业每月巡检",
            maintainer="物业",
        ),
    )


def running(world: World) -> int:
    meeting_id = schedule(world)
    meetings.start_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    return meeting_id


def decide(world: World, meeting_id: int, who: str = "secretary_a", **extra) -> int:
    return meetings.record_decision(
        world.session,
        world.viewer(who),
        meeting_id=meeting_id,
        agenda_item_id=extra.pop("agenda_item_id", None),
        proposal_id=extra.pop("proposal_id", None),
        outcome=extra.pop("outcome", "approved"),
        text=extra.pop("text", "同意实施"),
        votes_for=extra.pop("votes_for", 7),
        votes_against=extra.pop("votes_against", 1),
        abstentions=extra.pop("abstentions", 1),
        **extra,
    )


# --- scheduling ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair_a", "member_a", "clerk_a"])
def test_committee_and_clerks_schedule_meetings(world: World, who: str) -> None:
    meeting_id = schedule(world, who)
    meeting = world.session.get(Meeting, meeting_id)
    assert meeting is not None
    assert (meeting.status, meeting.minutes_status) == ("planned", "draft")
    assert meeting.scheduled_at == WHEN
    assert world.session.exec(select(AuditEntry.action)).all() == ["schedule_meeting"]


@pytest.mark.parametrize("who", ["chair_b", "resident_a1", "reviewer", "outsider", "admin"])
def test_others_cannot_schedule_a_meeting_here(world: World, who: str) -> None:
    with pytest.raises(NotAllowed):
        schedule(world, who)
    assert count(world.session, Meeting) == 0
    assert count(world.session, AuditEntry) == 0


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"title": "  "}, "field_required", "title"),
        ({"title": "x" * 161}, "field_too_long", "title"),
        ({"scheduled_at": datetime(2026, 4, 10, 19, 0)}, "field_invalid", "scheduled_at"),
        ({"kind": "party"}, "field_invalid", "kind"),
        ({"location": "x" * 161}, "field_too_long", "location"),
    ],
)
def test_bad_meeting_input_is_refused(world: World, extra: dict, code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedule(world, **extra)
    assert (raised.value.code, raised.value.params["field"]) == (code, field)
    assert count(world.session, Meeting) == 0


def test_scheduling_at_an_unknown_place_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        schedule(world, place_id=9999)


# --- agenda, attendance ----------------------------------------------------------------------


def test_agenda_items_are_numbered_in_order_and_may_name_a_local_proposal(world: World) -> None:
    meeting_id = schedule(world)
    lamp = proposal(world)
    chair = world.viewer("chair_a")
    first = meetings.add_agenda_item(
        world.session, chair, meeting_id=meeting_id, title="灯具选型", proposal_id=lamp
    )
    second = meetings.add_agenda_item(
        world.session, chair, meeting_id=meeting_id, title="其他事项", minutes_allotted=15
    )
    minutes = meetings.meeting_minutes(world.session, world.viewer("resident_a1"), meeting_id)
    assert [(a.id, a.position, a.proposal_title) for a in minutes.agenda] == [
        (first, 0, "楼道灯改造"),
        (second, 1, None),
    ]
    assert minutes.meeting.agenda_items == 2


def test_an_agenda_item_cannot_name_another_communitys_proposal(world: World) -> None:
    meeting_id = schedule(world)
    elsewhere = proposal(world, place_id=world.compound_b1)
    with pytest.raises(InvalidInput) as raised:
        meetings.add_agenda_item(
            world.session,
            world.viewer("chair_a"),
            meeting_id=meeting_id,
            title="x",
            proposal_id=elsewhere,
        )
    assert raised.value.code == "proposal_elsewhere"
    assert count(world.session, AgendaItem) == 0


@pytest.mark.parametrize("minutes_allotted", [0, -5, 601, True])
def test_agenda_time_must_be_plausible(world: World, minutes_allotted: int) -> None:
    meeting_id = schedule(world)
    with pytest.raises(InvalidInput):
        meetings.add_agenda_item(
            world.session,
            world.viewer("chair_a"),
            meeting_id=meeting_id,
            title="x",
            minutes_allotted=minutes_allotted,
        )
    assert count(world.session, AgendaItem) == 0


@pytest.mark.parametrize("who", ["chair_b", "resident_a1", "reviewer"])
def test_outsiders_cannot_change_the_agenda_or_attendance(world: World, who: str) -> None:
    meeting_id = schedule(world)
    with pytest.raises(NotAllowed):
        meetings.add_agenda_item(world.session, world.viewer(who), meeting_id=meeting_id, title="x")
    with pytest.raises(NotAllowed):
        meetings.record_attendance(
            world.session,
            world.viewer(who),
            meeting_id=meeting_id,
            person_id=world.people["resident_a1"],
        )
    assert count(world.session, AgendaItem) == count(world.session, Attendance) == 0


def test_attendance_is_one_line_per_person_and_corrections_are_audited(world: World) -> None:
    meeting_id = schedule(world)
    secretary = world.viewer("secretary_a")
    person = world.people["member_a"]
    first = meetings.record_attendance(
        world.session, secretary, meeting_id=meeting_id, person_id=person, capacity="居民代表"
    )
    again = meetings.record_attendance(
        world.session,
        secretary,
        meeting_id=meeting_id,
        person_id=person,
        capacity="共建单位代表",
        present=False,
    )
    assert first == again
    assert count(world.session, Attendance) == 1
    minutes = meetings.meeting_minutes(world.session, secretary, meeting_id)
    assert [(a.capacity, a.present) for a in minutes.attendance] == [("共建单位代表", False)]
    assert minutes.present_count == 0
    audit = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "record_attendance").order_by(AuditEntry.id)
    ).all()
    assert audit[0].before is None
    assert audit[1].before["capacity"] == "居民代表"
    assert audit[1].after["capacity"] == "共建单位代表"


def test_attendance_of_an_unknown_person_is_not_found(world: World) -> None:
    meeting_id = schedule(world)
    with pytest.raises(NotFound):
        meetings.record_attendance(
            world.session, world.viewer("chair_a"), meeting_id=meeting_id, person_id=9999
        )
    with pytest.raises(InvalidInput):
        meetings.record_attendance(
            world.session,
            world.viewer("chair_a"),
            meeting_id=meeting_id,
            person_id=world.people["member_a"],
            capacity="x" * 61,
        )
    assert count(world.session, Attendance) == 0


def test_attendance_candidates_are_the_people_of_the_place(world: World) -> None:
    meeting_id = schedule(world)
    names = {
        p.name
        for p in meetings.attendance_candidates(
            world.session, world.viewer("secretary_a"), meeting_id=meeting_id
        )
    }
    assert {"chair_a", "secretary_a", "member_a", "clerk_a", "resident_a1", "reviewer"} <= names
    assert not names & {"chair_b", "resident_b1", "outsider"}
    with pytest.raises(NotAllowed):
        meetings.attendance_candidates(
            world.session, world.viewer("resident_a1"), meeting_id=meeting_id
        )


# --- notes, decisions, phases ----------------------------------------------------------------


def test_meeting_moves_planned_in_progress_closed_and_never_back(world: World) -> None:
    meeting_id = schedule(world)
    chair = world.viewer("chair_a")
    with pytest.raises(WrongPhase):
        meetings.close_meeting(world.session, chair, meeting_id=meeting_id)
    meetings.start_meeting(world.session, chair, meeting_id=meeting_id)
    with pytest.raises(WrongPhase):
        meetings.start_meeting(world.session, chair, meeting_id=meeting_id)
    meetings.close_meeting(world.session, world.viewer("clerk_a"), meeting_id=meeting_id)
    with pytest.raises(WrongPhase) as raised:
        meetings.start_meeting(world.session, chair, meeting_id=meeting_id)
    assert raised.value.code == "meeting_move_invalid"
    assert world.session.get(Meeting, meeting_id).status == "closed"
    actions = world.session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["schedule_meeting", "start_meeting", "close_meeting"]


@pytest.mark.parametrize("who", ["chair_b", "resident_a1"])
def test_outsiders_cannot_start_or_close(world: World, who: str) -> None:
    meeting_id = schedule(world)
    with pytest.raises(NotAllowed):
        meetings.start_meeting(world.session, world.viewer(who), meeting_id=meeting_id)
    meetings.start_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    with pytest.raises(NotAllowed):
        meetings.close_meeting(world.session, world.viewer(who), meeting_id=meeting_id)
    assert world.session.get(Meeting, meeting_id).status == "in_progress"


def test_notes_follow_the_agenda_and_are_signed_by_their_author(world: World) -> None:
    meeting_id = running(world)
    secretary = world.viewer("secretary_a")
    item = meetings.add_agenda_item(world.session, secretary, meeting_id=meeting_id, title="选型")
    meetings.take_note(world.session, secretary, meeting_id=meeting_id, body="讨论了灯具型号。")
    meetings.take_note(
        world.session, secretary, meeting_id=meeting_id, body="  改为感应灯。 ", agenda_item_id=item
    )
    minutes = meetings.meeting_minutes(world.session, secretary, meeting_id)
    assert [(n.body, n.agenda_item_id, n.author) for n in minutes.notes] == [
        ("讨论了灯具型号。", None, "secretary_a"),
        ("改为感应灯。", item, "secretary_a"),
    ]
    assert minutes.current_agenda_item_id is None  # a note does not move the meeting on


def test_a_note_must_say_something_and_belong_to_this_meeting(world: World) -> None:
    meeting_id = running(world)
    other = schedule(world, title="另一次会议")
    foreign_item = meetings.add_agenda_item(
        world.session, world.viewer("chair_a"), meeting_id=other, title="x"
    )
    with pytest.raises(InvalidInput) as raised:
        meetings.take_note(world.session, world.viewer("chair_a"), meeting_id=meeting_id, body=" ")
    assert raised.value.params["field"] == "body"
    with pytest.raises(InvalidInput) as raised:
        meetings.take_note(
            world.session,
            world.viewer("chair_a"),
            meeting_id=meeting_id,
            body="x",
            agenda_item_id=foreign_item,
        )
    assert raised.value.params["field"] == "agenda_item"
    with pytest.raises(NotAllowed):
        meetings.take_note(
            world.session, world.viewer("resident_a1"), meeting_id=meeting_id, body="x"
        )
    assert count(world.session, MeetingNote) == 0


def test_a_decision_records_outcome_and_votes_on_the_item_and_proposal_named(
    world: World,
) -> None:
    meeting_id = running(world)
    lamp = proposal(world)
    item = meetings.add_agenda_item(
        world.session, world.viewer("chair_a"), meeting_id=meeting_id, title="灯", proposal_id=lamp
    )
    meetings.next_agenda_item(
        world.session, world.viewer("secretary_a"), meeting_id=meeting_id, from_item_id=None
    )
    decision_id = decide(
        world, meeting_id, agenda_item_id=item, proposal_id=lamp, outcome="amended"
    )
    decision = world.session.get(Decision, decision_id)
    assert decision is not None
    assert (decision.agenda_item_id, decision.proposal_id, decision.outcome) == (
        item,
        lamp,
        "amended",
    )
    assert (decision.votes_for, decision.votes_against, decision.abstentions) == (7, 1, 1)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"votes_for": -1}, "votes_for"),
        ({"votes_against": -3}, "votes_against"),
        ({"abstentions": -1}, "abstentions"),
        ({"votes_for": 2.5}, "votes_for"),
        ({"outcome": "maybe"}, "outcome"),
        ({"text": ""}, "text"),
    ],
)
def test_bad_decisions_are_refused(world: World, extra: dict, field: str) -> None:
    meeting_id = running(world)
    with pytest.raises(InvalidInput) as raised:
        decide(world, meeting_id, **extra)
    assert raised.value.params["field"] == field
    assert count(world.session, Decision) == 0


def test_decisions_need_a_running_meeting_of_ones_own_community(world: World) -> None:
    meeting_id = schedule(world)
    with pytest.raises(WrongPhase) as raised:
        decide(world, meeting_id)
    assert raised.value.code == "meeting_not_in_progress"
    meetings.start_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    for who in ("chair_b", "resident_a1", "reviewer", "outsider"):
        with pytest.raises(NotAllowed):
            decide(world, meeting_id, who=who)
    elsewhere = proposal(world, place_id=world.compound_b1)
    with pytest.raises(InvalidInput):
        decide(world, meeting_id, proposal_id=elsewhere)
    assert count(world.session, Decision) == 0


def test_a_closed_meeting_takes_no_more_notes_decisions_agenda_or_attendance(
    world: World,
) -> None:
    meeting_id = running(world)
    chair = world.viewer("chair_a")
    meetings.close_meeting(world.session, chair, meeting_id=meeting_id)
    calls = [
        lambda: meetings.take_note(world.session, chair, meeting_id=meeting_id, body="迟到的记录"),
        lambda: decide(world, meeting_id),
        lambda: meetings.add_agenda_item(world.session, chair, meeting_id=meeting_id, title="x"),
        lambda: meetings.record_attendance(
            world.session, chair, meeting_id=meeting_id, person_id=world.people["member_a"]
        ),
    ]
    for call in calls:
        with pytest.raises(WrongPhase) as raised:
            call()
        assert raised.value.code == "meeting_closed"
    assert count(world.session, MeetingNote) == count(world.session, Decision) == 0


# --- minutes: private drafts, publishing -----------------------------------------------------


def held_meeting(world: World) -> int:
    meeting_id = running(world)
    secretary = world.viewer("secretary_a")
    meetings.record_attendance(
        world.session,
        secretary,
        meeting_id=meeting_id,
        person_id=world.people["member_a"],
        capacity="共建单位代表",
    )
    meetings.take_note(world.session, secretary, meeting_id=meeting_id, body="灯杆位置待定。")
    decide(world, meeting_id)
    return meeting_id


def test_draft_minutes_are_committee_material_and_public_once_published(world: World) -> None:
    meeting_id = held_meeting(world)
    resident = world.viewer("resident_a1")
    hidden = meetings.meeting_minutes(world.session, resident, meeting_id)
    assert hidden.meeting.title == "四月议事会"
    assert (hidden.notes, hidden.decisions, hidden.attendance) == ([], [], [])
    assert not hidden.content_visible
    assert not hidden.may_run and not hidden.may_publish
    for who in ("member_a", "clerk_a", "admin"):
        seen = meetings.meeting_minutes(world.session, world.viewer(who), meeting_id)
        assert [n.body for n in seen.notes] == ["灯杆位置待定。"]
        assert len(seen.decisions) == len(seen.attendance) == 1
    chair_b = meetings.meeting_minutes(world.session, world.viewer("chair_b"), meeting_id)
    assert chair_b.notes == []
    meetings.close_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    assert meetings.meeting_minutes(world.session, resident, meeting_id).notes == []
    meetings.publish_minutes(world.session, world.viewer("secretary_a"), meeting_id=meeting_id)
    for viewer in (resident, world.viewer("outsider"), world.viewer("chair_b")):
        public = meetings.meeting_minutes(world.session, viewer, meeting_id)
        assert public.content_visible
        assert [n.body for n in public.notes] == ["灯杆位置待定。"]
        assert [(d.votes_for, d.votes_against, d.abstentions) for d in public.decisions] == [
            (7, 1, 1)
        ]
        assert [a.capacity for a in public.attendance] == ["共建单位代表"]


@pytest.mark.parametrize("who", ["member_a", "clerk_a", "chair_b", "resident_a1", "admin"])
def test_only_the_chair_or_secretary_of_the_place_publishes(world: World, who: str) -> None:
    meeting_id = held_meeting(world)
    meetings.close_meeting(world.session, world.viewer("chair_a"), meeting_id=meeting_id)
    before = count(world.session, AuditEntry)
    with pytest.raises(NotAllowed):
        meetings.publish_minutes(world.session, world.viewer(who), meeting_id=meeting_id)
    assert world.session.get(Meeting, meeting_id).minutes_status == "draft"
    assert count(world.session, AuditEntry) == before


def test_minutes_are_published_once_and_only_after_closing(world: World) -> None:
    meeting_id = held_meeting(world)
    chair = world.viewer("chair_a")
    assert not meetings.meeting_minutes(world.session, chair, meeting_id).may_publish
    with pytest.raises(WrongPhase) as raised:
        meetings.publish_minutes(world.session, chair, meeting_id=meeting_id)
    assert raised.value.code == "meeting_not_closed"
    meetings.close_meeting(world.session, chair, meeting_id=meeting_id)
    assert meetings.meeting_minutes(world.session, chair, meeting_id).may_publish
    meetings.publish_minutes(world.session, chair, meeting_id=meeting_id)
    with pytest.raises(WrongPhase) as raised:
        meetings.publish_minutes(world.session, chair, meeting_id=meeting_id)
    assert raised.value.code == "minutes_already_published"
    audit = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "publish_minutes")
    ).one()
    assert (audit.before["minutes_status"], audit.after["minutes_status"]) == (
        "draft",
        "published",
    )


def test_list_meetings_is_public_newest_first_and_filters_by_place(world: World) -> None:
    early = schedule(world, title="三月", scheduled_at=WHEN - timedelta(days=30))
    late = schedule(world, title="四月")
    other = schedule(
        world, "chair_b", place_id=world.community_b, scheduled_at=WHEN.astimezone(UTC)
    )
    resident = world.viewer("resident_b1")
    assert [m.id for m in meetings.list_meetings(world.session, resident)] == [late, other, early]
    only_a = meetings.list_meetings(world.session, resident, place_id=world.community_a)
    assert [(m.id, m.place) for m in only_a] == [(late, "Kangcheng"), (early, "Kangcheng")]
    street = meetings.list_meetings(world.session, resident, place_id=world.street)
    assert len(street) == 3


def test_unknown_meeting_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        meetings.meeting_minutes(world.session, world.viewer("chair_a"), 9999)
    with pytest.raises(NotFound):
        meetings.start_meeting(world.session, world.viewer("chair_a"), meeting_id=9999)


def test_a_draft_proposal_cannot_be_put_on_the_agenda(world: World) -> None:
    from models import Proposal

    draft = Proposal(place_id=world.compound_a1, title="私人草稿", category="safety")
    world.session.add(draft)
    world.session.commit()
    meeting_id = schedule(world)
    with pytest.raises(NotFound):
        meetings.add_agenda_item(
            world.session,
            world.viewer("chair_a"),
            meeting_id=meeting_id,
            title="x",
            proposal_id=draft.id,
        )
    assert meetings.proposals_for_meeting(world.session, meeting_id=meeting_id) == []
    assert count(world.session, AgendaItem) == 0
