"""Needs collection (群众点单): residents post needs; neighbours add their support."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from models import Need, NeedSupport, Place
from models.vocabulary import Category, NeedStatus
from services.common import choice, clean_text, get_or_fail, record_audit, require_at
from services.errors import Conflict
from services.permissions import Action, Viewer


def post_need(
    session: Session, viewer: Viewer, *, place_id: int, title: str, description: str, category: str
) -> int:
    get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.POST_NEED, place_id)
    need = Need(
        place_id=place_id,
        author_id=viewer.person_id,
        title=clean_text(title, "title", max_length=120),
        description=clean_text(
            description, "description", max_length=2000, required=False, multiline=True
        ),
        category=choice(category, Category, "category"),
    )
    session.add(need)
    record_audit(session, viewer, "post_need", need)
    session.commit()
    return need.id  # type: ignore[return-value]


def support_need(session: Session, viewer: Viewer, *, need_id: int) -> None:
    need = get_or_fail(session, Need, need_id)
    require_at(session, viewer, Action.SUPPORT, need.place_id)
    if session.exec(
        select(NeedSupport).where(
            NeedSupport.need_id == need_id, NeedSupport.person_id == viewer.person_id
        )
    ).first():
        raise Conflict("already_supported")
    support = NeedSupport(need_id=need_id, person_id=viewer.person_id)  # type: ignore[arg-type]
    session.add(support)
    try:
        record_audit(session, viewer, "support_need", support)
    except Conflict:  # the same person's support, sent twice at once
        session.rollback()
        raise Conflict("already_supported") from None
    session.commit()


@dataclass(frozen=True)
class NeedRow:
    id: int
    place_id: int
    place: str
    title: str
    description: str
    category: str
    status: str
    supporters: int
    created_at: datetime


def list_needs(session: Session, *, place_id: int | None = None) -> list[NeedRow]:
    """Needs are public: the list is the community's own to-do list."""
    supporters = func.count(col(NeedSupport.id))
    query = (
        select(Need, Place.name, supporters)
        .join(Place, col(Place.id) == Need.place_id)
        .join(NeedSupport, col(NeedSupport.need_id) == Need.id, isouter=True)
        .group_by(col(Need.id), col(Place.name))
        .order_by(supporters.desc(), col(Need.id))
    )
    if place_id is not None:
        query = query.where(Need.place_id == place_id)
    return [
        NeedRow(
            id=need.id,  # type: ignore[arg-type]
            place_id=need.place_id,
            place=place,
            title=need.title,
            description=need.description,
            category=need.category,
            status=need.status,
            supporters=count,
            created_at=need.created_at,
        )
        for need, place, count in session.exec(query)
    ]


@dataclass(frozen=True)
class DemandRow:
    """Needs of one category at one place, and how many neighbours back them."""

    place: str
    category: str
    needs: int
    supporters: int


def needs_demand(session: Session) -> list[DemandRow]:
    """What residents ask for, by place and category, for the needs board's chart: the needs
    still standing (open, adopted by a proposal or ordered from a social organisation), not the
    ones closed or merged away."""
    standing = (NeedStatus.OPEN, NeedStatus.ADOPTED, NeedStatus.ORDERED)
    backers = (
        select(NeedSupport.need_id, func.count(col(NeedSupport.id)).label("n"))
        .group_by(col(NeedSupport.need_id))
        .subquery()
    )
    supporters = func.coalesce(func.sum(backers.c.n), 0)
    query = (
        select(Place.name, Need.category, func.count(col(Need.id)), supporters)
        .join(Place, col(Place.id) == Need.place_id)
        .join(backers, backers.c.need_id == Need.id, isouter=True)
        .where(col(Need.status).in_(standing))
        .group_by(col(Place.id), col(Place.name), col(Need.category))
        .order_by(col(Place.id), col(Need.category))
    )
    return [
        DemandRow(place=place, category=category, needs=count, supporters=int(backed))
        for place, category, count, backed in session.exec(query)
    ]
