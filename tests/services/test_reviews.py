from collections.abc import Callable
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, func, select

from models import AuditEntry, Review, ReviewSession, RubricScore
from models.vocabulary import ProposalStatus
from services import ledger, reviews
from services.accounts import viewer_for_person
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, WrongPhase
from services.proposals import (
    LineItemInput,
    PledgeInput,
    ProposalDraft,
    change_proposal_status,
    submit_proposal,
)
from tests.services.test_concurrency import outcomes, race
from tests.world import World, pay_project, through_the_vote

HELD = date(2026, 12, 20)
GOOD = {"goal_met": 5, "participation": 4, "maintenance": 3, "books_complete": 5, "satisfaction": 4}
S = ProposalStatus


def count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def project(
    world: World,
    *,
    status: ProposalStatus = S.SELECTED,
    cost: str = "20000",
    co_funding: str = "",
    title: str = "楼道灯",
    community: str = "a",
) -> int:
    """A proposal taken to ``status`` as the workflow allows (through a published vote, then
    by its committee); cost in one budget line."""
    place, chair = {
        "a": (world.compound_a1, "chair_a"),
        "b": (world.compound_b1, "chair_b"),
    }[community]
    draft = ProposalDraft(
        place_id=place,
        title=title,
        summary="更换楼道灯",
        category="safety",
        line_items=[LineItemInput("灯具", "public_facilities", 1, cost)],
        co_funding=[PledgeInput("property_manager", "物业公司", co_funding)] if co_funding else [],
        maintenance_plan="物业每季度检查一次",
        maintainer="物业",
        maintenance_years=3,
    )
    if status == S.SUBMITTED:  # no round: its community micro-fund's charter asks 10% co-funding
        pledge = PledgeInput("property_manager", "物业公司", str(int(cost) // 10))
        merely_sent = replace(draft, co_funding=draft.co_funding or [pledge])
        resident = world.viewer(f"resident_{community}1")
        return submit_proposal(world.session, resident, draft=merely_sent)
    proposal_id = through_the_vote(world, draft, selected=status != S.NOT_SELECTED, side=community)
    later = {
        S.IN_PROGRESS: [S.IN_PROGRESS],
        S.COMPLETED: [S.IN_PROGRESS, S.COMPLETED],
        S.ABANDONED: [S.ABANDONED],
    }.get(status, [])
    for step in later:
        change_proposal_status(
            world.session, world.viewer(chair), proposal_id=proposal_id, to_status=step
        )
    return proposal_id


def open_session(world: World, who: str = "reviewer", **extra) -> int:
    """Opened by ``who``, with the reviewers named (by default the reviewer, as an
    administrator must name them)."""
    return reviews.open_review_session(
        world.session,
        world.viewer(who),
        street_id=extra.pop("street_id", world.street),
        year=extra.pop("year", 2026),
        title=extra.pop("title", "2026年度莘庄街道自治金项目评审会"),
        held_on=extra.pop("held_on", HELD),
        reviewer_ids=[world.people[name] for name in extra.pop("reviewers", ["reviewer"])],
    )


def score(world: World, session_id: int, proposal_id: int, who: str = "reviewer", **extra) -> int:
    return reviews.score_project(
        world.session,
        world.viewer(who),
        session_id=session_id,
        proposal_id=proposal_id,
        scores=extra.pop("scores", GOOD),
        recommendation=extra.pop("recommendation", "continue"),
        **extra,
    )


def second_reviewer(world: World) -> str:
    """Another street reviewer, granted like the first."""
    from models import Person, RoleGrant

    person = Person(display_name="reviewer2")
    world.session.add(person)
    world.session.flush()
    world.session.add(RoleGrant(person_id=person.id, role="reviewer", place_id=world.street))
    world.session.commit()
    world.people["reviewer2"] = person.id  # type: ignore[assignment]
    return "reviewer2"


# --- sessions --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_reviewers_and_admins_open_and_close_a_session(world: World, who: str) -> None:
    session_id = open_session(world, who)
    row = world.session.get(ReviewSession, session_id)
    assert row is not None
    assert (row.status, row.year, row.held_on) == ("open", 2026, HELD)
    reviews.close_review_session(world.session, world.viewer(who), session_id=session_id)
    assert world.session.get(ReviewSession, session_id).status == "closed"
    actions = world.session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["open_review_session", "close_review_session"]


@pytest.mark.parametrize("who", ["chair_a", "clerk_a", "resident_a1", "outsider"])
def test_others_cannot_open_or_close_a_session(world: World, who: str) -> None:
    with pytest.raises(NotAllowed):
        open_session(world, who)
    assert count(world.session, ReviewSession) == 0
    session_id = open_session(world)
    with pytest.raises(NotAllowed):
        reviews.close_review_session(world.session, world.viewer(who), session_id=session_id)
    assert world.session.get(ReviewSession, session_id).status == "open"


def test_a_reviewer_of_another_street_cannot_open_a_session_here(world: World) -> None:
    from models import Person, Place, RoleGrant

    other_street = Place(kind="street", name="Meilong", parent_id=world.district)
    person = Person(display_name="meilong reviewer")
    world.session.add_all([other_street, person])
    world.session.flush()
    world.session.add(RoleGrant(person_id=person.id, role="reviewer", place_id=other_street.id))
    world.session.commit()
    world.people["meilong"] = person.id  # type: ignore[assignment]
    with pytest.raises(NotAllowed):
        open_session(world, "meilong")
    assert count(world.session, ReviewSession) == 0


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"year": 1999}, "field_invalid"),
        ({"year": 2201}, "field_invalid"),
        ({"title": " "}, "field_required"),
        ({"held_on": "2026-12-20"}, "field_invalid"),
    ],
)
def test_bad_session_input_is_refused(world: World, extra: dict, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        open_session(world, **extra)
    assert raised.value.code == code
    assert count(world.session, ReviewSession) == 0


def test_a_session_is_held_for_a_street_one_open_at_a_time(world: World) -> None:
    with pytest.raises(InvalidInput) as raised:
        open_session(world, "admin", street_id=world.community_a)
    assert raised.value.code == "review_needs_street"
    first = open_session(world)
    with pytest.raises(Conflict):
        open_session(world, title="第二场")
    reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=first)
    with pytest.raises(WrongPhase):
        reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=first)
    open_session(world, year=2027, title="下一年")
    assert count(world.session, ReviewSession) == 2


