"""Changing a ballot until the close, where the round allows it (issue 10).

The receipt is the proof of holding a ballot: the voter shows it, the old ballot leaves the box
and the new one enters it under a new receipt, while the poll book stays as it was. Every
refusal leaves the store as it was (a wrong receipt adds only its failure, which the limit
needs); two changes of one receipt at the same moment leave one new ballot.
"""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from models import (
    AuditEntry,
    Ballot,
    BallotEntry,
    BudgetRound,
    FailedAttempt,
    PendingBallot,
    Person,
    PollBookEntry,
    RoleGrant,
)
from models.vocabulary import Role
from services import ballots, limits
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.errors import (
    BallotRejected,
    InvalidInput,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    WrongPhase,
)
from services.permissions import Viewer
from services.rounds import advance_round, cast_ballot, change_ballot, check_receipt
from tests.services.test_concurrency import outcomes, race
from tests.services.test_rounds import ballots as ballots_in_box
from tests.services.test_rounds import voting_round
from tests.street import fingerprint
from tests.world import World


def cast(world: World, name: str, round_id: int, *approvals: int) -> str:
    return cast_ballot(
        world.session,
        world.viewer(name),
        round_id=round_id,
        ballot=BallotChoice(approvals=approvals),
    )


def marks(session: Session, receipt: str) -> list[int]:
    return [
        proposal_id for proposal_id, _, _ in check_receipt(session, receipt_code=receipt).entries
    ]


def count(session: Session, model: type[Any]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def poll_book(session: Session) -> list[tuple[int, str, str, Any]]:
    rows = session.exec(select(PollBookEntry).order_by(col(PollBookEntry.voter_key))).all()
    return [(r.round_id, r.voter_key, r.channel, r.voted_on) for r in rows]


def counted(session: Session, round_id: int, on_ballot: list[int]) -> list[set[int]]:
    budget_round = session.get(BudgetRound, round_id)
    assert budget_round is not None
    found = ballots.counted_ballots(session, budget_round, set(on_ballot))
    return sorted(({int(p) for p in ballot.projects} for ballot in found), key=sorted)


@pytest.mark.parametrize("sealed", [False, True], ids=["pending", "sealed"])
def test_a_ballot_is_changed_with_its_receipt_and_only_the_new_one_counts(
    world: World, sealed: bool
) -> None:
    round_id, (a, b, c) = voting_round(world, ballot_changes_allowed=True)
    old = cast(world, "resident_a1", round_id, a)
    cast(world, "resident_a2", round_id, b)
    if sealed:
        assert ballots.seal(world.session, round_id) == 2
        world.session.commit()
    book = poll_book(world.session)
    new = change_ballot(
        world.session,
        world.viewer("resident_a1"),
        round_id=round_id,
        receipt_code=old.lower().replace("-", " "),  # typed as a person would
        ballot=BallotChoice(approvals=(b, c)),
    )
    assert new != old
    with pytest.raises(NotFound):
        check_receipt(world.session, receipt_code=old)
    assert sorted(marks(world.session, new)) == [b, c]
    assert poll_book(world.session) == book  # nobody new voted, nobody left
    assert ballots_in_box(world.session) == 2
    # The new ballot waits in the pending box like any cast ballot; the old one left no row.
    assert count(world.session, PendingBallot) == (1 if sealed else 2)
    assert count(world.session, Ballot) == (1 if sealed else 0)
    assert count(world.session, BallotEntry) == (1 if sealed else 0)
    (audit,) = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "change_ballot")
    ).all()
    assert (audit.actor_id, audit.entity, audit.entity_id) == (None, "budgetround", round_id)
    assert audit.after == {"round_id": round_id}  # a ballot of the round changed; not whose
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # voting closes
    assert counted(world.session, round_id, [a, b, c]) == [{b}, {b, c}]
    assert sorted(marks(world.session, new)) == [b, c]  # dealt out again, still found


