"""Year-end review (年底评审会): the street's funded projects one at a time on the projected
screen, the reviewers' scoring form, the street's indicators, and the scores once closed."""

from datetime import date
from fractions import Fraction

import streamlit as st

from models.vocabulary import PlaceKind, Recommendation, RubricCriterion
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.reviews import (
    ReviewBoard,
    ReviewProject,
    close_review_session,
    list_review_sessions,
    one_decimal,
    open_review_session,
    review_board,
    score_project,
)
from ui import charts
from ui.context import act, current_viewer, day, label, money, read, t
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import review_session as review_report
from ui.widgets import empty_state, guard, place_select, status_badge

SESSION_KEY = "review_session"
INDEX_KEY = "review_project_index"
SCREEN_KEY = "review_screen"
CRITERIA = [c.value for c in RubricCriterion]
# Styling only, and a constant: no user content ever goes through unsafe_allow_html.
SCREEN_CSS = """
<style>
section[data-testid="stSidebar"], header[data-testid="stHeader"] { display: none; }
.block-container { max-width: 100%; padding: 1.5rem 3rem; }
.stMarkdown p, .stMarkdown li { font-size: 1.9rem; line-height: 1.45; }
.stMarkdown h1 { font-size: 3.4rem; }
.stMarkdown h2 { font-size: 2.6rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem; }
[data-testid="stMetricLabel"] p { font-size: 1.6rem; }
[data-testid="stCaptionContainer"] { font-size: 1.5rem; }
</style>
"""


def percent(value: Fraction | None) -> str:
    return "–" if value is None else f"{one_decimal(value * 100)}%"


# --- forms -----------------------------------------------------------------------------------


def _open_form(viewer: Viewer) -> None:
    streets = read(
        places_where_allowed, viewer=viewer, action=Action.SCORE_PROJECT, kinds=(PlaceKind.STREET,)
    ) | read(
        places_where_allowed, viewer=viewer, action=Action.MANAGE_PLACES, kinds=(PlaceKind.STREET,)
    )
    if not streets:
        return
    with (
        st.expander(t("review.open"), icon=":material/add:"),
        st.form("open_review_session", clear_on_submit=True, enter_to_submit=False),
    ):
        street_id = place_select(t("review.street"), key="review_street", allowed=streets)
        year = st.number_input(
            t("field.year"),
            min_value=2000,
            max_value=2200,
            value=date.today().year,
            step=1,
            key="review_year",
        )
        title = st.text_input(t("field.title"), max_chars=160, key="review_title")
        held_on = st.date_input(t("field.held_on"), value=date.today(), key="review_held_on")
        if st.form_submit_button(t("review.open_submit"), type="primary") and street_id:
            session_id = act(
                open_review_session,
                viewer,
                street_id=street_id,
                year=int(year),
                title=title,
                held_on=held_on,
            )
            if session_id:
                st.session_state[SESSION_KEY] = session_id
                st.session_state[INDEX_KEY] = 0
                st.rerun()


def _score_form(viewer: Viewer, board: ReviewBoard, project: ReviewProject) -> None:
    own = project.own_review
    key = f"score_{board.session.id}_{project.proposal_id}"
    with st.form(key, enter_to_submit=False):
        st.markdown(f"**{t('review.revise' if own else 'review.score')}**")
        columns = st.columns(len(CRITERIA))
        scores = {
            criterion: column.slider(
                t(f"field.{criterion}"),
                min_value=0,
                max_value=5,
                value=own.scores.get(criterion, 3) if own else 3,
                key=f"{key}_{criterion}",
            )
            for column, criterion in zip(columns, CRITERIA, strict=True)
        }
        recommendations = [r.value for r in Recommendation]
        recommendation = st.radio(
            t("field.recommendation"),
            recommendations,
            index=recommendations.index(own.recommendation) if own else 0,
            format_func={r: t(f"review.recommendation.{r}") for r in recommendations}.__getitem__,
            horizontal=True,
            key=f"{key}_recommendation",
        )
        goal_drift = st.checkbox(
            t("review.goal_drift_question"),
            value=own.goal_drift if own else False,
            key=f"{key}_drift",
        )
        comment = st.text_area(
            t("field.comment"), value=own.comment if own else "", max_chars=2000, key=f"{key}_c"
        )
        if (
            st.form_submit_button(t("review.submit"), type="primary")
            and act(
                score_project,
                viewer,
                session_id=board.session.id,
                proposal_id=project.proposal_id,
                scores=scores,
                recommendation=recommendation,
                goal_drift=goal_drift,
                comment=comment,
            )
            is not None
        ):
            st.toast(t("review.saved"), icon=":material/check:")
            st.rerun()


