"""The money-by-source chart and the exact percentages the donor screens show."""

from fractions import Fraction

import pytest

from ui import charts
from ui.i18n import format_percent


def test_the_chart_keeps_the_order_and_greys_the_government() -> None:
    rows: list[dict[str, object]] = [
        {"source": "政府", "yuan": 90000, "government": True},
        {"source": "居民", "yuan": 23600, "government": False},
    ]
    spec = charts.money_by_source(rows, yuan="元").to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [(v["source"], v["yuan"], v["order"]) for v in values] == [
        ("政府", 90000, 0),
        ("居民", 23600, 1),
    ]
    assert spec["encoding"]["color"]["scale"] == {
        "domain": [True, False],
        "range": ["#90a4ae", "#2e7d32"],
    }
    assert spec["encoding"]["x"]["title"] == "元"


@pytest.mark.parametrize(
    ("share", "digits", "shown"),
    [
        (None, 1, "–"),
        (Fraction(0), 1, "0.0%"),
        (Fraction(1), 1, "100.0%"),
        (Fraction(2436, 3336), 1, "73.0%"),
        (Fraction(25, 46), 1, "54.3%"),
        (Fraction(1, 2000), 1, "0.1%"),  # 0.05% rounds half up
        (Fraction(100, 333600), 2, "0.03%"),
        (Fraction(1, 3), 2, "33.33%"),
    ],
)
def test_percentages_are_exact_and_round_half_up(
    share: Fraction | None, digits: int, shown: str
) -> None:
    assert format_percent(share, digits) == shown
