"""An imported election on the screens: the admin imports a Pabulib file from the admin screen,
and once the committee has counted and published it, the results screen shows it to everyone."""

from pathlib import Path

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import BudgetRound, Fund, Place, Proposal, make_engine
from models.engine import database_url
from services.accounts import viewer_for_person
from services.imports import import_election
from services.tally import count_votes, publish_tally
from tests.pages.test_screens import open_page, texts
from tests.services.test_imports import MALFORMED_LINE, TOULOUSE, small
from tests.voting.conftest import pabulib_file
from ui.plain_text import plain
from voting import read_pb, tally

IMPORT = "FormSubmitter:import_pb-导入"


def _store() -> Session:
    return Session(make_engine(database_url()))


def _pingyang() -> tuple[int, int]:
    """The demo community of the chair, and its micro-fund."""
    with _store() as session:
        place = session.exec(select(Place.id).where(Place.name == "平阳社区")).one()
        fund = session.exec(select(Fund.id).where(Fund.name == "平阳社区微基金")).one()
    assert place is not None and fund is not None
    return place, fund


def _import(at: AppTest, name: str, data: bytes) -> AppTest:
    place, fund = _pingyang()
    at.file_uploader(key="import_file").upload(name, data, "text/plain")
    at.selectbox(key="import_place").select(place)
    at.selectbox(key="import_fund").select(fund)
    at.selectbox(key="import_rule").select("greedy")
    at.button(key=IMPORT).click()  # a form sends its widgets' values with the click
    return at.run()


def test_the_admin_imports_a_file(demo_db: dict[str, int]) -> None:
    at = _import(open_page("admin", demo_db["admin"]), "testville.pb", small())
    assert not at.exception and not at.error, [e.value for e in at.error]
    with _store() as session:
        imported = session.exec(select(BudgetRound).where(BudgetRound.name == "Test PB 2024")).one()
    assert (imported.phase, imported.rule) == ("counting", "greedy")
    assert [s.value for s in at.success] == [
        f"已导入第 {imported.id} 号轮次“Test PB 2024”：3 个提案，4 张选票。"
    ]
    assert "计票结果" in at.info[0].value  # where to count it


def test_a_broken_file_is_refused_on_the_admin_screen(demo_db: dict[str, int]) -> None:
    broken = small(**{"VOTER-SECRET-4;p3": "VOTER-SECRET-4;p9"})
    at = _import(open_page("admin", demo_db["admin"]), "broken.pb", broken)
    assert not at.exception and not at.success
    assert at.error[0].value.startswith(f"文件第 {MALFORMED_LINE} 行无法读取。")
    with _store() as session:
        assert not session.exec(select(BudgetRound).where(BudgetRound.name == "Test PB 2024")).all()


def test_the_results_screen_shows_an_imported_round_once_published(
    demo_db: dict[str, int],
) -> None:
    path: Path = pabulib_file(TOULOUSE)
    place, fund = _pingyang()
    with _store() as session:
        admin = viewer_for_person(session, demo_db["admin"])
        imported = import_election(
            session,
            admin,
            data=path.read_bytes(),
            filename=TOULOUSE,
            place_id=place,
            fund_id=fund,
            rule="greedy",
        )
        chair = viewer_for_person(session, demo_db["chair"])
        publish_tally(
            session, chair, tally_id=count_votes(session, chair, round_id=imported.round_id)
        )
        winners = {
            session.get(Proposal, imported.proposal_ids[pid]).title  # type: ignore[union-attr]
            for pid in tally(read_pb(path), rule="greedy").selected
        }
    at = open_page("tally", None)
    at.selectbox(key="tally_round").select(imported.round_id).run()
    assert not at.exception and not at.error
    assert at.success and "共 1494 张选票" in texts(at)
    (listed,) = [m.value for m in at.markdown if m.value.startswith("- **")]
    won = {line.split("**")[1] for line in listed.splitlines() if line.rstrip().endswith("· 入选")}
    assert won == {plain(title) for title in winners} and len(winners) > 3
