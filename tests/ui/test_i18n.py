"""The translation layer is complete: a string without a translation fails here, not in front
of a resident. Keys are found by reading the source, so a new screen cannot forget one."""

import ast
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from models import vocabulary
from services import errors
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
SERVICE_SOURCES = sorted((ROOT / "services").glob("*.py"))
VOCABULARIES: dict[str, type[StrEnum]] = {
    "status": vocabulary.ProposalStatus,
    "need_status": vocabulary.NeedStatus,
    "category": vocabulary.Category,
    "phase": vocabulary.RoundPhase,
    "role": vocabulary.Role,
    "position": vocabulary.CommitteePosition,
    "place_kind": vocabulary.PlaceKind,
    "ledger_kind": vocabulary.LedgerKind,
    "fund_kind": vocabulary.FundKind,
    "contribution_kind": vocabulary.ContributionKind,
    "ballot_kind": vocabulary.BallotKind,
    "channel": vocabulary.BallotChannel,
    "cofunding_source": vocabulary.CoFundingSource,
    "paper_status": vocabulary.PaperSheetStatus,
    "payment_status": vocabulary.PaymentRequestStatus,
    "charter_stage": vocabulary.CharterStage,
    "points_reason": vocabulary.PointsReason,
    "order_status": vocabulary.OrderStatus,
    "donor_kind": vocabulary.DonorKind,
    "money_source": vocabulary.MoneySource,
    "revenue_kind": vocabulary.RevenueAssetKind,
    "allocation_status": vocabulary.AllocationStatus,
}
STREAMLIT_TEXT_CALLS = {
    "title",
    "header",
    "subheader",
    "caption",
    "button",
    "form_submit_button",
    "text_input",
    "text_area",
    "selectbox",
    "checkbox",
    "toggle",
    "number_input",
    "date_input",
    "info",
    "warning",
    "error",
    "success",
    "metric",
    "expander",
    "tabs",
    "toast",
    "radio",
    "multiselect",
}


def calls(paths: list[Path]):  # type: ignore[no-untyped-def]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                yield path, node


def name_of(call: ast.Call) -> str:
    func = call.func
    return (
        func.attr
        if isinstance(func, ast.Attribute)
        else func.id
        if isinstance(func, ast.Name)
        else ""
    )


def first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    chinese, english = i18n.catalogue("zh-CN"), i18n.catalogue("en")
    assert set(chinese) == set(english), set(chinese) ^ set(english)
    for key in english:
        assert chinese[key].strip() and english[key].strip(), key
        assert i18n.placeholders(chinese[key]) == i18n.placeholders(english[key]), key


def test_every_key_used_in_the_screens_exists() -> None:
    known = i18n.catalogue("en")
    used = {
        (path.name, first_string(call))
        for path, call in calls(SOURCES)
        if name_of(call) in {"t", "empty_state"}
    }
    missing = sorted((file, key) for file, key in used if key is not None and key not in known)
    assert not missing
    assert len(used) > 100  # the scan really found the screens' strings


def test_every_vocabulary_value_has_a_label() -> None:
    english = i18n.catalogue("en")
    missing = [
        f"{name}.{value.value}"
        for name, vocabulary in VOCABULARIES.items()
        for value in vocabulary
        if f"{name}.{value.value}" not in english
    ]
    assert not missing


def test_every_error_code_and_field_raised_by_a_service_has_a_message() -> None:
    english = i18n.catalogue("en")
    error_classes = {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, errors.LinliError)
    }
    codes = {cls.code for cls in (getattr(errors, name) for name in error_classes)}
    fields = set()
    for _, call in calls(SERVICE_SOURCES):
        name = name_of(call)
        if name in error_classes and first_string(call):
            codes.add(first_string(call))  # type: ignore[arg-type]
        for keyword in call.keywords:
            if keyword.arg == "field" and isinstance(keyword.value, ast.Constant):
                fields.add(keyword.value.value)
        if name in {"clean_text", "parse_yuan", "choice"} and len(call.args) >= 2:
            field = call.args[-1] if name == "choice" else call.args[1]
            if isinstance(field, ast.Constant) and isinstance(field.value, str):
                fields.add(field.value)
    assert len(codes) > 30
    assert not sorted(c for c in codes if f"error.{c}" not in english)
    assert not sorted(f for f in fields if f"field.{f}" not in english)


def test_no_screen_shows_a_literal_string_to_the_user() -> None:
    """Every label goes through t(); a literal (other than an icon or a symbol) is a leak."""
    leaks = []
    for path, call in calls(SOURCES):
        text = first_string(call)
        if name_of(call) in STREAMLIT_TEXT_CALLS and text and any(ch.isalpha() for ch in text):
            leaks.append((path.name, call.lineno, text))
    assert not leaks


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (123_450, "¥1,234.50"),
        (5, "¥0.05"),
        (0, "¥0.00"),
        (-1_000_000, "-¥10,000.00"),
        (10**12, "¥10,000,000,000.00"),
    ],
)
def test_money_is_formatted_from_integer_fen(fen: int, shown: str) -> None:
    assert i18n.format_money(fen, "zh-CN") == shown
    assert i18n.format_money(fen, "en") == shown


def test_dates_follow_the_locale() -> None:
    assert i18n.format_date(date(2026, 3, 8), "zh-CN") == "2026年3月8日"
    assert i18n.format_date(date(2026, 3, 8), "en") == "8 Mar 2026"
    noon_utc = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)
    assert i18n.format_datetime(noon_utc, "zh-CN") == "2026年3月8日 12:30"  # Beijing time


@pytest.mark.parametrize(
    ("browser", "locale"),
    [
        ("zh-CN", "zh-CN"),
        ("zh-Hant-TW", "zh-CN"),
        ("en-GB", "en"),
        ("en", "en"),
        (None, "zh-CN"),
        ("fr-FR", "zh-CN"),
    ],
)
def test_the_browser_locale_picks_the_language(browser: str | None, locale: str) -> None:
    assert i18n.normalize_locale(browser) == locale


def test_error_parameters_are_shown_in_words_and_money() -> None:
    message = i18n.error_message(
        "zh-CN", "overspend_fund", {"available_fen": 40_000, "amount_fen": 40_001}
    )
    assert message == "基金可用余额仅 ¥400.00，申请金额为 ¥400.01。"
    assert (
        i18n.error_message("en", "field_required", {"field": "invoice_number"})
        == "Invoice number is required."
    )
