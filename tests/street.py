"""A staged street for tests that try many calls against one store: two communities built
through the services (needs, proposals in several states, rounds taking proposals, voting,
counted but unpublished and published, donations, a closed meeting with a committee note, an
open review session), a sandbox whose commits are savepoints rolled back afterwards, and a
fingerprint of every table to show that a refused call changed nothing.

Used by the permission walk and the hostile-input test; each stages one street per backend.
"""

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from models import Household, Person, RoleGrant, make_engine
from models.vocabulary import ProposalStatus, Role
from services import ballots, ledger, meetings, needs, paper, proposals, reviews, rounds
from services import tally as tallies
from services.accounts import viewer_for_person
from services.common import id_of
from tests.conftest import _empty_postgres
from tests.world import World, build_world

WHEN = date(2026, 3, 1)
MEETING_AT = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
HIDDEN_DONOR = "A neighbour who gives quietly"
COMMITTEE_NOTE = "Quotes from two contractors; the cheaper one has no licence."
GOOD = {"goal_met": 5, "participation": 4, "maintenance": 3, "books_complete": 5, "satisfaction": 4}
S = ProposalStatus
DISPUTED_SHEET = "D-0001"


@dataclass(frozen=True)
class Side:
    """What one community offers the probes: A is in the walkers' scope, B is not."""

    community: int
    compound: int
    fund: int
    need: int
    submitted: int  # a proposal awaiting the eligibility review
    selected: int  # a funded proposal, scored once at the open review session
    open_round: int  # taking proposals
    voting_round: int  # voting open, one ballot cast
    on_ballot: tuple[int, ...]
    counting_round: int  # voting closed, one ballot, counted but not published
    counted: tuple[int, ...]  # its proposals, on the ballot
    tally: int  # the unpublished count of the counting round
    meeting: int  # closed, with a committee note, minutes not yet published
    disputed_sheet: str  # a paper sheet of the voting round two clerks read differently


@dataclass(frozen=True)
class Street:
    world: World
    review_session: int
    sides: dict[str, Side]  # "in": community A, "out": community B


def draft(
    place_id: int, title: str, round_id: int | None = None, need_id: int | None = None
) -> proposals.ProposalDraft:
    """6,700 yuan with 700 pledged: within community A's charter (cap, co-funding share)."""
    return proposals.ProposalDraft(
        place_id=place_id,
        round_id=round_id,
        need_id=need_id,
        title=title,
        summary="s",
        category="safety",
        line_items=[proposals.LineItemInput(title, "safety", 1, "6700")],
        co_funding=[proposals.PledgeInput("residents", "residents", "700")],
        maintenance_plan="m",
        maintainer="m",
        maintenance_years=1,
    )


def _dispute_sheet(
    world: World, community: int, round_id: int, on_ballot: tuple[int, ...], sheet: str
) -> None:
    """Two clerks of the community, straight into the store (community B has no clerk), read
    one paper sheet differently: it waits for a third look, and is not a ballot."""
    session = world.session
    for number, approvals in enumerate((on_ballot[:1], on_ballot[1:])):
        person = Person(display_name=f"paper clerk {community}-{number}")
        session.add(person)
        session.flush()
        session.add(RoleGrant(person_id=person.id, role=Role.CLERK, place_id=community))
        session.commit()
        paper.key_paper_sheet(
            session,
            viewer_for_person(session, id_of(person)),
            round_id=round_id,
            sheet_number=sheet,
            ballot=ballots.BallotChoice(approvals=approvals),
        )


