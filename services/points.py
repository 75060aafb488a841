"""Volunteer points (积分): a community's committee sets what an hour of volunteering earns,
its clerks record the hours, residents spend points on the catalogue's goods and services,
some offered by merchants of the merchant alliance (商企联盟) below their list price.

Every movement is a ``PointsEntry`` on the append-only, hash-chained points ledger
(``models.chain``); a balance is the sum of an account's entries, never a stored figure. A
redemption takes ``lock_for_change`` before it reads the balance, so two spent at once are
decided one after the other and never overdraw.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from models import (
    Contribution,
    Fund,
    Person,
    Place,
    PointsAccount,
    PointsCorrection,
    PointsEntry,
    PointsItem,
    PointsRule,
    PointsShare,
    PointsShareRate,
    Proposal,
    VolunteerShift,
)
from models.clock import utc_now
from models.vocabulary import ContributionKind, PlaceKind, PointsReason
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
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, PointsShort
from services.permissions import Action, PlaceTree, Viewer, can, places_where

MAX_POINTS_PER_HOUR = 1000
MAX_HOURS = 24  # one shift, one day
MAX_ITEM_POINTS = 1_000_000
SHIFTS_SHOWN = 50  # the clerk's correction form lists the latest shifts
MAX_FEN_PER_POINT = 10_000  # 100 yuan a point: far beyond any rate in the field


@dataclass(frozen=True)
class PointsLine:
    entry_id: int
    recorded_at: datetime
    delta: int
    reason: str
    description: str
    merchant: str
    hours: int | None  # for volunteering
    corrects_id: int | None  # for an adjustment: the volunteering entry it corrects


@dataclass(frozen=True)
class PointsStatement:
    """A resident's balance and history, newest first."""

    balance: int
    lines: list[PointsLine]


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    place: str
    name: str
    merchant: str
    points_cost: int
    list_price_fen: int | None
    redeemable: bool  # the viewer may spend points here
    manageable: bool  # the viewer may withdraw it


@dataclass(frozen=True)
class DeskPlace:
    id: int
    name: str
    points_per_hour: int | None  # the rule in force there, if any
    fen_per_point: int | None = None  # the share rate in force there, if any


@dataclass(frozen=True)
class ShiftLine:
    """A volunteering entry a clerk may correct, with the hours that stand now."""

    entry_id: int
    volunteer: str
    place: str
    hours: int
    activity: str
    recorded_at: datetime


@dataclass(frozen=True)
class ShareFund:
    """A fund the viewer may give points to, and what a point counts for there."""

    id: int
    name: str
    fen_per_point: int


@dataclass(frozen=True)
class Volunteer:
    id: int
    name: str
    home: str


@dataclass(frozen=True)
class PointsDesk:
    """What the viewer may do with points beyond spending: set rules, record hours (for whom),
    keep the catalogue."""

    rule_places: list[DeskPlace]
    record_places: list[DeskPlace]
    volunteers: list[Volunteer]
    catalogue_places: list[DeskPlace]
    shifts: list[ShiftLine]
    share_funds: list[ShareFund]


@dataclass(frozen=True)
class PointsPage:
    """Everything the points screen shows the viewer, read in one go."""

    statement: PointsStatement
    catalogue: list[CatalogueItem]
    desk: PointsDesk


def _rule_for(session: Session, place_id: int) -> PointsRule | None:
    """The newest rule of the nearest place up the tree that has one."""
    for candidate in place_tree(session).lineage(place_id):
        rule = session.exec(
            select(PointsRule)
            .where(PointsRule.place_id == candidate)
            .order_by(col(PointsRule.id).desc())
        ).first()
        if rule is not None:
            return rule
    return None


def _account(session: Session, person_id: int) -> PointsAccount:
    """The person's account, opened on first use (under ``lock_for_change``: two first entries
    at once open one account)."""
    lock_for_change(session)
    account = session.exec(
        select(PointsAccount).where(PointsAccount.person_id == person_id)
    ).first()
    if account is None:
        account = PointsAccount(person_id=person_id)
        session.add(account)
        session.flush()
    return account


def _balance(session: Session, account_id: int) -> int:
    total = session.exec(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.account_id == account_id
        )
    ).one()
    return int(total)


