"""Demo content for alliances (组团联建): the street's three communities join at 40/35/25 %,
chairs rotating every six months, with two contribution calls, a joint event, a joint project
the joint fund pays 8,000 yuan towards, and the third-party evaluator's scores, all made through
the services.

The turns are set relative to the day the demo is loaded, so that 古龙社区 always chairs the
council in it (its turn began on the first day of the month before last) and its chair makes
both calls. The calls are 30,000 and 13,333.33 yuan; by the ratios (largest remainder, to the
fen) 平阳 pays 12,000 + 5,333.33 = 17,333.33, 古龙 10,500 + 4,666.67 = 15,166.67 and 万源
7,500 + 3,333.33 = 10,833.33, 43,333.33 yuan in all.
"""

from datetime import timedelta

from sqlmodel import Session

from models.clock import today
from models.vocabulary import ProposalStatus, Role
from services import accounts, alliances
from services.accounts import DEMO_PASSWORD
from services.common import id_of, record_audit
from services.permissions import Viewer
from services.proposals import list_proposals

__all__ = ["ALLIANCE_NAME", "CALLS", "JOINT_GRANT", "SHARES", "add_demo_alliance"]

ALLIANCE_NAME = "古美路东片组团联建"
EVALUATOR = "闵行区社会工作评估中心"
SHARES = (("平阳社区", 400), ("古龙社区", 350), ("万源社区", 250))
CALLS = (("30000", "联建长者食堂启动资金"), ("13333.33", "邻里节与联建志愿者培训"))
ROTATION_MONTHS = 6
JOINT_GRANT = "8000"  # yuan, from the joint fund to the shared project


def add_demo_alliance(
    session: Session,
    admin: Viewer,
    communities: dict[str, int],
    funds: dict[str, int],
    chairs: tuple[Viewer, Viewer],
) -> int:
    """``chairs``: the committee chairs of 平阳社区 and 古龙社区. Returns the alliance."""
    pingyang_chair, council_chair = chairs
    turn_began = alliances.add_months(today().replace(day=1), -2)  # 古龙's, the second turn
    alliance_id = alliances.form_alliance(
        session,
        admin,
        name=ALLIANCE_NAME,
        members=[
            alliances.MemberShare(communities[name], funds[f"{name[:2]}社区微基金"], share)
            for name, share in SHARES
        ],
        rotation_months=ROTATION_MONTHS,
        council_from=alliances.add_months(turn_began, -ROTATION_MONTHS),
        evaluator=EVALUATOR,
    )
    for days, (amount, purpose) in zip((9, 45), CALLS, strict=True):
        alliances.call_contributions(
            session,
            council_chair,
            alliance_id=alliance_id,
            amount=amount,
            purpose=purpose,
            called_on=turn_began + timedelta(days=days),
        )
    event_id = alliances.record_joint_event(
        session,
        council_chair,
        alliance_id=alliance_id,
        title="古美路东片邻里节",
        held_on=turn_began + timedelta(days=20),
        place_id=communities["古龙社区"],
        participants=320,
    )
    # 平阳's project under way from last year (the demo's only one), now shared and co-funded.
    (shared,) = list_proposals(session, statuses=(ProposalStatus.IN_PROGRESS,))
    alliances.add_joint_proposal(
        session, pingyang_chair, alliance_id=alliance_id, proposal_id=shared.id
    )
    alliances.fund_joint_proposal(
        session,
        council_chair,
        alliance_id=alliance_id,
        proposal_id=shared.id,
        amount=JOINT_GRANT,
        occurred_on=turn_began + timedelta(days=50),
    )
    evaluator = _evaluator(session, admin, alliance_id)
    alliances.score_joint_work(
        session,
        evaluator,
        alliance_id=alliance_id,
        event_id=event_id,
        satisfaction=4,
        resource_use=4,
        comment="三个社区的志愿者共同筹办，参与面广；物资多为各社区闲置资源，利用充分。",
    )
    alliances.score_joint_work(
        session,
        evaluator,
        alliance_id=alliance_id,
        proposal_id=shared.id,
        satisfaction=5,
        resource_use=3,
        comment="居民满意度高；工具借用集中在平阳一村，其他社区居民使用偏少。",
    )
    return alliance_id


def _evaluator(session: Session, admin: Viewer, alliance_id: int) -> Viewer:
    """The evaluation centre's assessor, granted for the alliance (user name ``evaluator``)."""
    person = accounts.create_person(
        session,
        display_name="郑评估（闵行区社会工作评估中心）",
        username="evaluator",
        password=DEMO_PASSWORD,
        allow_default_password=True,
    )
    record_audit(session, admin, "add_person", person)
    session.commit()
    accounts.grant_role(
        session,
        admin,
        person_id=id_of(person),
        role=Role.EVALUATOR,
        place_id=None,
        alliance_id=alliance_id,
    )
    return accounts.viewer_for_person(session, id_of(person))
