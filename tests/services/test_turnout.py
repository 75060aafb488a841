"""The live screen's figures: ballots by channel against the households of the round's area,
and the result only once it is published; on SQLite and PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import pytest
from sqlalchemy import event
from sqlmodel import Session

from models import Place
from services.errors import NotFound
from services.rounds import BallotChoice, advance_round, cast_ballot
from services.tally import count_votes, publish_tally
from services.turnout import BallotsByChannel, eligible_households, round_turnout
from services.voting_codes import cast_ballot_with_code
from tests.services.test_imports import import_into_a, small
from tests.services.test_rounds import voting_round
from tests.services.test_voting_codes import issued_codes
from tests.world import World, paper_ballot


def set_households(session: Session, place_id: int, households: int | None) -> None:
    place = session.get(Place, place_id)
    assert place is not None
    place.households = households
    session.add(place)
    session.commit()


def cast_one_of_each(world: World, round_id: int, ids: list[int]) -> None:
    """Support: A 3, B 3, C 1. Greedy on a 10,000 budget funds A (6,000; first of the tie by
    id), skips B (5,000 no longer fits) and funds C (4,000)."""
    a, b, c = ids
    cast_ballot(
        world.session, world.viewer("resident_a1"), round_id=round_id, ballot=BallotChoice((a, b))
    )
    cast_ballot(
        world.session, world.viewer("resident_a2"), round_id=round_id, ballot=BallotChoice((a, c))
    )
    paper_ballot(world, round_id=round_id, sheet_number="1", ballot=BallotChoice((b,)))
    code = issued_codes(world, round_id)[0].code
    cast_ballot_with_code(world.session, code=code, ballot=BallotChoice((a, b)))


def test_ballots_by_channel_against_the_households_of_the_area(world: World) -> None:
    round_id, ids = voting_round(world)  # in community A, whose compounds hold 120 each
    set_households(world.session, world.community_a, None)
    before = round_turnout(world.session, round_id=round_id)
    assert before.ballots == BallotsByChannel() and before.ballots.total == 0
    assert before.eligible_households == 240 and before.share == 0
    assert (before.phase, before.counted, before.result) == ("voting", False, None)

    cast_one_of_each(world, round_id, ids)
    turnout = round_turnout(world.session, round_id=round_id)
    assert turnout.ballots == BallotsByChannel(online=2, paper=1, code=1, imported=0)
    assert turnout.ballots.total == 4 and turnout.share == Fraction(4, 240)
    assert (turnout.round_name, turnout.year, turnout.place) == ("2026", 2026, "Kangcheng")

    set_households(world.session, world.community_a, 500)  # the community's own figure wins
    assert round_turnout(world.session, round_id=round_id).share == Fraction(4, 500)


def test_imported_ballots_are_counted_apart(world: World) -> None:
    """Ballots brought in from a Pabulib file enter the poll book with channel "imported"."""
    imported = import_into_a(world, small())
    turnout = round_turnout(world.session, round_id=imported.round_id)
    assert turnout.ballots == BallotsByChannel(imported=4)


def test_a_count_shows_only_once_published(world: World) -> None:
    round_id, ids = voting_round(world)
    cast_one_of_each(world, round_id, ids)
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # voting closes
    tally_id = count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    counted = round_turnout(world.session, round_id=round_id)
    assert counted.counted and counted.result is None  # committee material until published

    publish_tally(world.session, world.viewer("chair_a"), tally_id=tally_id)
    result = round_turnout(world.session, round_id=round_id).result
    assert result is not None
    a, b, c = ids
    assert [(bar.proposal_id, bar.support, bar.selected) for bar in result.bars] == [
        (a, 3, True),
        (c, 1, True),
        (b, 3, False),
    ]
    assert [bar.title for bar in result.bars] == ["A: lights", "C: garden", "B: benches"]
    assert (result.ballots_counted, result.budget_fen, result.total_cost_fen) == (
        4,
        10_000_00,
        10_000_00,
    )
    assert result.published_at is not None


def test_households_of_a_street_and_of_a_place_without_figures(world: World) -> None:
    """A place's own figure, else its children's by the same rule; none anywhere: unknown."""
    session = world.session
    set_households(session, world.street, None)
    set_households(session, world.community_a, None)
    assert eligible_households(session, world.street) == 120 + 120 + 120  # A1 + A2 + B
    for place in (world.compound_a1, world.compound_a2):
        set_households(session, place, None)
    assert eligible_households(session, world.community_a) is None
    assert eligible_households(session, world.street) == 120  # B's
    round_id, _ = voting_round(world)  # in community A
    turnout = round_turnout(session, round_id=round_id)
    assert turnout.eligible_households is None and turnout.share is None


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_figures_are_aggregates_whatever_the_number_of_ballots(world: World) -> None:
    """The same statements for 4 ballots as for 24: counted by the database, never loaded."""
    round_id, ids = voting_round(world)
    cast_one_of_each(world, round_id, ids)
    world.session.expire_all()
    with statements(world.session) as few:
        round_turnout(world.session, round_id=round_id)
    for sheet in range(2, 22):
        paper_ballot(
            world, round_id=round_id, sheet_number=str(sheet), ballot=BallotChoice(tuple(ids[:2]))
        )
    world.session.expire_all()
    with statements(world.session) as many:
        turnout = round_turnout(world.session, round_id=round_id)
    assert turnout.ballots.total == 24 and turnout.ballots.paper == 21
    assert len(many) == len(few)
    chair = world.viewer("chair_a")
    advance_round(world.session, chair, round_id=round_id)  # voting closes
    tally_id = count_votes(world.session, chair, round_id=round_id)
    publish_tally(world.session, chair, tally_id=tally_id)
    world.session.expire_all()
    with statements(world.session) as published:
        result = round_turnout(world.session, round_id=round_id).result
    assert result is not None and sum(bar.support for bar in result.bars) == 2 + 2 + 1 + 2 + 40
    assert len(published) <= len(many) + 3
    per_entry = [s for s in published if "ballotentry" in s.lower()]
    assert per_entry and all("GROUP BY" in s for s in per_entry)


def test_an_unknown_round_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        round_turnout(world.session, round_id=999_999)
