"""A committee meeting's published minutes (会议纪要) on paper: the meeting, its agenda, who
attended and the quorum, the notes item by item, and the decisions with their votes."""

from datetime import date

from sqlmodel import Session

from services.meetings import AgendaRow, DecisionRow, MeetingMinutes
from services.permissions import Viewer
from services.printouts import published_minutes
from ui.reports.layout import (
    Markup,
    Report,
    Words,
    block,
    bullets,
    facts,
    heading,
    local_date,
    paragraph,
    table,
)


def _item_title(minutes: MeetingMinutes, item_id: int | None, words: Words) -> str:
    number = next((n for n, a in enumerate(minutes.agenda, start=1) if a.id == item_id), None)
    if number is None:
        return words("meetings.no_agenda_item")
    return _agenda_line(number, minutes.agenda[number - 1])


def _agenda_line(number: int, item: AgendaRow) -> str:
    return f"{number}. {item.title}"


def _attendance(words: Words, minutes: MeetingMinutes) -> Markup:
    if not minutes.attendance:
        return paragraph(words("meetings.no_attendance"), "note")
    parts = [
        table(
            [words("reports.person"), words("field.capacity"), words("meetings.present")],
            [
                [
                    line.name,
                    line.capacity,
                    words("reports.yes") if line.present else words("meetings.absent"),
                ]
                for line in minutes.attendance
            ],
        ),
        paragraph(words("meetings.present_count", count=minutes.present_count)),
    ]
    if minutes.quorum is not None:
        quorum = minutes.quorum
        key = "meetings.quorum_reached" if quorum.reached else "meetings.quorum_missing"
        parts.append(
            paragraph(
                words(key, present=quorum.present, members=quorum.members, needed=quorum.needed)
            )
        )
    return "".join(parts)


def _notes(words: Words, minutes: MeetingMinutes) -> Markup:
    if not minutes.notes:
        return paragraph(words("meetings.no_notes"), "note")
    parts = []
    by_item: dict[int | None, list[str]] = {}
    for note in minutes.notes:
        by_item.setdefault(note.agenda_item_id, []).append(note.body)
    for item_id, bodies in by_item.items():
        parts.append(block(heading(3, _item_title(minutes, item_id, words)), bullets(bodies)))
    return "".join(parts)


def _decision(words: Words, minutes: MeetingMinutes, decision: DecisionRow) -> Markup:
    pairs = [
        (words("reports.agenda_item"), _item_title(minutes, decision.agenda_item_id, words)),
        (words("field.outcome"), words(f"meetings.outcome.{decision.outcome}")),
        (
            words("reports.vote"),
            words(
                "meetings.votes",
                votes_for=decision.votes_for,
                votes_against=decision.votes_against,
                abstentions=decision.abstentions,
            ),
        ),
        (words("reports.recorded_at"), words.moment(decision.recorded_at)),
    ]
    if decision.proposal_title:
        pairs.insert(1, (words("reports.proposal"), decision.proposal_title))
    return block(facts(pairs), paragraph(decision.text))


def minutes_report(minutes: MeetingMinutes, locale: str, printed_on: date) -> Report:
    words = Words(locale)
    meeting = minutes.meeting
    body = [
        facts(
            [
                (words("reports.meeting_kind"), words(f"meetings.kind.{meeting.kind}")),
                (words("field.scheduled_at"), words.moment(meeting.scheduled_at)),
                (words("field.location"), meeting.location),
                (words("review.place"), meeting.place),
            ]
        ),
        heading(2, words("meetings.agenda")),
        bullets([_agenda_line(n, item) for n, item in enumerate(minutes.agenda, start=1)])
        if minutes.agenda
        else paragraph(words("meetings.no_agenda"), "note"),
        heading(2, words("meetings.attendance")),
        _attendance(words, minutes),
        heading(2, words("meetings.notes")),
        _notes(words, minutes),
        heading(2, words("meetings.decisions")),
        "".join(_decision(words, minutes, d) for d in minutes.decisions)
        if minutes.decisions
        else paragraph(words("meetings.no_decisions"), "note"),
    ]
    return Report(
        locale=locale,
        title=meeting.title,
        place=meeting.place,
        on=local_date(meeting.scheduled_at),
        printed_on=printed_on,
        body="".join(body),
    )


def read_report(
    session: Session, viewer: Viewer, *, meeting_id: int, locale: str, printed_on: date
) -> Report:
    minutes = published_minutes(session, viewer, meeting_id=meeting_id)
    return minutes_report(minutes, locale, printed_on)
