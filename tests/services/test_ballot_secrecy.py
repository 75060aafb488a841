"""No export, log or stored row says which person cast which ballot, nor in what order ballots
were cast: ballots go in online after a sign-in, on paper and with household codes, then every
export is searched, and every column, key and system column of the stored ballots (rowid on
SQLite; xmin and ctid on PostgreSQL) is compared with the order of casting and joined against
the poll book, the codes, the sign-ins and the people."""

import csv
import io
import statistics
from collections.abc import Sequence

import pytest
from argon2 import PasswordHasher
from sqlalchemy import DateTime, text
from sqlmodel import Session, SQLModel, func, select

from models import AuditEntry, Ballot, BallotEntry, PendingBallot, PollBookEntry, RoleGrant
from models.vocabulary import Role
from services import accounts
from services.accounts import create_person, sign_in_local
from services.ballots import SEAL_EVERY, BallotChoice
from services.notice import audit_log, export_audit_log
from services.permissions import ANONYMOUS
from services.rounds import advance_round, cast_ballot
from services.tally import count_votes, export_ballots, publish_tally
from services.voting_codes import cast_ballot_with_code, issue_voting_codes, register_households
from tests.services.test_rounds import voting_round
from tests.world import World, paper_ballot, second_clerk
from voting import read_pb

SIGNED_IN = 60
CODES = 20


