"""The demo's 2025 payments went the way the app now requires, on both databases: each through
a request with its receipt, approved by a committee member who did not file it; the abandoned
green wall gave its unspent 3,500 yuan back."""

from sqlmodel import Session, select

from models import LedgerEntry, PaymentRequest, Proposal
from services.ledger import fund_balances
from services.verify import check_books


def test_every_demo_payment_has_a_receipt_and_a_second_signature(demo_session: Session) -> None:
    paid = demo_session.exec(select(LedgerEntry).where(LedgerEntry.kind == "expense")).all()
    # the four 2025 deliveries (33,360), the volunteers' water let through by the chair (280),
    # and 万源社区's 2026 lights and reading corner (11,500 + 3,000: demo/indicators.py)
    assert sum(e.amount_fen for e in paid) == (33_360 + 280 + 14_500) * 100
    assert all(e.proposal_id is not None and e.receipt_attachment_id for e in paid)
    requests = demo_session.exec(select(PaymentRequest)).all()
    assert {r.receipt_attachment_id for r in requests} == {e.receipt_attachment_id for e in paid}
    assert all(
        r.status == "approved" and r.decided_by_id not in (None, r.submitted_by_id)
        for r in requests
    )
    releases = demo_session.exec(select(LedgerEntry).where(LedgerEntry.kind == "release")).all()
    # 万源's lights and reading corner gave back 500 and 4,000 (demo/indicators.py).
    assert sorted(e.amount_fen for e in releases) == [500_00, 3_500_00, 4_000_00]
    (released,) = [e for e in releases if e.amount_fen == 3_500_00]
    wall = demo_session.get(Proposal, released.proposal_id)
    assert wall is not None and (wall.title, wall.status) == ("垂直绿化墙", "abandoned")
    assert released.amount_fen == (17_500 - 14_000) * 100
    pingyang = next(b for b in fund_balances(demo_session) if b.name == "平阳社区微基金")
    # 333,600 in; out: 33,640 paid and 17,333.33 passed to the alliance's joint fund; still
    # earmarked: the dining tables' 14,000 less 7,280 paid, and the tool shed's 8,000 (the
    # tables' other 8,000 is the joint fund's own earmark, not this fund's).
    out = 33_640_00 + 17_333_33
    earmarked = (14_000 - 7_280 + 8_000) * 100
    assert (pingyang.cash_fen, pingyang.earmarked_fen, pingyang.available_fen) == (
        333_600_00 - out,
        earmarked,
        333_600_00 - out - earmarked,
    )
    joint = next(b for b in fund_balances(demo_session) if b.kind == "alliance")
    assert (joint.cash_fen, joint.earmarked_fen) == (43_333_33, 8_000_00)
    assert check_books(demo_session).ok
