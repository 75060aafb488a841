"""The indicators and next year's allocation, printed: the Excel files open with their sheets
and add up to the demo's hand-computed figures, the PDFs draw with Noto CJK and hold those
figures, typed text stays text, and a draft plan prints only for the street's reviewers.

The demo's allocation (demo/allocation.py): 古美路街道's 2026 seed money, 300,000 yuan,
suggested 万源 52,886.78, 古龙 70,636.61, 平阳 176,476.61; adjusted twice (万源 to 60,000 and
古龙 to 80,000, both from 平阳) to 60,000 / 80,000 / 160,000. The demo's indicators
(demo/indicators.py): in 2025 the street had 5 proposals submitted, 4 selected and 1 done
(20.0 %), seed money 59,860, other money 5,050 (leverage 505/5,986 = 0.084), 62 ballots
over 2,360 households (2.6 %); in 2026 万源 had 3 submitted, seed money 19,000, other money
2,000 (leverage 2/19 = 0.105), spent 14,500, money in 2,200; 平阳 money in 162,200, the
street 164,400.
"""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from models import AllocationPlan
from services.allocation import adjust_allocation, draft_allocation_plan
from services.errors import NotFound
from services.notice import notice_board
from services.permissions import ANONYMOUS
from tests.ui.test_reports import (
    HOSTILE,
    PRINTED,
    _first_page_draws,
    _fonts,
    _text,
)
from tests.ui.test_reports import demo as demo  # the module's demo street, read only
from tests.ui.test_reports import store as store
from tests.world import World
from ui.reports import allocation as allocation_layout
from ui.reports import indicators as indicators_layout
from ui.reports.layout import fragment
from ui.reports.pdf import read_pdf


def _plan(session: Session) -> int:
    found = session.exec(select(AllocationPlan.id)).first()
    assert found is not None
    return found


def _rows(data: bytes, sheet: str) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data))
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def _exact(value: object) -> Decimal:
    return Decimal(str(value))


def test_allocation_xlsx_has_the_split_and_the_adjustments_summing_to_the_total(
    store: Session,
) -> None:
    data = allocation_layout.read_workbook(store, ANONYMOUS, plan_id=_plan(store), locale="en")
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Split", "Adjustments"]
    split = _rows(data, "Split")
    assert split[0][0] == "Community" and split[0][-3:] == [
        "Suggested",
        "Adjustment",
        "Final amount",
    ]
    by_name = {row[0]: [_exact(v) for v in row[-3:]] for row in split[1:-1]}
    assert by_name == {
        "万源社区": [Decimal("52886.78"), Decimal("7113.22"), Decimal("60000")],
        "古龙社区": [Decimal("70636.61"), Decimal("9363.39"), Decimal("80000")],
        "平阳社区": [Decimal("176476.61"), Decimal("-16476.61"), Decimal("160000")],
    }
    total = split[-1]
    assert total[0] == "Total"
    assert [_exact(v) for v in total[-3:]] == [Decimal("300000"), 0, Decimal("300000")]
    assert sum(values[2] for values in by_name.values()) == Decimal("300000")
    adjustments = _rows(data, "Adjustments")
    assert len(adjustments) == 1 + 2
    assert [(row[1], _exact(row[2]), _exact(row[3]), row[4]) for row in adjustments[1:]] == [
        ("万源社区", Decimal("52886.78"), Decimal("60000"), "平阳社区"),
        ("古龙社区", Decimal("70636.61"), Decimal("80000"), "平阳社区"),
    ]
    assert "古龙三村建于1982年" in str(adjustments[2][7])


