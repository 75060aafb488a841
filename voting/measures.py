"""How far each project was from the other outcome: project performance measures.

Boehmer, Faliszewski, Janeczko, Peters, Pierczyński, Schierreich, Skowron & Szufa, "Guide to
Measures of Project Performance in Participatory Budgeting" (arXiv:2312.14723), and their
pabumeasures, measure a project by how the election would have to change, everything else
equal, for the rule to select it. Two of their measures are computed here, for every project:

- `max_cost` (the paper's cost reduction, read as a price): the largest cost at which the
  project is selected. For a loser, cost - max_cost is the smallest reduction that makes it
  win; for a winner, max_cost - cost is how much its cost could have risen and it still win
  (its margin). Costs run over the instance's smallest unit (1 when all costs and the budget
  are whole numbers: a fen in the app), from one unit to the budget.
- `extra_supporters` (the paper's singleton addition): the fewest new voters, each casting a
  ballot of this project alone, that make a loser win (0 for a winner). A ballot of one project:
  approval and ordinal {p}; cumulative and scoring ballots give it the most points one ballot
  may give one project (`max_points`, else `max_sum_points`, else 1).

Why the searches are exact (docs/voting.md says more): for greedy, Equal Shares (its Equal
Shares phase and its greedy completion) and Phragmén, changing one project's cost or adding
voters who support only it leaves the run unchanged until that project is bought, so the set
of costs at which it is selected is an interval [1, max_cost] (the project only gets more
attractive as its cost falls), and for greedy and Phragmén the set of winning numbers of extra
supporters is [k, oo). Each measure is then one pass over the original run (for a winner, over
the run without it): greedy and Phragmén in exact Fractions; Equal Shares with float budgets,
settled by a binary search of re-runs where the floats are within 1e-9 of a whole unit or a
tie over a range of costs is possible. Equal Shares' extra supporters change every voter's
share B/n, so nothing makes that measure monotone: it is found by re-running the rule with
k, k + 1, ... extra voters, from the first k at which p's supporters could hold its cost,
within a budget of re-runs (`supporters_searched` then says how far it looked). Add1 changes
the per-voter budget with every cost, so its measures are not computed.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import partial
from typing import Any

import numpy as np

from voting.greedy import density_key
from voting.matrix import BallotMatrix, ballot_matrix, support_totals
from voting.mes import EqualSharesReruns
from voting.model import Ballot, Instance, Profile, format_exact
from voting.outcome import MESExplanation, Outcome, PhragmenExplanation, PhragmenStep
from voting.rules import tally
from voting.tiebreak import tie_ranks

__all__ = [
    "MEASURED_RULES",
    "Measures",
    "ProjectMeasure",
    "measures_from_dict",
    "project_measures",
]

_TOL = 1e-9
#: Rules whose measures this module computes (Add1 is left out, see the module docstring).
MEASURED_RULES = ("greedy", "greedy-per-cost", "mes", "mes+greedy", "phragmen")


@dataclass(frozen=True)
class ProjectMeasure:
    """One project's measures. `max_cost` None: selected at no cost of one unit or more;
    `extra_supporters` None: no number would do (it costs more than the budget), or the
    bounded search stopped first, and then `supporters_searched` is the largest number tried."""

    project: str
    selected: bool
    cost: Fraction
    max_cost: Fraction | None
    extra_supporters: int | None
    supporters_searched: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "selected": self.selected,
            "cost": format_exact(self.cost),
            "max_cost": None if self.max_cost is None else format_exact(self.max_cost),
            "extra_supporters": self.extra_supporters,
            "supporters_searched": self.supporters_searched,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectMeasure:
        most = data.get("max_cost")
        extra, searched = data.get("extra_supporters"), data.get("supporters_searched")
        return cls(
            str(data["project"]),
            bool(data["selected"]),
            Fraction(str(data["cost"])),
            None if most is None else Fraction(str(most)),
            None if extra is None else int(extra),
            None if searched is None else int(searched),
        )


@dataclass(frozen=True)
class Measures:
    """Every project's measures under one rule; `notes` says what was not computed."""

    rule: str
    tie_break: str
    projects: tuple[ProjectMeasure, ...]
    notes: tuple[str, ...] = ()
    seconds: float = field(default=0.0, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "tie_break": self.tie_break,
            "projects": [m.to_dict() for m in self.projects],
            "notes": list(self.notes),
        }

    @property
    def measured(self) -> bool:
        """False for a rule the measures do not cover (Add1): nothing here to show."""
        return "rule_not_measured" not in self.notes

    def get(self, project: str) -> ProjectMeasure | None:
        return next((m for m in self.projects if m.project == project), None)


