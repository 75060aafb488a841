import pytest
from sqlmodel import func, select

from models import Proposal, ProposalLineItem
from models.vocabulary import ProposalStatus
from services.errors import CharterViolation, InvalidInput, NotAllowed, WrongPhase
from services.proposals import (
    LineItemInput,
    PledgeInput,
    ProposalDraft,
    change_proposal_status,
    list_proposals,
    proposal_detail,
    submit_proposal,
    support_proposal,
)
from services.rounds import RoundSettings, advance_round, create_round
from tests.world import World


def draft(world: World, **changes) -> ProposalDraft:  # type: ignore[no-untyped-def]
    values = dict(
        place_id=world.compound_a1,
        title="Stairwell lights",
        summary="Voice-activated lights in buildings 3 to 8",
        category="safety",
        line_items=[
            LineItemInput("LED lamp", "public_facilities", 48, "220"),
            LineItemInput("Fitting", "services", 1, "4,800"),
        ],
        co_funding=[PledgeInput("property_manager", "Property manager", "3000")],
        maintenance_plan="Monthly check by the property manager",
        maintainer="Property manager",
        maintenance_years=3,
    )
    values.update(changes)
    return ProposalDraft(**values)  # type: ignore[arg-type]


def proposal_rows(world: World) -> int:
    return world.session.exec(select(func.count()).select_from(Proposal)).one()


def open_round(world: World) -> int:
    chair = world.viewer("chair_a")
    round_id = create_round(
        world.session,
        chair,
        config=RoundSettings(
            name="2026", year=2026, fund_id=world.fund_a, place_id=world.community_a, budget="90000"
        ),
    )
    advance_round(world.session, chair, round_id=round_id)
    advance_round(world.session, chair, round_id=round_id)
    return round_id


def test_submit_keeps_the_budget_exact_and_public(world: World) -> None:
    proposal_id = submit_proposal(world.session, world.viewer("resident_a1"), draft=draft(world))
    row = list_proposals(world.session)[0]
    assert (row.id, row.status, row.cost_fen, row.co_funding_fen, row.requested_fen) == (
        proposal_id,
        "submitted",
        1_536_000,
        300_000,
        1_236_000,
    )
    detail = proposal_detail(world.session, proposal_id=proposal_id)
    assert [item.unit_price_fen for item in detail.line_items] == [22_000, 480_000]
    assert [change.to_status for change in detail.history] == ["submitted"]


def test_a_resident_proposes_only_where_they_live(world: World) -> None:
    with pytest.raises(NotAllowed):
        submit_proposal(world.session, world.viewer("resident_b1"), draft=draft(world))
    with pytest.raises(NotAllowed):
        submit_proposal(world.session, world.viewer("reviewer"), draft=draft(world))
    assert proposal_rows(world) == 0


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"line_items": []}, "line_items_required"),
        ({"title": "   "}, "field_required"),
        ({"line_items": [LineItemInput("Lamp", "safety", 0, "10")]}, "field_out_of_range"),
        ({"line_items": [LineItemInput("Lamp", "safety", 1, "-10")]}, "amount_not_positive"),
        ({"line_items": [LineItemInput("Lamp", "no-such-category", 1, "10")]}, "field_invalid"),
        ({"co_funding": [PledgeInput("residents", "All", "999999")]}, "co_funding_exceeds_cost"),
        ({"title": "x" * 121}, "field_too_long"),
    ],
)
def test_bad_proposals_are_refused_whole(world: World, changes: dict, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        submit_proposal(world.session, world.viewer("resident_a1"), draft=draft(world, **changes))
    assert raised.value.code == code
    assert proposal_rows(world) == 0
    assert world.session.exec(select(func.count()).select_from(ProposalLineItem)).one() == 0


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"category": "entertainment"}, "charter_forbidden_category"),
        (
            {
                "line_items": [LineItemInput("Cement", "building_materials", 10, "50")],
                "co_funding": [PledgeInput("residents", "All", "100")],
            },
            "charter_forbidden_category",
        ),
        (
            {
                "line_items": [LineItemInput("Lamp", "safety", 1, "30000")],
                "co_funding": [PledgeInput("residents", "All", "3000")],
            },
            "charter_project_cap",
        ),
        ({"co_funding": [PledgeInput("residents", "All", "1535.99")]}, "charter_co_funding"),
    ],
)
def test_the_fund_charter_is_applied_on_submission(world: World, changes: dict, code: str) -> None:
    round_id = open_round(world)
    with pytest.raises(CharterViolation) as raised:
        submit_proposal(
            world.session,
            world.viewer("resident_a1"),
            draft=draft(world, round_id=round_id, **changes),
        )
    assert raised.value.code == "charter_broken"
    assert [b["rule"] for b in raised.value.params["breaches"]] == [code]
    assert proposal_rows(world) == 0


