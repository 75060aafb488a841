"""Alliances (组团联建): formed by someone who reaches every member, contributions split to the
fen by the agreed ratios and moved all or nothing, the council's chair rotating across year
boundaries, joint work scored by the third-party evaluator (SQLite and PostgreSQL)."""

import random
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    Alliance,
    AllianceCallPart,
    AllianceMember,
    AllianceScore,
    Fund,
    LedgerEntry,
    Place,
    Proposal,
    RoleGrant,
)
from models.clock import today
from models.vocabulary import FundKind, LedgerKind, PlaceKind, ProposalStatus, Role
from services import accounts
from services.accounts import viewer_for_person
from services.alliances import (
    MemberShare,
    add_joint_proposal,
    add_months,
    alliance_choices,
    alliance_names,
    alliances_page,
    call_contributions,
    council_schedule,
    council_turn,
    form_alliance,
    fund_joint_proposal,
    months_between,
    record_joint_event,
    score_joint_work,
    split_by_ratio,
)
from services.common import record_audit
from services.errors import Conflict, InvalidInput, NotAllowed, Overspend
from services.ledger import fund_balance
from services.verify import check_books
from tests.services.test_concurrency import outcomes, race
from tests.street import fingerprint
from tests.world import World

WHEN = date(2026, 3, 1)

# --- the pure parts ------------------------------------------------------------------------------


def test_a_split_sums_to_the_fen_and_gives_leftovers_to_the_largest_remainders() -> None:
    # 3,333,333 fen at 40/35/25 %: floors 1,333,333 (.2), 1,166,666 (.55), 833,333 (.25);
    # the one fen left goes to the largest remainder, the second member.
    assert split_by_ratio(3_333_333, [400, 350, 250]) == [1_333_333, 1_166_667, 833_333]
    assert split_by_ratio(8_000_000, [400, 350, 250]) == [3_200_000, 2_800_000, 2_000_000]
    assert split_by_ratio(2, [334, 333, 333]) == [1, 1, 0]  # a tie: the earlier member
    assert split_by_ratio(1, [500, 500]) == [1, 0]
    with pytest.raises(ValueError):
        split_by_ratio(100, [500, 499])


def test_every_split_is_exact_and_within_a_fen_of_the_ratio() -> None:
    rng = random.Random(11)
    for _ in range(500):
        cuts = sorted(rng.sample(range(1, 1000), 3))
        ratios = [b - a for a, b in zip([0, *cuts], [*cuts, 1000], strict=True)]
        total = rng.randrange(1, 10**12)
        parts = split_by_ratio(total, ratios)
        assert sum(parts) == total
        for part, ratio in zip(parts, ratios, strict=True):
            assert abs(part * 1000 - total * ratio) < 1000


def test_months_count_across_year_ends_and_short_months() -> None:
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 2, 15), -3) == date(2025, 11, 15)
    assert months_between(date(2025, 11, 15), date(2026, 2, 14)) == 2
    assert months_between(date(2025, 11, 15), date(2026, 2, 15)) == 3
    assert months_between(date(2025, 11, 15), date(2025, 11, 14)) == -1


def test_the_chair_rotates_in_member_order_across_year_boundaries() -> None:
    start = date(2025, 11, 15)  # three members, three months each
    assert council_turn(start, 3, 3, date(2025, 11, 14)) is None  # before the first turn
    assert council_turn(start, 3, 3, date(2025, 11, 15)) == 0
    assert council_turn(start, 3, 3, date(2026, 1, 1)) == 0  # over new year: still the first
    assert council_turn(start, 3, 3, date(2026, 2, 14)) == 0
    assert council_turn(start, 3, 3, date(2026, 2, 15)) == 1
    assert council_turn(start, 3, 3, date(2026, 5, 15)) == 2
    assert council_turn(start, 3, 3, date(2026, 8, 15)) == 0  # the round starts again
    assert council_turn(start, 12, 2, date(2027, 11, 15)) == 0  # yearly turns, two members
    assert council_turn(start, 12, 2, date(2027, 11, 14)) == 1


