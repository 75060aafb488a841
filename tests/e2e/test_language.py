"""The language follows the browser: English for an English browser, Chinese otherwise."""

import pytest
from playwright.sync_api import expect

from tests.e2e import main_text, nav_link, open_page, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def english_page(browser):
    created = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    created.set_default_timeout(15_000)
    yield created.new_page()
    created.close()


def test_english_browser_gets_an_english_notice_board(server, english_page) -> None:
    page = english_page
    open_page(page, server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Notice board")
    expect(nav_link(page, "Notice board")).to_be_visible()
    assert "公示栏" not in main_text(page)
    assert "社区基金的每一笔收支" not in main_text(page)

    # The switch in the sidebar turns it to Chinese for this session.
    page.get_by_test_id("stSidebar").get_by_role("radio", name="中文").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("公示栏")
    expect(nav_link(page, "公示栏")).to_be_visible()
