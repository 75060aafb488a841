"""Alliances of neighbouring communities (组团联建): a joint fund filled by agreed ratios, a
council whose chair rotates among the members, joint events and proposals, and a third-party
evaluator's scores.

Forming an alliance binds every member's money, so whoever forms it must reach every member
community (a street's admin or chair; an admin of one community cannot bind its neighbour).
The council's chair is the committee chair of the community whose turn it is: turns follow the
members' order, each ``council_rotation_months`` long, from the first member's
``chairs_council_from``. A call for contributions splits its amount by the ratios to the fen
(largest remainder) and moves every part or none, under the books' lock.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from models import (
    Alliance,
    AllianceCall,
    AllianceCallPart,
    AllianceEvent,
    AllianceMember,
    AllianceProposal,
    AllianceScore,
    Fund,
    LedgerEntry,
    Person,
    Place,
    Proposal,
)
from models.clock import today
from models.vocabulary import FundKind, LedgerKind, PlaceKind, ProposalStatus
from services.common import (
    bounded_int,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput, NotAllowed, Overspend
from services.ledger import fund_balance
from services.permissions import Action, PlaceTree, Viewer, can, require
from services.workflow import FUNDABLE

PERMILLE = 1000
MAX_ROTATION_MONTHS = 120
MAX_PARTICIPANTS = 100_000
SCORE_RANGE = (1, 5)
NOT_JOINABLE = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)


# --- pure arithmetic: the split and the rotation ----------------------------------------------


def split_by_ratio(total_fen: int, permilles: Sequence[int]) -> list[int]:
    """``total_fen`` in parts proportional to ``permilles`` (summing to 1000), each a whole fen,
    summing exactly to the total: every part gets its floor, and the fen left over go one each
    to the largest remainders (ties: the earlier member)."""
    if sum(permilles) != PERMILLE or any(p < 0 for p in permilles):
        raise ValueError("ratios must be non-negative and sum to 1000 per mille")
    floors = [total_fen * p // PERMILLE for p in permilles]
    remainders = [total_fen * p % PERMILLE for p in permilles]
    left = total_fen - sum(floors)
    for index in sorted(range(len(permilles)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    return floors


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (or earlier), on the month's last day when it is shorter."""
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: date, on: date) -> int:
    """Whole months from ``start`` to ``on`` (negative before ``start``)."""
    months = (on.year - start.year) * 12 + on.month - start.month
    return months - 1 if on < add_months(start, months) else months


