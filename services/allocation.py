"""Next year's seed money across a street's communities, in layers instead of an even split
(撒胡椒面), decided at the year-end review (年底评审会).

The formula (``layered_split``), for a plan of total T, floor share f and need weight w, over
the street's n communities::

    floor pool        F = T × f
    need pool         N = (T − F) × w
    performance pool  P = (T − F) − N
    community i gets  F ÷ n  +  N × need_i  +  P × performance_i

- ``need_i`` is the mean, over the need figures the street has at all, of the community's share
  of the street's total: households (h_i ÷ Σh), open needs (o_i ÷ Σo) and the age of its oldest
  estate where known (a_i ÷ Σa). A figure nobody has (every value 0 or unknown) is left out of
  the mean; with none at all, every community's need is 1 ÷ n. Unknown counts as 0.
- ``performance_i`` is the community's score over the street's total score, where the score is
  the mean of three figures of the year before the plan's, each between 0 and 1:
  done ÷ selected, leverage ÷ 2 (capped: a community drawing two yuan of other money per yuan
  of seed money scores full) and the review's mean score ÷ 5. A community without a figure
  (no project selected, no money, no closed review) scores 0 for it; a street where nobody
  scores splits the pool as the floor is split.

The exact amounts (fractions of a fen) are made whole fen by the largest remainder: each gets
its whole fen, and the fen left over go one each to the largest remainders (ties: the community
first by name). So the parts sum exactly to T, every community gets at least ⌊F ÷ n⌋ fen, and
more need never lowers a community's exact amount.

The flow: a street's reviewer (or administrator) drafts a plan with its parameters; the
suggestion is computed and stored with the figures it used, so the screen can show the formula
with every number plugged in long after the needs have moved on. Reviewers then adjust: an
adjustment sets one community's amount and names the community that gives or takes the
difference, so the total always holds and no plan can be half-balanced (a community never
goes below zero); each needs a public reason of ``MIN_REASON`` characters. A reviewer or
administrator other than the drafter publishes it, after which it is public and read-only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlmodel import Session, col, select

from models import AllocationAdjustment, AllocationLine, AllocationPlan, Need, Person, Place
from models.clock import utc_now
from models.vocabulary import AllocationStatus, NeedStatus, PlaceKind
from services.common import (
    bounded_int,
    clean_text,
    get_locked,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from services.indicators import community_indicators
from services.permissions import Action, Viewer, can, places_where
from services.turnout import eligible_households
from services.workflow import allocation_move, require_allocation_editable

PERCENT = 100
LEVERAGE_CAP = 2  # other yuan per seed yuan that scores full
SATISFACTION_TOP = 5  # the review's rubric scores run 0 to 5
MIN_REASON = 10  # characters of an adjustment's reason
MAX_REASON = 500
FIRST_YEAR, LAST_YEAR = 2000, 2200

__all__ = [
    "LEVERAGE_CAP",
    "MIN_REASON",
    "SATISFACTION_TOP",
    "AllocationPage",
    "CommunityFigures",
    "CommunityPart",
    "PublishedAllocation",
    "Split",
    "adjust_allocation",
    "allocation_page",
    "draft_allocation_plan",
    "largest_remainder",
    "layered_split",
    "publish_allocation",
    "published_allocations",
]


# --- the pure formula --------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityFigures:
    """What the suggestion knows of one community. Performance figures are the year's before."""

    community_id: int
    households: int | None
    open_needs: int
    facility_age: int | None  # years
    implementation: Fraction | None  # done ÷ selected
    leverage: Fraction | None  # other money ÷ seed money
    satisfaction: Fraction | None  # the review's mean score, 0 to 5


@dataclass(frozen=True)
class CommunityPart:
    """One community's amount, layer by layer, as the screen shows it. Amounts in fen, exact."""

    figures: CommunityFigures
    floor: Fraction
    need_parts: tuple[Fraction | None, Fraction | None, Fraction | None]  # None: left out
    need_share: Fraction
    need: Fraction
    performance_parts: tuple[Fraction, Fraction, Fraction]  # each 0 to 1
    performance_score: Fraction
    performance_share: Fraction
    performance: Fraction
    exact: Fraction
    amount_fen: int


@dataclass(frozen=True)
class Split:
    total_fen: int
    floor_percent: int
    need_percent: int
    floor_pool: Fraction
    need_pool: Fraction
    performance_pool: Fraction
    need_totals: tuple[int, int, int]  # households, open needs, years of age
    need_measures: int  # how many need figures the mean is over
    score_total: Fraction
    parts: tuple[CommunityPart, ...]


