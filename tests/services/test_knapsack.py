"""The knapsack ballot (choose projects up to the budget): an approval ballot whose projects
together may ask the fund for at most the round's budget. Over the budget it is refused with a
message in money and nothing is stored; at the budget it is cast; it is counted as approval,
and exported as Pabulib approval with ``max_sum_cost`` = budget.

The round of ``voting_round``: budget 10,000 yuan; A asks 6,000, B 5,000, C 4,000."""

import pytest
from sqlmodel import func, select

from models import BallotEntry, BudgetRound, PendingBallot
from services.ballots import BALLOT_CODES, BallotChoice
from services.election import round_profile
from services.errors import BallotRejected, InvalidInput
from services.imports import import_election
from services.paper import key_paper_sheet
from services.rounds import (
    RoundSettings,
    advance_round,
    cast_ballot,
    check_receipt,
    create_round,
    list_rounds,
)
from services.tally import count_votes, export_ballots, round_result
from services.voting_codes import cast_ballot_with_code, issue_voting_codes, register_households
from tests.services.test_rounds import ballots, voting_round
from tests.world import World, paper_ballot
from ui import i18n
from voting import read_pb, tally, validate_ballot

BUDGET_FEN = 1_000_000


def knapsack_round(world: World, rule: str = "greedy") -> tuple[int, list[int]]:
    return voting_round(world, ballot_kind="knapsack", rule=rule)


def entries(world: World) -> int:
    return world.session.exec(select(func.count()).select_from(BallotEntry)).one()


def test_a_knapsack_round_is_an_approval_ballot_capped_at_the_budget(world: World) -> None:
    round_id, _ = knapsack_round(world, rule="phragmen")  # an approval rule is allowed
    budget_round = world.session.get(BudgetRound, round_id)
    assert budget_round is not None and budget_round.ballot_kind == "knapsack"
    profile = round_profile(budget_round, [])
    assert profile.vote_type == "approval"
    assert profile.constraints.max_sum_cost == BUDGET_FEN
    assert [r.ballot_kind for r in list_rounds(world.session)] == ["knapsack"]


@pytest.mark.parametrize("chosen", [(0, 1), (0, 1, 2), (1, 0)])
def test_a_ballot_over_the_budget_is_refused_and_nothing_is_stored(
    world: World, chosen: tuple[int, ...]
) -> None:
    round_id, ids = knapsack_round(world)
    ballot = BallotChoice(approvals=tuple(ids[i] for i in chosen))
    total = {(0, 1): 1_100_000, (1, 0): 1_100_000, (0, 1, 2): 1_500_000}[chosen]
    with pytest.raises(BallotRejected) as raised:
        cast_ballot(world.session, world.viewer("resident_a1"), round_id=round_id, ballot=ballot)
    assert raised.value.code == "ballot_over_budget"
    assert raised.value.params == {"total_fen": total, "budget_fen": BUDGET_FEN}
    world.session.rollback()
    assert ballots(world.session) == 0  # no poll book entry, no ballot, no pending ballot
    assert entries(world) == 0
    assert world.session.exec(select(func.count()).select_from(PendingBallot)).one() == 0
    for locale, over in (("zh-CN", "超出本轮预算"), ("en", "more than the round's budget")):
        message = i18n.error_message(locale, raised.value.code, raised.value.params)
        assert over in message and "¥10,000.00" in message and f"¥{total // 100:,}.00" in message


def test_every_channel_refuses_a_ballot_over_the_budget(world: World) -> None:
    round_id, (a, b, _) = knapsack_round(world)
    over = BallotChoice(approvals=(a, b))
    with pytest.raises(BallotRejected):
        key_paper_sheet(
            world.session,
            world.viewer("clerk_a"),
            round_id=round_id,
            sheet_number="K-1",
            ballot=over,
        )
    world.session.rollback()
    register_households(
        world.session, world.viewer("clerk_a"), compound_id=world.compound_a2, labels="1-1-101"
    )
    (code,) = issue_voting_codes(
        world.session, world.viewer("clerk_a"), round_id=round_id, compound_id=world.compound_a2
    )
    with pytest.raises(BallotRejected):
        cast_ballot_with_code(world.session, code=code.code, ballot=over)
    world.session.rollback()
    assert ballots(world.session) == 0
    # The code was not spent by the refused ballot: the household can still vote within budget.
    cast_ballot_with_code(world.session, code=code.code, ballot=BallotChoice(approvals=(a,)))
    assert ballots(world.session) == 1


def test_a_ballot_at_the_budget_is_cast_and_its_receipt_shows_it(world: World) -> None:
    round_id, (a, _, c) = knapsack_round(world)
    receipt = cast_ballot(
        world.session,
        world.viewer("resident_a1"),
        round_id=round_id,
        ballot=BallotChoice(approvals=(a, c)),  # 6,000 + 4,000 = the budget exactly
    )
    assert ballots(world.session) == 1
    check = check_receipt(world.session, receipt_code=receipt)
    assert (check.round_id, sorted(pid for pid, _, _ in check.entries)) == (round_id, [a, c])
    assert all(points is None and rank is None for _, points, rank in check.entries)


def _vote(world: World, round_id: int, a: int, b: int, c: int) -> None:
    """Online, two residents choose A and C (10,000: the budget); on paper, two sheets choose B
    alone and one C alone."""
    for name in ("resident_a1", "resident_a2"):
        cast_ballot(
            world.session,
            world.viewer(name),
            round_id=round_id,
            ballot=BallotChoice(approvals=(a, c)),
        )
    for sheet, approvals in (("K-1", (b,)), ("K-2", (b,)), ("K-3", (c,))):
        paper_ballot(
            world, round_id=round_id, sheet_number=sheet, ballot=BallotChoice(approvals=approvals)
        )


