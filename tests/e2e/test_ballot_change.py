"""A resident changes their knapsack ballot on a phone (390x844), in a round that allows it: the
receipt kept on the screen opens the ballot as it stands, the changed ballot is cast under a new
receipt that replaces the old one, and the old receipt then finds nothing.

The demo's open round becomes a knapsack round of 25,000 yuan that allows changes before the
server starts; its proposals ask the fund for 18,600 (充电棚), 8,000 (垃圾房), 6,400 (花园) and
4,800 (手机课堂)."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from models import BudgetRound, make_engine
from tests.e2e import RECEIPT, nav_link, sign_in, wait_for_app
from tests.e2e.conftest import Server, copy_store, start_server
from tests.e2e.test_ballot import BINS, CHARGING, GARDEN, PHONE, PHONES, ROUND, money_bar, tick

pytestmark = pytest.mark.e2e


@pytest.fixture
def changes_server(demo_template: Path, tmp_path: Path) -> Iterator[Server]:
    store = copy_store(demo_template, tmp_path / "changes")
    engine = make_engine(f"sqlite:///{store}")
    with Session(engine) as session:
        budget_round = session.exec(select(BudgetRound).where(BudgetRound.name == ROUND)).one()
        budget_round.ballot_kind = "knapsack"
        budget_round.budget_fen = 2_500_000
        budget_round.ballot_changes_allowed = True
        session.add(budget_round)
        session.commit()
    engine.dispose()
    running = start_server(demo_template, tmp_path / "changes", store=store)
    yield running
    running.stop()


def kept_code(main: Locator) -> str:
    box = main.locator('[class*="st-key-receipt_box_"]')
    expect(box).to_have_count(1)
    found = RECEIPT.search(box.get_by_test_id("stCode").inner_text())
    assert found
    return found.group(0)


def checked(main: Locator, title: str) -> bool:
    box = main.get_by_test_id("stCheckbox").filter(has_text=title)
    return box.get_by_role("checkbox").is_checked()


def test_a_resident_changes_their_ballot_on_a_phone(
    changes_server: Server, page: Page, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("LINLI_SCREENSHOT_DIR") or tmp_path)  # docs/screenshots
    sign_in(page, changes_server.url, "resident")
    nav_link(page, "投票").click()
    wait_for_app(page)
    page.set_viewport_size(PHONE)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("修改我的选票")).to_have_count(0)  # nothing cast yet
    tick(page, main, BINS)
    tick(page, main, GARDEN)
    main.get_by_role("button", name="投出选票").click()
    wait_for_app(page)
    first = kept_code(main)

    change = main.get_by_test_id("stExpander").filter(has_text="修改我的选票")
    change.get_by_text("修改我的选票").click()
    wait_for_app(page)
    expect(change.get_by_role("textbox", name="回执码")).to_have_value(first)
    change.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "change-open-phone.png"))
    change.get_by_role("button", name="打开我的选票").click()
    wait_for_app(page)

    expect(main).to_contain_text("这是您目前的选票")
    assert [checked(main, title) for title in (CHARGING, BINS, GARDEN, PHONES)] == [
        False,
        True,
        True,
        False,
    ]
    bar = money_bar(main)
    expect(bar).to_contain_text("已选 ¥14,400.00 / 预算 ¥25,000.00，还剩 ¥10,600.00")
    tick(page, main, GARDEN)
    tick(page, main, PHONES)
    expect(bar).to_contain_text("已选 ¥12,800.00 / 预算 ¥25,000.00，还剩 ¥12,200.00")
    tick(page, main, CHARGING)  # 31,400: over the budget, the button is disabled
    cast = main.get_by_role("button", name="投出修改后的选票")
    expect(cast).to_be_disabled()
    tick(page, main, CHARGING)
    expect(cast).to_be_enabled()
    heading = main.get_by_role("heading", name="修改我的选票")
    heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(shots / "change-ballot-phone.png"))
    cast.click()
    wait_for_app(page)

    expect(main).to_contain_text("选票已修改！旧回执已作废")
    second = kept_code(main)  # the new receipt replaced the old one on the screen
    assert second != first
    receipt_box = main.locator('[class*="st-key-receipt_box_"]')
    receipt_box.get_by_text("核对这张选票").click()
    wait_for_app(page)
    for title in (BINS, PHONES):
        expect(receipt_box).to_contain_text(title)
    for title in (GARDEN, CHARGING):
        expect(receipt_box).not_to_contain_text(title)
    receipt_box.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "change-receipt-phone.png"))

    check = main.get_by_test_id("stExpander").filter(has_text="用回执码核对选票")
    check.get_by_text("用回执码核对选票").click()
    wait_for_app(page)
    check.get_by_role("textbox", name="回执码").fill(first)
    check.get_by_role("button", name="核对").click()
    wait_for_app(page)
    expect(check.get_by_test_id("stAlert")).to_contain_text(re.compile("未找到"))