# --- drawing ---------------------------------------------------------------------------------


def _indicators(board: ReviewBoard) -> None:
    figures = board.indicators
    cells = st.columns(4)
    cells[0].metric(t("review.projects"), figures.projects)
    cells[1].metric(
        t("review.implementation_rate"),
        percent(figures.implementation_rate),
        help=t(
            "review.implementation_rate_help", completed=figures.completed, total=figures.projects
        ),
    )
    cells[2].metric(
        t("review.total_leverage"),
        one_decimal(figures.leverage),
        help=t(
            "review.leverage_help",
            other=money(figures.received_fen),
            seed=money(figures.seed_fen),
            pledged=money(figures.co_funding_fen),
        ),
    )
    cells[3].metric(
        t("review.spent_of_allocated"),
        money(figures.spent_fen),
        help=t("review.allocated_total", allocated=money(figures.allocated_fen)),
    )


def _project_scores(project: ReviewProject) -> None:
    scores = project.scores
    if scores is None:
        st.caption(t("review.scores_private"))
        return
    if not scores.reviews:
        empty_state("review.no_reviews")
        return
    st.markdown(
        t("review.scores_line", reviews=scores.reviews, overall=one_decimal(scores.overall))
    )
    cells = st.columns(len(CRITERIA))
    for cell, criterion in zip(cells, CRITERIA, strict=True):
        cell.metric(t(f"field.{criterion}"), one_decimal(scores.averages.get(criterion)))
    recommendations = " · ".join(
        f"{t(f'review.recommendation.{r}')} {n}" for r, n in sorted(scores.recommendations.items())
    )
    st.caption(recommendations)
    if scores.goal_drift_flags:
        st.warning(
            t("review.goal_drift_flags", count=scores.goal_drift_flags), icon=":material/alt_route:"
        )
    for comment in scores.comments:
        st.markdown("> " + plain(comment).replace("\n", "\n> "))


def _project(viewer: Viewer, board: ReviewBoard, project: ReviewProject, position: int) -> None:
    st.caption(t("review.position", position=position + 1, total=len(board.projects)))
    st.markdown(f"# {plain(project.title)}")
    status_badge("status", project.status)
    st.caption(f"{plain(project.place)} · {label('category', project.category)}")
    facts = st.columns(5)
    facts[0].metric(t("review.cost"), money(project.cost_fen))
    facts[1].metric(t("review.seed"), money(project.seed_fen))
    facts[2].metric(t("review.received"), money(project.received_fen))
    facts[3].metric(
        t("review.pledged"),
        money(project.co_funding_fen),
        help=t("review.pledged_help", confirmed=money(project.confirmed_pledged_fen)),
    )
    facts[4].metric(
        t("review.leverage"),
        one_decimal(project.leverage),
        help=t(
            "review.leverage_help",
            other=money(project.received_fen),
            seed=money(project.seed_fen),
            pledged=money(project.co_funding_fen),
        ),
    )
    money_row = st.columns(4)
    money_row[0].metric(t("review.allocated"), money(project.allocated_fen))
    money_row[1].metric(t("review.spent"), money(project.spent_fen))
    money_row[2].metric(t("review.spent_share"), percent(project.spent_share))
    money_row[3].metric(t("field.maintenance_years"), project.maintenance_years)
    upkeep = project.maintenance_plan or t("review.no_maintenance_plan")
    maintainer = f" ({plain(project.maintainer)})" if project.maintainer else ""
    st.markdown(f"**{t('field.maintenance_plan')}**{maintainer}: {plain(upkeep)}")
    _project_scores(project)
    if project.may_score:
        _score_form(viewer, board, project)