# --- scoring ---------------------------------------------------------------------------------


def test_a_reviewer_scores_every_criterion(world: World) -> None:
    lamp = project(world)
    session_id = open_session(world)
    review_id = score(world, session_id, lamp, goal_drift=True, comment="  灯具已安装 ")
    review = world.session.get(Review, review_id)
    assert review is not None
    assert (review.recommendation, review.goal_drift, review.comment) == (
        "continue",
        True,
        "灯具已安装",
    )
    stored = dict(
        world.session.exec(
            select(RubricScore.criterion, RubricScore.score).where(
                RubricScore.review_id == review_id
            )
        ).all()
    )
    assert stored == GOOD
    audit = world.session.exec(select(AuditEntry).where(AuditEntry.entity == "review")).one()
    assert (audit.action, audit.before, audit.after["scores"]) == ("score_project", None, GOOD)


def test_a_reviewer_revises_their_own_review_and_the_audit_keeps_both(world: World) -> None:
    lamp = project(world)
    session_id = open_session(world)
    first = score(world, session_id, lamp)
    revised = {**GOOD, "maintenance": 1}
    again = score(
        world, session_id, lamp, scores=revised, recommendation="stop", comment="无人维护"
    )
    assert first == again
    assert count(world.session, Review) == 1
    assert count(world.session, RubricScore) == len(GOOD)
    audit = world.session.exec(select(AuditEntry).where(AuditEntry.action == "revise_review")).one()
    assert audit.before["scores"]["maintenance"] == 3
    assert audit.after["scores"]["maintenance"] == 1
    assert (audit.before["recommendation"], audit.after["recommendation"]) == ("continue", "stop")
    own = reviews.review_board(world.session, world.viewer("reviewer"), session_id).projects[0]
    assert own.own_review is not None
    assert own.own_review.scores == revised


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        ({**GOOD, "goal_met": 6}, "score_out_of_range"),
        ({**GOOD, "goal_met": -1}, "score_out_of_range"),
        ({**GOOD, "goal_met": 4.5}, "score_out_of_range"),
        ({**GOOD, "goal_met": True}, "score_out_of_range"),
        ({k: v for k, v in GOOD.items() if k != "satisfaction"}, "score_missing"),
        ({**GOOD, "beauty": 3}, "field_invalid"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_stored(
    world: World, scores: dict, code: str
) -> None:
    lamp = project(world)
    session_id = open_session(world)
    with pytest.raises(InvalidInput) as raised:
        score(world, session_id, lamp, scores=scores)
    assert raised.value.code == code
    assert count(world.session, Review) == count(world.session, RubricScore) == 0


def test_recommendation_and_comment_are_checked(world: World) -> None:
    lamp = project(world)
    session_id = open_session(world)
    with pytest.raises(InvalidInput):
        score(world, session_id, lamp, recommendation="maybe")
    with pytest.raises(InvalidInput):
        score(world, session_id, lamp, comment="x" * 2001)
    assert count(world.session, Review) == 0


@pytest.mark.parametrize("who", ["admin", "chair_a", "clerk_a", "resident_a1", "outsider"])
def test_only_reviewers_score(world: World, who: str) -> None:
    lamp = project(world)
    session_id = open_session(world)
    with pytest.raises(NotAllowed):
        score(world, session_id, lamp, who=who)
    assert count(world.session, Review) == 0


def test_only_funded_projects_of_the_street_are_scored_and_only_while_open(world: World) -> None:
    session_id = open_session(world)
    for status in (S.SUBMITTED, S.NOT_SELECTED):
        with pytest.raises(InvalidInput) as raised:
            score(world, session_id, project(world, status=status))
        assert raised.value.code == "proposal_not_reviewable"
    lamp = project(world)
    reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=session_id)
    with pytest.raises(WrongPhase):
        score(world, session_id, lamp)
    assert count(world.session, Review) == 0
    with pytest.raises(NotFound):
        score(world, 9999, lamp)


