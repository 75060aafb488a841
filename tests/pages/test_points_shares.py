"""The points screen on the demo: each volunteer's balance is the figure worked out by hand in
demo/points.py; a resident gives points as a share of donation; a clerk's correction shows in
the resident's history next to the entry it corrects."""

import os

from sqlmodel import Session, col, select

from demo.points import BALANCES
from demo.street import RESIDENT_NAMES
from models import Contribution, Person, PointsEntry, make_engine
from services.points import points_balance
from tests.pages.test_screens import open_page, texts


def _people(names: list[str]) -> list[int]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = {p.display_name: p.id for p in session.exec(select(Person))}
    engine.dispose()
    return [found[name] for name in names]  # type: ignore[misc]


def _balance(person_id: int) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        balance = points_balance(session, person_id=person_id)
    engine.dispose()
    return balance


def test_every_demo_volunteer_sees_the_hand_computed_balance(demo_db: dict[str, int]) -> None:
    people = _people([RESIDENT_NAMES[voter] for voter in BALANCES])
    shown = {
        voter: str(open_page("points", person).metric[0].value)
        for voter, person in zip(BALANCES, people, strict=True)
    }
    assert shown == {voter: f"{balance} 积分" for voter, balance in BALANCES.items()}


def test_the_corrected_volunteer_sees_the_correction_and_the_share(demo_db: dict[str, int]) -> None:
    (third,) = _people([RESIDENT_NAMES[2]])
    shown = texts(open_page("points", third))
    assert "**-20** · 登记有误：实际送餐3小时" in shown
    assert "调整 · " in shown and "更正 " in shown
    assert "**-50** · 平阳社区微基金" in shown and "捐赠份额 · " in shown


def test_a_resident_gives_points_to_the_fund(demo_db: dict[str, int]) -> None:
    resident = demo_db["resident"]
    at = open_page("points", resident)
    at.number_input(key="share_points").set_value(30)
    at.text_input(key="share_note").input("给助餐点添桌椅")
    at.button(key="FormSubmitter:points_share-捐出").click().run()
    assert not at.exception and not at.error
    assert _balance(resident) == 15
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        gift = session.exec(select(Contribution).order_by(col(Contribution.id).desc())).first()
    engine.dispose()
    assert gift is not None
    assert (gift.person_id, gift.estimated_value_fen, gift.description) == (
        resident,
        300,
        "给助餐点添桌椅",
    )
    assert str(open_page("points", resident).metric[0].value) == "15 积分"


def test_a_clerk_corrects_an_entry(demo_db: dict[str, int]) -> None:
    resident = demo_db["resident"]
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        first = session.exec(
            select(PointsEntry.id).where(PointsEntry.description == "为独居老人送午餐")
        ).one()
    engine.dispose()
    at = open_page("points", demo_db["clerk"])
    at.selectbox(key="correct_entry").set_value(first)
    at.number_input(key="correct_hours").set_value(2)
    at.text_input(key="correct_reason").input("实际2小时")
    at.button(key="FormSubmitter:points_correct-登记更正").click().run()
    assert not at.exception and not at.error
    assert _balance(resident) == 35  # 45 less one hour at 10 points
    assert "**-10** · 实际2小时" in texts(open_page("points", resident))
