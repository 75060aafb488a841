"""Year-end review sessions (年底评审会): street reviewers score each funded project on a rubric.

The projects under review are the proposals of the street's places that were selected or got
further (selected, in progress, completed, abandoned). The facts shown for each project are
public (cost, co-funding, leverage, money allocated and spent, maintenance plan).

Session mode, as street reviewers run it in the room:

- The session's **chair** is the reviewer or administrator who opened it; an administrator of
  the street may also steer (to take over when the chair's phone dies). The chair sets the
  **roster** (the assigned reviewers) and moves the session project to project; only the
  reviewers on the roster score in it.
- A score of ``COMMENT_BELOW`` (2) or less on any criterion needs a comment saying why.
- **Privacy.** While the session is open, no one sees another reviewer's scores, comments or
  recommendation (not even the other reviewers: nobody is anchored by a score before giving
  theirs). Once every reviewer on the roster has scored a project, its **aggregate** (means,
  spread, how many outliers; nobody named) is shown to everyone, as the wall shows it to the
  room, and the reviewers see the project's pooled verdicts (recommendations and comments,
  unsigned). Once the session is closed, everything is public, as before.
- **Outlier**: a reviewer whose overall score (the mean of their criterion scores) lies more
  than ``OUTLIER_DISTANCE`` (1.5) points from the median of the *other* reviewers' overall
  scores. With two reviewers that means the two differ by more than 1.5, and both count.
- **Spread**: lowest and highest score, and the population standard deviation (divided by
  the number of reviewers), exact as a variance and shown to one decimal.

Figures are exact: money in integer fen, ratios and averages as ``Fraction``; ``one_decimal``
rounds for display only (half up), so the screen and the report never disagree.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select, update

from models import (
    Person,
    Place,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewSession,
    RoleGrant,
    RubricScore,
)
from models.clock import utc_now
from models.vocabulary import (
    PlaceKind,
    ProposalStatus,
    Recommendation,
    ReviewSessionStatus,
    Role,
    RubricCriterion,
)
from services.accounts import viewer_for_person
from services.charters import proposal_years
from services.common import (
    choice,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    place_tree,
    record_audit,
    snapshot,
)
from services.donors import project_money
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, WrongPhase
from services.ledger import allocated_by_proposal, spent_by_proposal
from services.permissions import Action, PlaceTree, Viewer, can, require
from services.proposals import ProposalRow, list_proposals

__all__ = [
    "COMMENT_BELOW",
    "OUTLIER_DISTANCE",
    "REVIEWED_STATUSES",
    "Aggregate",
    "OwnReview",
    "ProjectScores",
    "ReviewBoard",
    "ReviewProject",
    "ReviewSessionRow",
    "Spread",
    "StreetIndicators",
    "StreetReviewer",
    "aggregate",
    "assign_reviewers",
    "close_review_session",
    "list_review_sessions",
    "next_review_project",
    "one_decimal",
    "open_review_session",
    "previous_review_project",
    "review_board",
    "review_session_version",
    "root_one_decimal",
    "score_project",
    "street_reviewers",
]

REVIEWED_STATUSES = (
    ProposalStatus.SELECTED,
    ProposalStatus.IN_PROGRESS,
    ProposalStatus.COMPLETED,
    ProposalStatus.ABANDONED,
)
CRITERIA = tuple(RubricCriterion)
MAX_SCORE = 5
COMMENT_BELOW = 2  # a criterion scored this or lower needs a comment saying why
OUTLIER_DISTANCE = Fraction(3, 2)  # points from the median of the other reviewers' overall
MAX_ROSTER = 30  # a street's review panel has a handful of reviewers, never more than this


def one_decimal(value: Fraction | None) -> str:
    """An exact ratio shown to one decimal, rounding half up: 13/4 -> "3.3", 1/20 -> "0.1"."""
    if value is None:
        return "–"
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    whole, tenth = divmod(tenths, 10)
    return f"{'-' if value < 0 and tenths else ''}{whole}.{tenth}"


def root_one_decimal(square: Fraction) -> str:
    """The square root of an exact non-negative ratio, to one decimal, rounding half up, without
    floating point: 2/9 -> "0.5" (0.471...), 9/4 -> "1.5". The tenths are the k for which
    (k - 1/2)^2 <= 100 x < (k + 1/2)^2, i.e. k = (isqrt(floor(400 x)) + 1) // 2."""
    tenths = (math.isqrt(math.floor(square * 400)) + 1) // 2
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth}"


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


