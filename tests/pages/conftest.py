"""Screens under AppTest on a copy of the demo street (SQLite; the service tests cover both
databases). The demo is loaded once per run through the real services (tests/conftest.py)."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import DemoTemplate

ROLES = ("anonymous", "resident", "chair", "secretary", "treasurer", "clerk", "reviewer", "admin")


@pytest.fixture
def demo_db(
    demo_sqlite_template: DemoTemplate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    """A private copy of the demo for one test; returns person ids by demo user name."""
    target = tmp_path / "demo.db"
    shutil.copy(demo_sqlite_template.location, target)
    monkeypatch.setenv("LINLI_DATABASE_URL", f"sqlite:///{target}")
    # The demo's receipts, where the tests' own upload folder is (tmp_path / "uploads").
    uploads = shutil.copytree(demo_sqlite_template.uploads, tmp_path / "uploads")
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(uploads))
    return demo_sqlite_template.people


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("LINLI_DATABASE_URL", url)
    return url


@pytest.fixture(autouse=True)
def _apptest_session_state() -> None:
    """AppTest keeps its own widget bookkeeping (with callbacks) in session state, which the
    production check for plain session values rejects; the browser tests keep the check on."""
    from streamlit import config

    config.set_option("runner.enforceSerializableSessionState", False)
