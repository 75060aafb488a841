"""Budget rounds and the ways to vote in them: online, on paper (keyed twice by clerks, in
``services.paper``) and, in ``services.voting_codes``, with a household code.

A voter is entered in the poll book under ``HMAC(ballot secret, round, voter)``: its key makes a
second ballot impossible, yet neither the app nor an export can turn it back into a person, and
nothing joins it to the ballot (``services.ballots``). The voter keeps a receipt code; only its
hash is stored, so the code proves nothing to anyone who does not hold it.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from models import (
    BudgetRound,
    Fund,
    PaperSheet,
    Place,
    Proposal,
    RoundPhaseChange,
    Tally,
)
from models.vocabulary import (
    BallotChannel,
    BallotKind,
    PaperSheetStatus,
    ProposalStatus,
    RoundPhase,
)
from services import ballots, limits, workflow
from services.ballots import BallotChoice
from services.common import (
    bounded_int,
    choice,
    clean_text,
    get_locked,
    get_or_fail,
    id_of,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.election import VOTE_TYPE
from services.errors import InvalidInput, NotAllowed, NotFound, WrongPhase
from services.permissions import ANONYMOUS, Action, Viewer, require
from services.settings import settings
from voting import APP_RULES, TIE_BREAKS, rules_for

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_SHAPE = re.compile(f"[{RECEIPT_ALPHABET}]{{12}}")
MAX_CHOICES = 1000  # projects on one ballot
MAX_POINTS = 1_000_000  # per project, or in total: far beyond any ballot, far below 32 bits


# The planned start of each phase, in the phases' order: each date may be left open, and no
# date may come before one above it (a phase may start the day the one before it does).
PHASE_DATES = (
    "needs_start_on",
    "proposals_start_on",
    "eligibility_start_on",
    "deliberation_start_on",
    "voting_opens_on",
    "voting_closes_on",
)
FIRST_DAY = date(2000, 1, 1)  # the years a round may have
LAST_DAY = date(2200, 12, 31)


@dataclass(frozen=True)
class RoundSettings:
    name: str
    year: int
    fund_id: int
    place_id: int
    budget: str  # yuan, as typed
    ballot_kind: str = BallotKind.APPROVAL
    rule: str = "mes+greedy"
    tie_break: str = "id"
    min_length: int = 1
    max_length: int | None = None
    max_points: int | None = None
    max_sum_points: int | None = None
    needs_start_on: date | None = None
    proposals_start_on: date | None = None
    eligibility_start_on: date | None = None
    deliberation_start_on: date | None = None
    voting_opens_on: date | None = None
    voting_closes_on: date | None = None
    ballot_changes_allowed: bool = False  # a voter may change their ballot until the close


# The rules that can count each kind of ballot, for the set-up screen's choices: a knapsack
# ballot is an approval ballot (what it adds is a limit on the chosen projects' total cost).
RULES_BY_KIND: dict[str, tuple[str, ...]] = {
    kind.value: tuple(rules_for(VOTE_TYPE[kind])) for kind in BallotKind
}


def _optional(value: int | None, field: str, high: int) -> int | None:
    return None if value is None else bounded_int(value, field, low=0, high=high)


def _planned_dates(config: RoundSettings) -> dict[str, date | None]:
    dates: dict[str, date | None] = {}
    earlier: tuple[str, date] | None = None  # the last date given above this one
    for field in PHASE_DATES:
        value = getattr(config, field)
        if value is not None:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InvalidInput("field_invalid", field=field)
            if not FIRST_DAY <= value <= LAST_DAY:
                raise InvalidInput("date_out_of_range", field=field)
            if earlier is not None and value < earlier[1]:
                raise InvalidInput("phase_dates_out_of_order", field=field, earlier=earlier[0])
            earlier = (field, value)
        dates[field] = value
    return dates


def _checked_settings(session: Session, viewer: Viewer, config: RoundSettings) -> dict[str, Any]:
    """The round's columns from what the chair chose, or the first refusal, naming its field.
    The round spends its fund, so the fund must be held for the round's area (a community's
    fund, or the street's above it) and the viewer must manage rounds where the fund is held."""
    get_or_fail(session, Place, config.place_id)
    fund = get_or_fail(session, Fund, config.fund_id)
    tree = place_tree(session)
    require(viewer, Action.MANAGE_ROUND, config.place_id, tree)
    require(viewer, Action.MANAGE_ROUND, fund.place_id, tree)
    held_for = fund.place_id  # None: a fund held for no place, which only a global admin runs
    if held_for is not None and not tree.covers(held_for, config.place_id):
        raise InvalidInput("fund_outside_round", field="fund")
    name = clean_text(config.name, "name", max_length=120)
    year = bounded_int(config.year, "year", low=FIRST_DAY.year, high=LAST_DAY.year)
    budget_fen = parse_yuan(config.budget, "budget")
    kind = choice(config.ballot_kind, BallotKind, "ballot_kind")
    if config.rule not in APP_RULES:
        raise InvalidInput("field_invalid", field="rule")
    if config.rule not in RULES_BY_KIND[kind]:
        code = "rule_needs_approval" if config.rule == "phragmen" else "rule_not_for_ranking"
        raise InvalidInput(code, field="rule")
    if config.tie_break not in TIE_BREAKS:
        raise InvalidInput("field_invalid", field="tie_break")
    if kind == BallotKind.CUMULATIVE and not config.max_sum_points:
        raise InvalidInput("field_required", field="max_sum_points")
    if kind == BallotKind.SCORES and not config.max_points:
        raise InvalidInput("field_required", field="max_points")
    min_length = bounded_int(config.min_length, "min_length", low=0, high=MAX_CHOICES)
    max_length = _optional(config.max_length, "max_length", MAX_CHOICES)
    max_points = _optional(config.max_points, "max_points", MAX_POINTS)
    max_sum_points = _optional(config.max_sum_points, "max_sum_points", MAX_POINTS)
    if max_length is not None and max_length < min_length:
        raise InvalidInput("field_invalid", field="max_length")
    if not isinstance(config.ballot_changes_allowed, bool):
        raise InvalidInput("field_invalid", field="ballot_changes_allowed")
    return {
        "name": name,
        "year": year,
        "fund_id": config.fund_id,
        "place_id": config.place_id,
        "budget_fen": budget_fen,
        "ballot_kind": kind,
        "rule": config.rule,
        "tie_break": config.tie_break,
        "min_length": min_length,
        "max_length": max_length,
        "max_points": max_points,
        "max_sum_points": max_sum_points,
        **_planned_dates(config),
        "ballot_changes_allowed": config.ballot_changes_allowed,
    }


