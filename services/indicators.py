"""The year-end review's indicators (年底评审指标), per community, per street and per year.

Every figure is defined in the README ("Indicators"); in short, for the proposals of a place's
area (the place and everything under it) whose year is the year asked (a proposal's year is
its round's year, or the year it was submitted: ``services.charters.proposal_years``, the rule
the yearly cap uses):

- counts of proposals submitted, selected (selected or carried on from there: the review's
  ``REVIEWED_STATUSES``), completed, abandoned (烂尾) and drifted from their goal (目标替代: more
  than half of the reviews in closed review sessions flagged it);
- participation: distinct proposers, supporters (of the proposals, and of the needs they
  answer), voters (poll-book entries of the year's rounds held in the area: one per
  ballot cast, by any channel), donors (distinct givers of the year's gifts to the area's funds)
  and volunteers (distinct residents with a volunteering shift of the year that still counts);
- money, from the books (``services.ledger``, ``services.donors``, ``services.campaigns``):
  seed money allocated to the selected projects, other money received for them, spending
  against the allocations, and the money that came into the area's funds in the year by source.

The street's figures are the street's whole area at once: sums and distinct counts over it,
never means of the communities' ratios. Ratios are exact (``Fraction``), money integer fen.
Everything here is public: no viewer, no permission check.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TypeVar

from sqlmodel import Session, col, select

from models import (
    BudgetRound,
    Fund,
    LedgerEntry,
    NeedSupport,
    Place,
    PointsCorrection,
    ProjectRating,
    Proposal,
    ProposalStatusChange,
    ProposalSupport,
    Review,
    ReviewSession,
    RubricScore,
    VolunteerShift,
)
from models.vocabulary import LedgerKind, PlaceKind, ProposalStatus, ReviewSessionStatus
from services.ballots import turnouts
from services.campaigns import money_by_source
from services.charters import proposal_years
from services.common import bounded_int, get_or_fail, id_of
from services.donors import project_money
from services.errors import InvalidInput
from services.ledger import allocated_by_proposal, not_reversed, spent_by_proposal
from services.reviews import REVIEWED_STATUSES, ProjectScores, project_scores
from services.turnout import eligible_households

__all__ = [
    "IndicatorBoard",
    "Indicators",
    "community_indicators",
    "indicator_board",
    "indicator_years",
    "street_indicators",
]

T = TypeVar("T")
MIN_YEAR, MAX_YEAR = 2000, 2200  # the years a round or a review session may have


def _ratio(numerator: int, denominator: int | None) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


@dataclass(frozen=True)
class Indicators:
    """One community's (or the whole street's) figures for one year."""

    place_id: int
    place: str
    year: int
    households: int | None
    submitted: int
    selected: int
    completed: int
    abandoned: int
    drifted: int
    proposers: int
    supporters: int
    voters: int
    donors: int
    volunteers: int
    seed_fen: int
    other_received_fen: int
    budget_fen: int
    spent_fen: int
    within_budget: int
    money_in_fen: int
    non_government_fen: int
    review_satisfaction: Fraction | None  # 0..5, closed review sessions
    resident_satisfaction: Fraction | None  # 1..5, residents' ratings
    funded: int = 0  # selected projects with seed money allocated
    reviewed: int = 0  # selected projects with a review in a closed session
    ratings: int = 0  # residents' ratings counted in resident_satisfaction

    @property
    def done_of_submitted(self) -> Fraction | None:
        """提案落地率 as the field reports it: completed ÷ submitted."""
        return _ratio(self.completed, self.submitted)

    @property
    def done_of_selected(self) -> Fraction | None:
        return _ratio(self.completed, self.selected)

    @property
    def turnout(self) -> Fraction | None:
        """Ballots ÷ households: a ballot does not say whose household cast it (it is secret)."""
        return _ratio(self.voters, self.households)

    @property
    def leverage(self) -> Fraction | None:
        """撬动比: other money received ÷ seed money, from the books (pledges do not count)."""
        return _ratio(self.other_received_fen, self.seed_fen)

    @property
    def non_government_share(self) -> Fraction | None:
        return _ratio(self.non_government_fen, self.money_in_fen)

    @property
    def abandoned_share(self) -> Fraction | None:
        return _ratio(self.abandoned, self.selected)

    @property
    def within_budget_share(self) -> Fraction | None:
        return _ratio(self.within_budget, self.funded)

    @property
    def spent_share(self) -> Fraction | None:
        return _ratio(self.spent_fen, self.budget_fen)


@dataclass(frozen=True)
class _Project:
    id: int
    place_id: int
    status: str
    proposer_id: int | None

    @property
    def selected(self) -> bool:
        return self.status in REVIEWED_STATUSES


@dataclass(frozen=True)
class _Facts:
    """Everything of one street and one year, read once; each place's figures filter it."""

    places: dict[int, Place]
    projects: list[_Project]  # the year's submitted proposals of the street's area
    proposal_supporters: list[tuple[int, int]]  # (place, person)
    need_supporters: list[tuple[int, int]]  # (answering proposal's place, person)
    voters: list[tuple[int, int]]  # (round's place, ballots)
    donors: list[tuple[int, str]]  # (fund's place, who gave)
    volunteers: list[tuple[int, int]]  # (place, person)
    allocated: dict[int, int]
    spent: dict[int, int]
    received: dict[int, int]
    funds: dict[int, int]  # fund -> place
    money_in: dict[int, tuple[int, int]]  # fund -> (total, not from government)
    transfers: list[tuple[int, int, int]]  # (source fund, destination fund, fen) in the year
    reviews: dict[int, ProjectScores]  # closed sessions only
    ratings: dict[int, list[int]]  # proposal -> stars


