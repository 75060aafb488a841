"""The year-end indicators (services.indicators): each definition on small handmade worlds, and
the demo's figures as hand-computed in demo/indicators.py, on SQLite and PostgreSQL."""

from fractions import Fraction

import pytest
from sqlmodel import Session, select

from models import AuditEntry, Person, Place, ProjectRating, RoleGrant
from models.clock import today
from models.vocabulary import CommitteePosition, Role
from services import ledger, ratings, reviews
from services.accounts import viewer_for_person
from services.common import id_of
from services.errors import InvalidInput, NotAllowed, WrongPhase
from services.indicators import (
    Indicators,
    community_indicators,
    indicator_years,
    street_indicators,
)
from services.permissions import Viewer
from services.proposals import LineItemInput, ProposalDraft
from services.ratings import ProjectRatings
from tests.services.test_reviews import (
    HELD,
    S,
    allocate,
    count,
    fund_money,
    open_session,
    project,
    score,
    second_reviewer,
)
from tests.world import World, build_world, pay_project, through_the_vote


def _draft(world: World, title: str = "Bench by the pond") -> ProposalDraft:
    return ProposalDraft(
        place_id=world.compound_a1,
        round_id=None,
        title=title,
        summary="Two benches for the elderly.",
        category="public_facilities",
        line_items=[LineItemInput("Bench", "public_facilities", 2, "1500")],
        co_funding=[],
        maintenance_plan="The property manager checks them monthly.",
        maintainer="Property manager",
        maintenance_years=3,
    )


def test_a_street_where_nothing_happened_has_every_community_with_zeros_and_no_ratios(
    session: Session,
) -> None:
    world = build_world(session)
    rows = community_indicators(session, street_id=world.street, year=2026)
    assert [(r.place, r.households, r.submitted, r.voters) for r in rows] == [
        ("Kangcheng", 120, 0, 0),
        ("Xinhua", 120, 0, 0),
    ]
    street = street_indicators(session, street_id=world.street, year=2026)
    assert (street.place, street.households) == ("Xinzhuang", 120)
    for ratio in (
        street.done_of_submitted,
        street.done_of_selected,
        street.leverage,
        street.non_government_share,
        street.abandoned_share,
        street.within_budget_share,
        street.review_satisfaction,
        street.resident_satisfaction,
    ):
        assert ratio is None
    assert street.turnout == 0
    assert indicator_years(session, street_id=world.street) == []


def test_a_selected_project_without_seed_money_has_no_leverage(session: Session) -> None:
    world = build_world(session)
    proposal_id = through_the_vote(world, _draft(world), selected=True)
    (a, b) = community_indicators(session, street_id=world.street, year=2026)
    assert (a.submitted, a.selected, a.completed, a.proposers, a.voters) == (1, 1, 0, 1, 1)
    assert a.seed_fen == 0 and a.leverage is None
    assert a.done_of_submitted == 0 and a.done_of_selected == 0
    assert a.turnout == Fraction(1, 120)  # one ballot, the community's 120 households
    assert (b.submitted, b.voters) == (0, 0)
    assert community_indicators(session, street_id=world.street, year=2025)[0].submitted == 0
    assert indicator_years(session, street_id=world.street) == [2026]
    assert proposal_id > 0


def _ratings(world: World, proposal_id: int) -> ProjectRatings:
    return ratings.project_ratings(
        world.session, world.viewer("resident_a1"), proposal_id=proposal_id
    )


