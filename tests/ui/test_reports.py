"""The printed reports: each PDF is a real PDF whose first page draws (pdftoppm), whose text
holds the demo's hand-computed figures (pdftotext) and whose Chinese is set in Noto CJK
(pdffonts), not in boxes; the review session's Excel file adds up; typed text stays text; and
each report is only what its reader may already see.

The demo's figures (demo/expenses.py, tests/services/test_demo_expenses.py): 平阳社区微基金 took
333,600 in and paid 33,640 to projects and 17,333.33 to the alliance's joint fund (50,973.33
out), so it holds 282,626.67, of which 14,720 earmarked. The 2025 review covers the four
winners: cost 15,360 + 15,600 + 19,500 + 9,000 = 59,460; seed money allocated 12,360 + 22,000
(14,000 from the fund, 8,000 from the joint fund) + 17,500 + 8,000 = 59,860; spent 12,360 +
7,280 + 14,000 + 0 = 33,640; other money received 3,000 + 1,250 + 0 + 800 = 5,050. The
session closed last year holds two reviewers' sheets (demo/deliberation.py): overall 4.3, 3.6,
2.8, 4.3. The 2025 round: 62 ballots (50 online, 12 on paper), four of five projects
funded for 51,860 of the 60,000 budget, 8,140 left over.
"""

import io
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session, select

from demo.street import load_demo
from models import BudgetRound, Fund, Meeting, ReviewSession, make_engine, upgrade_database
from models.vocabulary import MinutesStatus, ReviewSessionStatus
from services.errors import NotAllowed, WrongPhase
from services.meetings import (
    AgendaRow,
    AttendanceRow,
    DecisionRow,
    MeetingMinutes,
    MeetingRow,
    NoteRow,
)
from services.permissions import ANONYMOUS
from services.printouts import fund_notice
from tests.services.test_ledger import donate
from tests.services.test_reviews import open_session, project, score
from tests.world import World
from ui.reports import fund_notice as fund_layout
from ui.reports import minutes as minutes_layout
from ui.reports import review_session as review_layout
from ui.reports import round_notice as round_layout
from ui.reports.layout import document, fragment
from ui.reports.pdf import read_pdf, report_pdf

PRINTED = date(2026, 12, 6)
HOSTILE = '<script>alert(1)</script><img src="http://evil.example/x.png">'


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One demo street for the module (loading it takes seconds): the reports only read it."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINLI_UPLOAD_DIR", str(folder / "uploads"))
        engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
        upgrade_database(engine)
        with Session(engine) as session:
            load_demo(session)
        yield engine
    engine.dispose()


@pytest.fixture
def store(demo: Engine) -> Iterator[Session]:
    with Session(demo) as session:
        yield session


def _id(session: Session, query: object) -> int:
    found = session.exec(query).first()  # type: ignore[call-overload]
    assert found is not None
    return int(found)


def _pingyang(session: Session) -> int:
    return _id(session, select(Fund.id).where(Fund.name == "平阳社区微基金"))


def _round_2025(session: Session) -> int:
    return _id(session, select(BudgetRound.id).where(BudgetRound.year == 2025))


def _published_meeting(session: Session) -> int:
    query = select(Meeting.id).where(Meeting.minutes_status == MinutesStatus.PUBLISHED)
    return _id(session, query)


