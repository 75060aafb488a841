"""The demo street's donors, campaigns and revenue (issue 11, parts 3 and 6), entered through
the services as the treasurer, the chair and the clerk would.

Hand-computed figures (tests/services/test_demo_donors.py checks them on the screens' data):

- 2025 projects, seed money allocated / other money received (designated gifts) / pledged:
  楼道声控灯改造 12,360 / 3,000 (the property manager) / 3,000, leverage 0.2;
  老年助餐点桌椅更新 22,000 (14,000 from 平阳's fund, 8,000 from the alliance's joint fund,
  demo/alliances.py) / 1,250 (王秀兰 200, the diners 1,050) / 1,600, leverage 0.06, shown 0.1;
  垂直绿化墙 17,500 / 0 (the bank's pledge never came) / 2,000, leverage 0.0;
  社区共享工具屋 8,000 / 800 (its campaign, 20 x 40) / 1,000, leverage 0.1;
  the street: 5,050 / 59,860 = 0.084..., shown 0.1.
- 平阳社区微基金 by source (yuan): government 90,000; residents 23,600; units 50,000; charity
  70,000; companies 31,000; own revenue 69,000; total 333,600, of which 243,600 (73.0%) does
  not come from government.
- Campaigns: 80 cushions for the elderly activity room, 2,400 of 3,200 from 60 gifts of 30-50
  yuan, open; the canteen's refit, 110,000 raised in a month and closed; the tool shed, 800 of
  1,000.
"""

from datetime import date, timedelta

from sqlmodel import Session

from models.clock import today
from services import campaigns, ledger, needs
from services.permissions import Viewer

CUSHION_GIFTS = (50, 30, 40)  # yuan, in turn: 60 gifts, 20 of each
CANTEEN_GIFTS = (  # (donor, kind, yuan, days before the campaign closed)
    ("中国银行古美支行", "co_building_unit", 30000, 28),
    ("闵行区慈善基金会古美分会", "charity", 40000, 21),
    ("平阳一村物业服务中心", "company", 20000, 14),
    ("联华超市平阳店", "company", 8000, 9),
    ("平阳社区居民（募捐箱）", "resident", 12000, 2),
)
REVENUE = (  # (asset, kind, description, [(yuan, purpose, days ago)])
    (
        "平阳一村阶梯停车",
        "parking",
        "120个地面车位，首车低价、第二辆起阶梯收费",
        [(8000, "9月停车费", 70), (8000, "10月停车费", 40), (8000, "11月停车费", 10)],
    ),
    (
        "社区长者食堂",
        "canteen",
        "对外开放的午餐档口，结余进入社区基金",
        [(3500, "10月食堂结余", 40), (3500, "11月食堂结余", 10)],
    ),
    (
        "集装箱便民商铺（6间）",
        "container_shop",
        "修鞋、配钥匙、裁缝等6间集装箱商铺",
        [(18000, "第四季度租金", 20)],
    ),
)


def add_demo_donors(
    session: Session,
    *,
    chair: Viewer,
    treasurer: Viewer,
    clerk: Viewer,
    fund_id: int,
    compound_id: int,
    voters: list[Viewer],
    projects: list[int],
) -> None:
    """``projects``: the 2025 winners in the order they were selected (lamps, dining tables,
    green wall, tool shed); ``voters[0]`` is the demo's ``resident`` account."""
    lamps, tables, _green_wall, tool_shed = projects[:4]
    resident = voters[0]
    # Designated gifts to last year's projects: the pledges that came in, and one that did not.
    ledger.record_donation(
        session,
        treasurer,
        fund_id=fund_id,
        amount="3000",
        donor="平阳一村物业服务中心",
        donor_kind="company",
        purpose="楼道声控灯配套资金",
        proposal_id=lamps,
        occurred_on=date(2025, 8, 10),
    )
    ledger.record_donation(
        session,
        clerk,
        fund_id=fund_id,
        amount="200",
        donor=resident.display_name,
        donor_person_id=resident.person_id,
        donor_kind="resident",
        purpose="助餐点桌椅",
        proposal_id=tables,
        occurred_on=date(2025, 9, 1),
    )
    ledger.record_donation(
        session,
        clerk,
        fund_id=fund_id,
        amount="1050",
        donor="助餐点老人自筹（21人）",
        donor_kind="resident",
        purpose="助餐点桌椅",
        proposal_id=tables,
        occurred_on=date(2025, 9, 3),
    )
    _campaigns(session, chair, treasurer, clerk, fund_id, compound_id, voters, tool_shed)
    _revenue(session, treasurer, fund_id)


