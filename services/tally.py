"""Counting the votes of a round with the rule it chose, and publishing the result.

Proposal costs on the ballot are what the fund is asked for (cost less co-funding), in fen, so
the engine's exact arithmetic works on integers. A tally stays private to the committee until
the chair publishes it; publishing marks the proposals selected or not selected.
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlmodel import Session, col, or_, select

from models import BudgetRound, LedgerEntry, Place, Proposal, ProposalStatusChange, Tally
from models.clock import utc_now
from models.vocabulary import ProposalStatus, RoundPhase
from services import workflow
from services.ballots import counted_ballots, support
from services.common import (
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.election import constraint_meta, round_instance, round_profile
from services.errors import InvalidInput, WrongPhase
from services.permissions import Action, Viewer, can
from services.proposals import list_proposals
from services.rounds import enter_phase, published_tally_id
from voting import Election, Instance, Profile, tally, write_pb
from voting.measures import Measures, measures_from_dict, project_measures
from voting.rows import ExplanationRows, explanation_rows, rows_from_dict

#: Re-runs of the rule a count may spend on Equal Shares' extra supporters (see
#: voting/measures.py); the other measures need at most one re-run per winner.
MEASURE_RERUNS = 100


def _election(
    session: Session,
    budget_round: BudgetRound,
    statuses: tuple[ProposalStatus, ...] = (ProposalStatus.ON_BALLOT,),
) -> tuple[Instance, Profile]:
    """Every ballot of the round, sealed first, keeping only the proposals still on the ballot,
    numbered 1, 2, ... in the random order of their ids: neither the order of casting nor a
    stored id leaves the store with them."""
    instance = round_instance(session, budget_round, statuses)
    on_ballot = {int(project.id) for project in instance.projects}
    ballots = counted_ballots(session, budget_round, on_ballot)
    return instance, round_profile(budget_round, ballots)


def export_ballots(session: Session, viewer: Viewer, *, round_id: int) -> str:
    """The round's anonymous ballots as a Pabulib file, so anyone can recount them with any
    tool: public once a result is published, committee material before (as the result is)."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    published = published_tally_id(session, round_id)
    if published is None:
        require_at(session, viewer, Action.VIEW_COMMITTEE_MATERIAL, budget_round.place_id)
    statuses = (ProposalStatus.ON_BALLOT,) if published is None else WERE_ON_THE_BALLOT
    instance, profile = _election(session, budget_round, statuses)
    place = get_or_fail(session, Place, budget_round.place_id)
    instance.meta = {
        "description": budget_round.name,
        "country": "China",
        "unit": place.name,
        "instance": str(budget_round.year),
        "currency": "CNY (fen)",
        "rule": budget_round.rule,
        **constraint_meta(profile),
    }
    return write_pb(Election(instance, profile))


def count_votes(session: Session, viewer: Viewer, *, round_id: int) -> int:
    """Runs the round's rule on every stored ballot; returns the (unpublished) tally's id."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    require_at(session, viewer, Action.TALLY_ROUND, budget_round.place_id)
    workflow.require(budget_round, workflow.Step.COUNT)
    instance, profile = _election(session, budget_round)
    outcome = tally(instance, profile, budget_round.rule, budget_round.tie_break)
    measures = project_measures(
        instance,
        profile,
        budget_round.rule,
        budget_round.tie_break,
        outcome,
        reruns=MEASURE_RERUNS,
    )
    result = Tally(
        round_id=round_id,
        rule=budget_round.rule,
        tie_break=budget_round.tie_break,
        ballots_counted=len(profile),
        total_cost_fen=int(outcome.total_cost),
        selected_proposal_ids=[int(pid) for pid in outcome.selected],
        # the measures ride with the explanation: no column, and older tallies have none
        explanation={**explanation_rows(outcome).to_dict(), "measures": measures.to_dict()},
        computed_by_id=viewer.person_id,
    )
    session.add(result)
    record_audit(session, viewer, "count_votes", result)
    session.commit()
    return result.id  # type: ignore[return-value]


def publish_tally(session: Session, viewer: Viewer, *, tally_id: int) -> None:
    result = get_or_fail(session, Tally, tally_id)
    budget_round = get_or_fail(session, BudgetRound, result.round_id)
    require_at(session, viewer, Action.PUBLISH_TALLY, budget_round.place_id)
    lock_for_change(session)
    session.refresh(budget_round)
    workflow.require(budget_round, workflow.Step.PUBLISH)
    if published_tally_id(session, result.round_id) is not None:
        raise WrongPhase("tally_already_published")
    selected = set(result.selected_proposal_ids)
    for proposal in session.exec(
        select(Proposal).where(
            Proposal.round_id == result.round_id, Proposal.status == ProposalStatus.ON_BALLOT
        )
    ):
        target = ProposalStatus.SELECTED if proposal.id in selected else ProposalStatus.NOT_SELECTED
        workflow.record_move(session, viewer, proposal, target)
    result.published_at = utc_now()
    session.add(result)
    record_audit(session, viewer, "publish_tally", result)
    enter_phase(session, viewer, budget_round, RoundPhase.TALLIED)
    session.commit()


MIN_OVERRIDE_REASON = 10  # characters: a reason residents can read, not "ok"


def override_result(session: Session, viewer: Viewer, *, proposal_id: int, reason: str) -> str:
    """The chair turns one proposal of a published result from selected to not selected or
    back. The reason is required and public: it shows beside the result and on the notice
    board. A project that money was already allocated to cannot be unselected (the ledger would
    say otherwise). Returns the new status."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    if proposal.round_id is None:
        raise WrongPhase("round_not_tallied")
    budget_round = get_or_fail(session, BudgetRound, proposal.round_id)
    require_at(session, viewer, Action.OVERRIDE_RESULT, budget_round.place_id)
    workflow.require(budget_round, workflow.Step.OVERRIDE_RESULT)
    lock_for_change(session)
    session.refresh(proposal)
    (move,) = workflow.moves_from(proposal.status, workflow.Mover.OVERRIDE) or (None,)
    if move is None:
        raise WrongPhase("proposal_not_in_result", status=proposal.status)
    target = move.target
    reason = clean_text(reason, "reason", max_length=500, required=True)
    if len(reason) < MIN_OVERRIDE_REASON:
        raise InvalidInput("reason_too_short", field="reason", minimum=MIN_OVERRIDE_REASON)
    if (
        target is ProposalStatus.NOT_SELECTED
        and session.exec(
            select(LedgerEntry.id).where(LedgerEntry.proposal_id == proposal_id)
        ).first()
    ):
        raise WrongPhase("override_after_money")
    before = snapshot(proposal)
    workflow.record_move(session, viewer, proposal, target, reason)
    record_audit(session, viewer, "override_result", proposal, before=before)
    session.commit()
    return target.value