def council_turn(start: date, rotation_months: int, members: int, on: date) -> int | None:
    """Which member (by position) chairs the council on ``on``; None before the first turn."""
    elapsed = months_between(start, on)
    if elapsed < 0 or members < 1:
        return None
    return (elapsed // rotation_months) % members


@dataclass(frozen=True)
class Turn:
    member: int  # position in the members' order
    starts: date
    ends: date  # the last day of the turn


def council_schedule(
    start: date, rotation_months: int, members: int, on: date, count: int
) -> list[Turn]:
    """``count`` turns from the one in progress on ``on`` (from the first one, before it)."""
    first = max(months_between(start, on), 0) // rotation_months
    turns = []
    for number in range(first, first + count):
        begins = add_months(start, number * rotation_months)
        after = add_months(start, (number + 1) * rotation_months)
        turns.append(Turn(number % members, begins, date.fromordinal(after.toordinal() - 1)))
    return turns


# --- forming an alliance -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberShare:
    """A community joining, the fund it pays from, and its agreed share in per mille."""

    community_id: int
    fund_id: int
    permille: int


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def form_alliance(
    session: Session,
    viewer: Viewer,
    *,
    name: str,
    members: Sequence[MemberShare],
    rotation_months: int,
    council_from: date,
    evaluator: str,
) -> int:
    """The alliance, its members in turn order (the first chairs from ``council_from``) and its
    joint fund, named like the alliance. Returns the alliance."""
    if not isinstance(members, Sequence) or not all(isinstance(m, MemberShare) for m in members):
        raise InvalidInput("field_invalid", field="members")
    communities = [get_or_fail(session, Place, m.community_id) for m in members]
    tree = place_tree(session)
    for community in communities:
        require(viewer, Action.FORM_ALLIANCE, id_of(community), tree)
    if len(members) < 2 or len({id_of(c) for c in communities}) != len(members):
        raise InvalidInput("alliance_two_members", field="members")
    streets = {c.parent_id for c in communities}
    if any(c.kind != PlaceKind.COMMUNITY for c in communities) or len(streets) != 1:
        raise InvalidInput("alliance_one_street", field="members")
    for member in members:
        bounded_int(member.permille, "contribution_permille", low=1, high=PERMILLE)
        fund = get_or_fail(session, Fund, member.fund_id)
        if fund.place_id != member.community_id:
            raise InvalidInput("alliance_fund_of_member", field="fund")
    total = sum(m.permille for m in members)
    if total != PERMILLE:
        raise InvalidInput("alliance_ratios_sum", field="contribution_permille", total=total)
    months = bounded_int(rotation_months, "rotation_months", low=1, high=MAX_ROTATION_MONTHS)
    if not _is_day(council_from):
        raise InvalidInput("field_invalid", field="council_from")
    name = clean_text(name, "name", max_length=120)
    who = clean_text(evaluator, "evaluator", max_length=200, required=False)
    lock_for_change(session)  # a name taken meanwhile is told, not a database error
    if session.exec(select(Alliance.id).where(Alliance.name == name)).first() is not None:
        raise Conflict("alliance_name_taken", field="name", name=name)
    if session.exec(select(Fund.id).where(Fund.name == name)).first() is not None:
        raise Conflict("fund_name_taken", field="name", name=name)
    alliance = Alliance(
        name=name, street_id=streets.pop(), council_rotation_months=months, evaluator=who
    )
    session.add(alliance)
    session.flush()
    for position, member in enumerate(members):
        session.add(
            AllianceMember(
                alliance_id=id_of(alliance),
                community_id=member.community_id,
                fund_id=member.fund_id,
                contribution_permille=member.permille,
                chairs_council_from=add_months(council_from, position * months),
            )
        )
    fund = Fund(
        name=name, kind=FundKind.ALLIANCE, place_id=alliance.street_id, alliance_id=alliance.id
    )
    session.add(fund)
    record_audit(session, viewer, "form_alliance", alliance)
    record_audit(session, viewer, "create_fund", fund)
    session.commit()
    return id_of(alliance)


def _members(session: Session, alliance_id: int) -> list[AllianceMember]:
    """In turn order."""
    return list(
        session.exec(
            select(AllianceMember)
            .where(AllianceMember.alliance_id == alliance_id)
            .order_by(col(AllianceMember.chairs_council_from), col(AllianceMember.id))
        )
    )


def _chair(alliance: Alliance, members: list[AllianceMember], on: date) -> AllianceMember | None:
    start = members[0].chairs_council_from if members else None
    if start is None:
        return None
    turn = council_turn(start, alliance.council_rotation_months, len(members), on)
    return None if turn is None else members[turn]


def _require_council_chair(
    session: Session, viewer: Viewer, alliance: Alliance, members: list[AllianceMember]
) -> AllianceMember:
    """The member chairing the council today, whose chair the viewer must be."""
    chair = _chair(alliance, members, today())
    if chair is None:  # before the first turn nobody chairs, so nobody may act for it
        raise NotAllowed(action=Action.RUN_JOINT_FUND.value)
    require_at(session, viewer, Action.RUN_JOINT_FUND, chair.community_id)
    return chair


def _joint_fund(session: Session, alliance_id: int) -> Fund:
    fund = session.exec(select(Fund).where(Fund.alliance_id == alliance_id)).first()
    if fund is None:
        raise InvalidInput("alliance_no_fund")
    return fund


# --- contributions -------------------------------------------------------------------------------


def call_contributions(
    session: Session,
    viewer: Viewer,
    *,
    alliance_id: int,
    amount: str,
    purpose: str,
    called_on: date,
) -> int:
    """The council chair's call: each member's fund pays its share into the joint fund, one
    transfer each, all or none (a member short of money stops the whole call). Returns the
    call."""
    alliance = get_or_fail(session, Alliance, alliance_id)
    members = _members(session, alliance_id)
    chair = _require_council_chair(session, viewer, alliance, members)
    amount_fen = parse_yuan(amount)
    what = clean_text(purpose, "purpose", max_length=500)
    if not _is_day(called_on):
        raise InvalidInput("field_invalid", field="called_on")
    joint = _joint_fund(session, alliance_id)
    if any(member.fund_id is None for member in members):
        raise InvalidInput("alliance_member_no_fund")
    parts = split_by_ratio(amount_fen, [m.contribution_permille for m in members])
    names = dict(session.exec(select(Place.id, Place.name)).all())
    lock_for_change(session)  # the balances read below cannot move before the commit
    for member, part in zip(members, parts, strict=True):
        available = fund_balance(session, member.fund_id or 0).available_fen
        if part > available:
            raise Overspend(
                "alliance_share_short",
                community=names[member.community_id],
                available_fen=available,
                amount_fen=part,
            )
    call = AllianceCall(
        alliance_id=alliance_id,
        amount_fen=amount_fen,
        purpose=what,
        called_on=called_on,
        chair_community_id=chair.community_id,
        called_by_id=viewer.person_id,
    )
    session.add(call)
    session.flush()
    for member, part in zip(members, parts, strict=True):
        if part == 0:  # a call of a few fen: a small share may round to nothing
            continue
        entry = LedgerEntry(
            kind=LedgerKind.TRANSFER,
            amount_fen=part,
            source_fund_id=member.fund_id,
            destination_fund_id=joint.id,
            counterparty=alliance.name,
            purpose=what,
            occurred_on=called_on,
            recorded_by_id=viewer.person_id,
        )
        session.add(entry)
        record_audit(session, viewer, "alliance_contribution", entry)
        session.add(
            AllianceCallPart(
                call_id=id_of(call), community_id=member.community_id, entry_id=id_of(entry)
            )
        )
    record_audit(session, viewer, "call_contributions", call)
    session.commit()
    return id_of(call)


# --- joint work and its evaluation -----------------------------------------------------------


def _within_member(tree: PlaceTree, members: list[AllianceMember], place_id: int) -> bool:
    return any(tree.covers(member.community_id, place_id) for member in members)


def record_joint_event(
    session: Session,
    viewer: Viewer,
    *,
    alliance_id: int,
    title: str,
    held_on: date,
    place_id: int,
    participants: int,
) -> int:
    """A joint event held at a member community (or a compound of one)."""
    get_or_fail(session, Alliance, alliance_id)
    get_or_fail(session, Place, place_id)
    tree = place_tree(session)
    require(viewer, Action.RECORD_JOINT_WORK, place_id, tree)
    if not _within_member(tree, _members(session, alliance_id), place_id):
        raise InvalidInput("alliance_place_not_member", field="place")
    if not _is_day(held_on):
        raise InvalidInput("field_invalid", field="held_on")
    event = AllianceEvent(
        alliance_id=alliance_id,
        title=clean_text(title, "title", max_length=200),
        held_on=held_on,
        place_id=place_id,
        participants=bounded_int(participants, "participants", low=0, high=MAX_PARTICIPANTS),
        recorded_by_id=viewer.person_id,
    )
    session.add(event)
    record_audit(session, viewer, "record_joint_event", event)
    session.commit()
    return id_of(event)


def add_joint_proposal(
    session: Session, viewer: Viewer, *, alliance_id: int, proposal_id: int
) -> int:
    """A member community's submitted proposal taken up by the alliance: listed for every
    member, to be paid from the joint fund."""
    get_or_fail(session, Alliance, alliance_id)
    proposal = get_or_fail(session, Proposal, proposal_id)
    tree = place_tree(session)
    require(viewer, Action.RECORD_JOINT_WORK, proposal.place_id, tree)
    if not _within_member(tree, _members(session, alliance_id), proposal.place_id):
        raise InvalidInput("alliance_place_not_member", field="proposal")
    if proposal.status in NOT_JOINABLE:
        raise InvalidInput("alliance_proposal_status", status=proposal.status)
    lock_for_change(session)
    taken = select(AllianceProposal.id).where(AllianceProposal.proposal_id == proposal_id)
    if session.exec(taken).first() is not None:
        raise Conflict("alliance_proposal_taken")
    joint = AllianceProposal(
        alliance_id=alliance_id, proposal_id=proposal_id, added_by_id=viewer.person_id
    )
    session.add(joint)
    record_audit(session, viewer, "add_joint_proposal", joint)
    session.commit()
    return id_of(joint)


def fund_joint_proposal(
    session: Session,
    viewer: Viewer,
    *,
    alliance_id: int,
    proposal_id: int,
    amount: str,
    occurred_on: date,
) -> int:
    """The council chair earmarks joint-fund money for a funded joint project: an allocation
    on the ledger, which its expenses are then paid against. Returns the ledger entry."""
    alliance = get_or_fail(session, Alliance, alliance_id)
    proposal = get_or_fail(session, Proposal, proposal_id)
    _require_council_chair(session, viewer, alliance, _members(session, alliance_id))
    joint = session.exec(
        select(AllianceProposal.id).where(
            AllianceProposal.proposal_id == proposal_id,
            AllianceProposal.alliance_id == alliance_id,
        )
    ).first()
    if joint is None:
        raise InvalidInput("alliance_not_joint", field="proposal")
    if proposal.status not in FUNDABLE:
        raise InvalidInput("proposal_not_fundable", status=proposal.status)
    amount_fen = parse_yuan(amount)
    if not _is_day(occurred_on):
        raise InvalidInput("field_invalid", field="occurred_on")
    fund = _joint_fund(session, alliance_id)
    lock_for_change(session)
    available = fund_balance(session, id_of(fund)).available_fen
    if amount_fen > available:
        raise Overspend("overspend_fund", available_fen=available, amount_fen=amount_fen)
    entry = LedgerEntry(
        kind=LedgerKind.ALLOCATION,
        amount_fen=amount_fen,
        source_fund_id=fund.id,
        proposal_id=proposal_id,
        counterparty=proposal.title,
        purpose=clean_text(proposal.title, "purpose", max_length=500),
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    session.add(entry)
    record_audit(session, viewer, "fund_joint_proposal", entry)
    session.commit()
    return id_of(entry)


def _target_place(
    session: Session, alliance_id: int, event_id: int | None, proposal_id: int | None
) -> int:
    """The place of the scored event or joint proposal, which must be this alliance's."""
    if (event_id is None) == (proposal_id is None):
        raise InvalidInput("alliance_score_target", field="scored_work")
    if event_id is not None:
        event = get_or_fail(session, AllianceEvent, event_id)
        if event.alliance_id != alliance_id:
            raise InvalidInput("alliance_score_target", field="scored_work")
        return event.place_id
    joint = session.exec(
        select(AllianceProposal).where(AllianceProposal.proposal_id == proposal_id)
    ).first()
    if joint is None or joint.alliance_id != alliance_id:
        raise InvalidInput("alliance_score_target", field="scored_work")
    return get_or_fail(session, Proposal, proposal_id).place_id


def score_joint_work(
    session: Session,
    viewer: Viewer,
    *,
    alliance_id: int,
    satisfaction: int,
    resource_use: int,
    comment: str,
    event_id: int | None = None,
    proposal_id: int | None = None,
) -> int:
    """The evaluator's satisfaction and resource-use scores (1-5) for one joint event or joint
    proposal, with a comment; once per evaluator and target."""
    get_or_fail(session, Alliance, alliance_id)
    place_id = _target_place(session, alliance_id, event_id, proposal_id)
    require_at(session, viewer, Action.EVALUATE_JOINT_WORK, place_id)
    if viewer.person_id is None:
        raise NotAllowed(action=Action.EVALUATE_JOINT_WORK.value)
    low, high = SCORE_RANGE
    score = AllianceScore(
        alliance_id=alliance_id,
        event_id=event_id,
        proposal_id=proposal_id,
        satisfaction=bounded_int(satisfaction, "satisfaction", low=low, high=high),
        resource_use=bounded_int(resource_use, "resource_use", low=low, high=high),
        comment=clean_text(comment, "comment", max_length=500, required=False, multiline=True),
        evaluator_id=viewer.person_id,
    )
    lock_for_change(session)
    target = (
        AllianceScore.event_id == event_id
        if event_id is not None
        else AllianceScore.proposal_id == proposal_id
    )
    done = select(AllianceScore.id).where(AllianceScore.evaluator_id == viewer.person_id, target)
    if session.exec(done).first() is not None:
        raise Conflict("alliance_already_scored")
    session.add(score)
    record_audit(session, viewer, "score_joint_work", score)
    session.commit()
    return id_of(score)


# --- the alliance screen ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    community_id: int
    name: str
    fund: str
    permille: int
    contributed_fen: int  # paid into the joint fund by calls so far
    chairs_now: bool


@dataclass(frozen=True)
class TermView:
    community: str
    starts: date
    ends: date


@dataclass(frozen=True)
class CallView:
    id: int
    called_on: date
    amount_fen: int
    purpose: str
    chair: str  # the community that chaired the council


@dataclass(frozen=True)
class WorkView:
    """A joint event or joint proposal, with what the viewer may do with it."""

    event_id: int | None
    proposal_id: int | None
    title: str
    place: str
    held_on: date | None  # events
    participants: int | None  # events
    status: str | None  # proposals
    allocated_fen: int  # proposals: earmarked for it from the joint fund
    evaluable: bool  # the viewer may score it, and has not yet


@dataclass(frozen=True)
class ScoreView:
    target: str
    satisfaction: int
    resource_use: int
    comment: str
    evaluator: str
    recorded_at: datetime


@dataclass(frozen=True)
class PlaceChoice:
    id: int
    name: str


@dataclass(frozen=True)
class AllianceView:
    id: int
    name: str
    street: str
    evaluator: str
    rotation_months: int
    joint_fund_fen: int  # what the joint fund holds now
    contributed_fen: int  # sum of the members' contributions
    members: list[MemberView]
    chair: str | None  # the community chairing the council today
    schedule: list[TermView]  # one full round of turns from today's
    calls: list[CallView]
    events: list[WorkView]
    proposals: list[WorkView]
    scores: list[ScoreView]
    may_call: bool  # the viewer chairs the council today
    event_places: list[PlaceChoice]  # where the viewer may record a joint event
    joinable: list[PlaceChoice]  # member proposals the viewer may take up (id, title)


def _contributions(session: Session, alliance_id: int) -> dict[int, int]:
    """Per member community: the transfers its calls made, less any a reversal undid."""
    undone = select(col(LedgerEntry.reverses_entry_id)).where(
        col(LedgerEntry.reverses_entry_id).is_not(None)
    )
    rows = session.exec(
        select(AllianceCallPart.community_id, func.sum(LedgerEntry.amount_fen))
        .join(AllianceCall, col(AllianceCall.id) == AllianceCallPart.call_id)
        .join(LedgerEntry, col(LedgerEntry.id) == AllianceCallPart.entry_id)
        .where(AllianceCall.alliance_id == alliance_id, col(LedgerEntry.id).not_in(undone))
        .group_by(col(AllianceCallPart.community_id))
    ).all()
    return {community: int(total) for community, total in rows}


def _allocated_from(session: Session, fund_id: int) -> dict[int, int]:
    """Per proposal: what the joint fund has earmarked for it, less reversals."""
    undone = select(col(LedgerEntry.reverses_entry_id)).where(
        col(LedgerEntry.reverses_entry_id).is_not(None)
    )
    rows = session.exec(
        select(LedgerEntry.proposal_id, func.sum(LedgerEntry.amount_fen))
        .where(
            LedgerEntry.kind == LedgerKind.ALLOCATION,
            LedgerEntry.source_fund_id == fund_id,
            col(LedgerEntry.id).not_in(undone),
        )
        .group_by(col(LedgerEntry.proposal_id))
    ).all()
    return {proposal: int(total) for proposal, total in rows if proposal is not None}


def _view(session: Session, viewer: Viewer, alliance: Alliance, on: date) -> AllianceView:
    alliance_id = id_of(alliance)
    tree = place_tree(session)
    names: dict[int, str] = dict(session.exec(select(Place.id, Place.name)).all())  # type: ignore[arg-type]
    fund_names: dict[int, str] = dict(session.exec(select(Fund.id, Fund.name)).all())  # type: ignore[arg-type]
    people: dict[int, str] = dict(session.exec(select(Person.id, Person.display_name)).all())  # type: ignore[arg-type]
    members = _members(session, alliance_id)
    chair = _chair(alliance, members, on)
    paid = _contributions(session, alliance_id)
    start = members[0].chairs_council_from if members else None
    schedule = (
        []
        if start is None
        else [
            TermView(names[members[turn.member].community_id], turn.starts, turn.ends)
            for turn in council_schedule(
                start, alliance.council_rotation_months, len(members), on, len(members)
            )
        ]
    )
    joint = session.exec(select(Fund).where(Fund.alliance_id == alliance_id)).first()
    allocated = {} if joint is None else _allocated_from(session, id_of(joint))
    calls = session.exec(
        select(AllianceCall)
        .where(AllianceCall.alliance_id == alliance_id)
        .order_by(col(AllianceCall.called_on), col(AllianceCall.id))
    ).all()
    scored = set(
        session.exec(
            select(AllianceScore.event_id, AllianceScore.proposal_id).where(
                AllianceScore.evaluator_id == (viewer.person_id or 0)
            )
        ).all()
    )

    def evaluable(place_id: int, key: tuple[int | None, int | None]) -> bool:
        allowed = can(viewer, Action.EVALUATE_JOINT_WORK, place_id, tree)
        return allowed and viewer.person_id is not None and key not in scored

    events = [
        WorkView(
            event_id=id_of(event),
            proposal_id=None,
            title=event.title,
            place=names[event.place_id],
            held_on=event.held_on,
            participants=event.participants,
            status=None,
            allocated_fen=0,
            evaluable=evaluable(event.place_id, (event.id, None)),
        )
        for event in session.exec(
            select(AllianceEvent)
            .where(AllianceEvent.alliance_id == alliance_id)
            .order_by(col(AllianceEvent.held_on), col(AllianceEvent.id))
        )
    ]
    proposals = [
        WorkView(
            event_id=None,
            proposal_id=id_of(proposal),
            title=proposal.title,
            place=names[proposal.place_id],
            held_on=None,
            participants=None,
            status=proposal.status,
            allocated_fen=allocated.get(id_of(proposal), 0),
            evaluable=evaluable(proposal.place_id, (None, proposal.id)),
        )
        for proposal in session.exec(
            select(Proposal)
            .join(AllianceProposal, col(AllianceProposal.proposal_id) == Proposal.id)
            .where(AllianceProposal.alliance_id == alliance_id)
            .order_by(col(AllianceProposal.id))
        )
    ]
    titles = {("e", w.event_id): w.title for w in events} | {
        ("p", w.proposal_id): w.title for w in proposals
    }
    scores = [
        ScoreView(
            target=titles[("e", s.event_id) if s.event_id is not None else ("p", s.proposal_id)],
            satisfaction=s.satisfaction,
            resource_use=s.resource_use,
            comment=s.comment,
            evaluator=people.get(s.evaluator_id, ""),
            recorded_at=s.recorded_at,
        )
        for s in session.exec(
            select(AllianceScore)
            .where(AllianceScore.alliance_id == alliance_id)
            .order_by(col(AllianceScore.id))
        )
    ]
    inside = [
        place_id
        for place_id in names
        if _within_member(tree, members, place_id)
        and can(viewer, Action.RECORD_JOINT_WORK, place_id, tree)
    ]
    taken = set(session.exec(select(AllianceProposal.proposal_id)).all())
    joinable = [
        PlaceChoice(id_of(proposal), proposal.title)
        for proposal in session.exec(
            select(Proposal)
            .where(col(Proposal.status).not_in(NOT_JOINABLE))
            .order_by(col(Proposal.id))
        )
        if proposal.id not in taken
        and _within_member(tree, members, proposal.place_id)
        and can(viewer, Action.RECORD_JOINT_WORK, proposal.place_id, tree)
    ]
    return AllianceView(
        id=alliance_id,
        name=alliance.name,
        street=names.get(alliance.street_id or 0, ""),
        evaluator=alliance.evaluator,
        rotation_months=alliance.council_rotation_months,
        joint_fund_fen=0 if joint is None else fund_balance(session, id_of(joint)).cash_fen,
        contributed_fen=sum(paid.values()),
        members=[
            MemberView(
                community_id=member.community_id,
                name=names[member.community_id],
                fund=fund_names.get(member.fund_id or 0, ""),
                permille=member.contribution_permille,
                contributed_fen=paid.get(member.community_id, 0),
                chairs_now=chair is member,
            )
            for member in members
        ],
        chair=None if chair is None else names[chair.community_id],
        schedule=schedule,
        calls=[
            CallView(
                id=id_of(call),
                called_on=call.called_on,
                amount_fen=call.amount_fen,
                purpose=call.purpose,
                chair=names[call.chair_community_id],
            )
            for call in calls
        ],
        events=events,
        proposals=proposals,
        scores=scores,
        may_call=chair is not None and can(viewer, Action.RUN_JOINT_FUND, chair.community_id, tree),
        event_places=[PlaceChoice(place_id, names[place_id]) for place_id in sorted(inside)],
        joinable=joinable,
    )


def alliances_page(session: Session, viewer: Viewer) -> list[AllianceView]:
    """Every alliance, as public as the ledger it moves money on, with what the viewer may do."""
    on = today()
    alliances = session.exec(select(Alliance).order_by(col(Alliance.name))).all()
    return [_view(session, viewer, alliance, on) for alliance in alliances]


@dataclass(frozen=True)
class CommunityChoice:
    """A community the viewer may bind into an alliance, and the funds it could pay from."""

    id: int
    name: str
    funds: list[PlaceChoice]


@dataclass(frozen=True)
class StreetChoice:
    id: int
    name: str
    communities: list[CommunityChoice]


def alliance_choices(session: Session, viewer: Viewer) -> list[StreetChoice]:
    """What the forming screen offers: per street, the communities where the viewer may form an
    alliance, each with its own funds; streets with fewer than two such communities (and a
    fund each) are left out, as no alliance could be formed there."""
    tree = place_tree(session)
    funds: dict[int, list[PlaceChoice]] = {}
    for fund in session.exec(
        select(Fund).where(col(Fund.alliance_id).is_(None)).order_by(col(Fund.id))
    ):
        if fund.place_id is not None:
            funds.setdefault(fund.place_id, []).append(PlaceChoice(id_of(fund), fund.name))
    places = session.exec(select(Place).order_by(col(Place.name), col(Place.id))).all()
    streets: list[StreetChoice] = []
    for street in places:
        if street.kind != PlaceKind.STREET:
            continue
        communities = [
            CommunityChoice(id_of(place), place.name, funds[id_of(place)])
            for place in places
            if place.parent_id == street.id
            and place.kind == PlaceKind.COMMUNITY
            and id_of(place) in funds
            and can(viewer, Action.FORM_ALLIANCE, id_of(place), tree)
        ]
        if len(communities) >= 2:
            streets.append(StreetChoice(id_of(street), street.name, communities))
    return streets


def alliance_names(session: Session) -> list[PlaceChoice]:
    """Every alliance by name, for the admin granting a role for one (as public as the
    alliance screen)."""
    rows = session.exec(select(Alliance.id, Alliance.name).order_by(col(Alliance.name))).all()
    return [PlaceChoice(alliance_id, name) for alliance_id, name in rows if alliance_id is not None]
