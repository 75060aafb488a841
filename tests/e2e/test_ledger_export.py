"""The ledger's files, downloaded in the browser: anyone takes the public CSV from the notice
board (the anonymous donor of the demo masked), the chair takes the books' Excel file from the
ledger screen (the donor named). Files are read back with the csv module and openpyxl."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from models import Fund, make_engine
from tests.e2e import choose, nav_link, sign_in, wait_for_app
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

FUND = "平阳社区微基金"
HIDDEN = "平阳一村居民（匿名）"  # the demo's anonymous donor, 5,000 yuan


def _download(page: Page, button: Locator) -> bytes:
    with page.expect_download() as started:
        button.click()
    return Path(started.value.path()).read_bytes()


def _fund_id(demo_template: Path) -> int:
    with Session(make_engine(f"sqlite:///{demo_template}")) as session:
        fund_id = session.exec(select(Fund.id).where(Fund.name == FUND)).one()
    assert fund_id is not None
    return fund_id


def test_anyone_downloads_the_public_ledger_from_the_notice_board(
    page: Page, server: Server, demo_template: Path
) -> None:
    page.goto(server.url)
    wait_for_app(page)
    button = page.locator(f".st-key-export_public_csv_{_fund_id(demo_template)}").get_by_role(
        "button", name="公示账目（CSV）"
    )
    data = _download(page, button)
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["编号", "日期", "类别", "方向", "金额（元）"]
    gift = [row for row in rows if row[4] == "5000.00" and row[2] == "捐赠"]
    assert [row[5] for row in gift] == ["（匿名捐赠）"]
    assert HIDDEN not in text
    paid = [row for row in rows if row[2] == "支出"]
    # the four 2025 deliveries and the volunteers' water (a charter exception)
    assert sum(int(row[4].replace(".", "")) for row in paid) == (33_360 + 280) * 100


def test_the_chair_downloads_the_books_with_every_donor_named(page: Page, server: Server) -> None:
    sign_in(page, server.url, "chair")
    nav_link(page, "基金与账目").click()  # the same session: no wait for the sign-in cookie
    wait_for_app(page)
    choose(page, "基金", FUND)
    expect(page.get_by_role("button", name="完整账簿（Excel）")).to_be_visible()
    data = _download(page, page.get_by_role("button", name="完整账簿（Excel）"))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    donors = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert HIDDEN in donors
