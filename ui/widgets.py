"""Shared widgets: permission guards, pickers and the small pieces every screen draws."""

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, TypeVar, overload

import streamlit as st

from services.permissions import Action, Viewer, can_somewhere
from services.places import PlaceRow, list_places
from services.tally import Override
from ui.context import day, label, read, t
from ui.plain_text import plain

K = TypeVar("K")


def guard(viewer: Viewer, *actions: Action) -> bool:
    """First line of a restricted page: the navigation hid it, this refuses it."""
    if any(can_somewhere(viewer, action) for action in actions):
        return True
    st.warning(t("app.page_not_allowed"), icon=":material/lock:")
    return False


def vocabulary_select(
    title: str,
    vocabulary: type[StrEnum],
    name: str,
    *,
    key: str,
    options: Iterable[str] | None = None,
) -> str:
    values = list(options) if options is not None else [v.value for v in vocabulary]
    return st.selectbox(title, values, format_func=lambda v: label(name, v), key=key)


@overload
def id_select(title: str, names: Mapping[K, str], *, key: str) -> K: ...
@overload
def id_select(title: str, names: Mapping[K, str], *, key: str, none: str) -> K | None: ...
def id_select(title: str, names: Mapping[Any, str], *, key: str, none: str | None = None) -> Any:
    """A select box of ids shown by their names; ``none`` labels a first choice of none."""
    labels = {None: none, **names} if none is not None else dict(names)
    return st.selectbox(title, list(labels), format_func=labels.__getitem__, key=key)


def place_select(
    title: str, *, key: str, kinds: Sequence[str] = (), allowed: set[int] | None = None
) -> int | None:
    places: list[PlaceRow] = [
        p
        for p in read(list_places)
        if (not kinds or p.kind in kinds) and (allowed is None or p.id in allowed)
    ]
    if not places:
        st.info(t("app.no_places"))
        return None
    by_id = {p.id: p for p in places}
    return st.selectbox(title, list(by_id), format_func=lambda pid: by_id[pid].path, key=key)


BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "primary"]


def status_badge(vocabulary: str, value: str) -> None:
    colours: dict[str, BadgeColour] = {
        "selected": "green",
        "completed": "green",
        "funded": "green",
        "published": "green",
        "eligible": "blue",
        "on_ballot": "blue",
        "voting": "blue",
        "counting": "violet",
        "in_progress": "orange",
        "ineligible": "red",
        "abandoned": "red",
        "not_selected": "gray",
        "withdrawn": "gray",
    }
    st.badge(label(vocabulary, value), color=colours.get(value, "gray"))


NO_VALUE = "–"


def grid(rows: Sequence[Mapping[str, object]], *, stretch: bool = True) -> None:
    """A table for the committee's and the admin's screens. Streamlit draws an empty cell as
    the English word "None", so a column with an empty cell is drawn as text with a dash there
    (a column of one type keeps its type, and its sorting)."""
    columns = {name for row in rows for name, value in row.items() if value is None}
    st.dataframe(
        [
            {
                name: (NO_VALUE if value is None else str(value)) if name in columns else value
                for name, value in row.items()
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch" if stretch else "content",
    )


def empty_state(key: str, **params: Any) -> None:
    st.caption(t(key, **params))


def confirmed(key: str, button: str, question: str) -> bool:
    """A move that cannot be undone: the first click asks ``question`` (which names what comes
    next), and only the second, on the confirm button, returns True."""
    asking = f"{key}_asking"
    if not st.session_state.get(asking):
        if st.button(button, key=key):
            st.session_state[asking] = True
            st.rerun()
        return False
    with st.container(border=True):
        st.warning(question, icon=":material/warning:")
        yes, no = st.columns(2)
        if no.button(t("common.cancel"), key=f"{key}_no", width="stretch"):
            st.session_state[asking] = False
            st.rerun()
        if yes.button(t("common.confirm"), key=f"{key}_yes", type="primary", width="stretch"):
            st.session_state[asking] = False
            return True
    return False


def override_notice(override: Override) -> None:
    """A committee override of a published result, with its public reason."""
    made = t("tally.won") if override.selected else t("tally.lost")
    line = t("tally.override_line", title=plain(override.title), outcome=made, at=day(override.at))
    reason = t("tally.override_reason", reason=plain(override.reason))
    st.warning(f"{line}  \n{reason}", icon=":material/gavel:")