def test_implementation_rates_count_done_over_submitted_and_over_selected(world: World) -> None:
    """Four handed in, three chosen, one carried out, one abandoned (烂尾): 1/4 and 1/3."""
    project(world, status=S.NOT_SELECTED, title="Slide")
    project(world, status=S.COMPLETED, title="Lamps")
    project(world, status=S.ABANDONED, title="Green wall")
    project(world, status=S.IN_PROGRESS, title="Benches")
    project(world, status=S.COMPLETED, title="Swings", community="b")
    a, b = community_indicators(world.session, street_id=world.street, year=2026)
    assert (a.submitted, a.selected, a.completed, a.abandoned) == (4, 3, 1, 1)
    assert (a.done_of_submitted, a.done_of_selected) == (Fraction(1, 4), Fraction(1, 3))
    assert a.abandoned_share == Fraction(1, 3)
    assert (b.submitted, b.completed, b.done_of_submitted) == (1, 1, 1)
    street = street_indicators(world.session, street_id=world.street, year=2026)
    assert (street.submitted, street.selected, street.completed) == (5, 4, 2)
    assert street.done_of_submitted == Fraction(2, 5)  # sums over the street, not a mean of 1/4, 1
    assert street.households == 120  # the street's own figure (the world gives every place one)


def test_a_project_drifted_when_more_than_half_of_its_closed_reviews_say_so(world: World) -> None:
    drifted = project(world, status=S.COMPLETED, title="Lamps")
    split = project(world, status=S.COMPLETED, title="Benches")
    second = second_reviewer(world)
    session_id = open_session(world, reviewers=["reviewer", second])
    score(world, session_id, drifted, goal_drift=True)
    score(world, session_id, drifted, second, goal_drift=True)
    score(world, session_id, split, goal_drift=True)
    score(world, session_id, split, second, goal_drift=False)
    (a, _) = community_indicators(world.session, street_id=world.street, year=2026)
    assert (a.drifted, a.review_satisfaction) == (0, None)  # the session is still open
    reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=session_id)
    (a, _) = community_indicators(world.session, street_id=world.street, year=2026)
    assert a.drifted == 1  # two of two; one of two is no majority
    assert a.reviewed == 2
    # GOOD scores 5, 4, 3, 5, 4 on every review: each project's overall is 21/5.
    assert a.review_satisfaction == Fraction(21, 5)


def test_money_seed_received_spent_and_where_it_came_from(world: World) -> None:
    shed = project(world, cost="30000", co_funding="10000", status=S.IN_PROGRESS, title="Shed")
    lamp = project(world, cost="5000", status=S.IN_PROGRESS, title="Lamp")
    project(world, cost="5000", status=S.SELECTED, title="Unfunded")
    fund_money(world, "30000")  # a grant: government money
    allocate(world, shed, "20000")
    allocate(world, lamp, "5000")
    fund_money(
        world, "6000", kind="donation", donor="物业公司", donor_kind="company", proposal_id=shed
    )
    fund_money(world, "500", kind="donation", donor="王阿姨", donor_kind="resident")
    pay_project(world, shed, "19999.99", occurred_on=HELD)
    pay_project(world, lamp, "4000", invoice="INV-2", occurred_on=HELD)
    a, b = community_indicators(world.session, street_id=world.street, year=2026)
    assert (a.selected, a.funded, a.seed_fen, a.budget_fen) == (3, 2, 25_000_00, 25_000_00)
    assert (a.other_received_fen, a.leverage) == (6_000_00, Fraction(6, 25))
    assert (a.spent_fen, a.within_budget) == (23_999_99, 2)
    assert a.spent_share == Fraction(23_999_99, 25_000_00)
    assert a.within_budget_share == 1
    assert (a.money_in_fen, a.non_government_fen) == (36_500_00, 6_500_00)
    assert a.non_government_share == Fraction(65, 365)
    assert a.donors == 2
    assert (b.money_in_fen, b.non_government_share, b.leverage) == (0, None, None)
    assert (
        community_indicators(world.session, street_id=world.street, year=2025)[0].money_in_fen == 0
    )


