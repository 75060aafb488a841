"""Reading and writing .pb files: our fixtures, every shared file, and malformed input."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.voting.conftest import FIXTURES, pabulib_dir
from voting import PabulibError, read_pb, write_pb

OWN = sorted(FIXTURES.glob("*.pb"))


def shared_files() -> list[str]:
    folder = pabulib_dir()
    return sorted(p.name for p in folder.glob("*.pb")) if folder.is_dir() else []


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.name)
def test_own_fixture_round_trips(path) -> None:
    election = read_pb(path)
    assert read_pb(write_pb(election)) == election


@pytest.mark.pabulib
@pytest.mark.parametrize("name", shared_files() or ["(no files)"])
def test_shared_file_round_trips(name: str) -> None:
    if name == "(no files)":
        pytest.skip(f"no Pabulib files in {pabulib_dir()} (set LINLI_PABULIB_DIR)")
    election = read_pb(pabulib_dir() / name)
    assert len(election.instance.projects) == int(election.instance.meta["num_projects"])
    assert read_pb(write_pb(election)) == election


def test_values_are_exact_and_quotes_are_csv() -> None:
    election = read_pb(FIXTURES / "approval_small.pb")
    assert election.instance.budget == Fraction("1000.50")
    a = election.instance.projects[0]
    assert a.name == 'Park; with "benches"'
    assert election.instance.projects[1].cost == Fraction(30025, 100)
    assert election.profile.ballots[4].projects == ()  # an empty approval ballot counts
    assert dict(election.profile.ballots[0].fields) == {"age": "30"}


def test_choose_1_with_crlf_and_lowercase_sections() -> None:
    election = read_pb(FIXTURES / "choose1_crlf.pb")
    assert election.profile.vote_type == "approval"
    assert election.profile.file_vote_type == "choose-1"
    assert election.profile.constraints.max_length == 1
    assert "vote_type;choose-1" in write_pb(election)


def test_scoring_points_can_be_negative_and_decimal() -> None:
    election = read_pb(FIXTURES / "scoring_small.pb")
    assert election.profile.vote_type == "scoring"
    assert election.profile.ballots[1].points == (Fraction(5, 2), Fraction(1))
    assert election.profile.constraints.min_points == -2


def test_text_and_path_give_the_same_election() -> None:
    path = FIXTURES / "ordinal_small.pb"
    assert read_pb(path.read_text()) == read_pb(path) == read_pb(str(path))


GOOD = (FIXTURES / "cumulative_small.pb").read_text()


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            broken("VOTES\nvoter_id;vote;points\n1;p1,p2;4,1\n2;p2,p3;3,2\n3;p3;4\n", ""),
            13,
            "missing section VOTES",
        ),
        (broken("META\n", ""), 1, "expected the META section"),
        (broken("PROJECTS\n", "VOTES\n"), 9, "expected section PROJECTS"),
        (broken("project_id;cost;name", "project_id;price;name"), 10, "lacks the column 'cost'"),
        (broken("voter_id;vote;points", "voter_id;vote"), 15, "need a 'points' column"),
        (broken("1;p1,p2;4,1", "1;p1,p9;4,1"), 16, "unknown project 'p9'"),
        (broken("num_votes;3", "num_votes;4"), 4, "num_votes is 4 but the file has 3"),
        (broken("p2;50;Two", "p2;5O;Two"), 12, "bad number"),
        (broken("budget;100", "budget;lots"), 5, "bad number for budget"),
        (broken("2;p2,p3;3,2", "2;p2,p3;3"), 17, "2 projects but 1 points"),
        (broken("3;p3;4", "3;p3;-4"), 18, "negative points"),
        (broken("p3;40;Three", "p3;40;Three;extra"), 13, "4 fields but the header has 3"),
        (broken("p3;40;Three", "p1;40;Three"), 13, "project 'p1' appears twice"),
        (broken("1;p1,p2;4,1", "1;p1,p1;4,1"), 16, "the same project twice"),
        (broken("vote_type;cumulative", "vote_type;plurality"), 6, "unknown vote_type"),
        (broken("budget;100\n", ""), 8, "lacks the key 'budget'"),
        (broken("p1;60;One", 'p1;60;"One'), 11, "quoted field is not closed"),
    ],
)
def test_malformed_file_names_line_and_problem(text: str, line: int, words: str) -> None:
    with pytest.raises(PabulibError) as caught:
        read_pb(text)
    assert words in str(caught.value)
    assert caught.value.line == line, str(caught.value)


def test_missing_file_is_a_pabulib_error(tmp_path) -> None:
    with pytest.raises(PabulibError, match="cannot read"):
        read_pb(tmp_path / "nope.pb")