def largest_remainder(exact: Sequence[Fraction], total_fen: int) -> list[int]:
    """Whole fen summing to ``total_fen`` (which the exact amounts sum to): each its whole fen,
    the fen left over one each to the largest remainders, ties to the earlier one."""
    if sum(exact, Fraction(0)) != total_fen or any(x < 0 for x in exact):
        raise ValueError("exact amounts must be non-negative and sum to the total")
    whole = [x.numerator // x.denominator for x in exact]
    left = total_fen - sum(whole)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - whole[i]), i))
    for index in order[:left]:
        whole[index] += 1
    return whole


def _shares(values: Sequence[int]) -> list[Fraction] | None:
    total = sum(values)
    return [Fraction(v, total) for v in values] if total > 0 else None


def _capped(value: Fraction | None, top: int) -> Fraction:
    return Fraction(0) if value is None else min(value, Fraction(top)) / top


def layered_split(
    total_fen: int, *, floor_percent: int, need_percent: int, figures: Sequence[CommunityFigures]
) -> Split:
    """The suggestion, by the formula of this module's docstring, in the order given."""
    if total_fen <= 0 or not figures:
        raise ValueError("a split needs money and at least one community")
    if not (0 <= floor_percent <= PERCENT and 0 <= need_percent <= PERCENT):
        raise ValueError("percentages run from 0 to 100")
    count = len(figures)
    floor_pool = Fraction(total_fen * floor_percent, PERCENT)
    need_pool = (total_fen - floor_pool) * Fraction(need_percent, PERCENT)
    performance_pool = total_fen - floor_pool - need_pool
    measures = (
        [f.households or 0 for f in figures],
        [f.open_needs for f in figures],
        [f.facility_age or 0 for f in figures],
    )
    shares = [_shares(m) for m in measures]
    counted = sum(1 for s in shares if s is not None)
    scores = [
        (
            _capped(f.implementation, 1),
            _capped(f.leverage, LEVERAGE_CAP),
            _capped(f.satisfaction, SATISFACTION_TOP),
        )
        for f in figures
    ]
    score_total = sum((sum(s, Fraction(0)) / 3 for s in scores), Fraction(0))
    rows = []
    for index, community in enumerate(figures):
        parts = (
            shares[0][index] if shares[0] else None,
            shares[1][index] if shares[1] else None,
            shares[2][index] if shares[2] else None,
        )
        need_share = (
            sum((p for p in parts if p is not None), Fraction(0)) / counted
            if counted
            else Fraction(1, count)
        )
        score = sum(scores[index], Fraction(0)) / 3
        performance_share = score / score_total if score_total else Fraction(1, count)
        rows.append((community, parts, need_share, scores[index], score, performance_share))
    exact = [
        floor_pool / count + need_pool * need_share + performance_pool * performance_share
        for _, _, need_share, _, _, performance_share in rows
    ]
    amounts = largest_remainder(exact, total_fen)
    return Split(
        total_fen=total_fen,
        floor_percent=floor_percent,
        need_percent=need_percent,
        floor_pool=floor_pool,
        need_pool=need_pool,
        performance_pool=performance_pool,
        need_totals=(sum(measures[0]), sum(measures[1]), sum(measures[2])),
        need_measures=counted,
        score_total=score_total,
        parts=tuple(
            CommunityPart(
                figures=community,
                floor=floor_pool / count,
                need_parts=parts,
                need_share=need_share,
                need=need_pool * need_share,
                performance_parts=score_parts,
                performance_score=score,
                performance_share=performance_share,
                performance=performance_pool * performance_share,
                exact=amount,
                amount_fen=whole,
            )
            for (
                community,
                parts,
                need_share,
                score_parts,
                score,
                performance_share,
            ), amount, whole in zip(rows, exact, amounts, strict=True)
        ),
    )


# --- the figures a suggestion is drawn from ---------------------------------------------------


def _fraction_text(value: Fraction | None) -> str:
    return "" if value is None else f"{value.numerator}/{value.denominator}"


def _fraction(text: str) -> Fraction | None:
    return Fraction(text) if text else None


def _communities(session: Session, street_id: int) -> list[Place]:
    """By name, sorted here rather than by the database, whose collation may differ (the
    order breaks ties in the rounding)."""
    query = select(Place).where(Place.parent_id == street_id, Place.kind == PlaceKind.COMMUNITY)
    return sorted(session.exec(query), key=lambda place: (place.name, id_of(place)))