def test_money_passed_between_funds_of_the_street_came_in_once(world: World) -> None:
    person = Person(display_name="street treasurer")
    world.session.add(person)
    world.session.flush()
    world.session.add(
        RoleGrant(
            person_id=person.id,
            role=Role.COMMITTEE_MEMBER,
            position=CommitteePosition.TREASURER,
            place_id=world.street,
        )
    )
    world.session.commit()
    treasurer = viewer_for_person(world.session, id_of(person))
    ledger.record_donation(
        world.session,
        treasurer,
        fund_id=world.street_fund,
        amount="10000",
        donor="区财政局",
        purpose="自治金",
        occurred_on=HELD,
        kind="grant",
    )
    ledger.transfer_between_funds(
        world.session,
        treasurer,
        source_fund_id=world.street_fund,
        destination_fund_id=world.fund_b,
        amount="4000",
        purpose="下拨",
        occurred_on=HELD,
    )
    a, b = community_indicators(world.session, street_id=world.street, year=2026)
    assert (a.money_in_fen, b.money_in_fen, b.non_government_fen) == (0, 4_000_00, 0)
    street = street_indicators(world.session, street_id=world.street, year=2026)
    assert (street.money_in_fen, street.non_government_share) == (10_000_00, 0)


def _neighbour(world: World) -> Viewer:
    """A second resident of compound A1, where the rated project is."""
    person = Person(display_name="neighbour", home_place_id=world.compound_a1)
    world.session.add(person)
    world.session.flush()
    world.session.add(
        RoleGrant(person_id=person.id, role=Role.RESIDENT, place_id=world.compound_a1)
    )
    world.session.commit()
    return viewer_for_person(world.session, id_of(person))


def test_residents_rate_completed_projects_of_their_place_once_and_may_revise(
    world: World,
) -> None:
    lamps = project(world, status=S.COMPLETED, title="Lamps")
    benches = project(world, status=S.IN_PROGRESS, title="Benches")
    session = world.session
    with pytest.raises(WrongPhase):
        ratings.rate_project(session, world.viewer("resident_a1"), proposal_id=benches, stars=4)
    # Another community, the next compound of the same community (sideways), no role, an
    # official who is no resident: all refused.
    for outsider in ("resident_b1", "resident_a2", "outsider", "chair_a"):
        with pytest.raises(NotAllowed):
            ratings.rate_project(session, world.viewer(outsider), proposal_id=lamps, stars=5)
    for wrong in (0, 6, -1, True, "5"):
        with pytest.raises(InvalidInput):
            ratings.rate_project(
                session,
                world.viewer("resident_a1"),
                proposal_id=lamps,
                stars=wrong,  # type: ignore[arg-type]
            )
    with pytest.raises(InvalidInput):
        ratings.rate_project(
            session, world.viewer("resident_a1"), proposal_id=lamps, stars=4, comment="x" * 501
        )
    assert count(session, ProjectRating) == 0
    assert not _ratings(world, benches).may_rate
    first = ratings.rate_project(
        session, world.viewer("resident_a1"), proposal_id=lamps, stars=2, comment="太暗"
    )
    again = ratings.rate_project(
        session, world.viewer("resident_a1"), proposal_id=lamps, stars=4, comment="修好了"
    )
    assert first == again  # one rating per resident per project: the second revises it
    ratings.rate_project(session, _neighbour(world), proposal_id=lamps, stars=5)
    shown = _ratings(world, lamps)
    assert (shown.ratings, shown.mean, shown.own_stars, shown.own_comment) == (
        2,
        Fraction(9, 2),
        4,
        "修好了",
    )
    assert shown.may_rate
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.entity == "projectrating")
    ).all()
    assert sorted(actions) == ["rate_project", "rate_project", "revise_rating"]
    (a, _) = community_indicators(session, street_id=world.street, year=2026)
    assert (a.resident_satisfaction, a.ratings) == (Fraction(9, 2), 2)


def test_participation_counts_distinct_people(world: World) -> None:
    lamps = project(world, status=S.SELECTED, title="Lamps")
    project(world, status=S.SELECTED, title="Benches")
    a, _ = community_indicators(world.session, street_id=world.street, year=2026)
    # resident_a1 proposed both and cast one ballot in each round.
    assert (a.proposers, a.voters, a.turnout) == (1, 2, Fraction(2, 120))
    assert (a.supporters, a.donors, a.volunteers) == (0, 0, 0)
    assert lamps


