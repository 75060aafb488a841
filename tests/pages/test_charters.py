"""The fund's charter on the screens (AppTest, on the demo): each broken rule is shown next to
the field it concerns, on the proposal form and on the payment request form; the treasurer
may then ask for an exception, which the chair sees with the rule it breaks."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from models import Fund, PaymentRequest, Proposal, make_engine
from models.engine import database_url
from services.accounts import viewer_for_person
from services.charters import current_charter
from services.funds import adopt_charter
from services.notice import notice_board
from services.proposals import LineItemInput, PledgeInput, ProposalDraft, submit_proposal
from tests.pages.test_payment_requests import open_requests, treasurers_fund
from tests.pages.test_proposal_form import SEND, line
from tests.pages.test_screens import open_page
from tests.services.test_uploads import photo_bytes


@pytest.fixture
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(folder))
    return folder


def flat(node: Any) -> list[Any]:
    """The elements in the order they are drawn."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for key in sorted(children) for leaf in flat(children[key])]


def position(drawn: list[Any], key: str) -> int:
    return next(i for i, node in enumerate(drawn) if getattr(node, "key", None) == key)


def rows(model: type[Any]) -> int:
    with Session(make_engine(database_url())) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_proposal_breaking_the_charter_shows_each_rule_at_its_field(
    demo_db: dict[str, int],
) -> None:
    """No round named: the community micro-fund's charter (version 2 of the demo) forbids
    bottled water and asks 10% co-funding; each message sits under its part of the form."""
    proposals = rows(Proposal)
    at = open_page("proposals", demo_db["resident"])
    at.text_input(key="pf_title").input("夏季纳凉点")
    at.text_area(key="pf_summary").input("在平阳一村设纳凉点。")
    line(at, 0, "desc").input("志愿者瓶装水")
    line(at, 0, "price").input("600")
    at.text_area(key="pf_upkeep").input("居委会每日开放")
    at.text_input(key="pf_maintainer").input("居委会")
    at.button(key=SEND).click().run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert messages[-1].startswith("基金章程不允许此项：共 2 条规则未满足")
    item = "第 1 行：章程禁止用于“瓶装水”。"
    co_funding = "章程要求配套资金不低于成本的 100‰。"
    assert set(messages[:-1]) == {item, co_funding}
    drawn = flat(at.main)
    at_item = next(i for i, n in enumerate(drawn) if getattr(n, "value", None) == item)
    at_co_funding = next(i for i, n in enumerate(drawn) if getattr(n, "value", None) == co_funding)
    price = position(drawn, line(at, 0, "price").key)
    assert price < at_item < at_co_funding < position(drawn, "pf_upkeep")
    assert rows(Proposal) == proposals  # nothing stored
    assert at.text_input(key="pf_title").value == "夏季纳凉点"  # what was typed stays


def send(at: AppTest, purpose: str) -> AppTest:
    at.text_input(key="pay_amount_0").set_value("120.50")
    at.text_input(key="pay_payee_0").set_value("联华超市平阳店")
    at.text_input(key="pay_purpose_0").set_value(purpose)
    at.text_input(key="pay_invoice_0").set_value("FP-2026-0077")
    at.file_uploader(key="pay_receipt_0").upload("water.jpg", photo_bytes(), "image/jpeg")
    at.run()
    at.button(key="pay_send_0").click()
    return at.run()


def test_a_payment_for_a_forbidden_item_is_shown_at_its_purpose_then_asks_the_chair(
    demo_db: dict[str, int], upload_dir: Path
) -> None:
    fund_id, proposal_id, _ = treasurers_fund(demo_db)
    requests = rows(PaymentRequest)
    at = send(open_requests(demo_db["treasurer"], fund_id, proposal_id), "志愿者矿泉水两箱")
    assert not at.exception
    drawn = flat(at.main)
    under = drawn[position(drawn, "pay_purpose_0") + 1]
    assert under.value == "章程禁止用于“矿泉水”。"
    assert rows(PaymentRequest) == requests
    at.checkbox(key="pay_ask_0").check().run()
    at.button(key="pay_send_0").click().run()
    assert rows(PaymentRequest) == requests + 1
    at.run()  # the form drawn again, empty: the only message left is the request's, queued
    assert not at.exception
    (queued,) = at.error
    assert queued.value == "章程禁止用于“矿泉水”。"
    drawn = flat(at.main)
    assert drawn.index(queued) > position(drawn, "pay_send_1")
    chair = open_requests(demo_db["chair"], fund_id)
    assert "章程禁止用于“矿泉水”。" in [e.value for e in chair.error]
    assert chair.text_input(key=f"override_{requests + 1}") is not None


