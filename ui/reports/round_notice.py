"""A round's published result for the paper notice board (公示栏): turnout by channel, how it
was counted, every project on the ballot with its votes and outcome, and the committee's
overrides with their public reasons."""

from datetime import date

from sqlmodel import Session

from services.permissions import Viewer
from services.printouts import RoundNotice, round_notice
from ui.reports.layout import (
    Markup,
    Report,
    Words,
    block,
    facts,
    heading,
    local_date,
    paragraph,
    table,
)


def _turnout(words: Words, notice: RoundNotice) -> Markup:
    ballots = notice.turnout.ballots
    households = notice.turnout.eligible_households
    return facts(
        [
            (words("review.place"), notice.turnout.place),
            (words("field.year"), str(notice.turnout.year)),
            (words("live.online"), str(ballots.online)),
            (words("live.paper"), str(ballots.paper)),
            (words("live.code"), str(ballots.code)),
            (words("live.imported"), str(ballots.imported)),
            (words("live.ballots"), str(ballots.total)),
            (words("live.households"), "–" if households is None else str(households)),
        ]
    )


def _lines(words: Words, notice: RoundNotice) -> Markup:
    result = notice.result
    rows = []
    for rank, line in enumerate(result.lines, start=1):
        outcome = words("tally.won") if line.won else words("tally.lost")
        if line.overridden:
            outcome += f" ({words('tally.overridden')})"
        rows.append(
            [str(rank), line.title, words.money(line.requested_fen), str(line.support), outcome]
        )
    return table(
        [
            words("reports.rank"),
            words("tally.project"),
            words("tally.requested"),
            words("tally.support"),
            words("tally.outcome"),
        ],
        rows,
        numeric=(0, 2, 3),
        total=[
            "",
            words("tally.total_cost"),
            words.money(sum(line.requested_fen for line in result.lines if line.won)),
            "",
            "",
        ],
    )


def _overrides(words: Words, notice: RoundNotice) -> Markup:
    parts = [heading(2, words("tally.overrides"))]
    for override in notice.result.overrides:
        outcome = words("tally.won") if override.selected else words("tally.lost")
        parts.append(
            block(
                facts(
                    [
                        (words("tally.project"), override.title),
                        (words("tally.outcome"), outcome),
                        (words("reports.recorded_at"), words.moment(override.at)),
                    ]
                ),
                paragraph(words("tally.override_reason", reason=override.reason)),
            )
        )
    return "".join(parts)


def round_notice_report(notice: RoundNotice, locale: str, printed_on: date) -> Report:
    words = Words(locale)
    result = notice.result
    assert result.published_at is not None  # the service prints only published results
    body = [
        _turnout(words, notice),
        paragraph(
            words(
                "reports.counted_by",
                rule=words.label("rule", result.rule),
                tie_break=words.label("tie_break", result.tie_break),
                ballots=result.ballots_counted,
            )
        ),
        paragraph(
            words(
                "reports.budget_line",
                budget=words.money(result.budget_fen),
                funded=words.money(result.total_cost_fen),
                leftover=words.money(result.leftover_fen),
            )
        ),
        heading(2, words("reports.projects_on_ballot")),
        _lines(words, notice),
    ]
    if result.overrides:
        body.append(_overrides(words, notice))
    return Report(
        locale=locale,
        title=words("reports.round_notice_title", round=notice.turnout.round_name),
        place=notice.turnout.place,
        on=local_date(result.published_at),
        printed_on=printed_on,
        body="".join(body),
    )


def read_report(
    session: Session, viewer: Viewer, *, round_id: int, locale: str, printed_on: date
) -> Report:
    return round_notice_report(round_notice(session, viewer, round_id=round_id), locale, printed_on)
