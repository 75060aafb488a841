"""The round's workflow cannot be bent: counting and publishing wait for the vote to close,
selection comes only from a published count, and an override needs a public reason.

Each refusal is a typed error and leaves every table as it was (``fingerprint``)."""

import itertools
import re
from pathlib import Path

import pytest
from sqlmodel import select

from models import Tally
from models.vocabulary import ProposalStatus, RoundPhase
from services import ledger, workflow
from services.ballots import BallotChoice
from services.errors import InvalidInput, NotAllowed, WrongPhase
from services.notice import notice_board
from services.paper import key_paper_sheet
from services.proposals import change_proposal_status, list_proposals
from services.rounds import advance_round, cast_ballot, list_rounds
from services.tally import count_votes, override_result, publish_tally, round_result
from services.turnout import round_turnout
from tests.services.test_ledger import DAY, donate
from tests.services.test_rounds import voting_round
from tests.street import fingerprint
from tests.world import World, second_clerk

S = ProposalStatus
REASON = "The site was sold to a developer before work could start."


def _statuses(world: World, round_id: int) -> dict[str, str]:
    return {p.title: p.status for p in list_proposals(world.session, round_id=round_id)}


def _phase(world: World, round_id: int) -> str:
    return next(r.phase for r in list_rounds(world.session) if r.id == round_id)


def _voted(world: World) -> tuple[int, list[int]]:
    round_id, ids = voting_round(world)
    cast_ballot(
        world.session,
        world.viewer("resident_a1"),
        round_id=round_id,
        ballot=BallotChoice(approvals=(ids[1], ids[2])),
    )
    return round_id, ids


def _published(world: World) -> tuple[int, list[int]]:
    """Budget 10,000 yuan: B (5,000) and C (4,000) are selected, A (6,000) is not."""
    round_id, ids = _voted(world)
    chair = world.viewer("chair_a")
    advance_round(world.session, chair, round_id=round_id)
    publish_tally(
        world.session, chair, tally_id=count_votes(world.session, chair, round_id=round_id)
    )
    return round_id, ids


def test_nothing_is_counted_or_published_while_the_vote_is_open(world: World) -> None:
    round_id, _ = _voted(world)
    chair = world.viewer("chair_a")
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as counting:
        count_votes(world.session, chair, round_id=round_id)
    assert counting.value.code == "round_not_counting"
    assert counting.value.params == {"phase": "voting"}
    assert fingerprint(world.session) == before

    # A count made once the vote closed cannot be published in a round that is voting again:
    # there is no way back, so stage the only way it could happen, a count left from before.
    advance_round(world.session, chair, round_id=round_id)
    tally_id = count_votes(world.session, chair, round_id=round_id)
    with pytest.raises(WrongPhase):
        advance_round(world.session, chair, round_id=round_id)  # only publishing moves on
    assert _phase(world, round_id) == "counting"
    assert _statuses(world, round_id) == dict.fromkeys(_statuses(world, round_id), "on_ballot")
    publish_tally(world.session, chair, tally_id=tally_id)
    assert _phase(world, round_id) == "tallied"
    with pytest.raises(WrongPhase) as again:
        publish_tally(world.session, chair, tally_id=tally_id)
    assert again.value.code == "round_not_counting"


def test_the_vote_closes_before_counting_and_nobody_votes_after(world: World) -> None:
    round_id, ids = _voted(world)
    chair = world.viewer("chair_a")
    assert advance_round(world.session, chair, round_id=round_id) == "counting"
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as late:
        cast_ballot(
            world.session,
            world.viewer("resident_a2"),
            round_id=round_id,
            ballot=BallotChoice(approvals=(ids[0],)),
        )
    assert late.value.code == "round_not_voting"
    assert fingerprint(world.session) == before


@pytest.mark.parametrize("target", [S.SELECTED, S.NOT_SELECTED])
def test_nobody_selects_a_project_by_hand(world: World, target: ProposalStatus) -> None:
    round_id, ids = _voted(world)
    before = fingerprint(world.session)
    for who in ("chair_a", "member_a", "admin"):
        with pytest.raises(WrongPhase) as refused:
            change_proposal_status(
                world.session, world.viewer(who), proposal_id=ids[0], to_status=target
            )
        assert refused.value.code == "proposal_move_invalid"
    assert fingerprint(world.session) == before
    assert _statuses(world, round_id)["A: lights"] == "on_ballot"


def test_eligibility_is_settled_before_the_vote(world: World) -> None:
    _, ids = _voted(world)
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase):
        change_proposal_status(
            world.session, world.viewer("chair_a"), proposal_id=ids[0], to_status=S.INELIGIBLE
        )
    assert fingerprint(world.session) == before


@pytest.mark.parametrize("reason", ["", "   ", "ok", "x" * 9])
def test_an_override_needs_a_reason_people_can_read(world: World, reason: str) -> None:
    _, ids = _published(world)
    before = fingerprint(world.session)
    with pytest.raises(InvalidInput):
        override_result(world.session, world.viewer("chair_a"), proposal_id=ids[0], reason=reason)
    assert fingerprint(world.session) == before


