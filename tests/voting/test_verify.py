"""`python -m voting verify`: verdicts on handmade files and on the shared Pabulib files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from tests.voting.conftest import FIXTURES, pabulib_file
from voting import Election, read_pb, tally
from voting.cli import main
from voting.verify import OFFICIAL_RULES, verify_file

VERIFY = FIXTURES / "verify"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    status = main(["verify", *args, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_directory_summary_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    status, data = _json(capsys, str(VERIFY))
    assert status == 1  # differ.pb is an unexplained difference
    assert data["summary"] == {
        "files": 7,
        "agree": 3,
        "differ": 1,
        "tie": 1,
        "not_implemented": 1,
        "no_selected": 1,
        "unreadable": 0,
    }
    files = {f["file"]: f for f in data["files"]}
    assert files["differ.pb"]["only_official"] == ["c"]
    assert files["differ.pb"]["only_ours"] == ["b"]
    assert files["tie_cost.pb"]["verdict"] == "tie"
    assert "cost" in files["tie_cost.pb"]["note"]
    assert files["no_skip_agree.pb"]["other_reason"] == ["c"]
    assert files["custom.pb"]["note"] == (
        "custom rule described in the file's comment, not reproduced"
    )


def test_status_0_when_every_difference_is_a_tie(capsys: pytest.CaptureFixture[str]) -> None:
    names = ["threshold_agree.pb", "no_skip_agree.pb", "exclusive_agree.pb", "tie_cost.pb"]
    assert main(["verify", *(str(VERIFY / n) for n in names)]) == 0
    out = capsys.readouterr().out
    assert "tie_cost.pb: differs by a tie (greedy, ties by id;" in out
    assert "only in the official result: c; only in ours: b" in out
    assert "4 files: 3 agree, 0 differ, 1 differ by a tie" in out


def test_one_file_prints_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(VERIFY / "differ.pb")]) == 1
    out = capsys.readouterr().out
    assert out.startswith("differ.pb: DIFFERS (greedy, ties by id;")
    assert "files:" not in out


def test_a_rule_not_registered_is_not_implemented(tmp_path: Path) -> None:
    text = (VERIFY / "differ.pb").read_text().replace("rule;greedy", "rule;equalshares/fancy")
    (tmp_path / "x.pb").write_text(text)
    verdict = verify_file(tmp_path / "x.pb")
    assert verdict.verdict == "not_implemented"
    assert "equalshares/fancy" in verdict.note


def test_mes_names_point_to_the_registry_names_of_the_checker_variants() -> None:
    assert OFFICIAL_RULES["equalshares/add1"].rule == "mes-add1-checker"
    assert OFFICIAL_RULES["equalshares/add1-comparison"].rule == "mes-add1-comparison"
    assert OFFICIAL_RULES["equalshares"].rule == "mes"


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "/nonexistent/x.pb"],
        ["verify", str(FIXTURES / "stored_explanations.json").replace(".json", "")],
    ],
)
def test_errors_are_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_a_broken_file_is_named_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.pb").write_text("META\nkey;value\nbudget;x\n")
    (tmp_path / "ok.pb").write_text((VERIFY / "threshold_agree.pb").read_text())
    assert main(["verify", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {tmp_path / 'broken.pb'}: ")
    assert "ok.pb: agrees" in captured.out
    assert "1 unreadable" in captured.out


# The shared files whose META rule is one of greedy's variants, and the verdict expected.
SHARED = {
    "Poland_Czestochowa_2024.pb": "agree",
    "Poland_Krakow_2025_Biezanow-Prokocim.pb": "agree",
    "Poland_Gdynia_2020_Babie_Doly__small.pb": "agree",
    "Poland_Wroclaw_2022.pb": "agree",
    "Poland_Warszawa_2026.pb": "agree",
    "Poland_Warszawa_2024_Wesola.pb": "agree",
    "Poland_Poznan_2026_2_-_Kiekrz_Krzyzowniki-Smochowice_Podolany_Strzeszyn__large.pb": (
        "not_implemented"
    ),
}


@pytest.mark.pabulib
@pytest.mark.parametrize("name", SHARED)
def test_verify_on_the_shared_greedy_files(name: str) -> None:
    verdict = verify_file(pabulib_file(name))
    assert verdict.meta_rule.startswith("greedy")
    assert verdict.verdict == SHARED[name], verdict


@cache
def _election(name: str) -> Election:
    return read_pb(pabulib_file(name))


@pytest.mark.pabulib
def test_warsaw_needs_the_threshold() -> None:
    """Plain greedy would also fund 1664 (1,221 votes, threshold 3000), as the README says."""
    election = _election("Poland_Warszawa_2026.pb")
    plain = set(tally(election, rule="greedy").selected)
    official = set(tally(election, rule="greedy-threshold").selected)
    assert plain - official == {"1664"}


@pytest.mark.pabulib
def test_gdynia_reserve_project_is_reported_apart() -> None:
    verdict = verify_file(pabulib_file("Poland_Gdynia_2020_Babie_Doly__small.pb"))
    assert verdict.other_reason == ["5"]
    assert verdict.only_official == verdict.only_ours == []
