"""Linli (邻里): the router. Builds the navigation for the viewer's roles on every run.

Navigation is convenience, not security: every page and every service checks again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from pages import (
    account,
    admin,
    alliances,
    allocation,
    campaigns,
    donors,
    indicators,
    ledger,
    live,
    meetings,
    needs,
    notice,
    points,
    proposals,
    review,
    rounds,
    setup,
    tally,
    vote,
)
from services.accounts import store_is_empty
from services.permissions import Action, Viewer, can_somewhere
from services.preferences import large_text, set_large_text
from ui import accessibility
from ui.context import act, check_start_up, current_viewer, locale, read, sync_sign_in_cookie, t
from ui.i18n import LOCALES
from ui.incidents import incidents_reported
from ui.plain_text import plain


@dataclass(frozen=True)
class Screen:
    render: Callable[[], None]
    url_path: str
    title_key: str
    icon: str
    needs: tuple[Action, ...] = ()  # any one of these, somewhere; empty: public

    def visible_to(self, viewer: Viewer) -> bool:
        return not self.needs or any(can_somewhere(viewer, action) for action in self.needs)


SCREENS = (
    Screen(notice.render, "notice", "nav.notice", ":material/campaign:"),
    Screen(needs.render, "needs", "nav.needs", ":material/lightbulb:"),
    Screen(proposals.render, "proposals", "nav.proposals", ":material/description:"),
    Screen(meetings.render, "meetings", "nav.meetings", ":material/groups:"),
    Screen(vote.render, "vote", "nav.vote", ":material/how_to_vote:"),
    Screen(tally.render, "tally", "nav.tally", ":material/leaderboard:"),
    Screen(live.render, "live", "nav.live", ":material/live_tv:"),
    Screen(ledger.render, "ledger", "nav.ledger", ":material/account_balance:"),
    Screen(points.render, "points", "nav.points", ":material/loyalty:"),
    Screen(donors.render, "donors", "nav.donors", ":material/volunteer_activism:"),
    Screen(campaigns.render, "campaigns", "nav.campaigns", ":material/savings:"),
    Screen(alliances.render, "alliances", "nav.alliances", ":material/handshake:"),
    Screen(
        review.render,
        "review",
        "nav.review",
        ":material/fact_check:",
        (Action.SCORE_PROJECT, Action.VIEW_REVIEWS),
    ),
    Screen(indicators.render, "indicators", "nav.indicators", ":material/monitoring:"),
    Screen(allocation.render, "allocation", "nav.allocation", ":material/pie_chart:"),
    Screen(
        rounds.render,
        "rounds",
        "nav.rounds",
        ":material/tune:",
        (Action.MANAGE_ROUND, Action.MANAGE_FUNDS, Action.RECORD_EXPENSE),
    ),
    Screen(
        admin.render, "admin", "nav.admin", ":material/admin_panel_settings:", (Action.GRANT_ROLES,)
    ),
    Screen(account.render, "account", "nav.account", ":material/person:"),
)
LARGE_TEXT_KEY = "large_text"


def _language_switch() -> None:
    names = {"zh-CN": "中文", "en": "English"}
    current = locale()
    chosen = st.sidebar.segmented_control(
        t("app.language"),
        LOCALES,
        default=current,
        format_func=names.__getitem__,
        key="language_switch",
    )
    if chosen and chosen != current:
        st.session_state["locale"] = chosen
        st.rerun()


def _large_text_switch(viewer: Viewer | None) -> bool:
    """Kept with the person when signed in (it follows them to another phone), for the visit
    otherwise; the stored choice is read on every run, like the viewer's roles."""
    person = viewer if viewer is not None and viewer.person_id is not None else None
    if person is not None:
        st.session_state[LARGE_TEXT_KEY] = read(large_text, viewer=person)
    return st.sidebar.toggle(
        t("access.large_text"),
        key=LARGE_TEXT_KEY,
        on_change=None if person is None else _keep_large_text,
        args=None if person is None else (person,),
    )


def _keep_large_text(viewer: Viewer) -> None:
    act(set_large_text, viewer, on=bool(st.session_state[LARGE_TEXT_KEY]))


def _not_for_you() -> None:
    """Streamlit's own answer to a page missing from the navigation is an English-only
    "Page not found" dialog: a page the viewer's roles do not open says so in their language."""
    st.title(t("access.not_for_you_title"))
    st.info(t("access.not_for_you"), icon=":material/lock:")


