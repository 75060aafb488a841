"""Next year's seed money split in layers: the formula by hand, its properties, and the flow
(draft, adjust with a reason, publish) with its permissions, refusals and concurrent changes."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from models import (
    AllocationAdjustment,
    AllocationLine,
    AllocationPlan,
    AuditEntry,
    Need,
    Person,
    Place,
    RoleGrant,
)
from models.vocabulary import AllocationStatus, NeedStatus, PlaceKind, Role
from services import needs, places
from services.accounts import viewer_for_person
from services.allocation import (
    CommunityFigures,
    adjust_allocation,
    allocation_page,
    draft_allocation_plan,
    largest_remainder,
    layered_split,
    publish_allocation,
)
from services.errors import Conflict, InvalidInput, NotAllowed, WrongPhase
from services.permissions import Viewer
from tests.services.test_concurrency import outcomes, race
from tests.world import World

NOTHING = dict(implementation=None, leverage=None, satisfaction=None)


def figures(community_id: int, households: int | None, needs: int, age: int | None, **more):  # type: ignore[no-untyped-def]
    return CommunityFigures(community_id, households, needs, age, **{**NOTHING, **more})


# --- the formula, by hand ---------------------------------------------------------------------


def test_three_communities_by_hand() -> None:
    """300,000 yuan, floor 40 %, need 60 % of the rest: pools 120,000 / 108,000 / 72,000 yuan.

    Need (households, open needs, age): A 970, 3, 30; B 970, 1, 10; C 420, 0, unknown.
    Σ = 2,360, 4, 40: need A = (970/2360 + 3/4 + 30/40) ÷ 3 = 451/708, B = 215/708, C = 42/708.
    Performance: only A scores, (1/3 + min(3/2, 2)/2 + 4/5) ÷ 3 = 113/180, so A takes the pool.
    A = 40,000 + 108,000 × 451/708 + 72,000 = 180,796.6101… yuan
    B = 40,000 + 108,000 × 215/708           =  72,796.6101…
    C = 40,000 + 108,000 × 42/708            =  46,406.7796…
    Whole fen sum to 29,999,999: the one left goes to C, the largest remainder (684/708)."""
    split = layered_split(
        30_000_000,
        floor_percent=40,
        need_percent=60,
        figures=[
            figures(
                1,
                970,
                3,
                30,
                implementation=Fraction(1, 3),
                leverage=Fraction(3, 2),
                satisfaction=Fraction(4),
            ),
            figures(2, 970, 1, 10),
            figures(3, 420, 0, None),
        ],
    )
    assert (split.floor_pool, split.need_pool, split.performance_pool) == (
        12_000_000,
        10_800_000,
        7_200_000,
    )
    assert split.need_totals == (2360, 4, 40) and split.need_measures == 3
    a, b, c = split.parts
    assert [p.need_share for p in split.parts] == [
        Fraction(451, 708),
        Fraction(215, 708),
        Fraction(42, 708),
    ]
    assert a.need_parts == (Fraction(97, 236), Fraction(3, 4), Fraction(3, 4))
    assert a.performance_parts == (Fraction(1, 3), Fraction(3, 4), Fraction(4, 5))
    assert a.performance_score == Fraction(113, 180) == split.score_total
    assert (a.performance_share, b.performance_share, c.performance_share) == (1, 0, 0)
    assert [p.amount_fen for p in split.parts] == [18_079_661, 7_279_661, 4_640_678]
    assert c.exact == 4_640_677 + Fraction(684, 708)


def test_without_any_figure_the_money_is_split_evenly_and_the_first_gets_the_odd_fen() -> None:
    split = layered_split(
        100,
        floor_percent=0,
        need_percent=50,
        figures=[figures(i, None, 0, None) for i in (1, 2, 3)],
    )
    assert split.need_measures == 0 and split.score_total == 0
    assert [p.amount_fen for p in split.parts] == [34, 33, 33]


def test_leverage_and_satisfaction_are_capped() -> None:
    """Six yuan drawn per seed yuan scores as two would; a perfect review as 5/5."""
    split = layered_split(
        10_000,
        floor_percent=0,
        need_percent=0,
        figures=[
            figures(1, 1, 0, None, leverage=Fraction(6), implementation=Fraction(1)),
            figures(2, 1, 0, None, leverage=Fraction(2), satisfaction=Fraction(5)),
        ],
    )
    first, second = split.parts
    assert first.performance_parts == (1, 1, 0) and second.performance_parts == (0, 1, 1)
    assert [p.amount_fen for p in split.parts] == [5_000, 5_000]


def test_largest_remainder_refuses_amounts_that_do_not_add_up() -> None:
    with pytest.raises(ValueError):
        largest_remainder([Fraction(1, 2), Fraction(1, 3)], 1)
    assert largest_remainder([Fraction(5, 2), Fraction(7, 2)], 6) == [3, 3]


community = st.builds(
    CommunityFigures,
    community_id=st.integers(1, 10**6),
    households=st.none() | st.integers(0, 50_000),
    open_needs=st.integers(0, 300),
    facility_age=st.none() | st.integers(0, 120),
    implementation=st.none() | st.fractions(0, 1),
    leverage=st.none() | st.fractions(0, 20),
    satisfaction=st.none() | st.fractions(0, 5),
)
plans = st.tuples(
    st.integers(1, 10**12),
    st.integers(0, 100),
    st.integers(0, 100),
    st.lists(community, min_size=1, max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(plans)
def test_the_parts_sum_to_the_total_and_respect_the_floor(
    plan: tuple[int, int, int, list[CommunityFigures]],
) -> None:
    total, floor, need, communities = plan
    split = layered_split(total, floor_percent=floor, need_percent=need, figures=communities)
    amounts = [p.amount_fen for p in split.parts]
    assert sum(amounts) == total
    assert min(amounts) >= total * floor // 100 // len(communities)
    assert all(abs(p.exact - p.amount_fen) < 1 for p in split.parts)


@settings(max_examples=300, deadline=None)
@given(
    plans,
    st.integers(0, 11),
    st.sampled_from(["open_needs", "households", "facility_age"]),
    st.integers(1, 500),
)
def test_more_need_never_means_less_money(
    plan: tuple[int, int, int, list[CommunityFigures]], pick: int, figure: str, more: int
) -> None:
    """The exact amount never falls; the whole fen by no more than the one of rounding."""
    total, floor, need, communities = plan
    index = pick % len(communities)
    before = layered_split(total, floor_percent=floor, need_percent=need, figures=communities)
    grown = list(communities)
    old = getattr(grown[index], figure) or 0
    grown[index] = CommunityFigures(**{**vars(grown[index]), figure: old + more})
    after = layered_split(total, floor_percent=floor, need_percent=need, figures=grown)
    assert after.parts[index].exact >= before.parts[index].exact
    assert after.parts[index].amount_fen >= before.parts[index].amount_fen - 1


# --- the flow, on a real store -----------------------------------------------------------------


def _store_figures(world: World) -> None:
    """Two open needs in A, one in B (and one in B adopted, not counted); A's first compound
    was built in 1985 (42 years old in 2027), B's age unknown."""
    for viewer, place, title in (
        ("resident_a1", world.compound_a1, "Broken bench"),
        ("resident_a1", world.compound_a1, "Dark stairwell"),
        ("resident_b1", world.compound_b1, "No shade"),
        ("resident_b1", world.compound_b1, "Bike shed"),
    ):
        needs.post_need(
            world.session,
            world.viewer(viewer),
            place_id=place,
            title=title,
            description="Neighbours ask for it.",
            category="public_facilities",
        )
    adopted = world.session.exec(select(Need).where(Need.title == "Bike shed")).one()
    adopted.status = NeedStatus.ADOPTED
    built = world.session.get(Place, world.compound_a1)
    assert built is not None
    built.built_year = 1985
    world.session.add_all([adopted, built])
    world.session.commit()


