"""The cleaners every typed value goes through (services/common.py), one rule at a time: the
amount policy of ``parse_yuan`` (README, "What Linli accepts"), text without controls, bidi
overrides or lone surrogates, bounded counts, ids beyond 64 bits, and CSV cells that a
spreadsheet shows as text. The hostile-input test feeds the same values through every service."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from models import Person, Place
from services import accounts, notice, places
from services.common import (
    MAX_AMOUNT_FEN,
    MAX_INT64,
    bounded_int,
    checked_product,
    clean_secret,
    clean_text,
    get_or_fail,
    parse_yuan,
    spreadsheet_cell,
)
from services.errors import InvalidInput, NotFound
from tests.world import World

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def refusal(fn, *args, **kwargs) -> InvalidInput:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as raised:
        fn(*args, **kwargs)
    return raised.value


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("1,234.5", 123_450),
        ("1234.56", 123_456),
        ("¥80", 8_000),
        ("￥ 80", 8_000),
        ("  80  ", 8_000),
        ("\u300080\u3000", 8_000),  # full-width spaces around, as an input method leaves them
        ("１２３", 12_300),  # full-width digits
        ("１，２３４．５０", 123_450),  # full-width comma and point
        ("1，234", 123_400),  # a full-width comma between ASCII digits
        ("0.1", 10),
        (".5", 50),
        ("1.230", 123),  # a zero past the fen changes nothing
        ("007", 700),
        ("100,000,000", 10_000_000_000),
        ("100,000,000,000", MAX_AMOUNT_FEN),
        (50, 5_000),  # an int is whole yuan
    ],
)
def test_amounts_a_person_types_are_read_exactly(typed: str | int, fen: int) -> None:
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1e999999", "amount_malformed"),  # was decimal.Overflow, a traceback
        ("1e5", "amount_malformed"),  # was 100,000 yuan
        ("1_000", "amount_malformed"),  # was 1,000 yuan
        ("1 000", "amount_malformed"),
        ("+5", "amount_malformed"),
        ("5.", "amount_malformed"),
        ("1.2.3", "amount_malformed"),
        ("NaN", "amount_malformed"),
        ("Infinity", "amount_malformed"),
        ("0x10", "amount_malformed"),
        ("5元", "amount_malformed"),
        ("", "amount_malformed"),
        ("¥", "amount_malformed"),
        ("5\x00", "amount_malformed"),
        ("\u202e5", "amount_malformed"),
        ("1" * 41, "amount_malformed"),  # longer than any amount
        ("x" * 100_000, "amount_malformed"),
        (None, "amount_malformed"),
        (True, "amount_malformed"),
        (1.5, "amount_malformed"),  # never a float
        ("١٢٣", "amount_digits"),  # was 123 yuan
        ("१२३", "amount_digits"),
        ("²", "amount_digits"),
        ("1,23", "amount_grouping"),
        ("1,2345", "amount_grouping"),
        (",123", "amount_grouping"),
        ("-5", "amount_not_positive"),
        ("¥-5", "amount_not_positive"),
        (-5, "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("1.234", "amount_sub_fen"),  # refused, not rounded
        ("0.001", "amount_sub_fen"),
        ("100,000,000,000.01", "amount_too_large"),
        (str(2**63), "amount_too_large"),
        (10**100, "amount_too_large"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_its_reason(typed: object, code: str) -> None:
    refused = refusal(parse_yuan, typed, "budget")
    assert (refused.code, refused.params["field"]) == (code, "budget")


def test_zero_only_where_allowed_and_the_limit_fits_a_64_bit_column() -> None:
    assert parse_yuan("0", allow_zero=True) == 0
    assert MAX_AMOUNT_FEN <= MAX_INT64
    # Fifty budget lines at the limit still sum within 64 bits.
    assert 50 * MAX_AMOUNT_FEN <= MAX_INT64
    assert refusal(parse_yuan, "100,000,000,001").params["max_fen"] == MAX_AMOUNT_FEN


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_AMOUNT_FEN), st.booleans(), st.booleans())
def test_every_amount_up_to_the_limit_reads_back_to_the_fen(
    fen: int, grouped: bool, full_width: bool
) -> None:
    yuan, cents = divmod(fen, 100)
    typed = f"{yuan:,}" if grouped else str(yuan)
    typed += f".{cents:02d}"
    assert parse_yuan(typed.translate(FULL_WIDTH) if full_width else typed) == fen


def test_a_quantity_times_a_price_stays_within_the_limit() -> None:
    assert checked_product(10, MAX_AMOUNT_FEN // 10, "unit_price") == MAX_AMOUNT_FEN
    refused = refusal(checked_product, 1_000_000, MAX_AMOUNT_FEN, "unit_price")
    assert refused.code == "amount_too_large"


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("NUL \x00 inside", "text_control_character"),  # a PostgreSQL error; SQLite stored it
        ("escape \x1b[31m", "text_control_character"),
        ("delete \x7f", "text_control_character"),
        ("C1 \x85 next line", "text_control_character"),
        ("carriage \r return", "text_control_character"),
        ("line \u2028 separator", "text_control_character"),
        ("two\nlines", "text_line_break"),
        ("a\ttab", "text_line_break"),
        ("Donor \u202egnaW", "text_direction_control"),  # reads backwards
        ("\u202aembedded\u202c", "text_direction_control"),
        ("isolated \u2066100\u2069", "text_direction_control"),
        ("lone \ud800 surrogate", "text_broken_character"),
        ("x" * 121, "field_too_long"),
        ("   ", "field_required"),
        (12, "field_invalid"),
    ],
)
def test_text_with_invisible_or_broken_characters_is_refused_naming_the_field(
    typed: object, code: str
) -> None:
    refused = refusal(clean_text, typed, "donor", max_length=120)
    assert (refused.code, refused.params["field"]) == (code, "donor")


@pytest.mark.parametrize(
    "typed",
    [
        "李明 👍🏽",
        "a family 👨\u200d👩\u200d👧",  # joiners inside emoji are kept
        "مرحبا \u200ewith marks\u200f",  # direction marks (not overrides) are kept
        "e\u0301 as typed, not normalised",
        "![](http://x/p.png) <b>markup</b> is the screens' business",
        '=HYPERLINK("x") is the exports\' business',
    ],
)
def test_ordinary_text_is_kept_byte_for_byte(typed: str) -> None:
    assert clean_text(f"  {typed}  ", "title", max_length=200) == typed


def test_line_breaks_and_tabs_only_where_a_field_has_lines() -> None:
    typed = "First line\n\tindented\nlast"
    assert clean_text(typed, "description", max_length=100, multiline=True) == typed
    assert refusal(clean_text, typed, "title", max_length=100).code == "text_line_break"
    for still_refused in ("a\x00b", "a\rb", "a\u202eb", "a\ud800b"):
        assert refusal(clean_text, still_refused, "description", max_length=100, multiline=True)


def test_a_password_keeps_every_character_but_a_broken_one() -> None:
    assert clean_secret(" spaces and \x00 are kept ") == " spaces and \x00 are kept "
    assert refusal(clean_secret, "broken \udc00").code == "text_broken_character"
    assert refusal(clean_secret, "x" * 1025).code == "field_too_long"


# --- counts and ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (2**63, "field_out_of_range"),  # was a crash on both databases
        (-1, "field_out_of_range"),
        (1_000_001, "field_out_of_range"),
        (True, "field_invalid"),
        ("3", "field_invalid"),
        (3.0, "field_invalid"),
        (None, "field_invalid"),
    ],
)
def test_counts_are_whole_numbers_within_bounds(typed: object, code: str) -> None:
    refused = refusal(bounded_int, typed, "quantity", low=0, high=1_000_000)
    assert (refused.code, refused.params["field"]) == (code, "quantity")
    assert bounded_int(1_000_000, "quantity", low=0, high=1_000_000) == 1_000_000


@pytest.mark.parametrize("row_id", [2**63, 2**64, -1, 0, True, "1", None])
def test_an_id_no_row_can_have_is_not_found(session: Session, row_id: object) -> None:
    with pytest.raises(NotFound):
        get_or_fail(session, Place, row_id)  # type: ignore[arg-type]


# --- people named by their provider -------------------------------------------------------------


def test_a_provider_name_linli_would_refuse_is_replaced_by_the_subject(world: World) -> None:
    viewer = accounts.sign_in_with_provider(
        world.session,
        provider="district",
        subject="Wang.Fang@example.org",
        display_name="Wang \u202egnaF",
    )
    assert viewer.display_name == "wang.fang@example.org"


def test_a_user_name_that_grows_when_lowered_is_still_within_its_column(world: World) -> None:
    refused = refusal(
        accounts.add_person,
        world.session,
        world.viewer("admin"),
        display_name="İ",
        username="İ" * 60,  # 120 characters once lowered
        password="a long passphrase",
        home_place_id=None,
    )
    assert (refused.code, refused.params) == ("field_too_long", {"field": "username", "max": 60})


# --- CSV exports -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Wang Fang", "Wang Fang"),
        ("", ""),
        (42, 42),
    ],
)
def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(
    cell: object, written: object
) -> None:
    assert spreadsheet_cell(cell) == written


def test_the_audit_export_runs_no_formula(world: World) -> None:
    admin = world.session.get(Person, world.people["admin"])
    assert admin is not None
    admin.display_name = '=HYPERLINK("http://evil.example","details")'
    world.session.add(admin)
    world.session.commit()
    places.create_place(
        world.session,
        world.viewer("admin"),
        kind="compound",
        name="-1+2 building",
        parent_id=world.community_a,
    )
    exported = notice.export_audit_log(world.session, world.viewer("admin"))
    rows = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
    (row,) = [r for r in rows[1:] if r[4] == "create_place"]
    assert row[3] == "'" + admin.display_name
    assert '"name": "-1+2 building"' in row[8]  # inside the JSON: not at a cell's start
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
