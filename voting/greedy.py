"""Utilitarian greedy: fund projects by decreasing support, skipping those that no longer fit.

This is the rule most cities use (Pabulib META `rule` "greedy"); see e.g. Aziz & Shah,
"Participatory budgeting: models and approaches" (2021). Two orders are offered:

- by total support (votes; points; for rankings the Pabulib score len(ballot) - position),
  as pabutools' `greedy_utilitarian_welfare` with `Cost_Sat` orders approval ballots;
- by support per unit of cost (pabutools with `Cardinality_Sat` / `Additive_Cardinal_Sat`).

As in pabutools, a project with no support ranks last but is still funded if it fits, and a
supported project that costs nothing ranks first.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from voting.matrix import support_totals
from voting.model import Instance, Profile
from voting.outcome import GreedyExplanation, GreedyStep, Outcome
from voting.tiebreak import tie_ranks

__all__ = ["density_key", "greedy_per_cost", "greedy_select", "greedy_utilitarian_welfare"]


def density_key(total: Fraction, cost: Fraction, per_cost: bool) -> tuple[int, Fraction]:
    """Sort key (smaller first) of pabutools' satisfaction density: inf > positive > 0."""
    if total <= 0:
        return (1, Fraction(0))
    if cost == 0:
        return (0, Fraction(0))
    return (1, -(total / cost if per_cost else total))


def greedy_select(
    instance: Instance,
    totals: Sequence[Fraction],
    ranks: Sequence[int],
    *,
    per_cost: bool,
    already: Sequence[int] = (),
    order_by: str,
) -> tuple[list[int], GreedyExplanation]:
    """Greedy over the projects not in `already`, with the budget they leave."""
    projects = instance.projects
    taken = set(already)
    left = instance.budget - sum((projects[i].cost for i in already), Fraction(0))
    candidates = [i for i in range(len(projects)) if i not in taken]
    candidates.sort(key=lambda i: (*density_key(totals[i], projects[i].cost, per_cost), ranks[i]))
    chosen: list[int] = []
    steps: list[GreedyStep] = []
    for rank, i in enumerate(candidates, start=1):
        cost = projects[i].cost
        fits = cost <= left
        steps.append(
            GreedyStep(
                projects[i].id,
                rank,
                totals[i],
                cost,
                fits,
                not fits,
                left,
                "" if fits else "no_fit",
            )
        )
        if fits:
            chosen.append(i)
            left -= cost
    return chosen, GreedyExplanation(order_by, steps)


def _greedy(instance: Instance, profile: Profile, tie_break: str, per_cost: bool) -> Outcome:
    totals = support_totals(instance, profile)
    ranks = tie_ranks(instance, totals, tie_break)
    order_by = "support per cost" if per_cost else "support"
    chosen, explanation = greedy_select(
        instance, totals, ranks, per_cost=per_cost, order_by=order_by
    )
    rule = "greedy-per-cost" if per_cost else "greedy"
    return Outcome.of_chosen(rule, tie_break, instance, chosen, explanation)


def greedy_utilitarian_welfare(
    instance: Instance, profile: Profile, tie_break: str = "id"
) -> Outcome:
    """Greedy by total support."""
    return _greedy(instance, profile, tie_break, per_cost=False)


def greedy_per_cost(instance: Instance, profile: Profile, tie_break: str = "id") -> Outcome:
    """Greedy by support per unit of cost."""
    return _greedy(instance, profile, tie_break, per_cost=True)
