"""Demo content for the year-end indicators: residents' ratings of the finished 2025 project,
and 万源社区's whole 2026 round (proposed, supported, voted, funded, one project finished and
rated, one abandoned), so that the street's indicators move between two years and 古龙社区 stays
the community that never applies. All through the services, as the people would do it.

Hand-computed figures (tests/services/test_indicators.py checks them, on both databases; the
definitions are the README's "Indicators"). Households: 平阳 970 (420 + 550), 古龙 970, 万源 420,
the street 2,360.

2025, 平阳社区 (the whole street's projects that year):
- submitted 5, selected 4, completed 1 (the stairway lights), abandoned 1 (the green wall):
  done ÷ submitted 1/5 = 20%, done ÷ selected 1/4 = 25%, abandoned 1/4;
- drifted 0: in the demo's 2025 review 赵磊 flags the green wall and 林晓梅 does not, and 1 of
  2 reviews is not more than half;
- proposers 5; supporters 23: nobody supported the 2025 proposals before the vote, but the
  needs they answer had supporters, each a neighbour of the need's compound counted from the
  second resident on: 平阳一村's needs of 14, 11 and 6 supporters (the same first 14 people)
  and 平阳二村's of 9, so 14 + 9;
- voters 62 ballots (50 online, 12 paper) ÷ 970 households = 62/970 (6.4%); donors 37 (32
  residents' accounts and 5 named givers: the bank, the charity branch, the anonymous resident,
  the property service centre, the dining point's elders);
- seed money 59,860 yuan allocated (12,360 + 22,000 + 17,500 + 8,000), other money received
  5,050 (3,000 + 1,250 + 0 + 800): leverage 505/5,986; spent 33,640 of 59,860, 4 of 4 funded
  projects within their allocation;
- money in 171,400 yuan, of which 81,400 not from government (90,000 came down from the street
  fund): 814/1,714 = 47.5%; review satisfaction 15/4 (the projects' overall scores of the two
  reviewers, 4.3, 3.6, 2.8 and 4.3, demo/deliberation.py: 150/40);
- residents' ratings of the lights: 5, 4, 3, 5, 4 → 21/5 = 4.2 stars.
The street in 2025: the same, but money in 381,400 (300,000 from the district's mother fund;
the 230,000 the street fund passed to its three communities came in once) and households 2,360.

2026, 万源社区 (this module): 3 proposals submitted by 3 of its 6 residents, all eligible;
supporters 4 distinct (the reading corner 2, the lights 3, one both); 6 ballots (lights 4,
reading corner 3, shade 2), a greedy count within 40,000 yuan selects the lights (cost 14,000)
and the reading corner (8,000), not the shade (30,000); seed money 12,000 + 7,000 = 19,000,
other money received 2,000 (the property manager's gift for the lights): leverage 2/19; spent
11,500 + 3,000 = 14,500 of 19,000, both within; the lights completed, the reading corner
abandoned: done ÷ submitted 1/3, done ÷ selected 1/2, abandoned 1/2; money in 2,200 yuan
(2,000 + a resident's 200), all of it not from government, from 2 donors; residents' ratings
of the lights 5, 4, 4, 5 → 9/2; no closed review yet, so no drift and no review satisfaction;
turnout 6/420.
平阳社区 in 2026: its round is still voting: 6 submitted by 6 residents, none selected, 24
ballots; supporters 33 (平阳二村: 15 residents in all once its first is left out, every one
supporting a need or a proposal; 平阳一村: 8 supporters of its needs and 10 others of its two
proposals); donors 55 (50 residents' accounts and 5 named givers); money in 162,200 yuan, none
of it from government. The street in 2026 adds the two: 9 submitted, 2 selected, 1 completed,
37 supporters, 30 ballots, 57 donors, money in 164,400.
Volunteers: the demo's 4 (demo/points.py) count in the year the demo is loaded, the day their
shifts were recorded; nobody in 万源 volunteered.
"""

from datetime import date
from io import BytesIO

from PIL import Image, ImageDraw
from sqlmodel import Session

from models import Proposal
from models.vocabulary import CommitteePosition, ProposalStatus, Role
from services import accounts, expenses, ledger, proposals, ratings, rounds, tally
from services.ballots import BallotChoice
from services.common import get_or_fail, id_of, record_audit
from services.permissions import Viewer
from services.proposals import LineItemInput, PledgeInput, ProposalDraft

