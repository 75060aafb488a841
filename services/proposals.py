"""Proposals (提案): submitted with a budget, co-funding and maintenance plan, checked against
the fund's charter, then moved through eligibility, deliberation, the ballot and delivery.

A resident may keep a proposal as a draft (private to its author) and submit it later; an
input error inside a budget line or a pledge names its row; neighbours support a proposal, and
may take the support back, while it is undecided."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, delete, func, select

from models import (
    Attachment,
    BudgetRound,
    CoFundingPledge,
    Need,
    NeedSupport,
    Place,
    Proposal,
    ProposalLineItem,
    ProposalStatusChange,
    ProposalSupport,
)
from models.clock import utc_now
from models.vocabulary import (
    Category,
    CharterStage,
    CoFundingSource,
    NeedStatus,
    ProposalStatus,
)
from services import ledger, workflow
from services.charters import (
    charter_breaches,
    check_or_override,
    check_proposal,
    community_of,
    current_charter,
    paying_fund,
    refuse,
)
from services.common import (
    MAX_AMOUNT_FEN,
    bounded_int,
    checked_product,
    choice,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    WrongPhase,
)
from services.permissions import Action, PlaceTree, Viewer, require

S = ProposalStatus
MAX_LINE_ITEMS = 50
MAX_PLEDGES = 50
MAX_QUANTITY = 1_000_000  # of one budget line: lamps, benches, hours of work
MAX_MAINTENANCE_YEARS = 50


@dataclass(frozen=True)
class LineItemInput:
    description: str
    category: str
    quantity: int
    unit_price: str  # yuan, as typed


@dataclass(frozen=True)
class PledgeInput:
    source_kind: str
    source_name: str
    amount: str  # yuan, as typed
    is_confirmed: bool = False


@dataclass(frozen=True)
class ProposalDraft:
    place_id: int
    title: str
    summary: str
    category: str
    line_items: list[LineItemInput]
    co_funding: list[PledgeInput] = field(default_factory=list)
    maintenance_plan: str = ""
    maintainer: str = ""
    maintenance_years: int = 0
    round_id: int | None = None
    need_id: int | None = None
    proposer_group: str = ""


@dataclass(frozen=True)
class _LineItem:
    """A checked budget line, stored as a ProposalLineItem once the proposal has its id."""

    position: int
    description: str
    category: str
    quantity: int
    unit_price_fen: int

    def row(self, proposal_id: int) -> ProposalLineItem:
        return ProposalLineItem(
            proposal_id=proposal_id,
            position=self.position,
            description=self.description,
            category=self.category,
            quantity=self.quantity,
            unit_price_fen=self.unit_price_fen,
        )


@dataclass(frozen=True)
class _Pledge:
    """A checked co-funding pledge, stored as a CoFundingPledge once the proposal has its id."""

    source_kind: str
    source_name: str
    amount_fen: int
    is_confirmed: bool

    def row(self, proposal_id: int) -> CoFundingPledge:
        return CoFundingPledge(
            proposal_id=proposal_id,
            source_kind=self.source_kind,
            source_name=self.source_name,
            amount_fen=self.amount_fen,
            is_confirmed=self.is_confirmed,
        )


def _blank(*typed: object) -> bool:
    """A row of the form with nothing typed into it (its choices keep their defaults): the
    empty row a phone form starts with is left out, not refused."""
    return all(isinstance(value, str) and not value.strip() for value in typed)


@contextmanager
def _in_row(part: str, number: int) -> Iterator[None]:
    """An input error inside one row names the row as the form numbers it (from 1), so that a
    resident on a phone knows which of the rows to fix: "第 2 行：…"."""
    try:
        yield
    except InvalidInput as error:
        raise type(error)(error.code, **error.params, row=number, part=part) from None


def _amount(value: str | int | None, field: str, *, complete: bool) -> int:
    """Yuan as typed. An empty amount is missing: refused on submission, kept as 0 in a draft
    (a budget line whose price is not known yet). Only an empty field is empty: blanks or a
    stray control character are a wrong amount, said so, never silently a price of 0."""
    if value is None or value == "":
        if complete:
            raise InvalidInput("amount_required", field=field)
        return 0
    return parse_yuan(value, field, allow_zero=not complete)


def _line_items(draft: ProposalDraft, *, complete: bool) -> list[_LineItem]:
    if len(draft.line_items) > MAX_LINE_ITEMS:
        raise InvalidInput("field_too_long", field="line_items", max=MAX_LINE_ITEMS)
    items: list[_LineItem] = []
    for number, item in enumerate(draft.line_items, start=1):
        if _blank(item.description, item.unit_price):
            continue
        with _in_row("line_items", number):
            description = clean_text(
                item.description, "line_item", max_length=200, required=complete
            )
            category = choice(item.category, Category, "category")
            quantity = bounded_int(item.quantity, "quantity", low=1, high=MAX_QUANTITY)
            unit_price_fen = _amount(item.unit_price, "unit_price", complete=complete)
            checked_product(quantity, unit_price_fen, "unit_price")
        items.append(
            _LineItem(
                position=len(items),
                description=description,
                category=category,
                quantity=quantity,
                unit_price_fen=unit_price_fen,
            )
        )
    if complete and not items:
        raise InvalidInput("line_items_required")
    return items


def _pledges(draft: ProposalDraft) -> list[_Pledge]:
    """A pledge needs its amount even in a draft (the store holds no empty pledge)."""
    if len(draft.co_funding) > MAX_PLEDGES:
        raise InvalidInput("field_too_long", field="co_funding", max=MAX_PLEDGES)
    pledges: list[_Pledge] = []
    for number, pledge in enumerate(draft.co_funding, start=1):
        if _blank(pledge.source_name, pledge.amount):
            continue
        with _in_row("co_funding", number):
            pledges.append(
                _Pledge(
                    source_kind=choice(pledge.source_kind, CoFundingSource, "source_kind"),
                    source_name=clean_text(pledge.source_name, "source_name", max_length=120),
                    amount_fen=_amount(pledge.amount, "amount", complete=True),
                    is_confirmed=pledge.is_confirmed,
                )
            )
    return pledges


@dataclass(frozen=True)
class _Checked:
    """A draft's fields, cleaned: ``complete`` ones (for submission) have everything required."""

    title: str
    summary: str
    category: str
    items: list[_LineItem]
    pledges: list[_Pledge]
    maintenance_plan: str
    maintainer: str
    maintenance_years: int
    proposer_group: str

    @property
    def cost_fen(self) -> int:
        return sum(item.quantity * item.unit_price_fen for item in self.items)

    @property
    def co_funding_fen(self) -> int:
        return sum(pledge.amount_fen for pledge in self.pledges)


