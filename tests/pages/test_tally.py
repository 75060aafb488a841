"""The result screen's explanation, read from the typed rows: the demo's 2025 round as counted
today, as a tally stored before rows existed, and a Phragmén count."""

import json
import os
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from models import BudgetRound, Tally, make_engine
from tests.pages.test_screens import open_page

STORED = json.loads(
    (Path(__file__).parents[1] / "voting" / "fixtures" / "stored_explanations.json").read_text(
        encoding="utf-8"
    )
)
# What a reader of the 2025 round has read since the first version of this screen
EXPLAINED_2025 = [
    "平等份额法把预算平均分给每位投票人（每人 ¥967.74），"
    "然后依次选出支持者人均出资最少即可买下的项目。",
    "第 1 轮：**楼道声控灯改造** 由 25 位支持者共同买下，每人最多出资 ¥494.40。",
    "第 2 轮：**老年助餐点桌椅更新** 由 20 位支持者共同买下，每人最多出资 ¥822.04。",
    "第 3 轮：**社区共享工具屋** 由 13 位支持者共同买下，每人最多出资 ¥745.11。",
    "**垂直绿化墙**：22 位支持者最后还差 ¥6,440.25。",
    "**儿童游乐区软地垫**：21 位支持者最后还差 ¥6,911.03。",
    "剩余资金再按得票多少，依次资助仍放得下的项目：",
    "1. **垂直绿化墙** 入选。",
    "2. 儿童游乐区软地垫 超出剩余预算，未入选。",
]


def _round_2025() -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        round_id = session.exec(select(BudgetRound.id).where(BudgetRound.year == 2025)).one()
    engine.dispose()
    assert round_id is not None
    return round_id


def _replace_explanation(round_id: int, explanation: dict) -> None:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        counted = session.exec(select(Tally).where(Tally.round_id == round_id)).one()
        counted.explanation = explanation
        session.add(counted)
        session.commit()
    engine.dispose()


def _count_again(round_id: int, rule: str, explanation: dict) -> None:
    """A newer count, unpublished: the committee sees it, the public the published one."""
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        counted = session.exec(select(Tally).where(Tally.round_id == round_id)).one()
        session.add(
            Tally(
                round_id=round_id,
                rule=rule,
                tie_break="id",
                ballots_counted=counted.ballots_counted,
                total_cost_fen=0,
                selected_proposal_ids=[],
                explanation=explanation,
            )
        )
        session.commit()
    engine.dispose()


def _explained(at: AppTest) -> list[str]:
    at.selectbox(key="tally_round").select(_round_2025()).run()
    assert not at.exception, at.exception
    (why,) = [e for e in at.expander if e.label == "为什么是这些项目？"]
    return [block.value for block in why.markdown]


@pytest.mark.parametrize("stored", ["rows", "engine explanation, before rows"])
def test_the_2025_round_is_explained_as_it_always_was(demo_db: dict[str, int], stored: str) -> None:
    if stored != "rows":
        _replace_explanation(_round_2025(), STORED["demo 2025 round, mes+greedy"])
    assert _explained(open_page("tally", None)) == EXPLAINED_2025


def test_a_phragmen_count_is_explained(demo_db: dict[str, int]) -> None:
    """Its rows have no rank: the screen once read them as greedy's and failed."""
    explanation = {
        "kind": "phragmen",
        "steps": [
            {"project": "1", "round": 1, "load": "49440", "supporters": 25},
            {"project": "2", "round": 2, "load": "1330000/9", "supporters": 20},
        ],
        "stopped_by": "4",
    }
    _count_again(_round_2025(), "phragmen", explanation)
    assert _explained(open_page("tally", demo_db["chair"]))[1:] == [
        "第 1 轮：**楼道声控灯改造** 由 25 位支持者买下，此后每人累计分摊 ¥494.40。",
        "第 2 轮：**老年助餐点桌椅更新** 由 20 位支持者买下，此后每人累计分摊 ¥1,477.77。",
        "随后 **儿童游乐区软地垫** 超出剩余预算，计票到此结束。",
    ]


def test_a_tally_stored_without_explanation_shows_no_empty_why(demo_db: dict[str, int]) -> None:
    _replace_explanation(_round_2025(), {})
    at = open_page("tally", None)
    at.selectbox(key="tally_round").select(_round_2025()).run()
    assert not at.exception
    assert [m for m in at.markdown if m.value.startswith("- **")]  # the result is there
    assert not [e for e in at.expander if e.label == "为什么是这些项目？"]


def test_the_count_of_a_round_is_stored_as_rows(demo_db: dict[str, int]) -> None:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        # 平阳's 2025 count (MES) came first; 万源's 2026 count (greedy) followed.
        stored, _ = session.exec(select(Tally.explanation).order_by(col(Tally.id))).all()
    engine.dispose()
    assert stored["kind"] == "mes" and "payers" not in stored["purchases"][0]
    assert stored["purchases"][0]["most_paid_each"] == "49440"
