"""The alliance screen on the demo: each community's contributions as hand-computed
(tests/services/test_demo_alliances.py), the council's chair, the chair's call form, forming
an alliance, taking up a member's proposal, and the admin granting a role for an alliance."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from models import (
    Alliance,
    AllianceCall,
    AllianceMember,
    AllianceProposal,
    Person,
    Place,
    Proposal,
    RoleGrant,
    make_engine,
)
from models.vocabulary import ProposalStatus
from tests.pages.test_screens import open_page, texts


def _person(name: str) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        person_id = session.exec(select(Person.id).where(Person.display_name == name)).one()
    engine.dispose()
    return person_id  # type: ignore[return-value]


def _calls() -> list[int]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        amounts = [c.amount_fen for c in session.exec(select(AllianceCall))]
    engine.dispose()
    return amounts


def test_a_resident_sees_each_communitys_contributions(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["resident"])
    assert not at.exception and not at.error
    shown = texts(at)
    for line in (
        "累计出资：**¥17,333.33**",
        "累计出资：**¥15,166.67**",
        "累计出资：**¥10,833.33**",
        "**平阳社区** · 每次出资的40%",
        "**古龙社区** · 每次出资的35%",
        "**万源社区** · 每次出资的25%",
        "本期轮值主席：**古龙社区**",
        "满意度 **5**/5 · 资源使用 **3**/5",
        "联建基金资助：**¥8,000.00**",
    ):
        assert line in shown, line
    assert [str(m.value) for m in at.metric] == ["¥43,333.33", "¥43,333.33"]
    assert not at.dataframe  # lists for phones, not grids
    assert not at.text_input  # nothing to call with for a resident


def test_the_council_chair_calls_and_a_short_fund_stops_the_call(
    demo_db: dict[str, int],
) -> None:
    at = open_page("alliances", _person("钱文"))  # 古龙社区's chair, chairing the council
    form = [t for t in at.text_input if t.key and t.key.startswith("call_amount_")]
    assert len(form) == 1
    alliance = form[0].key.removeprefix("call_amount_")
    at.text_input(key=f"call_amount_{alliance}").input("1,000,000")
    at.text_input(key=f"call_purpose_{alliance}").input("联建长者食堂扩建")
    at.button(key=f"FormSubmitter:alliance_call_{alliance}-发起").click().run()
    assert next(e.value for e in at.error).startswith("平阳社区的基金可用余额仅")
    assert _calls() == [3_000_000, 1_333_333]
    at.text_input(key=f"call_amount_{alliance}").input("100")
    at.text_input(key=f"call_purpose_{alliance}").input("联建长者食堂扩建")
    at.button(key=f"FormSubmitter:alliance_call_{alliance}-发起").click().run()
    assert not at.exception and not at.error
    assert _calls() == [3_000_000, 1_333_333, 10_000]
    assert "累计出资：**¥17,373.33**" in texts(at)  # 17,333.33 + 40


def test_the_evaluator_scores_what_is_left(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["evaluator"])
    assert not at.exception
    assert not [f for f in at.text_area if f.key and f.key.startswith("score_")]  # all scored
    assert "郑评估（闵行区社会工作评估中心）" in texts(at)


def test_a_clerk_records_a_joint_event(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["clerk"])  # 平阳社区's clerk
    key = next(s.key for s in at.selectbox if s.key and s.key.startswith("joint_event_"))
    prefix = key.removesuffix("_place")
    shown = sorted(at.selectbox(key=key).options)  # as drawn
    assert shown == sorted(["平阳社区", "平阳一村", "平阳二村"])  # not the other members'
    at.text_input(key=f"{prefix}_title").input("联建垃圾分类宣传日")
    at.number_input(key=f"{prefix}_count").set_value(150)
    at.button(key=f"FormSubmitter:{prefix}-登记").click().run()
    assert not at.exception and not at.error
    assert "联建垃圾分类宣传日" in texts(at)


@contextmanager
def _store() -> Iterator[Session]:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        yield session
    engine.dispose()


def _place(name: str) -> int:
    with _store() as session:
        return session.exec(select(Place.id).where(Place.name == name)).one()  # type: ignore[return-value]


def _alliances() -> list[tuple[str, list[tuple[int, int]]]]:
    """Each alliance by name, with its members' communities and ratios in turn order."""
    with _store() as session:
        return [
            (
                alliance.name,
                [
                    (m.community_id, m.contribution_permille)
                    for m in session.exec(
                        select(AllianceMember)
                        .where(AllianceMember.alliance_id == alliance.id)
                        .order_by(col(AllianceMember.id))
                    )
                ],
            )
            for alliance in session.exec(select(Alliance).order_by(col(Alliance.id)))
        ]


