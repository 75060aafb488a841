"""The year-end review session's report (年底评审会): the street's figures, each project's facts
and, where the viewer may see them, its scores, recommendations and comments. PDF and Excel."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlmodel import Session

from models.vocabulary import Recommendation, RubricCriterion
from services.permissions import Viewer
from services.reviews import ReviewBoard, ReviewProject, one_decimal, review_board
from ui.reports.layout import (
    Markup,
    Report,
    Words,
    block,
    bullets,
    facts,
    heading,
    paragraph,
    table,
)
from ui.reports.workbook import Sheet, workbook, yuan


def _percent(value: Fraction | None) -> str:
    return "–" if value is None else f"{one_decimal(value * 100)}%"


def _ratio(value: Fraction | None) -> str:
    return "–" if value is None else one_decimal(value)


def _overall(project: ReviewProject) -> str:
    if project.scores is None or project.scores.overall is None:
        return "–"
    return one_decimal(project.scores.overall)


def _street(words: Words, board: ReviewBoard) -> Markup:
    figures = board.indicators
    return facts(
        [
            (words("review.street"), board.session.street),
            (words("field.year"), str(board.session.year)),
            (words("field.held_on"), words.day(board.session.held_on)),
            (words("reports.session_status"), words(f"review.status.{board.session.status}")),
            (words("review.projects"), str(figures.projects)),
            (
                words("review.implementation_rate"),
                f"{_percent(figures.implementation_rate)} ("
                + words(
                    "review.implementation_rate_help",
                    completed=figures.completed,
                    total=figures.projects,
                )
                + ")",
            ),
            (words("review.seed"), words.money(figures.seed_fen)),
            (words("reports.co_funding_pledged"), words.money(figures.co_funding_fen)),
            (words("reports.received"), words.money(figures.received_fen)),
            (words("review.spent"), words.money(figures.spent_fen)),
            (words("review.total_leverage"), _ratio(figures.leverage)),
        ]
    )


def _overview(words: Words, board: ReviewBoard) -> Markup:
    figures = board.indicators
    return table(
        [
            words("reports.project"),
            words("review.place"),
            words("reports.status"),
            words("review.cost"),
            words("review.seed"),
            words("reports.received"),
            words("review.spent"),
            words("review.overall"),
        ],
        [
            [
                p.title,
                p.place,
                words.label("status", p.status),
                words.money(p.cost_fen),
                words.money(p.seed_fen),
                words.money(p.received_fen),
                words.money(p.spent_fen),
                _overall(p),
            ]
            for p in board.projects
        ],
        numeric=(3, 4, 5, 6, 7),
        nowrap=(1, 2),
        total=[
            words("reports.total"),
            "",
            "",
            words.money(sum(p.cost_fen for p in board.projects)),
            words.money(figures.seed_fen),
            words.money(figures.received_fen),
            words.money(figures.spent_fen),
            "",
        ],
    )


def _scores(words: Words, project: ReviewProject) -> Markup:
    scores = project.scores
    if scores is None:
        return paragraph(words("review.scores_private"), "note")
    if not scores.reviews:
        return paragraph(words("review.no_reviews"), "note")
    shown = [c.value for c in RubricCriterion if c.value in scores.averages]
    parts = [
        table(
            [*(words(f"field.{c}") for c in shown), words("review.overall")],
            [[*(one_decimal(scores.averages[c]) for c in shown), _overall(project)]],
            numeric=tuple(range(len(shown) + 1)),
        ),
        paragraph(
            words("reports.reviews_count", count=scores.reviews)
            + " · "
            + " · ".join(
                words(
                    "reports.count_of",
                    name=words(f"review.recommendation.{r.value}"),
                    count=scores.recommendations.get(r, 0),
                )
                for r in Recommendation
            )
        ),
    ]
    if scores.goal_drift_flags:
        parts.append(paragraph(words("review.goal_drift_flags", count=scores.goal_drift_flags)))
    if scores.comments:
        parts += [heading(4, words("field.comment")), bullets(scores.comments)]
    return "".join(parts)


def _project(words: Words, project: ReviewProject) -> Markup:
    return block(heading(3, project.title), _facts(words, project)) + _scores(words, project)


def _facts(words: Words, project: ReviewProject) -> Markup:
    return facts(
        [
            (words("review.place"), project.place),
            (words("reports.category"), words.label("category", project.category)),
            (words("reports.status"), words.label("status", project.status)),
            (words("review.cost"), words.money(project.cost_fen)),
            (words("reports.co_funding_pledged"), words.money(project.co_funding_fen)),
            (words("reports.received"), words.money(project.received_fen)),
            (words("review.seed"), words.money(project.seed_fen)),
            (words("review.spent"), words.money(project.spent_fen)),
            (words("review.leverage"), _ratio(project.leverage)),
            (words("review.spent_share"), _percent(project.spent_share)),
            (
                words("reports.maintenance"),
                words(
                    "reports.maintenance_line",
                    maintainer=project.maintainer or "–",
                    years=project.maintenance_years,
                ),
            ),
            (
                words("reports.maintenance_plan"),
                project.maintenance_plan or words("review.no_maintenance_plan"),
            ),
        ]
    )


def review_session_report(board: ReviewBoard, locale: str, printed_on: date) -> Report:
    words = Words(locale)
    body = [
        _street(words, board),
        heading(2, words("review.projects")),
        _overview(words, board) if board.projects else paragraph(words("review.no_projects")),
    ]
    body += [_project(words, project) for project in board.projects]
    return Report(
        locale=locale,
        title=board.session.title,
        place=board.session.street,
        on=board.session.held_on,
        printed_on=printed_on,
        body="".join(body),
    )


def read_report(
    session: Session, viewer: Viewer, *, session_id: int, locale: str, printed_on: date
) -> Report:
    return review_session_report(review_board(session, viewer, session_id), locale, printed_on)


def _average(project: ReviewProject, criterion: str) -> Decimal | str:
    if project.scores is None or criterion not in project.scores.averages:
        return ""
    return Decimal(one_decimal(project.scores.averages[criterion]))


def review_session_sheets(board: ReviewBoard, locale: str) -> list[Sheet]:
    """Projects (money, exact) and scores (one decimal, as on the screen), one row a project;
    the comments on a sheet of their own."""
    words = Words(locale)
    projects: list[Sequence[object]] = [
        [
            words("reports.project"),
            words("review.place"),
            words("reports.category"),
            words("reports.status"),
            words("review.cost"),
            words("reports.co_funding_pledged"),
            words("reports.received"),
            words("review.seed"),
            words("review.spent"),
            words("reports.maintenance"),
            words("reports.maintenance_years"),
        ]
    ]
    for p in board.projects:
        projects.append(
            [
                p.title,
                p.place,
                words.label("category", p.category),
                words.label("status", p.status),
                yuan(p.cost_fen),
                yuan(p.co_funding_fen),
                yuan(p.received_fen),
                yuan(p.seed_fen),
                yuan(p.spent_fen),
                p.maintainer,
                p.maintenance_years,
            ]
        )
    projects.append(
        [
            words("reports.total"),
            "",
            "",
            "",
            yuan(sum(p.cost_fen for p in board.projects)),
            yuan(board.indicators.co_funding_fen),
            yuan(board.indicators.received_fen),
            yuan(board.indicators.seed_fen),
            yuan(board.indicators.spent_fen),
            "",
            "",
        ]
    )
    visible = [p for p in board.projects if p.scores is not None]
    scores: list[Sequence[object]] = [
        [
            words("reports.project"),
            *(words(f"field.{c.value}") for c in RubricCriterion),
            words("review.overall"),
            words("review.reviews"),
            *(words(f"review.recommendation.{r.value}") for r in Recommendation),
            words("review.goal_drift"),
        ]
    ]
    for p in visible:
        assert p.scores is not None
        overall = p.scores.overall
        scores.append(
            [
                p.title,
                *(_average(p, c.value) for c in RubricCriterion),
                "" if overall is None else Decimal(one_decimal(overall)),
                p.scores.reviews,
                *(p.scores.recommendations.get(r, 0) for r in Recommendation),
                p.scores.goal_drift_flags,
            ]
        )
    comments: list[Sequence[object]] = [[words("reports.project"), words("field.comment")]]
    comments += [[p.title, c] for p in visible if p.scores for c in p.scores.comments]
    return [
        (words("reports.sheet_projects"), projects),
        (words("reports.sheet_scores"), scores),
        (words("reports.sheet_comments"), comments),
    ]


def read_workbook(session: Session, viewer: Viewer, *, session_id: int, locale: str) -> bytes:
    return workbook(review_session_sheets(review_board(session, viewer, session_id), locale))
