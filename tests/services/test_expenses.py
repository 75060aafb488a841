"""Payment requests: a treasurer asks with a receipt, another committee member approves (and the
money moves through the ledger) or rejects with a reason; budget line vs actual, exactly."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models import Attachment, LedgerEntry, PaymentRequest, ProposalLineItem
from services import expenses, ledger, proposals
from services.accounts import viewer_for_person
from services.errors import InvalidInput, NotAllowed, Overspend, WrongPhase
from services.uploads import list_attachments
from services.verify import check_books
from tests.services.test_concurrency import outcomes, race
from tests.services.test_ledger import DAY, _selected_proposal, donate
from tests.services.test_uploads import pdf_bytes, photo_bytes
from tests.street import fingerprint
from tests.world import World, pay_project, receipt_png


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(folder))
    yield folder


@pytest.fixture
def funded(world: World) -> tuple[int, int]:
    """Benches (4 x 1,500 yuan on one line), 5,400 yuan allocated from a fund holding 10,000."""
    donate(world, "10000")
    proposal_id = _selected_proposal(world)
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="5400",
        occurred_on=DAY,
    )
    line_id = world.session.exec(
        select(ProposalLineItem.id).where(ProposalLineItem.proposal_id == proposal_id)
    ).one()
    return proposal_id, line_id


def ask(
    world: World,
    funded: tuple[int, int],
    amount: str = "1500",
    *,
    receipt: tuple[str, bytes] | None = None,
    invoice: str = "INV-2026-001",
) -> int:
    name, data = receipt or ("bench-invoice.jpg", photo_bytes())
    proposal_id, line_id = funded
    return expenses.request_payment(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        line_item_id=line_id,
        amount=amount,
        payee="Hongxing Furniture",
        purpose="First bench",
        invoice_number=invoice,
        occurred_on=DAY,
        receipt_name=name,
        receipt_data=data,
    )


def test_approved_by_another_member_pays_and_the_ledger_shows_it(
    world: World, funded: tuple[int, int]
) -> None:
    request_id = ask(world, funded, "1,499.50")
    before = ledger.fund_balance(world.session, world.fund_a)
    assert before.money_out_fen == 0  # asked, not paid
    entry_id = expenses.approve_payment(
        world.session, world.viewer("member_a"), request_id=request_id
    )
    entry = world.session.get(LedgerEntry, entry_id)
    request = world.session.get(PaymentRequest, request_id)
    assert entry is not None and request is not None
    assert (entry.kind, entry.amount_fen, entry.counterparty, entry.invoice_number) == (
        "expense",
        149_950,
        "Hongxing Furniture",
        "INV-2026-001",
    )
    assert entry.receipt_attachment_id == request.receipt_attachment_id
    assert (request.status, request.decided_by_id) == ("approved", world.people["member_a"])
    after = ledger.fund_balance(world.session, world.fund_a)
    assert (after.money_out_fen, after.cash_fen) == (149_950, 1_000_000 - 149_950)
    assert ledger.spent_fen(world.session, funded[0]) == 149_950
    lines = ledger.fund_ledger(world.session, world.viewer("resident_a1"), fund_id=world.fund_a)
    newest = lines.lines[0]
    assert (newest.kind, newest.amount_fen) == ("expense", 149_950)
    # Paid, the receipt is public with its ledger line.
    public = list_attachments(world.session, proposal_id=funded[0])
    assert [a.id for a in public] == [request.receipt_attachment_id]
    assert check_books(world.session).ok


def test_a_waiting_receipt_is_not_public(world: World, funded: tuple[int, int]) -> None:
    ask(world, funded)
    assert list_attachments(world.session, proposal_id=funded[0]) == []


def test_the_submitter_cannot_approve_their_own_request(
    world: World, funded: tuple[int, int]
) -> None:
    request_id = ask(world, funded)
    before = fingerprint(world.session)
    with pytest.raises(NotAllowed) as refusal:
        expenses.approve_payment(world.session, world.viewer("treasurer_a"), request_id=request_id)
    assert refusal.value.code == "approve_own_payment"
    assert fingerprint(world.session) == before


def test_a_resident_cannot_approve(world: World, funded: tuple[int, int]) -> None:
    request_id = ask(world, funded)
    before = fingerprint(world.session)
    with pytest.raises(NotAllowed):
        expenses.approve_payment(world.session, world.viewer("resident_a1"), request_id=request_id)
    assert fingerprint(world.session) == before


def test_overspend_at_approval_is_refused_and_changes_nothing(
    world: World, funded: tuple[int, int]
) -> None:
    first = ask(world, funded, "3000", invoice="INV-1")
    second = ask(world, funded, "3000", receipt=("second.pdf", pdf_bytes()), invoice="INV-2")
    expenses.approve_payment(world.session, world.viewer("member_a"), request_id=first)
    before = fingerprint(world.session)
    with pytest.raises(Overspend) as refusal:
        expenses.approve_payment(world.session, world.viewer("chair_a"), request_id=second)
    assert refusal.value.code == "overspend_allocation"
    assert fingerprint(world.session) == before
    assert world.session.get(PaymentRequest, second).status == "submitted"  # type: ignore[union-attr]


def test_rejection_needs_a_reason_and_pays_nothing(world: World, funded: tuple[int, int]) -> None:
    request_id = ask(world, funded)
    before = fingerprint(world.session)
    for blank in ("", "   "):
        with pytest.raises(InvalidInput):
            expenses.reject_payment(
                world.session, world.viewer("member_a"), request_id=request_id, reason=blank
            )
    assert fingerprint(world.session) == before
    expenses.reject_payment(
        world.session, world.viewer("member_a"), request_id=request_id, reason="No stamp on it"
    )
    request = world.session.get(PaymentRequest, request_id)
    assert request is not None
    assert (request.status, request.reason) == ("rejected", "No stamp on it")
    assert ledger.fund_balance(world.session, world.fund_a).money_out_fen == 0
    with pytest.raises(WrongPhase):
        expenses.approve_payment(world.session, world.viewer("chair_a"), request_id=request_id)


def test_the_receipt_is_required_and_checked(world: World, funded: tuple[int, int]) -> None:
    before = fingerprint(world.session)
    for name, data, code in (
        ("receipt.exe", b"MZ\x90\x00" + b"\x00" * 64, "upload_type_not_allowed"),
        ("receipt.jpg", b"", "upload_empty"),
        ("", photo_bytes(), "field_required"),
    ):
        with pytest.raises(InvalidInput) as refusal:
            ask(world, funded, receipt=(name, data))
        assert refusal.value.code == code, name
    assert fingerprint(world.session) == before
    assert world.session.exec(select(Attachment)).all() == []


def test_a_line_of_another_proposal_is_refused(world: World, funded: tuple[int, int]) -> None:
    other = world.session.exec(
        select(ProposalLineItem.id).where(ProposalLineItem.proposal_id != funded[0])
    ).first()
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput):
        ask(world, (funded[0], other or 10_000))
    assert fingerprint(world.session) == before


def test_two_approvals_at_once_pay_once(
    world: World, engine: Engine, funded: tuple[int, int]
) -> None:
    request_id = ask(world, funded)
    approvers = [world.people[name] for name in ("member_a", "chair_a", "secretary_a")] * 4

    def approve(person_id: int):  # type: ignore[no-untyped-def]
        def call(session: Session) -> int:
            return expenses.approve_payment(
                session, viewer_for_person(session, person_id), request_id=request_id
            )

        return call

    results = race(world, engine, [approve(p) for p in approvers])
    assert outcomes(results)["ok"] == 1
    world.session.rollback()
    paid = world.session.exec(select(LedgerEntry).where(LedgerEntry.kind == "expense")).all()
    assert [entry.amount_fen for entry in paid] == [150_000]
    assert check_books(world.session).ok


def test_budget_line_vs_actual_is_exact(world: World, funded: tuple[int, int]) -> None:
    paid = ask(world, funded, "1,480.25", invoice="INV-1")
    waiting = ask(world, funded, "700", receipt=("b.pdf", pdf_bytes()), invoice="INV-2")
    rejected = ask(world, funded, "99", receipt=("c.pdf", pdf_bytes(8)), invoice="INV-3")
    member = world.viewer("member_a")
    expenses.approve_payment(world.session, member, request_id=paid)
    expenses.reject_payment(world.session, member, request_id=rejected, reason="Duplicate")
    (budget,) = expenses.budget_vs_actual(world.session, fund_id=world.fund_a)
    assert (budget.proposal_id, budget.title) == (funded[0], "Benches")
    assert [(b.planned_fen, b.actual_fen, b.waiting_fen, b.left_fen) for b in budget.lines] == [
        (600_000, 148_025, 70_000, 451_975)
    ]
    assert (budget.planned_fen, budget.actual_fen) == (600_000, 148_025)
    rows = expenses.payment_requests(world.session, member, fund_id=world.fund_a)
    assert [(r.id, r.status, r.may_decide) for r in rows] == [
        (waiting, "submitted", True),
        (rejected, "rejected", False),
        (paid, "approved", False),
    ]
    mine = expenses.payment_requests(
        world.session, world.viewer("treasurer_a"), fund_id=world.fund_a
    )
    assert [r.may_decide for r in mine] == [False, False, False]  # never one's own
    # A reversed payment no longer counts as spent on its line.
    entry_id = world.session.exec(select(LedgerEntry.id).where(LedgerEntry.kind == "expense")).one()
    ledger.reverse_entry(
        world.session,
        world.viewer("treasurer_a"),
        entry_id=entry_id,
        reason="Paid twice by the bank",
        occurred_on=date(2026, 3, 2),
    )
    (budget,) = expenses.budget_vs_actual(world.session, fund_id=world.fund_a)
    assert [(b.actual_fen, b.waiting_fen) for b in budget.lines] == [(0, 70_000)]


def _move(world: World, proposal_id: int, status: str, who: str = "chair_a") -> None:
    proposals.change_proposal_status(
        world.session, world.viewer(who), proposal_id=proposal_id, to_status=status, reason="Done"
    )


def test_closing_a_project_gives_its_unspent_money_back(
    world: World, funded: tuple[int, int]
) -> None:
    """10,000 in; 5,400 allocated, 1,500 paid, 700 asked: 3,900 earmarked, 4,600 free. Closed,
    the 3,900 goes back (one release entry), 8,500 is free, and nothing more can be paid."""
    proposal_id = funded[0]
    expenses.approve_payment(world.session, world.viewer("member_a"), request_id=ask(world, funded))
    waiting = ask(world, funded, "700", receipt=("b.pdf", pdf_bytes()), invoice="INV-2026-002")
    before = ledger.fund_balance(world.session, world.fund_a)
    assert (before.cash_fen, before.earmarked_fen, before.available_fen) == (
        850_000,
        390_000,
        460_000,
    )
    _move(world, proposal_id, "in_progress")
    _move(world, proposal_id, "completed")
    after = ledger.fund_balance(world.session, world.fund_a)
    assert (after.cash_fen, after.earmarked_fen, after.available_fen) == (850_000, 0, 850_000)
    assert after.available_fen - before.available_fen == 5400_00 - 1500_00
    (release,) = world.session.exec(select(LedgerEntry).where(LedgerEntry.kind == "release")).all()
    assert (release.amount_fen, release.source_fund_id, release.proposal_id) == (
        390_000,
        world.fund_a,
        proposal_id,
    )
    (budget,) = expenses.budget_vs_actual(world.session, fund_id=world.fund_a)
    assert (budget.allocated_fen, budget.spent_fen, budget.returned_fen, budget.unspent_fen) == (
        540_000,
        150_000,
        390_000,
        0,
    )
    # The review still measures spending against what was allocated: 1,500 of 5,400.
    assert ledger.allocated_fen(world.session, proposal_id) == 540_000
    assert check_books(world.session).ok
    # A closed project is paid nothing more, gets no more money, and its release stands.
    untouched = fingerprint(world.session)
    refusals = (
        lambda: expenses.approve_payment(
            world.session, world.viewer("member_a"), request_id=waiting
        ),
        lambda: ask(world, funded, "10", receipt=("c.pdf", pdf_bytes(8)), invoice="INV-3"),
        lambda: ledger.allocate_to_proposal(
            world.session,
            world.viewer("treasurer_a"),
            fund_id=world.fund_a,
            proposal_id=proposal_id,
            amount="10",
            occurred_on=DAY,
        ),
    )
    for refused in refusals:
        with pytest.raises(InvalidInput) as raised:
            refused()
        assert raised.value.code == "proposal_not_fundable"
        world.session.rollback()
    allocation = world.session.exec(
        select(LedgerEntry.id).where(LedgerEntry.kind == "allocation")
    ).one()
    for entry_id in (release.id, allocation):
        with pytest.raises(InvalidInput):
            ledger.reverse_entry(
                world.session,
                world.viewer("treasurer_a"),
                entry_id=entry_id,  # type: ignore[arg-type]
                reason="undo",
                occurred_on=DAY,
            )
        world.session.rollback()
    assert fingerprint(world.session) == untouched


def test_an_abandoned_project_gives_back_all_and_a_spent_one_nothing(
    world: World, funded: tuple[int, int]
) -> None:
    _move(world, funded[0], "abandoned")
    assert ledger.fund_balance(world.session, world.fund_a).available_fen == 1_000_000
    (release,) = world.session.exec(select(LedgerEntry).where(LedgerEntry.kind == "release")).all()
    assert release.amount_fen == 540_000
    # All spent: closing writes no entry.
    spent = _selected_proposal(world)
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=spent,
        amount="300",
        occurred_on=DAY,
    )
    pay_project(world, spent, "300", invoice="INV-ALL")
    _move(world, spent, "in_progress")
    _move(world, spent, "completed")
    releases = world.session.exec(select(LedgerEntry).where(LedgerEntry.kind == "release")).all()
    assert [r.proposal_id for r in releases] == [funded[0]]
    fund = expenses.fund_budget(world.session, fund_id=world.fund_a)
    assert (fund.planned_fen, fund.allocated_fen, fund.spent_fen, fund.returned_fen) == (
        1_200_000,
        570_000,
        30_000,
        540_000,
    )
    assert fund.unspent_fen == 0
    assert check_books(world.session).ok


def test_two_closings_at_once_release_once(
    world: World, engine: Engine, funded: tuple[int, int]
) -> None:
    _move(world, funded[0], "in_progress")
    people = [world.people[name] for name in ("chair_a", "member_a", "treasurer_a")] * 4

    def close(number: int, person_id: int):  # type: ignore[no-untyped-def]
        def call(session: Session) -> None:
            proposals.change_proposal_status(
                session,
                viewer_for_person(session, person_id),
                proposal_id=funded[0],
                to_status="completed" if number % 2 else "abandoned",
                reason="Done",
            )

        return call

    results = race(world, engine, [close(n, p) for n, p in enumerate(people)])
    assert outcomes(results)["ok"] == 1
    world.session.rollback()
    releases = world.session.exec(select(LedgerEntry).where(LedgerEntry.kind == "release")).all()
    assert [r.amount_fen for r in releases] == [540_000]
    assert check_books(world.session).ok


def test_a_payment_and_the_closing_at_once_leave_nothing_earmarked(
    world: World, engine: Engine, funded: tuple[int, int]
) -> None:
    """Whichever comes first: paid then 3,900 released, or closed then the payment refused."""
    _move(world, funded[0], "in_progress")
    request_id = ask(world, funded)
    chair, member = world.people["chair_a"], world.people["member_a"]

    def close(session: Session) -> None:
        proposals.change_proposal_status(
            session, viewer_for_person(session, chair), proposal_id=funded[0], to_status="completed"
        )

    def approve(session: Session) -> int:
        return expenses.approve_payment(
            session, viewer_for_person(session, member), request_id=request_id
        )

    results = race(world, engine, [close, approve])
    assert outcomes(results) in ({"ok": 2}, {"ok": 1, "proposal_not_fundable": 1})
    world.session.rollback()
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert balance.earmarked_fen == 0
    assert balance.money_out_fen + balance.available_fen == 1_000_000
    assert check_books(world.session).ok


def test_a_project_funded_by_two_funds_spends_each_funds_own_earmark(
    world: World, funded: tuple[int, int]
) -> None:
    """5,400 from community A's fund and 3,000 from the street's (as an alliance's joint fund
    adds to a community's project): each fund promises only its own part, and A's treasurer
    cannot pay 6,000 out of A's fund on the strength of the street's 3,000."""
    proposal_id, _ = funded
    session = world.session
    session.add(
        LedgerEntry(
            kind="grant",
            amount_fen=20_000_00,
            destination_fund_id=world.street_fund,
            counterparty="district",
            purpose="seed money",
            occurred_on=DAY,
        )
    )
    session.add(
        LedgerEntry(
            kind="allocation",
            amount_fen=3_000_00,
            source_fund_id=world.street_fund,
            proposal_id=proposal_id,
            purpose="the street's part",
            occurred_on=DAY,
        )
    )
    session.commit()
    assert ledger.allocated_fen(session, proposal_id) == 8_400_00
    assert ledger.fund_balance(session, world.fund_a).earmarked_fen == 5_400_00
    assert ledger.fund_balance(session, world.street_fund).earmarked_fen == 3_000_00
    with pytest.raises(Overspend) as refused:
        expenses.approve_payment(
            session, world.viewer("member_a"), request_id=ask(world, funded, "5400.01")
        )
    assert refused.value.code == "overspend_allocation"
    assert session.exec(select(LedgerEntry).where(LedgerEntry.kind == "expense")).all() == []
    expenses.approve_payment(
        session,
        world.viewer("member_a"),
        request_id=ask(
            world, funded, "5400", invoice="INV-2", receipt=("second.png", receipt_png("INV-2"))
        ),
    )
    assert ledger.fund_balance(session, world.fund_a).earmarked_fen == 0
    assert ledger.fund_balance(session, world.street_fund).earmarked_fen == 3_000_00
    # the books' replay agrees, each fund's earmark apart; it only notes the two entries this
    # test wrote straight into the store, past the audit trail
    problems = check_books(session).problems
    assert {p.code for p in problems} == {"entry_unaudited"} and len(problems) == 2
