"""Payment requests (报销/付款申请): the treasurer asks, a second committee member decides.

Open Collective's expense flow, for a community fund: a treasurer files a request to pay part
of a funded proposal's budget line, with the payee, the amount, the invoice number and the
receipt (a photo or a PDF, through the upload checks of ``services.uploads``). Nothing moves
until another committee member approves it; the submitter may never approve their own. The
approval writes the expense entry through the ledger's own path (``services.ledger``): under the
books' lock, within the proposal's allocation and the fund's cash, hash-chained, naming the
request's receipt (which is how a request finds its entry). A rejection needs a reason.

Budget line vs actual: for each budget line of a proposal the fund has allocated money to, what
was planned (quantity x unit price) against what approved requests have paid on it (less any
expense a reversal has refunded), and what waits for a decision; per proposal and for the whole
fund, what was allocated, spent, still earmarked and given back when the project closed.

The fund's charter is checked at each request (a forbidden category of the budget line, a
forbidden item named in the line or the purpose: the "mineral water" question of an audit; a
project outside the fund's place when the charter spends where the money was raised). A
request that breaks it is refused, unless the treasurer asks for an exception
(``ask_exception``); then its approval needs the override of the chair of the fund's place
with a reason, which the notice board lists as a charter exception. Spending where raised is
one of these rules, not a hard refusal: a payment is bounded by the fund's own earmark for the
project, so it only meets a project outside the fund's place when the allocation was made
under a charter that pooled its money (the rule was adopted later), and that is the committee's
call to make in public, as the charter's other rules are. A fund whose charter pools its money
pays such a project like any other.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from models import (
    Fund,
    FundCharter,
    LedgerEntry,
    PaymentRequest,
    Person,
    Proposal,
    ProposalLineItem,
)
from models.clock import utc_now
from models.vocabulary import AttachmentKind, CharterStage, LedgerKind, PaymentRequestStatus
from services.charters import (
    CharterBreach,
    charter_breaches,
    check_or_override,
    current_charter,
    outside_area,
    refuse,
)
from services.common import (
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput, LinliError, NotAllowed, WrongPhase
from services.ledger import pay_from_fund
from services.permissions import Action, Viewer, can
from services.uploads import keep_attachment
from services.workflow import FUNDABLE

__all__ = [
    "BudgetLine",
    "FundBudget",
    "PaymentRequestRow",
    "ProposalBudget",
    "approve_payment",
    "budget_vs_actual",
    "fund_budget",
    "payment_requests",
    "reject_payment",
    "request_payment",
]

R = PaymentRequestStatus


def request_payment(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    proposal_id: int,
    line_item_id: int,
    amount: str,
    payee: str,
    purpose: str,
    invoice_number: str,
    occurred_on: date,
    receipt_name: str,
    receipt_data: bytes,
    ask_exception: bool = False,
) -> int:
    """The request and its receipt in one transaction: a refused request keeps no file, a
    refused file makes no request. Returns the request's id. ``ask_exception``: kept although
    it breaks the fund's charter, for the chair to decide on at approval."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.RECORD_EXPENSE, fund.place_id)
    proposal = get_or_fail(session, Proposal, proposal_id)
    if proposal.status not in FUNDABLE:
        raise InvalidInput("proposal_not_fundable", status=proposal.status)
    line = session.get(ProposalLineItem, line_item_id)
    if line is None or line.proposal_id != proposal_id:
        raise InvalidInput("line_not_of_proposal", field="line_item")
    if not isinstance(occurred_on, date):
        raise InvalidInput("field_invalid", field="occurred_on")
    purpose = clean_text(purpose, "purpose", max_length=500)
    if not ask_exception:
        refuse(_breaches(session, fund, proposal, line, purpose)[1])
    request = PaymentRequest(
        fund_id=fund_id,
        proposal_id=proposal_id,
        line_item_id=line_item_id,
        amount_fen=parse_yuan(amount),
        payee=clean_text(payee, "payee", max_length=200),
        purpose=purpose,
        invoice_number=clean_text(invoice_number, "invoice_number", max_length=60),
        receipt_attachment_id=0,  # set once the receipt is kept, below
        occurred_on=occurred_on,
        submitted_by_id=viewer.person_id,
    )
    receipt, path = keep_attachment(
        session,
        viewer,
        proposal_id=proposal_id,
        kind=AttachmentKind.RECEIPT,
        filename=receipt_name,
        data=receipt_data,
    )
    try:
        request.receipt_attachment_id = id_of(receipt)
        session.add(request)
        record_audit(session, viewer, "request_payment", request)
        session.commit()
    except BaseException:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return id_of(request)


