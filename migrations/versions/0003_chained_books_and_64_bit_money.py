"""chained books and 64-bit money

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:30:00

- Every amount and quantity column becomes BIGINT on PostgreSQL (an INTEGER column stopped at
  21,474,836.47 yuan). SQLite stores every integer in 64 bits already; its declared type names
  stay as they are (``migrations/env.py`` does not count that as drift).
- The ledger, points and audit tables get a ``chain_hash`` column, filled for the rows already
  there in id order with the same function new rows use (``models.chain``), and a head per
  chain; the table of verification runs.
- A reversal is unique per entry (a unique index). A store where a race already recorded two
  reversals of one entry stops here, naming them: an operator must decide what happened.
- SQLite: ``INSERT OR REPLACE`` can no longer replace a row of an append-only table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.chain import GENESIS, entry_hash

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAINED_TABLES = ("auditentry", "ledgerentry", "pointsentry")
MONEY_COLUMNS = {
    "fundcharter": ("per_project_cap_fen", "per_community_year_cap_fen"),
    "ledgerentry": ("amount_fen",),
    "contribution": ("estimated_value_fen",),
    "pointsentry": ("delta",),
    "proposallineitem": ("quantity", "unit_price_fen"),
    "cofundingpledge": ("amount_fen",),
    "budgetround": ("budget_fen",),
    "tally": ("total_cost_fen",),
}
NULLABLE_MONEY = {"per_project_cap_fen", "per_community_year_cap_fen"}


def _sqlite_triggers(table: str) -> list[str]:
    """Append-only, including ``INSERT OR REPLACE``: a BEFORE INSERT trigger still sees the
    row that REPLACE would delete, whatever the connection's ``recursive_triggers`` says."""
    unique = " OR (NEW.reverses_entry_id IS NOT NULL AND reverses_entry_id = NEW.reverses_entry_id)"
    clash = f"id = NEW.id{unique if table == 'ledgerentry' else ''}"
    refuse = f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {refuse}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {refuse}",
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {clash}) {refuse}",
    ]


def _refuse_duplicate_reversals(bind: sa.Connection) -> None:
    duplicates = bind.execute(
        sa.text(
            "SELECT reverses_entry_id, COUNT(*) FROM ledgerentry "
            "WHERE reverses_entry_id IS NOT NULL GROUP BY reverses_entry_id HAVING COUNT(*) > 1"
        )
    ).all()
    if duplicates:
        named = ", ".join(f"entry {entry} reversed {times} times" for entry, times in duplicates)
        raise RuntimeError(
            f"The ledger holds more than one reversal of an entry ({named}). Correct the books "
            "with the committee (a new entry for the money refunded twice) before upgrading."
        )


def _chain_existing_rows(bind: sa.Connection) -> None:
    """Rows already stored are chained in id order, as if each had been chained when written."""
    for name in CHAINED_TABLES:
        table = sa.Table(name, sa.MetaData(), autoload_with=bind)
        previous, length, last_id = GENESIS, 0, None
        for row in bind.execute(sa.select(table).order_by(table.c.id)).mappings():
            previous = entry_hash(previous, table, row)
            bind.execute(table.update().where(table.c.id == row["id"]).values(chain_hash=previous))
            length, last_id = length + 1, row["id"]
        bind.execute(
            sa.text(
                "INSERT INTO chainhead (name, length, last_id, head_hash, updated_at) "
                "VALUES (:name, :length, :last_id, :head_hash, CURRENT_TIMESTAMP)"
            ),
            {"name": name, "length": length, "last_id": last_id, "head_hash": previous},
        )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.create_table(
        "chainhead",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("head_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "bookscheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("ledger_entries", sa.Integer(), nullable=False),
        sa.Column("ledger_last_id", sa.Integer(), nullable=True),
        sa.Column("ledger_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["checked_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bookscheck_checked_at", "bookscheck", ["checked_at"], unique=False)
    if not sqlite:
        for table, columns in MONEY_COLUMNS.items():
            for column in columns:
                op.alter_column(
                    table,
                    column,
                    existing_type=sa.Integer(),
                    type_=sa.BigInteger(),
                    existing_nullable=column in NULLABLE_MONEY,
                )
    for table in CHAINED_TABLES:
        op.add_column(
            table,
            sa.Column(
                "chain_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            ),
        )
    _refuse_duplicate_reversals(bind)
    op.create_index(
        "ix_ledgerentry_reverses_entry_id", "ledgerentry", ["reverses_entry_id"], unique=True
    )
    # The rows already there get their hashes behind the append-only triggers, once.
    for table in CHAINED_TABLES:
        if sqlite:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
        else:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    _chain_existing_rows(bind)
    for table in CHAINED_TABLES:
        if sqlite:
            for statement in _sqlite_triggers(table):
                op.execute(statement)
        else:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.drop_index("ix_ledgerentry_reverses_entry_id", table_name="ledgerentry")
    for table in CHAINED_TABLES:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
            op.execute(f"ALTER TABLE {table} DROP COLUMN chain_hash")
        else:
            op.drop_column(table, "chain_hash")
    if not sqlite:
        for table, columns in MONEY_COLUMNS.items():
            for column in columns:
                op.alter_column(
                    table,
                    column,
                    existing_type=sa.BigInteger(),
                    type_=sa.Integer(),
                    existing_nullable=column in NULLABLE_MONEY,
                )
    op.drop_index("ix_bookscheck_checked_at", table_name="bookscheck")
    op.drop_table("bookscheck")
    op.drop_table("chainhead")
