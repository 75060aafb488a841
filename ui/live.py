"""The live screen's figures, shared by every session of this process for a few seconds.

Every screen in the hall and every phone following the vote asks for the same round's figures
each interval; one computation per interval serves them all, so a session costs its redraw and
not its queries (docs: streamlit-recipes §6). The store is part of the key, as it is for the
engine: tests and tools may point one process at several stores.
"""

import streamlit as st

from models import database_url
from services.turnout import Turnout, round_turnout
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