def points_balance(session: Session, *, person_id: int) -> int:
    """The sum of the person's entries (0 without an account)."""
    account = session.exec(
        select(PointsAccount.id).where(PointsAccount.person_id == person_id)
    ).first()
    return 0 if account is None else _balance(session, account)


def set_points_rule(
    session: Session, viewer: Viewer, *, place_id: int, points_per_hour: int
) -> int:
    """A community's new rate for an hour of volunteering, in force from now on."""
    place = get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.SET_POINTS_RULE, place_id)
    if place.kind != PlaceKind.COMMUNITY:
        raise InvalidInput("points_rule_community", field="place")
    rate = bounded_int(points_per_hour, "points_per_hour", low=1, high=MAX_POINTS_PER_HOUR)
    rule = PointsRule(place_id=place_id, points_per_hour=rate, set_by_id=viewer.person_id)
    session.add(rule)
    record_audit(session, viewer, "set_points_rule", rule)
    session.commit()
    return id_of(rule)


def record_volunteering(
    session: Session, viewer: Viewer, *, person_id: int, place_id: int, hours: int, activity: str
) -> int:
    """Hours a resident of the place volunteered there, earning hours times the rule's rate;
    returns the points entry."""
    get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.RECORD_POINTS, place_id)
    person = get_or_fail(session, Person, person_id)
    home = person.home_place_id
    if not person.is_active or home is None or not place_tree(session).covers(place_id, home):
        raise InvalidInput("points_not_resident", field="volunteer")
    if person_id == viewer.person_id:  # nobody awards points to themselves
        raise InvalidInput("points_own_hours", field="volunteer")
    counted = bounded_int(hours, "hours", low=1, high=MAX_HOURS)
    what = clean_text(activity, "activity", max_length=200)
    rule = _rule_for(session, place_id)
    if rule is None:
        raise InvalidInput("points_no_rule", field="place")
    account = _account(session, person_id)
    entry = PointsEntry(
        account_id=id_of(account),
        delta=counted * rule.points_per_hour,
        reason=PointsReason.VOLUNTEERING,
        description=what,
        recorded_by_id=viewer.person_id,
    )
    session.add(entry)
    session.flush()
    shift = VolunteerShift(
        place_id=place_id,
        person_id=person_id,
        hours=counted,
        activity=what,
        rule_id=id_of(rule),
        points_per_hour=rule.points_per_hour,
        entry_id=id_of(entry),
        recorded_by_id=viewer.person_id,
    )
    session.add(shift)
    record_audit(session, viewer, "record_volunteering", shift)
    session.commit()
    return id_of(entry)


def add_catalogue_item(
    session: Session,
    viewer: Viewer,
    *,
    place_id: int,
    name: str,
    merchant: str,
    points_cost: int,
    list_price: str | None,
) -> int:
    """Goods or a service offered for points at a place; ``merchant`` empty: the community's
    own. ``list_price`` (yuan, optional) shows residents the discount."""
    get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.MANAGE_POINTS_CATALOGUE, place_id)
    item = PointsItem(
        place_id=place_id,
        name=clean_text(name, "name", max_length=120),
        merchant=clean_text(merchant, "merchant", max_length=120, required=False),
        points_cost=bounded_int(points_cost, "points_cost", low=1, high=MAX_ITEM_POINTS),
        list_price_fen=None if list_price in (None, "") else parse_yuan(list_price, "list_price"),
        created_by_id=viewer.person_id,
    )
    session.add(item)
    record_audit(session, viewer, "add_catalogue_item", item)
    session.commit()
    return id_of(item)


def withdraw_catalogue_item(session: Session, viewer: Viewer, *, item_id: int) -> None:
    """Off the catalogue from now on; redemptions made stay as they were."""
    item = get_or_fail(session, PointsItem, item_id)
    require_at(session, viewer, Action.MANAGE_POINTS_CATALOGUE, item.place_id)
    if item.withdrawn_at is not None:
        raise Conflict("points_item_withdrawn")
    item.withdrawn_at = utc_now()
    session.add(item)
    record_audit(session, viewer, "withdraw_catalogue_item", item)
    session.commit()


