"""The indicators report (年底评审指标): the street's and each community's figures for a year,
side by side, and the street's over the years, each indicator under its short name. The PDF
rounds as the screen does; the Excel file keeps ratios to three places and money in exact yuan.
Indicators are public: the viewer is taken only to read as every report does."""

import math
from collections.abc import Callable, Sequence
from datetime import date
from fractions import Fraction

from sqlmodel import Session

from services.indicators import IndicatorBoard, Indicators, indicator_board
from services.permissions import Viewer
from ui.i18n import format_percent
from ui.reports.layout import Markup, Report, Words, block, heading, paragraph, table
from ui.reports.workbook import Ratio, Share, Sheet, three_places, workbook, yuan

Row = Callable[[Indicators], str]


def _rounded(value: Fraction | None, digits: int) -> str:
    """Half up, as the indicators screen shows it."""
    if value is None:
        return "–"
    scale = 10**digits
    units = math.floor(value * scale + Fraction(1, 2))
    return f"{units // scale}.{units % scale:0{digits}d}"


def _measures(words: Words) -> list[tuple[str, Row]]:
    """Each indicator's short name and its figure as the screen shows it, with its counts."""
    pct = format_percent
    money = words.money
    return [
        (
            "indicators.done_of_submitted",
            lambda r: f"{pct(r.done_of_submitted)} ({r.completed}/{r.submitted})",
        ),
        (
            "indicators.done_of_selected",
            lambda r: f"{pct(r.done_of_selected)} ({r.completed}/{r.selected})",
        ),
        ("indicators.abandoned_projects", lambda r: f"{r.abandoned} / {r.selected}"),
        ("indicators.drifted", lambda r: f"{r.drifted} / {r.reviewed}"),
        ("reports.households", lambda r: "–" if r.households is None else f"{r.households:,}"),
        ("indicators.voters", lambda r: str(r.voters)),
        ("indicators.turnout", lambda r: pct(r.turnout)),
        ("indicators.proposers", lambda r: str(r.proposers)),
        ("indicators.supporters", lambda r: str(r.supporters)),
        ("indicators.donors", lambda r: str(r.donors)),
        ("indicators.volunteers", lambda r: str(r.volunteers)),
        ("reports.seed_money", lambda r: money(r.seed_fen)),
        ("reports.received", lambda r: money(r.other_received_fen)),
        ("indicators.leverage", lambda r: _rounded(r.leverage, 2)),
        ("reports.spent_of_budget", lambda r: f"{money(r.spent_fen)} / {money(r.budget_fen)}"),
        ("indicators.spent_share", lambda r: pct(r.spent_share)),
        ("indicators.within_budget", lambda r: f"{r.within_budget} / {r.funded}"),
        ("reports.money_in", lambda r: money(r.money_in_fen)),
        ("reports.non_government_money", lambda r: money(r.non_government_fen)),
        ("indicators.non_government_share", lambda r: pct(r.non_government_share)),
        ("indicators.resident_satisfaction", lambda r: _rounded(r.resident_satisfaction, 1)),
        ("indicators.review_satisfaction", lambda r: _rounded(r.review_satisfaction, 1)),
    ]


def _side_by_side(words: Words, headers: Sequence[str], rows: Sequence[Indicators]) -> Markup:
    """One indicator a line and one place (or year) a column: it fits A4 upright."""
    return table(
        [words("reports.indicator"), *headers],
        [[words(key), *(shown(row) for row in rows)] for key, shown in _measures(words)],
        numeric=tuple(range(1, len(rows) + 1)),
    )


def indicators_report(board: IndicatorBoard, locale: str, printed_on: date) -> Report:
    words = Words(locale)
    street = board.street
    name = board.streets.get(board.street_id or 0, "")
    if street is None or board.year is None:
        body = paragraph(words("indicators.none"), "note")
        year = printed_on.year
    else:
        year = board.year
        trend = [row for row in board.trend if row.place_id == street.place_id]
        body = "".join(
            [
                block(
                    heading(2, words("reports.indicators_year", year=year)),
                    _side_by_side(
                        words,
                        [words("indicators.whole_street"), *(r.place for r in board.communities)],
                        [street, *board.communities],
                    ),
                ),
                block(
                    heading(2, words("reports.indicators_trend", street=name)),
                    _side_by_side(words, [str(row.year) for row in trend], trend),
                ),
                paragraph(words("reports.indicators_note"), "note"),
            ]
        )
    return Report(
        locale=locale,
        title=words("reports.indicators_title", street=name, year=year),
        place=name,
        on=printed_on,
        printed_on=printed_on,
        body=body,
    )