# --- the board -------------------------------------------------------------------------------


def test_scores_are_for_reviewers_while_open_and_for_everyone_once_closed(world: World) -> None:
    lamp = project(world)
    other = second_reviewer(world)
    session_id = open_session(world, reviewers=["reviewer", other])
    score(world, session_id, lamp, recommendation="continue", comment="效果好")
    score(
        world,
        session_id,
        lamp,
        who=other,
        scores={**GOOD, "goal_met": 2, "maintenance": 4},
        recommendation="continue_with_changes",
        goal_drift=True,
        comment="目标只达成一半",
    )
    for who in ("resident_a1", "chair_a", "admin", "outsider"):
        board = reviews.review_board(world.session, world.viewer(who), session_id)
        assert board.projects[0].scores is None
        assert not board.scores_visible and board.summary == []
        assert not board.may_score
    seen = reviews.review_board(world.session, world.viewer("reviewer"), session_id)
    assert seen.may_score and seen.may_close
    reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=session_id)
    for who in ("resident_a1", "outsider", "reviewer"):
        board = reviews.review_board(world.session, world.viewer(who), session_id)
        scores = board.projects[0].scores
        assert scores is not None
        assert scores.reviews == 2
        assert scores.averages["goal_met"] == Fraction(7, 2)
        assert scores.averages["maintenance"] == Fraction(7, 2)
        assert scores.averages["participation"] == 4
        assert scores.recommendations == {"continue": 1, "continue_with_changes": 1}
        assert scores.goal_drift_flags == 1
        assert scores.comments == ["效果好", "目标只达成一半"]
        assert scores.overall == Fraction(7 + 7 + 8 + 10 + 8, 2 * 5)
        assert not board.may_score and not board.may_close
        assert ("楼道灯", "goal_met", Fraction(7, 2)) in board.summary


def fund_money(world: World, amount: str, **gift) -> int:
    """Money into fund A: a grant, or a gift (designated when it names a proposal)."""
    return ledger.record_donation(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        amount=amount,
        donor=gift.pop("donor", "街道办"),
        purpose="配套",
        occurred_on=HELD,
        kind=gift.pop("kind", "grant"),
        **gift,
    )


def allocate(world: World, proposal_id: int, amount: str) -> None:
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount=amount,
        occurred_on=HELD,
    )


def test_board_shows_exact_money_and_leverage(world: World) -> None:
    # 2万 of seed money drew 12万 from the property manager, received: leverage 6.0.
    shed = project(world, cost="140000", co_funding="120000", status=S.IN_PROGRESS)
    fund_money(world, "20000")
    allocate(world, shed, "20000")
    fund_money(
        world,
        "120000",
        kind="donation",
        donor="物业公司",
        donor_kind="company",
        proposal_id=shed,
    )
    session_id = open_session(world)
    board = reviews.review_board(world.session, world.viewer("resident_a1"), session_id)
    (row,) = board.projects
    assert (row.cost_fen, row.co_funding_fen, row.seed_fen) == (14_000_000, 12_000_000, 2_000_000)
    assert (row.received_fen, row.confirmed_pledged_fen) == (12_000_000, 0)
    assert row.leverage == 6
    assert reviews.one_decimal(row.leverage) == "6.0"
    assert (row.maintainer, row.maintenance_years) == ("物业", 3)
    assert (row.allocated_fen, row.spent_fen) == (2_000_000, 0)


def test_pledges_do_not_count_as_leverage_until_the_money_comes_in(world: World) -> None:
    shed = project(world, cost="140000", co_funding="120000", status=S.IN_PROGRESS)
    fund_money(world, "20000")
    allocate(world, shed, "20000")
    session_id = open_session(world)
    (row,) = reviews.review_board(world.session, world.viewer("reviewer"), session_id).projects
    assert (row.co_funding_fen, row.received_fen) == (12_000_000, 0)
    assert row.leverage == 0
    gift = fund_money(world, "30000", kind="donation", donor="物业公司", proposal_id=shed)
    (row,) = reviews.review_board(world.session, world.viewer("reviewer"), session_id).projects
    assert row.leverage == Fraction(3, 2)
    ledger.reverse_entry(
        world.session, world.viewer("treasurer_a"), entry_id=gift, reason="退回", occurred_on=HELD
    )
    (row,) = reviews.review_board(world.session, world.viewer("reviewer"), session_id).projects
    assert (row.received_fen, row.leverage) == (0, 0)


