"""Next year's allocation (来年资助分配) to print: the parameters, the formula, each community's
suggested amount with its numbers plugged in, each adjustment with its reason, and the final
split summing to the total. PDF and Excel. A draft prints only for the street's reviewers."""

from datetime import date

from sqlmodel import Session

from services.allocation import LEVERAGE_CAP, PlanView
from services.permissions import Viewer
from services.printouts import allocation_plan
from ui.allocation_formula import decimal, exact_yuan, need_line, performance_line
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
from ui.reports.workbook import Sheet, workbook, yuan


def _flat(text: str) -> str:
    """The screen's words without their Markdown emphasis: paper sets its own."""
    return text.replace("**", "")


def _status(words: Words, plan: PlanView) -> str:
    if plan.published_by is None:
        return words("reports.allocation_draft", name=plan.drafted_by)
    assert plan.published_at is not None
    return words(
        "reports.allocation_published",
        name=plan.published_by,
        date=words.day(local_date(plan.published_at)),
    )


def _formula(words: Words, plan: PlanView) -> Markup:
    split = plan.split
    total = words.money(split.total_fen)
    floor, need = exact_yuan(words, split.floor_pool), exact_yuan(words, split.need_pool)
    households, needs, years = split.need_totals
    performance = (
        words(
            "allocation.performance_rule",
            year=plan.year - 1,
            cap=LEVERAGE_CAP,
            score_total=decimal(split.score_total),
        )
        if split.score_total
        else words("allocation.performance_even", year=plan.year - 1)
    )
    return block(
        heading(2, words("allocation.formula")),
        paragraph(_flat(words("allocation.formula_rule"))),
        facts(
            [
                (words("allocation.total"), total),
                (words("field.floor_percent"), f"{split.floor_percent}%"),
                (words("field.need_percent"), f"{split.need_percent}%"),
            ]
        ),
        paragraph(
            _flat(
                words(
                    "allocation.floor_pool",
                    total=total,
                    percent=split.floor_percent,
                    amount=floor,
                )
            )
        ),
        paragraph(
            _flat(
                words(
                    "allocation.need_pool",
                    total=total,
                    floor=floor,
                    percent=split.need_percent,
                    amount=need,
                )
            )
        ),
        paragraph(
            _flat(
                words(
                    "allocation.performance_pool",
                    total=total,
                    floor=floor,
                    need=need,
                    amount=exact_yuan(words, split.performance_pool),
                )
            )
        ),
        paragraph(
            words(
                "allocation.need_rule",
                households=f"{households:,}",
                needs=f"{needs:,}",
                years=years,
            ),
            "note",
        ),
        paragraph(performance, "note"),
    )


def _communities(words: Words, plan: PlanView) -> Markup:
    split, count = plan.split, len(plan.lines)
    parts = [heading(2, words("reports.allocation_suggested"))]
    for line in plan.lines:
        part = line.part
        parts.append(
            block(
                heading(3, f"{line.community} · {words.money(part.amount_fen)}"),
                paragraph(
                    words(
                        "allocation.floor_line",
                        pool=exact_yuan(words, split.floor_pool),
                        count=count,
                        amount=exact_yuan(words, part.floor),
                    )
                ),
                paragraph(need_line(words, split, part)),
                paragraph(performance_line(words, split, part)),
                paragraph(
                    _flat(
                        words(
                            "allocation.sum_line",
                            exact=exact_yuan(words, part.exact),
                            amount=words.money(part.amount_fen),
                        )
                    )
                ),
            )
        )
    return "".join(parts)


def _adjustments(words: Words, plan: PlanView) -> Markup:
    parts = [heading(2, words("allocation.adjustments"))]
    if not plan.adjustments:
        return "".join([*parts, paragraph(words("allocation.no_adjustments"), "note")])
    for index, made in enumerate(plan.adjustments, start=1):
        parts.append(
            block(
                paragraph(
                    f"{index}. "
                    + _flat(
                        words(
                            "allocation.adjustment_line",
                            community=made.community,
                            before=words.money(made.before_fen),
                            after=words.money(made.after_fen),
                            counterpart=made.counterpart,
                            counterpart_before=words.money(made.counterpart_before_fen),
                            counterpart_after=words.money(made.counterpart_after_fen),
                        )
                    )
                ),
                paragraph(words("allocation.adjustment_reason", reason=made.reason)),
                paragraph(
                    words("allocation.adjustment_meta", name=made.by, at=words.moment(made.at)),
                    "note",
                ),
            )
        )
    return "".join(parts)


