"""Paper ballots by double entry, on SQLite and PostgreSQL: a sheet is a ballot once two people
have read it alike, a sheet read differently waits for a third look and is not counted, nobody
reads one sheet twice, the readings of a confirmed sheet keep no marks, a refusal changes
nothing, and two clerks keying one sheet at the same moment make one ballot."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from models import BudgetRound, PaperReading, PaperSheet, Person, RoleGrant
from models.vocabulary import Role, RoundPhase
from services import ballots
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.errors import (
    BallotRejected,
    Conflict,
    InvalidInput,
    LinliError,
    NotAllowed,
    NotFound,
    WrongPhase,
)
from services.paper import (
    key_paper_sheet,
    paper_sheet_counts,
    paper_sheets_to_check,
    settle_paper_sheet,
)
from services.permissions import Viewer
from services.proposals import list_proposals
from services.rounds import cast_ballot, list_rounds
from tests.services.test_concurrency import outcomes, race
from tests.services.test_rounds import ballots as ballots_in_box
from tests.services.test_rounds import voting_round
from tests.street import fingerprint
from tests.world import World, second_clerk


def counted(world: World, round_id: int) -> list[tuple[str, ...]]:
    """What the count reads: the round's ballots as the engine gets them (each sorted)."""
    budget_round = world.session.get(BudgetRound, round_id)
    assert budget_round is not None
    on_ballot = {p.id for p in list_proposals(world.session, round_id=round_id)}
    found = ballots.counted_ballots(world.session, budget_round, on_ballot)
    return sorted(tuple(sorted(ballot.projects)) for ballot in found)


def key(world: World, viewer: Viewer, round_id: int, sheet: str, *approvals: int) -> str:
    state = key_paper_sheet(
        world.session,
        viewer,
        round_id=round_id,
        sheet_number=sheet,
        ballot=BallotChoice(approvals=approvals),
    )
    assert state.sheet_number == sheet
    return state.status


def readings(world: World, round_id: int, sheet: str) -> list[tuple[Any, bool | None]]:
    world.session.expire_all()
    rows = world.session.exec(
        select(PaperReading.marks, PaperReading.matched)
        .join(PaperSheet, col(PaperSheet.id) == PaperReading.sheet_id)
        .where(PaperSheet.round_id == round_id, PaperSheet.sheet_number == sheet)
        .order_by(col(PaperReading.id))
    ).all()
    return [(marks, matched) for marks, matched in rows]


def unchanged(world: World, call: Callable[[], Any], error: type[LinliError], code: str) -> None:
    """The call is refused with that error and code, and no row of any table changes."""
    world.session.commit()
    before = fingerprint(world.session)
    with pytest.raises(error) as refused:
        call()
    world.session.rollback()
    assert refused.value.code == code
    assert fingerprint(world.session) == before


def test_two_readings_that_agree_make_one_ballot_that_counts(world: World) -> None:
    round_id, (a, b, _) = voting_round(world)
    first, second = world.viewer("clerk_a"), second_clerk(world)
    assert key(world, first, round_id, "PY-001", a, b) == "keyed_once"
    assert ballots_in_box(world.session) == 0  # one reading is not a ballot
    assert counted(world, round_id) == []
    assert readings(world, round_id, "PY-001") == [([[a, None, None], [b, None, None]], None)]

    assert key(world, second, round_id, "PY-001", b, a) == "confirmed"  # the order does not matter
    assert ballots_in_box(world.session) == 1
    assert counted(world, round_id) == [tuple(sorted((str(a), str(b))))]
    row = list_rounds(world.session)[0]
    assert (row.ballots, row.paper_ballots) == (1, 1)
    # The readings keep who and when and that they agreed, never the marks.
    assert readings(world, round_id, "PY-001") == [(None, True), (None, True)]
    counts = paper_sheet_counts(world.session, first, round_id=round_id)
    assert (counts.keyed_once, counts.differs, counts.confirmed) == (0, 0, 1)


