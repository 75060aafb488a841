"""The meeting room and the notice board's wall mode under AppTest, on the demo street: the
wall has nothing to type into or press, the chair's and secretary's controls move the
meeting, others only see where it stands, and the decision form chooses no proposal for the
person."""

import os
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import AgendaItem, Decision, Fund, Meeting, Proposal, make_engine
from services import campaigns, meetings
from services.accounts import viewer_for_person
from tests.pages.test_live import nothing_to_type_into
from tests.pages.test_screens import texts
from ui import shared

NEXT_MEETING = "社区微基金议事会（第四次）：项目实施进度"
FIRST_ITEM = "听取实施进度汇报：楼道声控灯改造"
SECOND_ITEM = "听取实施进度汇报：老年助餐点桌椅更新"


@pytest.fixture(autouse=True)
def _fresh_shared_reads() -> Iterator[None]:
    yield
    shared._meeting_version.clear()
    shared._meeting.clear()


def in_the_room(people: dict[str, int]) -> int:
    """The demo's next meeting, started by its chair, on its first item."""
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        meeting_id = session.exec(select(Meeting.id).where(Meeting.title == NEXT_MEETING)).one()
        assert meeting_id is not None
        chair = viewer_for_person(session, people["chair"])
        meetings.start_meeting(session, chair, meeting_id=meeting_id)
        meetings.next_agenda_item(session, chair, meeting_id=meeting_id, from_item_id=None)
    engine.dispose()
    return meeting_id


def open_meetings(person_id: int | None, meeting_id: int, *, wall: bool = False) -> AppTest:
    def script(person_id: int | None) -> None:
        import streamlit as st

        from pages import meetings as page

        if person_id is not None:
            st.session_state["person_id"] = person_id
        st.session_state["locale"] = "zh-CN"
        page.render()

    at = AppTest.from_function(script, args=(person_id,), default_timeout=30)
    at.user = {"is_logged_in": False}
    at.query_params["meeting"] = str(meeting_id)
    if wall:
        at.query_params["view"] = "wall"
    return at.run()


def buttons(at: AppTest) -> set[str]:
    return {button.key for button in at.button if button.key}


@pytest.mark.parametrize("role", ["anonymous", "treasurer", "secretary"])
def test_the_wall_follows_the_meeting_with_nothing_to_type_or_press(
    demo_db: dict[str, int], role: str
) -> None:
    meeting_id = in_the_room(demo_db)
    at = open_meetings(demo_db.get(role), meeting_id, wall=True)
    assert not at.exception and not at.error
    assert at.title[0].value == NEXT_MEETING
    assert FIRST_ITEM in texts(at)
    assert nothing_to_type_into(at) and not at.button  # even the secretary's wall
    assert [toggle.key for toggle in at.toggle] == ["meeting_wall"]  # in the sidebar, to leave
    clock = [m.value for m in at.markdown if ":" in m.value and m.value[:2].isdigit()]
    assert clock and clock[0] <= "20:00"  # the first item's 20 minutes, counting down
    quorum = "法定人数" in texts(at)
    assert quorum is (role != "anonymous")  # attendance is committee material until published


def test_the_secretary_moves_the_meeting_from_the_controls(demo_db: dict[str, int]) -> None:
    meeting_id = in_the_room(demo_db)
    at = open_meetings(demo_db["secretary"], meeting_id)
    assert {"room_previous", "room_next", "room_restart_timer"} <= buttons(at)
    assert at.button(key="room_previous").disabled  # the first item: nothing before it
    at.button(key="room_next").click().run()
    assert not at.exception and not at.error
    assert f"第 2 项 / 共 4 项：{SECOND_ITEM}" in texts(at)
    wall = open_meetings(None, meeting_id, wall=True)
    assert SECOND_ITEM in texts(wall) and "▶ 2" in texts(wall)


@pytest.mark.parametrize("role", ["treasurer", "clerk"])
def test_others_of_the_committee_see_where_it_stands_without_the_buttons(
    demo_db: dict[str, int], role: str
) -> None:
    meeting_id = in_the_room(demo_db)
    at = open_meetings(demo_db[role], meeting_id)
    assert not at.exception
    assert not {"room_previous", "room_next", "room_restart_timer"} & buttons(at)
    assert "议程由主任或秘书推进" in texts(at)
    assert FIRST_ITEM in texts(at)


