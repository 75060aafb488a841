"""A round in the tally engine's words, built in one place so that casting a ballot and counting
the votes apply the same rules: the proposals on the ballot are the projects (their cost is what
the fund is asked for, in fen) and the round's ballot settings are the constraints.

A knapsack ballot (Stanford PB's and Decidim's: choose projects up to the budget) is an approval
ballot whose projects together may cost at most the round's budget: in Pabulib's words, vote
type ``approval`` with ``max_sum_cost`` = budget. It is counted as approval.
"""

from fractions import Fraction

from sqlmodel import Session

from models import BudgetRound
from models.vocabulary import BallotKind, ProposalStatus
from services.proposals import list_proposals
from voting import Ballot, BallotConstraints, Instance, Profile, Project, format_exact

VOTE_TYPE = {
    BallotKind.APPROVAL: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.SCORES: "scoring",
    BallotKind.ORDINAL: "ordinal",
    BallotKind.KNAPSACK: "approval",
}
APPROVAL_KINDS = (BallotKind.APPROVAL, BallotKind.KNAPSACK)
POINTS_KINDS = (BallotKind.CUMULATIVE, BallotKind.SCORES)
CONSTRAINT_KEYS = ("max_length", "max_sum_cost", "max_points", "max_sum_points")


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
    """A ballot names at least one project; points are never negative; a knapsack ballot's
    projects cost at most the budget."""
    kind = BallotKind(budget_round.ballot_kind)
    constraints = BallotConstraints(
        min_length=max(budget_round.min_length, 1),
        max_length=budget_round.max_length,
        max_sum_cost=(Fraction(budget_round.budget_fen) if kind is BallotKind.KNAPSACK else None),
        min_points=Fraction(0) if kind in POINTS_KINDS else None,
        max_points=Fraction(budget_round.max_points) if budget_round.max_points else None,
        max_sum_points=(
            Fraction(budget_round.max_sum_points) if budget_round.max_sum_points else None
        ),
    )
    return Profile(vote_type=VOTE_TYPE[kind], ballots=ballots, constraints=constraints)


def constraint_meta(profile: Profile) -> dict[str, str]:
    """The ballot's limits as Pabulib META rows, so a recount with another tool checks the
    same ballots (``min_length`` only when above Pabulib's default of 1)."""
    limits = profile.constraints
    meta = {"min_length": str(limits.min_length)} if limits.min_length > 1 else {}
    for key in CONSTRAINT_KEYS:
        value = getattr(limits, key)
        if value is not None:
            meta[key] = format_exact(value)
    return meta
