"""Ballots as a matrix of utilities, one row per group of identical ballots.

Rules work on groups, not voters: Warsaw 2026 has 61,668 voters but 51,202 distinct ballots,
and Wrocław 2022 has 80,694 voters but 73. Utilities are scaled to integers so that sums over
groups are exact in NumPy; rules divide by `scale` only when they report a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from voting.model import Instance, Profile

__all__ = ["BallotMatrix", "ballot_matrix"]

#: Beyond this, float64 sums of integer utilities would no longer be exact.
_EXACT_LIMIT = 2**52


@dataclass(frozen=True)
class BallotMatrix:
    """`util[g, p] / scale` is the utility of a voter of group g for project p."""

    mult: np.ndarray
    util: np.ndarray
    scale: int
    n_voters: int

    def totals(self) -> list[int]:
        """Exact total utility of each project (scaled), as Python ints."""
        return [int(x) for x in self.mult @ self.util]


def _values(instance: Instance, profile: Profile, measure: str) -> dict[tuple, int]:
    """Count identical ballots, keyed so that equal ballots (for this measure) share a key."""
    counts: dict[tuple, int] = {}
    if profile.vote_type == "approval":
        for b in profile.ballots:
            key = tuple(sorted(b.projects))
            counts[key] = counts.get(key, 0) + 1
    elif profile.vote_type == "ordinal":
        for b in profile.ballots:
            counts[b.projects] = counts.get(b.projects, 0) + 1
    else:
        for b in profile.ballots:
            key = (b.projects, b.points)
            counts[key] = counts.get(key, 0) + 1
    return counts


def ballot_matrix(instance: Instance, profile: Profile, measure: str) -> BallotMatrix:
    """Build the utility matrix for a measure.

    measure "support": 1 per approval, the points, or the Pabulib positional score L - position;
    measure "mes": the cost of an approved project (pabutools' Cost_Sat), the points, or
    Borda L - 1 - position (pabutools' Additive_Borda_Sat).
    """
    index = {p.id: i for i, p in enumerate(instance.projects)}
    counts = _values(instance, profile, measure)
    keys = list(counts)
    vote_type = profile.vote_type
    default = profile.constraints.default_score if vote_type == "scoring" else Fraction(0)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[Fraction | int] = []
    for g, key in enumerate(keys):
        if vote_type == "approval":
            for pid in key:
                rows.append(g)
                cols.append(index[pid])
                vals.append(instance.projects[index[pid]].cost if measure == "mes" else 1)
        elif vote_type == "ordinal":
            length = len(key)
            top = length if measure == "support" else length - 1
            for pos, pid in enumerate(key):
                rows.append(g)
                cols.append(index[pid])
                vals.append(top - pos)
        else:
            for pid, pts in zip(key[0], key[1] or (), strict=True):
                rows.append(g)
                cols.append(index[pid])
                vals.append(pts - default)
    scale = 1
    for v in [*vals, default]:
        den = Fraction(v).denominator
        scale = scale * den // math.gcd(scale, den)
    ints = [int(Fraction(v) * scale) for v in vals]
    util = np.full((len(keys), len(instance.projects)), int(default * scale), dtype=np.int64)
    if ints:
        if max(abs(x) for x in ints) * max(1, len(profile.ballots)) >= _EXACT_LIMIT:
            raise OverflowError("utilities too large for exact integer sums")
        np.add.at(util, (np.array(rows), np.array(cols)), np.array(ints, dtype=np.int64))
    mult = np.array([counts[k] for k in keys], dtype=np.int64)
    return BallotMatrix(mult, util, scale, len(profile.ballots))
