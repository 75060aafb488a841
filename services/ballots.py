"""Ballots: what a voter marks, how it is checked, kept secret and read back for counting.

One module owns the three shapes of a ballot and the conversions between them: the screen's
``BallotChoice`` (approvals, points or a ranking), the stored marks (proposal, points, rank),
and the engine's ``voting.Ballot``.

Secrecy, also from someone holding a copy of the database or the ballot secret:

- who voted is in the poll book (``PollBookEntry``: a keyed hash of round and voter, the
  channel, the day); how they voted is in the ballots; nothing joins the two;
- a ballot is cast into ``PendingBallot``. Every ``SEAL_EVERY`` ballots of a round, and before
  each count, the pending ballots are sealed: moved to ``Ballot`` in a random order under
  random ids in one transaction (on PostgreSQL they then share one transaction id, and their
  physical order is the random one), and deleted from the pending table (SQLite overwrites
  deleted rows: ``secure_delete``). When the vote closes, the whole round is dealt out again
  the same way, so not even the batch a ballot was sealed in remains;
- a sealed ballot holds its random id, its round and the hash of the voter's receipt code:
  no voter, channel, day or time.

A household's code is spent, and an account's poll book entry written, in the transaction that
casts the ballot; that transaction's pending row is gone once sealed. Where a round allows it, a
ballot is changed by whoever holds its receipt (``replace``): the old ballot leaves the box and
the new one enters the pending box like any cast ballot. README: "Secret ballots".
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from threading import Lock
from typing import Any

from sqlalchemy import URL, Table, delete, insert
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from models import Ballot, BallotEntry, BudgetRound, PendingBallot, PollBookEntry
from models.clock import today
from models.engine import insert_rows, serialize
from models.vocabulary import BallotChannel, BallotKind
from services import workflow
from services.common import MAX_INT64, id_of
from services.election import APPROVAL_KINDS, POINTS_KINDS, round_instance, round_profile
from services.errors import BallotRejected, Conflict, InvalidInput, NotFound
from voting import Ballot as EngineBallot
from voting import BallotError, Instance, validate_ballot

SEAL_EVERY = 20  # at least this many pending ballots of a round are sealed together
SEAL_CHECK_ODDS = 4  # one cast in this many looks whether SEAL_EVERY ballots are pending
RANDOM = secrets.SystemRandom()
BALLOT_ID_BITS = 62  # positive in a signed 64-bit column, far from any collision at city scale
# The engine's ballot codes, as the app names them (and translates them).
BALLOT_CODES = {
    "unknown_project": "ballot_unknown_project",
    "duplicate_project": "ballot_duplicate_project",
    "too_few": "ballot_too_few",
    "too_many": "ballot_too_many",
    "points_under_min": "ballot_points_negative",
    "points_over_max": "ballot_points_over_max",
    "sum_over_max": "ballot_points_over_sum",
    "cost_over_max": "ballot_over_budget",
}
SHOWN_PARAMS = ("min", "max", "project")
COST_PARAMS = {"total": "total_fen", "max": "budget_fen"}  # a knapsack ballot's, shown as money


@dataclass(frozen=True)
class BallotChoice:
    """What the voter marked: approvals, points per proposal, or a ranking (best first)."""

    approvals: tuple[int, ...] = ()
    points: dict[int, int] = field(default_factory=dict)
    ranking: tuple[int, ...] = ()


@dataclass(frozen=True)
class Mark:
    """One proposal on a stored ballot: points for cumulative and score ballots, the rank
    (0 = first) for rankings, neither for approval."""

    proposal_id: int
    points: int | None = None
    rank: int | None = None


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_INT64


def marks_of(kind: str, choice: BallotChoice) -> list[Mark]:
    """The screen's choice as stored marks, for the round's kind of ballot: the one place that
    tells approvals, points and rankings apart on the way in."""
    if not all(_is_whole(pid) for pid in (*choice.approvals, *choice.ranking, *choice.points)):
        raise BallotRejected()
    if not all(_is_whole(points) for points in choice.points.values()):
        raise InvalidInput("field_invalid", field="points")
    ballot_kind = BallotKind(kind)
    if ballot_kind in APPROVAL_KINDS:
        return [Mark(pid) for pid in choice.approvals]
    if ballot_kind is BallotKind.ORDINAL:
        return [Mark(pid, rank=rank) for rank, pid in enumerate(choice.ranking)]
    return [Mark(pid, points=points) for pid, points in choice.points.items() if points != 0]


def engine_ballot(kind: str, marks: Sequence[Mark], voter_id: str = "") -> EngineBallot:
    """Stored marks as the engine reads them (a ranking in the order of its ranks)."""
    if BallotKind(kind) is BallotKind.ORDINAL:
        marks = sorted(marks, key=lambda mark: mark.rank or 0)
    points = tuple(mark.points or 0 for mark in marks) if BallotKind(kind) in POINTS_KINDS else None
    return EngineBallot(
        projects=tuple(str(mark.proposal_id) for mark in marks), points=points, voter_id=voter_id
    )


# --- the round's ballot, checked against a cached description ---------------------------------


_descriptions: dict[tuple[URL, int, datetime], Instance] = {}
_descriptions_lock = Lock()


def _description(session: Session, budget_round: BudgetRound) -> Instance:
    """The projects on the round's ballot and their costs, built once per round (per process
    and database), not once per ballot, and without a query per cast: ballots are only checked
    while the vote is open, and then the workflow lets neither the ballot's proposals nor the
    budget change. The round's creation time tells a round from another stored under the same
    id (a store rebuilt at the same address)."""
    key = (session.connection().engine.url, id_of(budget_round), budget_round.created_at)
    with _descriptions_lock:
        cached = _descriptions.get(key)
    if cached is not None:
        return cached
    instance = round_instance(session, budget_round)
    with _descriptions_lock:
        _descriptions[key] = instance
    return instance


def check_choice(session: Session, budget_round: BudgetRound, choice: BallotChoice) -> list[Mark]:
    """The marks of a valid ballot for this round, by the engine's own rules (the ones the count
    applies); a ballot the rules reject raises and stores nothing."""
    workflow.require(budget_round, workflow.Step.CAST_BALLOT)
    marks = marks_of(budget_round.ballot_kind, choice)
    try:
        validate_ballot(
            _description(session, budget_round),
            round_profile(budget_round, []),
            engine_ballot(budget_round.ballot_kind, marks),
        )
    except BallotError as error:
        names = COST_PARAMS if error.code == "cost_over_max" else {n: n for n in SHOWN_PARAMS}
        shown = {
            names[name]: int(value) if isinstance(value, Fraction) else value
            for name, value in error.params.items()
            if name in names
        }
        raise BallotRejected(BALLOT_CODES.get(error.code, BallotRejected.code), **shown) from None
    return marks


# --- casting, sealing, dealing out again -------------------------------------------------------


def has_ballot(session: Session, round_id: int, voter_key: str) -> bool:
    return session.get(PollBookEntry, (round_id, voter_key)) is not None


def cast(
    session: Session,
    budget_round: BudgetRound,
    voter_key: str,
    marks: Sequence[Mark],
    channel: BallotChannel,
    receipt_hash: str,
) -> None:
    """The voter enters the poll book and the ballot the pending box, in the caller's
    transaction; now and then (one cast in ``SEAL_CHECK_ODDS``) it looks whether
    ``SEAL_EVERY`` ballots are pending and seals them. The caller commits.
    A second ballot of the same voter is refused by the poll book's key, which also settles
    two casts sent at the same moment: three statements and no read before them."""
    workflow.require(budget_round, workflow.Step.CAST_BALLOT)
    round_id = id_of(budget_round)
    connection = session.connection()
    voted = {"round_id": round_id, "voter_key": voter_key, "channel": channel, "voted_on": today()}
    try:
        connection.execute(insert(_table(PollBookEntry)), voted)
    except Conflict:
        session.rollback()
        raise Conflict("ballot_already_cast") from None
    _drop_in(session, round_id, marks, receipt_hash)


def _drop_in(session: Session, round_id: int, marks: Sequence[Mark], receipt_hash: str) -> None:
    """Into the pending box; now and then the round's pending ballots are sealed."""
    stored = [[m.proposal_id, m.points, m.rank] for m in marks]
    session.connection().execute(
        insert(_table(PendingBallot)),
        {"round_id": round_id, "receipt_hash": receipt_hash, "marks": stored},
    )
    if RANDOM.randrange(SEAL_CHECK_ODDS) == 0:
        seal(session, round_id, at_least=SEAL_EVERY)


