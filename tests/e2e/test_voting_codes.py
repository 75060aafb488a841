"""Household voting codes in the browser: the clerk prints a sheet, a neighbour without an
account votes with one code from it, and the same code cannot vote twice."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import RECEIPT, nav_link, open_page, sign_in, type_choice, wait_for_app

pytestmark = pytest.mark.e2e


def test_a_clerk_prints_codes_and_a_household_votes_with_one(server, page, browser) -> None:
    sign_in(page, server.url, "clerk")
    nav_link(page, "投票").click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    main.get_by_text("发放入户投票码", exact=True).click()
    type_choice(page, "预算轮次与小区", "平阳二村")
    expect(main).to_contain_text("已登记 72 户")
    main.get_by_role("button", name="为每户生成投票码").click()
    wait_for_app(page)
    expect(main).to_contain_text("投票码只显示这一次")
    with page.expect_download() as download:
        main.get_by_role("button", name="下载可打印的投票码单").click()
    sheet = download.value.path().read_text(encoding="utf-8")
    codes = RECEIPT.findall(sheet)
    assert len(codes) == 72 and len(set(codes)) == 72
    assert "平阳二村 · 1-1-101" in sheet and "<script" not in sheet
    assert re.search(r"打开 http://127\.0\.0\.1:\d+/vote", sheet)

    neighbour = browser.new_context(locale="zh-CN")
    try:
        visitor = neighbour.new_page()
        open_page(visitor, server.url)
        nav_link(visitor, "投票").click()
        wait_for_app(visitor)
        area = visitor.get_by_test_id("stMain")
        area.get_by_label("入户投票码", exact=True).fill(codes[5].lower())
        area.get_by_role("button", name="打开选票").click()
        wait_for_app(visitor)
        expect(area).to_contain_text("平阳二村 · 1-1-302")  # the sheet is in door order
        area.get_by_test_id("stCheckbox").first.locator("label").click()
        wait_for_app(visitor)
        area.get_by_role("button", name="投出选票").click()
        wait_for_app(visitor)
        expect(area.get_by_text("投票成功")).to_be_visible()
        assert RECEIPT.search(area.get_by_test_id("stCode").inner_text())

        area.get_by_label("入户投票码", exact=True).fill(codes[5])
        area.get_by_role("button", name="打开选票").click()
        wait_for_app(visitor)
        expect(area).to_contain_text("本户的投票码已经投过票")
    finally:
        neighbour.close()

    # The clerk's screen counts the household's vote, not whose it was.
    nav_link(page, "投票").click()
    wait_for_app(page)
    main.get_by_role("button", name="完成：投票码单已打印").click()
    wait_for_app(page)
    type_choice(page, "预算轮次与小区", "平阳二村")
    expect(main).to_contain_text("已登记 72 户 · 已有 1 户凭码投票")
