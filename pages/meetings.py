"""Committee meetings (议事会): the list of meetings, one meeting's agenda, attendance, minutes
and decisions, the committee's forms, and a wall mode for the screen projected in the room."""

from datetime import date, datetime, time

import streamlit as st

from models.vocabulary import DecisionOutcome, MeetingKind, MeetingStatus, PlaceKind
from services.meetings import (
    MeetingMinutes,
    MeetingRow,
    add_agenda_item,
    attendance_candidates,
    close_meeting,
    list_meetings,
    meeting_minutes,
    proposals_for_meeting,
    publish_minutes,
    record_attendance,
    record_decision,
    schedule_meeting,
    start_meeting,
    take_note,
)
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from ui.context import act, current_viewer, moment, read, t
from ui.i18n import DEFAULT_TIMEZONE
from ui.plain_text import plain
from ui.widgets import BadgeColour, empty_state, id_select, place_select, status_badge

SELECTED_KEY = "meeting_selected"
WALL_KEY = "meeting_wall"
# Styling only, and a constant: no user content ever goes through unsafe_allow_html.
WALL_CSS = """
<style>
section[data-testid="stSidebar"], header[data-testid="stHeader"] { display: none; }
.block-container { max-width: 100%; padding: 1.5rem 3rem; }
.stMarkdown p, .stMarkdown li { font-size: 2rem; line-height: 1.45; }
.stMarkdown h1 { font-size: 3.6rem; }
.stMarkdown h2 { font-size: 2.8rem; }
.stMarkdown h3 { font-size: 2.3rem; }
[data-testid="stMetricValue"] { font-size: 3rem; }
[data-testid="stCaptionContainer"] { font-size: 1.5rem; }
</style>
"""
OUTCOME_COLOURS: dict[str, BadgeColour] = {
    "approved": "green",
    "amended": "blue",
    "deferred": "orange",
    "rejected": "red",
}


def _meta(meeting: MeetingRow) -> str:
    parts = [moment(meeting.scheduled_at), plain(meeting.place)]
    if meeting.location:
        parts.append(plain(meeting.location))
    return " · ".join(parts)


def _badges(meeting: MeetingRow) -> None:
    status_badge("meetings.status", meeting.status)
    if meeting.status == "closed":
        status_badge("meetings.minutes", meeting.minutes_status)


# --- forms -----------------------------------------------------------------------------------


def _schedule_form(viewer: Viewer) -> None:
    allowed = read(
        places_where_allowed,
        viewer=viewer,
        action=Action.RUN_MEETING,
        kinds=(PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.COMPOUND),
    )
    with (
        st.expander(t("meetings.schedule"), icon=":material/event:"),
        st.form("schedule_meeting", clear_on_submit=True, enter_to_submit=False),
    ):
        place_id = place_select(t("meetings.place"), key="meeting_place", allowed=allowed)
        title = st.text_input(t("field.title"), max_chars=160, key="meeting_title")
        kind = st.selectbox(
            t("field.kind"),
            [k.value for k in MeetingKind],
            format_func={k.value: t(f"meetings.kind.{k.value}") for k in MeetingKind}.__getitem__,
            key="meeting_kind",
        )
        left, right = st.columns(2)
        day = left.date_input(t("meetings.date"), value=date.today(), key="meeting_date")
        hour = right.time_input(t("meetings.time"), value=time(19, 0), key="meeting_time")
        location = st.text_input(t("field.location"), max_chars=160, key="meeting_location")
        submitted = st.form_submit_button(t("meetings.schedule_submit"), type="primary")
        if submitted and place_id is not None:
            meeting_id = act(
                schedule_meeting,
                viewer,
                place_id=place_id,
                title=title,
                kind=kind,
                scheduled_at=datetime.combine(day, hour, tzinfo=DEFAULT_TIMEZONE),
                location=location,
            )
            if meeting_id:
                st.session_state[SELECTED_KEY] = meeting_id
                st.toast(t("meetings.scheduled"), icon=":material/check:")


