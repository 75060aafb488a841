import pytest
from sqlmodel import Session, col, func, select

from models import AuditEntry, Ballot, BallotEntry, PendingBallot, PollBookEntry
from models.vocabulary import ProposalStatus
from services.ballots import BallotChoice
from services.errors import BallotRejected, Conflict, InvalidInput, NotAllowed, NotFound, WrongPhase
from services.proposals import (
    LineItemInput,
    PledgeInput,
    ProposalDraft,
    change_proposal_status,
    list_proposals,
    submit_proposal,
)
from services.rounds import (
    RoundSettings,
    advance_round,
    cast_ballot,
    check_receipt,
    create_round,
    has_voted,
    list_rounds,
    voter_key,
)
from services.tally import count_votes, publish_tally, round_result
from tests.world import World, paper_ballot
from voting import EqualSharesRows

# Budget 10,000 yuan; costs asked of the fund: A 6,000, B 5,000, C 4,000 (after 10% co-funding).
PROJECTS = (
    ("A: lights", "6700", "700"),
    ("B: benches", "5600", "600"),
    ("C: garden", "4500", "500"),
)


def ballots(session: Session) -> int:
    """Ballots in the box, sealed or still pending; the poll book must say as many voted."""
    stored = sum(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Ballot, PendingBallot)
    )
    assert session.exec(select(func.count()).select_from(PollBookEntry)).one() == stored
    return stored


def voting_round(world: World, **settings) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    chair = world.viewer("chair_a")
    config = dict(
        name="2026",
        year=2026,
        fund_id=world.fund_a,
        place_id=world.community_a,
        budget="10000",
        rule="greedy",
    )
    config.update(settings)
    round_id = create_round(world.session, chair, config=RoundSettings(**config))  # type: ignore[arg-type]
    for _ in range(2):
        advance_round(world.session, chair, round_id=round_id)
    ids = []
    for title, cost, pledge in PROJECTS:
        ids.append(
            submit_proposal(
                world.session,
                world.viewer("resident_a1"),
                draft=ProposalDraft(
                    place_id=world.compound_a1,
                    round_id=round_id,
                    title=title,
                    summary="s",
                    category="safety",
                    line_items=[LineItemInput(title, "safety", 1, cost)],
                    co_funding=[PledgeInput("residents", "r", pledge)],
                    maintenance_plan="m",
                    maintainer="m",
                    maintenance_years=1,
                ),
            )
        )
    advance_round(world.session, chair, round_id=round_id)
    for proposal_id in ids:
        change_proposal_status(
            world.session, chair, proposal_id=proposal_id, to_status=ProposalStatus.ELIGIBLE
        )
    advance_round(world.session, chair, round_id=round_id)
    assert advance_round(world.session, chair, round_id=round_id) == "voting"
    return round_id, ids


def test_opening_the_vote_puts_eligible_proposals_on_the_ballot(world: World) -> None:
    round_id, _ = voting_round(world)
    assert {p.status for p in list_proposals(world.session, round_id=round_id)} == {"on_ballot"}


def test_one_ballot_per_voter_and_nobody_can_read_whose(world: World) -> None:
    round_id, ids = voting_round(world)
    resident = world.viewer("resident_a1")
    receipt = cast_ballot(
        world.session, resident, round_id=round_id, ballot=BallotChoice(approvals=(ids[0], ids[2]))
    )
    with pytest.raises(Conflict):
        cast_ballot(
            world.session, resident, round_id=round_id, ballot=BallotChoice(approvals=(ids[1],))
        )
    assert ballots(world.session) == 1
    assert has_voted(world.session, resident, round_id=round_id)
    assert not has_voted(world.session, world.viewer("resident_a2"), round_id=round_id)
    voted = world.session.exec(select(PollBookEntry)).one()
    stored = world.session.exec(select(PendingBallot)).one()
    for model in (Ballot, PendingBallot, PollBookEntry):
        assert not {"person_id", "voter_id", "account_id"} & set(model.model_fields)
    assert voted.voter_key == voter_key(round_id, f"person:{world.people['resident_a1']}")
    assert voted.voter_key != voter_key(round_id + 1, f"person:{world.people['resident_a1']}")
    assert voted.voter_key not in str(stored.model_dump())  # the ballot does not know its voter
    assert len(stored.receipt_hash) == 64 and receipt.replace("-", "") not in stored.receipt_hash
    audit = world.session.exec(
        select(AuditEntry).where(col(AuditEntry.entity).in_(["ballot", "ballotentry"]))
    ).all()
    assert audit == []  # the log never ties a ballot to its voter
    check = check_receipt(world.session, receipt_code=receipt.lower())
    assert sorted(pid for pid, _, _ in check.entries) == sorted([ids[0], ids[2]])
    with pytest.raises(NotFound):
        check_receipt(world.session, receipt_code="AAAA-BBBB-CCCC")