def create_round(session: Session, viewer: Viewer, *, config: RoundSettings) -> int:
    budget_round = BudgetRound(**_checked_settings(session, viewer, config))
    session.add(budget_round)
    record_audit(session, viewer, "create_round", budget_round)
    session.commit()
    return budget_round.id  # type: ignore[return-value]


def update_round(session: Session, viewer: Viewer, *, round_id: int, config: RoundSettings) -> None:
    """Changes a round's settings before its vote opens. Moving it to another place needs the
    right to manage rounds at both places, and must keep every proposal already in it within
    its area."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    require_at(session, viewer, Action.MANAGE_ROUND, budget_round.place_id)
    workflow.require(budget_round, workflow.Step.EDIT_SETTINGS)
    values = _checked_settings(session, viewer, config)
    if values["place_id"] != budget_round.place_id:
        tree = place_tree(session)
        places = session.exec(select(Proposal.place_id).where(Proposal.round_id == round_id))
        if not all(tree.covers(values["place_id"], place_id) for place_id in places):
            raise InvalidInput("round_place_excludes_proposals", field="place")
    before = snapshot(budget_round)
    for column, value in values.items():
        setattr(budget_round, column, value)
    session.add(budget_round)
    record_audit(session, viewer, "update_round", budget_round, before=before)
    session.commit()


def round_settings(session: Session, *, round_id: int) -> RoundSettings:
    """A round's settings as the set-up screen shows them, the budget as yuan typed."""
    r = get_or_fail(session, BudgetRound, round_id)
    yuan, fen = divmod(r.budget_fen, 100)
    return RoundSettings(
        name=r.name,
        year=r.year,
        fund_id=r.fund_id,
        place_id=r.place_id,
        budget=f"{yuan}.{fen:02d}" if fen else str(yuan),
        ballot_kind=r.ballot_kind,
        rule=r.rule,
        tie_break=r.tie_break,
        min_length=r.min_length,
        max_length=r.max_length,
        max_points=r.max_points,
        max_sum_points=r.max_sum_points,
        needs_start_on=r.needs_start_on,
        proposals_start_on=r.proposals_start_on,
        eligibility_start_on=r.eligibility_start_on,
        deliberation_start_on=r.deliberation_start_on,
        voting_opens_on=r.voting_opens_on,
        voting_closes_on=r.voting_closes_on,
        ballot_changes_allowed=r.ballot_changes_allowed,
    )