def test_two_readings_that_differ_wait_and_are_not_counted(world: World) -> None:
    round_id, (a, b, c) = voting_round(world)
    cast_ballot(
        world.session,
        world.viewer("resident_a1"),
        round_id=round_id,
        ballot=BallotChoice(approvals=(c,)),
    )
    first, second = world.viewer("clerk_a"), second_clerk(world)
    key(world, first, round_id, "PY-001", a, b)
    assert key(world, second, round_id, "PY-001", a, c) == "differs"
    key(world, second, round_id, "PY-002", c)
    assert ballots_in_box(world.session) == 1  # the online ballot only
    assert counted(world, round_id) == [(str(c),)]
    counts = paper_sheet_counts(world.session, second, round_id=round_id)
    assert (counts.keyed_once, counts.differs, counts.confirmed) == (1, 1, 0)
    assert counts.awaiting_second == ["PY-002"]

    (sheet,) = paper_sheets_to_check(world.session, world.viewer("member_a"), round_id=round_id)
    assert sheet.sheet_number == "PY-001" and sheet.can_settle
    assert [r.keyed_by for r in sheet.readings] == ["clerk_a", "clerk_a2"]
    assert [r.entries for r in sheet.readings] == [
        [(a, None, None), (b, None, None)],
        [(a, None, None), (c, None, None)],
    ]
    assert [r.choice.approvals for r in sheet.readings] == [(a, b), (a, c)]
    mine = paper_sheets_to_check(world.session, first, round_id=round_id)
    assert not mine[0].can_settle and [r.by_viewer for r in mine[0].readings] == [True, False]


def test_a_third_look_settles_the_sheet_and_then_it_counts(world: World) -> None:
    round_id, (a, b, c) = voting_round(world)
    first, second = world.viewer("clerk_a"), second_clerk(world)
    key(world, first, round_id, "PY-001", a, b)
    key(world, second, round_id, "PY-001", a, c)
    (sheet,) = paper_sheets_to_check(world.session, world.viewer("member_a"), round_id=round_id)
    state = settle_paper_sheet(
        world.session,
        world.viewer("member_a"),
        round_id=round_id,
        sheet_number="PY-001",
        ballot=sheet.readings[1].choice,  # the committee member picks the second reading
    )
    assert (state.status, state.readings) == ("confirmed", 3)
    assert counted(world, round_id) == [tuple(sorted((str(a), str(c))))]
    assert readings(world, round_id, "PY-001") == [(None, False), (None, True), (None, True)]
    assert paper_sheets_to_check(world.session, world.viewer("member_a"), round_id=round_id) == []


def test_a_third_look_that_agrees_with_no_reading_waits_for_another(world: World) -> None:
    round_id, (a, b, c) = voting_round(world)
    key(world, world.viewer("clerk_a"), round_id, "PY-001", a)
    key(world, second_clerk(world), round_id, "PY-001", b)
    state = settle_paper_sheet(
        world.session,
        world.viewer("member_a"),
        round_id=round_id,
        sheet_number="PY-001",
        ballot=BallotChoice(approvals=(c,)),  # a third clerk keyed the sheet again
    )
    assert (state.status, state.readings) == ("differs", 3)
    assert counted(world, round_id) == []
    (sheet,) = paper_sheets_to_check(world.session, world.viewer("chair_a"), round_id=round_id)
    assert len(sheet.readings) == 3 and sheet.can_settle
    state = settle_paper_sheet(
        world.session,
        world.viewer("chair_a"),
        round_id=round_id,
        sheet_number="PY-001",
        ballot=BallotChoice(approvals=(c,)),
    )
    assert state.status == "confirmed"
    assert counted(world, round_id) == [(str(c),)]
    assert [m for m, _ in readings(world, round_id, "PY-001")] == [None] * 4


