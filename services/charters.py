"""The rules of a fund's charter (章程), checked wherever money is asked for or spent.

Every check returns ALL the rules broken, each naming the field of the form it concerns
(``category``, ``line_items``, ``co_funding``, ``budget``, ``purpose``, ``proposal``), so that a
screen shows each one next to its field. The checks run:

- at submission, against the charter of the fund the proposal would be paid from: the round's
  fund, or (a proposal naming no round) the community micro-fund of the proposal's community;
- at eligibility (the committee marking a proposal eligible), with the yearly cap too;
- at a payment request and its approval (forbidden categories and items, spending where raised).

The yearly cap per community (``per_community_year_cap_fen``) is on the money the fund is asked
for (cost less co-funding) by the community's proposals charged to that fund in one year that
stand to be paid or were: eligible, on the ballot, selected, in progress, completed, or
abandoned (its money was given, and mostly spent); not the ones refused, withdrawn or not
selected. A proposal's year is its round's year; for a proposal without a round, the year
(UTC) it was submitted.

Spending where raised (``spend_where_raised``, 钱从小区来，就用在小区里): a fund held for a place
(a compound's fund, a community's micro-fund) pays only proposals in that place or under it, and
passes money only to funds held for places under it (never up or sideways, where it could pay
for another place). Checked at allocations and transfers (refused), and at payment requests
like the other rules (the chair of the fund's place may let one through: ``services.expenses``
says why). A fund held for no place (a city-wide foundation) is not bound by it. A donation
designated for a proposal outside the fund's place is refused whatever the charter says, as a
campaign for one is (``services.ledger.record_donation``, ``services.campaigns``).

A committee may let a proposal or a payment through anyway: the chair, with a reason of at least
``MIN_REASON`` characters, recorded as a charter exception and listed on the notice board.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, func, select

from models import (
    BudgetRound,
    CharterException,
    CoFundingPledge,
    Fund,
    FundCharter,
    Person,
    Place,
    Proposal,
    ProposalLineItem,
    ProposalStatusChange,
)
from models.vocabulary import CharterStage, FundKind, PlaceKind, ProposalStatus
from services.common import clean_text, get_or_fail, id_of, place_tree, record_audit
from services.errors import CharterViolation, InvalidInput, NotFound
from services.permissions import Action, PlaceTree, Viewer, require

S = ProposalStatus
MIN_REASON = 10  # characters of an override's reason
# The statuses whose requested money counts against the yearly cap: paid, or to be.
COUNTED: tuple[str, ...] = (
    S.ELIGIBLE,
    S.ON_BALLOT,
    S.SELECTED,
    S.IN_PROGRESS,
    S.COMPLETED,
    S.ABANDONED,
)


@dataclass(frozen=True)
class CharterBreach:
    """One broken rule: ``rule`` names its message (``error.<rule>``), ``field`` the field of
    the form it concerns, ``params`` fill the message."""

    rule: str
    field: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_param(self) -> dict[str, Any]:
        """Plain values, to travel in an error's parameters and the session."""
        return {"rule": self.rule, "field": self.field, "params": dict(self.params)}


def refuse(breaches: Sequence[CharterBreach]) -> None:
    """Raises one ``CharterViolation`` carrying every breach, or nothing for none."""
    if breaches:
        raise CharterViolation(
            "charter_broken",
            field=breaches[0].field,
            count=len(breaches),
            breaches=[b.as_param() for b in breaches],
        )


class BudgetLine(Protocol):
    """What the check reads of a budget line (a checked input or a stored row)."""

    @property
    def category(self) -> str: ...

    @property
    def description(self) -> str: ...


def current_charter(session: Session, fund_id: int) -> FundCharter | None:
    return session.exec(
        select(FundCharter)
        .where(FundCharter.fund_id == fund_id)
        .order_by(col(FundCharter.version).desc())
    ).first()


def _forbidden_word(charter: FundCharter, text: str) -> str | None:
    """The first forbidden item named in the text (case-insensitive substring)."""
    folded = text.casefold()
    return next((w for w in charter.forbidden_items or [] if w.casefold() in folded), None)


