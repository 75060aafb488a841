"""Forms whose refusals are shown at the field they name.

A service refuses with one typed error, and an ``InvalidInput`` names its field. ``FieldForm``
keeps the last refusal of a form in the session (its code and parameters: plain values) and
reruns the script, so the form is drawn again with the message under that field; a refusal
that names no field of the form (not allowed, wrong phase, not enough money) is shown at the
button. A message saved for after the rerun (``done``) says what was saved, and a form that
starts again gets new widget keys.

A refusal by a fund's charter carries every rule broken (``breaches``), each naming its field:
each is shown under its own field, and the count at the button.
"""

from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import streamlit as st

from services.errors import LinliError
from services.permissions import Viewer
from ui import i18n
from ui.context import db_session, locale
from ui.plain_text import plain

T = TypeVar("T")


class FieldForm:
    """One form of a page: ``name`` keys its refusal and its message in the session."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._fields: set[str] = set()

    @property
    def prefix(self) -> str:
        """The form's widget keys start with this; ``start_again`` changes it."""
        return f"{self.name}_{st.session_state.get(self._generation_key, 0)}_"

    def start_again(self) -> None:
        """After a save: new widget keys, so every widget starts from its default again
        (deleting the old keys would leave the browser showing what was typed)."""
        st.session_state[self._generation_key] = st.session_state.get(self._generation_key, 0) + 1

    @property
    def _generation_key(self) -> str:
        return f"form_generation:{self.name}"

    @property
    def _error_key(self) -> str:
        return f"form_error:{self.name}"

    @property
    def _done_key(self) -> str:
        return f"form_done:{self.name}"

    def _message(self) -> str:
        code, params = st.session_state[self._error_key]
        return i18n.error_message(locale(), code, params, text=plain)

    def breaches(self) -> list[dict[str, Any]]:
        """The rules of a charter the last refusal named (plain values), if it was one."""
        stored = st.session_state.get(self._error_key)
        return list(stored[1].get("breaches") or []) if stored is not None else []

    def error_at(self, *fields: str) -> None:
        """Under a field's widget: the last refusal, if it names one of these fields."""
        self._fields.update(fields)
        stored = st.session_state.get(self._error_key)
        if stored is None:
            return
        if self.breaches():
            show_breaches([b for b in self.breaches() if b["field"] in fields])
        elif stored[1].get("field") in fields:
            st.error(self._message(), icon=":material/error:")

    def other_errors(self) -> None:
        """At the button: the last refusal, if no field drawn so far is the one it names."""
        stored = st.session_state.get(self._error_key)
        if stored is None:
            return
        if self.breaches():
            st.error(self._message(), icon=":material/error:")
            show_breaches([b for b in self.breaches() if b["field"] not in self._fields])
        elif stored[1].get("field") not in self._fields:
            st.error(self._message(), icon=":material/error:")

    @overload
    def submit(
        self, fn: Callable[..., None], viewer: Viewer, /, **kwargs: Any
    ) -> Literal[True] | None: ...
    @overload
    def submit(self, fn: Callable[..., T], viewer: Viewer, /, **kwargs: Any) -> T | None: ...
    def submit(self, fn: Callable[..., Any], viewer: Viewer, /, **kwargs: Any) -> Any:
        """The service call on behalf of the viewer: its result (``True`` when it returns
        nothing); a refusal is kept for the form and the script reruns (a refused call has
        committed nothing)."""
        with db_session() as session:
            try:
                result = fn(session, viewer, **kwargs)
            except LinliError as error:
                session.rollback()
                st.session_state[self._error_key] = (error.code, dict(error.params))
                st.rerun()
        self.forget()
        return True if result is None else result

    def forget(self) -> None:
        st.session_state.pop(self._error_key, None)

    def done(self, message: str) -> None:
        """Shown by ``show_done`` on the next run, after a rerun that clears the form."""
        st.session_state[self._done_key] = message

    def show_done(self) -> None:
        message = st.session_state.pop(self._done_key, None)
        if message:
            st.success(message, icon=":material/check:")


def show_breaches(breaches: list[dict[str, Any]]) -> None:
    """Each broken rule of a charter (``CharterBreach.as_param``), one under the other."""
    for breach in breaches:
        message = i18n.error_message(locale(), breach["rule"], breach["params"], text=plain)
        st.error(message, icon=":material/gavel:")