__all__ = ["add_demo_indicators"]

RATINGS_2025 = ((5, "灯亮了，晚上下楼放心多了"), (4, ""), (3, "有两盏灯感应不灵"), (5, ""), (4, ""))
RATINGS_2026 = ((5, "晚上散步亮堂多了"), (4, ""), (4, ""), (5, "物业维护及时"))
WANYUAN_RESIDENTS = ("蒋文", "邹丽", "石磊", "龚静", "熊涛", "秦芳")
# (title, summary, category, [(line, category, quantity, unit yuan)], (pledge kind, who, yuan))
WANYUAN_SPECS = (
    (
        "御溪健身步道照明",
        "沿小区健身步道安装太阳能庭院灯10盏。",
        "safety",
        [("太阳能庭院灯", "public_facilities", 10, "1200"), ("安装人工", "services", 1, "2000")],
        ("property_manager", "万源城御溪物业", "2000"),
    ),
    (
        "儿童阅读角",
        "在小区活动室设立儿童阅读角，添置书架与图书。",
        "children",
        [("书架与图书", "children", 1, "8000")],
        ("residents", "御溪家长", "1000"),
    ),
    (
        "小区门口遮阳棚",
        "在小区主入口建设遮阳避雨棚。",
        "public_facilities",
        [("遮阳棚", "public_facilities", 1, "30000")],
        ("residents", "御溪居民", "3000"),
    ),
)
# Who supports which proposal (indexes into the residents), and each resident's ballot.
SUPPORTS = ((3, 0), (4, 0), (5, 0), (3, 1), (1, 1))
BALLOTS = ((0, 1), (0,), (0, 2), (1,), (0, 1), (2,))


def _slip(invoice: str) -> bytes:
    """A photo of the invoice, as the treasurer's phone sends it."""
    slip = Image.new("RGB", (240, 320), (250, 248, 240))
    ImageDraw.Draw(slip).text((16, 16), f"FAPIAO No. {invoice}", fill=(40, 40, 40))
    out = BytesIO()
    slip.save(out, "PNG")
    return out.getvalue()


def _person(
    session: Session,
    admin: Viewer,
    name: str,
    role: Role,
    place_id: int,
    position: CommitteePosition | None = None,
) -> Viewer:
    person = accounts.create_person(session, display_name=name, home_place_id=place_id)
    record_audit(session, admin, "add_person", person)
    session.commit()
    accounts.grant_role(
        session, admin, person_id=id_of(person), role=role, position=position, place_id=place_id
    )
    return accounts.viewer_for_person(session, id_of(person))


def _rate(
    session: Session, raters: list[Viewer], proposal_id: int, sheet: tuple[tuple[int, str], ...]
) -> None:
    for rater, (stars, comment) in zip(raters, sheet, strict=False):
        ratings.rate_project(session, rater, proposal_id=proposal_id, stars=stars, comment=comment)