def _is_chair(viewer: Viewer, review_session: ReviewSession, tree: PlaceTree) -> bool:
    """The one who opened the session steers it; an administrator of the street may take over.
    A session opened before sessions had chairs is steered by any of its organisers."""
    street_id = review_session.street_id
    if can(viewer, Action.MANAGE_PLACES, street_id, tree):
        return True
    if review_session.chair_id is None:
        return _is_organiser(viewer, street_id, tree)
    return viewer.person_id == review_session.chair_id and _is_organiser(viewer, street_id, tree)


def _session_to_steer(session: Session, viewer: Viewer, session_id: int) -> ReviewSession:
    """The session, once the viewer chairs it and it is open. The lock comes first, so that of
    two chairs' devices pressing at once the second reads what the first did."""
    lock_for_change(session)
    review_session = get_or_fail(session, ReviewSession, session_id)
    session.refresh(review_session)
    if not _is_chair(viewer, review_session, place_tree(session)):
        raise NotAllowed("review_not_chair")
    if review_session.status != ReviewSessionStatus.OPEN:
        raise WrongPhase("review_session_not_open")
    return review_session


def _touch(session: Session, session_id: int) -> None:
    """Moves the session's revision in the database itself: two changes committed at the same
    moment move it twice, so a wall never mistakes the second for the first."""
    session.exec(
        update(ReviewSession)
        .where(col(ReviewSession.id) == session_id)
        .values(revision=col(ReviewSession.revision) + 1)
    )


def _roster(session: Session, street_id: int, reviewer_ids: Sequence[int]) -> list[int]:
    """Each assigned person must be able to score at the street (a reviewer whose grant covers
    it, and active); duplicates collapse, the order given is kept."""
    if isinstance(reviewer_ids, (str, bytes)) or not isinstance(reviewer_ids, Sequence):
        raise InvalidInput("field_invalid", field="reviewers")
    roster: list[int] = []
    for person_id in reviewer_ids:
        if not isinstance(person_id, int) or isinstance(person_id, bool):
            raise InvalidInput("field_invalid", field="reviewers")
        if person_id not in roster:
            roster.append(person_id)
    if not roster:
        raise InvalidInput("review_needs_reviewers")
    if len(roster) > MAX_ROSTER:
        raise InvalidInput("review_too_many_reviewers", max=MAX_ROSTER)
    tree = place_tree(session)
    for person_id in roster:
        if session.get(Person, person_id) is None:
            raise NotFound(entity="person")
        if not can(viewer_for_person(session, person_id), Action.SCORE_PROJECT, street_id, tree):
            raise InvalidInput("review_not_a_reviewer")
    return roster


def _assigned(session: Session, session_id: int) -> list[int]:
    return list(
        session.exec(
            select(ReviewAssignment.reviewer_id)
            .where(ReviewAssignment.session_id == session_id)
            .order_by(col(ReviewAssignment.id))
        )
    )


def open_review_session(
    session: Session,
    viewer: Viewer,
    *,
    street_id: int,
    year: int,
    title: str,
    held_on: date,
    reviewer_ids: Sequence[int] | None = None,
) -> int:
    """The opener chairs the session. Without a roster the opener alone is assigned (a reviewer
    reviewing alone); an administrator, who does not score, must name the reviewers."""
    street = get_or_fail(session, Place, street_id)
    _require_organiser(session, viewer, street_id)
    if street.kind != PlaceKind.STREET:
        raise InvalidInput("review_needs_street")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2200:
        raise InvalidInput("field_invalid", field="year")
    if not isinstance(held_on, date):
        raise InvalidInput("field_invalid", field="held_on")
    title = clean_text(title, "title", max_length=160)
    if reviewer_ids is None:
        scores_here = can(viewer, Action.SCORE_PROJECT, street_id, place_tree(session))
        reviewer_ids = [viewer.person_id] if scores_here and viewer.person_id else []
    roster = _roster(session, street_id, reviewer_ids)
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
        chair_id=viewer.person_id,
    )
    session.add(review_session)
    session.flush()
    session.add_all(
        ReviewAssignment(session_id=id_of(review_session), reviewer_id=person_id)
        for person_id in roster
    )
    record_audit(
        session,
        viewer,
        "open_review_session",
        review_session,
        after={**(snapshot(review_session) or {}), "reviewers": roster},
    )
    session.commit()
    return id_of(review_session)


