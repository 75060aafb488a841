"""The demo's orders for social organisations (群众点单—社区下单—社会组织接单) in 平阳社区:
residents post needs, the chair orders them, organisations registered at the street take them,
and the clerk records their delivery and report for them. One order is reported on, one is
delivered and waits for its report, one waits for an organisation; one more need is still open,
for the chair to order."""

from sqlmodel import Session

from services import needs, orders
from services.permissions import Viewer

ORGANISATIONS = (  # (name, registration number, contact)
    ("闵行区古美乐龄社会工作服务社", "52310112MJ4961058K", "陈社工 021-6412 3308"),
    ("古美街道青少年成长服务中心", "52310112MJ5023749P", "李老师 139 1612 0457"),
)
# (title, description, category, supporters, organisation or None, report or None), where a
# report is (beneficiaries served, text); an organisation without a report has delivered.
ORDERS = (
    (
        "独居老人午餐送上门",
        "平阳一村有二十多位独居、高龄老人，腿脚不便，去助餐点吃饭很难。",
        "elderly_care",
        9,
        0,
        (23, "5月每周一至周五为23位独居和高龄老人送午餐上门，共送餐460份，每周回访一次。"),
    ),
    (
        "双职工家庭孩子放学后没人辅导作业",
        "下午放学到家长下班之间，孩子们只能在小区里游荡。",
        "children",
        7,
        1,
        None,
    ),
    (
        "老人不会用智能手机挂号、付款",
        "希望有人教老人用手机预约挂号、扫码付款、视频通话。",
        "services",
        5,
        None,
        None,
    ),
)

# (title, description, category, supporters): posted, not ordered yet.
OPEN_NEED = (
    "健身器材年久失修",
    "楼前的健身器材有两台已经松动，老人锻炼时不安全。",
    "public_facilities",
    4,
)


def add_demo_orders(
    session: Session,
    admin: Viewer,
    chair: Viewer,
    clerk: Viewer,
    residents: list[Viewer],
    compound: int,
    street: int,
) -> None:
    """``residents`` live in ``compound``, where the needs are posted (the first posts them)."""
    organisation_ids = [
        orders.register_social_organisation(
            session, admin, place_id=street, name=name, registration_no=number, contact=contact
        )
        for name, number, contact in ORGANISATIONS
    ]
    for title, description, category, supporters, taker, report in ORDERS:
        need_id = _posted(session, residents, compound, title, description, category, supporters)
        order_id = orders.place_order(session, chair, need_id=need_id)
        if taker is None:
            continue
        orders.take_order(
            session, clerk, order_id=order_id, organisation_id=organisation_ids[taker]
        )
        orders.deliver_order(session, clerk, order_id=order_id)
        if report is not None:
            served, text = report
            orders.report_order(
                session, clerk, order_id=order_id, beneficiaries_served=served, report=text
            )
    _posted(session, residents, compound, *OPEN_NEED)


def _posted(
    session: Session,
    residents: list[Viewer],
    compound: int,
    title: str,
    description: str,
    category: str,
    supporters: int,
) -> int:
    need_id = needs.post_need(
        session,
        residents[0],
        place_id=compound,
        title=title,
        description=description,
        category=category,
    )
    for neighbour in residents[1 : 1 + supporters]:
        needs.support_need(session, neighbour, need_id=need_id)
    return need_id