def funds_for_round(session: Session, *, place_id: int | None) -> dict[int, str]:
    """The funds a round at this place may spend, the nearest first: held for the place, for a
    place above it, or for no place at all (a fund only a global admin runs)."""
    if place_id is None:
        return {}
    lineage = place_tree(session).lineage(place_id)
    funds = [
        fund
        for fund in session.exec(select(Fund).order_by(col(Fund.id)))
        if fund.place_id is None or fund.place_id in lineage
    ]
    nearest = sorted(
        funds, key=lambda f: lineage.index(f.place_id) if f.place_id is not None else len(lineage)
    )
    return {id_of(fund): fund.name for fund in nearest}


def advance_round(session: Session, viewer: Viewer, *, round_id: int) -> str:
    """Moves the round one phase on, for good; opening the vote puts every eligible proposal on
    the ballot, closing it deals the sealed ballots again (``ballots.deal_again``). The round
    is held exclusively from the start: no ballot slips in while the vote closes."""
    budget_round = get_locked(session, BudgetRound, round_id, shared=False)
    require_at(session, viewer, Action.MANAGE_ROUND, budget_round.place_id)
    move = workflow.hand_move(budget_round)
    if move.target is RoundPhase.VOTING:
        _put_on_ballot(session, viewer, round_id)
    if move.source is RoundPhase.VOTING:
        _refuse_while_paper_waits(session, round_id)
        ballots.deal_again(session, round_id)  # the vote is over: no trace of when, even by batch
    enter_phase(session, viewer, budget_round, move.target)
    session.commit()
    return move.target.value


def _refuse_while_paper_waits(session: Session, round_id: int) -> None:
    """A sheet keyed once, or read two ways, is a vote not yet in the box: closing the vote
    would lose it, so the clerks finish first."""
    waiting = session.exec(
        select(func.count()).where(
            PaperSheet.round_id == round_id, PaperSheet.status != PaperSheetStatus.CONFIRMED
        )
    ).one()
    if waiting:
        raise WrongPhase("round_paper_sheets_waiting", count=waiting)


def _put_on_ballot(session: Session, viewer: Viewer, round_id: int) -> None:
    ready = (ProposalStatus.ELIGIBLE, ProposalStatus.ON_BALLOT)
    proposals = list(
        session.exec(
            select(Proposal).where(Proposal.round_id == round_id, col(Proposal.status).in_(ready))
        )
    )
    if not proposals:
        raise WrongPhase("round_no_eligible_proposals")
    for proposal in proposals:
        if proposal.status == ProposalStatus.ON_BALLOT:
            continue
        workflow.status_move(proposal.status, ProposalStatus.ON_BALLOT)
        workflow.record_move(session, viewer, proposal, ProposalStatus.ON_BALLOT)


def enter_phase(
    session: Session, viewer: Viewer, budget_round: BudgetRound, target: RoundPhase
) -> None:
    """Records the move the workflow allowed; the caller commits."""
    before = snapshot(budget_round)
    source = budget_round.phase
    budget_round.phase = target
    session.add(budget_round)
    session.add(
        RoundPhaseChange(
            round_id=id_of(budget_round),
            from_phase=source,
            to_phase=target,
            changed_by_id=viewer.person_id,
        )
    )
    record_audit(session, viewer, "advance_round", budget_round, before=before)


