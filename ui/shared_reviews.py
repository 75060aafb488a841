"""A review session's board, shared by every session of this process, as ``ui.shared`` does
for a meeting's wall: the projector and the reviewers' phones ask every second or two whether
the session moved (its revision: one indexed read, asked once a second per process) and read
the board again only when it did, or after BOARD_SECONDS for what no revision follows (money
spent meanwhile, a renamed person)."""

import streamlit as st

from models import database_url
from services.permissions import Viewer
from services.reviews import ReviewBoard, review_board, review_session_version
from ui.context import read

VERSION_SECONDS = 1
BOARD_SECONDS = 60


@st.cache_data(ttl=VERSION_SECONDS, max_entries=64, show_spinner=False)
def _version(database: str, session_id: int) -> int:
    return read(review_session_version, session_id=session_id)


@st.cache_resource(ttl=BOARD_SECONDS, max_entries=64, show_spinner=False)
def _board(database: str, session_id: int, revision: int, viewer: Viewer) -> ReviewBoard:
    """Keyed by the viewer too: what the board shows depends on who looks (their own review,
    the right to steer). Frozen dataclasses, read-only: one object for every redraw."""
    return read(review_board, viewer=viewer, session_id=session_id)


def shared_review_board(session_id: int, viewer: Viewer) -> ReviewBoard:
    """The board as ``viewer`` may see it, as of the session's latest revision: a score or a
    move shows on the wall within VERSION_SECONDS + the wall's redraw interval."""
    database = database_url()
    return _board(database, session_id, _version(database, session_id), viewer)