def _wanyuan_round(
    session: Session, admin: Viewer, community: int, compound: int, fund_id: int
) -> None:
    chair, treasurer = (
        _person(session, admin, name, Role.COMMITTEE_MEMBER, community, position)
        for name, position in (
            ("邵华", CommitteePosition.CHAIR),
            ("孔洁", CommitteePosition.TREASURER),
        )
    )
    residents = [_person(session, admin, n, Role.RESIDENT, compound) for n in WANYUAN_RESIDENTS]
    round_id = rounds.create_round(
        session,
        chair,
        config=rounds.RoundSettings(
            name="万源社区2026年微基金项目",
            year=2026,
            fund_id=fund_id,
            place_id=community,
            budget="40000",
            rule="greedy",
        ),
    )
    for _ in range(2):  # needs, proposals
        rounds.advance_round(session, chair, round_id=round_id)
    ids = [
        proposals.submit_proposal(
            session,
            residents[index],
            draft=ProposalDraft(
                place_id=compound,
                round_id=round_id,
                title=title,
                summary=summary,
                category=category,
                line_items=[LineItemInput(*line) for line in lines],
                co_funding=[PledgeInput(*pledge, is_confirmed=True)],
                maintenance_plan="物业与居民志愿者共同维护",
                maintainer="万源城御溪物业",
                maintenance_years=3,
            ),
        )
        for index, (title, summary, category, lines, pledge) in enumerate(WANYUAN_SPECS)
    ]
    for supporter, proposal in SUPPORTS:
        proposals.support_proposal(session, residents[supporter], proposal_id=ids[proposal])
    rounds.advance_round(session, chair, round_id=round_id)  # eligibility
    for proposal_id in ids:
        proposals.change_proposal_status(
            session, chair, proposal_id=proposal_id, to_status=ProposalStatus.ELIGIBLE
        )
    for _ in range(2):  # deliberation, voting
        rounds.advance_round(session, chair, round_id=round_id)
    for voter, picks in zip(residents, BALLOTS, strict=True):
        ballot = BallotChoice(approvals=tuple(sorted(ids[p] for p in picks)))
        rounds.cast_ballot(session, voter, round_id=round_id, ballot=ballot)
    rounds.advance_round(session, chair, round_id=round_id)  # counting
    tally.publish_tally(
        session, chair, tally_id=tally.count_votes(session, chair, round_id=round_id)
    )
    rounds.advance_round(session, chair, round_id=round_id)  # implementation
    lights, corner = ids[0], ids[1]
    for proposal_id, amount in ((lights, "12000"), (corner, "7000")):
        ledger.allocate_to_proposal(
            session,
            treasurer,
            fund_id=fund_id,
            proposal_id=proposal_id,
            amount=amount,
            occurred_on=date(2026, 4, 1),
        )
        proposals.change_proposal_status(
            session, chair, proposal_id=proposal_id, to_status=ProposalStatus.IN_PROGRESS
        )
    ledger.record_donation(
        session,
        treasurer,
        fund_id=fund_id,
        amount="2000",
        donor="万源城御溪物业",
        purpose="健身步道照明配套资金",
        occurred_on=date(2026, 4, 8),
        proposal_id=lights,
        donor_kind="company",
    )
    ledger.record_donation(
        session,
        treasurer,
        fund_id=fund_id,
        amount="200",
        donor=residents[2].display_name,
        donor_person_id=residents[2].person_id,
        purpose="居民小额捐赠",
        occurred_on=date(2026, 4, 20),
        donor_kind="resident",
    )
    budgets = {b.proposal_id: b for b in expenses.budget_vs_actual(session, fund_id=fund_id)}
    for proposal_id, amount, invoice, payee in (
        (lights, "11500", "31002600004321", "上海光明照明有限公司"),
        (corner, "3000", "31002600008765", "上海书城闵行店"),
    ):
        request_id = expenses.request_payment(
            session,
            treasurer,
            fund_id=fund_id,
            proposal_id=proposal_id,
            line_item_id=budgets[proposal_id].lines[0].line_item_id,
            amount=amount,
            payee=payee,
            purpose=f"{budgets[proposal_id].title}：采购",
            invoice_number=invoice,
            occurred_on=date(2026, 6, 15),
            receipt_name=f"发票{invoice}.png",
            receipt_data=_slip(invoice),
        )
        expenses.approve_payment(session, chair, request_id=request_id)
    proposals.change_proposal_status(
        session, chair, proposal_id=lights, to_status=ProposalStatus.COMPLETED
    )
    proposals.change_proposal_status(
        session,
        chair,
        proposal_id=corner,
        to_status=ProposalStatus.ABANDONED,
        reason="活动室被收回另作他用，阅读角无处安放",
    )
    _rate(session, residents, lights, RATINGS_2026)


def add_demo_indicators(
    session: Session,
    *,
    admin: Viewer,
    raters_2025: list[Viewer],
    projects_2025: list[int],
    wanyuan: int,
    wanyuan_compound: int,
    wanyuan_fund: int,
) -> None:
    """``raters_2025``: residents of the compound of last year's finished project."""
    (finished,) = [
        pid
        for pid in projects_2025
        if get_or_fail(session, Proposal, pid).status == ProposalStatus.COMPLETED
    ]
    _rate(session, raters_2025, finished, RATINGS_2025)
    _wanyuan_round(session, admin, wanyuan, wanyuan_compound, wanyuan_fund)
