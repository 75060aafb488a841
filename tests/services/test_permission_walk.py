"""The whole permission table, walked through the services.

For every action there is one probe: a real service call that takes exactly that action at a
place of community A ("in" scope) or community B ("out" of scope). Every kind of holder is a
person in the store whose role grant is on community A (a resident's on a compound of A), and
acts through the viewer ``viewer_for_person`` reads from the store. What should happen is
computed with ``permissions.can`` from the grant each walker was given, never from a second
table: allowed, the call succeeds and changes exactly the tables it should; refused, it raises
``NotAllowed`` for that action and no row of any table changes.

Two actions are refused by leaving things out rather than by an error (a resident opening a
meeting gets it without the committee's notes): their probes check that the material is shown
exactly when the table allows it.

Speed: one staged street per backend; each case runs in a transaction that is rolled back
(the services' commits become savepoints), so the cases cannot see each other.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    AgendaItem,
    Alliance,
    AllianceEvent,
    AllianceMember,
    AllianceProposal,
    AllocationLine,
    AllocationPlan,
    BooksCheck,
    BudgetRound,
    Campaign,
    CharterException,
    Contribution,
    Fund,
    FundCharter,
    LedgerEntry,
    Meeting,
    Need,
    NeedSupport,
    PaperReading,
    PaperSheet,
    PaymentRequest,
    PendingBallot,
    Person,
    Place,
    PointsAccount,
    PointsEntry,
    PointsItem,
    PointsRule,
    PointsShare,
    PointsShareRate,
    PollBookEntry,
    Proposal,
    ProposalLineItem,
    RevenueAsset,
    Review,
    ReviewAssignment,
    RoleGrant,
    RubricScore,
    ServiceOrder,
    SocialOrganisation,
    Tally,
    VolunteerShift,
    VotingCode,
)
from models.chain import CHAINED
from models.clock import today, utc_now
from models.vocabulary import CommitteePosition, FundKind, NeedStatus, OrderStatus, Role
from services import (
    accounts,
    alliances,
    allocation,
    ballots,
    campaigns,
    charters,
    expenses,
    exports,
    funds,
    ledger,
    meetings,
    needs,
    notice,
    orders,
    paper,
    places,
    points,
    proposals,
    ratings,
    reviews,
    rounds,
    verify,
    voting_codes,
)
from services import tally as tallies
from services.accounts import viewer_for_person
from services.common import id_of, place_tree
from services.errors import NotAllowed, NotFound
from services.permissions import ANONYMOUS, Action, Grant, Viewer, can
from tests.services.test_exports import WORDS
from tests.street import (
    COMMITTEE_NOTE,
    GOOD,
    HIDDEN_DONOR,
    MEETING_AT,
    WHEN,
    S,
    Side,
    build_street,
    draft,
    fingerprint,
    staging_engine,
)
from tests.street import sandbox as street_sandbox
from tests.world import World

# --- the walkers, on the staged street of tests/street.py -----------------------------------------


@dataclass(frozen=True)
class Walker:
    role: Role | None
    position: CommitteePosition | None = None
    place: str | None = None  # "compound" or "community" of A; None: granted without a place
    state: str = "active"  # or "revoked" (the grant), "inactive" (the person)


WALKERS: dict[str, Walker] = {
    "resident": Walker(Role.RESIDENT, place="compound"),
    "member": Walker(Role.COMMITTEE_MEMBER, CommitteePosition.MEMBER, "community"),
    "chair": Walker(Role.COMMITTEE_MEMBER, CommitteePosition.CHAIR, "community"),
    "secretary": Walker(Role.COMMITTEE_MEMBER, CommitteePosition.SECRETARY, "community"),
    "treasurer": Walker(Role.COMMITTEE_MEMBER, CommitteePosition.TREASURER, "community"),
    "clerk": Walker(Role.CLERK, place="community"),
    "reviewer": Walker(Role.REVIEWER, place="community"),
    "evaluator": Walker(Role.EVALUATOR, place="community"),
    "admin": Walker(Role.ADMIN, place="community"),
    "admin_everywhere": Walker(Role.ADMIN),
    "no_role": Walker(None),
    "revoked_chair": Walker(
        Role.COMMITTEE_MEMBER, CommitteePosition.CHAIR, "community", state="revoked"
    ),
    "inactive_chair": Walker(
        Role.COMMITTEE_MEMBER, CommitteePosition.CHAIR, "community", state="inactive"
    ),
}
SCOPES = ("in", "out")
# Revoked grants and inactive people make viewers without grants: once the mapping test has
# shown that, walking them would repeat the walk of the person without a role.
WALK = [kind for kind, walker in WALKERS.items() if walker.state == "active"]


@dataclass(frozen=True)
class Stage:
    engine: Engine
    street: int
    review_session: int
    sides: dict[str, Side]  # "in": community A, "out": community B
    walkers: dict[str, int]  # walker kind -> person id
    grantee: int  # a person without a role, for the role-granting probe


def _stage_walkers(world: World) -> dict[str, int]:
    """One person per kind of holder, granted through the service an administrator uses."""
    session = world.session
    place_of = {"compound": world.compound_a1, "community": world.community_a, None: None}
    people = {}
    for kind, walker in WALKERS.items():
        person = Person(
            display_name=f"walker {kind}",
            home_place_id=world.compound_a1 if walker.role is Role.RESIDENT else None,
            is_active=walker.state != "inactive",
        )
        session.add(person)
        session.commit()
        people[kind] = id_of(person)
        if walker.role is None:
            continue
        grant_id = accounts.grant_role(
            session,
            world.viewer("admin"),
            person_id=people[kind],
            role=walker.role,
            position=walker.position,
            place_id=place_of[walker.place],
        )
        if walker.state == "revoked":
            grant = _row(session, RoleGrant, grant_id)
            grant.revoked_at = utc_now()
            session.add(grant)
            session.commit()
    return people


def _stage(engine: Engine) -> Stage:
    with Session(engine) as session:
        street = build_street(session)
        return Stage(
            engine=engine,
            street=street.world.street,
            review_session=street.review_session,
            sides=street.sides,
            walkers=_stage_walkers(street.world),
            grantee=street.world.people["outsider"],
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stage(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[Stage]:
    with staging_engine(request, tmp_path_factory, sqlite_template) as engine:
        yield _stage(engine)


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Receipts kept by the probes land here, not in the app's data folder."""
    folder = tmp_path / "uploads"
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def sandbox(stage: Stage) -> Iterator[Session]:
    """A session whose commits are savepoints of one transaction, rolled back afterwards."""
    with street_sandbox(stage.engine) as session:
        yield session


def expected_viewer(stage: Stage, kind: str) -> Viewer:
    """The viewer each walker should be, from the grant the stage gave it (the oracle)."""
    walker = WALKERS[kind]
    person_id = stage.walkers[kind]
    if walker.state == "inactive":
        return ANONYMOUS
    if walker.role is None or walker.state == "revoked":
        return Viewer(person_id=person_id)
    side = stage.sides["in"]
    place = {"compound": side.compound, "community": side.community}.get(walker.place or "")
    places = frozenset({place}) if place is not None else None
    return Viewer(person_id=person_id, grants=(Grant(walker.role, walker.position, places),))


