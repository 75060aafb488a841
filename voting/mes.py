"""The Method of Equal Shares (MES), with its completions.

MES (Peters & Skowron, "Proportionality and the limits of welfarism", EC 2020; Peters,
Pierczyński & Skowron, "Proportional participatory budgeting with additive utilities",
NeurIPS 2021) gives every voter an equal share B/n of the budget. In each round it buys the
project whose supporters can pay for it at the lowest price per unit of utility (rho), each
supporter paying rho x utility or, if that is more than they have left, all they have left.
It stops when no remaining project can be paid for by its supporters.

Utilities are pabutools': the project's cost for an approval (Cost_Sat), the points for
cumulative and scoring ballots, Borda len(ballot) - 1 - position for rankings.

Completions: "+greedy" funds what is left by greedy on the same satisfaction per unit of cost;
"add1" reruns MES with every voter's budget raised by one unit (B/n, B/n + 1, ...) and keeps
the last outcome that fits the budget, stopping early at an exhaustive one (pabutools'
`voter_budget_increment=1`).

Speed: the rule runs on groups of identical ballots with NumPy float budgets; every comparison
that decides the outcome and falls within a relative 1e-9 is redone with exact Fractions.
Exact budgets are never stored per voter: a voter who was never capped has x - sum(rho_k u_k)
left, a capped voter has 0, so exact sums need only integer sums over groups. Add1 runs MES
hundreds of times on some files, so a run makes few NumPy calls (a handful per project it
looks at) and Add1 skips the runs it can prove would buy what a neighbouring run buys
(`_add1`; France_Toulouse_2022 buys the same projects in 665 orders over 1,619 budgets).
The project performance measures re-run MES with one project changed, over a hundred times
on a city file: `EqualSharesReruns` reuses everything else and builds no explanation.
"""

from __future__ import annotations

import copy
import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from voting.errors import UnsupportedRuleError
from voting.greedy import greedy_select
from voting.matrix import BallotMatrix, ballot_matrix, support_totals
from voting.model import Ballot, Instance, Profile
from voting.outcome import (
    GreedyExplanation,
    MESExplanation,
    MESLoser,
    MESPurchase,
    Outcome,
    PayerGroup,
)
from voting.tiebreak import tie_ranks

__all__ = [
    "EqualSharesReruns",
    "mes_add1_checker",
    "mes_add1_comparison",
    "mes_comparison",
    "method_of_equal_shares",
]

_TOL = 1e-9
#: Add1's skipping proof compares float rhos of two runs; this margin covers their rounding.
_PROOF_TOL = 100 * _TOL
#: OpenBLAS spreads dot products of more terms than this over threads that then spin, which
#: costs more than it saves on a busy 2-core machine; longer vectors are summed by NumPy.
_BLAS_DOT_LIMIT = 10_000
#: Entries of the dense utility matrix that `_EqualShares.dense` builds at most (8 MB);
#: on larger elections gathering from it costs more than the loop it replaces.
_DENSE_LIMIT = 1_000_000
#: Float budgets that `EqualSharesReruns` keeps at most (80 MB) to start re-runs mid-way.
_SNAPSHOT_LIMIT = 10_000_000


class _Snapshot(NamedTuple):
    """A run at the start of a round: the heap of lower bounds, the projects found
    unaffordable, and every group's budget."""

    heap: list[tuple[float, int]]
    gone: set[int]
    budget: np.ndarray


def _sum_product(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.multiply(a, b).sum())


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b)) if a.size <= _BLAS_DOT_LIMIT else _sum_product(a, b)


class _Arrays(NamedTuple):
    """One project as floats: its supporter groups, their voters, voters x utility, the
    utility (a single float when all supporters give the same), cost and total utility."""

    groups: np.ndarray
    voters: np.ndarray
    weight: np.ndarray
    util: float | np.ndarray
    cost: float
    total: float
    dot: Callable[[np.ndarray, np.ndarray], float]


@dataclass
class _Purchase:
    """A bought project. `capped` marks the supporters (positions in its supporter array) who
    did not pay rho x utility but all they had left, those with nothing left included.
    `rho` (exact) is derived only when needed."""

    project: int
    capped: np.ndarray
    rho: Fraction | None = None