def _phase_buttons(viewer: Viewer, minutes: MeetingMinutes) -> None:
    meeting = minutes.meeting
    offered = [
        (minutes.may_run and meeting.status == "planned", start_meeting, "start", "play_arrow"),
        (
            minutes.may_run and meeting.status == MeetingStatus.IN_PROGRESS,
            close_meeting,
            "close",
            "stop",
        ),
        (minutes.may_publish, publish_minutes, "publish", "campaign"),
    ]
    for column, (shown, command, name, icon) in zip(st.columns(3), offered, strict=True):
        clicked = shown and column.button(
            t(f"meetings.{name}"), icon=f":material/{icon}:", key=f"meeting_{name}"
        )
        if clicked and act(command, viewer, meeting_id=meeting.id) is not None:
            st.toast(t(f"meetings.{name}_done"), icon=":material/check:")
            st.rerun()


def _agenda_choice(minutes: MeetingMinutes, key: str, *, allow_none: bool = True) -> int | None:
    ids: list[int | None] = [a.id for a in minutes.agenda]
    if allow_none:
        ids.insert(0, None)
    titles: dict[int | None, str] = {None: t("meetings.no_agenda_item")}
    titles |= {a.id: f"{a.position + 1}. {a.title}" for a in minutes.agenda}
    default = (
        ids.index(minutes.current_agenda_item_id) if minutes.current_agenda_item_id in ids else 0
    )
    return st.selectbox(
        t("field.agenda_item"),
        ids,
        index=default,
        format_func=titles.__getitem__,
        key=key,
    )


def _agenda_form(viewer: Viewer, minutes: MeetingMinutes, proposals: dict[int, str]) -> None:
    with st.form(f"agenda_{minutes.meeting.id}", clear_on_submit=True, enter_to_submit=False):
        title = st.text_input(t("field.title"), max_chars=200, key="agenda_title")
        proposal_id = id_select(
            t("meetings.proposal"), proposals, none=t("meetings.no_proposal"), key="agenda_proposal"
        )
        allotted = st.number_input(
            t("field.minutes_allotted"), min_value=0, max_value=600, step=5, key="agenda_minutes"
        )
        if (
            st.form_submit_button(t("meetings.add_agenda_item"))
            and act(
                add_agenda_item,
                viewer,
                meeting_id=minutes.meeting.id,
                title=title,
                proposal_id=proposal_id,
                minutes_allotted=int(allotted) or None,
            )
            is not None
        ):
            st.rerun()


def _attendance_form(viewer: Viewer, minutes: MeetingMinutes) -> None:
    people = act(attendance_candidates, viewer, meeting_id=minutes.meeting.id)
    if not people:
        return
    names = {p.id: p.name for p in people}
    with st.form(f"attendance_{minutes.meeting.id}", clear_on_submit=True, enter_to_submit=False):
        person_id = id_select(t("meetings.person"), names, key="attendee")
        capacity = st.text_input(
            t("field.capacity"),
            max_chars=60,
            placeholder=t("meetings.capacity_hint"),
            key="attendee_capacity",
        )
        present = st.checkbox(t("meetings.present"), value=True, key="attendee_present")
        if (
            st.form_submit_button(t("meetings.record_attendance"))
            and act(
                record_attendance,
                viewer,
                meeting_id=minutes.meeting.id,
                person_id=person_id,
                capacity=capacity,
                present=present,
            )
            is not None
        ):
            st.rerun()


def _note_form(viewer: Viewer, minutes: MeetingMinutes, key: str) -> None:
    with st.form(f"{key}_{minutes.meeting.id}", clear_on_submit=True, enter_to_submit=False):
        agenda_item_id = _agenda_choice(minutes, f"{key}_item")
        body = st.text_area(t("field.body"), max_chars=4000, key=f"{key}_body")
        if (
            st.form_submit_button(t("meetings.take_note"), type="primary")
            and act(
                take_note,
                viewer,
                meeting_id=minutes.meeting.id,
                body=body,
                agenda_item_id=agenda_item_id,
            )
            is not None
        ):
            st.rerun()