def _in_year(year: int, on: date) -> bool:
    return on.year == year


def _area(places: dict[int, Place], top: int) -> set[int]:
    """The place and every place under it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for place in places.values():
        children[place.parent_id].append(id_of(place))
    area, todo = set(), [top]
    while todo:
        place_id = todo.pop()
        area.add(place_id)
        todo.extend(children.get(place_id, []))
    return area


def _street(session: Session, street_id: int) -> tuple[Place, dict[int, Place], set[int]]:
    street = get_or_fail(session, Place, street_id)
    if street.kind != PlaceKind.STREET:
        raise InvalidInput("indicators_need_street")
    places = {id_of(p): p for p in session.exec(select(Place))}
    return street, places, _area(places, street_id)


def _projects(session: Session, area: set[int], year: int) -> list[_Project]:
    proposals = list(
        session.exec(
            select(Proposal).where(
                col(Proposal.place_id).in_(area), Proposal.status != ProposalStatus.DRAFT
            )
        )
    )
    years = proposal_years(session, proposals)
    # Submitted: the history shows it was handed in (a draft withdrawn never was).
    handed_in = set(
        session.exec(
            select(ProposalStatusChange.proposal_id).where(
                col(ProposalStatusChange.proposal_id).in_([id_of(p) for p in proposals]),
                ProposalStatusChange.to_status == ProposalStatus.SUBMITTED,
            )
        )
    )
    return [
        _Project(id_of(p), p.place_id, p.status, p.proposer_id)
        for p in proposals
        if years[id_of(p)] == year and id_of(p) in handed_in
    ]


def _reviews(session: Session, proposal_ids: list[int]) -> dict[int, ProjectScores]:
    """Per project, its reviews in closed sessions, as the review board sums them."""
    closed = select(ReviewSession.id).where(ReviewSession.status == ReviewSessionStatus.CLOSED)
    reviews = list(
        session.exec(
            select(Review).where(
                col(Review.proposal_id).in_(proposal_ids), col(Review.session_id).in_(closed)
            )
        )
    )
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    for score in session.exec(
        select(RubricScore).where(col(RubricScore.review_id).in_([id_of(r) for r in reviews]))
    ):
        scores[score.review_id][score.criterion] = score.score
    by_project: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_project[review.proposal_id].append(review)
    return {pid: project_scores(its, scores) for pid, its in by_project.items()}


def _volunteers(session: Session, area: set[int], year: int) -> list[tuple[int, int]]:
    """Shifts of the year that still count: a correction to 0 hours says it did not happen."""
    corrected = dict(
        session.exec(
            select(PointsCorrection.corrects_id, PointsCorrection.hours).order_by(
                col(PointsCorrection.id)
            )
        ).all()
    )
    return [
        (shift.place_id, shift.person_id)
        for shift in session.exec(
            select(VolunteerShift).where(col(VolunteerShift.place_id).in_(area))
        )
        if shift.recorded_at.year == year and corrected.get(shift.entry_id, shift.hours) > 0
    ]


def _facts(session: Session, places: dict[int, Place], area: set[int], year: int) -> _Facts:
    projects = _projects(session, area, year)
    ids = [p.id for p in projects]
    selected = [p.id for p in projects if p.selected]
    place_of = {p.id: p.place_id for p in projects}
    rounds = {
        id_of(r): r.place_id
        for r in session.exec(
            select(BudgetRound).where(col(BudgetRound.place_id).in_(area), BudgetRound.year == year)
        )
    }
    funds = {
        id_of(f): f.place_id
        for f in session.exec(select(Fund).where(col(Fund.place_id).in_(area)))
        if f.place_id is not None
    }
    within_year = (
        col(LedgerEntry.occurred_on) >= date(year, 1, 1),
        col(LedgerEntry.occurred_on) <= date(year, 12, 31),
        not_reversed(),
    )
    gifts = session.exec(
        select(
            LedgerEntry.destination_fund_id,
            LedgerEntry.counterparty_person_id,
            LedgerEntry.counterparty,
        ).where(
            LedgerEntry.kind == LedgerKind.DONATION,
            col(LedgerEntry.destination_fund_id).in_(list(funds)),
            *within_year,
        )
    ).all()
    transfers = session.exec(
        select(
            LedgerEntry.source_fund_id, LedgerEntry.destination_fund_id, LedgerEntry.amount_fen
        ).where(
            LedgerEntry.kind == LedgerKind.TRANSFER,
            col(LedgerEntry.source_fund_id).in_(list(funds)),
            col(LedgerEntry.destination_fund_id).in_(list(funds)),
            *within_year,
        )
    ).all()
    sources = money_by_source(session, year=year)
    # A need counts in the year of the proposals that answer it, not the day it was posted.
    needs = session.exec(
        select(Proposal.place_id, NeedSupport.person_id)
        .join(Proposal, col(Proposal.need_id) == NeedSupport.need_id)
        .where(col(Proposal.id).in_(ids))
    ).all()
    ratings: dict[int, list[int]] = defaultdict(list)
    for pid, stars in session.exec(
        select(ProjectRating.proposal_id, ProjectRating.stars).where(
            col(ProjectRating.proposal_id).in_(ids)
        )
    ):
        ratings[pid].append(stars)
    money = project_money(session, selected)
    return _Facts(
        places=places,
        projects=projects,
        proposal_supporters=[
            (place_of[pid], person)
            for pid, person in session.exec(
                select(ProposalSupport.proposal_id, ProposalSupport.person_id).where(
                    col(ProposalSupport.proposal_id).in_(ids)
                )
            )
        ],
        need_supporters=[(place, person) for place, person in needs],
        voters=[(rounds[rid], t.total) for rid, t in turnouts(session, list(rounds)).items()],
        donors=[
            (funds[fund or 0], f"person:{person}" if person is not None else f"name:{name}")
            for fund, person, name in gifts
        ],
        volunteers=_volunteers(session, area, year),
        allocated={pid: fen for pid, fen in allocated_by_proposal(session).items() if pid in money},
        spent={pid: fen for pid, fen in spent_by_proposal(session).items() if pid in money},
        received={pid: m.received_fen for pid, m in money.items()},
        funds=funds,
        money_in={
            s.fund_id: (s.total_fen, s.non_government_fen) for s in sources if s.fund_id in funds
        },
        transfers=[(src or 0, dst or 0, fen) for src, dst, fen in transfers],
        reviews=_reviews(session, selected),
        ratings=ratings,
    )


def _distinct(rows: Iterable[tuple[int, T]], area: Collection[int]) -> int:
    return len({who for place, who in rows if place in area})


def _mean(values: list[Fraction] | list[int]) -> Fraction | None:
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values) if values else None


def _figures(facts: _Facts, place: Place, year: int, households: int | None) -> Indicators:
    area = _area(facts.places, id_of(place))

    def in_area(fund: int) -> bool:
        return facts.funds[fund] in area

    projects = [p for p in facts.projects if p.place_id in area]
    selected = [p for p in projects if p.selected]
    funded = [p for p in selected if facts.allocated.get(p.id, 0) > 0]
    reviewed = [facts.reviews[p.id] for p in selected if p.id in facts.reviews]
    overall = [s.overall for s in reviewed if s.overall is not None]
    stars = [s for p in projects for s in facts.ratings.get(p.id, [])]
    internal = sum(fen for src, dst, fen in facts.transfers if in_area(src) and in_area(dst))
    money_in = [m for fund, m in facts.money_in.items() if in_area(fund)]
    return Indicators(
        place_id=id_of(place),
        place=place.name,
        year=year,
        households=households,
        submitted=len(projects),
        selected=len(selected),
        completed=sum(1 for p in projects if p.status == ProposalStatus.COMPLETED),
        abandoned=sum(1 for p in projects if p.status == ProposalStatus.ABANDONED),
        drifted=sum(1 for s in reviewed if 2 * s.goal_drift_flags > s.reviews),
        proposers=len({p.proposer_id for p in projects if p.proposer_id is not None}),
        supporters=_distinct(facts.proposal_supporters + facts.need_supporters, area),
        voters=sum(ballots for round_place, ballots in facts.voters if round_place in area),
        donors=_distinct(facts.donors, area),
        volunteers=_distinct(facts.volunteers, area),
        seed_fen=sum(facts.allocated.get(p.id, 0) for p in selected),
        other_received_fen=sum(facts.received.get(p.id, 0) for p in selected),
        budget_fen=sum(facts.allocated.get(p.id, 0) for p in funded),
        spent_fen=sum(facts.spent.get(p.id, 0) for p in selected),
        within_budget=sum(1 for p in funded if facts.spent.get(p.id, 0) <= facts.allocated[p.id]),
        # Money passed between two funds of the same area came in once, not twice.
        money_in_fen=sum(total for total, _ in money_in) - internal,
        non_government_fen=sum(other for _, other in money_in),
        review_satisfaction=_mean(overall),
        resident_satisfaction=_mean(stars),
        funded=len(funded),
        reviewed=len(reviewed),
        ratings=len(stars),
    )


def _year_rows(session: Session, street_id: int, year: int) -> tuple[Indicators, list[Indicators]]:
    """The street's figures and its communities' (by name), from one reading of the year."""
    year = bounded_int(year, "year", low=MIN_YEAR, high=MAX_YEAR)
    street, places, area = _street(session, street_id)
    facts = _facts(session, places, area, year)
    communities = sorted(
        (p for p in places.values() if p.parent_id == street_id and p.kind == PlaceKind.COMMUNITY),
        key=lambda p: (p.name, id_of(p)),
    )
    return _figures(facts, street, year, eligible_households(session, street_id)), [
        _figures(facts, c, year, eligible_households(session, id_of(c))) for c in communities
    ]


def community_indicators(session: Session, *, street_id: int, year: int) -> list[Indicators]:
    """One per community of the street, by name, including communities with nothing."""
    return _year_rows(session, street_id, year)[1]


def street_indicators(session: Session, *, street_id: int, year: int) -> Indicators:
    """The street as a whole: its whole area at once (sums, not means of ratios)."""
    return _year_rows(session, street_id, year)[0]


def indicator_years(session: Session, *, street_id: int) -> list[int]:
    """The years with a round or a submitted proposal in the street's area, oldest first."""
    _, _, area = _street(session, street_id)
    proposals = list(
        session.exec(
            select(Proposal).where(
                col(Proposal.place_id).in_(area), Proposal.status != ProposalStatus.DRAFT
            )
        )
    )
    years = set(proposal_years(session, proposals).values())
    years.update(session.exec(select(BudgetRound.year).where(col(BudgetRound.place_id).in_(area))))
    return sorted(years)