def assign_reviewers(
    session: Session, viewer: Viewer, *, session_id: int, reviewer_ids: Sequence[int]
) -> None:
    """The chair changes the roster while the session is open. A reviewer who has already
    scored stays on it: their scores would otherwise vanish from the aggregate, or linger in it
    from someone no longer counted."""
    review_session = _session_to_steer(session, viewer, session_id)
    roster = _roster(session, review_session.street_id, reviewer_ids)
    before = _assigned(session, session_id)
    scored = set(
        session.exec(select(Review.reviewer_id).where(Review.session_id == session_id)).all()
    )
    if scored - set(roster):
        raise Conflict("review_reviewer_has_scored")
    for row in session.exec(
        select(ReviewAssignment).where(ReviewAssignment.session_id == session_id)
    ):
        if row.reviewer_id not in roster:
            session.delete(row)
    session.add_all(
        ReviewAssignment(session_id=session_id, reviewer_id=person_id)
        for person_id in roster
        if person_id not in before
    )
    record_audit(
        session,
        viewer,
        "assign_reviewers",
        review_session,
        before={"reviewers": before},
        after={"reviewers": roster},
    )
    _touch(session, session_id)
    session.commit()


def _reviewed_rows(session: Session, review_session: ReviewSession) -> list[ProposalRow]:
    """The street's funded projects of the session's year and earlier (a project is reviewed
    again while it is kept up), never a later year's: a closed 2025 session must not gain the
    projects of 2026. A project's year is the charters' rule (its round's, else submission's)."""
    tree = place_tree(session)
    rows = [
        row
        for row in list_proposals(session, statuses=tuple(s.value for s in REVIEWED_STATUSES))
        if tree.covers(review_session.street_id, row.place_id)
    ]
    proposals = list(
        session.exec(select(Proposal).where(col(Proposal.id).in_([row.id for row in rows])))
    )
    years = proposal_years(session, proposals)
    return [row for row in rows if years[row.id] <= review_session.year]


def _reviewable_ids(session: Session, review_session: ReviewSession) -> list[int]:
    return [row.id for row in _reviewed_rows(session, review_session)]


def _move_to(
    session: Session,
    viewer: Viewer,
    session_id: int,
    from_proposal_id: int | None,
    step: int,
) -> int:
    """The project the chair saw must still be the current one: two devices pressing "next" at
    the same moment move the session one project, and the second is told it moved already.
    There is nothing after the last project nor before the first: refused, not clamped."""
    review_session = _session_to_steer(session, viewer, session_id)
    if from_proposal_id != review_session.current_proposal_id:
        raise Conflict("review_session_moved_on")
    ids = _reviewable_ids(session, review_session)
    at = ids.index(from_proposal_id) if from_proposal_id in ids else -1
    target = at + step
    if step > 0 and target >= len(ids):
        raise WrongPhase("review_at_last_project")
    if step < 0 and at <= 0:
        raise WrongPhase("review_at_first_project")
    before = snapshot(review_session)
    review_session.current_proposal_id = ids[target]
    session.add(review_session)
    record_audit(
        session,
        viewer,
        "next_review_project" if step > 0 else "previous_review_project",
        review_session,
        before=before,
    )
    _touch(session, session_id)
    session.commit()
    return ids[target]


def next_review_project(
    session: Session, viewer: Viewer, *, session_id: int, from_proposal_id: int | None
) -> int:
    """Moves to the project after ``from_proposal_id`` (the first from none); returns it."""
    return _move_to(session, viewer, session_id, from_proposal_id, 1)


def previous_review_project(
    session: Session, viewer: Viewer, *, session_id: int, from_proposal_id: int | None
) -> int:
    return _move_to(session, viewer, session_id, from_proposal_id, -1)