def voter_key(round_id: int, voter: str) -> str:
    secret = settings().ballot_secret.encode()
    message = f"round:{round_id}|{voter}".encode("utf-8", "surrogatepass")  # any text hashes
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def normalize_code(code: str) -> str:
    """A receipt or household voting code as typed ("abcd efgh-jkmn"): case, dashes and spaces
    do not matter, as both come from ``random_code``."""
    return code.strip().upper().replace("-", "").replace(" ", "")


def receipt_hash(receipt_code: str) -> str:
    message = f"linli-receipt|{normalize_code(receipt_code)}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(message).hexdigest()


def random_code() -> str:
    """Twelve characters, about 60 bits: receipts and household voting codes alike."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(code[i : i + 4] for i in range(0, 12, 4))


def published_tally_id(session: Session, round_id: int) -> int | None:
    """The round's published tally (a round has at most one), or None before publication."""
    return session.exec(
        select(Tally.id).where(Tally.round_id == round_id, col(Tally.published_at).is_not(None))
    ).first()


def store_ballot(
    session: Session,
    budget_round: BudgetRound,
    key: str,
    ballot: BallotChoice,
    channel: BallotChannel,
) -> str:
    """Every channel (online, household code, paper) ends here; returns the receipt code.
    The caller commits."""
    marks = ballots.check_choice(session, budget_round, ballot)
    receipt = random_code()
    ballots.cast(session, budget_round, key, marks, channel, receipt_hash(receipt))
    return receipt


def cast_ballot(session: Session, viewer: Viewer, *, round_id: int, ballot: BallotChoice) -> str:
    """Returns the receipt code. The round is held (shared) until the commit: closing the vote
    takes it first, so a ballot is in before the close deals every ballot again, or refused."""
    budget_round = get_locked(session, BudgetRound, round_id, shared=True)
    require_at(session, viewer, Action.CAST_BALLOT, budget_round.place_id)
    receipt = store_ballot(
        session,
        budget_round,
        voter_key(round_id, f"person:{viewer.person_id}"),
        ballot,
        BallotChannel.ONLINE,
    )
    session.commit()
    return receipt


def _changes_open(budget_round: BudgetRound) -> None:
    workflow.require(budget_round, workflow.Step.CAST_BALLOT)
    if not budget_round.ballot_changes_allowed:
        raise WrongPhase("round_no_ballot_changes")


def change_ballot(
    session: Session,
    viewer: Viewer,
    *,
    round_id: int,
    receipt_code: str,
    ballot: BallotChoice,
    address: str | None = None,
) -> str:
    """Replaces the ballot a receipt stands for, while the vote is open in a round that allows
    changes; returns the new receipt code (the old one then finds nothing).

    Secrecy: nothing joins a voter to their ballot, so the receipt is the proof of holding
    it, and the viewer need only be a voter of the round (in its poll book, which is left as
    it is). A wrong receipt counts against the limits as a wrong voting code does: receipts
    are not to be found by guessing. The new ballot is checked like any other and goes into
    the pending box like any cast one (``ballots.replace``); the audit log records that a
    ballot of the round was changed, with no actor: its time beside a copy of the pending box
    would otherwise show whose the new ballot is."""
    budget_round = get_locked(session, BudgetRound, round_id, shared=True)
    require_at(session, viewer, Action.CAST_BALLOT, budget_round.place_id)
    _changes_open(budget_round)
    if not has_voted(session, viewer, round_id=round_id):
        raise NotAllowed("ballot_change_not_voted")
    key = f"person:{viewer.person_id}"
    limits.check_attempts(session, limits.RECEIPT_CODE, key=key, address=address)
    ballots.lock_box(session, round_id)  # from here on, what is read is what the change meets
    session.refresh(budget_round)
    _changes_open(budget_round)
    well_formed = isinstance(receipt_code, str) and CODE_SHAPE.fullmatch(
        normalize_code(receipt_code)
    )
    if not well_formed or not ballots.holds(session, round_id, receipt_hash(receipt_code)):
        limits.record_failure(session, limits.RECEIPT_CODE, key=key, address=address)
        raise InvalidInput("receipt_code_unknown")
    marks = ballots.check_choice(session, budget_round, ballot)
    receipt = random_code()
    ballots.replace(session, budget_round, receipt_hash(receipt_code), marks, receipt_hash(receipt))
    record_audit(session, ANONYMOUS, "change_ballot", budget_round, after={"round_id": round_id})
    session.commit()
    return receipt