def measures_from_dict(data: dict[str, Any] | None) -> Measures | None:
    """Measures from their stored JSON (None when none were stored)."""
    if not data:
        return None
    return Measures(
        str(data["rule"]),
        str(data["tie_break"]),
        tuple(ProjectMeasure.from_dict(m) for m in data["projects"]),
        tuple(str(n) for n in data.get("notes", ())),
    )


# --- small searches --------------------------------------------------------------------------


def _largest(pred: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Largest c in [lo, hi] with pred(c), pred true on an initial interval; None if pred(lo)
    is false."""
    if hi < lo or not pred(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pred(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _smallest(pred: Callable[[int], bool], lo: int, limit: int) -> int | None:
    """Smallest k >= lo with pred(k), pred true from some k on; None if not true by `limit`."""
    if pred(lo):
        return lo
    bad, step = lo, 1
    while True:
        good = bad + step
        if good > limit:
            if bad >= limit or not pred(limit):
                return None
            good = limit
            break
        if pred(good):
            break
        bad, step = good, step * 2
    while good - bad > 1:
        mid = (bad + good) // 2
        if pred(mid):
            good = mid
        else:
            bad = mid
    return good


def _singleton_points(profile: Profile) -> Fraction:
    c = profile.constraints
    if profile.vote_type in ("approval", "ordinal"):
        return Fraction(1)
    for limit in (c.max_points, c.max_sum_points):
        if limit is not None and limit > 0:
            return Fraction(limit)
    return Fraction(1)


def _singleton(profile: Profile, pid: str) -> Ballot:
    if profile.vote_type in ("approval", "ordinal"):
        return Ballot((pid,))
    points = _singleton_points(profile)
    return Ballot((pid,), (int(points) if points.denominator == 1 else points,))


class _Context:
    """The election, its grid of costs, and re-runs of the rule (counted against a budget)."""

    def __init__(
        self,
        instance: Instance,
        profile: Profile,
        rule: str,
        tie_break: str,
        reruns: int,
        only: Collection[str] | None,
        plain_reruns: bool = False,
    ) -> None:
        self.instance = instance
        self.profile = profile
        self.rule = rule
        self.tie_break = tie_break
        self.reruns_left = reruns
        self.scale = math.lcm(
            instance.budget.denominator, *(p.cost.denominator for p in instance.projects)
        )
        self.top = math.floor(instance.budget * self.scale)  # the budget, in units
        self.ids = [p.id for p in instance.projects]
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self._matrices: dict[str, BallotMatrix] = {}
        self.wanted = [i for i, pid in enumerate(self.ids) if only is None or pid in only]
        self.plain_reruns = plain_reruns
        self._mes: EqualSharesReruns | None = None

    def unit(self, c: int) -> Fraction:
        return Fraction(c, self.scale)

    def with_cost(self, p: int, cost: Fraction) -> Instance:
        projects = list(self.instance.projects)
        projects[p] = replace(projects[p], cost=cost)
        return replace(self.instance, projects=projects)

    def run(self, instance: Instance, profile: Profile, rule: str | None = None) -> Outcome:
        return tally(instance, profile, rule or self.rule, self.tie_break)

    def matrix(self, measure: str) -> BallotMatrix:
        if measure not in self._matrices:
            self._matrices[measure] = ballot_matrix(self.instance, self.profile, measure)
        return self._matrices[measure]

    def selected_at(self, p: int, c: int, rule: str | None = None) -> bool:
        outcome = self.run(self.with_cost(p, self.unit(c)), self.profile, rule)
        return self.ids[p] in outcome.selected

    def without(self, p: int, rule: str | None = None) -> Outcome:
        """The run in which p is never bought: its cost set one unit above the budget."""
        return self.run(self.with_cost(p, self.unit(self.top + 1)), self.profile, rule)

    def selected_with(self, p: int, k: int) -> bool:
        extra = [_singleton(self.profile, self.ids[p])] * k
        profile = replace(self.profile, ballots=[*self.profile.ballots, *extra])
        self.reruns_left -= 1
        return self.ids[p] in self.run(self.instance, profile).selected

    def mes(self) -> EqualSharesReruns | None:
        """Equal Shares' fast re-runs (None when asked for the full rule's)."""
        if self.plain_reruns:
            return None
        if self._mes is None:
            self._mes = EqualSharesReruns(
                self.instance, self.profile, self.tie_break, self.matrix("mes")
            )
        return self._mes

    def mes_bought_at(self, p: int, c: int) -> bool:
        """Whether Equal Shares without completion buys p at c units."""
        fast = self.mes()
        if fast is None:
            return self.selected_at(p, c, "mes")
        return fast.bought_at(p, self.unit(c))

    def mes_selected_with(self, p: int, k: int, completion: bool) -> bool:
        """Whether the rule selects p with k extra voters who support p alone."""
        fast = self.mes()
        if fast is None:
            return self.selected_with(p, k)
        self.reruns_left -= 1
        return fast.bought_with(p, _singleton(self.profile, self.ids[p]), k, completion)

    def mes_without(self, p: int) -> _MESRun:
        """Equal Shares' run in which p is never bought."""
        fast = self.mes()
        if fast is None:
            return _mes_run(self, self.without(p))
        x, purchases, chosen = fast.without(p)
        return _MESRun(x, [(rho, q) for q, rho in purchases], set(chosen))


