"""What became of the 2025 winners: the treasurer asks to pay each invoice with its receipt, the
chair (a second committee member) approves, and the projects that ended are closed, which gives
their unspent money back to the fund. All through the services, as the treasurer and the chair
would do it on their phones; the receipts are small generated pictures, through the upload checks.

Hand-computed (the tests check the screens against these): the fund asked 12,360 + 14,000 +
17,500 + 8,000 = 51,860 yuan for the four winners (their budgets less co-funding) and paid
12,360 + 7,000 + 14,000 = 33,360; the green wall, abandoned, gave back 17,500 - 14,000 = 3,500;
15,000 stays earmarked (7,000 for the tables, 8,000 for the tool house).
"""

from datetime import date
from io import BytesIO

from PIL import Image, ImageDraw
from sqlmodel import Session

from models.vocabulary import ProposalStatus
from services import expenses, proposals
from services.permissions import Viewer

__all__ = ["pay_2025_deliveries"]

# (winner, budget line, payee, yuan, invoice number, paid on, what for), winners in the order they
# were selected: 楼道声控灯, 助餐点桌椅, 垂直绿化墙 (the tool house has not started).
DELIVERIES_2025 = (
    (0, 0, "上海明亮照明工程有限公司", "10560", "31002500001234", date(2025, 9, 15), "灯具48盏"),
    (0, 1, "上海明亮照明工程有限公司", "1800", "31002500001235", date(2025, 9, 15), "安装人工"),
    (1, 0, "上海适老家具有限公司", "7000", "31002500005678", date(2025, 10, 8), "首期款"),
    (2, 0, "上海绿立方园艺有限公司", "14000", "31002500009012", date(2025, 8, 20), "绿墙模块"),
)
# How the projects ended: the lights were finished; the green wall died for lack of upkeep (烂尾).
OUTCOMES_2025 = (
    (0, ProposalStatus.COMPLETED, ""),
    (2, ProposalStatus.ABANDONED, "认养居民搬离后无人浇水，植物枯死"),
)


def _receipt(invoice: str, amount: str) -> bytes:
    """A phone photo of a paper invoice, small: a white slip with its number and amount."""
    slip = Image.new("RGB", (360, 480), (250, 248, 240))
    pen = ImageDraw.Draw(slip)
    pen.rectangle((16, 16, 343, 463), outline=(180, 40, 40), width=3)
    pen.text((36, 48), f"FAPIAO No. {invoice}", fill=(40, 40, 40))
    pen.text((36, 96), f"CNY {amount}.00", fill=(40, 40, 40))
    for row in range(160, 420, 32):
        pen.line((36, row, 324, row), fill=(200, 200, 200))
    out = BytesIO()
    slip.save(out, "PNG")
    return out.getvalue()


def pay_2025_deliveries(
    session: Session, treasurer: Viewer, chair: Viewer, fund_id: int, winners: list[int]
) -> None:
    """The winners' works start, their invoices are paid on request and approval, and the
    projects that ended are closed."""
    for proposal_id in winners[:3]:
        proposals.change_proposal_status(
            session, chair, proposal_id=proposal_id, to_status=ProposalStatus.IN_PROGRESS
        )
    budgets = {b.proposal_id: b for b in expenses.budget_vs_actual(session, fund_id=fund_id)}
    for winner, line, payee, amount, invoice, paid_on, what in DELIVERIES_2025:
        proposal_id = winners[winner]
        request_id = expenses.request_payment(
            session,
            treasurer,
            fund_id=fund_id,
            proposal_id=proposal_id,
            line_item_id=budgets[proposal_id].lines[line].line_item_id,
            amount=amount,
            payee=payee,
            purpose=f"{budgets[proposal_id].title}：{what}",
            invoice_number=invoice,
            occurred_on=paid_on,
            receipt_name=f"发票{invoice}.png",
            receipt_data=_receipt(invoice, amount),
        )
        expenses.approve_payment(session, chair, request_id=request_id)
    for winner, outcome, reason in OUTCOMES_2025:
        proposals.change_proposal_status(
            session, chair, proposal_id=winners[winner], to_status=outcome, reason=reason
        )