def test_the_decision_form_names_the_item_and_chooses_no_proposal(
    demo_db: dict[str, int],
) -> None:
    meeting_id = in_the_room(demo_db)
    at = open_meetings(demo_db["secretary"], meeting_id)
    assert f"决议针对当前议程：**第 1 项 / 共 4 项：{FIRST_ITEM}**" in texts(at)
    assert at.selectbox(key="decision_proposal").value is None
    at.text_area(key="decision_text").input("同意按计划推进。")
    at.button(key=f"FormSubmitter:decision_{meeting_id}-记录决议").click().run()
    assert [e.value for e in at.error] == [
        "请先选择这项决议涉及的提案（不涉及提案请选“不关联提案”）。"
    ]
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        assert session.exec(select(Decision).where(Decision.meeting_id == meeting_id)).all() == []
    at.selectbox(key="decision_proposal").select_index(0)  # the item's own proposal, first
    at.button(key=f"FormSubmitter:decision_{meeting_id}-记录决议").click().run()
    assert not at.error
    with Session(engine) as session:
        (decision,) = session.exec(select(Decision).where(Decision.meeting_id == meeting_id))
        current = session.get(Meeting, meeting_id)
        assert current is not None and decision.agenda_item_id == current.current_item_id
        item = session.get(AgendaItem, current.current_item_id)
        assert item is not None and item.proposal_id is not None
        assert (decision.text, decision.proposal_id) == ("同意按计划推进。", item.proposal_id)
    engine.dispose()


def test_the_notice_board_wall_has_nothing_to_type_into(demo_db: dict[str, int]) -> None:
    def script() -> None:
        import streamlit as st

        from pages import notice

        st.session_state["locale"] = "zh-CN"
        notice.render()

    at = AppTest.from_function(script, default_timeout=30)
    at.user = {"is_logged_in": False}
    at.query_params["view"] = "wall"
    at.run()
    assert not at.exception and not at.error
    assert nothing_to_type_into(at) and not at.button
    assert not at.get("vega_lite_chart")  # lists only, read from the back of the hall
    assert "ledger:161:" in texts(at)
    assert {m.label for m in at.metric} == {
        "社区基金累计收入",
        "已拨付项目待支出",
        "正在进行的投票",
    }
    at.toggle(key="notice_wall").set_value(False).run()
    assert at.title[0].value == "公示栏" and at.get("vega_lite_chart")  # the phone layout
    assert "view" not in at.query_params


def open_notice_wall() -> AppTest:
    def script() -> None:
        import streamlit as st

        from pages import notice

        st.session_state["locale"] = "zh-CN"
        notice.render()

    at = AppTest.from_function(script, default_timeout=30)
    at.user = {"is_logged_in": False}
    at.query_params["view"] = "wall"
    return at.run()


def test_the_notice_board_wall_shows_each_open_campaign_in_one_line(
    demo_db: dict[str, int],
) -> None:
    """The demo's two open campaigns (cushions 2,400 of 3,200; tool shed 800 of 1,000), each in
    the place of one ledger line; the closed one (elderly canteen) is not on the wall."""
    at = open_notice_wall()
    assert not at.exception and not at.error
    assert nothing_to_type_into(at) and not at.button
    bars = at.get("progress")
    assert [bar.value for bar in bars] == [75, 80]
    labels = [bar.proto.text for bar in bars]
    assert labels[0].startswith(
        "**80个坐垫暖老人** · 已筹 ¥2,400.00 / 目标 ¥3,200.00 · 75.0% · 还剩"
    )
    assert labels[1].startswith("**共享工具屋居民众筹** · 已筹 ¥800.00 / 目标 ¥1,000.00 · 80.0%")
    assert "众筹进行中" in [s.value for s in at.subheader]
    assert "长者食堂适老化改造" not in texts(at) + "".join(labels)
    recent = [m.value for m in at.markdown if re.match(r"- \d{4}年", str(m.value))]
    assert len(recent) == 1  # three ledger lines less the two campaigns


def test_the_wall_counts_the_campaigns_it_has_no_room_for(demo_db: dict[str, int]) -> None:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        chair = viewer_for_person(session, demo_db["chair"])
        fund_id = session.exec(select(Fund.id).where(Fund.name == "平阳社区微基金")).one()
        garden = session.exec(select(Proposal.id).where(Proposal.title == "楼前花园居民认养")).one()
        assert fund_id is not None and garden is not None
        campaigns.open_campaign(
            session,
            chair,
            fund_id=fund_id,
            title="花园认养众筹",
            description="",
            target="600",
            deadline=date.today() + timedelta(days=60),
            proposal_id=garden,
        )
    engine.dispose()
    at = open_notice_wall()
    assert not at.exception and not at.error
    assert len(at.get("progress")) == 2
    assert "另有 1 个众筹，请在手机上查看公示栏。" in [c.value for c in at.caption]
    assert "花园认养众筹" not in texts(at)