def _street_figures(
    session: Session, street_id: int, communities: Sequence[Place], year: int
) -> list[CommunityFigures]:
    """Need as of today; performance from the indicators of the year before ``year``."""
    tree = place_tree(session)
    built = list(
        session.exec(select(Place.id, Place.built_year).where(col(Place.built_year).isnot(None)))
    )
    open_needs = list(session.exec(select(Need.place_id).where(Need.status == NeedStatus.OPEN)))
    performance = {
        i.place_id: i for i in community_indicators(session, street_id=street_id, year=year - 1)
    }
    figures = []
    for community in communities:
        place_id = id_of(community)
        years = [
            y for p, y in built if p is not None and y is not None and tree.covers(place_id, p)
        ]
        done = performance.get(place_id)
        figures.append(
            CommunityFigures(
                community_id=place_id,
                households=eligible_households(session, place_id),
                open_needs=sum(1 for p in open_needs if tree.covers(place_id, p)),
                facility_age=max(year - min(years), 0) if years else None,
                implementation=done.done_of_selected if done else None,
                leverage=done.leverage if done else None,
                satisfaction=done.review_satisfaction if done else None,
            )
        )
    return figures


def _figures_of(line: AllocationLine) -> CommunityFigures:
    return CommunityFigures(
        community_id=line.community_id,
        households=line.households,
        open_needs=line.open_needs,
        facility_age=line.facility_age,
        implementation=_fraction(line.implementation),
        leverage=_fraction(line.leverage),
        satisfaction=_fraction(line.satisfaction),
    )


# --- the flow: draft, adjust, publish ---------------------------------------------------------


def draft_allocation_plan(
    session: Session,
    viewer: Viewer,
    *,
    street_id: int,
    year: int,
    total: str | int,
    floor_percent: int,
    need_percent: int,
) -> int:
    """The plan for the street's seed money of ``year`` (yuan as typed), with its suggestion
    stored line by line. Returns the plan."""
    street = get_or_fail(session, Place, street_id)
    require_at(session, viewer, Action.DRAFT_ALLOCATION, id_of(street))
    if street.kind != PlaceKind.STREET:
        raise InvalidInput("allocation_not_a_street", field="street")
    year = bounded_int(year, "year", low=FIRST_YEAR, high=LAST_YEAR)
    total_fen = parse_yuan(total, "total")
    floor_percent = bounded_int(floor_percent, "floor_percent", low=0, high=PERCENT)
    need_percent = bounded_int(need_percent, "need_percent", low=0, high=PERCENT)
    communities = _communities(session, id_of(street))
    if not communities:
        raise InvalidInput("allocation_no_communities", field="street")
    lock_for_change(session)  # one plan per street and year, told in words when taken
    taken = select(AllocationPlan.id).where(
        AllocationPlan.street_id == id_of(street), AllocationPlan.year == year
    )
    if session.exec(taken).first() is not None:
        raise Conflict("allocation_plan_exists", year=year)
    figures = _street_figures(session, id_of(street), communities, year)
    split = layered_split(
        total_fen, floor_percent=floor_percent, need_percent=need_percent, figures=figures
    )
    plan = AllocationPlan(
        street_id=id_of(street),
        year=year,
        total_fen=total_fen,
        floor_percent=floor_percent,
        need_percent=need_percent,
        status=AllocationStatus.DRAFT,
        drafted_by_id=viewer.person_id,
    )
    session.add(plan)
    session.flush()
    for part in split.parts:
        f = part.figures
        session.add(
            AllocationLine(
                plan_id=id_of(plan),
                community_id=f.community_id,
                households=f.households,
                open_needs=f.open_needs,
                facility_age=f.facility_age,
                implementation=_fraction_text(f.implementation),
                leverage=_fraction_text(f.leverage),
                satisfaction=_fraction_text(f.satisfaction),
                suggested_fen=part.amount_fen,
                amount_fen=part.amount_fen,
            )
        )
    suggested = {str(p.figures.community_id): p.amount_fen for p in split.parts}
    record_audit(
        session,
        viewer,
        "draft_allocation_plan",
        plan,
        after={**(snapshot(plan) or {}), "suggested_fen": suggested},
    )
    session.commit()
    return id_of(plan)


def _lines(session: Session, plan_id: int) -> dict[int, AllocationLine]:
    """By community; read again from the store, never from the session's memory."""
    query = (
        select(AllocationLine)
        .where(AllocationLine.plan_id == plan_id)
        .execution_options(populate_existing=True)
    )
    return {line.community_id: line for line in session.exec(query)}