@dataclass(frozen=True)
class _MESRun:
    """What the measures read of an Equal Shares run: the budget per voter, each purchase's
    price per unit of utility (as `MESPurchase.rho`) and project, and the projects Equal
    Shares chose (before any completion)."""

    x: Fraction
    rounds: list[tuple[Fraction, int]]
    chosen: set[int]


def _mes_run(ctx: _Context, outcome: Outcome) -> _MESRun:
    e = outcome.explanation
    assert isinstance(e, MESExplanation)
    rounds = [(b.rho, ctx.index[b.project]) for b in e.purchases]
    if e.completion is None:
        chosen = {ctx.index[pid] for pid in outcome.selected}
    else:  # the completion considered every project Equal Shares left
        chosen = set(range(len(ctx.ids))) - {ctx.index[s.project] for s in e.completion.steps}
    return _MESRun(e.budget_per_voter, rounds, chosen)


# --- greedy: closed forms over the order of the other projects -------------------------------


class _GreedyOrder:
    """Greedy over every project but p: the others' sort keys in order and the money left
    before each turn. p inserted at position j is funded iff its cost <= left[j]; left only
    falls along the order, so the earlier p comes the likelier it is funded."""

    def __init__(
        self,
        ctx: _Context,
        p: int,
        key: Callable[[int, Fraction, Fraction, Fraction], tuple[Any, ...]],
        ranked: Sequence[tuple[tuple[Any, ...], int]],
        already: set[int],
    ) -> None:
        """`ranked`: every project's (key, index), sorted, as `_ranked` makes it."""
        projects = ctx.instance.projects
        keyed = [(k, i) for k, i in ranked if i != p and i not in already]
        self.keys = [k for k, _ in keyed]
        left = ctx.instance.budget - sum((projects[i].cost for i in already), Fraction(0))
        self.left = [left]
        for _, i in keyed:
            if projects[i].cost <= left:
                left -= projects[i].cost
            self.left.append(left)
        self.key = key
        self.p = p

    def funded(self, cost: Fraction, total: Fraction, support: Fraction) -> bool:
        j = bisect_left(self.keys, self.key(self.p, cost, total, support))
        return cost <= self.left[j]

    def max_cost(
        self, ctx: _Context, total_at: Callable[[Fraction], Fraction], support: Fraction
    ) -> int | None:
        """The largest unit cost at which p is funded (its total may depend on its cost)."""

        def funded_at(c: int) -> bool:
            cost = ctx.unit(c)
            return self.funded(cost, total_at(cost), support)

        return _largest(funded_at, 1, ctx.top)

    def fewest_extra(self, cost: Fraction, total: Fraction, weight: Fraction) -> int | None:
        """The fewest extra ballots adding `weight` each to p's total and support that get
        p funded (None: none would, it does not fit even first)."""

        def funded_with(k: int) -> bool:
            return self.funded(cost, total + k * weight, total + k * weight)

        return _smallest(funded_with, 0, 1 << 62)


