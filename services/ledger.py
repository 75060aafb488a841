"""The public ledger: every yuan in or out, per fund, append-only and hash-chained.

Cash balance = money in - money out. Allocations are earmarks for a funded proposal: they do
not move cash, but what is earmarked and not yet spent cannot be spent on anything else, and a
proposal's expenses can never exceed its allocation (no overspend, enforced here, not in the UI).

A project's money is paid out only through a payment request that a second committee member
approves (``services.expenses``); ``record_expense`` is left for the fund's own costs that no
project owns (bank charges, the yearly audit), which name no project and no earmark. When a
project closes (completed or abandoned), what its allocation did not spend is released back to
the fund as a ``release`` entry: the earmark ends, the fund's free money rises by exactly that.

Every use case that moves money out of a fund, or reverses an entry, takes the books' lock
before it reads a balance: concurrent requests are decided one after another, each on the
balance the previous one left. The lock is the one the hash chain is written under
(``models.chain``), so the check, the entry and its place in the chain are one step.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from models import (
    Attachment,
    Campaign,
    Contribution,
    Fund,
    LedgerEntry,
    Person,
    Proposal,
)
from models.clock import today
from models.vocabulary import (
    AttachmentKind,
    ContributionKind,
    DonorKind,
    LedgerKind,
)
from services.charters import outside_area, refuse, require_passed_down
from services.common import (
    bounded_int,
    choice,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput, Overspend, WrongPhase
from services.permissions import Action, Viewer, can
from services.workflow import FUNDABLE, campaign_takes_gifts

# Allocations and releases only mark money for a project and free it again: no cash moves.
EARMARK_KINDS = (LedgerKind.ALLOCATION, LedgerKind.RELEASE)
CASH_KINDS = tuple(k.value for k in LedgerKind if k not in EARMARK_KINDS)


@dataclass(frozen=True)
class FundBalance:
    fund_id: int
    name: str
    kind: str
    place_id: int | None
    money_in_fen: int
    money_out_fen: int
    earmarked_fen: int  # allocated to proposals and not yet spent

    @property
    def cash_fen(self) -> int:
        return self.money_in_fen - self.money_out_fen

    @property
    def available_fen(self) -> int:
        return self.cash_fen - self.earmarked_fen


def not_reversed() -> ColumnElement[bool]:
    """The condition every figure of the books applies: the entry has not been undone by a
    reversal (a subquery of the reversed ids, never loaded into Python)."""
    undone = select(col(LedgerEntry.reverses_entry_id)).where(
        col(LedgerEntry.reverses_entry_id).is_not(None)
    )
    return col(LedgerEntry.id).not_in(undone)


def _by_proposal(
    session: Session, *conditions: Any, proposal_ids: Collection[int] | None = None
) -> dict[int, int]:
    if proposal_ids is not None and not proposal_ids:
        return {}  # a fund that funds no project: nothing to read
    query = select(LedgerEntry.proposal_id, func.sum(LedgerEntry.amount_fen)).where(
        col(LedgerEntry.proposal_id).is_not(None), *conditions
    )
    if proposal_ids is not None:
        query = query.where(col(LedgerEntry.proposal_id).in_(proposal_ids))
    return {
        pid: int(total)
        for pid, total in session.exec(query.group_by(col(LedgerEntry.proposal_id)))
        if pid is not None
    }


def _named(proposal_id: int | None) -> list[int] | None:
    return None if proposal_id is None else [proposal_id]


def _allocated(session: Session, proposal_ids: Collection[int] | None) -> dict[int, int]:
    return _by_proposal(
        session,
        LedgerEntry.kind == LedgerKind.ALLOCATION,
        not_reversed(),
        proposal_ids=proposal_ids,
    )


def _spent(session: Session, proposal_ids: Collection[int] | None) -> dict[int, int]:
    spent = _by_proposal(session, LedgerEntry.kind == LedgerKind.EXPENSE, proposal_ids=proposal_ids)
    refunded = _by_proposal(
        session,
        LedgerEntry.kind == LedgerKind.REVERSAL,
        col(LedgerEntry.destination_fund_id).is_not(None),
        proposal_ids=proposal_ids,
    )
    return {pid: spent.get(pid, 0) - refunded.get(pid, 0) for pid in spent.keys() | refunded.keys()}


def allocated_by_proposal(session: Session, proposal_id: int | None = None) -> dict[int, int]:
    """Allocations not reversed, per proposal (every proposal unless one is named); what a
    closed project gave back is not taken off: the review compares spending with this."""
    return _allocated(session, _named(proposal_id))


def spent_by_proposal(session: Session, proposal_id: int | None = None) -> dict[int, int]:
    """Expenses less the refunds of reversed expenses (reversals that pay a fund back), per
    proposal (every proposal unless one is named)."""
    return _spent(session, _named(proposal_id))


def allocated_fen(session: Session, proposal_id: int) -> int:
    return allocated_by_proposal(session, proposal_id).get(proposal_id, 0)


def spent_fen(session: Session, proposal_id: int) -> int:
    return spent_by_proposal(session, proposal_id).get(proposal_id, 0)


def _moves_cash() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Cash entries: everything but earmarks and the reversals of earmarks."""
    allocation_ids = select(LedgerEntry.id).where(LedgerEntry.kind == LedgerKind.ALLOCATION)
    return (
        col(LedgerEntry.kind).in_(CASH_KINDS),
        or_(
            col(LedgerEntry.reverses_entry_id).is_(None),
            col(LedgerEntry.reverses_entry_id).not_in(allocation_ids),
        ),
    )


