"""A payment request on phones (390x844): the treasurer files one with a receipt photo from the
ledger screen, a second committee member (the chair) sees it waiting with its receipt and
approves it, the budget line vs actual shows the money spent and the notice board the expense.

Waits that matter under load (a run once failed in CI): the sign-in cookie is written by a
script in the page after the sign-in run, so the next address is opened only once the browser
holds it (else the new session is signed out); the receipt is uploaded in the background after
the file is chosen, so the request is sent only once the uploader shows the file (else the
service is asked without a receipt)."""

import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from models import make_engine
from models.funds import Fund
from services.expenses import budget_vs_actual
from services.ledger import allocated_fen, spent_fen
from tests.e2e import DEMO_PASSWORD, choose, wait_for_app
from tests.e2e.conftest import Server, start_server

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def server_with_uploads(demo_template: Path, tmp_path: Path) -> Iterator[Server]:
    """A server of its own, as this test adds a request; receipts go to the run's folder, where
    the demo kept its own (tests/conftest.py), never to the app's data folder."""
    running = start_server(demo_template, tmp_path / "fresh")
    yield running
    running.stop()


def _project_with_money_left(demo_template: Path) -> tuple[str, str]:
    """The demo's community fund and a project it allocated to with 120.50 yuan still unspent."""
    with Session(make_engine(f"sqlite:///{demo_template}")) as session:
        for fund in session.exec(select(Fund).where(Fund.kind == "community")):
            for budget in budget_vs_actual(session, fund_id=fund.id):  # type: ignore[arg-type]
                pid = budget.proposal_id
                if allocated_fen(session, pid) - spent_fen(session, pid) > 12_050:
                    return fund.name, budget.title
    raise AssertionError("no demo project with money left")


def _receipt_photo() -> bytes:
    out = BytesIO()
    Image.new("RGB", (320, 480), (250, 248, 240)).save(out, "JPEG")
    return out.getvalue()


def _phone(browser) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def _sign_in(page: Page, base_url: str, username: str) -> None:
    """On a phone the navigation is folded away: the account page by its address (after the
    notice board: a server's first request lands there whatever it asked for)."""
    page.goto(base_url)
    wait_for_app(page)
    page.goto(f"{base_url}/account")
    wait_for_app(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    wait_for_app(page)
    deadline = time.monotonic() + 20
    while "linli_sign_in" not in {c["name"] for c in page.context.cookies()}:
        assert time.monotonic() < deadline, "the sign-in cookie was never written"
        time.sleep(0.1)


def _open_requests(page: Page, base_url: str, fund: str) -> None:
    page.goto(f"{base_url}/ledger")
    wait_for_app(page)
    choose(page, "基金", fund)
    page.get_by_role("tab", name="付款申请").click()
    wait_for_app(page)


def test_treasurer_asks_on_a_phone_and_the_chair_approves(  # type: ignore[no-untyped-def]
    server_with_uploads: Server, browser, demo_template: Path
) -> None:
    fund, project = _project_with_money_left(demo_template)
    treasurer = _phone(browser)
    _sign_in(treasurer, server_with_uploads.url, "treasurer")
    _open_requests(treasurer, server_with_uploads.url, fund)
    picker = treasurer.locator(".st-key-pay_project")
    picker.get_by_role("combobox").click()
    treasurer.keyboard.type(project)
    treasurer.keyboard.press("Enter")
    wait_for_app(treasurer)
    expect(picker.get_by_role("combobox")).to_have_value(project)
    treasurer.locator(".st-key-pay_amount_0 input").fill("120.50")
    treasurer.locator(".st-key-pay_payee_0 input").fill("五金店")
    treasurer.locator(".st-key-pay_purpose_0 input").fill("长椅螺栓")
    treasurer.locator(".st-key-pay_invoice_0 input").fill("FP-2026-0042")
    treasurer.locator(".st-key-pay_receipt_0 input[type='file']").set_input_files(
        {"name": "发票.jpg", "mimeType": "image/jpeg", "buffer": _receipt_photo()}
    )
    expect(treasurer.locator(".st-key-pay_receipt_0")).to_contain_text("发票.jpg")
    wait_for_app(treasurer)
    treasurer.get_by_role("button", name="提交审批").click()
    wait_for_app(treasurer)
    waiting = treasurer.get_by_test_id("stVerticalBlock").filter(has_text="FP-2026-0042")
    expect(waiting.last).to_contain_text("待审批")
    expect(waiting.last).to_contain_text("须由另一位委员审批")  # not the submitter's to approve

    chair = _phone(browser)
    _sign_in(chair, server_with_uploads.url, "chair")
    _open_requests(chair, server_with_uploads.url, fund)
    card = chair.get_by_test_id("stVerticalBlock").filter(has_text="FP-2026-0042").last
    card.get_by_text("票据").click()  # the receipt, before deciding
    expect(card.get_by_role("img")).to_be_visible()
    card.get_by_role("button", name="批准并付款").click()
    wait_for_app(chair)
    expect(
        chair.get_by_test_id("stVerticalBlock").filter(has_text="FP-2026-0042").last
    ).to_contain_text("已批准并支付")
    chair.get_by_role("tab", name="预算与实际").click()
    wait_for_app(chair)
    expect(chair.get_by_test_id("stMain")).to_contain_text(project)
    # The expense is on the public ledger: the notice board's latest lines, for anyone.
    chair.goto(server_with_uploads.url)
    wait_for_app(chair)
    expect(chair.get_by_test_id("stMain")).to_contain_text("¥120.50")
    expect(chair.get_by_test_id("stMain")).to_contain_text("长椅螺栓")