# --- the probes: one service call per action -------------------------------------------------


class Attempt(NamedTuple):
    """The place whose grants decide, and the call (which checks its own effect on success; a
    probe of a read that leaves things out returns whether it showed them)."""

    place_id: int | None
    act: Callable[[], bool | None]


@dataclass(frozen=True)
class Probe:
    attempt: Callable[[Session, Viewer, Stage, Side], Attempt]
    writes: frozenset[str]  # the tables an allowed call changes; none for a read
    hides: bool = False  # refused by leaving the material out, not by an error


PROBES: dict[Action, Probe] = {}
# More services that ask for an action already probed (editing a round, adopting a charter),
# walked the same way: by name, with the action they ask for.
MORE_PROBES: dict[str, tuple[Action, Probe]] = {}


def probe(
    action: Action, *writes: str, hides: bool = False, also: str | None = None
) -> Callable[..., Any]:
    def register(attempt: Callable[[Session, Viewer, Stage, Side], Attempt]) -> Any:
        # A row added to a hash-chained table moves that chain's head too.
        chained = {"chainhead"} if set(writes) & set(CHAINED) else set()
        made = Probe(attempt, frozenset(writes) | chained, hides)
        if also is not None:
            assert also not in MORE_PROBES, f"two probes named {also}"
            MORE_PROBES[also] = (action, made)
            return attempt
        assert action not in PROBES, f"two probes for {action}"
        PROBES[action] = made
        return attempt

    return register


def _row(session: Session, model: type[Any], row_id: int | None) -> Any:
    row = session.get(model, row_id)
    assert row is not None, f"{model.__name__} {row_id} missing"
    return row


