"""Paper ballots by double entry (双人录入): two clerks key each sheet on their own, and only a
sheet two people read alike becomes a ballot.

A clerk keys a sheet by its number (``key_paper_sheet``). The first reading waits for a second
one by another clerk; if the two agree, the sheet is confirmed and its marks are cast as a
ballot through ``rounds.store_ballot`` (channel paper, poll book key from the sheet number), so
a mistyped first entry can no longer win on its own. If they differ, the sheet waits in a queue
(``paper_sheets_to_check``) for a third look by someone who keyed neither reading, a clerk or a
committee member (``Action.SETTLE_PAPER_SHEET``): they see the readings side by side and give
the sheet's reading, by keying it again or by picking the one that matches the paper
(``settle_paper_sheet``). The sheet is confirmed with the reading the third look agrees with;
if it agrees with none, it is kept as one more reading and the sheet waits for another look.
Nobody reads one sheet twice: the same person keying it again is refused, and so is a third
look by someone who keyed it. Only confirmed sheets are ballots, so the count (which counts
ballots) never sees a reading that is still waiting.

Secrecy. A paper sheet carries no name, yet its number may be written next to a voter's name
somewhere (a list at the polling table), and it keys the sheet's poll book entry: readings kept
by sheet number must not become a second ballot box beside the shuffled one. So, in the
transaction that confirms a sheet, every reading of it loses its marks; what stays is what an
audit of the keying needs: the sheet number, who keyed each reading and when, and whether it
agreed with the confirmed one. Like casting, keying writes no audit entry (the audit log is
exported, and sheet numbers stay out of every export); a reading's row is its record. What
remains in the store is therefore:

- sheets still waiting (keyed once, or read differently): their readings' marks, since the next
  reading is compared with them. A copy of the database taken then shows how those sheets were
  read, as it shows the ballots waiting in the pending box.
- a copy taken while the vote runs may pair the last confirmations (by the time of their last
  reading) with the pending ballots not yet sealed (fewer than ``ballots.SEAL_EVERY``, in
  casting order): the limit the README states for every channel. Once sealed, and when the
  vote closes, nothing joins a sheet number to its ballot.
- sheets left unconfirmed when the vote closes keep their readings' marks; they were never
  ballots. (The round's workflow may refuse to close the vote while sheets wait.)

Two clerks keying one sheet at the same moment, from two connections, are decided one after
the other: each keying takes the sheet's lock (``models.engine.serialize``) before it reads the
sheet, so the second sees the first's reading, and the sheet's unique key is the last guard. No
sheet becomes two ballots and no reading is lost.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from models import BudgetRound, PaperReading, PaperSheet, Person
from models.engine import serialize
from models.vocabulary import BallotChannel, BallotKind, PaperSheetStatus
from services import ballots
from services.ballots import BallotChoice, Mark
from services.common import clean_text, get_locked, get_or_fail, id_of, place_tree, require_at
from services.errors import Conflict, NotAllowed, NotFound
from services.permissions import Action, Viewer, can
from services.rounds import store_ballot, voter_key

MAX_LISTED = 200  # sheet numbers keyed once that a clerk's screen lists

Stored = tuple[tuple[int, int | None, int | None], ...]


@dataclass(frozen=True)
class SheetState:
    """Where a sheet stands after a keying: ``status`` is a ``PaperSheetStatus``."""

    sheet_number: str
    status: str
    readings: int


@dataclass(frozen=True)
class Reading:
    """One reading of a sheet waiting for a third look, as the screen shows it."""

    keyed_by: str
    keyed_at: datetime
    by_viewer: bool
    choice: BallotChoice  # what settling with this reading sends back
    entries: list[tuple[int, int | None, int | None]]  # proposal id, points, rank


@dataclass(frozen=True)
class SheetToCheck:
    sheet_number: str
    readings: list[Reading]
    can_settle: bool  # the viewer keyed none of its readings


@dataclass(frozen=True)
class PaperCounts:
    keyed_once: int
    differs: int
    confirmed: int
    awaiting_second: list[str]  # numbers of sheets keyed once (the first MAX_LISTED)


def _stored(marks: list[Mark]) -> Stored:
    """Marks in one order, so that two readings of one sheet compare equal when they agree."""
    return tuple(sorted((m.proposal_id, m.points, m.rank) for m in marks))


def _as_stored(marks: list[list[int | None]] | None) -> Stored:
    return tuple(sorted((int(m[0] or 0), m[1], m[2]) for m in marks or []))


def _choice(kind: str, marks: Stored) -> BallotChoice:
    """Stored marks back as the screen's choice (the inverse of ``ballots.marks_of``)."""
    ballot_kind = BallotKind(kind)
    if ballot_kind is BallotKind.APPROVAL:
        return BallotChoice(approvals=tuple(pid for pid, _, _ in marks))
    if ballot_kind is BallotKind.ORDINAL:
        ranked = sorted(marks, key=lambda mark: mark[2] or 0)
        return BallotChoice(ranking=tuple(pid for pid, _, _ in ranked))
    return BallotChoice(points={pid: points or 0 for pid, points, _ in marks})


