"""The demo street goes through the real services on both databases: every rule holds for it."""

import pytest
from sqlmodel import Session, col, select

from demo.street import load_demo
from models import ChainHead, Person, PointsAccount
from services.accounts import DEMO_PASSWORD, sign_in_local, store_is_empty
from services.errors import NotAllowed
from services.ledger import fund_balances
from services.points import points_balance, points_page
from services.proposals import list_proposals
from services.rounds import list_rounds
from services.verify import check_books


def test_demo_loads_a_street_with_everything_in_it(session: Session) -> None:
    assert store_is_empty(session)
    summary = load_demo(session)
    assert (summary.proposals, summary.ballots) == (11, 86)
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


def test_the_demos_points_are_the_hand_computed_figures(session: Session) -> None:
    """10 points an hour: 王秀兰 (the demo's resident) 3 h + 4 h = 70, less a haircut at 平阳理发店
    (25) = 45; the second voter 2 h = 20; the fourth 6 h = 60, less rice at 联华超市 (50) = 10.
    The page shows the same, and the chained points ledger checks out."""
    load_demo(session)
    resident = sign_in_local(session, username="resident", password=DEMO_PASSWORD).viewer
    page = points_page(session, resident)
    assert page.statement.balance == 45
    assert [(line.delta, line.hours, line.merchant) for line in page.statement.lines] == [
        (-25, None, "平阳理发店"),
        (40, 4, ""),
        (30, 3, ""),
    ]
    others = session.exec(
        select(Person.id)
        .join(PointsAccount, col(PointsAccount.person_id) == Person.id)
        .where(Person.id != resident.person_id)
        .order_by(col(Person.id))
    ).all()
    assert [points_balance(session, person_id=person) for person in others] == [20, 10]
    merchants = {item.merchant for item in page.catalogue if item.merchant}
    assert merchants == {"联华超市平阳店", "平阳理发店"}
    assert all(item.redeemable for item in page.catalogue)
    result = check_books(session)
    assert result.ok, [str(problem) for problem in result.problems]
    assert session.exec(select(ChainHead.length).where(ChainHead.name == "pointsentry")).one() == 6
