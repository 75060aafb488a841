"""Screens under AppTest on a copy of the demo street (SQLite; the service tests cover both
databases). The demo is loaded once per run through the real services."""

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, select

from demo.street import load_demo
from models import Account, make_engine, upgrade_database

ROLES = ("anonymous", "resident", "chair", "secretary", "treasurer", "clerk", "reviewer", "admin")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with Session(engine) as session, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINLI_UPLOAD_DIR", str(path.parent / "uploads"))  # the demo's receipt
        load_demo(session)
        people = {a.subject: a.person_id for a in session.exec(select(Account))}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, people


@pytest.fixture
def demo_db(
    demo_template: tuple[Path, dict[str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    """A private copy of the demo for one test; returns person ids by demo user name."""
    source, people = demo_template
    target = tmp_path / "demo.db"
    shutil.copy(source, target)
    monkeypatch.setenv("LINLI_DATABASE_URL", f"sqlite:///{target}")
    # The demo's receipts, where the tests' own upload folder is (tmp_path / "uploads").
    uploads = shutil.copytree(source.parent / "uploads", tmp_path / "uploads")
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(uploads))
    return people


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
