"""The demo's volunteer points (积分) in 平阳社区, through the services as the clerk, the chair
and the residents would use them. The balances they leave are worked out by hand in
``BALANCES`` (the points screen must show exactly these; tests/pages/test_points_demo.py)."""

from sqlmodel import Session

from services import points
from services.permissions import Viewer

RATE = 10  # points an hour of volunteering, set by the committee
SHARE_FEN_PER_POINT = 10  # as a share of donation, 10 points count as 1 yuan

# (voter, hours, activity), recorded by the clerk at 10 points an hour.
VOLUNTEERING = (
    (0, 3, "为独居老人送午餐"),
    (0, 4, "垃圾分类桶边值守"),
    (1, 2, "楼道清洁"),
    (3, 6, "社区义诊排队引导"),
    (2, 8, "暑期爱心托管班看护"),
    (2, 5, "助老餐送餐"),  # keyed as 5 hours; she did 3 (corrected below)
)
CORRECTION = (5, 3, "登记有误：实际送餐3小时")  # (the VOLUNTEERING line, hours, reason)
CATALOGUE = (  # (name, merchant, points, list price in yuan)
    ("社区活动室使用两小时", "", 20, None),
    ("大米5公斤", "联华超市平阳店", 50, "39.50"),
    ("食用油1.8升", "联华超市平阳店", 60, "32.90"),
    ("理发一次", "平阳理发店", 25, "25"),
)
REDEMPTIONS = ((0, "理发一次"), (3, "大米5公斤"))
SHARES = ((2, 50, "支持老年助餐点"),)  # (voter, points, note) given to the community fund

# By hand: 0: 30 + 40 - 25 = 45; 1: 20; 2: 80 + 50 - 20 (correction) - 50 (share) = 60;
# 3: 60 - 50 = 10. The share counts as 50 x 10 fen = 5 yuan of labour contribution.
BALANCES = {0: 45, 1: 20, 2: 60, 3: 10}
SHARE_VALUE_FEN = 500


def add_demo_points(
    session: Session,
    chair: Viewer,
    clerk: Viewer,
    voters: list[Viewer],
    pingyang: int,
    fund_id: int,
) -> None:
    """The committee's rule and share rate, hours recorded by the clerk (one corrected), the
    catalogue with two merchants of the merchant alliance, two redemptions and one share."""
    points.set_points_rule(session, chair, place_id=pingyang, points_per_hour=RATE)
    points.set_points_share_rate(
        session, chair, place_id=pingyang, fen_per_point=SHARE_FEN_PER_POINT
    )
    entries = []
    for voter, hours, activity in VOLUNTEERING:
        volunteer = voters[voter].person_id
        if volunteer is None:
            raise RuntimeError("the demo's residents are people")
        entries.append(
            points.record_volunteering(
                session,
                clerk,
                person_id=volunteer,
                place_id=pingyang,
                hours=hours,
                activity=activity,
            )
        )
    line, hours, reason = CORRECTION
    points.correct_volunteering(session, clerk, entry_id=entries[line], hours=hours, reason=reason)
    items = {
        name: points.add_catalogue_item(
            session,
            clerk,
            place_id=pingyang,
            name=name,
            merchant=merchant,
            points_cost=cost,
            list_price=price,
        )
        for name, merchant, cost, price in CATALOGUE
    }
    for voter, name in REDEMPTIONS:
        points.redeem_points(session, voters[voter], item_id=items[name])
    for voter, given, note in SHARES:
        points.donate_points(session, voters[voter], fund_id=fund_id, points=given, note=note)
