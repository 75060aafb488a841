"""Household voting codes: issued by a clerk, stored hashed, good for one ballot, rate-limited."""

import pytest
from sqlmodel import Session, func, select

from models import (
    AuditEntry,
    Ballot,
    FailedAttempt,
    Household,
    PendingBallot,
    PollBookEntry,
    VotingCode,
)
from services import limits
from services.accounts import grant_role
from services.ballots import BallotChoice
from services.errors import Conflict, InvalidInput, NotAllowed, TooManyAttempts, WrongPhase
from services.rounds import advance_round, check_receipt
from services.tally import count_votes, publish_tally
from services.voting_codes import (
    IssuedCode,
    cast_ballot_with_code,
    code_targets,
    issue_voting_codes,
    open_code_ballot,
    register_households,
)
from tests.services.test_rounds import voting_round
from tests.world import World


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def households(world: World) -> None:
    added = register_households(
        world.session,
        world.viewer("clerk_a"),
        compound_id=world.compound_a1,
        labels="1-1-101\n1-1-102\n\n10-2-301\n2-1-101\n1-1-101\n",
    )
    assert added == 4


def issued_codes(world: World, round_id: int) -> list[IssuedCode]:
    """The clerk lists the four households of compound A1 and issues their codes."""
    households(world)
    return issue_voting_codes(
        world.session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a1
    )


def test_a_clerk_lists_households_and_issues_one_code_each(world: World) -> None:
    round_id, _ = voting_round(world)
    households(world)
    again = register_households(
        world.session, world.viewer("clerk_a"), compound_id=world.compound_a1, labels="1-1-101"
    )
    assert again == 0 and count(world.session, Household) == 4
    codes = issue_voting_codes(
        world.session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a1
    )
    assert [c.household for c in codes] == ["1-1-101", "1-1-102", "2-1-101", "10-2-301"]
    assert len({c.code for c in codes}) == 4
    assert all(len(c.code) == 14 and c.code.count("-") == 2 for c in codes)
    stored = world.session.exec(select(VotingCode.code_hash)).all()
    assert len(stored) == 4
    assert not {c.code.replace("-", "") for c in codes} & {h.upper() for h in stored}
    entry = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "issue_voting_codes")
    ).one()
    assert entry.after == {"round_id": round_id, "compound_id": world.compound_a1, "codes": 4}
    targets = code_targets(world.session, world.viewer("clerk_a"))
    assert [(t.round_id, t.compound_id, t.households, t.codes_used) for t in targets] == [
        (round_id, world.compound_a1, 4, 0),
        (round_id, world.compound_a2, 0, 0),
    ]
    assert code_targets(world.session, world.viewer("chair_a")) == []


@pytest.mark.parametrize(
    ("who", "compound", "labels", "error"),
    [
        ("resident_a1", "compound_a1", "1-1-101", NotAllowed),
        ("chair_a", "compound_a1", "1-1-101", NotAllowed),
        ("clerk_a", "compound_b1", "1-1-101", NotAllowed),
        ("clerk_a", "community_a", "1-1-101", InvalidInput),
        ("clerk_a", "compound_a1", "1-1-101\n<script>", InvalidInput),
        ("clerk_a", "compound_a1", "  \n ", InvalidInput),
    ],
)
def test_households_are_refused_and_nothing_is_stored(
    world: World, who: str, compound: str, labels: str, error: type
) -> None:
    with pytest.raises(error):
        register_households(
            world.session,
            world.viewer(who),
            compound_id=getattr(world, compound),
            labels=labels,
        )
    world.session.rollback()
    assert count(world.session, Household) == 0 and count(world.session, AuditEntry) == 0


def test_a_code_casts_one_ballot_for_its_household(world: World) -> None:
    round_id, ids = voting_round(world)
    codes = issued_codes(world, round_id)
    audit_before = count(world.session, AuditEntry)
    opened = open_code_ballot(world.session, code=codes[0].code.lower().replace("-", " "))
    assert (opened.round_id, opened.household) == (round_id, "1-1-101")
    receipt = cast_ballot_with_code(
        world.session, code=codes[0].code, ballot=BallotChoice(approvals=(ids[0],))
    )
    assert [pid for pid, _, _ in check_receipt(world.session, receipt_code=receipt).entries] == [
        ids[0]
    ]
    assert count(world.session, AuditEntry) == audit_before  # nothing dates the ballot
    with pytest.raises(Conflict) as used:
        cast_ballot_with_code(
            world.session, code=codes[0].code, ballot=BallotChoice(approvals=(ids[1],))
        )
    assert used.value.code == "voting_code_used"
    world.session.rollback()
    assert count(world.session, PollBookEntry) == count(world.session, PendingBallot) == 1
    voted = world.session.exec(select(PollBookEntry)).one()
    assert voted.channel == "code"
    cast_ballot_with_code(
        world.session, code=codes[1].code, ballot=BallotChoice(approvals=(ids[0], ids[2]))
    )
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # voting closes
    tally_id = count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    assert tally_id and count(world.session, Ballot) == 2  # sealed for the count
    assert count(world.session, PendingBallot) == 0