FIGURES = (
    "submitted",
    "selected",
    "completed",
    "abandoned",
    "drifted",
    "proposers",
    "supporters",
    "voters",
    "donors",
    "seed_fen",
    "other_received_fen",
    "spent_fen",
    "within_budget",
    "money_in_fen",
    "non_government_fen",
    "review_satisfaction",
    "resident_satisfaction",
)


def _figures(row: Indicators) -> tuple[object, ...]:
    return tuple(getattr(row, name) for name in FIGURES)


# The hand-computed figures of demo/indicators.py's docstring, in the order of FIGURES.
DEMO = {
    (2025, "平阳社区"): (
        5,
        4,
        1,
        1,
        0,
        5,
        23,
        62,
        37,
        59_860_00,
        5_050_00,
        33_640_00,
        4,
        171_400_00,
        81_400_00,
        Fraction(15, 4),
        Fraction(21, 5),
    ),
    (2025, "古龙社区"): (0,) * 13 + (80_000_00, 0, None, None),
    (2025, "万源社区"): (0,) * 13 + (60_000_00, 0, None, None),
    (2025, "古美路街道"): (
        5,
        4,
        1,
        1,
        0,
        5,
        23,
        62,
        37,
        59_860_00,
        5_050_00,
        33_640_00,
        4,
        381_400_00,
        81_400_00,
        Fraction(15, 4),
        Fraction(21, 5),
    ),
    (2026, "平阳社区"): (
        6,
        0,
        0,
        0,
        0,
        6,
        33,
        24,
        55,
        0,
        0,
        0,
        0,
        162_200_00,
        162_200_00,
        None,
        None,
    ),
    (2026, "古龙社区"): (0,) * 13 + (0, 0, None, None),
    (2026, "万源社区"): (
        3,
        2,
        1,
        1,
        0,
        3,
        4,
        6,
        2,
        19_000_00,
        2_000_00,
        14_500_00,
        2,
        2_200_00,
        2_200_00,
        None,
        Fraction(9, 2),
    ),
    (2026, "古美路街道"): (
        9,
        2,
        1,
        1,
        0,
        9,
        37,
        30,
        57,
        19_000_00,
        2_000_00,
        14_500_00,
        2,
        164_400_00,
        164_400_00,
        None,
        Fraction(9, 2),
    ),
}


def test_the_demos_indicators_are_the_hand_computed_figures(demo_session: Session) -> None:
    street = demo_session.exec(select(Place).where(Place.name == "古美路街道")).one()
    street_id = street.id or 0
    assert indicator_years(demo_session, street_id=street_id) == [2025, 2026]
    shown = {}
    for year in (2025, 2026):
        rows = community_indicators(demo_session, street_id=street_id, year=year)
        rows.append(street_indicators(demo_session, street_id=street_id, year=year))
        shown |= {(year, row.place): _figures(row) for row in rows}
    assert shown == DEMO
    pingyang_2025, wanyuan_2026 = (
        next(
            r
            for r in community_indicators(demo_session, street_id=street_id, year=y)
            if r.place == p
        )
        for y, p in ((2025, "平阳社区"), (2026, "万源社区"))
    )
    assert (pingyang_2025.done_of_submitted, pingyang_2025.done_of_selected) == (
        Fraction(1, 5),
        Fraction(1, 4),
    )
    assert pingyang_2025.turnout == Fraction(62, 970)
    assert pingyang_2025.leverage == Fraction(505, 5_986)
    assert pingyang_2025.non_government_share == Fraction(814, 1_714)
    assert (wanyuan_2026.leverage, wanyuan_2026.turnout) == (Fraction(2, 19), Fraction(6, 420))
    assert (wanyuan_2026.abandoned_share, wanyuan_2026.within_budget_share) == (
        Fraction(1, 2),
        1,
    )
    # Volunteering shifts carry the day they were recorded: the demo's four volunteers count
    # in the year the demo was loaded.
    now = street_indicators(demo_session, street_id=street_id, year=today().year)
    assert now.volunteers == 4
