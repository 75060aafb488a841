"""Helpers every use case needs: loading rows or failing, the place tree, input cleaning,
money parsing and the audit record written inside the caller's transaction."""

import json
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, ExceptionContext, event, inspect
from sqlmodel import Session, SQLModel, select

from models import AuditEntry, Place
from models.chain import CHAINS_LOCK
from models.engine import serialize
from services.errors import Conflict, InvalidInput, NotFound
from services.permissions import Action, PlaceTree, Viewer, require

Row = TypeVar("Row", bound=SQLModel)
FEN_PER_YUAN = 100
MAX_INT64 = 2**63 - 1  # the largest value a 64-bit column (and a row id) holds


class _Keyed(Protocol):
    id: int | None


def id_of(row: _Keyed) -> int:
    """The primary key of a row that has been flushed or loaded."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def get_or_fail(session: Session, model: type[Row], row_id: int | None) -> Row:
    """An id that no row can have (not an int, or beyond 64 bits) is simply not found: SQLite
    would raise OverflowError for it, PostgreSQL a DataError."""
    valid = isinstance(row_id, int) and not isinstance(row_id, bool) and 0 < row_id <= MAX_INT64
    row = session.get(model, row_id) if valid else None
    if row is None:
        raise NotFound(entity=model.__name__.lower())
    return row


def get_locked(session: Session, model: type[Row], row_id: int | None, *, shared: bool) -> Row:
    """``get_or_fail``, with the row locked until the commit on PostgreSQL (on SQLite the write
    transaction holds the whole database already): shared by those who only need it to stay as
    it is, exclusive by the one who changes it."""
    valid = isinstance(row_id, int) and not isinstance(row_id, bool) and 0 < row_id <= MAX_INT64
    key = inspect(model).primary_key[0]
    query = (
        select(model)
        .where(key == (row_id if valid else 0))
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    )
    row = session.exec(query).first() if valid else None
    if row is None:
        raise NotFound(entity=model.__name__.lower())
    return row


def place_tree(session: Session) -> PlaceTree:
    return PlaceTree(dict(session.exec(select(Place.id, Place.parent_id)).all()))  # type: ignore[arg-type]


def require_at(session: Session, viewer: Viewer, action: Action, place_id: int | None) -> None:
    require(viewer, action, place_id, place_tree(session))


# --- input cleaning --------------------------------------------------------------------------
#
# Everything a person types reaches the store through one of these, so that a bad value is a
# typed, translated error and never a database error, a traceback or a stored surprise.

# Characters refused in every text field. C0/C1 controls and DEL: NUL is a PostgreSQL error
# (SQLite would store it), the others print nothing or move the cursor. Line and paragraph
# separators break a line where no line break is allowed (multi-line fields use "\n").
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) can make a donor's
# name or an amount read backwards on screen; the marks U+200E/U+200F stay allowed, as mixed
# Arabic or Hebrew and Latin text needs them. Lone surrogates cannot be encoded at all.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile("[\n\t]")
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(
    value: str | None,
    field: str,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """What a person typed, without the spaces around it, or a typed error naming the field.

    ``multiline`` fields (descriptions, notes, plans, a list of households) keep line breaks
    and tabs; every other field is one line. The text is stored as given otherwise: no
    normalisation, so what was accepted round-trips byte for byte.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("field_invalid", field=field)
    text = value.strip()
    if required and not text:
        raise InvalidInput("field_required", field=field)
    if len(text) > max_length:
        raise InvalidInput("field_too_long", field=field, max=max_length)
    if _SURROGATE.search(text):
        raise InvalidInput("text_broken_character", field=field)
    if _DIRECTION.search(text):
        raise InvalidInput("text_direction_control", field=field)
    if not multiline and _LINE_BREAK.search(text):
        raise InvalidInput("text_line_break", field=field)
    if _CONTROL.search(text):
        raise InvalidInput("text_control_character", field=field)
    return text


def clean_secret(value: str, field: str = "password", *, max_length: int = 1024) -> str:
    """A password as typed: never stripped or stored, only hashed, so any character that can be
    encoded is kept; a lone surrogate cannot be, and a megabyte would only slow the hashing."""
    if not isinstance(value, str):
        raise InvalidInput("field_invalid", field=field)
    if len(value) > max_length:
        raise InvalidInput("field_too_long", field=field, max=max_length)
    if _SURROGATE.search(value):
        raise InvalidInput("text_broken_character", field=field)
    return value


