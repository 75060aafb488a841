"""The count stores every project's performance measures with the tally (SQLite and
PostgreSQL), and the result reads them back."""

from fractions import Fraction

from services.tally import count_votes, round_result
from tests.services.test_rounds import closed_equal_shares_round
from tests.world import World


def test_count_votes_stores_each_projects_measures(world: World) -> None:
    round_id, (a, b, c) = closed_equal_shares_round(world)
    count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    world.session.expire_all()  # read what the store holds, not what this session cached
    result = round_result(world.session, world.viewer("chair_a"), round_id=round_id)
    assert result is not None and result.measures is not None
    measures = {m.project: m for m in result.measures.projects}
    assert set(measures) == {str(a), str(b), str(c)}
    # Each voter holds 5,000 yuan. A (6,000) would have won at 5,000: then A, B and C all cost
    # their one supporter one yuan per yuan of utility, and A wins the tie by its lower id;
    # or with one more voter for A alone (two supporters with 6,666.67 between them).
    assert measures[str(a)].max_cost == Fraction(500_000)
    assert measures[str(a)].extra_supporters == 1
    # B won by the tie-break at its own cost and no dearer: its margin is nothing
    assert measures[str(b)].selected and measures[str(b)].max_cost == Fraction(500_000)
    # C loses that tie at any cost, so no cost would do; one more voter for C would
    assert measures[str(c)].max_cost is None and measures[str(c)].extra_supporters == 1
