"""Real databases for every test: a freshly migrated SQLite file per test, and the same tests
against PostgreSQL when it is reachable (``LINLI_TEST_POSTGRES_URL``, default the local server).
CI sets ``LINLI_REQUIRE_POSTGRES=1`` so that an unreachable PostgreSQL fails instead of skipping.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from models import make_engine, upgrade_database
from tests.world import World, build_world

POSTGRES_URL = os.environ.get(
    "LINLI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("LINLI_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session", autouse=True)
def _uploads_outside_the_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files the demo or a test keeps (receipts) go to the run's temporary folder, never to the
    app's data folder; a test may still point it elsewhere."""
    previous = os.environ.get("LINLI_UPLOAD_DIR")
    os.environ["LINLI_UPLOAD_DIR"] = str(tmp_path_factory.mktemp("uploads"))
    yield
    if previous is None:
        os.environ.pop("LINLI_UPLOAD_DIR", None)
    else:
        os.environ["LINLI_UPLOAD_DIR"] = previous


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating takes ~0.3 s; copying a migrated file takes a millisecond."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    admin = make_engine(POSTGRES_URL)
    name = f"linli_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error.orig}")
    url = admin.url.set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade_database(engine)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(engine: Engine) -> None:
    """Between tests: the append-only triggers are bypassed only here, as a replica would."""
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "linli.db"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _empty_postgres(engine)
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)
