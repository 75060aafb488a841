"""Properties every rule must have, on small random elections."""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.strategies import elections
from voting import Election, Profile, read_pb, rules_for, tally, write_pb

FAST = settings(max_examples=40, deadline=None)


@FAST
@given(
    st.sampled_from(["approval", "cumulative", "scoring", "ordinal"]).flatmap(elections),
    st.sampled_from(["id", "cost"]),
)
def test_budget_never_exceeded_and_outcome_deterministic(election: Election, tie: str) -> None:
    for rule in rules_for(election.profile.vote_type):
        outcome = tally(election.instance, election.profile, rule, tie)
        assert outcome.total_cost <= election.instance.budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert outcome.leftover == election.instance.budget - outcome.total_cost
        again = tally(election.instance, election.profile, rule, tie)
        assert again.to_dict() == outcome.to_dict()


@FAST
@given(st.sampled_from(["approval", "cumulative", "ordinal"]).flatmap(elections), st.randoms())
def test_order_of_voters_does_not_matter(election: Election, rnd: random.Random) -> None:
    ballots = list(election.profile.ballots)
    rnd.shuffle(ballots)
    shuffled = Profile(election.profile.vote_type, ballots, election.profile.constraints)
    for rule in rules_for(election.profile.vote_type):
        a = tally(election.instance, election.profile, rule)
        b = tally(election.instance, shuffled, rule)
        assert a.selected == b.selected


@FAST
@given(st.sampled_from(["approval", "cumulative", "scoring", "ordinal"]).flatmap(elections))
def test_written_file_reads_back_identically(election: Election) -> None:
    again = read_pb(write_pb(election))
    assert again.profile.ballots == election.profile.ballots
    assert [(p.id, p.cost) for p in again.instance.projects] == [
        (p.id, p.cost) for p in election.instance.projects
    ]
    assert read_pb(write_pb(again)) == again


def has_ejr_up_to_one(election: Election, selected: list[str]) -> bool:
    """EJR up to one project for cost utilities (Peters, Pierczyński & Skowron 2021)."""
    cost = {p.id: p.cost for p in election.instance.projects}
    approvals = [set(b.projects) for b in election.profile.ballots]
    n, budget = len(approvals), election.instance.budget
    won = set(selected)
    for size in range(1, n + 1):
        for group in combinations(range(n), size):
            common = set.intersection(*(approvals[i] for i in group))
            for k in range(1, len(common) + 1):
                for t in combinations(sorted(common), k):
                    if Fraction(size, n) * budget < sum(cost[p] for p in t):
                        continue
                    u_t = sum(cost[p] for p in t)
                    if not any(
                        sum(cost[p] for p in approvals[i] & won) >= u_t
                        or any(
                            sum(cost[p] for p in approvals[i] & won) + cost[a] > u_t
                            for a in set(t) - won
                        )
                        for i in group
                    ):
                        return False
    return True


@settings(max_examples=60, deadline=None)
@given(elections("approval"))
def test_equal_shares_satisfies_ejr_up_to_one(election: Election) -> None:
    for rule in ("mes", "mes+greedy", "mes-add1"):
        outcome = tally(election.instance, election.profile, rule)
        assert has_ejr_up_to_one(election, outcome.selected), rule


def approval(budget: int, *groups: tuple[int, str]) -> Election:
    projects = sorted({p for _, ids in groups for p in ids})
    ballots = "".join(f"{i};{','.join(ids)}\n" for count, ids in groups for i in range(count))
    n = sum(count for count, _ in groups)
    text = (
        f"META\nkey;value\nnum_votes;{n}\nbudget;{budget}\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\n"
        + "".join(f"{p};1\n" for p in projects)
        + "VOTES\nvoter_id;vote\n"
        + ballots
    )
    return read_pb(text)


def test_unit_costs_give_the_known_committees() -> None:
    # 4 voters approve a, b, c and 2 approve d; 3 seats. Approval voting (greedy) gives the
    # majority all three seats; Equal Shares and Phragmén give the minority one of them.
    election = approval(3, (4, "a,b,c"), (2, "d"))
    assert tally(election, rule="greedy").selected == ["a", "b", "c"]
    assert tally(election, rule="mes").selected == ["a", "b", "d"]
    assert tally(election, rule="phragmen").selected == ["a", "b", "d"]
    # Phragmén loads: a -> 1/4; then b, c and d tie at 1/2 (b wins on id); then d at 1/2
    steps = tally(election, rule="phragmen").explanation.steps
    assert [s.load for s in steps] == [Fraction(1, 4), Fraction(1, 2), Fraction(1, 2)]


def test_unit_costs_equal_shares_prices() -> None:
    # 6 voters, 3 seats, budget 1/2 each: a costs each of its 4 supporters 1/4, b the rest of
    # their money, and the 2 voters of d pay 1/2 each.
    election = approval(3, (4, "a,b,c"), (2, "d"))
    purchases = tally(election, rule="mes").explanation.purchases
    assert [(p.project, p.payers[0].paid_each) for p in purchases] == [
        ("a", Fraction(1, 4)),
        ("b", Fraction(1, 4)),
        ("d", Fraction(1, 2)),
    ]


def test_seq_phragmen_hand_example() -> None:
    # 3 voters {a,b}, 2 voters {a,c}, 1 voter {c}; 2 seats.
    # a: load 1/5. b: (3/5 + 1)/3 = 8/15; c: (2/5 + 1)/3 = 7/15 -> c wins.
    election = approval(2, (3, "a,b"), (2, "a,c"), (1, "c"))
    outcome = tally(election, rule="phragmen")
    assert outcome.selected == ["a", "c"]
    assert [s.load for s in outcome.explanation.steps] == [Fraction(1, 5), Fraction(7, 15)]
