"""The points screen on the demo: a resident's balance and history, redemption (refused in
words when the balance is short), and the clerk's form for volunteering."""

import os

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import PointsItem, make_engine
from services.points import points_balance
from tests.pages.test_screens import open_page, texts


def _item_ids() -> dict[str, int]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = {item.name: item.id for item in session.exec(select(PointsItem))}
    engine.dispose()
    return found  # type: ignore[return-value]


def _balance(person_id: int) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        balance = points_balance(session, person_id=person_id)
    engine.dispose()
    return balance


def _metric(at: AppTest) -> str:
    return str(at.metric[0].value)


def test_a_resident_sees_the_balance_and_redeems(demo_db: dict[str, int]) -> None:
    items = _item_ids()
    at = open_page("points", demo_db["resident"])
    assert not at.exception and _metric(at) == "45 积分"
    shown = texts(at)
    assert "理发一次（平阳理发店）" in shown and "志愿服务 · " in shown and "4 小时" in shown
    assert "原价 ¥39.50" in shown  # the merchant's rice, below its list price
    assert not at.dataframe  # a list for phones, not a grid
    at.button(key=f"redeem_{items['食用油1.8升']}").click().run()
    assert [e.value for e in at.error] == ["积分不足：余额 45，需要 60。"]
    assert _balance(demo_db["resident"]) == 45
    at.button(key=f"redeem_{items['社区活动室使用两小时']}").click().run()
    assert not at.error and _balance(demo_db["resident"]) == 25
    assert _metric(open_page("points", demo_db["resident"])) == "25 积分"


def test_a_clerk_records_volunteering(demo_db: dict[str, int]) -> None:
    at = open_page("points", demo_db["clerk"])
    at.selectbox(key="volunteer_person").set_value(demo_db["resident"])
    at.number_input(key="volunteer_hours").set_value(2)
    at.text_input(key="volunteer_activity").input("敬老院陪聊")
    at.button(key="FormSubmitter:record_volunteering-登记").click().run()
    assert not at.exception and not at.error
    assert _balance(demo_db["resident"]) == 65  # 45 + 2 hours at 10 points


def test_a_visitor_sees_the_catalogue_but_cannot_redeem(demo_db: dict[str, int]) -> None:
    at = open_page("points", None)
    assert "登录后查看您的积分。" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("redeem_")]
    assert "大米5公斤" in texts(at)