def _draft(world: World, viewer: str = "reviewer", **overrides) -> int:  # type: ignore[no-untyped-def]
    arguments = dict(
        street_id=world.street, year=2027, total="100,000", floor_percent=30, need_percent=50
    )
    return draft_allocation_plan(world.session, world.viewer(viewer), **{**arguments, **overrides})


def _amounts(session: Session, plan_id: int) -> dict[int, int]:
    session.expire_all()
    lines = session.exec(select(AllocationLine).where(AllocationLine.plan_id == plan_id))
    return {line.community_id: line.amount_fen for line in lines}


def _store(session: Session) -> tuple[object, ...]:
    """What an adjustment may change: the amounts, the adjustments, the audit log."""
    session.expire_all()
    return (
        sorted((line.id, line.amount_fen) for line in session.exec(select(AllocationLine))),
        session.exec(select(func.count()).select_from(AllocationAdjustment)).one(),
        session.exec(select(func.count()).select_from(AuditEntry)).one(),
        [p.status for p in session.exec(select(AllocationPlan))],
    )


def test_a_draft_stores_the_suggestion_as_computed_by_hand(world: World) -> None:
    """100,000 yuan, floor 30 %, need 50 % of the rest: pools 30,000 / 35,000 / 35,000 yuan.
    Households 120 and 120 (the communities' own figures), open needs 2 and 1, age 42 and
    unknown: need A = (1/2 + 2/3 + 1) ÷ 3 = 13/18, B = (1/2 + 1/3 + 0) ÷ 3 = 5/18. Nobody has
    a 2026 figure, so the performance pool is split evenly.
    A = 15,000 + 35,000 × 13/18 + 17,500 = 57,777.77… ; B = 15,000 + 35,000 × 5/18 + 17,500
    = 42,222.22…; the odd fen goes to A (remainder 7/9 against 2/9)."""
    _store_figures(world)
    plan_id = _draft(world)
    plan = world.session.get(AllocationPlan, plan_id)
    assert plan is not None
    assert (plan.status, plan.total_fen, plan.floor_percent, plan.need_percent) == (
        AllocationStatus.DRAFT,
        10_000_000,
        30,
        50,
    )
    lines = {
        line.community_id: line
        for line in world.session.exec(
            select(AllocationLine).where(AllocationLine.plan_id == plan_id)
        )
    }
    a, b = lines[world.community_a], lines[world.community_b]
    assert (a.households, a.open_needs, a.facility_age) == (120, 2, 42)
    assert (b.households, b.open_needs, b.facility_age) == (120, 1, None)
    assert (a.suggested_fen, b.suggested_fen) == (5_777_778, 4_222_222)
    assert (a.amount_fen, b.amount_fen) == (5_777_778, 4_222_222)
    page = allocation_page(world.session, world.viewer("reviewer"), plan_id=plan_id)
    assert page.plan is not None and page.plan.can_adjust and page.plan.can_publish is False
    assert [line.part.need_share for line in page.plan.lines] == [Fraction(13, 18), Fraction(5, 18)]
    entry = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "draft_allocation_plan")
    ).one()
    assert entry.after is not None and entry.after["suggested_fen"] == {
        str(world.community_a): 5_777_778,
        str(world.community_b): 4_222_222,
    }


