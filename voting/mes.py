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
left, a capped voter has 0, so exact sums need only integer sums over groups.
"""

from __future__ import annotations

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
    project: int
    rho: Fraction


class _EqualShares:
    """Precomputed supporter arrays, reused by every run (Add1 runs MES many times)."""

    def __init__(self, instance: Instance, matrix: BallotMatrix, ranks: list[int]) -> None:
        self.instance = instance
        self.matrix = matrix
        self.ranks = ranks
        self.costs = [p.cost for p in instance.projects]
        self.costs_f = [float(c) for c in self.costs]
        util = matrix.util
        self.util = util
        self.mult = matrix.mult
        self.n_groups = util.shape[0]
        self.supporters: list[np.ndarray] = []
        self.u_f: list[np.ndarray] = []
        self.m_f: list[np.ndarray] = []
        self.mu_f: list[np.ndarray] = []
        self.total_util: list[int] = []
        for p in range(util.shape[1]):
            idx = matrix.supporters[p]
            u = util[idx, p].astype(np.float64)
            m = matrix.mult[idx].astype(np.float64)
            self.supporters.append(idx)
            self.u_f.append(u)
            self.m_f.append(m)
            self.mu_f.append(m * u)
            self.total_util.append(int(matrix.mult[idx] @ util[idx, p]))
        self.mes_projects = [
            p for p in range(len(self.costs)) if self.total_util[p] > 0 and self.costs[p] > 0
        ]
        self.free_projects = sorted(
            (p for p in range(len(self.costs)) if self.total_util[p] > 0 and self.costs[p] == 0),
            key=lambda p: ranks[p],
        )

    # --- state of one run -------------------------------------------------------------
    def run(self, x: Fraction) -> list[_Purchase]:
        """MES with initial budget x per voter; returns purchases in order."""
        self.x = x
        self.budget_f = np.full(self.n_groups, float(x))
        self.exhausted = np.zeros(self.n_groups, dtype=bool)
        self.bought: list[_Purchase] = []
        self.payers: list[list[PayerGroup]] = []
        remaining = set(self.mes_projects)
        lower = {p: self.costs_f[p] / self.total_util[p] for p in remaining}
        while remaining:
            evaluated: list[tuple[float, int]] = []
            best = float("inf")
            for p in sorted(remaining, key=lower.__getitem__):
                if lower[p] > best * (1 + _TOL):
                    break
                if not self._affordable(p):
                    remaining.discard(p)
                    continue
                rho = self._rho_float(p)
                lower[p] = rho
                evaluated.append((rho, p))
                best = min(best, rho)
            if not evaluated:
                break
            close = [p for rho, p in evaluated if rho <= best * (1 + _TOL)]
            exact = {p: self._rho_exact(p, lower[p]) for p in close}
            winner_rho = min(exact.values())
            winner = min((p for p in close if exact[p] == winner_rho), key=self.ranks.__getitem__)
            self._pay(winner, winner_rho, lower[winner])
            remaining.discard(winner)
        return self.bought

    def _exact_sum(self, idx: np.ndarray) -> Fraction:
        """Exact money left to the voters of groups idx."""
        live = idx[~self.exhausted[idx]]
        if live.size == 0:
            return Fraction(0)
        m = self.mult[live]
        total = self.x * int(m.sum())
        if self.bought:
            cols = np.array([b.project for b in self.bought], dtype=np.int64)
            # float64 sums of integers below 2**52 (checked in ballot_matrix) are exact
            spent = m.astype(np.float64) @ self.util[np.ix_(live, cols)].astype(np.float64)
            total -= sum(
                (b.rho * int(w) for b, w in zip(self.bought, spent, strict=True) if w),
                Fraction(0),
            )
        return total

    def _exact_budgets(self, idx: np.ndarray) -> list[Fraction]:
        """Exact money left to each group in idx (one Fraction per distinct spending pattern)."""
        if not self.bought:
            return [Fraction(0) if e else self.x for e in self.exhausted[idx]]
        cols = np.array([b.project for b in self.bought], dtype=np.int64)
        rows = self.util[np.ix_(idx, cols)]
        patterns, inverse = np.unique(rows, axis=0, return_inverse=True)
        values = [
            self.x
            - sum((b.rho * int(u) for b, u in zip(self.bought, row, strict=True)), Fraction(0))
            for row in patterns
        ]
        inverse = inverse.reshape(-1)
        return [
            Fraction(0) if e else values[k]
            for e, k in zip(self.exhausted[idx], inverse, strict=True)
        ]

    def _affordable(self, p: int) -> bool:
        idx = self.supporters[p]
        money = float(self.m_f[p] @ self.budget_f[idx])
        cost = self.costs_f[p]
        if money >= cost * (1 + _TOL):
            return True
        if money < cost * (1 - _TOL):
            return False
        return self._exact_sum(idx) >= self.costs[p]

    def _rho_float(self, p: int) -> float:
        """Smallest rho with sum(min(budget, rho u)) = cost, by scanning supporters by budget/u."""
        idx = self.supporters[p]
        b = self.budget_f[idx]
        ratio = b / self.u_f[p]
        order = np.argsort(ratio, kind="stable")
        paid_all = np.cumsum((self.m_f[p] * b)[order])
        before = np.concatenate(([0.0], paid_all[:-1]))
        util_left = np.cumsum(self.mu_f[p][order][::-1])[::-1]
        rho = (self.costs_f[p] - before) / util_left
        fits = np.flatnonzero(rho <= ratio[order])
        return float(rho[fits[0]] if fits.size else ratio[order][-1])

    def _split(self, p: int, rho_f: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masks over supporters of p: surely capped, surely not, too close to call in floats."""
        idx = self.supporters[p]
        b = self.budget_f[idx]
        need = rho_f * self.u_f[p]
        margin = _TOL * np.maximum(b, need) + 1e-300
        diff = b - need
        capped = diff < -margin
        free = diff > margin
        return capped, free, ~(capped | free)

    def _rho_exact(self, p: int, rho_f: float) -> Fraction:
        """The exact rho: capped groups pay all they have, the others share the rest."""
        idx = self.supporters[p]
        u = self.util[idx, p]
        m = self.mult[idx]
        capped, _free, near = self._split(p, rho_f)
        near_idx = np.flatnonzero(near)
        near_budget = self._exact_budgets(idx[near_idx]) if near_idx.size else []
        capped_money = self._exact_sum(idx[capped])
        util_left = int(m[~capped] @ u[~capped])
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

    def _pay(self, p: int, rho: Fraction, rho_f: float) -> None:
        idx = self.supporters[p]
        capped, free, near = self._split(p, float(rho))
        near_idx = np.flatnonzero(near)
        if near_idx.size:
            exact = self._exact_budgets(idx[near_idx])
            u = self.util[idx[near_idx], p]
            for j, k in enumerate(near_idx):
                if exact[j] <= rho * int(u[j]):
                    capped[k] = True
                else:
                    free[k] = True
        live = ~self.exhausted[idx]
        capped &= live
        groups: list[PayerGroup] = []
        free_u = self.util[idx[free], p]
        free_m = self.mult[idx[free]]
        scale = self.matrix.scale
        full_paid = Fraction(0)
        for value in np.unique(free_u):
            voters = int(free_m[free_u == value].sum())
            each = rho * int(value)
            full_paid += each * voters
            groups.append(
                PayerGroup(voters, Fraction(int(value), scale), each, each * voters, False)
            )
        capped_voters = int(self.mult[idx[capped]].sum())
        if capped_voters:
            groups.append(PayerGroup(capped_voters, None, None, self.costs[p] - full_paid, True))
        self.bought.append(_Purchase(p, rho))
        self.payers.append(groups)
        self.budget_f[idx[free]] -= float(rho) * self.u_f[p][free]
        self.budget_f[idx[capped]] = 0.0
        self.exhausted[idx[capped]] = True

    # --- reporting ---------------------------------------------------------------------
    def purchases(self) -> list[MESPurchase]:
        scale = self.matrix.scale
        return [
            MESPurchase(
                self.instance.projects[b.project].id,
                r,
                b.rho * scale,
                self.costs[b.project],
                int(self.mult[self.supporters[b.project]].sum()),
                payers,
            )
            for r, (b, payers) in enumerate(zip(self.bought, self.payers, strict=True), start=1)
        ]

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


def _exhaustive(instance: Instance, chosen: list[int], candidates: list[int]) -> bool:
    left = instance.budget - sum((instance.projects[i].cost for i in chosen), Fraction(0))
    taken = set(chosen)
    return all(instance.projects[p].cost > left for p in candidates if p not in taken)


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
    if profile.vote_type == "scoring" and (matrix.util < 0).any():
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
            iterations = 1
            while not _exhaustive(instance, chosen, engine.mes_projects):
                trial = free + [b.project for b in engine.run(x + 1)]
                iterations += 1
                if cost_of(trial) > instance.budget:
                    engine.run(x)
                    break
                x += 1
                chosen = trial
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