def _checked(draft: ProposalDraft, *, complete: bool) -> _Checked:
    """In the order the form asks, so that the first error named is the first one on screen."""
    checked = _Checked(
        title=clean_text(draft.title, "title", max_length=120, required=complete),
        summary=clean_text(
            draft.summary, "summary", max_length=4000, multiline=True, required=complete
        ),
        category=choice(draft.category, Category, "category"),
        items=_line_items(draft, complete=complete),
        pledges=_pledges(draft),
        maintenance_plan=clean_text(
            draft.maintenance_plan,
            "maintenance_plan",
            max_length=2000,
            multiline=True,
            required=complete,
        ),
        maintainer=clean_text(draft.maintainer, "maintainer", max_length=120, required=complete),
        maintenance_years=bounded_int(
            draft.maintenance_years, "maintenance_years", low=0, high=MAX_MAINTENANCE_YEARS
        ),
        proposer_group=clean_text(
            draft.proposer_group, "proposer_group", max_length=120, required=False
        ),
    )
    if checked.cost_fen > MAX_AMOUNT_FEN:
        raise InvalidInput("amount_too_large", field="line_items", max_fen=MAX_AMOUNT_FEN)
    if complete and checked.co_funding_fen > checked.cost_fen:
        raise InvalidInput("co_funding_exceeds_cost")
    return checked


