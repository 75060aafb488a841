"""The engine: an SQLite file by default, any SQLAlchemy URL from ``LINLI_DATABASE_URL``.

The schema is owned by Alembic; ``upgrade_database`` brings any database to the newest revision
and is what the app calls on start.

Transactions that check and then write must not interleave with each other. On SQLite every
transaction takes the write lock when it begins (``BEGIN IMMEDIATE``), except those of the
engine ``for_reading`` returns, which read a consistent snapshot without blocking writers. On
PostgreSQL ``serialize`` takes transaction-scoped advisory locks by name.
"""

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, event, text
from sqlmodel import Session, create_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "linli.db"
MIGRATIONS_DIR = REPO_ROOT / "migrations"
SQLITE_BEGIN = "sqlite_begin"  # execution option: "IMMEDIATE" (default) or "DEFERRED"
APPEND_ONLY_TABLES = ("ledgerentry", "pointsentry", "auditentry")


def database_url() -> str:
    url = os.environ.get("LINLI_DATABASE_URL", "").strip()
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """WAL (readers never block the committee's writer), enforced foreign keys,
    ``recursive_triggers`` so that ``INSERT OR REPLACE`` fires the append-only triggers, and
    ``secure_delete`` so that a deleted row (a pending ballot once sealed) leaves no bytes in
    the file.
    The driver's own transaction handling is off: SQLAlchemy's ``begin`` event starts each
    transaction itself, so that reads and the write that depends on them are one transaction
    (pysqlite would run the reads outside it)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "recursive_triggers=ON",
        "secure_delete=ON",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("isolation_level") != "AUTOCOMMIT":  # e.g. for a WAL checkpoint
        connection.exec_driver_sql(f"BEGIN {options.get(SQLITE_BEGIN, 'IMMEDIATE')}")


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def for_reading(engine: Engine) -> Engine:
    """The same engine for sessions that only read: on SQLite they do not take the write lock,
    so a hundred notice boards never queue behind each other or behind a treasurer."""
    return engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})


def lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for a name (PostgreSQL's lock space is bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialize(session: Session, *names: str) -> None:
    """Holds, until the transaction ends, locks that make every other transaction asking for
    one of the same names wait: a check made after this and the write that follows it are one
    step. Names are locked in one order, so two callers cannot deadlock on them.

    SQLite has one writer at a time: a no-op write takes the database's write lock (a deferred
    transaction whose snapshot is stale fails here instead of deciding on old data)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for key in sorted({lock_key(name) for name in names}):
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        connection.execute(text("UPDATE chainhead SET name = name WHERE 0 = 1"))


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many rows of one table, in the caller's transaction: PostgreSQL's ``COPY`` (its driver
    would send one INSERT per row: 80,000 poll book rows took 3.2 s, by COPY 0.6 s), one
    executemany elsewhere. Every row has the keys of the first."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine) -> None:
    """Apply every pending migration on this engine's database."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def restricted_role_grants(engine: Engine, role: str) -> list[str]:
    """PostgreSQL statements that let ``role`` run Linli but not rewrite its books: it may read
    and write every table, but only read and add to the chained ones, and it owns nothing, so
    it cannot disable their triggers (only an owner can) nor set ``session_replication_role``
    (only a superuser can). Run them as the owner after every upgrade."""
    quoted = engine.dialect.identifier_preparer.quote(role)
    chained = ", ".join(APPEND_ONLY_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {chained} FROM {quoted}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