def test_only_the_chair_overrides_and_only_a_published_result(world: World) -> None:
    round_id, ids = _voted(world)
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as early:
        override_result(world.session, world.viewer("chair_a"), proposal_id=ids[0], reason=REASON)
    assert early.value.code == "round_not_tallied"
    assert fingerprint(world.session) == before
    chair = world.viewer("chair_a")
    advance_round(world.session, chair, round_id=round_id)
    publish_tally(
        world.session, chair, tally_id=count_votes(world.session, chair, round_id=round_id)
    )
    before = fingerprint(world.session)
    with pytest.raises(NotAllowed):
        override_result(world.session, world.viewer("member_a"), proposal_id=ids[0], reason=REASON)
    assert fingerprint(world.session) == before


def test_an_override_with_a_reason_shows_with_the_result_and_on_the_notice_board(
    world: World,
) -> None:
    round_id, ids = _published(world)
    assert _statuses(world, round_id) == {
        "A: lights": "not_selected",
        "B: benches": "selected",
        "C: garden": "selected",
    }
    chair = world.viewer("chair_a")
    assert (
        override_result(world.session, chair, proposal_id=ids[2], reason=REASON) == "not_selected"
    )
    assert _statuses(world, round_id)["C: garden"] == "not_selected"

    result = round_result(world.session, world.viewer("resident_a1"), round_id=round_id)
    assert result is not None
    garden = next(line for line in result.lines if line.proposal_id == ids[2])
    assert (garden.selected, garden.won, garden.overridden) == (True, False, True)
    assert [(o.proposal_id, o.selected, o.reason) for o in result.overrides] == [
        (ids[2], False, REASON)
    ]
    (board,) = [r for r in notice_board(world.session).results if r.round_id == round_id]
    assert [title for _, title, _ in board.selected] == ["B: benches"]
    assert [(o.title, o.reason) for o in board.overrides] == [("C: garden", REASON)]
    live = round_turnout(world.session, round_id=round_id).result
    assert live is not None
    assert {bar.proposal_id for bar in live.bars if bar.selected} == {ids[1]}  # the wall agrees
    # The stored count is what the rule decided; the override sits beside it, not inside it.
    stored = world.session.exec(select(Tally).where(Tally.round_id == round_id)).one()
    assert ids[2] in stored.selected_proposal_ids


def test_a_funded_project_cannot_be_unselected(world: World) -> None:
    _, ids = _published(world)
    donate(world, "10000")
    ledger.allocate_to_proposal(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=ids[1],
        amount="5000",
        occurred_on=DAY,
        purpose="as voted",
    )
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as refused:
        override_result(world.session, world.viewer("chair_a"), proposal_id=ids[1], reason=REASON)
    assert refused.value.code == "override_after_money"
    assert fingerprint(world.session) == before


def test_every_phase_but_the_last_has_one_way_on() -> None:
    order = workflow.PHASE_ORDER
    assert set(order) == set(RoundPhase)
    for here, there in itertools.pairwise(order):
        move = workflow.next_move(here)
        assert move is not None and move.target is there
    assert workflow.next_move(RoundPhase.CLOSED) is None
    assert [p for p in order if workflow.allows(p, workflow.Step.COUNT)] == [RoundPhase.COUNTING]
    assert not (
        set(workflow.phases_where(workflow.Step.CAST_BALLOT))
        & set(workflow.phases_where(workflow.Step.PUBLISH))
    )


def test_no_page_decides_a_phase_itself() -> None:
    """Pages ask the workflow; a phase or status written as a string in a page would be a
    second copy of a rule."""
    words = {str(p) for p in RoundPhase} | {str(s) for s in ProposalStatus}
    pages = Path(__file__).parents[2] / "pages"
    found = []
    for page in pages.glob("*.py"):
        for literal in re.findall(r"""["']([a-z_]+)["']""", page.read_text(encoding="utf-8")):
            # words the other vocabularies and charts share: a meeting is closed, a chart counts
            # needs, a minute is a draft
            if literal in words and literal not in {"draft", "closed", "needs", "proposals"}:
                found.append((page.name, literal))
    assert found == []


def test_the_vote_does_not_close_on_a_paper_sheet_still_waiting(world: World) -> None:
    round_id, ids = _voted(world)
    chair = world.viewer("chair_a")
    sheet = {"round_id": round_id, "sheet_number": "P-7", "ballot": BallotChoice((ids[0],))}
    key_paper_sheet(world.session, world.viewer("clerk_a"), **sheet)
    before = fingerprint(world.session)
    with pytest.raises(WrongPhase) as waiting:
        advance_round(world.session, chair, round_id=round_id)
    assert (waiting.value.code, waiting.value.params) == (
        "round_paper_sheets_waiting",
        {"count": 1},
    )
    assert fingerprint(world.session) == before
    key_paper_sheet(world.session, second_clerk(world), **sheet)  # read alike: a ballot
    assert advance_round(world.session, chair, round_id=round_id) == "counting"
    counted = count_votes(world.session, chair, round_id=round_id)
    assert world.session.get(Tally, counted).ballots_counted == 2  # type: ignore[union-attr]
