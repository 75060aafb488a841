"""Changing a ballot on the vote page (AppTest on the demo street): the demo's open round allows
changes here, and the demo resident has not voted in it yet."""

import os

import pytest
from sqlmodel import Session, select

from models import BudgetRound, PendingBallot, make_engine
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.errors import NotFound
from services.rounds import ReceiptCheck, cast_ballot, check_receipt, receipt_hash
from tests.pages.test_paper_sheets import ROUND, on_ballot
from tests.pages.test_screens import open_page, texts


def store() -> Session:
    return Session(make_engine(os.environ["LINLI_DATABASE_URL"]))


def allow_changes(allowed: bool = True) -> None:
    with store() as session:
        budget_round = session.exec(select(BudgetRound).where(BudgetRound.name == ROUND)).one()
        budget_round.ballot_changes_allowed = allowed
        session.add(budget_round)
        session.commit()


def receipt(code: str) -> ReceiptCheck:
    with store() as session:
        return check_receipt(session, receipt_code=code)


def successes(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(s.value for s in at.success)


def errors(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(e.value for e in at.error)


def test_a_resident_changes_their_ballot_with_the_receipt_kept_on_the_device(
    demo_db: dict[str, int],
) -> None:
    allow_changes()
    round_id, ids = on_ballot()
    at = open_page("vote", demo_db["resident"])
    assert "修改我的选票" not in [e.label for e in at.expander]  # nothing cast yet
    for proposal_id in ids[:2]:
        at.checkbox(key=f"ballot_{round_id}_approve_{proposal_id}").check()
    at.button(key=f"ballot_{round_id}_cast").click().run()
    (first,) = [code.value for code in at.code]
    assert "修改我的选票" in [e.label for e in at.expander]
    code = at.text_input(key=f"change_{round_id}_code_{first}")
    assert code.value == first  # the kept receipt is filled in

    at.button(key=f"change_{round_id}_open_ballot").click().run()
    assert not at.exception and not errors(at)
    ticked = {
        proposal_id: at.checkbox(key=f"change_{round_id}_approve_{proposal_id}").value
        for proposal_id in ids
    }
    assert ticked == {pid: pid in ids[:2] for pid in ids}  # the ballot as it stands
    at.checkbox(key=f"change_{round_id}_approve_{ids[1]}").uncheck()
    at.checkbox(key=f"change_{round_id}_approve_{ids[2]}").check()
    at.button(key=f"change_{round_id}_cast").click().run()
    assert not at.exception and not errors(at), errors(at)
    assert "选票已修改！旧回执已作废" in successes(at)
    (second,) = [code.value for code in at.code]  # the new receipt replaced the old one
    assert second != first
    with pytest.raises(NotFound):
        receipt(first)
    assert sorted(pid for pid, _, _ in receipt(second).entries) == [ids[0], ids[2]]
    assert at.text_input(key=f"change_{round_id}_code_{second}").value == second


def test_a_typed_receipt_must_be_one_of_this_round(demo_db: dict[str, int]) -> None:
    """Typed on another device: a wrong code and another round's receipt open nothing; the
    right one opens the ballot, and going back changes nothing."""
    allow_changes()
    round_id, ids = on_ballot()
    with store() as session:
        resident = viewer_for_person(session, demo_db["resident"])
        mine = cast_ballot(
            session, resident, round_id=round_id, ballot=BallotChoice(approvals=(ids[3],))
        )
    at = open_page("vote", demo_db["resident"])
    assert "您已在本轮投票" in successes(at) and not at.code  # nothing kept on this device
    for wrong, said in (("AAAA-BBBB-CCCC", "未找到"), (other_rounds_receipt(demo_db), "另一轮")):
        at.text_input(key=f"change_{round_id}_code_").input(wrong)
        at.button(key=f"change_{round_id}_open_ballot").click().run()
        assert said in errors(at), errors(at)
        assert not [c for c in at.checkbox if c.key.startswith(f"change_{round_id}_approve_")]
    at.text_input(key=f"change_{round_id}_code_").input(mine.lower())
    at.button(key=f"change_{round_id}_open_ballot").click().run()
    assert at.checkbox(key=f"change_{round_id}_approve_{ids[3]}").value is True
    at.button(key=f"change_{round_id}_cancel").click().run()
    assert not [c for c in at.checkbox if c.key.startswith(f"change_{round_id}_approve_")]
    assert [pid for pid, _, _ in receipt(mine).entries] == [ids[3]]


def other_rounds_receipt(demo_db: dict[str, int]) -> str:
    """The receipt of a ballot of another round (the demo's 2025 round), straight into its box."""
    code = "WXYZ-2345-6789"
    with store() as session:
        other = session.exec(select(BudgetRound.id).where(BudgetRound.name != ROUND)).first()
        session.add(PendingBallot(round_id=other, receipt_hash=receipt_hash(code), marks=[]))
        session.commit()
    return code


def test_no_change_where_the_round_does_not_allow_it(demo_db: dict[str, int]) -> None:
    allow_changes(False)
    round_id, ids = on_ballot()
    at = open_page("vote", demo_db["resident"])
    at.checkbox(key=f"ballot_{round_id}_approve_{ids[0]}").check()
    at.button(key=f"ballot_{round_id}_cast").click().run()
    assert at.code and "修改我的选票" not in texts(at)
    assert "修改我的选票" not in [e.label for e in at.expander]