def charter_breaches(
    charter: FundCharter | None,
    *,
    category: str | None,
    lines: Sequence[BudgetLine],
    cost_fen: int | None = None,
    co_funding_fen: int = 0,
    texts: Sequence[tuple[str, str]] = (),
) -> list[CharterBreach]:
    """Every rule of the charter broken by a proposal (its ``category``, ``lines`` and money)
    or by a payment (its budget line and the ``texts`` typed for it, as (field, text); no
    ``category`` and no ``cost_fen``: the money rules were the proposal's)."""
    if charter is None:
        return []
    breaches: list[CharterBreach] = []
    forbidden = set(charter.forbidden_categories or [])
    allowed = charter.allowed_categories or []
    if category is not None and category in forbidden:
        breaches.append(
            CharterBreach("charter_forbidden_category", "category", {"category": category})
        )
    if category is not None and allowed and category not in allowed:
        breaches.append(
            CharterBreach("charter_category_not_allowed", "category", {"category": category})
        )
    for number, line in enumerate(lines, start=1):
        row = {"row": number, "part": "line_items"} if cost_fen is not None else {}
        if line.category in forbidden and line.category != category:
            breaches.append(
                CharterBreach(
                    "charter_forbidden_category", "line_items", {"category": line.category, **row}
                )
            )
        if (word := _forbidden_word(charter, line.description)) is not None:
            breaches.append(
                CharterBreach("charter_forbidden_item", "line_items", {"item": word, **row})
            )
    for where, text in texts:
        if (word := _forbidden_word(charter, text)) is not None:
            breaches.append(CharterBreach("charter_forbidden_item", where, {"item": word}))
    if cost_fen is None:
        return breaches
    requested = cost_fen - co_funding_fen
    if charter.per_project_cap_fen is not None and requested > charter.per_project_cap_fen:
        breaches.append(
            CharterBreach(
                "charter_project_cap",
                "budget",
                {"cap_fen": charter.per_project_cap_fen, "requested_fen": requested},
            )
        )
    if co_funding_fen * 1000 < charter.min_co_funding_permille * cost_fen:
        breaches.append(
            CharterBreach(
                "charter_co_funding",
                "co_funding",
                {"required_permille": charter.min_co_funding_permille, "cost_fen": cost_fen},
            )
        )
    return breaches


def community_of(session: Session, tree: PlaceTree, place_id: int) -> int:
    """The community a place belongs to, or the place itself when it lies above communities."""
    lineage = tree.lineage(place_id)
    kinds = dict(session.exec(select(Place.id, Place.kind).where(col(Place.id).in_(lineage))).all())
    return next((pid for pid in lineage if kinds.get(pid) == PlaceKind.COMMUNITY), place_id)


def paying_fund(
    session: Session, tree: PlaceTree, *, place_id: int, round_id: int | None
) -> Fund | None:
    """The fund a proposal would be paid from: its round's, or the community micro-fund held
    for its community (none: no charter applies)."""
    if round_id is not None:
        return get_or_fail(session, Fund, get_or_fail(session, BudgetRound, round_id).fund_id)
    community = community_of(session, tree, place_id)
    return session.exec(
        select(Fund)
        .where(Fund.place_id == community, Fund.kind == FundKind.COMMUNITY)
        .order_by(col(Fund.id))
    ).first()


def outside_area(
    session: Session, tree: PlaceTree, fund: Fund, place_id: int
) -> CharterBreach | None:
    """Spending where raised: the fund's money may not pay a project outside its place."""
    charter = current_charter(session, id_of(fund))
    if charter is None or not charter.spend_where_raised or fund.place_id is None:
        return None
    if tree.covers(fund.place_id, place_id):
        return None
    return CharterBreach("charter_spend_where_raised", "proposal", {"fund": fund.name})


def require_passed_down(session: Session, source: Fund, destination: Fund) -> None:
    """Spending where raised, for a transfer: only to a fund held for a place under the
    source's, where the money still pays for the place it was raised in."""
    charter = current_charter(session, id_of(source))
    if charter is None or not charter.spend_where_raised or source.place_id is None:
        return
    if destination.place_id is None or not place_tree(session).covers(
        source.place_id, destination.place_id
    ):
        refuse([CharterBreach("charter_spend_where_raised", "destination", {"fund": source.name})])


