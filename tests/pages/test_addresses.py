"""Addresses that name no page (issue 13): the router registers a translated page under them
instead of leaving Streamlit's English "Page not found" dialog; and the one stylesheet stays
whole. The browser side (the dialog itself, in both languages) is tests/e2e/test_zoom.py."""

import pytest
from streamlit.testing.v1 import AppTest

from app import requested_path
from tests.pages.test_screens import ENTRY
from ui.accessibility import STYLESHEET


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://127.0.0.1:8501", None),
        ("http://127.0.0.1:8501/", None),
        ("http://127.0.0.1:8501/nosuchpage", "nosuchpage"),
        ("http://127.0.0.1:8501/ledger/", "ledger"),
        ("https://linli.example/city/%E4%BD%A0%E5%A5%BD", "你好"),
        (None, None),
    ],
)
def test_the_page_an_address_asks_for(url: str | None, name: str | None) -> None:
    assert requested_path(url) == name


def _router(url: str, locale: str = "zh-CN") -> AppTest:
    at = AppTest.from_string(ENTRY, default_timeout=30)
    at.user = {"is_logged_in": False}
    at.context = {"url": url}
    at.session_state["locale"] = locale
    return at.run()


@pytest.mark.parametrize("address", ["nosuchpage", "setup", "notice", "x%2Fy", "%20ledger"])
def test_any_address_runs_the_router(demo_db: dict[str, int], address: str) -> None:
    """AppTest opens the first page whatever the address (it sends no page name); what is
    checked is that registering a page under the address never breaks the run: a name with
    "/" once did (Streamlit refuses such a url_path)."""
    at = _router(f"http://127.0.0.1:8501/{address}")
    assert not at.exception
    assert at.title[0].value == "公示栏"


def test_the_stylesheet_has_no_markup_inside() -> None:
    """st.html sanitises its HTML: a "<" in a CSS comment (an "<input>") made it drop the
    whole stylesheet, and every rule with it."""
    body = STYLESHEET.strip().removeprefix("<style>").removesuffix("</style>")
    assert "<" not in body
