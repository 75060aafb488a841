"""The demo's donors, campaigns and revenue: the figures hand-computed in demo/donors.py are
the ones the screens show (leverage from money received, money by source), on both databases."""

from sqlmodel import Session

from services import campaigns, reviews
from services.accounts import DEMO_PASSWORD, sign_in_local
from services.donors import my_gifts
from services.permissions import ANONYMOUS
from services.verify import check_books
from ui.i18n import format_money, format_percent


def test_the_demos_leverage_and_money_by_source_are_the_hand_computed_figures(
    demo_session: Session,
) -> None:
    this_year, last_year = reviews.list_review_sessions(demo_session, ANONYMOUS)
    assert this_year.is_open and not last_year.is_open
    review_session = last_year
    board = reviews.review_board(demo_session, ANONYMOUS, review_session.id)
    shown = {
        p.title: (p.seed_fen, p.received_fen, p.co_funding_fen, reviews.one_decimal(p.leverage))
        for p in board.projects
    }
    assert shown == {
        "楼道声控灯改造": (1_236_000, 300_000, 300_000, "0.2"),
        "老年助餐点桌椅更新": (2_200_000, 125_000, 160_000, "0.1"),
        "垂直绿化墙": (1_750_000, 0, 200_000, "0.0"),  # pledged, never received
        "社区共享工具屋": (800_000, 80_000, 100_000, "0.1"),
    }  # not 万源社区's 2026 projects (demo/indicators.py): a 2025 session reviews 2025's and before
    street = board.indicators
    assert (street.received_fen, street.seed_fen) == (505_000, 5_986_000)
    assert reviews.one_decimal(street.leverage) == "0.1"

    sources = {s.name: s for s in campaigns.money_by_source(demo_session)}["平阳社区微基金"]
    assert {k: format_money(v, "zh-CN") for k, v in sources.by_source.items()} == {
        "government": "¥90,000.00",
        "residents": "¥23,600.00",
        "units": "¥50,000.00",
        "charity": "¥70,000.00",
        "companies": "¥31,000.00",
        "revenue": "¥69,000.00",
    }
    assert (sources.total_fen, sources.non_government_fen) == (33_360_000, 24_360_000)
    assert format_percent(sources.non_government_share) == "73.0%"

    progress = {
        c.title: (c.raised_fen, c.target_fen, c.gifts, c.state)
        for c in campaigns.campaigns(demo_session)
    }
    assert progress == {
        "80个坐垫暖老人": (240_000, 320_000, 60, "open"),
        "共享工具屋居民众筹": (80_000, 100_000, 20, "open"),
        "长者食堂适老化改造": (11_000_000, 11_000_000, 5, "closed"),
    }
    resident = sign_in_local(demo_session, username="resident", password=DEMO_PASSWORD).viewer
    gifts = [(s.gift.amount_fen, s.gift.designation) for s in my_gifts(demo_session, resident)]
    assert gifts == [(5_000, "campaign"), (20_000, "proposal"), (10_000, "general")]
    result = check_books(demo_session)
    assert result.ok, [str(problem) for problem in result.problems]