def test_rankings_and_points_compare_mark_by_mark(world: World) -> None:
    round_id, (a, b, c) = voting_round(world, ballot_kind="ordinal", max_length=3)
    first, second = world.viewer("clerk_a"), second_clerk(world)
    for clerk, ranking in ((first, (a, b)), (second, (b, a))):
        state = key_paper_sheet(
            world.session,
            clerk,
            round_id=round_id,
            sheet_number="R-1",
            ballot=BallotChoice(ranking=ranking),
        )
    assert state.status == "differs"  # the same projects in another order are another ballot
    (sheet,) = paper_sheets_to_check(world.session, world.viewer("chair_a"), round_id=round_id)
    assert [r.choice.ranking for r in sheet.readings] == [(a, b), (b, a)]
    settle_paper_sheet(
        world.session,
        world.viewer("chair_a"),
        round_id=round_id,
        sheet_number="R-1",
        ballot=sheet.readings[0].choice,
    )
    budget_round = world.session.get(BudgetRound, round_id)
    assert budget_round is not None
    (counted_ballot,) = ballots.counted_ballots(world.session, budget_round, {a, b, c})
    assert counted_ballot.projects == (str(a), str(b))


def test_nobody_reads_one_sheet_twice_and_a_refusal_changes_nothing(world: World) -> None:
    round_id, (a, b, _) = voting_round(world)
    first, second = world.viewer("clerk_a"), second_clerk(world)
    key(world, first, round_id, "PY-001", a)

    def again(viewer: Viewer, *approvals: int) -> Callable[[], Any]:
        return lambda: key(world, viewer, round_id, "PY-001", *approvals)

    def settle(viewer: Viewer, sheet: str = "PY-001") -> Callable[[], Any]:
        return lambda: settle_paper_sheet(
            world.session,
            viewer,
            round_id=round_id,
            sheet_number=sheet,
            ballot=BallotChoice(approvals=(a,)),
        )

    unchanged(world, again(first, a), Conflict, "paper_sheet_keyed_by_you")
    unchanged(world, again(first, b), Conflict, "paper_sheet_keyed_by_you")
    unchanged(world, settle(world.viewer("member_a")), Conflict, "paper_sheet_keyed_once")
    key(world, second, round_id, "PY-001", b)  # differs now
    # Neither clerk who read it may settle it, nor may any clerk key it a third time.
    unchanged(world, settle(first), Conflict, "paper_sheet_keyed_by_you")
    unchanged(world, settle(second), Conflict, "paper_sheet_keyed_by_you")
    third = _clerk(world, "clerk_a3")
    unchanged(world, again(third, a), Conflict, "paper_sheet_differs")
    unchanged(world, settle(third, "PY-404"), NotFound, "not_found")
    # Out of the table or out of the rules.
    resident = world.viewer("resident_a1")
    unchanged(world, again(resident, a), NotAllowed, "not_allowed")
    unchanged(world, settle(resident), NotAllowed, "not_allowed")
    unchanged(world, settle(world.viewer("chair_b")), NotAllowed, "not_allowed")
    unchanged(world, again(third, 999_999), BallotRejected, "ballot_unknown_project")
    unchanged(world, lambda: key(world, third, round_id, " ", a), InvalidInput, "field_required")
    settle(third)()  # agrees with the first reading
    unchanged(world, again(third, a), Conflict, "paper_sheet_confirmed")
    unchanged(world, settle(world.viewer("member_a")), Conflict, "paper_sheet_confirmed")
    with pytest.raises(NotAllowed):
        paper_sheets_to_check(world.session, resident, round_id=round_id)
    with pytest.raises(NotAllowed):
        paper_sheet_counts(world.session, resident, round_id=round_id)