def test_a_ballot_changed_twice_keeps_only_the_last(world: World) -> None:
    round_id, (a, b, c) = voting_round(world, ballot_changes_allowed=True)
    resident = world.viewer("resident_a1")
    first = cast(world, "resident_a1", round_id, a)
    second = change_ballot(
        world.session,
        resident,
        round_id=round_id,
        receipt_code=first,
        ballot=BallotChoice(approvals=(b,)),
    )
    third = change_ballot(
        world.session,
        resident,
        round_id=round_id,
        receipt_code=second,
        ballot=BallotChoice(approvals=(c,)),
    )
    for gone in (first, second):
        with pytest.raises(NotFound):
            check_receipt(world.session, receipt_code=gone)
    assert marks(world.session, third) == [c]
    assert ballots_in_box(world.session) == 1


def refused(
    world: World, call: Callable[[], Any], error: type[Exception], code: str, *, counted: int = 0
) -> None:
    """The call raises ``error`` with ``code``, and the store is as it was but for ``counted``
    new failures (a wrong receipt is counted against the limit on purpose)."""
    world.session.commit()
    before = fingerprint(world.session)
    failures = count(world.session, FailedAttempt)
    with pytest.raises(error) as raised:
        call()
    assert getattr(raised.value, "code", None) == code
    world.session.rollback()
    after = fingerprint(world.session)
    changed = {table for table in after if after[table] != before[table]}
    assert changed == ({"failedattempt"} if counted else set())
    assert count(world.session, FailedAttempt) == failures + counted


def attempt_change(
    world: World, viewer: Viewer, round_id: int, receipt: str, *approvals: int, address: str = ""
) -> Callable[[], str]:
    return lambda: change_ballot(
        world.session,
        viewer,
        round_id=round_id,
        receipt_code=receipt,
        ballot=BallotChoice(approvals=approvals),
        address=address or None,
    )


def test_a_round_that_does_not_allow_changes_refuses_them(world: World) -> None:
    round_id, (a, b, _) = voting_round(world)
    receipt = cast(world, "resident_a1", round_id, a)
    change = attempt_change(world, world.viewer("resident_a1"), round_id, receipt, b)
    refused(world, change, WrongPhase, "round_no_ballot_changes")
    assert marks(world.session, receipt) == [a]


def test_no_change_once_voting_has_closed(world: World) -> None:
    round_id, (a, b, _) = voting_round(world, ballot_changes_allowed=True)
    receipt = cast(world, "resident_a1", round_id, a)
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)
    change = attempt_change(world, world.viewer("resident_a1"), round_id, receipt, b)
    refused(world, change, WrongPhase, "round_not_voting")
    assert marks(world.session, receipt) == [a]


def test_only_a_voter_of_the_round_may_change_a_ballot(world: World) -> None:
    """Holding a receipt is not enough: the viewer must be able to vote here, and have voted."""
    round_id, (a, b, _) = voting_round(world, ballot_changes_allowed=True)
    receipt = cast(world, "resident_a1", round_id, a)
    for name in ("resident_b1", "chair_a", "clerk_a", "outsider"):
        change = attempt_change(world, world.viewer(name), round_id, receipt, b)
        refused(world, change, NotAllowed, "not_allowed")
    change = attempt_change(world, world.viewer("resident_a2"), round_id, receipt, b)
    refused(world, change, NotAllowed, "ballot_change_not_voted")
    assert marks(world.session, receipt) == [a]


def test_wrong_receipts_are_refused_and_counted_until_the_limit(world: World) -> None:
    round_id, (a, b, _) = voting_round(world, ballot_changes_allowed=True)
    other_round, (x, _, _) = voting_round(world, ballot_changes_allowed=True)
    receipt = cast(world, "resident_a1", round_id, a)
    elsewhere = cast(world, "resident_a2", other_round, x)  # a real receipt, of another round
    cast(world, "resident_a2", round_id, a)
    resident = world.viewer("resident_a2")
    wrong = ["AAAA-BBBB-CCCC", "not a code", "", elsewhere, receipt[:-1] + "\x00"]
    assert len(wrong) == limits.RECEIPT_CODE.per_key
    for code in wrong:
        change = attempt_change(world, resident, round_id, code, b)
        refused(world, change, InvalidInput, "receipt_code_unknown", counted=1)
    change = attempt_change(world, resident, round_id, receipt, b)  # the right one, too late
    refused(world, change, TooManyAttempts, "too_many_attempts")
    assert marks(world.session, receipt) == [a] and marks(world.session, elsewhere) == [x]
    # Another voter, from an address: each wrong receipt counts for the voter and the address.
    other = world.viewer("resident_a1")
    for number in range(limits.RECEIPT_CODE.per_key - 1):
        change = attempt_change(world, other, round_id, f"ZZZZ-ZZZZ-ZZ{number:02d}", b, address="h")
        refused(world, change, InvalidInput, "receipt_code_unknown", counted=2)
    assert change_ballot(
        world.session, other, round_id=round_id, receipt_code=receipt, ballot=BallotChoice((b,))
    )


