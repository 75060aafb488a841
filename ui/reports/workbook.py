"""A report as an Excel workbook: one sheet per topic, amounts as exact decimal yuan.

Every text cell goes through ``services.common.spreadsheet_cell``: a title typed as
``=HYPERLINK(...)`` is shown, never run (CSV injection, OWASP).
"""

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook

from services.common import spreadsheet_cell

Sheet = tuple[str, Sequence[Sequence[object]]]  # title, rows (the first row: the headers)


def yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def workbook(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook always has one sheet
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])  # our own words: Excel allows 31 characters
        for row in rows:
            sheet.append([spreadsheet_cell(v) if isinstance(v, str) else v for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
