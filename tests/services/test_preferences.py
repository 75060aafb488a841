"""Large text is kept with the person who chose it, and with nobody else."""

import pytest
from sqlmodel import Session, select

from models import Person
from models.audit import AuditEntry
from services.errors import NotAllowed
from services.permissions import ANONYMOUS
from services.preferences import large_text, set_large_text
from tests.world import World


def test_a_resident_keeps_large_text_and_the_change_is_audited(world: World) -> None:
    session: Session = world.session
    resident = world.viewer("resident_a1")
    assert large_text(session, resident) is False
    set_large_text(session, resident, on=True)
    assert large_text(session, resident) is True
    assert large_text(session, world.viewer("resident_a2")) is False  # only theirs
    set_large_text(session, resident, on=True)  # no change: nothing to record
    set_large_text(session, resident, on=False)
    assert large_text(session, resident) is False
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.action == "set_large_text").order_by(AuditEntry.id)
    ).all()
    assert [(e.actor_id, e.before, e.entity_id) for e in entries] == [
        (resident.person_id, {"large_text": False}, resident.person_id),
        (resident.person_id, {"large_text": True}, resident.person_id),
    ]


def test_an_anonymous_visitor_has_nothing_stored(world: World) -> None:
    session = world.session
    assert large_text(session, ANONYMOUS) is False
    with pytest.raises(NotAllowed) as refused:
        set_large_text(session, ANONYMOUS, on=True)
    assert refused.value.code == "sign_in_to_keep_preferences"
    assert not session.exec(select(Person).where(Person.large_text)).all()