def _check_links(
    session: Session, tree: PlaceTree, draft: ProposalDraft, checked: _Checked, *, complete: bool
) -> Need | None:
    """The round and the need a proposal names. A proposal joins only a round whose area
    contains its place: else one community's people could put it on another community's
    ballot, to be paid from that community's fund, with its eligibility reviewed by their own
    committee. The round's phase and the charter of the fund that would pay it (the round's,
    else the community micro-fund's) are checked on submission only, every rule at once."""
    if draft.round_id is not None:
        budget_round = get_or_fail(session, BudgetRound, draft.round_id)
        if not tree.covers(budget_round.place_id, draft.place_id):
            raise NotAllowed(action=Action.SUBMIT_PROPOSAL.value)
        if complete:
            workflow.require(budget_round, workflow.Step.SUBMIT_PROPOSAL)
    if complete:
        fund = paying_fund(session, tree, place_id=draft.place_id, round_id=draft.round_id)
        refuse(
            charter_breaches(
                current_charter(session, id_of(fund)) if fund is not None else None,
                category=checked.category,
                lines=checked.items,
                cost_fen=checked.cost_fen,
                co_funding_fen=checked.co_funding_fen,
            )
        )
    if draft.need_id is None:
        return None
    need = get_or_fail(session, Need, draft.need_id)
    if community_of(session, tree, need.place_id) != community_of(session, tree, draft.place_id):
        raise InvalidInput("need_from_elsewhere")
    return need


def _own_draft(session: Session, viewer: Viewer, proposal_id: int) -> Proposal:
    """A draft is its author's alone: anyone else is told it does not exist."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    if viewer.person_id is None or proposal.proposer_id != viewer.person_id:
        raise NotFound(entity="proposal")
    if proposal.status != S.DRAFT:
        raise WrongPhase("proposal_not_a_draft", status=proposal.status)
    return proposal


def _to_fill(
    session: Session, viewer: Viewer, draft: ProposalDraft, draft_id: int | None
) -> tuple[Proposal, dict[str, Any] | None]:
    """The author's draft ``draft_id`` and how it was (for the audit), or a new proposal."""
    if draft_id is not None:
        proposal = _own_draft(session, viewer, draft_id)
        return proposal, snapshot(proposal)
    new = Proposal(
        place_id=draft.place_id, proposer_id=viewer.person_id, title="", category="", status=S.DRAFT
    )
    return new, None


def _store(session: Session, proposal: Proposal, draft: ProposalDraft, checked: _Checked) -> int:
    """The proposal's fields and rows as checked; a draft's earlier rows are replaced."""
    proposal.place_id = draft.place_id
    proposal.round_id = draft.round_id
    proposal.need_id = draft.need_id
    proposal.title = checked.title
    proposal.summary = checked.summary
    proposal.category = checked.category
    proposal.maintenance_plan = checked.maintenance_plan
    proposal.maintainer = checked.maintainer
    proposal.maintenance_years = checked.maintenance_years
    proposal.proposer_group = checked.proposer_group
    proposal.updated_at = utc_now()
    session.add(proposal)
    session.flush()
    proposal_id = id_of(proposal)
    session.exec(delete(ProposalLineItem).where(col(ProposalLineItem.proposal_id) == proposal_id))
    session.exec(delete(CoFundingPledge).where(col(CoFundingPledge.proposal_id) == proposal_id))
    for item in checked.items:
        session.add(item.row(proposal_id))
    for pledge in checked.pledges:
        session.add(pledge.row(proposal_id))
    return proposal_id