def test_one_plan_per_street_and_year_and_only_for_a_street(world: World) -> None:
    _draft(world)
    with pytest.raises(Conflict) as taken:
        _draft(world, viewer="admin")
    assert taken.value.code == "allocation_plan_exists"
    with pytest.raises(InvalidInput) as wrong:
        _draft(world, viewer="admin", street_id=world.community_a)
    assert wrong.value.code == "allocation_not_a_street"
    with pytest.raises(InvalidInput):
        _draft(world, floor_percent=101)
    with pytest.raises(InvalidInput):
        _draft(world, total="-5")


def _other_street_reviewer(world: World) -> Viewer:
    street = Place(kind=PlaceKind.STREET, name="Hongqiao", parent_id=world.district)
    person = Person(display_name="other street's reviewer")
    world.session.add_all([street, person])
    world.session.flush()
    world.session.add(RoleGrant(person_id=person.id, role=Role.REVIEWER, place_id=street.id))
    world.session.commit()
    return viewer_for_person(world.session, person.id)  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["resident_a1", "chair_a", "other_street", "outsider"])
def test_only_the_streets_reviewers_and_admins_draft_and_adjust(world: World, who: str) -> None:
    viewer = _other_street_reviewer(world) if who == "other_street" else world.viewer(who)
    plan_id = _draft(world)
    before = _store(world.session)
    with pytest.raises(NotAllowed):
        draft_allocation_plan(
            world.session,
            viewer,
            street_id=world.street,
            year=2028,
            total="1000",
            floor_percent=50,
            need_percent=50,
        )
    world.session.rollback()
    with pytest.raises(NotAllowed):
        adjust_allocation(
            world.session,
            viewer,
            plan_id=plan_id,
            community_id=world.community_a,
            amount="60000",
            counterpart_id=world.community_b,
            reason="They asked for more money.",
        )
    world.session.rollback()
    assert _store(world.session) == before
    assert allocation_page(world.session, viewer, plan_id=plan_id).plan is None  # not public