def test_the_schedule_starts_at_the_turn_in_progress() -> None:
    turns = council_schedule(date(2025, 11, 15), 3, 3, date(2026, 3, 1), 3)
    assert [(t.member, t.starts, t.ends) for t in turns] == [
        (1, date(2026, 2, 15), date(2026, 5, 14)),
        (2, date(2026, 5, 15), date(2026, 8, 14)),
        (0, date(2026, 8, 15), date(2026, 11, 14)),
    ]
    before = council_schedule(date(2026, 12, 1), 6, 2, date(2026, 1, 1), 1)
    assert [(t.member, t.starts, t.ends) for t in before] == [
        (0, date(2026, 12, 1), date(2027, 5, 31))
    ]


# --- on the store ----------------------------------------------------------------------------


def _community_c(world: World) -> tuple[int, int]:
    """A third community of the street, with its micro-fund."""
    session = world.session
    place = Place(kind=PlaceKind.COMMUNITY, name="Meilong", parent_id=world.street)
    session.add(place)
    session.flush()
    fund = Fund(name="Meilong micro-fund", kind=FundKind.COMMUNITY, place_id=place.id)
    session.add(fund)
    session.commit()
    return place.id, fund.id  # type: ignore[return-value]


def _fill(world: World, fund_id: int, yuan: str) -> None:
    """Seed money, straight into the store (who may record it is not the question here)."""
    entry = LedgerEntry(
        kind=LedgerKind.GRANT,
        amount_fen=int(yuan) * 100,
        destination_fund_id=fund_id,
        counterparty="Street office",
        purpose="seed money",
        occurred_on=WHEN,
    )
    world.session.add(entry)
    record_audit(world.session, world.viewer("admin"), "record_grant", entry)
    world.session.commit()


def _form(world: World, *, chair_turn: int = 0, shares: tuple[int, ...] = (400, 350, 250)) -> int:
    """A, B and C at 40/35/25 %, three-month turns, arranged so that the member at
    ``chair_turn`` chairs today."""
    c, fund_c = _community_c(world)
    places = [(world.community_a, world.fund_a), (world.community_b, world.fund_b), (c, fund_c)]
    return form_alliance(
        world.session,
        world.viewer("admin"),
        name="Xinzhuang east alliance",
        members=[
            MemberShare(place, fund, share)
            for (place, fund), share in zip(places, shares, strict=True)
        ],
        rotation_months=3,
        council_from=add_months(today(), -1 - 3 * chair_turn),
        evaluator="Minhang social work evaluation centre",
    )


def _fund_of(world: World, alliance_id: int) -> int:
    fund = world.session.exec(select(Fund).where(Fund.alliance_id == alliance_id)).one()
    return fund.id  # type: ignore[return-value]


def _c_fund(world: World) -> int:
    return world.session.exec(select(Fund.id).where(Fund.name == "Meilong micro-fund")).one()


def _c(world: World) -> int:
    return world.session.exec(select(Place.id).where(Place.name == "Meilong")).one()


def _call(world: World, alliance_id: int, yuan: str, who: str = "chair_a") -> int:
    return call_contributions(
        world.session,
        world.viewer(who),
        alliance_id=alliance_id,
        amount=yuan,
        purpose="Joint elderly canteen",
        called_on=WHEN,
    )


def _fill_all(world: World, yuan: str = "50000") -> None:
    _fill(world, world.fund_a, yuan)
    _fill(world, world.fund_b, yuan)
    c_fund = _c_fund(world)
    _fill(world, c_fund, yuan)


def test_forming_makes_the_members_in_turn_order_and_a_joint_fund(world: World) -> None:
    alliance_id = _form(world)
    session = world.session
    alliance = session.get(Alliance, alliance_id)
    assert alliance is not None
    assert (alliance.street_id, alliance.council_rotation_months) == (world.street, 3)
    members = session.exec(
        select(AllianceMember)
        .where(AllianceMember.alliance_id == alliance_id)
        .order_by(col(AllianceMember.id))
    ).all()
    start = add_months(today(), -1)
    assert [(m.community_id, m.contribution_permille, m.chairs_council_from) for m in members] == [
        (world.community_a, 400, start),
        (world.community_b, 350, add_months(start, 3)),
        (_c(world), 250, add_months(start, 6)),
    ]
    fund = session.get(Fund, _fund_of(world, alliance_id))
    assert fund is not None
    assert (fund.kind, fund.place_id, fund.name) == (
        FundKind.ALLIANCE,
        world.street,
        "Xinzhuang east alliance",
    )


