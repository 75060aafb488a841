"""Donors, campaigns, revenue assets and money by source (issue 11, parts 3 and 6)."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, func, select

from models import Campaign, LedgerEntry, Need, RevenueAsset
from models.clock import today
from services import campaigns, donors, ledger, needs
from services.accounts import viewer_for_person
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, WrongPhase
from services.proposals import LineItemInput, PledgeInput, ProposalDraft
from tests.world import World, pay_project, through_the_vote

DAY = date(2026, 3, 1)


def count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def give(world: World, amount: str, who: str = "treasurer_a", **extra) -> int:
    extra.setdefault("donor", "王阿姨")
    extra.setdefault("purpose", "捐赠")
    extra.setdefault("occurred_on", DAY)
    return ledger.record_donation(
        world.session, world.viewer(who), fund_id=world.fund_a, amount=amount, **extra
    )


def entry(world: World, entry_id: int) -> LedgerEntry:
    found = world.session.get(LedgerEntry, entry_id)
    assert found is not None
    return found


def funded_project(world: World, title: str = "楼道灯", cost: str = "3000") -> int:
    draft = ProposalDraft(
        place_id=world.compound_a1,
        title=title,
        summary="更换楼道灯",
        category="safety",
        line_items=[LineItemInput("灯具", "public_facilities", 1, cost)],
        co_funding=[PledgeInput("residents", "居民", "500")],
        maintenance_plan="物业检查",
        maintainer="物业",
        maintenance_years=3,
    )
    return through_the_vote(world, draft, selected=True)


def pay(world: World, proposal_id: int, amount: str, what: str, invoice: str) -> None:
    pay_project(
        world, proposal_id, amount, invoice=invoice, occurred_on=DAY, payee="灯具店", purpose=what
    )


# --- donor kinds and receipt numbers -----------------------------------------------------------


def test_a_gift_gets_the_next_receipt_number_of_its_year(world: World) -> None:
    first = give(world, "50", donor_kind="resident")
    second = give(world, "100", donor_kind="charity", occurred_on=date(2026, 5, 1))
    other_year = give(world, "30", donor_kind="resident", occurred_on=date(2025, 12, 31))
    assert entry(world, first).receipt_number == "JZ-2026-000001"
    assert entry(world, second).receipt_number == "JZ-2026-000002"
    assert entry(world, other_year).receipt_number == "JZ-2025-000001"
    assert (entry(world, first).donor_kind, entry(world, second).donor_kind) == (
        "resident",
        "charity",
    )


def test_grants_and_revenue_get_no_receipt_number_and_no_donor_kind(world: World) -> None:
    grant = give(world, "20000", kind="grant", donor="街道办")
    assert entry(world, grant).receipt_number is None
    before = count(world.session, LedgerEntry)
    with pytest.raises(InvalidInput):
        give(world, "20000", kind="grant", donor="街道办", donor_kind="resident")
    assert count(world.session, LedgerEntry) == before


@pytest.mark.parametrize("kind", ["", "Resident", "共建单位", "government"])
def test_a_donor_kind_outside_the_vocabulary_is_refused(world: World, kind: str) -> None:
    before = count(world.session, LedgerEntry)
    with pytest.raises(InvalidInput):
        give(world, "50", donor_kind=kind)
    assert count(world.session, LedgerEntry) == before


# --- what a gift paid for -------------------------------------------------------------------


def test_a_designated_gift_shows_the_projects_expenses(world: World) -> None:
    lamp = funded_project(world)
    give(world, "10000", kind="grant", donor="街道办")
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=lamp,
        amount="2500",
        occurred_on=DAY,
    )
    gift = give(
        world,
        "500",
        donor_kind="resident",
        donor_person_id=world.people["resident_a1"],
        proposal_id=lamp,
        is_anonymous=True,
    )
    pay(world, lamp, "1200", "感应灯 12 盏", "No.001")
    pay(world, lamp, "300", "安装", "No.002")
    (story,) = donors.my_gifts(world.session, world.viewer("resident_a1"))
    assert story.gift.entry_id == gift
    assert (story.gift.designation, story.gift.proposal_title) == ("proposal", "楼道灯")
    assert story.gift.is_anonymous
    assert (story.paid_for.allocated_fen, story.paid_for.spent_fen) == (250_000, 150_000)
    assert [(e.purpose, e.amount_fen, e.invoice_number) for e in story.paid_for.expenses] == [
        ("感应灯 12 盏", 120_000, "No.001"),
        ("安装", 30_000, "No.002"),
    ]
    by_receipt = donors.gift_by_receipt(world.session, receipt_number=" jz-2026-000001 ")
    assert by_receipt == story


def test_a_general_gift_shows_its_proportional_share_of_the_funds_projects(world: World) -> None:
    lamp = funded_project(world)
    give(world, "9000", kind="grant", donor="街道办")
    gift = give(world, "1000", donor_kind="company", donor="超市")
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=lamp,
        amount="2500",
        occurred_on=DAY,
    )
    pay(world, lamp, "2000", "感应灯", "No.003")
    story = donors.gift_by_receipt(
        world.session, receipt_number=entry(world, gift).receipt_number or ""
    )
    assert story.gift.designation == "general"
    assert story.paid_for.fund_money_in_fen == 1_000_000
    assert story.paid_for.gift_share == Fraction(1, 10)
    assert [(p.title, p.spent_fen, p.share_fen) for p in story.paid_for.projects] == [
        ("楼道灯", 200_000, 20_000)
    ]


def test_a_reversed_gift_paid_for_nothing(world: World) -> None:
    lamp = funded_project(world)
    gift = give(world, "500", donor_person_id=world.people["resident_a1"], proposal_id=lamp)
    ledger.reverse_entry(
        world.session, world.viewer("treasurer_a"), entry_id=gift, reason="重复", occurred_on=DAY
    )
    (story,) = donors.my_gifts(world.session, world.viewer("resident_a1"))
    assert story.gift.is_reversed
    assert story.paid_for.expenses == [] and story.paid_for.projects == []


def test_my_gifts_are_only_my_own_and_need_a_sign_in(world: World) -> None:
    give(world, "50", donor_person_id=world.people["resident_a1"])
    give(world, "70", donor_person_id=world.people["resident_a2"])
    mine = donors.my_gifts(world.session, world.viewer("resident_a1"))
    assert [s.gift.amount_fen for s in mine] == [5_000]
    assert donors.my_gifts(world.session, world.viewer("outsider")) == []
    from services.permissions import ANONYMOUS

    with pytest.raises(NotAllowed):
        donors.my_gifts(world.session, ANONYMOUS)


@pytest.mark.parametrize("number", ["JZ-2026-999999", "", "JZ-2026-00000\n1", "x" * 40])
def test_an_unknown_or_malformed_receipt_number_finds_nothing(world: World, number: str) -> None:
    give(world, "50")
    with pytest.raises((NotFound, InvalidInput)):
        donors.gift_by_receipt(world.session, receipt_number=number)


def test_anonymous_donors_are_masked_on_the_public_ledger_never_in_the_books(
    world: World,
) -> None:
    give(world, "50", donor="李先生", is_anonymous=True, donor_kind="resident")
    (public,) = ledger.ledger_lines(world.session, fund_id=world.fund_a)
    assert (public.counterparty, public.receipt_number) == ("", None)
    (books,) = ledger.books(world.session, world.viewer("treasurer_a"), fund_id=world.fund_a)
    assert (books.counterparty, books.receipt_number) == ("李先生", "JZ-2026-000001")


# --- campaigns -------------------------------------------------------------------------------


def open_cushions(world: World, who: str = "chair_a", **extra) -> int:
    if "proposal_id" not in extra and "need_id" not in extra:
        extra["need_id"] = needs.post_need(
            world.session,
            world.viewer("resident_a1"),
            place_id=world.compound_a1,
            title="活动室坐垫",
            description="",
            category="elderly_care",
        )
    return campaigns.open_campaign(
        world.session,
        world.viewer(who),
        fund_id=world.fund_a,
        title="80个坐垫",
        description="为老年活动室众筹80个坐垫",
        target=extra.pop("target", "3200"),
        deadline=extra.pop("deadline", today() + timedelta(days=30)),
        **extra,
    )


def test_gifts_to_a_campaign_fill_its_progress_bar(world: World) -> None:
    campaign_id = open_cushions(world, who="treasurer_a")
    for amount in ("30", "50", "40"):
        give(world, amount, donor_kind="resident", campaign_id=campaign_id, occurred_on=today())
    give(world, "999", donor_kind="resident")  # general: not the campaign's
    (progress,) = campaigns.campaigns(world.session, fund_id=world.fund_a)
    assert (progress.raised_fen, progress.gifts, progress.target_fen) == (12_000, 3, 320_000)
    assert progress.state == "open" and progress.days_left == 30
    assert progress.share == 12_000 / 320_000
    assert progress.aim == "活动室坐垫"


def test_a_campaign_for_a_proposal_designates_its_gifts(world: World) -> None:
    lamp = funded_project(world)
    campaign_id = open_cushions(world, proposal_id=lamp)
    gift = give(world, "50", campaign_id=campaign_id, occurred_on=today())
    assert entry(world, gift).proposal_id == lamp
    story = donors.gift_by_receipt(
        world.session, receipt_number=entry(world, gift).receipt_number or ""
    )
    assert (story.gift.designation, story.gift.campaign_title) == ("campaign", "80个坐垫")


def test_a_closed_or_ended_campaign_takes_no_gift(world: World) -> None:
    campaign_id = open_cushions(world, deadline=today())
    before = count(world.session, LedgerEntry)
    with pytest.raises(WrongPhase):
        give(world, "50", campaign_id=campaign_id, occurred_on=today() + timedelta(days=1))
    campaigns.close_campaign(world.session, world.viewer("chair_a"), campaign_id=campaign_id)
    with pytest.raises(WrongPhase):
        give(world, "50", campaign_id=campaign_id, occurred_on=today())
    with pytest.raises(Conflict):
        campaigns.close_campaign(world.session, world.viewer("chair_a"), campaign_id=campaign_id)
    assert count(world.session, LedgerEntry) == before
    (progress,) = campaigns.campaigns(world.session)
    assert progress.state == "closed"


def test_a_campaign_past_its_deadline_shows_as_ended(world: World) -> None:
    campaign_id = open_cushions(world)
    row = world.session.get(Campaign, campaign_id)
    assert row is not None
    row.deadline = today() - timedelta(days=1)
    world.session.add(row)
    world.session.commit()
    (progress,) = campaigns.campaigns(world.session)
    assert (progress.state, progress.days_left) == ("ended", 0)


def test_a_campaigns_gift_goes_to_its_own_fund(world: World) -> None:
    campaign_id = open_cushions(world)
    before = count(world.session, LedgerEntry)
    with pytest.raises(InvalidInput):
        ledger.record_donation(
            world.session,
            world.viewer("treasurer_b"),
            fund_id=world.fund_b,
            amount="50",
            donor="x",
            purpose="x",
            occurred_on=today(),
            campaign_id=campaign_id,
        )
    assert count(world.session, LedgerEntry) == before


@pytest.mark.parametrize(
    "bad",
    [
        {"deadline": date(2020, 1, 1)},
        {"target": "0"},
        {"need_id": None},
        {"proposal_id": 1, "need_id": 1},
    ],
)
def test_a_campaign_needs_one_aim_a_target_and_a_deadline_to_come(world: World, bad: dict) -> None:
    before = count(world.session, Campaign)
    with pytest.raises(InvalidInput):
        open_cushions(world, **bad)
    assert count(world.session, Campaign) == before


def test_a_campaign_for_a_need_outside_the_funds_area_is_refused(world: World) -> None:
    need_b = needs.post_need(
        world.session,
        world.viewer("resident_b1"),
        place_id=world.compound_b1,
        title="坐垫",
        description="",
        category="elderly_care",
    )
    with pytest.raises(InvalidInput):
        open_cushions(world, need_id=need_b)
    assert count(world.session, Campaign) == 0
    assert world.session.get(Need, need_b) is not None


@pytest.mark.parametrize("who", ["member_a", "clerk_a", "resident_a1", "treasurer_b"])
def test_only_the_chair_or_treasurer_of_the_fund_opens_a_campaign(world: World, who: str) -> None:
    with pytest.raises(NotAllowed):
        open_cushions(world, who=who)
    assert count(world.session, Campaign) == 0


# --- revenue assets and money by source ----------------------------------------------------


def test_revenue_assets_and_their_income(world: World) -> None:
    treasurer = world.viewer("treasurer_a")
    parking = campaigns.register_revenue_asset(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        name="阶梯停车",
        kind="parking",
        description="120个车位",
    )
    for month in (1, 2):
        campaigns.record_revenue(
            world.session,
            treasurer,
            asset_id=parking,
            amount="8000",
            purpose=f"{month}月停车费",
            occurred_on=date(2026, month, 28),
        )
    (row,) = campaigns.revenue_register(world.session, fund_id=world.fund_a)
    assert (row.name, row.kind, row.income_fen, row.entries) == (
        "阶梯停车",
        "parking",
        1_600_000,
        2,
    )
    entries = world.session.exec(
        select(LedgerEntry).where(LedgerEntry.revenue_asset_id == parking)
    ).all()
    assert {(e.kind, e.counterparty, e.destination_fund_id) for e in entries} == {
        ("revenue", "阶梯停车", world.fund_a)
    }


@pytest.mark.parametrize("who", ["chair_a", "clerk_a", "treasurer_b"])
def test_only_the_funds_treasurer_keeps_the_revenue_register(world: World, who: str) -> None:
    with pytest.raises(NotAllowed):
        campaigns.register_revenue_asset(
            world.session,
            world.viewer(who),
            fund_id=world.fund_a,
            name="食堂",
            kind="canteen",
            description="",
        )
    assert count(world.session, RevenueAsset) == 0


def test_money_by_source_and_the_share_not_from_government(world: World) -> None:
    treasurer = world.viewer("treasurer_a")
    give(world, "21000", kind="grant", donor="街道办")
    # Seed money passed on to another fund counts as the government's there.
    ledger.transfer_between_funds(
        world.session,
        treasurer,
        source_fund_id=world.fund_a,
        destination_fund_id=world.fund_b,
        amount="1000",
        purpose="自治金",
        occurred_on=DAY,
    )
    give(world, "3000", donor_kind="resident")
    give(world, "10000", donor_kind="co_building_unit", donor="银行")
    give(world, "5000", donor_kind="charity", donor="慈善分会")
    give(world, "2000", donor_kind="company", donor="超市")
    give(world, "700")  # recorded without a kind
    twice = give(world, "10000", donor_kind="company", donor="超市")
    ledger.reverse_entry(
        world.session, treasurer, entry_id=twice, reason="重复录入", occurred_on=DAY
    )
    asset = campaigns.register_revenue_asset(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        name="集装箱商铺",
        kind="container_shop",
        description="",
    )
    campaigns.record_revenue(
        world.session, treasurer, asset_id=asset, amount="4300", purpose="租金", occurred_on=DAY
    )
    (sources,) = campaigns.money_by_source(world.session, fund_id=world.fund_a)
    assert sources.by_source == {
        "government": 2_100_000,
        "residents": 300_000,
        "units": 1_000_000,
        "charity": 500_000,
        "companies": 200_000,
        "revenue": 430_000,
        "unspecified": 70_000,
    }
    assert sources.total_fen == 4_600_000
    # The balance counts the reversed gift in and its reversal out; the sources leave both out.
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert sources.total_fen == balance.money_in_fen - 1_000_000
    assert sources.non_government_share == Fraction(25, 46)
    everyone = {s.fund_id: s for s in campaigns.money_by_source(world.session)}
    assert everyone[world.fund_b].by_source == {"government": 100_000}
    assert everyone[world.fund_b].non_government_share == 0
    assert everyone[world.street_fund].by_source == {}
    assert everyone[world.street_fund].non_government_share is None


def test_the_donation_form_lists_the_funds_residents_to_those_who_record_gifts(
    world: World,
) -> None:
    listed = donors.donor_accounts(world.session, world.viewer("clerk_a"), fund_id=world.fund_a)
    # everyone whose home is in community A (its committee too), nobody of B, no one homeless
    assert set(listed.values()) == {
        "resident_a1",
        "resident_a2",
        "chair_a",
        "secretary_a",
        "treasurer_a",
        "member_a",
        "clerk_a",
    }
    for who in ("resident_a1", "member_a", "treasurer_b"):
        assert donors.donor_accounts(world.session, world.viewer(who), fund_id=world.fund_a) == {}


def test_twenty_gifts_recorded_at_once_get_twenty_different_numbers(
    world: World, engine: Engine
) -> None:
    """Clerks at two desks and the treasurer, at the same moment: each gift its own number,
    in sequence, none lost (the numbering runs under the books' lock)."""
    from tests.services.test_concurrency import race

    def gift(session: Session) -> int:
        return ledger.record_donation(
            session,
            viewer_for_person(session, world.people["clerk_a"]),
            fund_id=world.fund_a,
            amount="50",
            donor="居民",
            purpose="坐垫",
            occurred_on=DAY,
            donor_kind="resident",
        )

    results = race(world, engine, [gift] * 20)
    assert all(isinstance(r, int) for r in results)
    numbers = sorted(
        world.session.exec(
            select(LedgerEntry.receipt_number).where(col(LedgerEntry.receipt_number).is_not(None))
        ).all()
    )
    assert numbers == [f"JZ-2026-{n:06d}" for n in range(1, 21)]