def adjust_allocation(
    session: Session,
    viewer: Viewer,
    *,
    plan_id: int,
    community_id: int,
    amount: str | int,
    counterpart_id: int,
    reason: str,
) -> None:
    """Sets the community's amount (yuan as typed); the counterpart gives or takes the
    difference, so the plan's total stays whole."""
    lock_for_change(session)  # two reviewers at once: the second works on the first's result
    plan = get_locked(session, AllocationPlan, plan_id, shared=False)
    require_at(session, viewer, Action.ADJUST_ALLOCATION, plan.street_id)
    require_allocation_editable(plan.status)
    amount_fen = parse_yuan(amount, "amount", allow_zero=True)
    reason = clean_text(reason, "reason", max_length=MAX_REASON, multiline=True)
    if len(reason) < MIN_REASON:
        raise InvalidInput("reason_too_short", field="reason", minimum=MIN_REASON)
    lines = _lines(session, id_of(plan))
    if community_id not in lines:
        raise NotFound(entity="allocationline")
    if counterpart_id not in lines or counterpart_id == community_id:
        raise InvalidInput("allocation_counterpart_invalid", field="counterpart")
    line, other = lines[community_id], lines[counterpart_id]
    moved = amount_fen - line.amount_fen
    if moved == 0:
        raise InvalidInput("allocation_amount_unchanged", field="amount")
    if other.amount_fen - moved < 0:
        raise InvalidInput(
            "allocation_breaks_total",
            field="amount",
            most_fen=line.amount_fen + other.amount_fen,
        )
    adjustment = AllocationAdjustment(
        plan_id=id_of(plan),
        community_id=community_id,
        counterpart_id=counterpart_id,
        before_fen=line.amount_fen,
        after_fen=amount_fen,
        counterpart_before_fen=other.amount_fen,
        counterpart_after_fen=other.amount_fen - moved,
        reason=reason,
        adjusted_by_id=viewer.person_id,
    )
    line.amount_fen = amount_fen
    other.amount_fen -= moved
    session.add_all([line, other, adjustment])
    record_audit(session, viewer, "adjust_allocation", adjustment)
    session.commit()


def publish_allocation(session: Session, viewer: Viewer, *, plan_id: int) -> None:
    """The split as it stands, public and read-only from now on."""
    lock_for_change(session)
    plan = get_locked(session, AllocationPlan, plan_id, shared=False)
    require_at(session, viewer, Action.PUBLISH_ALLOCATION, plan.street_id)
    allocation_move(plan.status, AllocationStatus.PUBLISHED)
    if plan.drafted_by_id is not None and plan.drafted_by_id == viewer.person_id:
        raise NotAllowed("allocation_publish_own", action=Action.PUBLISH_ALLOCATION.value)
    if sum(line.amount_fen for line in _lines(session, id_of(plan)).values()) != plan.total_fen:
        raise RuntimeError("an allocation plan's lines no longer sum to its total")
    before = snapshot(plan)
    plan.status = AllocationStatus.PUBLISHED
    plan.published_by_id = viewer.person_id
    plan.published_at = utc_now()
    session.add(plan)
    record_audit(session, viewer, "publish_allocation", plan, before=before)
    session.commit()


# --- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChoice:
    id: int
    street: str
    year: int
    status: str


@dataclass(frozen=True)
class StreetChoice:
    id: int
    name: str


@dataclass(frozen=True)
class LineView:
    community_id: int
    community: str
    part: CommunityPart  # the suggestion, layer by layer
    amount_fen: int  # after the adjustments


@dataclass(frozen=True)
class AdjustmentView:
    community: str
    counterpart: str
    before_fen: int
    after_fen: int
    counterpart_before_fen: int
    counterpart_after_fen: int
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class PlanView:
    id: int
    street: str
    year: int
    status: str
    split: Split
    lines: tuple[LineView, ...]
    adjustments: tuple[AdjustmentView, ...]  # oldest first
    drafted_by: str
    drafted_at: datetime
    published_by: str | None
    published_at: datetime | None
    can_adjust: bool
    can_publish: bool  # a reviewer of the street other than the drafter, on a draft


@dataclass(frozen=True)
class AllocationPage:
    plans: tuple[PlanChoice, ...]  # newest year first
    plan: PlanView | None  # the one asked for, else the first
    streets: tuple[StreetChoice, ...]  # where the viewer may draft a plan


