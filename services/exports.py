"""A fund's ledger as a file (CSV, Excel) for residents, auditors and the street office.

The public file is the notice board's ledger: an anonymous donor stays anonymous (the
counterparty reads as the caller's word for "anonymous"). The books' file names every donor and
is for whoever may see the fund's books. Every entry is there, oldest first.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV
injection, OWASP): such a text cell, which only user text can be, gets a leading apostrophe
(``services.common.spreadsheet_cell``), in the Excel file too, so it is shown and never run.
Amounts are exact yuan from integer fen (a decimal number, never a float).
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel import Session, col, select

from models import Fund, Proposal
from services.common import get_or_fail, place_tree, spreadsheet_cell
from services.ledger import LedgerLine, ledger_lines
from services.permissions import Action, Viewer, require

__all__ = ["COLUMNS", "ExportWords", "ledger_csv", "ledger_xlsx"]

# The columns, in order; the caller gives each its header in the reader's language.
COLUMNS = (
    "entry",
    "date",
    "kind",
    "direction",
    "amount_yuan",
    "counterparty",
    "purpose",
    "project",
    "invoice_number",
    "reverses_entry",
)


@dataclass(frozen=True)
class ExportWords:
    """The file's words in the reader's language, from the translation layer (services do not
    translate): a header per column, the kinds and directions, and "anonymous"."""

    headers: Mapping[str, str]
    kinds: Mapping[str, str]
    directions: Mapping[str, str]
    anonymous: str


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _rows(
    session: Session, viewer: Viewer, fund_id: int, words: ExportWords, books: bool
) -> list[list[object]]:
    fund = get_or_fail(session, Fund, fund_id)
    if books:
        require(viewer, Action.VIEW_BOOKS, fund.place_id, place_tree(session))
    lines: list[LedgerLine] = ledger_lines(session, fund_id=fund_id, limit=None, public=not books)
    named = {line.proposal_id for line in lines if line.proposal_id is not None}
    titles = dict(
        session.exec(select(Proposal.id, Proposal.title).where(col(Proposal.id).in_(named))).all()
    )
    rows: list[list[object]] = [[words.headers[column] for column in COLUMNS]]
    for line in reversed(lines):  # oldest first, as a ledger is read
        masked = line.is_anonymous and not books
        rows.append(
            [
                line.id,
                line.occurred_on,
                words.kinds.get(line.kind, line.kind),
                words.directions.get(line.direction, line.direction),
                _yuan(line.amount_fen),
                words.anonymous if masked else spreadsheet_cell(line.counterparty),
                spreadsheet_cell(line.purpose),
                spreadsheet_cell(titles.get(line.proposal_id, "")) if line.proposal_id else "",
                spreadsheet_cell(line.invoice_number or ""),
                line.reverses_entry_id or "",
            ]
        )
    return rows


def ledger_csv(
    session: Session, viewer: Viewer, *, fund_id: int, words: ExportWords, books: bool = False
) -> str:
    """The ledger as CSV text (UTF-8 with a byte-order mark, so that Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(session, viewer, fund_id, words, books):
        writer.writerow([f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row])
    return "\ufeff" + out.getvalue()


def ledger_xlsx(
    session: Session, viewer: Viewer, *, fund_id: int, words: ExportWords, books: bool = False
) -> bytes:
    """The ledger as an Excel workbook: one sheet, amounts as numbers with two decimals."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    for row in _rows(session, viewer, fund_id, words, books):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
