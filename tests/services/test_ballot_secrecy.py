"""No export or log says which person cast which ballot: ballots go in online, on paper and with a
household code, then every export the app offers is read back and searched."""

import csv
import io

from sqlalchemy import DateTime
from sqlmodel import SQLModel, col, func, select

from models import AuditEntry, Ballot, BallotEntry, Person
from services.notice import audit_log, export_audit_log
from services.permissions import ANONYMOUS
from services.rounds import BallotChoice, cast_ballot, enter_paper_ballot
from services.tally import count_votes, export_ballots, publish_tally
from services.voting_codes import cast_ballot_with_code, issue_voting_codes, register_households
from tests.services.test_rounds import voting_round
from tests.world import World
from voting import read_pb


def test_no_export_or_log_ties_a_ballot_to_a_person(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    session = world.session
    round_id, ids = voting_round(world)
    register_households(
        session, world.viewer("clerk_a"), compound_id=world.compound_a2, labels="5-1-502"
    )
    (code,) = issue_voting_codes(
        session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a2
    )
    audit_before = session.exec(select(func.count()).select_from(AuditEntry)).one()

    cast = {
        "resident_a1": (ids[0],),
        "resident_a2": (ids[1], ids[2]),
    }
    for name, approvals in cast.items():
        cast_ballot(session, world.viewer(name), round_id=round_id, ballot=BallotChoice(approvals))
    enter_paper_ballot(
        session,
        world.viewer("clerk_a"),
        round_id=round_id,
        sheet_number="P-0001",
        ballot=BallotChoice(approvals=(ids[0], ids[1])),
    )
    cast_ballot_with_code(session, code=code.code, ballot=BallotChoice(approvals=(ids[2],)))
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == audit_before

    chair = world.viewer("chair_a")
    unpublished = export_ballots(session, chair, round_id=round_id)
    publish_tally(session, chair, tally_id=count_votes(session, chair, round_id=round_id))
    public = export_ballots(session, ANONYMOUS, round_id=round_id)
    assert public == unpublished
    audit_csv = export_audit_log(session, world.viewer("admin"))
    audit_lines = audit_log(session, world.viewer("admin"))

    # The ballots file: numbered 1..n in the order of the random voter keys, nothing else.
    path = tmp_path / "round.pb"
    path.write_text(public, encoding="utf-8")
    election = read_pb(path)
    assert [b.voter_id for b in election.profile.ballots] == ["1", "2", "3", "4"]
    stored = session.exec(select(Ballot).order_by(col(Ballot.voter_key))).all()
    by_ballot = {
        ballot.id: tuple(
            sorted(
                str(e.proposal_id)
                for e in session.exec(select(BallotEntry).where(BallotEntry.ballot_id == ballot.id))
            )
        )
        for ballot in stored
    }
    assert [tuple(sorted(b.projects)) for b in election.profile.ballots] == [
        by_ballot[ballot.id] for ballot in stored
    ]

    # Nothing that names or keys a voter appears in any export.
    people = session.exec(select(Person)).all()
    secrets_ = [b.voter_key for b in stored] + [b.receipt_hash for b in stored] + ["P-0001"]
    for text in (public, audit_csv):
        for secret in secrets_:
            assert secret not in text
    for person in people:
        assert person.display_name not in public
    rows = list(csv.DictReader(io.StringIO(audit_csv.lstrip("\ufeff"))))
    assert len(rows) == len(audit_lines) == audit_before + 2  # the count and the publication
    assert not {"ballot", "ballotentry", "votingcode"} & {row["entity"] for row in rows}


def test_the_ballot_tables_hold_no_person_and_no_time() -> None:
    for table in (Ballot.__table__, BallotEntry.__table__):  # type: ignore[attr-defined]
        assert not any(fk.column.table.name == "person" for fk in table.foreign_keys)
        assert not [c.name for c in table.columns if isinstance(c.type, DateTime)]
    assert "cast_on" in Ballot.__table__.columns  # type: ignore[attr-defined]
    assert "ballot" in SQLModel.metadata.tables