def _name(session: Session, person_id: int | None) -> str:
    person = session.get(Person, person_id) if person_id is not None else None
    return person.display_name if person else ""


def _plan_view(session: Session, viewer: Viewer, plan: AllocationPlan) -> PlanView:
    tree = place_tree(session)
    names = {id_of(p): p.name for p in session.exec(select(Place))}
    lines = sorted(
        _lines(session, id_of(plan)).values(),
        key=lambda line: (names[line.community_id], line.community_id),
    )
    split = layered_split(
        plan.total_fen,
        floor_percent=plan.floor_percent,
        need_percent=plan.need_percent,
        figures=[_figures_of(line) for line in lines],
    )
    adjustments = session.exec(
        select(AllocationAdjustment)
        .where(AllocationAdjustment.plan_id == id_of(plan))
        .order_by(col(AllocationAdjustment.id))
    )
    draft = plan.status == AllocationStatus.DRAFT
    return PlanView(
        id=id_of(plan),
        street=names[plan.street_id],
        year=plan.year,
        status=plan.status,
        split=split,
        lines=tuple(
            LineView(line.community_id, names[line.community_id], part, line.amount_fen)
            for line, part in zip(lines, split.parts, strict=True)
        ),
        adjustments=tuple(
            AdjustmentView(
                community=names[a.community_id],
                counterpart=names[a.counterpart_id],
                before_fen=a.before_fen,
                after_fen=a.after_fen,
                counterpart_before_fen=a.counterpart_before_fen,
                counterpart_after_fen=a.counterpart_after_fen,
                reason=a.reason,
                by=_name(session, a.adjusted_by_id),
                at=a.adjusted_at,
            )
            for a in adjustments
        ),
        drafted_by=_name(session, plan.drafted_by_id),
        drafted_at=plan.drafted_at,
        published_by=_name(session, plan.published_by_id) if not draft else None,
        published_at=plan.published_at,
        can_adjust=draft and can(viewer, Action.ADJUST_ALLOCATION, plan.street_id, tree),
        can_publish=draft
        and can(viewer, Action.PUBLISH_ALLOCATION, plan.street_id, tree)
        and plan.drafted_by_id != viewer.person_id,
    )


def allocation_page(
    session: Session, viewer: Viewer, *, plan_id: int | None = None
) -> AllocationPage:
    """Published plans for everyone; drafts only for those who may adjust them."""
    tree = place_tree(session)
    plans = [
        plan
        for plan in session.exec(
            select(AllocationPlan).order_by(
                col(AllocationPlan.year).desc(), col(AllocationPlan.id).desc()
            )
        )
        if plan.status == AllocationStatus.PUBLISHED
        or can(viewer, Action.ADJUST_ALLOCATION, plan.street_id, tree)
    ]
    streets = list(session.exec(select(Place).where(Place.kind == PlaceKind.STREET)))
    names = {id_of(s): s.name for s in streets}
    allowed = places_where(viewer, Action.DRAFT_ALLOCATION, names, tree)
    chosen = next((p for p in plans if p.id == plan_id), plans[0] if plans else None)
    return AllocationPage(
        plans=tuple(PlanChoice(id_of(p), names[p.street_id], p.year, p.status) for p in plans),
        plan=_plan_view(session, viewer, chosen) if chosen else None,
        streets=tuple(
            StreetChoice(street_id, names[street_id])
            for street_id in sorted(allowed, key=lambda s: (names[s], s))
        ),
    )


@dataclass(frozen=True)
class PublishedAllocation:
    """A published split as the notice board lists it: each community's final amount."""

    plan_id: int
    street: str
    year: int
    total_fen: int
    split: tuple[tuple[str, int], ...]  # community, fen; by name


def published_allocations(session: Session) -> list[PublishedAllocation]:
    """Every published plan, newest year first: public, like the rest of the notice board."""
    names = {id_of(p): p.name for p in session.exec(select(Place))}
    plans = session.exec(
        select(AllocationPlan)
        .where(AllocationPlan.status == AllocationStatus.PUBLISHED)
        .order_by(col(AllocationPlan.year).desc(), col(AllocationPlan.id).desc())
    )
    return [
        PublishedAllocation(
            plan_id=id_of(plan),
            street=names[plan.street_id],
            year=plan.year,
            total_fen=plan.total_fen,
            split=tuple(
                sorted(
                    (names[line.community_id], line.amount_fen)
                    for line in _lines(session, id_of(plan)).values()
                )
            ),
        )
        for plan in plans
    ]