def has_voted(session: Session, viewer: Viewer, *, round_id: int) -> bool:
    if viewer.person_id is None:
        return False
    return ballots.has_ballot(session, round_id, voter_key(round_id, f"person:{viewer.person_id}"))


@dataclass(frozen=True)
class ReceiptCheck:
    """What a receipt shows: the ballot as it will be counted, and nothing of when or how it
    was cast (a sealed ballot no longer knows)."""

    round_id: int
    entries: list[tuple[int, int | None, int | None]]  # proposal id, points, rank


def check_receipt(session: Session, *, receipt_code: str) -> ReceiptCheck:
    """Anyone holding a receipt code may see that ballot, and only that ballot."""
    if not isinstance(receipt_code, str) or not CODE_SHAPE.fullmatch(normalize_code(receipt_code)):
        raise NotFound(entity="ballot")  # no receipt looks like that
    round_id, marks = ballots.receipt_marks(session, receipt_hash(receipt_code))
    return ReceiptCheck(round_id, [(m.proposal_id, m.points, m.rank) for m in marks])


@dataclass(frozen=True)
class RoundRow:
    id: int
    name: str
    year: int
    place: str
    place_id: int
    fund_id: int
    phase: str
    budget_fen: int
    ballot_kind: str
    rule: str
    tie_break: str
    min_length: int
    max_length: int | None
    max_points: int | None
    max_sum_points: int | None
    ballots: int
    paper_ballots: int
    fund: str = ""
    planned: tuple[date | None, ...] = ()  # the start of each phase, as PHASE_DATES names them
    ballot_changes_allowed: bool = False
    editable: bool = False  # its settings may still change


def list_rounds(session: Session, *, place_id: int | None = None) -> list[RoundRow]:
    turnout = ballots.turnouts(session)
    query = (
        select(BudgetRound, Place.name, Fund.name)
        .join(Place, col(Place.id) == BudgetRound.place_id)
        .join(Fund, col(Fund.id) == BudgetRound.fund_id)
    )
    if place_id is not None:
        query = query.where(BudgetRound.place_id == place_id)
    rows = []
    order = (col(BudgetRound.year).desc(), col(BudgetRound.id))
    for r, place, fund in session.exec(query.order_by(*order)):
        voted = turnout.get(id_of(r), ballots.Turnout({}))
        rows.append(
            RoundRow(
                id=r.id,  # type: ignore[arg-type]
                name=r.name,
                year=r.year,
                place=place,
                place_id=r.place_id,
                fund_id=r.fund_id,
                phase=r.phase,
                budget_fen=r.budget_fen,
                ballot_kind=r.ballot_kind,
                rule=r.rule,
                tie_break=r.tie_break,
                min_length=r.min_length,
                max_length=r.max_length,
                max_points=r.max_points,
                max_sum_points=r.max_sum_points,
                ballots=voted.total,
                paper_ballots=voted.by_channel.get(BallotChannel.PAPER, 0),
                fund=fund,
                planned=tuple(getattr(r, field) for field in PHASE_DATES),
                ballot_changes_allowed=r.ballot_changes_allowed,
                editable=workflow.allows(r.phase, workflow.Step.EDIT_SETTINGS),
            )
        )
    return rows


def rounds_taking_proposals(session: Session, *, place_id: int | None) -> list[RoundRow]:
    """The rounds a proposal for this place may join: open for proposals, and covering it."""
    if place_id is None:
        return []
    tree = place_tree(session)
    return [
        r
        for r in list_rounds(session)
        if workflow.allows(r.phase, workflow.Step.SUBMIT_PROPOSAL)
        and tree.covers(r.place_id, place_id)
    ]
