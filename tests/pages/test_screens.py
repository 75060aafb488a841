"""Every screen opens for every role without an exception, and a screen a role may not use
shows nothing of its content. The router runs from a string entry so that AppTest does not
fall back to the pages/ folder mode (docs: streamlit-recipes §1.1)."""

import logging
import os

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from models import make_engine
from services.accounts import DEMO_PASSWORD, change_password, viewer_for_person
from tests.pages.conftest import ROLES
from ui import shared

PAGES = (
    "notice",
    "needs",
    "proposals",
    "meetings",
    "vote",
    "tally",
    "live",
    "ledger",
    "points",
    "donors",
    "campaigns",
    "alliances",
    "review",
    "allocation",
    "indicators",
    "rounds",
    "admin",
    "account",
)
ENTRY = "import runpy; runpy.run_path('app.py', run_name='__main__')"


def open_page(page: str, person_id: int | None, locale: str = "zh-CN") -> AppTest:
    def script(page: str, person_id: int | None, locale: str) -> None:
        import importlib

        import streamlit as st

        if person_id is not None:
            st.session_state["person_id"] = person_id
        st.session_state["locale"] = locale
        importlib.import_module(f"pages.{page}").render()

    at = AppTest.from_function(script, args=(page, person_id, locale), default_timeout=30)
    at.user = {"is_logged_in": False}
    return at.run()


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for e in (
            *at.markdown,
            *at.caption,
            *at.title,
            *at.subheader,
            *at.info,
            *at.warning,
            *at.success,
        )
    ]
    parts += [str(e.value) for e in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_for_every_role(demo_db: dict[str, int], role: str, page: str) -> None:
    at = open_page(page, demo_db.get(role))
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]  # opening a screen is never refused midway
    assert at.title or at.warning  # it drew its screen, or said it is not open to this role
    assert "notice." not in texts(at) and "error." not in texts(at)  # no untranslated keys
    # An empty choice would show Streamlit's English "Choose options" unless the app names it.
    empty = [*at.multiselect, *(box for box in at.selectbox if not box.proto.HasField("default"))]
    assert all(box.placeholder for box in empty), [box.label for box in empty]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_admin_screen_shows_nothing_to_other_roles(demo_db: dict[str, int], role: str) -> None:
    at = open_page("admin", demo_db.get(role))
    assert at.warning and not at.dataframe and not at.tabs


def test_admin_sees_people_and_the_audit_log(demo_db: dict[str, int]) -> None:
    at = open_page("admin", demo_db["admin"])
    assert len(at.tabs) == 5
    assert len(at.dataframe) == 3


VERIFY = "FormSubmitter:verify_books-立即校验账目"


def test_admin_checks_the_books_and_the_notice_board_says_so(demo_db: dict[str, int]) -> None:
    """The fingerprint printed on the notice board is what the check is run against."""
    notice = open_page("notice", None)
    assert "账目尚未校验。" in texts(notice)
    (printed,) = [block.value for block in notice.code]
    assert printed.startswith("ledger:161:") and len(printed) == len("ledger:161:") + 16
    at = open_page("admin", demo_db["admin"])
    at.text_area(key="verify_heads").set_value("ledger:161:0123456789abcdef")
    at.button(key=VERIFY).click().run()
    assert at.error and "发现 1 个问题" in at.error[0].value
    assert "账本第 161 笔与公示的指纹 0123456789abcdef 不符" in texts(at)
    at.text_area(key="verify_heads").set_value(f"{printed}\n\n")
    at.button(key=VERIFY).click().run()
    assert not at.error and "账目校验通过：161 笔账目" in at.success[0].value
    shared._version.clear()  # the board asks whether the store changed once a second
    notice = open_page("notice", None)
    assert "全部账目核对无误" in texts(notice)


def test_a_malformed_fingerprint_is_refused_and_nothing_is_recorded(
    demo_db: dict[str, int],
) -> None:
    at = open_page("admin", demo_db["admin"])
    at.text_area(key="verify_heads").set_value("ledger:161:xyz")
    at.button(key=VERIFY).click().run()
    assert "账本指纹格式为" in at.error[0].value
    assert "账目尚未校验。" in texts(open_page("notice", None))