def close_review_session(session: Session, viewer: Viewer, *, session_id: int) -> None:
    """Closing makes the scores public and final."""
    review_session = get_or_fail(session, ReviewSession, session_id)
    _require_organiser(session, viewer, review_session.street_id)
    if not _is_chair(viewer, review_session, place_tree(session)):
        raise NotAllowed("review_not_chair")
    if review_session.status != ReviewSessionStatus.OPEN:
        raise WrongPhase("review_session_not_open")
    before = snapshot(review_session)
    review_session.status = ReviewSessionStatus.CLOSED
    session.add(review_session)
    record_audit(session, viewer, "close_review_session", review_session, before=before)
    _touch(session, session_id)
    session.commit()


def _clean_scores(scores: dict[str, int]) -> dict[str, int]:
    """Every criterion chosen explicitly: the form pre-chooses none, and a missing one is
    refused rather than taken as a middle score."""
    if not isinstance(scores, dict):
        raise InvalidInput("field_invalid", field="scores")
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
    """One review per reviewer per project per session, by the reviewers on the session's
    roster. Submitting again while the session is open revises the reviewer's own review; the
    audit log keeps the scores before and after."""
    review_session = get_or_fail(session, ReviewSession, session_id)
    proposal = get_or_fail(session, Proposal, proposal_id)
    tree = place_tree(session)
    require(viewer, Action.SCORE_PROJECT, proposal.place_id, tree)
    if review_session.status != ReviewSessionStatus.OPEN:
        raise WrongPhase("review_session_not_open")
    if viewer.person_id not in _assigned(session, session_id):
        raise NotAllowed("review_not_assigned")
    if proposal_id not in _reviewable_ids(session, review_session):
        raise InvalidInput("proposal_not_reviewable")
    cleaned = _clean_scores(scores)
    recommendation = choice(recommendation, Recommendation, "recommendation")
    comment = clean_text(comment, "comment", max_length=2000, required=False, multiline=True)
    low = next((c.value for c in CRITERIA if cleaned[c.value] <= COMMENT_BELOW), None)
    if low is not None and not comment:
        raise InvalidInput("review_comment_needed", field=low, threshold=COMMENT_BELOW)
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
            reviewer_id=viewer.person_id,
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
    _touch(session, session_id)
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
class Spread:
    """Scores given to one thing by several reviewers; exact, rounded only for display."""

    mean: Fraction
    low: Fraction
    high: Fraction
    variance: Fraction  # population variance: the mean squared distance from the mean

    @property
    def deviation(self) -> str:
        """The standard deviation to one decimal, exactly rounded."""
        return root_one_decimal(self.variance)


@dataclass(frozen=True)
class Aggregate:
    """What the wall shows once every assigned reviewer has scored a project: nobody named."""

    reviewers: int
    criteria: dict[str, Spread]  # criterion -> spread of the reviewers' scores
    overall: Spread  # of each reviewer's overall score (the mean of their criterion scores)
    outliers: int  # reviewers whose overall score is far from the others' (see the module)


def _spread(values: list[Fraction]) -> Spread:
    mean = sum(values, Fraction(0)) / len(values)
    return Spread(
        mean=mean,
        low=min(values),
        high=max(values),
        variance=sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values),
    )


