"""The ledger screen's payment requests: the demo's treasurer files one with a receipt photo,
cannot approve it, the chair (another committee member) approves it, and the budget line vs
actual shows the payment. A wrong file is refused and nothing is kept."""

import os
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from models import LedgerEntry, PaymentRequest, make_engine
from models.engine import database_url
from services.accounts import viewer_for_person
from services.common import place_tree
from services.expenses import budget_vs_actual
from services.ledger import allocated_fen, fund_balances, spent_fen
from services.permissions import Action, can
from tests.pages.test_screens import open_page
from tests.services.test_uploads import photo_bytes
from ui import i18n


@pytest.fixture
def upload_dir() -> Path:
    """The run's folder, where the demo kept its receipts (tests/conftest.py)."""
    return Path(os.environ["LINLI_UPLOAD_DIR"])


def _store() -> Session:
    return Session(make_engine(database_url()))


def treasurers_fund(people: dict[str, int]) -> tuple[int, int, int]:
    """A fund the demo's treasurer pays from, a project it allocated money to that still has
    more than 120.50 yuan of it unspent, and what approved requests have paid on that project."""
    with _store() as session:
        treasurer = viewer_for_person(session, people["treasurer"])
        tree = place_tree(session)
        for balance in fund_balances(session):
            if not can(treasurer, Action.RECORD_EXPENSE, balance.place_id, tree):
                continue
            for budget in budget_vs_actual(session, fund_id=balance.fund_id):
                pid = budget.proposal_id
                if allocated_fen(session, pid) - spent_fen(session, pid) > 12_050:
                    return balance.fund_id, pid, budget.actual_fen
    raise AssertionError("the demo has no allocation left that the treasurer pays from")


def counts() -> tuple[int, int]:
    with _store() as session:
        requests = session.exec(select(func.count()).select_from(PaymentRequest)).one()
        expenses = session.exec(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "expense")
        ).one()
        return requests, expenses


def open_requests(person_id: int, fund_id: int, proposal_id: int | None = None) -> AppTest:
    at = open_page("ledger", person_id)
    at.selectbox(key="ledger_fund").set_value(fund_id).run()
    if proposal_id is not None:
        at.selectbox(key="pay_project").set_value(proposal_id).run()
    return at


def send(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.text_input(key="pay_amount_0").set_value("120.50")
    at.text_input(key="pay_payee_0").set_value("五金店")
    at.text_input(key="pay_purpose_0").set_value("长椅螺栓")
    at.text_input(key="pay_invoice_0").set_value("FP-2026-0042")
    at.file_uploader(key="pay_receipt_0").upload(name, data, mime)
    at.run()
    at.button(key="pay_send_0").click()
    return at.run()


def test_treasurer_asks_and_another_member_approves(
    demo_db: dict[str, int], upload_dir: Path
) -> None:
    fund_id, proposal_id, actual_before = treasurers_fund(demo_db)
    requests, paid = counts()
    at = open_requests(demo_db["treasurer"], fund_id, proposal_id)
    at = send(at, "发票.jpg", photo_bytes(), "image/jpeg")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert counts() == (requests + 1, paid)  # asked, not paid
    with _store() as session:
        request_id = session.exec(select(func.max(PaymentRequest.id))).one()
    assert f"approve_{request_id}" not in [b.key for b in at.button]  # never one's own
    chair = open_requests(demo_db["chair"], fund_id)
    assert not chair.exception
    chair.button(key=f"approve_{request_id}").click().run()
    assert not chair.exception and not chair.error, [e.value for e in chair.error]
    assert counts() == (requests + 1, paid + 1)
    with _store() as session:
        budgets = budget_vs_actual(session, fund_id=fund_id)
    (budget,) = [b for b in budgets if b.proposal_id == proposal_id]
    assert budget.actual_fen == actual_before + 12_050
    # The chair's screen shows the same figures, line by line, on the budget tab.
    chair.run()
    shown = [element.proto.text for element in chair.get("progress")]
    for line in budget.lines:
        row = i18n.translate(
            "zh-CN",
            "ledger.budget_row",
            planned=i18n.format_money(line.planned_fen, "zh-CN"),
            actual=i18n.format_money(line.actual_fen, "zh-CN"),
            left=i18n.format_money(line.left_fen, "zh-CN"),
        )
        assert row in shown


def test_a_receipt_that_is_not_a_picture_or_pdf_is_refused(
    demo_db: dict[str, int], upload_dir: Path
) -> None:
    fund_id, proposal_id, _ = treasurers_fund(demo_db)
    before = counts()
    kept = set(upload_dir.iterdir())
    at = send(
        open_requests(demo_db["treasurer"], fund_id, proposal_id),
        "发票.jpg",
        b"<html><script>alert(1)</script></html>",
        "image/jpeg",
    )
    assert not at.exception and at.error
    assert counts() == before
    assert set(upload_dir.iterdir()) == kept