def test_a_street_chair_may_form_one_but_a_community_chair_cannot_bind_its_neighbour(
    world: World,
) -> None:
    session = world.session
    shares = [
        MemberShare(world.community_a, world.fund_a, 600),
        MemberShare(world.community_b, world.fund_b, 400),
    ]
    before = fingerprint(session)
    with pytest.raises(NotAllowed):
        form_alliance(
            session,
            world.viewer("chair_a"),
            name="A and B",
            members=shares,
            rotation_months=12,
            council_from=WHEN,
            evaluator="",
        )
    assert fingerprint(session) == before
    street_chair = accounts.grant_role(
        session,
        world.viewer("admin"),
        person_id=world.people["outsider"],
        role=Role.COMMITTEE_MEMBER,
        position="chair",
        place_id=world.street,
    )
    assert street_chair
    alliance_id = form_alliance(
        session,
        world.viewer("outsider"),
        name="A and B",
        members=shares,
        rotation_months=12,
        council_from=WHEN,
        evaluator="",
    )
    assert session.get(Alliance, alliance_id) is not None


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        (((0, 600), (1, 399)), "alliance_ratios_sum"),
        (((0, 1000),), "alliance_two_members"),
        (((0, 500), (0, 500)), "alliance_two_members"),
        (((0, 600), (2, 400)), "alliance_one_street"),  # a compound is no member
        (((0, 1000), (1, 0)), "field_out_of_range"),
    ],
)
def test_bad_shapes_of_alliance_are_refused_and_change_nothing(
    world: World, shares: tuple[tuple[int, int], ...], code: str
) -> None:
    places = [
        (world.community_a, world.fund_a),
        (world.community_b, world.fund_b),
        (world.compound_a1, world.fund_a),
    ]
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput) as refusal:
        form_alliance(
            world.session,
            world.viewer("admin"),
            name="Odd",
            members=[MemberShare(*places[index], share) for index, share in shares],
            rotation_months=6,
            council_from=WHEN,
            evaluator="",
        )
    assert refusal.value.code == code
    assert fingerprint(world.session) == before


def test_a_member_pays_from_its_own_fund_only(world: World) -> None:
    with pytest.raises(InvalidInput) as refusal:
        form_alliance(
            world.session,
            world.viewer("admin"),
            name="Crossed",
            members=[
                MemberShare(world.community_a, world.fund_b, 500),
                MemberShare(world.community_b, world.fund_a, 500),
            ],
            rotation_months=6,
            council_from=WHEN,
            evaluator="",
        )
    assert refusal.value.code == "alliance_fund_of_member"


def test_a_call_splits_by_the_ratios_into_one_transfer_per_member(world: World) -> None:
    alliance_id = _form(world)
    _fill_all(world)
    joint = _fund_of(world, alliance_id)
    call_id = _call(world, alliance_id, "33,333.33")
    session = world.session
    entries = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.destination_fund_id == joint)
        .order_by(col(LedgerEntry.id))
    ).all()
    c_fund = _c_fund(world)
    assert [(e.kind, e.source_fund_id, e.amount_fen) for e in entries] == [
        ("transfer", world.fund_a, 1_333_333),
        ("transfer", world.fund_b, 1_166_667),
        ("transfer", c_fund, 833_333),
    ]
    parts = session.exec(select(AllianceCallPart).where(AllianceCallPart.call_id == call_id)).all()
    assert {p.entry_id for p in parts} == {e.id for e in entries}
    assert fund_balance(session, joint).cash_fen == 3_333_333
    assert fund_balance(session, world.fund_a).cash_fen == 5_000_000 - 1_333_333
    assert check_books(session).ok