@probe(Action.POST_NEED, "need", "auditentry")
def _post_need(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        need_id = needs.post_need(
            session,
            viewer,
            place_id=side.compound,
            title="Shade over the bench",
            description="",
            category="greening",
        )
        need = _row(session, Need, need_id)
        assert (need.place_id, need.author_id) == (side.compound, viewer.person_id)

    return Attempt(side.compound, act)


@probe(Action.SUPPORT, "needsupport", "auditentry")
def _support(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        needs.support_need(session, viewer, need_id=side.need)
        supporters = session.exec(
            select(NeedSupport.person_id).where(NeedSupport.need_id == side.need)
        ).all()
        assert supporters == [viewer.person_id]

    return Attempt(_row(session, Need, side.need).place_id, act)


@probe(
    Action.SUBMIT_PROPOSAL,
    "proposal",
    "proposallineitem",
    "cofundingpledge",
    "proposalstatuschange",
    "need",
    "auditentry",
)
def _submit_proposal(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """Into the community's open round, adopting the need posted there."""

    def act() -> None:
        bike_shed = draft(side.compound, "Bike shed", side.open_round, side.need)
        submitted = proposals.submit_proposal(session, viewer, draft=bike_shed)
        proposal = _row(session, Proposal, submitted)
        assert (proposal.place_id, proposal.round_id, proposal.proposer_id, proposal.status) == (
            side.compound,
            side.open_round,
            viewer.person_id,
            S.SUBMITTED,
        )
        assert _row(session, Need, side.need).status == "adopted"

    return Attempt(side.compound, act)


@probe(Action.CAST_BALLOT, "pollbookentry", "pendingballot")
def _cast_ballot(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        choice = ballots.BallotChoice(approvals=side.on_ballot[1:])
        receipt = rounds.cast_ballot(session, viewer, round_id=side.voting_round, ballot=choice)
        check = rounds.check_receipt(session, receipt_code=receipt)
        assert check.entries == [(side.on_ballot[1], None, None)]
        assert rounds.has_voted(session, viewer, round_id=side.voting_round)

    return Attempt(_row(session, BudgetRound, side.voting_round).place_id, act)


@probe(Action.CAST_BALLOT, "pendingballot", "auditentry", also="change_ballot")
def _change_ballot(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The voting round now allows changes, and the walker has voted in it (straight into the
    store: whoever may not vote there has a poll book entry all the same), holding a receipt."""
    receipt = "WALK-CHNG-BALT"
    budget_round = _row(session, BudgetRound, side.voting_round)
    budget_round.ballot_changes_allowed = True
    session.add(budget_round)
    if viewer.person_id is not None:
        key = rounds.voter_key(side.voting_round, f"person:{viewer.person_id}")
        voted = {"voter_key": key, "channel": "online", "voted_on": WHEN}
        session.add(PollBookEntry(round_id=side.voting_round, **voted))
    marks = [[side.on_ballot[0], None, None]]
    hashed = rounds.receipt_hash(receipt)
    session.add(PendingBallot(round_id=side.voting_round, receipt_hash=hashed, marks=marks))
    session.commit()

    def act() -> None:
        choice = ballots.BallotChoice(approvals=side.on_ballot[1:])
        new = rounds.change_ballot(
            session, viewer, round_id=side.voting_round, receipt_code=receipt, ballot=choice
        )
        check = rounds.check_receipt(session, receipt_code=new)
        assert check.entries == [(side.on_ballot[1], None, None)]
        with pytest.raises(NotFound):
            rounds.check_receipt(session, receipt_code=receipt)

    return Attempt(budget_round.place_id, act)


@probe(Action.VIEW_COMMITTEE_MATERIAL, hides=True)
def _view_committee_material(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> bool:
        minutes = meetings.meeting_minutes(session, viewer, side.meeting)
        shown = minutes.content_visible
        assert [note.body for note in minutes.notes] == ([COMMITTEE_NOTE] if shown else [])
        return shown

    return Attempt(_row(session, Meeting, side.meeting).place_id, act)


@probe(Action.REVIEW_ELIGIBILITY, "proposal", "proposalstatuschange", "auditentry")
def _review_eligibility(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    proposal = _row(session, Proposal, side.submitted)
    assert proposal.proposer_id != viewer.person_id  # a proposer's own moves need no role

    def act() -> None:
        proposals.change_proposal_status(
            session, viewer, proposal_id=side.submitted, to_status=S.ELIGIBLE
        )
        assert _row(session, Proposal, side.submitted).status == S.ELIGIBLE

    return Attempt(proposal.place_id, act)


@probe(
    Action.OVERRIDE_CHARTER,
    "proposal",
    "proposalstatuschange",
    "charterexception",
    "auditentry",
)
def _override_charter(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """Marking eligible a proposal a new version of its fund's charter forbids by the words of
    its budget line (its title: no other proposal's, so the other probes still pass)."""
    proposal = _row(session, Proposal, side.submitted)
    fund = charters.paying_fund(
        session, place_tree(session), place_id=proposal.place_id, round_id=proposal.round_id
    )
    assert fund is not None and fund.id is not None
    current = charters.current_charter(session, fund.id)
    session.add(
        FundCharter(
            fund_id=fund.id,
            version=current.version + 1 if current is not None else 1,
            adopted_on=WHEN,
            forbidden_items=[proposal.title],
        )
    )
    session.commit()

    def act() -> None:
        proposals.change_proposal_status(
            session,
            viewer,
            proposal_id=side.submitted,
            to_status=S.ELIGIBLE,
            override_reason="The street asked for this one, in writing.",
        )
        assert _row(session, Proposal, side.submitted).status == S.ELIGIBLE
        (exception,) = session.exec(
            select(CharterException).where(CharterException.proposal_id == side.submitted)
        ).all()
        assert exception.rules == ["charter_forbidden_item"]
        assert exception.decided_by_id == viewer.person_id

    return Attempt(proposal.place_id, act)


@probe(Action.RUN_MEETING, "meeting", "auditentry")
def _run_meeting(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        meeting_id = meetings.schedule_meeting(
            session, viewer, place_id=side.community, title="Site visit", scheduled_at=MEETING_AT
        )
        meeting = _row(session, Meeting, meeting_id)
        assert (meeting.place_id, meeting.status) == (side.community, "planned")

    return Attempt(side.community, act)


@probe(Action.STEER_MEETING, "meeting", "auditentry")
def _steer_meeting(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A meeting in the room (in progress, two items, none opened yet), staged in the sandbox
    before the walk's fingerprint: moving to the first item changes the meeting only."""
    meeting = Meeting(
        place_id=side.community, title="In the room", scheduled_at=MEETING_AT, status="in_progress"
    )
    session.add(meeting)
    session.flush()
    items = [AgendaItem(meeting_id=id_of(meeting), position=n, title=f"item {n}") for n in (0, 1)]
    session.add_all(items)
    session.commit()

    def act() -> None:
        moved = meetings.next_agenda_item(
            session, viewer, meeting_id=id_of(meeting), from_item_id=None
        )
        assert moved == items[0].id
        assert _row(session, Meeting, meeting.id).current_item_id == items[0].id

    return Attempt(side.community, act)


@probe(Action.PUBLISH_MINUTES, "meeting", "auditentry")
def _publish_minutes(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        meetings.publish_minutes(session, viewer, meeting_id=side.meeting)
        assert _row(session, Meeting, side.meeting).minutes_status == "published"

    return Attempt(_row(session, Meeting, side.meeting).place_id, act)


@probe(Action.MANAGE_ROUND, "budgetround", "auditentry")
def _manage_round(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    config = rounds.RoundSettings(
        name="2027", year=2027, fund_id=side.fund, place_id=side.community, budget="8000"
    )

    def act() -> None:
        budget_round = _row(
            session, BudgetRound, rounds.create_round(session, viewer, config=config)
        )
        assert (budget_round.place_id, budget_round.fund_id, budget_round.budget_fen) == (
            side.community,
            side.fund,
            8000_00,
        )

    return Attempt(config.place_id, act)


@probe(Action.MANAGE_ROUND, "budgetround", "auditentry", also="update_round")
def _update_round(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The round taking proposals, whose vote has not opened: a knapsack ballot from now on."""
    budget_round = _row(session, BudgetRound, side.open_round)
    config = rounds.RoundSettings(
        name=budget_round.name,
        year=budget_round.year,
        fund_id=side.fund,
        place_id=side.community,
        budget="9000",
        ballot_kind="knapsack",
        rule="mes+greedy",
    )

    def act() -> None:
        rounds.update_round(session, viewer, round_id=side.open_round, config=config)
        changed = _row(session, BudgetRound, side.open_round)
        assert (changed.ballot_kind, changed.budget_fen) == ("knapsack", 9000_00)

    return Attempt(budget_round.place_id, act)


@probe(Action.TALLY_ROUND, "tally", "auditentry")
def _tally_round(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        result = _row(
            session, Tally, tallies.count_votes(session, viewer, round_id=side.counting_round)
        )
        assert (result.ballots_counted, result.published_at) == (1, None)
        assert result.selected_proposal_ids == [side.counted[0]]

    return Attempt(_row(session, BudgetRound, side.counting_round).place_id, act)


@probe(
    Action.PUBLISH_TALLY,
    "tally",
    "proposal",
    "proposalstatuschange",
    "budgetround",
    "roundphasechange",
    "auditentry",
)
def _publish_tally(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    result = _row(session, Tally, side.tally)

    def act() -> None:
        tallies.publish_tally(session, viewer, tally_id=side.tally)
        assert _row(session, Tally, side.tally).published_at is not None
        statuses = [_row(session, Proposal, pid).status for pid in side.counted]
        assert statuses == [S.SELECTED, S.NOT_SELECTED]

    return Attempt(_row(session, BudgetRound, result.round_id).place_id, act)


@probe(Action.OVERRIDE_RESULT, "proposal", "proposalstatuschange", "auditentry")
def _override_result(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    proposal = _row(session, Proposal, side.selected)

    def act() -> None:
        reason = "The site was sold before work could start."
        tallies.override_result(session, viewer, proposal_id=side.selected, reason=reason)
        assert _row(session, Proposal, side.selected).status == S.NOT_SELECTED

    return Attempt(proposal.place_id, act)


@probe(Action.ENTER_PAPER_BALLOT, "papersheet", "paperreading")
def _enter_paper_ballot(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A first reading of a new sheet: it waits for a second clerk, and is not a ballot."""

    def act() -> None:
        state = paper.key_paper_sheet(
            session,
            viewer,
            round_id=side.voting_round,
            sheet_number="P-0001",
            ballot=ballots.BallotChoice(approvals=side.on_ballot[1:]),
        )
        assert (state.status, state.readings) == ("keyed_once", 1)
        reading = session.exec(
            select(PaperReading).where(PaperReading.keyed_by_id == viewer.person_id)
        ).one()
        assert reading.marks == [[side.on_ballot[1], None, None]]

    return Attempt(_row(session, BudgetRound, side.voting_round).place_id, act)


@probe(Action.SETTLE_PAPER_SHEET, "papersheet", "paperreading", "pollbookentry", "pendingballot")
def _settle_paper_sheet(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The third look at the sheet two clerks read differently agrees with the second reading:
    the sheet is a ballot, and its readings keep no marks."""

    def act() -> None:
        state = paper.settle_paper_sheet(
            session,
            viewer,
            round_id=side.voting_round,
            sheet_number=side.disputed_sheet,
            ballot=ballots.BallotChoice(approvals=side.on_ballot[1:]),
        )
        assert (state.status, state.readings) == ("confirmed", 3)
        readings = session.exec(
            select(PaperReading.marks, PaperReading.matched)
            .join(PaperSheet, col(PaperSheet.id) == PaperReading.sheet_id)
            .where(
                PaperSheet.round_id == side.voting_round,
                PaperSheet.sheet_number == side.disputed_sheet,
            )
            .order_by(col(PaperReading.id))
        ).all()
        assert [tuple(r) for r in readings] == [(None, False), (None, True), (None, True)]

    return Attempt(_row(session, BudgetRound, side.voting_round).place_id, act)


@probe(Action.ISSUE_VOTING_CODES, "votingcode", "auditentry")
def _issue_voting_codes(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        issued = voting_codes.issue_voting_codes(
            session, viewer, round_id=side.voting_round, compound_id=side.compound
        )
        assert [code.household for code in issued] == ["1-101", "1-102"]
        stored = session.exec(
            select(VotingCode.issued_by_id).where(VotingCode.round_id == side.voting_round)
        ).all()
        assert stored == [viewer.person_id] * 2

    return Attempt(side.compound, act)


@probe(Action.RECORD_DONATION, "ledgerentry", "auditentry")
def _record_donation(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        entry_id = ledger.record_donation(
            session,
            viewer,
            fund_id=side.fund,
            amount="200",
            donor="Corner shop",
            purpose="benches",
            occurred_on=WHEN,
        )
        entry = _row(session, LedgerEntry, entry_id)
        assert (entry.kind, entry.destination_fund_id, entry.amount_fen) == (
            "donation",
            side.fund,
            200_00,
        )

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.RECORD_EXPENSE, "ledgerentry", "auditentry")
def _record_expense(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        entry_id = ledger.record_expense(
            session,
            viewer,
            fund_id=side.fund,
            amount="100",
            payee="Hardware shop",
            purpose="bolts",
            invoice_number="INV-0001",
            occurred_on=WHEN,
        )
        entry = _row(session, LedgerEntry, entry_id)
        assert (entry.kind, entry.source_fund_id, entry.amount_fen) == (
            "expense",
            side.fund,
            100_00,
        )

    return Attempt(_row(session, Fund, side.fund).place_id, act)


def _receipt_pdf() -> bytes:
    """A new file each time: a receipt is kept once per proposal."""
    return b"%PDF-1.7\n1 0 obj <<>> endobj\n%" + uuid.uuid4().hex.encode() + b"\n%%EOF\n"


def _payment_request(session: Session, stage: Stage, side: Side) -> int:
    """A waiting request against the side's funded proposal, filed by a treasurer of the side
    (the grantee, as a viewer with that grant: none of the walkers)."""
    treasurer = Viewer(
        person_id=stage.grantee,
        grants=(
            Grant(Role.COMMITTEE_MEMBER, CommitteePosition.TREASURER, frozenset({side.community})),
        ),
    )
    ledger.allocate_to_proposal(
        session,
        treasurer,
        fund_id=side.fund,
        proposal_id=side.selected,
        amount="1000",
        occurred_on=WHEN,
    )
    return _request(session, treasurer, side)


def _request(session: Session, viewer: Viewer, side: Side) -> int:
    line = session.exec(
        select(ProposalLineItem.id).where(ProposalLineItem.proposal_id == side.selected)
    ).first()
    assert line is not None
    return expenses.request_payment(
        session,
        viewer,
        fund_id=side.fund,
        proposal_id=side.selected,
        line_item_id=line,
        amount="100",
        payee="Hardware shop",
        purpose="Hose for the garden",
        invoice_number="INV-0002",
        occurred_on=WHEN,
        receipt_name="receipt.pdf",
        receipt_data=_receipt_pdf(),
    )


@probe(Action.RECORD_EXPENSE, "paymentrequest", "attachment", "auditentry", also="request_payment")
def _request_payment(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        request = _row(session, PaymentRequest, _request(session, viewer, side))
        assert (request.status, request.submitted_by_id, request.amount_fen) == (
            "submitted",
            viewer.person_id,
            100_00,
        )

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.APPROVE_EXPENSE, "paymentrequest", "ledgerentry", "auditentry")
def _approve_expense(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    request_id = _payment_request(session, stage, side)

    def act() -> None:
        entry_id = expenses.approve_payment(session, viewer, request_id=request_id)
        entry = _row(session, LedgerEntry, entry_id)
        assert (entry.kind, entry.source_fund_id, entry.amount_fen) == (
            "expense",
            side.fund,
            100_00,
        )
        request = _row(session, PaymentRequest, request_id)
        assert (request.status, request.decided_by_id) == ("approved", viewer.person_id)

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.APPROVE_EXPENSE, "paymentrequest", "auditentry", also="reject_payment")
def _reject_payment(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    request_id = _payment_request(session, stage, side)

    def act() -> None:
        expenses.reject_payment(session, viewer, request_id=request_id, reason="No stamp")
        request = _row(session, PaymentRequest, request_id)
        assert (request.status, request.reason) == ("rejected", "No stamp")

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.VIEW_BOOKS, also="payment_requests")
def _payment_requests(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    request_id = _payment_request(session, stage, side)

    def act() -> None:
        rows = expenses.payment_requests(session, viewer, fund_id=side.fund)
        assert [row.id for row in rows] == [request_id]

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.VIEW_BOOKS)
def _view_books(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        lines = ledger.books(session, viewer, fund_id=side.fund)
        assert HIDDEN_DONOR in [line.counterparty for line in lines]  # the books name donors

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.VIEW_BOOKS, also="books_export")
def _books_export(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        text = exports.ledger_csv(session, viewer, fund_id=side.fund, words=WORDS, books=True)
        assert HIDDEN_DONOR in text  # the books' file names donors

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(
    Action.REVIEW_ELIGIBILITY,
    "proposal",
    "proposalstatuschange",
    "ledgerentry",
    "auditentry",
    also="close_project",
)
def _close_project(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """Abandoning a funded project releases its allocation: a ledger entry, or nothing."""
    _payment_request(session, stage, side)  # 1,000 yuan allocated, 100 asked, nothing paid

    def act() -> None:
        proposals.change_proposal_status(
            session, viewer, proposal_id=side.selected, to_status=S.ABANDONED, reason="Moved"
        )
        released = session.exec(
            select(LedgerEntry).where(
                LedgerEntry.kind == "release", LedgerEntry.proposal_id == side.selected
            )
        ).one()
        assert (released.source_fund_id, released.amount_fen) == (side.fund, 1000_00)

    return Attempt(_row(session, Proposal, side.selected).place_id, act)


@probe(Action.SCORE_PROJECT, "review", "rubricscore", "reviewsession", "auditentry")
def _score_project(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    # Every walker is on the session's roster, as its chair would put them: the walk asks
    # what the role allows, and the roster is tested in test_reviews.py.
    if (
        viewer.person_id is not None
        and not session.exec(
            select(ReviewAssignment).where(
                ReviewAssignment.session_id == stage.review_session,
                ReviewAssignment.reviewer_id == viewer.person_id,
            )
        ).first()
    ):
        session.add(ReviewAssignment(session_id=stage.review_session, reviewer_id=viewer.person_id))
        session.flush()

    def act() -> None:
        review_id = reviews.score_project(
            session,
            viewer,
            session_id=stage.review_session,
            proposal_id=side.selected,
            scores=GOOD,
            recommendation="continue",
        )
        review = _row(session, Review, review_id)
        assert (review.proposal_id, review.reviewer_id) == (side.selected, viewer.person_id)
        scores = session.exec(
            select(RubricScore.criterion, RubricScore.score).where(
                RubricScore.review_id == review_id
            )
        ).all()
        assert dict(scores) == GOOD

    return Attempt(_row(session, Proposal, side.selected).place_id, act)


@probe(Action.VIEW_REVIEWS, hides=True)
def _view_reviews(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> bool:
        board = reviews.review_board(session, viewer, stage.review_session)
        (project,) = [p for p in board.projects if p.proposal_id == side.selected]
        if project.scores is None:
            return False
        assert project.scores.reviews == 1  # the stage's review, seen while the session is open
        return True

    return Attempt(_row(session, Proposal, side.selected).place_id, act)


@probe(Action.MANAGE_PLACES, "place", "auditentry")
def _manage_places(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        place_id = places.create_place(
            session, viewer, kind="compound", name="New estate", parent_id=side.community
        )
        assert _row(session, Place, place_id).parent_id == side.community

    return Attempt(side.community, act)


@probe(Action.MANAGE_FUNDS, "fund", "auditentry")
def _manage_funds(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A fund of the community under its micro-fund."""

    def act() -> None:
        fund_id = funds.create_fund(
            session,
            viewer,
            name=f"Parking fund of place {side.community}",
            kind="community",
            place_id=side.community,
            parent_id=side.fund,
        )
        fund = _row(session, Fund, fund_id)
        assert (fund.place_id, fund.parent_id) == (side.community, side.fund)

    return Attempt(side.community, act)


@probe(Action.MANAGE_FUNDS, "fundcharter", "auditentry", also="adopt_charter")
def _adopt_charter(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        charter_id = funds.adopt_charter(
            session,
            viewer,
            fund_id=side.fund,
            adopted_on=WHEN,
            allowed_categories=[],
            forbidden_categories=["entertainment"],
            per_project_cap="20000",
            per_community_year_cap=None,
            min_co_funding_permille=100,
            text="Spent where it is raised.",
        )
        charter = _row(session, FundCharter, charter_id)
        versions = funds.charter_versions(session, fund_id=side.fund)
        assert versions[0].id == charter.id and charter.forbidden_categories == ["entertainment"]

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.GRANT_ROLES, "rolegrant", "auditentry")
def _grant_roles(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        accounts.grant_role(
            session, viewer, person_id=stage.grantee, role="resident", place_id=side.compound
        )
        granted = viewer_for_person(session, stage.grantee).grants
        assert granted == (Grant(Role.RESIDENT, None, frozenset({side.compound})),)

    return Attempt(side.compound, act)


@probe(Action.VIEW_AUDIT_LOG)
def _view_audit_log(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        lines = notice.audit_log(session, viewer)
        assert lines  # the stage was built through the services, so there is history
        assert [line.id for line in lines] == sorted((line.id for line in lines), reverse=True)

    return Attempt(None, act)


@probe(Action.VERIFY_BOOKS, "bookscheck")
def _verify_books(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        result = verify.verify_books(session, viewer)
        assert result.ok, [str(problem) for problem in result.problems]
        assert result.ledger.length == 4  # each side's two donations
        check = session.exec(select(BooksCheck)).one()
        assert (check.checked_by_id, check.ok) == (viewer.person_id, True)

    return Attempt(None, act)


@probe(Action.SET_POINTS_RULE, "pointsrule", "auditentry")
def _set_points_rule(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        rule_id = points.set_points_rule(
            session, viewer, place_id=side.community, points_per_hour=10
        )
        rule = _row(session, PointsRule, rule_id)
        assert (rule.place_id, rule.points_per_hour) == (side.community, 10)

    return Attempt(side.community, act)


@probe(Action.RECORD_POINTS, "pointsaccount", "pointsentry", "volunteershift", "auditentry")
def _record_points(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The community's rule (10 points an hour) and a volunteer living in its compound."""
    session.add(PointsRule(place_id=side.community, points_per_hour=10))
    volunteer = Person(display_name="volunteer", home_place_id=side.compound)
    session.add(volunteer)
    session.commit()

    def act() -> None:
        entry_id = points.record_volunteering(
            session,
            viewer,
            person_id=id_of(volunteer),
            place_id=side.compound,
            hours=3,
            activity="Lunch delivery",
        )
        assert _row(session, PointsEntry, entry_id).delta == 30

    return Attempt(side.compound, act)


@probe(Action.MANAGE_POINTS_CATALOGUE, "pointsitem", "auditentry")
def _manage_points_catalogue(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        item_id = points.add_catalogue_item(
            session,
            viewer,
            place_id=side.community,
            name="Rice",
            merchant="Lianhua",
            points_cost=30,
            list_price="39.50",
        )
        item = _row(session, PointsItem, item_id)
        assert (item.place_id, item.points_cost, item.list_price_fen) == (side.community, 30, 3950)

    return Attempt(side.community, act)


def _points_item(session: Session, side: Side) -> PointsItem:
    item = PointsItem(place_id=side.community, name="Rice", merchant="Lianhua", points_cost=30)
    session.add(item)
    session.commit()
    return item


@probe(Action.MANAGE_POINTS_CATALOGUE, "pointsitem", "auditentry", also="withdraw_catalogue_item")
def _withdraw_catalogue_item(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    item = _points_item(session, side)

    def act() -> None:
        points.withdraw_catalogue_item(session, viewer, item_id=id_of(item))
        assert _row(session, PointsItem, item.id).withdrawn_at is not None

    return Attempt(side.community, act)


@probe(Action.REDEEM_POINTS, "pointsentry", "auditentry")
def _redeem_points(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """An item of the community, and 50 points on the walker's account."""
    item = _points_item(session, side)
    assert viewer.person_id is not None
    account = session.exec(
        select(PointsAccount).where(PointsAccount.person_id == viewer.person_id)
    ).first() or PointsAccount(person_id=viewer.person_id)
    session.add(account)
    session.flush()
    session.add(PointsEntry(account_id=id_of(account), delta=50, reason="volunteering"))
    session.commit()

    def act() -> None:
        entry_id = points.redeem_points(session, viewer, item_id=id_of(item))
        assert _row(session, PointsEntry, entry_id).delta == -30
        assert points.points_balance(session, person_id=viewer.person_id or 0) == 20

    return Attempt(side.community, act)


def _volunteered(session: Session, viewer: Viewer, side: Side, earned: int) -> None:
    """``earned`` points on the walker's account (opened if need be)."""
    assert viewer.person_id is not None
    account = session.exec(
        select(PointsAccount).where(PointsAccount.person_id == viewer.person_id)
    ).first() or PointsAccount(person_id=viewer.person_id)
    session.add(account)
    session.flush()
    session.add(PointsEntry(account_id=id_of(account), delta=earned, reason="volunteering"))
    session.commit()


@probe(Action.DONATE_POINTS, "pointsentry", "contribution", "pointsshare", "auditentry")
def _donate_points(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The community's share rate (10 fen a point), and 50 points on the walker's account."""
    session.add(PointsShareRate(place_id=side.community, fen_per_point=10))
    _volunteered(session, viewer, side, 50)

    def act() -> None:
        entry_id = points.donate_points(session, viewer, fund_id=side.fund, points=30)
        assert _row(session, PointsEntry, entry_id).delta == -30
        share = session.exec(select(PointsShare).where(PointsShare.entry_id == entry_id)).one()
        gift = _row(session, Contribution, share.contribution_id)
        assert (gift.fund_id, gift.estimated_value_fen) == (side.fund, 300)

    return Attempt(side.community, act)


@probe(Action.SET_POINTS_RULE, "pointssharerate", "auditentry", also="set_points_share_rate")
def _set_points_share_rate(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        rate_id = points.set_points_share_rate(
            session, viewer, place_id=side.community, fen_per_point=10
        )
        assert _row(session, PointsShareRate, rate_id).fen_per_point == 10

    return Attempt(side.community, act)


@probe(
    Action.RECORD_POINTS,
    "pointsentry",
    "pointscorrection",
    "auditentry",
    also="correct_volunteering",
)
def _correct_volunteering(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A volunteer of the compound credited 4 hours at 10 points instead of 2."""
    volunteer = Person(display_name="volunteer", home_place_id=side.compound)
    rule = PointsRule(place_id=side.community, points_per_hour=10)
    session.add_all([volunteer, rule])
    session.flush()
    account = PointsAccount(person_id=id_of(volunteer))
    session.add(account)
    session.flush()
    entry = PointsEntry(account_id=id_of(account), delta=40, reason="volunteering")
    session.add(entry)
    session.flush()
    session.add(
        VolunteerShift(
            place_id=side.compound,
            person_id=id_of(volunteer),
            hours=4,
            activity="Lunch delivery",
            rule_id=id_of(rule),
            points_per_hour=10,
            entry_id=id_of(entry),
        )
    )
    session.commit()

    def act() -> None:
        fix = points.correct_volunteering(
            session, viewer, entry_id=id_of(entry), hours=2, reason="Two hours, not four"
        )
        assert _row(session, PointsEntry, fix).delta == -20
        assert points.points_balance(session, person_id=id_of(volunteer)) == 20

    return Attempt(side.compound, act)


@probe(Action.REGISTER_SOCIAL_ORGANISATION, "socialorganisation", "auditentry")
def _register_social_organisation(
    session: Session, viewer: Viewer, stage: Stage, side: Side
) -> Attempt:
    def act() -> None:
        organisation_id = orders.register_social_organisation(
            session,
            viewer,
            place_id=side.community,
            name="Kangle elderly care",
            registration_no="52310112MJ4821735X",
            contact="Ms Wang",
        )
        assert _row(session, SocialOrganisation, organisation_id).place_id == side.community

    return Attempt(side.community, act)


def _alliance(session: Session, stage: Stage, side: Side) -> Alliance:
    """Both communities, the probe's side chairing the council today (yearly turns), and the
    joint fund; straight into the store."""
    other = stage.sides["out" if side == stage.sides["in"] else "in"]
    alliance = Alliance(name=f"Alliance {uuid.uuid4().hex[:6]}", street_id=stage.street)
    session.add(alliance)
    session.flush()
    for turn, member in enumerate((side, other)):
        session.add(
            AllianceMember(
                alliance_id=id_of(alliance),
                community_id=member.community,
                fund_id=member.fund,
                contribution_permille=500,
                chairs_council_from=alliances.add_months(today(), 12 * turn - 1),
            )
        )
    session.add(
        Fund(
            name=alliance.name,
            kind=FundKind.ALLIANCE,
            place_id=stage.street,
            alliance_id=alliance.id,
        )
    )
    session.commit()
    return alliance


@probe(Action.FORM_ALLIANCE, "alliance", "alliancemember", "fund", "auditentry")
def _form_alliance(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """Both communities: whoever forms it must reach both, which among the walkers only an
    admin granted without a place does (a street's admin or chair would too)."""
    other = stage.sides["out" if side == stage.sides["in"] else "in"]

    def act() -> None:
        alliance_id = alliances.form_alliance(
            session,
            viewer,
            name="East alliance",
            members=[
                alliances.MemberShare(side.community, side.fund, 600),
                alliances.MemberShare(other.community, other.fund, 400),
            ],
            rotation_months=12,
            council_from=WHEN,
            evaluator="Evaluation centre",
        )
        members = session.exec(
            select(AllianceMember.community_id).where(AllianceMember.alliance_id == alliance_id)
        ).all()
        assert set(members) == {side.community, other.community}

    return Attempt(None, act)


@probe(Action.RUN_JOINT_FUND, "alliancecall", "alliancecallpart", "ledgerentry", "auditentry")
def _call_contributions(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The probe's side chairs the council: its chair calls 100 yuan, 50 from each fund."""
    alliance = _alliance(session, stage, side)

    def act() -> None:
        alliances.call_contributions(
            session,
            viewer,
            alliance_id=id_of(alliance),
            amount="100",
            purpose="Joint canteen",
            called_on=WHEN,
        )
        (view,) = [v for v in alliances.alliances_page(session, viewer) if v.id == alliance.id]
        assert [m.contributed_fen for m in view.members] == [50_00, 50_00]

    return Attempt(side.community, act)


def _open_need(session: Session, side: Side) -> Need:
    need = Need(place_id=side.compound, title="Lunch for elders", category="elderly_care")
    session.add(need)
    session.commit()
    return need


@probe(Action.PLACE_ORDER, "serviceorder", "need", "auditentry")
def _place_order(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    need = _open_need(session, side)

    def act() -> None:
        order_id = orders.place_order(session, viewer, need_id=id_of(need))
        assert _row(session, ServiceOrder, order_id).need_id == need.id
        assert _row(session, Need, need.id).status == NeedStatus.ORDERED

    return Attempt(side.compound, act)


def _order(session: Session, side: Side, status: OrderStatus) -> tuple[ServiceOrder, int]:
    """An order of the side's compound in ``status``, and an organisation of the community."""
    organisation = SocialOrganisation(
        place_id=side.community,
        name=f"Organisation {uuid.uuid4().hex}",
        registration_no=uuid.uuid4().hex[:20],
        contact="Ms Wang",
    )
    need = _open_need(session, side)
    need.status = NeedStatus.ORDERED
    session.add_all([organisation, need])
    session.flush()
    taken = status != OrderStatus.OPEN
    order = ServiceOrder(
        need_id=id_of(need),
        place_id=side.compound,
        status=status,
        organisation_id=id_of(organisation) if taken else None,
        taken_at=utc_now() if taken else None,
    )
    session.add(order)
    session.commit()
    return order, id_of(organisation)


@probe(Action.HANDLE_ORDER, "serviceorder", "auditentry")
def _take_order(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    order, organisation = _order(session, side, OrderStatus.OPEN)

    def act() -> None:
        orders.take_order(session, viewer, order_id=id_of(order), organisation_id=organisation)
        taken = _row(session, ServiceOrder, order.id)
        assert (taken.status, taken.organisation_id) == (OrderStatus.TAKEN, organisation)

    return Attempt(side.compound, act)


@probe(Action.HANDLE_ORDER, "serviceorder", "auditentry", also="deliver_order")
def _deliver_order(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    order, _ = _order(session, side, OrderStatus.TAKEN)

    def act() -> None:
        orders.deliver_order(session, viewer, order_id=id_of(order))
        assert _row(session, ServiceOrder, order.id).status == OrderStatus.DELIVERED

    return Attempt(side.compound, act)


@probe(Action.HANDLE_ORDER, "serviceorder", "auditentry", also="report_order")
def _report_order(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    order, _ = _order(session, side, OrderStatus.DELIVERED)

    def act() -> None:
        orders.report_order(
            session, viewer, order_id=id_of(order), beneficiaries_served=12, report="Lunches"
        )
        reported = _row(session, ServiceOrder, order.id)
        assert (reported.status, reported.beneficiaries_served) == (OrderStatus.REPORTED, 12)

    return Attempt(side.compound, act)


@probe(Action.PLACE_ORDER, "serviceorder", "need", "auditentry", also="withdraw_order")
def _withdraw_order(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    order, _ = _order(session, side, OrderStatus.TAKEN)

    def act() -> None:
        orders.withdraw_order(session, viewer, order_id=id_of(order), reason="Covered already")
        assert _row(session, ServiceOrder, order.id).status == OrderStatus.WITHDRAWN
        assert _row(session, Need, order.need_id).status == NeedStatus.OPEN

    return Attempt(side.compound, act)


@probe(Action.MANAGE_CAMPAIGN, "campaign", "auditentry")
def _open_campaign(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A campaign for the need posted in the community, into its fund."""

    def act() -> None:
        campaign_id = campaigns.open_campaign(
            session,
            viewer,
            fund_id=side.fund,
            title="80 cushions",
            description="",
            target="3200",
            deadline=today(),
            need_id=side.need,
        )
        campaign = _row(session, Campaign, campaign_id)
        assert (campaign.fund_id, campaign.need_id, campaign.target_fen) == (
            side.fund,
            side.need,
            3200_00,
        )

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.MANAGE_CAMPAIGN, "campaign", "auditentry", also="close_campaign")
def _close_campaign(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    fund = _row(session, Fund, side.fund)
    campaign = Campaign(
        fund_id=side.fund,
        place_id=fund.place_id,
        title="Cushions",
        target_fen=320_000,
        deadline=today(),
        need_id=side.need,
    )
    session.add(campaign)
    session.commit()

    def act() -> None:
        campaigns.close_campaign(session, viewer, campaign_id=id_of(campaign))
        assert _row(session, Campaign, id_of(campaign)).status == "closed"

    return Attempt(fund.place_id, act)


@probe(Action.RECORD_DONATION, "ledgerentry", "auditentry", also="gift_to_campaign")
def _gift_to_campaign(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A gift to an open campaign of the fund: a designated donation with a receipt number."""
    fund = _row(session, Fund, side.fund)
    campaign = Campaign(
        fund_id=side.fund,
        place_id=fund.place_id,
        title="Lamps",
        target_fen=320_000,
        deadline=today(),
        proposal_id=side.selected,
    )
    session.add(campaign)
    session.commit()

    def act() -> None:
        entry_id = ledger.record_donation(
            session,
            viewer,
            fund_id=side.fund,
            amount="40",
            donor="Neighbour",
            purpose="cushions",
            occurred_on=today(),
            donor_kind="resident",
            campaign_id=id_of(campaign),
        )
        entry = _row(session, LedgerEntry, entry_id)
        assert (entry.campaign_id, entry.proposal_id, entry.donor_kind) == (
            id_of(campaign),
            side.selected,
            "resident",
        )
        assert (entry.receipt_number or "").startswith(f"JZ-{today().year}-")

    return Attempt(fund.place_id, act)


@probe(Action.RECORD_REVENUE, "revenueasset", "auditentry")
def _register_revenue_asset(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    def act() -> None:
        asset_id = campaigns.register_revenue_asset(
            session, viewer, fund_id=side.fund, name="Parking", kind="parking", description=""
        )
        asset = _row(session, RevenueAsset, asset_id)
        assert (asset.fund_id, asset.kind) == (side.fund, "parking")

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.RECORD_REVENUE, "ledgerentry", "auditentry", also="record_revenue")
def _record_revenue(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    asset = RevenueAsset(fund_id=side.fund, name="Canteen", kind="canteen")
    session.add(asset)
    session.commit()

    def act() -> None:
        entry_id = campaigns.record_revenue(
            session,
            viewer,
            asset_id=id_of(asset),
            amount="1200",
            purpose="October meals",
            occurred_on=WHEN,
        )
        entry = _row(session, LedgerEntry, entry_id)
        assert (entry.kind, entry.revenue_asset_id, entry.amount_fen) == (
            "revenue",
            id_of(asset),
            1200_00,
        )

    return Attempt(_row(session, Fund, side.fund).place_id, act)


@probe(Action.RECORD_JOINT_WORK, "allianceevent", "auditentry")
def _record_joint_work(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    alliance = _alliance(session, stage, side)

    def act() -> None:
        event_id = alliances.record_joint_event(
            session,
            viewer,
            alliance_id=id_of(alliance),
            title="Joint health fair",
            held_on=WHEN,
            place_id=side.compound,
            participants=120,
        )
        assert _row(session, AllianceEvent, event_id).participants == 120

    return Attempt(side.compound, act)


@probe(Action.RECORD_JOINT_WORK, "allianceproposal", "auditentry", also="add_joint_proposal")
def _add_joint_proposal(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    alliance = _alliance(session, stage, side)
    place_id = _row(session, Proposal, side.submitted).place_id

    def act() -> None:
        alliances.add_joint_proposal(
            session, viewer, alliance_id=id_of(alliance), proposal_id=side.submitted
        )
        (view,) = [v for v in alliances.alliances_page(session, viewer) if v.id == alliance.id]
        assert [p.proposal_id for p in view.proposals] == [side.submitted]

    return Attempt(place_id, act)


@probe(Action.RUN_JOINT_FUND, "ledgerentry", "auditentry", also="fund_joint_proposal")
def _fund_joint_proposal(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The side's selected proposal, a joint project, and 100 yuan in the joint fund."""
    alliance = _alliance(session, stage, side)
    session.add(AllianceProposal(alliance_id=id_of(alliance), proposal_id=side.selected))
    joint = session.exec(select(Fund).where(Fund.alliance_id == alliance.id)).one()
    session.add(
        LedgerEntry(
            kind="grant",
            amount_fen=100_00,
            destination_fund_id=joint.id,
            counterparty="Street office",
            purpose="seed",
            occurred_on=WHEN,
        )
    )
    session.commit()

    def act() -> None:
        entry_id = alliances.fund_joint_proposal(
            session,
            viewer,
            alliance_id=id_of(alliance),
            proposal_id=side.selected,
            amount="60",
            occurred_on=WHEN,
        )
        entry = _row(session, LedgerEntry, entry_id)
        assert (entry.kind, entry.source_fund_id, entry.amount_fen) == (
            "allocation",
            joint.id,
            60_00,
        )

    return Attempt(side.community, act)


@probe(Action.EVALUATE_JOINT_WORK, "alliancescore", "auditentry")
def _evaluate_joint_work(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    alliance = _alliance(session, stage, side)
    event = AllianceEvent(
        alliance_id=id_of(alliance),
        title="Joint health fair",
        held_on=WHEN,
        place_id=side.community,
        participants=120,
    )
    session.add(event)
    session.commit()

    def act() -> None:
        alliances.score_joint_work(
            session,
            viewer,
            alliance_id=id_of(alliance),
            event_id=id_of(event),
            satisfaction=4,
            resource_use=3,
            comment="Well attended",
        )
        (view,) = [v for v in alliances.alliances_page(session, viewer) if v.id == alliance.id]
        assert [(s.satisfaction, s.resource_use) for s in view.scores] == [(4, 3)]

    return Attempt(side.community, act)


@probe(Action.DRAFT_ALLOCATION, "allocationplan", "allocationline", "auditentry")
def _draft_allocation(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """A street's plan: whoever drafts it must reach the street, which among the walkers
    (granted on community A) only an admin granted without a place does."""

    def act() -> None:
        plan_id = allocation.draft_allocation_plan(
            session,
            viewer,
            street_id=stage.street,
            year=2030,
            total="1000",
            floor_percent=50,
            need_percent=50,
        )
        lines = session.exec(
            select(AllocationLine.amount_fen).where(AllocationLine.plan_id == plan_id)
        ).all()
        assert sum(lines) == 1000_00

    return Attempt(None, act)


def _plan(session: Session, stage: Stage, side: Side, year: int) -> tuple[AllocationPlan, int]:
    """A draft of the street (drafted by nobody among the walkers), 600 yuan to the side's
    community and 400 to the other's."""
    other = stage.sides["out" if side == stage.sides["in"] else "in"]
    year += side != stage.sides["in"]  # both sides may be staged in one sandbox
    plan = AllocationPlan(
        street_id=stage.street, year=year, total_fen=1000_00, floor_percent=0, need_percent=50
    )
    session.add(plan)
    session.flush()
    for community, fen in ((side.community, 600_00), (other.community, 400_00)):
        session.add(
            AllocationLine(
                plan_id=id_of(plan), community_id=community, suggested_fen=fen, amount_fen=fen
            )
        )
    session.commit()
    return plan, other.community


@probe(Action.ADJUST_ALLOCATION, "allocationline", "allocationadjustment", "auditentry")
def _adjust_allocation(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    plan, other = _plan(session, stage, side, 2031)

    def act() -> None:
        allocation.adjust_allocation(
            session,
            viewer,
            plan_id=id_of(plan),
            community_id=side.community,
            amount="550",
            counterpart_id=other,
            reason="Fewer households than counted.",
        )
        amounts = session.exec(
            select(AllocationLine.community_id, AllocationLine.amount_fen).where(
                AllocationLine.plan_id == plan.id
            )
        ).all()
        assert dict(amounts) == {side.community: 550_00, other: 450_00}

    return Attempt(None, act)


@probe(Action.PUBLISH_ALLOCATION, "allocationplan", "auditentry")
def _publish_allocation(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    plan, _ = _plan(session, stage, side, 2033)

    def act() -> None:
        allocation.publish_allocation(session, viewer, plan_id=id_of(plan))
        assert _row(session, AllocationPlan, id_of(plan)).status == "published"

    return Attempt(None, act)


@probe(Action.RATE_PROJECT, "projectrating", "auditentry")
def _rate_project(session: Session, viewer: Viewer, stage: Stage, side: Side) -> Attempt:
    """The side's funded project, carried out (straight into the store: the probe is about
    who may rate, not how a project ends)."""
    project = _row(session, Proposal, side.selected)
    project.status = "completed"
    session.add(project)
    session.commit()

    def act() -> None:
        ratings.rate_project(session, viewer, proposal_id=side.selected, stars=4, comment="Good")
        shown = ratings.project_ratings(session, viewer, proposal_id=side.selected)
        assert (shown.ratings, shown.own_stars, shown.may_rate) == (1, 4, True)

    return Attempt(project.place_id, act)


# --- the walk --------------------------------------------------------------------------------


def test_every_action_has_a_probe() -> None:
    assert set(PROBES) == set(Action)


@pytest.mark.parametrize("kind", list(WALKERS))
def test_each_walker_is_the_viewer_its_grant_makes(
    sandbox: Session, stage: Stage, kind: str
) -> None:
    """The store-to-viewer mapping the walk relies on: revoked grants and inactive people count
    for nothing, a grant without a place reaches everywhere."""
    viewer = viewer_for_person(sandbox, stage.walkers[kind])
    expected = expected_viewer(stage, kind)
    assert (viewer.person_id, viewer.grants) == (expected.person_id, expected.grants)


def test_each_probe_allows_someone_and_refuses_someone(sandbox: Session, stage: Stage) -> None:
    """Else a probe would only ever test one half; and "in" must be A, "out" must be B."""
    tree = place_tree(sandbox)
    one_sided = []
    for action, one in PROBES.items():
        outcomes = set()
        for scope in SCOPES:
            side = stage.sides[scope]
            viewer = viewer_for_person(sandbox, stage.walkers["no_role"])
            place_id = one.attempt(sandbox, viewer, stage, side).place_id
            if place_id is not None:
                assert tree.covers(side.community, place_id), (action, scope)
            outcomes |= {
                can(expected_viewer(stage, kind), action, place_id, tree) for kind in WALKERS
            }
        if outcomes != {True, False}:
            one_sided.append(action)
    assert one_sided == []


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("kind", WALK)
@pytest.mark.parametrize("scope", SCOPES)
def test_walk(sandbox: Session, stage: Stage, scope: str, kind: str, action: Action) -> None:
    walk(sandbox, stage, scope, kind, action, PROBES[action])


@pytest.mark.parametrize("name", list(MORE_PROBES))
@pytest.mark.parametrize("kind", WALK)
@pytest.mark.parametrize("scope", SCOPES)
def test_walk_more_services(
    sandbox: Session, stage: Stage, scope: str, kind: str, name: str
) -> None:
    walk(sandbox, stage, scope, kind, *MORE_PROBES[name])


def walk(sandbox: Session, stage: Stage, scope: str, kind: str, action: Action, one: Probe) -> None:
    viewer = viewer_for_person(sandbox, stage.walkers[kind])
    attempt = one.attempt(sandbox, viewer, stage, stage.sides[scope])
    allowed = can(expected_viewer(stage, kind), action, attempt.place_id, place_tree(sandbox))
    before = fingerprint(sandbox)
    if one.hides:
        assert attempt.act() is allowed
    elif allowed:
        attempt.act()
    else:
        with pytest.raises(NotAllowed) as refusal:
            attempt.act()
        assert refusal.value.params == {"action": action.value}
    after = fingerprint(sandbox)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == (one.writes if allowed else set())


@pytest.mark.parametrize("kind", WALK)
def test_a_proposal_of_a_cannot_join_bs_round(sandbox: Session, stage: Stage, kind: str) -> None:
    """The place is in scope, the round it names is not: refused, nothing changed (else A's
    committee would review it and put it on B's ballot, to be paid from B's fund)."""
    smuggled = draft(stage.sides["in"].compound, "Smuggled", stage.sides["out"].open_round)
    viewer = viewer_for_person(sandbox, stage.walkers[kind])
    before = fingerprint(sandbox)
    with pytest.raises(NotAllowed) as refusal:
        proposals.submit_proposal(sandbox, viewer, draft=smuggled)
    assert refusal.value.params == {"action": Action.SUBMIT_PROPOSAL.value}
    assert fingerprint(sandbox) == before