def test_board_allocated_and_spent_come_from_the_ledger(world: World) -> None:
    lamp = project(world, cost="3000", co_funding="1000", status=S.IN_PROGRESS)
    treasurer = world.viewer("treasurer_a")
    ledger.record_donation(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        amount="5000",
        donor="居民",
        purpose="捐赠",
        occurred_on=HELD,
    )
    ledger.allocate_to_proposal(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        proposal_id=lamp,
        amount="2000",
        occurred_on=HELD,
    )
    pay_project(
        world,
        lamp,
        "1234.56",
        payee="灯具店",
        purpose="感应灯",
        invoice="No.0012",
        occurred_on=HELD,
    )
    session_id = open_session(world)
    (row,) = reviews.review_board(world.session, world.viewer("outsider"), session_id).projects
    assert (row.allocated_fen, row.spent_fen) == (200_000, 123_456)
    assert row.spent_share == Fraction(123_456, 200_000)
    # A general gift is the fund's, not the project's: 1000 pledged, nothing received.
    assert (row.co_funding_fen, row.received_fen, row.leverage) == (100_000, 0, 0)
    assert reviews.one_decimal(row.leverage) == "0.0"


def test_street_indicators_are_exact(world: World) -> None:
    session_id = open_session(world)
    a = project(world, status=S.IN_PROGRESS, cost="10000", co_funding="5000", title="A")
    b = project(world, status=S.IN_PROGRESS, cost="30000", co_funding="10000", title="B")
    project(world, status=S.ABANDONED, cost="6000", title="C", community="b")
    project(world, status=S.SELECTED, cost="9000", co_funding="1000", title="D", community="b")
    project(world, status=S.NOT_SELECTED, cost="99000", co_funding="9000", title="E")
    project(world, status=S.SUBMITTED, cost="99000", title="F", community="b")  # no charter
    board = reviews.review_board(world.session, world.viewer("resident_b1"), session_id)
    assert [p.title for p in board.projects] == ["A", "B", "C", "D"]
    indicators = board.indicators
    assert (indicators.projects, indicators.completed, indicators.abandoned) == (4, 0, 1)
    assert indicators.implementation_rate == 0
    # pledged 5000 + 10000 + 0 + 1000; nothing allocated yet, so no seed money and no ratio
    assert (indicators.co_funding_fen, indicators.seed_fen) == (1_600_000, 0)
    assert indicators.leverage is None
    fund_money(world, "25000")
    allocate(world, a, "5000")
    allocate(world, b, "20000")
    fund_money(world, "2500", kind="donation", donor="居民", proposal_id=a)
    fund_money(world, "1000", kind="donation", donor="居民", proposal_id=b)
    fund_money(world, "9000", kind="donation", donor="居民")  # general: not the projects'
    # A is finished with nothing spent: its 5000 go back to the fund, and still count as the
    # seed money it was given (a release frees the earmark; the allocation stays as it was).
    change_proposal_status(
        world.session, world.viewer("chair_a"), proposal_id=a, to_status=S.COMPLETED
    )
    indicators = reviews.review_board(
        world.session, world.viewer("resident_b1"), session_id
    ).indicators
    assert (indicators.completed, indicators.implementation_rate) == (1, Fraction(1, 4))
    # received 2500 + 1000 over seed 5000 + 20000
    assert (indicators.received_fen, indicators.seed_fen) == (350_000, 2_500_000)
    assert indicators.leverage == Fraction(7, 50)
    assert reviews.one_decimal(indicators.leverage) == "0.1"
    assert reviews.one_decimal(indicators.implementation_rate * 100) == "25.0"


def test_board_without_projects_has_no_rates(world: World) -> None:
    session_id = open_session(world)
    board = reviews.review_board(world.session, world.viewer("reviewer"), session_id)
    assert board.projects == []
    assert board.indicators.implementation_rate is None
    assert board.indicators.leverage is None
    assert reviews.one_decimal(None) == "–"


def test_a_fully_co_funded_project_has_no_leverage_ratio(world: World) -> None:
    project(world, cost="1000", co_funding="1000")
    session_id = open_session(world)
    (row,) = reviews.review_board(world.session, world.viewer("reviewer"), session_id).projects
    assert row.seed_fen == 0
    assert row.leverage is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(0), "0.0"),
        (Fraction(6), "6.0"),
        (Fraction(1, 20), "0.1"),  # half up
        (Fraction(1, 21), "0.0"),
        (Fraction(13, 4), "3.3"),
        (Fraction(2, 3), "0.7"),
        (Fraction(-13, 4), "-3.3"),
        (Fraction(299, 3), "99.7"),
    ],
)
def test_one_decimal_is_exact(value: Fraction, shown: str) -> None:
    assert reviews.one_decimal(value) == shown


def test_sessions_are_listed_newest_first(world: World) -> None:
    first = open_session(world, year=2025, held_on=date(2025, 12, 18))
    reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=first)
    second = open_session(world)
    rows = reviews.list_review_sessions(world.session, world.viewer("outsider"))
    assert [(r.id, r.is_open, r.street) for r in rows] == [
        (second, True, "Xinzhuang"),
        (first, False, "Xinzhuang"),
    ]


# --- the demo --------------------------------------------------------------------------------