def _not_found() -> None:
    """An address that names no page: Streamlit would run the first page under an
    English-only "Page not found" dialog; this says so in the viewer's language instead."""
    st.title(t("access.not_found_title"))
    st.info(t("access.not_found"), icon=":material/explore_off:")


def _already_set_up() -> None:
    """``/setup`` (a bookmark from the first visit) once the store has its administrator."""
    st.title(t("access.already_set_up_title"))
    st.info(t("access.already_set_up"), icon=":material/check_circle:")


def requested_path(url: str | None) -> str | None:
    """The page name an address asks for: its last path segment (Streamlit's page paths have
    no "/"), or None for the app's root. ``st.context.url`` is the browser's address."""
    if not url:
        return None
    return unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2]) or None


def _unknown_address(registered: list[StreamlitPage], *, set_up: bool) -> list[StreamlitPage]:
    """A page registered under an address that names none of ``registered``, so that
    Streamlit finds one and sends no "Page not found". The first page (served at "/" only)
    answers to its own name too, and a store not yet set up has only its set-up page."""
    asked = requested_path(st.context.url)
    # A name Streamlit's pages cannot have ("x%2Fy", " x") is left to Streamlit's dialog.
    if asked is None or "/" in asked or asked != asked.strip():
        return []
    if asked in {page.url_path for page in registered}:
        return []
    if not set_up:
        render, title = setup.render, t("nav.setup")
    elif asked == SCREENS[0].url_path:
        render, title = SCREENS[0].render, t(SCREENS[0].title_key)
    elif asked == "setup":
        render, title = _already_set_up, t("access.already_set_up_title")
    else:
        render, title = _not_found, t("access.not_found_title")
    return [st.Page(render, title=title, url_path=asked, icon=":material/explore_off:")]


def main() -> None:
    check_start_up()  # outside development, weak secrets stop the app here, before anyone signs in
    st.set_page_config(page_title=t("app.title"), page_icon=":material/diversity_3:", layout="wide")
    # An unexpected error in the navigation or a page: a translated message with an incident
    # number for the person, the traceback in the server's log (ui/incidents.py).
    with incidents_reported():
        _run()


def _navigation(pages: list[StreamlitPage]) -> None:
    """The sidebar's links, drawn by the app rather than by Streamlit (config.toml turns
    Streamlit's off): a server that has not run app.py yet would list the files of pages/
    there for a few seconds, before the navigation below replaced them."""
    with st.sidebar.container(key="linli_nav", gap=None):
        for page in pages:
            st.page_link(page, width="stretch")


def _run() -> None:
    sync_sign_in_cookie()
    viewer: Viewer | None = None
    if read(store_is_empty):
        pages = [
            st.Page(
                setup.render,
                title=t("nav.setup"),
                url_path="",
                icon=":material/rocket_launch:",
                default=True,
            )
        ]
        hidden: list[StreamlitPage] = []
        signed_in = None
    else:
        viewer = current_viewer()
        # The notice board is the default page: Streamlit serves it at "/" (and
        # _unknown_address at "/notice").
        pages = [
            st.Page(s.render, title=t(s.title_key), url_path="", icon=s.icon, default=True)
            if s is SCREENS[0]
            else st.Page(s.render, title=t(s.title_key), url_path=s.url_path, icon=s.icon)
            for s in SCREENS
            if s.visible_to(viewer)
        ]
        hidden = [
            st.Page(_not_for_you, title=t(s.title_key), url_path=s.url_path, icon=s.icon)
            for s in SCREENS
            if not s.visible_to(viewer)
        ]
        signed_in = (
            t("app.signed_in_as", name=plain(viewer.display_name))
            if viewer.person_id
            else t("app.not_signed_in")
        )
    hidden += _unknown_address(pages + hidden, set_up=viewer is not None)
    current = st.navigation(pages + hidden, position="hidden")
    st.set_page_config(page_title=f"{current.title} · {t('app.title')}")
    _navigation(pages)
    _language_switch()
    large = _large_text_switch(viewer)
    if signed_in is not None:
        st.sidebar.caption(signed_in)
    accessibility.apply(large_text=large)
    current.run()


main()