def test_allocation_pdf_in_chinese_shows_the_formula_the_reasons_and_the_split(
    store: Session, tmp_path: Path
) -> None:
    pdf = read_pdf(
        allocation_layout.read_report,
        store,
        ANONYMOUS,
        plan_id=_plan(store),
        locale="zh-CN",
        printed_on=PRINTED,
    )
    _first_page_draws(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    for figure in (
        "¥300,000.00",
        "¥120,000.00",  # the floor pool
        "¥108,000.00",  # the need pool
        "¥72,000.00",  # the performance pool
        "¥52,886.78",
        "¥70,636.61",
        "¥176,476.61",
        "¥60,000.00",
        "¥80,000.00",
        "¥160,000.00",
        "420/2,360",  # 万源's households, plugged into its need share
    ):
        assert figure in text, figure
    assert "古美路街道" in text and "第 1 页，共" in text
    assert "委托社会组织开展提案培育" in text.replace("\n", "").replace(" ", "")
    assert "Noto-Sans-CJK-SC" in _fonts(pdf, tmp_path)


def test_indicators_xlsx_has_the_street_by_year_and_the_communities(store: Session) -> None:
    data = indicators_layout.read_workbook(store, ANONYMOUS, street_id=None, year=2026, locale="en")
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Street by year", "Communities 2026"]
    years = _rows(data, "Street by year")
    header = years[0]
    column = {name: header.index(name) for name in header}
    first = years[1]
    assert first[0] == 2025
    assert (first[column["Submitted"]], first[column["Selected"]]) == (5, 4)
    assert _exact(first[column["Done of submitted"]]) == Decimal("0.2")
    assert _exact(first[column["Seed money"]]) == Decimal("59860")
    assert _exact(first[column["Other money received"]]) == Decimal("5050")
    assert _exact(first[column["Leverage (撬动比)"]]) == Decimal("0.084")
    assert _exact(first[column["Turnout"]]) == Decimal("0.026")  # 62 ÷ 2,360
    places = _rows(data, "Communities 2026")
    rows = {row[0]: row for row in places[1:]}
    assert set(rows) == {"万源社区", "古龙社区", "平阳社区", "The whole street"}
    wanyuan, street = rows["万源社区"], rows["The whole street"]
    assert wanyuan[column["Submitted"]] == 3
    assert _exact(wanyuan[column["Leverage (撬动比)"]]) == Decimal("0.105")  # 2/19
    assert _exact(wanyuan[column["Spent"]]) == Decimal("14500")
    assert _exact(rows["平阳社区"][column["Money in"]]) == Decimal("162200")
    # The money columns add up: the communities' sum is the whole street's figure.
    for name in ("Seed money", "Other money received", "Spent", "Money in"):
        communities = sum(_exact(rows[p][column[name]]) for p in rows if p != "The whole street")
        assert communities == _exact(street[column[name]]), name
    assert _exact(street[column["Money in"]]) == Decimal("164400")
    book = load_workbook(io.BytesIO(data))
    turnout = book["Street by year"].cell(row=2, column=column["Turnout"] + 1)
    assert turnout.number_format == "0.0%"  # shown as the screen shows it: 2.6%


def test_indicators_pdf_in_chinese_has_the_year_and_the_trend(
    store: Session, tmp_path: Path
) -> None:
    pdf = read_pdf(
        indicators_layout.read_report,
        store,
        ANONYMOUS,
        street_id=None,
        year=2026,
        locale="zh-CN",
        printed_on=PRINTED,
    )
    _first_page_draws(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    for figure in (
        "20.0% (1/5)",  # 2025, done of submitted, in the trend
        "33.3% (1/3)",  # 万源 2026
        "¥59,860.00",
        "¥19,000.00",
        "¥164,400.00",
        "2.6%",
        "万源社区",
        "古龙社区",
        "平阳社区",
        "2025",
    ):
        assert figure in text, figure
    assert "提案落地率" in text and "第 1 页，共" in text
    assert "Noto-Sans-CJK-SC" in _fonts(pdf, tmp_path)


def test_the_notice_board_lists_the_published_split(store: Session) -> None:
    (published,) = notice_board(store).allocations
    assert (published.year, published.total_fen) == (2026, 30_000_000)
    assert dict(published.split) == {
        "万源社区": 6_000_000,
        "古龙社区": 8_000_000,
        "平阳社区": 16_000_000,
    }
    assert sum(fen for _, fen in published.split) == published.total_fen


def _hostile_draft(world: World) -> int:
    plan_id = draft_allocation_plan(
        world.session,
        world.viewer("reviewer"),
        street_id=world.street,
        year=2027,
        total="100,000",
        floor_percent=30,
        need_percent=50,
    )
    adjust_allocation(
        world.session,
        world.viewer("admin"),
        plan_id=plan_id,
        community_id=world.community_b,
        amount="62,500.50",
        counterpart_id=world.community_a,
        reason=HOSTILE,
    )
    return plan_id


def test_a_reason_typed_as_html_prints_as_typed(world: World, tmp_path: Path) -> None:
    plan_id = _hostile_draft(world)
    report = allocation_layout.read_report(
        world.session, world.viewer("reviewer"), plan_id=plan_id, locale="en", printed_on=PRINTED
    )
    shown = fragment(report)
    assert "<script>" not in shown and "<img" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "Draft by" in shown  # a reviewer prints the draft for the session, marked so
    text = _text(
        read_pdf(
            allocation_layout.read_report,
            world.session,
            world.viewer("reviewer"),
            plan_id=plan_id,
            locale="en",
            printed_on=PRINTED,
        ),
        tmp_path,
    )
    assert "<script>alert(1)</script>" in text and "¥62,500.50" in text
    rows = _rows(
        allocation_layout.read_workbook(
            world.session, world.viewer("admin"), plan_id=plan_id, locale="en"
        ),
        "Adjustments",
    )
    assert rows[1][7] == HOSTILE


@pytest.mark.parametrize("who", ["resident_a1", None])
def test_a_draft_plan_is_refused_to_a_resident(world: World, who: str | None) -> None:
    plan_id = _hostile_draft(world)
    viewer = ANONYMOUS if who is None else world.viewer(who)
    with pytest.raises(NotFound):
        allocation_layout.read_report(
            world.session, viewer, plan_id=plan_id, locale="en", printed_on=PRINTED
        )
    with pytest.raises(NotFound):
        allocation_layout.read_workbook(world.session, viewer, plan_id=plan_id, locale="en")