def save_draft(
    session: Session, viewer: Viewer, *, draft: ProposalDraft, draft_id: int | None = None
) -> int:
    """Keeps an unfinished proposal for its author to finish later (on another day, on another
    device): required fields may be empty and prices unknown, but what is typed must be
    valid, so that submitting later fails only for what is still missing."""
    get_or_fail(session, Place, draft.place_id)
    tree = place_tree(session)
    require(viewer, Action.SUBMIT_PROPOSAL, draft.place_id, tree)
    proposal, before = _to_fill(session, viewer, draft, draft_id)
    checked = _checked(draft, complete=False)
    _check_links(session, tree, draft, checked, complete=False)
    proposal_id = _store(session, proposal, draft, checked)
    record_audit(session, viewer, "save_draft", proposal, before=before)
    session.commit()
    return proposal_id


def submit_proposal(
    session: Session, viewer: Viewer, *, draft: ProposalDraft, draft_id: int | None = None
) -> int:
    """A new proposal, or the author's draft ``draft_id``, made public with everything checked:
    the fields, the round it joins and its phase, the fund's charter, the need it answers
    (which becomes adopted, unless it stands ordered from a social organisation)."""
    get_or_fail(session, Place, draft.place_id)
    tree = place_tree(session)
    require(viewer, Action.SUBMIT_PROPOSAL, draft.place_id, tree)
    proposal, before = _to_fill(session, viewer, draft, draft_id)
    checked = _checked(draft, complete=True)
    need = _check_links(session, tree, draft, checked, complete=True)
    if need is not None and need.status != NeedStatus.ORDERED:
        need.status = NeedStatus.ADOPTED
        session.add(need)
    proposal.status = S.SUBMITTED
    proposal_id = _store(session, proposal, draft, checked)
    session.add(
        ProposalStatusChange(
            proposal_id=proposal_id,
            from_status=S.DRAFT if draft_id is not None else None,
            to_status=S.SUBMITTED,
            changed_by_id=viewer.person_id,
        )
    )
    record_audit(session, viewer, "submit_proposal", proposal, before=before)
    session.commit()
    return proposal_id


@dataclass(frozen=True)
class DraftRow:
    id: int
    title: str
    place: str
    cost_fen: int
    updated_at: datetime


def my_drafts(session: Session, viewer: Viewer) -> list[DraftRow]:
    """The viewer's unfinished proposals, the latest first."""
    if viewer.person_id is None:
        return []
    cost = func.coalesce(func.sum(ProposalLineItem.quantity * ProposalLineItem.unit_price_fen), 0)
    query = (
        select(Proposal, Place.name, cost)
        .join(Place, col(Place.id) == Proposal.place_id)
        .join(ProposalLineItem, col(ProposalLineItem.proposal_id) == Proposal.id, isouter=True)
        .where(Proposal.proposer_id == viewer.person_id, Proposal.status == S.DRAFT)
        .group_by(col(Proposal.id), col(Place.name))
        .order_by(col(Proposal.updated_at).desc(), col(Proposal.id).desc())
    )
    return [
        DraftRow(
            id=id_of(proposal),
            title=proposal.title,
            place=place,
            cost_fen=int(total),
            updated_at=proposal.updated_at,
        )
        for proposal, place, total in session.exec(query)
    ]


def _yuan_text(fen: int) -> str:
    """Fen as a person would type them back into the form ("220", "220.50"), and "" for a
    price not given yet."""
    if fen == 0:
        return ""
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}" if cents else str(yuan)


def draft_form(session: Session, viewer: Viewer, *, proposal_id: int) -> ProposalDraft:
    """A stored draft as the form's input, to continue where its author left off."""
    proposal = _own_draft(session, viewer, proposal_id)
    items = session.exec(
        select(ProposalLineItem)
        .where(ProposalLineItem.proposal_id == proposal_id)
        .order_by(col(ProposalLineItem.position))
    ).all()
    pledges = session.exec(
        select(CoFundingPledge)
        .where(CoFundingPledge.proposal_id == proposal_id)
        .order_by(col(CoFundingPledge.id))
    ).all()
    return ProposalDraft(
        place_id=proposal.place_id,
        round_id=proposal.round_id,
        need_id=proposal.need_id,
        title=proposal.title,
        summary=proposal.summary,
        category=proposal.category,
        line_items=[
            LineItemInput(i.description, i.category, i.quantity, _yuan_text(i.unit_price_fen))
            for i in items
        ],
        co_funding=[
            PledgeInput(p.source_kind, p.source_name, _yuan_text(p.amount_fen), p.is_confirmed)
            for p in pledges
        ],
        maintenance_plan=proposal.maintenance_plan,
        maintainer=proposal.maintainer,
        maintenance_years=proposal.maintenance_years,
        proposer_group=proposal.proposer_group,
    )


