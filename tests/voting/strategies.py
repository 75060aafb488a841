"""Hypothesis strategies: small random elections of every vote type."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from voting import Ballot, BallotConstraints, Election, Instance, Profile, Project


@st.composite
def elections(
    draw: st.DrawFn, vote_type: str = "approval", unit_costs: bool = False, many: bool = False
) -> Election:
    """`many`: more voters and dearer projects, so that Add1 takes many steps."""
    n_projects = draw(st.integers(1, 8 if many else 6))
    ids = [f"p{i}" for i in range(n_projects)]
    if unit_costs:
        costs = [Fraction(1)] * n_projects
        budget = Fraction(draw(st.integers(1, n_projects)))
    else:
        costs = [
            Fraction(draw(st.integers(1, 12)), draw(st.sampled_from([1, 1, 2, 4]))) for _ in ids
        ]
        budget = Fraction(draw(st.integers(1, 40)), draw(st.sampled_from([1, 1, 4])))
    projects = [Project(i, c) for i, c in zip(ids, costs, strict=True)]
    ballots = []
    for v in range(draw(st.integers(20, 40) if many else st.integers(1, 7))):
        longest = min(2, n_projects) if many else n_projects
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=longest, unique=True))
        points = None
        if vote_type in ("cumulative", "scoring"):
            points = tuple(Fraction(draw(st.integers(1, 4))) for _ in chosen)
        ballots.append(Ballot(tuple(chosen), points, str(v + 1)))
    constraints = BallotConstraints()
    profile = Profile(
        vote_type,
        ballots,
        constraints,
        vote_columns=("voter_id", "vote", "points")
        if vote_type in ("cumulative", "scoring")
        else ("voter_id", "vote"),
    )
    meta = {
        "budget": str(budget.numerator) if budget.denominator == 1 else "",
        "vote_type": vote_type,
    }
    meta = {k: v for k, v in meta.items() if v}
    instance = Instance(projects, budget, meta, ("project_id", "cost", "name"))
    return Election(instance, profile)