def test_an_adjustment_moves_money_and_keeps_the_total(world: World) -> None:
    plan_id = _draft(world)  # no needs, no ages: 50,000 yuan each
    assert _amounts(world.session, plan_id) == {
        world.community_a: 5_000_000,
        world.community_b: 5_000_000,
    }
    adjust_allocation(
        world.session,
        world.viewer("admin"),
        plan_id=plan_id,
        community_id=world.community_b,
        amount="62,500.50",
        counterpart_id=world.community_a,
        reason="Xinhua's elderly canteen opens next spring.",
    )
    assert _amounts(world.session, plan_id) == {
        world.community_a: 3_749_950,
        world.community_b: 6_250_050,
    }
    adjustment = world.session.exec(select(AllocationAdjustment)).one()
    assert (adjustment.before_fen, adjustment.after_fen) == (5_000_000, 6_250_050)
    assert (adjustment.counterpart_before_fen, adjustment.counterpart_after_fen) == (
        5_000_000,
        3_749_950,
    )
    assert adjustment.adjusted_by_id == world.people["admin"]
    audit = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "adjust_allocation")
    ).one()
    assert audit.actor_id == world.people["admin"] and audit.entity_id == adjustment.id
    view = allocation_page(world.session, world.viewer("resident_a1"), plan_id=plan_id)
    assert view.plan is None  # still a draft: nothing public


@pytest.mark.parametrize(
    ("amount", "counterpart", "reason", "code"),
    [
        ("60000", "b", "", "field_required"),
        ("60000", "b", "because", "reason_too_short"),
        ("-100", "b", "Residents asked for more money.", "amount_not_positive"),
        ("100,000.01", "b", "Residents asked for more money.", "allocation_breaks_total"),
        ("50000", "b", "Residents asked for more money.", "allocation_amount_unchanged"),
        ("60000", "a", "Residents asked for more money.", "allocation_counterpart_invalid"),
        ("60000", "street", "Residents asked for more money.", "allocation_counterpart_invalid"),
        ("1e5", "b", "Residents asked for more money.", "amount_malformed"),
        ("60000", "b", "Bad\u202e reason text", "text_direction_control"),
    ],
)
def test_a_bad_adjustment_is_refused_and_changes_nothing(
    world: World, amount: str, counterpart: str, reason: str, code: str
) -> None:
    plan_id = _draft(world)
    before = _store(world.session)
    other = {"a": world.community_a, "b": world.community_b, "street": world.street}[counterpart]
    with pytest.raises(InvalidInput) as refused:
        adjust_allocation(
            world.session,
            world.viewer("reviewer"),
            plan_id=plan_id,
            community_id=world.community_a,
            amount=amount,
            counterpart_id=other,
            reason=reason,
        )
    world.session.rollback()
    assert refused.value.code == code
    assert _store(world.session) == before


