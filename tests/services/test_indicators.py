"""The year-end indicators (services.indicators): each definition on small handmade worlds, and
the demo's figures as hand-computed in demo/indicators.py, on SQLite and PostgreSQL."""

from fractions import Fraction

from sqlmodel import Session

from services.indicators import community_indicators, indicator_years, street_indicators
from services.proposals import LineItemInput, ProposalDraft
from tests.world import World, build_world, through_the_vote


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
