"""Indicators (年底评审指标): how a street and its communities did, year by year, by the
definitions in the README. Public facts, read on a phone as often as on the review's projector:
cards of figures (no grid), each with its counts beneath, then the trend and the communities
side by side for the measure chosen."""

import math
from fractions import Fraction

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.indicators import IndicatorBoard, Indicators, indicator_board
from ui.context import current_viewer, money, read, t
from ui.i18n import format_percent
from ui.indicator_charts import Point, Words, side_by_side_chart, trend_chart
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import indicators as indicators_report
from ui.widgets import empty_state

TREND_HEIGHT = 400  # pixels, legend included: readable on a phone, not a wall of its own
STREET_KEY = "indicators_street"
YEAR_KEY = "indicators_year"
SCOPE_KEY = "indicators_scope"
MEASURE_KEY = "indicators_measure"
# The measures the charts can show: property of Indicators, shown as a percentage?
MEASURES = {
    "done_of_submitted": True,
    "done_of_selected": True,
    "turnout": True,
    "leverage": False,
    "non_government_share": True,
    "abandoned_share": True,
    "spent_share": True,
    "resident_satisfaction": False,
    "review_satisfaction": False,
}
# Styling only, and a constant: four cards a row on a wide screen, two on a phone (not one).
CARDS_CSS = """
<style>
.st-key-indicator_cards [data-testid="stMetricValue"] { font-size: 2.2rem; }
@media (max-width: 640px) {
  .st-key-indicator_cards [data-testid="stHorizontalBlock"] { flex-wrap: wrap; gap: 0.5rem; }
  .st-key-indicator_cards [data-testid="stColumn"] {
    min-width: calc(50% - 0.25rem); max-width: calc(50% - 0.25rem);
  }
  .st-key-indicator_cards [data-testid="stMetricValue"] { font-size: 1.5rem; }
  .st-key-indicator_cards [data-testid="stMetricLabel"] p { font-size: 0.85rem; }
}
</style>
"""


def _decimal(value: Fraction | None, digits: int = 1) -> str:
    """Rounded half up for reading; the exact figure is the service's."""
    if value is None:
        return "–"
    scale = 10**digits
    units = math.floor(value * scale + Fraction(1, 2))
    return f"{units // scale}.{units % scale:0{digits}d}"


def _choices(board: IndicatorBoard) -> None:
    """Street and year, chosen by tapping (nothing to type)."""
    streets: list[int] = list(board.streets)
    if len(streets) > 1 and board.street_id is not None:
        st.selectbox(
            t("indicators.street"),
            streets,
            index=streets.index(board.street_id),
            format_func=lambda s: plain(board.streets[s]),
            key=STREET_KEY,
        )
    st.segmented_control(
        t("indicators.year"), board.years, default=board.year, required=True, key=YEAR_KEY
    )


def _scope(board: IndicatorBoard) -> Indicators:
    """The street or one of its communities, by name (the names are the options themselves, so
    the choice survives a change of language as the street)."""
    assert board.street is not None
    rows = {t("indicators.whole_street"): board.street} | {
        plain(row.place): row for row in board.communities
    }
    chosen = st.pills(t("indicators.scope"), list(rows), default=next(iter(rows)), key=SCOPE_KEY)
    return rows.get(chosen or "", board.street)


def _card(column: DeltaGenerator, key: str, value: str, counts: str) -> None:
    card = column.container(border=True)
    card.metric(t(f"indicators.{key}"), value, help=t(f"indicators.{key}_help"))
    card.caption(counts)


