"""validate_ballot: each broken constraint gives its own machine-readable code."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.voting.conftest import FIXTURES
from voting import Ballot, BallotError, read_pb, validate_ballot

APPROVAL = read_pb(FIXTURES / "approval_small.pb")
CUMULATIVE = read_pb(FIXTURES / "cumulative_small.pb")
SCORING = read_pb(FIXTURES / "scoring_small.pb")
CHOOSE_1 = read_pb(FIXTURES / "choose1_crlf.pb")


def pts(*values: str) -> tuple[Fraction, ...]:
    return tuple(Fraction(v) for v in values)


@pytest.mark.parametrize(
    ("election", "ballot", "code"),
    [
        (APPROVAL, Ballot(("a", "zz")), "unknown_project"),
        (APPROVAL, Ballot(("a", "a")), "duplicate_project"),
        (APPROVAL, Ballot(()), "too_few"),
        (APPROVAL, Ballot(("a", "b", "c", "d")), "too_many"),
        (CHOOSE_1, Ballot(("x", "y")), "too_many"),
        (APPROVAL, Ballot(("a",), pts("1")), "points_mismatch"),
        (CUMULATIVE, Ballot(("p1", "p2"), pts("4")), "points_mismatch"),
        (CUMULATIVE, Ballot(("p1",), pts("5")), "points_over_max"),
        (CUMULATIVE, Ballot(("p1", "p2"), pts("4", "2")), "sum_over_max"),
        (CUMULATIVE, Ballot(("p1",), pts("-1")), "points_under_min"),
        (SCORING, Ballot(("s1",), pts("-3")), "points_under_min"),
    ],
)
def test_invalid_ballot_has_a_code(election, ballot: Ballot, code: str) -> None:
    with pytest.raises(BallotError) as caught:
        validate_ballot(election.instance, election.profile, ballot)
    assert caught.value.code == code


def test_cost_limits_of_approval_ballots() -> None:
    amsterdam_like = read_pb(
        (FIXTURES / "approval_small.pb").read_text().replace("max_length;3", "max_sum_cost;800")
    )
    with pytest.raises(BallotError) as caught:
        validate_ballot(amsterdam_like.instance, amsterdam_like.profile, Ballot(("a", "c")))
    assert caught.value.code == "cost_over_max"
    assert caught.value.params == {"total": Fraction(900), "max": Fraction(800)}


@pytest.mark.parametrize(
    ("election", "ballot"),
    [
        (APPROVAL, Ballot(("a", "b", "c"))),
        (CHOOSE_1, Ballot(("z",))),
        (CUMULATIVE, Ballot(("p1", "p3"), pts("4", "1"))),
        (SCORING, Ballot(("s1", "s2"), pts("-2", "3"))),
    ],
)
def test_valid_ballot_passes(election, ballot: Ballot) -> None:
    validate_ballot(election.instance, election.profile, ballot)


def test_every_ballot_of_the_fixtures_is_valid() -> None:
    for election in (APPROVAL, CUMULATIVE, SCORING, CHOOSE_1):
        for ballot in election.profile.ballots:
            if ballot.projects:
                validate_ballot(election.instance, election.profile, ballot)