def test_demo_deliberation_builds_minuted_meetings_and_a_closed_review(world: World) -> None:
    from demo.deliberation import add_demo_meetings_and_reviews
    from models import Attendance, Decision, Meeting, MeetingNote, Person, RoleGrant
    from services import meetings

    members = [world.people[n] for n in ("chair_a", "secretary_a", "treasurer_a", "member_a")]
    for index in range(4):
        person = Person(display_name=f"委员{index}", home_place_id=world.compound_a2)
        world.session.add(person)
        world.session.flush()
        world.session.add(
            RoleGrant(person_id=person.id, role="committee_member", place_id=world.community_a)
        )
        members.append(person.id)  # type: ignore[arg-type]
    world.session.commit()
    lamp = project(world, status=S.IN_PROGRESS, title="楼道感应灯改造", cost="20000")
    garden = project(world, status=S.COMPLETED, title="口袋花园", cost="8000", co_funding="2000")
    benches = project(world, status=S.SELECTED, title="休闲座椅")
    other = second_reviewer(world)
    add_demo_meetings_and_reviews(
        world.session,
        chair=world.viewer("chair_a"),
        secretary=world.viewer("secretary_a"),
        reviewers=(world.viewer("reviewer"), world.viewer(other)),
        member_ids=members,
        community_id=world.community_a,
        street_id=world.street,
        proposal_ids=[lamp, garden, benches],
        review_years=(2026, 2027),  # the world's round is 2026's
    )
    rows = meetings.list_meetings(world.session, world.viewer("resident_a1"))
    assert [(m.status, m.minutes_status) for m in rows] == [
        ("planned", "draft"),
        ("closed", "published"),
    ]
    held = meetings.meeting_minutes(world.session, world.viewer("outsider"), rows[1].id)
    assert held.content_visible
    assert 7 <= held.present_count <= len(held.attendance) <= 9
    assert any("灯具型号" in note.body for note in held.notes)
    assert {d.proposal_id for d in held.decisions} == {lamp, garden, benches}
    assert all(d.votes_for + d.votes_against + d.abstentions <= 9 for d in held.decisions)
    assert count(world.session, Meeting) == 2
    assert count(world.session, MeetingNote) > 6
    assert count(world.session, Attendance) == 8 and count(world.session, Decision) == 3
    this_year, last_year = reviews.list_review_sessions(world.session, world.viewer("outsider"))
    assert this_year.is_open and not last_year.is_open
    board = reviews.review_board(world.session, world.viewer("outsider"), last_year.id)
    assert [p.scores.reviews for p in board.projects if p.scores] == [2, 2, 2]
    assert board.indicators.implementation_rate == Fraction(1, 3)
    # The demo's table: sheets 1, 2, 3 go to the projects in the order given.
    by_id = {p.proposal_id: p.aggregate for p in board.projects}
    first, third = by_id[lamp], by_id[benches]
    assert first is not None and third is not None
    assert (first.overall.mean, first.overall.deviation, first.outliers) == (
        Fraction(43, 10),
        "0.3",
        0,
    )
    assert (third.overall.mean, third.overall.low, third.overall.high) == (
        Fraction(14, 5),
        2,
        Fraction(18, 5),
    )
    assert (third.overall.deviation, third.outliers) == ("0.8", 2)
    live = reviews.review_board(world.session, world.viewer(other), this_year.id)
    assert live.current_proposal_id == live.projects[0].proposal_id
    assert live.reviewers == ["reviewer", "reviewer2"]
    assert [p.scored_by for p in live.projects] == [0, 0, 0]
    assert live.current is not None and live.current.may_score and not live.may_steer


# --- session mode: the roster, the chair, the wall's aggregate -------------------------------

LOW = {"goal_met": 3, "participation": 2, "maintenance": 3, "books_complete": 3, "satisfaction": 3}
THREES = dict.fromkeys(GOOD, 3)


def reviews_count(world: World) -> tuple[int, int]:
    return count(world.session, Review), count(world.session, RubricScore)


def test_only_the_reviewers_on_the_roster_score(world: World) -> None:
    lamp = project(world)
    other = second_reviewer(world)
    session_id = open_session(world)  # the reviewer alone
    with pytest.raises(NotAllowed) as raised:
        score(world, session_id, lamp, who=other)
    assert raised.value.code == "review_not_assigned"
    assert reviews_count(world) == (0, 0)
    board = reviews.review_board(world.session, world.viewer(other), session_id)
    assert not board.may_score and board.reviewers == ["reviewer"]
    reviews.assign_reviewers(
        world.session,
        world.viewer("reviewer"),
        session_id=session_id,
        reviewer_ids=[world.people["reviewer"], world.people[other]],
    )
    score(world, session_id, lamp, who=other)
    board = reviews.review_board(world.session, world.viewer(other), session_id)
    assert board.may_score and board.reviewers == ["reviewer", "reviewer2"]
    audit = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "assign_reviewers")
    ).one()
    assert audit.before == {"reviewers": [world.people["reviewer"]]}
    assert audit.after == {"reviewers": [world.people["reviewer"], world.people[other]]}


