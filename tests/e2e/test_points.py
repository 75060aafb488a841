"""A volunteer's points on a 390x844 phone, in Chinese: the clerk records three hours of
volunteering for the demo resident (10 points an hour), and the resident, on their own phone,
sees the balance go from 45 to 75 and redeems rice at a merchant of the merchant alliance for
50 points; the rest of the balance and the history say so. Then oil (60) is refused in words."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e import DEMO_PASSWORD, main_text, type_choice, wait_for_app
from tests.e2e.test_resident_phone import PHONE, fits_the_phone

pytestmark = pytest.mark.e2e


@pytest.fixture
def phones(browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:  # type: ignore[no-untyped-def]
    made = [
        browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
        )
        for _ in range(2)
    ]
    for context in made:
        context.set_default_timeout(15_000)
    yield made[0], made[1]
    for context in made:
        context.close()


def sign_in(page: Page, base_url: str, username: str) -> None:
    """On a phone the sidebar is folded away: straight to the account page (after a first
    visit, as a cold server sends a first request for /account to the notice board)."""
    page.goto(base_url)
    wait_for_app(page)
    page.goto(f"{base_url}/account")
    wait_for_app(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    wait_for_app(page)


def balance(page: Page) -> str:
    return page.get_by_test_id("stMetricValue").first.inner_text()


def item(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator("[class*='st-key-points_item_']").filter(has_text=name)


def test_a_volunteer_earns_points_and_spends_them_at_a_merchant(
    fresh_server, phones: tuple[BrowserContext, BrowserContext], tmp_path: Path
) -> None:
    shots = Path(os.environ.get("LINLI_SCREENSHOT_DIR") or tmp_path)  # docs/screenshots
    clerk_phone, resident_phone = phones
    clerk = clerk_phone.new_page()
    sign_in(clerk, fresh_server.url, "clerk")
    clerk.goto(f"{fresh_server.url}/points")
    wait_for_app(clerk)
    main = clerk.get_by_test_id("stMain")
    main.get_by_text("登记志愿服务", exact=True).click()
    wait_for_app(clerk)
    type_choice(clerk, "志愿者", "王秀兰")
    main.get_by_label("小时数", exact=True).fill("3")
    main.get_by_label("服务内容", exact=True).fill("敬老院陪聊")
    main.get_by_role("button", name="登记", exact=True).click()
    wait_for_app(clerk)
    expect(clerk.get_by_text("志愿服务已登记。")).to_be_visible()
    fits_the_phone(clerk, "the clerk's points form")

    resident = resident_phone.new_page()
    sign_in(resident, fresh_server.url, "resident")
    resident.goto(f"{fresh_server.url}/points")
    wait_for_app(resident)
    assert balance(resident) == "75 积分"  # 45 in the demo, and 3 hours at 10
    expect(resident.get_by_text("+30 · 敬老院陪聊")).to_be_visible()
    fits_the_phone(resident, "the resident's points")
    resident.screenshot(path=shots / "points-resident-phone.png")

    rice = item(resident, "大米5公斤")
    expect(rice).to_contain_text("联华超市平阳店")
    expect(rice).to_contain_text("50 积分（原价 ¥39.50）")
    rice.get_by_role("button", name="兑换", exact=True).click()
    wait_for_app(resident)
    assert balance(resident) == "25 积分"
    expect(resident.get_by_text("-50 · 大米5公斤（联华超市平阳店）")).to_be_visible()

    item(resident, "食用油1.8升").get_by_role("button", name="兑换", exact=True).click()
    wait_for_app(resident)
    expect(resident.get_by_text("积分不足：余额 25，需要 60。")).to_be_visible()
    assert balance(resident) == "25 积分"
    assert "points." not in main_text(resident)  # no untranslated key
    resident.screenshot(path=shots / "points-short-balance-phone.png")