def test_the_page_shows_each_members_contributions_so_far(world: World) -> None:
    alliance_id = _form(world)
    _fill_all(world)
    _call(world, alliance_id, "30000")
    _call(world, alliance_id, "13333.33")
    (view,) = alliances_page(world.session, world.viewer("resident_b1"))
    assert view.id == alliance_id
    assert [(m.name, m.permille, m.contributed_fen) for m in view.members] == [
        ("Kangcheng", 400, 1_200_000 + 533_333),
        ("Xinhua", 350, 1_050_000 + 466_667),
        ("Meilong", 250, 750_000 + 333_333),
    ]
    assert view.contributed_fen == view.joint_fund_fen == 4_333_333
    assert [(c.amount_fen, c.chair) for c in view.calls] == [
        (3_000_000, "Kangcheng"),
        (1_333_333, "Kangcheng"),
    ]
    assert view.chair == "Kangcheng"
    assert [m.chairs_now for m in view.members] == [True, False, False]
    assert [t.community for t in view.schedule] == ["Kangcheng", "Xinhua", "Meilong"]
    assert view.may_call is False  # a resident
    assert alliances_page(world.session, world.viewer("chair_a"))[0].may_call is True


def test_a_member_short_of_money_stops_the_whole_call(world: World) -> None:
    alliance_id = _form(world)
    _fill(world, world.fund_a, "50000")
    _fill(world, world.fund_b, "1000")  # owes 3,500 of a 10,000 call
    session = world.session
    before = fingerprint(session)
    with pytest.raises(Overspend) as refusal:
        _call(world, alliance_id, "10000")
    assert refusal.value.code == "alliance_share_short"
    assert refusal.value.params["community"] == "Xinhua"
    assert (refusal.value.params["available_fen"], refusal.value.params["amount_fen"]) == (
        100_000,
        350_000,
    )
    assert fingerprint(session) == before


def test_only_the_chair_of_the_community_whose_turn_it_is_calls(world: World) -> None:
    alliance_id = _form(world, chair_turn=1)  # B chairs now
    _fill_all(world)
    session = world.session
    before = fingerprint(session)
    with pytest.raises(NotAllowed):
        _call(world, alliance_id, "100", who="chair_a")
    with pytest.raises(NotAllowed):
        _call(world, alliance_id, "100", who="admin")  # the council calls, not the admin
    assert fingerprint(session) == before
    call_id = _call(world, alliance_id, "100", who="chair_b")
    assert call_id
    (view,) = alliances_page(session, world.viewer("chair_b"))
    assert (view.chair, view.calls[0].chair) == ("Xinhua", "Xinhua")


def test_before_the_first_turn_nobody_calls(world: World) -> None:
    alliance_id = form_alliance(
        world.session,
        world.viewer("admin"),
        name="Later",
        members=[
            MemberShare(world.community_a, world.fund_a, 500),
            MemberShare(world.community_b, world.fund_b, 500),
        ],
        rotation_months=12,
        council_from=add_months(today(), 2),
        evaluator="",
    )
    with pytest.raises(NotAllowed):
        _call(world, alliance_id, "100")
    (view,) = alliances_page(world.session, world.viewer("chair_a"))
    assert (view.chair, view.schedule[0].community) == (None, "Kangcheng")


def test_bad_calls_change_nothing(world: World) -> None:
    alliance_id = _form(world)
    _fill_all(world)
    before = fingerprint(world.session)
    for amount in ("0", "-5", "1e5", "12.345"):
        with pytest.raises(InvalidInput):
            _call(world, alliance_id, amount)
    assert fingerprint(world.session) == before


def _proposal(world: World, place_id: int, status: str = ProposalStatus.SUBMITTED) -> int:
    proposal = Proposal(
        place_id=place_id, title="Shared tool house", category="services", status=status
    )
    world.session.add(proposal)
    world.session.commit()
    return proposal.id  # type: ignore[return-value]


def _evaluator(world: World, alliance_id: int) -> None:
    accounts.grant_role(
        world.session,
        world.viewer("admin"),
        person_id=world.people["reviewer"],
        role=Role.EVALUATOR,
        place_id=None,
        alliance_id=alliance_id,
    )