def _cash_by_fund(session: Session, side: Any, fund_ids: Collection[int] | None) -> dict[int, int]:
    query = select(side, func.sum(LedgerEntry.amount_fen)).where(side.is_not(None), *_moves_cash())
    if fund_ids is not None:
        query = query.where(side.in_(fund_ids))
    return {fund_id: int(total) for fund_id, total in session.exec(query.group_by(side))}


def _balances(session: Session, funds: list[Fund], *, every_fund: bool) -> list[FundBalance]:
    """A handful of grouped queries for any number of funds: the notice board runs this on
    every visit for every fund; a money move, for its own fund only, reading that fund's
    entries (indexed) rather than the whole ledger. A fund's earmark is what it allocated to
    open projects and they have neither spent from it nor been released."""
    fund_ids = None if every_fund else [id_of(fund) for fund in funds]
    money_in = _cash_by_fund(session, col(LedgerEntry.destination_fund_id), fund_ids)
    money_out = _cash_by_fund(session, col(LedgerEntry.source_fund_id), fund_ids)
    proposal_ids: set[int] | None = None
    if fund_ids is not None:  # only the projects these funds allocated to
        allocations = select(LedgerEntry.proposal_id).where(
            LedgerEntry.kind == LedgerKind.ALLOCATION, col(LedgerEntry.source_fund_id).in_(fund_ids)
        )
        proposal_ids = {pid for pid in session.exec(allocations) if pid is not None}
    earmarked: dict[int, int] = {}
    for (fund_id, _), left in _earmarks(session, proposal_ids=proposal_ids).items():
        earmarked[fund_id] = earmarked.get(fund_id, 0) + max(0, left)
    return [
        FundBalance(
            fund_id=id_of(fund),
            name=fund.name,
            kind=fund.kind,
            place_id=fund.place_id,
            money_in_fen=money_in.get(id_of(fund), 0),
            money_out_fen=money_out.get(id_of(fund), 0),
            earmarked_fen=earmarked.get(id_of(fund), 0),
        )
        for fund in funds
    ]


def fund_balance(session: Session, fund_id: int) -> FundBalance:
    return _balances(session, [get_or_fail(session, Fund, fund_id)], every_fund=False)[0]


def fund_balances(session: Session) -> list[FundBalance]:
    funds = list(session.exec(select(Fund).order_by(col(Fund.id))))
    return _balances(session, funds, every_fund=True)


def _require_within(amount_fen: int, available_fen: int, code: str = "overspend_fund") -> None:
    if amount_fen > available_fen:
        raise Overspend(code, available_fen=available_fen, amount_fen=amount_fen)


