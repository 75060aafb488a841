"""An administrator sets up a round with a knapsack ballot on the rounds and funds screen, sees
it in the list with its settings, and changes it while its vote has not opened."""

from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from models import BudgetRound, make_engine
from tests.e2e import nav_link, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

NAME = "平阳社区2027年背包式预算"
PLACE = "古美路街道 / 平阳社区"


def _type_date(page: Page, label: str, day: date) -> None:
    """A date field is three spin buttons (year, month, day) that move on as digits come."""
    main = page.get_by_test_id("stMain")
    main.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Tab")
    wait_for_app(page)


def choose(page: Page, label: str, option: str) -> None:
    """A select box by its label: typed into, so the option named exactly is the first one left
    (a place's compounds begin with its name; a click may land while the list re-renders)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.focus()
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(box).to_have_value(option)


def _fill(field: Locator, text: str) -> None:
    field.fill(text)
    field.press("Tab")  # a text input sends its value when it loses the focus


def _card(page: Page) -> Locator:
    cards = page.get_by_test_id("stMain").locator('[class*="st-key-round_card_"]')
    return cards.filter(has_text=NAME)


def test_an_admin_sets_up_a_knapsack_round(fresh_server, page) -> None:
    sign_in(page, fresh_server.url, "admin")
    nav_link(page, "轮次与基金").click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="新建轮次")).to_be_visible()
    _fill(main.locator(".st-key-round_new_0_name input"), NAME)
    _fill(main.locator(".st-key-round_new_0_year input"), "2027")
    wait_for_app(page)
    choose(page, "地区", PLACE)
    expect(main.get_by_role("combobox", name="基金")).to_have_value("平阳社区微基金")
    _fill(main.locator(".st-key-round_new_0_budget input"), "60000")
    wait_for_app(page)
    _type_date(page, "投票开始", date(2027, 6, 1))
    _type_date(page, "投票截止", date(2027, 6, 15))
    main.get_by_text("预算内选择（所选项目合计不超过预算）", exact=True).click()
    wait_for_app(page)
    expect(main).to_contain_text("限额即本轮预算（60000 元）")
    main.get_by_text("序贯 Phragmén 法", exact=True).click()  # an approval rule: offered
    wait_for_app(page)
    main.get_by_text("投票截止前允许改票", exact=True).click()
    wait_for_app(page)
    main.get_by_role("button", name="创建轮次").click()
    wait_for_app(page)
    expect(main.get_by_text(f"已创建轮次：{NAME}。")).to_be_visible()

    card = _card(page)
    expect(card).to_have_count(1)
    for shown in (
        "筹备",
        f"{PLACE.split(' / ')[1]} · 平阳社区微基金 · ¥60,000.00",
        "预算内选择（所选项目合计不超过预算）: 所选项目总费用不超过 ¥60,000.00",
        "计票规则：序贯 Phragmén 法；并列时：按项目编号。",
        "投票开始：2027年6月1日",
        "投票截止：2027年6月15日",
        "投票截止前可以改票。",
    ):
        expect(card).to_contain_text(shown)

    # Not voting yet: the round can be chosen and changed.
    choose(page, "选择轮次", f"{NAME} · 平阳社区")
    expect(main.get_by_role("heading", name="修改轮次")).to_be_visible()
    budget = main.locator('[class*="st-key-round_"][class*="_budget"] input')
    expect(budget).to_have_value("60000")
    _fill(budget, "65,000.50")
    wait_for_app(page)
    main.get_by_role("button", name="保存修改").click()
    wait_for_app(page)
    expect(main.get_by_text("已保存。")).to_be_visible()
    expect(_card(page)).to_contain_text("所选项目总费用不超过 ¥65,000.50")

    engine = make_engine(f"sqlite:///{fresh_server.log.parent / 'e2e.db'}")
    with Session(engine) as session:
        saved = session.exec(select(BudgetRound).where(BudgetRound.name == NAME)).one()
    engine.dispose()
    assert (saved.ballot_kind, saved.rule, saved.budget_fen, saved.year) == (
        "knapsack",
        "phragmen",
        65_000_50,
        2027,
    )
    assert (saved.voting_opens_on, saved.voting_closes_on, saved.needs_start_on) == (
        date(2027, 6, 1),
        date(2027, 6, 15),
        None,
    )
    assert saved.ballot_changes_allowed and saved.phase == "draft"
