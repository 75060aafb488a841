"""Explanations agree with the outcome they explain."""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.strategies import elections
from voting import Election, GreedyExplanation, MESExplanation, rules_for, tally


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["approval", "cumulative", "ordinal"]).flatmap(elections))
def test_explanations_add_up(election: Election) -> None:
    for rule in rules_for(election.profile.vote_type):
        outcome = tally(election, rule=rule)
        json.dumps(outcome.to_dict())
        e = outcome.explanation
        if isinstance(e, GreedyExplanation):
            assert [s.project for s in e.steps if s.selected] == outcome.selected
            assert all(s.skipped_no_fit == (s.cost > s.budget_left_before) for s in e.steps)
        if isinstance(e, MESExplanation):
            bought = [p.project for p in e.purchases]
            assert outcome.selected[: len(bought)] == bought
            for p in e.purchases:
                assert sum((g.paid_total for g in p.payers), Fraction(0)) == p.cost
                assert sum(g.voters for g in p.payers) <= p.supporters
            losers = {loser.project for loser in e.losers}
            assert losers.isdisjoint(bought)
            if e.completion is None:
                assert all(loser.lacking_money > 0 for loser in e.losers if loser.supporters)