def append_entry(session: Session, viewer: Viewer, entry: LedgerEntry, action: str) -> int:
    """The one way an entry enters the books: with its audit row, committed with whatever the
    caller added to the session. The caller has checked the rights and taken the books' lock."""
    session.add(entry)
    try:
        record_audit(session, viewer, action, entry)
    except Conflict:
        session.rollback()
        if entry.reverses_entry_id is None:
            raise
        # Only a writer that skipped the lock gets here: the schema's one-reversal rule.
        raise Conflict("entry_already_reversed") from None
    entry_id = id_of(entry)
    session.commit()
    return entry_id


def _receipt_number(session: Session, year: int) -> str:
    """The next of the year (JZ-2026-000123), under the books' lock: numbers are never reused,
    as entries are never removed. Sequential on purpose: it is written on a paper receipt, and
    the gift it opens shows nothing the public ledger does not (services.donors)."""
    prefix = f"JZ-{year}-"
    issued = session.exec(
        select(func.count()).where(col(LedgerEntry.receipt_number).startswith(prefix))
    ).one()
    return f"{prefix}{int(issued) + 1:06d}"


def _campaign_for_gift(
    session: Session, campaign_id: int, fund_id: int, proposal_id: int | None, occurred_on: date
) -> Campaign:
    """A gift to a campaign goes to the campaign's fund while it is open, up to its deadline,
    and is designated for the campaign's proposal, if it has one."""
    campaign = get_or_fail(session, Campaign, campaign_id)
    if campaign.fund_id != fund_id:
        raise InvalidInput("campaign_not_of_fund")
    if not campaign_takes_gifts(campaign.status, campaign.deadline, occurred_on):
        raise WrongPhase("campaign_closed")
    if proposal_id is not None and proposal_id != campaign.proposal_id:
        raise InvalidInput("campaign_not_of_fund")
    return campaign