def test_joint_events_and_proposals_are_recorded_in_member_communities(world: World) -> None:
    alliance_id = _form(world)
    session = world.session
    event_id = record_joint_event(
        session,
        world.viewer("clerk_a"),
        alliance_id=alliance_id,
        title="Joint health fair",
        held_on=WHEN,
        place_id=world.compound_a1,
        participants=260,
    )
    proposal_id = _proposal(world, world.compound_a2)
    add_joint_proposal(
        session, world.viewer("chair_a"), alliance_id=alliance_id, proposal_id=proposal_id
    )
    with pytest.raises(Conflict):
        add_joint_proposal(
            session, world.viewer("chair_a"), alliance_id=alliance_id, proposal_id=proposal_id
        )
    with pytest.raises(NotAllowed):  # B's place, A's clerk
        record_joint_event(
            session,
            world.viewer("clerk_a"),
            alliance_id=alliance_id,
            title="Elsewhere",
            held_on=WHEN,
            place_id=world.community_b,
            participants=10,
        )
    with pytest.raises(InvalidInput) as refusal:
        add_joint_proposal(
            session,
            world.viewer("chair_a"),
            alliance_id=alliance_id,
            proposal_id=_proposal(world, world.compound_a1, ProposalStatus.DRAFT),
        )
    assert refusal.value.code == "alliance_proposal_status"
    (view,) = alliances_page(session, world.viewer("resident_b1"))  # B's residents see A's work
    assert [(e.event_id, e.title, e.place, e.participants) for e in view.events] == [
        (event_id, "Joint health fair", "Kangcheng 1", 260)
    ]
    assert [(p.proposal_id, p.place, p.status) for p in view.proposals] == [
        (proposal_id, "Kangcheng 2", "submitted")
    ]


def test_a_place_outside_the_alliance_is_no_joint_work(world: World) -> None:
    alliance_id = form_alliance(
        world.session,
        world.viewer("admin"),
        name="B and C",
        members=[
            MemberShare(world.community_b, world.fund_b, 500),
            MemberShare(*_community_c(world), 500),
        ],
        rotation_months=12,
        council_from=WHEN,
        evaluator="",
    )
    with pytest.raises(InvalidInput) as refusal:
        record_joint_event(
            world.session,
            world.viewer("clerk_a"),
            alliance_id=alliance_id,
            title="Not ours",
            held_on=WHEN,
            place_id=world.community_a,
            participants=5,
        )
    assert refusal.value.code == "alliance_place_not_member"


def test_the_evaluator_scores_each_joint_work_once(world: World) -> None:
    alliance_id = _form(world)
    _evaluator(world, alliance_id)
    session = world.session
    event_id = record_joint_event(
        session,
        world.viewer("clerk_a"),
        alliance_id=alliance_id,
        title="Joint health fair",
        held_on=WHEN,
        place_id=world.community_a,
        participants=260,
    )
    proposal_id = _proposal(world, world.community_b)
    add_joint_proposal(
        session, world.viewer("chair_b"), alliance_id=alliance_id, proposal_id=proposal_id
    )
    assert [w.evaluable for w in alliances_page(session, world.viewer("reviewer"))[0].events] == [
        True
    ]
    score_joint_work(
        session,
        world.viewer("reviewer"),
        alliance_id=alliance_id,
        event_id=event_id,
        satisfaction=4,
        resource_use=3,
        comment="Well attended; volunteers from all three communities.",
    )
    score_joint_work(  # B's proposal: the alliance grant reaches every member
        session,
        world.viewer("reviewer"),
        alliance_id=alliance_id,
        proposal_id=proposal_id,
        satisfaction=5,
        resource_use=4,
        comment="",
    )
    before = fingerprint(session)
    with pytest.raises(Conflict):
        score_joint_work(
            session,
            world.viewer("reviewer"),
            alliance_id=alliance_id,
            event_id=event_id,
            satisfaction=5,
            resource_use=5,
            comment="again",
        )
    for satisfaction, target in ((6, {"event_id": event_id}), (3, {}), (0, {"event_id": event_id})):
        with pytest.raises(InvalidInput):
            score_joint_work(
                session,
                world.viewer("reviewer"),
                alliance_id=alliance_id,
                satisfaction=satisfaction,
                resource_use=3,
                comment="",
                **target,
            )
    with pytest.raises(NotAllowed):  # a committee is not the third party
        score_joint_work(
            session,
            world.viewer("chair_a"),
            alliance_id=alliance_id,
            proposal_id=proposal_id,
            satisfaction=5,
            resource_use=5,
            comment="",
        )
    assert fingerprint(session) == before
    view = alliances_page(session, world.viewer("reviewer"))[0]
    assert [(s.target, s.satisfaction, s.resource_use, s.evaluator) for s in view.scores] == [
        ("Joint health fair", 4, 3, "reviewer"),
        ("Shared tool house", 5, 4, "reviewer"),
    ]
    assert [w.evaluable for w in view.events + view.proposals] == [False, False]
    assert len(session.exec(select(AllianceScore)).all()) == 2


