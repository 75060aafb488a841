"""The results page says, under each project of the demo's 2025 round (Equal Shares, then
greedy), the margin it won by or what it lacked, in both languages."""

import pytest

from tests.pages.test_screens import open_page
from tests.pages.test_tally import _round_2025


def _result_lines(locale: str) -> str:
    at = open_page("tally", None, locale)
    at.selectbox(key="tally_round").select(_round_2025()).run()
    assert not at.exception, at.exception
    (lines,) = [m.value for m in at.markdown if m.value.startswith("- **")]
    return lines


@pytest.mark.parametrize(
    ("locale", "winner", "loser"),
    [
        (
            "zh-CN",
            "**楼道声控灯改造** · ¥12,360.00 · 得票 25 · 入选  \n"
            "  入选余量：费用最高至 ¥24,193.54（多 ¥11,833.54）仍会入选。",
            "**儿童游乐区软地垫** · ¥18,000.00 · 得票 21 · 未入选  \n"
            "  若费用为 ¥16,861.78（少 ¥1,138.22），或多 2 位支持者，本可入选。",
        ),
        (
            "en",
            "Margin: would still have won at up to ¥24,193.54 (¥11,833.54 more).",
            "Would have won at ¥16,861.78 (¥1,138.22 less), or with 2 more supporters.",
        ),
    ],
    ids=["zh-CN", "en"],
)
def test_each_project_shows_its_measure(
    demo_db: dict[str, int], locale: str, winner: str, loser: str
) -> None:
    lines = _result_lines(locale)
    assert winner in lines and loser in lines
    assert lines.count("  \n  ") == 5  # every project of the round, none twice
