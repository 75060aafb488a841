"""The place hierarchy, as admins build it and as every screen names it."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Place
from models.vocabulary import PLACE_PARENT, PlaceKind
from services.common import (
    bounded_int,
    choice,
    clean_text,
    get_or_fail,
    lock_for_change,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import Conflict, InvalidInput
from services.permissions import Action, Viewer, places_where

MAX_HOUSEHOLDS = 1_000_000  # of one place: a whole street is far fewer
MIN_BUILT_YEAR, MAX_BUILT_YEAR = 1800, 2200


@dataclass(frozen=True)
class PlaceRow:
    id: int
    kind: str
    name: str
    path: str  # "Street / Community / Compound", for pickers
    parent_id: int | None


def create_place(
    session: Session,
    viewer: Viewer,
    *,
    kind: str,
    name: str,
    parent_id: int | None,
    households: int | None = None,
    built_year: int | None = None,
) -> int:
    """``built_year``: when the housing estate was built, where known (a need figure of the
    street's allocation: older estates need more)."""
    kind = choice(kind, PlaceKind, "kind")
    name = clean_text(name, "name", max_length=120)
    expected_parent = PLACE_PARENT[PlaceKind(kind)]
    require_at(session, viewer, Action.MANAGE_PLACES, parent_id)
    if expected_parent is None:
        if parent_id is not None:
            raise InvalidInput("place_parent_wrong", kind=kind)
    else:
        parent = get_or_fail(session, Place, parent_id)
        if parent.kind != expected_parent:
            raise InvalidInput("place_parent_wrong", kind=kind)
    lock_for_change(session)  # a district has no parent, so no unique key holds its name
    if session.exec(select(Place).where(Place.parent_id == parent_id, Place.name == name)).first():
        raise Conflict("place_name_taken", name=name)
    if households is not None:
        households = bounded_int(households, "households", low=0, high=MAX_HOUSEHOLDS)
    if built_year is not None:
        built_year = bounded_int(built_year, "built_year", low=MIN_BUILT_YEAR, high=MAX_BUILT_YEAR)
    place = Place(
        kind=kind, name=name, parent_id=parent_id, households=households, built_year=built_year
    )
    session.add(place)
    record_audit(session, viewer, "create_place", place)
    session.commit()
    return place.id  # type: ignore[return-value]


def record_built_year(session: Session, viewer: Viewer, *, place_id: int, built_year: int) -> None:
    """When an existing estate was built, learnt after the place was set up."""
    place = get_or_fail(session, Place, place_id)
    require_at(session, viewer, Action.MANAGE_PLACES, place_id)
    before = snapshot(place)
    place.built_year = bounded_int(
        built_year, "built_year", low=MIN_BUILT_YEAR, high=MAX_BUILT_YEAR
    )
    session.add(place)
    record_audit(session, viewer, "record_built_year", place, before=before)
    session.commit()


def list_places(session: Session, kind: str | None = None) -> list[PlaceRow]:
    places = {p.id: p for p in session.exec(select(Place))}

    def path(place: Place) -> str:
        names = []
        current: Place | None = place
        while current is not None and current.kind != PlaceKind.DISTRICT:
            names.append(current.name)
            current = places.get(current.parent_id) if current.parent_id else None
        return " / ".join(reversed(names)) or place.name

    rows = [
        PlaceRow(id=p.id, kind=p.kind, name=p.name, path=path(p), parent_id=p.parent_id)  # type: ignore[arg-type]
        for p in places.values()
        if kind is None or p.kind == kind
    ]
    return sorted(rows, key=lambda row: row.path)


def places_where_allowed(
    session: Session, viewer: Viewer, action: Action, kinds: tuple[str, ...] = ()
) -> set[int]:
    """For pickers: the places where this viewer may take this action."""
    tree = place_tree(session)
    candidates = [p.id for p in session.exec(select(Place)) if not kinds or p.kind in kinds]
    return places_where(viewer, action, candidates, tree)  # type: ignore[arg-type]