def lock_box(session: Session, round_id: int) -> None:
    """Until the caller's transaction ends, no ballot of the round is sealed, dealt out again
    or changed by another transaction: the lock sealing takes."""
    serialize(session, f"seal:{round_id}")


def holds(session: Session, round_id: int, receipt_hash: str) -> bool:
    """Whether the round's box holds the ballot of this receipt, sealed or pending."""
    for model in (PendingBallot, Ballot):
        found = session.exec(
            select(model.id).where(model.round_id == round_id, model.receipt_hash == receipt_hash)
        ).first()
        if found is not None:
            return True
    return False


def replace(
    session: Session,
    budget_round: BudgetRound,
    receipt_hash: str,
    marks: Sequence[Mark],
    new_receipt_hash: str,
) -> None:
    """A changed ballot: the receipt's ballot leaves the box, sealed or pending, and the new one
    is cast into the pending box under a new receipt, as any ballot is, to be sealed in a
    random order among others. Nothing is updated in place, so no id, position or row says
    which stored ballot is a changed one; the poll book is not touched. Under the box's lock
    (``lock_box``), so that two changes of one receipt leave one ballot, and a sealing cannot
    carry the old ballot off meanwhile. The caller commits."""
    workflow.require(budget_round, workflow.Step.CAST_BALLOT)
    round_id = id_of(budget_round)
    lock_box(session, round_id)
    connection = session.connection()
    pending = connection.execute(
        delete(PendingBallot).where(
            col(PendingBallot.round_id) == round_id, col(PendingBallot.receipt_hash) == receipt_hash
        )
    )
    if pending.rowcount != 1:
        in_round = Ballot.round_id == round_id
        sealed = session.exec(
            select(Ballot.id).where(in_round, Ballot.receipt_hash == receipt_hash)
        ).first()
        if sealed is None:
            raise NotFound(entity="ballot")
        connection.execute(delete(BallotEntry).where(col(BallotEntry.ballot_id) == sealed))
        connection.execute(delete(Ballot).where(col(Ballot.id) == sealed))
    _drop_in(session, round_id, marks, new_receipt_hash)


