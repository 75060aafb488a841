"""First run on an empty store: load the demo street, or create the first administrator."""

import streamlit as st

from demo.street import load_demo
from services.accounts import create_first_admin
from ui.context import attempt, remember_sign_in, t


def render() -> None:
    st.title(t("setup.title"))
    st.write(t("setup.intro"))
    demo, admin = st.columns(2, gap="large")
    with demo.container(border=True):
        st.subheader(t("setup.demo_title"), anchor=False)
        st.write(t("setup.demo_body"))
        if st.button(
            t("setup.load_demo"), type="primary", key="load_demo", icon=":material/play_arrow:"
        ):
            with st.spinner(t("setup.loading")):
                loaded = attempt(load_demo)
            if loaded:
                st.rerun()
    with admin.container(border=True):
        st.subheader(t("setup.admin_title"), anchor=False)
        with st.form("first_admin", enter_to_submit=False):
            name = st.text_input(t("field.name"), key="admin_name")
            username = st.text_input(t("field.username"), key="admin_username")
            password = st.text_input(t("field.password"), type="password", key="admin_password")
            repeat = st.text_input(t("setup.repeat_password"), type="password", key="admin_repeat")
            if st.form_submit_button(t("setup.create_admin")):
                if password != repeat:
                    st.error(t("setup.passwords_differ"))
                else:
                    signed_in = attempt(
                        create_first_admin,
                        display_name=name,
                        username=username,
                        password=password,
                    )
                    if signed_in:
                        remember_sign_in(signed_in)
                        st.rerun()


if __name__ == "__main__":
    st.switch_page("app.py")
