"""A round in the tally engine's words, built in one place so that casting a ballot and counting
the votes apply the same rules: the proposals on the ballot are the projects (their cost is what
the fund is asked for, in fen) and the round's ballot settings are the constraints."""

from fractions import Fraction

from sqlmodel import Session

from models import BudgetRound
from models.vocabulary import BallotKind, ProposalStatus
from services.proposals import list_proposals
from voting import Ballot, BallotConstraints, Instance, Profile, Project

VOTE_TYPE = {
    BallotKind.APPROVAL: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.SCORES: "scoring",
    BallotKind.ORDINAL: "ordinal",
    BallotKind.KNAPSACK: "approval",
}
POINTS_KINDS = (BallotKind.CUMULATIVE, BallotKind.SCORES)


def round_instance(
    session: Session,
    budget_round: BudgetRound,
    statuses: tuple[ProposalStatus, ...] = (ProposalStatus.ON_BALLOT,),
) -> Instance:
    """While the vote is open the projects are the proposals on the ballot; once a result is
    published, they are the ones that were (selected or not, and what became of them)."""
    rows = list_proposals(session, round_id=budget_round.id, statuses=statuses)
    projects = [
        Project(id=str(row.id), cost=Fraction(row.requested_fen), name=row.title) for row in rows
    ]
    return Instance(projects=projects, budget=Fraction(budget_round.budget_fen))


def round_profile(budget_round: BudgetRound, ballots: list[Ballot]) -> Profile:
    """A ballot names at least one project; points are never negative."""
    kind = BallotKind(budget_round.ballot_kind)
    constraints = BallotConstraints(
        min_length=max(budget_round.min_length, 1),
        max_length=budget_round.max_length,
        min_points=Fraction(0) if kind in POINTS_KINDS else None,
        max_points=Fraction(budget_round.max_points) if budget_round.max_points else None,
        max_sum_points=(
            Fraction(budget_round.max_sum_points) if budget_round.max_sum_points else None
        ),
    )
    return Profile(vote_type=VOTE_TYPE[kind], ballots=ballots, constraints=constraints)