def _mark(stored: list[int | None]) -> Mark:
    proposal_id, points, rank = stored
    return Mark(int(proposal_id or 0), points, rank)


def _table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _deal(session: Session, ballots: list[tuple[str, list[Mark]]], round_id: int) -> None:
    """Inserts ballots in a random order under random ids, with their entries."""
    RANDOM.shuffle(ballots)
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for receipt, marks in ballots:
        ballot_id = RANDOM.getrandbits(BALLOT_ID_BITS) + 1
        rows.append({"id": ballot_id, "round_id": round_id, "receipt_hash": receipt})
        entries += [
            {
                "ballot_id": ballot_id,
                "proposal_id": m.proposal_id,
                "points": m.points,
                "rank": m.rank,
            }
            for m in marks
        ]
    connection = session.connection()  # in the shuffled order: that order is what is stored
    insert_rows(connection, _table(Ballot), rows)
    insert_rows(connection, _table(BallotEntry), entries)


def seal(session: Session, round_id: int, *, at_least: int = 1) -> int:
    """Seals the round's pending ballots once there are ``at_least`` of them; returns how many.
    Two sealers of one round at once: the second finds nothing left to seal."""
    pending = select(func.count()).where(PendingBallot.round_id == round_id)
    if session.exec(pending).one() < at_least:
        return 0
    serialize(session, f"seal:{round_id}")
    rows = session.exec(select(PendingBallot).where(PendingBallot.round_id == round_id)).all()
    if len(rows) < at_least:
        return 0
    _deal(
        session,
        [(row.receipt_hash, [_mark(mark) for mark in row.marks]) for row in rows],
        round_id,
    )
    session.exec(delete(PendingBallot).where(col(PendingBallot.id).in_([row.id for row in rows])))
    for row in rows:
        session.expunge(row)
    return len(rows)