def redeem_points(session: Session, viewer: Viewer, *, item_id: int) -> int:
    """The viewer spends points on an item of the catalogue; refused, with nothing written,
    when the balance is short. Returns the points entry."""
    item = get_or_fail(session, PointsItem, item_id)
    require_at(session, viewer, Action.REDEEM_POINTS, item.place_id)
    if viewer.person_id is None:
        raise NotAllowed(action=Action.REDEEM_POINTS.value)
    if item.withdrawn_at is not None:
        raise Conflict("points_item_withdrawn")
    lock_for_change(session)  # from here the balance cannot move under us
    account_id = session.exec(
        select(PointsAccount.id).where(PointsAccount.person_id == viewer.person_id)
    ).first()
    balance = 0 if account_id is None else _balance(session, account_id)
    if account_id is None or balance < item.points_cost:
        raise PointsShort(balance=balance, cost=item.points_cost)
    entry = PointsEntry(
        account_id=account_id,
        delta=-item.points_cost,
        reason=PointsReason.REDEMPTION,
        description=item.name,
        merchant=item.merchant,
        recorded_by_id=viewer.person_id,
    )
    session.add(entry)
    record_audit(session, viewer, "redeem_points", entry)
    session.commit()
    return id_of(entry)


def set_points_share_rate(
    session: Session, viewer: Viewer, *, place_id: int, fen_per_point: int
) -> int:
    """What a point counts for, in fen, when a resident of the community gives points as a
    special share of donation (e.g. 10 fen: 10 points count as 1 yuan)."""
    place = get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.SET_POINTS_RULE, place_id)
    if place.kind != PlaceKind.COMMUNITY:
        raise InvalidInput("points_rule_community", field="place")
    rate = PointsShareRate(
        place_id=place_id,
        fen_per_point=bounded_int(fen_per_point, "fen_per_point", low=1, high=MAX_FEN_PER_POINT),
        set_by_id=viewer.person_id,
    )
    session.add(rate)
    record_audit(session, viewer, "set_points_share_rate", rate)
    session.commit()
    return id_of(rate)


def donate_points(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    points: int,
    proposal_id: int | None = None,
    note: str = "",
) -> int:
    """The viewer gives points as a special share of donation (积分转捐赠) to a fund of their
    community, or to one proposal of it. Points are a recognition of volunteering, not money:
    the share is recorded as a contribution in kind (labour, the work the points stand for)
    valued at the community's rate, never as cash on the fund's ledger. Refused, with nothing
    written, when the balance is short. Returns the points entry."""
    fund = get_or_fail(session, Fund, fund_id)
    if fund.place_id is None:
        raise InvalidInput("points_share_fund", field="fund")
    require_at(session, viewer, Action.DONATE_POINTS, fund.place_id)
    if viewer.person_id is None:
        raise NotAllowed(action=Action.DONATE_POINTS.value)
    given = bounded_int(points, "points", low=1, high=MAX_ITEM_POINTS)
    text = clean_text(note, "note", max_length=200, required=False)
    if proposal_id is not None:
        proposal = get_or_fail(session, Proposal, proposal_id)
        if not place_tree(session).covers(fund.place_id, proposal.place_id):
            raise InvalidInput("points_share_proposal", field="proposal")
    rate = _share_rate(session, fund.place_id)
    if rate is None:
        raise InvalidInput("points_no_share_rate", field="fund")
    person = get_or_fail(session, Person, viewer.person_id)
    lock_for_change(session)  # from here the balance cannot move under us
    account_id = session.exec(
        select(PointsAccount.id).where(PointsAccount.person_id == viewer.person_id)
    ).first()
    balance = 0 if account_id is None else _balance(session, account_id)
    if account_id is None or balance < given:
        raise PointsShort(balance=balance, cost=given)
    entry = PointsEntry(
        account_id=account_id,
        delta=-given,
        reason=PointsReason.DONATION_SHARE,
        description=fund.name[:200],
        recorded_by_id=viewer.person_id,
    )
    contribution = Contribution(
        kind=ContributionKind.LABOUR,
        contributor=person.display_name,
        person_id=viewer.person_id,
        proposal_id=proposal_id,
        fund_id=fund_id,
        description=text,
        estimated_value_fen=given * rate,
        occurred_on=utc_now().date(),
        recorded_by_id=viewer.person_id,
    )
    session.add_all([entry, contribution])
    session.flush()
    share = PointsShare(
        entry_id=id_of(entry),
        contribution_id=id_of(contribution),
        fund_id=fund_id,
        proposal_id=proposal_id,
        points=given,
        fen_per_point=rate,
    )
    session.add(share)
    record_audit(session, viewer, "donate_points", share)
    session.commit()
    return id_of(entry)


