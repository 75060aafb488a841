"""The round's phases and the proposals' statuses: one state machine, asked by every service
and every page, so that no phase test is written twice and no flow can be bent.

A round only moves forward, one phase at a time, and never back: every move is for good, so
the screens ask for a confirmation that names the next phase. Voting closes before counting;
counting happens in its own phase, so a result can never be published while ballots still come
in; publishing a count is the only way into the tallied phase and the only way a proposal
becomes selected or not. The committee may override a published result for one proposal, but
only with a reason that is shown publicly next to the result (on the notice board too).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session

from models import BudgetRound, Proposal, ProposalStatusChange
from models.clock import utc_now
from models.vocabulary import (
    AllocationStatus,
    CampaignStatus,
    OrderStatus,
    ProposalStatus,
    RoundPhase,
)
from services.common import id_of
from services.errors import WrongPhase
from services.permissions import Action, Viewer

P = RoundPhase
S = ProposalStatus

PHASE_ORDER: tuple[RoundPhase, ...] = (
    P.DRAFT,
    P.NEEDS,
    P.PROPOSALS,
    P.ELIGIBILITY,
    P.DELIBERATION,
    P.VOTING,
    P.COUNTING,
    P.TALLIED,
    P.IMPLEMENTATION,
    P.CLOSED,
)


class Step(StrEnum):
    """What a round's phase allows; each service asks ``require(round, Step.X)``."""

    EDIT_SETTINGS = "edit_settings"  # ballot kind, rule, budget, dates
    SUBMIT_PROPOSAL = "submit_proposal"
    REVIEW_ELIGIBILITY = "review_eligibility"
    ISSUE_VOTING_CODES = "issue_voting_codes"
    CAST_BALLOT = "cast_ballot"
    COUNT = "count"
    PUBLISH = "publish"
    OVERRIDE_RESULT = "override_result"
    CARRY_OUT = "carry_out"  # selected projects start, finish or are abandoned


def _from(first: RoundPhase, last: RoundPhase) -> frozenset[RoundPhase]:
    return frozenset(PHASE_ORDER[PHASE_ORDER.index(first) : PHASE_ORDER.index(last) + 1])


STEP_PHASES: Mapping[Step, frozenset[RoundPhase]] = {
    Step.EDIT_SETTINGS: _from(P.DRAFT, P.DELIBERATION),
    Step.SUBMIT_PROPOSAL: frozenset({P.NEEDS, P.PROPOSALS}),
    Step.REVIEW_ELIGIBILITY: _from(P.NEEDS, P.DELIBERATION),
    Step.ISSUE_VOTING_CODES: _from(P.DRAFT, P.VOTING),
    Step.CAST_BALLOT: frozenset({P.VOTING}),
    Step.COUNT: frozenset({P.COUNTING}),
    Step.PUBLISH: frozenset({P.COUNTING}),
    Step.OVERRIDE_RESULT: frozenset({P.TALLIED, P.IMPLEMENTATION}),
    Step.CARRY_OUT: frozenset({P.TALLIED, P.IMPLEMENTATION}),
}

REFUSALS: Mapping[Step, str] = {
    Step.EDIT_SETTINGS: "round_settings_fixed",
    Step.SUBMIT_PROPOSAL: "round_not_taking_proposals",
    Step.REVIEW_ELIGIBILITY: "round_not_reviewing",
    Step.ISSUE_VOTING_CODES: "round_voting_over",
    Step.CAST_BALLOT: "round_not_voting",
    Step.COUNT: "round_not_counting",
    Step.PUBLISH: "round_not_counting",
    Step.OVERRIDE_RESULT: "round_not_tallied",
    Step.CARRY_OUT: "round_not_tallied",
}


def allows(phase: str, step: Step) -> bool:
    return phase in STEP_PHASES[step]


def require(budget_round: BudgetRound, step: Step) -> None:
    """Raises ``WrongPhase`` naming the step's refusal and the round's phase."""
    if not allows(budget_round.phase, step):
        raise WrongPhase(REFUSALS[step], phase=budget_round.phase)


def is_before(phase: str, other: RoundPhase) -> bool:
    return PHASE_ORDER.index(RoundPhase(phase)) < PHASE_ORDER.index(other)


def phases_where(step: Step) -> tuple[RoundPhase, ...]:
    """In the phases' order, for queries that filter rounds by phase."""
    return tuple(phase for phase in PHASE_ORDER if phase in STEP_PHASES[step])


