"""Setting up rounds and funds: a round's settings change until its vote opens and never after,
the phases' planned dates follow one another, funds are created within the creator's places
under a parent of their own area, charters are versioned, and money passes down only as far as
the fund holds it. Every refusal is typed and leaves the store as it was."""

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from models import AuditEntry, BudgetRound, Fund, FundCharter, Place, RoleGrant
from models.vocabulary import BallotKind, CommitteePosition, PlaceKind, ProposalStatus, Role
from services import funds, ledger
from services.errors import Conflict, InvalidInput, NotAllowed, Overspend, WrongPhase
from services.proposals import change_proposal_status, submit_proposal
from services.rounds import (
    PHASE_DATES,
    RULES_BY_KIND,
    RoundSettings,
    advance_round,
    create_round,
    funds_for_round,
    list_rounds,
    round_settings,
    update_round,
)
from tests.street import draft, fingerprint
from tests.world import World
from voting import RULES

WHEN = date(2026, 3, 1)
PLAN = {
    "needs_start_on": date(2026, 3, 1),
    "proposals_start_on": date(2026, 4, 1),
    "eligibility_start_on": date(2026, 5, 1),
    "deliberation_start_on": date(2026, 5, 15),
    "voting_opens_on": date(2026, 6, 1),
    "voting_closes_on": date(2026, 6, 14),
}


def settings(world: World, **changes: Any) -> RoundSettings:
    base = RoundSettings(
        name="2026 Kangcheng",
        year=2026,
        fund_id=world.fund_a,
        place_id=world.community_a,
        budget="10000",
        rule="greedy",
    )
    return replace(base, **changes)


def stored(session: Session, round_id: int) -> BudgetRound:
    session.expire_all()
    budget_round = session.get(BudgetRound, round_id)
    assert budget_round is not None
    return budget_round


def to_voting(world: World, round_id: int) -> None:
    """Needs, proposals (one, made eligible), eligibility, deliberation, then the vote opens."""
    chair = world.viewer("chair_a")
    for _ in range(2):
        advance_round(world.session, chair, round_id=round_id)
    proposal = submit_proposal(
        world.session,
        world.viewer("resident_a1"),
        draft=draft(world.compound_a1, "Lamps", round_id),
    )
    advance_round(world.session, chair, round_id=round_id)
    change_proposal_status(
        world.session, chair, proposal_id=proposal, to_status=ProposalStatus.ELIGIBLE
    )
    for _ in range(2):
        advance_round(world.session, chair, round_id=round_id)
    assert stored(world.session, round_id).phase == "voting"


# --- rounds --------------------------------------------------------------------------------


def test_a_round_is_set_up_with_a_knapsack_ballot_and_its_plan(world: World) -> None:
    config = settings(
        world, ballot_kind="knapsack", rule="mes+greedy", ballot_changes_allowed=True, **PLAN
    )
    round_id = create_round(world.session, world.viewer("chair_a"), config=config)
    saved = stored(world.session, round_id)
    assert (saved.ballot_kind, saved.budget_fen, saved.ballot_changes_allowed) == (
        "knapsack",
        10_000_00,
        True,
    )
    assert {field: getattr(saved, field) for field in PHASE_DATES} == PLAN
    assert round_settings(world.session, round_id=round_id) == config
    (row,) = list_rounds(world.session)
    assert (
        row.planned == tuple(PLAN.values()) and row.editable and row.fund == "Kangcheng micro-fund"
    )


def test_a_knapsack_ballot_is_counted_by_the_rules_of_approval_ballots() -> None:
    assert RULES_BY_KIND["knapsack"] == RULES_BY_KIND["approval"]
    assert "phragmen" in RULES_BY_KIND["knapsack"]
    assert "phragmen" not in RULES_BY_KIND["scores"]
    assert "greedy-per-cost" not in RULES_BY_KIND["ordinal"]


