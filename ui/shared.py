"""Reads shared by every session of this process.

A notice board projected in the hall and open on a hundred phones asks for the same figures
every few seconds; each is computed once per change of the store (``notice_version``: a few
index reads) and served to all, and so are the charts drawn from them, so a session costs its
redraw and not its queries or its chart building (docs: streamlit-recipes §6). The store is
part of every key, as it is for the engine.
"""

from collections.abc import Mapping
from typing import Any

import streamlit as st

from models import database_url
from services.notice import NoticeBoard, notice_board, notice_version
from ui import charts
from ui.context import read


@st.cache_resource(max_entries=32, show_spinner=False)
def _notice_board(database: str, version: str) -> NoticeBoard:
    """One board object for every session (frozen dataclasses, read-only): no copy per run."""
    return read(notice_board)


def shared_notice_board() -> NoticeBoard:
    return _notice_board(database_url(), read(notice_version))


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
