"""Ballots as sparse utilities, grouped by identical ballots.

Rules work on groups, not voters: Warsaw 2026 has 61,668 voters but 51,202 distinct ballots,
and Wrocław 2022 has 80,694 voters but 73. For each project we keep the groups that give it a
positive utility and those utilities, scaled to integers so that sums over groups are exact in
NumPy (float64 sums of integers below 2**52 are exact too); rules divide by `scale` only when
they report a number.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, pairwise
from typing import Any

import numpy as np

from voting.model import Instance, Profile

__all__ = ["BallotMatrix", "ballot_matrix", "support_totals"]

#: Beyond this, float64 sums of integer utilities would no longer be exact.
_EXACT_LIMIT = 2**52


@dataclass(frozen=True)
class BallotMatrix:
    """For project p: groups `supporters[p]` give it utility `utils[p] / scale` per voter.

    `negative` is set when some utility is below zero (scoring ballots); those are not kept.
    """

    mult: np.ndarray
    supporters: list[np.ndarray]
    utils: list[np.ndarray]
    scale: int
    n_voters: int
    negative: bool = False

    @property
    def n_groups(self) -> int:
        return len(self.mult)

    def totals(self) -> list[int]:
        """Exact total (positive) utility of each project, scaled, as Python ints."""
        return [int(self.mult[s] @ u) for s, u in zip(self.supporters, self.utils, strict=True)]


def _groups(profile: Profile) -> Counter[tuple[Any, ...]]:
    """Count identical ballots. Equal approval sets listed in another order stay apart: groups
    need not be maximal to be exact, and not sorting saves time."""
    if profile.vote_type in ("approval", "ordinal"):
        return Counter(b.projects for b in profile.ballots)
    return Counter((b.projects, b.points) for b in profile.ballots)


def ballot_matrix(instance: Instance, profile: Profile, measure: str) -> BallotMatrix:
    """Build the utilities for a measure.

    measure "support": 1 per approval, the points, or the Pabulib positional score L - position;
    measure "mes": the cost of an approved project (pabutools' Cost_Sat), the points, or
    Borda L - 1 - position (pabutools' Additive_Borda_Sat).
    """
    n_projects = len(instance.projects)
    index = {p.id: i for i, p in enumerate(instance.projects)}
    counts = _groups(profile)
    keys = list(counts)
    vote_type = profile.vote_type
    default = profile.constraints.default_score if vote_type == "scoring" else Fraction(0)
    ids = [k[0] for k in keys] if vote_type in ("cumulative", "scoring") else keys
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
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
        # L - 1 - position, counted from the end of each ballot; plus 1 for the score
        ends = np.repeat(np.cumsum(lengths), lengths)
        vals = ends - np.arange(len(cols)) - (0 if measure == "support" else 1)
        scale = 1
    else:
        distinct = {v for k in keys for v in (k[1] or ())}
        scale = math.lcm(1, default.denominator, *(v.denominator for v in distinct))
        as_int = {v: int(v * scale) for v in distinct}
        vals = np.fromiter(
            (as_int[v] for k in keys for v in (k[1] or ())), dtype=np.int64, count=len(cols)
        )
    mult = np.fromiter(counts.values(), dtype=np.int64, count=len(keys))
    largest = max(int(np.abs(vals).max()) if len(vals) else 0, abs(int(default * scale)))
    if largest * max(1, len(profile.ballots)) >= _EXACT_LIMIT:
        raise OverflowError("utilities too large for exact sums")
    negative = bool((vals < 0).any()) or default < 0
    if default != 0:
        # scoring: an unlisted project gets the default score, so every group rates every project
        dense = np.full((len(keys), n_projects), int(default * scale), dtype=np.int64)
        dense[rows, cols] = vals
        supporters = [np.flatnonzero(dense[:, p] > 0) for p in range(n_projects)]
        utils = [dense[s, p] for p, s in enumerate(supporters)]
        return BallotMatrix(mult, supporters, utils, scale, len(profile.ballots), negative)
    keep = vals > 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    # a stable sort of small integers is a radix sort: ten times faster on Warsaw's 270,000
    small = cols.astype(np.int16) if n_projects <= np.iinfo(np.int16).max else cols
    order = np.argsort(small, kind="stable")
    bounds = np.searchsorted(cols[order], np.arange(n_projects + 1))
    rows_sorted, vals_sorted = rows[order], vals[order]
    supporters = [rows_sorted[a:b] for a, b in pairwise(bounds)]
    utils = [vals_sorted[a:b] for a, b in pairwise(bounds)]
    return BallotMatrix(mult, supporters, utils, scale, len(profile.ballots), negative)


def support_totals(instance: Instance, profile: Profile) -> list[Fraction]:
    """Each project's support: votes, points, or the Pabulib positional score."""
    matrix = ballot_matrix(instance, profile, "support")
    if matrix.negative:  # scoring: negative scores count against a project, the matrix drops them
        return _signed_totals(instance, profile)
    return [Fraction(t, matrix.scale) for t in matrix.totals()]


def _signed_totals(instance: Instance, profile: Profile) -> list[Fraction]:
    default = profile.constraints.default_score
    totals = {p.id: default * len(profile.ballots) for p in instance.projects}
    for b in profile.ballots:
        for pid, value in zip(b.projects, b.points or (), strict=True):
            totals[pid] += value - default
    return [totals[p.id] for p in instance.projects]
