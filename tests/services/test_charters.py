"""The fund's charter, enforced: every rule broken is named with its field, at submission (with
or without a round), at eligibility (the yearly cap per community, the co-funding share), at
allocations and transfers (spending where raised) and at each payment request; the chair may
let one through with a recorded reason, which the notice board lists."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlmodel import func, select

from models import CharterException, FundCharter, PaymentRequest, Proposal
from models.vocabulary import CharterStage, ProposalStatus
from services import charters, expenses, funds, ledger, notice, proposals
from services.errors import CharterViolation, InvalidInput, NotAllowed
from services.proposals import LineItemInput, PledgeInput, ProposalDraft
from services.rounds import RoundSettings, advance_round, create_round
from tests.services.test_expenses import funded, upload_dir  # noqa: F401 (fixtures)
from tests.services.test_ledger import DAY, donate
from tests.services.test_uploads import photo_bytes
from tests.street import fingerprint
from tests.world import World, through_the_vote

S = ProposalStatus
REASON = "议事会一致同意：高温施工，志愿者饮水属安全必需"


def adopt(world: World, **changes: Any) -> int:
    """A new version of community A's charter: the street's figures, forbidden items too."""
    values: dict[str, Any] = dict(
        fund_id=world.fund_a,
        adopted_on=date(2026, 2, 1),
        allowed_categories=[],
        forbidden_categories=["building_materials", "construction_works", "entertainment"],
        per_project_cap="20000",
        per_community_year_cap="30000",
        min_co_funding_permille=100,
        text="Money from the compound is spent in the compound.",
        forbidden_items=["瓶装水", "矿泉水", "Banquet", "礼品"],
    )
    values.update(changes)
    return funds.adopt_charter(world.session, world.viewer("admin"), **values)


def draft(world: World, **changes: Any) -> ProposalDraft:
    """13,000 yuan with 1,300 pledged: 11,700 asked of the fund."""
    values: dict[str, Any] = dict(
        place_id=world.compound_a1,
        title="Garden benches",
        summary="Benches in the garden",
        category="public_facilities",
        line_items=[LineItemInput("Bench", "public_facilities", 10, "1300")],
        co_funding=[PledgeInput("residents", "Households", "1300")],
        maintenance_plan="Property manager checks monthly",
        maintainer="Property manager",
        maintenance_years=3,
    )
    values.update(changes)
    return ProposalDraft(**values)


def submit(world: World, who: str = "resident_a1", **changes: Any) -> int:
    return proposals.submit_proposal(
        world.session, world.viewer(who), draft=draft(world, **changes)
    )


def broken(raised: pytest.ExceptionInfo[CharterViolation]) -> list[tuple[str, str]]:
    assert raised.value.code == "charter_broken"
    return [(b["rule"], b["field"]) for b in raised.value.params["breaches"]]


def count(world: World, model: type[Any]) -> int:
    return world.session.exec(select(func.count()).select_from(model)).one()


def open_round(world: World, year: int = 2026) -> int:
    chair = world.viewer("chair_a")
    round_id = create_round(
        world.session,
        chair,
        config=RoundSettings(
            name=f"Kangcheng {year}",
            year=year,
            fund_id=world.fund_a,
            place_id=world.community_a,
            budget="90000",
        ),
    )
    advance_round(world.session, chair, round_id=round_id)
    advance_round(world.session, chair, round_id=round_id)
    return round_id


def eligible(world: World, proposal_id: int, who: str = "chair_a", **extra: Any) -> None:
    proposals.change_proposal_status(
        world.session, world.viewer(who), proposal_id=proposal_id, to_status=S.ELIGIBLE, **extra
    )


def status(world: World, proposal_id: int) -> str:
    proposal = world.session.get(Proposal, proposal_id)
    assert proposal is not None
    world.session.refresh(proposal)
    return proposal.status


# --- the charter itself ----------------------------------------------------------------------


def test_forbidden_items_are_kept_cleaned_and_in_order(world: World) -> None:
    charter = world.session.get(
        FundCharter, adopt(world, forbidden_items=[" 宴请 ", "礼品", "礼品"])
    )
    assert charter is not None
    assert (charter.forbidden_items, charter.spend_where_raised) == (["宴请", "礼品"], True)
    with pytest.raises(InvalidInput) as raised:
        adopt(world, forbidden_items=["x" * 41])
    assert raised.value.params["field"] == "forbidden_items"


# --- at submission -------------------------------------------------------------------------


def test_every_rule_broken_at_submission_is_named_with_its_field(world: World) -> None:
    adopt(world)
    before = fingerprint(world.session)
    with pytest.raises(CharterViolation) as raised:
        submit(
            world,
            category="entertainment",
            line_items=[
                LineItemInput("Stage", "entertainment", 1, "15000"),
                LineItemInput("瓶装水 for the evening", "services", 100, "80"),
                LineItemInput("Cement", "building_materials", 1, "3000"),
            ],
            co_funding=[PledgeInput("residents", "Households", "100")],
        )
    assert broken(raised) == [
        ("charter_forbidden_category", "category"),
        ("charter_forbidden_item", "line_items"),
        ("charter_forbidden_category", "line_items"),
        ("charter_project_cap", "budget"),
        ("charter_co_funding", "co_funding"),
    ]
    cap = raised.value.params["breaches"][3]["params"]
    assert cap == {"cap_fen": 20_000_00, "requested_fen": 25_900_00}
    assert raised.value.params["breaches"][1]["params"] == {
        "item": "瓶装水",
        "row": 2,
        "part": "line_items",
    }
    assert fingerprint(world.session) == before


def test_items_are_matched_whatever_their_case(world: World) -> None:
    adopt(world)
    with pytest.raises(CharterViolation) as raised:
        submit(world, line_items=[LineItemInput("BANQUET for helpers", "services", 10, "1300")])
    assert broken(raised) == [("charter_forbidden_item", "line_items")]


def test_a_proposal_naming_no_round_meets_its_community_funds_charter(world: World) -> None:
    """Without a round: the community micro-fund of the proposal's community; community B's
    fund has no charter, so the same proposal there is accepted."""
    with pytest.raises(CharterViolation) as raised:
        submit(world, category="construction_works")
    assert broken(raised) == [("charter_forbidden_category", "category")]
    assert count(world, Proposal) == 0
    proposal_id = submit(
        world, who="resident_b1", place_id=world.compound_b1, category="construction_works"
    )
    assert status(world, proposal_id) == S.SUBMITTED


def test_a_proposal_in_a_round_meets_the_rounds_fund_charter(world: World) -> None:
    adopt(world)
    round_id = open_round(world)
    with pytest.raises(CharterViolation) as raised:
        submit(world, round_id=round_id, co_funding=[])
    assert broken(raised) == [("charter_co_funding", "co_funding")]


# --- at eligibility: the yearly cap, the co-funding share --------------------------------------


def test_the_yearly_cap_per_community_counts_eligible_proposals_of_the_year(world: World) -> None:
    """Cap 30,000: two proposals of 11,700 are eligible (23,400); a third would make 35,100."""
    adopt(world)
    round_id = open_round(world)
    first = submit(world, round_id=round_id)
    second = submit(world, round_id=round_id)
    # Another compound of the same community: counted against the same cap.
    third = submit(world, who="resident_a2", place_id=world.compound_a2, round_id=round_id)
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # eligibility
    eligible(world, first)
    eligible(world, second)
    # The proposer sees it coming: the check the screens read names the cap already.
    assert [b.rule for b in charters.charter_check(world.session, proposal_id=third)] == [
        "charter_year_cap"
    ]
    before = fingerprint(world.session)
    with pytest.raises(CharterViolation) as raised:
        eligible(world, third)
    assert broken(raised) == [("charter_year_cap", "budget")]
    assert raised.value.params["breaches"][0]["params"] == {
        "cap_fen": 30_000_00,
        "committed_fen": 23_400_00,
        "requested_fen": 11_700_00,
        "year": 2026,
    }
    assert fingerprint(world.session) == before
    assert status(world, third) == S.SUBMITTED
    # A proposal taken back no longer counts: the third fits.
    proposals.change_proposal_status(
        world.session,
        world.viewer("chair_a"),
        proposal_id=second,
        to_status=S.INELIGIBLE,
        reason="Duplicate of the first",
    )
    eligible(world, third)
    assert status(world, third) == S.ELIGIBLE


def test_proposals_of_another_year_do_not_count(world: World) -> None:
    adopt(world)
    last_year = open_round(world, year=2025)
    old = submit(world, round_id=last_year)
    old_two = submit(world, round_id=last_year)
    advance_round(world.session, world.viewer("chair_a"), round_id=last_year)
    eligible(world, old)
    eligible(world, old_two)
    this_year = open_round(world, year=2026)
    new = submit(world, round_id=this_year)
    advance_round(world.session, world.viewer("chair_a"), round_id=this_year)
    eligible(world, new)
    assert status(world, new) == S.ELIGIBLE


def test_the_co_funding_share_is_checked_again_at_eligibility(world: World) -> None:
    """Submitted under 10%, reviewed under a charter that asks 30% by then."""
    proposal_id = submit(world)
    adopt(world, min_co_funding_permille=300)
    with pytest.raises(CharterViolation) as raised:
        eligible(world, proposal_id)
    assert broken(raised) == [("charter_co_funding", "co_funding")]
    assert status(world, proposal_id) == S.SUBMITTED


# --- the chair's override --------------------------------------------------------------------


def test_marking_eligible_against_the_charter_needs_the_chairs_recorded_reason(
    world: World,
) -> None:
    proposal_id = submit(world)
    adopt(world, forbidden_categories=["public_facilities"])
    before = fingerprint(world.session)
    with pytest.raises(NotAllowed) as refused:
        eligible(world, proposal_id, who="member_a", override_reason=REASON)
    assert refused.value.params == {"action": "override_charter"}
    with pytest.raises(InvalidInput) as short:
        eligible(world, proposal_id, override_reason="OK, fine")
    assert (short.value.code, short.value.params["field"]) == (
        "override_reason_short",
        "override_reason",
    )
    assert fingerprint(world.session) == before
    eligible(world, proposal_id, override_reason=REASON)
    assert status(world, proposal_id) == S.ELIGIBLE
    (exception,) = world.session.exec(select(CharterException)).all()
    assert (exception.stage, exception.rules, exception.reason, exception.payment_request_id) == (
        CharterStage.ELIGIBILITY,
        ["charter_forbidden_category"],
        REASON,
        None,
    )
    assert exception.decided_by_id == world.people["chair_a"]
    (shown,) = notice.notice_board(world.session).charter_exceptions
    assert (shown.proposal_title, shown.rules, shown.reason, shown.decided_by) == (
        "Garden benches",
        ["charter_forbidden_category"],
        REASON,
        "chair_a",
    )


def test_a_proposal_within_the_charter_needs_no_reason_and_records_no_exception(
    world: World,
) -> None:
    proposal_id = submit(world)
    eligible(world, proposal_id, override_reason=REASON)
    assert status(world, proposal_id) == S.ELIGIBLE
    assert count(world, CharterException) == 0
    assert notice.notice_board(world.session).charter_exceptions == []


# --- spending where raised -------------------------------------------------------------------


def test_money_raised_in_a_community_pays_only_there(world: World) -> None:
    adopt(world)  # spent where raised (the world's first version pools with the street)
    donate(world, "10000")
    elsewhere = through_the_vote(
        world,
        replace(draft(world), place_id=world.compound_b1, title="Xinhua benches"),
        selected=True,
        side="b",
    )
    treasurer = world.viewer("treasurer_a")
    before = fingerprint(world.session)
    with pytest.raises(CharterViolation) as raised:
        ledger.allocate_to_proposal(
            world.session,
            treasurer,
            fund_id=world.fund_a,
            proposal_id=elsewhere,
            amount="1000",
            occurred_on=DAY,
        )
    assert broken(raised) == [("charter_spend_where_raised", "proposal")]
    with pytest.raises(CharterViolation) as up:
        ledger.transfer_between_funds(
            world.session,
            treasurer,
            source_fund_id=world.fund_a,
            destination_fund_id=world.street_fund,
            amount="1000",
            purpose="Back to the street",
            occurred_on=DAY,
        )
    assert broken(up) == [("charter_spend_where_raised", "destination")]
    assert fingerprint(world.session) == before
    compound_fund = funds.create_fund(
        world.session,
        world.viewer("admin"),
        name="Kangcheng 1 fund",
        kind="community",
        place_id=world.compound_a1,
        parent_id=world.fund_a,
    )
    ledger.transfer_between_funds(
        world.session,
        treasurer,
        source_fund_id=world.fund_a,
        destination_fund_id=compound_fund,
        amount="1000",
        purpose="Down to the compound",
        occurred_on=DAY,
    )
    assert ledger.fund_balance(world.session, compound_fund).cash_fen == 1000_00
    adopt(world, spend_where_raised=False)  # a charter that pools its money
    ledger.allocate_to_proposal(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        proposal_id=elsewhere,
        amount="1000",
        occurred_on=DAY,
    )
    assert ledger.allocated_fen(world.session, elsewhere) == 1000_00


# --- at each payment request -------------------------------------------------------------------


def request(world: World, funded: tuple[int, int], purpose: str, **extra: Any) -> int:  # noqa: F811
    proposal_id, line_id = funded
    return expenses.request_payment(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        line_item_id=line_id,
        amount="300",
        payee="Lianhua supermarket",
        purpose=purpose,
        invoice_number="INV-2026-077",
        occurred_on=DAY,
        receipt_name="water.jpg",
        receipt_data=photo_bytes(),
        **extra,
    )


def test_a_payment_for_a_forbidden_item_is_refused_or_asks_the_chair(
    world: World,
    funded: tuple[int, int],  # noqa: F811
) -> None:
    """The mineral-water question: refused at the request, unless the treasurer asks for an
    exception; then paid only with the chair's recorded reason."""
    adopt(world)
    before = fingerprint(world.session)
    with pytest.raises(CharterViolation) as raised:
        request(world, funded, "Volunteers' 矿泉水, 20 cases")
    assert broken(raised) == [("charter_forbidden_item", "purpose")]
    assert fingerprint(world.session) == before
    request_id = request(world, funded, "Volunteers' 矿泉水, 20 cases", ask_exception=True)
    (row,) = expenses.payment_requests(
        world.session, world.viewer("member_a"), fund_id=world.fund_a
    )
    assert [(b.rule, b.field) for b in row.breaches] == [("charter_forbidden_item", "purpose")]
    waiting = fingerprint(world.session)
    with pytest.raises(CharterViolation):
        expenses.approve_payment(world.session, world.viewer("member_a"), request_id=request_id)
    with pytest.raises(NotAllowed) as refused:
        expenses.approve_payment(
            world.session, world.viewer("member_a"), request_id=request_id, override_reason=REASON
        )
    assert refused.value.params == {"action": "override_charter"}
    assert fingerprint(world.session) == waiting
    entry_id = expenses.approve_payment(
        world.session, world.viewer("chair_a"), request_id=request_id, override_reason=REASON
    )
    assert entry_id > 0
    paid = world.session.get(PaymentRequest, request_id)
    assert paid is not None and paid.status == "approved"
    (exception,) = world.session.exec(select(CharterException)).all()
    assert (exception.stage, exception.payment_request_id, exception.rules) == (
        CharterStage.PAYMENT,
        request_id,
        ["charter_forbidden_item"],
    )
    (shown,) = notice.notice_board(world.session).charter_exceptions
    assert (shown.stage, shown.reason) == ("payment", REASON)


def test_a_payment_within_the_charter_is_paid_as_before(
    world: World,
    funded: tuple[int, int],  # noqa: F811
) -> None:
    adopt(world)
    request_id = request(world, funded, "Bench bolts")
    expenses.approve_payment(world.session, world.viewer("member_a"), request_id=request_id)
    assert count(world, CharterException) == 0