def _ranked(
    ctx: _Context,
    key: Callable[[int, Fraction, Fraction, Fraction], tuple[Any, ...]],
    totals: Sequence[Fraction],
    support: Sequence[Fraction],
) -> list[tuple[tuple[Any, ...], int]]:
    projects = ctx.instance.projects
    return sorted((key(i, p.cost, totals[i], support[i]), i) for i, p in enumerate(projects))


def _greedy_key(
    ctx: _Context, per_cost: bool
) -> Callable[[int, Fraction, Fraction, Fraction], tuple[Any, ...]]:
    """The greedy sort key of project i at a given cost, total and support (`voting.greedy`
    with `voting.tiebreak`): density first, then the tie-break."""
    ids = ctx.ids

    def key(i: int, cost: Fraction, total: Fraction, support: Fraction) -> tuple[Any, ...]:
        tb: tuple[Any, ...] = (ids[i],) if ctx.tie_break == "id" else (cost, -support, ids[i])
        return (*density_key(total, cost, per_cost), *tb)

    return key


def _greedy_measures(ctx: _Context, outcome: Outcome, per_cost: bool) -> list[ProjectMeasure]:
    support = support_totals(ctx.instance, ctx.profile)
    key = _greedy_key(ctx, per_cost)
    weight = _singleton_points(ctx.profile)
    dense_scoring = ctx.profile.vote_type == "scoring" and ctx.profile.constraints.default_score
    ranked = _ranked(ctx, key, support, support)
    result = []
    for p in ctx.wanted:
        project = ctx.instance.projects[p]
        order = _GreedyOrder(ctx, p, key, ranked, set())
        s = support[p]
        most = order.max_cost(ctx, lambda _: s, s)  # noqa: B023 (used within the turn)
        won = project.id in outcome.selected
        if won:
            extra: int | None = 0
        elif dense_scoring:  # a new ballot also gives every other project the default score
            extra = None
        else:
            extra = order.fewest_extra(project.cost, s, weight)
        result.append(
            ProjectMeasure(
                project.id, won, project.cost, None if most is None else ctx.unit(most), extra
            )
        )
    return result


# --- Equal Shares: one float pass over a run, confirmed exactly near boundaries --------------


#: Where `_mes_max_costs` left a target: the round, every group's budget, the target's best
#: cost and tie top so far.
_Paused = tuple[int, np.ndarray, float, float]