def discard_draft(session: Session, viewer: Viewer, *, proposal_id: int) -> None:
    """A draft nobody else has seen is deleted with its rows; one with files attached is kept
    (the files' records go with their proposal)."""
    proposal = _own_draft(session, viewer, proposal_id)
    if session.exec(select(Attachment.id).where(Attachment.proposal_id == proposal_id)).first():
        raise Conflict("draft_has_attachments")
    before = snapshot(proposal)
    session.exec(delete(ProposalLineItem).where(col(ProposalLineItem.proposal_id) == proposal_id))
    session.exec(delete(CoFundingPledge).where(col(CoFundingPledge.proposal_id) == proposal_id))
    session.delete(proposal)
    record_audit(session, viewer, "discard_draft", proposal, before=before, after={})
    session.commit()


@dataclass(frozen=True)
class NeedChoice:
    id: int
    title: str
    place: str
    supporters: int


def needs_to_answer(
    session: Session, *, place_id: int, chosen_need_id: int | None = None
) -> list[NeedChoice]:
    """Open needs of the community a proposal's place lies in, the most supported first: the
    ones a proposal there may answer. ``chosen_need_id``: a need already chosen (by a draft),
    shown even if another proposal adopted it meanwhile."""
    tree = place_tree(session)
    community = community_of(session, tree, place_id)
    nearby = [pid for pid, _ in tree.parents.items() if community in tree.lineage(pid)]
    supporters = func.count(col(NeedSupport.id))
    wanted = or_(col(Need.status) == NeedStatus.OPEN, col(Need.id) == chosen_need_id)
    query = (
        select(Need, Place.name, supporters)
        .join(Place, col(Place.id) == Need.place_id)
        .join(NeedSupport, col(NeedSupport.need_id) == Need.id, isouter=True)
        .where(col(Need.place_id).in_(nearby), wanted)
        .group_by(col(Need.id), col(Place.name))
        .order_by(supporters.desc(), col(Need.id))
    )
    return [
        NeedChoice(id=id_of(need), title=need.title, place=place, supporters=count)
        for need, place, count in session.exec(query)
    ]