def test_paper_is_keyed_only_while_the_vote_is_open(world: World) -> None:
    round_id, (a, *_) = voting_round(world)
    key(world, world.viewer("clerk_a"), round_id, "PY-001", a)
    second = second_clerk(world)
    budget_round = world.session.get(BudgetRound, round_id)
    assert budget_round is not None
    budget_round.phase = RoundPhase.TALLIED  # the vote is over, however the workflow got there
    world.session.add(budget_round)
    unchanged(
        world,
        lambda: key(world, second, round_id, "PY-001", a),
        WrongPhase,
        "round_not_voting",
    )


def _clerk(world: World, name: str) -> Viewer:
    person = Person(display_name=name)
    world.session.add(person)
    world.session.flush()
    world.session.add(RoleGrant(person_id=person.id, role=Role.CLERK, place_id=world.community_a))
    world.session.commit()
    world.people[name] = person.id  # type: ignore[assignment]
    return world.viewer(name)


def _keying(
    person_id: int, round_id: int, sheet: str, approvals: tuple[int, ...]
) -> Callable[[Session], str]:
    def call(session: Session) -> str:
        return key_paper_sheet(
            session,
            viewer_for_person(session, person_id),
            round_id=round_id,
            sheet_number=sheet,
            ballot=BallotChoice(approvals=approvals),
        ).status

    return call


def _paper_rows(world: World) -> tuple[int, int, int]:
    connection = world.session.connection()
    return tuple(  # type: ignore[return-value]
        connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in ("papersheet", "paperreading", "pollbookentry")
    )


def test_two_clerks_keying_one_sheet_at_once_make_one_ballot(world: World, engine: Engine) -> None:
    """Ten sheets, each keyed alike by two clerks, all twenty keyings released together, each
    on its own connection; and one clerk's double click, and two readings that differ."""
    round_id, (a, b, _) = voting_round(world)
    first = world.people["clerk_a"]
    second = second_clerk(world).person_id
    assert second is not None
    calls = [
        _keying(person, round_id, f"S-{n}", (a, b)) for n in range(10) for person in (first, second)
    ]
    calls += [_keying(first, round_id, "TWICE", (a,)), _keying(first, round_id, "TWICE", (a,))]
    calls += [_keying(first, round_id, "DIFF", (a,)), _keying(second, round_id, "DIFF", (b,))]
    results = race(world, engine, calls)
    pairs = [sorted(results[i : i + 2]) for i in range(0, 20, 2)]
    assert pairs == [["confirmed", "keyed_once"]] * 10  # one of the two came second
    assert outcomes(results[20:22]) == {"ok": 1, "paper_sheet_keyed_by_you": 1}
    assert sorted(results[22:]) == ["differs", "keyed_once"]
    world.session.rollback()
    assert ballots_in_box(world.session) == 10
    assert _paper_rows(world) == (12, 10 * 2 + 1 + 2, 10)
    assert counted(world, round_id) == [tuple(sorted((str(a), str(b))))] * 10


def test_two_third_looks_at_once_settle_the_sheet_once(world: World, engine: Engine) -> None:
    round_id, (a, b, _) = voting_round(world)
    key(world, world.viewer("clerk_a"), round_id, "PY-001", a)
    key(world, second_clerk(world), round_id, "PY-001", b)
    settlers = [world.people[name] for name in ("chair_a", "member_a", "secretary_a")]

    def settle(person_id: int) -> Callable[[Session], str]:
        def call(session: Session) -> str:
            return settle_paper_sheet(
                session,
                viewer_for_person(session, person_id),
                round_id=round_id,
                sheet_number="PY-001",
                ballot=BallotChoice(approvals=(b,)),
            ).status

        return call

    results = race(world, engine, [settle(person) for person in settlers])
    assert outcomes(results) == {"ok": 1, "paper_sheet_confirmed": 2}
    world.session.rollback()
    assert ballots_in_box(world.session) == 1
    assert counted(world, round_id) == [(str(b),)]
    assert readings(world, round_id, "PY-001") == [(None, False), (None, True), (None, True)]