def _breaches(
    session: Session, fund: Fund, proposal: Proposal, line: ProposalLineItem, purpose: str
) -> tuple[FundCharter | None, list[CharterBreach]]:
    """The fund's charter in force and the rules a payment on this line breaks."""
    charter = current_charter(session, id_of(fund))
    breaches = charter_breaches(charter, category=None, lines=[line], texts=[("purpose", purpose)])
    if (outside := outside_area(session, place_tree(session), fund, proposal.place_id)) is not None:
        breaches.insert(0, outside)
    return charter, breaches


def _whose_money(fund: Fund, proposal: Proposal) -> int:
    """Where the chair who may let a payment go against the charter sits: the fund's place,
    whose money it is (a project outside it is no business of its own chair), or the
    project's, for a fund held for no place."""
    return fund.place_id if fund.place_id is not None else proposal.place_id


def _waiting(session: Session, viewer: Viewer, request_id: int) -> tuple[PaymentRequest, Fund]:
    """The request, read again under the books' lock: of two decisions sent at once, the second
    finds the first one's answer and is refused."""
    request = get_or_fail(session, PaymentRequest, request_id)
    fund = get_or_fail(session, Fund, request.fund_id)
    require_at(session, viewer, Action.APPROVE_EXPENSE, fund.place_id)
    lock_for_change(session)
    session.refresh(request)
    if request.status != R.SUBMITTED:
        raise WrongPhase("payment_already_decided")
    return request, fund


def approve_payment(
    session: Session, viewer: Viewer, *, request_id: int, override_reason: str = ""
) -> int:
    """Pays the request: the expense entry and the request's new status commit together, or
    nothing does (an overspend refuses both). A request that breaks the fund's charter is paid
    only with the chair's ``override_reason``, kept as a charter exception with the payment.
    Returns the ledger entry's id."""
    override_reason = clean_text(override_reason, "override_reason", max_length=500, required=False)
    asked = get_or_fail(session, PaymentRequest, request_id)
    proposal = get_or_fail(session, Proposal, asked.proposal_id)
    chair_place = _whose_money(get_or_fail(session, Fund, asked.fund_id), proposal)
    if override_reason:  # asking to go against the charter: the chair's alone
        require_at(session, viewer, Action.OVERRIDE_CHARTER, chair_place)
    request, fund = _waiting(session, viewer, request_id)
    if request.submitted_by_id is not None and request.submitted_by_id == viewer.person_id:
        raise NotAllowed("approve_own_payment", action=Action.APPROVE_EXPENSE.value)
    session.refresh(proposal)  # read under the lock: a project closed meanwhile is paid no more
    if proposal.status not in FUNDABLE:
        raise InvalidInput("proposal_not_fundable", status=proposal.status)
    line = get_or_fail(session, ProposalLineItem, request.line_item_id)
    charter, breaches = _breaches(session, fund, proposal, line, request.purpose)
    check_or_override(
        session,
        viewer,
        fund_id=id_of(fund),
        charter=charter,
        proposal=proposal,
        stage=CharterStage.PAYMENT,
        breaches=breaches,
        override_reason=override_reason,
        payment_request_id=request_id,
        chair_place_id=chair_place,
    )
    named = session.exec(
        select(LedgerEntry.id).where(
            LedgerEntry.receipt_attachment_id == request.receipt_attachment_id
        )
    ).first()
    if named is not None:  # paid already by a direct expense naming this receipt
        raise Conflict("receipt_already_paid")
    before = {"status": request.status}
    request.status = R.APPROVED
    request.decided_by_id = viewer.person_id
    request.decided_at = utc_now()
    session.add(request)
    try:
        record_audit(session, viewer, "approve_payment", request, before=before)
        return pay_from_fund(
            session,
            viewer,
            fund=fund,
            amount_fen=request.amount_fen,
            payee=request.payee,
            purpose=request.purpose,
            invoice_number=request.invoice_number,
            occurred_on=request.occurred_on,
            proposal_id=request.proposal_id,
            receipt_attachment_id=request.receipt_attachment_id,
        )
    except LinliError:
        session.rollback()
        raise


def reject_payment(session: Session, viewer: Viewer, *, request_id: int, reason: str) -> None:
    """Refused with a reason the treasurer and the books keep; nothing is paid."""
    reason = clean_text(reason, "reason", max_length=500)
    request, _ = _waiting(session, viewer, request_id)
    before = {"status": request.status}
    request.status = R.REJECTED
    request.decided_by_id = viewer.person_id
    request.decided_at = utc_now()
    request.reason = reason
    session.add(request)
    record_audit(session, viewer, "reject_payment", request, before=before)
    session.commit()


