"""Per-run context for pages: the database session, who is asking, and their language.

Session state keeps only plain values (a person id, a locale code); the viewer and its grants
are read from the store on every run, so a revoked role or a deleted account takes effect at once.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from models import database_url, make_engine, upgrade_database
from services.accounts import sign_in_with_provider, viewer_for_person
from services.errors import LinliError
from services.permissions import ANONYMOUS, Viewer
from ui import i18n

T = TypeVar("T")
PERSON_KEY = "person_id"
LOCALE_KEY = "locale"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    """One engine per database URL per process; migrations run once, when it is first made."""
    engine = make_engine(url)
    upgrade_database(engine)
    return engine


def engine() -> Engine:
    return _engine_for(database_url())


@contextmanager
def db_session() -> Iterator[Session]:
    with Session(engine()) as session:
        yield session


def locale() -> str:
    if LOCALE_KEY not in st.session_state:
        st.session_state[LOCALE_KEY] = i18n.normalize_locale(st.context.locale)
    return st.session_state[LOCALE_KEY]


def t(key: str, **params: Any) -> str:
    return i18n.translate(locale(), key, **params)


def label(vocabulary: str, value: str) -> str:
    return i18n.label(locale(), vocabulary, value)


def money(fen: int) -> str:
    return i18n.format_money(fen, locale())


def day(value: Any) -> str:
    return i18n.format_date(value, locale())


def moment(value: Any) -> str:
    return i18n.format_datetime(value, locale())


def _oidc_identity() -> tuple[str, str, str] | None:
    if not st.user.get("is_logged_in"):
        return None
    subject = st.user.get("email") or st.user.get("sub")
    if not subject:
        return None
    return str(st.user.get("provider") or "default"), str(subject), str(st.user.get("name") or "")


def current_viewer() -> Viewer:
    identity = _oidc_identity()
    with db_session() as session:
        if identity is not None and PERSON_KEY not in st.session_state:
            provider, subject, name = identity
            viewer = sign_in_with_provider(
                session, provider=provider, subject=subject, display_name=name
            )
            st.session_state[PERSON_KEY] = viewer.person_id
            st.session_state["signed_in_with"] = "oidc"
            return viewer
        person_id = st.session_state.get(PERSON_KEY)
        if person_id is None:
            return ANONYMOUS
        return viewer_for_person(session, person_id)


def remember_sign_in(viewer: Viewer) -> None:
    st.session_state[PERSON_KEY] = viewer.person_id
    st.session_state["signed_in_with"] = "local"


def forget_sign_in() -> None:
    for key in (PERSON_KEY, "signed_in_with"):
        st.session_state.pop(key, None)


def show_error(error: LinliError) -> None:
    st.error(i18n.error_message(locale(), error.code, error.params), icon=":material/error:")


def read(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """A read-only service call; errors other than LinliError are bugs and should surface."""
    with db_session() as session:
        return fn(session, **kwargs)


def attempt(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | bool | None:
    """A service call that may be refused: its result (``True`` when it returns nothing), or
    ``None`` after showing the user why; a refused call has committed nothing."""
    with db_session() as session:
        try:
            result = fn(session, *args, **kwargs)
        except LinliError as error:
            session.rollback()
            show_error(error)
            return None
    return True if result is None else result


def act(fn: Callable[..., T], viewer: Viewer, /, **kwargs: Any) -> T | bool | None:
    """``attempt`` on behalf of the viewer: every service checks the viewer's permission."""
    return attempt(fn, viewer, **kwargs)
