"""A resident votes online, keeps the receipt code, and checks the ballot with it."""

import pytest
from playwright.sync_api import expect

from tests.e2e import RECEIPT, main_text, nav_link, open_page, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

ROUND = "平阳社区2026年微基金项目"


def test_resident_votes_and_checks_the_receipt(server, page) -> None:
    sign_in(page, server.url, "resident")
    nav_link(page, "投票").click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=ROUND)).to_be_visible()
    expect(main).to_contain_text("勾选您支持的项目")

    options = main.get_by_test_id("stCheckbox")
    assert options.count() >= 2, "the open round's ballot has fewer than two projects"
    ticked = []
    for index in (0, 1):
        option = options.nth(index)
        ticked.append(option.inner_text().split(" · ")[0].strip())
        option.locator("label").click()
        expect(option.get_by_role("checkbox")).to_be_checked()
        wait_for_app(page)  # each tick reruns the page (the ballot is not a form)
    main.get_by_role("button", name="投出选票").click()
    expect(main.get_by_text("投票成功")).to_be_visible()
    shown = main.get_by_test_id("stCode").inner_text()
    found = RECEIPT.search(shown)
    assert found, f"no receipt code in {shown!r}"
    receipt = found.group(0)

    # Back to the page in the same session: already voted, no ballot form any more.
    nav_link(page, "公示栏").click()
    wait_for_app(page)
    nav_link(page, "投票").click()
    wait_for_app(page)
    expect(main).to_contain_text("您已在本轮投票，谢谢参与！")
    expect(main.get_by_role("button", name="投出选票")).to_have_count(0)

    # A reload keeps the resident signed in (and voted); without the sign-in cookie the page is
    # anonymous, and anyone holding the code may check the ballot.
    page.reload()
    wait_for_app(page)
    expect(main).to_contain_text("您已在本轮投票，谢谢参与！")
    page.context.clear_cookies()
    page.reload()
    wait_for_app(page)
    expect(main).to_contain_text("请登录后投票")
    main.get_by_text("用回执码核对选票").click()
    main.get_by_label("回执码").fill(receipt.lower())
    main.get_by_role("button", name="核对").click()
    expect(main.get_by_text("您的选票已在")).to_be_visible()
    wait_for_app(page)
    text = main_text(page)
    for title in ticked:
        assert title in text, f"the receipt check does not list {title!r}"
    assert "线上" not in text  # a ballot no longer knows how it was cast

    # Signed in again: still recorded as voted.
    sign_in(page, server.url, "resident")
    open_vote = nav_link(page, "投票")
    open_vote.click()
    wait_for_app(page)
    expect(main).to_contain_text("您已在本轮投票，谢谢参与！")


def test_anonymous_visitor_is_asked_to_sign_in_to_vote(server, page) -> None:
    open_page(page, f"{server.url}/vote")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("请登录后投票")
    expect(main.get_by_role("button", name="投出选票")).to_have_count(0)