def deal_again(session: Session, round_id: int) -> int:
    """When the vote closes: every ballot of the round is sealed and dealt out again, so the
    batches they were sealed in during the vote leave no trace either. Returns the count."""
    seal(session, round_id)
    serialize(session, f"seal:{round_id}")
    ballots = list(_stored(session, round_id))
    ids = select(Ballot.id).where(Ballot.round_id == round_id)
    session.exec(delete(BallotEntry).where(col(BallotEntry.ballot_id).in_(ids)))
    session.exec(delete(Ballot).where(col(Ballot.round_id) == round_id))
    _deal(session, ballots, round_id)
    return len(ballots)


def store_sealed(session: Session, round_id: int, ballots: Iterable[tuple[str, list[Mark]]]) -> int:
    """Ballots that arrive together (an imported election): sealed at once, in a random
    order. Each is (receipt hash, marks); returns how many."""
    batch = list(ballots)
    _deal(session, batch, round_id)
    return len(batch)


# --- reading back -----------------------------------------------------------------------------


def _stored(session: Session, round_id: int) -> Iterable[tuple[str, list[Mark]]]:
    """The sealed ballots of a round, each as (receipt hash, marks), in the order of their
    random ids: one query, read in chunks."""
    query = (
        select_columns(
            col(BallotEntry.ballot_id),
            col(BallotEntry.proposal_id),
            col(BallotEntry.points),
            col(BallotEntry.rank),
            col(Ballot.receipt_hash),
        )
        .join(Ballot, col(Ballot.id) == BallotEntry.ballot_id)
        .where(col(Ballot.round_id) == round_id)
        .order_by(col(BallotEntry.ballot_id), col(BallotEntry.rank), col(BallotEntry.proposal_id))
    )
    rows = session.connection().execute(query.execution_options(yield_per=10_000))
    for _, group in groupby(rows, key=lambda row: row[0]):
        entries = list(group)
        yield entries[0][4], [Mark(row[1], row[2], row[3]) for row in entries]


def _driver_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The rows as the database driver returns them (plain tuples): at 400,000 entries,
    SQLAlchemy's row objects cost more than the query. Only ints are bound, as literals."""
    connection = session.connection()
    literal = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(literal))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def counted_ballots(
    session: Session, budget_round: BudgetRound, on_ballot: set[int]
) -> list[EngineBallot]:
    """The round's ballots as the engine counts them, numbered 1, 2, ... in their random order:
    the pending ones are sealed first. Marks of proposals no longer on the ballot are left out,
    and a ballot left empty by that is not counted. Columns straight into the engine's tuples
    (one query, the key's order, project ids shared as strings): a city's 100,000 ballots must
    count nearly as fast as the command line reads them from a file."""
    round_id = id_of(budget_round)
    seal(session, round_id)
    kind = BallotKind(budget_round.ballot_kind)
    names = {pid: str(pid) for pid in on_ballot}
    within: Any = BallotEntry.rank if kind is BallotKind.ORDINAL else BallotEntry.proposal_id
    order = [col(BallotEntry.ballot_id), within]
    query = (
        select_columns(
            col(BallotEntry.ballot_id), col(BallotEntry.proposal_id), col(BallotEntry.points)
        )
        .join(Ballot, col(Ballot.id) == BallotEntry.ballot_id)
        .where(col(Ballot.round_id) == round_id)
        .order_by(*order)
    )
    with_points = kind in POINTS_KINDS
    ballots: list[EngineBallot] = []
    append = ballots.append
    number = 0
    for _, group in groupby(_driver_rows(session, query), key=itemgetter(0)):
        marks = [row for row in group if row[1] in names]  # (a proposal taken off the ballot)
        if not marks:
            continue
        number += 1
        append(
            EngineBallot(
                projects=tuple([names[row[1]] for row in marks]),
                points=tuple([row[2] or 0 for row in marks]) if with_points else None,
                voter_id=str(number),
            )
        )
    return ballots


