"""A resident's knapsack ballot on a phone (390x844): the money left follows the boxes as they
are ticked, a choice over the budget cannot be cast and says why, a proposal opens its details
(photo included), and the receipt stays on the screen after other clicks until it is closed,
with a picture and a PDF to download.

The demo's open round becomes a knapsack round of 25,000 yuan before the server starts; its
proposals ask the fund for 18,600 (充电棚), 8,000 (垃圾房), 6,400 (花园) and 4,800 (手机课堂)."""

import os
import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from models import Account, BudgetRound, Proposal, make_engine
from services.accounts import viewer_for_person
from services.uploads import attach_file
from tests.e2e import RECEIPT, nav_link, sign_in, wait_for_app
from tests.e2e.conftest import Server, copy_store, start_server

pytestmark = pytest.mark.e2e

ROUND = "平阳社区2026年微基金项目"
BUDGET_FEN = 2_500_000
PHONE = {"width": 390, "height": 844}
CHARGING, BINS = "电动车集中充电棚", "垃圾房通风除臭改造"
GARDEN, PHONES = "楼前花园居民认养", "老年人智能手机课堂"


def _photo() -> bytes:
    image = Image.new("RGB", (640, 420), (126, 178, 92))
    for row in range(0, 420, 60):
        image.paste((88, 140, 70), (0, row, 640, row + 24))
    out = BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def make_knapsack_round(store: Path) -> None:
    """The open round, as a committee could have set it up: a knapsack ballot within 25,000
    yuan; the garden's proposer's photo attached by the chair."""
    engine = make_engine(f"sqlite:///{store}")
    with Session(engine) as session:
        budget_round = session.exec(select(BudgetRound).where(BudgetRound.name == ROUND)).one()
        budget_round.ballot_kind = "knapsack"
        budget_round.budget_fen = BUDGET_FEN
        session.add(budget_round)
        session.commit()
        chair = session.exec(select(Account).where(Account.subject == "chair")).one()
        garden = session.exec(select(Proposal).where(Proposal.title == GARDEN)).one()
        attach_file(
            session,
            viewer_for_person(session, chair.person_id),
            proposal_id=garden.id,  # type: ignore[arg-type]
            kind="photo",
            filename="花园现状.jpg",
            data=_photo(),
        )
    engine.dispose()


@pytest.fixture
def knapsack_server(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(tmp_path / "uploads"))  # the server's too
    store = copy_store(demo_template, tmp_path / "knapsack")
    make_knapsack_round(store)
    running = start_server(demo_template, tmp_path / "knapsack", store=store)
    yield running
    running.stop()


def proposal(main: Locator, title: str) -> Locator:
    """The bordered box of one proposal on the ballot."""
    return main.locator('[class*="st-key-ballot_"][class*="_item_"]').filter(has_text=title)


def tick(page: Page, main: Locator, title: str) -> None:
    box = main.get_by_test_id("stCheckbox").filter(has_text=title)
    was = box.get_by_role("checkbox").is_checked()
    box.locator("label").click()
    expect(box.get_by_role("checkbox")).to_be_checked(checked=not was)
    wait_for_app(page)


def money_bar(main: Locator) -> Locator:
    return main.get_by_test_id("stProgress")


