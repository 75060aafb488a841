"""Sign in and out: with the district's identity provider (OpenID Connect, ``st.login``) when one
is configured, or with a local account for a community that runs Linli on one laptop."""

import streamlit as st

from services.accounts import change_password, has_local_account, sign_in_local
from services.permissions import Viewer
from ui.context import (
    act,
    attempt,
    client_address,
    current_viewer,
    forget_sign_in,
    identity_providers,
    label,
    read,
    remember_sign_in,
    signed_in_with_provider,
    t,
)
from ui.plain_text import plain
from ui.widgets import empty_state


def _signed_in(viewer: Viewer) -> None:
    st.subheader(plain(viewer.display_name), anchor=False)
    if viewer.grants:
        for grant in viewer.grants:
            role = label("role", grant.role)
            if grant.position:
                role += f" · {label('position', grant.position)}"
            st.markdown(f"- {role}")
    else:
        empty_state("account.no_roles")
    if read(has_local_account, person_id=viewer.person_id):
        _change_password(viewer)
    if st.button(t("account.sign_out"), key="sign_out", icon=":material/logout:"):
        via_provider = signed_in_with_provider()
        forget_sign_in()
        if via_provider:
            st.logout()  # the browser goes to the provider's sign-out; a rerun would cancel it
        else:
            st.rerun()


def _change_password(viewer: Viewer) -> None:
    with (
        st.expander(t("account.change_password"), icon=":material/password:"),
        st.form("change_password", clear_on_submit=True, enter_to_submit=False),
    ):
        current = st.text_input(t("account.current_password"), type="password", key="pw_current")
        new = st.text_input(t("account.new_password"), type="password", key="pw_new")
        repeat = st.text_input(t("setup.repeat_password"), type="password", key="pw_repeat")
        if st.form_submit_button(t("account.change_password")):
            if new != repeat:
                st.error(t("setup.passwords_differ"))
            elif act(change_password, viewer, current=current, new=new, address=client_address()):
                st.success(t("account.password_changed"), icon=":material/check:")


def _sign_in() -> None:
    for provider in identity_providers():
        name = t("account.provider_default") if provider == "default" else provider
        if st.button(
            t("account.sign_in_with", provider=name), key=f"login_{provider}", type="primary"
        ):
            st.login(provider)
    with st.form("local_sign_in", enter_to_submit=False):
        st.subheader(t("account.local_title"), anchor=False)
        username = st.text_input(t("field.username"), key="sign_in_username")
        password = st.text_input(t("field.password"), type="password", key="sign_in_password")
        if st.form_submit_button(t("account.sign_in")):
            signed_in = attempt(
                sign_in_local, username=username, password=password, address=client_address()
            )
            if signed_in:
                remember_sign_in(signed_in)
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
