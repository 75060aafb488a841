"""An unexpected error on a page: the person sees a translated message with an incident number
and, outside development, no traceback; the server's log has the traceback under that number.
Streamlit's reruns and stops are not errors and pass through."""

import logging
import os
import re
from collections.abc import Iterator

import pytest
from sqlmodel import Session
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
from streamlit.testing.v1 import AppTest

from models import make_engine
from services.accounts import DEMO_PASSWORD, change_password, viewer_for_person
from services.settings import settings
from tests.pages.test_screens import ENTRY
from ui.incidents import LOG, incidents_reported

INCIDENT = re.compile(r"[0-9A-F]{4}-[0-9A-F]{4}")


def _broken_notice_board() -> None:
    raise RuntimeError("boom at /srv/linli/services/notice.py")


@pytest.fixture
def broken_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import pages.notice

    monkeypatch.setattr(pages.notice, "shared_notice_board", _broken_notice_board)


@pytest.fixture
def production(demo_db: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Production settings, and an admin who no longer has the demo's password (else the app
    refuses to start)."""
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        admin = viewer_for_person(session, demo_db["admin"])
        change_password(session, admin, current=DEMO_PASSWORD, new="a private passphrase")
    engine.dispose()
    monkeypatch.setenv("LINLI_ENV", "production")
    monkeypatch.setenv("LINLI_BALLOT_SECRET", "a-random-production-secret-0123456789")
    settings.cache_clear()
    yield
    monkeypatch.undo()
    settings.cache_clear()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log() -> Iterator[list[logging.LogRecord]]:
    handler = _Records()
    LOG.addHandler(handler)
    yield handler.records
    LOG.removeHandler(handler)


def _open_notice_board() -> AppTest:
    at = AppTest.from_string(ENTRY, default_timeout=30)
    at.user = {"is_logged_in": False}
    return at.run()


def test_in_production_a_page_error_shows_an_incident_number_and_no_traceback(
    production: None, broken_page: None, server_log: list[logging.LogRecord]
) -> None:
    at = _open_notice_board()
    assert not at.exception  # no traceback, type or message in the browser
    (error,) = at.error
    assert error.value.startswith("系统出了问题")
    assert "boom" not in error.value and "/srv/" not in error.value
    incident = INCIDENT.search(error.value)
    assert incident is not None
    (record,) = server_log
    assert incident.group() in record.getMessage()
    assert record.exc_info is not None and "boom at /srv/linli" in str(record.exc_info[1])
    assert at.sidebar.caption  # the navigation was still drawn


def test_in_development_the_traceback_is_shown_too(
    demo_db: dict[str, int], broken_page: None, server_log: list[logging.LogRecord]
) -> None:
    at = _open_notice_board()
    assert INCIDENT.search(at.error[0].value)
    assert at.exception and "boom" in at.exception[0].message
    assert len(server_log) == 1


@pytest.mark.parametrize("control", [RerunException(None), StopException()])
def test_reruns_and_stops_are_not_incidents(
    control: BaseException, server_log: list[logging.LogRecord]
) -> None:
    with pytest.raises(type(control)), incidents_reported():
        raise control
    assert server_log == []