def _signed(words: Words, fen: int) -> str:
    return f"+{words.money(fen)}" if fen > 0 else words.money(fen)


def _final(words: Words, plan: PlanView) -> Markup:
    return block(
        heading(2, words("reports.allocation_split")),
        table(
            [
                words("reports.place"),
                words("reports.allocation_suggested_amount"),
                words("reports.allocation_adjusted_by"),
                words("reports.allocation_final"),
            ],
            [
                [
                    line.community,
                    words.money(line.part.amount_fen),
                    _signed(words, line.amount_fen - line.part.amount_fen),
                    words.money(line.amount_fen),
                ]
                for line in plan.lines
            ],
            numeric=(1, 2, 3),
            total=[
                words("reports.total"),
                words.money(sum(line.part.amount_fen for line in plan.lines)),
                words.money(0),
                words.money(sum(line.amount_fen for line in plan.lines)),
            ],
        ),
    )


def allocation_report(plan: PlanView, locale: str, printed_on: date) -> Report:
    words = Words(locale)
    body = [
        paragraph(_status(words, plan), "report-meta"),
        _final(words, plan),
        _formula(words, plan),
        _communities(words, plan),
        _adjustments(words, plan),
    ]
    return Report(
        locale=locale,
        title=words("allocation.title", street=plan.street, year=plan.year),
        place=plan.street,
        on=local_date(plan.published_at) if plan.published_at else printed_on,
        printed_on=printed_on,
        body="".join(body),
    )


def allocation_sheets(plan: PlanView, locale: str) -> list[Sheet]:
    """The split (suggested, adjustment, final, with totals equal to the plan's) and every
    adjustment with its reason."""
    words = Words(locale)
    split = [
        [
            line.community,
            line.part.figures.households,
            line.part.figures.open_needs,
            line.part.figures.facility_age,
            yuan(line.part.amount_fen),
            yuan(line.amount_fen - line.part.amount_fen),
            yuan(line.amount_fen),
        ]
        for line in plan.lines
    ]
    adjustments = [
        [
            index,
            made.community,
            yuan(made.before_fen),
            yuan(made.after_fen),
            made.counterpart,
            yuan(made.counterpart_before_fen),
            yuan(made.counterpart_after_fen),
            made.reason,
            made.by,
            words.moment(made.at),
        ]
        for index, made in enumerate(plan.adjustments, start=1)
    ]
    return [
        (
            words("reports.sheet_split"),
            [
                [
                    words("reports.place"),
                    words("reports.households"),
                    words("reports.open_needs"),
                    words("reports.facility_age"),
                    words("reports.allocation_suggested_amount"),
                    words("reports.allocation_adjusted_by"),
                    words("reports.allocation_final"),
                ],
                *split,
                [
                    words("reports.total"),
                    None,
                    None,
                    None,
                    yuan(sum(line.part.amount_fen for line in plan.lines)),
                    yuan(0),
                    yuan(sum(line.amount_fen for line in plan.lines)),
                ],
            ],
        ),
        (
            words("reports.sheet_adjustments"),
            [
                [
                    words("reports.rank"),
                    words("reports.place"),
                    words("reports.before"),
                    words("reports.after"),
                    words("reports.counterpart"),
                    words("reports.counterpart_before"),
                    words("reports.counterpart_after"),
                    words("field.reason"),
                    words("reports.person"),
                    words("reports.recorded_at"),
                ],
                *adjustments,
            ],
        ),
    ]


def read_report(
    session: Session, viewer: Viewer, *, plan_id: int, locale: str, printed_on: date
) -> Report:
    return allocation_report(allocation_plan(session, viewer, plan_id=plan_id), locale, printed_on)


def read_workbook(session: Session, viewer: Viewer, *, plan_id: int, locale: str) -> bytes:
    return workbook(allocation_sheets(allocation_plan(session, viewer, plan_id=plan_id), locale))