def _mes_max_costs(
    ctx: _Context,
    run: _MESRun,
    targets: Sequence[int],
    stop: dict[int, int] | None = None,
    resume: _Paused | None = None,
) -> tuple[dict[int, tuple[float, float]], dict[int, _Paused]]:
    """For each target (never bought in `run`): the largest cost, in units, at which Equal
    Shares would buy it in some round of `run`, as a float.

    `stop` leaves a target out from a given round on and returns where it was (the rounds
    before a winner's purchase are the same in the run without it); `resume` goes on from
    there, for a single target.

    In the round that bought at price rho per unit of utility, a target at cost c wins if its
    supporters can pay c at a price <= rho: with utilities not tied to cost that is
    c <= sum min(b_i, rho u_i); with approval ballots (utility = the project's cost) each
    supporter pays t = rho c, so c = t / rho for the largest t with sum min(b_i, t) >= t / rho.
    After the last purchase any price will do: c <= the supporters' money.

    Also returned, the top of a possible tie over a whole range of costs (-1: none), which
    floats cannot settle: with approval ballots a project that no supporter is too poor for
    costs each of its n supporters c / n, a price of 1 / n per unit of utility whatever c is
    (until c reaches n x the smallest budget among them); when that is the round's price, the
    tie-break decides, and the round's strict limit is 0.
    """
    matrix = ctx.matrix("mes")
    mult = matrix.mult.astype(np.float64)
    budgets = np.full(matrix.n_groups, float(run.x))
    approval = ctx.profile.vote_type == "approval"
    best = dict.fromkeys(targets, -1.0)
    tie_top = dict.fromkeys(targets, -1.0)
    first = 0
    if resume is not None:
        [p] = targets
        first, budgets, best[p], tie_top[p] = resume
        budgets = budgets.copy()
    stop = stop or {}
    paused: dict[int, _Paused] = {}
    active = list(targets)
    floor = _TOL * float(run.x)
    rounds = [(float(rho), bought) for rho, bought in run.rounds] + [(math.inf, -1)]
    for r in range(first, len(rounds)):
        rho, bought = rounds[r]
        for p in [p for p in active if stop.get(p) == r]:
            paused[p] = (r, budgets.copy(), best[p], tie_top[p])
            active.remove(p)
        for p in active:
            groups = matrix.supporters[p]
            if not groups.size:
                continue
            b, m = budgets[groups], mult[groups]
            if rho == math.inf:
                c = float(m @ b)
            elif approval:
                c = _approval_limit(b, m, rho)
                for paying in (b > 0, b > floor):
                    if paying.any() and abs(float(m[paying].sum()) * rho - 1) <= 1e3 * _TOL:
                        top = float(b[paying].min()) / rho * ctx.scale
                        tie_top[p] = max(tie_top[p], top)
                        c = 0.0
            else:
                u = matrix.utils[p].astype(np.float64) / matrix.scale
                c = float(m @ np.minimum(b, rho * u))
            best[p] = max(best[p], c * ctx.scale)
        if bought >= 0:
            groups = matrix.supporters[bought]
            u = matrix.utils[bought].astype(np.float64) / matrix.scale
            budgets[groups] -= np.minimum(budgets[groups], rho * u)
    return {p: (best[p], tie_top[p]) for p in targets}, paused


def _approval_limit(b: np.ndarray, m: np.ndarray, rho: float) -> float:
    """The largest t / rho with G(t) = sum m_i min(b_i, t) - t / rho >= 0. G is concave with
    G(0) = 0, so it is >= 0 exactly up to its last root, found on the segments between sorted
    budgets."""
    order = np.argsort(b)
    b, m = b[order], m[order]
    below = np.concatenate(([0.0], np.cumsum(m * b)))  # money of those with budget < b_k
    above = np.concatenate((np.cumsum(m[::-1])[::-1], [0.0]))  # voters with budget >= b_k
    at = below[:-1] + b * above[:-1] - b / rho  # G at each b_k
    ok = np.flatnonzero(at >= 0)
    k = int(ok[-1]) + 1 if ok.size else 0  # the root lies after b_{k-1}
    slope = 1 / rho - above[k]
    if slope <= 0:  # G does not fall after b_{k-1}: every t there works (only at G = 0)
        return float(b[k - 1] / rho) if k else 0.0
    return float(below[k] / slope / rho)


def _confirm(
    guess: float, tie_top: float, pred: Callable[[int], bool], lo: int, hi: int
) -> int | None:
    """The largest unit cost in [lo, hi] where pred holds, from a float guess: trusted when
    it is clear of every whole unit by more than float error and no tie above it is possible,
    else settled by re-runs (pred is true on an initial interval, so a binary search is exact,
    and it runs between the strict guess and the top of the tie)."""
    floor = math.floor(guess) if guess >= 0 else lo - 1
    near = guess >= 0 and abs(guess - round(guess)) <= _TOL * max(1.0, guess) + 1e-6
    if tie_top <= guess and not near:
        return None if floor < lo else min(floor, hi)
    start = min(max(floor - 1, lo), hi)
    if not pred(start):
        return _largest(pred, lo, start - 1)
    return _largest(pred, start, min(hi, math.ceil(max(tie_top, guess)) + 1))


