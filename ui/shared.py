"""Reads shared by every session of this process.

A notice board, a round's live screen or a meeting's wall, projected in the hall and open on a
hundred phones, asks for the same figures every few seconds; each is computed once per change
of the store (the notice board: ``notice_version``, a few index reads; a meeting: its
revision) or once per few seconds (a round's turnout) and served to all, and so are the charts
drawn from them, so a session costs its redraw and not its queries or its chart building
(docs: streamlit-recipes §6). The store is part of every key, as it is for the engine: tests
and tools may point one process at several stores.
"""

from collections.abc import Mapping
from typing import Any

import streamlit as st

from models import database_url
from services.allocation import PublishedAllocation, published_allocations
from services.meetings import MeetingMinutes, meeting_minutes, meeting_version
from services.notice import NoticeBoard, notice_board, notice_version
from services.permissions import Viewer
from services.rounds import RoundRow, list_rounds
from services.turnout import ResultBar, Turnout, round_turnout
from ui import charts
from ui.context import read

VERSION_SECONDS = 1


@st.cache_resource(max_entries=32, show_spinner=False)
def _notice_board(database: str, version: str) -> NoticeBoard:
    """One board object for every session (frozen dataclasses, read-only): no copy per run."""
    return read(notice_board)


@st.cache_data(ttl=VERSION_SECONDS, max_entries=32, show_spinner=False)
def _version(database: str) -> str:
    return read(notice_version)


@st.cache_resource(max_entries=32, show_spinner=False)
def _printouts(
    database: str, version: str
) -> tuple[tuple[RoundRow, ...], tuple[PublishedAllocation, ...]]:
    return tuple(read(list_rounds)), tuple(read(published_allocations))


def shared_printouts() -> tuple[tuple[RoundRow, ...], tuple[PublishedAllocation, ...]]:
    """The rounds and published splits the notice board offers to print, read apart from the
    board (a board that fails reports its one incident) but, like it, once per change of the
    store and process rather than on every visitor's run."""
    database = database_url()
    return _printouts(database, _version(database))


def shared_notice_board() -> NoticeBoard:
    """Whether the store changed is asked once a second per process, not once per redraw: on
    PostgreSQL counting a city's poll book takes ~8 ms, and 150 screens redraw 30 times a
    second. A change shows on every screen within VERSION_SECONDS + the redraw interval."""
    database = database_url()
    return _notice_board(database, _version(database))


@st.cache_data(max_entries=256, show_spinner=False)
def _proposals_spec(
    counts: tuple[tuple[str, int], ...], labels: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    return charts.proposals_by_status(dict(counts), dict(labels)).to_dict()


def proposals_spec(counts: Mapping[str, int], labels: Mapping[str, str]) -> dict[str, Any]:
    """The proposals chart as a Vega-Lite spec, built once per figures and language."""
    return _proposals_spec(tuple(counts.items()), tuple(labels.items()))


@st.cache_data(max_entries=256, show_spinner=False)
def _funds_spec(
    rows: tuple[tuple[str, int, int], ...], available: str, earmarked: str
) -> dict[str, Any]:
    data: list[dict[str, object]] = [
        {"fund": fund, "available_yuan": free, "earmarked_yuan": promised}
        for fund, free, promised in rows
    ]
    return charts.fund_balances(data, available=available, earmarked=earmarked).to_dict()


def funds_spec(
    rows: list[tuple[str, int, int]], *, available: str, earmarked: str
) -> dict[str, Any]:
    """The funds chart (fund, available yuan, earmarked yuan) as a Vega-Lite spec, likewise."""
    return _funds_spec(tuple(rows), available, earmarked)


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
        [{"title": bar.title, "support": bar.support, "won": bar.selected} for bar in bars],
        won=won,
        lost=lost,
    ).to_dict()


def result_chart(bars: tuple[ResultBar, ...], *, won: str, lost: str) -> dict[str, Any]:
    """A published result's chart as a Vega-Lite spec, built once per result and language and
    shared like the figures: building it (~60 ms) would cost far more than the rest of a
    redraw (~8 ms), and a published result no longer changes."""
    return _result_spec(bars, won, lost)


# A meeting's wall: the meeting is read again only when its revision moved (one indexed read,
# asked once a second per process), or after MEETING_SECONDS for what no revision follows (a
# renamed person, a committee grant that changes the quorum's count).
MEETING_SECONDS = 60


@st.cache_data(ttl=VERSION_SECONDS, max_entries=64, show_spinner=False)
def _meeting_version(database: str, meeting_id: int) -> int:
    return read(meeting_version, meeting_id=meeting_id)


@st.cache_resource(ttl=MEETING_SECONDS, max_entries=64, show_spinner=False)
def _meeting(database: str, meeting_id: int, revision: int, viewer: Viewer) -> MeetingMinutes:
    """Keyed by the viewer too: what the meeting shows depends on who looks (committee material,
    the right to steer). Frozen dataclasses, read-only: one object for every redraw."""
    return read(meeting_minutes, viewer=viewer, meeting_id=meeting_id)


def shared_meeting(meeting_id: int, viewer: Viewer) -> MeetingMinutes:
    """The meeting as ``viewer`` may see it, as of its latest revision: a move made on the
    secretary's phone shows on the wall within VERSION_SECONDS + the wall's redraw interval."""
    database = database_url()
    return _meeting(database, meeting_id, _meeting_version(database, meeting_id), viewer)
