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
left, a capped voter has 0, so exact sums need only integer sums over groups. Add1 skips
the runs it can prove would repeat the previous outcome (see `_add1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from voting.errors import UnsupportedRuleError
from voting.greedy import greedy_select
from voting.matrix import BallotMatrix, ballot_matrix, support_totals
from voting.model import Instance, Profile
from voting.outcome import MESExplanation, MESLoser, MESPurchase, Outcome, PayerGroup
from voting.tiebreak import tie_ranks

__all__ = ["method_of_equal_shares"]

_TOL = 1e-9


@dataclass
class _Purchase:
    """A bought project; `rho` (exact) is derived from who was capped only when needed.

    `free` and `capped` are positions among the project's supporters (full payers, and
    supporters who gave all they had left).
    """

    project: int
    free: np.ndarray
    capped: np.ndarray
    rho: Fraction | None = None


class _EqualShares:
    """Precomputed supporter arrays, reused by every run (Add1 runs MES many times)."""

    def __init__(self, instance: Instance, matrix: BallotMatrix, ranks: list[int]) -> None:
        self.instance = instance
        self.matrix = matrix
        self.ranks = ranks
        self.costs = [p.cost for p in instance.projects]
        self.costs_f = [float(c) for c in self.costs]
        self.mult = matrix.mult
        self.n_groups = matrix.n_groups
        self.supporters = matrix.supporters
        self.utils = matrix.utils
        self.u_f = [u.astype(np.float64) for u in matrix.utils]
        self.m_f = [matrix.mult[idx].astype(np.float64) for idx in self.supporters]
        self.mu_f = [m * u for m, u in zip(self.m_f, self.u_f, strict=True)]
        self.total_util = matrix.totals()
        self.mes_projects = [
            p for p in range(len(self.costs)) if self.total_util[p] > 0 and self.costs[p] > 0
        ]
        self.free_projects = sorted(
            (p for p in range(len(self.costs)) if self.total_util[p] > 0 and self.costs[p] == 0),
            key=lambda p: ranks[p],
        )
        self._scratch = np.zeros(self.n_groups, dtype=np.float64)
        self.winners: list[int] = []  # the purchases a probe must repeat (see `_certify`)

    def run(
        self, x: Fraction, below: list[float] | None = None, probe: bool = False
    ) -> list[_Purchase]:
        """MES with initial budget x per voter; returns purchases in order.

        As in pabutools, a project's last rho is a lower bound on its next one (budgets only
        shrink), so each round evaluates projects by increasing bound and stops early.
        With `below` (the winners' rhos of a run at a smaller x, which bought `winners`),
        `certified` tells whether every x in between surely gives the same purchases (see
        `_certify`); a `probe` stops as soon as it cannot prove it.
        """
        self.certified = below is not None
        self.x = x
        self.budget_f = np.full(self.n_groups, float(x))
        self.exhausted = np.zeros(self.n_groups, dtype=bool)
        self.bought: list[_Purchase] = []
        self.winner_rho: list[float] = []  # per round, for `_certify`
        # exact rhos as integers over growing common denominators: rho_k = nums[k] / dens[k]
        self.nums: list[int] = []
        self.dens: list[int] = []
        remaining = set(self.mes_projects)
        lower = {p: self.costs_f[p] / self.total_util[p] for p in remaining}
        while remaining:
            evaluated: list[tuple[float, int]] = []
            best = float("inf")
            for p in sorted(remaining, key=lower.__getitem__):
                if lower[p] > best * (1 + _TOL):
                    break
                rho = self._evaluate(p, lower[p])
                if rho is None:
                    remaining.discard(p)
                    continue
                lower[p] = rho
                evaluated.append((rho, p))
                best = min(best, rho)
            if not evaluated:
                break
            close = [p for rho, p in evaluated if rho <= best * (1 + _TOL)]
            if len(close) == 1:
                winner = close[0]
                winner_rho = None
            else:
                exact = {p: self._rho_exact(p, lower[p]) for p in close}
                winner_rho = min(exact.values())
                winner = min(
                    (p for p in close if exact[p] == winner_rho), key=self.ranks.__getitem__
                )
            if below is not None and self.certified:
                self._certify(below, winner, remaining, lower)
                if probe and not self.certified:
                    return self.bought  # a failed probe: the caller discards it
            self._pay(winner, winner_rho, lower[winner])
            remaining.discard(winner)
            self.winner_rho.append(lower[winner])
        if below is not None and len(below) != len(self.bought):
            self.certified = False
        return self.bought

    def _certify(
        self, below: list[float], winner: int, remaining: set[int], lower: dict[int, float]
    ) -> None:
        """Check that this round's winner also wins at every smaller x down to a run whose
        winners' rhos were `below`; clear `certified` if not.

        Given the same earlier purchases, every budget is non-decreasing in the initial budget
        x and every rho non-increasing (paying max(0, b - rho u) keeps that order). So if no
        rival's rho here, at the larger x, is below the winner's rho at the smaller x, nothing
        overtakes the winner in between; rivals unaffordable here are unaffordable there too.
        Stale lower bounds that are too low are replaced by the rival's actual rho.
        """
        r = len(self.bought)
        if r >= len(below) or self.winners[r] != winner:
            self.certified = False
            return
        limit = below[r] * (1 + 100 * _TOL)
        for q in list(remaining):
            if q == winner or lower[q] > limit:
                continue
            rho = self._evaluate(q, lower[q])
            if rho is None:
                remaining.discard(q)
                continue
            lower[q] = rho
            if rho <= limit:
                self.certified = False
                return

    def _exact_rhos(self) -> list[Fraction]:
        """Exact rho of every purchase so far, from who paid in full and who was capped."""
        for k in range(len(self.nums), len(self.bought)):
            buy = self.bought[k]
            if buy.rho is None:
                p = buy.project
                util_left = int(self.mult[self.supporters[p][buy.free]] @ self.utils[p][buy.free])
                money = self._money(self.supporters[p][buy.capped], k)
                buy.rho = (self.costs[p] - money) / util_left
            previous = self.dens[-1] if self.dens else self.x.denominator
            den = math.lcm(previous, buy.rho.denominator)
            self.dens.append(den)
            self.nums.append(buy.rho.numerator * (den // buy.rho.denominator))
        return [b.rho for b in self.bought if b.rho is not None]

    def _money(self, live: np.ndarray, k: int) -> Fraction:
        """Exact money of groups `live` (never capped) after the first k purchases."""
        if live.size == 0:
            return Fraction(0)
        m = self.mult[live]
        den = self.dens[k - 1] if k else self.x.denominator
        total = self.x.numerator * (den // self.x.denominator) * int(m.sum())
        if k:
            weights = self._scratch
            weights[live] = m
            for j in range(k):
                p = self.bought[j].project
                # float64 sums of integers below 2**52 (checked in ballot_matrix) are exact;
                # no `@`: BLAS would spin up threads for long vectors on a busy machine
                w = int((weights[self.supporters[p]] * self.u_f[p]).sum())
                if w:
                    total -= self.nums[j] * (den // self.dens[j]) * w
            weights[live] = 0.0
        return Fraction(total, den)

    def _exact_sum(self, idx: np.ndarray) -> Fraction:
        """Exact money left to the voters of groups idx."""
        self._exact_rhos()
        return self._money(idx[~self.exhausted[idx]], len(self.bought))

    def _exact_budgets(self, idx: np.ndarray) -> list[Fraction]:
        """Exact money left to each group in idx (one Fraction per distinct spending pattern)."""
        rhos = self._exact_rhos()
        if not self.bought:
            return [Fraction(0) if e else self.x for e in self.exhausted[idx]]
        rows = np.zeros((len(idx), len(self.bought)), dtype=np.int64)
        scratch = np.zeros(self.n_groups, dtype=np.int64)
        for j, buy in enumerate(self.bought):
            sup = self.supporters[buy.project]
            scratch[sup] = self.utils[buy.project]
            rows[:, j] = scratch[idx]
            scratch[sup] = 0
        patterns, inverse = np.unique(rows, axis=0, return_inverse=True)
        values = [
            self.x - sum((r * int(u) for r, u in zip(rhos, row, strict=True) if u), Fraction(0))
            for row in patterns
        ]
        return [
            Fraction(0) if e else values[k]
            for e, k in zip(self.exhausted[idx], inverse.reshape(-1), strict=True)
        ]

    def _evaluate(self, p: int, lower: float) -> float | None:
        """rho of p in floats, or None if its supporters cannot pay for it.

        rho is the smallest value with sum(min(budget, rho u)) = cost. Starting from a lower
        bound, capping the supporters who cannot pay rho u and re-solving only raises rho and
        reaches it in a few passes (pabutools' "poor/rich" loop), with no sorting.
        """
        idx = self.supporters[p]
        b = self.budget_f[idx]
        mb = self.m_f[p] * b
        money = float(mb.sum())
        cost = self.costs_f[p]
        if money < cost * (1 + _TOL) and (
            money < cost * (1 - _TOL) or self._exact_sum(idx) < self.costs[p]
        ):
            return None
        u, mu = self.u_f[p], self.mu_f[p]
        rho = lower
        capped_count = -1
        while True:
            capped = b < rho * u
            count = int(np.count_nonzero(capped))
            if count == capped_count:
                return rho
            capped_count = count
            util_left = float(mu[~capped].sum())
            if util_left <= 0:
                return float(np.max(b / u))
            rho = max(rho, (cost - float(mb[capped].sum())) / util_left)

    def _split(self, p: int, rho_f: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masks over live supporters of p: surely capped, surely not, too close to call."""
        idx = self.supporters[p]
        b = self.budget_f[idx]
        need = rho_f * self.u_f[p]
        margin = _TOL * np.maximum(b, need) + 1e-300
        diff = b - need
        live = ~self.exhausted[idx]
        capped = (diff < -margin) & live
        free = diff > margin
        return capped, free, live & ~(capped | free)

    def _rho_exact(self, p: int, rho_f: float) -> Fraction:
        """The exact rho: capped groups pay all they have, the others share the rest."""
        idx = self.supporters[p]
        u = self.utils[p]
        m = self.mult[idx]
        capped, free, near = self._split(p, rho_f)
        near_idx = np.flatnonzero(near)
        near_budget = self._exact_budgets(idx[near_idx]) if near_idx.size else []
        capped_money = self._exact_sum(idx[capped])
        util_left = int(m[free | near] @ u[free | near])
        moved = [False] * len(near_idx)
        cost = self.costs[p]
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

    def _pay(self, p: int, rho: Fraction | None, rho_f: float) -> None:
        """Charge the supporters of p; rho None means floats were unambiguous (exact later)."""
        idx = self.supporters[p]
        capped, free, near = self._split(p, rho_f)
        if near.any():
            if rho is None:
                rho = self._rho_exact(p, rho_f)
            near_idx = np.flatnonzero(near)
            exact = self._exact_budgets(idx[near_idx])
            u = self.utils[p][near_idx]
            for j, k in enumerate(near_idx):
                if exact[j] <= rho * int(u[j]):
                    capped[k] = True
                else:
                    free[k] = True
        if rho is not None:
            rho_f = float(rho)
        buy = _Purchase(p, np.flatnonzero(free), np.flatnonzero(capped), rho)
        if rho is None and not free.any():
            buy.rho = self._rho_exact(p, rho_f)
        self.bought.append(buy)
        self.budget_f[idx[free]] -= rho_f * self.u_f[p][free]
        self.budget_f[idx[capped]] = 0.0
        self.exhausted[idx[capped]] = True

    # --- reporting ---------------------------------------------------------------------
    def purchases(self) -> list[MESPurchase]:
        rhos = self._exact_rhos()
        scale = self.matrix.scale
        result = []
        for r, (buy, rho) in enumerate(zip(self.bought, rhos, strict=True), start=1):
            groups: list[PayerGroup] = []
            p = buy.project
            sup, util = self.supporters[p], self.utils[p]
            full = buy.free
            capped_share = rho * int(self.mult[sup[buy.capped]] @ util[buy.capped])
            if buy.capped.size and self._money(sup[buy.capped], r - 1) == capped_share:
                full = np.concatenate((buy.free, buy.capped))  # they had exactly their share
            free_u = util[full]
            free_m = self.mult[sup[full]]
            full_paid = Fraction(0)
            for value in np.unique(free_u):
                voters = int(free_m[free_u == value].sum())
                each = rho * int(value)
                full_paid += each * voters
                groups.append(
                    PayerGroup(voters, Fraction(int(value), scale), each, each * voters, False)
                )
            capped_voters = int(self.mult[sup[buy.capped]].sum())
            if capped_voters and full is buy.free:
                cost = self.costs[p]
                groups.append(PayerGroup(capped_voters, None, None, cost - full_paid, True))
            result.append(
                MESPurchase(
                    self.instance.projects[buy.project].id,
                    r,
                    rho * scale,
                    self.costs[buy.project],
                    int(self.mult[self.supporters[buy.project]].sum()),
                    groups,
                )
            )
        return result

    def losers(self, chosen: set[int]) -> list[MESLoser]:
        result = []
        for p, project in enumerate(self.instance.projects):
            if p in chosen:
                continue
            idx = self.supporters[p]
            money = self._exact_sum(idx)
            result.append(
                MESLoser(
                    project.id,
                    project.cost,
                    int(self.mult[idx].sum()),
                    money,
                    max(Fraction(0), project.cost - money),
                )
            )
        return result


class _Budget:
    """Feasibility and exhaustiveness in integers (costs scaled by a common denominator)."""

    def __init__(self, instance: Instance, candidates: list[int]) -> None:
        scale = math.lcm(
            instance.budget.denominator, *(p.cost.denominator for p in instance.projects)
        )
        self.costs = [int(p.cost * scale) for p in instance.projects]
        self.limit = int(instance.budget * scale)
        self.candidates = candidates

    def fits(self, chosen: list[int]) -> bool:
        return sum(self.costs[i] for i in chosen) <= self.limit

    def exhaustive(self, chosen: list[int]) -> bool:
        """No other supported project (pabutools' MES projects) fits in what is left."""
        left = self.limit - sum(self.costs[i] for i in chosen)
        taken = set(chosen)
        return all(self.costs[p] > left for p in self.candidates if p not in taken)


def _add1(
    instance: Instance, engine: _EqualShares, x: Fraction, chosen: list[int], free: list[int]
) -> tuple[Fraction, int]:
    """pabutools' Add1 loop over x = B/n, B/n + 1, ...: stop at an exhaustive outcome, or
    keep the previous one at the first outcome over budget. Leaves `engine` at the returned x.

    Runs are skipped, not guessed: once a step is proved to repeat the previous one, a
    probe `step` units ahead that `_certify` proves to give them at every x in between lets
    the loop jump there and double the step; a failed probe (stopped early) halves it, and a
    step of 1 is the plain loop.
    """
    start = x
    budget = _Budget(instance, engine.mes_projects)
    if budget.exhaustive(chosen):
        return x, 1
    sequence, low = [b.project for b in engine.bought], engine.winner_rho
    step = 1
    pause, wait = 0, 0  # after failed proofs, try again only every so often
    while True:
        if step > 1:
            engine.winners = sequence
            engine.run(x + step, below=low, probe=True)
            if engine.certified:
                x += step
                low = engine.winner_rho
                step *= 2
            else:
                step //= 2
            continue
        engine.winners = sequence
        trying = wait == 0
        trial = [b.project for b in engine.run(x + 1, below=low if trying else None)]
        wait = max(0, wait - 1)
        x += 1
        outcome = free + trial
        if not budget.fits(outcome):
            x -= 1
            engine.run(x)
            return x, int(x - start) + 2
        if budget.exhaustive(outcome):
            return x, int(x - start) + 1
        if trying:
            pause = 0 if engine.certified else min(2 * pause + 1, 16)
            wait = pause
        step = 2 if trying and engine.certified else 1
        sequence, low = trial, engine.winner_rho


def method_of_equal_shares(
    instance: Instance,
    profile: Profile,
    tie_break: str = "id",
    *,
    add1: bool = False,
    completion: bool = False,
) -> Outcome:
    """MES, optionally with the Add1 completion and/or a final utilitarian greedy."""
    matrix = ballot_matrix(instance, profile, "mes")
    if matrix.negative:
        raise UnsupportedRuleError("Equal Shares needs non-negative scores")
    if tie_break == "cost":
        support = support_totals(instance, profile)
    else:
        support = [Fraction(0)] * len(instance.projects)
    ranks = tie_ranks(instance, support, tie_break)
    engine = _EqualShares(instance, matrix, ranks)
    n = matrix.n_voters
    free = engine.free_projects
    projects = instance.projects

    def cost_of(chosen: list[int]) -> Fraction:
        return sum((projects[i].cost for i in chosen), Fraction(0))

    x = Fraction(instance.budget, n) if n else Fraction(0)
    chosen = list(free)
    iterations: int | None = None
    if n:
        chosen = free + [b.project for b in engine.run(x)]
        if add1:
            x, iterations = _add1(instance, engine, x, chosen, free)
            chosen = free + [b.project for b in engine.bought]
    explanation = MESExplanation(
        x,
        engine.purchases() if n else [],
        engine.losers(set(chosen)) if n else [],
        iterations,
    )
    rule = "mes-add1" if add1 else "mes"
    if completion:
        rule += "+greedy"
        totals = [Fraction(t, matrix.scale) for t in matrix.totals()]
        extra, explanation.completion = greedy_select(
            instance,
            totals,
            ranks,
            per_cost=True,
            already=chosen,
            order_by="satisfaction per cost",
        )
        chosen += extra
    return Outcome(
        rule,
        tie_break,
        [projects[i].id for i in chosen],
        cost_of(chosen),
        instance.budget,
        explanation,
    )
