"""Orders for social organisations (群众点单—社区下单—社会组织接单): a need the chair places as an
order goes open -> taken -> delivered -> reported (or withdrawn), each step by the workflow's
table only, and the needs board shows it (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models import Need, ServiceOrder
from models.vocabulary import NeedStatus, OrderStatus
from services import needs, orders, proposals
from services.accounts import viewer_for_person
from services.errors import Conflict, InvalidInput, NotAllowed, WrongPhase
from services.permissions import ANONYMOUS
from tests.services.test_concurrency import outcomes, race
from tests.street import draft, fingerprint
from tests.world import World


def _need(world: World, place: str = "compound_a1", who: str = "resident_a1") -> int:
    return needs.post_need(
        world.session,
        world.viewer(who),
        place_id=getattr(world, place),
        title="Lunch for elders living alone",
        description="Twelve elders in building 3 cannot cook for themselves",
        category="elderly_care",
    )


@pytest.fixture
def organisation(world: World) -> int:
    return orders.register_social_organisation(
        world.session,
        world.viewer("clerk_a"),
        place_id=world.community_a,
        name="Kangle elderly care",
        registration_no="52310112MJ4821735X",
        contact="Ms Wang, 021-6400 0000",
    )


def _status(world: World, order_id: int) -> tuple[str, str]:
    world.session.expire_all()
    order = world.session.get(ServiceOrder, order_id)
    assert order is not None
    need = world.session.get(Need, order.need_id)
    assert need is not None
    return order.status, need.status


def test_an_order_from_need_to_report(world: World, organisation: int) -> None:
    need_id = _need(world)
    chair, clerk = world.viewer("chair_a"), world.viewer("clerk_a")
    order_id = orders.place_order(world.session, chair, need_id=need_id)
    assert _status(world, order_id) == (OrderStatus.OPEN, NeedStatus.ORDERED)
    orders.take_order(world.session, clerk, order_id=order_id, organisation_id=organisation)
    assert _status(world, order_id)[0] == OrderStatus.TAKEN
    orders.deliver_order(world.session, clerk, order_id=order_id)
    orders.report_order(
        world.session,
        clerk,
        order_id=order_id,
        beneficiaries_served=12,
        report="Hot lunches five days a week\nfor twelve elders",
    )
    order = world.session.get(ServiceOrder, order_id)
    assert order is not None
    assert (order.status, order.beneficiaries_served, order.organisation_id) == (
        OrderStatus.REPORTED,
        12,
        organisation,
    )
    assert order.taken_at and order.delivered_at and order.reported_at
    assert order.taken_at <= order.delivered_at <= order.reported_at
    board = orders.needs_board(world.session, ANONYMOUS)
    (shown,) = [n for n in board.needs if n.need.id == need_id]
    assert shown.order is not None
    assert (shown.order.status, shown.order.organisation, shown.order.beneficiaries_served) == (
        OrderStatus.REPORTED,
        "Kangle elderly care",
        12,
    )
    assert (shown.order.may_handle, shown.order.may_withdraw, shown.may_order) == (
        False,
        False,
        False,
    )
    demand = needs.needs_demand(world.session)
    assert sum(row.needs for row in demand) == 1  # an ordered need still stands


def test_no_step_can_be_skipped_or_repeated(world: World, organisation: int) -> None:
    order_id = orders.place_order(world.session, world.viewer("chair_a"), need_id=_need(world))
    clerk = world.viewer("clerk_a")
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as skipped:
        orders.deliver_order(world.session, clerk, order_id=order_id)
    assert skipped.value.code == "order_move_invalid"
    with pytest.raises(WrongPhase):
        orders.report_order(
            world.session, clerk, order_id=order_id, beneficiaries_served=3, report="Done"
        )
    assert fingerprint(world.session) == before
    orders.take_order(world.session, clerk, order_id=order_id, organisation_id=organisation)
    with pytest.raises(WrongPhase):
        orders.take_order(world.session, clerk, order_id=order_id, organisation_id=organisation)
    orders.deliver_order(world.session, clerk, order_id=order_id)
    with pytest.raises(WrongPhase):  # delivered: too late to withdraw
        orders.withdraw_order(
            world.session, world.viewer("chair_a"), order_id=order_id, reason="Changed our mind"
        )
    before = fingerprint(world.session)
    for served, text in ((0, "Done"), (5, " "), (-1, "Done")):
        with pytest.raises(InvalidInput):
            orders.report_order(
                world.session, clerk, order_id=order_id, beneficiaries_served=served, report=text
            )
    assert fingerprint(world.session) == before


def test_a_withdrawn_order_reopens_the_need(world: World, organisation: int) -> None:
    need_id = _need(world)
    chair = world.viewer("chair_a")
    first = orders.place_order(world.session, chair, need_id=need_id)
    with pytest.raises(Conflict):  # one order at a time
        orders.place_order(world.session, chair, need_id=need_id)
    orders.take_order(
        world.session, world.viewer("clerk_a"), order_id=first, organisation_id=organisation
    )
    orders.withdraw_order(
        world.session, chair, order_id=first, reason="The street canteen now covers them"
    )
    assert _status(world, first) == (OrderStatus.WITHDRAWN, NeedStatus.OPEN)
    board = orders.needs_board(world.session, chair)
    (shown,) = [n for n in board.needs if n.need.id == need_id]
    assert shown.order is not None and shown.may_order
    assert shown.order.withdrawn_reason == "The street canteen now covers them"
    second = orders.place_order(world.session, chair, need_id=need_id)
    assert _status(world, second) == (OrderStatus.OPEN, NeedStatus.ORDERED)


def test_an_organisation_takes_only_orders_of_its_area(world: World) -> None:
    """Registered for community B, it cannot take A's order; the register refuses twins."""
    elsewhere = orders.register_social_organisation(
        world.session,
        world.viewer("admin"),
        place_id=world.community_b,
        name="Xinhua tutors",
        registration_no="52310112MJ0000001A",
        contact="Mr Li",
    )
    order_id = orders.place_order(world.session, world.viewer("chair_a"), need_id=_need(world))
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refused:
        orders.take_order(
            world.session, world.viewer("clerk_a"), order_id=order_id, organisation_id=elsewhere
        )
    assert refused.value.code == "organisation_elsewhere"
    with pytest.raises(Conflict):
        orders.register_social_organisation(
            world.session,
            world.viewer("admin"),
            place_id=world.community_b,
            name="Another name",
            registration_no="52310112MJ0000001A",
            contact="Mr Li",
        )
    with pytest.raises(InvalidInput):  # a compound registers no organisation
        orders.register_social_organisation(
            world.session,
            world.viewer("clerk_a"),
            place_id=world.compound_a1,
            name="Stairwell club",
            registration_no="X1",
            contact="Mr Zhao",
        )
    assert fingerprint(world.session) == before


