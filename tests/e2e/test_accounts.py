"""Local accounts in the browser: the treasurer signs in, sees the books, and signs out."""

import pytest
from playwright.sync_api import expect

from tests.e2e import Wire, choose, main_text, nav_link, sign_in, sign_out, wait_for_app

pytestmark = pytest.mark.e2e


def test_treasurer_signs_in_sees_the_books_and_signs_out(server, page) -> None:
    wire = Wire().attach(page)
    sign_in(page, server.url, "treasurer")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("当前用户：陈静")
    expect(page.get_by_test_id("stMain")).to_contain_text("财务")  # the treasurer's position
    expect(nav_link(page, "管理")).to_have_count(0)

    nav_link(page, "基金与账目").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("基金与账目")
    wire.clear()
    choose(page, "基金", "平阳社区微基金")
    expect(page.get_by_test_id("stMain")).to_contain_text("完整账目")
    # the full books name the anonymous donor (and prove the wire check sees dataframes)
    assert wire.carries("平阳一村居民（匿名）")
    record = page.get_by_role("tab", name="记账")
    expect(record).to_be_visible()
    record.click()
    expect(page.get_by_text("收入：捐赠、自治金或自我造血收入")).to_be_visible()
    expect(page.get_by_text("向入选项目拨款", exact=True)).to_be_visible()

    sign_out(page)
    expect(sidebar).to_contain_text("未登录")
    nav_link(page, "基金与账目").click()
    wait_for_app(page)
    expect(page.get_by_role("tab", name="记账")).to_have_count(0)


def test_treasurer_opens_the_ledger_without_an_error(server, page) -> None:
    sign_in(page, server.url, "treasurer")
    nav_link(page, "基金与账目").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("基金与账目")
    # the default fund is the district's, outside the treasurer's community (fixed in d4bd166)
    assert "您无权" not in main_text(page)
    expect(page.get_by_test_id("stMain").get_by_test_id("stAlert")).to_have_count(0)