def test_the_cities_variants_are_not_offered_to_rounds() -> None:
    """They read a threshold or exclusion groups from a Pabulib file; rounds store neither."""
    variants = {name for name, rule in RULES.items() if rule.variant}
    assert {"greedy-threshold", "greedy-no-skip", "greedy-exclusive"} <= variants
    assert not variants & {rule for rules in RULES_BY_KIND.values() for rule in rules}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"ballot_kind": "ordinal", "rule": "greedy-per-cost"}, "rule_not_for_ranking", "rule"),
        ({"ballot_kind": "cumulative", "rule": "phragmen"}, "rule_needs_approval", "rule"),
        ({"ballot_kind": "knapsack", "rule": "borda"}, "field_invalid", "rule"),
        ({"ballot_kind": "approval", "rule": "greedy-no-skip"}, "field_invalid", "rule"),
        ({"ballot_changes_allowed": "yes"}, "field_invalid", "ballot_changes_allowed"),
        ({"fund_id": "b"}, "fund_outside_round", "fund"),
    ],
)
def test_a_round_that_cannot_be_counted_is_refused(
    world: World, changes: dict[str, Any], code: str, field: str
) -> None:
    if changes.get("fund_id") == "b":
        changes["fund_id"] = world.fund_b
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refused:
        create_round(world.session, world.viewer("admin"), config=settings(world, **changes))
    world.session.rollback()
    assert (refused.value.code, refused.value.params.get("field")) == (code, field)
    assert fingerprint(world.session) == before


def test_a_round_is_changed_before_its_vote_opens(world: World) -> None:
    chair = world.viewer("chair_a")
    round_id = create_round(world.session, chair, config=settings(world))
    advance_round(world.session, chair, round_id=round_id)  # needs: still before the vote
    changed = settings(
        world,
        name="2026 Kangcheng, revised",
        budget="12,000.50",
        ballot_kind="knapsack",
        rule="phragmen",
        tie_break="cost",
        year=2027,
        ballot_changes_allowed=True,
        **PLAN,
    )
    assert update_round(world.session, chair, round_id=round_id, config=changed) is None
    saved = stored(world.session, round_id)
    assert (saved.name, saved.budget_fen, saved.ballot_kind, saved.rule, saved.tie_break) == (
        "2026 Kangcheng, revised",
        12_000_50,
        "knapsack",
        "phragmen",
        "cost",
    )
    assert (saved.year, saved.phase, saved.ballot_changes_allowed) == (2027, "needs", True)
    assert round_settings(world.session, round_id=round_id).budget == "12000.50"
    audit = world.session.exec(select(AuditEntry).where(AuditEntry.action == "update_round")).one()
    assert audit.before is not None and audit.after is not None
    assert (audit.before["budget_fen"], audit.after["budget_fen"]) == (10_000_00, 12_000_50)


def test_a_round_cannot_change_once_its_vote_opened(world: World) -> None:
    chair = world.viewer("chair_a")
    round_id = create_round(world.session, chair, config=settings(world))
    to_voting(world, round_id)
    assert not list_rounds(world.session)[0].editable
    before = fingerprint(world.session)
    for viewer in (chair, world.viewer("admin")):
        with pytest.raises(WrongPhase) as refused:
            update_round(
                world.session,
                viewer,
                round_id=round_id,
                config=settings(world, budget="99999", ballot_kind="knapsack"),
            )
        world.session.rollback()
        assert (refused.value.code, refused.value.params) == (
            "round_settings_fixed",
            {"phase": "voting"},
        )
    assert fingerprint(world.session) == before
    assert stored(world.session, round_id).budget_fen == 10_000_00


def test_only_those_who_manage_rounds_there_change_a_round(world: World) -> None:
    round_id = create_round(world.session, world.viewer("chair_a"), config=settings(world))
    before = fingerprint(world.session)
    for name in ("chair_b", "treasurer_a", "resident_a1", "outsider"):
        with pytest.raises(NotAllowed):
            update_round(
                world.session,
                world.viewer(name),
                round_id=round_id,
                config=settings(world, budget="1"),
            )
        world.session.rollback()
    # chair A may not move the round to B, nor onto B's fund
    for changes in (
        {"place_id": world.community_b, "fund_id": world.fund_b},
        {"fund_id": world.fund_b},
    ):
        with pytest.raises(NotAllowed):
            update_round(
                world.session,
                world.viewer("chair_a"),
                round_id=round_id,
                config=settings(world, **changes),
            )
        world.session.rollback()
    assert fingerprint(world.session) == before


def test_a_round_keeps_its_proposals_within_its_area(world: World) -> None:
    admin = world.viewer("admin")
    round_id = create_round(world.session, admin, config=settings(world))
    for _ in range(2):
        advance_round(world.session, admin, round_id=round_id)
    submit_proposal(
        world.session,
        world.viewer("resident_a1"),
        draft=draft(world.compound_a1, "Lamps", round_id),
    )
    before = fingerprint(world.session)
    elsewhere = settings(world, place_id=world.community_b, fund_id=world.street_fund)
    with pytest.raises(InvalidInput) as refused:
        update_round(world.session, admin, round_id=round_id, config=elsewhere)
    world.session.rollback()
    assert (refused.value.code, refused.value.params) == (
        "round_place_excludes_proposals",
        {"field": "place"},
    )
    assert fingerprint(world.session) == before
    wider = settings(world, place_id=world.street, fund_id=world.street_fund)
    update_round(world.session, admin, round_id=round_id, config=wider)
    assert stored(world.session, round_id).place_id == world.street


