"""Election data in pabutools' words: projects, an instance, ballots and a profile.

Money and points are exact (`Fraction`), never floats, because a rounding error can change
which project wins. Vote types follow Pabulib: "approval", "cumulative", "scoring" and
"ordinal"; a Pabulib "choose-1" file is read as approval ballots of size 1 (as pabutools does),
and `Profile.file_vote_type` remembers the original name so the file can be written back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = [
    "VOTE_TYPES",
    "Ballot",
    "BallotConstraints",
    "Election",
    "Instance",
    "Profile",
    "Project",
    "format_exact",
    "parse_exact",
]

VOTE_TYPES = ("approval", "cumulative", "scoring", "ordinal")


def parse_exact(text: str) -> Fraction:
    """Read an integer or decimal (dot or comma) exactly; raise ValueError otherwise."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned or any(c not in "0123456789.+-" for c in cleaned):
        raise ValueError(f"not a number: {text!r}")
    return Fraction(cleaned)


def format_exact(value: Fraction | int) -> str:
    """Write a number as a finite decimal when it is one, else as `p/q` (still exact)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    whole, frac_part = divmod(abs(scaled.numerator), 10**digits)
    return f"{sign}{whole}.{frac_part:0{digits}d}"


@dataclass(frozen=True)
class Project:
    """A project on the ballot. `fields` keeps the other PROJECTS columns as read."""

    id: str
    cost: Fraction
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict, compare=True, hash=False)


@dataclass
class Instance:
    """The projects and the budget limit; `meta` holds the Pabulib META rows as strings."""

    projects: list[Project]
    budget: Fraction
    meta: dict[str, str] = field(default_factory=dict)
    project_columns: tuple[str, ...] = ("project_id", "cost", "name")


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot.

    approval: `projects` is the approved set (file order kept); ordinal: most preferred first;
    cumulative/scoring: `points[i]` goes to `projects[i]`, unlisted projects get the default.
    Points are exact: ints for whole numbers, Fractions otherwise.
    """

    projects: tuple[str, ...]
    points: tuple[int | Fraction, ...] | None = None
    voter_id: str = ""
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BallotConstraints:
    """What a valid ballot looks like (Pabulib META keys; None = no limit)."""

    min_length: int = 1
    max_length: int | None = None
    min_sum_cost: Fraction | None = None
    max_sum_cost: Fraction | None = None
    min_points: Fraction | None = None
    max_points: Fraction | None = None
    min_sum_points: Fraction | None = None
    max_sum_points: Fraction | None = None
    default_score: Fraction = Fraction(0)


@dataclass
class Profile:
    """All ballots of one election, with their vote type and constraints."""

    vote_type: str
    ballots: list[Ballot]
    constraints: BallotConstraints = field(default_factory=BallotConstraints)
    file_vote_type: str = ""
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    def __post_init__(self) -> None:
        if self.vote_type not in VOTE_TYPES:
            raise ValueError(f"unknown vote type {self.vote_type!r}")
        if not self.file_vote_type:
            self.file_vote_type = self.vote_type

    def __len__(self) -> int:
        return len(self.ballots)


@dataclass
class Election:
    """What a .pb file holds: the instance and the profile."""

    instance: Instance
    profile: Profile