@dataclass(frozen=True)
class Support:
    """Per proposal: how many ballots name it, and its score in the Pabulib sense (approvals,
    points, or for a ranking of length L, L - position)."""

    ballots: dict[int, int]
    score: dict[int, Fraction]


def support(session: Session, budget_round: BudgetRound) -> Support:
    """In the database, by GROUP BY: no ballot is read into Python."""
    round_id = id_of(budget_round)
    in_round = select(Ballot.id).where(Ballot.round_id == round_id)
    entry = BallotEntry
    if BallotKind(budget_round.ballot_kind) is BallotKind.ORDINAL:
        lengths = (
            select(col(entry.ballot_id).label("ballot_id"), func.count().label("length"))
            .where(col(entry.ballot_id).in_(in_round))
            .group_by(col(entry.ballot_id))
            .subquery()
        )
        gained: Any = func.sum(lengths.c.length - col(entry.rank))
        query = (
            select(entry.proposal_id, func.count(), gained)
            .select_from(entry)
            .join(lengths, lengths.c.ballot_id == entry.ballot_id)
        )
    else:
        points = 1 if BallotKind(budget_round.ballot_kind) in APPROVAL_KINDS else entry.points
        query = select(entry.proposal_id, func.count(), func.sum(points)).where(
            col(entry.ballot_id).in_(in_round)
        )
    rows = session.exec(query.group_by(col(entry.proposal_id))).all()
    return Support(
        ballots={pid: int(count) for pid, count, _ in rows},
        score={pid: Fraction(int(total or 0)) for pid, _, total in rows},
    )


def receipt_marks(session: Session, receipt_hash: str) -> tuple[int, list[Mark]]:
    """The round and marks of the ballot a receipt stands for, sealed or still pending."""
    sealed = session.exec(select(Ballot).where(Ballot.receipt_hash == receipt_hash)).first()
    if sealed is not None:
        entries = session.exec(
            select(BallotEntry)
            .where(BallotEntry.ballot_id == sealed.id)
            .order_by(col(BallotEntry.rank), col(BallotEntry.proposal_id))
        ).all()
        return sealed.round_id, [Mark(e.proposal_id, e.points, e.rank) for e in entries]
    pending = session.exec(
        select(PendingBallot).where(PendingBallot.receipt_hash == receipt_hash)
    ).first()
    if pending is None:
        raise NotFound(entity="ballot")
    return pending.round_id, [_mark(mark) for mark in pending.marks]


@dataclass(frozen=True)
class Turnout:
    """Poll book counts of one round by channel."""

    by_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def turnouts(session: Session, round_ids: Iterable[int] | None = None) -> dict[int, Turnout]:
    """Who has voted, counted from the poll book (never from the ballots), per round."""
    query = select(PollBookEntry.round_id, PollBookEntry.channel, func.count())
    if round_ids is not None:
        query = query.where(col(PollBookEntry.round_id).in_(list(round_ids)))
    counts: dict[int, dict[str, int]] = {}
    for round_id, channel, count in session.exec(
        query.group_by(col(PollBookEntry.round_id), col(PollBookEntry.channel))
    ):
        counts.setdefault(round_id, {})[channel] = int(count)
    return {round_id: Turnout(by_channel) for round_id, by_channel in counts.items()}
