"""Per-run context for pages: the database session, who is asking, and their language.

Session state keeps only plain values (a person id, a sign-in token, a locale code); the viewer
and its grants are read from the store on every run, so a revoked role, a deleted account or a
sign-out in another tab takes effect at once.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, TypeVar, overload

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from models import database_url, make_engine, upgrade_database
from models.engine import for_reading
from services.accounts import (
    SIGN_IN_LIFETIME,
    SignIn,
    end_sign_in,
    refuse_default_admin_passwords,
    resume_sign_in,
    sign_in_with_provider,
    viewer_for_person,
)
from services.errors import LinliError
from services.permissions import ANONYMOUS, Viewer
from services.settings import refuse_weak_cookie_secret, settings
from ui import i18n
from ui.plain_text import plain

T = TypeVar("T")
PERSON_KEY = "person_id"
TOKEN_KEY = "sign_in_token"
VIA_PROVIDER_KEY = "signed_in_with_provider"
COOKIE_READ_KEY = "sign_in_cookie_read"
COOKIE_PENDING_KEY = "sign_in_cookie_pending"
SIGN_IN_COOKIE = "linli_sign_in"
LOCALE_KEY = "locale"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    """One engine per database URL per process; migrations run once, when it is first made."""
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        refuse_default_admin_passwords(session)
    return engine


def engine() -> Engine:
    return _engine_for(database_url())


def auth_config() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of secrets.toml: OIDC providers, if any are configured."""
    try:
        return st.secrets.get("auth")
    except FileNotFoundError:
        return None


def identity_providers() -> list[str]:
    """Names of the OIDC providers in secrets.toml: "default" for keys at the top of [auth]."""
    auth = auth_config() or {}
    names = [name for name, value in auth.items() if isinstance(value, Mapping)]
    if "client_id" in auth:
        names.insert(0, "default")
    return names


def check_start_up() -> None:
    """Outside development, refuse to serve with a weak ballot or cookie secret, or with an
    admin who still has the demo's password: an operator error, shown before anyone signs in."""
    settings()
    refuse_weak_cookie_secret(auth_config())
    engine()


@contextmanager
def db_session(*, reading: bool = False) -> Iterator[Session]:
    """``reading``: a session that only reads, and so never waits for a writer on SQLite."""
    with Session(for_reading(engine()) if reading else engine()) as session:
        yield session


def locale() -> str:
    if LOCALE_KEY not in st.session_state:
        st.session_state[LOCALE_KEY] = i18n.normalize_locale(st.context.locale)
    return st.session_state[LOCALE_KEY]


def t(key: str, **params: Any) -> str:
    return i18n.translate(locale(), key, **params)


def message(key: str, params: dict[str, Any]) -> str:
    """``t`` for a service's parameters, as markdown: fen shown as money, codes as words, any
    other text as typed."""
    return i18n.message(locale(), key, params, text=plain)


def listing(items: Iterable[str]) -> str:
    """Items joined as the locale writes a list: 、 in Chinese, commas in English."""
    return t("list.separator").join(items)


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


def _sign_in_token() -> str | None:
    """The local sign-in token: from this session, or once per session from the cookie the
    browser kept from an earlier visit."""
    if TOKEN_KEY not in st.session_state and not st.session_state.get(COOKIE_READ_KEY):
        st.session_state[COOKIE_READ_KEY] = True
        cookie = st.context.cookies.get(SIGN_IN_COOKIE)
        if isinstance(cookie, str) and cookie:  # AppTest answers with a mock
            st.session_state[TOKEN_KEY] = cookie
    return st.session_state.get(TOKEN_KEY)