@dataclass(frozen=True)
class PaymentRequestRow:
    id: int
    proposal_id: int
    proposal_title: str
    line_description: str
    amount_fen: int
    payee: str
    purpose: str
    invoice_number: str
    occurred_on: date
    receipt_attachment_id: int
    status: str
    submitted_by: str
    decided_by: str
    reason: str
    may_decide: bool  # the viewer may approve or reject it (never their own approval)
    breaches: list[CharterBreach]  # the rules of the fund's charter it breaks


def payment_requests(session: Session, viewer: Viewer, *, fund_id: int) -> list[PaymentRequestRow]:
    """The fund's requests, those waiting first: for whoever sees the full books (a waiting
    request's receipt is not public until it is paid)."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.VIEW_BOOKS, fund.place_id)
    may_decide = can(viewer, Action.APPROVE_EXPENSE, fund.place_id, place_tree(session))
    names = dict(session.exec(select(Person.id, Person.display_name)).all())
    rows = session.exec(
        select(PaymentRequest, Proposal, ProposalLineItem)
        .join(Proposal, col(Proposal.id) == PaymentRequest.proposal_id)
        .join(ProposalLineItem, col(ProposalLineItem.id) == PaymentRequest.line_item_id)
        .where(PaymentRequest.fund_id == fund_id)
        .order_by(col(PaymentRequest.status) != R.SUBMITTED, col(PaymentRequest.id).desc())
    ).all()
    return [
        PaymentRequestRow(
            id=id_of(request),
            proposal_id=request.proposal_id,
            proposal_title=proposal.title,
            line_description=line.description,
            amount_fen=request.amount_fen,
            payee=request.payee,
            purpose=request.purpose,
            invoice_number=request.invoice_number,
            occurred_on=request.occurred_on,
            receipt_attachment_id=request.receipt_attachment_id,
            status=request.status,
            submitted_by=names.get(request.submitted_by_id, ""),
            decided_by=names.get(request.decided_by_id, ""),
            reason=request.reason,
            may_decide=may_decide
            and request.status == R.SUBMITTED
            and request.submitted_by_id != viewer.person_id,
            breaches=_breaches(session, fund, proposal, line, request.purpose)[1],
        )
        for request, proposal, line in rows
    ]


@dataclass(frozen=True)
class BudgetLine:
    line_item_id: int
    description: str
    planned_fen: int  # quantity x unit price
    actual_fen: int  # approved requests paid on it, less refunded reversals
    waiting_fen: int  # requests not yet decided

    @property
    def left_fen(self) -> int:
        return self.planned_fen - self.actual_fen


@dataclass(frozen=True)
class ProposalBudget:
    proposal_id: int
    title: str
    status: str
    lines: list[BudgetLine]
    allocated_fen: int  # by this fund, allocations not reversed
    spent_fen: int  # paid by this fund on the project, less refunds
    returned_fen: int  # released to this fund when the project closed

    @property
    def planned_fen(self) -> int:
        return sum(line.planned_fen for line in self.lines)

    @property
    def actual_fen(self) -> int:
        return sum(line.actual_fen for line in self.lines)

    @property
    def waiting_fen(self) -> int:
        return sum(line.waiting_fen for line in self.lines)

    @property
    def unspent_fen(self) -> int:
        """Still earmarked for the project: allocated, not spent, not given back."""
        return self.allocated_fen - self.spent_fen - self.returned_fen


@dataclass(frozen=True)
class FundBudget:
    """The fund's projects, and their sums: the money the fund promised, what it paid, what it
    still holds for them and what closed projects gave back."""

    projects: list[ProposalBudget]

    @property
    def planned_fen(self) -> int:
        return sum(p.planned_fen for p in self.projects)

    @property
    def allocated_fen(self) -> int:
        return sum(p.allocated_fen for p in self.projects)

    @property
    def spent_fen(self) -> int:
        return sum(p.spent_fen for p in self.projects)

    @property
    def returned_fen(self) -> int:
        return sum(p.returned_fen for p in self.projects)

    @property
    def unspent_fen(self) -> int:
        return sum(p.unspent_fen for p in self.projects)


def _fund_sums(session: Session, fund_id: int, kind: str, refunds: bool = False) -> dict[int, int]:
    """Per project, the fund's entries of one kind (reversed allocations left out); ``refunds``:
    the reversals that paid this fund back for a project's expense."""
    side = LedgerEntry.destination_fund_id if refunds else LedgerEntry.source_fund_id
    query = select(LedgerEntry.proposal_id, func.sum(LedgerEntry.amount_fen)).where(
        side == fund_id, LedgerEntry.kind == kind, col(LedgerEntry.proposal_id).is_not(None)
    )
    if kind == LedgerKind.ALLOCATION:
        undone = select(col(LedgerEntry.reverses_entry_id)).where(
            col(LedgerEntry.reverses_entry_id).is_not(None)
        )
        query = query.where(col(LedgerEntry.id).not_in(undone))
    rows = session.exec(query.group_by(col(LedgerEntry.proposal_id))).all()
    return {pid: int(total) for pid, total in rows if pid is not None}


