"""Ballots as a matrix of utilities, one row per group of identical ballots.

Rules work on groups, not voters: Warsaw 2026 has 61,668 voters but 51,202 distinct ballots,
and Wrocław 2022 has 80,694 voters but 73. Utilities are scaled to integers so that sums over
groups are exact in NumPy; rules divide by `scale` only when they report a number.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, pairwise

import numpy as np

from voting.model import Instance, Profile

__all__ = ["BallotMatrix", "ballot_matrix", "support_totals"]

#: Beyond this, float64 sums of integer utilities would no longer be exact.
_EXACT_LIMIT = 2**52


@dataclass(frozen=True)
class BallotMatrix:
    """`util[g, p] / scale` is the utility of a voter of group g for project p."""

    mult: np.ndarray
    util: np.ndarray
    scale: int
    n_voters: int
    supporters: list[np.ndarray]

    def totals(self) -> list[int]:
        """Exact total utility of each project (scaled), as Python ints."""
        return [int(self.mult[s] @ self.util[s, p]) for p, s in enumerate(self.supporters)]


def _values(profile: Profile) -> Counter[tuple]:
    """Count identical ballots. Equal approval sets listed in another order stay apart: groups
    need not be maximal to be exact, and not sorting saves time."""
    if profile.vote_type in ("approval", "ordinal"):
        return Counter(b.projects for b in profile.ballots)
    return Counter((b.projects, b.points) for b in profile.ballots)


def ballot_matrix(instance: Instance, profile: Profile, measure: str) -> BallotMatrix:
    """Build the utility matrix for a measure.

    measure "support": 1 per approval, the points, or the Pabulib positional score L - position;
    measure "mes": the cost of an approved project (pabutools' Cost_Sat), the points, or
    Borda L - 1 - position (pabutools' Additive_Borda_Sat).
    """
    index = {p.id: i for i, p in enumerate(instance.projects)}
    counts = _values(profile)
    keys = list(counts)
    vote_type = profile.vote_type
    default = profile.constraints.default_score if vote_type == "scoring" else Fraction(0)
    ids = [k[0] for k in keys] if vote_type in ("cumulative", "scoring") else keys
    lengths = np.fromiter((len(k) for k in ids), dtype=np.int64, count=len(ids))
    rows = np.repeat(np.arange(len(ids)), lengths)
    cols = np.array(list(map(index.__getitem__, chain.from_iterable(ids))), dtype=np.int64)
    if vote_type == "approval":
        if measure == "mes":
            costs = [p.cost for p in instance.projects]
            scale = math.lcm(1, *(c.denominator for c in costs))
            per_project = np.array([int(c * scale) for c in costs], dtype=np.int64)
            vals = per_project[cols]
        else:
            scale, vals = 1, np.ones(len(cols), dtype=np.int64)
    elif vote_type == "ordinal":
        # position from the end of each ballot: L - 1 - position, plus 1 for the score
        ends = np.repeat(np.cumsum(lengths), lengths)
        vals = ends - np.arange(len(cols)) - (0 if measure == "support" else 1)
        scale = 1
    else:
        distinct = {v for k in keys for v in (k[1] or ())}
        scale = math.lcm(1, default.denominator, *(v.denominator for v in distinct))
        as_int = {v: int((v - default) * scale) for v in distinct}
        vals = np.fromiter(
            (as_int[v] for k in keys for v in (k[1] or ())), dtype=np.int64, count=len(cols)
        )
    util = np.full((len(keys), len(instance.projects)), int(default * scale), dtype=np.int64)
    if len(cols):
        if int(np.abs(vals).max()) * max(1, len(profile.ballots)) >= _EXACT_LIMIT:
            raise OverflowError("utilities too large for exact integer sums")
        util[rows, cols] += vals  # a ballot names a project at most once
    mult = np.fromiter(counts.values(), dtype=np.int64, count=len(keys))
    if default == 0:
        positive = vals > 0
        by_project = np.argsort(cols[positive], kind="stable")
        bounds = np.searchsorted(cols[positive][by_project], np.arange(len(instance.projects) + 1))
        rows_sorted = rows[positive][by_project]
        supporters = [rows_sorted[a:b] for a, b in pairwise(bounds)]
    else:
        supporters = [np.flatnonzero(util[:, p] > 0) for p in range(util.shape[1])]
    return BallotMatrix(mult, util, scale, len(profile.ballots), supporters)


def support_totals(instance: Instance, profile: Profile) -> list[Fraction]:
    """Each project's support: votes, points, or the Pabulib positional score."""
    matrix = ballot_matrix(instance, profile, "support")
    return [Fraction(t, matrix.scale) for t in matrix.totals()]
