"""The review session under AppTest, on the demo street (this year's session open on its first
project, 赵磊 chairing, 赵磊 and 林晓梅 on the roster, nobody has scored): the reviewer's form
chooses no score for them and refuses a low score without a comment, the chair moves the
session, and the wall has nothing to type into and shows the aggregate only once both
reviewers have scored."""

import os
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import Review, ReviewSession, make_engine
from services import reviews
from services.accounts import viewer_for_person
from tests.pages.test_live import nothing_to_type_into
from tests.pages.test_screens import texts
from ui import shared_reviews

FIRST = "楼道声控灯改造"
SECOND = "老年助餐点桌椅更新"
CRITERIA = ("goal_met", "participation", "maintenance", "books_complete", "satisfaction")


@pytest.fixture(autouse=True)
def _fresh_shared_reads() -> Iterator[None]:
    yield
    shared_reviews._version.clear()
    shared_reviews._board.clear()


def open_session_id() -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = session.exec(select(ReviewSession.id).where(ReviewSession.status == "open")).one()
    engine.dispose()
    assert found is not None
    return found


def stored_reviews() -> int:
    """Reviews in the open session."""
    session_id = open_session_id()
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = len(session.exec(select(Review.id).where(Review.session_id == session_id)).all())
    engine.dispose()
    return found


def score_as(person_id: int, scores: dict[str, int], comment: str = "") -> None:
    """A reviewer scoring the open session's current project through the service."""
    session_id = open_session_id()
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        viewer = viewer_for_person(session, person_id)
        board = reviews.review_board(session, viewer, session_id)
        assert board.current is not None
        reviews.score_project(
            session,
            viewer,
            session_id=session_id,
            proposal_id=board.current.proposal_id,
            scores=scores,
            recommendation="continue",
            comment=comment,
        )
    engine.dispose()


def open_review(person_id: int, locale: str = "zh-CN", *, wall: bool = False) -> AppTest:
    def script(person_id: int, locale: str) -> None:
        import streamlit as st

        from pages import review as page

        st.session_state["person_id"] = person_id
        st.session_state["locale"] = locale
        page.render()

    at = AppTest.from_function(script, args=(person_id, locale), default_timeout=30)
    at.user = {"is_logged_in": False}
    if wall:
        at.query_params["session"] = str(open_session_id())
        at.query_params["view"] = "wall"
    return at.run()


