"""The clerk's paper entry on the vote page (AppTest on the demo street): the demo's open vote
has one sheet keyed once by the second clerk and one the two clerks read differently."""

import os

from sqlmodel import Session

from models import make_engine
from models.vocabulary import ProposalStatus
from services.proposals import list_proposals
from services.rounds import list_rounds
from tests.pages.test_screens import open_page, texts

ROUND = "平阳社区2026年微基金项目"


def on_ballot() -> tuple[int, list[int]]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        (voting,) = [r for r in list_rounds(session) if r.name == ROUND]
        ids = sorted(
            p.id
            for p in list_proposals(
                session, round_id=voting.id, statuses=(ProposalStatus.ON_BALLOT,)
            )
        )
    engine.dispose()
    return voting.id, ids


def counts(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(metric.value) for metric in at.metric]


def test_a_clerk_keys_the_second_reading_and_the_sheet_is_confirmed(
    demo_db: dict[str, int],
) -> None:
    _, ids = on_ballot()
    at = open_page("vote", demo_db["clerk"])
    assert counts(at) == ["1", "1", "0"]  # keyed once, third look, confirmed
    assert "等待第二次录入：PY\\-2026\\-001" in texts(at)
    assert "您录入过此选票" in texts(at)  # the clerk read PY-2026-002: someone else settles it
    assert not [b for b in at.button if b.key and b.key.startswith("paper_pick_")]
    at.text_input(key="paper_sheet").input("PY-2026-001")
    for proposal_id in ids[:2]:
        at.checkbox(key=f"paper_approve_{proposal_id}").check()
    at.button(key="paper_key").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "选票 PY\\-2026\\-001 已核定" in "\n".join(s.value for s in at.success)
    assert counts(at) == ["0", "1", "1"]

    at.text_input(key="paper_sheet").input("PY-2026-001")  # the same sheet again: refused
    at.checkbox(key=f"paper_approve_{ids[0]}").check()
    at.button(key="paper_key").click().run()
    assert "已核定，已计入票箱" in "\n".join(e.value for e in at.error)
    assert counts(at) == ["0", "1", "1"]


def test_the_chair_settles_a_sheet_read_differently(demo_db: dict[str, int]) -> None:
    round_id, _ = on_ballot()
    at = open_page("vote", demo_db["chair"])
    assert "第三人核对" in texts(at) and "PY\\-2026\\-002" in texts(at)
    picks = [b for b in at.button if b.key and b.key.startswith("paper_pick_")]
    assert len(picks) == 2  # the two readings, side by side, each with its button
    assert not [t for t in at.text_input if t.key == "paper_sheet"]  # the chair keys no sheet
    at.button(key=f"paper_pick_{round_id}_PY-2026-002_2").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "已核定" in "\n".join(s.value for s in at.success)
    assert counts(at) == ["1", "0", "1"]
    assert "没有等待核对的选票" in texts(at)


def test_a_third_look_keyed_again_that_agrees_with_no_reading_waits(
    demo_db: dict[str, int],
) -> None:
    round_id, ids = on_ballot()
    at = open_page("vote", demo_db["secretary"])
    prefix = f"paper_rekey_{round_id}_PY-2026-002"
    at.toggle(key=prefix).set_value(True).run()
    at.checkbox(key=f"{prefix}_approve_{ids[3]}").check()
    at.button(key=f"{prefix}_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "与已有录入均不一致" in "\n".join(w.value for w in at.warning)
    assert counts(at) == ["1", "1", "0"]  # still waiting, and still no ballot
    assert "第 3 次录入" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("paper_pick_")]
