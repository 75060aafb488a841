"""Every shared Pabulib file, every rule that applies: the outcome equals pabutools'."""

from __future__ import annotations

import json
from functools import cache

import pytest

from tests.voting.conftest import FIXTURES, pabulib_file
from voting import Election, read_pb, rules_for, tally

REFERENCE = json.loads((FIXTURES / "reference_outcomes.json").read_text())
# Add1 needs many Equal Shares runs on these; everything else takes well under a second.
SLOW = {
    ("Poland_Warszawa_2026.pb", "mes-add1"),
    ("Poland_Warszawa_2026.pb", "mes-add1+greedy"),
}
# The Pabulib checker's Equal Shares variants, which pabutools does not have (test_add1_checker).
NOT_IN_PABUTOOLS = {"mes-add1-checker", "mes-add1-comparison", "mes-comparison"}
CASES = [
    pytest.param(
        name,
        rule,
        marks=[pytest.mark.pabulib] + ([pytest.mark.slow] if (name, rule) in SLOW else []),
        id=f"{name.removesuffix('.pb')}-{rule}",
    )
    for name, entry in REFERENCE.items()
    if name != "_about"
    for rule in entry["rules"]
]


@cache
def election(name: str) -> Election:
    return read_pb(pabulib_file(name))


@pytest.mark.parametrize(("name", "rule"), CASES)
def test_outcome_matches_pabutools(name: str, rule: str) -> None:
    expected = REFERENCE[name]["rules"][rule]
    outcome = tally(election(name).instance, election(name).profile, rule)
    assert sorted(outcome.selected) == expected["selected"]
    assert outcome.total_cost <= outcome.budget


@pytest.mark.pabulib
@pytest.mark.parametrize("name", [n for n in REFERENCE if n != "_about"])
def test_every_applicable_rule_has_a_reference(name: str) -> None:
    vote_type = election(name).profile.vote_type
    expected = set(rules_for(vote_type)) - NOT_IN_PABUTOOLS
    assert set(REFERENCE[name]["rules"]) == expected