def current_viewer() -> Viewer:
    identity = _oidc_identity()
    if identity is not None and PERSON_KEY not in st.session_state:
        provider, subject, name = identity
        with db_session() as session:  # the first visit of an identity may add a person
            viewer = sign_in_with_provider(
                session, provider=provider, subject=subject, display_name=name
            )
        st.session_state[PERSON_KEY] = viewer.person_id
        st.session_state[VIA_PROVIDER_KEY] = True
        return viewer
    with db_session(reading=True) as session:
        token = _sign_in_token()
        if token is not None:
            # Checked on every run, so a sign-out in another tab ends this one too.
            viewer = resume_sign_in(session, token=token)
            if viewer.is_anonymous:
                _forget()
            else:
                st.session_state[PERSON_KEY] = viewer.person_id
            return viewer
        person_id = st.session_state.get(PERSON_KEY)
        if person_id is None:
            return ANONYMOUS
        return viewer_for_person(session, person_id)


def signed_in_with_provider() -> bool:
    return bool(st.session_state.get(VIA_PROVIDER_KEY))


def client_address() -> str | None:
    """The browser's address, for rate limits (behind a proxy: the proxy's, see README)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def remember_sign_in(sign_in: SignIn) -> None:
    st.session_state[PERSON_KEY] = sign_in.viewer.person_id
    st.session_state[TOKEN_KEY] = sign_in.token
    st.session_state[COOKIE_PENDING_KEY] = sign_in.token


def _forget() -> None:
    for key in (PERSON_KEY, TOKEN_KEY, VIA_PROVIDER_KEY):
        st.session_state.pop(key, None)
    st.session_state[COOKIE_PENDING_KEY] = ""


def forget_sign_in() -> None:
    """Ends the local sign-in in the store first: the cookie is only a key to it."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        with db_session() as session:
            end_sign_in(session, token=token)
    _forget()


def sync_sign_in_cookie() -> None:
    """Streamlit cannot set cookies from Python, so a one-off script does it in the page: the
    token after a local sign-in, an expired cookie after a sign-out."""
    pending = st.session_state.pop(COOKIE_PENDING_KEY, None)
    if pending is None:
        return
    lifetime = int(SIGN_IN_LIFETIME.total_seconds()) if pending else 0
    st.html(
        "<script>document.cookie = "
        f'"{SIGN_IN_COOKIE}={pending}; Path=/; Max-Age={lifetime}; SameSite=Strict"'
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>',
        unsafe_allow_javascript=True,
        width="content",
    )


def show_error(error: LinliError) -> None:
    message = i18n.error_message(locale(), error.code, error.params, text=plain)
    st.error(message, icon=":material/error:")


def read(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """A read-only service call; errors other than LinliError are bugs and should surface."""
    with db_session(reading=True) as session:
        return fn(session, **kwargs)


@overload
def attempt(fn: Callable[..., None], /, *args: Any, **kwargs: Any) -> Literal[True] | None: ...
@overload
def attempt(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None: ...
def attempt(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
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


@overload
def act(fn: Callable[..., None], viewer: Viewer, /, **kwargs: Any) -> Literal[True] | None: ...
@overload
def act(fn: Callable[..., T], viewer: Viewer, /, **kwargs: Any) -> T | None: ...
def act(fn: Callable[..., Any], viewer: Viewer, /, **kwargs: Any) -> Any:
    """``attempt`` on behalf of the viewer: every service checks the viewer's permission."""
    return attempt(fn, viewer, **kwargs)


def when_downloaded(fn: Callable[..., T], viewer: Viewer, /, **kwargs: Any) -> Callable[[], T]:
    """A service call for ``st.download_button`` to make its file on the click, not on every
    run. Streamlit calls it in another thread, outside any script run (no session state, no
    script context), so the engine and the viewer (read by this run, as for a file made at
    once) are taken now; the service checks the viewer's permission when it runs.
    Give the button ``on_click="ignore"``: a rerun started by the same click often loses the
    file (about one click in two, in Chromium)."""
    bound = engine()

    def call() -> T:
        with Session(bound) as session:
            return fn(session, viewer, **kwargs)

    return call