def test_exactly_ten_percent_co_funding_is_enough(world: World) -> None:
    round_id = open_round(world)
    proposal_id = submit_proposal(
        world.session,
        world.viewer("resident_a1"),
        draft=draft(world, round_id=round_id, co_funding=[PledgeInput("residents", "All", "1536")]),
    )
    assert proposal_id


def test_no_proposals_into_a_round_that_is_not_collecting(world: World) -> None:
    round_id = create_round(
        world.session,
        world.viewer("chair_a"),
        config=RoundSettings(
            name="2026", year=2026, fund_id=world.fund_a, place_id=world.community_a, budget="1000"
        ),
    )
    with pytest.raises(WrongPhase):
        submit_proposal(
            world.session, world.viewer("resident_a1"), draft=draft(world, round_id=round_id)
        )


def test_eligibility_is_the_committees_and_ineligible_needs_a_reason(world: World) -> None:
    proposal_id = submit_proposal(world.session, world.viewer("resident_a1"), draft=draft(world))
    with pytest.raises(NotAllowed):
        change_proposal_status(
            world.session,
            world.viewer("resident_a1"),
            proposal_id=proposal_id,
            to_status=ProposalStatus.ELIGIBLE,
        )
    with pytest.raises(NotAllowed):
        change_proposal_status(
            world.session,
            world.viewer("chair_b"),
            proposal_id=proposal_id,
            to_status=ProposalStatus.ELIGIBLE,
        )
    with pytest.raises(InvalidInput):
        change_proposal_status(
            world.session,
            world.viewer("member_a"),
            proposal_id=proposal_id,
            to_status=ProposalStatus.INELIGIBLE,
        )
    with pytest.raises(WrongPhase):
        change_proposal_status(
            world.session,
            world.viewer("member_a"),
            proposal_id=proposal_id,
            to_status=ProposalStatus.COMPLETED,
        )
    assert list_proposals(world.session)[0].status == "submitted"
    change_proposal_status(
        world.session,
        world.viewer("member_a"),
        proposal_id=proposal_id,
        to_status=ProposalStatus.INELIGIBLE,
        reason="Forbidden by the charter",
    )
    detail = proposal_detail(world.session, proposal_id=proposal_id)
    assert [(c.from_status, c.to_status, c.reason) for c in detail.history][-1] == (
        "submitted",
        "ineligible",
        "Forbidden by the charter",
    )


def test_only_the_proposer_withdraws(world: World) -> None:
    proposal_id = submit_proposal(world.session, world.viewer("resident_a1"), draft=draft(world))
    with pytest.raises(NotAllowed):
        change_proposal_status(
            world.session,
            world.viewer("resident_a2"),
            proposal_id=proposal_id,
            to_status=ProposalStatus.WITHDRAWN,
        )
    change_proposal_status(
        world.session,
        world.viewer("resident_a1"),
        proposal_id=proposal_id,
        to_status=ProposalStatus.WITHDRAWN,
    )
    assert list_proposals(world.session)[0].status == "withdrawn"


def test_support_once(world: World) -> None:
    proposal_id = submit_proposal(world.session, world.viewer("resident_a1"), draft=draft(world))
    support_proposal(world.session, world.viewer("resident_a1"), proposal_id=proposal_id)
    with pytest.raises(Exception) as raised:
        support_proposal(world.session, world.viewer("resident_a1"), proposal_id=proposal_id)
    assert getattr(raised.value, "code", "") == "already_supported"
    assert list_proposals(world.session)[0].supporters == 1