def form_key(at: AppTest) -> str:
    (key,) = {b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:score_")}
    return key


def pick(at: AppTest, scores: dict[str, int], recommendation: str | None = "continue") -> None:
    prefix = form_key(at).removeprefix("FormSubmitter:").rsplit("-", 1)[0]
    for criterion, value in scores.items():
        at.button_group(key=f"{prefix}_{criterion}").set_value(value)
    if recommendation:
        at.button_group(key=f"{prefix}_recommendation").set_value(recommendation)


def submit(at: AppTest) -> AppTest:
    return at.button(key=form_key(at)).click().run()


@pytest.mark.parametrize(
    ("locale", "scored", "missing"),
    [("zh-CN", "已评分：0 / 2 位评审", "请为目标达成打分。"), ("en", "Scored: 0 of 2", "goal met")],
)
def test_the_reviewer_sees_the_current_project_and_no_score_is_chosen_for_them(
    demo_db: dict[str, int], locale: str, scored: str, missing: str
) -> None:
    at = open_review(demo_db["reviewer2"], locale)
    assert not at.exception and not at.error
    shown = texts(at)
    assert FIRST in shown and scored in shown
    groups = [g for g in at.button_group if g.key and g.key.startswith("score_")]
    assert len(groups) == len(CRITERIA) + 1  # five criteria and the recommendation
    assert all(group.value is None for group in groups)
    assert not [b for b in at.button if b.key in ("review_room_next", "review_room_previous")]
    submit(at)
    assert at.error and missing.lower() in at.error[0].value.lower()
    assert stored_reviews() == 0


@pytest.mark.parametrize(
    ("locale", "needed"),
    [("zh-CN", "居民参与评分为 2 分或以下，请填写评语"), ("en", "needs a comment")],
)
def test_a_low_score_without_a_comment_is_refused_in_both_languages(
    demo_db: dict[str, int], locale: str, needed: str
) -> None:
    at = open_review(demo_db["reviewer2"], locale)
    pick(at, {**dict.fromkeys(CRITERIA, 4), "participation": 2})
    submit(at)
    assert at.error and needed in at.error[0].value
    assert stored_reviews() == 0
    at.text_area(key=form_key(at).removeprefix("FormSubmitter:").rsplit("-", 1)[0] + "_c").input(
        "只有两个楼组参加"
    )
    submit(at)
    assert not at.error
    assert stored_reviews() == 1
    assert ("已评分：1 / 2" if locale == "zh-CN" else "Scored: 1 of 2") in texts(at)


def test_the_chair_moves_the_session_and_the_reviewers_do_not(demo_db: dict[str, int]) -> None:
    chair = open_review(demo_db["reviewer"])
    roster = chair.multiselect(key=f"review_roster_{open_session_id()}_pick")
    assert roster.value == [demo_db["reviewer"], demo_db["reviewer2"]]  # the chair keeps it
    assert chair.button(key="review_room_previous").disabled
    chair.button(key="review_room_next").click().run()
    assert not chair.error
    assert SECOND in texts(chair)
    other = open_review(demo_db["reviewer2"])
    assert SECOND in texts(other) and "由赵磊主持" in texts(other)
    assert "review_room_next" not in {b.key for b in other.button}
    assert "review_close" not in {b.key for b in other.button}
    assert not [m for m in other.multiselect if m.key and m.key.endswith("_pick")]


@pytest.mark.parametrize(
    ("locale", "waiting", "done", "outlier"),
    [
        ("zh-CN", "已评分：0 / 2 位评审", "已评分：2 / 2 位评审", "有 2 位评审的总评"),
        ("en", "Scored: 0 of 2", "Scored: 2 of 2", "2 reviewers' overall score"),
    ],
)
def test_the_wall_shows_the_aggregate_once_both_reviewers_have_scored(
    demo_db: dict[str, int], locale: str, waiting: str, done: str, outlier: str
) -> None:
    wall = open_review(demo_db["reviewer"], locale, wall=True)
    assert not wall.exception and not wall.error
    assert wall.title[0].value == FIRST
    assert waiting in texts(wall)
    assert nothing_to_type_into(wall) and not wall.button
    assert [toggle.key for toggle in wall.toggle] == ["review_wall"]  # in the sidebar, to leave
    score_as(demo_db["reviewer"], dict.fromkeys(CRITERIA, 4))
    shared_reviews._version.clear()  # the revision is asked once a second per process
    wall = open_review(demo_db["reviewer"], locale, wall=True)
    shown = texts(wall)
    assert ("1 / 2" in shown or "1 of 2" in shown) and outlier not in shown
    assert "全部评审评分后" in shown or "once every reviewer has scored" in shown
    # 4 4 4 4 4 (overall 4.0) and 2 2 2 3 3 (overall 2.4): mean 3.2, 1.6 apart: both outliers
    low = {**dict.fromkeys(CRITERIA, 2), "satisfaction": 3, "books_complete": 3}
    score_as(demo_db["reviewer2"], low, "维护没有落实")
    shared_reviews._version.clear()
    wall = open_review(demo_db["reviewer"], locale, wall=True)
    shown = texts(wall)
    assert done in shown
    assert "3.2" in [m.value for m in wall.markdown]  # the overall mean in large type
    assert "2.4" in shown and "4.0" in shown  # lowest and highest overall
    assert outlier in shown
    assert "维护没有落实" not in shown  # the comments are not on the wall


def test_a_closed_session_is_browsed_with_its_scores_public(demo_db: dict[str, int]) -> None:
    at = open_review(demo_db["reviewer2"], "en")
    assert "2025" in at.selectbox(key="review_session").options[1]  # newest first
    at.selectbox(key="review_session").select_index(1).run()
    assert not at.exception and not at.error
    shown = texts(at)
    assert "Overall **4.3** of 5" in shown and "lowest 4.0, highest 4.6" in shown
    assert at.dataframe  # the summary of every project
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:score_")]
