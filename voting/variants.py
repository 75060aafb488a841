"""The cities' own greedy rules, under the names Pabulib's META `rule` gives them.

All three order projects as `greedy` does (by total support, ties by the tie-break) and differ
in what they skip (Pabulib format page; the Pabulib checker's `verify_selected`):

- `greedy-threshold`: only projects whose support is at least META
  `min_project_score_threshold` are counted; the others are skipped as "below_threshold".
- `greedy-no-skip`: the count stops at the first project that does not fit; every project after
  it is skipped as "after_stop", even one that would fit.
- `greedy-exclusive`: a project is skipped as "exclusive_group" when a project sharing one of
  its exclusion groups was funded before it. Pabulib has no column for these groups (cities
  describe them in the `comment`, if at all), so they are read from Linli's own PROJECTS column
  `exclusive_group` (labels separated by commas); without it the rule is plain greedy.

The threshold stays where the file puts it, in `Instance.meta` (as read and written back), and
every variant honours it when the file has one, as the checker does; `greedy-threshold` refuses
an election without it. A project costing 999999999 (Pabulib's mark for a project on the ballot
that could not be carried out) is skipped as "withdrawn" and, as in the checker, does not stop
`greedy-no-skip`.
"""

from __future__ import annotations

from fractions import Fraction

from voting.errors import UnsupportedRuleError
from voting.greedy import density_key
from voting.matrix import support_totals
from voting.model import Instance, Profile, parse_exact
from voting.outcome import GreedyExplanation, GreedyStep, Outcome
from voting.tiebreak import tie_ranks

__all__ = [
    "GROUP_COLUMN",
    "THRESHOLD_KEY",
    "WITHDRAWN_COST",
    "exclusion_groups",
    "greedy_exclusive",
    "greedy_no_skip",
    "greedy_threshold",
    "score_threshold",
]

THRESHOLD_KEY = "min_project_score_threshold"
GROUP_COLUMN = "exclusive_group"
WITHDRAWN_COST = Fraction(999_999_999)


def score_threshold(instance: Instance) -> Fraction | None:
    """META `min_project_score_threshold`, exactly; None when the file has none."""
    text = instance.meta.get(THRESHOLD_KEY, "").strip()
    if not text:
        return None
    try:
        return parse_exact(text)
    except ValueError:
        raise UnsupportedRuleError(f"META {THRESHOLD_KEY} is not a number: {text!r}") from None


def exclusion_groups(instance: Instance) -> list[frozenset[str]]:
    """Each project's exclusion-group labels (empty when it is in none)."""
    return [
        frozenset(
            label.strip() for label in p.fields.get(GROUP_COLUMN, "").split(",") if label.strip()
        )
        for p in instance.projects
    ]


def _variant(
    instance: Instance,
    profile: Profile,
    tie_break: str,
    *,
    rule: str,
    stop: bool = False,
    groups: bool = False,
) -> Outcome:
    projects = instance.projects
    totals = support_totals(instance, profile)
    ranks = tie_ranks(instance, totals, tie_break)
    threshold = score_threshold(instance)
    if rule == "greedy-threshold" and threshold is None:
        raise UnsupportedRuleError(f"rule greedy-threshold needs META {THRESHOLD_KEY}")
    labels = exclusion_groups(instance) if groups else [frozenset[str]()] * len(projects)
    order = sorted(
        range(len(projects)),
        key=lambda i: (*density_key(totals[i], projects[i].cost, False), ranks[i]),
    )
    left = instance.budget
    chosen: list[int] = []
    taken_by: dict[str, str] = {}  # group label -> the project funded from it
    stopped_by = ""
    steps: list[GreedyStep] = []
    for rank, i in enumerate(order, start=1):
        p = projects[i]
        why, because_of = "", ""
        if p.cost == WITHDRAWN_COST:
            why = "withdrawn"
        elif threshold is not None and totals[i] < threshold:
            why = "below_threshold"
        elif stopped_by:
            why, because_of = "after_stop", stopped_by
        elif taken := sorted(labels[i] & taken_by.keys()):
            why, because_of = "exclusive_group", taken_by[taken[0]]
        elif p.cost > left:
            why = "no_fit"
            if stop:
                stopped_by = p.id
        steps.append(
            GreedyStep(
                p.id, rank, totals[i], p.cost, not why, why == "no_fit", left, why, because_of
            )
        )
        if not why:
            chosen.append(i)
            left -= p.cost
            taken_by.update(dict.fromkeys(labels[i], p.id))
    explanation = GreedyExplanation("support", steps, threshold=threshold)
    return Outcome.of_chosen(rule, tie_break, instance, chosen, explanation)


def greedy_threshold(instance: Instance, profile: Profile, tie_break: str = "id") -> Outcome:
    """Greedy by support over the projects that reach META `min_project_score_threshold`."""
    return _variant(instance, profile, tie_break, rule="greedy-threshold")


def greedy_no_skip(instance: Instance, profile: Profile, tie_break: str = "id") -> Outcome:
    """Greedy by support that stops at the first project that does not fit."""
    return _variant(instance, profile, tie_break, rule="greedy-no-skip", stop=True)


def greedy_exclusive(instance: Instance, profile: Profile, tie_break: str = "id") -> Outcome:
    """Greedy by support that funds at most one project of each exclusion group."""
    return _variant(instance, profile, tie_break, rule="greedy-exclusive", groups=True)