# --- the phases' planned dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "field", "earlier"),
    [
        (
            {"proposals_start_on": date(2026, 4, 1), "needs_start_on": date(2026, 4, 2)},
            "proposals_start_on",
            "needs_start_on",
        ),
        (
            {"voting_opens_on": date(2026, 6, 1), "voting_closes_on": date(2026, 5, 31)},
            "voting_closes_on",
            "voting_opens_on",
        ),
        # an empty date between two given ones: the later one is still compared
        (
            {"needs_start_on": date(2026, 6, 2), "voting_opens_on": date(2026, 6, 1)},
            "voting_opens_on",
            "needs_start_on",
        ),
        (
            {**PLAN, "eligibility_start_on": date(2026, 5, 20)},
            "deliberation_start_on",
            "eligibility_start_on",
        ),
    ],
)
def test_the_phases_dates_follow_one_another(
    world: World, plan: dict[str, date], field: str, earlier: str
) -> None:
    chair = world.viewer("chair_a")
    round_id = create_round(world.session, chair, config=settings(world))
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refused:
        create_round(world.session, chair, config=settings(world, **plan))
    world.session.rollback()
    assert (refused.value.code, refused.value.params) == (
        "phase_dates_out_of_order",
        {"field": field, "earlier": earlier},
    )
    with pytest.raises(InvalidInput) as refused:
        update_round(world.session, chair, round_id=round_id, config=settings(world, **plan))
    world.session.rollback()
    assert refused.value.code == "phase_dates_out_of_order"
    assert fingerprint(world.session) == before


def test_phases_may_start_the_same_day_and_dates_may_stay_open(world: World) -> None:
    same_day = dict.fromkeys(PHASE_DATES, date(2026, 6, 1))
    chair = world.viewer("chair_a")
    round_id = create_round(world.session, chair, config=settings(world, **same_day))
    assert stored(world.session, round_id).voting_closes_on == date(2026, 6, 1)
    only_vote = {"voting_opens_on": date(2026, 6, 1), "voting_closes_on": date(2026, 6, 8)}
    update_round(world.session, chair, round_id=round_id, config=settings(world, **only_vote))
    saved = stored(world.session, round_id)
    assert (saved.needs_start_on, saved.voting_closes_on) == (None, date(2026, 6, 8))


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (datetime(2026, 6, 1, 9, 0), "field_invalid"),
        ("2026-06-01", "field_invalid"),
        (20260601, "field_invalid"),
        (date(1999, 12, 31), "date_out_of_range"),
        (date(2201, 1, 1), "date_out_of_range"),
    ],
)
def test_a_date_that_is_not_a_day_of_the_rounds_years_is_refused(
    world: World, value: Any, code: str
) -> None:
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refused:
        create_round(
            world.session, world.viewer("chair_a"), config=settings(world, voting_opens_on=value)
        )
    world.session.rollback()
    assert (refused.value.code, refused.value.params) == (code, {"field": "voting_opens_on"})
    assert fingerprint(world.session) == before


# --- funds -------------------------------------------------------------------------------------


def other_street(world: World) -> tuple[int, int, int]:
    """Another street of the district with a community and a street fund: ids of the street,
    its community and its fund."""
    street = Place(kind=PlaceKind.STREET, name="Gumei", parent_id=world.district)
    world.session.add(street)
    world.session.flush()
    community = Place(kind=PlaceKind.COMMUNITY, name="Pingyang", parent_id=street.id)
    fund = Fund(name="Gumei street fund", kind="street", place_id=street.id)
    world.session.add_all([community, fund])
    world.session.commit()
    return street.id, community.id, fund.id  # type: ignore[return-value]


def test_a_chair_creates_a_fund_of_their_community_under_the_street_fund(world: World) -> None:
    fund_id = funds.create_fund(
        world.session,
        world.viewer("chair_a"),
        name="Kangcheng parking fund",
        kind="community",
        place_id=world.community_a,
        parent_id=world.street_fund,
    )
    fund = world.session.get(Fund, fund_id)
    assert fund is not None
    assert (fund.place_id, fund.parent_id, fund.kind) == (
        world.community_a,
        world.street_fund,
        "community",
    )
    tree = funds.fund_tree(world.session, world.viewer("chair_a"))
    assert [(row.name, row.depth) for row in tree] == [
        ("Xinzhuang street fund", 0),
        ("Kangcheng micro-fund", 1),
        ("Xinhua micro-fund", 1),
        ("Kangcheng parking fund", 1),
    ]
    mine = {row.name: (row.may_manage, row.may_transfer) for row in tree}
    assert mine["Kangcheng parking fund"] == (True, False)  # the chair is no treasurer
    assert mine["Xinhua micro-fund"] == (False, False)
    assert mine["Xinzhuang street fund"] == (False, False)


