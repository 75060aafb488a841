"""Helpers every use case needs: loading rows or failing, the place tree, input cleaning,
money parsing and the audit record written inside the caller's transaction."""

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, ExceptionContext, event
from sqlmodel import Session, SQLModel, select

from models import AuditEntry, Place
from models.chain import CHAINS_LOCK
from models.engine import serialize
from services.errors import Conflict, InvalidInput, NotFound
from services.permissions import Action, PlaceTree, Viewer, require

Row = TypeVar("Row", bound=SQLModel)
FEN_PER_YUAN = 100
MAX_AMOUNT_FEN = 10**13  # 100 billion yuan: anything larger is a typing slip


class _Keyed(Protocol):
    id: int | None


def id_of(row: _Keyed) -> int:
    """The primary key of a row that has been flushed or loaded."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def get_or_fail(session: Session, model: type[Row], row_id: int | None) -> Row:
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise NotFound(entity=model.__name__.lower())
    return row


def place_tree(session: Session) -> PlaceTree:
    return PlaceTree(dict(session.exec(select(Place.id, Place.parent_id)).all()))  # type: ignore[arg-type]


def require_at(session: Session, viewer: Viewer, action: Action, place_id: int | None) -> None:
    require(viewer, action, place_id, place_tree(session))


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput("field_required", field=field)
    if len(text) > max_length:
        raise InvalidInput("field_too_long", field=field, max=max_length)
    return text


def choice(value: str, vocabulary: type[StrEnum], field: str) -> str:
    try:
        return vocabulary(value).value
    except ValueError:
        raise InvalidInput("field_invalid", field=field) from None


def parse_yuan(
    value: str | int | Decimal, field: str = "amount", *, allow_zero: bool = False
) -> int:
    """Yuan as typed by a person ("1,234.5", "¥80", 50) to integer fen, exactly.

    Never float: "0.1 + 0.2" yuan must be 30 fen, and a sub-fen amount is refused, not rounded.
    """
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    try:
        yuan = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("amount_malformed", field=field) from None
    if not yuan.is_finite():
        raise InvalidInput("amount_malformed", field=field)
    fen = yuan * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidInput("amount_sub_fen", field=field)
    if fen < 0 or (fen == 0 and not allow_zero):
        raise InvalidInput("amount_not_positive", field=field)
    if fen > MAX_AMOUNT_FEN:
        raise InvalidInput("amount_too_large", field=field)
    return int(fen)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return json.loads(json.dumps(row.model_dump(), default=_plain))


def record_audit(
    session: Session,
    viewer: Viewer,
    action: str,
    row: SQLModel,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Added to the caller's session, so it commits or rolls back with the change itself.
    ``after`` replaces the row's snapshot where the row alone would not say what changed."""
    session.flush()
    session.add(
        AuditEntry(
            actor_id=viewer.person_id,
            action=action,
            entity=type(row).__name__.lower(),
            entity_id=getattr(row, "id", None),
            before=before,
            after=snapshot(row) if after is None else after,
        )
    )


def lock_for_change(session: Session) -> None:
    """Taken before a check that a change depends on ("no session open yet", "not already
    supported", "the fund holds enough"): from here until the commit, every other audited change
    waits, so two requests sent at once are decided one after the other, each seeing what the
    other did. It is the lock every audited change takes to write its audit entry anyway
    (``models.chain``); on SQLite every write transaction already holds the database's."""
    serialize(session, CHAINS_LOCK)


@event.listens_for(Engine, "handle_error")
def _lost_race(context: ExceptionContext) -> None:
    """The second of two requests that add the same unique thing at the same moment (a user
    name, a supporter, a ballot) is told it came second, in words, instead of a database error.
    Only unique keys: any other refusal by the database is a bug and surfaces as one."""
    original = context.original_exception
    if getattr(original, "sqlstate", None) == "23505" or getattr(
        original, "sqlite_errorname", None
    ) in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        raise Conflict("changed_meanwhile") from original