def _sheet(session: Session, round_id: int, sheet_number: str) -> PaperSheet | None:
    return session.exec(
        select(PaperSheet).where(
            PaperSheet.round_id == round_id, PaperSheet.sheet_number == sheet_number
        )
    ).first()


def _readings(session: Session, sheet: PaperSheet) -> list[PaperReading]:
    return list(
        session.exec(
            select(PaperReading)
            .where(PaperReading.sheet_id == id_of(sheet))
            .order_by(col(PaperReading.id))
        )
    )


def _prepare(
    session: Session,
    viewer: Viewer,
    action: Action,
    round_id: int,
    sheet_number: str,
    ballot: BallotChoice,
) -> tuple[BudgetRound, str, Stored]:
    """Permission, the sheet number and the reading checked by the round's ballot rules (and
    its phase), then the sheet's lock: from here on no other keying of it interleaves. The
    round is held as ``rounds.cast_ballot`` holds it."""
    budget_round = get_locked(session, BudgetRound, round_id, shared=True)
    require_at(session, viewer, action, budget_round.place_id)
    number = clean_text(sheet_number, "sheet_number", max_length=40)
    marks = _stored(ballots.check_choice(session, budget_round, ballot))
    serialize(session, f"paper:{round_id}:{number}")
    return budget_round, number, marks


def _add_reading(
    session: Session, sheet: PaperSheet, viewer: Viewer, marks: Stored
) -> PaperReading:
    reading = PaperReading(
        sheet_id=id_of(sheet),
        keyed_by_id=viewer.person_id,  # type: ignore[arg-type]
        marks=[list(mark) for mark in marks],
    )
    session.add(reading)
    return reading


def _refuse_second_look(viewer: Viewer, sheet: PaperSheet, readings: list[PaperReading]) -> None:
    if sheet.status == PaperSheetStatus.CONFIRMED:
        raise Conflict("paper_sheet_confirmed", sheet=sheet.sheet_number)
    if any(reading.keyed_by_id == viewer.person_id for reading in readings):
        raise Conflict("paper_sheet_keyed_by_you", sheet=sheet.sheet_number)


def _read_again(
    session: Session,
    viewer: Viewer,
    budget_round: BudgetRound,
    sheet: PaperSheet,
    readings: list[PaperReading],
    marks: Stored,
    ballot: BallotChoice,
) -> None:
    """One more reading of a sheet already read: if it agrees with an earlier one, the sheet is
    a ballot and every reading loses its marks, in this transaction; else the sheet differs."""
    latest = _add_reading(session, sheet, viewer, marks)
    if not any(_as_stored(reading.marks) == marks for reading in readings):
        sheet.status = PaperSheetStatus.DIFFERS
        session.add(sheet)
        return
    key = voter_key(id_of(budget_round), f"paper:{sheet.sheet_number}")
    store_ballot(session, budget_round, key, ballot, BallotChannel.PAPER)  # no one holds a receipt
    for reading in [*readings, latest]:
        reading.matched = _as_stored(reading.marks) == marks
        reading.marks = None
        session.add(reading)
    sheet.status = PaperSheetStatus.CONFIRMED
    session.add(sheet)


def _done(session: Session, sheet: PaperSheet) -> SheetState:
    """Commits; no audit entry (see the module's docstring)."""
    count = session.exec(select(func.count()).where(PaperReading.sheet_id == id_of(sheet))).one()
    state = SheetState(sheet.sheet_number, sheet.status, int(count))
    session.commit()
    return state


