"""Named tie-breaking orders, so equal outcomes are resolved the same way every time.

- "id": the project id compared as a string (Python `str` order), pabutools' default
  `lexico_tie_breaking`, so outcomes compare one to one with pabutools.
- "cost": the cheaper project first, then the one with more support, then the id
  (what equalshares.net and the Pabulib checker do).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from voting.errors import UnsupportedRuleError
from voting.model import Instance

__all__ = ["TIE_BREAKS", "check_tie_break", "tie_ranks"]

TIE_BREAKS = ("id", "cost")


def check_tie_break(tie_break: str) -> None:
    """Raise UnsupportedRuleError for a name not in TIE_BREAKS."""
    if tie_break not in TIE_BREAKS:
        raise UnsupportedRuleError(
            f"unknown tie-break {tie_break!r} (choose from {', '.join(TIE_BREAKS)})"
        )


def tie_ranks(instance: Instance, support: Sequence[Fraction | int], tie_break: str) -> list[int]:
    """rank[p] for each project index p: the lower rank wins a tie."""
    check_tie_break(tie_break)
    projects = instance.projects
    if tie_break == "id":
        order = sorted(range(len(projects)), key=lambda i: projects[i].id)
    else:
        order = sorted(
            range(len(projects)), key=lambda i: (projects[i].cost, -support[i], projects[i].id)
        )
    ranks = [0] * len(projects)
    for position, i in enumerate(order):
        ranks[i] = position
    return ranks
