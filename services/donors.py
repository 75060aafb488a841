"""Donors (捐赠人): what a gift was for and what it paid for, and the money a project actually
received beside its seed money (the leverage of the year-end review).

A donor finds their gifts through their account (gifts the treasurer recorded under their name)
or through the receipt number written on their paper receipt. A receipt shows the gift and
what it paid for, never the donor's name: receipt numbers run in sequence, so whoever types one
sees only what the public ledger shows anyway.

What a gift paid for: a designated gift (for a proposal, directly or through a campaign) paid
for that proposal's expenses. A general gift is mixed into the fund with all its other money,
so no expense is "its own": the page shows the fund's funded projects and the gift's share of
what each spent, in proportion to the gift's part of all the money that came into the fund.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlmodel import Session, col, func, select

from models import Campaign, CoFundingPledge, Fund, LedgerEntry, Person, Proposal
from models.vocabulary import LedgerKind
from services.common import clean_text, get_or_fail, place_tree, require_at
from services.errors import NotAllowed, NotFound
from services.ledger import (
    allocated_by_proposal,
    fund_balance,
    not_reversed,
    spent_by_proposal,
)
from services.permissions import Action, Viewer, can

__all__ = [
    "Expense",
    "Gift",
    "GiftStory",
    "PaidFor",
    "ProjectMoney",
    "ProjectShare",
    "donor_accounts",
    "gift_by_receipt",
    "my_gifts",
    "project_money",
    "receipt_number",
]


@dataclass(frozen=True)
class Gift:
    entry_id: int
    receipt_number: str
    occurred_on: date
    amount_fen: int
    fund: str
    donor_kind: str | None
    proposal_id: int | None  # designated for this proposal
    proposal_title: str
    campaign_title: str  # given through this campaign
    is_anonymous: bool
    is_reversed: bool  # taken back (entered twice, returned): it paid for nothing

    @property
    def designation(self) -> str:
        if self.campaign_title:
            return "campaign"
        return "proposal" if self.proposal_id is not None else "general"


@dataclass(frozen=True)
class Expense:
    occurred_on: date
    payee: str
    purpose: str
    invoice_number: str
    amount_fen: int


@dataclass(frozen=True)
class ProjectShare:
    title: str
    spent_fen: int
    share_fen: int  # the gift's proportional part of what the project spent


@dataclass(frozen=True)
class PaidFor:
    """A designated gift: the proposal's money and every expense; a general gift: the fund's
    funded projects and the gift's proportional share of each."""

    proposal_status: str  # "" for a general gift, or a campaign for a need without a proposal
    allocated_fen: int
    spent_fen: int
    expenses: list[Expense]
    fund_money_in_fen: int
    gift_share: Fraction | None  # of all the money into the fund, for a general gift
    projects: list[ProjectShare]


@dataclass(frozen=True)
class GiftStory:
    gift: Gift
    paid_for: PaidFor


def _gift(session: Session, entry: LedgerEntry, reversed_ids: Collection[int]) -> Gift:
    fund = get_or_fail(session, Fund, entry.destination_fund_id)
    proposal = session.get(Proposal, entry.proposal_id) if entry.proposal_id else None
    campaign = session.get(Campaign, entry.campaign_id) if entry.campaign_id else None
    return Gift(
        entry_id=entry.id,  # type: ignore[arg-type]
        receipt_number=entry.receipt_number or "",
        occurred_on=entry.occurred_on,
        amount_fen=entry.amount_fen,
        fund=fund.name,
        donor_kind=entry.donor_kind,
        proposal_id=entry.proposal_id,
        proposal_title=proposal.title if proposal else "",
        campaign_title=campaign.title if campaign else "",
        is_anonymous=entry.is_anonymous,
        is_reversed=entry.id in reversed_ids,
    )


def _expenses(session: Session, proposal_id: int) -> list[Expense]:
    """The proposal's expenses that stand (a reversed one paid for nothing), oldest first."""
    query = (
        select(LedgerEntry)
        .where(
            LedgerEntry.proposal_id == proposal_id,
            LedgerEntry.kind == LedgerKind.EXPENSE,
            not_reversed(),
        )
        .order_by(col(LedgerEntry.occurred_on), col(LedgerEntry.id))
    )
    return [
        Expense(e.occurred_on, e.counterparty, e.purpose, e.invoice_number or "", e.amount_fen)
        for e in session.exec(query)
    ]


def _funded_projects(session: Session, fund_id: int) -> list[tuple[int, str]]:
    query = (
        select(Proposal.id, Proposal.title)
        .join(LedgerEntry, col(LedgerEntry.proposal_id) == Proposal.id)
        .where(
            LedgerEntry.kind == LedgerKind.ALLOCATION,
            LedgerEntry.source_fund_id == fund_id,
            not_reversed(),
        )
        .distinct()
        .order_by(col(Proposal.id))
    )
    return [(pid, title) for pid, title in session.exec(query) if pid is not None]


def _paid_for(session: Session, entry: LedgerEntry, gift: Gift) -> PaidFor:
    fund_id = entry.destination_fund_id or 0
    money_in = fund_balance(session, fund_id).money_in_fen
    if gift.is_reversed:
        return PaidFor("", 0, 0, [], money_in, None, [])
    if entry.proposal_id is not None:
        proposal = get_or_fail(session, Proposal, entry.proposal_id)
        return PaidFor(
            proposal_status=proposal.status,
            allocated_fen=allocated_by_proposal(session, entry.proposal_id).get(
                entry.proposal_id, 0
            ),
            spent_fen=spent_by_proposal(session, entry.proposal_id).get(entry.proposal_id, 0),
            expenses=_expenses(session, entry.proposal_id),
            fund_money_in_fen=money_in,
            gift_share=None,
            projects=[],
        )
    if entry.campaign_id is not None:  # a campaign for a need: kept until a proposal answers it
        return PaidFor("", 0, 0, [], money_in, None, [])
    share = Fraction(entry.amount_fen, money_in) if money_in else None
    funded = _funded_projects(session, fund_id)
    spent = spent_by_proposal(session) if funded else {}
    projects = [
        ProjectShare(
            title,
            spent.get(pid, 0),
            int(spent.get(pid, 0) * share) if share is not None else 0,
        )
        for pid, title in funded
    ]
    return PaidFor("", 0, 0, [], money_in, share, projects)