def correct_volunteering(
    session: Session, viewer: Viewer, *, entry_id: int, hours: int, reason: str
) -> int:
    """A clerk's mistaken volunteering entry, put right by a new adjustment entry of the
    difference (never an edit): ``hours`` is what the shift really was (0: it did not happen),
    at the rate it was counted at. Refused when the volunteer has already spent the points it
    would take back. Returns the adjustment entry."""
    shift = session.exec(select(VolunteerShift).where(VolunteerShift.entry_id == entry_id)).first()
    if shift is None:
        raise NotFound(entity="volunteershift")
    require_at(session, viewer, Action.RECORD_POINTS, shift.place_id)
    if shift.person_id == viewer.person_id:
        raise InvalidInput("points_own_hours", field="volunteer")
    corrected = bounded_int(hours, "hours", low=0, high=MAX_HOURS)
    why = clean_text(reason, "reason", max_length=200)
    lock_for_change(session)
    standing = session.exec(
        select(PointsCorrection.hours)
        .where(PointsCorrection.corrects_id == entry_id)
        .order_by(col(PointsCorrection.id).desc())
    ).first()
    current = shift.hours if standing is None else standing
    if corrected == current:
        raise InvalidInput("points_correction_same", field="hours")
    delta = (corrected - current) * shift.points_per_hour
    account = _account(session, shift.person_id)
    balance = _balance(session, id_of(account))
    if balance + delta < 0:
        raise PointsShort(balance=balance, cost=-delta)
    entry = PointsEntry(
        account_id=id_of(account),
        delta=delta,
        reason=PointsReason.ADJUSTMENT,
        description=why,
        recorded_by_id=viewer.person_id,
    )
    session.add(entry)
    session.flush()
    correction = PointsCorrection(
        entry_id=id_of(entry), corrects_id=entry_id, hours=corrected, reason=why
    )
    session.add(correction)
    record_audit(session, viewer, "correct_volunteering", correction)
    session.commit()
    return id_of(entry)


def my_points(session: Session, viewer: Viewer) -> PointsStatement:
    """The viewer's balance and every movement, newest first (nothing for a visitor)."""
    if viewer.person_id is None:
        return PointsStatement(balance=0, lines=[])
    rows = session.exec(
        select(PointsEntry, VolunteerShift.hours, PointsCorrection.corrects_id)
        .join(PointsAccount, col(PointsAccount.id) == PointsEntry.account_id)
        .outerjoin(VolunteerShift, col(VolunteerShift.entry_id) == PointsEntry.id)
        .outerjoin(PointsCorrection, col(PointsCorrection.entry_id) == PointsEntry.id)
        .where(PointsAccount.person_id == viewer.person_id)
        .order_by(col(PointsEntry.id).desc())
    ).all()
    lines = [
        PointsLine(
            entry_id=id_of(entry),
            recorded_at=entry.recorded_at,
            delta=entry.delta,
            reason=entry.reason,
            description=entry.description,
            merchant=entry.merchant,
            hours=hours,
            corrects_id=corrects,
        )
        for entry, hours, corrects in rows
    ]
    return PointsStatement(balance=sum(line.delta for line in lines), lines=lines)


def _catalogue(session: Session, viewer: Viewer) -> list[CatalogueItem]:
    """Every item on offer (the catalogue is public), with what the viewer may do with it."""
    tree = place_tree(session)
    rows = session.exec(
        select(PointsItem, Place.name)
        .join(Place, col(Place.id) == PointsItem.place_id)
        .where(col(PointsItem.withdrawn_at).is_(None))
        .order_by(col(Place.name), col(PointsItem.merchant), col(PointsItem.points_cost))
    ).all()
    return [
        CatalogueItem(
            id=id_of(item),
            place=place,
            name=item.name,
            merchant=item.merchant,
            points_cost=item.points_cost,
            list_price_fen=item.list_price_fen,
            redeemable=can(viewer, Action.REDEEM_POINTS, item.place_id, tree),
            manageable=can(viewer, Action.MANAGE_POINTS_CATALOGUE, item.place_id, tree),
        )
        for item, place in rows
    ]


