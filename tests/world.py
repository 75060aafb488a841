"""A small street for service tests: two communities, their compounds, one person per role,
a street fund and a community micro-fund with a charter. Built straight into the store."""

from dataclasses import dataclass, replace
from datetime import date
from io import BytesIO

from PIL import Image, ImageDraw
from sqlmodel import Session, col, select

from models import Fund, FundCharter, Person, Place, ProposalLineItem, RoleGrant
from models.vocabulary import CommitteePosition, FundKind, PlaceKind, ProposalStatus, Role
from services import expenses, proposals, rounds, tally
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.paper import key_paper_sheet
from services.permissions import Viewer
from services.proposals import ProposalDraft
from services.rounds import RoundSettings


@dataclass
class World:
    district: int
    street: int
    community_a: int
    compound_a1: int
    compound_a2: int
    community_b: int
    compound_b1: int
    street_fund: int
    fund_a: int
    fund_b: int
    people: dict[str, int]
    session: Session

    def viewer(self, name: str) -> Viewer:
        return viewer_for_person(self.session, self.people[name])


def _place(session: Session, kind: PlaceKind, name: str, parent: int | None) -> int:
    place = Place(kind=kind, name=name, parent_id=parent, households=120)
    session.add(place)
    session.flush()
    return place.id  # type: ignore[return-value]


ROLES: dict[str, tuple[Role | None, CommitteePosition | None, str | None]] = {
    "admin": (Role.ADMIN, None, None),
    "resident_a1": (Role.RESIDENT, None, "compound_a1"),
    "resident_a2": (Role.RESIDENT, None, "compound_a2"),
    "resident_b1": (Role.RESIDENT, None, "compound_b1"),
    "chair_a": (Role.COMMITTEE_MEMBER, CommitteePosition.CHAIR, "community_a"),
    "secretary_a": (Role.COMMITTEE_MEMBER, CommitteePosition.SECRETARY, "community_a"),
    "treasurer_a": (Role.COMMITTEE_MEMBER, CommitteePosition.TREASURER, "community_a"),
    "member_a": (Role.COMMITTEE_MEMBER, CommitteePosition.MEMBER, "community_a"),
    "chair_b": (Role.COMMITTEE_MEMBER, CommitteePosition.CHAIR, "community_b"),
    "treasurer_b": (Role.COMMITTEE_MEMBER, CommitteePosition.TREASURER, "community_b"),
    "clerk_a": (Role.CLERK, None, "community_a"),
    "reviewer": (Role.REVIEWER, None, "street"),
    "outsider": (None, None, None),
}


def build_world(session: Session) -> World:
    district = _place(session, PlaceKind.DISTRICT, "Minhang", None)
    street = _place(session, PlaceKind.STREET, "Xinzhuang", district)
    community_a = _place(session, PlaceKind.COMMUNITY, "Kangcheng", street)
    compound_a1 = _place(session, PlaceKind.COMPOUND, "Kangcheng 1", community_a)
    compound_a2 = _place(session, PlaceKind.COMPOUND, "Kangcheng 2", community_a)
    community_b = _place(session, PlaceKind.COMMUNITY, "Xinhua", street)
    compound_b1 = _place(session, PlaceKind.COMPOUND, "Xinhua 1", community_b)
    places = {"street": street, "community_a": community_a, "compound_a1": compound_a1}
    places |= {"compound_a2": compound_a2, "community_b": community_b, "compound_b1": compound_b1}
    street_fund = Fund(name="Xinzhuang street fund", kind=FundKind.STREET, place_id=street)
    session.add(street_fund)
    session.flush()
    funds = []
    for name, community in (
        ("Kangcheng micro-fund", community_a),
        ("Xinhua micro-fund", community_b),
    ):
        fund = Fund(
            name=name, kind=FundKind.COMMUNITY, place_id=community, parent_id=street_fund.id
        )
        session.add(fund)
        session.flush()
        funds.append(fund.id)
    session.add(
        FundCharter(
            fund_id=funds[0],
            adopted_on=date(2026, 1, 5),
            forbidden_categories=["building_materials", "construction_works", "entertainment"],
            per_project_cap_fen=20_000_00,
            min_co_funding_permille=100,
            # Pooled with the street (the books' tests pass money up); the tests of spending
            # where raised adopt a version that keeps it at home.
            spend_where_raised=False,
            text="Kangcheng micro-fund charter",
        )
    )
    people = {}
    for name, (role, position, place_key) in ROLES.items():
        person = Person(display_name=name, home_place_id=places.get(place_key or ""))
        session.add(person)
        session.flush()
        people[name] = person.id
        if role is not None:
            session.add(
                RoleGrant(
                    person_id=person.id,
                    role=role,
                    position=position,
                    place_id=places[place_key] if place_key else None,
                )
            )
    session.commit()
    return World(
        district=district,
        street=street,
        community_a=community_a,
        compound_a1=compound_a1,
        compound_a2=compound_a2,
        community_b=community_b,
        compound_b1=compound_b1,
        street_fund=street_fund.id,  # type: ignore[arg-type]
        fund_a=funds[0],  # type: ignore[arg-type]
        fund_b=funds[1],  # type: ignore[arg-type]
        people=people,
        session=session,
    )


