"""The ledger screen's budget vs actual for the demo, against figures computed by hand from
demo/street.py, demo/expenses.py and demo/charters.py (not from the services); the ledger's
files to download."""

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import Fund, Proposal, make_engine
from models.engine import database_url
from tests.pages.test_screens import open_page
from ui import i18n

FUND = "平阳社区微基金"
# 2025 winners: budget (lines) - co-funding = allocated; paid through approved requests.
#   楼道声控灯改造  15,360 - 3,000 = 12,360, paid 10,560 + 1,800 = 12,360, completed
#   老年助餐点桌椅  15,600 - 1,600 = 14,000, paid 7,000 (first instalment) and 280 (the
#                  volunteers' water, a charter exception), under way; its other 8,000 come
#                  from the alliance's joint fund, that fund's own earmark, not this one's
#   垂直绿化墙      19,500 - 2,000 = 17,500, paid 14,000, abandoned: 3,500 given back
#   社区共享工具屋   9,000 - 1,000 =  8,000, nothing paid yet
PLANNED = 15_360 + 15_600 + 19_500 + 9_000  # 59,460
ALLOCATED = 12_360 + 14_000 + 17_500 + 8_000  # 51,860
SPENT = 12_360 + 7_280 + 14_000  # 33,640
RETURNED = 17_500 - 14_000  # 3,500
STILL_EARMARKED = ALLOCATED - SPENT - RETURNED  # 14,720 = 6,720 + 8,000


def _yuan(amount: int) -> str:
    return i18n.format_money(amount * 100, "zh-CN")


def _ids() -> tuple[int, dict[str, int]]:
    with Session(make_engine(database_url())) as session:
        fund = session.exec(select(Fund.id).where(Fund.name == FUND)).one()
        titles = dict(session.exec(select(Proposal.title, Proposal.id)).all())
    assert fund is not None
    return fund, {title: pid for title, pid in titles.items() if pid is not None}


def _budget_tab(person_id: int | None) -> tuple[AppTest, int, dict[str, int]]:
    fund_id, proposals = _ids()
    at = open_page("ledger", person_id)
    at.selectbox(key="ledger_fund").set_value(fund_id).run()
    assert not at.exception
    return at, fund_id, proposals


def test_the_demo_fund_budget_on_screen_is_the_hand_computed_one(
    demo_db: dict[str, int],
) -> None:
    at, _, _ = _budget_tab(None)  # public: anyone reads it
    metrics = {m.label: m.value for m in at.metric}
    keys = ("planned", "allocated", "spent", "returned", "unspent")
    assert [metrics[i18n.translate("zh-CN", f"ledger.fund_{key}")] for key in keys] == [
        _yuan(PLANNED),
        _yuan(ALLOCATED),
        _yuan(SPENT),
        _yuan(RETURNED),
        _yuan(STILL_EARMARKED),
    ]
    assert [_yuan(SPENT), _yuan(STILL_EARMARKED)] == [_yuan(33_640), _yuan(14_720)]
    captions = [c.value for c in at.caption]
    wall = i18n.translate(
        "zh-CN",
        "ledger.project_money",
        allocated=_yuan(17_500),
        spent=_yuan(14_000),
        returned=_yuan(3_500),
        unspent=_yuan(0),
    )
    assert wall in captions
    # The green wall's lines: modules 16,000 planned, 14,000 paid; drip irrigation unpaid.
    shown = [element.proto.text for element in at.get("progress")]
    for planned, actual in ((16_000, 14_000), (3_500, 0)):
        row = i18n.translate(
            "zh-CN",
            "ledger.budget_row",
            planned=_yuan(planned),
            actual=_yuan(actual),
            left=_yuan(planned - actual),
        )
        assert row in shown


def test_only_open_projects_get_money_on_the_treasurers_forms(demo_db: dict[str, int]) -> None:
    at, _, _ = _budget_tab(demo_db["treasurer"])
    allocatable = at.selectbox(key="out_project").options
    payable = at.selectbox(key="pay_project").options
    for closed in ("楼道声控灯改造", "垂直绿化墙"):
        assert closed not in allocatable and closed not in payable
    assert "老年助餐点桌椅更新" in payable and "社区共享工具屋" in payable
    assert not [w for w in at.text_input if w.key == "out_payee"]  # no direct project expense


def test_the_ledger_files_to_download(demo_db: dict[str, int]) -> None:
    """Everyone gets the public files and the fund's notice to print; the books' files only
    where the books are open."""
    public_files = {
        i18n.translate("zh-CN", "export.public_csv"),
        i18n.translate("zh-CN", "export.public_xlsx"),
        i18n.translate("zh-CN", "reports.pdf"),
    }
    books_files = {
        i18n.translate("zh-CN", "export.books_csv"),
        i18n.translate("zh-CN", "export.books_xlsx"),
    }
    # The chair's request queue also offers the demo's one PDF receipt (the volunteers' water).
    receipt = i18n.translate("zh-CN", "ledger.open_receipt")
    public, _, _ = _budget_tab(None)
    assert {b.proto.label for b in public.get("download_button")} == public_files
    books, _, _ = _budget_tab(demo_db["chair"])
    shown = {b.proto.label for b in books.get("download_button")}
    assert shown - {receipt} == public_files | books_files


def test_the_committee_is_told_that_closing_gives_the_money_back(demo_db: dict[str, int]) -> None:
    """Shown where a project under way can be completed or abandoned, to those who may."""
    note = i18n.translate("zh-CN", "proposals.closing_releases")
    chair = open_page("proposals", demo_db["chair"])
    assert not chair.exception and note in [c.value for c in chair.caption]
    assert note not in [c.value for c in open_page("proposals", None).caption]