def _desk(session: Session, viewer: Viewer) -> PointsDesk:
    """The places and people for the forms of those who set rules, record hours or keep the
    catalogue (empty lists for everyone else)."""
    tree = place_tree(session)
    places = list(session.exec(select(Place).order_by(col(Place.name))))
    names = {id_of(place): place.name for place in places}

    def desk(action: Action, kinds: tuple[str, ...]) -> list[DeskPlace]:
        candidates = [id_of(place) for place in places if place.kind in kinds]
        allowed = places_where(viewer, action, candidates, tree)
        return [
            DeskPlace(place_id, names[place_id], _rate(session, place_id))
            for place_id in candidates
            if place_id in allowed
        ]

    recording = desk(Action.RECORD_POINTS, (PlaceKind.COMMUNITY, PlaceKind.COMPOUND))
    volunteers = []
    if recording:
        where = {place.id for place in recording}
        for person in session.exec(
            select(Person).where(col(Person.is_active)).order_by(col(Person.display_name))
        ):
            home = person.home_place_id
            mine = person.id == viewer.person_id
            if home is not None and not mine and any(tree.covers(p, home) for p in where):
                volunteers.append(Volunteer(id_of(person), person.display_name, names[home]))
    return PointsDesk(
        rule_places=[
            DeskPlace(p.id, p.name, p.points_per_hour, _share_rate(session, p.id))
            for p in desk(Action.SET_POINTS_RULE, (PlaceKind.COMMUNITY,))
        ],
        record_places=recording,
        volunteers=volunteers,
        catalogue_places=desk(
            Action.MANAGE_POINTS_CATALOGUE, (PlaceKind.COMMUNITY, PlaceKind.COMPOUND)
        ),
        shifts=_shifts(session, {p.id for p in recording}, tree) if recording else [],
        share_funds=_share_funds(session, viewer, tree),
    )


def _shifts(session: Session, where: set[int], tree: PlaceTree) -> list[ShiftLine]:
    """The latest volunteering entries of the clerk's places, with their corrected hours."""
    corrected = dict(
        session.exec(
            select(PointsCorrection.corrects_id, PointsCorrection.hours).order_by(
                col(PointsCorrection.id)
            )
        ).all()
    )
    rows = session.exec(
        select(VolunteerShift, Person.display_name, Place.name)
        .join(Person, col(Person.id) == VolunteerShift.person_id)
        .join(Place, col(Place.id) == VolunteerShift.place_id)
        .order_by(col(VolunteerShift.id).desc())
        .limit(SHIFTS_SHOWN)
    ).all()
    return [
        ShiftLine(
            entry_id=shift.entry_id,
            volunteer=volunteer,
            place=place,
            hours=corrected.get(shift.entry_id, shift.hours),
            activity=shift.activity,
            recorded_at=shift.recorded_at,
        )
        for shift, volunteer, place in rows
        if any(tree.covers(p, shift.place_id) for p in where)
    ]


def _share_funds(session: Session, viewer: Viewer, tree: PlaceTree) -> list[ShareFund]:
    if viewer.person_id is None:
        return []
    funds = []
    for fund in session.exec(
        select(Fund).where(col(Fund.place_id).is_not(None)).order_by(col(Fund.name))
    ):
        place_id = fund.place_id or 0
        rate = _share_rate(session, place_id)
        if rate is not None and can(viewer, Action.DONATE_POINTS, place_id, tree):
            funds.append(ShareFund(id_of(fund), fund.name, rate))
    return funds


def _share_rate(session: Session, place_id: int) -> int | None:
    """Fen a point counts for: the newest rate of the nearest place up the tree that has one."""
    for candidate in place_tree(session).lineage(place_id):
        rate = session.exec(
            select(PointsShareRate.fen_per_point)
            .where(PointsShareRate.place_id == candidate)
            .order_by(col(PointsShareRate.id).desc())
        ).first()
        if rate is not None:
            return rate
    return None


def _rate(session: Session, place_id: int) -> int | None:
    rule = _rule_for(session, place_id)
    return None if rule is None else rule.points_per_hour


def points_page(session: Session, viewer: Viewer) -> PointsPage:
    """The viewer's statement, the catalogue, and the forms the viewer may use."""
    return PointsPage(
        statement=my_points(session, viewer),
        catalogue=_catalogue(session, viewer),
        desk=_desk(session, viewer),
    )
