"""Sequential Phragmén for approval ballots, in its participatory-budgeting form.

Brill, Freeman, Janson & Lackner, "Phragmén's voting methods and justified representation"
(AAAI 2017); for costs, Los, Christoff & Grossi (2022) and pabutools' `sequential_phragmen`.
Voters earn virtual money continuously; a project is bought as soon as its supporters together
hold its cost, which levels their loads to (their loads + cost) / supporters. The rule stops at
the first project it would buy that no longer fits the budget (as pabutools: if any project
tied for the lowest load does not fit).

A voter's load is always the load set by the last bought project they approve, so exact loads
are sums over few distinct values; floats pick the candidates, Fractions decide.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from voting.errors import UnsupportedRuleError
from voting.matrix import ballot_matrix
from voting.model import Instance, Profile
from voting.outcome import Outcome, PhragmenExplanation, PhragmenStep
from voting.tiebreak import tie_ranks

__all__ = ["sequential_phragmen"]

_TOL = 1e-9


def sequential_phragmen(instance: Instance, profile: Profile, tie_break: str = "id") -> Outcome:
    """Sequential Phragmén (approval ballots only)."""
    if profile.vote_type != "approval":
        raise UnsupportedRuleError("Phragmén applies to approval ballots only")
    matrix = ballot_matrix(instance, profile, "support")
    projects = instance.projects
    approvals = matrix.totals()
    ranks = tie_ranks(instance, approvals, tie_break)
    mult = matrix.mult
    mult_f = mult.astype(np.float64)
    last = np.full(len(mult), -1, dtype=np.int64)  # round of the load each group carries
    carried = np.zeros(len(mult))  # load x voters, per group
    loads: list[Fraction] = []
    spent = Fraction(0)
    remaining = {p for p, project in enumerate(projects) if project.cost <= instance.budget}
    chosen: list[int] = []
    steps: list[PhragmenStep] = []
    stopped_by: str | None = None

    def exact_load(p: int) -> Fraction:
        sup = matrix.supporters[p]
        counts = np.bincount(last[sup] + 1, weights=mult_f[sup], minlength=len(loads) + 1)
        carried = sum((loads[k] * int(c) for k, c in enumerate(counts[1:]) if c), Fraction(0))
        return (carried + projects[p].cost) / approvals[p]

    while remaining:
        supported = [p for p in remaining if approvals[p] > 0]
        if supported:
            est = {
                p: (float(carried[matrix.supporters[p]].sum()) + float(projects[p].cost))
                / approvals[p]
                for p in supported
            }
            best = min(est.values())
            close = [p for p in supported if est[p] <= best * (1 + _TOL)]
            exact = {p: exact_load(p) for p in close}
            load = min(exact.values())
            tied = [p for p in close if exact[p] == load]
        else:
            tied = list(remaining)
        late = [p for p in tied if spent + projects[p].cost > instance.budget]
        if late:
            stopped_by = projects[min(late, key=ranks.__getitem__)].id
            break
        winner = min(tied, key=ranks.__getitem__)
        remaining.discard(winner)
        chosen.append(winner)
        spent += projects[winner].cost
        sup = matrix.supporters[winner]
        if supported:
            loads.append(load)
            carried[sup] = float(load) * mult_f[sup]
            last[sup] = len(loads) - 1
        steps.append(
            PhragmenStep(
                projects[winner].id, len(chosen), load if supported else None, approvals[winner]
            )
        )
    return Outcome(
        "phragmen",
        tie_break,
        [projects[p].id for p in chosen],
        spent,
        instance.budget,
        PhragmenExplanation(steps, stopped_by),
    )
