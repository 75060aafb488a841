"""The needs board on the demo: each ordered need shows its order (who took it, whom it served);
the chair orders an open need and the clerk records the organisation's steps, on cards."""

import os

from sqlmodel import Session, select

from models import Need, ServiceOrder, SocialOrganisation, make_engine
from tests.pages.test_screens import open_page, texts


def _ids() -> tuple[dict[str, int], dict[str, int]]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        needs = {n.title: n.id for n in session.exec(select(Need))}
        organisations = {o.name: o.id for o in session.exec(select(SocialOrganisation))}
    engine.dispose()
    return needs, organisations  # type: ignore[return-value]


def _order_of(need_id: int) -> ServiceOrder:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        order = session.exec(select(ServiceOrder).where(ServiceOrder.need_id == need_id)).one()
    engine.dispose()
    return order


def test_a_visitor_sees_the_orders_on_the_board(demo_db: dict[str, int]) -> None:
    at = open_page("needs", None)
    shown = texts(at)
    assert "订单：已完成并报告 · 闵行区古美乐龄社会工作服务社" in shown
    assert "订单：已交付 · 古美街道青少年成长服务中心" in shown
    assert "订单：待接单" in shown
    assert "23" in [str(m.value) for m in at.metric]
    assert not at.dataframe  # cards for phones, not a grid
    assert not [b for b in at.button if b.key and "order" in b.key]


def test_the_chair_orders_and_the_clerk_records_the_steps(demo_db: dict[str, int]) -> None:
    needs, organisations = _ids()
    need = needs["健身器材年久失修"]
    chair = open_page("needs", demo_db["chair"])
    chair.button(key=f"place_order_{need}").click().run()
    assert not chair.exception and not chair.error
    order = _order_of(need)
    assert order.status == "open"
    clerk = open_page("needs", demo_db["clerk"])
    assert not [b for b in clerk.button if b.key == f"place_order_{need}"]
    clerk.selectbox(key=f"order_organisation_{order.id}").set_value(
        organisations["闵行区古美乐龄社会工作服务社"]
    )
    clerk.button(key=f"take_order_{order.id}").click().run()
    clerk.button(key=f"deliver_order_{order.id}").click().run()
    clerk.number_input(key=f"order_served_{order.id}").set_value(40)
    clerk.text_area(key=f"order_report_{order.id}").input("两台器材已修好，每天约40位老人锻炼")
    clerk.button(key=f"FormSubmitter:report_order_{order.id}-提交报告").click().run()
    assert not clerk.exception and not clerk.error
    done = _order_of(need)
    assert (done.status, done.beneficiaries_served) == ("reported", 40)
    assert "两台器材已修好，每天约40位老人锻炼" in [t.value for t in open_page("needs", None).text]


def test_an_order_is_withdrawn_with_a_public_reason(demo_db: dict[str, int]) -> None:
    needs, _ = _ids()
    need = needs["老人不会用智能手机挂号、付款"]
    order = _order_of(need)
    chair = open_page("needs", demo_db["chair"])
    chair.text_input(key=f"order_withdraw_reason_{order.id}").input("街道老年大学已开课")
    chair.button(key=f"withdraw_order_{order.id}").click().run()
    assert not chair.exception and not chair.error
    assert _order_of(need).status == "withdrawn"
    assert "已撤回：街道老年大学已开课" in texts(open_page("needs", None))