def test_a_community_chair_cannot_create_a_fund_for_another_street(world: World) -> None:
    street, community, street_fund = other_street(world)
    chair = world.viewer("chair_a")
    before = fingerprint(world.session)
    for place_id, parent_id in (
        (street, None),
        (community, street_fund),
        (world.community_b, world.street_fund),
        (world.street, None),  # the chair's own street is above the chair
        (None, None),  # a fund for no place is a global admin's
    ):
        with pytest.raises(NotAllowed):
            funds.create_fund(
                world.session,
                chair,
                name="Somewhere else's fund",
                kind="community",
                place_id=place_id,
                parent_id=parent_id,
            )
        world.session.rollback()
    with pytest.raises(NotAllowed):
        funds.create_fund(
            world.session,
            world.viewer("treasurer_a"),
            name="A treasurer's fund",
            kind="community",
            place_id=world.community_a,
        )
    world.session.rollback()
    assert fingerprint(world.session) == before


@pytest.mark.parametrize(
    ("viewer", "place", "parent"),
    [
        ("chair_a", "community_a", "other_street_fund"),  # under another street's fund
        ("chair_a", "community_a", "fund_b"),  # under the neighbouring community's fund
        ("admin", "street", "fund_a"),  # a street's fund under a community's
        ("admin", None, "street_fund"),  # a fund for no place under a fund for a place
    ],
)
def test_a_fund_sits_under_a_fund_of_its_own_area(
    world: World, viewer: str, place: str | None, parent: str
) -> None:
    _, _, other_street_fund = other_street(world)
    ids = {
        "community_a": world.community_a,
        "street": world.street,
        "fund_a": world.fund_a,
        "fund_b": world.fund_b,
        "street_fund": world.street_fund,
        "other_street_fund": other_street_fund,
    }
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refused:
        funds.create_fund(
            world.session,
            world.viewer(viewer),
            name="Misplaced fund",
            kind="community",
            place_id=ids[place] if place else None,
            parent_id=ids[parent],
        )
    world.session.rollback()
    assert (refused.value.code, refused.value.params) == (
        "fund_outside_parent",
        {"field": "parent"},
    )
    assert fingerprint(world.session) == before


def test_a_fund_name_is_taken_once(world: World) -> None:
    before = fingerprint(world.session)
    with pytest.raises(Conflict) as refused:
        funds.create_fund(
            world.session,
            world.viewer("chair_a"),
            name="  Kangcheng micro-fund ",
            kind="community",
            place_id=world.community_a,
        )
    world.session.rollback()
    assert refused.value.code == "fund_name_taken"
    assert fingerprint(world.session) == before


def test_funds_a_round_may_spend_are_those_of_its_area(world: World) -> None:
    names = funds_for_round(world.session, place_id=world.community_a)
    assert set(names) == {world.street_fund, world.fund_a}
    assert set(funds_for_round(world.session, place_id=world.street)) == {world.street_fund}
    assert funds_for_round(world.session, place_id=None) == {}


# --- charters ------------------------------------------------------------------------------------


def adopt(world: World, viewer: str = "chair_a", **changes: Any) -> int:
    values: dict[str, Any] = {
        "fund_id": world.fund_a,
        "adopted_on": date(2027, 1, 10),
        "allowed_categories": ["greening", "safety"],
        "forbidden_categories": ["entertainment"],
        "per_project_cap": "15000",
        "per_community_year_cap": "",
        "min_co_funding_permille": 200,
        "text": "Version two: more co-funding.",
    }
    values.update(changes)
    return funds.adopt_charter(world.session, world.viewer(viewer), **values)


