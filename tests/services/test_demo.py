"""The demo street goes through the real services on both databases: every rule holds for it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from demo.charters import EXCEPTION_REASON
from demo.street import load_demo
from models import ChainHead, Contribution, Fund, Person, PointsAccount, PointsShare
from services.accounts import DEMO_PASSWORD, sign_in_local, store_is_empty
from services.charters import COUNTED, charter_check, current_charter
from services.errors import NotAllowed
from services.ledger import fund_balances
from services.notice import notice_board
from services.orders import needs_board
from services.permissions import ANONYMOUS
from services.points import points_balance, points_page
from services.proposals import list_proposals
from services.rounds import list_rounds
from services.verify import check_books


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo's receipt lands here, not in the app's data folder."""
    folder = tmp_path / "uploads"
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(folder))
    yield folder


def test_demo_loads_a_street_with_everything_in_it(session: Session) -> None:
    assert store_is_empty(session)
    summary = load_demo(session)
    assert (summary.proposals, summary.ballots) == (
        14,
        86,
    )  # 万源's 3 proposals: demo/indicators.py
    statuses = {p.status for p in list_proposals(session)}
    assert {
        "submitted",
        "completed",
        "in_progress",
        "abandoned",
        "selected",
        "not_selected",
        "on_ballot",
        "ineligible",
        "withdrawn",
    } - statuses == {"submitted"} or statuses >= {
        "completed",
        "abandoned",
        "on_ballot",
        "ineligible",
        "withdrawn",
    }
    phases = {r.name: r.phase for r in list_rounds(session)}
    assert phases == {
        "平阳社区2025年微基金项目": "implementation",
        "平阳社区2026年微基金项目": "voting",
        "古龙社区2026年微基金项目": "needs",
        "万源社区2026年微基金项目": "implementation",
    }
    pingyang = next(b for b in fund_balances(session) if b.name == "平阳社区微基金")
    assert pingyang.money_in_fen == 33_360_000  # the sums of demo/donors.py's docstring
    assert pingyang.available_fen >= 0
    assert (
        sign_in_local(session, username="chair", password=DEMO_PASSWORD).viewer.display_name
        == "李建国"
    )
    with pytest.raises(NotAllowed):
        load_demo(session)


def test_the_demos_points_are_the_hand_computed_figures(demo_session: Session) -> None:
    """10 points an hour: 王秀兰 (the demo's resident) 3 h + 4 h = 70, less a haircut at 平阳理发店
    (25) = 45; the second voter 2 h = 20; the third 8 h + 5 h = 130, less 20 when the clerk
    corrects 5 h to 3 h, less 50 given as a share of donation = 60; the fourth 6 h = 60, less
    rice at 联华超市 (50) = 10. The page shows the same, and the chained points ledger checks
    out: 6 shifts, 1 correction, 2 redemptions, 1 share."""
    resident = sign_in_local(demo_session, username="resident", password=DEMO_PASSWORD).viewer
    page = points_page(demo_session, resident)
    assert page.statement.balance == 45
    assert [(line.delta, line.hours, line.merchant) for line in page.statement.lines] == [
        (-25, None, "平阳理发店"),
        (40, 4, ""),
        (30, 3, ""),
    ]
    others = demo_session.exec(
        select(Person.id)
        .join(PointsAccount, col(PointsAccount.person_id) == Person.id)
        .where(Person.id != resident.person_id)
        .order_by(col(Person.id))
    ).all()
    assert [points_balance(demo_session, person_id=person) for person in others] == [20, 60, 10]
    merchants = {item.merchant for item in page.catalogue if item.merchant}
    assert merchants == {"联华超市平阳店", "平阳理发店"}
    assert all(item.redeemable for item in page.catalogue)
    result = check_books(demo_session)
    assert result.ok, [str(problem) for problem in result.problems]
    assert (
        demo_session.exec(select(ChainHead.length).where(ChainHead.name == "pointsentry")).one()
        == 10
    )
    share = demo_session.exec(select(PointsShare)).one()
    gift = demo_session.get(Contribution, share.contribution_id)
    assert gift is not None and (share.points, gift.estimated_value_fen) == (50, 500)


def test_the_demos_orders_are_at_every_step(demo_session: Session) -> None:
    """Three needs ordered: one reported on (23 elders served), one delivered, one open."""
    board = needs_board(demo_session, ANONYMOUS)
    ordered = {item.need.title: item.order for item in board.needs if item.order is not None}
    assert {title: (o.status, o.beneficiaries_served) for title, o in ordered.items()} == {
        "独居老人午餐送上门": ("reported", 23),
        "双职工家庭孩子放学后没人辅导作业": ("delivered", None),
        "老人不会用智能手机挂号、付款": ("open", None),
    }
    assert ordered["独居老人午餐送上门"].organisation == "闵行区古美乐龄社会工作服务社"


def test_the_demos_communities_keep_their_charters(demo_session: Session) -> None:
    """By hand (demo/charters.py): Pingyang's proposals counted against its micro-fund's 90,000
    cap ask 51,860 yuan for 2025 (69,860 at the review, less the play mats not selected) and
    37,800 for 2026; no proposal counted breaks the charter; the one exception is the
    volunteers' mineral water, approved by the chair with a reason the notice board shows."""
    fund = demo_session.exec(select(Fund).where(Fund.name == "平阳社区微基金")).one()
    charter = current_charter(demo_session, fund.id)  # type: ignore[arg-type]
    assert charter is not None and charter.per_community_year_cap_fen == 9_000_000
    years = {r.id: r.year for r in list_rounds(demo_session)}
    pingyang = [r.id for r in list_rounds(demo_session) if r.name.startswith("平阳")]
    counted = [
        p
        for p in list_proposals(demo_session, statuses=COUNTED)
        if p.round_id in pingyang  # every Pingyang proposal names its round
    ]
    by_year: dict[int, int] = {}
    for row in counted:
        by_year[years[row.round_id]] = by_year.get(years[row.round_id], 0) + row.requested_fen  # type: ignore[index]
    assert by_year == {2025: 5_186_000, 2026: 3_780_000}
    assert all(charter_check(demo_session, proposal_id=row.id) == [] for row in counted)
    (exception,) = notice_board(demo_session).charter_exceptions
    assert (exception.proposal_title, exception.stage, exception.rules) == (
        "老年助餐点桌椅更新",
        "payment",
        ["charter_forbidden_item"],
    )
    assert (exception.reason, exception.decided_by) == (EXCEPTION_REASON, "李建国")