def _require_in_area(session: Session, fund: Fund, proposal_id: int) -> None:
    """Money designated for a project outside the fund's place could never pay it (the fund
    pays only projects in its area, as a campaign's aim must be): refused, whatever the
    charter says, before the donor's money is mixed into the wrong fund."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    if fund.place_id is not None and not place_tree(session).covers(
        fund.place_id, proposal.place_id
    ):
        raise InvalidInput("donation_outside_fund", field="proposal", fund=fund.name)


def record_donation(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    amount: str,
    donor: str,
    purpose: str,
    occurred_on: date,
    is_anonymous: bool = False,
    proposal_id: int | None = None,
    donor_person_id: int | None = None,
    kind: str = LedgerKind.DONATION,
    donor_kind: str | None = None,
    campaign_id: int | None = None,
) -> int:
    """Donations, grants and self-generated revenue: money into a fund from outside the books.
    A donation is general, or designated for one proposal in the fund's area (directly or
    through a campaign), and gets a receipt number for its donor."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.RECORD_DONATION, fund.place_id)
    kind = choice(kind, LedgerKind, "kind")
    if kind not in (LedgerKind.DONATION, LedgerKind.GRANT, LedgerKind.REVENUE):
        raise InvalidInput("field_invalid", field="kind")
    is_gift = kind == LedgerKind.DONATION
    if donor_kind is not None:
        donor_kind = choice(donor_kind, DonorKind, "donor_kind")
    if not is_gift and (donor_kind is not None or campaign_id is not None):
        raise InvalidInput("field_invalid", field="donor_kind")
    if proposal_id is not None:
        _require_in_area(session, fund, proposal_id)
    if campaign_id is not None:
        proposal_id = _campaign_for_gift(
            session, campaign_id, fund_id, proposal_id, occurred_on
        ).proposal_id  # in the fund's area: checked when the campaign was opened
    if donor_person_id is not None:
        get_or_fail(session, Person, donor_person_id)
    entry = LedgerEntry(
        kind=kind,
        amount_fen=parse_yuan(amount),
        destination_fund_id=fund_id,
        counterparty=clean_text(donor, "donor", max_length=200),
        counterparty_person_id=donor_person_id,
        is_anonymous=is_anonymous,
        donor_kind=donor_kind,
        campaign_id=campaign_id,
        purpose=clean_text(purpose, "purpose", max_length=500),
        proposal_id=proposal_id,
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    if is_gift:
        lock_for_change(session)
        entry.receipt_number = _receipt_number(session, occurred_on.year)
    return append_entry(session, viewer, entry, f"record_{kind}")


def transfer_between_funds(
    session: Session,
    viewer: Viewer,
    *,
    source_fund_id: int,
    destination_fund_id: int,
    amount: str,
    purpose: str,
    occurred_on: date,
) -> int:
    """Seed money down the fund hierarchy (mother -> street -> community); money a charter
    keeps where it was raised goes only down (``services.charters``)."""
    source = get_or_fail(session, Fund, source_fund_id)
    destination = get_or_fail(session, Fund, destination_fund_id)
    require_at(session, viewer, Action.RECORD_EXPENSE, source.place_id)
    if source_fund_id == destination_fund_id:
        raise InvalidInput("field_invalid", field="destination")
    amount_fen = parse_yuan(amount)
    purpose = clean_text(purpose, "purpose", max_length=500)
    lock_for_change(session)
    _require_within(amount_fen, fund_balance(session, source_fund_id).available_fen)
    require_passed_down(session, source, destination)
    entry = LedgerEntry(
        kind=LedgerKind.TRANSFER,
        amount_fen=amount_fen,
        source_fund_id=source_fund_id,
        destination_fund_id=destination_fund_id,
        purpose=purpose,
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    return append_entry(session, viewer, entry, "transfer_between_funds")


def allocate_to_proposal(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    proposal_id: int,
    amount: str,
    occurred_on: date,
    purpose: str = "",
) -> int:
    """An earmark for a funded proposal, in the fund's area if its charter spends where the
    money was raised."""
    fund = get_or_fail(session, Fund, fund_id)
    proposal = get_or_fail(session, Proposal, proposal_id)
    require_at(session, viewer, Action.RECORD_EXPENSE, fund.place_id)
    if proposal.status not in FUNDABLE:
        raise InvalidInput("proposal_not_fundable", status=proposal.status)
    if (outside := outside_area(session, place_tree(session), fund, proposal.place_id)) is not None:
        refuse([outside])
    amount_fen = parse_yuan(amount)
    lock_for_change(session)
    session.refresh(proposal)  # a project closed meanwhile has released its money: none more
    if proposal.status not in FUNDABLE:
        raise InvalidInput("proposal_not_fundable", status=proposal.status)
    _require_within(amount_fen, fund_balance(session, fund_id).available_fen)
    entry = LedgerEntry(
        kind=LedgerKind.ALLOCATION,
        amount_fen=amount_fen,
        source_fund_id=fund_id,
        proposal_id=proposal_id,
        counterparty=proposal.title,
        purpose=clean_text(purpose or proposal.title, "purpose", max_length=500),
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    return append_entry(session, viewer, entry, "allocate_to_proposal")


def _check_receipt(
    session: Session, fund: Fund, proposal_id: int | None, attachment_id: int
) -> None:
    """Naming a receipt makes it public with the line: it must be a receipt of this payment's
    project, or of a project in the fund's area when the payment names none. (Whether the
    fund may pay a project outside its area is the charter's question, asked before.)"""
    receipt = get_or_fail(session, Attachment, attachment_id)
    owner = session.get(Proposal, receipt.proposal_id) if receipt.proposal_id else None
    if receipt.kind != AttachmentKind.RECEIPT or owner is None:
        raise InvalidInput("receipt_not_for_this_expense")
    if proposal_id is not None:
        if owner.id != proposal_id:
            raise InvalidInput("receipt_not_for_this_expense")
    elif fund.place_id is not None and not place_tree(session).covers(
        fund.place_id, owner.place_id
    ):
        raise InvalidInput("receipt_not_for_this_expense")


def record_expense(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    amount: str,
    payee: str,
    purpose: str,
    invoice_number: str,
    occurred_on: date,
) -> int:
    """A cost of the fund itself, which no project owns (bank charges, the yearly audit): paid
    from free money only, never from an earmark. A project's money goes out through a payment
    request and a second member's approval (``services.expenses``). Every expense names its
    invoice (发票): no invoice number, no payment."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.RECORD_EXPENSE, fund.place_id)
    return pay_from_fund(
        session,
        viewer,
        fund=fund,
        amount_fen=parse_yuan(amount),
        payee=payee,
        purpose=purpose,
        invoice_number=invoice_number,
        occurred_on=occurred_on,
        proposal_id=None,
        receipt_attachment_id=None,
    )


def pay_from_fund(
    session: Session,
    viewer: Viewer,
    *,
    fund: Fund,
    amount_fen: int,
    payee: str,
    purpose: str,
    invoice_number: str,
    occurred_on: date,
    proposal_id: int | None,
    receipt_attachment_id: int | None,
) -> int:
    """The expense entry, under the books' lock, once the caller has checked who may pay (the
    treasurer, or a second committee member approving a payment request: services.expenses).
    Whatever the caller added to the session commits with the entry, or not at all."""
    fund_id = id_of(fund)
    lock_for_change(session)
    balance = fund_balance(session, fund_id)
    if proposal_id is not None:
        get_or_fail(session, Proposal, proposal_id)
        remaining = _left_by_fund(session, proposal_id).get(fund_id, 0)  # this fund's own earmark
        _require_within(amount_fen, max(remaining, 0), "overspend_allocation")
        _require_within(amount_fen, balance.cash_fen)
    else:
        _require_within(amount_fen, balance.available_fen)
    if receipt_attachment_id is not None:
        # Naming a receipt makes it public with the line: it must be this payment's own.
        _check_receipt(session, fund, proposal_id, receipt_attachment_id)
    entry = LedgerEntry(
        kind=LedgerKind.EXPENSE,
        amount_fen=amount_fen,
        source_fund_id=fund_id,
        counterparty=clean_text(payee, "payee", max_length=200),
        purpose=clean_text(purpose, "purpose", max_length=500),
        invoice_number=clean_text(invoice_number, "invoice_number", max_length=60),
        proposal_id=proposal_id,
        receipt_attachment_id=receipt_attachment_id,
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    return append_entry(session, viewer, entry, "record_expense")


def _earmarks(
    session: Session, *, proposal_ids: Collection[int] | None = None
) -> dict[tuple[int, int], int]:
    """What each fund allocated to each project and has neither paid out nor released, per
    (fund, project): a project may be funded by more than one fund (a community's own and an
    alliance's joint fund), and each fund's earmark is its own."""
    if proposal_ids is not None and not proposal_ids:
        return {}
    source, destination = col(LedgerEntry.source_fund_id), col(LedgerEntry.destination_fund_id)
    sides = (  # the kind, the fund's side of the entry, and whether it adds to what is left
        (LedgerKind.ALLOCATION, source, 1),
        (LedgerKind.RELEASE, source, -1),
        (LedgerKind.EXPENSE, source, -1),
        (LedgerKind.REVERSAL, destination, 1),  # an expense refunded
    )
    left: dict[tuple[int, int], int] = {}
    for kind, side, sign in sides:
        query = select(side, LedgerEntry.proposal_id, func.sum(LedgerEntry.amount_fen)).where(
            LedgerEntry.kind == kind, col(LedgerEntry.proposal_id).is_not(None), side.is_not(None)
        )
        if proposal_ids is not None:
            query = query.where(col(LedgerEntry.proposal_id).in_(proposal_ids))
        if kind == LedgerKind.ALLOCATION:
            query = query.where(not_reversed())
        for fund_id, proposal_id, total in session.exec(
            query.group_by(side, col(LedgerEntry.proposal_id))
        ):
            if fund_id is not None and proposal_id is not None:
                key = (fund_id, proposal_id)
                left[key] = left.get(key, 0) + sign * int(total)
    return left


def _left_by_fund(session: Session, proposal_id: int) -> dict[int, int]:
    """What each fund allocated to the project and has neither paid out nor released."""
    return {
        fund_id: left
        for (fund_id, _), left in _earmarks(session, proposal_ids=[proposal_id]).items()
    }


def release_unspent(session: Session, viewer: Viewer, proposal: Proposal) -> list[int]:
    """When a project closes, each fund gets back the free use of what it allocated and the
    project did not spend. Called by the status change (``services.proposals``), which checked
    who may close the project: the entries commit with the move, or not at all. Returns the
    entries' ids (none when everything was spent)."""
    lock_for_change(session)
    entry_ids = []
    for fund_id, left_fen in sorted(_left_by_fund(session, id_of(proposal)).items()):
        if left_fen <= 0:
            continue
        entry = LedgerEntry(
            kind=LedgerKind.RELEASE,
            amount_fen=left_fen,
            source_fund_id=fund_id,
            proposal_id=proposal.id,
            counterparty=proposal.title,
            purpose=proposal.title,
            occurred_on=today(),
            recorded_by_id=viewer.person_id,
        )
        session.add(entry)
        record_audit(session, viewer, "release_unspent", entry)
        entry_ids.append(id_of(entry))
    return entry_ids


def reverse_entry(
    session: Session, viewer: Viewer, *, entry_id: int, reason: str, occurred_on: date
) -> int:
    """The only way to correct the books: an equal entry in the other direction. Taking back
    money that came in (a donation entered twice) must leave the fund able to pay what it has
    already promised; an entry is reversed once, which the schema holds too."""
    original = get_or_fail(session, LedgerEntry, entry_id)
    fund_id = original.source_fund_id or original.destination_fund_id
    require_at(session, viewer, Action.RECORD_EXPENSE, get_or_fail(session, Fund, fund_id).place_id)
    if original.kind in (LedgerKind.REVERSAL, LedgerKind.RELEASE):
        raise InvalidInput("reversal_not_reversible")
    lock_for_change(session)
    if original.kind == LedgerKind.ALLOCATION and original.proposal_id is not None:
        # A closed project's allocation stays as it was closed: its release is already written.
        project = get_or_fail(session, Proposal, original.proposal_id)
        if project.status not in FUNDABLE:
            raise InvalidInput("proposal_not_fundable", status=project.status)
    already = session.exec(
        select(LedgerEntry.id).where(LedgerEntry.reverses_entry_id == entry_id)
    ).first()
    if already is not None:
        raise Conflict("entry_already_reversed")
    if original.kind == LedgerKind.ALLOCATION:
        source, destination = original.source_fund_id, None
    else:
        source, destination = original.destination_fund_id, original.source_fund_id
        if source is not None:
            _require_within(original.amount_fen, fund_balance(session, source).available_fen)
    entry = LedgerEntry(
        kind=LedgerKind.REVERSAL,
        amount_fen=original.amount_fen,
        source_fund_id=source,
        destination_fund_id=destination,
        counterparty=original.counterparty,
        purpose=clean_text(reason, "reason", max_length=500),
        proposal_id=original.proposal_id,
        reverses_entry_id=entry_id,
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    return append_entry(session, viewer, entry, "reverse_entry")


# How a line moves its fund's money, as the ledger screens and the exported files name it.
DIRECTIONS = ("in", "out", "earmark", "release", "transfer")


@dataclass(frozen=True)
class LedgerLine:
    id: int
    occurred_on: date
    kind: str
    fund: str
    direction: str  # one of DIRECTIONS
    amount_fen: int
    counterparty: str  # empty for an anonymous donor on the public notice
    purpose: str
    proposal_id: int | None
    invoice_number: str | None
    reverses_entry_id: int | None
    receipt_number: str | None = None  # in the books only: it opens the donor's own page
    is_anonymous: bool = False  # the donor asked not to be named in public


def ledger_lines(
    session: Session, *, fund_id: int | None = None, limit: int | None = 500, public: bool = True
) -> list[LedgerLine]:
    """The notice-board view: anonymous donors stay anonymous; the books view shows names."""
    funds = dict(session.exec(select(Fund.id, Fund.name)).all())
    query = (
        select(LedgerEntry)
        .order_by(col(LedgerEntry.occurred_on).desc(), col(LedgerEntry.id).desc())
        .limit(limit)
    )
    if fund_id is not None:
        query = query.where(
            (LedgerEntry.source_fund_id == fund_id) | (LedgerEntry.destination_fund_id == fund_id)
        )
    lines = []
    for entry in session.exec(query):
        if entry.kind == LedgerKind.ALLOCATION:
            direction = "earmark"
        elif entry.kind == LedgerKind.RELEASE:
            direction = "release"
        elif entry.source_fund_id and entry.destination_fund_id:
            direction = "transfer"
        elif entry.destination_fund_id:
            direction = "in"
        else:
            direction = "out"
        fund = funds.get(
            entry.destination_fund_id if direction == "in" else entry.source_fund_id, ""
        )
        lines.append(
            LedgerLine(
                id=entry.id,  # type: ignore[arg-type]
                occurred_on=entry.occurred_on,
                kind=entry.kind,
                fund=fund,
                direction=direction,
                amount_fen=entry.amount_fen,
                counterparty="" if (public and entry.is_anonymous) else entry.counterparty,
                purpose=entry.purpose,
                proposal_id=entry.proposal_id,
                invoice_number=entry.invoice_number,
                reverses_entry_id=entry.reverses_entry_id,
                receipt_number=None if public else entry.receipt_number,
                is_anonymous=entry.is_anonymous,
            )
        )
    return lines


def books(session: Session, viewer: Viewer, *, fund_id: int) -> list[LedgerLine]:
    """The full books with donors' names, for the committee, clerks and reviewers."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.VIEW_BOOKS, fund.place_id)
    return ledger_lines(session, fund_id=fund_id, public=False)


def record_contribution(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    kind: str,
    contributor: str,
    description: str,
    estimated_value: str,
    occurred_on: date,
    hours: int | None = None,
    proposal_id: int | None = None,
) -> int:
    """Skills, resources, ideas, services and labour (六维众筹): valued, but never cash."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.RECORD_DONATION, fund.place_id)
    kind = choice(kind, ContributionKind, "kind")
    if kind == ContributionKind.MONEY:
        raise InvalidInput("money_goes_to_ledger")
    if hours is not None:
        bounded_int(hours, "hours", low=0, high=1_000_000)
    if proposal_id is not None:
        get_or_fail(session, Proposal, proposal_id)
    contribution = Contribution(
        kind=kind,
        contributor=clean_text(contributor, "contributor", max_length=200),
        fund_id=fund_id,
        proposal_id=proposal_id,
        description=clean_text(description, "description", max_length=500),
        hours=hours,
        estimated_value_fen=parse_yuan(estimated_value, "estimated_value", allow_zero=True),
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    session.add(contribution)
    record_audit(session, viewer, "record_contribution", contribution)
    session.commit()
    return contribution.id  # type: ignore[return-value]


@dataclass(frozen=True)
class ContributionLine:
    kind: str
    contributor: str
    description: str
    hours: int | None
    estimated_value_fen: int
    occurred_on: date


def contributions(session: Session, *, fund_id: int | None = None) -> list[ContributionLine]:
    query = select(Contribution).order_by(col(Contribution.occurred_on).desc())
    if fund_id is not None:
        query = query.where(Contribution.fund_id == fund_id)
    return [
        ContributionLine(
            c.kind, c.contributor, c.description, c.hours, c.estimated_value_fen, c.occurred_on
        )
        for c in session.exec(query)
    ]


@dataclass(frozen=True)
class FundLedger:
    lines: list[LedgerLine]
    full_books: bool  # donors' names shown: the viewer may see this fund's books


def fund_ledger(session: Session, viewer: Viewer, *, fund_id: int) -> FundLedger:
    """The full books where the viewer's role reaches this fund, the public ledger elsewhere."""
    fund = get_or_fail(session, Fund, fund_id)
    full = can(viewer, Action.VIEW_BOOKS, fund.place_id, place_tree(session))
    return FundLedger(ledger_lines(session, fund_id=fund_id, public=not full), full)