def _median(values: list[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def aggregate(sheets: list[dict[str, int]]) -> Aggregate | None:
    """The anonymous aggregate of complete score sheets (criterion -> score), none without
    any. An outlier lies more than OUTLIER_DISTANCE from the median of the others' overall."""
    if not sheets:
        return None
    overall = [Fraction(sum(sheet.values()), len(sheet)) for sheet in sheets]
    outliers = sum(
        1
        for index, mine in enumerate(overall)
        if len(overall) > 1
        and abs(mine - _median(overall[:index] + overall[index + 1 :])) > OUTLIER_DISTANCE
    )
    return Aggregate(
        reviewers=len(sheets),
        criteria={
            c.value: _spread([Fraction(sheet[c.value]) for sheet in sheets])
            for c in CRITERIA
            if all(c.value in sheet for sheet in sheets)
        },
        overall=_spread(overall),
        outliers=outliers,
    )


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
    scored_by: int = 0  # how many of the session's assigned reviewers scored it (not who)
    aggregate: Aggregate | None = None  # once every assigned reviewer scored, or once closed

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
    chair: str = ""  # who steers the session (public, as the roster is)
    reviewers: list[str] = field(default_factory=list)  # the roster, by name
    reviewer_ids: list[int] = field(default_factory=list)  # the roster, in the same order
    current_proposal_id: int | None = None  # the project the chair has put on the wall
    may_steer: bool = False
    revision: int = 0

    @property
    def assigned(self) -> int:
        return len(self.reviewers)

    @property
    def current(self) -> "ReviewProject | None":
        return next((p for p in self.projects if p.proposal_id == self.current_proposal_id), None)

    @property
    def current_position(self) -> int:
        """The current project's index among the projects; -1 before the first."""
        ids = [p.proposal_id for p in self.projects]
        return ids.index(self.current_proposal_id) if self.current_proposal_id in ids else -1


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


def project_scores(reviews: list[Review], scores: dict[int, dict[str, int]]) -> ProjectScores:
    """One project's reviews summed (``scores``: criterion -> score, by review id): the review
    board and the year-end indicators read the same figures."""
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


def _visible(
    viewer: Viewer, closed: bool, all_scored: bool, place_id: int, tree: PlaceTree
) -> bool:
    """Public once closed; while open, for the reviewers once every assigned one has scored
    the project, so that no one reads the others' verdicts before giving their own."""
    return closed or (all_scored and can(viewer, Action.VIEW_REVIEWS, place_id, tree))


@dataclass(frozen=True)
class StreetReviewer:
    id: int
    name: str


def street_reviewers(session: Session, viewer: Viewer, *, street_id: int) -> list[StreetReviewer]:
    """Who may be put on a session's roster at the street, for its organisers' picker."""
    _require_organiser(session, viewer, street_id)
    tree = place_tree(session)
    holders = session.exec(
        select(RoleGrant.person_id)
        .where(RoleGrant.role == Role.REVIEWER, col(RoleGrant.revoked_at).is_(None))
        .distinct()
    ).all()
    return [
        StreetReviewer(id=person_id, name=get_or_fail(session, Person, person_id).display_name)
        for person_id in sorted(holders)
        if can(viewer_for_person(session, person_id), Action.SCORE_PROJECT, street_id, tree)
    ]


def review_session_version(session: Session, *, session_id: int) -> int:
    """The session's revision: one indexed read, for a wall to ask every second and read the
    board again only when it moved."""
    revision = session.exec(
        select(ReviewSession.revision).where(ReviewSession.id == session_id)
    ).first()
    if revision is None:
        raise NotFound(entity="reviewsession")
    return revision


def review_board(session: Session, viewer: Viewer, session_id: int) -> ReviewBoard:
    """The projected screen: every reviewed project's facts, and its scores where visible."""
    review_session = get_or_fail(session, ReviewSession, session_id)
    tree = place_tree(session)
    closed = review_session.status == ReviewSessionStatus.CLOSED
    is_open = review_session.status == ReviewSessionStatus.OPEN
    rows = _reviewed_rows(session, review_session)
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
    roster = _assigned(session, session_id)
    names = {
        person.id: person.display_name
        for person in session.exec(
            select(Person).where(col(Person.id).in_([*roster, review_session.chair_id or 0]))
        )
    }
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
        given = reviews.get(row.id, [])
        scored_by = len({r.reviewer_id for r in given} & set(roster))
        all_scored = bool(roster) and scored_by == len(roster)
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
                scores=project_scores(given, scores)
                if _visible(viewer, closed, all_scored, row.place_id, tree)
                else None,
                own_review=OwnReview(
                    scores=scores.get(mine.id, {}),  # type: ignore[arg-type]
                    recommendation=mine.recommendation,
                    goal_drift=mine.goal_drift,
                    comment=mine.comment,
                )
                if mine
                else None,
                may_score=is_open
                and viewer.person_id in roster
                and can(viewer, Action.SCORE_PROJECT, row.place_id, tree),
                scored_by=scored_by,
                aggregate=aggregate([scores.get(id_of(r), {}) for r in given])
                if closed or all_scored
                else None,
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
        may_close=is_open and _is_chair(viewer, review_session, tree),
        may_score=any(p.may_score for p in projects),
        summary=[
            (p.title, criterion, average)
            for p in projects
            if p.scores is not None
            for criterion, average in p.scores.averages.items()
        ],
        chair=names.get(review_session.chair_id or 0, ""),
        reviewers=[names.get(person_id, "") for person_id in roster],
        reviewer_ids=roster,
        current_proposal_id=review_session.current_proposal_id,
        may_steer=is_open and _is_chair(viewer, review_session, tree),
        revision=review_session.revision,
    )
