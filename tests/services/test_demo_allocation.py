"""The demo's published allocation, on both databases: the suggestion and the two adjustments
are the hand-computed figures of demo/allocation.py, and anyone may read it."""

from fractions import Fraction

from sqlmodel import Session

from demo.allocation import ADJUSTMENTS
from services.allocation import allocation_page
from services.permissions import ANONYMOUS
from services.verify import check_books


def test_the_demos_allocation_is_the_hand_computed_split(demo_session: Session) -> None:
    page = allocation_page(demo_session, ANONYMOUS)
    plan = page.plan
    assert plan is not None and len(page.plans) == 1
    assert (plan.street, plan.year, plan.status) == ("古美路街道", 2026, "published")
    assert (plan.drafted_by, plan.published_by) == ("系统管理员", "赵磊")
    split = plan.split
    assert (split.floor_pool, split.need_pool, split.performance_pool) == (
        12_000_000,
        10_800_000,
        7_200_000,
    )
    assert split.need_totals == (2360, 3, 100)
    names = [line.community for line in plan.lines]
    assert names == ["万源社区", "古龙社区", "平阳社区"]
    assert [line.part.need_share for line in plan.lines] == [
        Fraction(2112, 17700),
        Fraction(5021, 17700),
        Fraction(10567, 17700),
    ]
    assert [line.part.performance_share for line in plan.lines] == [0, 0, 1]
    assert [line.part.amount_fen for line in plan.lines] == [5_288_678, 7_063_661, 17_647_661]
    assert [line.amount_fen for line in plan.lines] == [6_000_000, 8_000_000, 16_000_000]
    assert [(a.community, a.after_fen, a.counterpart_after_fen) for a in plan.adjustments] == [
        ("万源社区", 6_000_000, 16_936_339),
        ("古龙社区", 8_000_000, 16_000_000),
    ]
    assert [a.reason for a in plan.adjustments] == [reason for *_, reason in ADJUSTMENTS]
    assert not plan.can_adjust and not plan.can_publish
    assert check_books(demo_session).ok
