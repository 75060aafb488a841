"""Project performance measures equal brute force: re-running the rule at every cost on the
grid and with 0, 1, 2, ... extra single-project ballots, on small random elections."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.voting.conftest import FIXTURES, pabulib_file
from tests.voting.strategies import elections
from voting import Ballot, BallotConstraints, Election, read_pb, tally
from voting.cli import main
from voting.measures import ProjectMeasure, measures_from_dict, project_measures

_RULES = {
    "approval": ("greedy", "greedy-per-cost", "mes", "mes+greedy", "phragmen"),
    "cumulative": ("greedy", "greedy-per-cost", "mes", "mes+greedy"),
    "ordinal": ("greedy", "mes", "mes+greedy"),
}
_MAX_EXTRA = 30


def _brute(election: Election, rule: str, tie_break: str, pid: str) -> ProjectMeasure:
    instance, profile = election.instance, election.profile
    scale = math.lcm(instance.budget.denominator, *(p.cost.denominator for p in instance.projects))
    top = math.floor(instance.budget * scale)
    p = next(i for i, x in enumerate(instance.projects) if x.id == pid)

    def wins_at(c: int) -> bool:
        projects = list(instance.projects)
        projects[p] = replace(projects[p], cost=Fraction(c, scale))
        return pid in tally(replace(instance, projects=projects), profile, rule, tie_break).selected

    costs = [c for c in range(1, top + 1) if wins_at(c)]
    if costs:  # the measure claims an interval [1, max]: check it is one
        assert costs == list(range(1, costs[-1] + 1)), (rule, pid, costs)
    selected = pid in tally(instance, profile, rule, tie_break).selected
    extra = None
    ballot = Ballot((pid,), (1,)) if profile.vote_type == "cumulative" else Ballot((pid,))
    for k in range(_MAX_EXTRA + 1):
        more = replace(profile, ballots=[*profile.ballots, *[ballot] * k])
        if pid in tally(instance, more, rule, tie_break).selected:
            extra = k
            break
    cost = instance.projects[p].cost
    return ProjectMeasure(pid, selected, cost, Fraction(costs[-1], scale) if costs else None, extra)


def _check(election: Election, rule: str, tie_break: str) -> None:
    measures = project_measures(election.instance, election.profile, rule, tie_break)
    assert measures_from_dict(measures.to_dict()) == measures
    for got in measures.projects:
        want = _brute(election, rule, tie_break, got.project)
        assert got.selected == want.selected
        assert got.max_cost == want.max_cost, (rule, tie_break, got, want)
        if got.supporters_searched is not None:  # a bounded search found none up to there
            assert got.extra_supporters is None
            assert want.extra_supporters is None or want.extra_supporters > got.supporters_searched
        elif want.extra_supporters is not None:
            assert got.extra_supporters == want.extra_supporters, (rule, got, want)
        else:
            assert got.extra_supporters is None or got.extra_supporters > _MAX_EXTRA


@settings(max_examples=25, deadline=None, report_multiple_bugs=False)
@given(elections("approval"), st.sampled_from(_RULES["approval"]), st.sampled_from(["id", "cost"]))
def test_approval_measures_equal_brute_force(election: Election, rule: str, tie_break: str) -> None:
    _check(election, rule, tie_break)


@settings(max_examples=12, deadline=None, report_multiple_bugs=False)
@given(
    st.sampled_from(["cumulative", "ordinal"]).flatmap(
        lambda v: st.tuples(elections(v), st.sampled_from(_RULES[v]))
    ),
    st.sampled_from(["id", "cost"]),
)
def test_other_vote_types_equal_brute_force(case: tuple[Election, str], tie_break: str) -> None:
    _check(*case, tie_break)


def _same_as_full_reruns(election: Election, rule: str, tie_break: str, reruns: int) -> None:
    instance, profile = election.instance, election.profile
    outcome = tally(election, rule=rule, tie_break=tie_break)
    fast = project_measures(instance, profile, rule, tie_break, outcome, reruns=reruns)
    plain = project_measures(
        instance, profile, rule, tie_break, outcome, reruns=reruns, plain_reruns=True
    )
    assert fast == plain


@settings(max_examples=40, deadline=None, report_multiple_bugs=False)
@given(
    st.sampled_from(["approval", "cumulative", "ordinal", "scoring"]).flatmap(elections),
    st.sampled_from(["mes", "mes+greedy"]),
    st.sampled_from(["id", "cost"]),
    st.booleans(),
)
def test_fast_equal_shares_reruns_give_the_full_rules_measures(
    election: Election, rule: str, tie_break: str, default_score: bool
) -> None:
    if default_score and election.profile.vote_type == "scoring":  # every ballot rates all
        constraints = BallotConstraints(default_score=Fraction(1))
        election = replace(election, profile=replace(election.profile, constraints=constraints))
    _same_as_full_reruns(election, rule, tie_break, reruns=40)


@pytest.mark.parametrize(
    ("name", "rule", "tie_break"),
    [
        ("Poland_Warszawa_2024_Wesola.pb", "mes+greedy", "cost"),  # approval
        ("Poland_Krakow_2025_Biezanow-Prokocim.pb", "mes", "id"),  # ordinal
        ("France_Toulouse_2019.pb", "mes+greedy", "id"),  # cumulative
        ("Poland_Gdynia_2020_Babie_Doly__small.pb", "mes", "cost"),
    ],
)
def test_fast_reruns_give_the_full_rules_measures_on_real_files(
    name: str, rule: str, tie_break: str
) -> None:
    _same_as_full_reruns(read_pb(pabulib_file(name)), rule, tie_break, reruns=100)


def test_reruns_from_an_earlier_snapshot_give_the_same_measures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # too little room for snapshots: runs without a winner start from the first round
    monkeypatch.setattr("voting.mes._SNAPSHOT_LIMIT", 1)
    election = read_pb(pabulib_file("Poland_Warszawa_2024_Wesola.pb"))
    _same_as_full_reruns(election, "mes", "id", reruns=0)


def test_tally_json_carries_the_measures(capsys: pytest.CaptureFixture[str]) -> None:
    pb = str(FIXTURES / "approval_small.pb")
    assert main(["tally", pb, "--rule", "greedy", "--json", "--measures"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_project = {m["project"]: m for m in data["measures"]["projects"]}
    # a (3 votes) and b (2, first by id) leave 200.25: c (2 votes, 400) fits at 200.25, or
    # with a third vote it comes right after a, with 500.5 left
    assert by_project["c"] == {
        "project": "c",
        "selected": False,
        "cost": "400",
        "max_cost": "200.25",
        "extra_supporters": 1,
        "supporters_searched": None,
    }
    assert by_project["a"]["max_cost"] == "1000.5"  # first in line: up to the whole budget
    assert "measures" in data["seconds"]


def test_explain_says_the_measure_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    pb = str(FIXTURES / "approval_small.pb")
    assert main(["explain", pb, "--rule", "greedy", "--project", "c"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "It would have won at a cost of 200.25 (199.75 less), "
        "or with 1 more voter supporting it alone."
    )
    assert main(["explain", pb, "--rule", "mes-add1", "--project", "c"]) == 0
    assert "not computed for this rule" in capsys.readouterr().out
