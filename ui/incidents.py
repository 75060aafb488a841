"""Unexpected errors: a bug or a lost database, never a person's mistake (those are
``LinliError``s, which the pages show themselves).

The person sees a translated message with an incident number; the server's log has the
traceback under the same number, so an administrator can find it. No traceback reaches a
browser outside development (``client.showErrorDetails = "none"`` in .streamlit/config.toml
covers what is not caught here). Streamlit's reruns and stops (``st.rerun``,
``st.switch_page``, ``st.stop``) derive from ``BaseException``, not ``Exception``: they pass
through untouched.
"""

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import FragmentHandledException

from services.settings import settings
from ui.context import t

LOG = logging.getLogger("linli.incidents")
if not LOG.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)


def new_incident() -> str:
    """Short enough to read out over the phone, random enough never to repeat in practice."""
    code = secrets.token_hex(4).upper()
    return f"{code[:4]}-{code[4:]}"


@contextmanager
def incidents_reported() -> Iterator[None]:
    try:
        yield
    except FragmentHandledException:
        raise  # a fragment's error, already shown and logged by Streamlit
    except Exception as error:
        incident = new_incident()
        LOG.exception("incident %s: unexpected error", incident)
        st.error(t("error.incident", incident=incident), icon=":material/error:")
        if settings().environment == "development":
            st.exception(error)
