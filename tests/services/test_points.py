"""Volunteer points (积分): earned by the committee's rule, spent on the catalogue, never
overdrawn, every movement on the chained points ledger (SQLite and PostgreSQL)."""

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import PointsAccount, PointsEntry, PointsItem, VolunteerShift
from models.vocabulary import PointsReason
from services import points
from services.accounts import viewer_for_person
from services.errors import Conflict, InvalidInput, NotAllowed, PointsShort
from services.permissions import ANONYMOUS
from services.verify import check_books
from tests.services.test_concurrency import outcomes, race
from tests.street import fingerprint
from tests.world import World


def _rule(world: World, rate: int = 10) -> int:
    return points.set_points_rule(
        world.session, world.viewer("chair_a"), place_id=world.community_a, points_per_hour=rate
    )


def _volunteer(world: World, hours: int, who: str = "resident_a1") -> int:
    return points.record_volunteering(
        world.session,
        world.viewer("clerk_a"),
        person_id=world.people[who],
        place_id=world.compound_a1 if who == "resident_a1" else world.community_a,
        hours=hours,
        activity="Elderly lunch delivery",
    )


def _item(world: World, cost: int, merchant: str = "Lianhua supermarket") -> int:
    return points.add_catalogue_item(
        world.session,
        world.viewer("clerk_a"),
        place_id=world.community_a,
        name="Rice, 5 kg",
        merchant=merchant,
        points_cost=cost,
        list_price="39.5",
    )


def _balance(world: World, who: str = "resident_a1") -> int:
    return points.my_points(world.session, world.viewer(who)).balance


def test_hours_earn_the_rule_in_force_and_keep_it(world: World) -> None:
    _rule(world, 10)
    first = _volunteer(world, 3)
    _rule(world, 12)  # a new rate applies from now on only
    second = _volunteer(world, 2)
    entries = {e.id: e for e in world.session.exec(select(PointsEntry))}
    assert (entries[first].delta, entries[second].delta) == (30, 24)
    assert {entries[first].reason, entries[second].reason} == {PointsReason.VOLUNTEERING}
    shifts = world.session.exec(select(VolunteerShift).order_by(col(VolunteerShift.id))).all()
    assert [(s.hours, s.points_per_hour, s.entry_id) for s in shifts] == [
        (3, 10, first),
        (2, 12, second),
    ]
    statement = points.my_points(world.session, world.viewer("resident_a1"))
    assert statement.balance == 54
    assert [(line.delta, line.hours) for line in statement.lines] == [(24, 2), (30, 3)]
    assert points.points_balance(world.session, person_id=world.people["resident_a1"]) == 54


def test_refused_recordings_change_nothing(world: World) -> None:
    clerk = world.viewer("clerk_a")
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as no_rule:
        _volunteer(world, 3)
    assert (no_rule.value.code, no_rule.value.params["field"]) == ("points_no_rule", "place")
    _rule(world, 10)
    ruled = fingerprint(world.session)
    assert ruled != before
    refusals: list[Callable[[], int]] = [
        lambda: _volunteer(world, 25),  # more than a day
        lambda: _volunteer(world, 0),
        lambda: points.record_volunteering(  # lives in community B
            world.session,
            clerk,
            person_id=world.people["resident_b1"],
            place_id=world.community_a,
            hours=2,
            activity="Litter pick",
        ),
    ]
    for refused in refusals:
        with pytest.raises(InvalidInput):
            refused()
        assert fingerprint(world.session) == ruled
    with pytest.raises(InvalidInput) as own:  # the clerk lives in community A too
        points.record_volunteering(
            world.session,
            clerk,
            person_id=world.people["clerk_a"],
            place_id=world.community_a,
            hours=2,
            activity="Filing",
        )
    assert own.value.code == "points_own_hours"
    assert fingerprint(world.session) == ruled
    with pytest.raises(InvalidInput) as on_compound:
        points.set_points_rule(
            world.session,
            world.viewer("chair_a"),
            place_id=world.compound_a1,
            points_per_hour=5,
        )
    assert on_compound.value.code == "points_rule_community"
    with pytest.raises(NotAllowed):  # community B's clerk work is not A's clerk's
        points.record_volunteering(
            world.session,
            clerk,
            person_id=world.people["resident_b1"],
            place_id=world.community_b,
            hours=2,
            activity="Litter pick",
        )
    assert fingerprint(world.session) == ruled


def test_redemption_at_a_merchant_spends_the_points(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 5)
    item_id = _item(world, 35)
    item = world.session.get(PointsItem, item_id)
    assert item is not None and item.list_price_fen == 3950
    entry_id = points.redeem_points(world.session, world.viewer("resident_a1"), item_id=item_id)
    entry = world.session.get(PointsEntry, entry_id)
    assert entry is not None
    assert (entry.delta, entry.reason, entry.merchant, entry.description) == (
        -35,
        PointsReason.REDEMPTION,
        "Lianhua supermarket",
        "Rice, 5 kg",
    )
    assert _balance(world) == 15
    assert check_books(world.session).ok


