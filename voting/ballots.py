"""Check one ballot against the profile's constraints before the app stores it.

Every failure is a `BallotError` whose `code` the app can translate: "unknown_project",
"duplicate_project", "too_few", "too_many", "cost_under_min", "cost_over_max",
"points_mismatch", "points_under_min", "points_over_max", "sum_under_min", "sum_over_max".
"""

from __future__ import annotations

from fractions import Fraction

from voting.errors import BallotError
from voting.model import Ballot, Instance, Profile

__all__ = ["validate_ballot"]


def validate_ballot(instance: Instance, profile: Profile, ballot: Ballot) -> None:
    """Raise BallotError for the first broken constraint; return None for a valid ballot."""
    costs = {p.id: p.cost for p in instance.projects}
    c = profile.constraints
    seen: set[str] = set()
    for pid in ballot.projects:
        if pid not in costs:
            raise BallotError("unknown_project", f"unknown project {pid!r}", project=pid)
        if pid in seen:
            raise BallotError("duplicate_project", f"project {pid!r} twice", project=pid)
        seen.add(pid)
    n = len(ballot.projects)
    max_length = min(c.max_length or len(costs), len(costs))
    if n < c.min_length:
        raise BallotError(
            "too_few", f"{n} projects, at least {c.min_length} needed", count=n, min=c.min_length
        )
    if n > max_length:
        raise BallotError(
            "too_many", f"{n} projects, at most {max_length} allowed", count=n, max=max_length
        )
    if profile.vote_type == "approval":
        total = sum((costs[p] for p in ballot.projects), Fraction(0))
        if c.min_sum_cost is not None and total < c.min_sum_cost:
            raise BallotError(
                "cost_under_min",
                "the chosen projects cost too little",
                total=total,
                min=c.min_sum_cost,
            )
        if c.max_sum_cost is not None and total > c.max_sum_cost:
            raise BallotError(
                "cost_over_max",
                "the chosen projects cost too much",
                total=total,
                max=c.max_sum_cost,
            )
    if profile.vote_type not in ("cumulative", "scoring"):
        if ballot.points is not None:
            raise BallotError("points_mismatch", f"{profile.vote_type} ballots carry no points")
        return
    points = ballot.points or ()
    if len(points) != n:
        raise BallotError(
            "points_mismatch",
            f"{n} projects but {len(points)} points",
            projects=n,
            points=len(points),
        )
    for pid, value in zip(ballot.projects, points, strict=True):
        if c.min_points is not None and value < c.min_points:
            raise BallotError(
                "points_under_min",
                f"{value} points for {pid!r}",
                project=pid,
                points=value,
                min=c.min_points,
            )
        if c.max_points is not None and value > c.max_points:
            raise BallotError(
                "points_over_max",
                f"{value} points for {pid!r}",
                project=pid,
                points=value,
                max=c.max_points,
            )
    total_points = sum(points, Fraction(0))
    if c.min_sum_points is not None and total_points < c.min_sum_points:
        raise BallotError(
            "sum_under_min",
            f"{total_points} points in all",
            total=total_points,
            min=c.min_sum_points,
        )
    if c.max_sum_points is not None and total_points > c.max_sum_points:
        raise BallotError(
            "sum_over_max",
            f"{total_points} points in all",
            total=total_points,
            max=c.max_sum_points,
        )
