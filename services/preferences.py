"""A person's own display preferences: nobody else's, so no role is needed, only a sign-in."""

from sqlmodel import Session

from models import Person
from services.common import record_audit
from services.errors import NotAllowed
from services.permissions import Viewer


def large_text(session: Session, viewer: Viewer) -> bool:
    """Anonymous visitors have no stored choice: the page keeps theirs for the visit."""
    if viewer.person_id is None:
        return False
    person = session.get(Person, viewer.person_id)
    return bool(person and person.large_text)


def set_large_text(session: Session, viewer: Viewer, *, on: bool) -> None:
    if viewer.person_id is None:
        raise NotAllowed("sign_in_to_keep_preferences")
    person = session.get(Person, viewer.person_id)
    if person is None:
        raise NotAllowed("sign_in_to_keep_preferences")
    if person.large_text == on:
        return
    before = {"large_text": person.large_text}
    person.large_text = on
    session.add(person)
    record_audit(session, viewer, "set_large_text", person, before=before)
    session.commit()
