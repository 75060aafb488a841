"""Spending where raised (钱从小区来，就用在小区里) at a payment and at a designated gift: the
first a charter rule the chair may let through in public, the second refused outright."""

from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import select

from models import CharterException, PaymentRequest, ProposalLineItem
from models.vocabulary import CharterStage
from services import expenses, ledger, notice
from services.errors import CharterViolation, InvalidInput, NotAllowed
from tests.services.test_charters import REASON, adopt, broken, count, draft
from tests.services.test_expenses import upload_dir  # noqa: F401 (fixture)
from tests.services.test_ledger import DAY, donate
from tests.services.test_uploads import photo_bytes
from tests.street import fingerprint
from tests.world import World, through_the_vote


@pytest.fixture
def elsewhere(world: World) -> tuple[int, int]:
    """Xinhua's benches, in community B, given 1,000 yuan by community A's fund while its
    charter still pooled its money (the world's first version)."""
    donate(world, "10000")
    proposal_id = through_the_vote(
        world,
        replace(draft(world), place_id=world.compound_b1, title="Xinhua benches"),
        selected=True,
        side="b",
    )
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="1000",
        occurred_on=DAY,
    )
    line_id = world.session.exec(
        select(ProposalLineItem.id).where(ProposalLineItem.proposal_id == proposal_id)
    ).one()
    return proposal_id, line_id


def request(world: World, funded: tuple[int, int], **extra: Any) -> int:
    proposal_id, line_id = funded
    return expenses.request_payment(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        line_item_id=line_id,
        amount="300",
        payee="Hongxing Furniture",
        purpose="Bench bolts",
        invoice_number="INV-2026-078",
        occurred_on=DAY,
        receipt_name="bolts.jpg",
        receipt_data=photo_bytes(),
        **extra,
    )


def test_a_pooling_charter_pays_a_project_outside_the_fund_place(
    world: World, elsewhere: tuple[int, int]
) -> None:
    """Once a hard refusal whatever the charter said: money it let the fund earmark could
    never be paid."""
    request_id = request(world, elsewhere)
    entry_id = expenses.approve_payment(
        world.session, world.viewer("member_a"), request_id=request_id
    )
    assert entry_id > 0
    assert ledger.fund_balance(world.session, world.fund_a).cash_fen == 9700_00
    assert count(world, CharterException) == 0


def test_spent_where_raised_at_payment_asks_the_chair_of_the_fund_place(
    world: World, elsewhere: tuple[int, int]
) -> None:
    adopt(world, spend_where_raised=True)  # adopted after the allocation
    before = fingerprint(world.session)
    with pytest.raises(CharterViolation) as raised:
        request(world, elsewhere)
    assert broken(raised) == [("charter_spend_where_raised", "proposal")]
    assert fingerprint(world.session) == before
    request_id = request(world, elsewhere, ask_exception=True)
    (row,) = expenses.payment_requests(
        world.session, world.viewer("member_a"), fund_id=world.fund_a
    )
    assert [(b.rule, b.field) for b in row.breaches] == [("charter_spend_where_raised", "proposal")]
    waiting = fingerprint(world.session)
    with pytest.raises(CharterViolation):
        expenses.approve_payment(world.session, world.viewer("member_a"), request_id=request_id)
    with pytest.raises(NotAllowed):  # B's chair has no say over A's money
        expenses.approve_payment(
            world.session, world.viewer("chair_b"), request_id=request_id, override_reason=REASON
        )
    assert fingerprint(world.session) == waiting
    expenses.approve_payment(
        world.session, world.viewer("chair_a"), request_id=request_id, override_reason=REASON
    )
    paid = world.session.get(PaymentRequest, request_id)
    assert paid is not None and paid.status == "approved"
    (exception,) = world.session.exec(select(CharterException)).all()
    assert (exception.stage, exception.rules) == (
        CharterStage.PAYMENT,
        ["charter_spend_where_raised"],
    )
    (shown,) = notice.notice_board(world.session).charter_exceptions
    assert (shown.proposal_title, shown.rules, shown.reason) == (
        "Xinhua benches",
        ["charter_spend_where_raised"],
        REASON,
    )


def test_a_gift_designated_for_a_project_outside_the_fund_is_refused(
    world: World, elsewhere: tuple[int, int]
) -> None:
    proposal_id, _ = elsewhere
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refused:
        donate(world, "100", proposal_id=proposal_id)
    assert (refused.value.code, refused.value.params["field"]) == (
        "donation_outside_fund",
        "proposal",
    )
    assert refused.value.params["fund"] == "Kangcheng micro-fund"
    assert fingerprint(world.session) == before


def test_a_gift_designated_for_a_project_in_the_fund_area_is_kept(world: World) -> None:
    proposal_id = through_the_vote(world, draft(world), selected=True)
    entry_id = donate(world, "100", proposal_id=proposal_id)
    assert ledger.fund_balance(world.session, world.fund_a).money_in_fen == 100_00
    assert entry_id > 0