@dataclass(frozen=True)
class PhaseMove:
    """A move of the round to its next phase. ``by_hand``: the chair's advance button makes it
    (the move into TALLIED is made only by publishing a count); ``needs`` names what must hold
    first (a message key), checked by the service that makes the move."""

    source: RoundPhase
    target: RoundPhase
    by_hand: bool = True
    needs: str | None = None


PHASE_MOVES: Mapping[RoundPhase, PhaseMove] = {
    move.source: move
    for move in (
        PhaseMove(P.DRAFT, P.NEEDS),
        PhaseMove(P.NEEDS, P.PROPOSALS),
        PhaseMove(P.PROPOSALS, P.ELIGIBILITY),
        PhaseMove(P.ELIGIBILITY, P.DELIBERATION),
        PhaseMove(P.DELIBERATION, P.VOTING, needs="round_no_eligible_proposals"),
        PhaseMove(P.VOTING, P.COUNTING, needs="round_paper_sheets_waiting"),
        PhaseMove(P.COUNTING, P.TALLIED, by_hand=False, needs="round_needs_published_tally"),
        PhaseMove(P.TALLIED, P.IMPLEMENTATION),
        PhaseMove(P.IMPLEMENTATION, P.CLOSED),
    )
}


def next_move(phase: str) -> PhaseMove | None:
    """The round's one way on, or None for a closed round."""
    return PHASE_MOVES.get(RoundPhase(phase))


def hand_move(budget_round: BudgetRound) -> PhaseMove:
    """The move the chair's button makes now; refused where there is none by hand."""
    move = next_move(budget_round.phase)
    if move is None:
        raise WrongPhase("round_closed")
    if not move.by_hand:
        raise WrongPhase(move.needs or "round_move_invalid", phase=budget_round.phase)
    return move


class Mover(StrEnum):
    """Who moves a proposal: its proposer, the committee, the round itself (opening the vote,
    publishing a count), or the chair overriding a published result with a public reason."""

    PROPOSER = "proposer"
    COMMITTEE = "committee"
    ROUND = "round"
    OVERRIDE = "override"


@dataclass(frozen=True)
class StatusMove:
    source: ProposalStatus
    target: ProposalStatus
    mover: Mover
    action: Action | None = None  # the permission the committee or chair needs
    step: Step | None = None  # what the round's phase must allow
    needs_reason: bool = False


def _proposer(
    source: ProposalStatus, target: ProposalStatus, step: Step | None = None
) -> StatusMove:
    return StatusMove(source, target, Mover.PROPOSER, step=step)


def _committee(
    source: ProposalStatus, target: ProposalStatus, step: Step, *, reason: bool = False
) -> StatusMove:
    return StatusMove(source, target, Mover.COMMITTEE, Action.REVIEW_ELIGIBILITY, step, reason)


def _override(source: ProposalStatus, target: ProposalStatus) -> StatusMove:
    return StatusMove(
        source, target, Mover.OVERRIDE, Action.OVERRIDE_RESULT, Step.OVERRIDE_RESULT, True
    )


STATUS_MOVES: tuple[StatusMove, ...] = (
    _proposer(S.DRAFT, S.SUBMITTED, Step.SUBMIT_PROPOSAL),
    _proposer(S.DRAFT, S.WITHDRAWN),
    _proposer(S.SUBMITTED, S.WITHDRAWN),
    _proposer(S.ELIGIBLE, S.WITHDRAWN),
    _committee(S.SUBMITTED, S.ELIGIBLE, Step.REVIEW_ELIGIBILITY),
    _committee(S.SUBMITTED, S.INELIGIBLE, Step.REVIEW_ELIGIBILITY, reason=True),
    _committee(S.ELIGIBLE, S.INELIGIBLE, Step.REVIEW_ELIGIBILITY, reason=True),
    _committee(S.INELIGIBLE, S.ELIGIBLE, Step.REVIEW_ELIGIBILITY),
    StatusMove(S.ELIGIBLE, S.ON_BALLOT, Mover.ROUND),  # opening the vote
    StatusMove(S.ON_BALLOT, S.SELECTED, Mover.ROUND),  # publishing a count
    StatusMove(S.ON_BALLOT, S.NOT_SELECTED, Mover.ROUND),
    _override(S.SELECTED, S.NOT_SELECTED),
    _override(S.NOT_SELECTED, S.SELECTED),
    _committee(S.SELECTED, S.IN_PROGRESS, Step.CARRY_OUT),
    _committee(S.SELECTED, S.ABANDONED, Step.CARRY_OUT),
    _committee(S.IN_PROGRESS, S.COMPLETED, Step.CARRY_OUT),
    _committee(S.IN_PROGRESS, S.ABANDONED, Step.CARRY_OUT),
)