def test_an_administrator_names_the_reviewers_and_chairs_without_scoring(world: World) -> None:
    lamp = project(world)
    with pytest.raises(InvalidInput) as raised:
        reviews.open_review_session(
            world.session,
            world.viewer("admin"),
            street_id=world.street,
            year=2026,
            title="评审会",
            held_on=HELD,
        )
    assert raised.value.code == "review_needs_reviewers"
    session_id = open_session(world, "admin")
    row = world.session.get(ReviewSession, session_id)
    assert row is not None and row.chair_id == world.people["admin"]
    board = reviews.review_board(world.session, world.viewer("admin"), session_id)
    assert (board.chair, board.may_steer, board.may_score) == ("admin", True, False)
    reviewer_board = reviews.review_board(world.session, world.viewer("reviewer"), session_id)
    assert reviewer_board.may_score and not reviewer_board.may_steer
    assert not reviewer_board.may_close
    score(world, session_id, lamp)


@pytest.mark.parametrize(
    ("names", "code"),
    [
        ([], "review_needs_reviewers"),
        (["resident_a1"], "review_not_a_reviewer"),
        (["reviewer", "chair_a"], "review_not_a_reviewer"),
        (["admin"], "review_not_a_reviewer"),  # administrators convene; they do not score
    ],
)
def test_the_roster_holds_street_reviewers_only(world: World, names: list, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        open_session(world, "admin", reviewers=names)
    assert raised.value.code == code
    assert count(world.session, ReviewSession) == 0


@pytest.mark.parametrize("bad", [[True], ["1"], "12", [9999]])
def test_a_malformed_roster_is_refused(world: World, bad: object) -> None:
    with pytest.raises((InvalidInput, NotFound)):
        reviews.open_review_session(
            world.session,
            world.viewer("reviewer"),
            street_id=world.street,
            year=2026,
            title="评审会",
            held_on=HELD,
            reviewer_ids=bad,  # type: ignore[arg-type]
        )
    assert count(world.session, ReviewSession) == 0


def test_a_reviewer_of_another_street_is_not_on_the_roster(world: World) -> None:
    from models import Person, Place, RoleGrant

    other_street = Place(kind="street", name="Meilong", parent_id=world.district)
    person = Person(display_name="meilong reviewer")
    world.session.add_all([other_street, person])
    world.session.flush()
    world.session.add(RoleGrant(person_id=person.id, role="reviewer", place_id=other_street.id))
    world.session.commit()
    with pytest.raises(InvalidInput) as raised:
        reviews.open_review_session(
            world.session,
            world.viewer("reviewer"),
            street_id=world.street,
            year=2026,
            title="评审会",
            held_on=HELD,
            reviewer_ids=[person.id],  # type: ignore[list-item]
        )
    assert raised.value.code == "review_not_a_reviewer"


def test_only_the_chair_changes_the_roster_and_a_reviewer_who_scored_stays(world: World) -> None:
    lamp = project(world)
    other = second_reviewer(world)
    session_id = open_session(world, reviewers=["reviewer", other])
    both = [world.people["reviewer"], world.people[other]]
    for who in (other, "resident_a1", "chair_a"):
        with pytest.raises(NotAllowed):
            reviews.assign_reviewers(
                world.session, world.viewer(who), session_id=session_id, reviewer_ids=both[:1]
            )
    score(world, session_id, lamp, who=other)
    with pytest.raises(Conflict) as raised:
        reviews.assign_reviewers(
            world.session, world.viewer("reviewer"), session_id=session_id, reviewer_ids=both[:1]
        )
    assert raised.value.code == "review_reviewer_has_scored"
    # An administrator of the street may take over the chair's device.
    reviews.assign_reviewers(
        world.session, world.viewer("admin"), session_id=session_id, reviewer_ids=both[1:]
    )
    board = reviews.review_board(world.session, world.viewer("admin"), session_id)
    assert board.reviewers == ["reviewer2"]
    with pytest.raises(NotAllowed):
        score(world, session_id, lamp)


def test_the_chair_moves_the_session_project_to_project(world: World) -> None:
    a = project(world, title="A")
    b = project(world, title="B", community="b")
    session_id = open_session(world)
    chair = world.viewer("reviewer")
    board = reviews.review_board(world.session, chair, session_id)
    assert [p.title for p in board.projects] == ["A", "B"]
    assert (board.current, board.current_position) == (None, -1)
    with pytest.raises(WrongPhase) as raised:
        reviews.previous_review_project(
            world.session, chair, session_id=session_id, from_proposal_id=None
        )
    assert raised.value.code == "review_at_first_project"
    version = reviews.review_session_version(world.session, session_id=session_id)
    moves = [
        reviews.next_review_project(
            world.session, chair, session_id=session_id, from_proposal_id=None
        ),
        reviews.next_review_project(
            world.session, chair, session_id=session_id, from_proposal_id=a
        ),
    ]
    assert moves == [a, b]
    assert reviews.review_session_version(world.session, session_id=session_id) == version + 2
    with pytest.raises(WrongPhase) as raised:
        reviews.next_review_project(world.session, chair, session_id=session_id, from_proposal_id=b)
    assert raised.value.code == "review_at_last_project"
    # A device that still shows A is told the session moved on, and nothing moves.
    with pytest.raises(Conflict) as raised:
        reviews.next_review_project(world.session, chair, session_id=session_id, from_proposal_id=a)
    assert raised.value.code == "review_session_moved_on"
    assert (
        reviews.previous_review_project(
            world.session, chair, session_id=session_id, from_proposal_id=b
        )
        == a
    )
    board = reviews.review_board(world.session, world.viewer("resident_a1"), session_id)
    assert board.current is not None and board.current.title == "A"
    assert board.current_position == 0 and not board.may_steer
    actions = world.session.exec(
        select(AuditEntry.action).where(AuditEntry.entity == "reviewsession")
    ).all()
    assert actions.count("next_review_project") == 2
    assert actions.count("previous_review_project") == 1


@pytest.mark.parametrize("who", ["reviewer2", "resident_a1", "chair_a", "outsider"])
def test_only_the_chair_or_an_administrator_steers_and_closes(world: World, who: str) -> None:
    project(world)
    other = second_reviewer(world)
    session_id = open_session(world, reviewers=["reviewer", other])
    with pytest.raises(NotAllowed):
        reviews.next_review_project(
            world.session, world.viewer(who), session_id=session_id, from_proposal_id=None
        )
    with pytest.raises(NotAllowed):
        reviews.close_review_session(world.session, world.viewer(who), session_id=session_id)
    row = world.session.get(ReviewSession, session_id)
    assert row is not None and (row.current_proposal_id, row.status) == (None, "open")


def test_a_closed_session_does_not_move(world: World) -> None:
    project(world)
    session_id = open_session(world)
    reviews.close_review_session(world.session, world.viewer("reviewer"), session_id=session_id)
    with pytest.raises(WrongPhase):
        reviews.next_review_project(
            world.session, world.viewer("reviewer"), session_id=session_id, from_proposal_id=None
        )
    with pytest.raises(WrongPhase):
        reviews.assign_reviewers(
            world.session,
            world.viewer("reviewer"),
            session_id=session_id,
            reviewer_ids=[world.people["reviewer"]],
        )
    with pytest.raises(NotFound):
        reviews.review_session_version(world.session, session_id=9999)


def test_two_chairs_pressing_next_at_once_move_the_session_once(
    world: World, engine: Engine
) -> None:
    """The chair's phone and an administrator's laptop, three presses each, all at once."""
    first = project(world, title="A")
    project(world, title="B", community="b")
    session_id = open_session(world)
    chair, admin = world.people["reviewer"], world.people["admin"]

    def press(person_id: int) -> Callable[[Session], int]:
        def call(session: Session) -> int:
            return reviews.next_review_project(
                session,
                viewer_for_person(session, person_id),
                session_id=session_id,
                from_proposal_id=None,
            )

        return call

    results = race(world, engine, [press(chair), press(admin)] * 3)
    assert outcomes(results) == {"ok": 1, "review_session_moved_on": 5}
    with Session(engine) as fresh:
        row = fresh.get(ReviewSession, session_id)
        assert row is not None and row.current_proposal_id == first
        moves = fresh.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "next_review_project")
        ).one()
        assert moves == 1