@pytest.mark.parametrize(
    ("choice", "code"),
    [
        (lambda ids: BallotChoice(approvals=()), "ballot_too_few"),
        (lambda ids: BallotChoice(approvals=(ids[0], ids[0])), "ballot_duplicate_project"),
        (lambda ids: BallotChoice(approvals=(ids[0], 99_999)), "ballot_unknown_project"),
        (lambda ids: BallotChoice(approvals=tuple(ids)), "ballot_too_many"),
    ],
)
def test_malformed_ballots_are_refused_and_nothing_is_stored(
    world: World, choice, code: str
) -> None:  # type: ignore[no-untyped-def]
    round_id, ids = voting_round(world, max_length=2)
    with pytest.raises(BallotRejected) as raised:
        cast_ballot(
            world.session, world.viewer("resident_a1"), round_id=round_id, ballot=choice(ids)
        )
    assert raised.value.code == code
    assert ballots(world.session) == 0
    assert world.session.exec(select(func.count()).select_from(BallotEntry)).one() == 0
    assert world.session.exec(select(func.count()).select_from(PendingBallot)).one() == 0


def test_cumulative_ballots_respect_the_points(world: World) -> None:
    round_id, ids = voting_round(world, ballot_kind="cumulative", max_sum_points=5, max_points=3)
    resident = world.viewer("resident_a1")
    for points, code in (
        ({ids[0]: 4}, "ballot_points_over_max"),
        ({ids[0]: 3, ids[1]: 3}, "ballot_points_over_sum"),
        ({ids[0]: -1}, "ballot_points_negative"),
    ):
        with pytest.raises(BallotRejected) as raised:
            cast_ballot(
                world.session, resident, round_id=round_id, ballot=BallotChoice(points=points)
            )
        assert raised.value.code == code
    cast_ballot(
        world.session,
        resident,
        round_id=round_id,
        ballot=BallotChoice(points={ids[0]: 3, ids[1]: 2}),
    )
    assert ballots(world.session) == 1


def test_who_may_vote_where(world: World) -> None:
    round_id, ids = voting_round(world)
    for name in ("resident_b1", "chair_a", "clerk_a", "admin", "outsider"):
        with pytest.raises(NotAllowed):
            cast_ballot(
                world.session,
                world.viewer(name),
                round_id=round_id,
                ballot=BallotChoice(approvals=(ids[0],)),
            )
    cast_ballot(
        world.session,
        world.viewer("resident_a2"),
        round_id=round_id,
        ballot=BallotChoice(approvals=(ids[0],)),
    )
    assert ballots(world.session) == 1


