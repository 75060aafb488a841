"""Proposals (提案): submitted with a budget, co-funding and maintenance plan, checked against
the fund's charter, then moved through eligibility, deliberation, the ballot and delivery."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, func, select

from models import (
    BudgetRound,
    CoFundingPledge,
    FundCharter,
    Need,
    Place,
    Proposal,
    ProposalLineItem,
    ProposalStatusChange,
    ProposalSupport,
)
from models.clock import utc_now
from models.vocabulary import (
    Category,
    CoFundingSource,
    NeedStatus,
    PlaceKind,
    ProposalStatus,
)
from services import workflow
from services.common import (
    MAX_AMOUNT_FEN,
    bounded_int,
    checked_product,
    choice,
    clean_text,
    get_or_fail,
    id_of,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import (
    CharterViolation,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    WrongPhase,
)
from services.ledger import current_charter
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


class HasCategory(Protocol):
    """What the charter check reads of a budget line (a checked input or a stored row)."""

    @property
    def category(self) -> str: ...


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


def _line_items(draft: ProposalDraft) -> list[_LineItem]:
    if not draft.line_items:
        raise InvalidInput("line_items_required")
    if len(draft.line_items) > MAX_LINE_ITEMS:
        raise InvalidInput("field_too_long", field="line_items", max=MAX_LINE_ITEMS)
    items = []
    for position, item in enumerate(draft.line_items):
        quantity = bounded_int(item.quantity, "quantity", low=1, high=MAX_QUANTITY)
        unit_price_fen = parse_yuan(item.unit_price, "unit_price")
        checked_product(quantity, unit_price_fen, "unit_price")
        items.append(
            _LineItem(
                position=position,
                description=clean_text(item.description, "line_item", max_length=200),
                category=choice(item.category, Category, "category"),
                quantity=quantity,
                unit_price_fen=unit_price_fen,
            )
        )
    return items


def _pledges(draft: ProposalDraft) -> list[_Pledge]:
    if len(draft.co_funding) > MAX_PLEDGES:
        raise InvalidInput("field_too_long", field="co_funding", max=MAX_PLEDGES)
    return [
        _Pledge(
            source_kind=choice(p.source_kind, CoFundingSource, "source_kind"),
            source_name=clean_text(p.source_name, "source_name", max_length=120),
            amount_fen=parse_yuan(p.amount, "co_funding"),
            is_confirmed=p.is_confirmed,
        )
        for p in draft.co_funding
    ]


def check_charter(
    charter: FundCharter | None,
    *,
    category: str,
    items: Sequence[HasCategory],
    cost_fen: int,
    co_funding_fen: int,
) -> None:
    """Raises the first rule of the charter the proposal breaks (eligibility review, 资格审查)."""
    if charter is None:
        return
    categories = {category} | {item.category for item in items}
    forbidden = sorted(categories & set(charter.forbidden_categories))
    if forbidden:
        raise CharterViolation("charter_forbidden_category", category=forbidden[0])
    if charter.allowed_categories and category not in charter.allowed_categories:
        raise CharterViolation("charter_category_not_allowed", category=category)
    requested = cost_fen - co_funding_fen
    if charter.per_project_cap_fen is not None and requested > charter.per_project_cap_fen:
        raise CharterViolation(
            "charter_project_cap", cap_fen=charter.per_project_cap_fen, requested_fen=requested
        )
    if co_funding_fen * 1000 < charter.min_co_funding_permille * cost_fen:
        raise CharterViolation(
            "charter_co_funding",
            required_permille=charter.min_co_funding_permille,
            cost_fen=cost_fen,
        )


def _community(session: Session, tree: PlaceTree, place_id: int) -> int:
    """The community a place belongs to, or the place itself when it lies above communities:
    needs and proposals meet within one community, where the neighbours deliberate together."""
    lineage = tree.lineage(place_id)
    kinds = dict(session.exec(select(Place.id, Place.kind).where(col(Place.id).in_(lineage))).all())
    return next((pid for pid in lineage if kinds.get(pid) == PlaceKind.COMMUNITY), place_id)


def submit_proposal(session: Session, viewer: Viewer, *, draft: ProposalDraft) -> int:
    """A proposal joins only a round whose area contains its place: else one community's
    people could put it on another community's ballot, to be paid from that community's fund,
    with its eligibility reviewed by their own committee."""
    get_or_fail(session, Place, draft.place_id)
    tree = place_tree(session)
    require(viewer, Action.SUBMIT_PROPOSAL, draft.place_id, tree)
    items = _line_items(draft)
    pledges = _pledges(draft)
    cost_fen = sum(item.quantity * item.unit_price_fen for item in items)
    if cost_fen > MAX_AMOUNT_FEN:
        raise InvalidInput("amount_too_large", field="line_items", max_fen=MAX_AMOUNT_FEN)
    co_funding_fen = sum(p.amount_fen for p in pledges)
    if co_funding_fen > cost_fen:
        raise InvalidInput("co_funding_exceeds_cost")
    years = bounded_int(
        draft.maintenance_years, "maintenance_years", low=0, high=MAX_MAINTENANCE_YEARS
    )
    if draft.round_id is not None:
        budget_round = get_or_fail(session, BudgetRound, draft.round_id)
        if not tree.covers(budget_round.place_id, draft.place_id):
            raise NotAllowed(action=Action.SUBMIT_PROPOSAL.value)
        workflow.require(budget_round, workflow.Step.SUBMIT_PROPOSAL)
        check_charter(
            current_charter(session, budget_round.fund_id),
            category=draft.category,
            items=items,
            cost_fen=cost_fen,
            co_funding_fen=co_funding_fen,
        )
    if draft.need_id is not None:
        need = get_or_fail(session, Need, draft.need_id)
        if _community(session, tree, need.place_id) != _community(session, tree, draft.place_id):
            raise InvalidInput("need_from_elsewhere")
        need.status = NeedStatus.ADOPTED
        session.add(need)
    proposal = Proposal(
        place_id=draft.place_id,
        round_id=draft.round_id,
        need_id=draft.need_id,
        proposer_id=viewer.person_id,
        proposer_group=clean_text(
            draft.proposer_group, "proposer_group", max_length=120, required=False
        ),
        title=clean_text(draft.title, "title", max_length=120),
        summary=clean_text(draft.summary, "summary", max_length=4000, multiline=True),
        category=choice(draft.category, Category, "category"),
        status=S.SUBMITTED,
        maintenance_plan=clean_text(
            draft.maintenance_plan, "maintenance_plan", max_length=2000, multiline=True
        ),
        maintainer=clean_text(draft.maintainer, "maintainer", max_length=120),
        maintenance_years=years,
    )
    session.add(proposal)
    session.flush()
    proposal_id = id_of(proposal)
    for item in items:
        session.add(item.row(proposal_id))
    for pledge in pledges:
        session.add(pledge.row(proposal_id))
    session.add(
        ProposalStatusChange(
            proposal_id=proposal_id, to_status=S.SUBMITTED, changed_by_id=viewer.person_id
        )
    )
    record_audit(session, viewer, "submit_proposal", proposal)
    session.commit()
    return proposal_id


def change_proposal_status(
    session: Session, viewer: Viewer, *, proposal_id: int, to_status: str, reason: str = ""
) -> None:
    proposal = get_or_fail(session, Proposal, proposal_id)
    target = ProposalStatus(choice(to_status, ProposalStatus, "status"))
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
    before = snapshot(proposal)
    proposal.status = target
    proposal.updated_at = utc_now()
    session.add(proposal)
    session.add(
        ProposalStatusChange(
            proposal_id=proposal_id,
            from_status=current,
            to_status=target,
            reason=reason,
            changed_by_id=viewer.person_id,
        )
    )
    record_audit(session, viewer, "change_proposal_status", proposal, before=before)
    session.commit()


def support_proposal(session: Session, viewer: Viewer, *, proposal_id: int) -> None:
    proposal = get_or_fail(session, Proposal, proposal_id)
    require_at(session, viewer, Action.SUPPORT, proposal.place_id)
    if session.exec(
        select(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal_id,
            ProposalSupport.person_id == viewer.person_id,
        )
    ).first():
        raise Conflict("already_supported")
    support = ProposalSupport(proposal_id=proposal_id, person_id=viewer.person_id)  # type: ignore[arg-type]
    session.add(support)
    try:
        record_audit(session, viewer, "support_proposal", support)
    except Conflict:  # the same person's support, sent twice at once
        session.rollback()
        raise Conflict("already_supported") from None
    session.commit()


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
