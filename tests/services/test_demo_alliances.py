"""The demo's alliance, on both databases: what each community has paid into the joint fund
is the hand-computed figure (demo/alliances.py), the joint fund earmarks 8,000 yuan for the
shared project, and the books check out."""

from sqlmodel import Session

from demo.alliances import ALLIANCE_NAME
from services.accounts import DEMO_PASSWORD, sign_in_local
from services.alliances import alliances_page
from services.permissions import ANONYMOUS
from services.verify import check_books

# 30,000 and 13,333.33 yuan at 40/35/25 %, in fen. 13,333.33 splits as 5,333.332 / 4,666.6655 /
# 3,333.3325 yuan: floors 533,333 + 466,666 + 333,333 fen leave one fen, which goes to the
# largest remainder (古龙, .55 of a fen).
PINGYANG = 1_200_000 + 533_333
GULONG = 1_050_000 + 466_667
WANYUAN = 750_000 + 333_333


def test_the_demos_alliance_contributions_are_the_hand_computed_figures(
    demo_session: Session,
) -> None:
    (alliance,) = alliances_page(demo_session, ANONYMOUS)
    assert alliance.name == ALLIANCE_NAME
    assert [(m.name, m.permille, m.contributed_fen) for m in alliance.members] == [
        ("平阳社区", 400, PINGYANG),
        ("古龙社区", 350, GULONG),
        ("万源社区", 250, WANYUAN),
    ]
    assert alliance.contributed_fen == alliance.joint_fund_fen == 4_333_333
    assert [call.amount_fen for call in alliance.calls] == [3_000_000, 1_333_333]
    assert alliance.chair == "古龙社区"
    assert [t.community for t in alliance.schedule] == ["古龙社区", "万源社区", "平阳社区"]
    assert [(e.title, e.participants) for e in alliance.events] == [("古美路东片邻里节", 320)]
    assert [(p.status, p.allocated_fen) for p in alliance.proposals] == [("in_progress", 800_000)]
    assert [(s.satisfaction, s.resource_use) for s in alliance.scores] == [(4, 4), (5, 3)]
    assert check_books(demo_session).ok
    evaluator = sign_in_local(demo_session, username="evaluator", password=DEMO_PASSWORD).viewer
    assert [w.evaluable for w in alliances_page(demo_session, evaluator)[0].events] == [False]
