"""Random small elections, tallied by Linli and by pabutools (a test-only cross-check).

pabutools is GPL and never a dependency of Linli; these tests skip when it is absent.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.strategies import elections
from voting import Election, rules_for, tally, write_pb

# The rules pabutools has; the cities' own variants (the checker's Equal Shares, ...) it has not.
PABUTOOLS_RULES = {
    "greedy",
    "greedy-per-cost",
    "mes",
    "mes+greedy",
    "mes-add1",
    "mes-add1+greedy",
    "phragmen",
}


def pabutools_selected(election: Election, rule: str) -> list[str] | None:
    import pytest

    if rule not in PABUTOOLS_RULES:
        return None
    pabulib = pytest.importorskip("pabutools.election")
    rules = pytest.importorskip("pabutools.rules")
    reader = pytest.importorskip("pabutools.election.pabulib")
    instance, profile = reader.parse_pabulib_from_string(write_pb(election))
    vote_type = election.profile.vote_type
    sat = {
        "approval": pabulib.Cost_Sat,
        "cumulative": pabulib.Additive_Cardinal_Sat,
        "ordinal": pabulib.Additive_Borda_Sat,
    }[vote_type]
    if rule == "phragmen":
        result = rules.sequential_phragmen(instance, profile)
    elif rule == "greedy":
        if vote_type != "approval":
            return None  # greedy by total points is not a pabutools satisfaction
        result = rules.greedy_utilitarian_welfare(instance, profile, sat_class=pabulib.Cost_Sat)
    elif rule == "greedy-per-cost":
        per_cost = pabulib.Cardinality_Sat if vote_type == "approval" else sat
        result = rules.greedy_utilitarian_welfare(instance, profile, sat_class=per_cost)
    else:
        result = rules.method_of_equal_shares(
            instance, profile, sat_class=sat, voter_budget_increment=1 if "add1" in rule else None
        )
        if rule.endswith("+greedy") and not instance.is_exhaustive(result):
            result = rules.greedy_utilitarian_welfare(
                instance,
                profile,
                sat_class=sat,
                initial_budget_allocation=result,
                is_sat_additive=True,
            )
    return sorted(p.name for p in result)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["approval", "cumulative", "ordinal"]).flatmap(elections))
def test_same_outcome_as_pabutools(election: Election) -> None:
    for rule in rules_for(election.profile.vote_type):
        expected = pabutools_selected(election, rule)
        if expected is not None:
            assert sorted(tally(election, rule=rule).selected) == expected, rule


@settings(max_examples=40, deadline=None)
@given(elections("approval", unit_costs=True))
def test_same_outcome_as_pabutools_with_unit_costs(election: Election) -> None:
    # unit costs make exact ties common, so this exercises the tie-breaking
    for rule in rules_for("approval"):
        expected = pabutools_selected(election, rule)
        if expected is not None:
            assert sorted(tally(election, rule=rule).selected) == expected, rule


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["approval", "cumulative", "ordinal"]).flatmap(
        lambda vote_type: elections(vote_type, many=True)
    )
)
def test_add1_with_many_steps_as_pabutools(election: Election) -> None:
    # many voters and dear projects: Add1 takes many steps, so the run-skipping is exercised
    for rule in ("mes-add1", "mes-add1+greedy"):
        expected = pabutools_selected(election, rule)
        assert sorted(tally(election, rule=rule).selected) == expected, rule
