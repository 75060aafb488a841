"""Importing an election held elsewhere from a Pabulib ``.pb`` file, as a round of Linli: for a
city bringing earlier rounds in, paper ballots counted by a contractor, or anyone who wants
Linli's explanations for a public election.

What becomes what:

- META: the round's name (``description``, with the ``instance`` where the description does not
  name it; else the file's name), year (``instance`` when it is a year, else the year the vote
  ended, else this year), budget, ballot kind (approval and choose-1, cumulative, scoring as
  scores, ordinal) and limits (``min_length``, ``max_length``, ``max_points``,
  ``max_sum_points``). A limit a round cannot hold (on the cost of a ballot, a minimum of
  points, a default score, a scoring function other than Borda's) refuses the file.
- PROJECTS: one proposal each, on the ballot at the round's place, titled by its name (cleaned
  like any title, cut with an ellipsis at the limit), with one budget line at its cost and a
  category read from its ``category`` column (or ``public_facilities``). The fund's charter is
  not applied: the file records an election already held under its own rules, and money still
  moves only by allocation.
- VOTES: every ballot sealed at once (``services.ballots.store_sealed``) under a random receipt
  hash that no receipt code hashes to (nobody holds a receipt for an imported ballot), and one
  poll book entry each with the channel ``imported``, a random voter key and the day the vote
  ended, so turnout counts them. Nothing else of a voter is kept: voter ids, age, sex and every
  other column of VOTES stay in the file. Ballots are kept as cast (the count never checks a
  ballot again); one that names no project, or gives points that are not whole numbers from 0
  to ``MAX_POINTS``, refuses the file.

Money: Pabulib costs are units of the file's currency (a zloty, a euro); Linli keeps them as fen,
100 to the unit, so every ratio between costs and budget is exact and the count equals
``python -m voting tally`` on the file. A cost of zero, with more than two decimals or beyond
``MAX_AMOUNT_FEN`` is refused. Add1 (``mes-add1``) raises every voter's budget one fen at a time
here, one unit at a time on the file: where a finer step reaches a different outcome, the two
differ (on Toulouse 2019 and Wieliczka 2023 they agree), and it may take up to 100 times as
many steps (README: "Importing an election").

Ties: the count breaks them by the proposal id read as text, as pabutools does by the project
id; the new proposals take ids whose text order is the file's order of project ids, so every
tie falls as it does on the file.

One transaction: ``create_round`` commits; here it runs in a session joined to the import's
transaction, where a commit only releases a savepoint, so a refused or failed import leaves
nothing behind.
"""

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import PurePosixPath

from sqlalchemy import Table, text
from sqlmodel import Session, func, select

from models import (
    BudgetRound,
    Fund,
    Place,
    PollBookEntry,
    Proposal,
    ProposalLineItem,
    ProposalStatusChange,
    RoundPhaseChange,
)
from models.clock import today
from models.engine import insert_rows, serialize
from models.vocabulary import BallotChannel, BallotKind, Category, ProposalStatus, Role, RoundPhase
from services.ballots import Mark, store_sealed
from services.common import (
    FEN_PER_YUAN,
    MAX_AMOUNT_FEN,
    clean_text,
    get_or_fail,
    id_of,
    place_tree,
    record_audit,
    snapshot,
)
from services.errors import InvalidInput
from services.file_checks import MIB, clean_filename
from services.permissions import Action, Grant, Viewer, require
from services.rounds import MAX_CHOICES, MAX_POINTS, RoundSettings, create_round
from voting import (
    APP_RULES,
    RULES,
    TIE_BREAKS,
    Election,
    PabulibError,
    Project,
    format_exact,
    read_pb,
)

__all__ = ["MAX_IMPORT_BYTES", "ImportedRound", "import_election"]

