"""Year-end review sessions (年底评审会): street reviewers score each funded project on a rubric.

The projects under review are the proposals of the street's places that were selected or got
further (selected, in progress, completed, abandoned). The facts shown for each project are
public (cost, co-funding, leverage, money allocated and spent, maintenance plan); the scores are
private to the reviewers while the session is open, and public once it is closed.

Figures are exact: money in integer fen, ratios and averages as ``Fraction``; ``one_decimal``
rounds for display only (half up), so the screen and the report never disagree.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from models import Place, Proposal, Review, ReviewSession, RubricScore
from models.clock import utc_now
from models.vocabulary import (
    PlaceKind,
    ProposalStatus,
    Recommendation,
    ReviewSessionStatus,
    RubricCriterion,
)
from services.common import (
    choice,
    clean_text,
    get_or_fail,
    lock_for_change,
    place_tree,
    record_audit,
    snapshot,
)
from services.donors import project_money
from services.errors import Conflict, InvalidInput, NotAllowed, WrongPhase
from services.ledger import allocated_by_proposal, spent_by_proposal
from services.permissions import Action, PlaceTree, Viewer, can, require
from services.proposals import list_proposals

__all__ = [
    "REVIEWED_STATUSES",
    "OwnReview",
    "ProjectScores",
    "ReviewBoard",
    "ReviewProject",
    "ReviewSessionRow",
    "StreetIndicators",
    "close_review_session",
    "list_review_sessions",
    "one_decimal",
    "open_review_session",
    "review_board",
    "score_project",
]

REVIEWED_STATUSES = (
    ProposalStatus.SELECTED,
    ProposalStatus.IN_PROGRESS,
    ProposalStatus.COMPLETED,
    ProposalStatus.ABANDONED,
)
CRITERIA = tuple(RubricCriterion)
MAX_SCORE = 5


def one_decimal(value: Fraction | None) -> str:
    """An exact ratio shown to one decimal, rounding half up: 13/4 -> "3.3", 1/20 -> "0.1"."""
    if value is None:
        return "–"
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    whole, tenth = divmod(tenths, 10)
    return f"{'-' if value < 0 and tenths else ''}{whole}.{tenth}"


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


# --- changes ---------------------------------------------------------------------------------


def _is_organiser(viewer: Viewer, street_id: int, tree: PlaceTree) -> bool:
    """Review sessions are convened by an administrator or by the street's reviewers."""
    return can(viewer, Action.MANAGE_PLACES, street_id, tree) or can(
        viewer, Action.SCORE_PROJECT, street_id, tree
    )


def _require_organiser(session: Session, viewer: Viewer, street_id: int) -> None:
    if not _is_organiser(viewer, street_id, place_tree(session)):
        raise NotAllowed(action=Action.SCORE_PROJECT.value)


def open_review_session(
    session: Session, viewer: Viewer, *, street_id: int, year: int, title: str, held_on: date
) -> int:
    street = get_or_fail(session, Place, street_id)
    _require_organiser(session, viewer, street_id)
    if street.kind != PlaceKind.STREET:
        raise InvalidInput("review_needs_street")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2200:
        raise InvalidInput("field_invalid", field="year")
    if not isinstance(held_on, date):
        raise InvalidInput("field_invalid", field="held_on")
    title = clean_text(title, "title", max_length=160)
    lock_for_change(session)  # one open session per street, even for two clicks at once
    if session.exec(
        select(ReviewSession).where(
            ReviewSession.street_id == street_id,
            ReviewSession.status == ReviewSessionStatus.OPEN,
        )
    ).first():
        raise Conflict("review_session_already_open")
    review_session = ReviewSession(
        street_id=street_id,
        year=year,
        title=title,
        held_on=held_on,
        status=ReviewSessionStatus.OPEN,
    )
    session.add(review_session)
    record_audit(session, viewer, "open_review_session", review_session)
    session.commit()
    return review_session.id  # type: ignore[return-value]


