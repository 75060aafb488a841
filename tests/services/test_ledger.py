from datetime import date

import pytest
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, func, select

from models import AuditEntry, LedgerEntry
from services import ledger
from services.errors import Conflict, InvalidInput, NotAllowed, Overspend
from services.proposals import (
    LineItemInput,
    PledgeInput,
    ProposalDraft,
)
from tests.world import World, pay_project, through_the_vote

DAY = date(2026, 3, 1)


def entries(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LedgerEntry)).one()


def donate(world: World, amount: str = "500", **extra) -> int:
    return ledger.record_donation(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        amount=amount,
        donor=extra.pop("donor", "Resident Wang"),
        purpose="Annual donation",
        occurred_on=DAY,
        **extra,
    )


def test_donation_adds_to_the_balance_exactly_in_fen(world: World) -> None:
    donate(world, "1,234.50")
    donate(world, "0.10")
    donate(world, "0.20")
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert balance.money_in_fen == 123_480
    assert balance.cash_fen == balance.available_fen == 123_480


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-50", "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("abc", "amount_malformed"),
        ("1.234", "amount_sub_fen"),
        ("NaN", "amount_malformed"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_stored(
    world: World, amount: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        donate(world, amount)
    assert raised.value.code == code
    assert entries(world.session) == 0


def test_anonymous_donor_is_hidden_on_the_notice_but_kept_in_the_books(world: World) -> None:
    donate(world, "100", donor="Old Mr Li", is_anonymous=True)
    public = ledger.ledger_lines(world.session, fund_id=world.fund_a)
    assert public[0].counterparty == ""
    books = ledger.books(world.session, world.viewer("reviewer"), fund_id=world.fund_a)
    assert books[0].counterparty == "Old Mr Li"
    with pytest.raises(NotAllowed):
        ledger.books(world.session, world.viewer("resident_a1"), fund_id=world.fund_a)


def test_a_resident_cannot_record_money(world: World) -> None:
    with pytest.raises(NotAllowed):
        ledger.record_donation(
            world.session,
            world.viewer("resident_a1"),
            fund_id=world.fund_a,
            amount="50",
            donor="me",
            purpose="x",
            occurred_on=DAY,
        )
    with pytest.raises(NotAllowed):  # a treasurer of another community neither
        ledger.record_donation(
            world.session,
            world.viewer("treasurer_b"),
            fund_id=world.fund_a,
            amount="50",
            donor="me",
            purpose="x",
            occurred_on=DAY,
        )
    assert entries(world.session) == 0


def _selected_proposal(world: World) -> int:
    draft = ProposalDraft(
        place_id=world.compound_a1,
        title="Benches",
        summary="Benches for the elderly",
        category="elderly_care",
        line_items=[LineItemInput("Bench", "public_facilities", 4, "1500")],
        co_funding=[PledgeInput("residents", "Households", "600")],
        maintenance_plan="Property manager checks monthly",
        maintainer="Property manager",
        maintenance_years=3,
    )
    return through_the_vote(world, draft, selected=True)


def test_allocation_earmarks_and_expenses_cannot_overspend_it(world: World) -> None:
    treasurer = world.viewer("treasurer_a")
    donate(world, "10000")
    proposal_id = _selected_proposal(world)
    ledger.allocate_to_proposal(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="5400",
        occurred_on=DAY,
    )
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert (balance.cash_fen, balance.earmarked_fen, balance.available_fen) == (
        1_000_000,
        540_000,
        460_000,
    )
    pay_project(world, proposal_id, "5000", invoice="FP-001")
    before = entries(world.session)
    with pytest.raises(Overspend) as raised:
        pay_project(world, proposal_id, "400.01", invoice="FP-002")
    assert raised.value.params == {"available_fen": 40_000, "amount_fen": 40_001}
    assert entries(world.session) == before
    with pytest.raises(Overspend):  # unearmarked money only: 4,600 available
        ledger.record_expense(
            world.session,
            treasurer,
            fund_id=world.fund_a,
            amount="4600.01",
            payee="x",
            purpose="y",
            invoice_number="FP-003",
            occurred_on=DAY,
        )
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert (balance.cash_fen, balance.earmarked_fen) == (500_000, 40_000)


def test_expense_needs_an_invoice_number(world: World) -> None:
    donate(world, "100")
    with pytest.raises(InvalidInput) as raised:
        ledger.record_expense(
            world.session,
            world.viewer("treasurer_a"),
            fund_id=world.fund_a,
            amount="10",
            payee="Shop",
            purpose="Screws",
            invoice_number="  ",
            occurred_on=DAY,
        )
    assert raised.value.params == {"field": "invoice_number"}


def test_reversal_corrects_without_editing(world: World) -> None:
    entry_id = donate(world, "300")
    ledger.reverse_entry(
        world.session,
        world.viewer("treasurer_a"),
        entry_id=entry_id,
        reason="Typed twice",
        occurred_on=DAY,
    )
    assert ledger.fund_balance(world.session, world.fund_a).cash_fen == 0
    with pytest.raises(Conflict) as twice:
        ledger.reverse_entry(
            world.session,
            world.viewer("treasurer_a"),
            entry_id=entry_id,
            reason="again",
            occurred_on=DAY,
        )
    assert twice.value.code == "entry_already_reversed"
    world.session.rollback()
    with pytest.raises(InvalidInput) as undo_the_undo:
        ledger.reverse_entry(
            world.session,
            world.viewer("treasurer_a"),
            entry_id=entry_id + 1,
            reason="a reversal is corrected by a new entry",
            occurred_on=DAY,
        )
    assert undo_the_undo.value.code == "reversal_not_reversible"
    assert entries(world.session) == 2


def test_reversing_an_earmark_frees_it_without_moving_cash(world: World) -> None:
    treasurer = world.viewer("treasurer_a")
    donate(world, "10000")
    proposal_id = _selected_proposal(world)
    allocation = ledger.allocate_to_proposal(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="5400",
        occurred_on=DAY,
    )
    ledger.reverse_entry(
        world.session, treasurer, entry_id=allocation, reason="Project cancelled", occurred_on=DAY
    )
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert (balance.cash_fen, balance.earmarked_fen, balance.available_fen) == (
        1_000_000,
        0,
        1_000_000,
    )


def test_the_database_refuses_to_edit_or_delete_ledger_entries(world: World) -> None:
    entry_id = donate(world, "80")
    entry = world.session.get(LedgerEntry, entry_id)
    assert entry is not None
    entry.amount_fen = 1
    world.session.add(entry)
    with pytest.raises(DatabaseError):
        world.session.commit()
    world.session.rollback()
    world.session.delete(world.session.get(LedgerEntry, entry_id))
    with pytest.raises(DatabaseError):
        world.session.commit()
    world.session.rollback()
    assert world.session.get(LedgerEntry, entry_id).amount_fen == 8000  # type: ignore[union-attr]


def test_every_entry_is_audited_in_the_same_transaction(world: World) -> None:
    entry_id = donate(world, "50")
    audit = world.session.exec(select(AuditEntry).where(AuditEntry.entity == "ledgerentry")).one()
    assert audit.entity_id == entry_id
    assert audit.after["amount_fen"] == 5000  # type: ignore[index]
    assert audit.actor_id == world.people["treasurer_a"]


def test_fund_ledger_shows_the_books_only_where_the_role_reaches(world: World) -> None:
    donate(world, "100", donor="Old Mr Li", is_anonymous=True)
    own = ledger.fund_ledger(world.session, world.viewer("treasurer_b"), fund_id=world.fund_b)
    other = ledger.fund_ledger(world.session, world.viewer("treasurer_b"), fund_id=world.fund_a)
    mine = ledger.fund_ledger(world.session, world.viewer("treasurer_a"), fund_id=world.fund_a)
    assert (own.full_books, other.full_books, mine.full_books) == (True, False, True)
    assert other.lines[0].counterparty == "" and mine.lines[0].counterparty == "Old Mr Li"