# The largest file accepted: Streamlit's server.maxUploadSize (.streamlit/config.toml) is the
# same. The largest shared Pabulib file (Warszawa 2026, 61,668 voters) is 3.2 MB.
MAX_IMPORT_BYTES = 10 * MIB
NAME_LENGTH = 120  # of a round's name and a proposal's title (the columns' limits)
ELLIPSIS = "…"
VOTE_TYPES = {
    "approval": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.SCORES,
    "ordinal": BallotKind.ORDINAL,
}
# Pabulib's category words (English in the format, other languages in some files), first
# match wins; anything else is a public facility.
CATEGORY_WORDS: tuple[tuple[str, Category], ...] = (
    ("green", Category.GREENING),
    ("nature", Category.GREENING),
    ("garden", Category.GREENING),
    ("groen", Category.GREENING),
    ("environment", Category.ENVIRONMENT),
    ("recycl", Category.ENVIRONMENT),
    ("énergie", Category.ENVIRONMENT),
    ("playground", Category.CHILDREN),
    ("education", Category.CHILDREN),
    ("culture", Category.CULTURE),
    ("cultuur", Category.CULTURE),
    ("sport", Category.CULTURE),
    ("health", Category.SERVICES),
    ("welfare", Category.SERVICES),
    ("community", Category.SERVICES),
    ("ontmoeting", Category.SERVICES),
    ("security", Category.SAFETY),
    ("safety", Category.SAFETY),
)
DEFAULT_CATEGORY = Category.PUBLIC_FACILITIES
_YEAR = re.compile(r"(?:19|20|21)[0-9]{2}")
_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})|([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Who acts when nobody signed in does: the operator's command line, like ``verify``.
OPERATOR = Viewer(person_id=None, display_name="operator", grants=(Grant(Role.ADMIN, None, None),))


@dataclass(frozen=True)
class ImportedRound:
    """The new round, in the counting phase (its vote is over: nobody may add a ballot), and
    what it holds."""

    round_id: int
    name: str
    ballot_kind: str
    proposals: int
    ballots: int
    marks: int  # (ballot, proposal) pairs
    proposal_ids: dict[str, int]  # the file's project id -> the proposal it became


@dataclass(frozen=True)
class _Plan:
    """Everything the file asks for, checked, before anything is written."""

    settings: RoundSettings
    projects: list[tuple[Project, str, str, int]]  # project, title, category, cost in fen
    voted_on: date


def _read(data: bytes) -> Election:
    """The reader's own errors, with their line, as a typed refusal: nothing is half-read."""
    if not isinstance(data, bytes) or not data:
        raise InvalidInput("upload_empty")
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            "pabulib_too_large", size_mb=f"{len(data) / MIB:.1f}", max_mb=MAX_IMPORT_BYTES // MIB
        )
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("pabulib_not_utf8", line=data.count(b"\n", 0, error.start) + 1) from None
    try:
        return read_pb(content + "\n")  # with a line break it is read as text, never as a path
    except PabulibError as error:
        if error.line is None:
            raise InvalidInput("pabulib_incomplete", detail=str(error)) from None
        raise InvalidInput("pabulib_malformed", line=error.line, detail=str(error)) from None


def _cut(value: str, length: int = NAME_LENGTH) -> str:
    value = value.strip()
    return value if len(value) <= length else value[: length - 1].rstrip() + ELLIPSIS


def _whole(value: Fraction | None, key: str) -> int | None:
    if value is None:
        return None
    if value.denominator != 1 or not 0 <= value <= MAX_POINTS:
        raise InvalidInput("pabulib_limit_invalid", constraint=key)
    return int(value)


def _is_knapsack(election: Election) -> bool:
    """Approval ballots whose projects may cost at most the budget: a knapsack round's."""
    limit = election.profile.constraints.max_sum_cost
    return election.profile.vote_type == "approval" and limit == election.instance.budget


def _limits(election: Election) -> dict[str, int | None]:
    """The file's ballot limits as a round's, refusing any a round cannot hold."""
    profile = election.profile
    limits = profile.constraints
    points = profile.vote_type in ("cumulative", "scoring")
    unsupported = {
        "min_sum_cost": limits.min_sum_cost is not None,
        "max_sum_cost": limits.max_sum_cost is not None and not _is_knapsack(election),
        "min_sum_points": bool(limits.min_sum_points),
        "min_points": points and bool(limits.min_points),
        "default_score": bool(limits.default_score),
        "scoring_fn": election.instance.meta.get("scoring_fn", "").strip().lower()
        not in ("", "borda"),
    }
    for key, refused in unsupported.items():
        if refused:
            raise InvalidInput("pabulib_limit_unsupported", constraint=key)
    return {
        "min_length": limits.min_length,
        "max_length": limits.max_length,
        "max_points": _whole(limits.max_points, "max_points") if points else None,
        "max_sum_points": _whole(limits.max_sum_points, "max_sum_points") if points else None,
    }


def _name(meta: dict[str, str], filename: str) -> str:
    """META's description (or unit and subunit) with its instance, else the file's name."""
    description = meta.get("description", "").strip()
    unit = " ".join(filter(None, (meta.get("unit", "").strip(), meta.get("subunit", "").strip())))
    instance = meta.get("instance", "").strip()
    name = description or unit
    if instance and instance not in name:
        name = f"{name} {instance}".strip()
    return _cut(name or PurePosixPath(filename).stem)


def _year(meta: dict[str, str]) -> int:
    instance = meta.get("instance", "").strip()
    if _YEAR.fullmatch(instance):
        return int(instance)
    for key in ("date_end", "date_begin"):
        found = _YEAR.search(meta.get(key, ""))
        if found:
            return int(found.group())
    return today().year


def _voted_on(meta: dict[str, str]) -> date:
    """The day the vote ended, when the file names a day; else today. Never a later day."""
    found = _DAY.fullmatch(meta.get("date_end", "").strip())
    if found is None:
        return today()
    day, month, year = (
        (found[1], found[2], found[3]) if found[1] else (found[6], found[5], found[4])
    )
    try:
        return min(date(int(year), int(month), int(day)), today())
    except ValueError:
        return today()


def _category(project: Project) -> str:
    words = project.fields.get("category", "").lower()
    return next((category for word, category in CATEGORY_WORDS if word in words), DEFAULT_CATEGORY)


def _fen(project: Project, number: int) -> int:
    fen = project.cost * FEN_PER_YUAN
    if fen.denominator != 1 or not 0 < fen <= MAX_AMOUNT_FEN:
        raise InvalidInput("pabulib_cost_invalid", number=number, cost=format_exact(project.cost))
    return int(fen)


def _title(project: Project, number: int) -> str:
    try:
        return clean_text(_cut(project.name or project.id), "title", max_length=NAME_LENGTH)
    except InvalidInput:
        raise InvalidInput("pabulib_title_invalid", number=number) from None


def _plan(
    election: Election, *, filename: str, place_id: int, fund_id: int, rule: str, tie_break: str
) -> _Plan:
    instance, profile = election.instance, election.profile
    kind = BallotKind.KNAPSACK if _is_knapsack(election) else VOTE_TYPES[profile.vote_type]
    if rule in RULES and profile.vote_type not in RULES[rule].vote_types:
        raise InvalidInput("rule_not_for_ballot", rule=rule)
    if not instance.projects or len(instance.projects) > MAX_CHOICES:
        raise InvalidInput("pabulib_project_count", count=len(instance.projects), max=MAX_CHOICES)
    projects = [
        (project, _title(project, number), _category(project), _fen(project, number))
        for number, project in enumerate(instance.projects, start=1)
    ]
    for number, ballot in enumerate(profile.ballots, start=1):
        if not ballot.projects:
            raise InvalidInput("pabulib_ballot_empty", number=number)
        if ballot.points is not None and not all(
            isinstance(p, int) and 0 <= p <= MAX_POINTS for p in ballot.points
        ):
            raise InvalidInput("pabulib_points_invalid", number=number, max=MAX_POINTS)
    settings = RoundSettings(
        name=_name(instance.meta, filename),
        year=_year(instance.meta),
        fund_id=fund_id,
        place_id=place_id,
        budget=format_exact(instance.budget),
        ballot_kind=kind,
        rule=rule,
        tie_break=tie_break,
        **_limits(election),  # type: ignore[arg-type]
    )
    return _Plan(settings, projects, _voted_on(instance.meta))


def _table(model: type[object]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _proposal_ids(session: Session, count: int) -> list[int]:
    """Ids for the new proposals, taken before they are written so that they can be handed out
    in the file's order (PostgreSQL: from the column's sequence; SQLite: after the largest,
    under the write lock, which ``serialize`` takes even in a deferred transaction)."""
    serialize(session, "linli:import")
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        taken = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('proposal', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [int(row[0]) for row in taken]
    largest = connection.execute(select(func.max(Proposal.id))).scalar() or 0
    return list(range(largest + 1, largest + count + 1))


def _add_proposals(
    session: Session, viewer: Viewer, budget_round: BudgetRound, plan: _Plan
) -> dict[str, int]:
    """Paired so that the ids read as text sort like the project ids: ties fall as on the file."""
    ids = sorted(_proposal_ids(session, len(plan.projects)), key=str)
    by_project_id = sorted(plan.projects, key=lambda planned: planned[0].id)
    made: dict[str, int] = {}
    for proposal_id, (project, title, category, _) in zip(ids, by_project_id, strict=True):
        session.add(
            Proposal(
                id=proposal_id,
                place_id=budget_round.place_id,
                round_id=id_of(budget_round),
                title=title,
                category=category,
                status=ProposalStatus.ON_BALLOT,
            )
        )
        made[project.id] = proposal_id
    session.flush()
    for proposal_id, (_, title, category, fen) in zip(ids, by_project_id, strict=True):
        session.add(
            ProposalLineItem(
                proposal_id=proposal_id,
                description=title,
                category=category,
                quantity=1,
                unit_price_fen=fen,
            )
        )
        session.add(
            ProposalStatusChange(
                proposal_id=proposal_id,
                to_status=ProposalStatus.ON_BALLOT,
                changed_by_id=viewer.person_id,
            )
        )
    return made


def _add_ballots(
    session: Session,
    round_id: int,
    election: Election,
    kind: str,
    proposal_ids: dict[str, int],
    voted_on: date,
) -> int:
    """Set-based: one multi-row insert per table; identical ballots share one list of marks
    (Wrocław's 80,694 ballots are 73 different ones)."""
    ordinal = kind == BallotKind.ORDINAL
    distinct: dict[tuple[tuple[str, ...], object], list[Mark]] = {}
    ballots: list[tuple[str, list[Mark]]] = []
    count = 0
    for ballot in election.profile.ballots:
        made = distinct.get((ballot.projects, ballot.points))
        if made is None:
            ids = [proposal_ids[pid] for pid in ballot.projects]
            if ballot.points is not None:
                made = [Mark(pid, int(p)) for pid, p in zip(ids, ballot.points, strict=True)]
            elif ordinal:
                made = [Mark(pid, rank=rank) for rank, pid in enumerate(ids)]
            else:
                made = [Mark(pid) for pid in ids]
            distinct[ballot.projects, ballot.points] = made
        count += len(made)
        ballots.append((secrets.token_hex(32), made))
    insert_rows(
        session.connection(),
        _table(PollBookEntry),
        [
            {
                "round_id": round_id,
                "voter_key": secrets.token_hex(32),
                "channel": BallotChannel.IMPORTED.value,
                "voted_on": voted_on,
            }
            for _ in ballots
        ],
    )
    store_sealed(session, round_id, ballots)
    return count


@contextmanager
def _one_transaction(session: Session) -> Iterator[Session]:
    """A session whose commits (create_round's) only release savepoints of the caller's
    transaction, and whose failure leaves that transaction as it was."""
    connection = session.connection()
    savepoint = connection.begin_nested()
    try:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as inner:
            yield inner
            inner.commit()
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()


def import_election(
    session: Session,
    viewer: Viewer | None,
    *,
    data: bytes,
    filename: str,
    place_id: int,
    fund_id: int,
    rule: str = "mes+greedy",
    tie_break: str = "id",
) -> ImportedRound:
    """Whoever may create a round there may import one (``viewer`` None: the operator's
    command line). The round is left in the counting phase (its vote is over), for the
    committee to count and publish with the usual services."""
    acting = OPERATOR if viewer is None else viewer
    if rule not in APP_RULES:  # a round stores no threshold or groups: no city variant
        raise InvalidInput("field_invalid", field="rule")
    if tie_break not in TIE_BREAKS:
        raise InvalidInput("field_invalid", field="tie_break")
    # Read and checked before the store is touched: on SQLite a transaction holds the write
    # lock from its first statement, and reading a city's file takes a second or two.
    election = _read(data)
    label = clean_filename(filename if isinstance(filename, str) else "")
    plan = _plan(
        election, filename=label, place_id=place_id, fund_id=fund_id, rule=rule, tie_break=tie_break
    )
    get_or_fail(session, Place, place_id)
    fund = get_or_fail(session, Fund, fund_id)
    tree = place_tree(session)
    require(acting, Action.MANAGE_ROUND, place_id, tree)
    require(acting, Action.MANAGE_ROUND, fund.place_id, tree)
    with _one_transaction(session) as inner:
        round_id = create_round(inner, acting, config=plan.settings)
        budget_round = get_or_fail(inner, BudgetRound, round_id)
        proposal_ids = _add_proposals(inner, acting, budget_round, plan)
        marks = _add_ballots(
            inner, round_id, election, budget_round.ballot_kind, proposal_ids, plan.voted_on
        )
        before = snapshot(budget_round)
        budget_round.phase = RoundPhase.COUNTING
        inner.add(budget_round)
        inner.add(
            RoundPhaseChange(
                round_id=round_id,
                from_phase=RoundPhase.DRAFT,
                to_phase=RoundPhase.COUNTING,
                changed_by_id=acting.person_id,
            )
        )
        imported = ImportedRound(
            round_id=round_id,
            name=budget_round.name,
            ballot_kind=budget_round.ballot_kind,
            proposals=len(proposal_ids),
            ballots=len(election.profile.ballots),
            marks=marks,
            proposal_ids=proposal_ids,
        )
        record_audit(
            inner,
            acting,
            "import_election",
            budget_round,
            before=before,
            after={
                "file": label,
                "sha256": hashlib.sha256(data).hexdigest(),
                "round_id": round_id,
                "phase": RoundPhase.COUNTING.value,
                "proposals": imported.proposals,
                "ballots": imported.ballots,
                "marks": marks,
            },
        )
    session.commit()
    return imported
