"""Demo content for next year's support (services.allocation): 古美路街道's 2026 seed money,
300,000 yuan, drafted by the administrator with a 40 % floor and 60 % of the rest by need,
adjusted twice by the street's reviewer and published by him.

Need figures: households 万源 420, 古龙 970 (420 + 550), 平阳 970; open needs 0, 0, 3 (平阳一村's
three); estates built 万源城御溪 2008, 古龙三村 1982 / 古龙五村 1990, 平阳一村 1988 / 平阳二村 1995,
so ages in 2026 (the oldest estate) 18, 44, 38. Σ = 2,360 households, 3 needs, 100 years.
Performance (2025): only 平阳 had projects, so it takes the whole performance pool.

Pools: floor 120,000 (40,000 each), need 108,000, performance 72,000 yuan.
need 万源 = (420/2360 + 0/3 + 18/100) ÷ 3 = 2112/17700  → 108,000 × that = 12,886.779661…
need 古龙 = (970/2360 + 0/3 + 44/100) ÷ 3 = 5021/17700  → 30,636.610169…
need 平阳 = (970/2360 + 3/3 + 38/100) ÷ 3 = 10567/17700 → 64,476.610169…
Suggested: 万源 52,886.78 (the odd fen: remainder 0.966…), 古龙 70,636.61,
平阳 40,000 + 64,476.61 + 72,000 = 176,476.61; 300,000.00 in all.
Adjusted: 万源 to 60,000.00 from 平阳 (−7,113.22), then 古龙 to 80,000.00 from 平阳
(−9,363.39): 万源 60,000, 古龙 80,000, 平阳 160,000 yuan.
"""

from sqlmodel import Session

from services import allocation, places
from services.permissions import Viewer

__all__ = ["ADJUSTMENTS", "BUILT", "TOTAL_YUAN", "add_demo_allocation"]

TOTAL_YUAN = "300000"
FLOOR_PERCENT, NEED_PERCENT = 40, 60
YEAR = 2026
BUILT = {"平阳一村": 1988, "平阳二村": 1995, "古龙三村": 1982, "古龙五村": 1990, "万源城御溪": 2008}
ADJUSTMENTS = (
    (
        "万源社区",
        "60000",
        "平阳社区",
        "万源社区今年首次开展居民提案，户数虽少但参与积极，评审会同意增加支持，帮助项目落地和维护。",
    ),
    (
        "古龙社区",
        "80000",
        "平阳社区",
        "古龙社区从未申请过项目，而古龙三村建于1982年、设施老化：增加部分用于委托社会组织开展提案培育。",
    ),
)


def add_demo_allocation(
    session: Session,
    admin: Viewer,
    reviewer: Viewer,
    street_id: int,
    communities: dict[str, int],
    compounds: dict[str, int],
) -> int:
    """The administrator drafts; the reviewer adjusts and publishes. Returns the plan."""
    for compound, year in BUILT.items():
        places.record_built_year(session, admin, place_id=compounds[compound], built_year=year)
    plan_id = allocation.draft_allocation_plan(
        session,
        admin,
        street_id=street_id,
        year=YEAR,
        total=TOTAL_YUAN,
        floor_percent=FLOOR_PERCENT,
        need_percent=NEED_PERCENT,
    )
    for community, amount, counterpart, reason in ADJUSTMENTS:
        allocation.adjust_allocation(
            session,
            reviewer,
            plan_id=plan_id,
            community_id=communities[community],
            amount=amount,
            counterpart_id=communities[counterpart],
            reason=reason,
        )
    allocation.publish_allocation(session, reviewer, plan_id=plan_id)
    return plan_id
