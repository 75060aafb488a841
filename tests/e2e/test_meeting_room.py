"""The meeting room in two browsers: the secretary moves to the next agenda item on a laptop,
and the projector's wall, opened by its address and never touched again, shows it by itself;
its clock counts down, and a decision shows under the item it was taken on, and only there."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import nav_link, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

MEETING = "第四次"  # the demo's next meeting: planned, four items of 20, 20, 15 and 15 minutes
FIRST_ITEM = "听取实施进度汇报：楼道声控灯改造"
SECOND_ITEM = "听取实施进度汇报：老年助餐点桌椅更新"
FIRST_PROPOSAL = "楼道声控灯改造"
DECIDED = "同意按进度推进，下月底前完成安装。"
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
FOLLOWS_WITHIN = 6  # seconds: the version asked once a second, the wall redrawn each second
CLOCK = re.compile(r"^(\d{2}):(\d{2})$")


def _browser_window(browser, viewport: dict[str, int]) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    context.set_default_timeout(20_000)
    return context.new_page()


def _seconds_left(wall: Page) -> int:
    clock = wall.locator("[class*='st-key-wall_timer'] [data-testid='stMarkdownContainer'] p")
    expect(clock).to_have_text(CLOCK)
    minutes, seconds = CLOCK.match(clock.inner_text().strip()).groups()  # type: ignore[union-attr]
    return int(minutes) * 60 + int(seconds)


def test_the_wall_follows_the_secretary_and_counts_down(fresh_server, browser) -> None:  # type: ignore[no-untyped-def]
    laptop = _browser_window(browser, LAPTOP)
    sign_in(laptop, fresh_server.url, "secretary")
    nav_link(laptop, "议事会").click()
    wait_for_app(laptop)
    card = (
        laptop.get_by_test_id("stVerticalBlock")
        .filter(has_text=MEETING)
        .filter(has=laptop.get_by_role("button", name="查看"))
    )
    card.last.get_by_role("button", name="查看").click()
    wait_for_app(laptop)
    laptop.get_by_role("button", name="开始会议").click()
    wait_for_app(laptop)
    room = laptop.locator(".st-key-meeting_room")
    expect(room.get_by_role("button", name="上一项")).to_be_disabled()
    room.get_by_role("button", name="下一项").click()
    wait_for_app(laptop)
    expect(room).to_contain_text(f"第 1 项 / 共 4 项：{FIRST_ITEM}")
    meeting_id = re.search(r"[?&]meeting=(\d+)", laptop.url)
    assert meeting_id, laptop.url

    # The projector: a committee member (who may not steer) signed in once, then the wall's
    # address; from here on nobody touches this browser.
    wall = _browser_window(browser, PROJECTOR)
    sign_in(wall, fresh_server.url, "treasurer")
    wall.goto(f"{fresh_server.url}/meetings?meeting={meeting_id.group(1)}&view=wall")
    wait_for_app(wall)
    item = wall.locator(".st-key-wall_item")
    expect(item).to_have_text(FIRST_ITEM)
    main = wall.get_by_test_id("stMain")
    expect(main.locator("input, textarea, button")).to_have_count(0)  # nothing to type or press
    expect(main).to_contain_text("法定人数")

    first = _seconds_left(wall)
    time.sleep(3.2)
    second = _seconds_left(wall)
    assert 20 * 60 - 60 < second < first <= 20 * 60, (first, second)  # counting down, each second
    assert first - second <= 6, (first, second)

    laptop.get_by_role("tab", name="决议").click()
    expect(laptop.get_by_test_id("stForm").filter(has_text="决议针对当前议程")).to_contain_text(
        FIRST_ITEM
    )
    laptop.get_by_role("combobox", name="相关提案").click()
    laptop.get_by_role("option", name=FIRST_PROPOSAL, exact=True).click()
    laptop.get_by_label("正文").fill(DECIDED)
    laptop.get_by_role("button", name="记录决议").click()
    wait_for_app(laptop)
    board = wall.locator(".st-key-wall")
    expect(board).to_contain_text(DECIDED, timeout=FOLLOWS_WITHIN * 1000)

    pressed = time.monotonic()
    room.get_by_role("button", name="下一项").click()
    wait_for_app(laptop)
    expect(room).to_contain_text(f"第 2 项 / 共 4 项：{SECOND_ITEM}")
    expect(item).to_have_text(SECOND_ITEM, timeout=FOLLOWS_WITHIN * 1000)
    followed = time.monotonic() - pressed
    assert followed < FOLLOWS_WITHIN
    # gone with its item, not lingering under the next (the wall redraws piece by piece)
    expect(board).not_to_contain_text(DECIDED, timeout=5_000)
    expect(wall.locator(".st-key-wall_now")).to_contain_text(f"2. {SECOND_ITEM}")
    assert _seconds_left(wall) > 20 * 60 - 15  # the new item's time started afresh
    expect(main.locator("input, textarea, button")).to_have_count(0)
    print(f"the wall followed the secretary in {followed:.1f} s")
    laptop.context.close()
    wall.context.close()
