"""The print buttons on the pages: the review session, published minutes, and the notice
board's funds and results each offer a PDF (and Excel for the review) and a print view drawn
from the same layout as the PDF, in the reader's language."""

import os

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import Meeting, make_engine
from models.vocabulary import MinutesStatus
from tests.pages.test_screens import open_page


def _downloads(at: AppTest) -> list[str]:
    return [str(element.proto.label) for element in at.get("download_button")]


def _print_view(at: AppTest, key: str) -> str:
    at.toggle(key=key).set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return "\n".join(str(element.proto.body) for element in at.get("html"))


def test_the_review_page_prints_the_session_with_pdf_and_excel(
    demo_db: dict[str, int],
) -> None:
    at = open_page("review", demo_db["reviewer"])
    at.selectbox(key="review_session").select_index(1).run()  # last year's, closed
    assert "打印用 PDF" in _downloads(at) and "Excel 表格" in _downloads(at)
    view = _print_view(at, next(t.key for t in at.toggle if t.key.startswith("report_view_review")))
    assert "¥59,860.00" in view and "第 1 页" not in view  # page numbers are the PDF's


def test_the_notice_board_prints_each_fund_and_each_published_result(
    demo_db: dict[str, int],
) -> None:
    at = open_page("notice", None, locale="en")
    assert _downloads(at).count("PDF to print") >= 2
    keys = [t.key for t in at.toggle if t.key.startswith("report_view_round_notice")]
    # the 2025 round and 万源社区's 2026 round (demo/indicators.py); 平阳's 2026 vote is open
    assert len(keys) == 2
    views = [_print_view(at, key) for key in keys]
    assert any("¥51,860.00" in view and "Result of the vote" in view for view in views)


def test_published_minutes_print_and_drafts_do_not(demo_db: dict[str, int]) -> None:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])  # the demo_db copy
    with Session(engine) as session:
        published = session.exec(
            select(Meeting.id).where(Meeting.minutes_status == MinutesStatus.PUBLISHED)
        ).one()
        draft = session.exec(
            select(Meeting.id).where(Meeting.minutes_status == MinutesStatus.DRAFT)
        ).one()
    engine.dispose()
    at = open_page("meetings", demo_db["resident"])
    at.button(key=f"open_meeting_{draft}").click().run()
    assert "打印用 PDF" not in _downloads(at)
    at.button(key=f"open_meeting_{published}").click().run()
    assert "打印用 PDF" in _downloads(at)
    assert "议事会主任" in _print_view(at, f"report_view_minutes_{published}")
