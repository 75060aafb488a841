"""`python -m voting`: outputs, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.voting.conftest import FIXTURES, REPO
from voting.cli import main

APPROVAL = str(FIXTURES / "approval_small.pb")


def test_tally_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", APPROVAL, "--rule", "mes+greedy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rule"] == "mes+greedy"
    assert data["selected"] == ["a", "b", "d"]
    assert data["total_cost"] == "900.25"
    assert data["budget"] == "1000.5"
    assert set(data["seconds"]) == {"read", "tally"}
    assert data["explanation"]["kind"] == "mes"


def test_tally_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", APPROVAL, "--rule", "greedy", "--tie-break", "cost"]) == 0
    out = capsys.readouterr().out
    assert 'Park; with "benches"' in out
    assert "total cost 900.25 of budget 1000.5, left over 100.25" in out


@pytest.mark.parametrize(
    ("rule", "project", "words"),
    [
        ("greedy", "c", "skipped, it did not fit"),
        ("mes", "a", "Bought in round 1"),
        ("mes+greedy", "d", "Then greedy"),
        ("mes", "c", "lacking"),
        ("phragmen", "a", "selected in round 2"),
    ],
)
def test_explain(capsys: pytest.CaptureFixture[str], rule: str, project: str, words: str) -> None:
    assert main(["explain", APPROVAL, "--rule", rule, "--project", project]) == 0
    assert words in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["tally", str(FIXTURES / "cumulative_small.pb"), "--rule", "phragmen"],
        ["tally", str(FIXTURES / "nope.pb"), "--rule", "mes"],
        ["explain", APPROVAL, "--rule", "mes", "--project", "zz"],
    ],
)
def test_errors_are_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_broken_file_through_the_module(tmp_path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text((FIXTURES / "approval_small.pb").read_text().replace("a;500;3", "a;5x0;3"))
    run = subprocess.run(
        [sys.executable, "-m", "voting", "tally", str(bad), "--rule", "greedy"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr == "error: line 18: bad number for the cost of project 'a': '5x0'\n"
    assert "Traceback" not in run.stderr
