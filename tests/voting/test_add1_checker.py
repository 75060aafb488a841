"""The Pabulib checker's Equal Shares variants: its Add1 and its comparison step.

Handmade elections whose outcome is worked out in the comments, the checker's Add1 against
its plain loop on random elections, and Wieliczka 2023, whose official result it reproduces.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.conftest import pabulib_file
from tests.voting.test_add1 import dear_elections, step_by_step
from voting import Election, GreedyExplanation, Instance, MESExplanation, read_pb, tally

# B = 6, three voters, x = B/n = 2.
# MES at x = 2: A needs 2.5 from each of v1, v2: unaffordable. C costs v2 and v3 0.5 each
# (rho 1/2), then B costs v2 1 (rho 1); v1 and v2 then hold 2.5 < 5 for A. {C, B} spends 2,
# and A (5) does not fit in the 4 left: exhaustive, so pabutools' Add1 stops here.
# The checker goes on to x = 3: C first (v2, v3 keep 2.5), then A at 2.5 each (rho 1/2)
# before B (rho 1); v2 has nothing left for B. {C, A} spends 6 <= 6 and is kept. At x = 4,
# v2 keeps 1 after C and A and buys B too: 7 > 6, so the checker stops and keeps x = 3.
EXHAUSTIVE_TOO_EARLY = """META
key;value
num_votes;3
budget;6
vote_type;approval
PROJECTS
project_id;cost
A;5
B;1
C;1
VOTES
voter_id;vote
1;A
2;A,C,B
3;C
"""

# B = 11, x = 11/3. MES: A (v2, v3 pay 1 each) and B (v1, v3 pay 2.5 each) tie at rho 1/2;
# the checker takes the cheaper A, then B; v1 keeps 7/6 < 2 for C. MES buys {A, B}.
# Greedy by votes: A and B (2 votes each, file order), then C fits: {A, B, C}.
# v1 approves 1 of MES's projects and 2 of greedy's, v2 and v3 the same number of both:
# one voter prefers greedy, none MES, so the comparison step takes greedy's outcome.
GREEDY_PREFERRED = """META
key;value
num_votes;3
budget;11
vote_type;approval
PROJECTS
project_id;cost
A;2
B;5
C;2
VOTES
voter_id;vote
1;B,C
2;A
3;A,B
"""


def test_checker_add1_goes_past_an_exhaustive_outcome() -> None:
    election = read_pb(EXHAUSTIVE_TOO_EARLY)
    pabutools = tally(election, rule="mes-add1")
    assert isinstance(pabutools.explanation, MESExplanation)
    assert (pabutools.selected, pabutools.explanation.budget_per_voter) == (["C", "B"], Fraction(2))
    checker = tally(election, rule="mes-add1-checker")
    assert isinstance(checker.explanation, MESExplanation)
    assert (checker.selected, checker.explanation.budget_per_voter) == (["C", "A"], Fraction(3))
    assert checker.explanation.add1_iterations == 3  # B, then x = 3 and 4
    assert checker_loop(election) == (["C", "A"], Fraction(3))


def test_comparison_step_takes_greedy_when_more_voters_prefer_it() -> None:
    election = read_pb(GREEDY_PREFERRED)
    assert tally(election, rule="mes", tie_break="cost").selected == ["A", "B"]
    outcome = tally(election, rule="mes-comparison")
    assert outcome.selected == ["A", "B", "C"]
    assert outcome.rule == "mes-comparison"
    assert isinstance(outcome.explanation, GreedyExplanation)
    assert "1 voters prefer greedy, 0 Equal Shares" in outcome.explanation.order_by


def test_comparison_step_keeps_equal_shares_on_a_draw() -> None:
    # Without v1's C, greedy buys {A, B, C} again but nobody approves more of it: MES stays.
    election = read_pb(GREEDY_PREFERRED.replace("1;B,C", "1;B"))
    outcome = tally(election, rule="mes-comparison")
    assert outcome.selected == ["A", "B"]
    assert isinstance(outcome.explanation, MESExplanation)


def checker_loop(election: Election) -> tuple[list[str], Fraction]:
    """The checker's Add1 one unit at a time through the public `mes` rule: MES at B, then
    whole x = floor(B/n) + 1, + 2, ... while the outcome fits; stop at the first that does
    not, or once every supported project is bought (the checker itself would loop on)."""
    instance, profile = election.instance, election.profile
    n = len(profile.ballots)
    cost = {p.id: p.cost for p in instance.projects}
    supported = {p for b in profile.ballots for p in b.projects if cost[p] > 0}
    kept = tally(election, rule="mes", tie_break="cost")
    x = instance.budget / n
    for step in count(math.floor(x) + 1):
        if supported <= set(kept.selected):
            break
        outcome = tally(Instance(instance.projects, Fraction(step * n)), profile, "mes", "cost")
        if sum((cost[p] for p in outcome.selected), Fraction(0)) > instance.budget:
            break
        kept, x = outcome, Fraction(step)
    return kept.selected, x


@settings(max_examples=15, deadline=None)  # the plain loop takes up to ~1,000 MES runs
@given(dear_elections("approval"))
def test_checker_add1_equals_its_loop(election: Election) -> None:
    outcome = tally(election, rule="mes-add1-checker")
    assert isinstance(outcome.explanation, MESExplanation)
    assert (outcome.selected, outcome.explanation.budget_per_voter) == checker_loop(election)


@st.composite
def tied_elections(draw: st.DrawFn) -> Election:
    """Twin projects (same cost, same supporters) tie at every budget: Add1's proofs must
    skip them by their exact rhos, not give up."""
    election = draw(dear_elections("approval"))
    projects = list(election.instance.projects)
    twin = draw(st.sampled_from(projects))
    projects.append(type(twin)(twin.id + "t", twin.cost))
    ballots = [
        type(b)((*b.projects, twin.id + "t"), None, b.voter_id) if twin.id in b.projects else b
        for b in election.profile.ballots
    ]
    profile = type(election.profile)("approval", ballots, election.profile.constraints)
    return Election(Instance(projects, election.instance.budget), profile)


@settings(max_examples=30, deadline=None)
@given(tied_elections())
def test_add1_with_twin_projects_equals_the_step_by_step_loop(election: Election) -> None:
    outcome = tally(election, rule="mes-add1")
    assert isinstance(outcome.explanation, MESExplanation)
    explanation = outcome.explanation
    assert (outcome.selected, explanation.budget_per_voter, explanation.add1_iterations) == (
        step_by_step(election)
    )


@pytest.mark.pabulib
@pytest.mark.parametrize("rule", ["mes-add1-checker", "mes-add1-comparison"])
def test_wieliczka_2023_official_result(rule: str) -> None:
    """META says equalshares/add1-comparison; the README says the checker's Add1 gives the
    official `selected` (per-voter budget 315), which pabutools' Add1 misses by -46 +66 +67."""
    election = read_pb(pabulib_file("Poland_Wieliczka_2023_Green_Budget.pb"))
    official = sorted(p.id for p in election.instance.projects if p.fields["selected"] == "1")
    outcome = tally(election, rule=rule)
    assert outcome.rule == rule
    assert isinstance(outcome.explanation, MESExplanation)
    assert sorted(outcome.selected) == official
    assert outcome.explanation.budget_per_voter == 315