def key_paper_sheet(
    session: Session, viewer: Viewer, *, round_id: int, sheet_number: str, ballot: BallotChoice
) -> SheetState:
    """A clerk keys a paper sheet as they read it, without seeing any other reading of it.
    The first reading waits for a second clerk's; two that agree make the sheet a ballot, two
    that differ put it in the queue for a third look."""
    budget_round, number, marks = _prepare(
        session, viewer, Action.ENTER_PAPER_BALLOT, round_id, sheet_number, ballot
    )
    sheet = _sheet(session, round_id, number)
    if sheet is None:
        sheet = PaperSheet(round_id=round_id, sheet_number=number)
        session.add(sheet)
        session.flush()
        _add_reading(session, sheet, viewer, marks)
        return _done(session, sheet)
    readings = _readings(session, sheet)
    _refuse_second_look(viewer, sheet, readings)
    if sheet.status == PaperSheetStatus.DIFFERS:
        raise Conflict("paper_sheet_differs", sheet=number)
    _read_again(session, viewer, budget_round, sheet, readings, marks, ballot)
    return _done(session, sheet)


def settle_paper_sheet(
    session: Session, viewer: Viewer, *, round_id: int, sheet_number: str, ballot: BallotChoice
) -> SheetState:
    """The third look at a sheet read differently, by someone who keyed none of its readings:
    ``ballot`` is the sheet as they read it (keyed again, or one of the readings picked). The
    sheet is confirmed with the reading it agrees with; agreeing with none, it is one more
    reading and the sheet waits for another look."""
    budget_round, number, marks = _prepare(
        session, viewer, Action.SETTLE_PAPER_SHEET, round_id, sheet_number, ballot
    )
    sheet = _sheet(session, round_id, number)
    if sheet is None:
        raise NotFound(entity="papersheet")
    readings = _readings(session, sheet)
    _refuse_second_look(viewer, sheet, readings)
    if sheet.status == PaperSheetStatus.KEYED_ONCE:
        raise Conflict("paper_sheet_keyed_once", sheet=number)
    _read_again(session, viewer, budget_round, sheet, readings, marks, ballot)
    return _done(session, sheet)


def paper_sheets_to_check(session: Session, viewer: Viewer, *, round_id: int) -> list[SheetToCheck]:
    """The queue for the third look: every sheet of the round whose readings differ, with the
    readings side by side and who keyed them."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    require_at(session, viewer, Action.SETTLE_PAPER_SHEET, budget_round.place_id)
    rows = session.exec(
        select(PaperSheet, PaperReading, Person.display_name)
        .join(PaperReading, col(PaperReading.sheet_id) == PaperSheet.id)
        .join(Person, col(Person.id) == PaperReading.keyed_by_id)
        .where(PaperSheet.round_id == round_id, PaperSheet.status == PaperSheetStatus.DIFFERS)
        .order_by(col(PaperSheet.sheet_number), col(PaperReading.id))
    ).all()
    sheets: dict[str, list[Reading]] = {}
    for sheet, reading, name in rows:
        marks = _as_stored(reading.marks)
        sheets.setdefault(sheet.sheet_number, []).append(
            Reading(
                keyed_by=name,
                keyed_at=reading.keyed_at,
                by_viewer=reading.keyed_by_id == viewer.person_id,
                choice=_choice(budget_round.ballot_kind, marks),
                entries=list(marks),
            )
        )
    return [
        SheetToCheck(number, readings, not any(r.by_viewer for r in readings))
        for number, readings in sheets.items()
    ]


def paper_sheet_counts(session: Session, viewer: Viewer, *, round_id: int) -> PaperCounts:
    """How far the round's paper sheets are, for whoever keys or settles them."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    tree = place_tree(session)
    if not any(
        can(viewer, action, budget_round.place_id, tree)
        for action in (Action.ENTER_PAPER_BALLOT, Action.SETTLE_PAPER_SHEET)
    ):
        raise NotAllowed(action=Action.ENTER_PAPER_BALLOT.value)
    counts = dict(
        session.exec(
            select(PaperSheet.status, func.count())
            .where(PaperSheet.round_id == round_id)
            .group_by(col(PaperSheet.status))
        ).all()
    )
    waiting = session.exec(
        select(PaperSheet.sheet_number)
        .where(PaperSheet.round_id == round_id, PaperSheet.status == PaperSheetStatus.KEYED_ONCE)
        .order_by(col(PaperSheet.sheet_number))
        .limit(MAX_LISTED)
    ).all()
    return PaperCounts(
        keyed_once=int(counts.get(PaperSheetStatus.KEYED_ONCE, 0)),
        differs=int(counts.get(PaperSheetStatus.DIFFERS, 0)),
        confirmed=int(counts.get(PaperSheetStatus.CONFIRMED, 0)),
        awaiting_second=list(waiting),
    )