@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_the_public_ledger_hides_the_anonymous_donor(demo_db: dict[str, int], role: str) -> None:
    at = open_page("ledger", demo_db.get(role))
    at.selectbox(key="ledger_fund").select_index(2).run()
    frames = "".join(frame.value.to_string() for frame in at.dataframe)
    assert at.metric[0].value == "¥333,600.00"  # 平阳社区微基金: money in, to the fen
    assert "（匿名捐赠）" in frames
    assert "平阳一村居民（匿名）" not in frames
    notice = open_page("notice", demo_db.get(role))
    assert "平阳一村居民（匿名）" not in "".join(f.value.to_string() for f in notice.dataframe)


def test_treasurer_sees_the_donor_in_the_books(demo_db: dict[str, int]) -> None:
    at = open_page("ledger", demo_db["treasurer"])
    at.selectbox(key="ledger_fund").select_index(2).run()
    frames = "".join(frame.value.to_string() for frame in at.dataframe)
    assert "平阳一村居民（匿名）" in frames


def test_the_screens_speak_english_when_asked(demo_db: dict[str, int]) -> None:
    at = open_page("notice", None, locale="en")
    assert at.title[0].value == "Notice board"


def test_router_shows_the_notice_board_first(demo_db: dict[str, int]) -> None:
    at = AppTest.from_string(ENTRY, default_timeout=30)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert at.title[0].value == "公示栏"


def test_first_run_loads_the_demo_from_the_welcome_screen(empty_db: str) -> None:
    at = AppTest.from_string(ENTRY, default_timeout=60)
    at.user = {"is_logged_in": False}
    at.run()
    assert at.title[0].value == "欢迎使用邻里"
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert at.title[0].value == "公示栏"
    assert any("平阳社区2026年微基金项目" in info.value for info in at.info)


def test_first_run_creates_the_first_administrator(empty_db: str) -> None:
    at = AppTest.from_string(ENTRY, default_timeout=30)
    at.user = {"is_logged_in": False}
    at.run()
    at.text_input(key="admin_name").input("社区管理员")
    at.text_input(key="admin_username").input("root")
    at.text_input(key="admin_password").input("a long enough password")
    at.text_input(key="admin_repeat").input("a different password!")
    at.button(key="FormSubmitter:first_admin-创建管理员").click().run()
    assert at.error and at.title[0].value == "欢迎使用邻里"  # nothing created
    at.text_input(key="admin_repeat").input("a long enough password")
    at.button(key="FormSubmitter:first_admin-创建管理员").click().run()
    assert not at.exception
    assert at.session_state["person_id"] >= 1
    assert at.title[0].value == "公示栏"


class _Uncaught(logging.Handler):
    """What Streamlit logs of an uncaught exception: the operator's view of a refusal, which
    the browser only sees redacted (``client.showErrorDetails = "none"``)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.messages.append(str(record.exc_info[1]))


def test_the_app_refuses_to_run_in_production_with_weak_secrets_or_the_demo_password(
    demo_db: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.settings import settings

    uncaught = _Uncaught()
    logging.getLogger("streamlit.error_util").addHandler(uncaught)
    monkeypatch.setenv("LINLI_ENV", "production")
    monkeypatch.setenv("LINLI_BALLOT_SECRET", "changeme")
    settings.cache_clear()
    try:
        at = AppTest.from_string(ENTRY, default_timeout=30)
        at.user = {"is_logged_in": False}
        at.run()
        assert at.exception and "LINLI_BALLOT_SECRET" in uncaught.messages.pop()
        assert "LINLI_BALLOT_SECRET" not in at.exception[0].message  # no details in a browser
        assert not at.title  # nothing of the app was drawn
        monkeypatch.setenv("LINLI_BALLOT_SECRET", "a-random-production-secret-0123456789")
        settings.cache_clear()
        at = AppTest.from_string(ENTRY, default_timeout=30).run()
        assert at.exception and "default password" in uncaught.messages.pop()
        assert not at.title  # the demo's admin password is public: refused too
        engine = make_engine(os.environ["LINLI_DATABASE_URL"])
        with Session(engine) as session:
            admin = viewer_for_person(session, demo_db["admin"])
            change_password(session, admin, current=DEMO_PASSWORD, new="a private passphrase")
        engine.dispose()
        assert not AppTest.from_string(ENTRY, default_timeout=30).run().exception
    finally:
        logging.getLogger("streamlit.error_util").removeHandler(uncaught)
        monkeypatch.undo()
        settings.cache_clear()
