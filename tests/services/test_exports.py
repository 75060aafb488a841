"""A fund's ledger as CSV and Excel: read back with the csv module and openpyxl, an anonymous
donor masked in the public file and named in the books' file, formulas never run."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services import exports, ledger
from services.errors import NotAllowed
from services.permissions import ANONYMOUS
from tests.services.test_ledger import DAY, _selected_proposal, donate
from tests.street import fingerprint
from tests.world import World, pay_project

WORDS = exports.ExportWords(
    headers={column: column.upper() for column in exports.COLUMNS},
    kinds={"donation": "Donation", "allocation": "Allocation", "expense": "Expense"},
    directions={"in": "In", "out": "Out", "earmark": "Earmarked"},
    anonymous="(anonymous)",
)


@pytest.fixture
def books(world: World) -> int:
    """A named gift, an anonymous one, 2,000 yuan for the benches and 1,234.56 paid on them to a
    payee whose name a spreadsheet would run as a formula."""
    donate(world, "5000", donor="Resident Wang")
    donate(world, "300", donor="Old Mr Li", is_anonymous=True)
    proposal_id = _selected_proposal(world)
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="2000",
        occurred_on=DAY,
    )
    pay_project(
        world,
        proposal_id,
        "1234.56",
        payee='=HYPERLINK("http://evil.example","x")',
        purpose="@SUM(1+1)",
        invoice="-0012",
        occurred_on=date(2026, 3, 2),
    )
    return proposal_id


def _csv(world: World, *, as_books: bool, who: str = "treasurer_a") -> list[list[str]]:
    text = exports.ledger_csv(
        world.session, world.viewer(who), fund_id=world.fund_a, words=WORDS, books=as_books
    )
    assert text.startswith("\ufeff")  # Excel reads UTF-8 Chinese only with the mark
    return list(csv.reader(io.StringIO(text[1:])))


def test_public_csv_masks_the_anonymous_donor_and_disarms_formulas(
    world: World, books: int
) -> None:
    rows = _csv(world, as_books=False, who="resident_a1")
    assert rows[0] == [column.upper() for column in exports.COLUMNS]
    body = [row[1:] for row in rows[1:]]  # the entry ids aside
    assert body == [
        ["2026-03-01", "Donation", "In", "5000.00", "Resident Wang", "Annual donation", "", "", ""],
        ["2026-03-01", "Donation", "In", "300.00", "(anonymous)", "Annual donation", "", "", ""],
        [
            "2026-03-01",
            "Allocation",
            "Earmarked",
            "2000.00",
            "Benches",
            "Benches",
            "Benches",
            "",
            "",
        ],
        [
            "2026-03-02",
            "Expense",
            "Out",
            "1234.56",
            '\'=HYPERLINK("http://evil.example","x")',
            "'@SUM(1+1)",
            "Benches",
            "'-0012",
            "",
        ],
    ]
    assert "Old Mr Li" not in str(rows)


def test_the_books_csv_names_every_donor(world: World, books: int) -> None:
    rows = _csv(world, as_books=True)
    assert [row[5] for row in rows[1:3]] == ["Resident Wang", "Old Mr Li"]


def test_the_books_export_is_refused_outside_the_books(world: World, books: int) -> None:
    before = fingerprint(world.session)
    for viewer in (ANONYMOUS, world.viewer("resident_a1"), world.viewer("chair_b")):
        for export in (exports.ledger_csv, exports.ledger_xlsx):
            with pytest.raises(NotAllowed):
                export(world.session, viewer, fund_id=world.fund_a, words=WORDS, books=True)
    assert fingerprint(world.session) == before
    # the public file is everybody's, as the notice board is
    assert exports.ledger_csv(world.session, ANONYMOUS, fund_id=world.fund_a, words=WORDS)


def test_the_excel_file_reads_back_with_exact_amounts(world: World, books: int) -> None:
    data = exports.ledger_xlsx(world.session, ANONYMOUS, fund_id=world.fund_a, words=WORDS)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(column.upper() for column in exports.COLUMNS)
    assert [row[4] for row in rows[1:]] == [5000, 300, 2000, 1234.56]
    assert sum(Decimal(str(row[4])) for row in rows[1:]) == Decimal("8534.56")
    assert [row[5] for row in rows[1:3]] == ["Resident Wang", "(anonymous)"]
    expense = rows[4]
    assert expense[1] == datetime(2026, 3, 2)
    assert expense[5:9] == (
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(1+1)",
        "Benches",
        "'-0012",
    )
    assert sheet.cell(row=5, column=5).number_format == "0.00"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    books_data = exports.ledger_xlsx(
        world.session, world.viewer("reviewer"), fund_id=world.fund_a, words=WORDS, books=True
    )
    books_sheet = load_workbook(io.BytesIO(books_data)).active
    assert books_sheet is not None
    assert books_sheet.cell(row=3, column=6).value == "Old Mr Li"
