"""A year-end review session in three browsers: two reviewers score the current project on
their own devices (one a phone), the projector's wall, opened by its address and never touched
again, shows the aggregate by itself once both have scored, and follows the chair to the next
project; so does the second reviewer's phone."""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e import nav_link, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

FIRST = "楼道声控灯改造"  # the demo's open session stands on its first project, nobody scored
SECOND = "老年助餐点桌椅更新"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
FOLLOWS_WITHIN = 8  # seconds: the revision asked once a second, the wall redrawn each second


def _browser_window(browser, viewport: dict[str, int]) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    context.set_default_timeout(20_000)
    return context.new_page()


def _to_review(page: Page, url: str, username: str) -> None:
    sign_in(page, url, username)
    nav_link(page, "年底评审").click()
    wait_for_app(page)


def _choose(option: Locator) -> None:
    """A tap on a chosen segment takes the choice back: tap only what is not chosen yet."""
    if option.get_attribute("aria-checked") != "true":
        option.click()


def _score(page: Page, scores: list[int], comment: str = "") -> None:
    """Taps one score per criterion and a recommendation."""
    form = page.get_by_test_id("stForm")
    for criterion, value in zip(
        ("goal_met", "participation", "maintenance", "books_complete", "satisfaction"),
        scores,
        strict=True,
    ):
        row = page.locator(f".st-key-review_pick_{criterion}")
        _choose(row.get_by_role("radio", name=str(value), exact=True))
    _choose(form.get_by_role("radio", name="继续支持", exact=True))
    if comment:
        form.get_by_label("评语").fill(comment)
    form.get_by_role("button", name="提交评审").click()
    wait_for_app(page)


def test_two_reviewers_score_and_the_wall_shows_the_aggregate_by_itself(
    fresh_server, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shots = Path(os.environ.get("LINLI_SCREENSHOT_DIR") or tmp_path)  # docs/screenshots
    phone = _browser_window(browser, LAPTOP)
    _to_review(phone, fresh_server.url, "reviewer2")
    phone.set_viewport_size(PHONE)  # signed in through the sidebar, then held as a phone
    room = phone.locator(".st-key-review_room")
    expect(room).to_contain_text(FIRST)
    expect(room).to_contain_text("已评分：0 / 2 位评审")
    session_id = re.search(r"[?&]session=(\d+)", phone.url)
    assert session_id, phone.url

    # The projector: the chair's account signed in once, then the wall's address; from here
    # on nobody touches this browser.
    wall = _browser_window(browser, PROJECTOR)
    sign_in(wall, fresh_server.url, "reviewer")
    wall.goto(f"{fresh_server.url}/review?session={session_id.group(1)}&view=wall")
    wait_for_app(wall)
    board = wall.locator(".st-key-wallboard")
    expect(board.locator("h1")).to_have_text(FIRST)
    count = wall.locator(".st-key-wallboard_count")
    expect(count).to_have_text("已评分：0 / 2 位评审")
    main = wall.get_by_test_id("stMain")
    expect(main.locator("input, textarea, button")).to_have_count(0)  # nothing to type or press

    # Nothing is chosen for the reviewer; a low score without a comment is refused on the
    # phone, and the wall does not move.
    form = phone.get_by_test_id("stForm")
    expect(form.get_by_role("radio")).to_have_count(6 * 5 + 3)
    expect(form.locator("[role=radio][aria-checked=true]")).to_have_count(0)
    _score(phone, [4, 2, 4, 3, 4])
    expect(phone.get_by_test_id("stAlert")).to_contain_text("请填写评语")
    phone.locator(".st-key-review_pick_goal_met").scroll_into_view_if_needed()
    phone.screenshot(path=str(shots / "review-score-phone.png"))
    _score(phone, [4, 3, 4, 3, 4])  # overall 3.6
    expect(count).to_have_text("已评分：1 / 2 位评审", timeout=FOLLOWS_WITHIN * 1000)
    expect(wall.locator(".st-key-wallboard_overall")).to_have_count(0)

    laptop = _browser_window(browser, LAPTOP)
    _to_review(laptop, fresh_server.url, "reviewer")
    _score(laptop, [4, 4, 4, 4, 4])  # overall 4.0
    scored = time.monotonic()
    overall = wall.locator(".st-key-wallboard_overall")
    expect(overall).to_have_text("3.8", timeout=FOLLOWS_WITHIN * 1000)  # (3.6 + 4.0) / 2
    shown = time.monotonic() - scored
    expect(count).to_have_text("已评分：2 / 2 位评审")
    expect(board).to_contain_text("最低 3.6，最高 4.0 · 标准差 0.2")
    expect(board).to_contain_text("各位评审的总评相差不大。")
    wall.screenshot(path=str(shots / "review-wall-aggregate.png"))
    expect(main.locator("input, textarea, button")).to_have_count(0)

    chair_room = laptop.locator(".st-key-review_room")
    pressed = time.monotonic()
    chair_room.get_by_role("button", name="下一个项目").click()
    wait_for_app(laptop)
    expect(chair_room).to_contain_text(SECOND)
    expect(board.locator("h1")).to_have_text(SECOND, timeout=FOLLOWS_WITHIN * 1000)
    followed = time.monotonic() - pressed
    expect(count).to_have_text("已评分：0 / 2 位评审")
    expect(overall).to_have_count(0)
    expect(room).to_contain_text(SECOND, timeout=FOLLOWS_WITHIN * 1000)  # the phone, untouched
    assert shown < FOLLOWS_WITHIN and followed < FOLLOWS_WITHIN
    print(
        f"the wall showed the aggregate in {shown:.1f} s and followed the chair in {followed:.1f} s"
    )
    for page in (phone, wall, laptop):
        page.context.close()