def _mes_measures(ctx: _Context, outcome: Outcome, completion: bool) -> list[ProjectMeasure]:
    projects = ctx.instance.projects
    won = set(outcome.selected)
    losers = [p for p in ctx.wanted if projects[p].id not in won]
    scan = ctx.reruns_left // max(1, len(losers))
    base = _mes_run(ctx, outcome)
    bought_in = {q: r for r, (_, q) in enumerate(base.rounds)}
    stop = {p: bought_in[p] for p in ctx.wanted if p in bought_in}
    guesses, paused = _mes_max_costs(ctx, base, losers + list(stop), stop)
    runs = dict.fromkeys(losers, base)
    for p in ctx.wanted:
        if projects[p].id in won:
            runs[p] = run = ctx.mes_without(p)
            resume = paused.get(p)
            if resume is None or run.rounds[: resume[0]] != base.rounds[: resume[0]]:
                resume = None  # a free project (or runs that part earlier): the whole run
            guesses[p] = _mes_max_costs(ctx, run, [p], resume=resume)[0][p]
    if completion:
        matrix = ctx.matrix("mes")
        totals = [Fraction(t, matrix.scale) for t in matrix.totals()]
        voters = [int(matrix.mult[s].sum()) for s in matrix.supporters]
        support = (
            support_totals(ctx.instance, ctx.profile)
            if ctx.tie_break == "cost"
            else [Fraction(0)] * len(projects)
        )
        key = _greedy_key(ctx, per_cost=True)
        ranked = _ranked(ctx, key, totals, support)
    result = []
    for p in ctx.wanted:
        project, run = projects[p], runs[p]

        most = _confirm(*guesses[p], partial(ctx.mes_bought_at, p), 1, ctx.top)
        if completion:
            order = _GreedyOrder(ctx, p, key, ranked, run.chosen - {p})

            def total_at(c: Fraction, p: int = p) -> Fraction:
                approval = ctx.profile.vote_type == "approval"
                return c * voters[p] if approval else totals[p]

            greedy_most = order.max_cost(ctx, total_at, support[p])
            if greedy_most is not None and (most is None or greedy_most > most):
                most = greedy_most
        selected = project.id in won
        extra: int | None = 0 if selected else None
        searched = None
        if not selected:
            extra, searched = _scan_supporters(ctx, p, scan, completion)
        result.append(
            ProjectMeasure(
                project.id,
                selected,
                project.cost,
                None if most is None else ctx.unit(most),
                extra,
                searched,
            )
        )
    return result


def _scan_supporters(
    ctx: _Context, p: int, limit: int, completion: bool
) -> tuple[int | None, int | None]:
    """Equal Shares: k, k + 1, ... extra voters until p wins, at most `limit` re-runs.

    Without a completion the scan starts where p's supporters could first hold its cost:
    with k more, n_p + k of n + k voters hold (n_p + k) B / (n + k), which must reach c."""
    budget, cost = ctx.instance.budget, ctx.instance.projects[p].cost
    if cost > budget:
        return None, None
    k = 1
    if not completion:
        matrix = ctx.matrix("mes")
        n, n_p = matrix.n_voters, int(matrix.mult[matrix.supporters[p]].sum())
        if ctx.profile.vote_type != "ordinal":  # a ranking of one gives it no utility
            n_p_gap = cost * n - n_p * budget
            if n_p_gap > 0:
                if cost == budget:
                    return None, None
                k = max(k, math.ceil(n_p_gap / (budget - cost)))
    for extra in range(k, k + limit):
        if ctx.mes_selected_with(p, extra, completion):
            return extra, None
    return None, k + limit - 1 if limit else None


# --- Phragmén: one exact pass over a run ------------------------------------------------------


def _phragmen_measures(ctx: _Context, outcome: Outcome) -> list[ProjectMeasure]:
    projects = ctx.instance.projects
    won = set(outcome.selected)
    result = []
    losers = [p for p in ctx.wanted if projects[p].id not in won]
    assert isinstance(outcome.explanation, PhragmenExplanation)
    found = _phragmen_pass(ctx, outcome.explanation, losers)
    for p in ctx.wanted:
        project = projects[p]
        if project.id in won:
            most, _ = _phragmen_pass(ctx, _phragmen_without(ctx, outcome, p), [p])[p]
            extra: int | None = 0
        else:
            most, extra = found[p]
        result.append(
            ProjectMeasure(
                project.id,
                project.id in won,
                project.cost,
                None if most is None else ctx.unit(most),
                extra,
            )
        )
    return result


