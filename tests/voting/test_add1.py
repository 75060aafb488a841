"""Add1 skips the budgets it can prove would repeat an outcome; the plain loop runs them all.

The loop here uses only the public API: Equal Shares with x per voter is the `mes` rule on an
instance whose budget is n x. Unlike the comparisons with pabutools, these tests run without it.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.conftest import pabulib_file
from voting import (
    Ballot,
    BallotConstraints,
    Election,
    Instance,
    MESExplanation,
    Profile,
    Project,
    read_pb,
    tally,
)


@st.composite
def dear_elections(draw: st.DrawFn, vote_type: str) -> Election:
    """A few voters and dear projects: Add1 takes tens to hundreds of steps, the outcome often
    unchanged between them, so the skipping is exercised."""
    ids = [f"p{i}" for i in range(draw(st.integers(4, 8)))]
    projects = [Project(i, Fraction(draw(st.integers(100, 1000)))) for i in ids]
    ballots = []
    for v in range(draw(st.integers(4, 12))):
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        points = None
        if vote_type == "cumulative":
            points = tuple(Fraction(draw(st.integers(1, 4))) for _ in chosen)
        ballots.append(Ballot(tuple(chosen), points, str(v + 1)))
    budget = Fraction(draw(st.integers(500, 1500)))
    return Election(Instance(projects, budget), Profile(vote_type, ballots, BallotConstraints()))


def step_by_step(election: Election) -> tuple[list[str], Fraction, int]:
    """pabutools' Add1: x = B/n, B/n + 1, ...; stop at the first exhaustive outcome, or keep
    the previous one at the first outcome over budget. Selected ids, x, and MES runs made."""
    instance, profile = election.instance, election.profile
    n = len(profile.ballots)
    cost = {p.id: p.cost for p in instance.projects}
    x = instance.budget / n
    previous: tuple[list[str], Fraction] | None = None
    for runs in count(1):
        outcome = tally(Instance(instance.projects, x * n), profile, "mes")
        assert isinstance(outcome.explanation, MESExplanation)
        spent = sum((cost[p] for p in outcome.selected), Fraction(0))
        if spent > instance.budget:
            assert previous is not None  # at x = B/n the voters cannot spend more than B
            return previous[0], previous[1], runs
        supported = {p.project for p in outcome.explanation.purchases} | {
            loser.project for loser in outcome.explanation.losers if loser.supporters
        }
        left = instance.budget - spent
        if all(cost[p] > left for p in supported - set(outcome.selected) if cost[p] > 0):
            return outcome.selected, x, runs
        previous = (outcome.selected, x)
        x += 1
    raise AssertionError("unreachable")


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["approval", "cumulative", "ordinal"]).flatmap(dear_elections))
def test_add1_equals_the_step_by_step_loop(election: Election) -> None:
    outcome = tally(election, rule="mes-add1")
    assert isinstance(outcome.explanation, MESExplanation)
    explanation = outcome.explanation
    assert (outcome.selected, explanation.budget_per_voter, explanation.add1_iterations) == (
        step_by_step(election)
    )


# Budgets from B/n + 1 to B/n + 133 buy p2, p3 and p1, except B/n + 63 = 173, where p0 comes
# before p1 and all four fit: an exhaustive outcome, so Add1 stops there (as pabutools does).
# Skipping between two budgets that buy the same, without the proof, would miss it.
LONE_BUDGET = """META
key;value
num_votes;9
budget;990
vote_type;cumulative
PROJECTS
project_id;cost
p0;153
p1;424
p2;100
p3;110
VOTES
voter_id;vote;points
1;p2;1
2;p2;1
3;p1,p0,p2;1,2,1
4;p1;1
5;p2;1
6;p3,p1;1,1
7;p1;1
8;p2;1
9;p3,p1;1,2
"""


def test_add1_finds_a_lone_budget_between_two_alike() -> None:
    election = read_pb(LONE_BUDGET)
    outcome = tally(election, rule="mes-add1")
    assert isinstance(outcome.explanation, MESExplanation)
    assert outcome.selected == ["p2", "p3", "p0", "p1"]
    assert outcome.explanation.budget_per_voter == 173
    assert outcome.explanation.add1_iterations == 64
    assert step_by_step(election) == (outcome.selected, Fraction(173), 64)


def mes_at(election: Election, budget_per_voter: Fraction) -> tuple[list[str], MESExplanation]:
    """Plain Equal Shares with that budget per voter, what Add1's explanation must show: the
    projects selected and the explanation."""
    n = len(election.profile.ballots)
    outcome = tally(
        Instance(election.instance.projects, budget_per_voter * n), election.profile, "mes"
    )
    assert isinstance(outcome.explanation, MESExplanation)
    return outcome.selected, outcome.explanation


@st.composite
def district_elections(draw: st.DrawFn) -> Election:
    """Districts of projects whose voters rarely cross over, with costs that repeat: projects
    with no supporter in common are bought in orders that change with the budget per voter
    while what is bought stays the same, which Add1 skips over (`voting.mes._same_between`)."""
    districts = draw(st.integers(1, 4))
    ids = [f"p{i}" for i in range(draw(st.integers(4, 12)))]
    costs = st.sampled_from([100, 120, 150, 200, 300]) | st.integers(100, 1000)
    projects = [Project(i, Fraction(draw(costs))) for i in ids]
    ballots = []
    for v in range(draw(st.integers(3, 20))):
        home = draw(st.integers(0, districts - 1))
        pool = ids if draw(st.integers(0, 9)) == 0 else ids[home::districts]
        chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        ballots.append(Ballot(tuple(chosen), None, str(v + 1)))
    budget = Fraction(draw(st.integers(300, 2000)))
    return Election(Instance(projects, budget), Profile("approval", ballots, BallotConstraints()))


@settings(max_examples=60, deadline=None)
@given(district_elections())
def test_add1_skips_orders_that_change_and_keeps_what_is_bought(election: Election) -> None:
    outcome = tally(election, rule="mes-add1")
    assert isinstance(outcome.explanation, MESExplanation)
    explanation = outcome.explanation
    assert (outcome.selected, explanation.budget_per_voter, explanation.add1_iterations) == (
        step_by_step(election)
    )
    # the explanation is MES's own run at that budget, purchases in MES's order
    _, plain = mes_at(election, explanation.budget_per_voter)
    assert explanation.purchases == plain.purchases


def test_add1_on_toulouse_2022_explains_mes_at_the_budget_it_ends_at() -> None:
    """Toulouse 2022 buys the same projects in ever new orders over 1,619 budgets; the runs
    in between follow another run's order (`voting.mes._Run.follow`), and the run Add1 ends
    with must still be MES's own. pabutools: 1,619 runs."""
    election = read_pb(pabulib_file("France_Toulouse_2022.pb"))
    outcome = tally(election, rule="mes-add1")
    assert isinstance(outcome.explanation, MESExplanation)
    explanation = outcome.explanation
    assert explanation.add1_iterations == 1619
    selected, plain = mes_at(election, explanation.budget_per_voter)
    assert explanation.purchases == plain.purchases
    assert outcome.selected == selected