def _submitted_years(session: Session, proposals: list[Proposal]) -> dict[int, int]:
    """The year (UTC) each proposal was last submitted, else created: one query for all."""
    ids = [id_of(p) for p in proposals]
    submitted = dict(
        session.exec(
            select(ProposalStatusChange.proposal_id, func.max(ProposalStatusChange.changed_at))
            .where(
                col(ProposalStatusChange.proposal_id).in_(ids),
                ProposalStatusChange.to_status == S.SUBMITTED,
            )
            .group_by(col(ProposalStatusChange.proposal_id))
        ).all()
    )
    return {id_of(p): (submitted.get(id_of(p)) or p.created_at).year for p in proposals}


def proposal_years(session: Session, proposals: list[Proposal]) -> dict[int, int]:
    """Each proposal's year, as the yearly cap counts it: its round's year, else (no round) the
    year it was submitted. The year-end indicators (``services.indicators``) use the same rule."""
    rounds = dict(session.exec(select(BudgetRound.id, BudgetRound.year)).all())
    loose = _submitted_years(session, [p for p in proposals if p.round_id is None])
    return {
        id_of(p): rounds[p.round_id] if p.round_id is not None else loose[id_of(p)]
        for p in proposals
    }


def _requested(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    """Cost less co-funding, per proposal."""
    if not proposal_ids:
        return {}
    costs = dict(
        session.exec(
            select(
                ProposalLineItem.proposal_id,
                func.sum(ProposalLineItem.quantity * ProposalLineItem.unit_price_fen),
            )
            .where(col(ProposalLineItem.proposal_id).in_(proposal_ids))
            .group_by(col(ProposalLineItem.proposal_id))
        ).all()
    )
    pledged = dict(
        session.exec(
            select(CoFundingPledge.proposal_id, func.sum(CoFundingPledge.amount_fen))
            .where(col(CoFundingPledge.proposal_id).in_(proposal_ids))
            .group_by(col(CoFundingPledge.proposal_id))
        ).all()
    )
    return {pid: int(costs.get(pid, 0)) - int(pledged.get(pid, 0)) for pid in proposal_ids}


def year_cap_breach(
    session: Session, tree: PlaceTree, charter: FundCharter, proposal: Proposal
) -> CharterBreach | None:
    """Whether counting this proposal too would take its community over the fund's yearly cap."""
    cap = charter.per_community_year_cap_fen
    if cap is None:
        return None
    community = community_of(session, tree, proposal.place_id)
    # The community's proposals counted, with the fund and the year of each: a round's, or
    # (no round) the community micro-fund's and the year it was submitted.
    rounds = {id_of(r): (r.fund_id, r.year) for r in session.exec(select(BudgetRound))}
    home = paying_fund(session, tree, place_id=proposal.place_id, round_id=None)
    nearby = [
        p
        for p in session.exec(
            select(Proposal).where(col(Proposal.status).in_(COUNTED), Proposal.id != proposal.id)
        )
        if tree.covers(community, p.place_id)
    ]
    loose = _submitted_years(session, [p for p in [*nearby, proposal] if p.round_id is None])

    def fund_and_year(p: Proposal) -> tuple[int | None, int]:
        if p.round_id is not None:
            return rounds[p.round_id]
        return (home.id if home is not None else None), loose[id_of(p)]

    year = fund_and_year(proposal)[1]
    others = [p for p in nearby if fund_and_year(p) == (charter.fund_id, year)]
    requested = _requested(session, [id_of(p) for p in others] + [id_of(proposal)])
    committed = sum(requested[id_of(p)] for p in others)
    asked = requested[id_of(proposal)]
    if committed + asked <= cap:
        return None
    return CharterBreach(
        "charter_year_cap",
        "budget",
        {"cap_fen": cap, "committed_fen": committed, "requested_fen": asked, "year": year},
    )


@dataclass(frozen=True)
class ProposalCheck:
    fund: Fund | None
    charter: FundCharter | None
    breaches: list[CharterBreach]


def check_proposal(session: Session, tree: PlaceTree, proposal: Proposal) -> ProposalCheck:
    """Every rule of its paying fund's charter a stored proposal breaks, the yearly cap too."""
    fund = paying_fund(session, tree, place_id=proposal.place_id, round_id=proposal.round_id)
    charter = current_charter(session, id_of(fund)) if fund is not None else None
    if fund is None or charter is None:
        return ProposalCheck(fund, None, [])
    proposal_id = id_of(proposal)
    lines = session.exec(
        select(ProposalLineItem)
        .where(ProposalLineItem.proposal_id == proposal_id)
        .order_by(col(ProposalLineItem.position))
    ).all()
    co_funding = sum(
        session.exec(
            select(CoFundingPledge.amount_fen).where(CoFundingPledge.proposal_id == proposal_id)
        ).all()
    )
    breaches = charter_breaches(
        charter,
        category=proposal.category,
        lines=lines,
        cost_fen=sum(line.quantity * line.unit_price_fen for line in lines),
        co_funding_fen=co_funding,
    )
    if (over := year_cap_breach(session, tree, charter, proposal)) is not None:
        breaches.append(over)
    return ProposalCheck(fund, charter, breaches)


def charter_check(session: Session, *, proposal_id: int) -> list[CharterBreach]:
    """The rules a submitted proposal breaks now, for the eligibility screen and the proposer
    (public, as the proposal and the charter are)."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    if proposal.status == S.DRAFT:
        raise NotFound(entity="proposal")
    return check_proposal(session, place_tree(session), proposal).breaches


def record_exception(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    charter: FundCharter,
    proposal: Proposal,
    stage: CharterStage,
    breaches: Sequence[CharterBreach],
    reason: str,
    payment_request_id: int | None = None,
    chair_place_id: int | None = None,
) -> None:
    """The chair's decision to go against the charter, with its public reason; the caller
    commits it with the move it allows. The chair's scope must reach ``chair_place_id`` (a
    payment: the paying fund's place), else the proposal's place."""
    where = chair_place_id if chair_place_id is not None else proposal.place_id
    require(viewer, Action.OVERRIDE_CHARTER, where, place_tree(session))
    reason = clean_text(reason, "override_reason", max_length=500)
    if len(reason) < MIN_REASON:
        raise InvalidInput("override_reason_short", field="override_reason", min=MIN_REASON)
    exception = CharterException(
        fund_id=fund_id,
        charter_id=id_of(charter),
        proposal_id=id_of(proposal),
        payment_request_id=payment_request_id,
        stage=stage,
        rules=sorted({b.rule for b in breaches}),
        reason=reason,
        decided_by_id=viewer.person_id,
    )
    session.add(exception)
    record_audit(session, viewer, "override_charter", exception)


def check_or_override(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int | None,
    charter: FundCharter | None,
    proposal: Proposal,
    stage: CharterStage,
    breaches: Sequence[CharterBreach],
    override_reason: str,
    payment_request_id: int | None = None,
    chair_place_id: int | None = None,
) -> None:
    """Refuses a move that breaks the charter, unless the chair overrides it with a reason."""
    if not breaches or fund_id is None or charter is None:
        return
    if not override_reason.strip():
        refuse(breaches)
    record_exception(
        session,
        viewer,
        fund_id=fund_id,
        charter=charter,
        proposal=proposal,
        stage=stage,
        breaches=breaches,
        reason=override_reason,
        payment_request_id=payment_request_id,
        chair_place_id=chair_place_id,
    )


@dataclass(frozen=True)
class ExceptionRow:
    """A charter exception as the notice board shows it."""

    id: int
    stage: str
    proposal_id: int
    proposal_title: str
    fund: str
    rules: list[str]
    reason: str
    decided_by: str
    decided_at: datetime


def charter_exceptions(session: Session, *, limit: int = 50) -> list[ExceptionRow]:
    """The newest first: public, as the ledger is."""
    query = (
        select(CharterException, Proposal.title, Fund.name, Person.display_name)
        .join(Proposal, col(Proposal.id) == CharterException.proposal_id)
        .join(Fund, col(Fund.id) == CharterException.fund_id)
        .join(Person, col(Person.id) == CharterException.decided_by_id, isouter=True)
        .order_by(col(CharterException.id).desc())
        .limit(limit)
    )
    return [
        ExceptionRow(
            id=id_of(exception),
            stage=exception.stage,
            proposal_id=exception.proposal_id,
            proposal_title=title,
            fund=fund,
            rules=list(exception.rules or []),
            reason=exception.reason,
            decided_by=name or "",
            decided_at=exception.decided_at,
        )
        for exception, title, fund, name in session.exec(query)
    ]
