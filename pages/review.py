"""Year-end review (年底评审会) as street reviewers run it in the room.

- The chair (who opened the session) moves it project to project from their own device and
  keeps its roster of reviewers.
- Each reviewer scores the current project on their own phone: nothing is pre-chosen, every
  criterion is a tap, and a score of 2 or less needs a comment. Their screen follows the chair
  by itself.
- The projector keeps ``/review?session=ID&view=wall``: the current project's dossier in large
  type, how many reviewers have scored, and, once all of them have, the anonymous aggregate;
  nothing to type into, and it follows the session by itself (``ui.shared_reviews``).

A closed session is browsed project by project, with every score public.
"""

from datetime import date
from fractions import Fraction

import streamlit as st

from models.vocabulary import PlaceKind, Recommendation, RubricCriterion
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.reviews import (
    COMMENT_BELOW,
    MAX_SCORE,
    Aggregate,
    ReviewBoard,
    ReviewProject,
    ReviewSessionRow,
    assign_reviewers,
    close_review_session,
    list_review_sessions,
    next_review_project,
    one_decimal,
    open_review_session,
    previous_review_project,
    review_board,
    score_project,
    street_reviewers,
)
from ui import charts
from ui.context import act, current_viewer, day, label, listing, money, read, t
from ui.incidents import incidents_reported
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import review_session as review_report
from ui.shared_reviews import shared_review_board
from ui.widgets import empty_state, grid, guard, place_select, status_badge