def fund_budget(session: Session, *, fund_id: int) -> FundBudget:
    """Budget vs actual for the whole fund, project by project and line by line: public."""
    return FundBudget(budget_vs_actual(session, fund_id=fund_id))


def budget_vs_actual(session: Session, *, fund_id: int) -> list[ProposalBudget]:
    """Every proposal the fund has allocated money to, line by line: public, as the ledger is."""
    get_or_fail(session, Fund, fund_id)
    funded = session.exec(
        select(LedgerEntry.proposal_id)
        .where(
            LedgerEntry.source_fund_id == fund_id,
            LedgerEntry.kind == LedgerKind.ALLOCATION,
            col(LedgerEntry.proposal_id).is_not(None),
        )
        .distinct()
    ).all()
    proposal_ids = sorted(pid for pid in funded if pid is not None)
    if not proposal_ids:
        return []
    projects = {
        pid: (title, status)
        for pid, title, status in session.exec(
            select(Proposal.id, Proposal.title, Proposal.status).where(
                col(Proposal.id).in_(proposal_ids)
            )
        ).all()
    }
    allocated = _fund_sums(session, fund_id, LedgerKind.ALLOCATION)
    expensed = _fund_sums(session, fund_id, LedgerKind.EXPENSE)
    refunded = _fund_sums(session, fund_id, LedgerKind.REVERSAL, refunds=True)
    returned = _fund_sums(session, fund_id, LedgerKind.RELEASE)
    items = session.exec(
        select(ProposalLineItem)
        .where(col(ProposalLineItem.proposal_id).in_(proposal_ids))
        .order_by(col(ProposalLineItem.position), col(ProposalLineItem.id))
    ).all()
    requests = session.exec(
        select(PaymentRequest).where(
            PaymentRequest.fund_id == fund_id,
            col(PaymentRequest.proposal_id).in_(proposal_ids),
            col(PaymentRequest.status).in_([R.SUBMITTED, R.APPROVED]),
        )
    ).all()
    receipts = [r.receipt_attachment_id for r in requests if r.status == R.APPROVED]
    paid = session.exec(
        select(LedgerEntry.id, LedgerEntry.receipt_attachment_id).where(
            LedgerEntry.kind == LedgerKind.EXPENSE,
            col(LedgerEntry.receipt_attachment_id).in_(receipts),
        )
    ).all()
    undone = set(
        session.exec(
            select(LedgerEntry.reverses_entry_id).where(
                col(LedgerEntry.reverses_entry_id).in_([entry_id for entry_id, _ in paid])
            )
        ).all()
    )
    standing = {receipt for entry_id, receipt in paid if entry_id not in undone}
    actual: dict[int, int] = {}
    waiting: dict[int, int] = {}
    for request in requests:
        line_id, amount_fen = request.line_item_id, request.amount_fen
        if request.status == R.SUBMITTED:
            waiting[line_id] = waiting.get(line_id, 0) + amount_fen
        elif request.receipt_attachment_id in standing:
            actual[line_id] = actual.get(line_id, 0) + amount_fen
    lines: dict[int, list[BudgetLine]] = {pid: [] for pid in proposal_ids}
    for item in items:
        lines[item.proposal_id].append(
            BudgetLine(
                line_item_id=id_of(item),
                description=item.description,
                planned_fen=item.quantity * item.unit_price_fen,
                actual_fen=actual.get(id_of(item), 0),
                waiting_fen=waiting.get(id_of(item), 0),
            )
        )
    return [
        ProposalBudget(
            proposal_id=pid,
            title=projects[pid][0],
            status=projects[pid][1],
            lines=lines[pid],
            allocated_fen=allocated.get(pid, 0),
            spent_fen=expensed.get(pid, 0) - refunded.get(pid, 0),
            returned_fen=returned.get(pid, 0),
        )
        for pid in proposal_ids
    ]
