"""A report as an Excel workbook: one sheet per topic, amounts as exact decimal yuan,
ratios to three decimal places.

Every text cell goes through ``services.common.spreadsheet_cell``: a title typed as
``=HYPERLINK(...)`` is shown, never run (CSV injection, OWASP).
"""

import io
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from openpyxl import Workbook

from services.common import spreadsheet_cell

Sheet = tuple[str, Sequence[Sequence[object]]]  # title, rows (the first row: the headers)


class Ratio(Decimal):
    """A ratio kept to three decimal places, shown so."""


class Share(Ratio):
    """A share kept to three decimal places, shown as a percentage with one (as the screens)."""


FORMATS = {Share: "0.0%", Ratio: "0.000", Decimal: "0.00"}


def yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def three_places(value: Fraction) -> Decimal:
    """Rounded half up, as the screens round."""
    return Decimal(math.floor(value * 1000 + Fraction(1, 2))).scaleb(-3)


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
                    cell.number_format = FORMATS[type(cell.value)]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