def test_a_short_balance_is_refused_and_changes_nothing(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 2)
    item_id = _item(world, 35)
    before = fingerprint(world.session)
    with pytest.raises(PointsShort) as short:
        points.redeem_points(world.session, world.viewer("resident_a1"), item_id=item_id)
    assert (short.value.code, short.value.params) == ("points_short", {"balance": 20, "cost": 35})
    with pytest.raises(PointsShort):  # no account at all: a balance of nothing
        points.redeem_points(world.session, world.viewer("resident_a2"), item_id=item_id)
    assert fingerprint(world.session) == before
    assert _balance(world) == 20


def test_only_the_residents_around_an_item_may_redeem_it(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 5)
    item_id = _item(world, 10)
    before = fingerprint(world.session)
    for who in ("resident_b1", "clerk_a", "chair_a", "outsider"):
        with pytest.raises(NotAllowed):
            points.redeem_points(world.session, world.viewer(who), item_id=item_id)
    with pytest.raises(NotAllowed):
        points.add_catalogue_item(
            world.session,
            world.viewer("resident_a1"),
            place_id=world.community_a,
            name="Haircut",
            merchant="",
            points_cost=50,
            list_price=None,
        )
    assert fingerprint(world.session) == before


def test_a_withdrawn_item_cannot_be_redeemed(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 5)
    item_id = _item(world, 10)
    points.withdraw_catalogue_item(world.session, world.viewer("chair_a"), item_id=item_id)
    before = fingerprint(world.session)
    with pytest.raises(Conflict):
        points.redeem_points(world.session, world.viewer("resident_a1"), item_id=item_id)
    with pytest.raises(Conflict):
        points.withdraw_catalogue_item(world.session, world.viewer("clerk_a"), item_id=item_id)
    assert fingerprint(world.session) == before
    page = points.points_page(world.session, world.viewer("resident_a1"))
    assert page.catalogue == []


def test_the_page_shows_each_viewer_what_they_may_do(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 1)
    _item(world, 10)
    points.add_catalogue_item(
        world.session,
        world.viewer("chair_b"),
        place_id=world.community_b,
        name="Bicycle repair",
        merchant="",
        points_cost=40,
        list_price="",
    )
    resident = points.points_page(world.session, world.viewer("resident_a1"))
    assert resident.statement.balance == 10
    assert {(i.name, i.redeemable, i.manageable) for i in resident.catalogue} == {
        ("Rice, 5 kg", True, False),
        ("Bicycle repair", False, False),
    }
    assert resident.desk == points.PointsDesk([], [], [], [], [], [])
    clerk = points.points_page(world.session, world.viewer("clerk_a"))
    assert [(p.id, p.points_per_hour) for p in clerk.desk.record_places] == [
        (world.community_a, 10),
        (world.compound_a1, 10),
        (world.compound_a2, 10),
    ]
    living_in_a = ("resident_a1", "resident_a2", "chair_a", "secretary_a", "treasurer_a")
    living_in_a += ("member_a",)  # the world gives officials a home where they serve; the
    # clerk, who lives there too, is left out: nobody records their own hours
    assert {v.id for v in clerk.desk.volunteers} == {world.people[who] for who in living_in_a}
    assert clerk.desk.rule_places == []
    assert [(s.volunteer, s.hours) for s in clerk.desk.shifts] == [("resident_a1", 1)]
    chair = points.points_page(world.session, world.viewer("chair_a"))
    assert [p.id for p in chair.desk.rule_places] == [world.community_a]
    visitor = points.points_page(world.session, ANONYMOUS)
    assert (visitor.statement.balance, visitor.statement.lines) == (0, [])


RACERS = 20


def test_redemptions_at_once_never_overdraw(world: World, engine: Engine) -> None:
    _rule(world, 10)
    _volunteer(world, 10)  # 100 points
    item_id = _item(world, 30)
    resident = world.people["resident_a1"]

    def redeem(session: Session) -> int:
        return points.redeem_points(session, viewer_for_person(session, resident), item_id=item_id)

    results = race(world, engine, [redeem] * RACERS)
    assert outcomes(results) == {"ok": 3, "points_short": RACERS - 3}
    world.session.rollback()
    assert _balance(world) == 10
    assert check_books(world.session).ok


def test_first_entries_at_once_open_one_account(world: World, engine: Engine) -> None:
    """Twenty recordings for someone without an account yet, at the same moment."""
    _rule(world, 10)
    clerk, volunteer = world.people["clerk_a"], world.people["resident_a2"]

    def record(session: Session) -> int:
        return points.record_volunteering(
            session,
            viewer_for_person(session, clerk),
            person_id=volunteer,
            place_id=world.compound_a2,
            hours=1,
            activity="Litter pick",
        )

    results = race(world, engine, [record] * RACERS)
    assert outcomes(results) == {"ok": RACERS}
    world.session.rollback()
    accounts = world.session.exec(
        select(PointsAccount.id).where(PointsAccount.person_id == volunteer)
    ).all()
    assert len(accounts) == 1
    assert points.points_balance(world.session, person_id=volunteer) == 10 * RACERS
    assert check_books(world.session).ok