def _stepper(board: ReviewBoard) -> int:
    total = len(board.projects)
    index = min(max(int(st.session_state.get(INDEX_KEY, 0)), 0), total - 1)
    previous, picker, following = st.columns([1, 4, 1])
    if previous.button(
        t("review.previous"), icon=":material/arrow_back:", disabled=index == 0, key="review_prev"
    ):
        index -= 1
    if following.button(
        t("review.next"),
        icon=":material/arrow_forward:",
        disabled=index >= total - 1,
        key="review_next",
    ):
        index += 1
    titles = [f"{i + 1}. {p.title}" for i, p in enumerate(board.projects)]
    chosen = picker.selectbox(
        t("review.jump_to"),
        range(total),
        index=index,
        format_func=titles.__getitem__,
        label_visibility="collapsed",
        key=f"review_jump_{index}",
    )
    st.session_state[INDEX_KEY] = chosen
    return chosen


def _summary(board: ReviewBoard) -> None:
    st.subheader(t("review.summary"))
    rows = []
    for project in board.projects:
        if project.scores is None:
            continue
        row: dict[str, object] = {
            t("field.title"): project.title,
            t("review.place"): project.place,
            t("review.reviews"): project.scores.reviews,
        }
        for criterion in CRITERIA:
            row[t(f"field.{criterion}")] = one_decimal(project.scores.averages.get(criterion))
        row[t("review.overall")] = one_decimal(project.scores.overall)
        row[t("review.leverage")] = one_decimal(project.leverage)
        row[t("review.goal_drift")] = project.scores.goal_drift_flags
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")
    chart_rows: list[dict[str, object]] = [
        {"project": title, "criterion": t(f"field.{criterion}"), "average": float(average)}
        for title, criterion, average in board.summary
    ]
    if chart_rows:
        st.altair_chart(charts.score_chart(chart_rows, t("review.average")), width="stretch")


def _back_to_first_project() -> None:
    st.session_state[INDEX_KEY] = 0


def render() -> None:
    viewer = current_viewer()
    if not guard(viewer, Action.SCORE_PROJECT, Action.VIEW_REVIEWS):
        return
    sessions = read(list_review_sessions, viewer=viewer)
    screen = bool(sessions) and st.session_state.get(SCREEN_KEY, False)
    if not screen:
        st.title(t("nav.review"))
        st.caption(t("review.intro"))
        if can_somewhere(viewer, Action.SCORE_PROJECT) or can_somewhere(
            viewer, Action.MANAGE_PLACES
        ):
            _open_form(viewer)
    if not sessions:
        empty_state("review.no_sessions")
        return
    by_id = {s.id: s for s in sessions}
    if st.session_state.get(SESSION_KEY) not in by_id:
        st.session_state[SESSION_KEY] = sessions[0].id
    top = st.columns([4, 1])
    session_id = top[0].selectbox(
        t("review.session"),
        list(by_id),
        format_func={
            sid: f"{row.title} · {row.street} · {day(row.held_on)}" for sid, row in by_id.items()
        }.__getitem__,
        key=SESSION_KEY,
        on_change=_back_to_first_project,
    )
    top[1].toggle(t("review.screen_mode"), key=SCREEN_KEY, help=t("review.screen_help"))
    if screen:
        st.markdown(SCREEN_CSS, unsafe_allow_html=True)
    board = read(review_board, viewer=viewer, session_id=session_id)
    status_badge("review.status", board.session.status)
    _indicators(board)
    if not board.projects:
        empty_state("review.no_projects")
    else:
        index = _stepper(board)
        with st.container(border=True):
            _project(viewer, board, board.projects[index], index)
    if (
        board.may_close
        and st.button(t("review.close"), icon=":material/lock:", key="review_close")
        and act(close_review_session, viewer, session_id=session_id) is not None
    ):
        st.rerun()
    if board.scores_visible and board.session.status == "closed" and not screen:
        _summary(board)
    elif board.scores_visible and board.summary and not screen:
        with st.expander(t("review.summary_so_far")):
            _summary(board)
    if not screen:
        _print(viewer, session_id)


def _print(viewer: Viewer, session_id: int) -> None:
    """The session's report, PDF and Excel; the scores in it only where the board shows them."""
    st.subheader(t("reports.title"), anchor=False)
    report_buttons(
        viewer,
        review_report.read_report,
        read_workbook=review_report.read_workbook,
        key=f"review_{session_id}",
        file_name=f"linli-review-{session_id}",
        session_id=session_id,
    )


if __name__ == "__main__":
    st.switch_page("app.py")