@dataclass(frozen=True)
class Override:
    """A committee override of a published result, shown with the result."""

    round_id: int
    round_name: str
    proposal_id: int
    title: str
    selected: bool  # what the override made it
    reason: str
    at: datetime


def overrides(session: Session, *, round_id: int | None = None) -> list[Override]:
    """Every override (of a round, or of all rounds), newest first: public, like results."""
    pairs = [
        (col(ProposalStatusChange.from_status) == source)
        & (col(ProposalStatusChange.to_status) == target)
        for source, target in workflow.OVERRIDES
    ]
    query = (
        select(ProposalStatusChange, Proposal.title, BudgetRound)
        .join(Proposal, col(Proposal.id) == ProposalStatusChange.proposal_id)
        .join(BudgetRound, col(BudgetRound.id) == Proposal.round_id)
        .where(or_(*pairs))
        .order_by(col(ProposalStatusChange.id).desc())
    )
    if round_id is not None:
        query = query.where(BudgetRound.id == round_id)
    return [
        Override(
            round_id=id_of(in_round),
            round_name=in_round.name,
            proposal_id=change.proposal_id,
            title=title,
            selected=change.to_status == ProposalStatus.SELECTED,
            reason=change.reason or "",
            at=change.changed_at,
        )
        for change, title, in_round in session.exec(query)
    ]


@dataclass(frozen=True)
class ResultLine:
    proposal_id: int
    title: str
    requested_fen: int
    support: int  # ballots naming the project
    score: Fraction  # approvals, points, or for rankings the Pabulib score
    selected: bool  # by the count
    status: str  # now: an override may have changed what the count decided

    @property
    def won(self) -> bool:
        """What holds now: the count's choice, unless an override has changed it since."""
        if self.status == ProposalStatus.ON_BALLOT:  # not published yet
            return self.selected
        return workflow.won(self.status)

    @property
    def overridden(self) -> bool:
        return self.won != self.selected


@dataclass(frozen=True)
class RoundResult:
    tally_id: int
    round_id: int
    rule: str
    tie_break: str
    ballots_counted: int
    budget_fen: int
    total_cost_fen: int
    computed_at: datetime
    published_at: datetime | None
    lines: list[ResultLine]
    overrides: list[Override]
    explanation: ExplanationRows | None
    measures: Measures | None = None  # None for a tally counted before measures existed

    @property
    def leftover_fen(self) -> int:
        return self.budget_fen - self.total_cost_fen


NOT_ON_A_BALLOT = (
    ProposalStatus.DRAFT,
    ProposalStatus.SUBMITTED,
    ProposalStatus.ELIGIBLE,
    ProposalStatus.INELIGIBLE,
    ProposalStatus.WITHDRAWN,
)
WERE_ON_THE_BALLOT = tuple(status for status in ProposalStatus if status not in NOT_ON_A_BALLOT)


def round_result(session: Session, viewer: Viewer, *, round_id: int) -> RoundResult | None:
    """The published result for everyone; the committee also sees the newest unpublished count."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    query = select(Tally).where(Tally.round_id == round_id).order_by(col(Tally.id).desc())
    if not can(viewer, Action.VIEW_COMMITTEE_MATERIAL, budget_round.place_id, place_tree(session)):
        query = query.where(col(Tally.published_at).is_not(None))
    result = session.exec(query).first()
    if result is None:
        return None
    counted = support(session, budget_round)
    lines = [
        ResultLine(
            proposal_id=row.id,
            title=row.title,
            requested_fen=row.requested_fen,
            support=counted.ballots.get(row.id, 0),
            score=counted.score.get(row.id, Fraction(0)),
            selected=row.id in result.selected_proposal_ids,
            status=row.status,
        )
        for row in list_proposals(session, round_id=round_id, statuses=WERE_ON_THE_BALLOT)
    ]
    lines.sort(key=lambda line: (not line.selected, -line.score, line.proposal_id))
    return RoundResult(
        tally_id=result.id,  # type: ignore[arg-type]
        round_id=round_id,
        rule=result.rule,
        tie_break=result.tie_break,
        ballots_counted=result.ballots_counted,
        budget_fen=budget_round.budget_fen,
        total_cost_fen=result.total_cost_fen,
        computed_at=result.computed_at,
        published_at=result.published_at,
        lines=lines,
        overrides=overrides(session, round_id=round_id) if result.published_at else [],
        explanation=rows_from_dict(result.explanation),
        measures=measures_from_dict((result.explanation or {}).get("measures")),
    )