def _phragmen_without(ctx: _Context, outcome: Outcome, p: int) -> PhragmenExplanation:
    """Phragmén's run with p never bought, continued from the original run where it bought p
    (`voting.phragmen`'s rounds on the same matrix, without regrouping the ballots): each
    round the lowest load (floats pick, Fractions decide), stopping where a project tied for
    it does not fit."""
    e = outcome.explanation
    assert isinstance(e, PhragmenExplanation)
    projects, budget = ctx.instance.projects, ctx.instance.budget
    matrix = ctx.matrix("support")
    approvals = matrix.totals()
    ranks = tie_ranks(ctx.instance, approvals, ctx.tie_break)
    mult, mult_f = matrix.mult, matrix.mult.astype(np.float64)
    last = np.full(len(mult), -1, dtype=np.int64)
    carried_f = np.zeros(len(mult))
    loads: list[Fraction] = []
    spent = Fraction(0)
    steps: list[PhragmenStep] = []

    def buy(q: int, load: Fraction | None) -> None:
        nonlocal spent
        spent += projects[q].cost
        if load is not None:
            loads.append(load)
            sup = matrix.supporters[q]
            carried_f[sup] = float(load) * mult_f[sup]
            last[sup] = len(loads) - 1
        steps.append(PhragmenStep(ctx.ids[q], len(steps) + 1, load, approvals[q]))

    for step in e.steps:
        if step.project == ctx.ids[p]:
            break
        buy(ctx.index[step.project], step.load)
    bought = {ctx.index[s.project] for s in steps} | {p}
    remaining = {q for q, x in enumerate(projects) if x.cost <= budget and q not in bought}

    def exact_load(q: int) -> Fraction:
        sup = matrix.supporters[q]
        counts = np.bincount(last[sup] + 1, weights=mult[sup], minlength=len(loads) + 1)
        held = sum((loads[k] * int(c) for k, c in enumerate(counts[1:]) if c), Fraction(0))
        return (held + projects[q].cost) / approvals[q]

    # every project's supporters' carried load in one reduceat per round
    flat = np.concatenate(matrix.supporters)
    starts = np.cumsum([0] + [len(s) for s in matrix.supporters[:-1]])
    pad = np.zeros(1)  # an empty last segment reads this 0, not another project's value
    costs_f = [float(x.cost) for x in projects]
    while remaining:
        supported = [q for q in remaining if approvals[q] > 0]
        load: Fraction | None = None
        if supported:
            held_f = np.add.reduceat(np.concatenate((carried_f[flat], pad)), starts)
            est = {q: (float(held_f[q]) + costs_f[q]) / approvals[q] for q in supported}
            least = min(est.values())
            exact = {q: exact_load(q) for q in supported if est[q] <= least * (1 + 1e-9)}
            load = min(exact.values())
            tied = [q for q in exact if exact[q] == load]
        else:
            tied = list(remaining)
        late = [q for q in tied if spent + projects[q].cost > budget]
        if late:
            return PhragmenExplanation(steps, ctx.ids[min(late, key=ranks.__getitem__)])
        winner = min(tied, key=ranks.__getitem__)
        remaining.discard(winner)
        buy(winner, load)
    return PhragmenExplanation(steps, None)


