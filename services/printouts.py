"""What the printed reports read: a fund's notice, a round's published result and published
minutes. Each is only what the viewer may already see on screen; the layouts (``ui.reports``)
put them into words, since services do not translate.

A paper notice is public: its ledger masks anonymous donors, unless the viewer asks for the
books and may see them. A round's result prints only once published, and minutes only once
published, even for the committee that sees the drafts on screen: paper leaves the room.
Next year's allocation prints as its page shows it: published for everyone, a draft only for
the street's reviewers, who print it for the review session.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import Fund, LedgerEntry, Place, Proposal
from services.allocation import PlanView, allocation_page
from services.common import get_or_fail, require_at
from services.errors import NotFound, WrongPhase
from services.ledger import FundBalance, LedgerLine, fund_balance, ledger_lines
from services.meetings import MeetingMinutes, meeting_minutes
from services.permissions import Action, Viewer
from services.tally import RoundResult, round_result
from services.turnout import Turnout, round_turnout
from services.verify import BooksSeal, books_seal

__all__ = [
    "FundNotice",
    "RoundNotice",
    "allocation_plan",
    "fund_notice",
    "published_minutes",
    "round_notice",
]


@dataclass(frozen=True)
class FundNotice:
    balance: FundBalance
    place: str  # empty for a fund above every place
    lines: list[LedgerLine]  # oldest first, as a ledger is read
    incoming: frozenset[int]  # the entries that bring money into this fund; the rest take it out
    titles: dict[int, str]  # the projects the lines name
    books: bool  # donors named: the viewer may see this fund's books
    seal: BooksSeal  # the ledger's head, printed so the paper can be checked against the books


@dataclass(frozen=True)
class RoundNotice:
    turnout: Turnout  # the round's name, place, year and ballots by channel
    result: RoundResult  # published


def fund_notice(
    session: Session, viewer: Viewer, *, fund_id: int, books: bool = False
) -> FundNotice:
    fund = get_or_fail(session, Fund, fund_id)
    if books:
        require_at(session, viewer, Action.VIEW_BOOKS, fund.place_id)
    lines = ledger_lines(session, fund_id=fund_id, limit=None, public=not books)
    named = {line.proposal_id for line in lines if line.proposal_id is not None}
    titles = dict(
        session.exec(select(Proposal.id, Proposal.title).where(col(Proposal.id).in_(named))).all()
    )
    incoming = session.exec(
        select(LedgerEntry.id).where(LedgerEntry.destination_fund_id == fund_id)
    ).all()
    place = get_or_fail(session, Place, fund.place_id).name if fund.place_id else ""
    return FundNotice(
        balance=fund_balance(session, fund_id),
        place=place,
        lines=list(reversed(lines)),
        incoming=frozenset(entry for entry in incoming if entry is not None),
        titles={pid: title for pid, title in titles.items() if pid is not None},
        books=books,
        seal=books_seal(session),
    )


def round_notice(session: Session, viewer: Viewer, *, round_id: int) -> RoundNotice:
    result = round_result(session, viewer, round_id=round_id)
    if result is None or result.published_at is None:
        raise WrongPhase("result_not_published")
    return RoundNotice(turnout=round_turnout(session, round_id=round_id), result=result)


def published_minutes(session: Session, viewer: Viewer, *, meeting_id: int) -> MeetingMinutes:
    minutes = meeting_minutes(session, viewer, meeting_id)
    if not minutes.meeting.minutes_published:
        raise WrongPhase("minutes_not_published")
    return minutes


def allocation_plan(session: Session, viewer: Viewer, *, plan_id: int) -> PlanView:
    """The plan asked for, never another in its place; a draft the viewer may not adjust is
    not there for them."""
    plan = allocation_page(session, viewer, plan_id=plan_id).plan
    if plan is None or plan.id != plan_id:
        raise NotFound(entity="allocationplan")
    return plan