def _fill_forming(at: AppTest, permilles: tuple[int, int]) -> AppTest:
    gulong, wanyuan = _place("古龙社区"), _place("万源社区")
    at.text_input(key="form_alliance_name").input("古龙万源联建")
    at.multiselect(key=f"form_alliance_members_{_place('古美路街道')}").select(gulong).select(
        wanyuan
    )
    at.run()
    at.number_input(key=f"form_alliance_permille_{gulong}").set_value(permilles[0])
    at.number_input(key=f"form_alliance_permille_{wanyuan}").set_value(permilles[1])
    at.text_input(key="form_alliance_evaluator").input("闵行区社会工作评估中心")
    return at.run()


def test_an_admin_forms_an_alliance_with_the_ratios_adding_up(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["admin"])
    before = _alliances()
    _fill_forming(at, (600, 400))
    assert "出资比例合计 1000‰。" in texts(at)
    at.button(key="form_alliance_submit").click().run()
    assert not at.exception and not at.error
    assert _alliances() == [
        *before,
        ("古龙万源联建", [(_place("古龙社区"), 600), (_place("万源社区"), 400)]),
    ]
    assert "古龙万源联建" in [h.value for h in at.header]


def test_ratios_not_adding_up_are_told_and_form_nothing(demo_db: dict[str, int]) -> None:
    at = open_page("alliances", demo_db["admin"])
    before = _alliances()
    _fill_forming(at, (600, 300))
    running = "出资比例合计须为100%（1000‰），现为900‰。"
    assert [w.value for w in at.warning] == [running]  # as the ratios are typed
    at.button(key="form_alliance_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [running]
    assert _alliances() == before


def test_residents_and_a_communitys_chair_are_offered_no_forming(demo_db: dict[str, int]) -> None:
    for person in (demo_db["resident"], _person("钱文")):
        at = open_page("alliances", person)
        assert not at.exception
        assert "form_alliance_name" not in [t.key for t in at.text_input]


def test_the_council_chair_takes_up_a_members_proposal(demo_db: dict[str, int]) -> None:
    with _store() as session:
        proposal = Proposal(
            place_id=_place("古龙社区"),
            title="联建社区花园",
            category="services",
            status=ProposalStatus.SUBMITTED,
        )
        session.add(proposal)
        session.commit()
        proposal_id = proposal.id
    at = open_page("alliances", _person("钱文"))
    key = next(s.key for s in at.selectbox if s.key and s.key.startswith("joint_take_up_"))
    prefix = key.removesuffix("_proposal")
    assert at.selectbox(key=key).options == ["联建社区花园"]
    at.button(key=f"FormSubmitter:{prefix}-纳入").click().run()
    assert not at.exception and not at.error
    with _store() as session:
        taken = session.exec(
            select(AllianceProposal.proposal_id).where(AllianceProposal.proposal_id == proposal_id)
        ).all()
    assert taken == [proposal_id]
    assert "**联建社区花园**" in texts(at)
    assert not [s for s in at.selectbox if s.key and s.key.startswith("joint_take_up_")]


def _grants(person_id: int) -> list[tuple[str, int | None, int | None]]:
    with _store() as session:
        return [
            (g.role, g.place_id, g.alliance_id)
            for g in session.exec(
                select(RoleGrant)
                .where(RoleGrant.person_id == person_id)
                .order_by(col(RoleGrant.id))
            )
        ]


def test_the_admin_grants_an_evaluator_for_an_alliance(demo_db: dict[str, int]) -> None:
    person = _person("钱文")
    with _store() as session:
        alliance_id = session.exec(select(Alliance.id)).one()
    before = _grants(person)
    at = open_page("admin", demo_db["admin"])
    at.selectbox(key="grant_person").set_value(person)
    at.selectbox(key="grant_role").set_value("evaluator")
    at.selectbox(key="grant_place").set_value(_place("古龙社区"))
    at.selectbox(key="grant_alliance").set_value(alliance_id)
    at.button(key="FormSubmitter:grant-授予").click().run()
    assert [e.value for e in at.error] == ["角色只能授予某个地点或某个联盟，不能同时授予。"]
    assert _grants(person) == before
    at.selectbox(key="grant_person").set_value(person)
    at.selectbox(key="grant_role").set_value("evaluator")
    at.selectbox(key="grant_alliance").set_value(alliance_id)
    at.button(key="FormSubmitter:grant-授予").click().run()
    assert not at.exception and not at.error
    assert _grants(person) == [*before, ("evaluator", None, alliance_id)]