def test_a_malformed_ballot_does_not_spend_the_code(world: World) -> None:
    round_id, ids = voting_round(world)
    code = issued_codes(world, round_id)[0].code
    with pytest.raises(InvalidInput):
        cast_ballot_with_code(world.session, code=code, ballot=BallotChoice(approvals=(999_999,)))
    world.session.rollback()
    assert count(world.session, PollBookEntry) == count(world.session, PendingBallot) == 0
    assert not world.session.exec(select(VotingCode).where(VotingCode.used)).all()
    assert cast_ballot_with_code(world.session, code=code, ballot=BallotChoice(approvals=(ids[0],)))


def test_issuing_again_voids_unused_codes_and_keeps_used_ones(world: World) -> None:
    round_id, ids = voting_round(world)
    households(world)
    clerk = world.viewer("clerk_a")
    first = issue_voting_codes(
        world.session, clerk, round_id=round_id, compound_id=world.compound_a1
    )
    cast_ballot_with_code(
        world.session, code=first[0].code, ballot=BallotChoice(approvals=(ids[0],))
    )
    second = issue_voting_codes(
        world.session, clerk, round_id=round_id, compound_id=world.compound_a1
    )
    assert [c.household for c in second] == ["1-1-102", "2-1-101", "10-2-301"]
    with pytest.raises(InvalidInput) as unknown:
        open_code_ballot(world.session, code=first[1].code)
    assert unknown.value.code == "voting_code_unknown"
    assert open_code_ballot(world.session, code=second[0].code).household == "1-1-102"
    assert count(world.session, VotingCode) == 4


def test_codes_only_for_compounds_inside_the_round(world: World) -> None:
    round_id, _ = voting_round(world)
    grant_role(
        world.session,
        world.viewer("admin"),
        person_id=world.people["outsider"],
        role="clerk",
        place_id=world.street,
    )
    street_clerk = world.viewer("outsider")
    register_households(world.session, street_clerk, compound_id=world.compound_b1, labels="1-1")
    with pytest.raises(NotAllowed):
        issue_voting_codes(
            world.session,
            world.viewer("resident_a1"),
            round_id=round_id,
            compound_id=world.compound_a1,
        )
    with pytest.raises(InvalidInput) as outside:
        issue_voting_codes(
            world.session, street_clerk, round_id=round_id, compound_id=world.compound_b1
        )
    assert outside.value.code == "compound_outside_round"
    world.session.rollback()
    assert count(world.session, VotingCode) == 0


def test_wrong_codes_lock_the_address(world: World) -> None:
    round_id, ids = voting_round(world)
    code = issued_codes(world, round_id)[0].code
    for _ in range(limits.VOTING_CODE.per_address):
        with pytest.raises(InvalidInput):
            open_code_ballot(world.session, code="AAAA-BBBB-CCCC", address="192.0.2.7")
    with pytest.raises(TooManyAttempts):
        cast_ballot_with_code(
            world.session, code=code, ballot=BallotChoice(approvals=(ids[0],)), address="192.0.2.7"
        )
    world.session.rollback()
    assert count(world.session, PollBookEntry) == 0
    assert count(world.session, FailedAttempt) == limits.VOTING_CODE.per_address
    assert cast_ballot_with_code(
        world.session, code=code, ballot=BallotChoice(approvals=(ids[0],)), address="192.0.2.8"
    )


def test_codes_are_not_issued_once_voting_is_over(world: World) -> None:
    round_id, _ = voting_round(world)
    households(world)
    chair = world.viewer("chair_a")
    advance_round(world.session, chair, round_id=round_id)  # voting closes
    publish_tally(
        world.session, chair, tally_id=count_votes(world.session, chair, round_id=round_id)
    )
    advance_round(world.session, chair, round_id=round_id)
    with pytest.raises(WrongPhase):
        issue_voting_codes(
            world.session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a1
        )