def through_the_vote(world: World, draft: ProposalDraft, *, selected: bool, side: str = "a") -> int:
    """A proposal taken the whole way, as the workflow allows and nothing shorter: its own round
    in the community, spending the street's fund (no charter: the tests that use this are
    about what comes after; the admin runs the round, since the fund is the street's), found
    eligible, on the ballot with one resident's vote, counted and published. The round's
    budget decides whether it is selected; the round is then in its tallied phase, where the
    committee carries selected projects out."""
    session = world.session
    chair = world.viewer("admin")
    config = RoundSettings(
        name=f"Round for {draft.title}",
        year=2026,
        fund_id=world.street_fund,
        place_id={"a": world.community_a, "b": world.community_b}[side],
        budget="100000000" if selected else "0.01",
        rule="greedy",
    )
    round_id = rounds.create_round(session, chair, config=config)
    for _ in range(2):  # needs, proposals
        rounds.advance_round(session, chair, round_id=round_id)
    proposal_id = proposals.submit_proposal(
        session, world.viewer(f"resident_{side}1"), draft=replace(draft, round_id=round_id)
    )
    committee = world.viewer(f"chair_{side}")
    proposals.change_proposal_status(
        session, committee, proposal_id=proposal_id, to_status=ProposalStatus.ELIGIBLE
    )
    for _ in range(3):  # eligibility, deliberation, voting
        rounds.advance_round(session, chair, round_id=round_id)
    rounds.cast_ballot(
        session,
        world.viewer(f"resident_{side}1"),
        round_id=round_id,
        ballot=BallotChoice(approvals=(proposal_id,)),
    )
    rounds.advance_round(session, chair, round_id=round_id)  # counting
    counted = tally.count_votes(session, committee, round_id=round_id)
    tally.publish_tally(session, committee, tally_id=counted)
    return proposal_id


def second_clerk(world: World) -> Viewer:
    """Another clerk of community A, added on first use: a paper sheet is keyed by two."""
    if "clerk_a2" not in world.people:
        person = Person(display_name="clerk_a2")
        world.session.add(person)
        world.session.flush()
        world.session.add(
            RoleGrant(person_id=person.id, role=Role.CLERK, place_id=world.community_a)
        )
        world.session.commit()
        world.people["clerk_a2"] = person.id  # type: ignore[assignment]
    return world.viewer("clerk_a2")


def paper_ballot(world: World, *, round_id: int, sheet_number: str, ballot: BallotChoice) -> None:
    """A paper sheet keyed alike by two clerks of community A: a ballot."""
    for clerk in (world.viewer("clerk_a"), second_clerk(world)):
        state = key_paper_sheet(
            world.session, clerk, round_id=round_id, sheet_number=sheet_number, ballot=ballot
        )
    assert state.status == "confirmed"


def receipt_png(text: str = "") -> bytes:
    """A small picture of a paper receipt, as a phone would send it."""
    picture = Image.new("RGB", (120, 160), (250, 248, 240))
    ImageDraw.Draw(picture).text((8, 8), text, fill=(40, 40, 40))
    out = BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def pay_project(
    world: World,
    proposal_id: int,
    amount: str,
    *,
    invoice: str = "INV-1",
    occurred_on: date = date(2026, 3, 2),
    payee: str = "Hardware shop",
    purpose: str = "works",
) -> int:
    """A project's expense, the only way there is: the treasurer asks with a receipt on the
    project's first budget line of community A's fund, another committee member approves.
    Returns the ledger entry."""
    line_id = world.session.exec(
        select(ProposalLineItem.id)
        .where(ProposalLineItem.proposal_id == proposal_id)
        .order_by(col(ProposalLineItem.position))
    ).first()
    assert line_id is not None
    request_id = expenses.request_payment(
        world.session,
        world.viewer("treasurer_a"),
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        line_item_id=line_id,
        amount=amount,
        payee=payee,
        purpose=purpose,
        invoice_number=invoice,
        occurred_on=occurred_on,
        receipt_name=f"{invoice}.png",
        receipt_data=receipt_png(invoice),
    )
    return expenses.approve_payment(world.session, world.viewer("member_a"), request_id=request_id)
