"""Committee meetings (议事会): the list of meetings, one meeting's agenda, attendance, minutes
and decisions, the committee's forms, the room's controls, and a wall mode for the screen
projected in the room.

The wall has nothing to type into and follows the meeting by itself: the chair or the secretary
moves through the agenda and starts each item's speaking time from their own phone or laptop,
and the wall asks once a second whether the meeting changed (``ui.shared``). Its address,
``/meetings?meeting=ID&view=wall``, is what the projector keeps.
"""

from datetime import date, datetime, time

import streamlit as st

from models.vocabulary import DecisionOutcome, MeetingKind, MeetingStatus, PlaceKind
from services.meetings import (
    AgendaRow,
    DecisionRow,
    ItemTimer,
    MeetingMinutes,
    MeetingRow,
    add_agenda_item,
    attendance_candidates,
    check_in,
    close_meeting,
    committee_roll,
    item_timer,
    list_meetings,
    meeting_minutes,
    next_agenda_item,
    previous_agenda_item,
    proposals_for_meeting,
    publish_minutes,
    record_attendance,
    record_decision,
    schedule_meeting,
    start_item_timer,
    start_meeting,
    take_note,
)
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from ui.context import act, current_viewer, label, moment, read, t
from ui.i18n import DEFAULT_TIMEZONE
from ui.incidents import incidents_reported
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import minutes as minutes_report
from ui.shared import shared_meeting
from ui.widgets import BadgeColour, empty_state, id_select, place_select, status_badge

