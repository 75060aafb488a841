"""Points given as a special share of donation (积分转捐赠) and clerks' corrections of
volunteering entries: new entries on the chained points ledger, never edits, never overdrawn
(SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import Contribution, LedgerEntry, PointsCorrection, PointsEntry, PointsShare
from models.vocabulary import ContributionKind, PointsReason
from services import ledger, points, proposals
from services.accounts import viewer_for_person
from services.errors import InvalidInput, NotAllowed, NotFound, PointsShort
from services.verify import check_books
from tests.services.test_concurrency import outcomes, race
from tests.services.test_points import _balance, _item, _rule, _volunteer
from tests.street import draft, fingerprint
from tests.world import World


def _share_rate(world: World, fen: int = 10) -> int:
    return points.set_points_share_rate(
        world.session, world.viewer("chair_a"), place_id=world.community_a, fen_per_point=fen
    )


def _donate(world: World, given: int, **extra: object) -> int:
    return points.donate_points(
        world.session, world.viewer("resident_a1"), fund_id=world.fund_a, points=given, **extra
    )  # type: ignore[arg-type]


def test_points_given_count_as_a_contribution_at_the_committees_rate(world: World) -> None:
    """70 points at 10 fen a point: a labour contribution of 7 yuan, no cash on the ledger."""
    _rule(world, 10)
    _volunteer(world, 10)  # 100 points
    _share_rate(world, 10)
    ledger_before = len(world.session.exec(select(LedgerEntry)).all())
    entry_id = _donate(world, 70, note="For the elderly canteen")
    assert _balance(world) == 30
    entry = world.session.get(PointsEntry, entry_id)
    assert entry is not None
    assert (entry.delta, entry.reason) == (-70, PointsReason.DONATION_SHARE)
    share = world.session.exec(select(PointsShare)).one()
    assert (share.entry_id, share.points, share.fen_per_point) == (entry_id, 70, 10)
    gift = world.session.get(Contribution, share.contribution_id)
    assert gift is not None
    assert (gift.kind, gift.estimated_value_fen, gift.fund_id) == (
        ContributionKind.LABOUR,
        700,
        world.fund_a,
    )
    assert (gift.person_id, gift.description) == (
        world.people["resident_a1"],
        "For the elderly canteen",
    )
    assert [
        line.estimated_value_fen
        for line in ledger.contributions(world.session, fund_id=world.fund_a)
    ] == [700]
    assert len(world.session.exec(select(LedgerEntry)).all()) == ledger_before
    assert check_books(world.session).ok


def test_a_new_rate_applies_from_then_on(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 10)
    _share_rate(world, 10)
    _donate(world, 20)
    _share_rate(world, 5)
    _donate(world, 20)
    values = world.session.exec(
        select(Contribution.estimated_value_fen).order_by(col(Contribution.id))
    ).all()
    assert values == [200, 100]


def test_refused_shares_change_nothing(world: World) -> None:
    _rule(world, 10)
    _volunteer(world, 3)  # 30 points
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as no_rate:
        _donate(world, 10)
    assert no_rate.value.code == "points_no_share_rate"
    _share_rate(world, 10)
    before = fingerprint(world.session)
    with pytest.raises(PointsShort) as short:
        _donate(world, 31)
    assert short.value.params == {"balance": 30, "cost": 31}
    with pytest.raises(InvalidInput):
        _donate(world, 0)
    with pytest.raises(NotAllowed):  # B's fund is not the resident's community's
        points.donate_points(
            world.session, world.viewer("resident_a1"), fund_id=world.fund_b, points=10
        )
    with pytest.raises(NotAllowed):  # a clerk holds no resident's grant
        points.donate_points(world.session, world.viewer("clerk_a"), fund_id=world.fund_a, points=1)
    assert fingerprint(world.session) == before
    assert _balance(world) == 30


def test_a_share_and_a_redemption_at_once_never_overdraw(world: World, engine: Engine) -> None:
    """50 points; a 40-point share and a 30-point redemption sent at the same moment from two
    connections: one goes through, the other finds the balance short."""
    _rule(world, 10)
    _volunteer(world, 5)
    _share_rate(world, 10)
    item_id = _item(world, 30)
    resident, fund = world.people["resident_a1"], world.fund_a

    def give(session: Session) -> int:
        viewer = viewer_for_person(session, resident)
        return points.donate_points(session, viewer, fund_id=fund, points=40)

    def spend(session: Session) -> int:
        return points.redeem_points(session, viewer_for_person(session, resident), item_id=item_id)

    results = race(world, engine, [give, spend])
    assert outcomes(results) == {"ok": 1, "points_short": 1}
    world.session.rollback()
    assert _balance(world) in (10, 20)
    assert check_books(world.session).ok


def test_two_shares_at_once_never_overdraw(world: World, engine: Engine) -> None:
    _rule(world, 10)
    _volunteer(world, 5)  # 50 points
    _share_rate(world, 10)
    resident, fund = world.people["resident_a1"], world.fund_a

    def give(session: Session) -> int:
        viewer = viewer_for_person(session, resident)
        return points.donate_points(session, viewer, fund_id=fund, points=30)

    results = race(world, engine, [give, give])
    assert outcomes(results) == {"ok": 1, "points_short": 1}
    world.session.rollback()
    assert _balance(world) == 20
    assert len(world.session.exec(select(Contribution)).all()) == 1


def test_a_mistaken_entry_is_corrected_by_an_adjustment(world: World) -> None:
    """4 hours keyed instead of 2: an adjustment of -20 with the reason, shown in the history
    next to the entry it corrects; then the shift turns out not to have happened at all."""
    _rule(world, 10)
    wrong = _volunteer(world, 4)
    clerk = world.viewer("clerk_a")
    fix = points.correct_volunteering(
        world.session, clerk, entry_id=wrong, hours=2, reason="Keyed 4 hours, she did 2"
    )
    assert _balance(world) == 20
    statement = points.my_points(world.session, world.viewer("resident_a1"))
    assert [(line.delta, line.reason, line.corrects_id) for line in statement.lines] == [
        (-20, PointsReason.ADJUSTMENT, wrong),
        (40, PointsReason.VOLUNTEERING, None),
    ]
    assert statement.lines[0].description == "Keyed 4 hours, she did 2"
    points.correct_volunteering(
        world.session, clerk, entry_id=wrong, hours=0, reason="Shift cancelled"
    )
    assert _balance(world) == 0
    corrections = world.session.exec(select(PointsCorrection).order_by(col(PointsCorrection.id)))
    assert [(c.entry_id == fix, c.hours) for c in corrections] == [(True, 2), (False, 0)]
    original = world.session.get(PointsEntry, wrong)
    assert original is not None and original.delta == 40  # never edited
    assert check_books(world.session).ok


def test_refused_corrections_change_nothing(world: World) -> None:
    _rule(world, 10)
    entry = _volunteer(world, 3)
    item_id = _item(world, 25)
    points.redeem_points(world.session, world.viewer("resident_a1"), item_id=item_id)
    clerk = world.viewer("clerk_a")
    before = fingerprint(world.session)
    with pytest.raises(PointsShort):  # 25 of the 30 are spent: 0 hours would overdraw
        points.correct_volunteering(world.session, clerk, entry_id=entry, hours=0, reason="No")
    with pytest.raises(InvalidInput) as same:
        points.correct_volunteering(world.session, clerk, entry_id=entry, hours=3, reason="Same")
    assert same.value.code == "points_correction_same"
    with pytest.raises(InvalidInput):
        points.correct_volunteering(world.session, clerk, entry_id=entry, hours=2, reason=" ")
    with pytest.raises(NotAllowed):
        points.correct_volunteering(
            world.session, world.viewer("chair_b"), entry_id=entry, hours=2, reason="Wrong"
        )
    redemption = world.session.exec(
        select(PointsEntry.id).where(PointsEntry.reason == PointsReason.REDEMPTION)
    ).one()
    with pytest.raises(NotFound):  # only volunteering entries are corrected this way
        points.correct_volunteering(world.session, clerk, entry_id=redemption, hours=1, reason="x")
    assert fingerprint(world.session) == before
    assert _balance(world) == 5


def test_the_desk_offers_shares_and_corrections_where_allowed(world: World) -> None:
    _rule(world, 10)
    entry = _volunteer(world, 2)
    assert points.points_page(world.session, world.viewer("resident_a1")).desk.share_funds == []
    _share_rate(world, 10)
    resident = points.points_page(world.session, world.viewer("resident_a1")).desk
    assert [(f.id, f.fen_per_point) for f in resident.share_funds] == [(world.fund_a, 10)]
    chair = points.points_page(world.session, world.viewer("chair_a")).desk
    assert [(p.id, p.fen_per_point) for p in chair.rule_places] == [(world.community_a, 10)]
    points.correct_volunteering(
        world.session, world.viewer("clerk_a"), entry_id=entry, hours=1, reason="One hour"
    )
    clerk = points.points_page(world.session, world.viewer("clerk_a")).desk
    assert [(s.entry_id, s.hours) for s in clerk.shifts] == [(entry, 1)]


def test_a_share_for_one_project_of_the_funds_area(world: World) -> None:
    """Points may go to one project of the fund's community, not to another community's."""
    _rule(world, 10)
    _volunteer(world, 5)
    _share_rate(world, 10)
    resident = world.viewer("resident_a1")
    ours = proposals.submit_proposal(
        world.session, resident, draft=draft(world.compound_a1, "Benches")
    )
    theirs = proposals.submit_proposal(
        world.session, world.viewer("resident_b1"), draft=draft(world.compound_b1, "Lamps")
    )
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as elsewhere:
        _donate(world, 10, proposal_id=theirs)
    assert elsewhere.value.code == "points_share_proposal"
    assert fingerprint(world.session) == before
    _donate(world, 10, proposal_id=ours)
    gift = world.session.exec(select(Contribution)).one()
    assert (gift.proposal_id, gift.estimated_value_fen) == (ours, 100)
