"""Demo content for deliberation: a committee meeting held and minuted, the next one scheduled,
and the street's review sessions, all made through the ordinary service functions (so the demo
also exercises the permission checks and leaves an audit trail like real use would).

Review sessions (both chaired by the first reviewer, 赵磊, with 林晓梅 as second reviewer):

- Last year's, closed: both reviewers scored each funded project of the demo street (sheets of
  5 criteria: goal, participation, upkeep, books, satisfaction; the sheets go round in the order
  of the projects). Overall = the mean of a reviewer's five scores; spread = population
  standard deviation.

  ==============  ===============  ===============  ====================================
  project         赵磊 (overall)   林晓梅 (overall)  aggregate
  ==============  ===============  ===============  ====================================
  楼道声控灯改造  5 4 4 5 5 (4.6)  4 4 3 5 4 (4.0)  overall 4.3, 4.0–4.6, sd 0.3; goal
                                                    4.5, participation 4.0, upkeep 3.5,
                                                    books 5.0, satisfaction 4.5;
                                                    no outlier (0.6 apart)
  老年助餐点桌椅  4 3 3 4 4 (3.6)  4 4 3 4 3 (3.6)  overall 3.6, 3.6–3.6, sd 0.0;
  更新                                              participation 3.5, satisfaction 3.5;
                                                    no outlier
  垂直绿化墙      2 2 1 3 2 (2.0)  4 3 3 4 4 (3.6)  overall 2.8, 2.0–3.6, sd 0.8; goal
                                                    3.0 (sd 1.0), upkeep 2.0 (sd 1.0);
                                                    2 outliers (1.6 apart, over 1.5)
  社区共享工具屋  as 楼道声控灯改造 (the sheets come round again)
  ==============  ===============  ===============  ====================================

- This year's, open: both reviewers assigned, the chair has put the first project
  (楼道声控灯改造) on the wall, and nobody has scored yet (0 of 2), so each reviewer has the
  current project to score.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models import Proposal
from models.vocabulary import DecisionOutcome, ProposalStatus
from services.common import get_or_fail, place_tree
from services.meetings import (
    add_agenda_item,
    close_meeting,
    next_agenda_item,
    publish_minutes,
    record_attendance,
    record_decision,
    schedule_meeting,
    start_meeting,
    take_note,
)
from services.permissions import Viewer
from services.reviews import (
    REVIEWED_STATUSES,
    close_review_session,
    next_review_project,
    open_review_session,
    score_project,
)

__all__ = ["add_demo_meetings_and_reviews"]

LOCAL = ZoneInfo("Asia/Shanghai")
# The demo's story is fixed in time, as its rounds are (the 2025 round is finished, the 2026
# ones are running): last year's review is 2025's, this year's is 2026's, whenever it is loaded.
REVIEW_YEARS = (2025, 2026)
CAPACITIES = (
    "议事会主任",
    "议事会秘书",
    "居民代表（3号楼楼组长）",
    "共建单位代表（物业服务中心）",
    "党员代表",
    "居民代表（老年协会）",
    "共建单位代表（社区卫生服务站）",
    "居民代表（流动人口）",
    "社工（社会组织）",
)
LAMP_NOTES = (
    "居民代表反映：{title}涉及的楼道夜间照明不足，去年冬天有两位老人在楼梯转角摔倒。",
    "关于灯具型号：物业建议选用 LED 声光控感应灯（5W），比原方案的常亮灯每年节省电费约六成；"
    "党员代表提出部分老人反映声控灯反应慢，议定试装人体红外感应款。",
    "关于安装位置：经现场踏勘，每个楼层转角各装一盏，单元门口加装一盏带防水罩的；"
    "5号楼一楼因紧邻住户卧室窗户，位置南移 1.5 米，已征得该户同意。",
    "维护安排：物业服务中心承诺保修三年，灯具损坏 48 小时内更换，费用从物业公共收益中列支。",
)
GENERIC_NOTES = (
    "提案人介绍了{title}的背景和预算，共建单位代表表示愿意提供配套资金。",
    "与会人员就实施方案逐项讨论，建议在公示栏和居民群同步公示预算明细和每一笔支出。",
    "老年协会代表提出须兼顾老年居民的使用习惯，提案人同意在实施前再开一次居民征询会。",
)
CLOSING_NOTES = ("主任小结：本次会议形成决议如上，会议纪要经秘书整理后在公示栏公布，公示期七天。",)
DECISION_TEXTS = {
    DecisionOutcome.APPROVED: "同意{title}实施方案，由秘书跟进采购比价，每笔支出凭发票入账公示。",
    DecisionOutcome.AMENDED: "原则同意{title}实施方案，删除预算中的宣传品费用，其余按方案执行。",
    DecisionOutcome.DEFERRED: "{title}暂缓决定，请提案人补充维护方案和居民出资意向后再议。",
}
REVIEW_SHEETS = (
    (
        {
            "goal_met": 5,
            "participation": 4,
            "maintenance": 4,
            "books_complete": 5,
            "satisfaction": 5,
        },
        "continue",
        False,
        "项目目标基本达成，居民出资出力积极，账目清楚、发票齐全；建议明年继续支持并推广到其他小区。",
    ),
    (
        {
            "goal_met": 4,
            "participation": 3,
            "maintenance": 3,
            "books_complete": 4,
            "satisfaction": 4,
        },
        "continue_with_changes",
        False,
        "实施效果较好，但居民参与主要集中在少数楼组，后续维护责任人需要在协议中写明。",
    ),
    (
        {
            "goal_met": 2,
            "participation": 2,
            "maintenance": 1,
            "books_complete": 3,
            "satisfaction": 2,
        },
        "continue_with_changes",
        True,
        "项目后期偏离原定目标，变成了一次性活动；维护方案未落实，存在烂尾风险，建议整改后再议。",
    ),
)


# The second reviewer's sheets, project by project: close to the first's on the first two, far
# from them on the third (an outlier pair, see the module's table).
SECOND_SHEETS = (
    (
        {
            "goal_met": 4,
            "participation": 4,
            "maintenance": 3,
            "books_complete": 5,
            "satisfaction": 4,
        },
        "continue",
        False,
        "效果明显，维护安排可以再细化到具体责任人。",
    ),
    (
        {
            "goal_met": 4,
            "participation": 4,
            "maintenance": 3,
            "books_complete": 4,
            "satisfaction": 3,
        },
        "continue",
        False,
        "参与的楼组比去年多，满意度调查样本偏少。",
    ),
    (
        {
            "goal_met": 4,
            "participation": 3,
            "maintenance": 3,
            "books_complete": 4,
            "satisfaction": 4,
        },
        "continue_with_changes",
        False,
        "活动本身受欢迎，但需要一份长期的维护和使用方案。",
    ),
)


def _at(days_from_today: int, hour: int = 19) -> datetime:
    return datetime.combine(
        datetime.now(LOCAL).date() + timedelta(days=days_from_today), time(hour), tzinfo=LOCAL
    )


def _notes_for(title: str) -> tuple[str, ...]:
    lamp = any(word in title for word in ("灯", "照明", "亮"))
    return tuple(note.format(title=title) for note in (LAMP_NOTES if lamp else GENERIC_NOTES))


def _held_meeting(
    session: Session,
    chair: Viewer,
    secretary: Viewer,
    member_ids: list[int],
    community_id: int,
    proposals: list[Proposal],
) -> None:
    meeting_id = schedule_meeting(
        session,
        chair,
        place_id=community_id,
        title="社区微基金议事会（第三次）：项目实施方案审议",
        scheduled_at=_at(-18),
        location="社区党群服务中心二楼会议室",
        secretary_id=secretary.person_id,
    )
    items = []
    for proposal in proposals:
        item_id = add_agenda_item(
            session,
            chair,
            meeting_id=meeting_id,
            title=f"审议实施方案：{proposal.title}",
            proposal_id=proposal.id,
            minutes_allotted=30,
        )
        items.append((item_id, proposal))
    other_item = add_agenda_item(
        session,
        chair,
        meeting_id=meeting_id,
        title="其他事项：微基金上季度收支公示",
        minutes_allotted=10,
    )
    start_meeting(session, chair, meeting_id=meeting_id)
    people = list(dict.fromkeys(member_ids))[:9]
    for index, person_id in enumerate(people):
        record_attendance(
            session,
            secretary,
            meeting_id=meeting_id,
            person_id=person_id,
            capacity=CAPACITIES[index % len(CAPACITIES)],
            # With a full committee one member sends apologies (请假), as usually happens.
            present=not (len(people) >= 8 and index == len(people) - 1),
        )
    present = len(people) - (1 if len(people) >= 8 else 0)
    outcomes = (DecisionOutcome.APPROVED, DecisionOutcome.AMENDED)
    current: int | None = None
    for index, (item_id, proposal) in enumerate(items):
        current = next_agenda_item(session, chair, meeting_id=meeting_id, from_item_id=current)
        for body in _notes_for(proposal.title):
            take_note(session, secretary, meeting_id=meeting_id, body=body, agenda_item_id=item_id)
        # A project not yet selected cannot be implemented: its plan waits for the vote.
        funded = proposal.status in REVIEWED_STATUSES
        outcome = outcomes[index % len(outcomes)] if funded else DecisionOutcome.DEFERRED
        against = index % 2
        abstaining = 1 if present > 2 else 0
        votes_for = max(present - against - abstaining, 0)
        if outcome is DecisionOutcome.DEFERRED:
            votes_for, against = max(present - 3, 0), min(2, present)
        record_decision(
            session,
            secretary,
            meeting_id=meeting_id,
            agenda_item_id=item_id,
            proposal_id=proposal.id,
            outcome=outcome,
            text=DECISION_TEXTS[outcome].format(title=proposal.title),
            votes_for=votes_for,
            votes_against=against,
            abstentions=abstaining,
        )
    next_agenda_item(session, chair, meeting_id=meeting_id, from_item_id=current)
    take_note(
        session,
        secretary,
        meeting_id=meeting_id,
        agenda_item_id=other_item,
        body="财务委员通报上季度微基金收入 3.2 万元（居民捐赠 1.1 万元、共建单位 2.1 万元），"
        "支出 1.8 万元，明细已在公示栏张贴，与会人员无异议。",
    )
    for body in CLOSING_NOTES:
        take_note(session, secretary, meeting_id=meeting_id, body=body)
    close_meeting(session, chair, meeting_id=meeting_id)
    publish_minutes(session, secretary, meeting_id=meeting_id)


def _next_meeting(
    session: Session, chair: Viewer, community_id: int, proposals: list[Proposal]
) -> None:
    meeting_id = schedule_meeting(
        session,
        chair,
        place_id=community_id,
        title="社区微基金议事会（第四次）：项目实施进度",
        scheduled_at=_at(10),
        location="社区党群服务中心二楼会议室",
    )
    for proposal in proposals[:2]:
        add_agenda_item(
            session,
            chair,
            meeting_id=meeting_id,
            title=f"听取实施进度汇报：{proposal.title}",
            proposal_id=proposal.id,
            minutes_allotted=20,
        )
    for title in ("讨论居民新提出的需求（群众点单）", "确定下半年居民捐赠公示时间"):
        add_agenda_item(session, chair, meeting_id=meeting_id, title=title, minutes_allotted=15)


def _reviews(
    session: Session,
    reviewers: tuple[Viewer, Viewer],
    street_id: int,
    proposals: list[Proposal],
    years: tuple[int, int],
) -> None:
    chair, second = reviewers
    roster = [r.person_id for r in reviewers if r.person_id is not None]
    last_year, this_year = years
    session_id = open_review_session(
        session,
        chair,
        street_id=street_id,
        year=last_year,
        title=f"{last_year}年度社区微基金项目年底评审会",
        held_on=date(last_year, 12, 18),
        reviewer_ids=roster,
    )
    current: int | None = None
    funded = [p for p in proposals if p.status in REVIEWED_STATUSES]
    for index, proposal in enumerate(funded):
        current = next_review_project(
            session, chair, session_id=session_id, from_proposal_id=current
        )
        for reviewer, sheets in ((chair, REVIEW_SHEETS), (second, SECOND_SHEETS)):
            scores, recommendation, drift, comment = sheets[index % len(sheets)]
            score_project(
                session,
                reviewer,
                session_id=session_id,
                proposal_id=proposal.id,  # type: ignore[arg-type]
                scores=scores,
                recommendation=recommendation,
                goal_drift=drift,
                comment=comment,
            )
    close_review_session(session, chair, session_id=session_id)
    session_id = open_review_session(
        session,
        chair,
        street_id=street_id,
        year=this_year,
        title=f"{this_year}年度社区微基金项目年底评审会",
        held_on=date(this_year, 12, 18),
        reviewer_ids=roster,
    )
    next_review_project(session, chair, session_id=session_id, from_proposal_id=None)


def add_demo_meetings_and_reviews(
    session: Session,
    *,
    chair: Viewer,
    secretary: Viewer,
    reviewers: tuple[Viewer, Viewer],
    member_ids: list[int],
    community_id: int,
    street_id: int,
    proposal_ids: list[int],
    review_years: tuple[int, int] = REVIEW_YEARS,
) -> None:
    """A held and published committee meeting on the given proposals (7-9 attendees from
    ``member_ids``), the next meeting scheduled, last year's closed review session in which both
    ``reviewers`` scored those of the proposals that were selected or got further, and this
    year's session open on its first project, chaired by the first reviewer."""
    tree = place_tree(session)
    proposals = [get_or_fail(session, Proposal, pid) for pid in proposal_ids]
    local = [p for p in proposals if tree.covers(community_id, p.place_id)]
    local = [p for p in local if p.status != ProposalStatus.DRAFT]
    _held_meeting(session, chair, secretary, member_ids, community_id, local[:3])
    _next_meeting(session, chair, community_id, local)
    _reviews(session, reviewers, street_id, proposals, review_years)