def _review(session: Session) -> int:
    return _id(
        session,
        select(ReviewSession.id).where(ReviewSession.status == ReviewSessionStatus.CLOSED),
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def _first_page_draws(pdf: bytes, tmp_path: Path) -> None:
    """pdftoppm renders page 1, and the page has ink: a few thousand dark pixels."""
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        grey = image.convert("L")
        assert grey.size == (497, 702)  # A4 (210 x 297 mm) at 60 dpi
        dark = sum(grey.histogram()[:128])
    assert dark > 2_000


def _fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout


def test_review_session_pdf_in_chinese_has_the_figures_and_noto_cjk(
    store: Session, tmp_path: Path
) -> None:
    pdf = read_pdf(
        review_layout.read_report,
        store,
        ANONYMOUS,
        session_id=_review(store),
        locale="zh-CN",
        printed_on=PRINTED,
    )
    _first_page_draws(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    for figure in ("¥59,460.00", "¥59,860.00", "¥33,640.00", "¥5,050.00", "4.3", "3.6", "2.8"):
        assert figure in text
    assert "古美路街道" in text and "第 1 页，共" in text  # the place, and the page numbers
    assert "Noto-Sans-CJK-SC" in _fonts(pdf, tmp_path)


def test_review_session_xlsx_has_a_sheet_per_topic_and_the_demos_totals(store: Session) -> None:
    data = review_layout.read_workbook(store, ANONYMOUS, session_id=_review(store), locale="en")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Projects", "Scores", "Comments"]
    projects = [list(row) for row in book["Projects"].iter_rows(values_only=True)]
    assert projects[0][:5] == ["Project", "Place", "Category", "Status", "Cost"]
    total = projects[-1]
    assert total[0] == "Total"
    # cost, pledged (not asserted), received, seed, spent: exact yuan
    assert [Decimal(str(total[i])) for i in (4, 6, 7, 8)] == [
        Decimal("59460"),
        Decimal("5050"),
        Decimal("59860"),
        Decimal("33640"),
    ]
    assert sum(Decimal(str(row[8])) for row in projects[1:-1]) == Decimal("33640")
    scores = [list(row) for row in book["Scores"].iter_rows(values_only=True)]
    overall = scores[0].index("Overall")
    assert sorted(Decimal(str(row[overall])) for row in scores[1:]) == [
        Decimal("2.8"),
        Decimal("3.6"),
        Decimal("4.3"),
        Decimal("4.3"),
    ]
    assert len(list(book["Comments"].iter_rows())) == 1 + 2 * 4  # each reviewer, each project


def test_minutes_pdf_lists_attendance_and_decisions(store: Session, tmp_path: Path) -> None:
    meeting_id = _published_meeting(store)
    pdf = read_pdf(
        minutes_layout.read_report,
        store,
        ANONYMOUS,
        meeting_id=meeting_id,
        locale="zh-CN",
        printed_on=PRINTED,
    )
    _first_page_draws(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    for words in ("议程", "出席", "议事会主任", "会议纪要", "决议", "平阳社区"):
        assert words in text
    assert "Noto-Sans-CJK-SC" in _fonts(pdf, tmp_path)


def test_fund_notice_pdf_adds_up_to_the_funds_figures(store: Session, tmp_path: Path) -> None:
    pdf = read_pdf(
        fund_layout.read_report,
        store,
        ANONYMOUS,
        fund_id=_pingyang(store),
        locale="en",
        printed_on=PRINTED,
    )
    _first_page_draws(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    for figure in ("¥333,600.00", "¥50,973.33", "¥282,626.67", "¥14,720.00", "¥267,906.67"):
        assert figure in text
    assert "Page 1 of" in text and "(anonymous" in text  # a narrow column may wrap "donor)"
    notice = fund_notice(store, ANONYMOUS, fund_id=_pingyang(store))
    cash = [line for line in notice.lines if line.kind not in fund_layout.EARMARKS]
    into = sum(line.amount_fen for line in cash if line.id in notice.incoming)
    out = sum(line.amount_fen for line in cash if line.id not in notice.incoming)
    assert (into, out) == (333_600_00, 50_973_33)


def test_round_notice_pdf_shows_the_published_result(store: Session, tmp_path: Path) -> None:
    pdf = read_pdf(
        round_layout.read_report,
        store,
        ANONYMOUS,
        round_id=_round_2025(store),
        locale="zh-CN",
        printed_on=PRINTED,
    )
    _first_page_draws(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    for figure in ("¥60,000.00", "¥51,860.00", "¥8,140.00", "62"):
        assert figure in text
    assert "Noto-Sans-CJK-SC" in _fonts(pdf, tmp_path)


def test_unpublished_results_and_minutes_do_not_print(store: Session) -> None:
    voting = _id(store, select(BudgetRound.id).where(BudgetRound.phase == "voting"))
    with pytest.raises(WrongPhase, match="result_not_published"):
        round_layout.read_report(store, ANONYMOUS, round_id=voting, locale="en", printed_on=PRINTED)
    planned = _id(store, select(Meeting.id).where(Meeting.minutes_status == MinutesStatus.DRAFT))
    with pytest.raises(WrongPhase, match="minutes_not_published"):
        minutes_layout.read_report(
            store, ANONYMOUS, meeting_id=planned, locale="en", printed_on=PRINTED
        )


def test_the_books_notice_is_refused_to_a_resident_and_names_donors_for_the_treasurer(
    world: World,
) -> None:
    donate(world, "300", donor="Old Mr Li", is_anonymous=True)
    with pytest.raises(NotAllowed):
        fund_layout.read_report(
            world.session,
            world.viewer("resident_a1"),
            fund_id=world.fund_a,
            locale="en",
            printed_on=PRINTED,
            books=True,
        )
    public = fund_layout.read_report(
        world.session,
        world.viewer("resident_a1"),
        fund_id=world.fund_a,
        locale="en",
        printed_on=PRINTED,
    )
    books = fund_layout.read_report(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        locale="en",
        printed_on=PRINTED,
        books=True,
    )
    assert "Old Mr Li" not in public.body and "(anonymous donor)" in public.body
    assert "Old Mr Li" in books.body


def test_hostile_text_in_the_ledger_is_printed_as_text(world: World, tmp_path: Path) -> None:
    donate(world, "12.34", donor=HOSTILE)
    report = fund_layout.read_report(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        locale="en",
        printed_on=PRINTED,
    )
    html = document(report)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in html
    text = _text(report_pdf(report), tmp_path)
    assert "<script>alert(1)</" in text and 'evil.example/x.png">' in text  # printed, as typed


def test_hostile_text_in_minutes_is_escaped() -> None:
    at = datetime(2026, 3, 1, 19, 0)
    minutes = MeetingMinutes(
        meeting=MeetingRow(
            1, 1, HOSTILE, "committee", HOSTILE, at, HOSTILE, "closed", "published", 1
        ),
        agenda=[AgendaRow(1, 0, HOSTILE, None, None, None)],
        attendance=[AttendanceRow(1, HOSTILE, HOSTILE, True)],
        notes=[NoteRow(1, 1, HOSTILE, HOSTILE, at)],
        decisions=[DecisionRow(1, 1, 2, HOSTILE, "approved", HOSTILE, 5, 1, 0, at)],
        content_visible=True,
        may_run=False,
        may_publish=False,
        may_steer=False,
        current_agenda_item_id=None,
        item_started_at=None,
        quorum=None,
        revision=1,
    )
    for locale in ("zh-CN", "en"):
        html = fragment(minutes_layout.minutes_report(minutes, locale, PRINTED))
        assert "<script" not in html and "<img" not in html
        assert html.count("&lt;script&gt;") >= 9  # every field the minutes show


def test_review_report_keeps_open_scores_private_and_typed_titles_as_text(world: World) -> None:
    """While the session is open a resident's report and workbook hold the facts, no scores or
    comments; the reviewer's hold them. A hostile project title is escaped in the HTML and
    disarmed in the Excel file."""
    lamp = project(world, title='=HYPERLINK("http://evil.example")' + HOSTILE)
    session_id = open_session(world)
    score(world, session_id, lamp, comment="secret: 效果好")

    def report(who: str) -> str:
        return fragment(
            review_layout.read_report(
                world.session,
                world.viewer(who),
                session_id=session_id,
                locale="en",
                printed_on=PRINTED,
            )
        )

    resident, reviewer = report("resident_a1"), report("reviewer")
    assert "secret" not in resident and "public once the session closes" in resident
    assert "secret: 效果好" in reviewer
    for html in (resident, reviewer):
        assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    data = review_layout.read_workbook(
        world.session, world.viewer("resident_a1"), session_id=session_id, locale="en"
    )
    book = load_workbook(io.BytesIO(data))
    assert book["Projects"]["A2"].value.startswith("'=HYPERLINK(")  # shown, never run
    assert book["Scores"].max_row == 1 and book["Comments"].max_row == 1  # headers only