def _story(session: Session, entry: LedgerEntry, reversed_ids: Collection[int]) -> GiftStory:
    gift = _gift(session, entry, reversed_ids)
    return GiftStory(gift, _paid_for(session, entry, gift))


def _reversed_among(session: Session, entry_ids: Collection[int]) -> set[int]:
    if not entry_ids:
        return set()
    return {
        rid
        for rid in session.exec(
            select(LedgerEntry.reverses_entry_id).where(
                col(LedgerEntry.reverses_entry_id).in_(entry_ids)
            )
        )
        if rid is not None
    }


def my_gifts(session: Session, viewer: Viewer) -> list[GiftStory]:
    """The signed-in donor's own gifts, newest first, each with what it paid for."""
    if viewer.is_anonymous:
        raise NotAllowed("sign_in_to_see_gifts")
    entries = list(
        session.exec(
            select(LedgerEntry)
            .where(
                LedgerEntry.counterparty_person_id == viewer.person_id,
                LedgerEntry.kind == LedgerKind.DONATION,
            )
            .order_by(col(LedgerEntry.occurred_on).desc(), col(LedgerEntry.id).desc())
        )
    )
    reversed_ids = _reversed_among(session, [e.id for e in entries if e.id is not None])
    return [_story(session, entry, reversed_ids) for entry in entries]


def gift_by_receipt(session: Session, *, receipt_number: str) -> GiftStory:
    """Anyone holding a receipt number: that one gift, without the donor's name."""
    number = clean_text(receipt_number, "receipt_number", max_length=20).upper()
    entry = session.exec(
        select(LedgerEntry).where(
            LedgerEntry.receipt_number == number, LedgerEntry.kind == LedgerKind.DONATION
        )
    ).first()
    if entry is None or entry.id is None:
        raise NotFound("receipt_not_found")
    return _story(session, entry, _reversed_among(session, [entry.id]))


@dataclass(frozen=True)
class ProjectMoney:
    """Beside a project's seed money: what other money actually came in for it (gifts
    designated for it, on the ledger and not reversed) and what was only promised."""

    received_fen: int
    pledged_fen: int  # every co-funding pledge of the proposal
    confirmed_pledged_fen: int  # those the proposer marked confirmed


def project_money(session: Session, proposal_ids: Collection[int]) -> dict[int, ProjectMoney]:
    """For the review's leverage, which counts money received and not only promised: both, for
    many proposals in two queries."""
    if not proposal_ids:
        return {}
    received = dict(
        session.exec(
            select(LedgerEntry.proposal_id, func.sum(LedgerEntry.amount_fen))
            .where(
                col(LedgerEntry.proposal_id).in_(proposal_ids),
                LedgerEntry.kind == LedgerKind.DONATION,
                not_reversed(),
            )
            .group_by(col(LedgerEntry.proposal_id))
        ).all()
    )
    pledged: dict[int, list[int]] = {}
    for pid, amount, confirmed in session.exec(
        select(
            CoFundingPledge.proposal_id, CoFundingPledge.amount_fen, CoFundingPledge.is_confirmed
        ).where(col(CoFundingPledge.proposal_id).in_(proposal_ids))
    ):
        totals = pledged.setdefault(pid, [0, 0])
        totals[0] += amount
        totals[1] += amount if confirmed else 0
    return {
        pid: ProjectMoney(
            received_fen=int(received.get(pid) or 0),
            pledged_fen=pledged.get(pid, [0, 0])[0],
            confirmed_pledged_fen=pledged.get(pid, [0, 0])[1],
        )
        for pid in proposal_ids
    }


def receipt_number(session: Session, viewer: Viewer, *, entry_id: int) -> str:
    """The number to write on the donor's paper receipt, for those who keep the books."""
    entry = get_or_fail(session, LedgerEntry, entry_id)
    fund = get_or_fail(session, Fund, entry.destination_fund_id)
    require_at(session, viewer, Action.VIEW_BOOKS, fund.place_id)
    if not entry.receipt_number:
        raise NotFound("receipt_not_found")
    return entry.receipt_number


def donor_accounts(session: Session, viewer: Viewer, *, fund_id: int) -> dict[int, str]:
    """People living in the fund's area, for the donation form: a gift recorded under a
    person's account is on their own "my gifts" page. Empty for anyone who does not record
    gifts into this fund (the form is drawn for every fund; people are not listed to others)."""
    fund = get_or_fail(session, Fund, fund_id)
    tree = place_tree(session)
    if not can(viewer, Action.RECORD_DONATION, fund.place_id, tree):
        return {}
    people = session.exec(
        select(Person.id, Person.display_name, Person.home_place_id)
        .where(col(Person.is_active), col(Person.home_place_id).is_not(None))
        .order_by(col(Person.display_name), col(Person.id))
    )
    return {
        pid: name
        for pid, name, home in people
        if pid is not None
        and home is not None
        and (fund.place_id is None or tree.covers(fund.place_id, home))
    }
