"""The cities' greedy variants on elections small enough to count by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.voting.conftest import FIXTURES
from voting import Ballot, Instance, Profile, Project, UnsupportedRuleError, read_pb, tally
from voting.cli import main
from voting.outcome import GreedyExplanation

VERIFY = FIXTURES / "verify"


def _election(
    costs: dict[str, int],
    ballots: list[str],
    budget: int,
    meta: dict[str, str] | None = None,
    groups: dict[str, str] | None = None,
) -> tuple[Instance, Profile]:
    projects = [
        Project(pid, Fraction(cost), fields={"exclusive_group": (groups or {}).get(pid, "")})
        for pid, cost in costs.items()
    ]
    profile = Profile("approval", [Ballot(tuple(b)) for b in ballots])
    return Instance(projects, Fraction(budget), meta or {}), profile


def _reasons(instance: Instance, profile: Profile, rule: str, tie_break: str = "id") -> dict:
    explanation = tally(instance, profile, rule, tie_break).explanation
    assert isinstance(explanation, GreedyExplanation)
    return {s.project: (s.skipped_because, s.because_of) for s in explanation.steps}


def test_threshold_leaves_out_a_project_that_would_fit() -> None:
    # supports a 5, b 4, d 3, c 2; threshold 3; budget 110: a 60, b 30, d 10 leave 10,
    # enough for c (cost 10), which plain greedy funds and greedy-threshold does not count.
    election = read_pb(VERIFY / "threshold_agree.pb")
    assert tally(election, rule="greedy").selected == ["a", "b", "d", "c"]
    outcome = tally(election, rule="greedy-threshold")
    assert outcome.selected == ["a", "b", "d"]
    assert outcome.leftover == 10
    assert isinstance(outcome.explanation, GreedyExplanation)
    assert outcome.explanation.threshold == 3
    steps = {s.project: s for s in outcome.explanation.steps}
    assert steps["c"].skipped_because == "below_threshold"
    assert steps["d"].selected  # support 3 = threshold: counted


def test_threshold_rule_needs_the_threshold() -> None:
    instance, profile = _election({"a": 10}, ["a"], 10)
    with pytest.raises(UnsupportedRuleError, match="min_project_score_threshold"):
        tally(instance, profile, "greedy-threshold")


def test_no_skip_stops_at_the_first_misfit() -> None:
    # a 4 votes cost 50, b 3 cost 60 (does not fit in 50), c 2 cost 20: stop at b.
    election = read_pb(VERIFY / "no_skip_agree.pb")
    assert tally(election, rule="greedy").selected == ["a", "c"]
    assert tally(election, rule="greedy-no-skip").selected == ["a"]
    reasons = _reasons(election.instance, election.profile, "greedy-no-skip")
    assert reasons == {"a": ("", ""), "b": ("no_fit", ""), "c": ("after_stop", "b")}


def test_no_skip_honours_the_tie_break_at_the_stop() -> None:
    # a 3 votes; b and c 2 votes each. id: b (60) comes first, does not fit in 50, stops.
    # cost: c (40) comes first and fits; then b does not fit.
    instance, profile = _election({"a": 50, "b": 60, "c": 40}, ["abc", "abc", "a"], 100)
    assert tally(instance, profile, "greedy-no-skip", "id").selected == ["a"]
    assert tally(instance, profile, "greedy-no-skip", "cost").selected == ["a", "c"]


def test_no_skip_honours_a_threshold_and_passes_over_withdrawn_projects() -> None:
    # w (cost 999999999) is first by votes but withdrawn: it does not stop the count.
    instance, profile = _election(
        {"w": 999_999_999, "a": 50, "b": 40, "c": 5},
        ["wabc", "wab", "wa", "w"],
        100,
        meta={"min_project_score_threshold": "2"},
    )
    assert tally(instance, profile, "greedy-no-skip").selected == ["a", "b"]
    reasons = _reasons(instance, profile, "greedy-no-skip")
    assert reasons["w"] == ("withdrawn", "")
    assert reasons["c"] == ("below_threshold", "")


def test_exclusive_funds_the_best_of_a_group() -> None:
    # budget 100: a (park, 5 votes, 40), b (park, 4, 30) excluded, c (3, 30), d (road, 2, 20),
    # e (road, 1, 10) excluded by d; plain greedy funds a, b, c.
    election = read_pb(VERIFY / "exclusive_agree.pb")
    assert tally(election, rule="greedy").selected == ["a", "b", "c"]
    assert tally(election, rule="greedy-exclusive").selected == ["a", "c", "d"]
    reasons = _reasons(election.instance, election.profile, "greedy-exclusive")
    assert reasons["b"] == ("exclusive_group", "a")
    assert reasons["e"] == ("exclusive_group", "d")


def test_exclusive_moves_on_when_the_best_of_a_group_does_not_fit() -> None:
    # a (g, 3 votes) costs 60 > 50 and is skipped; b (g, 2 votes) then fits; c shares
    # label h with b, so it is excluded although it fits.
    instance, profile = _election(
        {"a": 60, "b": 40, "c": 5},
        ["abc", "abc", "ab", "a"],
        50,
        groups={"a": "g", "b": "g, h", "c": "h"},
    )
    assert tally(instance, profile, "greedy-exclusive").selected == ["b"]
    assert _reasons(instance, profile, "greedy-exclusive")["c"] == ("exclusive_group", "b")


def test_exclusive_without_groups_is_greedy() -> None:
    election = read_pb(FIXTURES / "approval_small.pb")
    for tie_break in ("id", "cost"):
        assert (
            tally(election, rule="greedy-exclusive", tie_break=tie_break).selected
            == tally(election, rule="greedy", tie_break=tie_break).selected
        )


@pytest.mark.parametrize(
    ("file", "rule", "project", "words"),
    [
        ("no_skip_agree.pb", "greedy-no-skip", "c", "not considered, the count stopped at b"),
        ("threshold_agree.pb", "greedy-threshold", "c", "below the threshold 3"),
        ("exclusive_agree.pb", "greedy-exclusive", "b", "excluded, a of its group was funded"),
    ],
)
def test_explain_says_why(
    capsys: pytest.CaptureFixture[str], file: str, rule: str, project: str, words: str
) -> None:
    assert main(["explain", str(VERIFY / file), "--rule", rule, "--project", project]) == 0
    assert words in capsys.readouterr().out


def test_a_threshold_rule_on_a_file_without_one_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tally", str(FIXTURES / "approval_small.pb"), "--rule", "greedy-threshold"]) == 2
    err = capsys.readouterr().err
    assert "min_project_score_threshold" in err and err.count("\n") == 1
