"""The live wall screen under AppTest, for every role: the same public figures for everyone,
nothing to type into, an unpublished count shown only as counted, and one computation of the
figures for every session of the process."""

import os

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import BudgetRound, make_engine
from services import turnout
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.paper import key_paper_sheet, settle_paper_sheet
from services.permissions import Viewer
from services.proposals import list_proposals
from services.rounds import advance_round
from services.tally import count_votes, publish_tally
from tests.pages.conftest import ROLES
from tests.pages.test_screens import texts
from ui import shared

ROUND_2026 = "平阳社区2026年微基金项目"
ROUND_2025 = "平阳社区2025年微基金项目"
TYPED_INPUTS = (
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "date_time_input",
    "chat_input",
    "selectbox",  # a select box filters its options as one types
    "multiselect",
)


@pytest.fixture(autouse=True)
def _no_shared_figures_from_before() -> None:
    """The figures are shared for a few seconds; a test that changes the store clears them
    rather than waits."""
    shared._turnout.clear()


def round_id(name: str) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = session.exec(select(BudgetRound.id).where(BudgetRound.name == name)).one()
    engine.dispose()
    assert found is not None
    return found


def open_live(person_id: int | None, *, round_param: str | None = None, locale: str = "zh-CN"):  # type: ignore[no-untyped-def]
    def script(person_id: int | None, locale: str) -> None:
        import streamlit as st

        from pages import live

        if person_id is not None:
            st.session_state["person_id"] = person_id
        st.session_state["locale"] = locale
        live.render()

    at = AppTest.from_function(script, args=(person_id, locale), default_timeout=30)
    at.user = {"is_logged_in": False}
    if round_param is not None:
        at.query_params["round"] = round_param
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> list[str]:
    """Each chart drawn: its Vega-Lite spec, and its data (Arrow: strings stay UTF-8)."""
    drawn = []
    for chart in at.get("vega_lite_chart"):
        proto = chart.proto  # type: ignore[attr-defined]
        data = b"".join(named.data.data for named in proto.datasets) + proto.data.data
        drawn.append(proto.spec + data.decode("utf-8", errors="replace"))
    return drawn


def nothing_to_type_into(at: AppTest) -> bool:
    return not any(at.get(kind) for kind in TYPED_INPUTS)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_same_public_turnout(demo_db: dict[str, int], role: str) -> None:
    at = open_live(demo_db.get(role))
    assert not at.exception and not at.error
    assert at.title[0].value == ROUND_2026  # the round open for voting comes first
    assert metrics(at) == {
        "已投票": "24",
        "户数": "970",  # 平阳一村 420 + 平阳二村 550: the community has no figure of its own
        "参与率": "2.5%",
        "线上": "24",
        "纸质": "0",
        "入户投票码": "0",
        "导入": "0",
    }
    assert not charts(at) and not at.info
    assert nothing_to_type_into(at)
    assert at.query_params["round"] == str(round_id(ROUND_2026))  # the address to keep
    if role != "anonymous":
        assert texts(at) == texts(open_live(None))  # the committee sees no more than anyone


def finish_the_paper(session: Session, round_id: int, clerk: Viewer, chair: Viewer) -> None:
    """The demo's open vote has a sheet keyed once (by the second clerk) and one read two ways:
    the vote closes only when both are ballots."""
    on_ballot = sorted(
        p.id for p in list_proposals(session, round_id=round_id, statuses=("on_ballot",))
    )
    reading = BallotChoice(approvals=tuple(on_ballot[:2]))
    key_paper_sheet(session, clerk, round_id=round_id, sheet_number="PY-2026-001", ballot=reading)
    settle_paper_sheet(
        session, chair, round_id=round_id, sheet_number="PY-2026-002", ballot=reading
    )


@pytest.mark.parametrize("role", ROLES)
def test_an_unpublished_count_shows_only_that_counting_is_done(
    demo_db: dict[str, int], role: str
) -> None:
    counted_round = round_id(ROUND_2026)
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        chair = viewer_for_person(session, demo_db["chair"])
        finish_the_paper(
            session, counted_round, viewer_for_person(session, demo_db["clerk"]), chair
        )
        advance_round(session, chair, round_id=counted_round)  # voting closes
        tally_id = count_votes(session, chair, round_id=counted_round)
    at = open_live(demo_db.get(role))
    assert [info.value for info in at.info] == ["计票已完成，议事会公布后结果将在此显示。"]
    assert not charts(at) and "获得资助" not in texts(at)
    assert not at.subheader

    with Session(engine) as session:
        publish_tally(session, chair, tally_id=tally_id)
    engine.dispose()
    shared._turnout.clear()
    at = open_live(demo_db.get(role))
    assert not at.info and len(charts(at)) == 1
    assert "电动车集中充电棚" in charts(at)[0]  # every project that was on the ballot
    assert at.subheader[0].value.startswith("结果（")
    # 24 ballots cast, and the two paper sheets finished before the close
    assert "个项目获得资助" in texts(at) and "依据 26 张选票" in texts(at)


def test_the_address_chooses_the_round_and_a_published_result_shows_its_chart(
    demo_db: dict[str, int],
) -> None:
    at = open_live(None, round_param=str(round_id(ROUND_2025)), locale="en")
    assert at.title[0].value == ROUND_2025
    assert metrics(at)["Ballots cast"] == "62" and metrics(at)["Paper"] == "12"
    assert at.subheader[0].value.startswith("Result, published on")
    assert "4 projects funded: ¥51,860.00 of the ¥60,000.00 budget" in texts(at)
    (chart,) = charts(at)
    assert "楼道声控灯改造" in chart and "funded" in chart
    assert nothing_to_type_into(at)
    assert at.sidebar.radio[0].value == round_id(ROUND_2025)
    at.sidebar.radio[0].set_value(round_id(ROUND_2026)).run()  # a click, no typing
    assert at.title[0].value == ROUND_2026 and not charts(at)
    assert at.query_params["round"] == str(round_id(ROUND_2026))


@pytest.mark.parametrize("wanted", ["999999", "-1", "abc", ""])
def test_an_address_without_a_known_round_shows_the_open_vote(
    demo_db: dict[str, int], wanted: str
) -> None:
    at = open_live(None, round_param=wanted)
    assert not at.exception and at.title[0].value == ROUND_2026


def test_one_computation_serves_every_session(
    demo_db: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counted(session: Session, *, round_id: int) -> turnout.Turnout:
        calls.append(round_id)
        return turnout.round_turnout(session, round_id=round_id)

    monkeypatch.setattr(shared, "round_turnout", counted)
    screens = [open_live(demo_db.get(role)) for role in ("anonymous", "resident", "chair")]
    screens[0].run()
    assert all(metrics(at)["已投票"] == "24" for at in screens)
    assert calls == [round_id(ROUND_2026)]


def test_a_published_result_s_chart_is_built_once_for_every_session(
    demo_db: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = shared.charts.live_result

    def counted(rows, **labels):  # type: ignore[no-untyped-def]
        built.append(len(rows))
        return original(rows, **labels)

    monkeypatch.setattr(shared.charts, "live_result", counted)
    shared._result_spec.clear()
    wanted = str(round_id(ROUND_2025))
    screens = [open_live(demo_db.get(role), round_param=wanted) for role in ("anonymous", "chair")]
    screens[1].run()
    assert all(len(charts(at)) == 1 for at in screens)
    assert built == [5]
    open_live(None, round_param=wanted, locale="en")
    assert built == [5, 5]  # the labels are the language's