def close_review_session(session: Session, viewer: Viewer, *, session_id: int) -> None:
    """Closing makes the scores public and final."""
    review_session = get_or_fail(session, ReviewSession, session_id)
    _require_organiser(session, viewer, review_session.street_id)
    if review_session.status != ReviewSessionStatus.OPEN:
        raise WrongPhase("review_session_not_open")
    before = snapshot(review_session)
    review_session.status = ReviewSessionStatus.CLOSED
    session.add(review_session)
    record_audit(session, viewer, "close_review_session", review_session, before=before)
    session.commit()


def _clean_scores(scores: dict[str, int]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for name, score in scores.items():
        criterion = choice(name, RubricCriterion, "criterion")
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= MAX_SCORE:
            raise InvalidInput("score_out_of_range", field=criterion, max=MAX_SCORE)
        cleaned[criterion] = score
    missing = [c.value for c in CRITERIA if c.value not in cleaned]
    if missing:
        raise InvalidInput("score_missing", field=missing[0])
    return cleaned


def _review_state(review: Review, scores: dict[str, int]) -> dict[str, Any]:
    return {**(snapshot(review) or {}), "scores": dict(sorted(scores.items()))}


def score_project(
    session: Session,
    viewer: Viewer,
    *,
    session_id: int,
    proposal_id: int,
    scores: dict[str, int],
    recommendation: str,
    goal_drift: bool = False,
    comment: str = "",
) -> int:
    """One review per reviewer per project per session. Submitting again while the session is
    open revises the reviewer's own review; the audit log keeps the scores before and after."""
    review_session = get_or_fail(session, ReviewSession, session_id)
    proposal = get_or_fail(session, Proposal, proposal_id)
    tree = place_tree(session)
    require(viewer, Action.SCORE_PROJECT, proposal.place_id, tree)
    if review_session.status != ReviewSessionStatus.OPEN:
        raise WrongPhase("review_session_not_open")
    if (
        not tree.covers(review_session.street_id, proposal.place_id)
        or proposal.status not in REVIEWED_STATUSES
    ):
        raise InvalidInput("proposal_not_reviewable")
    cleaned = _clean_scores(scores)
    recommendation = choice(recommendation, Recommendation, "recommendation")
    comment = clean_text(comment, "comment", max_length=2000, required=False, multiline=True)
    review = session.exec(
        select(Review).where(
            Review.session_id == session_id,
            Review.proposal_id == proposal_id,
            Review.reviewer_id == viewer.person_id,
        )
    ).first()
    before: dict[str, Any] | None = None
    if review is None:
        review = Review(
            session_id=session_id,
            proposal_id=proposal_id,
            reviewer_id=viewer.person_id,  # type: ignore[arg-type]
            recommendation=recommendation,
        )
        old_scores: dict[str, RubricScore] = {}
    else:
        old_scores = {
            s.criterion: s
            for s in session.exec(select(RubricScore).where(RubricScore.review_id == review.id))
        }
        before = _review_state(review, {c: s.score for c, s in old_scores.items()})
    review.recommendation = recommendation
    review.goal_drift = bool(goal_drift)
    review.comment = comment
    review.submitted_at = utc_now()
    session.add(review)
    session.flush()
    for criterion, score in cleaned.items():
        row = old_scores.get(criterion) or RubricScore(
            review_id=review.id,  # type: ignore[arg-type]
            criterion=criterion,
            score=score,
        )
        row.score = score
        session.add(row)
    # The scores live in their own rows: the before/after must show them, or a revision would
    # look like it changed nothing.
    record_audit(
        session,
        viewer,
        "revise_review" if before else "score_project",
        review,
        before=before,
        after=_review_state(review, cleaned),
    )
    session.commit()
    return review.id  # type: ignore[return-value]


# --- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSessionRow:
    id: int
    street_id: int
    street: str
    year: int
    title: str
    held_on: date
    status: str

    @property
    def is_open(self) -> bool:
        return self.status == ReviewSessionStatus.OPEN


@dataclass(frozen=True)
class ProjectScores:
    """The reviewers' verdicts on one project; averages are exact."""

    reviews: int
    averages: dict[str, Fraction]  # criterion -> mean score; empty when there is no review
    recommendations: dict[str, int]  # recommendation -> number of reviewers
    goal_drift_flags: int  # reviewers who saw the project drift from its goal (目标替代)
    comments: list[str]

    @property
    def overall(self) -> Fraction | None:
        """The mean of the criterion averages (each criterion weighs the same)."""
        if not self.averages:
            return None
        return sum(self.averages.values(), Fraction(0)) / len(self.averages)


@dataclass(frozen=True)
class OwnReview:
    scores: dict[str, int]
    recommendation: str
    goal_drift: bool
    comment: str


@dataclass(frozen=True)
class ReviewProject:
    proposal_id: int
    title: str
    place: str
    place_id: int
    category: str
    status: str
    cost_fen: int
    co_funding_fen: int  # other money pledged (residents, property manager, units, charity)
    confirmed_pledged_fen: int  # the pledges marked confirmed
    received_fen: int  # other money that actually came in: gifts designated for the project
    allocated_fen: int  # the seed money: what the fund earmarked for the project
    spent_fen: int
    maintenance_plan: str
    maintainer: str
    maintenance_years: int
    scores: ProjectScores | None  # None: not visible to this viewer (yet)
    own_review: OwnReview | None  # the viewer's own review, always visible to its author
    may_score: bool

    @property
    def seed_fen(self) -> int:
        """Seed money: what the fund actually allocated to the project."""
        return self.allocated_fen

    @property
    def leverage(self) -> Fraction | None:
        """Other money received per yuan of seed money (撬动比), from the books: pledges do not
        count until the money comes in. None when no seed money was allocated."""
        return _ratio(self.received_fen, self.seed_fen)

    @property
    def spent_share(self) -> Fraction | None:
        return _ratio(self.spent_fen, self.allocated_fen)


@dataclass(frozen=True)
class StreetIndicators:
    projects: int  # selected or later
    completed: int
    abandoned: int
    seed_fen: int
    co_funding_fen: int  # pledged
    received_fen: int
    allocated_fen: int
    spent_fen: int

    @property
    def implementation_rate(self) -> Fraction | None:
        """Completed projects over every project that was selected (提案落地率)."""
        return _ratio(self.completed, self.projects)

    @property
    def leverage(self) -> Fraction | None:
        """Total other money received over total seed money: the street's leverage, not a mean
        of ratios."""
        return _ratio(self.received_fen, self.seed_fen)


@dataclass(frozen=True)
class ReviewBoard:
    session: ReviewSessionRow
    projects: list[ReviewProject]
    indicators: StreetIndicators
    scores_visible: bool  # for at least one project
    may_close: bool
    may_score: bool
    summary: list[tuple[str, str, Fraction]] = field(default_factory=list)
    # (project title, criterion, average) for the chart, once the scores are visible


def _session_row(session: Session, review_session: ReviewSession) -> ReviewSessionRow:
    return ReviewSessionRow(
        id=review_session.id,  # type: ignore[arg-type]
        street_id=review_session.street_id,
        street=get_or_fail(session, Place, review_session.street_id).name,
        year=review_session.year,
        title=review_session.title,
        held_on=review_session.held_on,
        status=review_session.status,
    )


def list_review_sessions(session: Session, viewer: Viewer) -> list[ReviewSessionRow]:
    """Sessions are public facts (who reviews what, when); newest first."""
    return [
        _session_row(session, s)
        for s in session.exec(
            select(ReviewSession).order_by(
                col(ReviewSession.held_on).desc(), col(ReviewSession.id).desc()
            )
        )
    ]


def _scores(reviews: list[Review], scores: dict[int, dict[str, int]]) -> ProjectScores:
    totals: dict[str, list[int]] = {}
    for review in reviews:
        for criterion, score in scores.get(review.id, {}).items():  # type: ignore[arg-type]
            totals.setdefault(criterion, []).append(score)
    return ProjectScores(
        reviews=len(reviews),
        averages={
            c.value: Fraction(sum(totals[c.value]), len(totals[c.value]))
            for c in CRITERIA
            if totals.get(c.value)
        },
        recommendations=dict(Counter(r.recommendation for r in reviews)),
        goal_drift_flags=sum(1 for r in reviews if r.goal_drift),
        comments=[r.comment for r in reviews if r.comment],
    )


def _visible(viewer: Viewer, closed: bool, place_id: int, tree: PlaceTree) -> bool:
    return closed or can(viewer, Action.VIEW_REVIEWS, place_id, tree)


def review_board(session: Session, viewer: Viewer, session_id: int) -> ReviewBoard:
    """The projected screen: every reviewed project's facts, and its scores where visible."""
    review_session = get_or_fail(session, ReviewSession, session_id)
    tree = place_tree(session)
    closed = review_session.status == ReviewSessionStatus.CLOSED
    is_open = review_session.status == ReviewSessionStatus.OPEN
    rows = [
        row
        for row in list_proposals(session, statuses=tuple(s.value for s in REVIEWED_STATUSES))
        if tree.covers(review_session.street_id, row.place_id)
    ]
    proposals = {
        p.id: p
        for p in session.exec(
            select(Proposal).where(col(Proposal.id).in_([row.id for row in rows]))
        )
    }
    reviews: dict[int, list[Review]] = {}
    for review in session.exec(
        select(Review).where(Review.session_id == session_id).order_by(col(Review.id))
    ):
        reviews.setdefault(review.proposal_id, []).append(review)
    allocated, spent = allocated_by_proposal(session), spent_by_proposal(session)
    other_money = project_money(session, [row.id for row in rows])
    scores: dict[int, dict[str, int]] = {}
    for score in session.exec(
        select(RubricScore)
        .join(Review, col(Review.id) == RubricScore.review_id)
        .where(Review.session_id == session_id)
    ):
        scores.setdefault(score.review_id, {})[score.criterion] = score.score
    projects = []
    for row in rows:
        proposal = proposals[row.id]
        mine = next(
            (
                r
                for r in reviews.get(row.id, [])
                if viewer.person_id is not None and r.reviewer_id == viewer.person_id
            ),
            None,
        )
        projects.append(
            ReviewProject(
                proposal_id=row.id,
                title=row.title,
                place=row.place,
                place_id=row.place_id,
                category=row.category,
                status=row.status,
                cost_fen=row.cost_fen,
                co_funding_fen=row.co_funding_fen,
                confirmed_pledged_fen=other_money[row.id].confirmed_pledged_fen,
                received_fen=other_money[row.id].received_fen,
                allocated_fen=allocated.get(row.id, 0),
                spent_fen=spent.get(row.id, 0),
                maintenance_plan=proposal.maintenance_plan,
                maintainer=proposal.maintainer,
                maintenance_years=proposal.maintenance_years,
                scores=_scores(reviews.get(row.id, []), scores)
                if _visible(viewer, closed, row.place_id, tree)
                else None,
                own_review=OwnReview(
                    scores=scores.get(mine.id, {}),  # type: ignore[arg-type]
                    recommendation=mine.recommendation,
                    goal_drift=mine.goal_drift,
                    comment=mine.comment,
                )
                if mine
                else None,
                may_score=is_open and can(viewer, Action.SCORE_PROJECT, row.place_id, tree),
            )
        )
    indicators = StreetIndicators(
        projects=len(projects),
        completed=sum(1 for p in projects if p.status == ProposalStatus.COMPLETED),
        abandoned=sum(1 for p in projects if p.status == ProposalStatus.ABANDONED),
        seed_fen=sum(p.seed_fen for p in projects),
        co_funding_fen=sum(p.co_funding_fen for p in projects),
        received_fen=sum(p.received_fen for p in projects),
        allocated_fen=sum(p.allocated_fen for p in projects),
        spent_fen=sum(p.spent_fen for p in projects),
    )
    return ReviewBoard(
        session=_session_row(session, review_session),
        projects=projects,
        indicators=indicators,
        scores_visible=any(p.scores is not None for p in projects),
        may_close=is_open and _is_organiser(viewer, review_session.street_id, tree),
        may_score=any(p.may_score for p in projects),
        summary=[
            (p.title, criterion, average)
            for p in projects
            if p.scores is not None
            for criterion, average in p.scores.averages.items()
        ],
    )