def _cards(row: Indicators) -> None:
    percent = format_percent
    households = "–" if row.households is None else row.households
    sections = {
        "carried_out": [
            (
                "done_of_submitted",
                percent(row.done_of_submitted),
                f"{row.completed} / {row.submitted}",
            ),
            (
                "done_of_selected",
                percent(row.done_of_selected),
                f"{row.completed} / {row.selected}",
            ),
            (
                "abandoned_projects",
                str(row.abandoned),
                t("indicators.of_selected", count=row.selected),
            ),
            ("drifted", str(row.drifted), t("indicators.of_reviewed", count=row.reviewed)),
        ],
        "participation": [
            ("turnout", percent(row.turnout), t("indicators.ballots", count=row.voters)),
            ("voters", str(row.voters), t("indicators.households", count=households)),
            ("proposers", str(row.proposers), t("indicators.people")),
            ("supporters", str(row.supporters), t("indicators.people")),
            ("donors", str(row.donors), t("indicators.givers")),
            ("volunteers", str(row.volunteers), t("indicators.people")),
        ],
        "money": [
            (
                "leverage",
                _decimal(row.leverage, 2),
                f"{money(row.other_received_fen)} / {money(row.seed_fen)}",
            ),
            (
                "spent_share",
                percent(row.spent_share),
                f"{money(row.spent_fen)} / {money(row.budget_fen)}",
            ),
            (
                "within_budget",
                f"{row.within_budget} / {row.funded}",
                percent(row.within_budget_share),
            ),
            (
                "non_government_share",
                percent(row.non_government_share),
                f"{money(row.non_government_fen)} / {money(row.money_in_fen)}",
            ),
        ],
        "satisfaction": [
            (
                "resident_satisfaction",
                _decimal(row.resident_satisfaction),
                t("indicators.ratings", count=row.ratings),
            ),
            (
                "review_satisfaction",
                _decimal(row.review_satisfaction),
                t("indicators.reviewed_projects", count=row.reviewed),
            ),
        ],
    }
    with st.container(key="indicator_cards"):
        for section, cards in sections.items():
            st.subheader(t(f"indicators.section_{section}"), anchor=False)
            for start in range(0, len(cards), 4):  # rows of four: two rows of two on a phone
                row_cards = cards[start : start + 4]
                for column, (key, value, counts) in zip(st.columns(4), row_cards, strict=False):
                    _card(column, key, value, counts)


def _charts(board: IndicatorBoard) -> None:
    names = {t(f"indicators.{m}"): m for m in MEASURES}
    measure = names.get(st.selectbox(t("indicators.measure"), list(names), key=MEASURE_KEY) or "")
    measure = measure or next(iter(MEASURES))
    percent = MEASURES[measure]
    unit = t("indicators.unit_percent") if percent else ""
    street = board.street
    assert street is not None
    trend, words = trend_chart(
        [Point(plain(r.place), r.year, getattr(r, measure)) for r in board.trend],
        street=plain(street.place),
        words=Words(
            title=t("indicators.trend_title", measure=t(f"indicators.{measure}")),
            measure=f"{t(f'indicators.{measure}')}{unit}",
            year=t("indicators.year"),
            no_data=t("indicators.no_data"),
        ),
        percent=percent,
    )
    st.altair_chart(trend, width="stretch", height=TREND_HEIGHT, alt=words)
    st.caption(words)
    bars, said = side_by_side_chart(
        [Point(plain(r.place), r.year, getattr(r, measure)) for r in board.communities],
        words=Words(
            title=t("indicators.side_title", measure=t(f"indicators.{measure}"), year=board.year),
            measure=f"{t(f'indicators.{measure}')}{unit}",
            year=t("indicators.year"),
            no_data=t("indicators.no_data"),
        ),
        percent=percent,
    )
    st.altair_chart(bars, width="stretch", alt=said)
    st.caption(said)


def _printouts(board: IndicatorBoard) -> None:
    """The street's and its communities' figures for the year, and the trend, to print."""
    report_buttons(
        current_viewer(),
        indicators_report.read_report,
        key=f"indicators_{board.street_id}_{board.year}",
        file_name=f"linli-indicators-{board.street_id}-{board.year}",
        read_workbook=indicators_report.read_workbook,
        street_id=board.street_id,
        year=board.year,
    )


def render() -> None:
    st.title(t("nav.indicators"))
    st.caption(t("indicators.intro"))
    st.html(CARDS_CSS)
    board = read(
        indicator_board,
        street_id=st.session_state.get(STREET_KEY),
        year=st.session_state.get(YEAR_KEY),
    )
    if board.year is None:
        empty_state("indicators.none")
        return
    _choices(board)
    row = _scope(board)
    households = "–" if row.households is None else row.households
    st.markdown(
        f"**{plain(row.place)} · {board.year}** · {t('indicators.households', count=households)}"
    )
    _cards(row)
    st.subheader(t("indicators.section_charts"), anchor=False)
    _charts(board)
    st.caption(t("indicators.definitions"))
    _printouts(board)


if __name__ == "__main__":
    st.switch_page("app.py")
