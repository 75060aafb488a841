"""Project performance measures in words, for the results page (see voting/measures.py)."""

from fractions import Fraction

from ui.context import money, t
from voting.measures import Measures, ProjectMeasure

__all__ = ["measure_sentence", "measured"]


def _fen(amount: Fraction) -> str:
    return money(int(amount))


def measured(measures: Measures | None) -> bool:
    """Whether there are measures to show (none for old tallies and for Add1)."""
    return measures is not None and measures.measured


def measure_sentence(m: ProjectMeasure) -> str:
    """A winner's margin, or what a loser lacked, in one sentence (money in yuan)."""
    if m.selected:
        if m.max_cost is None:
            return t("measures.winner_none")
        return t("measures.winner", cost=_fen(m.max_cost), more=_fen(m.max_cost - m.cost))
    count = m.extra_supporters
    if m.max_cost is not None:
        cost, less = _fen(m.max_cost), _fen(m.cost - m.max_cost)
        if count is not None:
            return t("measures.loser_both", cost=cost, less=less, count=count)
        if m.supporters_searched is not None:
            return t(
                "measures.loser_cost_searched", cost=cost, less=less, count=m.supporters_searched
            )
        return t("measures.loser_cost", cost=cost, less=less)
    if count is not None:
        return t("measures.loser_supporters", count=count)
    if m.supporters_searched is not None:
        return t("measures.loser_searched", count=m.supporters_searched)
    return t("measures.loser_none")
