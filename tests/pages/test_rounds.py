"""The rounds and funds screen under AppTest, on a copy of the demo: a refusal is shown at the
field it names and stores nothing; a saved round appears in the list with its settings; each
role sees the tabs its permissions give."""

import os
from datetime import date
from typing import Any

from sqlmodel import Session, func, select

from models import BudgetRound, LedgerEntry, make_engine
from tests.pages.test_screens import open_page


def _count(model: type) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        counted = session.exec(select(func.count()).select_from(model)).one()
    engine.dispose()
    return counted


def _round(name: str) -> BudgetRound:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = session.exec(select(BudgetRound).where(BudgetRound.name == name)).one()
    engine.dispose()
    return found


CLOSES = "round_new_0_voting_closes_on"
PINGYANG, PINGYANG_FUND = 3, 3  # the demo's 平阳社区 and its micro-fund


def _flat(node: Any) -> list[Any]:
    """The elements in the order they are drawn."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for key in sorted(children) for leaf in _flat(children[key])]


def test_each_role_sees_the_tabs_its_permissions_give(demo_db: dict[str, int]) -> None:
    tabs = {
        role: [tab.label for tab in open_page("rounds", demo_db[role]).tabs]
        for role in ("admin", "chair", "treasurer")
    }
    assert tabs == {
        "admin": ["轮次", "基金", "章程"],
        "chair": ["轮次", "基金", "章程"],
        "treasurer": ["基金", "下拨资金"],
    }
    for role in ("resident", "clerk", "reviewer", "secretary"):
        at = open_page("rounds", demo_db[role])
        assert at.warning and not at.tabs and not at.text_input


def test_a_knapsack_round_is_refused_at_its_dates_then_created(demo_db: dict[str, int]) -> None:
    rounds = _count(BudgetRound)
    at = open_page("rounds", demo_db["admin"])  # Chinese: AppTest formats options in it
    at.text_input(key="round_new_0_name").input("平阳社区2027年微基金项目")
    at.number_input(key="round_new_0_year").set_value(2027)
    at.selectbox(key="round_new_0_place").set_value(PINGYANG).run()
    assert at.selectbox(key=f"round_new_0_fund_{PINGYANG}").value == PINGYANG_FUND  # its own
    at.text_input(key="round_new_0_budget").input("50,000")
    at.radio(key="round_new_0_kind").set_value("knapsack").run()
    assert "限额即本轮预算（50\\,000 元）" in at.info[0].value  # typed text, as plain markdown
    at.date_input(key="round_new_0_voting_opens_on").set_value(date(2027, 6, 10))
    at.date_input(key="round_new_0_voting_closes_on").set_value(date(2027, 6, 1))
    at.toggle(key="round_new_0_changes").set_value(True)
    at.button(key="round_new_0_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["投票截止不能早于投票开始：各阶段依次进行。"]
    drawn = _flat(at.main)  # the message sits right under the field it names
    closes = next(i for i, n in enumerate(drawn) if getattr(n, "key", None) == CLOSES)
    assert drawn[closes + 1] == at.error[0]
    assert _count(BudgetRound) == rounds  # nothing stored
    assert (
        at.text_input(key="round_new_0_name").value == "平阳社区2027年微基金项目"
    )  # what was typed stays
    at.date_input(key="round_new_0_voting_closes_on").set_value(date(2027, 6, 20))
    at.button(key="round_new_0_submit").click().run()
    assert not at.exception and not at.error
    assert "已创建轮次：平阳社区2027年微基金项目。" in [s.value for s in at.success]
    assert at.text_input(key="round_new_1_name").value == ""  # the form starts again
    saved = _round("平阳社区2027年微基金项目")
    assert (saved.ballot_kind, saved.budget_fen, saved.ballot_changes_allowed) == (
        "knapsack",
        50_000_00,
        True,
    )
    assert (saved.voting_opens_on, saved.voting_closes_on) == (date(2027, 6, 10), date(2027, 6, 20))
    listed = "\n".join(m.value for m in at.markdown)
    assert "**平阳社区2027年微基金项目** · 2027" in listed
    assert "平阳社区 · 平阳社区微基金 · ¥50,000.00" in listed
    assert "预算内选择（所选项目合计不超过预算）: 所选项目总费用不超过 ¥50,000.00" in listed


def test_a_round_whose_vote_opened_cannot_be_chosen_for_changes(demo_db: dict[str, int]) -> None:
    at = open_page("rounds", demo_db["chair"])
    choices = at.selectbox(key="round_target").options
    assert "平阳社区2026年微基金项目 · 古美路街道 / 平阳社区" not in choices  # voting
    assert "投票已开始，设置不能再改。" in [c.value for c in at.caption]


def test_an_overspending_transfer_is_refused_with_the_amounts(demo_db: dict[str, int]) -> None:
    entries = _count(LedgerEntry)
    at = open_page("rounds", demo_db["treasurer"])
    at.text_input(key="transfer_0_amount").input("99999999")
    at.text_input(key="transfer_0_purpose").input("试一试")
    at.button(key="transfer_0_submit").click().run()
    assert not at.exception
    (shown,) = [e.value for e in at.error]
    assert shown.startswith("基金可用余额仅 ¥") and "申请金额为 ¥99,999,999.00" in shown
    assert _count(LedgerEntry) == entries
