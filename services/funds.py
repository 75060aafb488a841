"""Funds and their charters (章程): the hierarchy of books, and what each fund may pay for.

A charter is versioned: a new version supersedes the one before from its adoption on. The
rules a proposal or a payment must pass against the charter live in ``services.charters``
(below the ledger, which checks them too), so that every screen and use case asks the same
question.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from models import Fund, FundCharter, Place
from models.vocabulary import Category, FundKind
from services.charters import current_charter
from services.common import (
    bounded_int,
    choice,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput
from services.ledger import fund_balances
from services.permissions import Action, Viewer, can, require

MAX_FORBIDDEN_ITEMS = 50


def create_fund(
    session: Session,
    viewer: Viewer,
    *,
    name: str,
    kind: str,
    place_id: int | None,
    parent_id: int | None = None,
) -> int:
    """A fund held for a place by whoever manages funds there (for no place: a global admin),
    under a parent fund held for that place or one above it, as the places nest (district
    mother fund -> street sub-fund -> community micro-fund). Naming a parent moves no money:
    the parent's treasurer passes money down with ``transfer_between_funds``."""
    if place_id is not None:
        get_or_fail(session, Place, place_id)
    tree = place_tree(session)
    require(viewer, Action.MANAGE_FUNDS, place_id, tree)
    name = clean_text(name, "name", max_length=120)
    kind = choice(kind, FundKind, "kind")
    if parent_id is not None:
        parent = get_or_fail(session, Fund, parent_id)
        if parent.place_id is not None and (
            place_id is None or not tree.covers(parent.place_id, place_id)
        ):
            raise InvalidInput("fund_outside_parent", field="parent")
    lock_for_change(session)  # two funds of one name: the second is told, not a database error
    if session.exec(select(Fund.id).where(Fund.name == name)).first() is not None:
        raise Conflict("fund_name_taken", field="name", name=name)
    fund = Fund(name=name, kind=kind, place_id=place_id, parent_id=parent_id)
    session.add(fund)
    record_audit(session, viewer, "create_fund", fund)
    session.commit()
    return id_of(fund)


def adopt_charter(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    adopted_on: date,
    allowed_categories: list[str],
    forbidden_categories: list[str],
    per_project_cap: str | None,
    per_community_year_cap: str | None,
    min_co_funding_permille: int,
    text: str,
    forbidden_items: Sequence[str] = (),
    spend_where_raised: bool = True,
) -> int:
    """A new version of the fund's charter, which supersedes the one before from its adoption
    on; the versions before stay as they were, readable (``charter_versions``). Forbidden
    items are words (瓶装水, 宴请, 礼品) refused in budget lines and payment purposes."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.MANAGE_FUNDS, fund.place_id)
    if not isinstance(adopted_on, date) or isinstance(adopted_on, datetime):
        raise InvalidInput("field_invalid", field="adopted_on")
    allowed = sorted({choice(c, Category, "category") for c in allowed_categories})
    forbidden = sorted({choice(c, Category, "category") for c in forbidden_categories})
    if set(allowed) & set(forbidden):
        raise InvalidInput("charter_category_both", field="forbidden_categories")
    bounded_int(min_co_funding_permille, "min_co_funding", low=0, high=1000)
    if isinstance(forbidden_items, str) or len(forbidden_items) > MAX_FORBIDDEN_ITEMS:
        raise InvalidInput("field_invalid", field="forbidden_items")
    words = [clean_text(w, "forbidden_items", max_length=40) for w in forbidden_items]
    if not isinstance(spend_where_raised, bool):
        raise InvalidInput("field_invalid", field="spend_where_raised")
    charter = FundCharter(
        fund_id=fund_id,
        adopted_on=adopted_on,
        allowed_categories=allowed,
        forbidden_categories=forbidden,
        per_project_cap_fen=parse_yuan(per_project_cap, "per_project_cap")
        if per_project_cap
        else None,
        per_community_year_cap_fen=(
            parse_yuan(per_community_year_cap, "per_community_year_cap")
            if per_community_year_cap
            else None
        ),
        min_co_funding_permille=min_co_funding_permille,
        forbidden_items=sorted(set(words)),
        spend_where_raised=spend_where_raised,
        text=clean_text(text, "text", max_length=8000, required=False, multiline=True),
    )
    lock_for_change(session)  # versions are numbered one after another, never twice
    current = current_charter(session, fund_id)
    if current is not None and adopted_on < current.adopted_on:
        raise InvalidInput(
            "charter_before_current",
            field="adopted_on",
            version=current.version,
            day=current.adopted_on.isoformat(),
        )
    charter.version = 1 if current is None else current.version + 1
    session.add(charter)
    record_audit(session, viewer, "adopt_charter", charter)
    session.commit()
    return id_of(charter)


def charter_versions(session: Session, *, fund_id: int) -> list[FundCharter]:
    """Every version of the fund's charter, the one in force first."""
    get_or_fail(session, Fund, fund_id)
    return list(
        session.exec(
            select(FundCharter)
            .where(FundCharter.fund_id == fund_id)
            .order_by(col(FundCharter.version).desc())
        )
    )


@dataclass(frozen=True)
class FundRow:
    """A fund in the hierarchy, as the set-up screen lists it, and what the viewer may do."""

    id: int
    name: str
    kind: str
    place_id: int | None
    parent_id: int | None
    depth: int  # 0: no parent
    available_fen: int
    charter_version: int | None
    may_manage: bool  # adopt its charter
    may_transfer: bool  # pass its money on


def fund_tree(session: Session, viewer: Viewer) -> list[FundRow]:
    """Every fund, each parent followed by the funds under it."""
    funds = {id_of(f): f for f in session.exec(select(Fund).order_by(col(Fund.id)))}
    balances = {b.fund_id: b for b in fund_balances(session)}
    versions = dict(
        session.exec(
            select(FundCharter.fund_id, func.max(FundCharter.version)).group_by(
                col(FundCharter.fund_id)
            )
        ).all()
    )
    tree = place_tree(session)
    children: dict[int | None, list[int]] = {}
    for fund_id, fund in funds.items():
        parent = fund.parent_id if fund.parent_id in funds else None
        children.setdefault(parent, []).append(fund_id)
    rows: list[FundRow] = []

    def visit(fund_id: int, depth: int) -> None:
        fund = funds[fund_id]
        rows.append(
            FundRow(
                id=fund_id,
                name=fund.name,
                kind=fund.kind,
                place_id=fund.place_id,
                parent_id=fund.parent_id,
                depth=depth,
                available_fen=balances[fund_id].available_fen,
                charter_version=versions.get(fund_id),
                may_manage=can(viewer, Action.MANAGE_FUNDS, fund.place_id, tree),
                may_transfer=can(viewer, Action.RECORD_EXPENSE, fund.place_id, tree),
            )
        )
        for child in children.get(fund_id, []):
            visit(child, depth + 1)

    for root in children.get(None, []):
        visit(root, 0)
    return rows
