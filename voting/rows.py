"""What a person reads of a tally's explanation: typed rows, and the JSON the app stores.

The engine's explanation (`voting.outcome`) keeps all a rule computed: prices per unit of
utility, groups of payers, support totals. A reader is shown less: what each purchase cost its
supporters at most, what each loser lacked, greedy's order and the money left at each turn.
`explanation_rows(outcome)` builds those rows; `to_dict` and `rows_from_dict` store and read
them. Stored keys are the engine's own, so an explanation stored whole by an older tally reads
back as rows too (there, what supporters paid at most is worked out from the payer groups).
Money is exact, a `Fraction` in the instance's unit (fen in the app), stored as a
`format_exact` string; a float is refused when read back, as it would already be rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from voting.model import format_exact
from voting.outcome import (
    GreedyExplanation,
    MESExplanation,
    MESPurchase,
    Outcome,
    PhragmenExplanation,
)

__all__ = [
    "EqualSharesRows",
    "ExplanationRows",
    "GreedyRow",
    "GreedyRows",
    "LoserRow",
    "PhragmenRow",
    "PhragmenRows",
    "PurchaseRow",
    "explanation_rows",
    "rows_from_dict",
]


def _exact(value: Any) -> Fraction:
    """A stored number: a decimal or `p/q` string, or an int."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"not an exact number: {value!r}")
    return Fraction(value)


def _most_paid_each(groups: Iterable[tuple[int, Fraction]]) -> Fraction:
    """Per head, what the group of payers that paid most paid: the full share of those who
    could afford it, the average of those who gave all they had left."""
    return max((total / voters for voters, total in groups if voters), default=Fraction(0))


@dataclass(frozen=True)
class GreedyRow:
    """A project in the order greedy considered it (rank 1 first): funded, or else skipped
    because it cost more than the money left when its turn came."""

    project: str
    rank: int
    selected: bool
    money_left: Fraction

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "rank": self.rank,
            "selected": self.selected,
            "budget_left_before": format_exact(self.money_left),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GreedyRow:
        return cls(
            str(data["project"]),
            int(data["rank"]),
            bool(data["selected"]),
            _exact(data["budget_left_before"]),
        )


