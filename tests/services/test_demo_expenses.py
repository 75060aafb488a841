"""The demo's 2025 payments went the way the app now requires, on both databases: each through
a request with its receipt, approved by a committee member who did not file it; the abandoned
green wall gave its unspent 3,500 yuan back."""

from sqlmodel import Session, select

from demo.street import load_demo
from models import LedgerEntry, PaymentRequest, Proposal
from services.ledger import fund_balances
from services.verify import check_books


def test_every_demo_payment_has_a_receipt_and_a_second_signature(session: Session) -> None:
    load_demo(session)
    paid = session.exec(select(LedgerEntry).where(LedgerEntry.kind == "expense")).all()
    assert sum(e.amount_fen for e in paid) == 33_360_00
    assert all(e.proposal_id is not None and e.receipt_attachment_id for e in paid)
    requests = session.exec(select(PaymentRequest)).all()
    assert {r.receipt_attachment_id for r in requests} == {e.receipt_attachment_id for e in paid}
    assert all(
        r.status == "approved" and r.decided_by_id not in (None, r.submitted_by_id)
        for r in requests
    )
    (released,) = session.exec(select(LedgerEntry).where(LedgerEntry.kind == "release")).all()
    wall = session.get(Proposal, released.proposal_id)
    assert wall is not None and (wall.title, wall.status) == ("垂直绿化墙", "abandoned")
    assert released.amount_fen == (17_500 - 14_000) * 100
    pingyang = next(b for b in fund_balances(session) if b.name == "平阳社区微基金")
    # 167,150 in; 33,360 out; 7,000 + 8,000 still earmarked for the two open projects.
    assert (pingyang.cash_fen, pingyang.earmarked_fen, pingyang.available_fen) == (
        (167_150 - 33_360) * 100,
        15_000_00,
        (167_150 - 33_360 - 15_000) * 100,
    )
    assert check_books(session).ok
