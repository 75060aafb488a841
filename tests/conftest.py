"""Real databases for every test: a freshly migrated SQLite file per test, and the same tests
against PostgreSQL when it is reachable (``LINLI_TEST_POSTGRES_URL``, default the local server).
CI sets ``LINLI_REQUIRE_POSTGRES=1`` so that an unreachable PostgreSQL fails instead of skipping.

The suite runs on three pytest-xdist workers on two cores (pyproject's addopts): the browser
tests wait on servers and browsers much of the time, so the accessibility matrix takes one
worker, the other browser tests a second, one after another, and the rest fill the CPU that
waiting leaves. Each worker has its own temporary folder and its own PostgreSQL databases
(uuid names).
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

from demo.street import load_demo
from models import Account, make_engine, upgrade_database
from tests.world import World, build_world

POSTGRES_URL = os.environ.get(
    "LINLI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("LINLI_REQUIRE_POSTGRES") == "1"


# Work units handed whole to one xdist worker: every browser test, so that they keep running
# in order with their session's server and browser, beside the other worker's share of the
# rest; and the tests on a copy of the demo street, so that one worker alone loads the demo
# into PostgreSQL. Any other test is a unit of its own. (xdist's own ``loadgroup`` cannot name
# the groups under pytest 9: it renames the tests' node ids, which pytest 9 no longer allows.)
# The accessibility matrix is a browser group of its own (its own server), so that it runs
# beside the other browser tests rather than after them; the first matching prefix wins.
GROUPS = {
    "tests/e2e/test_accessibility.py": "accessibility",
    "tests/e2e/": "browser",
    "tests/services/test_demo": "demo copies",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((g for p, g in GROUPS.items() if nodeid.startswith(p)), nodeid)

    return Grouped(config, log)  # type: ignore[arg-type]


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


def _create_postgres_database(prefix: str, template: str | None = None) -> tuple[Engine, str]:
    """A new database (a copy of ``template`` if given): the admin engine and its name."""
    admin = make_engine(POSTGRES_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except OperationalError as error:
        admin.dispose()
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error.orig}")
    return admin, name


def _drop_postgres_database(admin: Engine, name: str) -> None:
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _engine_on(admin: Engine, name: str) -> Engine:
    return make_engine(admin.url.set(database=name).render_as_string(hide_password=False))


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    admin, name = _create_postgres_database("linli_test")
    engine = _engine_on(admin, name)
    upgrade_database(engine)
    yield engine
    engine.dispose()
    _drop_postgres_database(admin, name)


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


# --- the demo street, loaded once per run and backend, copied for each test ----------------------


@dataclass(frozen=True)
class DemoTemplate:
    """A store with the demo street loaded through the real services, never opened by a test:
    a SQLite file or a PostgreSQL database (``location``), and the receipts the demo kept."""

    location: str
    uploads: Path
    people: dict[str, int]  # person ids by demo user name


def _load_demo_template(engine: Engine, uploads: Path) -> dict[str, int]:
    upgrade_database(engine)
    with Session(engine) as session, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINLI_UPLOAD_DIR", str(uploads))
        load_demo(session)
        return {a.subject: a.person_id for a in session.exec(select(Account))}  # type: ignore[misc]


@pytest.fixture(scope="session")
def demo_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """Loading the demo takes seconds; copying the file, a millisecond."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    people = _load_demo_template(engine, folder / "uploads")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return DemoTemplate(location=str(path), uploads=folder / "uploads", people=people)


@pytest.fixture(scope="session")
def demo_postgresql_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoTemplate]:
    """``CREATE DATABASE ... TEMPLATE`` copies it in a fraction of a second."""
    admin, name = _create_postgres_database("linli_demo")
    engine = _engine_on(admin, name)
    uploads = tmp_path_factory.mktemp("demo_postgres") / "uploads"
    people = _load_demo_template(engine, uploads)
    engine.dispose()  # a template must have no connections when it is copied
    yield DemoTemplate(location=name, uploads=uploads, people=people)
    _drop_postgres_database(admin, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A private copy of the demo street for one test, with its own copy of the receipts."""
    template: DemoTemplate = request.getfixturevalue(f"demo_{request.param}_template")
    uploads = shutil.copytree(template.uploads, tmp_path / "demo_uploads")
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(uploads))
    if request.param == "sqlite":
        path = tmp_path / "demo.db"
        shutil.copy(template.location, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        admin, name = _create_postgres_database("linli_demo_copy", template=template.location)
        engine = _engine_on(admin, name)
        yield engine
        engine.dispose()
        _drop_postgres_database(admin, name)


@pytest.fixture
def demo_session(demo_engine: Engine) -> Iterator[Session]:
    """A session on a copy of the demo street, as ``load_demo`` left it."""
    with Session(demo_engine) as session:
        yield session