def test_an_evaluator_of_another_alliance_reaches_nothing_here(world: World) -> None:
    ours = _form(world)
    theirs = form_alliance(
        world.session,
        world.viewer("admin"),
        name="Elsewhere",
        members=[
            MemberShare(world.community_b, world.fund_b, 500),
            MemberShare(
                _c(world),
                _c_fund(world),
                500,
            ),
        ],
        rotation_months=12,
        council_from=WHEN,
        evaluator="",
    )
    _evaluator(world, theirs)
    event_id = record_joint_event(
        world.session,
        world.viewer("clerk_a"),
        alliance_id=ours,
        title="A's fair",
        held_on=WHEN,
        place_id=world.community_a,
        participants=40,
    )
    with pytest.raises(NotAllowed):
        score_joint_work(
            world.session,
            world.viewer("reviewer"),
            alliance_id=ours,
            event_id=event_id,
            satisfaction=3,
            resource_use=3,
            comment="",
        )
    grants = world.session.exec(
        select(RoleGrant).where(RoleGrant.person_id == world.people["reviewer"])
    ).all()
    assert {g.role for g in grants} == {"reviewer", "evaluator"}


def test_the_council_chair_funds_a_joint_project_from_the_joint_fund(world: World) -> None:
    alliance_id = _form(world)
    _fill_all(world)
    _call(world, alliance_id, "10000")
    session = world.session
    selected = _proposal(world, world.compound_b1, ProposalStatus.SELECTED)
    submitted = _proposal(world, world.compound_a1)
    for proposal_id in (selected, submitted):
        add_joint_proposal(
            session,
            world.viewer("chair_b" if proposal_id == selected else "chair_a"),
            alliance_id=alliance_id,
            proposal_id=proposal_id,
        )
    before = fingerprint(session)
    with pytest.raises(NotAllowed):  # B's chair, but A chairs the council
        fund_joint_proposal(
            session,
            world.viewer("chair_b"),
            alliance_id=alliance_id,
            proposal_id=selected,
            amount="100",
            occurred_on=WHEN,
        )
    with pytest.raises(InvalidInput) as refusal:
        fund_joint_proposal(
            session,
            world.viewer("chair_a"),
            alliance_id=alliance_id,
            proposal_id=submitted,
            amount="100",
            occurred_on=WHEN,
        )
    assert refusal.value.code == "proposal_not_fundable"
    with pytest.raises(Overspend):
        fund_joint_proposal(
            session,
            world.viewer("chair_a"),
            alliance_id=alliance_id,
            proposal_id=selected,
            amount="10000.01",
            occurred_on=WHEN,
        )
    assert fingerprint(session) == before
    entry_id = fund_joint_proposal(
        session,
        world.viewer("chair_a"),
        alliance_id=alliance_id,
        proposal_id=selected,
        amount="6,000",
        occurred_on=WHEN,
    )
    entry = session.get(LedgerEntry, entry_id)
    assert entry is not None
    joint = _fund_of(world, alliance_id)
    assert (entry.kind, entry.source_fund_id, entry.amount_fen) == ("allocation", joint, 600_000)
    assert fund_balance(session, joint).available_fen == 400_000
    (view,) = alliances_page(session, world.viewer("resident_a1"))
    assert [p.allocated_fen for p in view.proposals] == [600_000, 0]
    assert view.joint_fund_fen == 1_000_000  # an earmark moves no cash


