"""What a rule returns: the selected projects and why they were selected.

Every number that decides the outcome is exact (`Fraction`); `to_dict()` writes them as
strings (`format_exact`: a decimal when finite, else `p/q`) so JSON never rounds them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from voting.model import Instance, format_exact

__all__ = [
    "GreedyExplanation",
    "GreedyStep",
    "MESExplanation",
    "MESLoser",
    "MESPurchase",
    "Outcome",
    "PayerGroup",
    "PhragmenExplanation",
    "PhragmenStep",
]


def _plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return format_exact(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Serialisable:
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; exact numbers become strings."""
        result = _plain(self)
        assert isinstance(result, dict)
        return result


@dataclass
class GreedyStep(_Serialisable):
    """One project in the order the greedy rule considered it (rank 1 first).

    `skipped_because` says why a project was not funded: "no_fit" (it cost more than was left),
    or, in the cities' variants (`voting.variants`), "below_threshold", "after_stop" (the count
    had stopped at `because_of`), "exclusive_group" (`because_of` was funded from its group) or
    "withdrawn" (Pabulib's cost 999999999); "" for a funded project.
    """

    project: str
    rank: int
    support: Fraction
    cost: Fraction
    selected: bool
    skipped_no_fit: bool
    budget_left_before: Fraction
    skipped_because: str = ""
    because_of: str = ""


@dataclass
class GreedyExplanation(_Serialisable):
    """Greedy: projects by decreasing `order_by`; `steps` lists every project considered."""

    order_by: str
    steps: list[GreedyStep]
    kind: str = "greedy"
    threshold: Fraction | None = None  # the support a project needed to be counted at all


@dataclass
class PayerGroup(_Serialisable):
    """Supporters who paid the same way for a project bought by Equal Shares.

    Full payers paid `paid_each` = rho x their utility; capped payers (`capped`) could not
    afford that and gave all they had left, `paid_total` together.
    """

    voters: int
    utility: Fraction | None
    paid_each: Fraction | None
    paid_total: Fraction
    capped: bool


@dataclass
class MESPurchase(_Serialisable):
    """A project bought by Equal Shares: in which round, at which price per unit of utility."""

    project: str
    round: int
    rho: Fraction
    cost: Fraction
    supporters: int
    payers: list[PayerGroup]


@dataclass
class MESLoser(_Serialisable):
    """A project Equal Shares did not buy: its supporters' money at the end and what it lacked."""

    project: str
    cost: Fraction
    supporters: int
    supporters_money: Fraction
    lacking_money: Fraction


@dataclass
class MESExplanation(_Serialisable):
    """Equal Shares: purchases in order, losers, and the per-voter budget finally used."""

    budget_per_voter: Fraction
    purchases: list[MESPurchase]
    losers: list[MESLoser]
    add1_iterations: int | None = None
    completion: GreedyExplanation | None = None
    kind: str = "mes"


@dataclass
class PhragmenStep(_Serialisable):
    """A project bought by sequential Phragmén and the load its supporters then carried
    (None for a project nobody approves)."""

    project: str
    round: int
    load: Fraction | None
    supporters: int


@dataclass
class PhragmenExplanation(_Serialisable):
    """Phragmén: purchases in order; `stopped_by` is the project whose cost ended the rule."""

    steps: list[PhragmenStep]
    stopped_by: str | None
    kind: str = "phragmen"


Explanation = GreedyExplanation | MESExplanation | PhragmenExplanation


@dataclass
class Outcome(_Serialisable):
    """A rule's result; `selected` is in selection order."""

    rule: str
    tie_break: str
    selected: list[str]
    total_cost: Fraction
    budget: Fraction
    explanation: Explanation
    leftover: Fraction = field(init=False)

    def __post_init__(self) -> None:
        self.leftover = self.budget - self.total_cost

    @classmethod
    def of_chosen(
        cls,
        rule: str,
        tie_break: str,
        instance: Instance,
        chosen: list[int],
        explanation: Explanation,
    ) -> Outcome:
        """The outcome of a rule that chose these projects (indices into the instance)."""
        projects = instance.projects
        return cls(
            rule,
            tie_break,
            [projects[i].id for i in chosen],
            sum((projects[i].cost for i in chosen), Fraction(0)),
            instance.budget,
            explanation,
        )
