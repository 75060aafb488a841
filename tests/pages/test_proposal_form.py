"""The proposal form under AppTest: rows added and removed keep what was typed in the others,
a draft saved and continued comes back row by row, and an error names its row."""

from sqlmodel import Session, select

from models import Proposal, make_engine
from models.engine import database_url
from services.accounts import viewer_for_person
from services.proposals import draft_form
from tests.pages.test_screens import open_page

SAVE, SEND = "pf_save", "pf_send"


def line(at, index: int, part: str):  # type: ignore[no-untyped-def]
    """A widget of the ``index``-th budget line shown (rows are keyed by id, not position)."""
    rows = at.session_state["pf_lines"]
    return at.text_input(key=f"pf_line_{rows[index]}_{part}")


def test_rows_are_added_and_removed_and_the_draft_keeps_them(demo_db: dict[str, int]) -> None:
    at = open_page("proposals", demo_db["resident"])
    at.text_input(key="pf_title").input("楼道扶手加装")
    at.text_area(key="pf_summary").input("为3号楼老人加装楼道扶手。")
    line(at, 0, "desc").input("不锈钢扶手")
    line(at, 0, "price").input("350")
    at.button(key="FormSubmitter:proposal_form-添加一行预算").click().run()
    line(at, 1, "desc").input("临时材料")
    at.button(key="FormSubmitter:proposal_form-添加一行预算").click().run()
    line(at, 2, "desc").input("安装人工")
    line(at, 2, "price").input("1200")
    assert len(at.session_state["pf_lines"]) == 3
    middle = at.session_state["pf_lines"][1]
    at.button(key=f"pf_lines_{middle}_remove").click().run()
    assert [line(at, i, "desc").value for i in range(2)] == ["不锈钢扶手", "安装人工"]
    assert "第 2 行" in "".join(m.value for m in at.markdown)

    at.button(key=SAVE).click().run()
    assert not at.exception and not at.error
    draft_id = at.session_state["pf_draft_id"]
    with Session(make_engine(database_url())) as session:
        resident = viewer_for_person(session, demo_db["resident"])
        stored = draft_form(session, resident, proposal_id=draft_id)
    assert [(i.description, i.unit_price) for i in stored.line_items] == [
        ("不锈钢扶手", "350"),
        ("安装人工", "1200"),
    ]

    # A new session continues the draft; a wrong price is named by its row, nothing is sent.
    again = open_page("proposals", demo_db["resident"])
    again.button(key=f"draft_open_{draft_id}").click().run()
    assert again.text_input(key="pf_title").value == "楼道扶手加装"
    assert [line(again, i, "price").value for i in range(2)] == ["350", "1200"]
    line(again, 1, "price").input("12.345")
    again.button(key=SEND).click().run()
    assert [e.value for e in again.error] == ["第 2 行：单价最多保留两位小数（分）。"]
    with Session(make_engine(database_url())) as session:
        sent = select(Proposal).where(Proposal.title == "楼道扶手加装")
        assert [p.status for p in session.exec(sent)] == ["draft"]
