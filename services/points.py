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

from models import Person, Place, PointsAccount, PointsEntry, PointsItem, PointsRule, VolunteerShift
from models.clock import utc_now
from models.vocabulary import PlaceKind, PointsReason
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
from services.errors import Conflict, InvalidInput, NotAllowed, PointsShort
from services.permissions import Action, Viewer, can, places_where

MAX_POINTS_PER_HOUR = 1000
MAX_HOURS = 24  # one shift, one day
MAX_ITEM_POINTS = 1_000_000


@dataclass(frozen=True)
class PointsLine:
    entry_id: int
    recorded_at: datetime
    delta: int
    reason: str
    description: str
    merchant: str
    hours: int | None  # for volunteering


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


def my_points(session: Session, viewer: Viewer) -> PointsStatement:
    """The viewer's balance and every movement, newest first (nothing for a visitor)."""
    if viewer.person_id is None:
        return PointsStatement(balance=0, lines=[])
    rows = session.exec(
        select(PointsEntry, VolunteerShift.hours)
        .join(PointsAccount, col(PointsAccount.id) == PointsEntry.account_id)
        .outerjoin(VolunteerShift, col(VolunteerShift.entry_id) == PointsEntry.id)
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
        )
        for entry, hours in rows
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
        rule_places=desk(Action.SET_POINTS_RULE, (PlaceKind.COMMUNITY,)),
        record_places=recording,
        volunteers=volunteers,
        catalogue_places=desk(
            Action.MANAGE_POINTS_CATALOGUE, (PlaceKind.COMMUNITY, PlaceKind.COMPOUND)
        ),
    )


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
