"""Orders for social organisations (群众点单—社区下单—社会组织接单): residents post a need, the
community's chair places it as an order, a registered social organisation takes it, delivers
and reports whom it served. The order's moves are ``services.workflow.ORDER_MOVES``; the need
follows (ordered while an order stands, open again when the order is withdrawn).

The community's clerks (social workers) record the organisation's steps for it: organisations
hold no accounts of their own (see ``services.permissions``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models import Need, Place, Proposal, ServiceOrder, SocialOrganisation
from models.clock import utc_now
from models.vocabulary import NeedStatus, OrderStatus, PlaceKind
from services import workflow
from services.common import (
    bounded_int,
    clean_text,
    get_locked,
    get_or_fail,
    id_of,
    lock_for_change,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput
from services.needs import NeedRow, list_needs
from services.permissions import Action, Viewer, can, places_where

MAX_BENEFICIARIES = 1_000_000


def register_social_organisation(
    session: Session,
    viewer: Viewer,
    *,
    place_id: int,
    name: str,
    registration_no: str,
    contact: str,
) -> int:
    """An organisation that may take the orders of the place (a street or a community) and of
    every place under it."""
    place = get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.REGISTER_SOCIAL_ORGANISATION, place_id)
    if place.kind not in (PlaceKind.STREET, PlaceKind.COMMUNITY):
        raise InvalidInput("organisation_place", field="place")
    organisation = SocialOrganisation(
        place_id=place_id,
        name=clean_text(name, "name", max_length=120),
        registration_no=clean_text(registration_no, "registration_no", max_length=40),
        contact=clean_text(contact, "contact", max_length=120),
        registered_by_id=viewer.person_id,
    )
    lock_for_change(session)
    taken = session.exec(
        select(SocialOrganisation.id).where(
            (col(SocialOrganisation.name) == organisation.name)
            | (col(SocialOrganisation.registration_no) == organisation.registration_no)
        )
    ).first()
    if taken is not None:
        raise Conflict("organisation_registered")
    session.add(organisation)
    record_audit(session, viewer, "register_social_organisation", organisation)
    session.commit()
    return id_of(organisation)


def place_order(session: Session, viewer: Viewer, *, need_id: int) -> int:
    """The committee adopts an open need as an order for a social organisation."""
    need = get_locked(session, Need, need_id, shared=False)
    require_at(session, viewer, Action.PLACE_ORDER, need.place_id)
    if need.status != NeedStatus.OPEN:
        raise Conflict("need_not_open")
    order = ServiceOrder(need_id=need_id, place_id=need.place_id, placed_by_id=viewer.person_id)
    need.status = NeedStatus.ORDERED
    session.add_all([order, need])
    record_audit(session, viewer, "place_order", order)
    session.commit()
    return id_of(order)


def _order_for(session: Session, viewer: Viewer, order_id: int, action: Action) -> ServiceOrder:
    order = get_locked(session, ServiceOrder, order_id, shared=False)
    require_at(session, viewer, action, order.place_id)
    return order


def _moved(session: Session, viewer: Viewer, order: ServiceOrder, what: str) -> None:
    session.add(order)
    record_audit(session, viewer, what, order)
    session.commit()


def take_order(session: Session, viewer: Viewer, *, order_id: int, organisation_id: int) -> None:
    """An organisation registered for the order's place takes it."""
    order = _order_for(session, viewer, order_id, Action.HANDLE_ORDER)
    organisation = get_or_fail(session, SocialOrganisation, organisation_id)
    workflow.order_move(order.status, OrderStatus.TAKEN)
    if not place_tree(session).covers(organisation.place_id, order.place_id):
        raise InvalidInput("organisation_elsewhere", field="organisation")
    order.status = OrderStatus.TAKEN
    order.organisation_id = organisation_id
    order.taken_by_id = viewer.person_id
    order.taken_at = utc_now()
    _moved(session, viewer, order, "take_order")


def deliver_order(session: Session, viewer: Viewer, *, order_id: int) -> None:
    """The organisation has done the work: only a delivered order may be reported on."""
    order = _order_for(session, viewer, order_id, Action.HANDLE_ORDER)
    workflow.order_move(order.status, OrderStatus.DELIVERED)
    order.status = OrderStatus.DELIVERED
    order.delivered_at = utc_now()
    _moved(session, viewer, order, "deliver_order")


