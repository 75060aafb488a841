"""The live screen's figures, shared by every session of this process for a few seconds.

Every screen in the hall and every phone following the vote asks for the same round's figures
each interval; one computation per interval serves them all, so a session costs its redraw and
not its queries (docs: streamlit-recipes §6). The store is part of the key, as it is for the
engine: tests and tools may point one process at several stores.
"""

from typing import Any

import streamlit as st

from models import database_url
from services.turnout import ResultBar, Turnout, round_turnout
from ui import charts
from ui.context import read

REFRESH_SECONDS = 5  # how often each screen redraws itself
# Shorter than the refresh, so that each redraw may find a newer figure: a ballot shows on
# every screen within SHARED_SECONDS + REFRESH_SECONDS, whatever the number of screens.
SHARED_SECONDS = 3


@st.cache_data(ttl=SHARED_SECONDS, max_entries=256, show_spinner=False)
def _turnout(database: str, round_id: int) -> Turnout:
    return read(round_turnout, round_id=round_id)


def shared_turnout(round_id: int) -> Turnout:
    return _turnout(database_url(), round_id)


@st.cache_data(max_entries=256, show_spinner=False)
def _result_spec(bars: tuple[ResultBar, ...], won: str, lost: str) -> dict[str, Any]:
    return charts.live_result(
        [{"title": bar.title, "support": bar.support, "selected": bar.selected} for bar in bars],
        won=won,
        lost=lost,
    ).to_dict()


def result_chart(bars: tuple[ResultBar, ...], *, won: str, lost: str) -> dict[str, Any]:
    """A published result's chart as a Vega-Lite spec, built once per result and language and
    shared like the figures: building it (~60 ms) would cost far more than the rest of a
    redraw (~8 ms), and a published result no longer changes."""
    return _result_spec(bars, won, lost)
