"""A donor finds what their gift paid for, on a 390x844 phone, in Chinese: the demo resident,
signed in, reads their own gifts (the one designated for the dining tables shows the first
instalment paid to the furniture maker, with its invoice); a visitor who only holds the paper
receipt (JZ-2025-000037) types its number and sees the same gift, without the donor's name.
The notice board shows the campaigns' progress bars and the money by source on the phone."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e import main_text, wait_for_app
from tests.e2e.test_points import sign_in
from tests.e2e.test_resident_phone import PHONE, fits_the_phone

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser) -> Iterator[BrowserContext]:  # type: ignore[no-untyped-def]
    made = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    made.set_default_timeout(15_000)
    yield made
    made.close()


def test_a_donor_finds_what_their_gift_paid_for(
    server,
    phone: BrowserContext,
    browser,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    shots = Path(os.environ.get("LINLI_SCREENSHOT_DIR") or tmp_path)
    donor = phone.new_page()
    sign_in(donor, server.url, "resident")
    donor.goto(f"{server.url}/donors")
    wait_for_app(donor)
    main = donor.get_by_test_id("stMain")
    expect(main.get_by_text("定向捐赠：“老年助餐点桌椅更新”")).to_be_visible()
    expect(main.get_by_text("老年助餐点桌椅更新：首期款")).to_be_visible()
    expect(main.get_by_text("收款方 上海适老家具有限公司，发票 31002500005678")).to_be_visible()
    expect(main.get_by_text("捐给众筹“80个坐垫暖老人”")).to_be_visible()
    fits_the_phone(donor, "my gifts")
    donor.screenshot(path=shots / "donor-gifts-phone.png", full_page=True)

    visitor_phone = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True, has_touch=True
    )
    visitor_phone.set_default_timeout(15_000)
    try:
        visitor = visitor_phone.new_page()
        visitor.goto(server.url)
        wait_for_app(visitor)
        visitor.goto(f"{server.url}/donors")
        wait_for_app(visitor)
        visitor_main = visitor.get_by_test_id("stMain")
        visitor_main.get_by_label("收据编号", exact=True).fill("JZ-2025-000037")
        visitor_main.get_by_role("button", name="查询我的捐赠", exact=True).click()
        wait_for_app(visitor)
        expect(visitor_main.get_by_text("定向捐赠：“老年助餐点桌椅更新”")).to_be_visible()
        expect(visitor_main.get_by_text("老年助餐点桌椅更新：首期款")).to_be_visible()
        shown = main_text(visitor)
        assert "王秀兰" not in shown  # the receipt shows the gift, never who gave it
        assert "donors." not in shown  # no untranslated key
        fits_the_phone(visitor, "a gift found by its receipt number")
        visitor.screenshot(path=shots / "donor-receipt-phone.png", full_page=True)

        visitor.goto(server.url)
        wait_for_app(visitor)
        expect(visitor.get_by_text("已筹 ¥2,400.00 / 目标 ¥3,200.00 · 60 笔")).to_be_visible()
        expect(visitor.get_by_text("非政府资金占比：73.0%（¥243,600.00）")).to_be_visible()
        fits_the_phone(visitor, "the notice board's campaigns")
        visitor.get_by_text("众筹", exact=True).first.scroll_into_view_if_needed()
        visitor.screenshot(path=shots / "notice-campaigns-phone.png")
    finally:
        visitor_phone.close()