def change_proposal_status(
    session: Session,
    viewer: Viewer,
    *,
    proposal_id: int,
    to_status: str,
    reason: str = "",
    override_reason: str = "",
) -> None:
    """A move of the table in ``services.workflow``. Marking a proposal eligible checks every
    rule of its fund's charter again (the yearly cap and the co-funding share among them): a
    proposal that breaks one is refused, unless the chair gives ``override_reason``, which is
    recorded as a charter exception. Closing a project releases its
    unspent money (``ledger.release_unspent``) in the same transaction; the books' lock is taken
    before the status is read, so that two closings sent at once release once."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    if override_reason.strip():  # asking to go against the charter: the chair's alone
        require_at(session, viewer, Action.OVERRIDE_CHARTER, proposal.place_id)
    target = ProposalStatus(choice(to_status, ProposalStatus, "status"))
    if target in workflow.CLOSING:
        lock_for_change(session)
        session.refresh(proposal)
    current = ProposalStatus(proposal.status)
    move = workflow.status_move(current, target)
    if move.mover is workflow.Mover.PROPOSER:
        if viewer.person_id is None or viewer.person_id != proposal.proposer_id:
            raise NotAllowed(action="withdraw_proposal")
    elif move.mover is workflow.Mover.COMMITTEE and move.action is not None:
        require_at(session, viewer, move.action, proposal.place_id)
    else:  # the round's own moves, and overrides, which ``tally.override_result`` makes
        raise WrongPhase("proposal_move_invalid", from_status=current.value, to_status=target.value)
    if move.step is not None and proposal.round_id is not None:
        workflow.require(get_or_fail(session, BudgetRound, proposal.round_id), move.step)
    reason = clean_text(reason, "reason", max_length=500, required=move.needs_reason)
    override_reason = clean_text(override_reason, "override_reason", max_length=500, required=False)
    if target == S.ELIGIBLE:
        lock_for_change(session)  # two proposals marked at once count against the cap in turn
        check = check_proposal(session, place_tree(session), proposal)
        check_or_override(
            session,
            viewer,
            fund_id=check.fund.id if check.fund is not None else None,
            charter=check.charter,
            proposal=proposal,
            stage=CharterStage.ELIGIBILITY,
            breaches=check.breaches,
            override_reason=override_reason,
        )
    before = snapshot(proposal)
    workflow.record_move(session, viewer, proposal, target, reason)
    record_audit(session, viewer, "change_proposal_status", proposal, before=before)
    if target in workflow.CLOSING:
        ledger.release_unspent(session, viewer, proposal)
    session.commit()


def _supportable(session: Session, viewer: Viewer, proposal_id: int) -> Proposal:
    """A draft is nobody's business but its author's: it is not found."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    if proposal.status == S.DRAFT:
        raise NotFound(entity="proposal")
    require_at(session, viewer, Action.SUPPORT, proposal.place_id)
    if proposal.status not in workflow.SUPPORTABLE:
        raise WrongPhase("proposal_support_closed", status=proposal.status)
    return proposal


def _support_of(session: Session, viewer: Viewer, proposal_id: int) -> ProposalSupport | None:
    return session.exec(
        select(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal_id,
            ProposalSupport.person_id == viewer.person_id,
        )
    ).first()


def support_proposal(session: Session, viewer: Viewer, *, proposal_id: int) -> None:
    """One support per person and proposal: the check and the insert are one step under the
    change lock, and the unique key catches whatever could slip past it."""
    _supportable(session, viewer, proposal_id)
    lock_for_change(session)
    if _support_of(session, viewer, proposal_id) is not None:
        raise Conflict("already_supported")
    support = ProposalSupport(proposal_id=proposal_id, person_id=viewer.person_id)  # type: ignore[arg-type]
    session.add(support)
    try:
        record_audit(session, viewer, "support_proposal", support)
    except Conflict:  # the same person's support, sent twice at once
        session.rollback()
        raise Conflict("already_supported") from None
    session.commit()


def withdraw_support(session: Session, viewer: Viewer, *, proposal_id: int) -> None:
    """Takes back the viewer's support while the proposal is still open for it. Two withdrawals
    sent at once: the second finds nothing to take back, and says so."""
    _supportable(session, viewer, proposal_id)
    lock_for_change(session)
    support = _support_of(session, viewer, proposal_id)
    if support is None:
        raise Conflict("not_supported")
    before = snapshot(support)
    session.delete(support)
    record_audit(session, viewer, "withdraw_support", support, before=before, after={})
    session.commit()


def supported_proposals(session: Session, viewer: Viewer) -> set[int]:
    """The proposals the viewer supports, to show "withdraw" instead of "support"."""
    if viewer.person_id is None:
        return set()
    query = select(ProposalSupport.proposal_id).where(ProposalSupport.person_id == viewer.person_id)
    return set(session.exec(query).all())


@dataclass(frozen=True)
class ProposalRow:
    id: int
    title: str
    place: str
    place_id: int
    round_id: int | None
    category: str
    status: str
    cost_fen: int
    co_funding_fen: int
    supporters: int
    updated_at: datetime

    @property
    def requested_fen(self) -> int:
        """What the seed fund is asked for: the cost less the co-funding."""
        return self.cost_fen - self.co_funding_fen