SELECTED_KEY = "meeting_selected"
WALL_KEY = "meeting_wall"
DECISION_ITEM_KEY = "decision_item_shown_{}"  # the item a meeting's decision form last named
DECISION_FIELDS = (
    "decision_proposal",
    "decision_outcome",
    "decision_text",
    "v_for",
    "v_no",
    "v_abs",
)
MEETING_PARAM = "meeting"
VIEW_PARAM = "view"
WALL_VIEW = "wall"
# The wall and the controls' clock redraw each second. The wall is one fragment, not one with
# the clock nested in it: Streamlit then left elements the wall no longer drew (the previous
# item's decision) on screen for several seconds. Whether the meeting moved is asked once a
# second per process (ui.shared), so a redraw costs its drawing.
TIMER_SECONDS = 1
LAST_MINUTE = 60
NOTES_ON_WALL = 2
NO_PROPOSAL = 0  # the decision form's choice "not about a proposal" (ids start at 1)
NO_ITEM = 0  # the note form's choice "not about a particular item"
# Styling only, and constants: no user content ever goes through unsafe_allow_html. The wall is
# read from 8 m at 1920x1080: body 32 px, captions and badges 29-30 px, the item 58 px, the
# clock 144 px.
WALL_CSS = """
<style>
.block-container { max-width: 100%; padding: 1.2rem 3rem 1rem; }
.st-key-wall h1 { font-size: 3.4rem; padding-bottom: 0.2rem; }
.st-key-wall h3 { font-size: 2.4rem; }
.st-key-wall [data-testid="stMarkdownContainer"] p,
.st-key-wall [data-testid="stMarkdownContainer"] li { font-size: 2rem; line-height: 1.4; }
.st-key-wall [data-testid="stCaptionContainer"] p { font-size: 1.8rem; line-height: 1.4; }
.st-key-wall .stMarkdownBadge { font-size: 1.9rem !important; padding: 0.1em 0.55em; }
.st-key-wall [data-testid="stAlert"] p { font-size: 2rem; }
.st-key-wall_item [data-testid="stMarkdownContainer"] p {
  font-size: 3.6rem; font-weight: 700; line-height: 1.25; }
[class*="st-key-wall_timer"] [data-testid="stMarkdownContainer"] p {
  font-size: 9rem; font-weight: 700; line-height: 1.05; font-variant-numeric: tabular-nums; }
[class*="st-key-wall_timer"] [data-testid="stCaptionContainer"] p { font-size: 2rem; }
.st-key-wall_now { background: rgba(255, 196, 0, 0.25); border-radius: 0.5rem;
  padding: 0.1rem 0.6rem; }
[class*="st-key-wall_done"] [data-testid="stMarkdownContainer"] p { color: #767676; }
.st-key-wall [data-testid="stMetricLabel"] p { font-size: 1.8rem; }
.st-key-wall [data-testid="stMetricValue"] p { font-size: 4.5rem; font-weight: 700; }
</style>
"""
# The chair's and secretary's controls, on a phone or a laptop: the clock large enough to
# glance at while chairing.
ROOM_CSS = """
<style>
[class*="st-key-room_timer"] [data-testid="stMarkdownContainer"] p {
  font-size: 3.2rem; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
[class*="_timer_last"] [data-testid="stMarkdownContainer"] p { color: #c26401; }
[class*="_timer_over"] [data-testid="stMarkdownContainer"] p { color: #d93025; }
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
    if meeting.status == MeetingStatus.CLOSED:
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
        quorum = st.number_input(
            t("field.quorum"),
            min_value=0,
            max_value=1000,
            value=0,
            step=1,
            help=t("meetings.quorum_help"),
            key="meeting_quorum",
        )
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
                quorum=int(quorum) or None,
            )
            if meeting_id:
                st.session_state[SELECTED_KEY] = meeting_id
                st.toast(t("meetings.scheduled"), icon=":material/check:")


def _phase_buttons(viewer: Viewer, minutes: MeetingMinutes) -> None:
    meeting = minutes.meeting
    offered = [
        (
            minutes.may_run and meeting.status == MeetingStatus.PLANNED,
            start_meeting,
            "start",
            "play_arrow",
        ),
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


def _agenda_choice(minutes: MeetingMinutes, key: str) -> int | None:
    """An agenda item, or none (NO_ITEM: Streamlit shows a None option as "nothing chosen"),
    starting at the item under discussion; a new widget once the meeting moves on."""
    names = {NO_ITEM: t("meetings.no_agenda_item")}
    names |= {a.id: f"{a.position + 1}. {a.title}" for a in minutes.agenda}
    ids = list(names)
    current = minutes.current_agenda_item_id
    chosen = st.selectbox(
        t("field.agenda_item"),
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=names.__getitem__,
        key=f"{key}_{current or NO_ITEM}",
    )
    return None if chosen == NO_ITEM else chosen


def _agenda_form(viewer: Viewer, minutes: MeetingMinutes, proposals: dict[int, str]) -> None:
    with st.form(f"agenda_{minutes.meeting.id}", clear_on_submit=True, enter_to_submit=False):
        title = st.text_input(t("field.title"), max_chars=200, key="agenda_title")
        proposal_id = id_select(
            t("meetings.proposal"), proposals, none=t("meetings.no_proposal"), key="agenda_proposal"
        )
        allotted = st.number_input(
            t("field.minutes_allotted"),
            min_value=0,
            max_value=600,
            value=15,
            step=5,
            help=t("meetings.minutes_allotted_help"),
            key="agenda_minutes",
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


def _check_in_form(viewer: Viewer, minutes: MeetingMinutes) -> None:
    """The committee's roll: tick everyone who came and check them in with one submit."""
    roll = act(committee_roll, viewer, meeting_id=minutes.meeting.id)
    if not roll:
        return
    with st.form(f"check_in_{minutes.meeting.id}", clear_on_submit=True):
        st.markdown(f"**{t('meetings.check_in_title')}**")
        ticked = [
            line.person_id
            for line in roll
            if st.checkbox(
                f"{plain(line.name)} · {label('position', line.position or 'member')}",
                value=line.present,
                disabled=line.present,  # a correction goes through the form below
                key=f"check_in_{line.person_id}_{line.present}",
            )
            and not line.present
        ]
        if st.form_submit_button(
            t("meetings.check_in"), type="primary", icon=":material/how_to_reg:"
        ):
            changed = act(check_in, viewer, meeting_id=minutes.meeting.id, person_ids=ticked)
            if changed is not None:
                st.toast(t("meetings.checked_in", count=changed), icon=":material/check:")
                st.rerun()


