"""The indicators screen shows the demo's hand-computed figures (demo/indicators.py), in both
languages, for the street and for one community, and the charts say in words what they draw."""

import os

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import Proposal, make_engine
from tests.pages.test_screens import open_page


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_street_in_2026_in_chinese(demo_db: dict[str, int]) -> None:
    at = open_page("indicators", None)
    assert not at.exception, at.exception
    assert at.title[0].value == "评审指标"
    shown = _metrics(at)
    # 1 completed of 9 submitted, of 2 selected; 30 ballots of 2,360 households; 2,000 yuan
    # received on 19,000 of seed money; 14,500 spent of 19,000; every yuan in not government's.
    assert shown["提案落地率"] == "11.1%"
    assert shown["立项完成率"] == "50.0%"
    assert shown["投票率"] == "1.3%"
    assert shown["撬动比"] == "0.11"
    assert shown["预算执行率"] == "76.3%"
    assert shown["非政府资金占比"] == "100.0%"
    assert shown["居民评分"] == "4.5"
    assert shown["评审得分"] == "–"
    assert (shown["烂尾项目"], shown["目标替代"], shown["提案人"]) == ("1", "0", "9")
    captions = [c.value for c in at.caption]
    assert "1 / 9" in captions and "30张选票" in captions
    assert "¥2,000.00 / ¥19,000.00" in captions


NAMES = {
    "zh-CN": ("提案落地率", "立项完成率", "撬动比", "非政府资金占比", "居民评分", "评审得分"),
    "en": (
        "Done of submitted",
        "Done of selected",
        "Leverage (撬动比)",
        "Not from government",
        "Residents' rating",
        "Reviewers' score",
    ),
}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_2025_for_the_street_and_for_pingyang_in_both_languages(
    demo_db: dict[str, int], locale: str
) -> None:
    at = open_page("indicators", None, locale=locale)
    at.segmented_control(key="indicators_year").set_value(2025).run()
    assert not at.exception, at.exception
    shown = _metrics(at)
    # 1 of 5, 1 of 4; 5,050 received on 59,860 (0.084); the street's 381,400 in, 81,400 of it
    # not government's (21.3%); residents' stars 21/5; the review's 15/4 (3.75, half up).
    assert [shown[n] for n in NAMES[locale]] == ["20.0%", "25.0%", "0.08", "21.3%", "4.2", "3.8"]
    at.pills(key="indicators_scope").set_value("平阳社区").run()
    shown = _metrics(at)
    # 平阳社区 alone: the same projects, but 171,400 in (the street fund's grant is not its).
    assert [shown[n] for n in NAMES[locale]] == ["20.0%", "25.0%", "0.08", "47.5%", "4.2", "3.8"]
    assert any(c.value.startswith("古美路街道: 2025") for c in at.caption)  # the trend in words


def _proposal_id(title: str) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        proposal_id = session.exec(select(Proposal.id).where(Proposal.title == title)).one()
    engine.dispose()
    assert proposal_id is not None
    return proposal_id


def test_a_resident_rates_the_finished_lights_and_the_indicator_moves(
    demo_db: dict[str, int],
) -> None:
    """王秀兰 (the demo's resident, of 平阳一村) has not rated the stairway lights yet; five
    neighbours gave 5, 4, 3, 5, 4. Her 5 stars make it 26/6 (4.3); the green wall, abandoned,
    offers no stars."""
    lights = _proposal_id("楼道声控灯改造")
    at = open_page("proposals", demo_db["resident"])
    assert "5位居民评分，平均4.2星" in [c.value for c in at.caption]
    assert [f.key for f in at.feedback] == [f"rating_stars_{lights}"]
    at.feedback(key=f"rating_stars_{lights}").set_value(4).run()
    at.text_input(key=f"rating_comment_{lights}").input("晚上亮堂多了")
    at.button(key=f"rating_send_{lights}").click().run()
    assert not at.exception and not at.error
    assert "6位居民评分，平均4.3星" in [c.value for c in at.caption]
    indicators = open_page("indicators", None)
    indicators.segmented_control(key="indicators_year").set_value(2025).run()
    assert {m.label: m.value for m in indicators.metric}["居民评分"] == "4.3"
