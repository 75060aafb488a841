"""The allocation screen on the demo: the published split with the formula and each
community's numbers plugged in (hand-computed in demo/allocation.py), in both languages; a
reviewer drafts, adjusts (a short reason is refused and nothing changes) and another
publishes."""

import os

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import AllocationAdjustment, AllocationLine, AllocationPlan, make_engine
from tests.pages.test_screens import open_page, texts


def _store() -> tuple[list[tuple[int, int, int]], int, list[str]]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        lines = sorted(
            (line.plan_id, line.community_id, line.amount_fen)
            for line in session.exec(select(AllocationLine))
        )
        adjustments = len(session.exec(select(AllocationAdjustment.id)).all())
        statuses = [
            p.status for p in session.exec(select(AllocationPlan).order_by(AllocationPlan.year))
        ]
    engine.dispose()
    return lines, adjustments, statuses


def test_anyone_reads_the_published_split_with_the_formula(demo_db: dict[str, int]) -> None:
    at = open_page("allocation", demo_db["resident"])
    assert not at.exception and not at.error
    assert [h.value for h in at.header] == ["古美路街道：2026年种子资金分配"]
    shown = texts(at)
    for line in (
        "保底池：¥300,000.00 × 40% = **¥120,000.00**",
        "需求池：（¥300,000.00 − ¥120,000.00）× 60% = **¥108,000.00**",
        "绩效池：¥300,000.00 − ¥120,000.00 − ¥108,000.00 = **¥72,000.00**",
        "保底：¥120,000.00 ÷ 3 = ¥40,000.00",
        "需求：（户数 420/2,360 + 未解决需求 0/3 + 房龄 18/100）÷ 3 = 11.93% → "
        "¥108,000.00 × 11.93% = ¥12,886.78",
        "需求：（户数 970/2,360 + 未解决需求 3/3 + 房龄 38/100）÷ 3 = 59.70% → "
        "¥108,000.00 × 59.70% = ¥64,476.61",
        "合计：¥52,886.78 → **¥52,886.78**（最大余数法取整到分）",
        "合计：¥176,476.61 → **¥176,476.61**（最大余数法取整到分）",
        "建议¥70,636.61；已调整，见下方。",
        "理由：古龙社区从未申请过项目，而古龙三村建于1982年、设施老化：增加部分用于委托社会组织开展提案培育。",
    ):
        assert line in shown, line
    assert [str(m.value) for m in at.metric] == [
        "¥300,000.00",
        "3",
        "¥60,000.00",
        "¥80,000.00",
        "¥160,000.00",
    ]
    assert not at.text_input and not at.dataframe  # nothing to type, no grid, for a resident


def test_the_split_reads_in_english(demo_db: dict[str, int]) -> None:
    at = open_page("allocation", None, locale="en")
    assert not at.exception and not at.error
    assert [h.value for h in at.header] == ["古美路街道: seed money for 2026"]
    shown = texts(at)
    for line in (
        "Floor pool: ¥300,000.00 × 40% = **¥120,000.00**",
        "Floor: ¥120,000.00 ÷ 3 = ¥40,000.00",
        "Need: (households 970/2,360 + open needs 0/3 + age 44/100) ÷ 3 = 28.37% → "
        "¥108,000.00 × 28.37% = ¥30,636.61",
        "Sum: ¥70,636.61 → **¥70,636.61** (whole fen, largest remainder)",
    ):
        assert line in shown, line
    assert "allocation." not in shown


def _draft_2027(at: AppTest) -> AppTest:
    at.number_input(key="allocation_draft_year").set_value(2027)
    at.text_input(key="allocation_draft_total").input("200,000")
    return at.button(key="FormSubmitter:allocation_draft-起草并计算").click().run()


def test_a_reviewer_drafts_and_adjusts_and_another_publishes(demo_db: dict[str, int]) -> None:
    at = _draft_2027(open_page("allocation", demo_db["reviewer"]))
    assert not at.exception and not at.error
    assert [h.value for h in at.header] == ["古美路街道：2027年种子资金分配"]
    lines, adjustments, statuses = _store()
    assert statuses == ["published", "draft"] and adjustments == 2
    drafted = {c: fen for plan, c, fen in lines if plan == max(p for p, _, _ in lines)}
    assert sum(drafted.values()) == 20_000_000
    first, second = sorted(drafted)[:2]
    form = "allocation_adjust_2"
    at.selectbox(key=f"{form}_community").set_value(first)
    at.text_input(key=f"{form}_amount").input("1000")
    at.selectbox(key=f"{form}_counterpart").set_value(second)
    at.text_area(key=f"{form}_reason").input("太短")
    at.button(key=f"FormSubmitter:{form}-保存调整").click().run()
    assert next(e.value for e in at.error).startswith("请写清理由")
    assert _store() == (lines, 2, statuses)
    at.selectbox(key=f"{form}_community").set_value(first)
    at.text_input(key=f"{form}_amount").input("1000")
    at.selectbox(key=f"{form}_counterpart").set_value(second)
    at.text_area(key=f"{form}_reason").input("该社区明年已有企业共建资金，保留少量即可。")
    at.button(key=f"FormSubmitter:{form}-保存调整").click().run()
    assert not at.exception and not at.error
    after, adjustments, _ = _store()
    moved = {c: fen for plan, c, fen in after if plan == 2}
    assert moved[first] == 100_000 and sum(moved.values()) == 20_000_000
    assert moved[second] == drafted[second] + drafted[first] - 100_000
    assert "该方案由您起草，须由街道的另一位评审公布。" in texts(at)  # the reviewer drafted it
    admin = open_page("allocation", demo_db["admin"])
    admin.button(key="allocation_publish_2").click().run()
    admin.button(key="allocation_publish_2_yes").click().run()
    assert not admin.exception and not admin.error
    assert _store()[2] == ["published", "published"]
    assert not [f for f in admin.text_input if f.key and f.key.startswith(form)]
