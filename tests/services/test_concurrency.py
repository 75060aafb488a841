"""Requests that arrive at the same moment, each on its own connection, as fifty browsers would
send them: the store decides them one after another. Money never leaves a fund it is not in,
an entry is reversed once, a support counts once, and thirty guesses at a voting code are
counted one by one against the limit.

Each test builds its street through the services, then releases every thread at once from a
barrier; every thread opens its own session (its own connection) on the same engine. The
engine's pool lends 15 connections at once, so at least 15 requests are in flight together.
"""

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from models import (
    FailedAttempt,
    LedgerEntry,
    NeedSupport,
    PendingBallot,
    Person,
    ProposalSupport,
    RoleGrant,
    Tally,
)
from models.vocabulary import Role
from services import accounts, ledger, limits, needs, proposals, reviews
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.errors import LinliError
from services.rounds import advance_round, cast_ballot
from services.tally import count_votes
from services.verify import check_books
from services.voting_codes import open_code_ballot
from tests.services.test_ledger import _selected_proposal, donate
from tests.services.test_proposals import draft
from tests.services.test_rounds import voting_round
from tests.services.test_voting_codes import issued_codes
from tests.world import World

DAY = date(2026, 3, 1)
RACERS = 50


def race(world: World, engine: Engine, calls: list[Callable[[Session], Any]]) -> list[Any]:
    """Runs every call in its own thread and session, all released together; returns each
    call's result, or the LinliError it raised (anything else fails the test). The test's own
    session first ends its transaction: on SQLite an open one holds the write lock."""
    world.session.rollback()
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    unexpected: list[BaseException] = []

    def run(index: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                results[index] = calls[index](session)
            except LinliError as error:
                session.rollback()
                results[index] = error
            except Exception as error:  # a lost race must be a typed error, never this
                unexpected.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert not unexpected, unexpected
    return results


def outcomes(results: list[Any]) -> Counter[str]:
    return Counter(r.code if isinstance(r, LinliError) else "ok" for r in results)


def _treasurers(world: World, count: int) -> list[int]:
    """Fifty treasurers of community A (one each, as fifty laptops would be signed in)."""
    people = []
    for number in range(count):
        person = Person(display_name=f"treasurer {number}")
        world.session.add(person)
        world.session.flush()
        world.session.add(
            RoleGrant(
                person_id=person.id,
                role=Role.COMMITTEE_MEMBER,
                position="treasurer",
                place_id=world.community_a,
            )
        )
        people.append(person.id)
    world.session.commit()
    return people  # type: ignore[return-value]


def _books_hold(world: World) -> None:
    world.session.rollback()
    result = check_books(world.session)
    assert result.ok, [str(problem) for problem in result.problems]
    for balance in ledger.fund_balances(world.session):
        assert balance.cash_fen >= 0 and balance.available_fen >= 0, balance


def test_fifty_expenses_at_once_never_overdraw(world: World, engine: Engine) -> None:
    donate(world, "1000")
    treasurers = _treasurers(world, RACERS)

    def expense(person_id: int) -> Callable[[Session], int]:
        def call(session: Session) -> int:
            return ledger.record_expense(
                session,
                viewer_for_person(session, person_id),
                fund_id=world.fund_a,
                amount="100",
                payee="Hardware shop",
                purpose="bolts",
                invoice_number=f"INV-{person_id}",
                occurred_on=DAY,
            )

        return call

    results = race(world, engine, [expense(person) for person in treasurers])
    assert outcomes(results) == {"ok": 10, "overspend_fund": 40}
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert (balance.cash_fen, balance.money_out_fen) == (0, 10 * 100_00)
    _books_hold(world)


def test_allocations_and_transfers_at_once_never_overcommit(world: World, engine: Engine) -> None:
    """Half the racers earmark 300 yuan for a project, half send 300 yuan to another fund, out
    of 3,000: ten of them fit, whichever ten they are."""
    donate(world, "3000")
    proposal_id = _selected_proposal(world)
    treasurers = _treasurers(world, RACERS)

    def move(number: int, person_id: int) -> Callable[[Session], int]:
        def call(session: Session) -> int:
            viewer = viewer_for_person(session, person_id)
            if number % 2:
                return ledger.allocate_to_proposal(
                    session,
                    viewer,
                    fund_id=world.fund_a,
                    proposal_id=proposal_id,
                    amount="300",
                    occurred_on=DAY,
                )
            return ledger.transfer_between_funds(
                session,
                viewer,
                source_fund_id=world.fund_a,
                destination_fund_id=world.street_fund,
                amount="300",
                purpose="back to the street",
                occurred_on=DAY,
            )

        return call

    results = race(world, engine, [move(n, person) for n, person in enumerate(treasurers)])
    assert outcomes(results) == {"ok": 10, "overspend_fund": 40}
    balance = ledger.fund_balance(world.session, world.fund_a)
    moved = balance.money_out_fen + balance.earmarked_fen
    assert moved == 3000_00 and balance.available_fen == 0
    _books_hold(world)


def test_two_large_expenses_at_once_only_one_is_paid(world: World, engine: Engine) -> None:
    donate(world, "1000")
    treasurer = world.people["treasurer_a"]

    def expense(session: Session) -> int:
        return ledger.record_expense(
            session,
            viewer_for_person(session, treasurer),
            fund_id=world.fund_a,
            amount="600",
            payee="Painter",
            purpose="railings",
            invoice_number="INV-600",
            occurred_on=DAY,
        )

    for _ in range(5):  # the race the issue saw lost 19 times in 20
        results = race(world, engine, [expense, expense])
        assert outcomes(results)["ok"] <= 1
    assert ledger.fund_balance(world.session, world.fund_a).cash_fen == 400_00
    _books_hold(world)


def test_ten_reversals_of_one_entry_store_exactly_one(world: World, engine: Engine) -> None:
    donate(world, "1000")
    expense_id = ledger.record_expense(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        amount="300",
        payee="Painter",
        purpose="railings",
        invoice_number="INV-1",
        occurred_on=DAY,
    )
    treasurer = world.people["treasurer_a"]

    def reverse(session: Session) -> int:
        return ledger.reverse_entry(
            session,
            viewer_for_person(session, treasurer),
            entry_id=expense_id,
            reason="paid twice by the bank",
            occurred_on=DAY,
        )

    results = race(world, engine, [reverse] * 10)
    assert outcomes(results) == {"ok": 1, "entry_already_reversed": 9}
    reversals = world.session.exec(
        select(func.count()).where(LedgerEntry.reverses_entry_id == expense_id)
    ).one()
    assert reversals == 1
    assert ledger.fund_balance(world.session, world.fund_a).cash_fen == 1000_00
    _books_hold(world)


def test_a_support_sent_ten_times_at_once_counts_once(world: World, engine: Engine) -> None:
    need_id = needs.post_need(
        world.session,
        world.viewer("resident_a1"),
        place_id=world.compound_a1,
        title="Shade",
        description="",
        category="greening",
    )
    resident = world.people["resident_a1"]

    def support(session: Session) -> None:
        needs.support_need(session, viewer_for_person(session, resident), need_id=need_id)

    results = race(world, engine, [support] * 10)
    assert outcomes(results) == {"ok": 1, "already_supported": 9}
    stored = world.session.exec(select(func.count()).select_from(NeedSupport)).one()
    assert stored == 1


def test_a_proposal_supported_twice_at_once_and_withdrawn_ten_times_at_once(
    world: World, engine: Engine
) -> None:
    """Two connections supporting at once leave one row; ten withdrawals at once remove it
    once, and the other nine are told there was nothing to take back."""
    proposal_id = proposals.submit_proposal(
        world.session,
        world.viewer("resident_a1"),
        draft=draft(world, place_id=world.community_a),
    )
    resident = world.people["resident_a2"]

    def support(session: Session) -> None:
        proposals.support_proposal(
            session, viewer_for_person(session, resident), proposal_id=proposal_id
        )

    def withdraw(session: Session) -> None:
        proposals.withdraw_support(
            session, viewer_for_person(session, resident), proposal_id=proposal_id
        )

    def supports() -> int:
        world.session.rollback()
        query = select(func.count()).where(ProposalSupport.proposal_id == proposal_id)
        return world.session.exec(query).one()

    assert outcomes(race(world, engine, [support] * 2)) == {"ok": 1, "already_supported": 1}
    assert supports() == 1
    assert outcomes(race(world, engine, [withdraw] * 10)) == {"ok": 1, "not_supported": 9}
    assert supports() == 0
    assert outcomes(race(world, engine, [support] * 10)) == {"ok": 1, "already_supported": 9}
    assert supports() == 1


def test_thirty_wrong_codes_at_once_are_checked_at_most_the_limit(
    world: World, engine: Engine
) -> None:
    round_id, _ = voting_round(world)
    issued_codes(world, round_id)

    def guess(number: int) -> Callable[[Session], Any]:
        def call(session: Session) -> Any:
            return open_code_ballot(session, code=f"WRONG{number:04d}XYZ", address="10.0.0.7")

        return call

    results = race(world, engine, [guess(n) for n in range(30)])
    seen = outcomes(results)
    assert seen == {
        "voting_code_unknown": limits.VOTING_CODE.per_address,
        "too_many_attempts": 30 - limits.VOTING_CODE.per_address,
    }
    failures = world.session.exec(select(func.count()).select_from(FailedAttempt)).one()
    assert failures == limits.VOTING_CODE.per_address


def test_one_user_name_for_two_admins_at_once(world: World, engine: Engine) -> None:
    """A unique key decides; the one who came second is told so in words."""
    admin = world.people["admin"]

    def add(session: Session) -> int:
        return accounts.add_person(
            session,
            viewer_for_person(session, admin),
            display_name="Wang Fang",
            username="wangfang",
            password="a long enough password",
            home_place_id=world.compound_a1,
        )

    results = race(world, engine, [add] * 6)
    seen = outcomes(results)
    assert seen["ok"] == 1 and seen["ok"] + seen["username_taken"] + seen["changed_meanwhile"] == 6
    people = world.session.exec(select(func.count()).where(Person.display_name == "Wang Fang"))
    assert people.one() == 1


def test_one_open_review_session_per_street_at_once(world: World, engine: Engine) -> None:
    """No unique key here (closed sessions repeat): the lock taken before the check decides."""
    reviewer = world.people["reviewer"]

    def open_session(session: Session) -> int:
        return reviews.open_review_session(
            session,
            viewer_for_person(session, reviewer),
            street_id=world.street,
            year=2026,
            title="Year-end review",
            held_on=DAY,
        )

    results = race(world, engine, [open_session] * 6)
    assert outcomes(results) == {"ok": 1, "review_session_already_open": 5}


def test_ballots_cast_while_the_vote_closes_are_in_the_count_or_refused(
    world: World, engine: Engine
) -> None:
    """Without the round held while casting, a ballot that passed its phase check could land
    in the pending box after the close dealt every ballot again: counted late and not shuffled."""
    round_id, ids = voting_round(world)
    voters = []
    for number in range(20):
        person = Person(display_name=f"neighbour {number}", home_place_id=world.compound_a1)
        world.session.add(person)
        world.session.flush()
        world.session.add(
            RoleGrant(person_id=person.id, role=Role.RESIDENT, place_id=world.compound_a1)
        )
        voters.append(person.id)
    world.session.commit()

    def vote(person_id: int) -> Callable[[Session], Any]:
        def call(session: Session) -> Any:
            viewer = viewer_for_person(session, person_id)
            return cast_ballot(
                session, viewer, round_id=round_id, ballot=BallotChoice(approvals=(ids[0],))
            )

        return call

    def close(session: Session) -> Any:
        chair = viewer_for_person(session, world.people["chair_a"])
        return advance_round(session, chair, round_id=round_id)

    results = race(world, engine, [close, *(vote(person) for person in voters)])
    assert results[0] == "counting"
    seen = outcomes(results[1:])
    assert set(seen) <= {"ok", "round_not_voting"}
    world.session.rollback()
    pending = world.session.exec(
        select(func.count()).select_from(PendingBallot).where(PendingBallot.round_id == round_id)
    ).one()
    assert pending == 0  # everything cast went through the close's shuffle
    counted = count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    assert world.session.get(Tally, counted).ballots_counted == seen["ok"]  # type: ignore[union-attr]
