"""The print buttons of the indicators and of next year's allocation, and the published split
on the notice board, on screen and to print (demo/allocation.py: 300,000 yuan split 60,000 /
80,000 / 160,000; demo/indicators.py: 古美路街道's 2026 money in, 164,400 yuan)."""

from streamlit.testing.v1 import AppTest

from tests.pages.test_reports import _downloads, _print_view
from tests.pages.test_screens import open_page, texts


def _view_key(at: AppTest, prefix: str) -> str:
    (key,) = [t.key for t in at.toggle if t.key.startswith(prefix)]
    return key


def test_the_indicators_page_prints_the_year_and_offers_excel(demo_db: dict[str, int]) -> None:
    at = open_page("indicators", demo_db["resident"], locale="en")
    assert {"PDF to print", "Excel"} <= set(_downloads(at))
    view = _print_view(at, _view_key(at, "report_view_indicators"))
    assert "Indicators: 古美路街道, 2026" in view and "¥164,400.00" in view
    assert "Done of submitted" in view and "20.0% (1/5)" in view  # the trend: 2025


def test_the_allocation_page_prints_the_published_plan_to_a_resident(
    demo_db: dict[str, int],
) -> None:
    at = open_page("allocation", demo_db["resident"])
    assert "打印用 PDF" in _downloads(at) and "Excel 表格" in _downloads(at)
    view = _print_view(at, _view_key(at, "report_view_allocation"))
    for figure in ("¥60,000.00", "¥80,000.00", "¥160,000.00", "¥300,000.00", "¥52,886.78"):
        assert figure in view, figure
    assert "古龙三村建于1982年" in view  # an adjustment's reason


def test_the_notice_board_lists_and_prints_the_published_allocation(
    demo_db: dict[str, int],
) -> None:
    at = open_page("notice", None, locale="en")
    shown = texts(at)
    assert "Next year's seed money, as published" in shown
    for line in ("万源社区 · ¥60,000.00", "古龙社区 · ¥80,000.00", "平阳社区 · ¥160,000.00"):
        assert line in shown, line
    view = _print_view(at, _view_key(at, "report_view_allocation_notice"))
    assert "古美路街道: seed money for 2026" in view and "¥300,000.00" in view