def _stage_side(world: World, letter: str) -> Side:
    """Built through the services, by the world's own officials of that community."""
    session = world.session
    community, compound, fund = {
        "a": (world.community_a, world.compound_a1, world.fund_a),
        "b": (world.community_b, world.compound_b1, world.fund_b),
    }[letter]
    chair = world.viewer(f"chair_{letter}")
    treasurer = world.viewer(f"treasurer_{letter}")
    resident = world.viewer(f"resident_{letter}1")
    need = needs.post_need(
        session, resident, place_id=compound, title="Lights", description="", category="safety"
    )
    submitted = proposals.submit_proposal(session, resident, draft=draft(compound, "Benches"))

    def through_vote(name: str, titles: tuple[str, ...], until: str) -> tuple[int, Any, int]:
        """A round that took ``titles``, found them eligible and opened the vote, with one
        ballot for the first; then closed, counted and published as far as ``until`` says."""
        config = rounds.RoundSettings(
            name=f"{name} {letter}",
            year=2026,
            fund_id=fund,
            place_id=community,
            budget="10000",
            rule="greedy",
        )
        round_id = rounds.create_round(session, chair, config=config)
        for _ in range(2):  # draft -> needs -> proposals
            rounds.advance_round(session, chair, round_id=round_id)
        if until == "proposals":
            return round_id, (), 0
        entered = tuple(
            proposals.submit_proposal(session, resident, draft=draft(compound, title, round_id))
            for title in titles
        )
        rounds.advance_round(session, chair, round_id=round_id)  # eligibility
        for proposal_id in entered:
            proposals.change_proposal_status(
                session, chair, proposal_id=proposal_id, to_status=S.ELIGIBLE
            )
        for _ in range(2):  # deliberation -> voting
            rounds.advance_round(session, chair, round_id=round_id)
        rounds.cast_ballot(
            session, resident, round_id=round_id, ballot=ballots.BallotChoice(approvals=entered[:1])
        )
        tallied = 0
        if until != "voting":
            rounds.advance_round(session, chair, round_id=round_id)  # counting
            tallied = tallies.count_votes(session, chair, round_id=round_id)
            if until == "published":
                tallies.publish_tally(session, chair, tally_id=tallied)
        return round_id, entered, tallied

    _, (selected,), _ = through_vote("2025", ("Garden",), until="published")
    open_round, _, _ = through_vote("2026 autumn", (), until="proposals")
    round_id, on_ballot, _ = through_vote("2026", ("Lamps", "Swings"), until="voting")
    counting_round, counted, tally_id = through_vote("2026 spring", ("Slide", "Bench"), "counted")
    _dispute_sheet(world, community, round_id, on_ballot, DISPUTED_SHEET)
    for amount, donor, anonymous in (("5000", "Street office", False), ("300", HIDDEN_DONOR, True)):
        ledger.record_donation(
            session,
            treasurer,
            fund_id=fund,
            amount=amount,
            donor=donor,
            purpose="seed money",
            occurred_on=WHEN,
            is_anonymous=anonymous,
        )
    meeting = meetings.schedule_meeting(
        session, chair, place_id=community, title="Committee", scheduled_at=MEETING_AT
    )
    meetings.start_meeting(session, chair, meeting_id=meeting)
    meetings.take_note(session, chair, meeting_id=meeting, body=COMMITTEE_NOTE)
    meetings.close_meeting(session, chair, meeting_id=meeting)
    # Dwellings straight into the store: community B has no clerk to register them.
    session.add_all(Household(compound_id=compound, label=label) for label in ("1-101", "1-102"))
    session.commit()
    return Side(
        community=community,
        compound=compound,
        fund=fund,
        need=need,
        submitted=submitted,
        selected=selected,
        open_round=open_round,
        voting_round=round_id,
        on_ballot=on_ballot,
        counting_round=counting_round,
        counted=counted,
        tally=tally_id,
        meeting=meeting,
        disputed_sheet=DISPUTED_SHEET,
    )


def build_street(session: Session) -> Street:
    """The world, both communities, and the street's open review session with one review of
    each community's funded proposal."""
    world = build_world(session)
    sides = {"in": _stage_side(world, "a"), "out": _stage_side(world, "b")}
    reviewer = world.viewer("reviewer")
    review_session = reviews.open_review_session(
        session,
        reviewer,
        street_id=world.street,
        year=2026,
        title="Year-end review",
        held_on=date(2026, 12, 20),
    )
    for side in sides.values():
        reviews.score_project(
            session,
            reviewer,
            session_id=review_session,
            proposal_id=side.selected,
            scores=GOOD,
            recommendation="continue",
        )
    return Street(world=world, review_session=review_session, sides=sides)


@contextmanager
def staging_engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[Engine]:
    """For a module-scoped fixture parametrised with "sqlite" and "postgresql": an engine on an
    empty migrated store that supports savepoints; PostgreSQL is emptied again afterwards."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("street") / "linli.db"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")  # SAVEPOINT works: SQLAlchemy begins
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _empty_postgres(engine)
        yield engine
        _empty_postgres(engine)


@contextmanager
def sandbox(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints of one transaction, rolled back afterwards."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()


TABLES = SQLModel.metadata.sorted_tables


def _all_rows(dialect: str) -> str:
    """Every row of every table as one line of text, in a single statement (a query per table
    would be most of the walk's time on PostgreSQL). Each backend writes a row its own way;
    only its own fingerprints are ever compared."""
    selects = []
    for table in TABLES:
        if dialect == "postgresql":
            line = "t::text"
        else:
            line = " || '|' || ".join(f"quote(t.{column.name})" for column in table.columns)
        # Ids, names (chainhead) and composite keys (the poll book, ballot entries) alike.
        key_text = " || '|' || ".join(f"CAST(t.{c.name} AS TEXT)" for c in table.primary_key)
        selects.append(f"SELECT '{table.name}', {key_text}, {line} FROM {table.name} t")
    return " UNION ALL ".join(selects) + " ORDER BY 1, 2, 3"


ALL_ROWS = {dialect: _all_rows(dialect) for dialect in ("sqlite", "postgresql")}


def fingerprint(session: Session) -> dict[str, str]:
    """Every table's row count and a hash of all its rows, in primary-key order."""
    session.flush()  # anything the call left pending counts as a change
    connection = session.connection()
    counts = dict.fromkeys((table.name for table in TABLES), 0)
    hashes = {name: hashlib.sha256() for name in counts}
    for name, _key, line in connection.exec_driver_sql(ALL_ROWS[connection.dialect.name]):
        counts[name] += 1
        hashes[name].update(f"{line}\n".encode())
    return {name: f"{counts[name]} {hashes[name].hexdigest()}" for name in counts}