def test_the_eligibility_review_shows_the_rules_broken_and_takes_the_chairs_reason(
    demo_db: dict[str, int],
) -> None:
    """A proposal sent without a round, whose category the micro-fund's charter forbids by the
    time the committee reviews it: the rule is shown under the proposal's text, and marking
    it eligible needs the chair's reason, which the notice board then shows."""
    with Session(make_engine(database_url())) as session:
        resident = viewer_for_person(session, demo_db["resident"])
        home = resident.grants[0].place_ids
        assert home is not None
        (compound,) = home
        proposal_id = submit_proposal(
            session,
            resident,
            draft=ProposalDraft(
                place_id=compound,
                title="楼道乒乓球台",
                summary="在架空层放一张乒乓球台。",
                category="culture",
                line_items=[LineItemInput("乒乓球台", "culture", 1, "3000")],
                co_funding=[PledgeInput("residents", "楼组", "300")],
                maintenance_plan="楼组长负责",
                maintainer="楼组长",
                maintenance_years=3,
            ),
        )
        fund = session.exec(select(Fund).where(Fund.name == "平阳社区微基金")).one()
        charter = current_charter(session, fund.id)  # type: ignore[arg-type]
        assert charter is not None
        adopt_charter(
            session,
            viewer_for_person(session, demo_db["admin"]),
            fund_id=fund.id,  # type: ignore[arg-type]
            adopted_on=date(2026, 12, 1),
            allowed_categories=[],
            forbidden_categories=[*charter.forbidden_categories, "culture"],
            per_project_cap="20000",
            per_community_year_cap="90000",
            min_co_funding_permille=100,
            text=charter.text,
            forbidden_items=charter.forbidden_items,
        )
    at = open_page("proposals", demo_db["chair"])
    shown = "章程禁止用于文化。"
    assert shown in [e.value for e in at.error]
    drawn = flat(at.main)
    at_rule = next(i for i, n in enumerate(drawn) if getattr(n, "value", None) == shown)
    assert position(drawn, f"move_{proposal_id}_to") > at_rule
    at.selectbox(key=f"move_{proposal_id}_to").set_value("eligible")
    at.text_input(key=f"override_{proposal_id}").input("街道同意试点文体类项目，仅此一例")
    at.button(key=f"apply_{proposal_id}").click().run()
    assert not at.exception
    with Session(make_engine(database_url())) as session:
        stored = session.get(Proposal, proposal_id)
        assert stored is not None and stored.status == "eligible"
        (newest, *_) = notice_board(session).charter_exceptions
        assert (newest.proposal_title, newest.reason) == (
            "楼道乒乓球台",
            "街道同意试点文体类项目，仅此一例",
        )


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "spent on: building materials, charity handouts, construction works, entertainment"),
        ("zh-CN", "禁止用于：建筑材料、慈善发放、工程建设、纯娱乐活动。"),
    ],
)
def test_the_charter_lists_categories_as_its_language_writes_a_list(
    demo_db: dict[str, int], locale: str, shown: str
) -> None:
    """The public reads the charter on the ledger screen: 、 between Chinese names, commas
    between English ones."""
    with Session(make_engine(database_url())) as session:
        fund = session.exec(select(Fund).where(Fund.name == "平阳社区微基金")).one()
    at = open_page("ledger", None, locale)
    at.selectbox(key="ledger_fund").set_value(fund.id).run()
    assert not at.exception
    assert any(shown in e.value for e in at.markdown), [e.value for e in at.markdown]