def test_calls_at_once_never_overdraw_a_member(world: World, engine: Engine) -> None:
    """Eight calls of 10,000 yuan at the same moment: B holds 10,000, so only two of its 3,500
    shares fit; the others are refused whole, and every fund's books hold."""
    alliance_id = _form(world)
    _fill(world, world.fund_a, "100000")
    _fill(world, world.fund_b, "10000")
    _fill(world, _c_fund(world), "100000")
    chair = world.people["chair_a"]

    def call(session: Session) -> int:
        return call_contributions(
            session,
            viewer_for_person(session, chair),
            alliance_id=alliance_id,
            amount="10000",
            purpose="Joint canteen",
            called_on=WHEN,
        )

    results = race(world, engine, [call] * 8)
    assert outcomes(results) == {"ok": 2, "alliance_share_short": 6}
    world.session.rollback()
    assert fund_balance(world.session, world.fund_b).cash_fen == 10_000_00 - 2 * 3_500_00
    assert fund_balance(world.session, _fund_of(world, alliance_id)).cash_fen == 2 * 10_000_00
    assert check_books(world.session).ok


# --- what the screens offer ------------------------------------------------------------------


def test_the_forming_screen_offers_only_communities_the_viewer_reaches(world: World) -> None:
    """Admins and the street's chair are offered the street's communities with their own funds
    (never a joint fund); a community's chair, who cannot bind a neighbour, is offered none."""
    session = world.session
    (street,) = alliance_choices(session, world.viewer("admin"))
    assert (street.id, street.name) == (world.street, "Xinzhuang")
    assert [(c.id, [(f.id, f.name) for f in c.funds]) for c in street.communities] == [
        (world.community_a, [(world.fund_a, "Kangcheng micro-fund")]),
        (world.community_b, [(world.fund_b, "Xinhua micro-fund")]),
    ]
    assert alliance_choices(session, world.viewer("chair_a")) == []
    assert alliance_choices(session, world.viewer("resident_a1")) == []
    accounts.grant_role(
        session,
        world.viewer("admin"),
        person_id=world.people["outsider"],
        role=Role.COMMITTEE_MEMBER,
        position="chair",
        place_id=world.street,
    )
    assert alliance_choices(session, world.viewer("outsider")) == [street]
    _form(world)  # adds Meilong and the alliance's joint fund, which pays no member's share
    (street,) = alliance_choices(session, world.viewer("admin"))
    assert [c.name for c in street.communities] == ["Kangcheng", "Meilong", "Xinhua"]
    assert all(f.name != "Xinzhuang east alliance" for c in street.communities for f in c.funds)


def test_the_proposals_to_take_up_are_the_members_own_not_yet_joint(world: World) -> None:
    alliance_id = _form(world)
    session = world.session
    in_a = _proposal(world, world.compound_a2)
    _proposal(world, world.compound_a1, ProposalStatus.DRAFT)
    in_b = _proposal(world, world.compound_b1)
    (view,) = alliances_page(session, world.viewer("chair_a"))
    assert [(c.id, c.name) for c in view.joinable] == [(in_a, "Shared tool house")]
    (view,) = alliances_page(session, world.viewer("chair_b"))
    assert [c.id for c in view.joinable] == [in_b]
    (view,) = alliances_page(session, world.viewer("resident_a1"))
    assert view.joinable == []
    add_joint_proposal(session, world.viewer("chair_a"), alliance_id=alliance_id, proposal_id=in_a)
    (view,) = alliances_page(session, world.viewer("chair_a"))
    assert view.joinable == []


def test_alliances_are_named_for_the_grant_form(world: World) -> None:
    assert alliance_names(world.session) == []
    alliance_id = _form(world)
    assert [(a.id, a.name) for a in alliance_names(world.session)] == [
        (alliance_id, "Xinzhuang east alliance")
    ]
    _evaluator(world, alliance_id)
    (reviewer,) = accounts.list_people(world.session, world.viewer("admin"), search="reviewer")
    assert reviewer.roles == ("reviewer:Xinzhuang", "evaluator:Xinzhuang east alliance")