def _totals(
    session: Session,
    model: type[ProposalLineItem] | type[CoFundingPledge] | type[ProposalSupport],
    amount: Any,
    listed: Any,
) -> dict[int, int]:
    """Per proposal, summed in the database, for the listed proposals only (a subquery)."""
    proposal_id = col(model.proposal_id)
    query = select(proposal_id, func.sum(amount)).where(proposal_id.in_(listed))
    return dict(session.exec(query.group_by(proposal_id)).all())


def list_proposals(
    session: Session,
    *,
    place_id: int | None = None,
    round_id: int | None = None,
    statuses: tuple[str, ...] = (),
    proposal_ids: Sequence[int] | None = None,
) -> list[ProposalRow]:
    """Proposals are public once submitted (drafts stay with their author). Their totals are
    read for the proposals asked for, not for every proposal in the store."""
    conditions: list[Any] = [Proposal.status != S.DRAFT]
    if place_id is not None:
        conditions.append(Proposal.place_id == place_id)
    if round_id is not None:
        conditions.append(Proposal.round_id == round_id)
    if statuses:
        conditions.append(col(Proposal.status).in_(statuses))
    if proposal_ids is not None:
        conditions.append(col(Proposal.id).in_(proposal_ids))
    listed = select(Proposal.id).where(*conditions)
    costs = _totals(
        session,
        ProposalLineItem,
        ProposalLineItem.quantity * ProposalLineItem.unit_price_fen,
        listed,
    )
    pledges = _totals(session, CoFundingPledge, CoFundingPledge.amount_fen, listed)
    supporters = _totals(session, ProposalSupport, 1, listed)
    query = (
        select(Proposal, Place.name)
        .join(Place, col(Place.id) == Proposal.place_id)
        .where(*conditions)
    )
    return [
        ProposalRow(
            id=p.id,  # type: ignore[arg-type]
            title=p.title,
            place=place,
            place_id=p.place_id,
            round_id=p.round_id,
            category=p.category,
            status=p.status,
            cost_fen=int(costs.get(p.id, 0)),  # type: ignore[arg-type]
            co_funding_fen=int(pledges.get(p.id, 0)),  # type: ignore[arg-type]
            supporters=int(supporters.get(p.id, 0)),  # type: ignore[arg-type]
            updated_at=p.updated_at,
        )
        for p, place in session.exec(query.order_by(col(Proposal.id)))
    ]


@dataclass(frozen=True)
class ProposalDetail:
    row: ProposalRow
    summary: str
    maintenance_plan: str
    maintainer: str
    maintenance_years: int
    proposer_group: str
    line_items: list[ProposalLineItem]
    pledges: list[CoFundingPledge]
    history: list[ProposalStatusChange]


def proposal_detail(session: Session, *, proposal_id: int) -> ProposalDetail:
    proposal = get_or_fail(session, Proposal, proposal_id)
    rows = list_proposals(session, proposal_ids=[proposal_id])
    if not rows:
        raise NotFound(entity="proposal")  # drafts are not public
    return ProposalDetail(
        row=rows[0],
        summary=proposal.summary,
        maintenance_plan=proposal.maintenance_plan,
        maintainer=proposal.maintainer,
        maintenance_years=proposal.maintenance_years,
        proposer_group=proposal.proposer_group,
        line_items=list(
            session.exec(
                select(ProposalLineItem)
                .where(ProposalLineItem.proposal_id == proposal_id)
                .order_by(col(ProposalLineItem.position))
            )
        ),
        pledges=list(
            session.exec(select(CoFundingPledge).where(CoFundingPledge.proposal_id == proposal_id))
        ),
        history=list(
            session.exec(
                select(ProposalStatusChange)
                .where(ProposalStatusChange.proposal_id == proposal_id)
                .order_by(col(ProposalStatusChange.id))
            )
        ),
    )
