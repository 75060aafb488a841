"""A walk of the permission table: for every action, every role in its own scope and out of it.
The scopes are the world's: officials hold community A; the reviewer holds the street."""

import pytest

from services.common import place_tree
from services.permissions import PERMISSIONS, Action, can, can_somewhere
from tests.world import World

IN_A = {
    Action.POST_NEED: {
        "resident_a1",
        "chair_a",
        "secretary_a",
        "treasurer_a",
        "member_a",
        "clerk_a",
    },
    Action.SUPPORT: {"resident_a1"},
    Action.SUBMIT_PROPOSAL: {
        "resident_a1",
        "chair_a",
        "secretary_a",
        "treasurer_a",
        "member_a",
        "clerk_a",
    },
    Action.CAST_BALLOT: {"resident_a1"},
    Action.VIEW_COMMITTEE_MATERIAL: {
        "chair_a",
        "secretary_a",
        "treasurer_a",
        "member_a",
        "clerk_a",
        "admin",
    },
    Action.REVIEW_ELIGIBILITY: {"chair_a", "secretary_a", "treasurer_a", "member_a"},
    Action.RUN_MEETING: {"chair_a", "secretary_a", "treasurer_a", "member_a", "clerk_a"},
    Action.STEER_MEETING: {"chair_a", "secretary_a"},
    Action.PUBLISH_MINUTES: {"chair_a", "secretary_a"},
    Action.MANAGE_ROUND: {"chair_a", "admin"},
    Action.TALLY_ROUND: {"chair_a", "secretary_a", "treasurer_a", "member_a"},
    Action.PUBLISH_TALLY: {"chair_a"},
    Action.OVERRIDE_RESULT: {"chair_a"},
    Action.OVERRIDE_CHARTER: {"chair_a"},
    Action.ENTER_PAPER_BALLOT: {"clerk_a"},
    Action.ISSUE_VOTING_CODES: {"clerk_a"},
    Action.SETTLE_PAPER_SHEET: {"chair_a", "secretary_a", "treasurer_a", "member_a", "clerk_a"},
    Action.RECORD_DONATION: {"treasurer_a", "clerk_a"},
    Action.RECORD_EXPENSE: {"treasurer_a"},
    Action.APPROVE_EXPENSE: {"chair_a", "secretary_a", "treasurer_a", "member_a"},
    Action.VIEW_BOOKS: {
        "chair_a",
        "secretary_a",
        "treasurer_a",
        "member_a",
        "clerk_a",
        "reviewer",
        "admin",
    },
    Action.SCORE_PROJECT: {"reviewer"},
    Action.VIEW_REVIEWS: {"reviewer"},
    Action.MANAGE_PLACES: {"admin"},
    Action.MANAGE_FUNDS: {"chair_a", "admin"},
    Action.GRANT_ROLES: {"admin"},
    Action.VIEW_AUDIT_LOG: {"admin"},
    Action.VERIFY_BOOKS: {"admin"},
    Action.SET_POINTS_RULE: {"chair_a"},
    Action.RECORD_POINTS: {"clerk_a"},
    Action.MANAGE_POINTS_CATALOGUE: {"chair_a", "clerk_a"},
    Action.REDEEM_POINTS: {"resident_a1"},
    Action.MANAGE_CAMPAIGN: {"chair_a", "treasurer_a"},
    Action.RECORD_REVENUE: {"treasurer_a"},
    Action.DONATE_POINTS: {"resident_a1"},
    Action.REGISTER_SOCIAL_ORGANISATION: {"chair_a", "clerk_a", "admin"},
    Action.PLACE_ORDER: {"chair_a"},
    Action.HANDLE_ORDER: {"clerk_a"},
    # Forming an alliance is asked at every member and calling at the chairing community
    # (services.alliances); here, only what one place allows. No evaluator in the world.
    Action.FORM_ALLIANCE: {"chair_a", "admin"},
    Action.RUN_JOINT_FUND: {"chair_a"},
    Action.RECORD_JOINT_WORK: {"chair_a", "secretary_a", "clerk_a"},
    Action.EVALUATE_JOINT_WORK: set(),
    # A street's allocation: its reviewers and the administrators (asked at the street).
    Action.DRAFT_ALLOCATION: {"reviewer", "admin"},
    Action.ADJUST_ALLOCATION: {"reviewer", "admin"},
    Action.PUBLISH_ALLOCATION: {"reviewer", "admin"},
    Action.RATE_PROJECT: {"resident_a1"},
}


def test_the_walk_covers_the_whole_table() -> None:
    assert set(IN_A) == set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_each_action_at_a_compound_of_community_a(world: World, action: Action) -> None:
    tree = place_tree(world.session)
    allowed = {
        name for name in world.people if can(world.viewer(name), action, world.compound_a1, tree)
    }
    assert allowed == IN_A[action]


@pytest.mark.parametrize("action", list(Action))
def test_community_a_officials_have_no_power_in_community_b(world: World, action: Action) -> None:
    tree = place_tree(world.session)
    a_officials = (
        "chair_a",
        "secretary_a",
        "treasurer_a",
        "member_a",
        "clerk_a",
        "resident_a1",
        "resident_a2",
    )
    assert not [
        name for name in a_officials if can(world.viewer(name), action, world.compound_b1, tree)
    ]


def test_residents_act_upwards_but_not_sideways(world: World) -> None:
    tree = place_tree(world.session)
    resident = world.viewer("resident_a1")
    assert can(resident, Action.CAST_BALLOT, world.community_a, tree)
    assert not can(resident, Action.CAST_BALLOT, world.compound_a2, tree)


def test_nobody_without_a_grant_can_do_anything(world: World) -> None:
    assert not [action for action in Action if can_somewhere(world.viewer("outsider"), action)]