@dataclass(frozen=True)
class GreedyRows:
    """Greedy, or the completion after Equal Shares: every project it considered, by
    decreasing `order_by` ("support", "support per cost" or "satisfaction per cost")."""

    order_by: str
    steps: tuple[GreedyRow, ...]
    kind: ClassVar[str] = "greedy"

    @classmethod
    def of(cls, explanation: GreedyExplanation) -> GreedyRows:
        return cls(
            explanation.order_by,
            tuple(
                GreedyRow(s.project, s.rank, s.selected, s.budget_left_before)
                for s in explanation.steps
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "order_by": self.order_by,
            "steps": [step.to_dict() for step in self.steps],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GreedyRows:
        return cls(str(data["order_by"]), tuple(GreedyRow.from_dict(s) for s in data["steps"]))


@dataclass(frozen=True)
class PurchaseRow:
    """A project Equal Shares bought in `round`, and the most one of its supporters paid."""

    project: str
    round: int
    supporters: int
    most_paid_each: Fraction

    @classmethod
    def of(cls, purchase: MESPurchase) -> PurchaseRow:
        return cls(
            purchase.project,
            purchase.round,
            purchase.supporters,
            _most_paid_each((g.voters, g.paid_total) for g in purchase.payers),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "round": self.round,
            "supporters": self.supporters,
            "most_paid_each": format_exact(self.most_paid_each),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PurchaseRow:
        if "most_paid_each" in data:
            most = _exact(data["most_paid_each"])
        else:  # stored whole by the engine, before rows
            most = _most_paid_each(
                (int(g["voters"]), _exact(g["paid_total"])) for g in data["payers"]
            )
        return cls(str(data["project"]), int(data["round"]), int(data["supporters"]), most)


@dataclass(frozen=True)
class LoserRow:
    """A project Equal Shares did not buy: how much its supporters lacked at the end."""

    project: str
    supporters: int
    lacking: Fraction

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "supporters": self.supporters,
            "lacking_money": format_exact(self.lacking),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoserRow:
        return cls(str(data["project"]), int(data["supporters"]), _exact(data["lacking_money"]))


@dataclass(frozen=True)
class EqualSharesRows:
    """Equal Shares: each voter's share, purchases in order, losers, and the greedy that spent
    what was left (None when the rule has no completion)."""

    budget_per_voter: Fraction
    purchases: tuple[PurchaseRow, ...]
    losers: tuple[LoserRow, ...]
    add1_iterations: int | None = None
    completion: GreedyRows | None = None
    kind: ClassVar[str] = "mes"

    @classmethod
    def of(cls, explanation: MESExplanation) -> EqualSharesRows:
        return cls(
            explanation.budget_per_voter,
            tuple(PurchaseRow.of(p) for p in explanation.purchases),
            tuple(LoserRow(x.project, x.supporters, x.lacking_money) for x in explanation.losers),
            explanation.add1_iterations,
            None if explanation.completion is None else GreedyRows.of(explanation.completion),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "budget_per_voter": format_exact(self.budget_per_voter),
            "purchases": [p.to_dict() for p in self.purchases],
            "losers": [x.to_dict() for x in self.losers],
            "add1_iterations": self.add1_iterations,
            "completion": None if self.completion is None else self.completion.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EqualSharesRows:
        add1, completion = data.get("add1_iterations"), data.get("completion")
        return cls(
            _exact(data["budget_per_voter"]),
            tuple(PurchaseRow.from_dict(p) for p in data["purchases"]),
            tuple(LoserRow.from_dict(x) for x in data["losers"]),
            None if add1 is None else int(add1),
            None if completion is None else GreedyRows.from_dict(completion),
        )


@dataclass(frozen=True)
class PhragmenRow:
    """A project sequential Phragmén bought in `round`, and the load each of its supporters
    carried after it, in all (None: nobody voted for it, and it still fitted)."""

    project: str
    round: int
    supporters: int
    load: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "round": self.round,
            "supporters": self.supporters,
            "load": None if self.load is None else format_exact(self.load),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PhragmenRow:
        load = data["load"]
        return cls(
            str(data["project"]),
            int(data["round"]),
            int(data["supporters"]),
            None if load is None else _exact(load),
        )


@dataclass(frozen=True)
class PhragmenRows:
    """Phragmén: purchases in order; `stopped_by` is the project that no longer fitted and
    ended the count (None when no project was left)."""

    steps: tuple[PhragmenRow, ...]
    stopped_by: str | None
    kind: ClassVar[str] = "phragmen"

    @classmethod
    def of(cls, explanation: PhragmenExplanation) -> PhragmenRows:
        return cls(
            tuple(PhragmenRow(s.project, s.round, s.supporters, s.load) for s in explanation.steps),
            explanation.stopped_by,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "steps": [step.to_dict() for step in self.steps],
            "stopped_by": self.stopped_by,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PhragmenRows:
        stopped_by = data.get("stopped_by")
        return cls(
            tuple(PhragmenRow.from_dict(s) for s in data["steps"]),
            None if stopped_by is None else str(stopped_by),
        )


ExplanationRows = GreedyRows | EqualSharesRows | PhragmenRows


def explanation_rows(outcome: Outcome) -> ExplanationRows:
    """The rows a person reads of an outcome's explanation."""
    e = outcome.explanation
    if isinstance(e, GreedyExplanation):
        return GreedyRows.of(e)
    if isinstance(e, MESExplanation):
        return EqualSharesRows.of(e)
    return PhragmenRows.of(e)


def rows_from_dict(data: Mapping[str, Any] | None) -> ExplanationRows | None:
    """Rows from their stored JSON, or from an engine explanation stored whole (what tallies
    stored before rows existed); None when nothing was stored. Raises ValueError for a kind it
    does not know or a number that is not exact."""
    if not data:
        return None
    kind = data.get("kind")
    if kind == GreedyRows.kind:
        return GreedyRows.from_dict(data)
    if kind == EqualSharesRows.kind:
        return EqualSharesRows.from_dict(data)
    if kind == PhragmenRows.kind:
        return PhragmenRows.from_dict(data)
    raise ValueError(f"unknown explanation kind {kind!r}")