def test_who_may_do_what(world: World, organisation: int) -> None:
    need_id = _need(world)
    before = fingerprint(world.session)
    for who in ("resident_a1", "clerk_a", "treasurer_a", "chair_b"):
        with pytest.raises(NotAllowed):
            orders.place_order(world.session, world.viewer(who), need_id=need_id)
    order_id = orders.place_order(world.session, world.viewer("chair_a"), need_id=need_id)
    before = fingerprint(world.session)
    for who in ("resident_a1", "chair_a", "chair_b"):
        with pytest.raises(NotAllowed):
            orders.take_order(
                world.session, world.viewer(who), order_id=order_id, organisation_id=organisation
            )
    with pytest.raises(NotAllowed):
        orders.withdraw_order(world.session, world.viewer("clerk_a"), order_id=order_id, reason="x")
    assert fingerprint(world.session) == before
    board = orders.needs_board(world.session, world.viewer("clerk_a"))
    (shown,) = [n for n in board.needs if n.need.id == need_id]
    assert shown.order is not None
    assert (shown.order.may_handle, shown.order.may_withdraw) == (True, False)
    assert [o.id for o in shown.order.organisations] == [organisation]


def test_two_chairs_placing_one_need_at_once(world: World, engine: Engine) -> None:
    need_id = _need(world)
    chair = world.people["chair_a"]

    def place(session: Session) -> int:
        return orders.place_order(session, viewer_for_person(session, chair), need_id=need_id)

    results = race(world, engine, [place] * 4)
    assert outcomes(results) == {"ok": 1, "need_not_open": 3}
    world.session.rollback()
    assert len(world.session.exec(select(ServiceOrder)).all()) == 1


def test_a_proposal_answering_an_ordered_need_leaves_the_order_standing(
    world: World, organisation: int
) -> None:
    """The need stays ordered while the order stands; withdrawn, it is adopted by the proposal
    (not open again: someone answers it)."""
    need_id = _need(world)
    chair = world.viewer("chair_a")
    order_id = orders.place_order(world.session, chair, need_id=need_id)
    proposals.submit_proposal(
        world.session,
        world.viewer("resident_a1"),
        draft=draft(world.compound_a1, "Lunch club", need_id=need_id),
    )
    assert _status(world, order_id) == (OrderStatus.OPEN, NeedStatus.ORDERED)
    orders.withdraw_order(world.session, chair, order_id=order_id, reason="A proposal answers it")
    assert _status(world, order_id) == (OrderStatus.WITHDRAWN, NeedStatus.ADOPTED)