def test_no_export_or_log_ties_a_ballot_to_a_person(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    session = world.session
    round_id, ids = voting_round(world)
    register_households(
        session, world.viewer("clerk_a"), compound_id=world.compound_a2, labels="5-1-502"
    )
    (code,) = issue_voting_codes(
        session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a2
    )
    second_clerk(world)
    audit_before = session.exec(select(func.count()).select_from(AuditEntry)).one()

    cast = {
        "resident_a1": (ids[0],),
        "resident_a2": (ids[1], ids[2]),
    }
    for name, approvals in cast.items():
        cast_ballot(session, world.viewer(name), round_id=round_id, ballot=BallotChoice(approvals))
    paper_ballot(
        world, round_id=round_id, sheet_number="P-0001", ballot=BallotChoice((ids[0], ids[1]))
    )
    cast_ballot_with_code(session, code=code.code, ballot=BallotChoice(approvals=(ids[2],)))
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == audit_before

    chair = world.viewer("chair_a")
    advance_round(session, chair, round_id=round_id)  # voting closes: the ballots dealt again
    unpublished = export_ballots(session, chair, round_id=round_id)
    publish_tally(session, chair, tally_id=count_votes(session, chair, round_id=round_id))
    public = export_ballots(session, ANONYMOUS, round_id=round_id)
    assert public == unpublished
    audit_csv = export_audit_log(session, world.viewer("admin"))
    audit_lines = audit_log(session, world.viewer("admin"))

    # The ballots file: numbered 1..n in the order of the random ballot ids, nothing else.
    path = tmp_path / "round.pb"
    path.write_text(public, encoding="utf-8")
    election = read_pb(path)
    assert [b.voter_id for b in election.profile.ballots] == ["1", "2", "3", "4"]
    stored = session.exec(select(Ballot).order_by(Ballot.id)).all()  # type: ignore[arg-type]
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
    keys = session.exec(select(PollBookEntry.voter_key)).all()
    secrets_ = [*keys, *(b.receipt_hash for b in stored), "P-0001", str(stored[0].id)]
    for exported in (public, audit_csv):
        for secret in secrets_:
            assert secret not in exported
    rows = list(csv.DictReader(io.StringIO(audit_csv.lstrip("\ufeff"))))
    assert len(rows) == len(audit_lines) == audit_before + 4  # close, count, publish, tallied
    tables = {row["entity"] for row in rows}
    assert not {"ballot", "ballotentry", "pendingballot", "pollbookentry", "votingcode"} & tables


def test_the_ballot_tables_hold_no_person_no_voter_and_no_time() -> None:
    for table in (Ballot.__table__, BallotEntry.__table__, PendingBallot.__table__):  # type: ignore[attr-defined]
        assert not any(fk.column.table.name == "person" for fk in table.foreign_keys)
        assert not [c.name for c in table.columns if isinstance(c.type, DateTime)]
        assert not {"voter_key", "channel", "cast_on", "voted_on"} & set(table.columns.keys())
    assert "ballot" in SQLModel.metadata.tables


# --- a copy of the database, in the hands of someone who knows who voted when -----------------


def _spearman(order: Sequence[float], values: Sequence[float]) -> float:
    """Rank correlation; 0 when the values do not vary (nothing to order by)."""

    def ranks(xs: Sequence[float]) -> list[float]:
        position = {x: i for i, x in enumerate(sorted(set(xs)))}
        return [float(position[x]) for x in xs]

    if len(set(values)) < 2:
        return 0.0
    return statistics.correlation(ranks(order), ranks(values))


def _vote(world: World, round_id: int, ids: list[int]) -> list[tuple[int, int]]:
    """Sixty neighbours sign in and vote, one after another, then twenty households vote with
    their codes. Each ballot's points are its voter's own, (1 + n % 9, 1 + n // 9), so a stored
    ballot tells who cast it: the test may know what an attacker should never learn."""
    session = world.session
    cast: list[tuple[int, int]] = []
    for n in range(SIGNED_IN):
        person = create_person(
            session,
            display_name=f"neighbour {n}",
            username=f"neighbour{n}",
            password="a long passphrase",
            home_place_id=world.compound_a1,
        )
        session.flush()
        session.add(RoleGrant(person_id=person.id, role=Role.RESIDENT, place_id=world.compound_a1))
        session.commit()
        signed_in = sign_in_local(session, username=f"neighbour{n}", password="a long passphrase")
        points = (1 + n % 9, 1 + n // 9)
        choice = BallotChoice(points={ids[0]: points[0], ids[1]: points[1]})
        cast_ballot(session, signed_in.viewer, round_id=round_id, ballot=choice)
        cast.append(points)
    labels = "\n".join(f"7-1-{100 + n}" for n in range(CODES))
    register_households(
        session, world.viewer("clerk_a"), compound_id=world.compound_a2, labels=labels
    )
    codes = issue_voting_codes(
        session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a2
    )
    for n, code in enumerate(codes, start=SIGNED_IN):
        points = (1 + n % 9, 1 + n // 9)
        choice = BallotChoice(points={ids[0]: points[0], ids[1]: points[1]})
        cast_ballot_with_code(session, code=code.code, ballot=choice)
        cast.append(points)
    return cast


def _stored(session: Session, dialect: str) -> list[dict[str, object]]:
    """Each stored ballot: every number its row carries, visible or not (PostgreSQL's xmin and
    ctid, SQLite's rowid), and the points that tell who cast it."""
    system = (
        "xmin::text::bigint, (ctid::text::point)[0] * 1000 + (ctid::text::point)[1]"
        if dialect == "postgresql"
        else "0, rowid"
    )
    connection = session.connection()
    points: dict[int, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, given in connection.execute(
        text("SELECT ballot_id, proposal_id, points FROM ballotentry")
    ):
        points.setdefault(ballot_id, []).append((proposal_id, given))
    return [
        {
            "points": tuple(given for _, given in sorted(points[ballot_id])),
            "id": ballot_id,
            "receipt": int(receipt[:15], 16),
            "xmin": xmin,
            "position": position,
        }
        for ballot_id, receipt, xmin, position in connection.execute(
            text(f"SELECT id, receipt_hash, {system} FROM ballot")
        )
    ]


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sixty sign-ins: what is tested is what they leave behind, not the cost of Argon2."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.mark.usefixtures("cheap_passwords")
def test_a_database_copy_cannot_order_or_join_the_ballots(world: World) -> None:
    session = world.session
    dialect = session.connection().dialect.name
    round_id, ids = voting_round(world, ballot_kind="cumulative", max_sum_points=100)
    order = _vote(world, round_id, ids)
    voters = SIGNED_IN + CODES

    # During the vote: ballots are sealed in batches of at least SEAL_EVERY that share
    # everything a transaction leaves (on PostgreSQL, one xmin per batch): a batch, never a
    # voter. Fewer than SEAL_EVERY + a few wait in the pending box.
    pending = session.exec(select(func.count()).select_from(PendingBallot)).one()
    during = _stored(session, dialect)
    assert len(during) + pending == voters and len(during) >= voters - 2 * SEAL_EVERY
    if dialect == "postgresql":
        batches = [sum(1 for b in during if b["xmin"] == x) for x in {b["xmin"] for b in during}]
        assert batches and min(batches) >= SEAL_EVERY

    # The vote closes: the whole round is dealt out again.
    chair = world.viewer("chair_a")
    advance_round(session, chair, round_id=round_id)  # voting closes
    publish_tally(session, chair, tally_id=count_votes(session, chair, round_id=round_id))
    advance_round(session, chair, round_id=round_id)
    after = _stored(session, dialect)
    assert sorted(b["points"] for b in after) == sorted(order)  # type: ignore[type-var]
    cast_at = {points: n for n, points in enumerate(order)}
    casting = [float(cast_at[b["points"]]) for b in after]  # type: ignore[index]
    for column in ("id", "receipt", "xmin", "position"):
        values = [float(b[column]) for b in after]  # type: ignore[arg-type]
        assert abs(_spearman(casting, values)) < 0.4, column  # 80 ballots: |rho| < 0.4 by chance
    assert len({b["xmin"] for b in after}) == 1  # one transaction, on PostgreSQL

    # Nothing a ballot row holds is found where voters, codes or sign-ins are kept.
    held = {str(b["id"]) for b in after} | {
        h for (h,) in session.connection().execute(text("SELECT receipt_hash FROM ballot"))
    }
    for table in ("pollbookentry", "votingcode", "signinsession", "person", "account", "household"):
        for row in session.connection().execute(text(f"SELECT * FROM {table}")):
            assert not held & {str(value) for value in row}, table
    if dialect == "postgresql":
        ballot_xmin = {b["xmin"] for b in after}
        for table in ("pollbookentry", "votingcode", "signinsession"):
            other = session.connection().execute(text(f"SELECT xmin::text::bigint FROM {table}"))
            assert not ballot_xmin & {x for (x,) in other}, table