SESSION_KEY = "review_session"
INDEX_KEY = "review_project_index"
WALL_KEY = "review_wall"
SESSION_PARAM = "session"
VIEW_PARAM = "view"
WALL_VIEW = "wall"
CRITERIA = [c.value for c in RubricCriterion]
SCORES = list(range(MAX_SCORE + 1))
WALL_SECONDS = 1  # the wall redraws each second; the board is read again only when it moved
FOLLOW_SECONDS = 2  # a reviewer's phone asks every two seconds whether the chair moved on
# Styling only, and constants: no user content ever goes through unsafe_allow_html. The wall
# is read from 8 m at 1920x1080: body 32 px, figures 58 px, the project 77 px, the overall
# mean 144 px.
WALL_CSS = """
<style>
.block-container { max-width: 100%; padding: 3.5rem 3rem 1rem; }
.st-key-wallboard h1 { font-size: 4.8rem; line-height: 1.15; padding-bottom: 0.3rem; }
.st-key-wallboard h3 { font-size: 2.4rem; }
.st-key-wallboard [data-testid="stMarkdownContainer"] p { font-size: 2rem; line-height: 1.4; }
.st-key-wallboard [data-testid="stCaptionContainer"] p { font-size: 1.8rem; }
.st-key-wallboard .stMarkdownBadge { font-size: 1.9rem !important; padding: 0.1em 0.55em; }
.st-key-wallboard [data-testid="stAlert"] p { font-size: 2rem; }
.st-key-wallboard [data-testid="stMetricLabel"] p { font-size: 1.8rem; }
.st-key-wallboard [data-testid="stMetricValue"] p { font-size: 3.6rem; font-weight: 700; }
.st-key-wallboard_overall [data-testid="stMarkdownContainer"] p {
  font-size: 9rem; font-weight: 700; line-height: 1.05; }
.st-key-wallboard_count [data-testid="stMarkdownContainer"] p {
  font-size: 3rem; font-weight: 700; }
</style>
"""
# The reviewer's phone: scores as large tap targets, one criterion to a row.
PHONE_CSS = """
<style>
[class*="st-key-review_pick_"] button { min-height: 3rem; min-width: 3rem; font-size: 1.3rem; }
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
    with st.expander(t("review.open"), icon=":material/add:"):
        street_id = place_select(t("review.street"), key="review_street", allowed=streets)
        if street_id is None:
            return
        panel = {r.id: r.name for r in read(street_reviewers, viewer=viewer, street_id=street_id)}
        with st.form("open_review_session", clear_on_submit=True, enter_to_submit=False):
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
            chosen = st.multiselect(
                t("field.reviewers"),
                list(panel),
                default=[pid for pid in panel if pid == viewer.person_id],
                format_func=panel.__getitem__,
                placeholder=t("widgets.choose"),
                key="review_roster_new",
            )
            if st.form_submit_button(t("review.open_submit"), type="primary"):
                session_id = act(
                    open_review_session,
                    viewer,
                    street_id=street_id,
                    year=int(year),
                    title=title,
                    held_on=held_on,
                    reviewer_ids=chosen,
                )
                if session_id:
                    st.session_state[SESSION_KEY] = session_id
                    st.session_state[INDEX_KEY] = 0
                    st.rerun()


def _roster_form(viewer: Viewer, board: ReviewBoard) -> None:
    panel = {
        r.id: r.name
        for r in read(street_reviewers, viewer=viewer, street_id=board.session.street_id)
    }
    on_roster = [pid for pid in board.reviewer_ids if pid in panel]
    with (
        st.expander(t("review.roster", count=board.assigned), icon=":material/groups:"),
        st.form(f"review_roster_{board.session.id}", enter_to_submit=False),
    ):
        chosen = st.multiselect(
            t("field.reviewers"),
            list(panel),
            default=on_roster,
            format_func=panel.__getitem__,
            placeholder=t("widgets.choose"),
            key=f"review_roster_{board.session.id}_pick",
        )
        if (
            st.form_submit_button(t("review.roster_save"))
            and act(assign_reviewers, viewer, session_id=board.session.id, reviewer_ids=chosen)
            is not None
        ):
            st.rerun()


def _score_form(viewer: Viewer, board: ReviewBoard, project: ReviewProject) -> None:
    """No score is pre-chosen: each criterion is an explicit tap (a revision starts from the
    reviewer's own earlier choice). A criterion left open is refused by the service."""
    own = project.own_review
    key = f"score_{board.session.id}_{project.proposal_id}"
    st.markdown(PHONE_CSS, unsafe_allow_html=True)
    with st.form(key, enter_to_submit=False, border=True):
        st.markdown(f"**{t('review.revise' if own else 'review.score')}**")
        st.caption(t("review.score_hint", threshold=COMMENT_BELOW, max=MAX_SCORE))
        scores: dict[str, int | None] = {}
        for criterion in CRITERIA:
            with st.container(key=f"review_pick_{criterion}"):
                scores[criterion] = st.segmented_control(
                    t(f"field.{criterion}"),
                    SCORES,
                    default=own.scores.get(criterion) if own else None,
                    key=f"{key}_{criterion}",
                )
        recommendations = [r.value for r in Recommendation]
        recommendation = st.segmented_control(
            t("field.recommendation"),
            recommendations,
            default=own.recommendation if own else None,
            format_func={r: t(f"review.recommendation.{r}") for r in recommendations}.__getitem__,
            key=f"{key}_recommendation",
        )
        goal_drift = st.checkbox(
            t("review.goal_drift_question"),
            value=own.goal_drift if own else False,
            key=f"{key}_drift",
        )
        comment = st.text_area(
            t("field.comment"),
            value=own.comment if own else "",
            max_chars=2000,
            key=f"{key}_c",
            help=t("review.comment_help", threshold=COMMENT_BELOW),
        )
        if (
            st.form_submit_button(t("review.submit"), type="primary", width="stretch")
            and act(
                score_project,
                viewer,
                session_id=board.session.id,
                proposal_id=project.proposal_id,
                scores={c: s for c, s in scores.items() if s is not None},
                recommendation=recommendation or "",
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


def _aggregate(result: Aggregate) -> None:
    """The anonymous aggregate: means, spread, outliers; the same on the wall and the phones."""
    overall = result.overall
    st.markdown(
        t(
            "review.aggregate_line",
            mean=one_decimal(overall.mean),
            low=one_decimal(overall.low),
            high=one_decimal(overall.high),
            sd=overall.deviation,
            reviewers=result.reviewers,
        )
    )
    st.markdown(
        " · ".join(
            t(
                "review.criterion_line",
                criterion=t(f"field.{criterion}"),
                mean=one_decimal(spread.mean),
                sd=spread.deviation,
            )
            for criterion, spread in result.criteria.items()
        )
    )
    if result.outliers:
        st.warning(t("review.outliers", count=result.outliers), icon=":material/warning:")
    else:
        st.caption(t("review.no_outliers"))


def _project_scores(project: ReviewProject) -> None:
    scores = project.scores
    if project.aggregate is not None:
        _aggregate(project.aggregate)
    if scores is None:
        st.caption(t("review.scores_private"))
        return
    if not scores.reviews:
        empty_state("review.no_reviews")
        return
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


def _facts(project: ReviewProject, columns: int, *, hints: bool = True) -> None:
    """The dossier: what it cost, whose money paid for it, what was spent, and its upkeep.
    The wall has no hints: a hint is a button to hover, and nobody hovers on a wall."""
    figures = [
        (t("review.cost"), money(project.cost_fen), None),
        (t("review.seed"), money(project.seed_fen), None),
        (
            t("review.received"),
            money(project.received_fen),
            t("review.pledged_help", confirmed=money(project.confirmed_pledged_fen))
            if hints
            else None,
        ),
        (t("review.spent"), money(project.spent_fen), None),
    ]
    for start in range(0, len(figures), columns):
        cells = st.columns(columns)
        for cell, (name, value, help_text) in zip(
            cells, figures[start : start + columns], strict=False
        ):
            cell.metric(name, value, help=help_text)
    upkeep = project.maintenance_plan or t("review.no_maintenance_plan")
    maintainer = f" ({plain(project.maintainer)})" if project.maintainer else ""
    years = t("review.maintenance_years", years=project.maintenance_years)
    st.markdown(f"**{t('field.maintenance_plan')}**{maintainer}: {plain(upkeep)} · {years}")


def _fact_lines(project: ReviewProject) -> None:
    """The dossier on a phone: one short line each, not four tall figures."""
    lines = [
        (t("review.cost"), money(project.cost_fen)),
        (t("review.seed"), money(project.seed_fen)),
        (t("review.received"), money(project.received_fen)),
        (t("review.spent"), money(project.spent_fen)),
    ]
    st.markdown("  \n".join(t("review.fact", name=name, value=value) for name, value in lines))
    upkeep = project.maintenance_plan or t("review.no_maintenance_plan")
    maintainer = f" ({plain(project.maintainer)})" if project.maintainer else ""
    years = t("review.maintenance_years", years=project.maintenance_years)
    st.markdown(f"**{t('field.maintenance_plan')}**{maintainer}: {plain(upkeep)} · {years}")


def _heading(project: ReviewProject, board: ReviewBoard, position: int) -> None:
    st.caption(t("review.position", position=position + 1, total=len(board.projects)))
    st.markdown(f"### {plain(project.title)}")
    with st.container(horizontal=True, gap="small"):
        status_badge("status", project.status)
        st.caption(f"{plain(project.place)} · {label('category', project.category)}")


def _project(project: ReviewProject, board: ReviewBoard, position: int) -> None:
    """A project of a closed session, or browsed outside the room."""
    _heading(project, board, position)
    _facts(project, 4)
    st.caption(
        t(
            "review.leverage_line",
            leverage=one_decimal(project.leverage),
            share=percent(project.spent_share),
        )
    )
    _project_scores(project)


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
    grid(rows)
    chart_rows: list[dict[str, object]] = [
        {"project": title, "criterion": t(f"field.{criterion}"), "average": float(average)}
        for title, criterion, average in board.summary
    ]
    if chart_rows:
        st.altair_chart(charts.score_chart(chart_rows, t("review.average")), width="stretch")


# --- the room: the chair's controls and the reviewer's phone ---------------------------------


def _steer(viewer: Viewer, board: ReviewBoard) -> None:
    at = board.current_position
    back, forward = st.columns(2)
    if (
        back.button(
            t("review.previous_project"),
            icon=":material/skip_previous:",
            disabled=at <= 0,
            key="review_room_previous",
            width="stretch",
        )
        and act(
            previous_review_project,
            viewer,
            session_id=board.session.id,
            from_proposal_id=board.current_proposal_id,
        )
        is not None
    ):
        st.rerun()
    if (
        forward.button(
            t("review.next_project"),
            icon=":material/skip_next:",
            disabled=at + 1 >= len(board.projects),
            type="primary",
            key="review_room_next",
            width="stretch",
        )
        and act(
            next_review_project,
            viewer,
            session_id=board.session.id,
            from_proposal_id=board.current_proposal_id,
        )
        is not None
    ):
        st.rerun()


@st.fragment(run_every=FOLLOW_SECONDS)
def _follow_the_chair(session_id: int, shown: int | None) -> None:
    """The reviewer's screen redraws itself when the chair moves on: a whole run, so the form
    for the new project replaces the old one. What was typed for the same project stays."""
    with incidents_reported():
        if shared_review_board(session_id, current_viewer()).current_proposal_id != shown:
            st.rerun(scope="app")


def _room(viewer: Viewer, board: ReviewBoard) -> None:
    current = board.current
    with st.container(border=True, key="review_room"):
        if current is None:
            empty_state("review.room_waiting")
        else:
            _heading(current, board, board.current_position)
            _fact_lines(current)
            st.markdown(t("review.scored_count", scored=current.scored_by, total=board.assigned))
            _project_scores(current)
        if board.may_steer:
            _steer(viewer, board)
        else:
            st.caption(t("review.steered_by_chair", chair=plain(board.chair)))
    if current is not None and current.may_score:
        _score_form(viewer, board, current)
    if board.may_steer:
        _roster_form(viewer, board)
    _follow_the_chair(board.session.id, board.current_proposal_id)


# --- the wall --------------------------------------------------------------------------------


def _wall(board: ReviewBoard) -> None:
    """The projected screen at 1920x1080: the current project's dossier and, once every
    reviewer has scored it, the aggregate; nothing to type into or press."""
    current = board.current
    with st.container(key="wallboard"):
        st.caption(f"{plain(board.session.title)} · {plain(board.session.street)}")
        if current is None:
            st.info(t("review.room_waiting"))
            return
        st.caption(
            t("review.position", position=board.current_position + 1, total=len(board.projects))
        )
        st.title(plain(current.title), anchor=False)
        with st.container(horizontal=True, gap="medium"):
            status_badge("status", current.status)
            st.markdown(f"{plain(current.place)} · {label('category', current.category)}")
        left, right = st.columns([3, 2], gap="large")
        with left:
            _facts(current, 2, hints=False)
        with right:
            with st.container(key="wallboard_count"):
                st.markdown(
                    t("review.scored_count", scored=current.scored_by, total=board.assigned)
                )
            result = current.aggregate
            if result is None:
                st.caption(t("review.wall_waiting"))
            else:
                with st.container(key="wallboard_overall"):
                    st.markdown(one_decimal(result.overall.mean))
                _aggregate(result)


@st.fragment(run_every=WALL_SECONDS)
def _wall_board(session_id: int) -> None:
    with incidents_reported():  # a fragment's rerun does not pass through app.py's
        _wall(shared_review_board(session_id, current_viewer()))


# --- the page --------------------------------------------------------------------------------


def _selected(sessions: list[ReviewSessionRow]) -> int | None:
    """The session in the address on a first visit (a projector's bookmark), then the one last
    chosen, else the one open (the one to score), else the newest."""
    ids = {s.id for s in sessions}
    wanted = str(st.query_params.get(SESSION_PARAM, ""))
    if SESSION_KEY not in st.session_state and wanted.isdigit() and int(wanted) in ids:
        st.session_state[SESSION_KEY] = int(wanted)
    if st.session_state.get(SESSION_KEY) not in ids:
        first = next((s for s in sessions if s.is_open), sessions[0] if sessions else None)
        st.session_state[SESSION_KEY] = first.id if first else None
    selected = st.session_state.get(SESSION_KEY)
    return selected if isinstance(selected, int) else None


def _address(session_id: int, wall: bool) -> None:
    st.query_params[SESSION_PARAM] = str(session_id)
    if wall:
        st.query_params[VIEW_PARAM] = WALL_VIEW
    elif VIEW_PARAM in st.query_params:
        del st.query_params[VIEW_PARAM]


def _back_to_first_project() -> None:
    st.session_state[INDEX_KEY] = 0


def render() -> None:
    viewer = current_viewer()
    if not guard(viewer, Action.SCORE_PROJECT, Action.VIEW_REVIEWS):
        return
    sessions = read(list_review_sessions, viewer=viewer)
    selected = _selected(sessions)
    if WALL_KEY not in st.session_state:
        st.session_state[WALL_KEY] = st.query_params.get(VIEW_PARAM) == WALL_VIEW
    wall = selected is not None and bool(st.session_state[WALL_KEY])
    if selected is not None:
        _address(selected, wall)
    if wall and selected is not None:
        st.set_page_config(initial_sidebar_state="collapsed")
        st.markdown(WALL_CSS, unsafe_allow_html=True)
        st.sidebar.toggle(t("review.wall_mode"), key=WALL_KEY, help=t("review.wall_help"))
        _wall_board(selected)
        return
    st.title(t("nav.review"))
    organiser = can_somewhere(viewer, Action.SCORE_PROJECT) or can_somewhere(
        viewer, Action.MANAGE_PLACES
    )
    if selected is None:
        st.caption(t("review.intro"))
        if organiser:
            _open_form(viewer)
        empty_state("review.no_sessions")
        return
    by_id = {s.id: s for s in sessions}
    session_id = st.selectbox(
        t("review.session"),
        list(by_id),
        format_func={
            sid: f"{row.title} · {row.street} · {day(row.held_on)}" for sid, row in by_id.items()
        }.__getitem__,
        key=SESSION_KEY,
        on_change=_back_to_first_project,
    )
    board = read(review_board, viewer=viewer, session_id=session_id)
    with st.container(horizontal=True, gap="small"):
        status_badge("review.status", board.session.status)
        st.caption(
            t(
                "review.panel",
                chair=plain(board.chair) or "–",
                reviewers=plain(listing(board.reviewers)) or "–",
            )
        )
    if board.session.is_open:
        # The phone's order: the project and the form first, everything else below them.
        _room(viewer, board)
        if (
            board.may_close
            and st.button(t("review.close"), icon=":material/lock:", key="review_close")
            and act(close_review_session, viewer, session_id=session_id) is not None
        ):
            st.rerun()
        with st.expander(t("review.street_figures"), icon=":material/query_stats:"):
            _indicators(board)
    else:
        _indicators(board)
        if not board.projects:
            empty_state("review.no_projects")
        else:
            index = _stepper(board)
            with st.container(border=True):
                _project(board.projects[index], board, index)
        if board.scores_visible:
            _summary(board)
    _print(viewer, session_id)
    st.toggle(t("review.wall_mode"), key=WALL_KEY, help=t("review.wall_help"))
    if organiser:
        _open_form(viewer)
    st.caption(t("review.intro"))


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