def _campaigns(
    session: Session,
    chair: Viewer,
    treasurer: Viewer,
    clerk: Viewer,
    fund_id: int,
    compound_id: int,
    voters: list[Viewer],
    tool_shed: int,
) -> None:
    now = today()
    shed = campaigns.open_campaign(
        session,
        treasurer,
        fund_id=fund_id,
        title="共享工具屋居民众筹",
        description="工具屋的居民配套部分：每户40元，买齐常用工具。",
        target="1000",
        deadline=now + timedelta(days=25),
        proposal_id=tool_shed,
    )
    for index, voter in enumerate(voters[1:21]):
        ledger.record_donation(
            session,
            clerk,
            fund_id=fund_id,
            amount="40",
            donor=voter.display_name,
            donor_person_id=voter.person_id,
            donor_kind="resident",
            purpose="共享工具屋众筹",
            campaign_id=shed,
            occurred_on=now - timedelta(days=index % 10),
        )
    need = needs.post_need(
        session,
        voters[0],
        place_id=compound_id,
        title="老年活动室缺坐垫",
        description="活动室的塑料凳冬天太凉，希望配80个坐垫。",
        category="elderly_care",
    )
    cushions = campaigns.open_campaign(
        session,
        chair,
        fund_id=fund_id,
        title="80个坐垫暖老人",
        description="为老年活动室众筹80个坐垫，每个约40元，30到50元都欢迎。",
        target="3200",
        deadline=now + timedelta(days=20),
        need_id=need,
    )
    for index in range(60):  # the demo's resident first, then their neighbours in turn
        voter = voters[0] if index == 0 else voters[1 + (index - 1) % (len(voters) - 1)]
        ledger.record_donation(
            session,
            clerk,
            fund_id=fund_id,
            amount=str(CUSHION_GIFTS[index % 3]),
            donor=voter.display_name,
            donor_person_id=voter.person_id,
            donor_kind="resident",
            purpose="坐垫众筹",
            campaign_id=cushions,
            occurred_on=now - timedelta(days=index % 7),
        )
    canteen_need = needs.post_need(
        session,
        voters[0],
        place_id=compound_id,
        title="长者食堂需要适老化改造",
        description="防滑地面、扶手和低位取餐台。",
        category="elderly_care",
    )
    canteen = campaigns.open_campaign(
        session,
        chair,
        fund_id=fund_id,
        title="长者食堂适老化改造",
        description="一个月内筹集11万元，用于防滑地面、扶手和低位取餐台。",
        target="110000",
        deadline=now,
        need_id=canteen_need,
    )
    for donor, kind, amount, days in CANTEEN_GIFTS:
        ledger.record_donation(
            session,
            treasurer,
            fund_id=fund_id,
            amount=str(amount),
            donor=donor,
            donor_kind=kind,
            purpose="长者食堂适老化改造众筹",
            campaign_id=canteen,
            occurred_on=now - timedelta(days=days),
        )
    campaigns.close_campaign(session, chair, campaign_id=canteen)  # the target was reached


def _revenue(session: Session, treasurer: Viewer, fund_id: int) -> None:
    now = today()
    for name, kind, description, incomes in REVENUE:
        asset = campaigns.register_revenue_asset(
            session, treasurer, fund_id=fund_id, name=name, kind=kind, description=description
        )
        for amount, purpose, days in incomes:
            campaigns.record_revenue(
                session,
                treasurer,
                asset_id=asset,
                amount=str(amount),
                purpose=purpose,
                occurred_on=now - timedelta(days=days),
            )
