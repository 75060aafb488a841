"""Three ways one community's people could reach into another's, found while walking the
permission table; each is refused and changes nothing."""

import pytest
from sqlmodel import Session, SQLModel, func, select

from models import Alliance, AllianceMember, BudgetRound, Need, RoleGrant
from models.vocabulary import NeedStatus
from services.accounts import grant_role
from services.errors import InvalidInput, NotAllowed
from services.needs import post_need
from services.proposals import LineItemInput, PledgeInput, ProposalDraft, submit_proposal
from services.rounds import RoundSettings, create_round
from tests.world import World


def rows(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_admin_of_one_community_cannot_grant_through_an_alliance(world: World) -> None:
    session = world.session
    alliance = Alliance(name="Kangcheng-Xinhua")
    session.add(alliance)
    session.flush()
    for community in (world.community_a, world.community_b):
        session.add(
            AllianceMember(
                alliance_id=alliance.id, community_id=community, contribution_permille=500
            )  # type: ignore[arg-type]
        )
    session.add(
        RoleGrant(person_id=world.people["outsider"], role="admin", place_id=world.community_a)
    )
    session.commit()
    local_admin = world.viewer("outsider")
    before = rows(session, RoleGrant)
    with pytest.raises(InvalidInput):
        grant_role(
            session,
            local_admin,
            person_id=world.people["member_a"],
            role="committee_member",
            position="chair",
            place_id=world.community_a,
            alliance_id=alliance.id,
        )
    with pytest.raises(NotAllowed):
        grant_role(
            session,
            local_admin,
            person_id=world.people["member_a"],
            role="committee_member",
            position="chair",
            place_id=None,
            alliance_id=alliance.id,
        )
    session.rollback()
    assert rows(session, RoleGrant) == before
    grant_role(
        session,
        world.viewer("admin"),
        person_id=world.people["member_a"],
        role="committee_member",
        position="chair",
        place_id=None,
        alliance_id=alliance.id,
    )
    assert rows(session, RoleGrant) == before + 1


def test_a_chair_cannot_open_a_round_on_another_communitys_fund(world: World) -> None:
    config = RoundSettings(
        name="2026", year=2026, fund_id=world.fund_b, place_id=world.community_a, budget="1000"
    )
    with pytest.raises(NotAllowed):
        create_round(world.session, world.viewer("chair_a"), config=config)
    with pytest.raises(InvalidInput) as outside:
        create_round(world.session, world.viewer("admin"), config=config)
    assert outside.value.code == "fund_outside_round"
    world.session.rollback()
    assert rows(world.session, BudgetRound) == 0
    street_fund = RoundSettings(
        name="2026", year=2026, fund_id=world.street_fund, place_id=world.community_a, budget="1"
    )
    assert create_round(world.session, world.viewer("admin"), config=street_fund)


def test_a_proposal_answers_only_needs_of_its_own_community(world: World) -> None:
    session = world.session
    elsewhere = post_need(
        session,
        world.viewer("resident_b1"),
        place_id=world.compound_b1,
        title="Bike shed",
        description="",
        category="safety",
    )
    next_door = post_need(
        session,
        world.viewer("resident_a2"),
        place_id=world.compound_a2,
        title="Lights",
        description="",
        category="safety",
    )

    def draft(need_id: int) -> ProposalDraft:
        return ProposalDraft(
            place_id=world.compound_a1,
            round_id=None,
            title="Shed",
            summary="s",
            category="safety",
            line_items=[LineItemInput("shed", "safety", 1, "1000")],
            co_funding=[PledgeInput("residents", "r", "100")],
            maintenance_plan="m",
            maintainer="m",
            maintenance_years=1,
            need_id=need_id,
        )

    with pytest.raises(InvalidInput) as refused:
        submit_proposal(session, world.viewer("resident_a1"), draft=draft(elsewhere))
    assert refused.value.code == "need_from_elsewhere"
    session.rollback()
    assert session.get(Need, elsewhere).status == NeedStatus.OPEN  # type: ignore[union-attr]
    assert submit_proposal(session, world.viewer("resident_a1"), draft=draft(next_door))
    assert session.get(Need, next_door).status == NeedStatus.ADOPTED  # type: ignore[union-attr]
