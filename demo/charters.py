"""The demo street's charter at work: 平阳社区微基金 amends its charter after the year's audit
question ("why did the fund buy mineral water?") to name forbidden items, and the one payment
the committee let through against it, with its public reason (the notice board's charter
exceptions).

By hand, the Pingyang community's money asked under its 90,000-yuan yearly cap (cost less
co-funding, ``services.charters``): 2025, when the five were found eligible, 12,360 + 14,000 +
17,500 + 18,000 + 8,000 = 69,860 yuan; after the vote the play mats (18,000) were not selected,
which leaves 51,860 (the abandoned green wall still counts: its money was given). 2026, four
eligible, 18,600 + 8,000 + 6,400 + 4,800 = 37,800 yuan (the gala was found ineligible, the
bicycle clean-up withdrawn). All within the cap.
"""

from datetime import date

from sqlmodel import Session

from services import expenses, funds
from services.permissions import Viewer

FORBIDDEN_ITEMS = ["瓶装水", "矿泉水", "宴请", "礼品"]
# A small PDF standing in for the supermarket's scanned invoice.
RECEIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    b"% Lianhua supermarket Pingyang, invoice 31002500013579, 10 cases x 28.00\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
EXCEPTION_REASON = (
    "10月18日第二批桌椅搬运安装由志愿者完成，饮用水为当天必需；"
    "金额小，经议事会10月例会讨论同意，下不为例。"
)


def add_charter_exception(
    session: Session,
    *,
    admin: Viewer,
    chair: Viewer,
    treasurer: Viewer,
    fund_id: int,
    proposal_id: int,
) -> None:
    """``proposal_id``: a 2025 project under way (the elderly canteen's tables and chairs)."""
    funds.adopt_charter(
        session,
        admin,
        fund_id=fund_id,
        adopted_on=date(2025, 9, 1),
        allowed_categories=[],
        forbidden_categories=[
            "building_materials",
            "construction_works",
            "entertainment",
            "charity_handout",
        ],
        per_project_cap="20000",
        per_community_year_cap="90000",
        min_co_funding_permille=100,
        text="第二版（2025年9月）：在第一版基础上增列禁止事项：瓶装水、矿泉水、宴请、礼品。其余条款不变。钱从小区来，就用在小区里。",
        forbidden_items=FORBIDDEN_ITEMS,
    )
    (line,) = [
        budget.lines[0]
        for budget in expenses.budget_vs_actual(session, fund_id=fund_id)
        if budget.proposal_id == proposal_id
    ]
    request_id = expenses.request_payment(
        session,
        treasurer,
        fund_id=fund_id,
        proposal_id=proposal_id,
        line_item_id=line.line_item_id,
        amount="280",
        payee="联华超市平阳店",
        purpose="第二批桌椅搬运安装日志愿者矿泉水（10箱）",
        invoice_number="31002500013579",
        occurred_on=date(2025, 10, 18),
        receipt_name="联华超市发票.pdf",
        receipt_data=RECEIPT,
        ask_exception=True,
    )
    expenses.approve_payment(
        session, chair, request_id=request_id, override_reason=EXCEPTION_REASON
    )