def _decision_form(viewer: Viewer, minutes: MeetingMinutes, proposals: dict[int, str]) -> None:
    with st.form(f"decision_{minutes.meeting.id}", clear_on_submit=True, enter_to_submit=False):
        agenda_item_id = _agenda_choice(minutes, "decision_item")
        proposal_id = id_select(
            t("meetings.proposal"),
            proposals,
            none=t("meetings.proposal_from_agenda"),
            key="decision_proposal",
        )
        outcome = st.selectbox(
            t("field.outcome"),
            [o.value for o in DecisionOutcome],
            format_func={
                o.value: t(f"meetings.outcome.{o.value}") for o in DecisionOutcome
            }.__getitem__,
            key="decision_outcome",
        )
        text = st.text_area(t("field.text"), max_chars=2000, key="decision_text")
        votes = st.columns(3)
        votes_for = votes[0].number_input(t("field.votes_for"), min_value=0, step=1, key="v_for")
        against = votes[1].number_input(t("field.votes_against"), min_value=0, step=1, key="v_no")
        abstain = votes[2].number_input(t("field.abstentions"), min_value=0, step=1, key="v_abs")
        if (
            st.form_submit_button(t("meetings.record_decision"), type="primary")
            and act(
                record_decision,
                viewer,
                meeting_id=minutes.meeting.id,
                outcome=outcome,
                text=text,
                votes_for=int(votes_for),
                votes_against=int(against),
                abstentions=int(abstain),
                proposal_id=proposal_id,
                agenda_item_id=agenda_item_id,
            )
            is not None
        ):
            st.rerun()


# --- drawing ---------------------------------------------------------------------------------


def _decision_lines(minutes: MeetingMinutes) -> None:
    for decision in minutes.decisions:
        with st.container(border=True):
            st.badge(
                t(f"meetings.outcome.{decision.outcome}"),
                color=OUTCOME_COLOURS.get(decision.outcome, "gray"),
            )
            subject = f"**{plain(decision.proposal_title)}** — " if decision.proposal_title else ""
            st.markdown(subject + plain(decision.text))
            st.caption(
                t(
                    "meetings.votes",
                    votes_for=decision.votes_for,
                    votes_against=decision.votes_against,
                    abstentions=decision.abstentions,
                )
            )


def _notes(minutes: MeetingMinutes, *, newest_first: bool = False) -> None:
    titles = {a.id: a.title for a in minutes.agenda}
    notes = list(reversed(minutes.notes)) if newest_first else minutes.notes
    for note in notes:
        about = titles.get(note.agenda_item_id) if note.agenda_item_id else None
        st.markdown(plain(note.body))
        byline = (moment(note.created_at), plain(about or ""), plain(note.author))
        st.caption(" · ".join(part for part in byline if part))


def _private_notice(minutes: MeetingMinutes) -> bool:
    if not minutes.content_visible:
        st.info(t("meetings.minutes_not_public"), icon=":material/lock:")
    return minutes.content_visible


def _detail(viewer: Viewer, minutes: MeetingMinutes) -> None:
    meeting = minutes.meeting
    st.subheader(plain(meeting.title))
    _badges(meeting)
    st.caption(f"{t(f'meetings.kind.{meeting.kind}')} · {_meta(meeting)}")
    _phase_buttons(viewer, minutes)
    proposals = (  # for the agenda and decision forms' pickers
        {p.id: p.name for p in read(proposals_for_meeting, meeting_id=meeting.id)}
        if minutes.may_run
        else {}
    )
    agenda_tab, attendance_tab, notes_tab, decisions_tab = st.tabs(
        [
            t("meetings.agenda"),
            t("meetings.attendance"),
            t("meetings.notes"),
            t("meetings.decisions"),
        ]
    )
    with agenda_tab:
        if not minutes.agenda:
            empty_state("meetings.no_agenda")
        for item in minutes.agenda:
            extra = f" · {plain(item.proposal_title)}" if item.proposal_title else ""
            allotted = (
                " · " + t("meetings.minutes_allotted", minutes=item.minutes_allotted)
                if item.minutes_allotted
                else ""
            )
            st.markdown(f"{item.position + 1}\\. {plain(item.title)}{extra}{allotted}")
        if minutes.may_run:
            _agenda_form(viewer, minutes, proposals)
    with attendance_tab:
        if _private_notice(minutes):
            if minutes.attendance:
                st.caption(t("meetings.present_count", count=minutes.present_count))
                st.dataframe(
                    [
                        {
                            t("meetings.person"): line.name,
                            t("field.capacity"): line.capacity,
                            t("meetings.present"): line.present,
                        }
                        for line in minutes.attendance
                    ],
                    hide_index=True,
                    width="stretch",
                )
            else:
                empty_state("meetings.no_attendance")
        if minutes.may_run:
            _attendance_form(viewer, minutes)
    with notes_tab:
        if _private_notice(minutes):
            if not minutes.notes:
                empty_state("meetings.no_notes")
            _notes(minutes)
        if minutes.may_run:
            _note_form(viewer, minutes, "note")
    with decisions_tab:
        if _private_notice(minutes):
            if not minutes.decisions:
                empty_state("meetings.no_decisions")
            _decision_lines(minutes)
        if minutes.may_run and meeting.status == MeetingStatus.IN_PROGRESS:
            _decision_form(viewer, minutes, proposals)
        elif minutes.may_run:
            st.caption(t("meetings.decisions_when_running"))