class _EqualShares:
    """What every run shares: each project's supporters, exact and as floats."""

    def __init__(self, instance: Instance, matrix: BallotMatrix, ranks: list[int]) -> None:
        self.instance = instance
        self.matrix = matrix
        self.ranks = ranks
        self.costs = [p.cost for p in instance.projects]
        self.mult = matrix.mult
        self.supporters = matrix.supporters
        self.utils = matrix.utils
        self.u_f = [u.astype(np.float64) for u in matrix.utils]
        self.totals = matrix.totals()  # scaled, exact
        self.arrays = [self._arrays(p, self.totals[p]) for p in range(len(self.costs))]
        self._candidates(())
        self._dense: np.ndarray | None = None
        self._neighbours: np.ndarray | None = None

    def _candidates(self, dropped: tuple[int, ...]) -> None:
        totals, costs, ranks = self.totals, self.costs, self.ranks
        projects = [p for p in range(len(costs)) if p not in dropped]
        self.mes_projects = [p for p in projects if totals[p] > 0 and costs[p] > 0]
        self.free_projects = sorted(
            (p for p in projects if totals[p] > 0 and costs[p] == 0), key=lambda p: ranks[p]
        )
        # every run starts from the lower bounds cost / total utility, as a heap
        self.start = sorted((float(costs[p]) / totals[p], p) for p in self.mes_projects)

    def changed(
        self, p: int, instance: Instance, matrix: BallotMatrix, ranks: list[int], drop: bool
    ) -> _EqualShares:
        """These shares for an election that differs only in project p's cost or supporters
        (and groups appended after the others): every other project's arrays are reused.
        `drop`: p is never bought (as when it costs more than the budget)."""
        new = copy.copy(self)
        new.instance, new.matrix, new.ranks = instance, matrix, ranks
        new.costs = [q.cost for q in instance.projects]
        new.mult, new.supporters, new.utils = matrix.mult, matrix.supporters, matrix.utils
        new.u_f = list(self.u_f)
        new.u_f[p] = matrix.utils[p].astype(np.float64)
        new.totals = list(self.totals)
        new.totals[p] = int(matrix.mult[matrix.supporters[p]] @ matrix.utils[p])
        new.arrays = list(self.arrays)
        new.arrays[p] = new._arrays(p, new.totals[p])
        new._candidates((p,) if drop else ())
        new._dense = None
        new._neighbours = None
        return new

    def _arrays(self, p: int, total: int) -> _Arrays:
        groups = self.supporters[p]
        voters = self.mult[groups].astype(np.float64)
        u = self.u_f[p]
        util = float(u[0]) if u.size and bool((u == u[0]).all()) else u
        dot = np.dot if groups.size <= _BLAS_DOT_LIMIT else _sum_product
        return _Arrays(groups, voters, voters * u, util, float(self.costs[p]), float(total), dot)

    def dense(self) -> np.ndarray | None:
        """Utilities as a groups x projects float matrix, for exact sums of spending
        (`_Run._spent`); None when it would take more than 64 MB."""
        if self._dense is None:
            n, m = self.matrix.n_groups, len(self.costs)
            if n * m > _DENSE_LIMIT:
                return None
            self._dense = np.zeros((n, m))
            for p in range(m):
                self._dense[self.supporters[p], p] = self.u_f[p]
        return self._dense

    def neighbours(self) -> np.ndarray:
        """Which projects share a supporter group: a projects x projects boolean matrix,
        False on the diagonal (Add1's proofs, `_same_between`). Groups are taken a ballot
        length at a time, pairs marked in blocks of at most _DENSE_LIMIT."""
        if self._neighbours is None:
            m = len(self.costs)
            near = np.zeros((m, m), dtype=bool)
            if m:
                groups = np.concatenate(self.supporters)
                projects = np.repeat(np.arange(m), [s.size for s in self.supporters])
                order = np.argsort(groups, kind="stable")
                groups, projects = groups[order], projects[order]
                starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
                lengths = np.diff(np.r_[starts, groups.size])
                for length in np.unique(lengths[lengths > 1]):
                    firsts = starts[lengths == length]
                    step = max(1, _DENSE_LIMIT // int(length) ** 2)
                    for i in range(0, firsts.size, step):
                        block = projects[firsts[i : i + step, None] + np.arange(length)]
                        near[block[:, :, None], block[:, None, :]] = True
                np.fill_diagonal(near, False)
            self._neighbours = near
        return self._neighbours

    def run(
        self,
        x: Fraction,
        reference: _Run | None = None,
        upper: _Run | None = None,
        until: int | None = None,
        follow: int = 0,
    ) -> _Run:
        """MES with initial budget x per voter. For Add1: `reference`, a run at a smaller x,
        is the one this run will be compared with; `upper`, at a larger x, lends its bounds
        (see `_Run.buy`) and its first `follow` purchases (`_Run.follow`). `until`: stop
        once that project is bought."""
        run = _Run(self, x)
        if upper is not None and follow:
            run.follow(upper, follow)
        run.buy(reference, upper, until)
        return run


class _Run:
    """One MES run: purchases in order and the float budgets they leave.

    For Add1's proofs it keeps, per round, the winner's float rho (`winner_rho`), a lower
    bound on the rho of every other project its supporters could still pay for (`floor`) and
    the heap of lower bounds by project (`bounds`).
    """

    def __init__(self, shares: _EqualShares, x: Fraction) -> None:
        self.shares = shares
        self.x = x
        self.budget = np.full(shares.matrix.n_groups, float(x))
        self.bought: list[_Purchase] = []
        self.winner_rho: list[float] = []
        self.floor: list[float] = []
        self.bounds: list[list[tuple[float, int]]] = []  # per round, for runs at a smaller x
        # this round, by project: supporters' budgets, and who is capped at the rho found
        self._seen: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        # exact rhos as integers over growing common denominators: rho_k = nums[k] / dens[k]
        self.nums: list[int] = []
        self.dens: list[int] = []
        self._exhausted = np.zeros(shares.matrix.n_groups, dtype=bool)
        self._exhausted_count = 0  # purchases marked in _exhausted
        # bought in another run's order (`follow`): the same projects as MES, maybe not in
        # MES's order
        self.followed = False

    @property
    def sequence(self) -> list[int]:
        return [b.project for b in self.bought]

    def rounds(self) -> dict[int, int]:
        """The round in which each bought project was bought."""
        return {b.project: r for r, b in enumerate(self.bought)}

    def buy(
        self,
        reference: _Run | None,
        upper: _Run | None,
        until: int | None = None,
        resume: _Snapshot | None = None,
        record: dict[int, _Snapshot | None] | None = None,
    ) -> None:
        """Buy round by round (up to project `until`, if it is bought); from `resume`, a
        snapshot at the round after the purchases already in this run; keeping snapshots of
        the rounds `record` has keys for.

        As in pabutools, a project's last rho is a lower bound on its next one (budgets only
        shrink), so projects wait in a heap by that bound and a round evaluates only those
        whose bound is within 1e-9 of the best rho found so far. While this run buys what
        `upper` (a run at a larger x) bought, that run's heap of the same round gives better
        bounds (see `_same_between` for why). When it buys a project that `reference` (at a
        smaller x) bought too, rivals below the reference's rho for it are evaluated, so that
        `floor` is tight where `_same_between` needs it.
        """
        heap = self.shares.start.copy() if resume is None else resume.heap
        ahead: dict[int, float] = {}
        if reference is not None:
            ahead = dict(zip(reference.sequence, reference.winner_rho, strict=True))
        above = upper.bounds if upper is not None else []
        above_seq = upper.sequence if upper is not None else []
        gone: set[int] = set() if resume is None else resume.gone  # found unaffordable
        while heap:
            r = len(self.bought)
            if r < len(above):
                heap = above[r].copy()
            if record is not None and r in record:
                record[r] = _Snapshot(heap.copy(), set(gone), self.budget.copy())
            self._seen.clear()
            evaluated: list[tuple[float, int]] = []
            best = limit = math.inf
            while heap and heap[0][0] <= limit:
                lower, p = heapq.heappop(heap)
                if p in gone:
                    continue
                rho = self._evaluate(p, lower)
                if rho is None:
                    gone.add(p)
                    continue
                evaluated.append((rho, p))
                if rho < best:
                    best, limit = rho, rho * (1 + _TOL)
            if not evaluated:
                self.bounds.append(heap)
                return
            close = [(rho, p) for rho, p in evaluated if rho <= limit]
            if len(close) == 1:
                [(rho_f, winner)], rho_exact = close, None
            else:
                winner, rho_exact, rho_f = self._winner(close)
            for rho, p in evaluated:
                if p != winner:
                    heapq.heappush(heap, (rho, p))
            if winner in ahead:
                self._tighten(heap, ahead[winner] * (1 + _PROOF_TOL))
            if r >= len(above_seq) or above_seq[r] != winner:
                above = []
            self.floor.append(heap[0][0] if heap else math.inf)
            self.winner_rho.append(rho_f)
            bound = heap.copy()
            heapq.heappush(bound, (rho_f, winner))
            self.bounds.append(bound)
            self._pay(winner, rho_exact, rho_f)
            if winner == until:
                return

    def follow(self, upper: _Run, rounds: int) -> None:
        """Buy upper's first purchases in its order, which `_proved` showed any x between
        this run's reference and upper buys as MES does up to order (see `_same_between`):
        only each project's rho is found, and upper's bounds stand for this run's, as its
        rhos are no smaller."""
        for k in range(rounds):
            p = upper.bought[k].project
            self._seen.clear()
            rho = self._rho(p, upper.winner_rho[k], self.budget[self.shares.supporters[p]])
            self.floor.append(upper.floor[k])
            self.winner_rho.append(rho)
            self.bounds.append(upper.bounds[k])
            self._pay(p, None, rho)
        self.followed = rounds > 0

    def _winner(self, close: list[tuple[float, int]]) -> tuple[int, Fraction, float]:
        """Between float rhos within 1e-9: the lowest exact rho, then the tie-break order."""
        exact = {p: self._rho_exact(p, rho) for rho, p in close}
        lowest = min(exact.values())
        winner = min((p for p in exact if exact[p] == lowest), key=self.shares.ranks.__getitem__)
        return winner, lowest, next(rho for rho, p in close if p == winner)

    def _tighten(self, heap: list[tuple[float, int]], limit: float) -> None:
        """Replace the stale lower bounds up to `limit` by the projects' rhos."""
        stale = []
        while heap and heap[0][0] <= limit:
            stale.append(heapq.heappop(heap))
        for lower, p in stale:
            rho = lower if p in self._seen else self._evaluate(p, lower)
            if rho is not None:
                heapq.heappush(heap, (rho, p))

    def _evaluate(self, p: int, lower: float) -> float | None:
        """rho of p in floats, or None if its supporters cannot pay for it."""
        groups, voters, _, _, cost, _, dot = self.shares.arrays[p]
        b = self.budget[groups]
        money = dot(voters, b)
        if money < cost * (1 + _TOL) and (
            money < cost * (1 - _TOL) or self._exact_sum(groups) < self.shares.costs[p]
        ):
            return None
        return self._rho(p, lower, b)

    def _rho(self, p: int, lower: float, b: np.ndarray) -> float:
        """rho of p in floats, its supporters having budgets b and enough money.

        rho is the smallest value with sum(min(budget, rho u)) = cost. Starting from a lower
        bound, capping the supporters who cannot pay rho u and re-solving only raises rho and
        reaches it in a few passes (pabutools' "poor/rich" loop), with no sorting.
        """
        _, voters, weight, util, cost, total, dot = self.shares.arrays[p]
        rho = lower
        capped = b < rho * util
        count = np.count_nonzero(capped)
        if count:
            paid = voters * b
            while True:
                left = total - dot(weight, capped)
                if left <= 0:  # all capped: the last to be capped sets rho
                    rho = float(np.max(b / util))
                    capped = b < rho * util
                    break
                rho = max(rho, (cost - dot(paid, capped)) / left)
                capped = b < rho * util
                new_count = np.count_nonzero(capped)
                if new_count == count:
                    break
                count = new_count
        # else nobody is capped at the bound: everybody pays cost / total utility
        self._seen[p] = (b, capped, rho)
        return rho

    def _pay(self, p: int, rho: Fraction | None, rho_f: float) -> None:
        """Charge the supporters of p; rho None means floats were unambiguous (exact later)."""
        groups, util = self.shares.supporters[p], self.shares.arrays[p].util
        b, capped, _ = self._seen[p]
        if rho is not None:
            rho_f = float(rho)
            capped = b < rho_f * util
        need = rho_f * util
        left = b - need
        if np.count_nonzero(np.abs(left) <= _TOL * need):
            capped, rho = self._decide_near(p, rho, rho_f)
            left = b - float(rho) * util
        buy = _Purchase(p, capped, rho)
        if rho is None and np.count_nonzero(capped) == capped.size:
            buy.rho = self._rho_exact(p, rho_f)
        self.bought.append(buy)
        left[capped] = 0.0
        self.budget[groups] = left

    def _decide_near(
        self, p: int, rho: Fraction | None, rho_f: float
    ) -> tuple[np.ndarray, Fraction]:
        """Who pays in full when some budgets are within 1e-9 of rho u, decided exactly:
        the mask of those who do not, and the exact rho."""
        groups = self.shares.supporters[p]
        _, free, near = self._split(p, rho_f)
        if rho is None:
            rho = self._rho_exact(p, rho_f)
        near_idx = np.flatnonzero(near)
        exact = self._exact_budgets(groups[near_idx])
        u = self.shares.utils[p][near_idx]
        for j, k in enumerate(near_idx):
            if exact[j] > rho * int(u[j]):
                free[k] = True
        return ~free, rho

    # --- exact arithmetic, only near ties and explanations need it ---------------------
    def paying(self, k: int) -> int | None:
        """If every supporter capped in round k had nothing left, the (scaled) utility of
        those who paid rho u, so that rho = cost / paying; else None."""
        buy = self.bought[k]
        p, capped = buy.project, buy.capped
        total = self.shares.totals[p]
        if not capped.any():
            return total
        if (capped & ~self._exhausted_after(k)[self.shares.supporters[p]]).any():
            return None
        arrays = self.shares.arrays[p]
        return total - int(arrays.dot(arrays.weight, capped))

    def _exhausted_after(self, k: int) -> np.ndarray:
        """Groups capped in one of the first k purchases: they have nothing left."""
        if k < self._exhausted_count:
            self._exhausted[:] = False
            self._exhausted_count = 0
        for buy in self.bought[self._exhausted_count : k]:
            self._exhausted[self.shares.supporters[buy.project][buy.capped]] = True
        self._exhausted_count = k
        return self._exhausted

    def _exact_rhos(self) -> list[Fraction]:
        """Exact rho of every purchase so far, from who paid in full and who was capped."""
        shares = self.shares
        first = len(self.nums)
        pending = [k for k in range(first, len(self.bought)) if self.bought[k].rho is None]
        capped = {}
        for k in pending:  # increasing k, as _exhausted_after wants
            buy = self.bought[k]
            groups = shares.supporters[buy.project]
            capped[k] = groups[buy.capped & ~self._exhausted_after(k)[groups]]
        spent = dict(zip(pending, self._spent([capped[k] for k in pending], pending), strict=True))
        for k in range(first, len(self.bought)):
            buy = self.bought[k]
            if buy.rho is None:
                p = buy.project
                groups, util = shares.supporters[p], shares.utils[p]
                full = ~buy.capped
                util_left = int(shares.mult[groups[full]] @ util[full])
                money = self._money_after(int(shares.mult[capped[k]].sum()), spent[k], k)
                buy.rho = (shares.costs[p] - money) / util_left
            previous = self.dens[-1] if self.dens else self.x.denominator
            den = math.lcm(previous, buy.rho.denominator)
            self.dens.append(den)
            self.nums.append(buy.rho.numerator * (den // buy.rho.denominator))
        return [b.rho for b in self.bought if b.rho is not None]

    def _spent(self, sets: list[np.ndarray], counts: list[int]) -> list[list[int]]:
        """For each set of groups and its count k: the sum of voters x utility it has in each
        of the first k purchases, all from one pass over the purchases (float64 sums of
        integers below 2**52, checked in ballot_matrix, are exact)."""
        shares = self.shares
        dense = shares.dense()
        if dense is not None:
            cols = np.array(
                [buy.project for buy in self.bought[: max(counts, default=0)]], dtype=np.intp
            )
            return [
                [int(v) for v in shares.mult[s].astype(np.float64) @ dense[np.ix_(s, cols[:k])]]
                if k and s.size
                else [0] * k
                for s, k in zip(sets, counts, strict=True)
            ]
        spent = [[0] * k for k in counts]
        voters = [shares.mult[s].astype(np.float64) for s in sets]
        dense = np.zeros(shares.matrix.n_groups)
        for j, buy in enumerate(self.bought[: max(counts, default=0)]):
            groups = shares.supporters[buy.project]
            dense[groups] = shares.u_f[buy.project]
            for i, s in enumerate(sets):
                if j < counts[i]:
                    spent[i][j] = int(_dot(voters[i], dense[s]))
            dense[groups] = 0.0
        return spent

    def _money_after(self, voters: int, spent: list[int], k: int) -> Fraction:
        """Exact money of live groups with `voters` voters and `spent` (see `_spent`) after
        the first k purchases: x per voter less rho_j x utility for each purchase j."""
        den = self.dens[k - 1] if k else self.x.denominator
        total = self.x.numerator * (den // self.x.denominator) * voters
        for j, w in enumerate(spent):
            if w:
                total -= self.nums[j] * (den // self.dens[j]) * w
        return Fraction(total, den)

    def _moneys(self, sets: list[np.ndarray], k: int) -> list[Fraction]:
        """Exact money of each set of live groups (never capped) after the first k purchases."""
        self._exact_rhos()
        spent = self._spent(sets, [k] * len(sets))
        voters = [int(self.shares.mult[s].sum()) for s in sets]
        return [self._money_after(v, w, k) for v, w in zip(voters, spent, strict=True)]

    def _live(self, groups: np.ndarray, k: int) -> np.ndarray:
        """The groups not capped in the first k purchases."""
        live: np.ndarray = groups[~self._exhausted_after(k)[groups]]
        return live

    def _exact_sum(self, groups: np.ndarray) -> Fraction:
        """Exact money left to the voters of `groups`."""
        if not groups.size:  # spares the exact rhos of every purchase
            return Fraction(0)
        return self._moneys([self._live(groups, len(self.bought))], len(self.bought))[0]

    def _exact_budgets(self, groups: np.ndarray) -> list[Fraction]:
        """Exact money left to each of `groups` (one Fraction per distinct spending pattern)."""
        shares = self.shares
        rhos = self._exact_rhos()
        exhausted = self._exhausted_after(len(self.bought))[groups]
        if not self.bought:
            return [Fraction(0) if e else self.x for e in exhausted]
        rows = np.zeros((len(groups), len(self.bought)), dtype=np.int64)
        scratch = np.zeros(shares.matrix.n_groups, dtype=np.int64)
        for j, buy in enumerate(self.bought):
            sup = shares.supporters[buy.project]
            scratch[sup] = shares.utils[buy.project]
            rows[:, j] = scratch[groups]
            scratch[sup] = 0
        patterns, inverse = np.unique(rows, axis=0, return_inverse=True)
        values = [
            self.x - sum((r * int(u) for r, u in zip(rhos, row, strict=True) if u), Fraction(0))
            for row in patterns
        ]
        return [
            Fraction(0) if e else values[k]
            for e, k in zip(exhausted, inverse.reshape(-1), strict=True)
        ]

    def _split(self, p: int, rho_f: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masks over live supporters of p: surely capped, surely not, too close to call."""
        groups = self.shares.supporters[p]
        b = self.budget[groups]
        need = rho_f * self.shares.u_f[p]
        margin = _TOL * np.maximum(b, need) + 1e-300
        diff = b - need
        live = ~self._exhausted_after(len(self.bought))[groups]
        capped = (diff < -margin) & live
        free = diff > margin
        return capped, free, live & ~(capped | free)

    def _rho_exact(self, p: int, rho_f: float) -> Fraction:
        """The exact rho: capped groups pay all they have, the others share the rest."""
        groups = self.shares.supporters[p]
        u = self.shares.utils[p]
        m = self.shares.mult[groups]
        capped, free, near = self._split(p, rho_f)
        near_idx = np.flatnonzero(near)
        near_budget = self._exact_budgets(groups[near_idx]) if near_idx.size else []
        capped_money = self._exact_sum(groups[capped])
        util_left = int(m[free | near] @ u[free | near])
        moved = [False] * len(near_idx)
        cost = self.shares.costs[p]
        while True:
            if util_left == 0:
                return max(
                    Fraction(b) / int(u[k]) for k, b in zip(near_idx, near_budget, strict=True)
                )
            rho = (cost - capped_money) / util_left
            changed = False
            for j, k in enumerate(near_idx):
                if not moved[j] and near_budget[j] < rho * int(u[k]):
                    moved[j] = changed = True
                    capped_money += int(m[k]) * near_budget[j]
                    util_left -= int(m[k]) * int(u[k])
            if not changed:
                return rho

    # --- reporting ---------------------------------------------------------------------
    def purchases(self) -> list[MESPurchase]:
        shares = self.shares
        rhos = self._exact_rhos()
        scale = shares.matrix.scale
        capped = [  # who gave all they had left, and had something
            buy.capped & ~self._exhausted_after(r)[shares.supporters[buy.project]]
            for r, buy in enumerate(self.bought)
        ]
        sets = [shares.supporters[b.project][c] for b, c in zip(self.bought, capped, strict=True)]
        spent = self._spent(sets, list(range(len(self.bought))))
        result = []
        for r, (buy, rho) in enumerate(zip(self.bought, rhos, strict=True)):
            payers: list[PayerGroup] = []
            p = buy.project
            sup, util = shares.supporters[p], shares.utils[p]
            voters = int(shares.mult[sets[r]].sum())
            capped_share = rho * int(shares.mult[sets[r]] @ util[capped[r]])
            exactly = voters > 0 and self._money_after(voters, spent[r], r) == capped_share
            full = ~buy.capped
            if exactly:
                full |= capped[r]  # they had exactly their share
            free_u = util[full]
            free_m = shares.mult[sup[full]]
            full_paid = Fraction(0)
            for value in np.unique(free_u):
                n = int(free_m[free_u == value].sum())
                each = rho * int(value)
                full_paid += each * n
                payers.append(PayerGroup(n, Fraction(int(value), scale), each, each * n, False))
            if voters and not exactly:
                payers.append(PayerGroup(voters, None, None, shares.costs[p] - full_paid, True))
            result.append(
                MESPurchase(
                    shares.instance.projects[p].id,
                    r + 1,
                    rho * scale,
                    shares.costs[p],
                    int(shares.mult[sup].sum()),
                    payers,
                )
            )
        return result

    def losers(self, chosen: set[int]) -> list[MESLoser]:
        shares = self.shares
        projects = shares.instance.projects
        losing = [p for p in range(len(projects)) if p not in chosen]
        k = len(self.bought)
        money = self._moneys([self._live(shares.supporters[p], k) for p in losing], k)
        return [
            MESLoser(
                projects[p].id,
                projects[p].cost,
                int(shares.mult[shares.supporters[p]].sum()),
                left,
                max(Fraction(0), projects[p].cost - left),
            )
            for p, left in zip(losing, money, strict=True)
        ]


class _Budget:
    """Feasibility and exhaustiveness of a run's outcome in integers (costs scaled by a
    common denominator)."""

    def __init__(self, instance: Instance, shares: _EqualShares, checker: bool = False) -> None:
        self.checker = checker
        scale = math.lcm(
            instance.budget.denominator, *(p.cost.denominator for p in instance.projects)
        )
        self.costs = [int(p.cost * scale) for p in instance.projects]
        self.limit = int(instance.budget * scale)
        self.candidates = shares.mes_projects
        self.free = shares.free_projects

    def fits(self, run: _Run) -> bool:
        return sum(self.costs[i] for i in self.free + run.sequence) <= self.limit

    def exhaustive(self, run: _Run) -> bool:
        """No other supported project (pabutools' MES projects) fits in what is left. The
        checker's Add1 has no such stop; it ends, where it ends at all, once every supported
        project is bought, as every larger x buys them all too."""
        if self.checker:
            return len(run.bought) == len(self.candidates)
        chosen = self.free + run.sequence
        left = self.limit - sum(self.costs[i] for i in chosen)
        taken = set(chosen)
        return all(self.costs[p] > left for p in self.candidates if p not in taken)


def _same_between(left: _Run, right: _Run, proved: int | None = None) -> bool:
    """Whether every x between left.x and right.x buys the same projects as both.

    Only the set matters to Add1 (whether it fits and whether it is exhaustive), and the set
    does not depend on the order in which projects with no supporter in common are bought.
    Call a project a local winner if its supporters can pay for it and it beats (lower rho,
    then the tie-break) every project it shares a supporter with. The global winner is one;
    two local winners share no supporter, so buying one leaves the other a local winner and
    both orders end in the same budgets. So every way of buying local winners until none is
    affordable ends with MES's set (Newman's lemma: the process terminates and is locally
    confluent).

    Suppose both runs buy the same projects and order every two that share a supporter
    alike. Then a project's supporters hold the same money when it is bought in either run's
    order, and buying right's sequence at any x in between is such a process, given that
    in each round k its project A beats every project it shares a supporter with: given the
    same purchases, budgets do not decrease with x and rhos do not increase (paying
    max(0, b - rho u) keeps that order), so A's rho in between is at most left's and each
    rival's at least right's lower bound for it in round k. Where those are too close to
    separate, A's exact rho equal at both ends is the same in between, and right's exact
    comparison in round k holds in between too. Right's last round leaves no project
    affordable, nor then does any smaller x. `proved`: `_proved(left, right)`, if known.
    """
    if proved is None:
        proved = _proved(left, right)
    return proved == len(right.bought) and sorted(left.sequence) == sorted(right.sequence)


def _proved(left: _Run, right: _Run) -> int:
    """How many of right's first rounds hold at every x between left.x and right.x, in the
    sense of `_same_between`: each round's project was bought by left after the same
    projects it shares a supporter with, and beats those in between."""
    chosen = right.sequence
    n = len(chosen)
    neighbours = right.shares.neighbours()
    if left.sequence[:n] == chosen:
        first = n
    else:  # the first round whose project left bought after other neighbours, or not at all
        m = len(right.shares.costs)
        at_left = np.full(m, m)
        at_left[left.sequence] = np.arange(len(left.sequence))
        at_right = np.full(m, m)
        at_right[chosen] = np.arange(n)
        index = np.array(chosen, dtype=np.intp)
        before_right = at_right[None, :] < np.arange(n)[:, None]
        before_left = at_left[None, :] < at_left[index][:, None]
        near = neighbours[index]
        bad = (near & (before_right != before_left)).any(axis=1) | (at_left[index] == m)
        first = int(np.argmax(bad)) if bad.any() else n
    rounds = left.rounds()
    for k in range(first):
        p, j = chosen[k], rounds[chosen[k]]
        bar = left.winner_rho[j] * (1 + _PROOF_TOL)
        if right.floor[k] > bar:
            continue
        near_p = neighbours[p]
        if any(rho <= bar and near_p[q] for rho, q in right.bounds[k] if q != p) and (
            not _same_rho(left, j, right, k)
        ):
            return k
    return first


def _same_rho(left: _Run, j: int, right: _Run, k: int) -> bool:
    """Whether left's round j and right's round k bought at the same exact rho."""
    rho_left, rho_right = left.winner_rho[j], right.winner_rho[k]
    if abs(rho_left - rho_right) > _TOL * rho_right:
        return False
    paying_left, paying_right = left.paying(j), right.paying(k)
    if paying_left is not None and paying_right is not None:
        return paying_left == paying_right
    return left._exact_rhos()[j] == right._exact_rhos()[k]


def _settle(
    shares: _EqualShares, budget: _Budget, left: _Run, right: _Run, proved: int | None = None
) -> _Run | None:
    """Go through every x in (left.x, right.x] in order, `left` fitting and not exhaustive;
    return the run Add1 ends with if it ends there. A gap that `_same_between` cannot prove
    is split at a run in its middle, which follows right's purchases as far as they are
    proved (`proved`: `_proved(left, right)`, if known)."""
    if right.x - left.x > 1:
        proved = _proved(left, right) if proved is None else proved
        if not _same_between(left, right, proved):
            middle = shares.run(
                left.x + (right.x - left.x) // 2, reference=left, upper=right, follow=proved
            )
            end = _settle(shares, budget, left, middle)
            return end if end is not None else _settle(shares, budget, middle, right)
    if not budget.fits(right):
        return left
    return right if budget.exhaustive(right) else None


def _add1(shares: _EqualShares, first: _Run, budget: _Budget) -> tuple[_Run, int]:
    """pabutools' Add1 loop over x = B/n, B/n + 1, ...: stop at an exhaustive outcome, or
    keep the previous one at the first outcome over budget. Returns the run kept and
    pabutools' number of MES runs.

    Runs are skipped, not guessed. A run `step` units past the last settled x either proves
    that every x in between buys the same projects (`_same_between`: in whatever order), and
    the step doubles, or the gap is split at runs in its middle until every part is proved
    or has no x inside (`_settle`), and the step halves, to no less than 8. Runs inside a
    gap are cheaper: they buy the end run's first purchases as far as they are proved, in
    its order (`_Run.follow`), and then take bounds from it (`_Run.buy`). The run kept is
    rerun if it followed another's order, so that it explains MES's own order. Where
    nothing can be skipped this is one run per x, and a few past the end.
    """
    if budget.exhaustive(first):
        return first, 1
    left, step = first, 8
    while True:
        right = shares.run(left.x + step, reference=left)
        proved = _proved(left, right)
        skipped = _same_between(left, right, proved)
        end = _settle(shares, budget, left, right, proved)
        if end is not None:
            runs = int(end.x - first.x) + (1 if budget.exhaustive(end) else 2)
            return (shares.run(end.x) if end.followed else end), runs
        left, step = right, step * 2 if skipped else max(8, step // 2)


def _add1_checker(shares: _EqualShares, first: _Run, budget: _Budget) -> tuple[_Run, int]:
    """The Pabulib checker's and equalshares.net's Add1: after MES at B/n, whole per-voter
    budgets floor(B/n) + 1, + 2, ...; keep each outcome that fits, stop at the first that
    does not. Returns the run kept and the checker's number of MES runs."""
    if budget.exhaustive(first):  # every supported project bought: no run can add one
        return first, 1
    start = shares.run(Fraction(math.floor(first.x) + 1), reference=first)
    if not budget.fits(start):
        return first, 2
    end, _ = _add1(shares, start, budget)
    runs = int(end.x - start.x) + 2
    return end, runs + (0 if budget.exhaustive(end) else 1)


def _comparison(
    instance: Instance, matrix: BallotMatrix, chosen: list[int]
) -> tuple[list[int], GreedyExplanation | None]:
    """The checker's comparison step: greedy by number of approvals (ties in file order),
    which wins if more voters approve more of its projects than of Equal Shares' than the
    other way round. Returns the projects kept and, if greedy won, its explanation (whose
    `order_by` gives both counts) to stand for the outcome's."""
    votes = [Fraction(int(matrix.mult[s].sum())) for s in matrix.supporters]
    greedy, explanation = greedy_select(
        instance, votes, list(range(len(votes))), per_cost=False, order_by="votes"
    )
    mes_sat = np.zeros(matrix.n_groups, dtype=np.int64)
    greedy_sat = np.zeros(matrix.n_groups, dtype=np.int64)
    for p in chosen:
        mes_sat[matrix.supporters[p]] += 1
    for p in greedy:
        greedy_sat[matrix.supporters[p]] += 1
    prefer_mes = int(matrix.mult[mes_sat > greedy_sat].sum())
    prefer_greedy = int(matrix.mult[greedy_sat > mes_sat].sum())
    if prefer_greedy <= prefer_mes:
        return chosen, None
    explanation.order_by = (
        f"votes (comparison step: {prefer_greedy} voters prefer greedy, {prefer_mes} Equal Shares)"
    )
    return greedy, explanation


def method_of_equal_shares(
    instance: Instance,
    profile: Profile,
    tie_break: str = "id",
    *,
    add1: bool = False,
    completion: bool = False,
    checker: bool = False,
    comparison: bool = False,
) -> Outcome:
    """MES, optionally with the Add1 completion and/or a final utilitarian greedy.

    `checker` makes Add1 the Pabulib checker's (`_add1_checker`) and breaks ties as the
    checker does ("cost"); `comparison` adds the checker's comparison step (`_comparison`).
    """
    if checker:
        tie_break = "cost"
    matrix = ballot_matrix(instance, profile, "mes")
    if matrix.negative:
        raise UnsupportedRuleError("Equal Shares needs non-negative scores")
    if tie_break == "cost":
        support = support_totals(instance, profile)
    else:
        support = [Fraction(0)] * len(instance.projects)
    ranks = tie_ranks(instance, support, tie_break)
    shares = _EqualShares(instance, matrix, ranks)
    n = matrix.n_voters
    x = Fraction(instance.budget, n) if n else Fraction(0)
    chosen = list(shares.free_projects)
    explanation = MESExplanation(x, [], [])
    if n:
        run = shares.run(x)
        if add1:
            extend = _add1_checker if checker else _add1
            run, explanation.add1_iterations = extend(
                shares, run, _Budget(instance, shares, checker)
            )
        chosen += run.sequence
        explanation.budget_per_voter = run.x
        explanation.purchases = run.purchases()
        explanation.losers = run.losers(set(chosen))
    rule = "mes-add1" if add1 else "mes"
    if checker and add1 and not comparison:
        rule += "-checker"
    result: MESExplanation | GreedyExplanation = explanation
    if comparison:
        rule += "-comparison"
        chosen, preferred = _comparison(instance, matrix, chosen)
        if preferred is not None:  # greedy's outcome, explained as greedy
            result = preferred
    if completion:
        rule += "+greedy"
        totals = [Fraction(t, matrix.scale) for t in shares.totals]
        extra, explanation.completion = greedy_select(
            instance,
            totals,
            ranks,
            per_cost=True,
            already=chosen,
            order_by="satisfaction per cost",
        )
        chosen += extra
    return Outcome.of_chosen(rule, tie_break, instance, chosen, result)


def mes_add1_checker(instance: Instance, profile: Profile, tie_break: str = "cost") -> Outcome:
    """Equal Shares with the Pabulib checker's Add1 (equalshares.net's, no exhaustiveness
    stop), ties broken as the checker does."""
    return method_of_equal_shares(instance, profile, tie_break, add1=True, checker=True)


def mes_add1_comparison(instance: Instance, profile: Profile, tie_break: str = "cost") -> Outcome:
    """The checker's `equalshares/add1-comparison`: its Add1, then the comparison step."""
    return method_of_equal_shares(
        instance, profile, tie_break, add1=True, checker=True, comparison=True
    )


def mes_comparison(instance: Instance, profile: Profile, tie_break: str = "cost") -> Outcome:
    """The checker's `equalshares-comparison`: MES at B, then the comparison step."""
    return method_of_equal_shares(instance, profile, tie_break, checker=True, comparison=True)


class EqualSharesReruns:
    """Equal Shares re-run with one project changed, for the measures (`voting.measures`).

    The groups of identical ballots, their utilities and every other project's arrays are
    built once. A re-run changes only project p: its cost, or k extra voters who support p
    alone, appended as one more group (groups need not be maximal, see `voting.matrix`). It
    builds no explanation and stops as soon as p is bought. Where the change would touch
    other utilities (a new common denominator, a scoring default, sums past exactness) it
    runs the full rule instead, so every answer is the rule's own.
    """

    def __init__(
        self,
        instance: Instance,
        profile: Profile,
        tie_break: str = "id",
        matrix: BallotMatrix | None = None,
    ) -> None:
        """`matrix`: the election's "mes" ballot matrix, if the caller has it already."""
        self.instance, self.profile, self.tie_break = instance, profile, tie_break
        self.matrix = ballot_matrix(instance, profile, "mes") if matrix is None else matrix
        n_projects = len(instance.projects)
        self.support = (
            support_totals(instance, profile) if tie_break == "cost" else [Fraction(0)] * n_projects
        )
        self.ranks = tie_ranks(instance, self.support, tie_break)
        self.shares = _EqualShares(instance, self.matrix, self.ranks)
        default = profile.constraints.default_score if profile.vote_type == "scoring" else 0
        self._base: tuple[_Run, dict[int, _Snapshot]] | None = None
        self.largest = max(
            [abs(int(default * self.matrix.scale))]
            + [int(u.max()) for u in self.matrix.utils if u.size]
        )

    def _with_cost(self, p: int, cost: Fraction) -> Instance:
        projects = list(self.instance.projects)
        projects[p] = replace(projects[p], cost=cost)
        return replace(self.instance, projects=projects)

    def _plain(self, instance: Instance, profile: Profile, p: int, completion: bool) -> bool:
        outcome = method_of_equal_shares(instance, profile, self.tie_break, completion=completion)
        return instance.projects[p].id in outcome.selected

    def _exact(self, value: int, voters: int) -> bool:
        """Whether ballot_matrix would keep sums of a new utility `value` exact."""
        return max(self.largest, value) * max(1, voters) < 2**52

    def bought_at(self, p: int, cost: Fraction) -> bool:
        """Whether Equal Shares (no completion) buys p when p costs `cost`."""
        instance, matrix = self._with_cost(p, cost), self.matrix
        if self.profile.vote_type == "approval":  # p's utility is its cost
            value = cost * matrix.scale
            if value.denominator != 1 or not self._exact(int(value), matrix.n_voters):
                return self._plain(instance, self.profile, p, False)
            utils = list(matrix.utils)
            utils[p] = np.full(matrix.supporters[p].size, int(value), dtype=np.int64)
            matrix = replace(matrix, utils=utils)
        if not matrix.n_voters:
            return self._plain(instance, self.profile, p, False)
        ranks = self.ranks
        if self.tie_break == "cost":
            ranks = tie_ranks(instance, self.support, self.tie_break)
        shares = self.shares.changed(p, instance, matrix, ranks, drop=False)
        if p in shares.free_projects:
            return True
        run = shares.run(Fraction(instance.budget, matrix.n_voters), until=p)
        return p in run.sequence

    def bought_with(self, p: int, ballot: Ballot, k: int, completion: bool) -> bool:
        """Whether Equal Shares (with its greedy completion if `completion`) selects p when
        k more voters each cast `ballot`, a ballot of p alone."""
        matrix, profile = self.matrix, self.profile
        vote_type = profile.vote_type
        value: Fraction | int
        if vote_type == "approval":
            value = self.instance.projects[p].cost * matrix.scale
        elif vote_type == "ordinal":
            value = 0  # Borda: a ranking of one gives it nothing
        else:
            value = Fraction(ballot.points[0] if ballot.points else 0) * matrix.scale
        support = Fraction(ballot.points[0]) if ballot.points else Fraction(1)
        n = matrix.n_voters + k
        if (
            (vote_type == "scoring" and profile.constraints.default_score != 0)
            or Fraction(value).denominator != 1
            or value < 0
            or support < 0
            or not self._exact(int(value), n)
        ):
            extended = replace(profile, ballots=[*profile.ballots, *[ballot] * k])
            return self._plain(self.instance, extended, p, completion)
        supporters, utils = list(matrix.supporters), list(matrix.utils)
        if value > 0:
            supporters[p] = np.append(supporters[p], matrix.n_groups)
            utils[p] = np.append(utils[p], int(value))
        mult = np.append(matrix.mult, k)
        matrix = replace(matrix, mult=mult, supporters=supporters, utils=utils, n_voters=n)
        ranks = self.ranks
        if self.tie_break == "cost":
            more = list(self.support)
            more[p] += k * support
            ranks = tie_ranks(self.instance, more, self.tie_break)
        shares = self.shares.changed(p, self.instance, matrix, ranks, drop=False)
        if p in shares.free_projects:
            return True
        run = shares.run(Fraction(self.instance.budget, n), until=p)
        if p in run.sequence:
            return True
        if not completion:
            return False
        totals = [Fraction(t, matrix.scale) for t in shares.totals]
        extra, _ = greedy_select(
            self.instance,
            totals,
            ranks,
            per_cost=True,
            already=shares.free_projects + run.sequence,
            order_by="",
        )
        return p in extra

    def base(self) -> tuple[_Run, dict[int, _Snapshot]]:
        """The unchanged run, with snapshots of its rounds (every `step`-th round if keeping
        them all would take more than _SNAPSHOT_LIMIT floats)."""
        if self._base is None:
            shares = self.shares
            rounds = len(shares.mes_projects) + 1
            step = max(1, -(-shares.matrix.n_groups * rounds // _SNAPSHOT_LIMIT))
            record: dict[int, _Snapshot | None] = dict.fromkeys(range(0, rounds, step))
            run = _Run(shares, Fraction(self.instance.budget, shares.matrix.n_voters))
            run.buy(None, None, record=record)
            run._exact_rhos()
            self._base = run, {r: s for r, s in record.items() if s is not None}
        return self._base

    def without(self, p: int) -> tuple[Fraction, list[tuple[int, Fraction]], list[int]]:
        """Equal Shares (no completion) in which p is never bought, as when it costs more than
        the budget: the budget per voter, each purchase in order with its price per unit of
        utility (as `MESPurchase.rho`), and the projects chosen (free ones first).

        The rounds before the one that bought p are the unchanged run's, so the run goes on
        from the latest snapshot at or before that round, without p in its heap."""
        matrix = self.matrix
        shares = self.shares.changed(p, self.instance, matrix, self.ranks, drop=True)
        if not matrix.n_voters:
            return Fraction(0), [], list(shares.free_projects)
        base, snapshots = self.base()
        run = _Run(shares, base.x)
        at = [r for r in snapshots if r <= base.sequence.index(p)] if p in base.sequence else []
        if at:
            r = max(at)
            heap, gone, budget = snapshots[r]
            run.budget = budget.copy()
            run.bought = base.bought[:r]
            for name in ("winner_rho", "floor", "bounds"):
                setattr(run, name, getattr(base, name)[:r])
            run.nums, run.dens = base.nums[:r], base.dens[:r]
            heap = [entry for entry in heap if entry[1] != p]
            heapq.heapify(heap)
            run.buy(None, None, resume=_Snapshot(heap, set(gone), run.budget))
        else:
            run.buy(None, None)
        rhos = run._exact_rhos()
        purchases = [
            (b.project, rho * matrix.scale) for b, rho in zip(run.bought, rhos, strict=True)
        ]
        return run.x, purchases, shares.free_projects + run.sequence