def test_a_resident_chooses_within_the_budget_and_keeps_the_receipt(
    knapsack_server: Server, page: Page, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("LINLI_SCREENSHOT_DIR") or tmp_path)  # docs/screenshots
    sign_in(page, knapsack_server.url, "resident")
    nav_link(page, "投票").click()
    wait_for_app(page)
    page.set_viewport_size(PHONE)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=ROUND)).to_be_visible()
    expect(main).to_contain_text("所选项目的申请金额合计不能超过本轮预算 ¥25,000.00")
    expect(money_bar(main)).to_contain_text("已选 ¥0.00 / 预算 ¥25,000.00，还剩 ¥25,000.00")

    tick(page, main, BINS)
    expect(money_bar(main)).to_contain_text("已选 ¥8,000.00 / 预算 ¥25,000.00，还剩 ¥17,000.00")
    tick(page, main, GARDEN)
    expect(money_bar(main)).to_contain_text("还剩 ¥10,600.00")
    expect(proposal(main, CHARGING)).to_contain_text("超出剩余预算")  # 18,600 no longer fits
    expect(proposal(main, PHONES)).not_to_contain_text("超出剩余预算")
    proposal(main, GARDEN).scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "ballot-knapsack-phone.png"))
    cast = main.get_by_role("button", name="投出选票")
    expect(cast).to_be_enabled()

    # The garden's details: summary, photo, cost, budget lines, co-funding.
    garden = proposal(main, GARDEN)
    garden.get_by_test_id("stExpander").get_by_text("详情").click()
    wait_for_app(page)
    details = garden.get_by_test_id("stExpanderDetails")
    expect(details).to_contain_text("楼前空地改造为居民认养花园")
    expect(details).to_contain_text("总成本 ¥7,200.00 · 配套资金 ¥800.00 · 申请基金 ¥6,400.00")
    expect(details).to_contain_text("花苗与土壤 × 1 · ¥6,000.00")
    expect(details).to_contain_text("认养家庭 · ¥800.00")
    photo = details.get_by_test_id("stImage").locator("img")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 100  # the picture really loaded
    garden.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "ballot-details-phone.png"))

    # Over the budget: the bar says by how much, the button cannot be pressed.
    tick(page, main, CHARGING)
    expect(money_bar(main)).to_contain_text("已选 ¥33,000.00 / 预算 ¥25,000.00，超出 ¥8,000.00")
    expect(main.get_by_test_id("stAlert")).to_contain_text(
        "所选项目超出预算 ¥8,000.00。请取消勾选一些项目，再投出选票。"
    )
    expect(cast).to_be_disabled()
    main.get_by_role("heading", name=ROUND).scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "ballot-over-budget-phone.png"))

    tick(page, main, CHARGING)
    tick(page, main, PHONES)
    expect(money_bar(main)).to_contain_text("已选 ¥19,200.00 / 预算 ¥25,000.00，还剩 ¥5,800.00")
    expect(cast).to_be_enabled()
    cast.click()
    wait_for_app(page)

    receipt_box = main.locator('[class*="st-key-receipt_box_"]')
    expect(receipt_box).to_be_visible()
    code_block = receipt_box.get_by_test_id("stCode")
    found = RECEIPT.search(code_block.inner_text())
    assert found, code_block.inner_text()
    receipt = found.group(0)
    expect(main).to_contain_text("您已在本轮投票，谢谢参与！")
    copy = receipt_box.get_by_role("button", name="Copy to clipboard")
    expect(copy).to_be_visible()  # without a hover: a phone has none
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == receipt

    # Another click (the check, which reruns the page): the receipt is still there.
    receipt_box.get_by_text("核对这张选票").click()
    wait_for_app(page)
    expect(receipt_box).to_contain_text("您的选票已在")
    for title in (BINS, GARDEN, PHONES):
        expect(receipt_box).to_contain_text(title)
    expect(receipt_box).not_to_contain_text(CHARGING)
    expect(code_block).to_have_text(re.compile(receipt))
    receipt_box.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "ballot-receipt-phone.png"))

    with page.expect_download() as download:
        receipt_box.get_by_role("button", name="下载回执图片").click()
    picture = download.value.path().read_bytes()
    assert download.value.suggested_filename == f"linli-receipt-{receipt}.png"
    image = Image.open(BytesIO(picture))
    assert image.format == "PNG" and image.text["Description"] == receipt  # type: ignore[attr-defined]
    with page.expect_download() as download:
        receipt_box.get_by_role("button", name="下载回执 PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-1.4") and f"code: {receipt})".encode() in pdf
    wait_for_app(page)
    expect(code_block).to_be_visible()  # downloading is a click that keeps it too

    # Elsewhere and back: still kept, until the resident closes it.
    page.set_viewport_size({"width": 1280, "height": 900})
    nav_link(page, "公示栏").click()
    wait_for_app(page)
    nav_link(page, "投票").click()
    wait_for_app(page)
    expect(main.get_by_test_id("stCode")).to_have_text(re.compile(receipt))
    main.get_by_role("button", name="我已保存，关闭回执").click()
    wait_for_app(page)
    expect(main.get_by_test_id("stCode")).to_have_count(0)
    expect(main).to_contain_text("您已在本轮投票，谢谢参与！")