def test_a_score_of_two_or_less_needs_a_comment(world: World) -> None:
    lamp = project(world)
    session_id = open_session(world)
    for comment in ("", "   ", "\n"):
        with pytest.raises(InvalidInput) as raised:
            score(world, session_id, lamp, scores=LOW, comment=comment)
        assert (raised.value.code, raised.value.params["field"]) == (
            "review_comment_needed",
            "participation",
        )
        assert raised.value.params["threshold"] == 2
    assert reviews_count(world) == (0, 0)
    version = reviews.review_session_version(world.session, session_id=session_id)
    score(world, session_id, lamp, scores=THREES)  # three everywhere: no comment needed
    assert reviews.review_session_version(world.session, session_id=session_id) == version + 1
    # Revising to a low score without a comment leaves the first review as it was.
    with pytest.raises(InvalidInput):
        score(world, session_id, lamp, scores={**THREES, "maintenance": 0})
    (review,) = world.session.exec(select(Review)).all()
    stored = world.session.exec(
        select(RubricScore.score).where(RubricScore.review_id == review.id)
    ).all()
    assert sorted(stored) == [3, 3, 3, 3, 3]
    score(world, session_id, lamp, scores={**THREES, "maintenance": 0}, comment="无人维护")
    assert reviews_count(world) == (1, 5)


