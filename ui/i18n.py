"""The translation layer: catalogues, message formatting, and locale-aware numbers, money, dates.

Catalogues live in ``ui/locales/<locale>/<area>.json``, one file per area of the app so that
people working on different screens never edit the same file. Keys are unique across areas;
``tests/ui/test_i18n.py`` fails when a key, a placeholder or a whole language is missing.
"""

import json
import math
import string
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Error parameters that name a vocabulary value are shown in words, not codes.
PARAM_VOCABULARIES = {
    "field": "field",
    "earlier": "field",
    "action": "action",
    "status": "status",
    "from_status": "status",
    "to_status": "status",
    "phase": "phase",
    "category": "category",
    "kind": "place_kind",
    "entity": "entity",
    "chain": "chain",
}


class CatalogueError(RuntimeError):
    pass


@cache
def catalogue(locale: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise CatalogueError(f"{locale}: key {key!r} is defined twice ({path.name})")
            merged[key] = text
    if not merged:
        raise CatalogueError(f"no catalogue for locale {locale!r}")
    return merged


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def normalize_locale(requested: str | None) -> str:
    """Browser locales ("zh", "zh-Hans-CN", "en-GB") to one we have; Chinese first."""
    tag = (requested or "").strip().lower().replace("_", "-")
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def translate(locale: str, key: str, **params: Any) -> str:
    """Missing keys show the key itself (visible, never a crash); the tests keep that rare."""
    template = catalogue(locale).get(key) or catalogue("en").get(key) or key
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def format_money(fen: int, locale: str) -> str:
    """Integer fen to "¥1,234.50"; no float anywhere on the way."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def format_date(value: date, locale: str) -> str:
    if locale == "zh-CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime, locale: str, timezone: tzinfo = DEFAULT_TIMEZONE) -> str:
    local = value.astimezone(timezone) if value.tzinfo else value
    return f"{format_date(local.date(), locale)} {local:%H:%M}"


def format_permille(permille: int, locale: str) -> str:
    whole, tenth = divmod(permille, 10)
    return f"{whole}.{tenth}%" if tenth else f"{whole}%"


def format_percent(share: Fraction | None, digits: int = 1) -> str:
    """An exact share as a percentage, rounding half up: 25/46 -> "54.3%"; a small gift's
    share of a fund with ``digits=2``: 1/3336 -> "0.03%"."""
    if share is None:
        return "–"
    scale = 10**digits
    units = math.floor(share * 100 * scale + Fraction(1, 2))
    return f"{units // scale}.{units % scale:0{digits}d}%"


def label(locale: str, vocabulary: str, value: str) -> str:
    """A stored code (status, category, role...) in words."""
    return translate(locale, f"{vocabulary}.{value}")


def message(
    locale: str, key: str, params: dict[str, Any], *, text: Callable[[str], str] = str
) -> str:
    """A service's message (an error, a finding) with its parameters in words: fen as money,
    vocabulary codes as labels. ``text`` renders the parameters that may hold what someone
    typed (a user name, a file name, a household label): ``ui.plain_text.plain`` where the
    message is markdown."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if name.endswith("_fen") and isinstance(value, int):
            shown[name] = format_money(value, locale)
        elif name in PARAM_VOCABULARIES and isinstance(value, str):
            shown[name] = label(locale, PARAM_VOCABULARIES[name], value)
        elif isinstance(value, str):
            shown[name] = text(value)
        else:
            shown[name] = value
    return translate(locale, key, **shown)


def error_message(
    locale: str, code: str, params: dict[str, Any], *, text: Callable[[str], str] = str
) -> str:
    """An error inside one row of a form (``row``, counted from 1, of the form's ``part``) is
    prefixed with the row: "第 2 行：请填写单价。"."""
    shown = message(locale, f"error.{code}", params, text=text)
    row, part = params.get("row"), params.get("part")
    if isinstance(row, int) and isinstance(part, str):
        return translate(locale, f"error.in_row.{part}", row=row) + shown
    return shown
