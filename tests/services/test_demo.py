"""The demo street goes through the real services on both databases: every rule holds for it."""

import pytest
from sqlmodel import Session

from services.accounts import DEMO_PASSWORD, sign_in_local, store_is_empty
from services.demo import load_demo
from services.errors import NotAllowed
from services.ledger import fund_balances
from services.proposals import list_proposals
from services.rounds import list_rounds


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
    assert pingyang.money_in_fen == 16_715_000
    assert pingyang.available_fen >= 0
    assert (
        sign_in_local(session, username="chair", password=DEMO_PASSWORD).viewer.display_name
        == "李建国"
    )
    with pytest.raises(NotAllowed):
        load_demo(session)
