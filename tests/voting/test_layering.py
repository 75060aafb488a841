"""The engine stays pure: standard library and NumPy only (house style, voting/)."""

from __future__ import annotations

import subprocess
import sys

from tests.voting.conftest import REPO


def test_voting_imports_no_app_framework() -> None:
    code = (
        "import sys, voting, voting.cli; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'streamlit', 'sqlmodel', 'altair', 'sqlalchemy', 'pabutools', 'models', 'services'}); "
        "print(','.join(bad))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert run.stdout.strip() == ""


def test_public_interface_is_exported() -> None:
    import voting

    for name in (
        "Project",
        "Instance",
        "Profile",
        "Ballot",
        "tally",
        "Outcome",
        "RULES",
        "rules_for",
        "read_pb",
        "write_pb",
        "PabulibError",
        "BallotError",
        "validate_ballot",
    ):
        assert name in voting.__all__
    assert voting.rules_for("ordinal") == [
        "greedy",
        "mes",
        "mes+greedy",
        "mes-add1",
        "mes-add1+greedy",
    ]