def test_count_publish_and_privacy_before_publishing(world: World) -> None:
    round_id, (a, b, c) = voting_round(world)
    votes = {"resident_a1": (a, b), "resident_a2": (b,)}
    for name, approvals in votes.items():
        cast_ballot(
            world.session,
            world.viewer(name),
            round_id=round_id,
            ballot=BallotChoice(approvals=approvals),
        )
    paper_ballot(world, round_id=round_id, sheet_number="1", ballot=BallotChoice((b, c)))
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # voting closes
    with pytest.raises(NotAllowed):
        count_votes(world.session, world.viewer("resident_a1"), round_id=round_id)
    tally_id = count_votes(world.session, world.viewer("member_a"), round_id=round_id)
    assert round_result(world.session, world.viewer("resident_a1"), round_id=round_id) is None
    private = round_result(world.session, world.viewer("member_a"), round_id=round_id)
    assert private is not None and private.published_at is None
    # greedy by votes: B (3 votes, 5,000) then A (1 vote, 6,000) no longer fits, C (1, 4,000) fits
    assert [(line.title, line.support, line.selected) for line in private.lines] == [
        ("B: benches", 3, True),
        ("C: garden", 1, True),
        ("A: lights", 1, False),
    ]
    assert (private.total_cost_fen, private.leftover_fen, private.ballots_counted) == (
        900_000,
        100_000,
        3,
    )
    with pytest.raises(NotAllowed):
        publish_tally(world.session, world.viewer("member_a"), tally_id=tally_id)
    with pytest.raises(WrongPhase):
        advance_round(world.session, world.viewer("chair_a"), round_id=round_id)
    publish_tally(world.session, world.viewer("chair_a"), tally_id=tally_id)
    public = round_result(world.session, world.viewer("resident_a1"), round_id=round_id)
    assert public is not None and public.published_at is not None
    statuses = {p.title: p.status for p in list_proposals(world.session, round_id=round_id)}
    assert statuses == {
        "A: lights": "not_selected",
        "B: benches": "selected",
        "C: garden": "selected",
    }
    with pytest.raises(WrongPhase):
        publish_tally(world.session, world.viewer("chair_a"), tally_id=tally_id)
    assert list_rounds(world.session)[0].phase == "tallied"  # publishing moved it on
    with pytest.raises(WrongPhase):
        cast_ballot(
            world.session,
            world.viewer("resident_a1"),
            round_id=round_id,
            ballot=BallotChoice(approvals=(a,)),
        )


def closed_equal_shares_round(world: World) -> tuple[int, list[int]]:
    """An Equal Shares round of three proposals whose voting has closed: resident a1 approved
    A, resident a2 approved B and C."""
    round_id, (a, b, c) = voting_round(world, rule="mes")
    for name, approvals in {"resident_a1": (a,), "resident_a2": (b, c)}.items():
        cast_ballot(
            world.session,
            world.viewer(name),
            round_id=round_id,
            ballot=BallotChoice(approvals=approvals),
        )
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # voting closes
    return round_id, [a, b, c]


def test_equal_shares_round_is_counted_by_the_engine(world: World) -> None:
    round_id, _ = closed_equal_shares_round(world)
    tally_id = count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    result = round_result(world.session, world.viewer("chair_a"), round_id=round_id)
    assert result is not None and result.tally_id == tally_id
    assert isinstance(result.explanation, EqualSharesRows)
    # each voter holds 5,000: voter 1 cannot buy A (6,000); for voter 2, B and C both cost one
    # yuan per yuan of utility, the tie goes to the lower project id (B), and that spends it all
    assert {line.title for line in result.lines if line.selected} == {"B: benches"}
    assert result.explanation.losers[0].lacking == 100000


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"rule": "borda"}, "field_invalid"),
        ({"rule": "phragmen", "ballot_kind": "ordinal"}, "rule_needs_approval"),
        ({"ballot_kind": "cumulative"}, "field_required"),
        ({"budget": "-5"}, "amount_not_positive"),
    ],
)
def test_round_settings_are_checked(world: World, settings: dict, code: str) -> None:
    config = dict(
        name="x", year=2026, fund_id=world.fund_a, place_id=world.community_a, budget="100"
    )
    config.update(settings)
    with pytest.raises(InvalidInput) as raised:
        create_round(world.session, world.viewer("chair_a"), config=RoundSettings(**config))  # type: ignore[arg-type]
    assert raised.value.code == code
    assert list_rounds(world.session) == []