def _wall(viewer: Viewer, minutes: MeetingMinutes) -> None:
    """The projected screen: readable from the back of the room at 1920x1080."""
    st.markdown(WALL_CSS, unsafe_allow_html=True)
    meeting = minutes.meeting
    st.markdown(f"# {plain(meeting.title)}")
    st.caption(_meta(meeting))
    current = next((a for a in minutes.agenda if a.id == minutes.current_agenda_item_id), None)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"## {t('meetings.now_discussing')}")
        if current is not None:
            st.markdown(f"### {current.position + 1}\\. {plain(current.title)}")
        else:
            empty_state("meetings.no_agenda")
        if minutes.content_visible:
            st.markdown(f"## {t('meetings.notes')}")
            if not minutes.notes:
                empty_state("meetings.no_notes")
            _notes(minutes, newest_first=True)
    with right:
        st.markdown(f"## {t('meetings.agenda')}")
        for item in minutes.agenda:
            line = f"{item.position + 1}\\. {plain(item.title)}"
            st.markdown(f"**▶ {line}**" if current and item.id == current.id else line)
        if minutes.content_visible:
            st.markdown(f"## {t('meetings.decisions')}")
            if not minutes.decisions:
                empty_state("meetings.no_decisions")
            _decision_lines(minutes)
            if minutes.attendance:
                st.metric(t("meetings.present_label"), minutes.present_count)
    if minutes.may_run:
        with st.expander(t("meetings.take_note"), expanded=True, icon=":material/edit_note:"):
            _note_form(viewer, minutes, "wall_note")


def _meeting_list(rows: list[MeetingRow]) -> None:
    for meeting in rows:
        with st.container(border=True):
            left, right = st.columns([5, 1])
            left.markdown(f"**{plain(meeting.title)}**")
            left.caption(_meta(meeting))
            with left:
                _badges(meeting)
            if right.button(
                t("meetings.open"),
                key=f"open_meeting_{meeting.id}",
                type="primary" if st.session_state.get(SELECTED_KEY) == meeting.id else "secondary",
            ):
                st.session_state[SELECTED_KEY] = meeting.id
                st.rerun()


def render() -> None:
    viewer = current_viewer()
    rows = read(list_meetings, viewer=viewer)
    selected = st.session_state.get(SELECTED_KEY)
    if selected not in {m.id for m in rows}:
        selected = rows[0].id if rows else None
    wall = selected is not None and st.session_state.get(WALL_KEY, False)
    if not wall:
        st.title(t("nav.meetings"))
        st.caption(t("meetings.intro"))
        if can_somewhere(viewer, Action.RUN_MEETING):
            _schedule_form(viewer)
    if selected is None:
        empty_state("meetings.none")
        return
    st.toggle(t("meetings.wall_mode"), key=WALL_KEY, help=t("meetings.wall_help"))
    minutes = read(meeting_minutes, viewer=viewer, meeting_id=selected)
    if wall:
        _wall(viewer, minutes)
        return
    list_column, detail_column = st.columns([2, 3], gap="large")
    with list_column:
        _meeting_list(rows)
    with detail_column:
        _detail(viewer, minutes)


if __name__ == "__main__":
    st.switch_page("app.py")
