"""Sign in and out: with the district's identity provider (OpenID Connect, ``st.login``) when one
is configured, or with a local account for a community that runs Linli on one laptop."""

import streamlit as st

from services.accounts import sign_in_local
from services.permissions import Viewer
from ui.context import attempt, current_viewer, forget_sign_in, label, remember_sign_in, t
from ui.widgets import empty_state


def _providers() -> list[str]:
    """Names of the OIDC providers in secrets.toml: "default" for keys at the top of [auth]."""
    try:
        auth = st.secrets.get("auth", {})
    except FileNotFoundError:
        return []
    names = [name for name, value in auth.items() if isinstance(value, dict)]
    if "client_id" in auth:
        names.insert(0, "default")
    return names


def _signed_in(viewer: Viewer) -> None:
    st.subheader(viewer.display_name, anchor=False)
    if viewer.grants:
        for grant in viewer.grants:
            role = label("role", grant.role)
            if grant.position:
                role += f" · {label('position', grant.position)}"
            st.markdown(f"- {role}")
    else:
        empty_state("account.no_roles")
    if st.button(t("account.sign_out"), key="sign_out", icon=":material/logout:"):
        via_provider = st.session_state.get("signed_in_with") == "oidc"
        forget_sign_in()
        if via_provider:
            st.logout()
        st.rerun()


def _sign_in() -> None:
    for provider in _providers():
        name = t("account.provider_default") if provider == "default" else provider
        if st.button(
            t("account.sign_in_with", provider=name), key=f"login_{provider}", type="primary"
        ):
            st.login(provider)
    with st.form("local_sign_in"):
        st.subheader(t("account.local_title"), anchor=False)
        username = st.text_input(t("field.username"), key="sign_in_username")
        password = st.text_input(t("field.password"), type="password", key="sign_in_password")
        if st.form_submit_button(t("account.sign_in")):
            viewer = attempt(sign_in_local, username=username, password=password)
            if viewer:
                remember_sign_in(viewer)  # type: ignore[arg-type]
                st.rerun()


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.account"))
    if viewer.is_anonymous:
        _sign_in()
    else:
        _signed_in(viewer)


if __name__ == "__main__":
    st.switch_page("app.py")