def _ratio(value: Fraction | None) -> Ratio | None:
    return None if value is None else Ratio(three_places(value))


def _share(value: Fraction | None) -> Share | None:
    return None if value is None else Share(three_places(value))


def _columns() -> list[tuple[str, Callable[[Indicators], object]]]:
    return [
        ("reports.households", lambda r: r.households),
        ("reports.submitted", lambda r: r.submitted),
        ("reports.selected", lambda r: r.selected),
        ("reports.completed", lambda r: r.completed),
        ("indicators.done_of_submitted", lambda r: _share(r.done_of_submitted)),
        ("indicators.done_of_selected", lambda r: _share(r.done_of_selected)),
        ("indicators.abandoned_projects", lambda r: r.abandoned),
        ("indicators.drifted", lambda r: r.drifted),
        ("reports.reviewed", lambda r: r.reviewed),
        ("indicators.proposers", lambda r: r.proposers),
        ("indicators.supporters", lambda r: r.supporters),
        ("indicators.voters", lambda r: r.voters),
        ("indicators.turnout", lambda r: _share(r.turnout)),
        ("indicators.donors", lambda r: r.donors),
        ("indicators.volunteers", lambda r: r.volunteers),
        ("reports.seed_money", lambda r: yuan(r.seed_fen)),
        ("reports.received", lambda r: yuan(r.other_received_fen)),
        ("indicators.leverage", lambda r: _ratio(r.leverage)),
        ("reports.budget", lambda r: yuan(r.budget_fen)),
        ("reports.spent", lambda r: yuan(r.spent_fen)),
        ("indicators.spent_share", lambda r: _share(r.spent_share)),
        ("reports.funded", lambda r: r.funded),
        ("indicators.within_budget", lambda r: r.within_budget),
        ("reports.money_in", lambda r: yuan(r.money_in_fen)),
        ("reports.non_government_money", lambda r: yuan(r.non_government_fen)),
        ("indicators.non_government_share", lambda r: _share(r.non_government_share)),
        ("indicators.resident_satisfaction", lambda r: _ratio(r.resident_satisfaction)),
        ("reports.ratings", lambda r: r.ratings),
        ("indicators.review_satisfaction", lambda r: _ratio(r.review_satisfaction)),
    ]


def indicators_sheets(board: IndicatorBoard, locale: str) -> list[Sheet]:
    """The street by year; its communities for the year with the whole street below them (its
    counts are distinct people over the street, not the column's sum)."""
    words = Words(locale)
    columns = _columns()
    names = [words(key) for key, _ in columns]
    street = board.street
    trend = [row for row in board.trend if street is not None and row.place_id == street.place_id]
    years = [[row.year, *(value(row) for _, value in columns)] for row in trend]
    places = [[row.place, *(value(row) for _, value in columns)] for row in board.communities]
    if street is not None:
        places.append([words("indicators.whole_street"), *(v(street) for _, v in columns)])
    return [
        (words("reports.sheet_street_years"), [[words("indicators.year"), *names], *years]),
        (
            words("reports.sheet_communities", year=board.year or ""),
            [[words("reports.place"), *names], *places],
        ),
    ]


def read_report(
    session: Session,
    viewer: Viewer,
    *,
    street_id: int | None,
    year: int | None,
    locale: str,
    printed_on: date,
) -> Report:
    board = indicator_board(session, street_id=street_id, year=year)
    return indicators_report(board, locale, printed_on)


def read_workbook(
    session: Session, viewer: Viewer, *, street_id: int | None, year: int | None, locale: str
) -> bytes:
    return workbook(
        indicators_sheets(indicator_board(session, street_id=street_id, year=year), locale)
    )
