"""The indicator charts are pure: rows in, a chart with its title and description out, and a
summary in words that says the same as the marks (gaps stay gaps, never zeros)."""

from fractions import Fraction

from ui.indicator_charts import Point, Words, side_by_side_chart, trend_chart

WORDS = Words(title="Done of submitted over the years", measure="%", year="Year", no_data="none")


def test_the_trend_has_a_title_a_description_and_every_line_in_words() -> None:
    points = [
        Point("Street", 2025, Fraction(1, 5)),
        Point("Street", 2026, Fraction(1, 9)),
        Point("Pingyang", 2025, Fraction(1, 5)),
        Point("Pingyang", 2026, Fraction(0)),
        Point("Wanyuan", 2025, None),
        Point("Wanyuan", 2026, Fraction(1, 3)),
    ]
    chart, summary = trend_chart(points, street="Street", words=WORDS, percent=True)
    spec = chart.to_dict()
    assert spec["title"] == WORDS.title and spec["description"] == WORDS.title
    assert summary == (
        "Street: 2025 20.0% → 2026 11.1%; Pingyang: 2025 20.0% → 2026 0.0%; "
        "Wanyuan: 2025 – → 2026 33.3%"
    )
    values = {(r["place"], r["year"]): r["value"] for r in spec["datasets"].popitem()[1]}
    assert values[("Wanyuan", "2025")] is None  # a gap, not a zero
    assert values[("Street", "2026")] == 11.1
    assert spec["encoding"]["color"]["scale"]["domain"][0] == "Street"


def test_communities_side_by_side_in_words_and_a_figure_missing_everywhere() -> None:
    points = [Point("Pingyang", 2026, Fraction(2, 19)), Point("Guolong", 2026, None)]
    chart, summary = side_by_side_chart(points, words=WORDS, percent=False)
    assert chart.to_dict()["title"] == WORDS.title
    assert summary == "Pingyang 0.1; Guolong –"
    _, nothing = side_by_side_chart([Point("Guolong", 2026, None)], words=WORDS, percent=False)
    assert nothing == "none"
    _, empty = trend_chart([], street="Street", words=WORDS, percent=True)
    assert empty == "none"