def _attendance_form(viewer: Viewer, minutes: MeetingMinutes) -> None:
    people = act(attendance_candidates, viewer, meeting_id=minutes.meeting.id)
    if not people:
        return
    names = {p.id: p.name for p in people}
    with st.form(f"attendance_{minutes.meeting.id}", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('meetings.attendance_one')}**")
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
    """Names the item under discussion, and asks which proposal the decision is about: none is
    chosen for the person. The item sent is the one the form showed when it was filled in, so
    a decision typed while the chair moved on is refused rather than filed under the next item."""
    current = minutes.current_item
    shown_key = DECISION_ITEM_KEY.format(minutes.meeting.id)
    shown = st.session_state.get(shown_key)
    # The item's own proposal first, then "none", then the others: a choice, never a default.
    first = [current.proposal_id] if current and current.proposal_id in proposals else []
    options = [*first, NO_PROPOSAL, *(pid for pid in proposals if pid not in first)]
    names = {NO_PROPOSAL: t("meetings.no_proposal"), **proposals}
    with st.form(f"decision_{minutes.meeting.id}", clear_on_submit=False, enter_to_submit=False):
        if current is not None:
            st.markdown(t("meetings.decision_on", item=_item_name(minutes, current)))
        else:
            st.caption(t("meetings.decision_no_item"))
        proposal_choice = st.selectbox(
            t("meetings.proposal"),
            options,
            index=None,
            format_func=names.__getitem__,
            placeholder=t("meetings.choose_proposal"),
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
        submitted = st.form_submit_button(t("meetings.record_decision"), type="primary")
    st.session_state[shown_key] = current.id if current else None
    if not submitted:
        return
    if proposal_choice is None:
        st.error(t("meetings.choose_proposal_first"), icon=":material/error:")
        return
    recorded = act(
        record_decision,
        viewer,
        meeting_id=minutes.meeting.id,
        agenda_item_id=shown,
        proposal_id=None if proposal_choice == NO_PROPOSAL else proposal_choice,
        outcome=outcome,
        text=text,
        votes_for=int(votes_for),
        votes_against=int(against),
        abstentions=int(abstain),
    )
    if recorded is not None:
        for key in DECISION_FIELDS:
            st.session_state.pop(key, None)
        st.toast(t("meetings.decision_recorded"), icon=":material/check:")
        st.rerun()


# --- the room: where the meeting stands, and the chair's and secretary's controls ------------


def _item_name(minutes: MeetingMinutes, item: AgendaRow) -> str:
    return t(
        "meetings.item_of",
        number=item.position + 1,
        total=len(minutes.agenda),
        title=plain(item.title),
    )


def _clock(timer: ItemTimer) -> str:
    seconds = timer.elapsed if timer.remaining is None else abs(timer.remaining)
    minutes, rest = divmod(seconds, 60)
    return f"{'+' if timer.overtime else ''}{minutes:02d}:{rest:02d}"


def _timer_state(timer: ItemTimer) -> str:
    if timer.overtime:
        return "over"
    if timer.remaining is not None and timer.remaining <= LAST_MINUTE:
        return "last"
    return "running"


def _timer(started_at: datetime | None, minutes_allotted: int | None, key: str) -> None:
    """The item's time from the stored start, on the server's clock: every screen shows the
    same time, whoever started it and wherever it is shown."""
    timer = item_timer(started_at, minutes_allotted)
    if timer is None:
        return
    state = _timer_state(timer)
    with st.container(key=f"{key}_{state}"):
        st.markdown(_clock(timer))
        if timer.allotted is None:
            st.caption(t("meetings.timer_open"))
        else:
            st.caption(t(f"meetings.timer_{state}", minutes=timer.allotted // 60))


@st.fragment(run_every=TIMER_SECONDS)
def _room_timer(started_at: datetime | None, minutes_allotted: int | None) -> None:
    _timer(started_at, minutes_allotted, "room_timer")


def _quorum_badge(minutes: MeetingMinutes) -> None:
    quorum = minutes.quorum
    if quorum is None:
        return
    st.badge(
        t(
            "meetings.quorum_reached" if quorum.reached else "meetings.quorum_missing",
            present=quorum.present,
            members=quorum.members,
            needed=quorum.needed,
        ),
        icon=":material/how_to_reg:" if quorum.reached else ":material/group_off:",
        color="green" if quorum.reached else "red",
    )


def _steer(viewer: Viewer, minutes: MeetingMinutes) -> None:
    meeting_id = minutes.meeting.id
    current = minutes.current_item
    ids = [item.id for item in minutes.agenda]
    at = ids.index(current.id) if current else -1
    from_item = current.id if current else None
    back, forward, again = st.columns(3)
    if (
        back.button(
            t("meetings.previous_item"),
            icon=":material/skip_previous:",
            disabled=at <= 0,
            key="room_previous",
            width="stretch",
        )
        and act(previous_agenda_item, viewer, meeting_id=meeting_id, from_item_id=from_item)
        is not None
    ):
        st.rerun()
    if (
        forward.button(
            t("meetings.next_item"),
            icon=":material/skip_next:",
            disabled=at + 1 >= len(ids),
            type="primary",
            key="room_next",
            width="stretch",
        )
        and act(next_agenda_item, viewer, meeting_id=meeting_id, from_item_id=from_item) is not None
    ):
        st.rerun()
    if (
        again.button(
            t("meetings.restart_timer"),
            icon=":material/restart_alt:",
            disabled=current is None,
            key="room_restart_timer",
            width="stretch",
        )
        and act(start_item_timer, viewer, meeting_id=meeting_id, item_id=from_item) is not None
    ):
        st.rerun()


def _room(viewer: Viewer, minutes: MeetingMinutes) -> None:
    """On the chair's or secretary's own device: where the meeting stands, and the buttons that
    move the wall. Other committee members and clerks see where it stands."""
    current = minutes.current_item
    with st.container(border=True, key="meeting_room"):
        st.subheader(t("meetings.room"), anchor=False)
        st.caption(plain(minutes.meeting.title))
        if current is None:
            empty_state("meetings.room_waiting")
        else:
            st.markdown(f"**{_item_name(minutes, current)}**")
            _room_timer(minutes.item_started_at, current.minutes_allotted)
        _quorum_badge(minutes)
        if minutes.may_steer:
            _steer(viewer, minutes)
        else:
            st.caption(t("meetings.steered_by_chair"))


# --- drawing ---------------------------------------------------------------------------------


def _decision_lines(minutes: MeetingMinutes, decisions: list[DecisionRow] | None = None) -> None:
    for decision in minutes.decisions if decisions is None else decisions:
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


def _attendance_lines(minutes: MeetingMinutes) -> None:
    """A list, not a grid: published minutes are read by residents on phones."""
    if minutes.quorum is not None:
        _quorum_badge(minutes)
    st.caption(t("meetings.present_count", count=minutes.present_count))
    lines = []
    for line in minutes.attendance:
        state = t("meetings.present") if line.present else t("meetings.absent")
        capacity = f" · {plain(line.capacity)}" if line.capacity else ""
        lines.append(f"- {plain(line.name)}{capacity} · {state}")
    st.markdown("\n".join(lines))


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
            now = " ▶" if item.id == minutes.current_agenda_item_id else ""
            st.markdown(f"{item.position + 1}\\. {plain(item.title)}{extra}{allotted}{now}")
        if minutes.may_run:
            _agenda_form(viewer, minutes, proposals)
    with attendance_tab:
        if _private_notice(minutes):
            if minutes.attendance or minutes.quorum is not None:
                _attendance_lines(minutes)
            else:
                empty_state("meetings.no_attendance")
        if minutes.may_run:
            _check_in_form(viewer, minutes)
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
    _print(viewer, minutes)


def _print(viewer: Viewer, minutes: MeetingMinutes) -> None:
    """Published minutes only: paper leaves the room, so drafts are not printed."""
    if minutes.meeting.minutes_published:
        report_buttons(
            viewer,
            minutes_report.read_report,
            key=f"minutes_{minutes.meeting.id}",
            file_name=f"linli-minutes-{minutes.meeting.id}",
            meeting_id=minutes.meeting.id,
        )


# --- the wall --------------------------------------------------------------------------------


def _wall_agenda(minutes: MeetingMinutes) -> None:
    st.subheader(t("meetings.agenda"), anchor=False)
    if not minutes.agenda:
        empty_state("meetings.no_agenda")
    ids = [item.id for item in minutes.agenda]
    at = ids.index(minutes.current_agenda_item_id) if minutes.current_agenda_item_id in ids else -1
    for index, item in enumerate(minutes.agenda):
        allotted = (
            " · " + t("meetings.minutes_allotted", minutes=item.minutes_allotted)
            if item.minutes_allotted
            else ""
        )
        line = f"{item.position + 1}\\. {plain(item.title)}{allotted}"
        if index == at:
            with st.container(key="wall_now"):
                st.markdown(f"**▶ {line}**")
        elif index < at:
            with st.container(key=f"wall_done_{index}"):
                st.markdown(f"✓ {line}")
        else:
            st.markdown(line)


def _wall(minutes: MeetingMinutes) -> None:
    """The projected screen at 1920x1080: where the meeting stands, read from the back of the
    room; nothing to type into or press."""
    meeting = minutes.meeting
    current = minutes.current_item
    with st.container(key="wall"):
        st.title(plain(meeting.title), anchor=False)
        st.caption(_meta(meeting))
        with st.container(horizontal=True, gap="medium"):
            _badges(meeting)
            _quorum_badge(minutes)
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.caption(t("meetings.now_discussing"))
            if meeting.status == MeetingStatus.PLANNED:
                st.info(t("meetings.wall_planned", when=moment(meeting.scheduled_at)))
            elif current is None:
                empty_state("meetings.room_waiting")
            else:
                with st.container(key="wall_item"):
                    st.markdown(plain(current.title))
                facts = [
                    t(
                        "meetings.item_number",
                        number=current.position + 1,
                        total=len(minutes.agenda),
                    )
                ]
                if current.proposal_title:
                    facts.append(t("meetings.item_proposal", title=plain(current.proposal_title)))
                st.markdown(" · ".join(facts))
                if meeting.status == MeetingStatus.IN_PROGRESS:
                    _timer(minutes.item_started_at, current.minutes_allotted, "wall_timer")
                if minutes.content_visible:
                    on_item = [d for d in minutes.decisions if d.agenda_item_id == current.id]
                    _decision_lines(minutes, on_item)
                    notes = [n for n in minutes.notes if n.agenda_item_id == current.id]
                    for note in notes[-NOTES_ON_WALL:][::-1]:
                        st.markdown(plain(note.body))
        with right:
            _wall_agenda(minutes)
            if minutes.quorum is not None:
                quorum = minutes.quorum
                st.metric(
                    t("meetings.quorum_label", needed=quorum.needed),
                    t("meetings.quorum_figure", present=quorum.present, members=quorum.members),
                )


@st.fragment(run_every=TIMER_SECONDS)
def _wall_board(meeting_id: int) -> None:
    with incidents_reported():  # a fragment's rerun does not pass through app.py's
        _wall(shared_meeting(meeting_id, current_viewer()))


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


def _selected(rows: list[MeetingRow]) -> int | None:
    """The meeting in the address on a first visit (a projector's bookmark), then the one last
    opened, else the newest."""
    ids = {m.id for m in rows}
    wanted = str(st.query_params.get(MEETING_PARAM, ""))
    if SELECTED_KEY not in st.session_state and wanted.isdigit() and int(wanted) in ids:
        st.session_state[SELECTED_KEY] = int(wanted)
    selected = st.session_state.get(SELECTED_KEY)
    if selected not in ids:
        selected = rows[0].id if rows else None
    return selected


def _address(meeting_id: int, wall: bool) -> None:
    st.query_params[MEETING_PARAM] = str(meeting_id)
    if wall:
        st.query_params[VIEW_PARAM] = WALL_VIEW
    elif VIEW_PARAM in st.query_params:
        del st.query_params[VIEW_PARAM]


def render() -> None:
    viewer = current_viewer()
    rows = read(list_meetings, viewer=viewer)
    selected = _selected(rows)
    if WALL_KEY not in st.session_state:
        st.session_state[WALL_KEY] = st.query_params.get(VIEW_PARAM) == WALL_VIEW
    wall = selected is not None and bool(st.session_state[WALL_KEY])
    if selected is not None:
        _address(selected, wall)
    if wall and selected is not None:
        st.set_page_config(initial_sidebar_state="collapsed")
        st.markdown(WALL_CSS + ROOM_CSS, unsafe_allow_html=True)
        st.sidebar.toggle(t("meetings.wall_mode"), key=WALL_KEY, help=t("meetings.wall_help"))
        _wall_board(selected)
        return
    st.title(t("nav.meetings"))
    st.caption(t("meetings.intro"))
    if can_somewhere(viewer, Action.RUN_MEETING):
        _schedule_form(viewer)
    if selected is None:
        empty_state("meetings.none")
        return
    st.toggle(t("meetings.wall_mode"), key=WALL_KEY, help=t("meetings.wall_help"))
    minutes = read(meeting_minutes, viewer=viewer, meeting_id=selected)
    if minutes.may_run and minutes.meeting.status == MeetingStatus.IN_PROGRESS:
        st.markdown(ROOM_CSS, unsafe_allow_html=True)
        _room(viewer, minutes)
    list_column, detail_column = st.columns([2, 3], gap="large")
    with list_column:
        _meeting_list(rows)
    with detail_column:
        _detail(viewer, minutes)


if __name__ == "__main__":
    st.switch_page("app.py")
