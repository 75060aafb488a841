"""The rows a person reads of an explanation: built from the outcome, stored as JSON and read
back, and read from the whole engine explanations that tallies stored before rows existed."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.conftest import FIXTURES
from tests.voting.strategies import elections
from voting import (
    Ballot,
    Election,
    EqualSharesRows,
    GreedyRow,
    GreedyRows,
    Instance,
    LoserRow,
    MESExplanation,
    PhragmenRow,
    PhragmenRows,
    Profile,
    Project,
    PurchaseRow,
    explanation_rows,
    read_pb,
    rows_from_dict,
    rules_for,
    tally,
)

# Written by the engine of the day (`outcome.to_dict()["explanation"]`), as tallies stored it:
# the demo's 2025 round as `python -m demo` stored it, and approval_small.pb.
STORED = json.loads((FIXTURES / "stored_explanations.json").read_text(encoding="utf-8"))


def test_the_demo_round_stored_whole_reads_as_rows() -> None:
    rows = rows_from_dict(STORED["demo 2025 round, mes+greedy"])
    assert rows == EqualSharesRows(
        budget_per_voter=Fraction(3_000_000, 31),
        purchases=(
            PurchaseRow("1", 1, 25, Fraction(49440)),
            # 13 paid their full share, 7 gave all they had left (less, together)
            PurchaseRow("2", 2, 20, Fraction(33128480, 403)),
            PurchaseRow("5", 3, 13, Fraction(30028220, 403)),
        ),
        losers=(
            LoserRow("3", 22, Fraction(259542220, 403)),
            LoserRow("4", 21, Fraction(278514580, 403)),
        ),
        add1_iterations=None,
        completion=GreedyRows(
            "satisfaction per cost",
            (
                GreedyRow("3", 1, True, Fraction(2_564_000)),
                GreedyRow("4", 2, False, Fraction(814_000)),
            ),
        ),
    )


def test_greedy_and_phragmen_stored_whole_read_as_rows() -> None:
    greedy = rows_from_dict(STORED["approval_small.pb, greedy"])
    assert greedy == GreedyRows(
        "support",
        (
            GreedyRow("a", 1, True, Fraction("1000.5")),
            GreedyRow("b", 2, True, Fraction("500.5")),
            GreedyRow("c", 3, False, Fraction("200.25")),
            GreedyRow("d", 4, True, Fraction("200.25")),
        ),
    )
    phragmen = rows_from_dict(STORED["approval_small.pb, phragmen"])
    assert phragmen == PhragmenRows(
        (PhragmenRow("b", 1, 2, Fraction("150.125")), PhragmenRow("a", 2, 3, Fraction(5201, 24))),
        stopped_by="c",
    )


def test_add1_rows_keep_the_runs_and_have_no_completion() -> None:
    rows = rows_from_dict(STORED["approval_small.pb, mes-add1"])
    assert isinstance(rows, EqualSharesRows)
    assert rows.add1_iterations == 35 and rows.completion is None
    assert rows.budget_per_voter == Fraction("234.1")
    assert rows.purchases[1] == PurchaseRow("b", 2, 2, Fraction(13969, 60))
    assert rows.losers[1] == LoserRow("d", 0, Fraction(100))


@pytest.mark.parametrize("rule", rules_for("approval"))
def test_rows_of_a_new_tally_equal_those_read_from_the_old_stored_shape(rule: str) -> None:
    outcome = tally(read_pb(FIXTURES / "approval_small.pb"), rule=rule)
    rows = explanation_rows(outcome)
    assert rows_from_dict(outcome.to_dict()["explanation"]) == rows
    assert rows_from_dict(json.loads(json.dumps(rows.to_dict()))) == rows


def test_the_stored_rows_keep_the_engine_keys_and_drop_what_no_one_reads() -> None:
    outcome = tally(read_pb(FIXTURES / "approval_small.pb"), rule="mes+greedy")
    stored = explanation_rows(outcome).to_dict()
    assert stored["kind"] == "mes" and stored["budget_per_voter"] == "200.1"
    assert stored["purchases"][0] == {
        "project": "a",
        "round": 1,
        "supporters": 3,
        "most_paid_each": "500/3",
    }
    assert stored["completion"]["kind"] == "greedy"
    assert set(stored["completion"]["steps"][0]) == {
        "project",
        "rank",
        "selected",
        "budget_left_before",
    }


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["approval", "cumulative", "scoring", "ordinal"]).flatmap(elections))
def test_rows_agree_with_the_outcome_and_survive_json(election: Election) -> None:
    for rule in rules_for(election.profile.vote_type):
        outcome = tally(election, rule=rule)
        rows = explanation_rows(outcome)
        assert rows_from_dict(json.loads(json.dumps(rows.to_dict()))) == rows
        assert rows_from_dict(outcome.to_dict()["explanation"]) == rows
        if isinstance(rows, EqualSharesRows):
            assert isinstance(outcome.explanation, MESExplanation)
            bought = [p.project for p in rows.purchases]
            assert outcome.selected[: len(bought)] == bought
            for row, purchase in zip(rows.purchases, outcome.explanation.purchases, strict=True):
                paid = [g.paid_each for g in purchase.payers if g.paid_each is not None]
                # nobody paid more than a full share, and a full share is what someone paid
                assert row.most_paid_each * row.supporters >= purchase.cost
                if paid:
                    assert row.most_paid_each >= max(paid)
            greedy = rows.completion
        elif isinstance(rows, GreedyRows):
            greedy = rows
        else:
            assert [s.project for s in rows.steps] == outcome.selected
            greedy = None
        if greedy is not None:
            funded = [s.project for s in greedy.steps if s.selected]
            assert outcome.selected[len(outcome.selected) - len(funded) :] == funded


@pytest.mark.parametrize("empty", [None, {}])
def test_nothing_stored_reads_as_no_rows(empty: dict | None) -> None:
    assert rows_from_dict(empty) is None


@pytest.mark.parametrize(
    "broken",
    [
        {"kind": "borda", "steps": []},
        {"kind": "mes", "budget_per_voter": 1.5, "purchases": [], "losers": []},
        {"kind": "phragmen", "steps": [{"project": "a", "round": 1, "supporters": 2, "load": 0.1}]},
    ],
)
def test_an_unknown_kind_or_a_rounded_number_is_refused(broken: dict) -> None:
    with pytest.raises(ValueError):
        rows_from_dict(broken)


def test_rows_are_frozen() -> None:
    row = GreedyRow("a", 1, True, Fraction(1))
    with pytest.raises(AttributeError):
        row.selected = False


def test_phragmen_row_of_a_project_nobody_voted_for_has_no_load() -> None:
    instance = Instance([Project("a", Fraction(1)), Project("b", Fraction(1))], Fraction(5))
    outcome = tally(instance, Profile("approval", [Ballot(("a",))]), "phragmen")
    rows = explanation_rows(outcome)
    assert rows == PhragmenRows(
        (PhragmenRow("a", 1, 1, Fraction(1)), PhragmenRow("b", 2, 0, None)), stopped_by=None
    )
    assert rows.to_dict()["steps"][1]["load"] is None
    assert rows_from_dict(json.loads(json.dumps(rows.to_dict()))) == rows