EXPORTED = [["A", "C"], ["A", "C"], ["B"], ["B"], ["C"]]


@pytest.mark.parametrize(
    ("rule", "selected"),
    [
        # by approvals: C (3) then A (2), 10,000 together; B (2, 5,000) no longer fits
        ("greedy", {"A: lights", "C: garden"}),
        # each of the five voters holds 2,000: C's three voters buy it (1,333.33 each); A's two
        # then hold 1,333.33 for 6,000 and B's two 4,000 for 5,000
        ("mes", {"C: garden"}),
    ],
)
def test_knapsack_ballots_are_counted_as_approval(
    world: World, rule: str, selected: set[str]
) -> None:
    round_id, (a, b, c) = knapsack_round(world, rule=rule)
    _vote(world, round_id, a, b, c)
    advance_round(world.session, world.viewer("chair_a"), round_id=round_id)  # voting closes
    count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    result = round_result(world.session, world.viewer("chair_a"), round_id=round_id)
    assert result is not None and result.ballots_counted == 5
    assert {line.title for line in result.lines if line.selected} == selected
    support = {line.title: (line.support, line.score) for line in result.lines}
    assert support == {"A: lights": (2, 2), "B: benches": (2, 2), "C: garden": (3, 3)}


def test_the_pabulib_export_says_approval_with_the_budget_as_max_sum_cost(
    world: World, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    round_id, (a, b, c) = knapsack_round(world, rule="mes")
    _vote(world, round_id, a, b, c)
    text = export_ballots(world.session, world.viewer("chair_a"), round_id=round_id)
    assert "vote_type;approval\n" in text and f"max_sum_cost;{BUDGET_FEN}\n" in text
    path = tmp_path / "knapsack.pb"
    path.write_text(text, encoding="utf-8")
    election = read_pb(path)
    assert election.profile.vote_type == "approval"
    assert election.profile.constraints.max_sum_cost == BUDGET_FEN
    assert election.instance.budget == BUDGET_FEN
    names = {str(a): "A", str(b): "B", str(c): "C"}
    exported = sorted(
        sorted(names[p] for p in ballot.projects) for ballot in election.profile.ballots
    )
    assert exported == EXPORTED
    for ballot in election.profile.ballots:  # every exported ballot keeps the file's own limit
        validate_ballot(election.instance, election.profile, ballot)
    # anyone recounting the file with the round's rule finds the round's result
    recount = tally(election.instance, election.profile, "mes", "id")
    assert set(recount.selected) == {str(c)}


def test_other_ballots_export_their_limits_too(world: World) -> None:
    round_id, ids = voting_round(world, ballot_kind="cumulative", max_sum_points=5, max_points=3)
    cast_ballot(
        world.session,
        world.viewer("resident_a1"),
        round_id=round_id,
        ballot=BallotChoice(points={ids[0]: 3, ids[1]: 2}),
    )
    text = export_ballots(world.session, world.viewer("chair_a"), round_id=round_id)
    assert "max_points;3\n" in text and "max_sum_points;5\n" in text
    assert "max_sum_cost" not in text


def test_a_knapsack_round_needs_a_budget_and_no_points(world: World) -> None:
    config = dict(
        name="k",
        year=2026,
        fund_id=world.fund_a,
        place_id=world.community_a,
        budget="100",
        ballot_kind="knapsack",
    )
    with pytest.raises(InvalidInput) as raised:
        create_round(
            world.session,
            world.viewer("chair_a"),
            config=RoundSettings(**{**config, "budget": "0"}),  # type: ignore[arg-type]
        )
    assert raised.value.code == "amount_not_positive"  # nothing would fit
    assert list_rounds(world.session) == []
    create_round(world.session, world.viewer("chair_a"), config=RoundSettings(**config))  # type: ignore[arg-type]
    assert [r.ballot_kind for r in list_rounds(world.session)] == ["knapsack"]


def test_every_ballot_refusal_has_a_message_in_both_languages() -> None:
    for locale in i18n.LOCALES:
        catalogue = i18n.catalogue(locale)
        assert all(f"error.{code}" in catalogue for code in BALLOT_CODES.values())


KNAPSACK_FILE = """META
key;value
description;Knapsack PB
budget;100.50
vote_type;approval
max_sum_cost;100.50
PROJECTS
project_id;cost;name
p1;60.25;Benches
p2;40;Lamps
p3;30;Garden
VOTES
voter_id;vote
1;p1,p2
2;p2,p3
3;p3
"""


def test_an_approval_file_capped_at_its_budget_is_imported_as_a_knapsack_round(
    world: World,
) -> None:
    imported = import_election(
        world.session,
        world.viewer("chair_a"),
        data=KNAPSACK_FILE.encode(),
        filename="knapsack.pb",
        place_id=world.community_a,
        fund_id=world.fund_a,
        rule="greedy",
    )
    assert (imported.ballot_kind, imported.ballots) == ("knapsack", 3)
    text = export_ballots(world.session, world.viewer("chair_a"), round_id=imported.round_id)
    assert "budget;10050\n" in text and "max_sum_cost;10050\n" in text  # in fen, as stored
    with pytest.raises(InvalidInput) as raised:  # any other cost limit is still refused
        import_election(
            world.session,
            world.viewer("chair_a"),
            data=KNAPSACK_FILE.replace("max_sum_cost;100.50", "max_sum_cost;100").encode(),
            filename="capped.pb",
            place_id=world.community_a,
            fund_id=world.fund_a,
        )
    assert raised.value.params == {"constraint": "max_sum_cost"}
