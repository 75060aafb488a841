"""Altair charts of the year-end indicators: one measure over the years (the street and each
community), and the communities side by side for one year.

Pure builders: rows of plain values in, a chart and its text out. Each chart carries a title
and a description (Vega-Lite's ``description``, which becomes the chart's ARIA label), and each
builder returns a one-sentence summary in words for the page to print under the chart, so a
screen reader (or a reader who cannot see colours) gets the same facts.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import altair as alt
import pandas as pd

from ui.charts import LEGIBLE_PX

STREET_COLOUR = "#37474f"
COMMUNITY_COLOURS = ("#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457")


@dataclass(frozen=True)
class Point:
    """One value of one measure: a place in a year. ``value`` None: not defined (no
    denominator), drawn as a gap, never as 0."""

    place: str
    year: int
    value: Fraction | int | None


@dataclass(frozen=True)
class Words:
    """The translated texts a chart needs (the builders know no language)."""

    title: str
    measure: str  # the axis title, e.g. "落地率（%）"
    year: str
    no_data: str


def _number(value: Fraction | int | None, percent: bool) -> float | None:
    """For drawing only; the exact figures are printed beside the chart."""
    if value is None:
        return None
    return round(float(value) * (100 if percent else 1), 1)


def _shown(value: float | None, percent: bool) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}%" if percent else f"{value:g}"


def _colours(places: Sequence[str], street: str) -> alt.Scale:
    others = [p for p in places if p != street]
    domain = [street, *others] if street in places else others
    colours = [STREET_COLOUR] if street in places else []
    colours += [COMMUNITY_COLOURS[i % len(COMMUNITY_COLOURS)] for i in range(len(others))]
    return alt.Scale(domain=domain, range=colours)


def trend_chart(
    points: Sequence[Point], *, street: str, words: Words, percent: bool
) -> tuple[alt.Chart, str]:
    """One line per place over the years, the street's thicker; points mark each year."""
    rows = [
        {"place": p.place, "year": str(p.year), "value": _number(p.value, percent)} for p in points
    ]
    frame = pd.DataFrame(rows, columns=["place", "year", "value"])
    places = list(dict.fromkeys(p.place for p in points))
    chart = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=70))
        .encode(
            x=alt.X("year:O", title=words.year, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=words.measure, axis=alt.Axis(tickCount=5)),
            color=alt.Color(
                "place:N",
                title=None,
                scale=_colours(places, street),
                legend=alt.Legend(
                    orient="bottom", columns=2, labelLimit=220, labelFontSize=LEGIBLE_PX
                ),
            ),
            strokeWidth=alt.condition(alt.datum.place == street, alt.value(4), alt.value(2)),
            tooltip=[
                alt.Tooltip("place:N", title=None),
                alt.Tooltip("year:O", title=words.year),
                alt.Tooltip("value:Q", title=words.measure),
            ],
        )
        .properties(title=words.title, description=words.title)
    )
    return chart, _trend_summary(points, street=street, words=words, percent=percent)


def _trend_summary(points: Sequence[Point], *, street: str, words: Words, percent: bool) -> str:
    """Every line in words, the street's first: "古美路街道: 2025 20.0% → 2026 11.1%; ..."."""
    places = sorted(dict.fromkeys(p.place for p in points), key=lambda place: place != street)
    lines = []
    for place in places:
        own = sorted((p for p in points if p.place == place), key=lambda p: p.year)
        steps = " → ".join(f"{p.year} {_shown(_number(p.value, percent), percent)}" for p in own)
        lines.append(f"{place}: {steps}")
    known = any(p.value is not None for p in points)
    return "; ".join(lines) if known else words.no_data


def side_by_side_chart(
    points: Sequence[Point], *, words: Words, percent: bool
) -> tuple[alt.Chart, str]:
    """One horizontal bar per community for one year (a phone reads names on the left); a
    community without the figure gets no bar and says so in the summary."""
    rows = [
        {"place": p.place, "value": _number(p.value, percent), "order": index}
        for index, p in enumerate(points)
    ]
    frame = pd.DataFrame(rows, columns=["place", "value", "order"])
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4, color=COMMUNITY_COLOURS[0])
        .encode(
            x=alt.X("value:Q", title=words.measure, axis=alt.Axis(tickCount=5)),
            y=alt.Y(
                "place:N",
                title=None,
                sort=alt.EncodingSortField("order"),
                axis=alt.Axis(labelFontSize=LEGIBLE_PX, labelLimit=200),
            ),
            tooltip=[
                alt.Tooltip("place:N", title=None),
                alt.Tooltip("value:Q", title=words.measure),
            ],
        )
        .properties(title=words.title, height=alt.Step(40), description=words.title)
    )
    known = any(p.value is not None for p in points)
    summary = "; ".join(f"{p.place} {_shown(_number(p.value, percent), percent)}" for p in points)
    return chart, summary if known else words.no_data
