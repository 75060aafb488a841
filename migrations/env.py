"""Alembic environment: the target is the SQLModel metadata of every table in ``models``."""

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import models
from models.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _compare_type(
    context: Any, _inspected: Any, _column: Any, stored: Any, declared: Any
) -> bool | None:
    """SQLite keeps every integer in 64 bits whatever the declared name (INTEGER or BIGINT), so
    a BIGINT model column over an INTEGER SQLite column is no drift; elsewhere, the default."""
    sqlite = context.dialect.name == "sqlite"
    if sqlite and isinstance(stored, sa.Integer) and isinstance(declared, sa.Integer):
        return False
    return None


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=_compare_type,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or models.database_url()
    engine = make_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Linli migrations run online only: set LINLI_DATABASE_URL and upgrade.")
run_migrations_online()