@pytest.mark.parametrize(
    "scores",
    [
        {},
        {**GOOD, "goal_met": None},
        {k: v for k, v in GOOD.items() if k != "books_complete"},
        [5, 4, 3, 5, 4],
    ],
)
def test_no_score_is_taken_for_granted(world: World, scores: object) -> None:
    """The phone's form pre-chooses nothing: a criterion not chosen arrives missing (or None),
    and is refused, not read as a middle score."""
    lamp = project(world)
    session_id = open_session(world)
    with pytest.raises(InvalidInput):
        score(world, session_id, lamp, scores=scores)
    assert reviews_count(world) == (0, 0)


def test_the_aggregate_shows_once_every_assigned_reviewer_has_scored(world: World) -> None:
    lamp = project(world)
    other = second_reviewer(world)
    session_id = open_session(world, reviewers=["reviewer", other])
    score(world, session_id, lamp, comment="效果好")  # 5 4 3 5 4: overall 21/5 = 4.2
    for who in ("reviewer", other, "resident_a1", "admin"):
        (row,) = reviews.review_board(world.session, world.viewer(who), session_id).projects
        assert (row.scored_by, row.aggregate, row.scores) == (1, None, None)
    score(world, session_id, lamp, who=other, scores=THREES)  # overall 3
    for who in ("reviewer", other, "resident_a1", "outsider"):
        (row,) = reviews.review_board(world.session, world.viewer(who), session_id).projects
        assert row.scored_by == 2
        result = row.aggregate
        assert result is not None and result.reviewers == 2
        # overall (4.2 + 3) / 2 = 3.6, 3.0 to 4.2, variance 0.6^2 = 0.36, sd 0.6; 1.2 apart
        assert result.overall == reviews.Spread(
            mean=Fraction(18, 5), low=Fraction(3), high=Fraction(21, 5), variance=Fraction(9, 25)
        )
        assert (result.overall.deviation, result.outliers) == ("0.6", 0)
        # goal 5 and 3: mean 4, variance 1; upkeep 3 and 3: mean 3, variance 0
        assert result.criteria["goal_met"] == reviews.Spread(
            Fraction(4), Fraction(3), Fraction(5), Fraction(1)
        )
        assert result.criteria["maintenance"].variance == 0
    # The pooled verdicts (unsigned) go to the reviewers, not to residents, until closing.
    (row,) = reviews.review_board(world.session, world.viewer(other), session_id).projects
    assert row.scores is not None and row.scores.comments == ["效果好"]
    (row,) = reviews.review_board(world.session, world.viewer("resident_a1"), session_id).projects
    assert row.scores is None


def sheet(*scores: int) -> dict[str, int]:
    return dict(zip(GOOD, scores, strict=True))


@pytest.mark.parametrize(
    ("sheets", "overall_mean", "deviation", "outliers"),
    [
        # 4.6, 4.4 and 2.0: 2.0 lies 2.5 from the others' median 4.5; 4.6 lies 1.4 from 3.2,
        # 4.4 lies 1.1 from 3.3: one outlier.
        ([sheet(5, 5, 5, 4, 4), sheet(4, 4, 5, 4, 5), sheet(2, 2, 2, 2, 2)], "3.7", "1.2", 1),
        # 4.0, 3.0, 2.0: 2.0 and 4.0 each lie exactly 1.5 from the others' median: not more.
        ([sheet(4, 4, 4, 4, 4), sheet(3, 3, 3, 3, 3), sheet(2, 2, 2, 2, 2)], "3.0", "0.8", 0),
        # Two reviewers 1.6 apart (2.0 and 3.6): each is far from the other, both count.
        ([sheet(2, 2, 1, 3, 2), sheet(4, 3, 3, 4, 4)], "2.8", "0.8", 2),
        # Two reviewers 1.4 apart (4.4 and 3.0): none.
        ([sheet(5, 5, 4, 4, 4), sheet(3, 3, 3, 3, 3)], "3.7", "0.7", 0),
        # Alone: no one to be far from.
        ([sheet(0, 0, 0, 0, 0)], "0.0", "0.0", 0),
    ],
)
def test_outliers_and_spread_by_hand(
    sheets: list[dict[str, int]], overall_mean: str, deviation: str, outliers: int
) -> None:
    result = reviews.aggregate(sheets)
    assert result is not None
    assert reviews.one_decimal(result.overall.mean) == overall_mean
    assert (result.overall.deviation, result.outliers) == (deviation, outliers)


def test_no_sheets_no_aggregate() -> None:
    assert reviews.aggregate([]) is None


@pytest.mark.parametrize(
    ("square", "shown"),
    [
        (Fraction(0), "0.0"),
        (Fraction(9, 100), "0.3"),
        (Fraction(1, 4), "0.5"),
        (Fraction(2, 9), "0.5"),  # 0.471...
        (Fraction(1, 400), "0.1"),  # 0.05 exactly: half up
        (Fraction(1, 401), "0.0"),
        (Fraction(2), "1.4"),
        (Fraction(144, 25), "2.4"),
        (Fraction(100), "10.0"),
    ],
)
def test_root_one_decimal_is_exact(square: Fraction, shown: str) -> None:
    assert reviews.root_one_decimal(square) == shown