def test_publishing_takes_another_reviewer_and_makes_the_plan_read_only(world: World) -> None:
    plan_id = _draft(world, viewer="admin")
    with pytest.raises(NotAllowed) as own:
        publish_allocation(world.session, world.viewer("admin"), plan_id=plan_id)
    assert own.value.code == "allocation_publish_own"
    world.session.rollback()
    with pytest.raises(NotAllowed):
        publish_allocation(world.session, world.viewer("chair_a"), plan_id=plan_id)
    world.session.rollback()
    publish_allocation(world.session, world.viewer("reviewer"), plan_id=plan_id)
    before = _store(world.session)
    with pytest.raises(WrongPhase):
        adjust_allocation(
            world.session,
            world.viewer("admin"),
            plan_id=plan_id,
            community_id=world.community_a,
            amount="1",
            counterpart_id=world.community_b,
            reason="Too late to change it now.",
        )
    world.session.rollback()
    with pytest.raises(WrongPhase):
        publish_allocation(world.session, world.viewer("admin"), plan_id=plan_id)
    world.session.rollback()
    assert _store(world.session) == before and before[3] == ["published"]
    page = allocation_page(world.session, world.viewer("resident_a1"))
    assert page.plan is not None and page.plan.id == plan_id
    assert page.plan.published_by == "reviewer" and not page.plan.can_adjust
    assert [line.amount_fen for line in page.plan.lines] == [5_000_000, 5_000_000]
    assert page.streets == ()


def test_two_adjustments_at_once_are_both_kept(world: World, engine: Engine) -> None:
    """Each moves money to B from A; the second sets B from what the first left."""
    plan_id = _draft(world)
    reviewer, admin = world.viewer("reviewer"), world.viewer("admin")

    def move(viewer: Viewer, amount: str):  # type: ignore[no-untyped-def]
        def call(session: Session) -> None:
            adjust_allocation(
                session,
                viewer,
                plan_id=plan_id,
                community_id=world.community_a,
                amount=amount,
                counterpart_id=world.community_b,
                reason="Kangcheng's share, as discussed.",
            )

        return call

    results = race(world, engine, [move(reviewer, "40000"), move(admin, "45000")])
    assert outcomes(results) == {"ok": 2}
    amounts = _amounts(world.session, plan_id)
    assert sum(amounts.values()) == 10_000_000
    adjustments = list(
        world.session.exec(select(AllocationAdjustment).order_by(col(AllocationAdjustment.id)))
    )
    assert len(adjustments) == 2
    first, second = adjustments
    assert first.before_fen == 5_000_000 and second.before_fen == first.after_fen
    assert second.counterpart_before_fen == first.counterpart_after_fen
    assert amounts[world.community_a] == second.after_fen


def test_the_year_an_estate_was_built_is_an_administrators_figure(world: World) -> None:
    places.record_built_year(
        world.session, world.viewer("admin"), place_id=world.compound_b1, built_year=1978
    )
    with pytest.raises(NotAllowed):
        places.record_built_year(
            world.session, world.viewer("reviewer"), place_id=world.compound_b1, built_year=1990
        )
    world.session.rollback()
    with pytest.raises(InvalidInput):
        places.record_built_year(
            world.session, world.viewer("admin"), place_id=world.compound_b1, built_year=1700
        )
    world.session.rollback()
    new = places.create_place(
        world.session,
        world.viewer("admin"),
        kind="compound",
        name="Xinhua 2",
        parent_id=world.community_b,
        households=300,
        built_year=2001,
    )
    world.session.expire_all()
    years = {p.id: p.built_year for p in world.session.exec(select(Place))}
    assert (years[world.compound_b1], years[new]) == (1978, 2001)
