"""Hash chains over the append-only tables: the ledger, volunteer points and the audit log.

Every new row stores ``chain_hash = sha256(previous hash | table | canonical content)``, where
the content is every column of the row but the hash itself, and the previous hash is that of
the row before it in the same table (``GENESIS`` for the first). Rows are numbered in chain
order: a new row's id is the last id plus one, given under one lock (``CHAINS_LOCK``) in the
same transaction as the insert, so two writers can never fork a chain.

What this proves, and what it does not: anyone holding a head (the last id and its hash, shown
on the notice board and printed on paper notices) can later check that no row up to that head
was changed, removed or inserted, because every later hash depends on every earlier row. It
does not stop someone with write access to the database from rewriting a whole chain: that is
only caught by comparing with a head published before the rewrite. See ``services.verify``.

The canonical content is a fixed format (changing it would invalidate every stored chain): a
JSON object of the row's non-null columns, keys sorted, each value normalised by its column
type. A column added to a chained table later must be nullable, so that older rows keep their
hashes.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Table,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Field, Session, SQLModel

from models.audit import AuditEntry
from models.clock import utc_now
from models.engine import serialize
from models.funds import LedgerEntry
from models.points import PointsEntry

GENESIS = "0" * 64
CHAINS_LOCK = "linli:chains"
CHAINED: dict[str, type[SQLModel]] = {
    "ledgerentry": LedgerEntry,
    "pointsentry": PointsEntry,
    "auditentry": AuditEntry,
}


class ChainHead(SQLModel, table=True):
    """The newest row of each chain, kept with the rows it describes: the notice board reads it
    without walking the chain, and ``verify`` notices rows removed from a chain's end."""

    name: str = Field(primary_key=True, max_length=40)
    length: int = Field(default=0, ge=0)
    last_id: int | None = None
    head_hash: str = Field(default=GENESIS, max_length=64)
    updated_at: datetime = Field(default_factory=utc_now)


def _normalised(column: Column[Any], value: Any) -> Any:
    """One spelling per value, whether it comes from Python before the insert or from either
    database afterwards."""
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's storage type
    if isinstance(value, Enum):
        value = value.value
    if isinstance(kind, DateTime):
        moment = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(kind, Date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, JSON):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def canonical_content(table: Table, values: Mapping[Any, Any]) -> bytes:
    content = {
        column.name: _normalised(column, values[column.name])
        for column in table.columns
        if column.name != "chain_hash" and values.get(column.name) is not None
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(previous: str, table: Table, values: Mapping[Any, Any]) -> str:
    digest = hashlib.sha256(f"{previous}|{table.name}|".encode())
    digest.update(canonical_content(table, values))
    return digest.hexdigest()


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _head_row(session: Session, name: str) -> ChainHead:
    """The head as stored, made on first use (a store emptied by hand has none)."""
    connection = session.connection()
    head = connection.execute(
        select(_table(ChainHead)).where(_table(ChainHead).c.name == name)
    ).first()
    if head is not None:
        return ChainHead(**head._mapping)
    table = _table(CHAINED[name])
    length = connection.execute(select(func.count()).select_from(table)).scalar_one()
    last = connection.execute(
        select(table.c.id, table.c.chain_hash).order_by(table.c.id.desc()).limit(1)
    ).first()
    created = ChainHead(
        name=name,
        length=length,
        last_id=last.id if last else None,
        head_hash=last.chain_hash if last else GENESIS,
    )
    connection.execute(_table(ChainHead).insert().values(**created.model_dump()))
    return created


def _append(session: Session, name: str, rows: list[SQLModel]) -> None:
    """Numbers and hashes new rows after the newest stored one (read from the table itself,
    under the lock), then moves the head."""
    table = _table(CHAINED[name])
    connection = session.connection()
    head = _head_row(session, name)
    last = connection.execute(
        select(table.c.id, table.c.chain_hash).order_by(table.c.id.desc()).limit(1)
    ).first()
    last_id, previous = (last.id, last.chain_hash) if last else (0, GENESIS)
    for row in rows:
        if row.id is not None:  # type: ignore[attr-defined]
            raise RuntimeError(f"{name} rows are numbered by their chain, not by the caller")
        last_id += 1
        row.id = last_id
        values = {column.name: getattr(row, column.name) for column in table.columns}
        previous = entry_hash(previous, table, values)
        row.chain_hash = previous
    connection.execute(
        _table(ChainHead)
        .update()
        .where(_table(ChainHead).c.name == name)
        .values(
            length=head.length + len(rows),
            last_id=last_id,
            head_hash=previous,
            updated_at=utc_now(),
        )
    )


@event.listens_for(OrmSession, "before_flush")
def _chain_new_rows(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Every insert into a chained table, by any service, is chained in its own transaction."""
    new: dict[str, list[SQLModel]] = {}
    for row in session.new:
        name = getattr(row, "__tablename__", None)
        if name in CHAINED:
            new.setdefault(name, []).append(row)
    if not new:
        return
    serialize(session, CHAINS_LOCK)
    for name in sorted(new):
        _append(session, name, sorted(new[name], key=lambda row: inspect(row).insert_order))


class BooksCheck(SQLModel, table=True):
    """One run of ``services.verify``: when, by whom (none: the command line), the heads it
    found and what failed. The notice board shows the newest, so residents see when the books
    were last checked and how that check ended."""

    id: int | None = Field(default=None, primary_key=True)
    checked_at: datetime = Field(default_factory=utc_now, index=True)
    checked_by_id: int | None = Field(default=None, foreign_key="person.id")
    ok: bool
    ledger_entries: int = Field(ge=0)
    ledger_last_id: int | None = None
    ledger_head: str = Field(max_length=64)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