def bounded_int(value: int, field: str, *, low: int, high: int) -> int:
    """A count a person typed (a quantity, hours, a year, points), within what the domain and a
    64-bit column allow. ``True`` is not a number here, nor is "3" or 3.0."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("field_invalid", field=field)
    if not low <= value <= high:
        raise InvalidInput("field_out_of_range", field=field, min=low, max=high)
    return value


def choice(value: str, vocabulary: type[StrEnum], field: str) -> str:
    try:
        return vocabulary(value).value
    except ValueError:
        raise InvalidInput("field_invalid", field=field) from None


# Money. MAX_AMOUNT_FEN bounds every amount and every product of a quantity and a unit price
# the services accept: far below what a 64-bit column holds, so sums of many never overflow.
MAX_AMOUNT_FEN = 10**13  # 100 billion yuan: anything larger is a typing slip
MAX_AMOUNT_LENGTH = 40  # "¥99,999,999,999.99" is 18 characters; longer is not an amount
# Chinese input methods type full-width digits, point and comma: read as ASCII ones.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fen>[0-9]+))?")
_SPACES = " \t\u00a0\u3000"


def _fen(whole: str, decimals: str, field: str) -> int:
    kept, rest = decimals[:2], decimals[2:]
    if rest.strip("0"):
        raise InvalidInput("amount_sub_fen", field=field)
    return int(whole or "0") * FEN_PER_YUAN + int(kept.ljust(2, "0"))


def parse_yuan(value: str | int, field: str = "amount", *, allow_zero: bool = False) -> int:
    """Yuan as typed by a person ("1,234.5", "¥80", "１２３") to integer fen, exactly.

    Accepted: ASCII digits with an optional ¥ or ￥ in front; thousands separators ("," or
    "，") only between real groups of three digits; a "." and at most two decimals (a sub-fen
    amount is refused, not rounded); full-width digits, point and comma, read as ASCII ones.
    Refused, each with its own code: exponents ("1e5"), underscores, signs, spaces inside,
    the digits of any other script (Arabic-Indic, Devanagari...), input longer than
    ``MAX_AMOUNT_LENGTH``, zero (unless ``allow_zero``) and anything above ``MAX_AMOUNT_FEN``.
    An ``int`` is a whole number of yuan. Never float, never ``Decimal`` arithmetic: nothing
    here can overflow or round.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return _checked_fen(value * FEN_PER_YUAN, field, allow_zero)
    if not isinstance(value, str):
        raise InvalidInput("amount_malformed", field=field)
    text = value
    if len(text) > MAX_AMOUNT_LENGTH * 4:  # before any work on a pasted novel
        raise InvalidInput("amount_malformed", field=field)
    text = text.strip(_SPACES).translate(_FULL_WIDTH)
    if text[:1] in ("¥", "￥"):
        text = text[1:].lstrip(_SPACES)
    if len(text) > MAX_AMOUNT_LENGTH:
        raise InvalidInput("amount_malformed", field=field)
    if text.startswith("-") and _AMOUNT.fullmatch(text[1:]):
        raise InvalidInput("amount_not_positive", field=field)
    found = _AMOUNT.fullmatch(text)
    if found is None or not (found["whole"] or found["fen"]):
        if any(char.isdigit() and not char.isascii() for char in text):
            raise InvalidInput("amount_digits", field=field)
        if "," in text and re.fullmatch(r"[0-9,]+(?:\.[0-9]+)?", text):
            raise InvalidInput("amount_grouping", field=field)
        raise InvalidInput("amount_malformed", field=field)
    fen = _fen(found["whole"].replace(",", ""), found["fen"] or "", field)
    return _checked_fen(fen, field, allow_zero)


def _checked_fen(fen: int, field: str, allow_zero: bool) -> int:
    if fen < 0 or (fen == 0 and not allow_zero):
        raise InvalidInput("amount_not_positive", field=field)
    if fen > MAX_AMOUNT_FEN:
        raise InvalidInput("amount_too_large", field=field, max_fen=MAX_AMOUNT_FEN)
    return fen


def checked_product(quantity: int, unit_fen: int, field: str) -> int:
    """Quantity times unit price, refused above ``MAX_AMOUNT_FEN`` like any single amount."""
    total = quantity * unit_fen
    if total > MAX_AMOUNT_FEN:
        raise InvalidInput("amount_too_large", field=field, max_fen=MAX_AMOUNT_FEN)
    return total


# Spreadsheet programs run a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|...): a CSV cell that does is prefixed with an apostrophe, which the
# programs show as plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A value for a CSV cell that a spreadsheet program shows as text, never runs."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    if row is None:
        return None
    plain: dict[str, Any] = json.loads(json.dumps(row.model_dump(), default=_plain))
    return plain


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