@dataclass(frozen=True)
class IndicatorBoard:
    """What the indicators screen shows: the streets to choose from, the chosen street's years,
    its figures and its communities' for the chosen year, and every year's for the trends."""

    streets: dict[int, str]  # id -> name, by name
    street_id: int | None  # None: no street in the store yet
    years: list[int]
    year: int | None  # None: nothing happened in the street yet
    street: Indicators | None
    communities: list[Indicators]
    trend: list[Indicators]  # the street and each community, every year, oldest first


def indicator_board(
    session: Session, *, street_id: int | None = None, year: int | None = None
) -> IndicatorBoard:
    """The street asked for (else the first by name) and the year asked for (else its latest)."""
    streets = {
        id_of(p): p.name
        for p in sorted(
            session.exec(select(Place).where(Place.kind == PlaceKind.STREET)),
            key=lambda p: (p.name, id_of(p)),
        )
    }
    if year is not None:
        year = bounded_int(year, "year", low=MIN_YEAR, high=MAX_YEAR)
    chosen = street_id if street_id in streets else next(iter(streets), None)
    if chosen is None:
        return IndicatorBoard(streets, None, [], None, None, [], [])
    years = indicator_years(session, street_id=chosen)
    shown = year if year in years else (years[-1] if years else None)
    trend = []
    for each in years:
        street, communities = _year_rows(session, chosen, each)
        trend += [street, *communities]
    here = [row for row in trend if row.year == shown]
    return IndicatorBoard(
        streets=streets,
        street_id=chosen,
        years=years,
        year=shown,
        street=here[0] if here else None,
        communities=here[1:],
        trend=trend,
    )