def _phragmen_pass(
    ctx: _Context, e: PhragmenExplanation, targets: Sequence[int]
) -> dict[int, tuple[int | None, int | None]]:
    """For each target never bought in `run`: the largest cost in units, and the fewest extra
    supporters at its cost, with which Phragmén would buy it in some round of `run`.

    At a round whose winner took load L with `spent` already spent, a target with A approvals
    whose supporters carry `carried` wins at cost c if (carried + c) / A < L (or equals L and
    it wins the tie-break) and spent + c <= budget. Where the run stopped (a project tied for
    the lowest load did not fit) only a strictly lower load wins; where it ran out of supported
    projects any load wins.
    """
    projects = ctx.instance.projects
    matrix = ctx.matrix("support")
    approvals = matrix.totals()
    mult = matrix.mult
    last = np.full(len(mult), -1, dtype=np.int64)
    loads: list[Fraction] = []
    budget = ctx.instance.budget
    spent = Fraction(0)
    infinite = None

    def carried(p: int) -> Fraction:
        sup = matrix.supporters[p]
        counts = np.bincount(last[sup] + 1, weights=mult[sup], minlength=len(loads) + 1)
        return sum((loads[k] * int(c) for k, c in enumerate(counts[1:]) if c), Fraction(0))

    def rank(i: int, cost: Fraction, support: int) -> tuple[Any, ...]:
        return (ctx.ids[i],) if ctx.tie_break == "id" else (cost, -support, ctx.ids[i])

    best: dict[int, tuple[int | None, int | None]] = dict.fromkeys(targets, (None, None))
    steps = list(e.steps)
    for r in range(len(steps) + 1):
        if r < len(steps):
            winner: int | None = ctx.index[steps[r].project]
            load, stop = steps[r].load, False
        elif e.stopped_by is not None:
            winner = ctx.index[e.stopped_by]
            a = approvals[winner]
            load = (carried(winner) + projects[winner].cost) / a if a else infinite
            stop = True
        else:
            winner, load, stop = None, infinite, False
        room = budget - spent
        for p in targets:
            c_now, k_now = best[p]
            a, mine = approvals[p], projects[p].cost
            held = carried(p) if a else Fraction(0)
            # cost: the largest c <= room with (held + c) / a below load (or tied and first)
            if a:
                if load is None:
                    limit = math.floor(room * ctx.scale)
                else:
                    g = (a * load - held) * ctx.scale
                    limit = math.ceil(g) - 1
                    if g.denominator == 1 and not stop and winner is not None:
                        tied = Fraction(int(g), ctx.scale)
                        if rank(p, tied, a) < rank(
                            winner, projects[winner].cost, approvals[winner]
                        ):
                            limit = int(g)
                    limit = min(limit, math.floor(room * ctx.scale))
                if limit >= 1 and (c_now is None or limit > c_now):
                    c_now = limit
            # supporters at p's own cost: the fewest k with (held + cost) / (a + k) below load
            if mine <= room:
                if load is None:
                    k = max(0, 1 - a)
                else:
                    h = (held + mine) / load
                    k = math.floor(h) + 1 - a
                    if h.denominator == 1 and not stop and winner is not None:
                        w = projects[winner]
                        if rank(p, mine, int(h)) < rank(winner, w.cost, approvals[winner]):
                            k = int(h) - a
                    k = max(k, 0 if a else 1)
                if k_now is None or k < k_now:
                    k_now = k
            best[p] = (c_now, k_now)
        if r < len(steps) and winner is not None:
            spent += projects[winner].cost
            if load is not None:
                loads.append(load)
                last[matrix.supporters[winner]] = len(loads) - 1
    for p in targets:  # nobody approves p: its turn comes with the unsupported, by re-runs
        if not approvals[p]:
            most = _largest(partial(ctx.selected_at, p), 1, ctx.top)
            best[p] = (most, best[p][1])
    return best


# --- the entry point --------------------------------------------------------------------------


def project_measures(
    instance: Instance,
    profile: Profile,
    rule: str,
    tie_break: str = "id",
    outcome: Outcome | None = None,
    *,
    reruns: int = 100,
    only: Collection[str] | None = None,
    plain_reruns: bool = False,
) -> Measures:
    """Every project's measures under `rule` (see the module docstring), or those of the
    projects in `only`. `reruns` bounds the re-runs of the rule spent on Equal Shares' extra
    supporters, shared among the losers (the rest needs none, or one per winner and a few to
    settle float near-ties). Equal Shares re-runs change only the project in question
    (`voting.mes.EqualSharesReruns`); `plain_reruns` makes them call the full rule, to check
    that both agree."""
    start = time.perf_counter()
    if outcome is None:
        outcome = tally(instance, profile, rule, tie_break)
    ctx = _Context(instance, profile, rule, tie_break, reruns, only, plain_reruns)
    notes: list[str] = []
    if rule in ("greedy", "greedy-per-cost"):
        items = _greedy_measures(ctx, outcome, per_cost=rule == "greedy-per-cost")
    elif rule in ("mes", "mes+greedy"):
        items = _mes_measures(ctx, outcome, rule == "mes+greedy")
        if any(m.supporters_searched is not None for m in items):
            notes.append("extra_supporters_bounded")
    elif rule == "phragmen":
        items = _phragmen_measures(ctx, outcome)
    else:
        notes.append("rule_not_measured")
        items = [
            ProjectMeasure(p.id, p.id in outcome.selected, p.cost, None, None)
            for p in (instance.projects[i] for i in ctx.wanted)
        ]
    return Measures(rule, tie_break, tuple(items), tuple(notes), time.perf_counter() - start)
