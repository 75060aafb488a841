"""A realistic demo street, loaded through the same service functions people use, so every
rule the app enforces (charters, phases, secret ballots, no overspend) also holds for the demo.

古美路街道 (a street of Minhang) with three communities; 平阳社区 has a finished 2025 round
(tallied, funded, one project completed, one under way, one abandoned) and a 2026 round
that is open for voting. Demo accounts share one password, shown on the welcome screen.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from demo.alliances import add_demo_alliance
from demo.allocation import add_demo_allocation
from demo.charters import add_charter_exception
from demo.deliberation import add_demo_meetings_and_reviews
from demo.donors import add_demo_donors
from demo.expenses import pay_2025_deliveries
from demo.indicators import add_demo_indicators
from demo.orders import add_demo_orders
from demo.points import add_demo_points
from models import BudgetRound
from models.vocabulary import CommitteePosition, PlaceKind, ProposalStatus, Role
from services import (
    accounts,
    ledger,
    needs,
    places,
    proposals,
    rounds,
    tally,
    voting_codes,
)
from services import (
    funds as fund_books,
)
from services.accounts import DEMO_PASSWORD
from services.ballots import BallotChoice
from services.common import get_or_fail, id_of, record_audit
from services.errors import NotAllowed
from services.paper import key_paper_sheet
from services.permissions import Viewer
from services.proposals import LineItemInput, PledgeInput, ProposalDraft
from services.settings import settings

RESIDENT_NAMES = tuple(
    [
        "王秀兰",
        "刘桂英",
        "陈建华",
        "杨丽",
        "黄志强",
        "赵淑珍",
        "周伟",
        "吴芳",
        "徐明",
        "孙秀英",
        "胡军",
        "朱玉兰",
        "高峰",
        "林静",
        "何伟",
        "郭红",
        "马丽",
        "罗斌",
        "梁敏",
        "宋涛",
        "郑霞",
        "谢勇",
        "韩梅",
        "唐杰",
        "冯雪",
        "于海",
        "董燕",
        "萧磊",
        "程琳",
        "曹刚",
        "袁萍",
        "邓超",
        "许娟",
        "傅强",
        "沈丽华",
        "曾明",
        "彭丹",
        "吕军",
        "苏敏",
        "卢涛",
        "蒋丽",
        "蔡华",
        "贾勇",
        "丁玲",
        "魏东",
        "薛芳",
        "叶林",
        "阎红",
        "余波",
        "潘婷",
    ]
)


@dataclass(frozen=True)
class DemoSummary:
    people: int
    proposals: int
    ballots: int


@dataclass
class _Street:
    admin: Viewer
    district: int
    street: int
    communities: dict[str, int]
    compounds: dict[str, int]


def _places(session: Session, admin: Viewer) -> _Street:
    district = places.create_place(
        session, admin, kind=PlaceKind.DISTRICT, name="闵行区", parent_id=None
    )
    street = places.create_place(
        session, admin, kind=PlaceKind.STREET, name="古美路街道", parent_id=district
    )
    layout = {
        "平阳社区": ("平阳一村", "平阳二村"),
        "古龙社区": ("古龙三村", "古龙五村"),
        "万源社区": ("万源城御溪",),
    }
    communities, compounds = {}, {}
    for community, its_compounds in layout.items():
        communities[community] = places.create_place(
            session, admin, kind=PlaceKind.COMMUNITY, name=community, parent_id=street
        )
        for index, compound in enumerate(its_compounds):
            compounds[compound] = places.create_place(
                session,
                admin,
                kind=PlaceKind.COMPOUND,
                name=compound,
                parent_id=communities[community],
                households=420 + 130 * index,
            )
    return _Street(admin, district, street, communities, compounds)


def _person(
    session: Session,
    admin: Viewer,
    name: str,
    role: Role,
    place_id: int,
    *,
    username: str | None = None,
    position: CommitteePosition | None = None,
) -> Viewer:
    person = accounts.create_person(
        session,
        display_name=name,
        username=username,
        password=DEMO_PASSWORD if username else None,
        home_place_id=place_id,
        allow_default_password=True,
    )
    record_audit(session, admin, "add_person", person)
    session.commit()
    person_id = id_of(person)
    accounts.grant_role(
        session, admin, person_id=person_id, role=role, position=position, place_id=place_id
    )
    return accounts.viewer_for_person(session, person_id)


def _proposal(
    session: Session,
    viewer: Viewer,
    place_id: int,
    round_id: int | None,
    title: str,
    summary: str,
    category: str,
    items: list[tuple[str, str, int, str]],
    pledge: tuple[str, str, str] | None,
    upkeep: str,
    need_id: int | None = None,
) -> int:
    return proposals.submit_proposal(
        session,
        viewer,
        draft=ProposalDraft(
            place_id=place_id,
            round_id=round_id,
            need_id=need_id,
            title=title,
            summary=summary,
            category=category,
            line_items=[LineItemInput(*item) for item in items],
            co_funding=[PledgeInput(pledge[0], pledge[1], pledge[2], is_confirmed=True)]
            if pledge
            else [],
            maintenance_plan=upkeep,
            maintainer="平阳一村物业服务中心",
            maintenance_years=3,
        ),
    )


def load_demo(session: Session) -> DemoSummary:
    """Only on an empty store (``create_first_admin`` refuses otherwise)."""
    if settings().environment != "development":
        raise NotAllowed("demo_needs_development")
    admin = accounts.create_first_admin(
        session,
        display_name="系统管理员",
        username="admin",
        password=DEMO_PASSWORD,
        allow_default_password=True,
    ).viewer
    street = _places(session, admin)
    pingyang = street.communities["平阳社区"]
    compound_1, compound_2 = street.compounds["平阳一村"], street.compounds["平阳二村"]
    chair = _person(
        session,
        admin,
        "李建国",
        Role.COMMITTEE_MEMBER,
        pingyang,
        username="chair",
        position=CommitteePosition.CHAIR,
    )
    secretary = _person(
        session,
        admin,
        "张敏",
        Role.COMMITTEE_MEMBER,
        pingyang,
        username="secretary",
        position=CommitteePosition.SECRETARY,
    )
    treasurer = _person(
        session,
        admin,
        "陈静",
        Role.COMMITTEE_MEMBER,
        pingyang,
        username="treasurer",
        position=CommitteePosition.TREASURER,
    )
    clerk = _person(session, admin, "刘洋", Role.CLERK, pingyang, username="clerk")
    # Paper ballots are keyed twice, by two clerks (services.paper).
    clerks = (clerk, _person(session, admin, "王丽", Role.CLERK, pingyang, username="clerk2"))
    reviewer = _person(session, admin, "赵磊", Role.REVIEWER, street.street, username="reviewer")
    # The street's review panel has two: the year-end session needs more than one opinion.
    reviewer2 = _person(
        session, admin, "林晓梅", Role.REVIEWER, street.street, username="reviewer2"
    )
    district_treasurer = _person(
        session,
        admin,
        "黄伟",
        Role.COMMITTEE_MEMBER,
        street.district,
        position=CommitteePosition.TREASURER,
    )
    members = [
        _person(
            session, admin, name, Role.COMMITTEE_MEMBER, pingyang, position=CommitteePosition.MEMBER
        )
        for name in ("周红", "吴强", "孙丽", "马军", "胡芳")
    ]
    guolong_chair = _person(
        session,
        admin,
        "钱文",
        Role.COMMITTEE_MEMBER,
        street.communities["古龙社区"],
        position=CommitteePosition.CHAIR,
    )
    resident = _person(
        session, admin, RESIDENT_NAMES[0], Role.RESIDENT, compound_1, username="resident"
    )
    voters = [resident] + [
        _person(session, admin, name, Role.RESIDENT, compound_1 if i % 3 else compound_2)
        for i, name in enumerate(RESIDENT_NAMES[1:], start=1)
    ]

    funds = _funds(session, admin, street, district_treasurer)
    pingyang_fund = funds["平阳社区微基金"]
    _money(session, treasurer, clerk, pingyang_fund, voters)

    homes = [compound_2 if i % 3 == 0 and i else compound_1 for i in range(len(voters))]
    residents = {
        place: [v for v, home in zip(voters, homes, strict=True) if home == place]
        for place in (compound_1, compound_2)
    }
    need_ids = _needs(session, residents, compound_1, compound_2)
    last_year = _round_2025(
        session,
        chair,
        treasurer,
        clerks,
        voters,
        residents,
        pingyang,
        pingyang_fund,
        compound_1,
        compound_2,
        need_ids,
    )
    pay_2025_deliveries(session, treasurer, chair, pingyang_fund, last_year.selected)
    ballots = _round_2026(
        session, chair, voters, residents, pingyang, pingyang_fund, compound_1, compound_2, need_ids
    )
    _paper_under_way(session, clerks, "平阳社区2026年微基金项目")
    ballots += last_year.ballots
    voting_codes.register_households(
        session,
        clerk,
        compound_id=compound_2,
        labels="\n".join(
            f"{building}-{unit}-{floor}0{room}"
            for building in (1, 2, 3)
            for unit in (1, 2)
            for floor in range(1, 7)
            for room in (1, 2)
        ),
    )
    guolong_round = rounds.create_round(
        session,
        admin,
        config=rounds.RoundSettings(
            name="古龙社区2026年微基金项目",
            year=2026,
            fund_id=funds["古龙社区微基金"],
            place_id=street.communities["古龙社区"],
            budget="80000",
            rule="greedy",
        ),
    )
    rounds.advance_round(session, guolong_chair, round_id=guolong_round)
    add_demo_meetings_and_reviews(
        session,
        chair=chair,
        secretary=secretary,
        reviewers=(reviewer, reviewer2),
        member_ids=[v.person_id for v in (chair, secretary, treasurer, clerk, *members)],  # type: ignore[misc]
        community_id=pingyang,
        street_id=street.street,
        proposal_ids=last_year.selected,
    )
    add_charter_exception(
        session,
        admin=admin,
        chair=chair,
        treasurer=treasurer,
        fund_id=pingyang_fund,
        proposal_id=last_year.selected[1],
    )
    ledger.record_contribution(
        session,
        clerk,
        fund_id=pingyang_fund,
        kind="labour",
        contributor="平阳一村志愿者服务队",
        description="共享工具屋搭建与日常值守",
        estimated_value="3600",
        hours=120,
        occurred_on=date(2025, 9, 20),
        proposal_id=last_year.selected[0],
    )
    ledger.record_contribution(
        session,
        clerk,
        fund_id=pingyang_fund,
        kind="services",
        contributor="退休理发师 周师傅",
        description="5元爱心理发，收入全部进入社区基金",
        estimated_value="1500",
        occurred_on=date(2026, 4, 12),
    )
    ledger.record_contribution(
        session,
        clerk,
        fund_id=pingyang_fund,
        kind="resources",
        contributor="平阳一村物业服务中心",
        description="提供闲置门卫室作为工具屋场地",
        estimated_value="6000",
        occurred_on=date(2025, 8, 1),
    )
    add_demo_points(session, chair, clerk, voters, pingyang, pingyang_fund)
    add_demo_orders(session, admin, chair, clerk, residents[compound_1], compound_1, street.street)
    add_demo_donors(
        session,
        chair=chair,
        treasurer=treasurer,
        clerk=clerk,
        fund_id=pingyang_fund,
        compound_id=compound_1,
        voters=voters,
        projects=last_year.selected,
    )
    add_demo_alliance(session, admin, street.communities, funds, (chair, guolong_chair))
    add_demo_indicators(
        session,
        admin=admin,
        raters_2025=residents[compound_1][1:6],
        projects_2025=last_year.selected,
        wanyuan=street.communities["万源社区"],
        wanyuan_compound=street.compounds["万源城御溪"],
        wanyuan_fund=funds["万源社区微基金"],
    )
    add_demo_allocation(
        session, admin, reviewer, street.street, street.communities, street.compounds
    )
    return DemoSummary(
        people=len(voters) + 13, proposals=len(proposals.list_proposals(session)), ballots=ballots
    )


def _funds(
    session: Session, admin: Viewer, street: _Street, district_treasurer: Viewer
) -> dict[str, int]:
    mother = fund_books.create_fund(
        session, admin, name="闵行区社区自治母基金", kind="mother", place_id=street.district
    )
    street_fund = fund_books.create_fund(
        session,
        admin,
        name="古美路街道自治金",
        kind="street",
        place_id=street.street,
        parent_id=mother,
    )
    funds = {"闵行区社区自治母基金": mother, "古美路街道自治金": street_fund}
    for community, place_id in street.communities.items():
        funds[f"{community[:2]}社区微基金"] = fund_books.create_fund(
            session,
            admin,
            name=f"{community[:2]}社区微基金",
            kind="community",
            place_id=place_id,
            parent_id=street_fund,
        )
    fund_books.adopt_charter(
        session,
        admin,
        fund_id=funds["平阳社区微基金"],
        adopted_on=date(2025, 1, 10),
        allowed_categories=[],
        forbidden_categories=[
            "building_materials",
            "construction_works",
            "entertainment",
            "charity_handout",
        ],
        per_project_cap="20000",
        per_community_year_cap="90000",
        min_co_funding_permille=100,
        text="本基金用于平阳社区居民自治项目。不得购买水泥、黄沙等建筑材料，不得用于工程建设，不得用于纯娱乐活动及慈善发放（如志愿者礼品、奖品）。单个项目资助不超过2万元，每年不超过9万元；项目须有不低于总成本10%的配套资金和维护方案。钱从小区来，就用在小区里。",
    )
    ledger.record_donation(
        session,
        district_treasurer,
        fund_id=mother,
        amount="1000000",
        donor="闵行区财政局",
        purpose="2025年度社区自治金",
        occurred_on=date(2025, 1, 6),
        kind="grant",
    )
    ledger.transfer_between_funds(
        session,
        district_treasurer,
        source_fund_id=mother,
        destination_fund_id=street_fund,
        amount="300000",
        purpose="古美路街道2025年自治金",
        occurred_on=date(2025, 1, 15),
    )
    for community, amount in (("平阳", "90000"), ("古龙", "80000"), ("万源", "60000")):
        ledger.transfer_between_funds(
            session,
            district_treasurer,
            source_fund_id=street_fund,
            destination_fund_id=funds[f"{community}社区微基金"],
            amount=amount,
            purpose=f"{community}社区2025年自治金",
            occurred_on=date(2025, 2, 1),
        )
    return funds


def _money(
    session: Session, treasurer: Viewer, clerk: Viewer, fund_id: int, voters: list[Viewer]
) -> None:
    donate = ledger.record_donation
    donate(
        session,
        treasurer,
        fund_id=fund_id,
        amount="20000",
        donor="中国银行古美支行（共建单位）",
        purpose="共建单位认捐",
        donor_kind="co_building_unit",
        occurred_on=date(2025, 3, 5),
    )
    donate(
        session,
        treasurer,
        fund_id=fund_id,
        amount="30000",
        donor="闵行区慈善基金会古美分会",
        purpose="社区微基金配捐",
        donor_kind="charity",
        occurred_on=date(2025, 3, 12),
    )
    donate(
        session,
        treasurer,
        fund_id=fund_id,
        amount="5000",
        donor="平阳一村居民（匿名）",
        purpose="支持社区助老",
        donor_kind="resident",
        occurred_on=date(2025, 4, 2),
        is_anonymous=True,
    )
    for index, voter in enumerate(voters[:32]):
        donate(
            session,
            clerk,
            fund_id=fund_id,
            amount="100" if index % 3 == 0 else "50",
            donor=voter.display_name,
            donor_person_id=voter.person_id,
            purpose="居民小额捐赠",
            donor_kind="resident",
            occurred_on=date(2025, 4, 10 + index % 15),
        )
    donate(
        session,
        treasurer,
        fund_id=fund_id,
        amount="12000",
        donor="平阳一村停车管理",
        purpose="阶梯停车费收入",
        occurred_on=date(2025, 6, 30),
        kind="revenue",
    )
    donate(
        session,
        treasurer,
        fund_id=fund_id,
        amount="8000",
        donor="集装箱便民商铺",
        purpose="闲置场地租金",
        occurred_on=date(2025, 12, 31),
        kind="revenue",
    )


NEEDS = (
    (
        "楼道晚上太黑，老人上下楼不安全",
        "平阳一村3号楼到8号楼的楼道灯坏了很久，希望换成声控灯。",
        "safety",
        0,
        14,
    ),
    ("老年助餐点需要更多桌椅", "中午排队吃饭的老人常常没有地方坐。", "elderly_care", 0, 11),
    ("电动车充电不方便，飞线充电危险", "希望建一个集中充电棚，杜绝飞线充电。", "safety", 1, 19),
    ("孩子们缺少安全的游玩场地", "小区游乐区地面是水泥的，孩子摔倒容易受伤。", "children", 1, 9),
    ("希望有个可以借工具的地方", "修东西时常常缺工具，邻里之间可以共享。", "services", 0, 6),
    ("垃圾分类投放点气味大", "夏天垃圾房异味严重，希望改善通风和清洗。", "environment", 1, 12),
    ("小区里想多一些绿色", "楼前空地可以种花草，居民愿意认养。", "greening", 0, 8),
    ("旧自行车占用车棚", "僵尸自行车太多，希望清理。", "environment", 1, 4),
)


def _needs(
    session: Session, residents: dict[int, list[Viewer]], compound_1: int, compound_2: int
) -> list[int]:
    """Residents support needs of their own compound (the scope a resident grant gives)."""
    need_ids = []
    for title, description, category, compound, supporters in NEEDS:
        place_id = (compound_1, compound_2)[compound]
        neighbours = residents[place_id]
        need_id = needs.post_need(
            session,
            neighbours[0],
            place_id=place_id,
            title=title,
            description=description,
            category=category,
        )
        for voter in neighbours[1 : 1 + supporters]:
            needs.support_need(session, voter, need_id=need_id)
        need_ids.append(need_id)
    return need_ids


def _advance_to(session: Session, chair: Viewer, round_id: int, phase: str) -> None:
    current = get_or_fail(session, BudgetRound, round_id).phase
    while current != phase:
        current = rounds.advance_round(session, chair, round_id=round_id)


def _cast(
    session: Session,
    round_id: int,
    voters: list[Viewer],
    on_ballot: list[int],
    weights: list[int],
    seed: int,
    clerks: tuple[Viewer, Viewer] | None = None,
    paper: int = 0,
) -> int:
    chooser = random.Random(seed)
    cast = 0
    for voter in voters:
        picks = sorted(set(chooser.choices(on_ballot, weights=weights, k=chooser.randint(1, 3))))
        rounds.cast_ballot(
            session, voter, round_id=round_id, ballot=BallotChoice(approvals=tuple(picks))
        )
        cast += 1
    for sheet in range(1, paper + 1):
        picks = sorted(set(chooser.choices(on_ballot, weights=weights, k=chooser.randint(1, 3))))
        if clerks is None:
            raise ValueError("paper ballots need two clerks to key them")
        for clerk in clerks:  # two readings that agree: the sheet is a ballot
            key_paper_sheet(
                session,
                clerk,
                round_id=round_id,
                sheet_number=f"PY-{seed}-{sheet:03d}",
                ballot=BallotChoice(approvals=tuple(picks)),
            )
        cast += 1
    return cast


def _paper_under_way(session: Session, clerks: tuple[Viewer, Viewer], round_name: str) -> None:
    """Paper sheets of the open vote still being keyed: one keyed once by the second clerk
    (the demo's ``clerk`` can key it again), one the two clerks read differently (waiting for a
    third look, by the chair for instance). Neither is a ballot."""
    (round_id,) = [r.id for r in rounds.list_rounds(session) if r.name == round_name]
    on_ballot = sorted(
        p.id
        for p in proposals.list_proposals(
            session, round_id=round_id, statuses=(ProposalStatus.ON_BALLOT,)
        )
    )
    first, second = clerks
    readings = (
        (second, "PY-2026-001", on_ballot[:2]),
        (first, "PY-2026-002", on_ballot[:2]),
        (second, "PY-2026-002", [on_ballot[0], on_ballot[2]]),
    )
    for clerk, sheet, approvals in readings:
        key_paper_sheet(
            session,
            clerk,
            round_id=round_id,
            sheet_number=sheet,
            ballot=BallotChoice(approvals=tuple(approvals)),
        )


@dataclass(frozen=True)
class LastRound:
    """The finished 2025 round: later parts of the demo review and fund what it selected."""

    round_id: int
    selected: list[int]
    ballots: int


def _round_with_proposals(
    session: Session,
    chair: Viewer,
    residents: dict[int, list[Viewer]],
    fund_id: int,
    community: int,
    *,
    year: int,
    budget: str,
    specs: Sequence[tuple[Any, ...]],
    first_proposer: int,
) -> tuple[int, list[int]]:
    """A Pingyang round opened for proposals, each spec submitted by a resident of its compound."""
    round_id = rounds.create_round(
        session,
        chair,
        config=rounds.RoundSettings(
            name=f"平阳社区{year}年微基金项目",
            year=year,
            fund_id=fund_id,
            place_id=community,
            budget=budget,
            rule="mes+greedy",
            max_length=3,
        ),
    )
    _advance_to(session, chair, round_id, "proposals")
    ids = [
        _proposal(session, residents[spec[0]][first_proposer + i], spec[0], round_id, *spec[1:])
        for i, spec in enumerate(specs)
    ]
    return round_id, ids


def _round_2025(
    session: Session,
    chair: Viewer,
    treasurer: Viewer,
    clerks: tuple[Viewer, Viewer],
    voters: list[Viewer],
    residents: dict[int, list[Viewer]],
    community: int,
    fund_id: int,
    compound_1: int,
    compound_2: int,
    need_ids: list[int],
) -> LastRound:
    specs = [
        (
            compound_1,
            "楼道声控灯改造",
            "为平阳一村3-8号楼更换声控LED楼道灯共48盏，解决老人夜间上下楼安全问题。",
            "safety",
            [("声控LED灯具", "public_facilities", 48, "220"), ("安装人工", "services", 1, "4800")],
            ("property_manager", "平阳一村物业服务中心", "3000"),
            "物业每月巡检，灯具保修三年",
            need_ids[0],
        ),
        (
            compound_1,
            "老年助餐点桌椅更新",
            "为社区助餐点添置适老桌椅20套。",
            "elderly_care",
            [("适老桌椅", "elderly_care", 20, "780")],
            ("residents", "助餐点老人自筹", "1600"),
            "助餐点志愿者日常维护",
            need_ids[1],
        ),
        (
            compound_2,
            "垂直绿化墙",
            "在平阳二村主入口建设垂直绿化墙，美化环境。",
            "greening",
            [("模块化绿墙系统", "greening", 1, "16000"), ("滴灌设备", "greening", 1, "3500")],
            ("co_building_unit", "中国银行古美支行", "2000"),
            "居民认养，园艺社团定期养护",
            None,
        ),
        (
            compound_2,
            "儿童游乐区软地垫",
            "为平阳二村儿童游乐区铺设安全软地垫120平方米。",
            "children",
            [("EPDM安全地垫（平方米）", "children", 120, "180")],
            ("property_manager", "平阳二村业委会", "3600"),
            "业委会每年检查一次",
            need_ids[3],
        ),
        (
            compound_1,
            "社区共享工具屋",
            "利用闲置门卫室设立共享工具屋，志愿者值守，居民免费借用。",
            "services",
            [("工具套装与货架", "services", 1, "7200"), ("借用登记系统", "services", 1, "1800")],
            ("residents", "平阳一村居民众筹", "1000"),
            "志愿者服务队轮流值守",
            need_ids[4],
        ),
    ]
    round_id, ids = _round_with_proposals(
        session,
        chair,
        residents,
        fund_id,
        community,
        year=2025,
        budget="60000",
        specs=specs,
        first_proposer=0,
    )
    _advance_to(session, chair, round_id, "eligibility")
    for proposal_id in ids:
        proposals.change_proposal_status(
            session, chair, proposal_id=proposal_id, to_status=ProposalStatus.ELIGIBLE
        )
    _advance_to(session, chair, round_id, "voting")
    ballots = _cast(
        session, round_id, voters, ids, [9, 7, 5, 6, 4], seed=2025, clerks=clerks, paper=12
    )
    rounds.advance_round(session, chair, round_id=round_id)  # voting closes
    tally_id = tally.count_votes(session, chair, round_id=round_id)
    tally.publish_tally(session, chair, tally_id=tally_id)
    _advance_to(session, chair, round_id, "implementation")
    by_id = {p.id: p for p in proposals.list_proposals(session, round_id=round_id)}
    selected = [p.id for p in by_id.values() if p.status == ProposalStatus.SELECTED]
    for proposal_id in selected:
        requested = by_id[proposal_id].requested_fen
        ledger.allocate_to_proposal(
            session,
            treasurer,
            fund_id=fund_id,
            proposal_id=proposal_id,
            amount=f"{requested // 100}.{requested % 100:02d}",
            occurred_on=date(2025, 7, 1),
        )
    return LastRound(round_id, selected, ballots)


def _round_2026(
    session: Session,
    chair: Viewer,
    voters: list[Viewer],
    residents: dict[int, list[Viewer]],
    community: int,
    fund_id: int,
    compound_1: int,
    compound_2: int,
    need_ids: list[int],
) -> int:
    specs = [
        (
            compound_2,
            "电动车集中充电棚",
            "在平阳二村建设可容纳40辆电动车的充电棚，配智能断电插座。",
            "safety",
            [
                ("充电桩（10路）", "safety", 4, "3200"),
                ("雨棚与安装", "public_facilities", 1, "9800"),
            ],
            ("property_manager", "平阳二村物业", "4000"),
            "物业负责日常维护与电费结算",
            need_ids[2],
        ),
        (
            compound_2,
            "垃圾房通风除臭改造",
            "加装排风扇与自动喷淋除臭装置，每周清洗。",
            "environment",
            [("排风与喷淋设备", "environment", 2, "4500")],
            ("residents", "平阳二村居民", "1000"),
            "保洁公司每周清洗",
            need_ids[5],
        ),
        (
            compound_1,
            "楼前花园居民认养",
            "楼前空地改造为居民认养花园，提供花苗和工具。",
            "greening",
            [("花苗与土壤", "greening", 1, "6000"), ("园艺工具", "greening", 1, "1200")],
            ("residents", "认养家庭", "800"),
            "认养家庭负责浇水除草",
            need_ids[6],
        ),
        (
            compound_1,
            "老年人智能手机课堂",
            "每月两次课，社工与大学生志愿者教老人用手机挂号、支付。",
            "elderly_care",
            [("课程材料", "services", 24, "150"), ("志愿者交通补贴", "services", 24, "100")],
            ("co_building_unit", "中国电信古美营业厅", "1200"),
            "社工站持续组织",
            None,
        ),
        (
            compound_2,
            "社区中秋文艺晚会",
            "举办中秋晚会，含演出与抽奖。",
            "culture",
            [("舞台与音响", "culture", 1, "8000"), ("奖品", "culture", 1, "3000")],
            ("residents", "居民", "1500"),
            "一次性活动",
            None,
        ),
        (
            compound_1,
            "僵尸自行车清理",
            "清理车棚内长期无人使用的自行车。",
            "environment",
            [("清运费", "services", 1, "1500")],
            ("property_manager", "物业", "300"),
            "物业每半年清理一次",
            need_ids[7],
        ),
    ]
    round_id, ids = _round_with_proposals(
        session,
        chair,
        residents,
        fund_id,
        community,
        year=2026,
        budget="90000",
        specs=specs,
        first_proposer=2,
    )
    for offset, proposal_id in enumerate(ids[:4]):
        place = specs[offset][0]
        for neighbour in residents[place][8 + offset : 14 + 2 * offset]:
            proposals.support_proposal(session, neighbour, proposal_id=proposal_id)
    _advance_to(session, chair, round_id, "eligibility")
    for proposal_id in ids[:4]:
        proposals.change_proposal_status(
            session, chair, proposal_id=proposal_id, to_status=ProposalStatus.ELIGIBLE
        )
    proposals.change_proposal_status(
        session,
        chair,
        proposal_id=ids[4],
        to_status=ProposalStatus.INELIGIBLE,
        reason="抽奖与奖品属于章程禁止的纯娱乐和奖品支出",
    )
    proposals.change_proposal_status(
        session,
        residents[compound_1][7],
        proposal_id=ids[5],
        to_status=ProposalStatus.WITHDRAWN,
        reason="物业已承诺自行清理",
    )
    _advance_to(session, chair, round_id, "voting")
    return _cast(session, round_id, voters[1:25], ids[:4], [8, 6, 5, 7], seed=2026)