def report_order(
    session: Session, viewer: Viewer, *, order_id: int, beneficiaries_served: int, report: str
) -> None:
    """Whom the delivered service reached, and what was done: the order is closed."""
    order = _order_for(session, viewer, order_id, Action.HANDLE_ORDER)
    workflow.order_move(order.status, OrderStatus.REPORTED)
    served = bounded_int(
        beneficiaries_served, "beneficiaries_served", low=1, high=MAX_BENEFICIARIES
    )
    text = clean_text(report, "report", max_length=2000, multiline=True)
    order.status = OrderStatus.REPORTED
    order.beneficiaries_served = served
    order.report = text
    order.reported_at = utc_now()
    _moved(session, viewer, order, "report_order")


def withdraw_order(session: Session, viewer: Viewer, *, order_id: int, reason: str) -> None:
    """The committee takes an order back before it is delivered, with a reason shown on the
    board; the need is open again (adopted, if a proposal answers it meanwhile)."""
    order = _order_for(session, viewer, order_id, Action.PLACE_ORDER)
    workflow.order_move(order.status, OrderStatus.WITHDRAWN)
    why = clean_text(reason, "reason", max_length=500)
    need = get_locked(session, Need, order.need_id, shared=False)
    order.status = OrderStatus.WITHDRAWN
    order.withdrawn_at = utc_now()
    order.withdrawn_reason = why
    answered = session.exec(select(Proposal.id).where(Proposal.need_id == need.id)).first()
    need.status = NeedStatus.OPEN if answered is None else NeedStatus.ADOPTED
    session.add(need)
    _moved(session, viewer, order, "withdraw_order")


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str


@dataclass(frozen=True)
class OrderCard:
    """A need's latest order, as the board shows it, and what the viewer may do with it."""

    id: int
    status: str
    organisation: str
    placed_at: datetime
    taken_at: datetime | None
    delivered_at: datetime | None
    beneficiaries_served: int | None
    report: str
    withdrawn_reason: str
    may_handle: bool  # take, deliver, report for the organisation
    may_withdraw: bool
    organisations: list[OrganisationChoice]  # those registered for its place, to take it


@dataclass(frozen=True)
class BoardNeed:
    need: NeedRow
    order: OrderCard | None
    may_order: bool


@dataclass(frozen=True)
class NeedsBoard:
    needs: list[BoardNeed]


def needs_board(session: Session, viewer: Viewer) -> NeedsBoard:
    """Every need (the board is public) with its latest order, and the viewer's buttons."""
    tree = place_tree(session)
    latest: dict[int, tuple[ServiceOrder, str]] = {}
    for order, organisation in session.exec(
        select(ServiceOrder, SocialOrganisation.name)
        .outerjoin(SocialOrganisation, col(SocialOrganisation.id) == ServiceOrder.organisation_id)
        .order_by(col(ServiceOrder.id))
    ):
        latest[order.need_id] = (order, organisation or "")
    organisations = session.exec(
        select(SocialOrganisation).order_by(col(SocialOrganisation.name))
    ).all()
    rows = list_needs(session)
    orderable = places_where(viewer, Action.PLACE_ORDER, {row.place_id for row in rows}, tree)

    def card(order: ServiceOrder, organisation: str) -> OrderCard:
        handles = can(viewer, Action.HANDLE_ORDER, order.place_id, tree)
        return OrderCard(
            id=id_of(order),
            status=order.status,
            organisation=organisation,
            placed_at=order.placed_at,
            taken_at=order.taken_at,
            delivered_at=order.delivered_at,
            beneficiaries_served=order.beneficiaries_served,
            report=order.report,
            withdrawn_reason=order.withdrawn_reason,
            may_handle=handles,
            may_withdraw=can(viewer, Action.PLACE_ORDER, order.place_id, tree),
            organisations=[
                OrganisationChoice(id_of(o), o.name)
                for o in organisations
                if handles and tree.covers(o.place_id, order.place_id)
            ],
        )

    return NeedsBoard(
        needs=[
            BoardNeed(
                need=row,
                order=card(*latest[row.id]) if row.id in latest else None,
                may_order=row.status == NeedStatus.OPEN and row.place_id in orderable,
            )
            for row in rows
        ]
    )