def test_a_new_charter_version_supersedes_and_the_old_stays_readable(world: World) -> None:
    (first,) = funds.charter_versions(world.session, fund_id=world.fund_a)
    kept = first.model_dump()
    charter_id = adopt(world)
    versions = funds.charter_versions(world.session, fund_id=world.fund_a)
    assert [(c.id, c.version) for c in versions] == [(charter_id, 2), (first.id, 1)]
    current = funds.current_charter(world.session, world.fund_a)
    assert current is not None and current.id == charter_id
    assert (current.per_project_cap_fen, current.min_co_funding_permille) == (15_000_00, 200)
    assert current.allowed_categories == ["greening", "safety"]
    world.session.refresh(versions[1])
    assert versions[1].model_dump() == kept  # version 1 as it was adopted
    assert adopt(world, adopted_on=date(2027, 1, 10), text="Same day, third version")
    assert [c.version for c in funds.charter_versions(world.session, fund_id=world.fund_a)] == [
        3,
        2,
        1,
    ]


@pytest.mark.parametrize(
    ("viewer", "changes", "error", "code"),
    [
        ("chair_a", {"adopted_on": date(2025, 12, 31)}, InvalidInput, "charter_before_current"),
        ("chair_a", {"forbidden_categories": ["safety"]}, InvalidInput, "charter_category_both"),
        ("chair_a", {"adopted_on": "2027-01-10"}, InvalidInput, "field_invalid"),
        ("chair_b", {}, NotAllowed, "not_allowed"),
        ("treasurer_a", {}, NotAllowed, "not_allowed"),
        ("chair_a", {"fund_id": "street"}, NotAllowed, "not_allowed"),
    ],
)
def test_a_charter_version_that_cannot_be_adopted_changes_nothing(
    world: World, viewer: str, changes: dict[str, Any], error: type[Exception], code: str
) -> None:
    if changes.get("fund_id") == "street":
        changes["fund_id"] = world.street_fund
    before = fingerprint(world.session)
    with pytest.raises(error) as refused:
        adopt(world, viewer, **changes)
    world.session.rollback()
    assert refused.value.code == code  # type: ignore[attr-defined]
    assert fingerprint(world.session) == before
    versions = world.session.exec(select(FundCharter.version)).all()
    assert versions == [1]


# --- money down the hierarchy ------------------------------------------------------------------


def street_treasurer(world: World) -> None:
    world.session.add(
        RoleGrant(
            person_id=world.people["member_a"],
            role=Role.COMMITTEE_MEMBER,
            position=CommitteePosition.TREASURER,
            place_id=world.street,
        )
    )
    world.session.commit()


def test_money_passes_down_as_far_as_the_fund_holds_it(world: World) -> None:
    street_treasurer(world)
    treasurer = world.viewer("member_a")
    ledger.record_donation(
        world.session,
        treasurer,
        fund_id=world.street_fund,
        amount="30000",
        donor="District finance office",
        purpose="2026 self-governance money",
        occurred_on=WHEN,
        kind="grant",
    )
    ledger.transfer_between_funds(
        world.session,
        treasurer,
        source_fund_id=world.street_fund,
        destination_fund_id=world.fund_a,
        amount="20000",
        purpose="Kangcheng 2026",
        occurred_on=WHEN,
    )
    before = fingerprint(world.session)
    with pytest.raises(Overspend) as refused:
        ledger.transfer_between_funds(
            world.session,
            treasurer,
            source_fund_id=world.street_fund,
            destination_fund_id=world.fund_b,
            amount="10,000.01",
            purpose="Xinhua 2026",
            occurred_on=WHEN,
        )
    world.session.rollback()
    assert (refused.value.code, refused.value.params) == (
        "overspend_fund",
        {"available_fen": 10_000_00, "amount_fen": 10_000_01},
    )
    assert fingerprint(world.session) == before
    balances = {row.id: row.available_fen for row in funds.fund_tree(world.session, treasurer)}
    assert (balances[world.street_fund], balances[world.fund_a], balances[world.fund_b]) == (
        10_000_00,
        20_000_00,
        0,
    )


def test_a_community_treasurer_cannot_pass_the_streets_money_on(world: World) -> None:
    before = fingerprint(world.session)
    with pytest.raises(NotAllowed):
        ledger.transfer_between_funds(
            world.session,
            world.viewer("treasurer_a"),
            source_fund_id=world.street_fund,
            destination_fund_id=world.fund_a,
            amount="1",
            purpose="Helping ourselves",
            occurred_on=WHEN,
        )
    world.session.rollback()
    assert fingerprint(world.session) == before


def test_every_ballot_kind_can_be_chosen(world: World) -> None:
    chair = world.viewer("chair_a")
    extra = {"cumulative": {"max_sum_points": 10}, "scores": {"max_points": 5}}
    for kind in BallotKind:
        config = settings(world, name=f"2026 {kind}", ballot_kind=kind.value, **extra.get(kind, {}))
        assert (
            stored(world.session, create_round(world.session, chair, config=config)).ballot_kind
            == kind
        )