def test_a_new_ballot_over_the_budget_is_refused(world: World) -> None:
    round_id, (a, b, c) = voting_round(world, ballot_kind="knapsack", ballot_changes_allowed=True)
    receipt = cast(world, "resident_a1", round_id, a)
    change = attempt_change(world, world.viewer("resident_a1"), round_id, receipt, a, b)
    refused(world, change, BallotRejected, "ballot_over_budget")
    assert marks(world.session, receipt) == [a]
    change = attempt_change(world, world.viewer("resident_a1"), round_id, receipt, c, c)
    refused(world, change, BallotRejected, "ballot_duplicate_project")
    assert marks(world.session, receipt) == [a]


def _residents(world: World, count: int) -> list[int]:
    people = []
    for number in range(count):
        person = Person(display_name=f"voter {number}", home_place_id=world.compound_a1)
        world.session.add(person)
        world.session.flush()
        world.session.add(
            RoleGrant(person_id=person.id, role=Role.RESIDENT, place_id=world.compound_a1)
        )
        people.append(person.id)
    world.session.commit()
    return people  # type: ignore[return-value]


def test_one_receipt_changed_from_ten_connections_at_once_leaves_one_new_ballot(
    world: World, engine: Engine
) -> None:
    """Ten voters who all hold the first one's receipt (or one voter pressing ten times):
    one change goes through, the others find the receipt spent."""
    round_id, (a, b, c) = voting_round(world, ballot_changes_allowed=True)
    people = _residents(world, 10)
    receipts = [
        cast_ballot(
            world.session,
            viewer_for_person(world.session, person),
            round_id=round_id,
            ballot=BallotChoice(approvals=(a,)),
        )
        for person in people
    ]

    def change(person: int, approvals: tuple[int, ...]) -> Callable[[Session], Any]:
        def call(session: Session) -> Any:
            viewer = viewer_for_person(session, person)
            return change_ballot(
                session,
                viewer,
                round_id=round_id,
                receipt_code=receipts[0],
                ballot=BallotChoice(approvals=approvals),
            )

        return call

    results = race(
        world, engine, [change(p, (b,) if i % 2 else (c,)) for i, p in enumerate(people)]
    )
    assert outcomes(results) == {"ok": 1, "receipt_code_unknown": 9}
    (new,) = [r for r in results if isinstance(r, str)]
    world.session.rollback()
    assert ballots_in_box(world.session) == 10
    assert len(marks(world.session, new)) == 1
    with pytest.raises(NotFound):
        check_receipt(world.session, receipt_code=receipts[0])
    changes = select(func.count()).where(AuditEntry.action == "change_ballot")
    assert world.session.exec(changes).one() == 1

    person = people[1]  # the same voter, twice at once, with their own receipt
    results = race(world, engine, [lambda s, r=receipts[1]: _own(s, person, round_id, r, c)] * 2)
    assert outcomes(results) == {"ok": 1, "receipt_code_unknown": 1}
    world.session.rollback()
    assert ballots_in_box(world.session) == 10


def _own(session: Session, person: int, round_id: int, receipt: str, choice: int) -> str:
    return change_ballot(
        session,
        viewer_for_person(session, person),
        round_id=round_id,
        receipt_code=receipt,
        ballot=BallotChoice(approvals=(choice,)),
    )