_BY_PAIR: Mapping[tuple[ProposalStatus, ProposalStatus], StatusMove] = {
    (move.source, move.target): move for move in STATUS_MOVES
}
OVERRIDES: frozenset[tuple[str, str]] = frozenset(
    (move.source.value, move.target.value) for move in STATUS_MOVES if move.mover is Mover.OVERRIDE
)


# Money is allocated to and paid for a project from its selection until it closes; closing it
# (done or abandoned) gives what it did not spend back to its funds (services.ledger).
FUNDABLE: tuple[ProposalStatus, ...] = (S.SELECTED, S.IN_PROGRESS)
CLOSING: frozenset[ProposalStatus] = frozenset({S.COMPLETED, S.ABANDONED})

# Residents support a proposal (a public "I want this", not a ballot) from its submission until
# the vote closes.
SUPPORTABLE: frozenset[ProposalStatus] = frozenset({S.SUBMITTED, S.ELIGIBLE, S.ON_BALLOT})


def status_move(source: str, target: str) -> StatusMove:
    """The allowed move between two statuses, or ``WrongPhase`` where there is none."""
    move = _BY_PAIR.get((ProposalStatus(source), ProposalStatus(target)))
    if move is None:
        raise WrongPhase("proposal_move_invalid", from_status=source, to_status=target)
    return move


def won(status: str) -> bool:
    """Whether a proposal of a published result stands selected now (an override included):
    selected, or carried on from there."""
    return status != S.NOT_SELECTED


def record_move(
    session: Session, viewer: Viewer, proposal: Proposal, target: str, reason: str = ""
) -> None:
    """Moves the proposal and keeps the move in its history; the caller has checked the move
    (``status_move``), writes its own audit entry and commits."""
    session.add(
        ProposalStatusChange(
            proposal_id=id_of(proposal),
            from_status=proposal.status,
            to_status=target,
            reason=reason,
            changed_by_id=viewer.person_id,
        )
    )
    proposal.status = target
    proposal.updated_at = utc_now()
    session.add(proposal)


def moves_from(status: str, *movers: Mover) -> list[StatusMove]:
    """The moves a screen may offer from a status, for these movers, in the table's order."""
    return [m for m in STATUS_MOVES if m.source == status and m.mover in movers]


# An order for a social organisation (群众点单—社区下单—社会组织接单) goes one way: open (placed
# by the community) -> taken (by an organisation) -> delivered -> reported (beneficiaries served
# and a report); the chair may withdraw it, with a public reason, until it is delivered.
ORDER_MOVES: frozenset[tuple[OrderStatus, OrderStatus]] = frozenset(
    {
        (OrderStatus.OPEN, OrderStatus.TAKEN),
        (OrderStatus.TAKEN, OrderStatus.DELIVERED),
        (OrderStatus.DELIVERED, OrderStatus.REPORTED),
        (OrderStatus.OPEN, OrderStatus.WITHDRAWN),
        (OrderStatus.TAKEN, OrderStatus.WITHDRAWN),
    }
)


def order_move(source: str, target: OrderStatus) -> None:
    """Raises ``WrongPhase`` where the order table has no such move."""
    if (OrderStatus(source), target) not in ORDER_MOVES:
        raise WrongPhase("order_move_invalid", from_status=source, to_status=target.value)


def order_can_move(source: str, target: OrderStatus) -> bool:
    """For the screens: which buttons an order's card shows."""
    return (OrderStatus(source), target) in ORDER_MOVES


def campaign_takes_gifts(status: str, deadline: date, on: date) -> bool:
    """Asked by the gift form's check and by the campaign's card alike, so that a campaign
    shown open always takes a gift dated that day (its deadline day included)."""
    return status == CampaignStatus.OPEN and on <= deadline


# A street's allocation plan (services.allocation) goes one way: drafted -> published. Reviewers
# adjust it only while it is a draft; publishing makes it public and read-only for good.
ALLOCATION_MOVES: frozenset[tuple[AllocationStatus, AllocationStatus]] = frozenset(
    {(AllocationStatus.DRAFT, AllocationStatus.PUBLISHED)}
)


def allocation_editable(status: str) -> bool:
    return status == AllocationStatus.DRAFT


def require_allocation_editable(status: str) -> None:
    """Raises ``WrongPhase`` for a published plan."""
    if not allocation_editable(status):
        raise WrongPhase("allocation_published")


def allocation_move(source: str, target: AllocationStatus) -> None:
    """Raises ``WrongPhase`` where the allocation table has no such move."""
    if (AllocationStatus(source), target) not in ALLOCATION_MOVES:
        raise WrongPhase("allocation_published")
