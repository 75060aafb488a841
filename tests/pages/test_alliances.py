"""The alliance screen on the demo: each community's contributions as hand-computed
(tests/services/test_demo_alliances.py), the council's chair, and the chair's call form."""

import os

from sqlmodel import Session, select

from models import AllianceCall, Person, make_engine
from tests.pages.test_screens import open_page, texts


def _person(name: str) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        person_id = session.exec(select(Person.id).where(Person.display_name == name)).one()
    engine.dispose()
    return person_id  # type: ignore[return-value]


def _calls() -> list[int]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        amounts = [c.amount_fen for c in session.exec(select(AllianceCall))]
    engine.dispose()
    return amounts


def test_a_resident_sees_each_communitys_contributions(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["resident"])
    assert not at.exception and not at.error
    shown = texts(at)
    for line in (
        "累计出资：**¥17,333.33**",
        "累计出资：**¥15,166.67**",
        "累计出资：**¥10,833.33**",
        "**平阳社区** · 每次出资的40%",
        "**古龙社区** · 每次出资的35%",
        "**万源社区** · 每次出资的25%",
        "本期轮值主席：**古龙社区**",
        "满意度 **5**/5 · 资源使用 **3**/5",
        "联建基金资助：**¥8,000.00**",
    ):
        assert line in shown, line
    assert [str(m.value) for m in at.metric] == ["¥43,333.33", "¥43,333.33"]
    assert not at.dataframe  # lists for phones, not grids
    assert not at.text_input  # nothing to call with for a resident


def test_the_council_chair_calls_and_a_short_fund_stops_the_call(
    demo_db: dict[str, int],
) -> None:
    at = open_page("alliances", _person("钱文"))  # 古龙社区's chair, chairing the council
    form = [t for t in at.text_input if t.key and t.key.startswith("call_amount_")]
    assert len(form) == 1
    alliance = form[0].key.removeprefix("call_amount_")
    at.text_input(key=f"call_amount_{alliance}").input("1,000,000")
    at.text_input(key=f"call_purpose_{alliance}").input("联建长者食堂扩建")
    at.button(key=f"FormSubmitter:alliance_call_{alliance}-发起").click().run()
    assert next(e.value for e in at.error).startswith("平阳社区的基金可用余额仅")
    assert _calls() == [3_000_000, 1_333_333]
    at.text_input(key=f"call_amount_{alliance}").input("100")
    at.text_input(key=f"call_purpose_{alliance}").input("联建长者食堂扩建")
    at.button(key=f"FormSubmitter:alliance_call_{alliance}-发起").click().run()
    assert not at.exception and not at.error
    assert _calls() == [3_000_000, 1_333_333, 10_000]
    assert "累计出资：**¥17,373.33**" in texts(at)  # 17,333.33 + 40


def test_the_evaluator_scores_what_is_left(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["evaluator"])
    assert not at.exception
    assert not [f for f in at.text_area if f.key and f.key.startswith("score_")]  # all scored
    assert "郑评估（闵行区社会工作评估中心）" in texts(at)


def test_a_clerk_records_a_joint_event(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["clerk"])  # 平阳社区's clerk
    key = next(s.key for s in at.selectbox if s.key and s.key.startswith("joint_event_"))
    prefix = key.removesuffix("_place")
    shown = sorted(at.selectbox(key=key).options)  # as drawn
    assert shown == sorted(["平阳社区", "平阳一村", "平阳二村"])  # not the other members'
    at.text_input(key=f"{prefix}_title").input("联建垃圾分类宣传日")
    at.number_input(key=f"{prefix}_count").set_value(150)
    at.button(key=f"FormSubmitter:{prefix}-登记").click().run()
    assert not at.exception and not at.error
    assert "联建垃圾分类宣传日" in texts(at)
